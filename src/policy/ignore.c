/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ignore file (`.customsignore`, `--ignorefile`), in two forms:
 *
 * - plain lines, for every finding kind: `ID [package=NAME] [expires=YYYY-MM-DD] [# note]`;
 * - YAML, by finding kind: a mapping whose keys are `vulnerabilities`, `secrets`, `malware` and
 *   `misconfigurations`, each a list of entries `{id, paths, packages, expires, statement}`
 *   (`packages`, purls, for vulnerabilities only).
 *
 * A file is YAML when its name ends in .yaml/.yml or its first significant line opens one of
 * those sections. Every error names FILE:LINE (plain) or FILE:LINE:COL (YAML).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "formats/yaml.h"
#include "policy/filter.h"

#include "core/banned.h"

#define IGNOREFILE_MAX (4u << 20)
#define IGNORE_MAX_LIST 10000 /* paths or packages of one entry */

static const char *const section_names[] = {
    [CUSTOMS_IGNORE_VULNERABILITY] = "vulnerabilities",
    [CUSTOMS_IGNORE_SECRET] = "secrets",
    [CUSTOMS_IGNORE_MALWARE] = "malware",
    [CUSTOMS_IGNORE_MISCONFIGURATION] = "misconfigurations",
};

const char *customs_ignore_kind_name(enum customs_ignore_kind kind)
{
    static const char *const names[] = {
        [CUSTOMS_IGNORE_ANY] = "any",
        [CUSTOMS_IGNORE_VULNERABILITY] = "vulnerability",
        [CUSTOMS_IGNORE_SECRET] = "secret",
        [CUSTOMS_IGNORE_MALWARE] = "malware",
        [CUSTOMS_IGNORE_MISCONFIGURATION] = "misconfiguration",
    };
    return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "any";
}

/* YYYY-MM-DD, a real date; the whole day counts (until 23:59:59 UTC). */
static bool ignore_date(const char *s, size_t n, time_t *out)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int v[3] = {0, 0, 0};
    static const size_t at[] = {0, 5, 8}, len[] = {4, 2, 2};
    if (n != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    for (int k = 0; k < 3; k++) {
        for (size_t i = at[k]; i < at[k] + len[k]; i++) {
            if (!isdigit((unsigned char)s[i])) {
                return false;
            }
            v[k] = v[k] * 10 + (s[i] - '0');
        }
    }
    bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
    if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
        (v[1] == 2 && v[2] == 29 && !leap)) {
        return false;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = 23;
    tm.tm_min = 59;
    tm.tm_sec = 59;
    *out = timegm(&tm);
    return true;
}

static int ignore_push(struct customs_filter *f, const struct customs_ignore *ig,
                       struct customs_error *err)
{
    struct customs_ignore *slot = customs_vec_push(&f->ignores);
    if (slot == NULL || ig->id == NULL || ig->where == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    *slot = *ig;
    return 0;
}

/* ---- plain lines ---- */

static int ignore_parse_lines(struct customs_filter *f, const char *name, const char *p,
                              const char *end, struct customs_error *err)
{
    size_t lineno = 0;
    int r = 0;
    while (r == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        const char *hash = memchr(p, '#', (size_t)(stop - p));
        const char *body_end = hash != NULL ? hash : stop;
        lineno++;
        struct customs_ignore ig = {0};
        char where[4200];
        snprintf(where, sizeof(where), "%s:%zu", name, lineno);
        for (const char *t = p; r == 0 && t < body_end;) {
            while (t < body_end && isspace((unsigned char)*t)) {
                t++;
            }
            const char *w = t;
            while (t < body_end && !isspace((unsigned char)*t)) {
                t++;
            }
            size_t n = (size_t)(t - w);
            if (n == 0) {
                continue;
            }
            if (memchr(w, '\0', n) != NULL) {
                r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: a NUL byte", where);
            } else if (n > 8 && strncmp(w, "package=", 8) == 0) {
                ig.package = customs_arena_strndup(&f->arena, w + 8, n - 8);
            } else if (n > 8 && strncmp(w, "expires=", 8) == 0) {
                if (!ignore_date(w + 8, n - 8, &ig.expires)) {
                    r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                          "%s: expires= must be a date YYYY-MM-DD", where);
                }
            } else if (ig.id == NULL) {
                ig.id = customs_arena_strndup(&f->arena, w, n);
            } else {
                r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                      "%s: unexpected '%.*s' (ID [package=NAME] "
                                      "[expires=YYYY-MM-DD] [# note])",
                                      where, (int)(n > 60 ? 60 : n), w);
            }
        }
        if (r == 0 && ig.id != NULL) {
            if (hash != NULL) {
                const char *c = hash + 1;
                while (c < stop && isspace((unsigned char)*c)) {
                    c++;
                }
                size_t cn = (size_t)(stop - c);
                while (cn > 0 && isspace((unsigned char)c[cn - 1])) {
                    cn--;
                }
                ig.note = cn > 0 ? customs_arena_strndup(&f->arena, c, cn) : NULL;
            }
            ig.where = customs_arena_strdup(&f->arena, where);
            r = ignore_push(f, &ig, err);
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return r;
}

/* ---- YAML ---- */

struct yctx {
    struct customs_filter *f;
    const char *name;
    const struct customs_yaml_stream *ys;
    struct customs_error *err;
};

/* "FILE:LINE:COL: what" at the node of field path `path`. */
static int yfail(struct yctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int yfail(struct yctx *c, const char *path, const char *fmt, ...)
{
    int line = 0, col = 0;
    va_list ap;
    customs_yaml_stream_position(c->ys, 0, path, &line, &col);
    char what[512];
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return customs_error_set(c->err, CUSTOMS_EMALFORMED, "%s:%d:%d: %s", c->name, line, col,
                             what);
}

/* fnmatch backtracks: a glob's cost grows with its stars; keep it small. */
static bool glob_too_costly(const char *g)
{
    size_t stars = 0;
    for (const char *p = g; *p != '\0'; p++) {
        stars += *p == '*';
    }
    return strlen(g) > 1024 || stars > 8;
}

/* A list of strings (at most IGNORE_MAX_LIST) into the arena; `purls`: each must be one. */
static int yaml_strings(struct yctx *c, json_t *v, const char *path, bool purls,
                        const char ***out, size_t *n)
{
    size_t len = json_array_size(v);
    if (!json_is_array(v) || len == 0) {
        return yfail(c, path, "%s must be a non-empty list of strings", purls ? "packages" : "paths");
    }
    if (len > IGNORE_MAX_LIST) {
        return yfail(c, path, "%s: more than 10000 entries", purls ? "packages" : "paths");
    }
    const char **items = customs_arena_alloc(&c->f->arena, len * sizeof(char *));
    if (items == NULL) {
        return customs_error_set(c->err, CUSTOMS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < len; i++) {
        json_t *s = json_array_get(v, i);
        char ip[512];
        snprintf(ip, sizeof(ip), "%s[%zu]", path, i);
        if (!json_is_string(s) || json_string_length(s) == 0 ||
            strlen(json_string_value(s)) != json_string_length(s)) {
            return yfail(c, ip, "%s", "must be a non-empty string");
        }
        if (!purls && glob_too_costly(json_string_value(s))) {
            return yfail(c, ip, "%s", "a glob of at most 1024 bytes and 8 '*' (matching cost)");
        }
        if (purls && !customs_str_has_prefix(json_string_value(s), "pkg:")) {
            return yfail(c, ip, "%s", "must be a package URL (pkg:TYPE/NAME[@VERSION])");
        }
        if ((items[i] = customs_arena_strdup(&c->f->arena, json_string_value(s))) == NULL) {
            return customs_error_set(c->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    *out = items;
    *n = len;
    return 0;
}

static int yaml_entry(struct yctx *c, enum customs_ignore_kind kind, json_t *e, const char *path)
{
    struct customs_ignore ig = {0};
    const char *key;
    json_t *v;
    int r = 0;
    ig.kind = kind;
    if (!json_is_object(e)) {
        return yfail(c, path, "%s", "an entry must be a mapping with at least 'id'");
    }
    json_object_foreach(e, key, v) {
        char kp[512];
        snprintf(kp, sizeof(kp), "%s.%s", path, key);
        if (strcmp(key, "id") == 0 || strcmp(key, "statement") == 0 ||
            strcmp(key, "expires") == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0 ||
                strlen(json_string_value(v)) != json_string_length(v)) {
                return yfail(c, kp, "'%s' must be a non-empty string", key);
            }
        }
        if (strcmp(key, "id") == 0) {
            ig.id = customs_arena_strdup(&c->f->arena, json_string_value(v));
        } else if (strcmp(key, "statement") == 0) {
            ig.note = customs_arena_strdup(&c->f->arena, json_string_value(v));
        } else if (strcmp(key, "expires") == 0) {
            if (!ignore_date(json_string_value(v), json_string_length(v), &ig.expires)) {
                return yfail(c, kp, "%s", "expires must be a date YYYY-MM-DD");
            }
        } else if (strcmp(key, "paths") == 0) {
            r = yaml_strings(c, v, kp, false, &ig.paths, &ig.npaths);
        } else if (strcmp(key, "packages") == 0) {
            if (kind != CUSTOMS_IGNORE_VULNERABILITY) {
                return yfail(c, kp, "%s", "packages applies to vulnerabilities only");
            }
            r = yaml_strings(c, v, kp, true, &ig.packages, &ig.npackages);
        } else {
            return yfail(c, kp, "unknown key '%.60s' (id, paths, packages, expires, statement)",
                         key);
        }
        if (r != 0) {
            return r;
        }
    }
    if (ig.id == NULL) {
        return yfail(c, path, "%s", "an entry needs an 'id'");
    }
    int line = 0, col = 0;
    char where[4200];
    customs_yaml_stream_position(c->ys, 0, path, &line, &col);
    snprintf(where, sizeof(where), "%s:%d", c->name, line);
    ig.where = customs_arena_strdup(&c->f->arena, where);
    return ignore_push(c->f, &ig, c->err);
}

static int ignore_parse_yaml(struct customs_filter *f, const char *name, const uint8_t *data,
                             size_t len, struct customs_error *err)
{
    struct customs_yaml_stream *ys = NULL;
    struct customs_yaml_limits lim;
    customs_yaml_limits_default(&lim);
    lim.max_bytes = IGNOREFILE_MAX;
    lim.max_nodes = 200000;
    lim.max_depth = 16;
    int r = customs_yaml_load(&ys, name, data, len, &lim, err);
    if (r != 0) {
        return r;
    }
    struct yctx c = {f, name, ys, err};
    size_t ndocs = customs_yaml_stream_count(ys);
    json_t *root = ndocs > 0 ? customs_yaml_stream_doc(ys, 0) : NULL;
    if (ndocs > 1) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: more than one YAML document", name);
    } else if (root != NULL && !json_is_null(root) && !json_is_object(root)) {
        r = yfail(&c, "", "%s",
                  "the YAML form is a mapping of vulnerabilities, secrets, malware and"
                  " misconfigurations");
    }
    const char *key;
    json_t *list;
    json_object_foreach(r == 0 ? root : NULL, key, list) {
        enum customs_ignore_kind kind = CUSTOMS_IGNORE_ANY;
        for (unsigned k = CUSTOMS_IGNORE_VULNERABILITY; k <= CUSTOMS_IGNORE_MISCONFIGURATION; k++) {
            if (strcmp(key, section_names[k]) == 0) {
                kind = (enum customs_ignore_kind)k;
            }
        }
        if (kind == CUSTOMS_IGNORE_ANY) {
            r = yfail(&c, key,
                      "unknown section '%.60s' (vulnerabilities, secrets, malware,"
                      " misconfigurations)", key);
            break;
        }
        if (json_is_null(list)) {
            continue;
        }
        if (!json_is_array(list)) {
            r = yfail(&c, key, "'%.60s' must be a list of entries", key);
            break;
        }
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e) {
            char path[128];
            snprintf(path, sizeof(path), "%s[%zu]", key, i);
            if ((r = yaml_entry(&c, kind, e, path)) != 0) {
                break;
            }
        }
        if (r != 0) {
            break;
        }
    }
    customs_yaml_stream_free(ys);
    return r;
}

/* YAML by name, or by a first significant line that opens a section ("secrets:"). */
static bool ignore_is_yaml(const char *name, const uint8_t *data, size_t len)
{
    size_t n = strlen(name);
    if ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
        (n > 4 && strcmp(name + n - 4, ".yml") == 0)) {
        return true;
    }
    size_t i = 0;
    for (;;) {
        while (i < len && isspace(data[i])) {
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
    if (i + 3 <= len && memcmp(data + i, "---", 3) == 0) {
        return true;
    }
    for (unsigned k = CUSTOMS_IGNORE_VULNERABILITY; k <= CUSTOMS_IGNORE_MISCONFIGURATION; k++) {
        size_t sn = strlen(section_names[k]);
        if (len - i > sn && memcmp(data + i, section_names[k], sn) == 0 && data[i + sn] == ':') {
            return true;
        }
    }
    return false;
}

int customs_filter_parse_ignorefile(struct customs_filter *f, const char *name,
                                    const uint8_t *data, size_t len, struct customs_error *err)
{
    if (len > IGNOREFILE_MAX) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: larger than %u bytes", name,
                                 IGNOREFILE_MAX);
    }
    if (ignore_is_yaml(name, data, len)) {
        return ignore_parse_yaml(f, name, data, len, err);
    }
    return ignore_parse_lines(f, name, (const char *)data, (const char *)data + len, err);
}

int customs_filter_load_ignorefile(struct customs_filter *f, const char *path,
                                   struct customs_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int r = customs_read_file(path, IGNOREFILE_MAX, &data, &len, err);
    if (r == 0) {
        r = customs_filter_parse_ignorefile(f, path, data, len, err);
    }
    customs_free(data);
    return r;
}
