/* SPDX-License-Identifier: Apache-2.0 */
/* Policy files: YAML read with positions, every key checked, compiled into rule sets. */
#include "policy/policy.h"

#include <fnmatch.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/pubkey.h"

#include "core/banned.h"

#define POLICY_MAX_LIST 4096   /* entries in one list (registries, namespaces, ignore, tiers) */
#define POLICY_MAX_DAYS 36500  /* graceDays, maxAgeDays */
#define POLICY_PATH_MAX 512
#define POLICY_KEY_FILE_MAX ((size_t)1 << 20)

static const char *const empty_fprs[] = {NULL};

/* A problem, kept until the end so they are reported in file order. */
struct pdiag {
    int line;
    int column;
    size_t seq;
    bool is_error;
    char *message;
};

struct pctx {
    struct customs_policy *p;
    struct customs_vec diags; /* struct pdiag */
    const struct customs_yaml_stream *ys;
    int errors;
    int rc;                      /* first hard failure (ENOMEM) */
    customs_policy_diag_fn diag;
    void *payload;
    struct customs_error *err;
    const char *key_dir;         /* where key files are read from ("" for the current
                                    directory), or NULL: not read */
};

/* ---- messages ---- */

static void report(struct pctx *c, bool is_error, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(struct pctx *c, bool is_error, const char *path, const char *fmt, ...)
{
    char what[768];
    char msg[CUSTOMS_ERROR_MESSAGE_MAX];
    int line = 1;
    int col = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (c->ys != NULL && path[0] != '\0') {
        customs_yaml_stream_position(c->ys, 0, path, &line, &col);
    }
    if (path[0] != '\0') {
        snprintf(msg, sizeof(msg), "%s:%d:%d: %s: %s", c->p->name, line, col, path, what);
    } else {
        snprintf(msg, sizeof(msg), "%s:%d:%d: %s", c->p->name, line, col, what);
    }
    c->errors += is_error ? 1 : 0;
    struct pdiag *d = customs_vec_push(&c->diags);
    if (d == NULL || (d->message = customs_strdup(msg)) == NULL) {
        c->rc = CUSTOMS_ENOMEM;
        return;
    }
    d->line = line;
    d->column = col;
    d->seq = c->diags.len;
    d->is_error = is_error;
}

static int pdiag_cmp(const void *a, const void *b)
{
    const struct pdiag *x = a;
    const struct pdiag *y = b;
    if (x->line != y->line) {
        return x->line < y->line ? -1 : 1;
    }
    if (x->column != y->column) {
        return x->column < y->column ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Report the problems in file order; the first error also goes into err. */
static void pdiag_flush(struct pctx *c)
{
    bool first = true;
    if (c->diags.len > 1) {
        qsort(c->diags.items, c->diags.len, c->diags.elem, pdiag_cmp);
    }
    for (size_t i = 0; i < c->diags.len; i++) {
        struct pdiag *d = customs_vec_at(&c->diags, i);
        if (d->is_error && first) {
            customs_error_set(c->err, CUSTOMS_EMALFORMED, "%s", d->message);
            first = false;
        }
        if (c->diag != NULL) {
            c->diag(d->is_error, d->message, c->payload);
        }
        customs_free(d->message);
    }
    customs_vec_release(&c->diags);
}

#define PERR(c, path, ...) report((c), true, (path), __VA_ARGS__)

/* Child field paths, as the YAML reader names nodes. */
static void path_key(char *out, const char *parent, const char *key)
{
    struct customs_buf b;
    customs_buf_init(&b, POLICY_PATH_MAX - 1);
    if (customs_buf_puts(&b, parent) == 0 && customs_yaml_path_key(&b, key) == 0) {
        snprintf(out, POLICY_PATH_MAX, "%s", customs_buf_cstr(&b));
    } else {
        snprintf(out, POLICY_PATH_MAX, "%s", parent);
    }
    customs_buf_release(&b);
}

static void path_index(char *out, const char *parent, size_t i)
{
    customs_fmt_clip(out, POLICY_PATH_MAX, "%s[%zu]", parent, i);
}

static const char *type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "a mapping";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "empty";
    }
    return "a value";
}

/* ---- typed readers: each reports its own error and returns false ---- */

/* Every key of `obj` must be in `allowed` (NULL-terminated). */
static bool want_keys(struct pctx *c, json_t *obj, const char *path,
                      const char *const *allowed)
{
    const char *key;
    json_t *val;
    bool ok = true;
    json_object_foreach(obj, key, val) {
        bool known = false;
        for (size_t i = 0; allowed[i] != NULL && !known; i++) {
            known = strcmp(key, allowed[i]) == 0;
        }
        if (!known) {
            char kp[POLICY_PATH_MAX];
            char list[256] = "";
            size_t n = 0;
            for (size_t i = 0; allowed[i] != NULL; i++) {
                n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
                                      i > 0 ? ", " : "", allowed[i]);
            }
            path_key(kp, path, key);
            PERR(c, kp, "unknown key \"%.80s\" (expected one of: %s)", key, list);
            ok = false;
        }
    }
    return ok;
}

static bool want_type(struct pctx *c, json_t *v, const char *path, json_type type,
                      const char *what)
{
    if (json_typeof(v) == type) {
        return true;
    }
    PERR(c, path, "must be %s, not %s", what, type_name(v));
    return false;
}

static bool want_bool(struct pctx *c, json_t *v, const char *path, bool *out)
{
    if (!json_is_boolean(v)) {
        PERR(c, path, "must be true or false, not %s", type_name(v));
        return false;
    }
    *out = json_is_true(v);
    return true;
}

static bool want_days(struct pctx *c, json_t *v, const char *path, int *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > POLICY_MAX_DAYS) {
        PERR(c, path, "must be a whole number of days from 0 to %d", POLICY_MAX_DAYS);
        return false;
    }
    *out = (int)json_integer_value(v);
    return true;
}

static bool want_effect(struct pctx *c, json_t *v, const char *path,
                        enum customs_effect *out)
{
    if (!json_is_string(v) || customs_effect_parse(out, json_string_value(v)) != 0) {
        PERR(c, path, "must be deny, warn or allow");
        return false;
    }
    return true;
}

static bool want_string(struct pctx *c, json_t *v, const char *path, const char **out)
{
    if (!json_is_string(v) || json_string_length(v) == 0) {
        PERR(c, path, "must be a non-empty string, not %s",
             json_is_string(v) ? "an empty one" : type_name(v));
        return false;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        PERR(c, path, "must not contain NUL bytes");
        return false;
    }
    *out = customs_arena_strdup(&c->p->arena, json_string_value(v));
    if (*out == NULL) {
        c->rc = CUSTOMS_ENOMEM;
        return false;
    }
    return true;
}

/* A list of at most POLICY_MAX_LIST entries: an array of n + 1 zeroed elements of `elem` bytes
 * in the policy's arena, or NULL (reported). */
static void *want_list(struct pctx *c, json_t *v, const char *path, const char *what,
                       size_t elem, size_t *n_out)
{
    if (!want_type(c, v, path, JSON_ARRAY, what)) {
        return NULL;
    }
    size_t n = json_array_size(v);
    if (n > POLICY_MAX_LIST) {
        PERR(c, path, "more than %d entries", POLICY_MAX_LIST);
        return NULL;
    }
    void *arr = customs_arena_alloc(&c->p->arena, (n + 1) * elem);
    if (arr == NULL) {
        c->rc = CUSTOMS_ENOMEM;
    }
    *n_out = n;
    return arr;
}

/* A list of non-empty strings, each checked by `check` (may be NULL), into a NULL-terminated
 * array in the policy's arena. */
static bool want_strings(struct pctx *c, json_t *v, const char *path,
                         bool (*check)(struct pctx *, const char *, const char *),
                         const char *const **out, size_t *n_out)
{
    size_t n = 0;
    const char **arr = want_list(c, v, path, "a list", sizeof(char *), &n);
    if (arr == NULL) {
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char ip[POLICY_PATH_MAX];
        path_index(ip, path, i);
        if (!want_string(c, json_array_get(v, i), ip, &arr[i]) ||
            (check != NULL && !check(c, ip, arr[i]))) {
            ok = false;
        }
    }
    *out = arr;
    *n_out = n;
    return ok;
}

static bool want_severities(struct pctx *c, json_t *v, const char *path, uint32_t *out)
{
    if (!want_type(c, v, path, JSON_ARRAY, "a list of severities")) {
        return false;
    }
    bool ok = true;
    *out = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *s = json_array_get(v, i);
        enum customs_severity sev;
        char ip[POLICY_PATH_MAX];
        path_index(ip, path, i);
        if (!json_is_string(s) ||
            customs_severity_parse(json_string_value(s), json_string_length(s), &sev) != 0) {
            PERR(c, ip, "must be one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN");
            ok = false;
        } else {
            *out |= 1u << (unsigned)sev;
        }
    }
    return ok;
}

static bool days_in_month_ok(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

static bool want_date(struct pctx *c, json_t *v, const char *path, time_t *out)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    int y = 0;
    int m = 0;
    int d = 0;
    bool digits = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; digits && i < 10; i++) {
        digits = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
    }
    if (digits) {
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        m = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
    }
    if (!digits || y < 1970 || !days_in_month_ok(y, m, d)) {
        PERR(c, path, "must be a date YYYY-MM-DD");
        return false;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = 23; /* the whole day counts */
    tm.tm_min = 59;
    tm.tm_sec = 59;
    *out = timegm(&tm);
    return true;
}

/* ---- value checks for string lists ---- */

static bool check_glob(struct pctx *c, const char *path, const char *s)
{
    /* namespace names are DNS labels; globs add * ? [ ] */
    for (const char *q = s; *q != '\0'; q++) {
        if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' || *q == '*' ||
              *q == '?' || *q == '[' || *q == ']' || *q == '!')) {
            PERR(c, path, "\"%.80s\" is not a namespace name or glob (a-z, 0-9, -, *, ?, [])", s);
            return false;
        }
    }
    return true;
}

static bool check_registry(struct pctx *c, const char *path, const char *s)
{
    if (strstr(s, "://") != NULL || s[0] == '/' || s[strlen(s) - 1] == '/' ||
        strchr(s, '@') != NULL || strchr(s, ' ') != NULL) {
        PERR(c, path,
             "\"%.80s\" is not a registry or registry/path prefix (write it as "
             "registry.example:5000 or docker.io/library, without a scheme or trailing /)",
             s);
        return false;
    }
    return true;
}

/* ---- sections ---- */

static void parse_pss(struct pctx *c, json_t *v, const char *path,
                      struct customs_policy_rules *r, bool in_tier)
{
    static const char *const keys[] = {"level", "version", NULL};
    char kp[POLICY_PATH_MAX];
    if (!want_type(c, v, path, JSON_OBJECT, "a mapping {level, version}")) {
        return;
    }
    want_keys(c, v, path, keys);
    json_t *level = json_object_get(v, "level");
    json_t *version = json_object_get(v, "version");
    if (level == NULL && !(in_tier && r->pss_enabled)) {
        PERR(c, path, "needs a level (baseline, restricted or privileged)");
    }
    if (level != NULL) {
        path_key(kp, path, "level");
        const char *s = json_is_string(level) ? json_string_value(level) : "";
        if (strcmp(s, "privileged") == 0) {
            r->pss_enabled = false;
        } else if (customs_pss_level_parse(&r->pss.level, s) == 0) {
            if (!r->pss_enabled) {
                r->pss.minor = CUSTOMS_PSS_LATEST_MINOR;
            }
            r->pss_enabled = true;
        } else {
            PERR(c, kp, "must be baseline, restricted or privileged");
        }
    }
    if (version != NULL) {
        path_key(kp, path, "version");
        if (json_is_real(version)) {
            PERR(c, kp, "write the version as a string (\"v1.30\"): a bare number loses "
                        "trailing zeros");
        } else if (!json_is_string(version) ||
                   customs_pss_version_parse(&r->pss.minor, json_string_value(version)) != 0) {
            PERR(c, kp, "must be latest or v1.0 .. v1.%d", CUSTOMS_PSS_LATEST_MINOR);
        }
    }
}

/* The fingerprints of the key files images.signatures.keys names (when the policy was loaded
 * from a file: relative to its directory), each problem reported at its key's position. */
static void read_keys(struct pctx *c, const char *path, struct customs_policy_images *im)
{
    const char **fprs = NULL;
    size_t n = 0;
    im->signature_fingerprints = empty_fprs;
    im->nsignature_fingerprints = 0;
    if (c->key_dir == NULL) {
        return;
    }
    fprs = customs_arena_alloc(&c->p->arena,
                               (im->nsignature_keys * CUSTOMS_PUBKEY_MAX_KEYS + 1) * sizeof(*fprs));
    if (fprs == NULL) {
        c->rc = CUSTOMS_ENOMEM;
        return;
    }
    for (size_t i = 0; i < im->nsignature_keys; i++) {
        const char *key = im->signature_keys[i];
        char ip[POLICY_PATH_MAX];
        char file[4096];
        struct customs_error err = {0};
        struct customs_pubkey_fprs kf;
        uint8_t *data = NULL;
        size_t len = 0;
        path_index(ip, path, i);
        int w = key[0] == '/' || c->key_dir[0] == '\0'
                    ? snprintf(file, sizeof(file), "%s", key)
                    : snprintf(file, sizeof(file), "%s/%s", c->key_dir, key);
        int rc = w > 0 && (size_t)w < sizeof(file) ? 0 : CUSTOMS_ELIMIT;
        if (rc == 0) {
            rc = customs_read_file(file, POLICY_KEY_FILE_MAX, &data, &len, &err);
        }
        if (rc == 0) {
            rc = customs_pubkey_fingerprints(&kf, file, data, len, &err);
        }
        customs_free(data);
        if (rc == CUSTOMS_ENOMEM) {
            c->rc = rc;
            return;
        }
        if (rc < 0) {
            PERR(c, ip, "%s", rc == CUSTOMS_ELIMIT && err.message[0] == '\0'
                                  ? "the key file's path is too long" : err.message);
            continue;
        }
        for (size_t k = 0; k < kf.n; k++) {
            if ((fprs[n++] = customs_arena_strdup(&c->p->arena, kf.fpr[k])) == NULL) {
                c->rc = CUSTOMS_ENOMEM;
                return;
            }
        }
    }
    fprs[n] = NULL;
    im->signature_fingerprints = fprs;
    im->nsignature_fingerprints = n;
}

/* The plain sections of a rule set, as tables: key, type, where the value goes in
 * struct customs_policy_rules; a section nests another table. */
enum field_type { F_BOOL, F_DAYS, F_EFFECT, F_UNKNOWN, F_SEVERITIES, F_REGISTRIES, F_KEYS,
                  F_STRING, F_SECTION };

struct field {
    const char *key;
    enum field_type type;
    size_t offset;
    const struct field *section; /* F_SECTION */
};

#define RULE(key, type, member) {key, type, offsetof(struct customs_policy_rules, member), NULL}

static const struct field vuln_fields[] = {
    RULE("deny", F_SEVERITIES, images.vuln_deny),
    RULE("warn", F_SEVERITIES, images.vuln_warn),
    RULE("ignoreUnfixed", F_BOOL, images.ignore_unfixed),
    RULE("graceDays", F_DAYS, images.grace_days),
    RULE("knownExploited", F_EFFECT, images.known_exploited),
    {NULL, F_BOOL, 0, NULL},
};

static const struct field tag_fields[] = {
    RULE("forbidLatest", F_BOOL, images.forbid_latest),
    RULE("requireDigest", F_BOOL, images.require_digest),
    {NULL, F_BOOL, 0, NULL},
};

static const struct field signature_fields[] = {
    RULE("required", F_BOOL, images.signatures_required),
    RULE("keys", F_KEYS, images.signature_keys),
    RULE("lookaside", F_STRING, images.signature_lookaside),
    {NULL, F_BOOL, 0, NULL},
};

static const struct field image_fields[] = {
    RULE("unknown", F_UNKNOWN, images.unknown),
    RULE("uncovered", F_EFFECT, images.uncovered),
    {"vulnerabilities", F_SECTION, 0, vuln_fields},
    RULE("secrets", F_EFFECT, images.secrets),
    RULE("malware", F_EFFECT, images.malware),
    RULE("registries", F_REGISTRIES, images.registries),
    {"tags", F_SECTION, 0, tag_fields},
    RULE("maxAgeDays", F_DAYS, images.max_age_days),
    {"signatures", F_SECTION, 0, signature_fields},
    {NULL, F_BOOL, 0, NULL},
};

static const struct field resource_fields[] = {
    RULE("requireLimits", F_BOOL, require_limits),
    {NULL, F_BOOL, 0, NULL},
};

static const struct field mutate_fields[] = {
    RULE("seccompRuntimeDefault", F_BOOL, mutate.seccomp_runtime_default),
    RULE("runAsNonRoot", F_BOOL, mutate.run_as_non_root),
    RULE("disallowPrivilegeEscalation", F_BOOL, mutate.disallow_privilege_escalation),
    RULE("dropAllCapabilities", F_BOOL, mutate.drop_all_capabilities),
    {NULL, F_BOOL, 0, NULL},
};

/* A mapping whose keys are those of `fields`, each value read into `r`. */
static void parse_fields(struct pctx *c, json_t *v, const char *path,
                         const struct field *fields, struct customs_policy_rules *r)
{
    const char *keys[16];
    const char *key;
    json_t *val;
    size_t n = 0;
    for (; fields[n].key != NULL && n + 1 < sizeof(keys) / sizeof(keys[0]); n++) {
        keys[n] = fields[n].key;
    }
    keys[n] = NULL;
    if (!want_type(c, v, path, JSON_OBJECT, "a mapping")) {
        return;
    }
    want_keys(c, v, path, keys);
    json_object_foreach(v, key, val) {
        const struct field *f = fields;
        char kp[POLICY_PATH_MAX];
        while (f->key != NULL && strcmp(f->key, key) != 0) {
            f++;
        }
        if (f->key == NULL) {
            continue; /* reported by want_keys */
        }
        path_key(kp, path, key);
        char *dst = (char *)r + f->offset;
        switch (f->type) {
        case F_BOOL:
            want_bool(c, val, kp, (bool *)dst);
            break;
        case F_DAYS:
            want_days(c, val, kp, (int *)dst);
            break;
        case F_EFFECT:
            want_effect(c, val, kp, (enum customs_effect *)dst);
            break;
        case F_UNKNOWN:
            /* "scan": the registry gate scans an unrecorded image before answering; wherever
             * nothing can scan (webhook, audit), it denies */
            r->images.unknown_scan = json_is_string(val) &&
                                     strcmp(json_string_value(val), "scan") == 0;
            if (r->images.unknown_scan) {
                *(enum customs_effect *)dst = CUSTOMS_EFFECT_DENY;
            } else if (!json_is_string(val) ||
                       customs_effect_parse((enum customs_effect *)dst,
                                            json_string_value(val)) != 0) {
                PERR(c, kp, "must be deny, warn, allow or scan");
            }
            break;
        case F_SEVERITIES:
            want_severities(c, val, kp, (uint32_t *)dst);
            break;
        case F_REGISTRIES:
            want_strings(c, val, kp, check_registry, &r->images.registries,
                         &r->images.nregistries);
            break;
        case F_KEYS:
            if (want_strings(c, val, kp, NULL, &r->images.signature_keys,
                             &r->images.nsignature_keys)) {
                read_keys(c, kp, &r->images);
            }
            break;
        case F_STRING:
            want_string(c, val, kp, (const char **)dst);
            break;
        case F_SECTION:
            parse_fields(c, val, kp, f->section, r);
            break;
        }
    }
}

static void parse_ignore(struct pctx *c, json_t *v, const char *path)
{
    static const char *const keys[] = {"id", "package", "expires", "statement", NULL};
    size_t n = 0;
    c->p->ignores = want_list(c, v, path, "a list of {id, package, expires, statement}",
                              sizeof(*c->p->ignores), &n);
    if (c->p->ignores == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        struct customs_policy_ignore *ig = &c->p->ignores[c->p->nignores];
        char ep[POLICY_PATH_MAX];
        char kp[POLICY_PATH_MAX];
        path_index(ep, path, i);
        if (!want_type(c, e, ep, JSON_OBJECT, "a mapping {id, package, expires, statement}")) {
            continue;
        }
        want_keys(c, e, ep, keys);
        customs_yaml_stream_position(c->ys, 0, ep, &ig->line, &(int){0});
        path_key(kp, ep, "id");
        if (json_object_get(e, "id") == NULL) {
            PERR(c, ep, "needs an id (CVE-..., GHSA-..., a secret or malware rule id)");
        } else {
            want_string(c, json_object_get(e, "id"), kp, &ig->id);
        }
        if (json_object_get(e, "package") != NULL) {
            path_key(kp, ep, "package");
            want_string(c, json_object_get(e, "package"), kp, &ig->package);
        }
        if (json_object_get(e, "expires") != NULL) {
            path_key(kp, ep, "expires");
            want_date(c, json_object_get(e, "expires"), kp, &ig->expires);
        }
        if (json_object_get(e, "statement") != NULL) {
            path_key(kp, ep, "statement");
            want_string(c, json_object_get(e, "statement"), kp, &ig->statement);
        }
        if (ig->id != NULL) {
            c->p->nignores++;
        }
    }
}

static void parse_exemptions(struct pctx *c, json_t *v, const char *path)
{
    static const char *const keys[] = {"namespaces", NULL};
    char kp[POLICY_PATH_MAX];
    if (!want_type(c, v, path, JSON_OBJECT, "a mapping {namespaces}")) {
        return;
    }
    want_keys(c, v, path, keys);
    if (json_object_get(v, "namespaces") != NULL) {
        path_key(kp, path, "namespaces");
        want_strings(c, json_object_get(v, "namespaces"), kp, check_glob,
                     &c->p->exempt_namespaces, &c->p->nexempt);
    }
}

/* A tier name is a Kubernetes label value (it is matched against customs/tier=<name>). */
static bool check_tier_name(struct pctx *c, const char *path, const char *s)
{
    size_t n = strlen(s);
    bool ok = n <= 63;
    for (size_t i = 0; ok && i < n; i++) {
        char ch = s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9');
        ok = alnum || ((ch == '-' || ch == '_' || ch == '.') && i > 0 && i + 1 < n);
    }
    if (!ok) {
        PERR(c, path, "\"%.80s\" is not a label value (up to 63 of A-Z a-z 0-9 - _ ., "
                      "starting and ending alphanumeric)", s);
    }
    return ok;
}

static void parse_tiers(struct pctx *c, json_t *v, const char *path)
{
    static const char *const keys[] = {"name", "namespaces", "podSecurity", "images",
                                       "resources", "mutate", NULL};
    size_t n = 0;
    c->p->tiers = want_list(c, v, path, "a list of tiers", sizeof(*c->p->tiers), &n);
    if (c->p->tiers == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        struct customs_policy_rules *t = &c->p->tiers[c->p->ntiers];
        const char *key;
        json_t *val;
        char ep[POLICY_PATH_MAX];
        path_index(ep, path, i);
        if (!want_type(c, e, ep, JSON_OBJECT, "a mapping {name, namespaces, ...}")) {
            continue;
        }
        want_keys(c, e, ep, keys);
        *t = c->p->base; /* the top level, overridden below */
        t->namespaces = NULL;
        t->nnamespaces = 0;
        if (json_object_get(e, "name") == NULL) {
            PERR(c, ep, "needs a name (matched against the namespace label customs/tier)");
        }
        json_object_foreach(e, key, val) {
            char kp[POLICY_PATH_MAX];
            path_key(kp, ep, key);
            if (strcmp(key, "name") == 0) {
                if (want_string(c, val, kp, &t->tier) && check_tier_name(c, kp, t->tier)) {
                    for (size_t k = 0; k < c->p->ntiers; k++) {
                        if (strcmp(c->p->tiers[k].tier, t->tier) == 0) {
                            PERR(c, kp, "tier \"%s\" is defined twice", t->tier);
                        }
                    }
                }
            } else if (strcmp(key, "namespaces") == 0) {
                want_strings(c, val, kp, check_glob, &t->namespaces, &t->nnamespaces);
            } else if (strcmp(key, "podSecurity") == 0) {
                parse_pss(c, val, kp, t, true);
            } else if (strcmp(key, "images") == 0) {
                parse_fields(c, val, kp, image_fields, t);
            } else if (strcmp(key, "resources") == 0) {
                parse_fields(c, val, kp, resource_fields, t);
            } else if (strcmp(key, "mutate") == 0) {
                parse_fields(c, val, kp, mutate_fields, t);
            }
        }
        if (t->tier != NULL) {
            c->p->ntiers++;
        }
    }
}

static const char *const empty_list[] = {NULL};

static void defaults(struct customs_policy_rules *r)
{
    memset(r, 0, sizeof(*r));
    r->pss.level = CUSTOMS_PSS_RESTRICTED;
    r->pss.minor = CUSTOMS_PSS_LATEST_MINOR;
    r->images.unknown = CUSTOMS_EFFECT_DENY;
    r->images.uncovered = CUSTOMS_EFFECT_DENY;
    r->images.vuln_deny = 1u << CUSTOMS_SEVERITY_CRITICAL;
    r->images.known_exploited = CUSTOMS_EFFECT_DENY;
    r->images.secrets = CUSTOMS_EFFECT_DENY;
    r->images.malware = CUSTOMS_EFFECT_DENY;
    r->images.registries = empty_list;
    r->images.signature_fingerprints = empty_fprs;
    r->namespaces = empty_list;
}

static void parse_root(struct pctx *c, json_t *root)
{
    static const char *const keys[] = {"apiVersion", "kind", "podSecurity", "images",
                                       "resources", "mutate", "ignore", "exemptions", "tiers",
                                       NULL};
    if (!json_is_object(root)) {
        PERR(c, "", "a policy is a mapping (apiVersion: %s, kind: Policy, ...), not %s",
             CUSTOMS_POLICY_API_VERSION, type_name(root));
        return;
    }
    want_keys(c, root, "", keys);
    json_t *api = json_object_get(root, "apiVersion");
    json_t *kind = json_object_get(root, "kind");
    if (api == NULL) {
        PERR(c, "", "apiVersion: missing (apiVersion: %s)", CUSTOMS_POLICY_API_VERSION);
    } else if (!json_is_string(api) ||
               strcmp(json_string_value(api), CUSTOMS_POLICY_API_VERSION) != 0) {
        PERR(c, "apiVersion", "must be %s", CUSTOMS_POLICY_API_VERSION);
    }
    if (kind == NULL) {
        PERR(c, "", "kind: missing (kind: Policy)");
    } else if (!json_is_string(kind) || strcmp(json_string_value(kind), "Policy") != 0) {
        PERR(c, "kind", "must be Policy");
    }
    /* the top level first: tiers are laid over it */
    if (json_object_get(root, "podSecurity") != NULL) {
        parse_pss(c, json_object_get(root, "podSecurity"), "podSecurity", &c->p->base, false);
    }
    if (json_object_get(root, "images") != NULL) {
        parse_fields(c, json_object_get(root, "images"), "images", image_fields, &c->p->base);
    }
    if (json_object_get(root, "resources") != NULL) {
        parse_fields(c, json_object_get(root, "resources"), "resources", resource_fields,
                     &c->p->base);
    }
    if (json_object_get(root, "mutate") != NULL) {
        parse_fields(c, json_object_get(root, "mutate"), "mutate", mutate_fields, &c->p->base);
    }
    if (json_object_get(root, "ignore") != NULL) {
        parse_ignore(c, json_object_get(root, "ignore"), "ignore");
    }
    if (json_object_get(root, "exemptions") != NULL) {
        parse_exemptions(c, json_object_get(root, "exemptions"), "exemptions");
    }
    if (json_object_get(root, "tiers") != NULL) {
        parse_tiers(c, json_object_get(root, "tiers"), "tiers");
    }
}

static int policy_load(struct customs_policy **out, const char *name, const void *data,
                       size_t len, const char *key_dir, customs_policy_diag_fn diag,
                       void *payload, struct customs_error *err)
{
    struct customs_yaml_limits lim;
    struct customs_yaml_stream *ys = NULL;
    struct customs_error yerr = {0};
    struct customs_policy *p = customs_calloc(1, sizeof(*p));
    struct pctx c = {.p = p, .diag = diag, .payload = payload, .err = err, .key_dir = key_dir};
    int rc = 0;
    *out = NULL;
    customs_vec_init(&c.diags, sizeof(struct pdiag));
    if (p == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    customs_arena_init(&p->arena);
    p->name = customs_arena_strdup(&p->arena, name);
    p->source = customs_arena_strndup(&p->arena, data, len);
    defaults(&p->base);
    p->exempt_namespaces = empty_list;
    if (p->name == NULL || p->source == NULL) {
        rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    customs_yaml_limits_default(&lim);
    lim.max_bytes = CUSTOMS_POLICY_MAX_BYTES;
    lim.max_depth = 32;
    lim.max_nodes = 100000;
    rc = customs_yaml_load(&ys, name, data, len, &lim, &yerr);
    if (rc < 0) {
        if (diag != NULL) {
            diag(true, yerr.message, payload);
        }
        customs_error_set(err, rc, "%s", yerr.message);
        goto out;
    }
    c.ys = ys;
    if (customs_yaml_stream_count(ys) != 1) {
        PERR(&c, "", "a policy file holds exactly one YAML document, not %zu",
             customs_yaml_stream_count(ys));
    } else {
        parse_root(&c, customs_yaml_stream_doc(ys, 0));
    }
    pdiag_flush(&c);
    if (c.rc < 0) {
        rc = customs_error_set(err, c.rc, "out of memory");
    } else if (c.errors > 1) {
        rc = CUSTOMS_EMALFORMED;
        customs_error_prefix(err, "%d errors, the first: ", c.errors);
    } else if (c.errors == 1) {
        rc = CUSTOMS_EMALFORMED;
    }
out:
    customs_yaml_stream_free(ys);
    if (rc < 0) {
        customs_policy_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int customs_policy_load_file(struct customs_policy **out, const char *path,
                             customs_policy_diag_fn diag, void *payload,
                             struct customs_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = customs_read_file(path, CUSTOMS_POLICY_MAX_BYTES, &data, &len, err);
    if (rc < 0) {
        if (diag != NULL) {
            diag(true, err->message, payload);
        }
        return rc;
    }
    const char *slash = strrchr(path, '/');
    char *dir = slash != NULL ? customs_strndup(path, (size_t)(slash - path) + (slash == path))
                              : customs_strdup("");
    if (dir == NULL) {
        customs_free(data);
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    rc = policy_load(out, path, data, len, dir, diag, payload, err);
    customs_free(dir);
    customs_free(data);
    return rc;
}

int customs_policy_load(struct customs_policy **out, const char *name, const void *data,
                        size_t len, customs_policy_diag_fn diag, void *payload,
                        struct customs_error *err)
{
    return policy_load(out, name, data, len, NULL, diag, payload, err);
}

int customs_policy_set_fingerprints(struct customs_policy *p, const char *const *fprs, size_t n)
{
    const char **copy = customs_arena_alloc(&p->arena, (n + 1) * sizeof(*copy));
    if (copy == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if ((copy[i] = customs_arena_strdup(&p->arena, fprs[i])) == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    copy[n] = NULL;
    p->base.images.signature_fingerprints = copy;
    p->base.images.nsignature_fingerprints = n;
    return 0;
}

void customs_policy_free(struct customs_policy *p)
{
    if (p == NULL) {
        return;
    }
    customs_arena_release(&p->arena);
    customs_free(p);
}

static bool glob_any(const char *const *globs, const char *s)
{
    for (size_t i = 0; s != NULL && globs != NULL && globs[i] != NULL; i++) {
        if (fnmatch(globs[i], s, 0) == 0) {
            return true;
        }
    }
    return false;
}

const struct customs_policy_rules *customs_policy_rules_for(const struct customs_policy *p,
                                                            const char *ns, const char *tier)
{
    for (size_t i = 0; i < p->ntiers; i++) {
        if (tier != NULL ? strcmp(p->tiers[i].tier, tier) == 0
                         : glob_any(p->tiers[i].namespaces, ns)) {
            return &p->tiers[i];
        }
    }
    return tier != NULL ? NULL : &p->base;
}

bool customs_policy_is_exempt(const struct customs_policy *p, const char *ns)
{
    return glob_any(p->exempt_namespaces, ns);
}
