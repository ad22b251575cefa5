/* SPDX-License-Identifier: Apache-2.0 */
/* `customs cache info|prune|clean`: what the caches hold (the layer cache and the compiled
 * secret rules), and pruning them by size and age. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/core.h"
#include "scan/layercache.h"
#include "secrets/cache.h"

/* The caches under the cache root, and the prefix of their entries' names. */
static const struct {
    const char *dir;
    const char *prefix;
    const char *what;
} caches[] = {
    {"layers", CUSTOMS_LAYERCACHE_PREFIX, "layer results"},
    {"secrets", CUSTOMS_SECRET_CACHE_PREFIX, "compiled secret rules"},
};

static void cache_usage(FILE *out)
{
    fprintf(out,
            "usage: customs cache info|prune|clean [options]\n\n"
            "The caches customs keeps under ~/.cache/customs (or --cache-dir): each layer's\n"
            "results by its digest (layers/) and the compiled secret rules (secrets/).\n"
            "  info    what they hold\n"
            "  prune   remove the entries least recently used until at most --max-size\n"
            "          bytes remain, and those not used for --max-age days\n"
            "  clean   remove every entry\n\n"
            "options:\n"
            "      --cache-dir DIR     the cache root (default: $XDG_CACHE_HOME/customs, else\n"
            "                          ~/.cache/customs)\n"
            "      --max-size SIZE     prune: bytes to keep, with K, M, G suffixes (1024^n;\n"
            "                          default %s)\n"
            "      --max-age DAYS      prune: remove entries unused for DAYS (default: no limit)\n"
            "  -q, --quiet             no summary on stdout\n\n"
            "Scans prune the layer cache to --cache-max-size as they go. Entries in use by a\n"
            "running scan are safe to remove: it reads what it opened.\n"
            "Exit codes: 0 done, 2 usage error or an unusable cache directory.\n",
            CLI_CACHE_MAX_SIZE_DEFAULT);
}

int cli_parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    const char *units = "KMGT";
    const char *u = *end != '\0' ? strchr(units, *end & ~0x20) : NULL;
    if (u != NULL) {
        shift = 10 * (unsigned)(u - units + 1);
        end++;
        if (*end == 'i') {
            end++;
        }
    }
    if ((*end == 'B' || *end == 'b') && end[1] == '\0') {
        end++;
    }
    if (*end != '\0' || (shift > 0 && v > (UINT64_MAX >> shift))) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

static void human(char *out, size_t n, uint64_t bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(out, n, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

int cli_cache_prune(const char *root, const char *name, uint64_t max_bytes, int64_t max_age,
                    struct customs_cache_usage *usage, struct customs_error *err)
{
    char dir[4096];
    for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
        if (strcmp(caches[i].dir, name) != 0) {
            continue;
        }
        if (!cli_cache_path(dir, sizeof(dir), root, name)) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "no cache directory (set HOME or --cache-dir)");
        }
        return customs_sealed_prune(dir, caches[i].prefix, max_bytes, max_age,
                                    (int64_t)time(NULL), usage, err);
    }
    return customs_error_set(err, CUSTOMS_EINVAL, "no cache named %s", name);
}

enum { OPT_CACHE_DIR = 256, OPT_MAX_SIZE, OPT_MAX_AGE };
static const struct option cache_longopts[] = {
    {"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"max-age", required_argument, NULL, OPT_MAX_AGE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const struct cli_options cli_options_cache = {"cache", "qh", cache_longopts, NULL};

int cli_cmd_cache(int argc, char **argv)
{
    const char *root = NULL;
    uint64_t max_bytes = 0;
    uint64_t days = 0;
    bool quiet = false;
    int c;
    if (cli_parse_size(CLI_CACHE_MAX_SIZE_DEFAULT, &max_bytes) < 0 ||
        cli_options_apply(&cli_options_cache, &argc, &argv) != 0) {
        return CLI_EXIT_ERROR;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "qh", cache_longopts)) != -1) {
        switch (c) {
        case OPT_CACHE_DIR:
            root = optarg;
            break;
        case OPT_MAX_SIZE:
            if (cli_parse_size(optarg, &max_bytes) < 0) {
                cli_error("--max-size: '%s' is not a size (bytes, or a number with K, M, G, T)",
                          optarg);
                return CLI_EXIT_ERROR;
            }
            break;
        case OPT_MAX_AGE: {
            char *end = NULL;
            days = optarg[0] >= '0' && optarg[0] <= '9' ? strtoull(optarg, &end, 10) : 0;
            if (end == NULL || *end != '\0' || days == 0 || days > 36500) {
                cli_error("--max-age: '%s' is not a number of days (1 to 36500)", optarg);
                return CLI_EXIT_ERROR;
            }
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'h':
            cache_usage(stdout);
            return CLI_EXIT_CLEAN;
        default:
            cache_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (optind + 1 != argc || (strcmp(argv[optind], "info") != 0 &&
                               strcmp(argv[optind], "prune") != 0 &&
                               strcmp(argv[optind], "clean") != 0)) {
        cache_usage(stderr);
        return CLI_EXIT_ERROR;
    }
    const char *verb = argv[optind];
    if (strcmp(verb, "info") == 0) {
        max_bytes = UINT64_MAX;
        days = 0;
    } else if (strcmp(verb, "clean") == 0) {
        max_bytes = 0;
        days = 0;
    }
    int rc = CLI_EXIT_CLEAN;
    for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
        struct customs_cache_usage u;
        struct customs_error err = {0};
        char left[32];
        char gone[32];
        if (cli_cache_prune(root, caches[i].dir, max_bytes, (int64_t)days * 86400, &u, &err) <
            0) {
            cli_error("%s", err.message);
            rc = CLI_EXIT_ERROR;
            continue;
        }
        human(left, sizeof(left), u.bytes);
        human(gone, sizeof(gone), u.removed_bytes);
        if (quiet) {
            continue;
        }
        if (strcmp(verb, "info") == 0) {
            printf("%-8s %llu entries, %s (%s)\n", caches[i].dir, (unsigned long long)u.files,
                   left, caches[i].what);
        } else {
            printf("%-8s removed %llu entries (%s); %llu entries, %s left\n", caches[i].dir,
                   (unsigned long long)u.removed_files, gone, (unsigned long long)u.files, left);
        }
    }
    return rc;
}
