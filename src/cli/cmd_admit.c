/* SPDX-License-Identifier: Apache-2.0 */
/* `customs admit`: the admission webhook (an HTTPS server, admit_server.c) and the same
 * decisions offline for reviews in a file (--review). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admit_cli.h"
#include "cli/cli.h"
#include "cli/options.h"

static void admit_usage(FILE *out)
{
    fprintf(out,
            "usage: customs admit --tls-cert FILE --tls-key FILE [options]\n"
            "       customs admit --review FILE|- [options]\n\n"
            "The Kubernetes admission webhook: AdmissionReview admission.k8s.io/v1 over HTTPS\n"
            "(TLS 1.2+) for Pods and every workload kind (the pod template is checked).\n"
            "Endpoints: POST /validate, /validate/<tier>, /mutate; GET /healthz, /readyz.\n"
            "SIGHUP reloads the configuration and reopens the audit log; SIGTERM stops.\n\n"
            "options:\n"
            "      --listen ADDR:PORT  where to listen (default 0.0.0.0:8443; [::1]:8443 for IPv6;\n"
            "                          port 0 picks a free port, printed at start)\n"
            "      --tls-cert FILE     PEM certificate (chain) the server presents\n"
            "      --tls-key FILE      its PEM private key\n"
            "      --policy FILE       the policy (docs/policy.md): Pod Security level and version\n"
            "                          per tier, exemptions, limits, image references; SIGHUP\n"
            "                          reloads it (a bad new policy keeps the old one)\n"
            "      --store STORE       with --policy: judge every container's image from its\n"
            "                          recorded verdict ('customs scan --record'): a SQLite file\n"
            "                          or a postgresql:// URI; read on every request, so new\n"
            "                          records count at once; a store that does not answer\n"
            "                          denies (fail closed) and /readyz says not ready\n"
            "  -l, --level LEVEL       without --policy: the Pod Security level: baseline or\n"
            "                          restricted (default restricted)\n"
            "      --pss-version VER   Pod Security version v1.0 .. v1.%d or latest (default latest)\n"
            "      --checks SET        pss (default: Pod Security only) or all (the checks beyond\n"
            "                          Pod Security too, as warnings: limits, digests, ...)\n"
            "      --audit-only        admit everything; report what would have been denied\n"
            "      --audit-log FILE    append one JSON line per decision\n"
            "      --max-body BYTES    largest request body (default 3 MiB; 413 beyond)\n"
            "      --header-timeout S  seconds a client has to send its request headers, from\n"
            "                          connecting or from its previous answer (default 10)\n"
            "      --body-timeout S    seconds to send the body after the headers (default 10)\n"
            "      --threads N         worker threads (default 2)\n"
            "      --max-connections N connections held at once (default 1000)\n"
            "      --review FILE       decide the AdmissionReview(s) in FILE ('-': stdin; one\n"
            "                          document or several in a row) and print one response per\n"
            "                          line, without a server\n"
            "      --mutate            with --review: print the /mutate answers\n"
            "      --tier NAME         with --review: judge as /validate/NAME\n"
            CLI_HELP_CONFIG
            "  -h, --help\n\n"
            "Exit codes (--review): 0 all admitted, 1 any denied, 2 usage or input error.\n",
            CUSTOMS_PSS_LATEST_MINOR);
}

static int parse_uint(unsigned long long *out, const char *s, unsigned long long max)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-') {
        return -1;
    }
    *out = v;
    return 0;
}

/* The --pss-version as shown ("latest" or "v1.N"); false when it does not fit. */
static bool pss_version_store(char *out, size_t outsz, const char *arg)
{
    int n = snprintf(out, outsz, "%s%s", arg[0] == 'v' || strcmp(arg, "latest") == 0 ? "" : "v",
                     arg);
    return n >= 0 && (size_t)n < outsz;
}

enum {
    OPT_LISTEN = 256, OPT_CERT, OPT_KEY, OPT_PSS_VERSION, OPT_CHECKS, OPT_AUDIT_ONLY,
    OPT_AUDIT_LOG, OPT_MAX_BODY, OPT_HEADER_TIMEOUT, OPT_BODY_TIMEOUT, OPT_THREADS,
    OPT_MAX_CONN, OPT_REVIEW, OPT_MUTATE, OPT_POLICY, OPT_TIER, OPT_STORE,
};
static const struct option admit_longopts[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"level", required_argument, NULL, 'l'},
    {"pss-version", required_argument, NULL, OPT_PSS_VERSION},
    {"checks", required_argument, NULL, OPT_CHECKS},
    {"audit-only", no_argument, NULL, OPT_AUDIT_ONLY},
    {"audit-log", required_argument, NULL, OPT_AUDIT_LOG},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"header-timeout", required_argument, NULL, OPT_HEADER_TIMEOUT},
    {"body-timeout", required_argument, NULL, OPT_BODY_TIMEOUT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
    {"review", required_argument, NULL, OPT_REVIEW},
    {"mutate", no_argument, NULL, OPT_MUTATE},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"tier", required_argument, NULL, OPT_TIER},
    {"store", required_argument, NULL, OPT_STORE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const struct cli_options cli_options_admit = {"admit", "l:h", admit_longopts, NULL};

static int admit_parse_args(struct admit_args *a, int argc, char **argv)
{
    unsigned long long v = 0;
    int c;
    memset(a, 0, sizeof(*a));
    customs_admit_options_default(&a->opt);
    a->opt.hardening = false; /* a warning on every apply is noise unless asked for */
    snprintf(a->pss_version, sizeof(a->pss_version), "latest");
    a->listen = "0.0.0.0:8443";
    a->max_body = CUSTOMS_ADMIT_MAX_BODY_DEFAULT;
    a->header_timeout = 10;
    a->body_timeout = 10;
    a->threads = 2;
    a->max_connections = 1000;
    if (cli_options_apply(&cli_options_admit, &argc, &argv) != 0) {
        return -1;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "l:h", admit_longopts)) != -1) {
        switch (c) {
        case OPT_LISTEN:
            a->listen = optarg;
            break;
        case OPT_CERT:
            a->tls_cert = optarg;
            break;
        case OPT_KEY:
            a->tls_key = optarg;
            break;
        case 'l':
            if (customs_pss_level_parse(&a->opt.pss.level, optarg) != 0) {
                cli_error("--level: '%s' is not baseline or restricted", optarg);
                return -1;
            }
            break;
        case OPT_PSS_VERSION:
            if (customs_pss_version_parse(&a->opt.pss.minor, optarg) != 0 ||
                !pss_version_store(a->pss_version, sizeof(a->pss_version), optarg)) {
                cli_error("--pss-version: '%s' is not latest or v1.N", optarg);
                return -1;
            }
            break;
        case OPT_CHECKS:
            if (strcmp(optarg, "all") != 0 && strcmp(optarg, "pss") != 0) {
                cli_error("--checks: '%s' is not pss or all", optarg);
                return -1;
            }
            a->opt.hardening = strcmp(optarg, "all") == 0;
            break;
        case OPT_AUDIT_ONLY:
            a->opt.audit_only = true;
            break;
        case OPT_AUDIT_LOG:
            a->audit_log = optarg;
            break;
        case OPT_MAX_BODY:
            if (parse_uint(&v, optarg, 1ull << 30) != 0 || v < 1024) {
                cli_error("--max-body: '%s' is not a size from 1024 to 1073741824", optarg);
                return -1;
            }
            a->max_body = (size_t)v;
            break;
        case OPT_HEADER_TIMEOUT:
        case OPT_BODY_TIMEOUT:
            if (parse_uint(&v, optarg, 3600) != 0 || v == 0) {
                cli_error("--%s-timeout: '%s' is not 1 to 3600 seconds",
                          c == OPT_HEADER_TIMEOUT ? "header" : "body", optarg);
                return -1;
            }
            *(c == OPT_HEADER_TIMEOUT ? &a->header_timeout : &a->body_timeout) = (unsigned)v;
            break;
        case OPT_THREADS:
        case OPT_MAX_CONN:
            if (parse_uint(&v, optarg, c == OPT_THREADS ? 256 : 100000) != 0 || v == 0) {
                cli_error("--%s: '%s' is out of range", c == OPT_THREADS ? "threads"
                                                                         : "max-connections",
                          optarg);
                return -1;
            }
            *(c == OPT_THREADS ? &a->threads : &a->max_connections) = (unsigned)v;
            break;
        case OPT_REVIEW:
            a->review = optarg;
            break;
        case OPT_MUTATE:
            a->mutate = true;
            break;
        case OPT_POLICY:
            a->policy = optarg;
            break;
        case OPT_TIER:
            a->tier = optarg;
            break;
        case OPT_STORE:
            a->store = optarg;
            break;
        case 'h':
            admit_usage(stdout);
            return 1;
        default:
            admit_usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        cli_error("admit: unexpected argument '%s' (see 'customs admit --help')", argv[optind]);
        return -1;
    }
    if (a->store != NULL && a->policy == NULL) {
        cli_error("admit: --store needs --policy (the image rules are the policy's)");
        return -1;
    }
    if (a->review == NULL && (a->tls_cert == NULL || a->tls_key == NULL)) {
        cli_error("admit: --tls-cert and --tls-key are required (the webhook serves HTTPS only)");
        return -1;
    }
    return 0;
}

static void policy_diag(bool is_error, const char *message, void *payload)
{
    (void)payload;
    cli_error("%s%s", is_error ? "" : "warning: ", message);
}

struct admit_config *admit_config_load(const struct admit_args *a)
{
    struct customs_error err = {0};
    struct admit_config *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    if (a->policy != NULL &&
        customs_policy_load_file(&c->policy, a->policy, policy_diag, NULL, &err) != 0) {
        cli_error("%s: not loaded: %s", a->policy, err.message);
        free(c);
        return NULL;
    }
    c->opt = a->opt;
    memcpy(c->pss_version, a->pss_version, sizeof(c->pss_version));
    c->opt.pss_version = c->pss_version;
    c->refs = 1;
    return c;
}

void admit_config_free(struct admit_config *c)
{
    if (c != NULL) {
        customs_policy_free(c->policy);
    }
    free(c);
}

/* ---- verdict-store handles ---- */

void admit_stores_init(struct admit_stores *p, const char *uri)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    p->uri = uri;
}

void admit_stores_release(struct admit_stores *p)
{
    admit_stores_reopen(p);
    pthread_mutex_destroy(&p->lock);
}

int admit_stores_get(struct admit_store *out, struct admit_stores *p, struct customs_error *err)
{
    pthread_mutex_lock(&p->lock);
    out->s = p->nidle > 0 ? p->idle[--p->nidle] : NULL;
    out->generation = p->generation;
    pthread_mutex_unlock(&p->lock);
    if (out->s != NULL) {
        return 0;
    }
    return customs_store_open(&out->s, p->uri, err);
}

void admit_stores_put(struct admit_stores *p, struct admit_store *h, bool broken)
{
    struct customs_store *close = h->s;
    pthread_mutex_lock(&p->lock);
    if (!broken && h->s != NULL && h->generation == p->generation &&
        p->nidle < sizeof(p->idle) / sizeof(p->idle[0])) {
        p->idle[p->nidle++] = h->s;
        close = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    customs_store_close(close);
    h->s = NULL;
}

void admit_stores_reopen(struct admit_stores *p)
{
    struct customs_store *old[sizeof(p->idle) / sizeof(p->idle[0])];
    pthread_mutex_lock(&p->lock);
    size_t n = p->nidle;
    memcpy(old, p->idle, n * sizeof(old[0]));
    p->nidle = 0;
    p->generation++;
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < n; i++) {
        customs_store_close(old[i]);
    }
}

int admit_stores_check(struct admit_stores *p, struct customs_error *err)
{
    struct admit_store h;
    int rc = admit_stores_get(&h, p, err);
    if (rc == 0) {
        rc = customs_store_check(h.s, err);
        admit_stores_put(p, &h, rc != 0);
    }
    return rc;
}

/*
 * jansson's allocations while one request is answered come from a pool on that request's stack,
 * emptied when the answer is made: the review's tree, the decision's records and the response
 * cost a bump each instead of a malloc and a free per node (most of a review's cost was
 * malloc and free). A block is the pool's when its address lies in the pool of the thread
 * freeing it (freeing it is a no-op); everything else, and everything past the pool's end, is
 * malloc's, so jansson values made outside a request (the policy, the store's rows) are
 * untouched. Nothing made from the pool outlives the request: the answer's text is copied out.
 */
#define JPOOL_SIZE ((size_t)128 * 1024)
#define JPOOL_ALIGN ((size_t)16)

struct jpool {
    unsigned char *buf;
    size_t used;
    size_t cap;
};

static _Thread_local struct jpool *jpool_current;

static void *jpool_malloc(size_t n)
{
    struct jpool *p = jpool_current;
    size_t need = n + (JPOOL_ALIGN - 1);
    if (p != NULL && need >= n) {
        need &= ~(JPOOL_ALIGN - 1);
        if (need <= p->cap - p->used) {
            void *b = p->buf + p->used;
            p->used += need;
            return b;
        }
    }
    return malloc(n);
}

static void jpool_free(void *ptr)
{
    struct jpool *p = jpool_current;
    uintptr_t a = (uintptr_t)ptr;
    if (p != NULL && a >= (uintptr_t)p->buf && a < (uintptr_t)p->buf + p->cap) {
        return;
    }
    free(ptr);
}

void admit_json_alloc_install(void)
{
    json_set_alloc_funcs(jpool_malloc, jpool_free);
}

char *admit_json_line(const json_t *j, size_t *len)
{
    /* the text may be the pool's: copy it out, with a newline */
    char *s = json_dumps(j, JSON_COMPACT);
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s);
    char *out = malloc(n + 2);
    if (out != NULL) {
        memcpy(out, s, n);
        out[n] = '\n';
        out[n + 1] = '\0';
        *len = n + 1;
    }
    jpool_free(s);
    return out;
}

static void answer_json(struct admit_answer *a, int status, json_t *j)
{
    a->status = status;
    a->body = j != NULL ? admit_json_line(j, &a->len) : NULL;
    if (a->body == NULL) {
        static const char oom[] = "{\"error\":\"out of memory\"}\n";
        a->status = 500;
        a->body = strdup(oom);
        a->len = a->body != NULL ? sizeof(oom) - 1 : 0;
    }
}

/* The store handle of one request, taken on its first lookup: a review that looks no image up
 * (an exempt namespace, a refusal before the images) never waits on the store. */
struct answer_store {
    struct admit_stores *stores;
    struct admit_store h;
    bool failed;
};

static int answer_lookup(const struct customs_policy_image **out, const char *ref,
                         void *payload, struct customs_error *err)
{
    struct answer_store *as = payload;
    char why[CUSTOMS_ERROR_MESSAGE_MAX];
    int rc = 0;
    *out = NULL;
    if (as->h.s == NULL) {
        rc = admit_stores_get(&as->h, as->stores, err);
        if (rc == 0 && (rc = customs_store_read_begin(as->h.s, err)) != 0) {
            as->failed = true;
        }
        if (rc != 0) {
            snprintf(why, sizeof(why), "%s", err->message);
            return customs_error_set(err, rc, "the verdict store does not answer: %s", why);
        }
    }
    rc = customs_store_lookup(out, ref, as->h.s, err);
    if (rc != 0) {
        as->failed = true;
        if (rc != CUSTOMS_ENOMEM) {
            snprintf(why, sizeof(why), "%s", err->message);
            rc = customs_error_set(err, rc, "the verdict store failed: %s", why);
        }
    }
    return rc;
}

/* Judge with the policy, the images from the store when there is one. */
static int answer_policy(struct customs_admit_decision *d, struct customs_pss_options *pss,
                         const struct customs_admit_review *r, const struct admit_config *cfg,
                         struct admit_stores *stores, const char *tier, time_t now,
                         struct customs_error *err)
{
    struct answer_store as = {.stores = stores};
    int rc = customs_admit_judge_policy(d, pss, r, cfg->policy, tier,
                                        stores != NULL ? answer_lookup : NULL, &as, now, err);
    if (as.h.s != NULL) {
        /* the review's lookups share one read of the store; a failed lookup may have left the
         * handle unusable: the next request opens another */
        struct customs_error end_err = {0};
        if (customs_store_read_end(as.h.s, &end_err) != 0) {
            as.failed = true;
        }
        admit_stores_put(stores, &as.h, as.failed);
    }
    return rc;
}

/* /mutate: the defaults the policy asks for in the request's namespace (its tier's, none in an
 * exempt namespace), or all of them without a policy. */
static json_t *answer_mutate(const struct customs_admit_review *r, const struct admit_config *cfg,
                             const char *tier, char *msg, size_t msgsz)
{
    static const struct customs_policy_mutate none;
    const struct customs_policy_mutate *m = &customs_admit_mutate_all;
    if (cfg->policy != NULL) {
        const char *ns = r->ns[0] != '\0' ? r->ns : "default";
        const struct customs_policy_rules *rules = customs_policy_rules_for(cfg->policy, ns, tier);
        m = customs_policy_is_exempt(cfg->policy, ns) ? &none
            : rules != NULL                           ? &rules->mutate
                                                      : NULL;
    } else if (tier != NULL) {
        m = NULL;
    }
    if (m == NULL) {
        snprintf(msg, msgsz, "customs: no tier named \"%.200s\" is configured", tier);
        return customs_admit_response_error(r, 404, msg);
    }
    return customs_admit_mutate(r, m);
}

static void answer_request(struct admit_answer *a, const struct admit_config *cfg,
                           struct admit_stores *stores, bool mutate, const char *tier,
                           const void *body, size_t len, time_t now, bool want_log)
{
    struct customs_admit_review r;
    struct customs_admit_decision d;
    struct customs_error err = {0};
    json_t *out = NULL;
    memset(a, 0, sizeof(*a));
    if (customs_admit_review_decode(&r, body, len, (size_t)-1, &err) != 0) {
        json_t *e = json_pack("{s:s}", "error", err.message);
        answer_json(a, err.code == CUSTOMS_ENOMEM ? 500 : 400, e);
        json_decref(e);
        return;
    }
    customs_admit_decision_init(&d);
    char msg[CUSTOMS_ERROR_MESSAGE_MAX + 64] = "";
    struct customs_admit_options opt = cfg->opt;
    char version[16];
    if (mutate) {
        out = answer_mutate(&r, cfg, tier, msg, sizeof(msg));
    } else if (cfg->policy != NULL) {
        int rc = answer_policy(&d, &opt.pss, &r, cfg, stores, tier, now, &err);
        snprintf(version, sizeof(version), "v1.%d", opt.pss.minor);
        opt.pss_version = version;
        if (rc != 0) {
            snprintf(msg, sizeof(msg), "customs could not judge the request: %s", err.message);
            out = customs_admit_response_error(&r, rc == CUSTOMS_EINVAL ? 404 : 500, msg);
        } else {
            out = customs_admit_response(&r, &d, &opt);
            a->denied = d.ndeny > 0 && !opt.audit_only;
        }
    } else if (tier != NULL) {
        snprintf(msg, sizeof(msg), "customs: no tier named \"%.200s\" is configured", tier);
        out = customs_admit_response_error(&r, 404, msg);
    } else if (customs_admit_judge(&d, &r, &cfg->opt, &err) != 0) {
        snprintf(msg, sizeof(msg), "customs could not judge the request: %s", err.message);
        out = customs_admit_response_error(&r, 500, msg);
    } else {
        out = customs_admit_response(&r, &d, &cfg->opt);
        a->denied = d.ndeny > 0 && !cfg->opt.audit_only;
    }
    if (msg[0] != '\0') {
        a->denied = true; /* refused without a judgement: fail closed */
    }
    if (!mutate && want_log) {
        json_t *rec = customs_admit_log_record(&r, &d, &opt, now);
        if (rec != NULL && msg[0] != '\0') {
            /* and say so in the log */
            json_object_set_new(rec, "verdict", json_string("deny"));
            json_object_set_new(rec, "enforced", json_true());
            json_array_append_new(json_object_get(rec, "reasons"),
                                  json_pack("{s:s, s:s, s:s}", "rule", "error", "effect", "deny",
                                            "message", msg));
        }
        a->log = rec != NULL ? admit_json_line(rec, &(size_t){0}) : NULL;
        json_decref(rec);
    }
    answer_json(a, 200, out);
    json_decref(out);
    customs_admit_decision_release(&d);
    customs_admit_review_release(&r);
}

void admit_answer(struct admit_answer *a, const struct admit_config *cfg,
                  struct admit_stores *stores, bool mutate, const char *tier, const void *body,
                  size_t len, time_t now, bool want_log)
{
    _Alignas(16) unsigned char buf[JPOOL_SIZE];
    struct jpool pool = {buf, 0, sizeof(buf)};
    struct jpool *outer = jpool_current;
    jpool_current = &pool;
    answer_request(a, cfg, stores, mutate, tier, body, len, now, want_log);
    jpool_current = outer;
}

void admit_answer_release(struct admit_answer *a)
{
    free(a->body);
    free(a->log);
    memset(a, 0, sizeof(*a));
}

/* --review: every JSON document of the file in turn, one response line each. */
static int admit_offline(const struct admit_args *args, const struct admit_config *cfg,
                         struct admit_stores *stores)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct customs_error err = {0};
    int rc = CLI_EXIT_CLEAN;
    const char *path = strcmp(args->review, "-") == 0 ? "/dev/stdin" : args->review;
    if (customs_read_file(path, 256u << 20, &data, &len, &err) != 0) {
        cli_error("%s", err.message);
        return CLI_EXIT_ERROR;
    }
    FILE *log = NULL;
    if (args->audit_log != NULL && (log = cli_append_open(args->audit_log)) == NULL) {
        cli_error("%s: %s", args->audit_log, strerror(errno));
        customs_free(data);
        return CLI_EXIT_ERROR;
    }
    size_t pos = 0;
    while (rc != CLI_EXIT_ERROR) {
        while (pos < len && strchr(" \t\r\n", data[pos]) != NULL) {
            pos++;
        }
        if (pos >= len) {
            break;
        }
        json_error_t jerr;
        json_t *doc = json_loadb((const char *)data + pos, len - pos, JSON_DISABLE_EOF_CHECK,
                                 &jerr);
        size_t used = jerr.position;
        json_decref(doc);
        if (doc == NULL || used == 0) {
            cli_error("%s: byte %zu: not valid JSON: %s", args->review, pos + jerr.position,
                      jerr.text);
            rc = CLI_EXIT_ERROR;
            break;
        }
        struct admit_answer a;
        admit_answer(&a, cfg, stores, args->mutate, args->tier, data + pos, used, time(NULL),
                     log != NULL);
        fwrite(a.body, 1, a.len, stdout);
        if (log != NULL && a.log != NULL) {
            fputs(a.log, log);
        }
        if (a.status != 200) {
            rc = CLI_EXIT_ERROR;
        } else if (a.denied) {
            rc = CLI_EXIT_FINDINGS;
        }
        admit_answer_release(&a);
        pos += used;
    }
    if (log != NULL && fclose(log) != 0) {
        cli_error("%s: %s", args->audit_log, strerror(errno));
        rc = CLI_EXIT_ERROR;
    }
    customs_free(data);
    return rc;
}

int cli_cmd_admit(int argc, char **argv)
{
    struct admit_args a;
    int rc = admit_parse_args(&a, argc, argv);
    if (rc != 0) {
        return rc > 0 ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
    }
    admit_json_alloc_install();
    if (a.review == NULL) {
        return admit_serve(&a);
    }
    struct admit_config *cfg = admit_config_load(&a);
    if (cfg == NULL) {
        return CLI_EXIT_ERROR;
    }
    struct admit_stores stores;
    admit_stores_init(&stores, a.store);
    if (a.store != NULL) {
        /* offline, a store that cannot be opened is a usage error, not a denial */
        struct customs_error err = {0};
        if (admit_stores_check(&stores, &err) != 0) {
            cli_error("%s", err.message);
            admit_stores_release(&stores);
            admit_config_free(cfg);
            return CLI_EXIT_ERROR;
        }
    }
    rc = admit_offline(&a, cfg, a.store != NULL ? &stores : NULL);
    admit_stores_release(&stores);
    admit_config_free(cfg);
    return rc;
}
