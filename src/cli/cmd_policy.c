/* SPDX-License-Identifier: Apache-2.0 */
/* `customs policy check FILE...`: validate policy files, every problem with file:line:column. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "policy/policy.h"

static void policy_usage(FILE *out)
{
    fprintf(out, "usage: customs policy check FILE...\n\n"
                 "Validate policy files (docs/policy.md): unknown keys, wrong types and bad\n"
                 "values are errors, each printed as FILE:LINE:COLUMN: what. Ignore entries\n"
                 "that have expired are warnings.\n\n"
                 "Exit codes: 0 every file valid, 2 a file is invalid (or usage error).\n");
}

static void policy_diag(bool is_error, const char *message, void *payload)
{
    (void)payload;
    cli_say("%s%s", is_error ? "" : "warning: ", message);
}

/* Print one line per expired ignore entry (they stop applying). */
static void policy_warn_expired(const struct customs_policy *p, time_t now)
{
    for (size_t i = 0; i < p->nignores; i++) {
        const struct customs_policy_ignore *ig = &p->ignores[i];
        if (ig->expires != 0 && ig->expires < now) {
            char day[16];
            struct tm tm;
            gmtime_r(&ig->expires, &tm);
            strftime(day, sizeof(day), "%Y-%m-%d", &tm);
            cli_say("warning: %s:%d: the ignore entry for %s expired on %s and no longer applies",
                    p->name, ig->line, ig->id, day);
        }
    }
}

static void policy_summary(const struct customs_policy *p)
{
    printf("%s: valid: ", p->name);
    if (p->base.pss_enabled) {
        printf("Pod Security %s v1.%d", customs_pss_level_name(p->base.pss.level),
               p->base.pss.minor);
    } else {
        printf("Pod Security not enforced");
    }
    printf(", unknown images %s, %zu ignore entr%s, %zu tier%s\n",
           customs_effect_name(p->base.images.unknown), p->nignores,
           p->nignores == 1 ? "y" : "ies", p->ntiers, p->ntiers == 1 ? "" : "s");
}

int cli_cmd_policy(int argc, char **argv)
{
    /* --help or -h as the first word or after check: the help, not a file named so */
    for (int i = 1; i < argc && i <= 2; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            policy_usage(stdout);
            return CLI_EXIT_CLEAN;
        }
        if (strcmp(argv[i], "check") != 0) {
            break;
        }
    }
    if (argc < 3 || strcmp(argv[1], "check") != 0) {
        policy_usage(stderr);
        return CLI_EXIT_ERROR;
    }
    int rc = CLI_EXIT_CLEAN;
    for (int i = 2; i < argc; i++) {
        struct customs_policy *p = NULL;
        struct customs_error err = {0};
        if (customs_policy_load_file(&p, argv[i], policy_diag, NULL, &err) != 0) {
            cli_say("%s: invalid", argv[i]);
            rc = CLI_EXIT_ERROR;
            continue;
        }
        policy_warn_expired(p, time(NULL));
        policy_summary(p);
        customs_policy_free(p);
    }
    return rc;
}
