/* SPDX-License-Identifier: Apache-2.0 */
/* customs: the command table, --help and --version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core.h"

static const struct cli_command commands[] = {
    {"db", "build or describe the offline vulnerability database", cli_cmd_db},
    {"sbom", "list the packages inside an image or a root filesystem", cli_cmd_sbom},
    {"scan", "scan an image: packages, vulnerabilities, secrets, malware, configuration", cli_cmd_scan},
    {"audit", "check Kubernetes manifests against the Pod Security Standards", cli_cmd_audit},
    {"policy", "validate a policy file (customs policy check FILE)", cli_cmd_policy},
    {"admit", "the Kubernetes admission webhook (HTTPS), or its decisions offline", cli_cmd_admit},
    {"store", "re-judge recorded images against a newer database (store refresh)", cli_cmd_store},
    {"registry", "the vetted-registry gate: a registry proxy serving only images that pass",
     cli_cmd_registry},
    {"cache", "what the caches hold; prune or clean them", cli_cmd_cache},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: customs <command> [options] [target]\n\n"
                 "A container security gate: what is inside an image, how it is configured,\n"
                 "and where it came from.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "\nRun 'customs <command> --help' for a command's options.\n"
                 "Options also come from the environment, CUSTOMS_<OPTION> (--max-db-age:\n"
                 "CUSTOMS_MAX_DB_AGE; a repeatable option takes a comma list), and from a YAML\n"
                 "file, --config FILE, $CUSTOMS_CONFIG, else ./customs.yaml when present: keys\n"
                 "are long option names, at the top level for every command that has the\n"
                 "option, or in a command's section (scan:, audit:, db: update: ...). A flag\n"
                 "beats the environment, which beats the file; an unknown key is an error.\n"
                 "\nExit codes (a command's --help and the README's table give its own):\n"
                 "  0  clean: nothing below fails the run\n"
                 "  N  --exit-code N (0..125; scan and sbom: default 0, never; audit: default\n"
                 "     1): findings left after --severity, --ignore-unfixed, the ignore file\n"
                 "     and VEX, or a scan incomplete (coverage problems) unless\n"
                 "     --allow-uncovered; not beside --policy\n"
                 "  1  --policy and a verdict is deny (scan, sbom, audit; admit --review: a\n"
                 "     request denied); no valid signature by --verify-key; store refresh: a\n"
                 "     verdict changed\n"
                 "  2  usage or input error (an unknown command included)\n");
}

static void alloc_count_report(void)
{
    fprintf(stderr, "customs: %ld allocations\n", customs_alloc_count());
}

/* The allocation-failure sweep (tests/cli/alloc_sweep.py): CUSTOMS_ALLOC_FAIL=N fails the Nth
 * allocation of the library's wrappers, CUSTOMS_ALLOC_COUNT=1 prints how many there were. */
static void alloc_fail_from_env(void)
{
    const char *n = getenv("CUSTOMS_ALLOC_FAIL");
    if (n != NULL) {
        customs_alloc_fail_at(strtol(n, NULL, 10));
    }
    const char *c = getenv("CUSTOMS_ALLOC_COUNT");
    if (c != NULL && c[0] == '1') {
        atexit(alloc_count_report);
    }
}

int main(int argc, char **argv)
{
    alloc_fail_from_env();
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_ERROR;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("customs %s\n", customs_version());
        return CLI_EXIT_CLEAN;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    cli_error("unknown command '%s' (see 'customs --help')", argv[1]);
    return CLI_EXIT_ERROR;
}
