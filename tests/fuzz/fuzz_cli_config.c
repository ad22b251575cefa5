/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the configuration file reader (customs.yaml, src/cli/options_file.c) with option tables
 * shaped like the real ones (options, a boolean, a repeatable option, an alias, sections with
 * sub-sections): it accepts and yields NUL-terminated values of the right count, or fails with
 * "NAME:LINE:COL: what"; it never crashes, hangs or leaks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"

static const struct option scan_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"severity", required_argument, NULL, 256},
    {"mirror", required_argument, NULL, 257},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const struct option audit_opts[] = {
    {"level", required_argument, NULL, 'l'},
    {"pss", required_argument, NULL, 'l'},
    {"severity", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};
static const struct option update_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"source", required_argument, NULL, 's'},
    {"keep-going", no_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};
static const char *const scan_rep[] = {"mirror", NULL};
static const char *const update_rep[] = {"source", NULL};
static const struct cli_options scan = {"scan", "f:qh", scan_opts, scan_rep};
static const struct cli_options audit = {"audit", "l:s:", audit_opts, NULL};
static const struct cli_options update = {"db update", "", update_opts, update_rep};
static const struct cli_options *const all[] = {&scan, &audit, &update};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
        struct cli_optval v[8];
        char msg[768];
        size_t nopts = 0;
        memset(v, 0, sizeof(v));
        msg[0] = '\0';
        while (all[k]->longopts[nopts].name != NULL) {
            nopts++;
        }
        int rc = cli_config_parse(v, "fuzz.yaml", data, size, all[k], all, 3, msg, sizeof(msg));
        if (rc != 0) {
            int line = 0;
            int col = 0;
            if (sscanf(msg, "fuzz.yaml:%d:%d: ", &line, &col) != 2 || line < 1 || col < 1) {
                abort();
            }
            for (size_t i = 0; i < nopts; i++) {
                if (v[i].set || v[i].values != NULL) {
                    abort(); /* released on failure */
                }
            }
            continue;
        }
        for (size_t i = 0; i < nopts; i++) {
            if (!v[i].set && v[i].n != 0) {
                abort();
            }
            if (all[k]->longopts[i].has_arg == no_argument && v[i].n != 0) {
                abort();
            }
            for (size_t j = 0; j < v[i].n; j++) {
                if (strlen(v[i].values[j]) > 4096) {
                    abort();
                }
            }
        }
        cli_optvals_release(v, nopts);
    }
    return 0;
}
