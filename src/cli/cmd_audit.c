/* SPDX-License-Identifier: Apache-2.0 */
/* `customs audit`: Kubernetes manifests checked against the Pod Security Standards and more,
 * Dockerfiles and Compose files. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "misconfig/misconfig.h"
#include "policy/filter.h"
#include "policy/policy.h"
#include "report/audit.h"
#include "report/sarif.h"

#define AUDIT_MAX_DIR_DEPTH 64

#define AUDIT_MAX_REGISTRIES 64

struct audit_args {
    const char *format;
    const char *output;
    struct customs_k8s_options opt;
    enum customs_severity threshold;
    uint32_t severity_set;      /* --severity A,B: exactly these (bit per severity); 0: threshold */
    char *registries_buf;                               /* strdup of --allowed-registries */
    const char *registries[AUDIT_MAX_REGISTRIES + 1];   /* NULL-terminated */
    char **targets;
    int ntargets;
    const char *policy;         /* --policy FILE */
    const char *verdict_output; /* --verdict-output FILE */
    const char *store;          /* --store STORE */
    int exit_code;              /* --exit-code N: the code when findings remain (default 1) */
    bool exit_code_given;
    const char *ignorefile;     /* --ignorefile FILE, else .customsignore when present */
    const char *color;          /* --color auto|always|never */
};

/* A file that could not be read or parsed: on stderr, and in the JSON and SARIF reports. */
struct audit_failure {
    char *file;    /* as the user named it, or NULL */
    char *message; /* "FILE:LINE:COL: what" or "FILE: what" */
    int line;      /* parsed from the message when it starts with FILE:LINE[:COL] */
    int column;
};

struct audit_run {
    struct customs_misconfig_set *set;
    struct audit_failure *failures;
    size_t nfailures;
    const struct customs_k8s_options *opt;
    struct customs_policy_batch *batch; /* with --policy: the workloads to judge */
    int errors;
    bool warn_only; /* scan --scanners config: a file not read or parsed is a warning */
    int files;
    int documents;
};

/* Print "customs: MESSAGE" and keep it for the report; every failure counts as an error. */
static void audit_fail(struct audit_run *run, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void audit_fail(struct audit_run *run, const char *file, const char *fmt, ...)
{
    char msg[CUSTOMS_ERROR_MESSAGE_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (run->warn_only) {
        cli_error("warning: %s (not audited)", msg);
        return;
    }
    cli_error("%s", msg);
    run->errors++;
    struct audit_failure *nf = realloc(run->failures, (run->nfailures + 1) * sizeof(*nf));
    if (nf == NULL) {
        return; /* printed and counted: the exit code is 2 either way */
    }
    run->failures = nf;
    struct audit_failure *f = &nf[run->nfailures];
    memset(f, 0, sizeof(*f));
    f->file = file != NULL ? strdup(file) : NULL;
    f->message = strdup(msg);
    if (f->message == NULL) {
        free(f->file);
        return;
    }
    run->nfailures++;
    size_t n = file != NULL ? strlen(file) : 0;
    if (n > 0 && strncmp(msg, file, n) == 0 && msg[n] == ':' && msg[n + 1] >= '1' &&
        msg[n + 1] <= '9') {
        char *end = NULL;
        long line = strtol(msg + n + 1, &end, 10);
        f->line = line > 0 && line <= INT32_MAX ? (int)line : 0;
        if (f->line > 0 && *end == ':' && end[1] >= '1' && end[1] <= '9') {
            long col = strtol(end + 1, &end, 10);
            f->column = col > 0 && col <= INT32_MAX ? (int)col : 0;
        }
    }
}

static void audit_failures_free(struct audit_run *run)
{
    for (size_t i = 0; i < run->nfailures; i++) {
        free(run->failures[i].file);
        free(run->failures[i].message);
    }
    free(run->failures);
}

static void audit_usage(FILE *out)
{
    fprintf(out,
            "usage: customs audit [options] FILE|DIR|- ...\n\n"
            "Check Kubernetes manifests (YAML streams, JSON, List objects; directories are\n"
            "searched recursively for *.yaml, *.yml and *.json; '-' reads stdin) against the\n"
            "Pod Security Standards. Workloads: Pod, Deployment, ReplicaSet, StatefulSet,\n"
            "DaemonSet, Job, CronJob, ReplicationController, PodTemplate.\n"
            "Dockerfiles (Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*) and Compose\n"
            "files (docker-compose*.y*ml, compose*.y*ml, or any YAML with a top-level\n"
            "services: mapping and no apiVersion/kind) are checked too, also in directories.\n\n"
            "options:\n"
            "  -l, --level LEVEL       baseline or restricted (default restricted)\n"
            "      --pss-version VER   policy version v1.0 .. v1.%d or latest (default latest)\n"
            "      --checks SET        pss, hardening (the checks beyond PSS) or all (default)\n"
            "      --allowed-registries LIST  comma-separated registries (or registry/path\n"
            "                          prefixes) images may come from; others are findings\n"
            "  -s, --severity SEV      report only findings at or above LOW, MEDIUM, HIGH or\n"
            "                          CRITICAL (default LOW: all); a comma list, as scan's\n"
            "                          (HIGH,CRITICAL), reports exactly those severities\n"
            "  -f, --format FMT        table, json or sarif (default table); files that could\n"
            "                          not be read or parsed are listed in both (JSON errors,\n"
            "                          SARIF tool execution notifications)\n"
            "  -o, --output FILE       write the report to FILE (atomically) instead of stdout\n"
            "      --color WHEN        table colours: auto (a terminal on stdout and NO_COLOR\n"
            "                          unset or empty), always or never\n"
            "      --policy FILE       judge every workload by a policy (docs/policy.md): each\n"
            "                          verdict and its reasons on stderr; the exit code is 1\n"
            "                          exactly when one is deny\n"
            "      --verdict-output FILE  also write the verdicts as JSON (customs.verdict/v1)\n"
            "      --store STORE       judge the images the workloads name from a verdict\n"
            "                          store ('customs scan --record'); without one, image\n"
            "                          rules that need a recorded verdict are skipped\n"
            "      --exit-code N       the exit code when findings remain at or above\n"
            "                          --severity (default 1; 0: never fail on findings)\n"
            "      --ignorefile FILE   suppress findings by check id (and file globs), as\n"
            "                          'customs scan' does (default: .customsignore in the\n"
            "                          working directory, when present)\n"
            CLI_HELP_CONFIG
            "  -h, --help\n\n"
            "Exit codes: 0 no findings (left by --severity), 1 (or --exit-code N) findings,\n"
            "1 with --policy when a verdict is deny, 2 usage or input error (a file that could\n"
            "not be read or parsed included: the other files are still reported).\n",
            CUSTOMS_PSS_LATEST_MINOR);
}

static int parse_severity(enum customs_severity *out, const char *s)
{
    static const enum customs_severity all[] = {CUSTOMS_SEVERITY_LOW, CUSTOMS_SEVERITY_MEDIUM,
                                                CUSTOMS_SEVERITY_HIGH, CUSTOMS_SEVERITY_CRITICAL};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcasecmp(s, customs_severity_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

/* "HIGH,CRITICAL" (as scan's --severity): a bit per severity named. */
static int parse_severity_list(uint32_t *out, const char *list)
{
    *out = 0;
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        enum customs_severity sev;
        if (n > 0 && customs_severity_parse(p, n, &sev) < 0) {
            cli_error("--severity: '%.*s' is not one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN",
                      (int)n, p);
            return -1;
        }
        if (n > 0) {
            *out |= 1u << (unsigned)sev;
        }
        p += n + (p[n] == ',');
    }
    if (*out == 0) {
        cli_error("--severity: empty list");
        return -1;
    }
    return 0;
}

static int parse_registries(struct audit_args *a, const char *list)
{
    size_t n = 0;
    free(a->registries_buf);
    a->registries_buf = strdup(list);
    if (a->registries_buf == NULL) {
        return -1;
    }
    for (char *save = NULL, *tok = strtok_r(a->registries_buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        size_t len = strlen(tok);
        while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '/')) {
            tok[--len] = '\0';
        }
        if (len == 0) {
            continue;
        }
        if (n == AUDIT_MAX_REGISTRIES) {
            cli_error("--allowed-registries: more than %d entries", AUDIT_MAX_REGISTRIES);
            return -1;
        }
        a->registries[n++] = tok;
    }
    a->registries[n] = NULL;
    a->opt.allowed_registries = a->registries;
    return 0;
}

enum {
    OPT_PSS_VERSION = 256,
    OPT_CHECKS,
    OPT_REGISTRIES,
    OPT_POLICY,
    OPT_VERDICT_OUTPUT,
    OPT_STORE,
    OPT_EXIT_CODE,
    OPT_IGNOREFILE,
    OPT_COLOR,
};
static const struct option audit_longopts[] = {
    {"level", required_argument, NULL, 'l'},
    {"pss", required_argument, NULL, 'l'},
    {"pss-version", required_argument, NULL, OPT_PSS_VERSION},
    {"checks", required_argument, NULL, OPT_CHECKS},
    {"allowed-registries", required_argument, NULL, OPT_REGISTRIES},
    {"severity", required_argument, NULL, 's'},
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"verdict-output", required_argument, NULL, OPT_VERDICT_OUTPUT},
    {"store", required_argument, NULL, OPT_STORE},
    {"exit-code", required_argument, NULL, OPT_EXIT_CODE},
    {"ignorefile", required_argument, NULL, OPT_IGNOREFILE},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const struct cli_options cli_options_audit = {"audit", "l:s:f:o:h", audit_longopts, NULL};

static int audit_parse_args(struct audit_args *a, int argc, char **argv)
{
    int c;
    memset(a, 0, sizeof(*a));
    a->format = "table";
    a->threshold = CUSTOMS_SEVERITY_LOW;
    a->exit_code = CLI_EXIT_FINDINGS;
    a->color = "auto";
    customs_k8s_options_default(&a->opt);
    if (cli_options_apply(&cli_options_audit, &argc, &argv) != 0) {
        return -1;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "l:s:f:o:h", audit_longopts)) != -1) {
        switch (c) {
        case 'l':
            if (customs_pss_level_parse(&a->opt.pss.level, optarg) != 0) {
                cli_error("--level: '%s' is not baseline or restricted", optarg);
                return -1;
            }
            break;
        case OPT_PSS_VERSION:
            if (customs_pss_version_parse(&a->opt.pss.minor, optarg) != 0) {
                cli_error("--pss-version: '%s' is not latest or v1.N", optarg);
                return -1;
            }
            break;
        case OPT_CHECKS:
            if (strcmp(optarg, "all") != 0 && strcmp(optarg, "pss") != 0 &&
                strcmp(optarg, "hardening") != 0) {
                cli_error("--checks: '%s' is not pss, hardening or all", optarg);
                return -1;
            }
            a->opt.pss_enabled = strcmp(optarg, "hardening") != 0;
            a->opt.hardening = strcmp(optarg, "pss") != 0;
            break;
        case OPT_REGISTRIES:
            if (parse_registries(a, optarg) != 0) {
                return -1;
            }
            break;
        case 's':
            if (strchr(optarg, ',') != NULL) {
                if (parse_severity_list(&a->severity_set, optarg) != 0) {
                    return -1;
                }
            } else if (parse_severity(&a->threshold, optarg) != 0) {
                cli_error("--severity: '%s' is not LOW, MEDIUM, HIGH or CRITICAL", optarg);
                return -1;
            } else {
                a->severity_set = 0;
            }
            break;
        case 'f':
            a->format = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case OPT_POLICY:
            a->policy = optarg;
            break;
        case OPT_VERDICT_OUTPUT:
            a->verdict_output = optarg;
            break;
        case OPT_STORE:
            a->store = optarg;
            break;
        case OPT_IGNOREFILE:
            a->ignorefile = optarg;
            break;
        case OPT_COLOR:
            if (cli_color_option(&a->color, optarg) != 0) {
                return -1;
            }
            break;
        case OPT_EXIT_CODE: {
            char *end = NULL;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || v < 0 || v > 125) {
                cli_error("--exit-code: '%s' is not an exit code (0..125)", optarg);
                return -1;
            }
            a->exit_code = (int)v;
            a->exit_code_given = true;
            break;
        }
        case 'h':
            audit_usage(stdout);
            return 1;
        default:
            audit_usage(stderr);
            return -1;
        }
    }
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0 &&
        strcmp(a->format, "sarif") != 0) {
        cli_error("--format: unknown format '%s' (table, json, sarif)", a->format);
        return -1;
    }
    if (optind >= argc) {
        cli_error("audit: expected at least one FILE or DIR (see 'customs audit --help')");
        return -1;
    }
    a->targets = argv + optind;
    a->ntargets = argc - optind;
    if (a->policy != NULL && a->exit_code_given) {
        cli_error("--exit-code and --policy: choose one (with a policy, the verdict decides the "
                  "exit code)");
        return -1;
    }
    if ((a->verdict_output != NULL || a->store != NULL) && a->policy == NULL) {
        cli_error("--%s needs --policy", a->store != NULL ? "store" : "verdict-output");
        return -1;
    }
    return 0;
}

static char *read_stream(FILE *f, size_t max, size_t *len, bool *too_big)
{
    size_t cap = 1 << 16;
    size_t n = 0;
    char *buf = malloc(cap);
    *too_big = false;
    while (buf != NULL) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            break;
        }
        if (n > max) {
            *too_big = true;
            free(buf);
            return NULL;
        }
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
            }
            buf = nb;
            cap *= 2;
        }
    }
    *len = n;
    return buf;
}

/* Dockerfile, Containerfile, *.Dockerfile, Dockerfile.* (and the same for Containerfile). */
static bool is_dockerfile_name(const char *path)
{
    const char *b = customs_path_base(path);
    static const char *const stems[] = {"dockerfile", "containerfile", NULL};
    for (size_t i = 0; stems[i] != NULL; i++) {
        size_t n = strlen(stems[i]);
        size_t bl = strlen(b);
        if (strcasecmp(b, stems[i]) == 0 ||
            (strncasecmp(b, stems[i], n) == 0 && b[n] == '.') ||
            (bl > n + 1 && b[bl - n - 1] == '.' && strcasecmp(b + bl - n, stems[i]) == 0)) {
            return true;
        }
    }
    return false;
}

/* docker-compose*.y*ml, compose*.y*ml */
static bool is_compose_name(const char *path)
{
    const char *b = customs_path_base(path);
    return fnmatch("docker-compose*.y*ml", b, 0) == 0 || fnmatch("compose*.y*ml", b, 0) == 0;
}

static bool is_yaml_or_json_name(const char *name)
{
    return customs_str_has_suffix(name, ".yaml") || customs_str_has_suffix(name, ".yml") ||
           customs_str_has_suffix(name, ".json");
}

/* Stdin or a named file without a YAML/JSON suffix: a Dockerfile if its first instruction is
 * FROM or ARG (no Kubernetes manifest or Compose file starts that way). */
static bool looks_like_dockerfile(const char *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
                           data[i] == '\n')) {
            i++;
        }
        if (i < len && data[i] == '#') {
            while (i < len && data[i] != '\n') {
                i++;
            }
            continue;
        }
        break;
    }
    return (len - i > 5 && strncasecmp(data + i, "FROM", 4) == 0 &&
            (data[i + 4] == ' ' || data[i + 4] == '\t')) ||
           (len - i > 4 && strncasecmp(data + i, "ARG", 3) == 0 &&
            (data[i + 3] == ' ' || data[i + 3] == '\t'));
}

static void audit_file(struct audit_run *run, const char *path)
{
    struct customs_yaml_limits lim;
    struct customs_yaml_stream *ys = NULL;
    struct customs_error err = {0};
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;
    bool too_big = false;
    size_t len = 0;
    customs_yaml_limits_default(&lim);
    FILE *f = is_stdin ? stdin : customs_fopen_read(path);
    if (f == NULL) {
        audit_fail(run, name, "%s: cannot open: %s", path, strerror(errno));
        return;
    }
    struct stat st;
    if (!is_stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size > lim.max_bytes) {
        fclose(f);
        audit_fail(run, name, "%s: %llu bytes is over the %llu-byte limit for a manifest", name,
                   (unsigned long long)st.st_size, (unsigned long long)lim.max_bytes);
        return;
    }
    char *data = read_stream(f, (size_t)lim.max_bytes, &len, &too_big);
    if (!is_stdin) {
        fclose(f);
    }
    if (data == NULL) {
        if (too_big) {
            audit_fail(run, name, "%s: over the %llu-byte limit for a manifest", name,
                       (unsigned long long)lim.max_bytes);
        } else {
            audit_fail(run, name, "%s: cannot read", name);
        }
        return;
    }
    run->files++;
    if ((!is_stdin && is_dockerfile_name(path)) ||
        ((is_stdin || !is_yaml_or_json_name(path)) && looks_like_dockerfile(data, len))) {
        struct customs_dockerfile df;
        if (customs_dockerfile_parse(&df, name, data, len, &err) != 0) {
            audit_fail(run, name, "%s", err.message);
        } else {
            run->documents++;
            if (customs_dockerfile_audit(run->set, &df, name, &err) != 0) {
                audit_fail(run, name, "%s", err.message);
            }
            customs_dockerfile_release(&df);
        }
        free(data);
        return;
    }
    bool compose = !is_stdin && is_compose_name(path);
    if (customs_yaml_load(&ys, name, data, len, &lim, &err) != 0) {
        audit_fail(run, name, "%s", err.message);
    } else {
        size_t ndocs = customs_yaml_stream_count(ys);
        run->documents += (int)ndocs;
        for (size_t i = 0; i < ndocs; i++) {
            const json_t *root = customs_yaml_stream_doc(ys, i);
            bool is_compose = compose || customs_compose_document_is_compose(root);
            int rc = is_compose
                         ? customs_compose_audit_document(run->set, ys, i, name, &err)
                         : customs_k8s_audit_document(run->set, root, ys, i, name, run->opt,
                                                      &err);
            if (rc == 0 && !is_compose && run->batch != NULL) {
                rc = customs_policy_batch_add(run->batch, customs_yaml_stream_doc(ys, i));
                if (rc < 0) {
                    customs_error_set(&err, rc, "out of memory");
                }
            }
            if (rc != 0) {
                audit_fail(run, name, "%s", err.message);
                break;
            }
        }
    }
    customs_yaml_stream_free(ys);
    free(data);
}

static bool is_manifest_name(const char *name)
{
    return is_dockerfile_name(name) || is_yaml_or_json_name(name);
}

static void audit_path(struct audit_run *run, const char *path, int depth, bool named)
{
    struct stat st;
    if (strcmp(path, "-") == 0) {
        audit_file(run, path);
        return;
    }
    /* named targets follow symlinks; inside directories, symlinks are not followed */
    if ((named ? stat(path, &st) : lstat(path, &st)) != 0) {
        audit_fail(run, path, "%s: %s", path, strerror(errno));
        return;
    }
    if (S_ISREG(st.st_mode)) {
        if (named || is_manifest_name(path)) {
            audit_file(run, path);
        }
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (named) {
            audit_fail(run, path, "%s: not a file or directory", path);
        }
        return;
    }
    if (depth >= AUDIT_MAX_DIR_DEPTH) {
        audit_fail(run, path, "%s: directories nested deeper than %d levels", path,
                   AUDIT_MAX_DIR_DEPTH);
        return;
    }
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, alphasort);
    if (n < 0) {
        audit_fail(run, path, "%s: cannot list: %s", path, strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *e = ents[i]->d_name;
        if (e[0] != '.') { /* skips ".", ".." and hidden entries such as .git */
            size_t plen = strlen(path) + strlen(e) + 2;
            char *child = malloc(plen);
            if (child != NULL) {
                bool slash = path[0] != '\0' && path[strlen(path) - 1] == '/';
                snprintf(child, plen, "%s%s%s", path, slash ? "" : "/", e);
                audit_path(run, child, depth + 1, false);
                free(child);
            }
        }
        free(ents[i]);
    }
    free(ents);
}

int cli_audit_config_dir(struct customs_misconfig_set *set, const char *root, void *payload)
{
    struct customs_k8s_options opt;
    struct audit_run run;
    struct customs_error err = {0};
    (void)payload;
    customs_k8s_options_default(&opt);
    memset(&run, 0, sizeof(run));
    run.set = set;
    run.opt = &opt;
    run.warn_only = true;
    audit_path(&run, root, 0, true);
    if (customs_k8s_audit_finish(set, &opt, &err) != 0) {
        audit_fail(&run, NULL, "%s", err.message);
    }
    return 0;
}

/* The table (src/report/table.c), in colour as --color and the terminal say. */
static bool write_table(FILE *out, const struct audit_run *run, bool color)
{
    struct customs_error err = {0};
    char footer[160];
    int len = snprintf(footer, sizeof(footer), "in %d file%s (%d document%s)", run->files,
                       run->files == 1 ? "" : "s", run->documents,
                       run->documents == 1 ? "" : "s");
    if (run->opt->pss_enabled && len > 0 && (size_t)len < sizeof(footer)) {
        len += snprintf(footer + len, sizeof(footer) - (size_t)len,
                        ", Pod Security Standards %s v1.%d",
                        customs_pss_level_name(run->opt->pss.level), run->opt->pss.minor);
    }
    if (run->opt->hardening && len > 0 && (size_t)len < sizeof(footer)) {
        snprintf(footer + len, sizeof(footer) - (size_t)len, ", hardening checks");
    }
    if (customs_report_write_audit_table(out, run->set, footer, color, &err) != 0) {
        cli_error("cannot write the table: %s", err.message);
        return false;
    }
    return true;
}

/* The ignore file's entries as the report writers and cli_ignore_warn take them; `days` holds
 * their expiry dates. NULL with none, or on OOM. */
static struct customs_report_ignore *audit_ignore_entries(const struct customs_filter *f,
                                                          char (**days)[16])
{
    size_t n = f->ignores.len;
    struct customs_report_ignore *e = n > 0 ? calloc(n, sizeof(*e)) : NULL;
    *days = n > 0 ? calloc(n, sizeof(**days)) : NULL;
    if (e == NULL || *days == NULL) {
        free(e);
        free(*days);
        *days = NULL;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct customs_ignore *ig = customs_vec_at(&f->ignores, i);
        struct tm tm;
        e[i].id = ig->id;
        e[i].kind = customs_ignore_kind_name(ig->kind);
        e[i].where = ig->where;
        e[i].expired = customs_filter_ignore_expired(f, ig);
        e[i].suppressed = ig->suppressed;
        e[i].statement = ig->note;
        if (ig->expires != 0 && gmtime_r(&ig->expires, &tm) != NULL) {
            strftime((*days)[i], sizeof((*days)[i]), "%Y-%m-%d", &tm);
            e[i].expires = (*days)[i];
        }
    }
    return e;
}

/* The files that could not be read or parsed, as the report writers take them: SARIF
 * notifications, the JSON document's "errors". NULL with none, or on OOM (*failed set). */
static struct customs_sarif_notification *audit_notes(const struct audit_run *run, bool *failed)
{
    struct customs_sarif_notification *notes = NULL;
    *failed = false;
    if (run->nfailures > 0 && (notes = calloc(run->nfailures, sizeof(*notes))) == NULL) {
        *failed = true;
        return NULL;
    }
    for (size_t i = 0; i < run->nfailures; i++) {
        const struct audit_failure *f = &run->failures[i];
        notes[i].id = "not-read";
        notes[i].level = "error";
        notes[i].message = f->message;
        notes[i].uri = f->file;
        notes[i].line = f->line;
        notes[i].column = f->column;
    }
    return notes;
}

/* JSON (src/report/audit_json.c) or SARIF through the writer scan shares (src/report/sarif.c). */
static bool audit_write(FILE *fp, const struct audit_run *run, const char *format,
                        const struct customs_pss_options *pss,
                        const struct customs_audit_ignore *ignore)
{
    struct customs_error err = {0};
    bool failed;
    struct customs_sarif_notification *notes = audit_notes(run, &failed);
    if (failed) {
        cli_error("cannot write the %s report: out of memory", format);
        return false;
    }
    int rc = strcmp(format, "sarif") == 0
                 ? customs_report_write_audit_sarif(fp, run->set, customs_version(), notes,
                                                    run->nfailures, ignore, &err)
                 : customs_report_write_audit_json_ignore(fp, run->set, pss, notes,
                                                          run->nfailures, ignore, &err);
    free(notes);
    if (rc != 0) {
        cli_error("cannot write the %s report: %s", format, err.message);
        return false;
    }
    return true;
}

int cli_cmd_audit(int argc, char **argv)
{
    struct audit_args a;
    struct audit_run run;
    struct customs_misconfig_set set;
    struct cli_output out;
    int rc = audit_parse_args(&a, argc, argv);
    if (rc != 0) {
        free(a.registries_buf);
        return rc > 0 ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
    }
    struct customs_policy *policy = NULL;
    struct customs_policy_batch batch;
    customs_policy_batch_init(&batch);
    if (a.policy != NULL && (policy = cli_policy_load(a.policy)) == NULL) {
        customs_policy_batch_release(&batch);
        free(a.registries_buf);
        return CLI_EXIT_ERROR;
    }
    memset(&run, 0, sizeof(run));
    customs_misconfig_set_init(&set);
    run.set = &set;
    run.opt = &a.opt;
    run.batch = policy != NULL ? &batch : NULL;
    for (int i = 0; i < a.ntargets; i++) {
        audit_path(&run, a.targets[i], 0, true);
    }
    struct customs_error err = {0};
    if (customs_k8s_audit_finish(run.set, &a.opt, &err) != 0) {
        audit_fail(&run, NULL, "%s", err.message);
    }
    /* keep the findings at or above the threshold (strings stay in run.set's arena) */
    struct customs_vec *items = &run.set->items;
    size_t kept = 0;
    for (size_t i = 0; i < items->len; i++) {
        struct customs_misconfig *m = customs_vec_at(items, i);
        bool keep = a.severity_set != 0 ? (a.severity_set & (1u << (unsigned)m->severity)) != 0
                                         : m->severity >= a.threshold;
        if (keep) {
            memmove(customs_vec_at(items, kept++), m, sizeof(*m));
        }
    }
    items->len = kept;
    /* the ignore file: suppressed findings leave the report's findings, listed apart */
    struct customs_filter filter;
    struct customs_vec suppressed;
    struct customs_vec suppressed_by;
    struct customs_report_ignore *entries = NULL;
    char(*days)[16] = NULL;
    customs_filter_init(&filter);
    customs_vec_init(&suppressed, sizeof(struct customs_misconfig));
    customs_vec_init(&suppressed_by, sizeof(size_t));
    a.ignorefile = cli_default_ignorefile(a.ignorefile);
    if (a.ignorefile != NULL) {
        if (customs_filter_load_ignorefile(&filter, a.ignorefile, &err) != 0) {
            audit_fail(&run, a.ignorefile, "%s", err.message);
        } else if (customs_filter_apply_misconfigs(&filter, items, &suppressed,
                                                   &suppressed_by) != 0) {
            audit_fail(&run, NULL, "out of memory");
        }
        entries = audit_ignore_entries(&filter, &days);
        cli_ignore_warn(entries, entries != NULL ? filter.ignores.len : 0);
    }
    struct customs_audit_ignore ignore = {suppressed.items, suppressed.len, suppressed_by.items,
                                          entries, entries != NULL ? filter.ignores.len : 0};
    if (cli_output_open(&out, a.output, false) != 0) {
        customs_misconfig_set_release(run.set);
        audit_failures_free(&run);
        customs_policy_batch_release(&batch);
        customs_policy_free(policy);
        free(a.registries_buf);
        return CLI_EXIT_ERROR;
    }
    bool ok = true;
    if (strcmp(a.format, "table") == 0) {
        ok = write_table(out.fp, &run, cli_color_wanted(a.color, a.output));
    } else {
        ok = audit_write(out.fp, &run, a.format, &a.opt.pss,
                         a.ignorefile != NULL ? &ignore : NULL);
    }
    if (cli_output_close(&out, ok) != 0) {
        ok = false;
    }
    size_t findings = customs_misconfig_set_count(run.set);
    free(entries);
    free(days);
    customs_vec_release(&suppressed);
    customs_vec_release(&suppressed_by);
    customs_filter_release(&filter);
    customs_misconfig_set_release(run.set);
    audit_failures_free(&run);
    free(a.registries_buf);
    int verdict_rc = CLI_EXIT_CLEAN;
    if (policy != NULL) {
        struct cli_verdicts vs;
        struct customs_store *store = NULL;
        cli_verdicts_init(&vs);
        if (a.store != NULL && (store = cli_store_open(a.store)) == NULL) {
            ok = false;
        } else if (cli_audit_verdicts(&vs, policy, &batch, store) != 0) {
            ok = false;
        }
        cli_store_close(store);
        verdict_rc = cli_verdicts_finish(&vs, a.policy, ok ? a.verdict_output : NULL);
    }
    customs_policy_batch_release(&batch);
    customs_policy_free(policy);
    if (!ok || run.errors > 0 || verdict_rc == CLI_EXIT_ERROR) {
        return CLI_EXIT_ERROR;
    }
    if (a.policy != NULL) {
        return verdict_rc;
    }
    return findings > 0 ? a.exit_code : CLI_EXIT_CLEAN;
}
