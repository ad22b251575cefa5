/* SPDX-License-Identifier: Apache-2.0 */
/* `customs registry`: the vetted-registry gate in front of an upstream registry
 * (gate_server.c serves it). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/gate_cli.h"

static void registry_usage(FILE *out)
{
    fprintf(out,
            "usage: customs registry --upstream URL --policy FILE --store URI\n"
            "                        (--tls-cert FILE --tls-key FILE | --plain-http) [options]\n\n"
            "A vetted-registry gate: a reverse proxy speaking the Distribution API in front of\n"
            "an upstream registry. A manifest pushed through it is forwarded, then its image is\n"
            "scanned from the upstream, judged with the policy and recorded in the store. A\n"
            "manifest is served only when the verdict recorded for its digest passes the\n"
            "policy; otherwise 403 with the reasons. Unrecorded images are refused, and so is\n"
            "everything when the store cannot be read (fail closed). Blobs pass through.\n"
            "Endpoints besides /v2/: GET /healthz, /readyz. SIGTERM stops.\n\n"
            "options:\n"
            "      --listen ADDR:PORT   where to listen (default 0.0.0.0:5443; port 0: a free one,\n"
            "                           printed at start)\n"
            "      --tls-cert FILE      PEM certificate (chain) the gate presents\n"
            "      --tls-key FILE       its PEM private key\n"
            "      --plain-http         serve plain HTTP (loopback, or behind a TLS proxy)\n"
            "      --upstream URL       the registry behind the gate: http(s)://HOST[:PORT]\n"
            "      --upstream-ca FILE   CA bundle for the upstream's certificate\n"
            "      --authfile FILE      credentials for scanning the upstream from FILE only\n"
            "                           (default: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/\n"
            "                           containers/auth.json, then ~/.docker/config.json)\n"
            "      --policy FILE        the policy (docs/policy.md); images.* rules judge pulls\n"
            "      --store URI          the verdict store (SQLite path)\n"
            "      --db FILE            the vulnerability database for scanning pushed images\n"
            "                           (default: customs db update's)\n"
            "      --cache-dir DIR      keep each scanned layer's results (and the compiled\n"
            "                           secret rules) in DIR (default ~/.cache/customs): a\n"
            "                           pushed image scans only the layers not seen before\n"
            "      --no-cache           read every layer of every pushed image\n"
            "      --max-connections N  connections at once (default 256)\n"
            "      --connect-timeout S  seconds to connect to the upstream (default 10)\n"
            "      --stall-timeout S    seconds without a byte from the upstream (default 60)\n"
            "      --idle-timeout S     seconds a client connection may sit idle (default 120)\n"
            CLI_HELP_CONFIG
            "  -h, --help\n");
}

static int parse_uint(unsigned *out, const char *s, unsigned min, unsigned max)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min || v > max) {
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

enum {
    OPT_LISTEN = 256, OPT_CERT, OPT_KEY, OPT_PLAIN, OPT_UPSTREAM, OPT_UPSTREAM_CA,
    OPT_POLICY, OPT_STORE, OPT_DB, OPT_MAX_CONN, OPT_CONNECT_TIMEOUT, OPT_STALL_TIMEOUT,
    OPT_IDLE_TIMEOUT, OPT_AUTHFILE, OPT_CACHE_DIR, OPT_NO_CACHE,
};
static const struct option registry_longopts[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"plain-http", no_argument, NULL, OPT_PLAIN},
    {"upstream", required_argument, NULL, OPT_UPSTREAM},
    {"upstream-ca", required_argument, NULL, OPT_UPSTREAM_CA},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"store", required_argument, NULL, OPT_STORE},
    {"db", required_argument, NULL, OPT_DB},
    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"stall-timeout", required_argument, NULL, OPT_STALL_TIMEOUT},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"authfile", required_argument, NULL, OPT_AUTHFILE},
    {"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const struct cli_options cli_options_registry = {"registry", "h", registry_longopts, NULL};

int cli_cmd_registry(int argc, char **argv)
{
    struct gate_args a = {
        .listen = "0.0.0.0:5443",
        .max_connections = 256,
        .connect_timeout = 10,
        .stall_timeout = 60,
        .idle_timeout = 120,
    };
    char db_default[4096];
    char secret_cache[4096];
    const char *authfile = NULL;
    static struct cli_registry_auth auth; /* for the server's lifetime */
    char layer_cache[4096];
    customs_scan_options_default(&a.scan);
    a.scan.scanners |= CUSTOMS_SCAN_SECRETS | CUSTOMS_SCAN_MALWARE | CUSTOMS_SCAN_CONFIG;
    int c;
    if (cli_options_apply(&cli_options_registry, &argc, &argv) != 0) {
        return CLI_EXIT_ERROR;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", registry_longopts)) != -1) {
        const char *bad = NULL;
        switch (c) {
        case OPT_LISTEN: a.listen = optarg; break;
        case OPT_CERT: a.tls_cert = optarg; break;
        case OPT_KEY: a.tls_key = optarg; break;
        case OPT_PLAIN: a.plain_http = true; break;
        case OPT_UPSTREAM: a.upstream = optarg; break;
        case OPT_UPSTREAM_CA: a.upstream_ca = optarg; break;
        case OPT_POLICY: a.policy = optarg; break;
        case OPT_STORE: a.store = optarg; break;
        case OPT_DB: a.scan.vuln_db = optarg; break;
        case OPT_AUTHFILE: authfile = optarg; break;
        case OPT_CACHE_DIR: a.cache_root = optarg; break;
        case OPT_NO_CACHE: a.no_cache = true; break;
        case OPT_MAX_CONN:
            bad = parse_uint(&a.max_connections, optarg, 1, 65536) != 0 ? "--max-connections" : NULL;
            break;
        case OPT_CONNECT_TIMEOUT:
            bad = parse_uint(&a.connect_timeout, optarg, 1, 3600) != 0 ? "--connect-timeout" : NULL;
            break;
        case OPT_STALL_TIMEOUT:
            bad = parse_uint(&a.stall_timeout, optarg, 1, 3600) != 0 ? "--stall-timeout" : NULL;
            break;
        case OPT_IDLE_TIMEOUT:
            bad = parse_uint(&a.idle_timeout, optarg, 1, 3600) != 0 ? "--idle-timeout" : NULL;
            break;
        case 'h': registry_usage(stdout); return CLI_EXIT_CLEAN;
        default: registry_usage(stderr); return CLI_EXIT_ERROR;
        }
        if (bad != NULL) {
            cli_error("%s: '%s' is not a number in range", bad, optarg);
            return CLI_EXIT_ERROR;
        }
    }
    if (optind != argc) {
        cli_error("registry: unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_ERROR;
    }
    if (a.upstream == NULL || a.policy == NULL || a.store == NULL) {
        cli_error("registry: --upstream, --policy and --store are required (see 'customs "
                  "registry --help')");
        return CLI_EXIT_ERROR;
    }
    if (!a.plain_http && (a.tls_cert == NULL || a.tls_key == NULL)) {
        cli_error("registry: --tls-cert and --tls-key are required (or --plain-http)");
        return CLI_EXIT_ERROR;
    }
    if (a.scan.vuln_db == NULL && cli_db_default_path(db_default, sizeof(db_default))) {
        a.scan.vuln_db = db_default;
    }
    if (a.scan.vuln_db != NULL && access(a.scan.vuln_db, R_OK) == 0) {
        a.scan.scanners |= CUSTOMS_SCAN_VULNS;
    } else {
        /* pushed images are recorded without vulnerabilities: the policy counts them as
         * unknown for every vulnerability rule */
        fprintf(stderr, "customs registry: no vulnerability database%s%s: pushed images are "
                        "not checked for vulnerabilities\n",
                a.scan.vuln_db != NULL ? " at " : "", a.scan.vuln_db != NULL ? a.scan.vuln_db : "");
    }
    if (cli_cache_path(secret_cache, sizeof(secret_cache), a.cache_root, "secrets")) {
        a.scan.secret_cache_dir = secret_cache;
    }
    if (!a.no_cache && cli_layer_cache_wanted(a.cache_root) &&
        cli_cache_path(layer_cache, sizeof(layer_cache), a.cache_root, "layers")) {
        a.scan.layer_cache_dir = layer_cache; /* pushes of shared base layers scan only what is new */
    }
    a.scan.warn = cli_scan_warn;
    /* the gate's scans read the upstream it forwards to: plain http only when that is what
     * --upstream says */
    customs_registry_options_default(&a.registry);
    a.registry.insecure = strncmp(a.upstream, "http://", 7) == 0;
    a.registry.ca_file = a.upstream_ca;
    cli_registry_auth_init(&auth, authfile);
    a.registry.credentials = cli_registry_credentials;
    a.registry.credentials_payload = &auth;
    a.scan.registry = &a.registry;
    return gate_serve(&a);
}
