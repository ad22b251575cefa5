/* SPDX-License-Identifier: Apache-2.0 */
#include "version/version.h"
#include "core/banned.h"
int customs_version_cmp_rubygems(const char *a, const char *b) { (void)a; (void)b; return 0; }
bool customs_version_valid_rubygems(const char *v) { (void)v; return 0; }
