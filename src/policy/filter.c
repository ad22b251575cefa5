/* SPDX-License-Identifier: Apache-2.0 */
/* Severity and unfixed filters, ignore files and OpenVEX statements, applied to a report. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"
#include "policy/filter.h"
#include "scan/result.h"

#include "core/banned.h"

#define IGNOREFILE_MAX (4u << 20)
#define VEX_MAX (64u << 20)

void customs_filter_init(struct customs_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->now = time(NULL);
    customs_arena_init(&f->arena);
    customs_vec_init(&f->ignores, sizeof(struct customs_ignore));
    customs_vec_init(&f->vex, sizeof(struct customs_vex_statement));
}

void customs_filter_release(struct customs_filter *f)
{
    customs_vec_release(&f->ignores);
    customs_vec_release(&f->vex);
    customs_arena_release(&f->arena);
}

int customs_filter_severities(struct customs_filter *f, const char *list, struct customs_error *err)
{
    const char *p = list;
    f->severities = 0;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        enum customs_severity sev;
        if (customs_severity_parse(p, n, &sev) < 0) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "--severity: '%.*s' is not one of CRITICAL, HIGH, MEDIUM, "
                                     "LOW, UNKNOWN",
                                     (int)n, p);
        }
        f->severities |= 1u << (unsigned)sev;
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    return 0;
}

static bool parse_date(const char *s, size_t n, time_t *out)
{
    struct tm tm;
    char buf[16];
    if (n != 10) {
        return false;
    }
    memcpy(buf, s, 10);
    buf[10] = '\0';
    memset(&tm, 0, sizeof(tm));
    if (sscanf(buf, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3 ||
        tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31) {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 23; /* the whole day counts */
    tm.tm_min = 59;
    tm.tm_sec = 59;
    *out = timegm(&tm);
    return true;
}

int customs_filter_load_ignorefile(struct customs_filter *f, const char *path,
                                   struct customs_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int r = customs_read_file(path, IGNOREFILE_MAX, &data, &len, err);
    const char *p = (const char *)data;
    const char *end = p + len;
    size_t lineno = 0;
    while (r == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        const char *hash = memchr(p, '#', (size_t)(stop - p));
        const char *body_end = hash != NULL ? hash : stop;
        lineno++;
        struct customs_ignore ig = {0};
        char where[4200];
        snprintf(where, sizeof(where), "%s:%zu", path, lineno);
        for (const char *t = p; t < body_end;) {
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
            if (n > 8 && strncmp(w, "package=", 8) == 0) {
                ig.package = customs_arena_strndup(&f->arena, w + 8, n - 8);
            } else if (n > 8 && strncmp(w, "expires=", 8) == 0) {
                if (!parse_date(w + 8, n - 8, &ig.expires)) {
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
            struct customs_ignore *slot = customs_vec_push(&f->ignores);
            if (slot == NULL || ig.where == NULL) {
                r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            } else {
                *slot = ig;
            }
        }
        p = nl != NULL ? nl + 1 : end;
    }
    customs_free(data);
    return r;
}

/* Collect purls of a product and its subcomponents: "@id" when it is a purl, identifiers.purl. */
static int add_purls(struct customs_filter *f, struct customs_vec *out, const json_t *product)
{
    const char *cands[2] = {customs_json_str(product, "@id"),
                            customs_json_str(json_object_get(product, "identifiers"), "purl")};
    if (json_is_string(product)) {
        cands[0] = json_string_value(product); /* OpenVEX 0.0.x: products as strings */
    }
    for (int i = 0; i < 2; i++) {
        if (cands[i] != NULL) {
            const char **slot = customs_vec_push(out);
            if (slot == NULL || (*slot = customs_arena_strdup(&f->arena, cands[i])) == NULL) {
                return CUSTOMS_ENOMEM;
            }
        }
    }
    size_t k;
    const json_t *sub;
    json_array_foreach(json_object_get(product, "subcomponents"), k, sub) {
        int r = add_purls(f, out, sub);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

int customs_filter_load_vex(struct customs_filter *f, const char *path, struct customs_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    json_t *doc = NULL;
    int r = customs_read_file(path, VEX_MAX, &data, &len, err);
    if (r == 0) {
        r = customs_json_parse(&doc, path, data, len, VEX_MAX, err);
    }
    customs_free(data);
    if (r < 0) {
        return r;
    }
    const json_t *statements = json_object_get(doc, "statements");
    if (!json_is_array(statements)) {
        json_decref(doc);
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: not an OpenVEX document (no \"statements\" array)", path);
    }
    size_t i;
    const json_t *st;
    json_array_foreach(statements, i, st) {
        struct customs_vex_statement s = {0};
        char where[4200];
        const json_t *v = json_object_get(st, "vulnerability");
        struct customs_vec al, pr;
        snprintf(where, sizeof(where), "%s: statement %zu", path, i);
        s.vuln = json_is_string(v) ? json_string_value(v) : customs_json_str(v, "name");
        s.status = customs_json_str(st, "status");
        if (s.vuln == NULL || s.status == NULL) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                  "%s: needs a vulnerability name and a status", where);
            break;
        }
        s.vuln = customs_arena_strdup(&f->arena, s.vuln);
        s.status = customs_arena_strdup(&f->arena, s.status);
        const char *just = customs_json_str(st, "justification");
        if (just == NULL) {
            just = customs_json_str(st, "impact_statement");
        }
        s.justification = just != NULL ? customs_arena_strdup(&f->arena, just) : NULL;
        s.where = customs_arena_strdup(&f->arena, where);
        customs_vec_init(&al, sizeof(char *));
        customs_vec_init(&pr, sizeof(char *));
        size_t k;
        const json_t *x;
        json_array_foreach(json_object_get(v, "aliases"), k, x) {
            const char **slot = json_is_string(x) ? customs_vec_push(&al) : NULL;
            if (slot != NULL) {
                *slot = customs_arena_strdup(&f->arena, json_string_value(x));
            }
        }
        json_array_foreach(json_object_get(st, "products"), k, x) {
            if (add_purls(f, &pr, x) < 0) {
                r = CUSTOMS_ENOMEM;
            }
        }
        s.naliases = al.len;
        s.nproducts = pr.len;
        s.aliases = customs_arena_alloc(&f->arena, (al.len + 1) * sizeof(char *));
        s.products = customs_arena_alloc(&f->arena, (pr.len + 1) * sizeof(char *));
        if (s.aliases != NULL && al.len > 0) {
            memcpy(s.aliases, al.items, al.len * sizeof(char *));
        }
        if (s.products != NULL && pr.len > 0) {
            memcpy(s.products, pr.items, pr.len * sizeof(char *));
        }
        customs_vec_release(&al);
        customs_vec_release(&pr);
        struct customs_vex_statement *slot = customs_vec_push(&f->vex);
        if (r < 0 || slot == NULL || s.aliases == NULL || s.products == NULL) {
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            break;
        }
        *slot = s;
    }
    json_decref(doc);
    return r;
}

static bool names_match(const struct customs_vuln_finding *v, const char *name)
{
    if (strcmp(v->id, name) == 0) {
        return true;
    }
    for (size_t i = 0; i < v->naliases; i++) {
        if (strcmp(v->aliases[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* A product purl matches a package purl when they agree up to the product's own precision:
 * type/namespace/name, and the version when the product has one; qualifiers are ignored. */
static bool purl_match(const char *product, const char *purl)
{
    if (purl == NULL || !customs_str_has_prefix(product, "pkg:")) {
        return false;
    }
    size_t pn = strcspn(product, "?#");
    size_t un = strcspn(purl, "?#");
    const char *at = memchr(product, '@', pn);
    if (at == NULL) { /* no version: any version of the package */
        size_t base = strcspn(purl, "@?#");
        return base == pn && strncmp(product, purl, pn) == 0;
    }
    return pn == un && strncmp(product, purl, pn) == 0;
}

static bool vex_applies(const struct customs_vex_statement *s, const struct customs_vuln_finding *v,
                        const char *purl)
{
    bool named = names_match(v, s->vuln);
    for (size_t i = 0; !named && i < s->naliases; i++) {
        named = names_match(v, s->aliases[i]);
    }
    if (!named) {
        return false;
    }
    if (s->nproducts == 0) {
        return true;
    }
    bool any_purl = false;
    for (size_t i = 0; i < s->nproducts; i++) {
        if (customs_str_has_prefix(s->products[i], "pkg:") &&
            !customs_str_has_prefix(s->products[i], "pkg:oci/") &&
            !customs_str_has_prefix(s->products[i], "pkg:docker/")) {
            any_purl = true;
            if (purl_match(s->products[i], purl)) {
                return true;
            }
        }
    }
    return !any_purl; /* only the image named: the statement covers all its packages */
}

static int suppress(struct customs_report *r, const struct customs_vuln_finding *v,
                    const char *how, const char *reason, const char *where)
{
    struct customs_suppressed *s = customs_vec_push(&r->suppressed);
    if (s == NULL) {
        return CUSTOMS_ENOMEM;
    }
    s->id = v->id;
    s->package = v->name;
    s->installed = v->installed;
    s->by = how;
    s->reason = reason != NULL ? customs_arena_strdup(&r->arena, reason) : NULL;
    s->where = customs_arena_strdup(&r->arena, where);
    return s->where == NULL ? CUSTOMS_ENOMEM : 0;
}

static bool severity_kept(const struct customs_filter *f, enum customs_severity s)
{
    return f->severities == 0 || (f->severities & (1u << (unsigned)s)) != 0;
}

/* Kept by --severity, or counted in the report as hidden by it. */
static bool severity_keep_or_count(const struct customs_filter *f, struct customs_report *r,
                                   enum customs_severity s)
{
    if (severity_kept(f, s)) {
        return true;
    }
    r->hidden_by_severity[(unsigned)s <= CUSTOMS_SEVERITY_CRITICAL ? s : 0]++;
    return false;
}

int customs_filter_apply(const struct customs_filter *f, struct customs_report *r,
                         struct customs_error *err)
{
    size_t out = 0;
    int rc = 0;
    /* expired ignore entries: reported once, never applied */
    for (size_t k = 0; k < f->ignores.len; k++) {
        const struct customs_ignore *ig = customs_vec_at(&f->ignores, k);
        if (ig->expires != 0 && ig->expires < f->now) {
            struct customs_error e = {.code = CUSTOMS_EINVAL};
            char day[16];
            struct tm tm;
            gmtime_r(&ig->expires, &tm);
            strftime(day, sizeof(day), "%Y-%m-%d", &tm);
            snprintf(e.message, sizeof(e.message),
                     "%s: the ignore entry for %s expired on %s and no longer applies", ig->where,
                     ig->id, day);
            if (customs_report_add_error(r, &e, NULL, -1) < 0) {
                return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            }
            struct customs_report_error *last = customs_vec_at(&r->errors, r->errors.len - 1);
            last->code = "expired-ignore";
        }
    }
    for (size_t i = 0; i < r->vulns.len && rc == 0; i++) {
        struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, v->package);
        bool keep = severity_keep_or_count(f, r, v->severity) &&
                    !(f->ignore_unfixed && v->fixed == NULL);
        for (size_t k = 0; keep && k < f->ignores.len; k++) {
            const struct customs_ignore *ig = customs_vec_at(&f->ignores, k);
            if ((ig->expires == 0 || ig->expires >= f->now) && names_match(v, ig->id) &&
                (ig->package == NULL || strcmp(ig->package, v->name) == 0 ||
                 (p->source_name != NULL && strcmp(ig->package, p->source_name) == 0))) {
                rc = suppress(r, v, "ignorefile", ig->note, ig->where);
                keep = false;
            }
        }
        for (size_t k = 0; keep && rc == 0 && k < f->vex.len; k++) {
            const struct customs_vex_statement *s = customs_vec_at(&f->vex, k);
            if ((strcmp(s->status, "not_affected") == 0 || strcmp(s->status, "fixed") == 0) &&
                vex_applies(s, v, p->purl)) {
                char reason[512];
                snprintf(reason, sizeof(reason), "%s%s%s", s->status,
                         s->justification != NULL ? ": " : "",
                         s->justification != NULL ? s->justification : "");
                rc = suppress(r, v, "vex", reason, s->where);
                keep = false;
            }
        }
        if (keep) {
            if (out != i) {
                memcpy(customs_vec_at(&r->vulns, out), v, r->vulns.elem);
            }
            out++;
        }
    }
    if (rc < 0) {
        return customs_error_set(err, rc, "out of memory");
    }
    r->vulns.len = out;
    /* the severity filter also applies to secrets and malware */
    out = 0;
    for (size_t i = 0; i < r->secrets.len; i++) {
        struct customs_secret_finding *s = customs_vec_at(&r->secrets, i);
        if (severity_keep_or_count(f, r, s->severity)) {
            memmove(customs_vec_at(&r->secrets, out++), s, r->secrets.elem);
        }
    }
    r->secrets.len = out;
    out = 0;
    for (size_t i = 0; i < r->malware.len; i++) {
        struct customs_malware_finding *m = customs_vec_at(&r->malware, i);
        if (severity_keep_or_count(f, r, m->severity)) {
            memmove(customs_vec_at(&r->malware, out++), m, r->malware.elem);
        }
    }
    r->malware.len = out;
    out = 0;
    for (size_t i = 0; i < r->misconfigs.len; i++) {
        struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        if (severity_keep_or_count(f, r, m->severity)) {
            memmove(customs_vec_at(&r->misconfigs, out++), m, r->misconfigs.elem);
        }
    }
    r->misconfigs.len = out;
    return 0;
}
