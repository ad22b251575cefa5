/* SPDX-License-Identifier: Apache-2.0 */
/* `customs sbom` and `customs scan`: read a target, write its report. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "policy/policy.h"
#include "signature/signature.h"

struct scan_args {
    int exit_code;        /* --exit-code N: when findings remain or coverage is incomplete */
    bool allow_uncovered; /* --allow-uncovered: coverage problems are reported, not failed on */
    bool db_given;        /* --db FILE */
    bool scanners_given;  /* --scanners LIST */
    char db_default[4096];
    char secret_cache[4096];
    char layer_cache[4096];
    const char *cache_root; /* --cache-dir DIR */
    bool no_cache;          /* --no-cache */
    uint64_t cache_max;     /* --cache-max-size SIZE */
    const char *format;
    const char *output;
    const char *target;
    const char *policy;         /* --policy FILE */
    const char *verdict_output; /* --verdict-output FILE */
    const char *record;         /* --record STORE */
    bool exit_code_given;
    bool quiet;
    bool all_images;      /* --all-images: every image of a layout or archive */
    struct cli_verify verify; /* --verify-key, --signatures, --signed-identity */
    struct customs_scan_options opts;
    struct customs_registry_options registry;
    const char *mirrors[17]; /* NULL-terminated */
    size_t nmirrors;
    const char *authfile;    /* --authfile FILE */
    struct cli_registry_auth auth;
    const char *skip_dirs[65];  /* NULL-terminated: --skip-dirs patterns */
    const char *skip_files[65]; /* NULL-terminated: --skip-files patterns */
    size_t nskip_dirs;
    size_t nskip_files;
    char skip_text[16384];      /* the patterns, split from their comma lists */
    size_t skip_used;
    const char *color;       /* --color auto|always|never */
    bool list_all_pkgs;      /* --list-all-pkgs (sbom: always) */
};

static void scan_usage(FILE *out, const char *cmd)
{
    fprintf(out,
            "usage: customs %s [options] TARGET\n\n"
            "TARGET is a `docker save` archive, an OCI image layout (directory or tar) or a root\n"
            "filesystem directory, detected from its content or named with a prefix:\n"
            "  docker-archive:PATH   oci:PATH   dir:PATH\n"
            "or an image in a registry, HOST[:PORT]/REPO[:TAG|@DIGEST] (docker.io short names\n"
            "like nginx:1.27; a path that exists wins; 'registry:REF' says it is a reference),\n"
            "or '-' (also docker-archive:- and oci:-): an archive on stdin, such as\n"
            "'docker save IMAGE | customs scan -' (a pipe is spooled, unnamed, into $TMPDIR,\n"
            "else /var/tmp, up to --max-total-bytes)\n"
            "One image of several: oci:PATH:REF (ref name, or sha256:DIGEST), oci:PATH:@N,\n"
            "docker-archive:PATH:REPO:TAG, docker-archive:PATH:@N (N from 0), stdin's as\n"
            "docker-archive:-:@N, oci:-:REF...; without one, a layout or archive of several\n"
            "images is refused, listing them (exit 2)\n\n",
            cmd);
    fprintf(out,
            "options:\n"
            "  -f, --format FMT        table, json, cyclonedx, spdx, sarif (default: table on\n"
            "                          a terminal, json otherwise); sarif: every finding kind\n"
            "                          for code scanning, coverage problems as notifications\n"
            "  -o, --output FILE       write the report to FILE (atomically) instead of stdout\n"
            "      --platform OS/ARCH[/VARIANT]  pick one image of a multi-platform index\n"
            "                          (default linux/amd64, else the only one)\n"
            "      --all-images        scan every image of a layout or archive holding several:\n"
            "                          json as one customs.images/v1 document, sarif as a run\n"
            "                          per image, table as a section per image; the exit code\n"
            "                          is the worst of the images'\n"
            "      --scanners LIST     what to look for, comma-separated: package, vuln,\n"
            "                          secret, malware, config (sbom: package; scan: all,\n"
            "                          vuln when a database is found). Named here, config\n"
            "                          also audits a directory target's Dockerfiles, Compose\n"
            "                          files and Kubernetes manifests as 'customs audit DIR'\n"
            "                          does, into the report's misconfigurations\n"
            "      --pkg-types LIST    which packages are inventoried and matched,\n"
            "                          comma-separated: os (deb, apk, rpm), library (npm,\n"
            "                          pypi, golang...); default both\n"
            "      --db FILE           the vulnerability database (default: $CUSTOMS_DB, else\n"
            "                          ~/.cache/customs/customs.db; see 'customs db build')\n"
            "      --severity LIST     report only these severities (CRITICAL,HIGH,MEDIUM,LOW,\n"
            "                          UNKNOWN), for vulnerabilities, secrets and malware\n"
            "      --ignore-unfixed    hide vulnerabilities that have no fixed version yet\n"
            "      --ignorefile FILE   suppress findings of any kind (default: .customsignore\n"
            "                          in the working directory, when present): lines\n"
            "                          'ID [package=NAME] [expires=YYYY-MM-DD]', or YAML by kind\n"
            "                          (vulnerabilities, secrets, malware, misconfigurations:\n"
            "                          id, paths, packages, expires, statement); expired\n"
            "                          entries stop applying; each entry reported\n"
            "      --vex FILE          an OpenVEX document: not_affected and fixed statements\n"
            "                          suppress, their justification recorded\n"
            "      --exit-code N       exit N when findings remain after filtering, or when\n"
            "                          the result is incomplete (coverage problems; default 0)\n"
            "      --max-db-age DAYS   vulnerability data older than DAYS is a coverage problem\n"
            "                          (default 7; 0: no limit)\n"
            "      --allow-uncovered   report coverage problems (an OS release or ecosystem\n"
            "                          without data, stale data, an end-of-life release,\n"
            "                          something not read) without failing --exit-code\n"
            "      --policy FILE       judge the image by a policy (docs/policy.md): print the\n"
            "                          verdict and its reasons on stderr; exit 1 exactly when\n"
            "                          it is deny (not with --exit-code)\n"
            "      --verdict-output FILE  also write the verdict as JSON (customs.verdict/v1)\n"
            "      --record STORE      record the image (inventory, findings, the policy and\n"
            "                          its verdict) in a verdict store: a SQLite file or a\n"
            "                          postgresql:// URI\n");
    fprintf(out,
            "      --color WHEN        table colours: auto (a terminal on stdout and NO_COLOR\n"
            "                          unset or empty; the default), always, never\n"
            "      --list-all-pkgs     table: list every package (scan lists only those with\n"
            "                          vulnerabilities when vulnerabilities were scanned)\n"
            "      --verify-key KEY    verify the image's signature first: KEY is a PEM public\n"
            "                          key (cosign) or an armored OpenPGP public key; repeat\n"
            "                          for several. Exit 1 with the reason unless a valid\n"
            "                          signature for the image's digest by one of them exists\n"
            "      --signatures DIR|URL  a lookaside store of OpenPGP signatures\n"
            "                          (<repo>@sha256=<hex>/signature-<n>, as containers/image)\n"
            "      --signed-identity NAME  the name the signature must be for\n"
            "                          (HOST/REPO[:TAG]); also locates the lookaside directory\n"
            "      --malware-rules DIR add the YARA rules (*.yar, *.yara) of DIR\n"
            "      --clamav-db DIR     also scan with ClamAV and the signature databases of DIR\n"
            "      --secret-rules FILE add (or override by id) secret rules from a YAML file\n"
            "      --show-secrets      print secrets in full (otherwise always redacted)\n"
            "      --cache-dir DIR     keep caches in DIR (default: ~/.cache/customs): each\n"
            "                          layer's results by its digest (a re-scan reads no\n"
            "                          layer it has seen; vulnerabilities are matched anew)\n"
            "                          and the compiled secret rules\n"
            "      --no-cache          read every layer (the layer cache is neither read nor\n"
            "                          written)\n"
            "      --cache-max-size SIZE  after the scan, prune the layer cache to SIZE (K, M,\n"
            "                          G suffixes; default " CLI_CACHE_MAX_SIZE_DEFAULT
            "), least recently used\n"
            "                          first (see 'customs cache')\n"
            "      --skip-dirs GLOB    do not analyze this directory and what it holds (a dir:\n"
            "                          target does not read it); a path relative to the image\n"
            "                          root, '/usr/share/doc', 'opt/**/test', 'home/*/.cache';\n"
            "                          repeatable, or a comma list\n"
            "      --skip-files GLOB   do not analyze the files it matches ('**/*.pem');\n"
            "                          repeatable, or a comma list. A package database or OS\n"
            "                          release file skipped is named in the report's errors\n");
    fprintf(out,
            "registries:\n"
            "      --insecure          allow plain http and unverified TLS\n"
            "      --mirror HOST=URL   fetch HOST's images from URL first (repeatable), e.g.\n"
            "                          docker.io=https://mirror.internal; the registry itself\n"
            "                          when the mirror lacks the image or is unreachable\n"
            "      --authfile FILE     registry credentials from FILE only (default:\n"
            "                          $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/\n"
            "                          auth.json, then ~/.docker/config.json)\n"
            "      --timeout SECONDS   the whole conversation with a registry (default 60)\n"
            "  -q, --quiet             no progress on stderr\n"
            "      --threads N         threads reading layers (default: one per CPU)\n"
            "limits against hostile images (each trips with exit 2 and a message):\n"
            "      --max-total-bytes N   uncompressed bytes over all layers (64 GiB)\n"
            "      --max-ratio N         uncompressed/compressed bytes of a layer (200)\n"
            "      --max-entries N       tar entries in one layer (2000000)\n"
            "      --max-path N          bytes in one path (4096)\n"
            "      --max-file-size N     bytes of one file handed to an analyzer (64 MiB)\n"
            "      --max-symlink-hops N  symlinks followed resolving a path (40)\n"
            "      --max-index-depth N   image indexes nested in one another (4)\n"
            "      --max-manifests N     descriptors read from a source's indexes (1024)\n"
            "      --max-layers N        layers of one image (512)\n"
            "      --max-captured-bytes N  bytes of the package databases and other files\n"
            "                          captured for the analyzers, held in memory by one\n"
            "                          scan (256 MiB)\n"
            CLI_HELP_CONFIG
            "  -h, --help\n\n"
            "Exit codes: 0 clean; N (--exit-code N, 0..125; default 0: never) findings of\n"
            "any kind left after --severity, --ignore-unfixed, the ignore file and VEX, or\n"
            "an incomplete result (coverage problems) unless --allow-uncovered; 1 with\n"
            "--policy exactly when a verdict is deny (the verdict alone decides), or no\n"
            "valid signature by --verify-key (the image is not scanned); 2 usage or input\n"
            "error (an unreadable or hostile image, a limit tripped, several images and no\n"
            "selector, the report not written). --all-images: the worst of the images'.\n");
}

static int parse_u64(const char *name, const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
        cli_error("--%s: '%s' is not a non-negative whole number", name, s);
        return -1;
    }
    *out = v;
    return 0;
}

enum {
    OPT_PLATFORM = 256,
    OPT_THREADS,
    OPT_MAX_TOTAL,
    OPT_MAX_RATIO,
    OPT_MAX_ENTRIES,
    OPT_MAX_PATH,
    OPT_MAX_FILE,
    OPT_MAX_HOPS,
    OPT_MAX_INDEX_DEPTH,
    OPT_MAX_MANIFESTS,
    OPT_MAX_LAYERS,
    OPT_MAX_CAPTURED,
    OPT_SCANNERS,
    OPT_SECRET_RULES,
    OPT_SHOW_SECRETS,
    OPT_MALWARE_RULES,
    OPT_CLAMAV_DB,
    OPT_DB,
    OPT_SEVERITY,
    OPT_IGNORE_UNFIXED,
    OPT_IGNOREFILE,
    OPT_VEX,
    OPT_EXIT_CODE,
    OPT_POLICY,
    OPT_VERDICT_OUTPUT,
    OPT_MAX_DB_AGE,
    OPT_ALLOW_UNCOVERED,
    OPT_RECORD,
    OPT_VERIFY_KEY,
    OPT_SIGNATURES,
    OPT_SIGNED_IDENTITY,
    OPT_INSECURE,
    OPT_MIRROR,
    OPT_AUTHFILE,
    OPT_TIMEOUT,
    OPT_CACHE_DIR,
    OPT_NO_CACHE,
    OPT_PKG_TYPES,
    OPT_SKIP_DIRS,
    OPT_SKIP_FILES,
    OPT_COLOR,
    OPT_LIST_ALL_PKGS,
    OPT_ALL_IMAGES,
    OPT_CACHE_MAX_SIZE,
};

/* Add the comma-separated patterns of `list` (commas inside {a,b} belong to the pattern). */
static int add_skip(struct scan_args *a, const char *name, const char *list, const char **arr,
                    size_t *n)
{
    size_t len = strlen(list);
    if (a->skip_used + len + 1 > sizeof(a->skip_text)) {
        cli_error("--%s: the patterns are too long (16 KiB in all)", name);
        return -1;
    }
    char *text = a->skip_text + a->skip_used;
    memcpy(text, list, len + 1);
    a->skip_used += len + 1;
    int depth = 0;
    char *start = text;
    for (char *p = text;; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            continue;
        }
        if (*p == '{') {
            depth++;
        } else if (*p == '}' && depth > 0) {
            depth--;
        } else if ((*p == ',' && depth == 0) || *p == '\0') {
            bool end = *p == '\0';
            *p = '\0';
            if (*start != '\0') {
                if (*n == 64) {
                    cli_error("--%s: at most 64 patterns", name);
                    return -1;
                }
                arr[(*n)++] = start;
                arr[*n] = NULL;
            }
            if (end) {
                break;
            }
            start = p + 1;
        }
    }
    return 0;
}

/* A comma list of names into bits: `names` maps each accepted name to its bit; `what` names
 * the item in errors ("scanner"), `known` lists the choices. */
struct name_bit {
    const char *name;
    uint32_t bit;
};

static int parse_name_list(const char *opt, const char *list, const struct name_bit *names,
                           const char *what, const char *known, uint32_t *out)
{
    char buf[256];
    *out = 0;
    if (strlen(list) >= sizeof(buf)) {
        cli_error("--%s: list too long", opt);
        return -1;
    }
    memcpy(buf, list, strlen(list) + 1);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (names[i].name != NULL && strcmp(names[i].name, t) != 0) {
            i++;
        }
        if (names[i].name == NULL) {
            cli_error("--%s: unknown %s '%s' (%s)", opt, what, t, known);
            return -1;
        }
        *out |= names[i].bit;
    }
    return 0;
}

static int parse_scanners(const char *list, uint32_t *out)
{
    static const struct name_bit names[] = {
        {"package", CUSTOMS_SCAN_PACKAGES}, {"packages", CUSTOMS_SCAN_PACKAGES},
        {"secret", CUSTOMS_SCAN_SECRETS},   {"secrets", CUSTOMS_SCAN_SECRETS},
        {"malware", CUSTOMS_SCAN_MALWARE},  {"vuln", CUSTOMS_SCAN_VULNS},
        {"vulns", CUSTOMS_SCAN_VULNS},      {"config", CUSTOMS_SCAN_CONFIG},
        {"misconfig", CUSTOMS_SCAN_CONFIG}, {NULL, 0},
    };
    return parse_name_list("scanners", list, names, "scanner",
                           "package, vuln, secret, malware, config", out);
}

static int parse_pkg_types(const char *list, uint32_t *out)
{
    static const struct name_bit names[] = {
        {"os", CUSTOMS_PKG_OS}, {"library", CUSTOMS_PKG_LIBRARY}, {NULL, 0}};
    if (parse_name_list("pkg-types", list, names, "package type", "os, library", out) != 0) {
        return -1;
    }
    if (*out == 0) {
        cli_error("--pkg-types: empty list (os, library)");
        return -1;
    }
    return 0;
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org): the creation time CycloneDX and SPDX documents
 * carry, so that the same image gives the same bytes; -1 when unset or not a time. */
static int64_t source_date_epoch(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    if (s == NULL) {
        return -1;
    }
    errno = 0;
    unsigned long long v = s[0] >= '0' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
    if (end == NULL || *end != '\0' || errno != 0 || v > 253402300799ULL) { /* 9999-12-31 */
        cli_error("warning: SOURCE_DATE_EPOCH is not a number of seconds up to the year 9999:"
                  " ignored");
        return -1;
    }
    return (int64_t)v;
}

static const struct option scan_longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-total-bytes", required_argument, NULL, OPT_MAX_TOTAL},
    {"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
    {"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
    {"max-path", required_argument, NULL, OPT_MAX_PATH},
    {"max-file-size", required_argument, NULL, OPT_MAX_FILE},
    {"max-symlink-hops", required_argument, NULL, OPT_MAX_HOPS},
    {"max-index-depth", required_argument, NULL, OPT_MAX_INDEX_DEPTH},
    {"max-manifests", required_argument, NULL, OPT_MAX_MANIFESTS},
    {"max-layers", required_argument, NULL, OPT_MAX_LAYERS},
    {"max-captured-bytes", required_argument, NULL, OPT_MAX_CAPTURED},
    {"scanners", required_argument, NULL, OPT_SCANNERS},
    {"secret-rules", required_argument, NULL, OPT_SECRET_RULES},
    {"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
    {"malware-rules", required_argument, NULL, OPT_MALWARE_RULES},
    {"clamav-db", required_argument, NULL, OPT_CLAMAV_DB},
    {"db", required_argument, NULL, OPT_DB},
    {"severity", required_argument, NULL, OPT_SEVERITY},
    {"ignore-unfixed", no_argument, NULL, OPT_IGNORE_UNFIXED},
    {"ignorefile", required_argument, NULL, OPT_IGNOREFILE},
    {"vex", required_argument, NULL, OPT_VEX},
    {"exit-code", required_argument, NULL, OPT_EXIT_CODE},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"verdict-output", required_argument, NULL, OPT_VERDICT_OUTPUT},
    {"max-db-age", required_argument, NULL, OPT_MAX_DB_AGE},
    {"allow-uncovered", no_argument, NULL, OPT_ALLOW_UNCOVERED},
    {"record", required_argument, NULL, OPT_RECORD},
    {"verify-key", required_argument, NULL, OPT_VERIFY_KEY},
    {"signatures", required_argument, NULL, OPT_SIGNATURES},
    {"signed-identity", required_argument, NULL, OPT_SIGNED_IDENTITY},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"mirror", required_argument, NULL, OPT_MIRROR},
    {"authfile", required_argument, NULL, OPT_AUTHFILE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"pkg-types", required_argument, NULL, OPT_PKG_TYPES},
    {"skip-dirs", required_argument, NULL, OPT_SKIP_DIRS},
    {"skip-files", required_argument, NULL, OPT_SKIP_FILES},
    {"color", required_argument, NULL, OPT_COLOR},
    {"list-all-pkgs", no_argument, NULL, OPT_LIST_ALL_PKGS},
    {"all-images", no_argument, NULL, OPT_ALL_IMAGES},
    {"cache-max-size", required_argument, NULL, OPT_CACHE_MAX_SIZE},
    {NULL, 0, NULL, 0},
};

static const char *const scan_repeatable[] = {"verify-key", "mirror", "skip-dirs",
                                              "skip-files", NULL};
const struct cli_options cli_options_scan = {"scan", "f:o:qh", scan_longopts, scan_repeatable};
const struct cli_options cli_options_sbom = {"sbom", "f:o:qh", scan_longopts, scan_repeatable};

/* --severity HIGH,CRITICAL: every item a severity, checked here so that a bad value names
 * where it was set (the library checks it again). @return 0 or -1 (message printed) */
static int check_severities(const char *list)
{
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        enum customs_severity sev;
        if (customs_severity_parse(p, n, &sev) < 0) {
            cli_error("--severity: '%.*s' is not one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN",
                      (int)n, p);
            return -1;
        }
        p += n + (p[n] == ',');
    }
    return 0;
}

static int scan_parse_args(struct scan_args *a, int argc, char **argv)
{
    int c;
    uint64_t v;
    memset(a, 0, sizeof(*a));
    if (cli_parse_size(CLI_CACHE_MAX_SIZE_DEFAULT, &a->cache_max) < 0) {
        return -1;
    }
    customs_scan_options_default(&a->opts);
    customs_registry_options_default(&a->registry);
    a->opts.registry = &a->registry;
    a->opts.report_time = source_date_epoch();
    if (strcmp(argv[0], "scan") == 0) {
        a->opts.scanners |= CUSTOMS_SCAN_SECRETS | CUSTOMS_SCAN_MALWARE | CUSTOMS_SCAN_CONFIG;
    } else {
        a->list_all_pkgs = true; /* an inventory lists everything */
    }
    a->color = "auto";
    if (cli_options_apply(strcmp(argv[0], "scan") == 0 ? &cli_options_scan : &cli_options_sbom,
                          &argc, &argv) != 0) {
        return -1;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "f:o:qh", scan_longopts)) != -1) {
        const char *name = NULL;
        for (size_t i = 0; scan_longopts[i].name != NULL; i++) {
            if (scan_longopts[i].val == c) {
                name = scan_longopts[i].name;
            }
        }
        switch (c) {
        case 'f':
            a->format = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'q':
            a->quiet = true;
            break;
        case OPT_CACHE_DIR:
            a->cache_root = optarg;
            break;
        case OPT_NO_CACHE:
            a->no_cache = true;
            break;
        case OPT_SKIP_DIRS:
            if (add_skip(a, name, optarg, a->skip_dirs, &a->nskip_dirs) < 0) {
                return -1;
            }
            a->opts.skip_dirs = a->skip_dirs;
            break;
        case OPT_SKIP_FILES:
            if (add_skip(a, name, optarg, a->skip_files, &a->nskip_files) < 0) {
                return -1;
            }
            a->opts.skip_files = a->skip_files;
            break;
        case OPT_COLOR:
            if (cli_color_option(&a->color, optarg) != 0) {
                return -1;
            }
            break;
        case OPT_LIST_ALL_PKGS:
            a->list_all_pkgs = true;
            break;
        case OPT_ALL_IMAGES:
            a->all_images = true;
            break;
        case OPT_CACHE_MAX_SIZE:
            if (cli_parse_size(optarg, &a->cache_max) < 0) {
                cli_error("--cache-max-size: '%s' is not a size (bytes, or a number with K, M, "
                          "G, T)", optarg);
                return -1;
            }
            break;
        case 'h':
            scan_usage(stdout, argv[0]);
            return 1;
        case OPT_PLATFORM:
            a->opts.platform = optarg;
            break;
        case OPT_SCANNERS:
            if (parse_scanners(optarg, &a->opts.scanners) < 0) {
                return -1;
            }
            a->scanners_given = true;
            break;
        case OPT_PKG_TYPES:
            if (parse_pkg_types(optarg, &a->opts.pkg_types) < 0) {
                return -1;
            }
            break;
        case OPT_SECRET_RULES:
            a->opts.secret_rules = optarg;
            a->opts.scanners |= CUSTOMS_SCAN_SECRETS;
            break;
        case OPT_SHOW_SECRETS:
            a->opts.show_secrets = true;
            break;
        case OPT_MALWARE_RULES:
            a->opts.malware_rules = optarg;
            a->opts.scanners |= CUSTOMS_SCAN_MALWARE;
            break;
        case OPT_SEVERITY:
            if (check_severities(optarg) != 0) {
                return -1;
            }
            a->opts.severities = optarg;
            break;
        case OPT_IGNORE_UNFIXED:
            a->opts.ignore_unfixed = true;
            break;
        case OPT_IGNOREFILE:
            a->opts.ignorefile = optarg;
            break;
        case OPT_VEX:
            a->opts.vex = optarg;
            break;
        case OPT_EXIT_CODE:
            if (parse_u64(name, optarg, &v) < 0) {
                return -1;
            }
            if (v > 125) {
                cli_error("--exit-code: %s is not an exit code (0..125)", optarg);
                return -1;
            }
            a->exit_code = (int)v;
            a->exit_code_given = true;
            break;
        case OPT_POLICY:
            a->policy = optarg;
            break;
        case OPT_VERDICT_OUTPUT:
            a->verdict_output = optarg;
            break;
        case OPT_MAX_DB_AGE:
            if (parse_u64(name, optarg, &v) < 0) {
                return -1;
            }
            if (v > 36500) {
                cli_error("--max-db-age: %s days is more than a century", optarg);
                return -1;
            }
            a->opts.max_db_age_days = (uint32_t)v;
            break;
        case OPT_ALLOW_UNCOVERED:
            a->allow_uncovered = true;
            break;
        case OPT_RECORD:
            a->record = optarg;
            break;
        case OPT_VERIFY_KEY:
            if (a->verify.nkeys == CLI_VERIFY_KEYS_MAX) {
                cli_error("--verify-key: at most %d keys", CLI_VERIFY_KEYS_MAX);
                return -1;
            }
            a->verify.keys[a->verify.nkeys++] = optarg;
            break;
        case OPT_SIGNATURES:
            a->verify.lookaside = optarg;
            break;
        case OPT_SIGNED_IDENTITY:
            a->verify.identity = optarg;
            break;
        case OPT_INSECURE:
            a->registry.insecure = true;
            break;
        case OPT_MIRROR:
            if (a->nmirrors + 1 >= sizeof(a->mirrors) / sizeof(a->mirrors[0])) {
                cli_error("--mirror: at most 16");
                return -1;
            }
            a->mirrors[a->nmirrors++] = optarg;
            a->registry.mirrors = a->mirrors;
            break;
        case OPT_AUTHFILE:
            a->authfile = optarg;
            break;
        case OPT_TIMEOUT:
            if (parse_u64(name, optarg, &v) < 0) {
                return -1;
            }
            if (v == 0 || v > 86400) {
                cli_error("--timeout: %s seconds is not between 1 and 86400", optarg);
                return -1;
            }
            a->registry.timeout_seconds = (uint32_t)v;
            break;
        case OPT_DB:
            a->opts.vuln_db = optarg;
            a->db_given = true;
            break;
        case OPT_CLAMAV_DB:
            a->opts.clamav_db = optarg;
            a->opts.scanners |= CUSTOMS_SCAN_MALWARE;
            break;
        case OPT_THREADS:
        case OPT_MAX_TOTAL:
        case OPT_MAX_RATIO:
        case OPT_MAX_ENTRIES:
        case OPT_MAX_PATH:
        case OPT_MAX_FILE:
        case OPT_MAX_HOPS:
        case OPT_MAX_INDEX_DEPTH:
        case OPT_MAX_MANIFESTS:
        case OPT_MAX_LAYERS:
        case OPT_MAX_CAPTURED:
            if (parse_u64(name, optarg, &v) < 0) {
                return -1;
            }
            if ((c == OPT_THREADS || c == OPT_MAX_RATIO || c == OPT_MAX_PATH ||
                 c == OPT_MAX_HOPS || c == OPT_MAX_INDEX_DEPTH || c == OPT_MAX_LAYERS) &&
                v > UINT32_MAX) {
                cli_error("--%s: %s is too large", name, optarg);
                return -1;
            }
            if (c == OPT_THREADS) {
                a->opts.threads = (unsigned)v;
            } else if (c == OPT_MAX_TOTAL) {
                a->opts.limits.max_total_bytes = v;
            } else if (c == OPT_MAX_RATIO) {
                a->opts.limits.max_ratio = (uint32_t)v;
            } else if (c == OPT_MAX_ENTRIES) {
                a->opts.limits.max_entries = v;
            } else if (c == OPT_MAX_PATH) {
                a->opts.limits.max_path = (uint32_t)v;
            } else if (c == OPT_MAX_FILE) {
                a->opts.limits.max_file_bytes = v;
            } else if (c == OPT_MAX_INDEX_DEPTH) {
                a->opts.limits.max_index_depth = (uint32_t)v;
            } else if (c == OPT_MAX_MANIFESTS) {
                a->opts.limits.max_manifests = v;
            } else if (c == OPT_MAX_LAYERS) {
                a->opts.limits.max_layers = (uint32_t)v;
            } else if (c == OPT_MAX_CAPTURED) {
                a->opts.limits.max_captured_bytes = v;
            } else {
                a->opts.limits.max_symlink_hops = (uint32_t)v;
            }
            break;
        default:
            scan_usage(stderr, argv[0]);
            return -1;
        }
    }
    if (optind != argc - 1) {
        cli_error("%s: expected exactly one TARGET (see 'customs %s --help')", argv[0], argv[0]);
        return -1;
    }
    a->target = argv[optind];
    cli_registry_auth_init(&a->auth, a->authfile);
    a->registry.credentials = cli_registry_credentials;
    a->registry.credentials_payload = &a->auth;
    if (a->policy != NULL && a->exit_code_given) {
        cli_error("--exit-code and --policy: choose one (with a policy, the verdict decides the "
                  "exit code)");
        return -1;
    }
    if ((a->verify.lookaside != NULL || a->verify.identity != NULL) && a->verify.nkeys == 0) {
        cli_error("--signatures and --signed-identity need --verify-key");
        return -1;
    }
    if (a->verdict_output != NULL && a->policy == NULL) {
        cli_error("--verdict-output needs --policy");
        return -1;
    }
    /* Vulnerabilities: with --db, or asked for, or (scan) when the default database exists. */
    bool is_scan = strcmp(argv[0], "scan") == 0;
    if (a->db_given && !a->scanners_given) {
        a->opts.scanners |= CUSTOMS_SCAN_VULNS;
    }
    if (a->opts.vuln_db == NULL && cli_db_default_path(a->db_default, sizeof(a->db_default))) {
        a->opts.vuln_db = a->db_default;
        if (is_scan && !a->scanners_given && access(a->db_default, R_OK) == 0) {
            a->opts.scanners |= CUSTOMS_SCAN_VULNS;
        } else if (is_scan && !a->scanners_given && !a->quiet) {
            fprintf(stderr, "customs: no vulnerability database at %s ('customs db build'); "
                            "vulnerabilities not scanned\n", a->db_default);
        }
    }
    if ((a->opts.scanners & CUSTOMS_SCAN_SECRETS) &&
        cli_cache_path(a->secret_cache, sizeof(a->secret_cache), a->cache_root, "secrets")) {
        a->opts.secret_cache_dir = a->secret_cache;
    }
    if (!a->no_cache && cli_layer_cache_wanted(a->cache_root) &&
        cli_cache_path(a->layer_cache, sizeof(a->layer_cache), a->cache_root, "layers")) {
        a->opts.layer_cache_dir = a->layer_cache;
    }
    if (a->scanners_given && (a->opts.scanners & CUSTOMS_SCAN_CONFIG)) {
        /* a directory target's Dockerfiles, Compose files and manifests, as `customs audit` */
        a->opts.config_audit = cli_audit_config_dir;
    }
    a->opts.warn = cli_scan_warn;
    return 0;
}

/* Keep the layer cache within --cache-max-size (best effort: a failure is a warning). */
static void layer_cache_prune(const struct scan_args *a)
{
    struct customs_cache_usage u;
    struct customs_error err = {0};
    if (a->opts.layer_cache_dir != NULL &&
        cli_cache_prune(a->cache_root, "layers", a->cache_max, 0, &u, &err) < 0 && !a->quiet) {
        cli_error("warning: %s", err.message);
    }
}

/* Each coverage problem on stderr, control characters of the image's strings shown as '?'. */
static void cli_coverage_warn(const struct customs_report *report, bool allowed)
{
    const char *kind = NULL;
    const char *message = NULL;
    size_t n = customs_report_count(report, CUSTOMS_REPORT_COVERAGE_PROBLEMS);
    for (size_t i = 0; i < n && customs_report_coverage_problem(report, i, &kind, &message) == 0;
         i++) {
        fprintf(stderr, "customs: coverage: %s: ", kind);
        for (const unsigned char *c = (const unsigned char *)message; *c != '\0'; c++) {
            fputc(*c < 0x20 || *c == 0x7f ? '?' : *c, stderr);
        }
        fputc('\n', stderr);
    }
    fprintf(stderr, "customs: the result is INCOMPLETE (%zu coverage problem%s)%s\n", n,
            n == 1 ? "" : "s",
            allowed ? "; accepted by --allow-uncovered" : "; --exit-code fails on it");
}

static int scan_run_target(struct scan_args *ap, enum customs_format format, const char *cmd);

static int scan_run(int argc, char **argv)
{
    struct scan_args a;
    enum customs_format format;
    int rc = scan_parse_args(&a, argc, argv);
    if (rc != 0) {
        return rc > 0 ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
    }
    if (a.format == NULL) {
        a.format = (a.output == NULL && isatty(STDOUT_FILENO)) ? "table" : "json";
    }
    if (customs_format_parse(&format, a.format) != 0) {
        cli_error("--format: unknown format '%s' (table, json, cyclonedx, spdx, sarif)", a.format);
        return CLI_EXIT_ERROR;
    }
    if (strcmp(argv[0], "scan") == 0) {
        a.opts.ignorefile = cli_default_ignorefile(a.opts.ignorefile);
    }
    /* "-": the archive on stdin, spooled (unnamed) because the reader needs random access */
    char stdin_target[640];
    int stdin_fd = -1;
    if (cli_target_is_stdin(a.target)) {
        if (cli_stdin_spool(stdin_target, sizeof(stdin_target), a.target, &a.opts.limits,
                            &stdin_fd) != 0) {
            return CLI_EXIT_ERROR;
        }
        a.opts.target_name = a.target;
        a.target = stdin_target;
    }
    rc = scan_run_target(&a, format, argv[0]);
    if (stdin_fd >= 0) {
        close(stdin_fd);
    }
    return rc;
}

/* One run of scan or sbom, over one image or (--all-images) several. */
struct scan_run {
    struct scan_args *a;
    struct customs_policy *policy;
    struct customs_store *store;
    bool by_policy;             /* the policy asks for signatures (--verify-key not given) */
    struct cli_verdicts vs;
    bool judged;                /* a report reached scan_judge */
};

/* Verify (--verify-key, or the policy's keys) and scan one image into *out.
 * @return CLI_EXIT_CLEAN with *out set, or the exit code (message printed) */
static int scan_image(struct scan_run *s, const char *target, const char *name,
                      struct customs_report **out)
{
    struct scan_args *a = s->a;
    struct customs_scan_options opts = a->opts;
    struct customs_error err = {0};
    struct customs_sig_result sig;
    bool verified = false;
    int rc = CLI_EXIT_CLEAN;
    *out = NULL;
    opts.target_name = name;
    if (a->verify.nkeys > 0) {
        /* before the scan: an image nobody vouches for is not worth the minutes (with a policy,
         * the verdict says it, after the scan) */
        rc = cli_verify_signatures(&a->verify, target, opts.platform, &a->registry,
                                   &opts.limits, &sig);
        verified = rc == CLI_EXIT_CLEAN;
        if (rc != CLI_EXIT_CLEAN && !(s->by_policy && rc == CLI_EXIT_FINDINGS)) {
            return rc;
        }
    }
    if (customs_scan(out, target, &opts, &err) != 0) {
        cli_error("%s", err.message);
        return CLI_EXIT_ERROR;
    }
    layer_cache_prune(a);
    const char *scanned = customs_report_manifest_digest(*out);
    if (a->verify.nkeys > 0 && sig.image_digest[0] != '\0' &&
        (scanned == NULL || strcmp(scanned, sig.image_digest) != 0)) {
        /* a tag moved (or a registry answered twice differently) between the two reads */
        cli_error("%s: the image scanned (%s) is not the one whose signature was judged (%s)",
                  target, scanned != NULL ? scanned : "no digest", sig.image_digest);
        rc = CLI_EXIT_ERROR;
    } else if (verified &&
               customs_report_set_signature(*out,
                                            sig.format == CUSTOMS_SIG_COSIGN ? "cosign"
                                                                             : "openpgp",
                                            sig.key, sig.fingerprint, sig.digest,
                                            sig.identity, sig.source) != 0) {
        cli_error("out of memory");
        rc = CLI_EXIT_ERROR;
    } else {
        return CLI_EXIT_CLEAN;
    }
    customs_report_free(*out);
    *out = NULL;
    return rc;
}

/* After the report is written: its notes on stderr, its verdict or its record.
 * @return the image's exit code (with a policy, the verdict decides at the end) */
static int scan_judge(struct scan_run *s, const struct customs_report *report, const char *name)
{
    const struct scan_args *a = s->a;
    size_t problems = customs_report_count(report, CUSTOMS_REPORT_COVERAGE_PROBLEMS);
    s->judged = true;
    if (problems > 0) {
        cli_coverage_warn(report, a->allow_uncovered);
    }
    size_t nignore = customs_report_count(report, CUSTOMS_REPORT_IGNORE_ENTRIES);
    struct customs_report_ignore *ignores = nignore > 0 ? calloc(nignore, sizeof(*ignores)) : NULL;
    size_t got = 0;
    while (ignores != NULL && got < nignore &&
           customs_report_ignore_entry(report, got, &ignores[got]) == 0) {
        got++;
    }
    cli_ignore_warn(ignores, got);
    free(ignores);
    char hidden[160];
    if (customs_report_hidden_text(report, hidden, sizeof(hidden)) > 0) {
        fprintf(stderr, "customs: %s hidden by --severity\n", hidden);
    }
    size_t findings = customs_report_count(report, CUSTOMS_REPORT_VULNERABILITIES) +
                      customs_report_count(report, CUSTOMS_REPORT_SECRETS) +
                      customs_report_count(report, CUSTOMS_REPORT_MALWARE) +
                      customs_report_count(report, CUSTOMS_REPORT_MISCONFIGURATIONS);
    if (s->policy != NULL) {
        return cli_scan_verdict(&s->vs, s->policy, report, name, s->store) == 0
                   ? CLI_EXIT_CLEAN
                   : CLI_EXIT_ERROR;
    }
    if (s->store != NULL && cli_scan_record(s->store, report) != 0) {
        return CLI_EXIT_ERROR;
    }
    if (problems > 0 && !a->allow_uncovered) {
        findings++; /* an incomplete result fails the gate like a finding */
    }
    return findings > 0 && a->exit_code != 0 ? a->exit_code : CLI_EXIT_CLEAN;
}

/* Print the images of a layout or archive of several, with the target naming each. */
static void scan_list_images(const struct customs_image_list *list, const char *target)
{
    size_t n = customs_image_list_count(list);
    size_t width = 0;
    struct customs_image_info info;
    char buf[1024];
    cli_error("%s holds %zu images: name one (or scan each with --all-images):", target, n);
    for (size_t i = 0; i < n && customs_image_list_get(list, i, &info) == 0; i++) {
        size_t w = strlen(cli_stdin_rename(buf, sizeof(buf), info.target));
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < n && customs_image_list_get(list, i, &info) == 0; i++) {
        const char *shown = cli_stdin_rename(buf, sizeof(buf), info.target);
        fputs("  ", stderr);
        cli_put_escaped(stderr, shown);
        if (info.names != NULL || info.digest != NULL) {
            fprintf(stderr, "%*s  (", (int)(width - strlen(shown)), "");
            cli_put_escaped(stderr, info.names != NULL ? info.names : "untagged");
            fprintf(stderr, "%s%s)\n", info.digest != NULL ? ", " : "",
                    info.digest != NULL ? info.digest : "");
        } else {
            fputc('\n', stderr);
        }
    }
}

/*
 * The targets to scan: the one given, or (--all-images) each image of the layout or archive.
 * A layout or archive of several images named without a selector is listed and refused here,
 * in full (the library refuses it too, in one line). @return CLI_EXIT_CLEAN, or an exit code
 */
static int scan_targets(struct customs_image_list **list_out, const struct scan_args *a)
{
    struct customs_error err = {0};
    struct customs_image_list *list = NULL;
    *list_out = NULL;
    int r = customs_image_list_open(&list, a->target, &a->opts.limits, &err);
    if (r == CUSTOMS_EUNSUPPORTED || (r < 0 && !a->all_images)) {
        return CLI_EXIT_CLEAN; /* one image (a directory, a registry), or the scan says why */
    }
    if (r < 0) {
        cli_error("%s", err.message);
        return CLI_EXIT_ERROR;
    }
    if (a->all_images && customs_image_list_has_selector(list)) {
        cli_error("--all-images scans every image of %s: give it without a selector",
                  customs_image_list_source(list));
        customs_image_list_free(list);
        return CLI_EXIT_ERROR;
    }
    if (!customs_image_list_has_selector(list) && customs_image_list_count(list) > 1 &&
        !a->all_images) {
        scan_list_images(list, a->opts.target_name != NULL ? a->opts.target_name : a->target);
        customs_image_list_free(list);
        return CLI_EXIT_ERROR;
    }
    *list_out = list;
    return CLI_EXIT_CLEAN;
}

/* Scan every target, write the report(s), judge each: the worst exit code. */
static int scan_run_images(struct scan_run *s, enum customs_format format,
                           const struct customs_image_list *list)
{
    struct scan_args *a = s->a;
    struct customs_error err = {0};
    struct cli_output out;
    size_t n = a->all_images && list != NULL && customs_image_list_count(list) > 0
                   ? customs_image_list_count(list)
                   : 1;
    struct customs_report **reports = calloc(n, sizeof(*reports));
    const char **targets = calloc(n, sizeof(*targets));
    char(*names)[1024] = calloc(n, sizeof(*names)); /* an image of an archive on stdin: "-:SEL" */
    int rc = reports != NULL && targets != NULL && names != NULL ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
    for (size_t i = 0; rc == CLI_EXIT_CLEAN && i < n; i++) {
        struct customs_image_info info = {.target = a->target};
        if (n > 1 || (a->all_images && list != NULL && customs_image_list_count(list) == 1)) {
            int lrc = customs_image_list_get(list, i, &info);
            if (lrc < 0) {
                cli_error("%s: image %zu: %s", a->target, i, customs_strerror(lrc));
                rc = CLI_EXIT_ERROR;
                break;
            }
        }
        targets[i] = cli_stdin_rename(names[i], sizeof(names[i]), info.target);
        rc = scan_image(s, info.target, a->all_images ? targets[i] : a->opts.target_name,
                        &reports[i]);
    }
    char source[1024];
    struct customs_report_write_options wopt = {.color = cli_color_wanted(a->color, a->output),
                                                .list_all_pkgs = a->list_all_pkgs};
    bool ok = rc == CLI_EXIT_CLEAN && cli_output_open(&out, a->output, a->opts.show_secrets) == 0;
    if (ok) {
        ok = (a->all_images ? customs_reports_write((const struct customs_report *const *)reports,
                                                    n,
                                                    cli_stdin_rename(source, sizeof(source),
                                                                     customs_image_list_source(list)),
                                                    format,
                                                    out.fp, &err)
                            : customs_report_write_with(reports[0], format, &wopt, out.fp,
                                                        &err)) == 0;
        if (!ok) {
            cli_error("%s", err.message);
        }
        if (cli_output_close(&out, ok) != 0) {
            ok = false;
        }
    }
    int worst = ok ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
    for (size_t i = 0; ok && i < n; i++) {
        int r = scan_judge(s, reports[i],
                           a->all_images || a->opts.target_name == NULL ? targets[i]
                                                                        : a->opts.target_name);
        worst = r > worst ? r : worst;
    }
    for (size_t i = 0; reports != NULL && i < n; i++) {
        customs_report_free(reports[i]);
    }
    free(reports);
    free(targets);
    free(names);
    return rc != CLI_EXIT_CLEAN ? rc : worst;
}

/* The scan proper, once the target can be opened. */
static int scan_run_target(struct scan_args *ap, enum customs_format format, const char *cmd)
{
    struct scan_args a = *ap;
    struct scan_run s = {.a = &a};
    struct customs_image_list *list = NULL;
    double start = 0;
    int rc;
    (void)cmd;
    if (a.all_images && (format == CUSTOMS_FORMAT_CYCLONEDX || format == CUSTOMS_FORMAT_SPDX)) {
        cli_error("--all-images: a %s document describes one image: write json, table or "
                  "sarif, or scan each image with its selector",
                  format == CUSTOMS_FORMAT_SPDX ? "SPDX" : "CycloneDX");
        return CLI_EXIT_ERROR;
    }
    rc = scan_targets(&list, &a);
    if (rc != CLI_EXIT_CLEAN) {
        return rc;
    }
    if (a.all_images && list == NULL) {
        a.all_images = false; /* one image: a directory or a registry reference */
    }
    if (!a.quiet && isatty(STDERR_FILENO)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        start = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        a.opts.progress = (customs_progress_fn)cli_progress;
        a.opts.progress_payload = &start;
    }
    if (a.policy != NULL && (s.policy = cli_policy_load(a.policy)) == NULL) {
        customs_image_list_free(list);
        return CLI_EXIT_ERROR;
    }
    if (a.record != NULL && (s.store = cli_store_open(a.record)) == NULL) {
        cli_policy_free(s.policy);
        customs_image_list_free(list);
        return CLI_EXIT_ERROR;
    }
    static char policy_keys[CLI_VERIFY_KEYS_MAX][4096];
    s.by_policy = s.policy != NULL &&
                  cli_verify_from_policy(&a.verify, policy_keys, s.policy, a.policy);
    cli_verdicts_init(&s.vs);
    rc = scan_run_images(&s, format, list);
    if (s.policy != NULL && s.judged) {
        /* with a policy the verdict decides (written only when every image was judged) */
        int verdict_rc = cli_verdicts_finish(&s.vs, a.policy,
                                             rc == CLI_EXIT_CLEAN ? a.verdict_output : NULL);
        rc = rc == CLI_EXIT_ERROR || verdict_rc == CLI_EXIT_ERROR ? CLI_EXIT_ERROR : verdict_rc;
    } else {
        cli_verdicts_release(&s.vs);
    }
    cli_policy_free(s.policy);
    cli_store_close(s.store);
    customs_image_list_free(list);
    return rc;
}

int cli_cmd_sbom(int argc, char **argv)
{
    return scan_run(argc, argv);
}

int cli_cmd_scan(int argc, char **argv)
{
    return scan_run(argc, argv);
}
