/* SPDX-License-Identifier: Apache-2.0 */
#include "version/version.h"
#include "core/banned.h"
int customs_version_cmp_npm(const char *a, const char *b) { (void)a; (void)b; return 0; }
int customs_version_npm_cmp_opts(const char *a, const char *b, uint32_t f) { (void)a; (void)b; (void)f; return 0; }
bool customs_version_valid_npm(const char *v) { (void)v; return 0; }
bool customs_version_npm_valid_opts(const char *v, uint32_t f) { (void)v; (void)f; return 0; }
bool customs_version_npm_satisfies(const char *v, const char *r) { (void)v; (void)r; return 0; }
bool customs_version_npm_satisfies_opts(const char *v, const char *r, uint32_t f) { (void)v; (void)r; (void)f; return 0; }
bool customs_version_npm_outside(const char *v, const char *r, char h, uint32_t f) { (void)v; (void)r; (void)h; (void)f; return 0; }
