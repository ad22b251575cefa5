/* SPDX-License-Identifier: Apache-2.0 */
/* `customs store refresh`: re-match every recorded inventory against the current vulnerability
 * database, re-judge, and print the images whose verdict changed. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "policy/policy.h"
#include "store/store.h"
#include "vulndb/vulndb.h"

static void store_usage(FILE *out)
{
    fprintf(out,
            "usage: customs store refresh --store STORE [--db FILE] [--policy FILE]\n\n"
            "Re-match the inventory of every image recorded with 'customs scan --record'\n"
            "against the vulnerability database, re-judge it (with --policy, or with the\n"
            "policy it was recorded with), record the new findings and verdicts, and print\n"
            "one line per image whose verdict changed:\n"
            "  DIGEST NAMES: OLD -> NEW: REASONS\n\n"
            "options:\n"
            "      --store STORE   the verdict store: a SQLite file or a\n"
            "                      postgresql://USER@HOST[:PORT]/DB URI\n"
            "      --db FILE       the vulnerability database (default: $CUSTOMS_DB, else\n"
            "                      ~/.cache/customs/customs.db)\n"
            "      --policy FILE   judge every image by this policy instead\n"
            "      --max-db-age DAYS  vulnerability data older than DAYS is a coverage\n"
            "                      problem (default 7; 0: no limit): the policy's\n"
            "                      images.uncovered judges it\n"
            "  -q, --quiet         no summary line on stderr\n"
            CLI_HELP_CONFIG "\n"
            "Exit codes: 0 no verdict changed, 1 some changed, 2 usage or input error.\n");
}

static void store_changed(const struct customs_store_change *c, void *payload)
{
    (void)payload;
    /* names and reasons come from images (package names, versions) and the database: escaped */
    char part[4096];
    snprintf(part, sizeof(part), "%s %s: %s -> %s", c->digest,
             c->names[0] != '\0' ? c->names : "(no name)", customs_effect_name(c->old_effect),
             customs_effect_name(c->new_effect));
    cli_put_escaped(stdout, part);
    const char *sep = ":";
    for (size_t i = 0; i < customs_verdict_count(c->verdict); i++) {
        const struct customs_reason *r = customs_verdict_at(c->verdict, i);
        if (r->effect != CUSTOMS_EFFECT_ALLOW) {
            snprintf(part, sizeof(part), "%s %s %s: %s", sep, customs_effect_name(r->effect),
                     r->rule, r->message);
            cli_put_escaped(stdout, part);
            sep = ";";
        }
    }
    putchar('\n');
}

enum { OPT_STORE = 256, OPT_DB, OPT_POLICY, OPT_MAX_DB_AGE };
static const struct option store_longopts[] = {
    {"store", required_argument, NULL, OPT_STORE},
    {"db", required_argument, NULL, OPT_DB},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"max-db-age", required_argument, NULL, OPT_MAX_DB_AGE},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const struct cli_options cli_options_store_refresh = {"store refresh", "qh", store_longopts, NULL};

int cli_cmd_store(int argc, char **argv)
{
    const char *store_uri = NULL;
    const char *db_path = NULL;
    const char *policy_path = NULL;
    char db_default[4096];
    bool quiet = false;
    uint32_t max_db_age = 7;
    int c;
    if (argc < 2 || strcmp(argv[1], "refresh") != 0) {
        bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
        store_usage(help ? stdout : stderr);
        return help ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
    }
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    if (cli_options_apply(&cli_options_store_refresh, &sub_argc, &sub_argv) != 0) {
        return CLI_EXIT_ERROR;
    }
    optind = 1;
    while ((c = cli_getopt(sub_argc, sub_argv, "qh", store_longopts)) != -1) {
        switch (c) {
        case OPT_STORE:
            store_uri = optarg;
            break;
        case OPT_DB:
            db_path = optarg;
            break;
        case OPT_POLICY:
            policy_path = optarg;
            break;
        case OPT_MAX_DB_AGE: {
            char *end = NULL;
            errno = 0;
            unsigned long long v = optarg[0] >= '0' && optarg[0] <= '9'
                                       ? strtoull(optarg, &end, 10)
                                       : 0;
            if (end == NULL || *end != '\0' || errno != 0 || v > 36500) {
                cli_error("--max-db-age: '%s' is not a number of days (0 to 36500)", optarg);
                return CLI_EXIT_ERROR;
            }
            max_db_age = (uint32_t)v;
            break;
        }
        case 'q':
            quiet = true;
            break;
        case 'h':
            store_usage(stdout);
            return CLI_EXIT_CLEAN;
        default:
            store_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (store_uri == NULL || optind != sub_argc) {
        cli_error("store refresh: --store STORE is required, and nothing else (see "
                  "'customs store --help')");
        return CLI_EXIT_ERROR;
    }
    if (db_path == NULL) {
        if (!cli_db_default_path(db_default, sizeof(db_default))) {
            cli_error("store refresh: no --db and no default database path");
            return CLI_EXIT_ERROR;
        }
        db_path = db_default;
    }
    struct customs_policy *policy = NULL;
    struct customs_store *store = NULL;
    struct customs_vulndb *db = NULL;
    struct customs_error err = {0};
    struct customs_store_refresh_stats stats;
    int rc = CLI_EXIT_ERROR;
    if (policy_path != NULL && (policy = cli_policy_load(policy_path)) == NULL) {
        return CLI_EXIT_ERROR;
    }
    if ((store = cli_store_open(store_uri)) == NULL) {
        goto out;
    }
    if (customs_vulndb_open(&db, db_path, &err) != 0) {
        cli_error("%s", err.message);
        goto out;
    }
    if (customs_store_refresh(store, db, policy, time(NULL), max_db_age, store_changed, NULL, &stats, &err) !=
        0) {
        cli_error("%s", err.message);
        goto out;
    }
    if (!quiet) {
        fprintf(stderr, "%zu image%s refreshed (%zu packages, %zu distinct matched), %zu verdict%s "
                        "changed\n",
                stats.images, stats.images == 1 ? "" : "s", stats.packages, stats.matched,
                stats.changed, stats.changed == 1 ? "" : "s");
    }
    rc = stats.changed > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_CLEAN;
out:
    customs_vulndb_close(db);
    cli_store_close(store);
    customs_policy_free(policy);
    return rc;
}
