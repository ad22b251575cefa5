/* SPDX-License-Identifier: Apache-2.0 */
/* customs: the command table, --help and --version. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct cli_command commands[] = {
    {"db", "build or describe the offline vulnerability database", cli_cmd_db},
    {"sbom", "list the packages inside an image or a root filesystem", cli_cmd_sbom},
    {"scan", "scan an image: packages, secrets, malware (vulnerabilities to come)", cli_cmd_scan},
    {"audit", "check Kubernetes manifests against the Pod Security Standards", cli_cmd_audit},
    {"policy", "validate a policy file (customs policy check FILE)", cli_cmd_policy},
    {"admit", "the Kubernetes admission webhook (HTTPS), or its decisions offline", cli_cmd_admit},
    {"store", "re-judge recorded images against a newer database (store refresh)", cli_cmd_store},
    {"registry", "the vetted-registry gate: a registry proxy serving only images that pass",
     cli_cmd_registry},
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
                 "Exit codes: 0 clean, 1 findings over the threshold, 2 usage or input error.\n");
}

int main(int argc, char **argv)
{
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
