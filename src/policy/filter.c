/* SPDX-License-Identifier: Apache-2.0 */
/* Severity and unfixed filters, ignore files and OpenVEX statements, applied to a report. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"
#include "policy/filter.h"
#include "model/report.h"

#include "core/banned.h"

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

/* A copy of the suppressed finding (`size` bytes at `finding`) in the report's arena. */
static const void *suppress_copy(struct customs_report *r, const void *finding, size_t size)
{
    void *copy = customs_arena_alloc(&r->arena, size);
    if (copy != NULL) {
        memcpy(copy, finding, size);
    }
    return copy;
}

static int suppress_record(struct customs_report *r, const char *kind, const char *id,
                           const char *path, const char *package, const char *installed,
                           const char *how, const char *reason, const char *where,
                           const void *finding, size_t size)
{
    const void *copy = suppress_copy(r, finding, size);
    struct customs_suppressed *s = copy != NULL ? customs_vec_push(&r->suppressed) : NULL;
    if (s == NULL) {
        return CUSTOMS_ENOMEM;
    }
    memset(s, 0, sizeof(*s));
    if (strcmp(kind, "vulnerability") == 0) {
        s->vuln = copy;
    } else if (strcmp(kind, "secret") == 0) {
        s->secret = copy;
    } else if (strcmp(kind, "malware") == 0) {
        s->malware = copy;
    } else {
        s->misconfig = copy;
    }
    s->kind = kind;
    s->id = id;
    s->path = path;
    s->package = package;
    s->installed = installed;
    s->by = how;
    s->reason = reason != NULL ? customs_arena_strdup(&r->arena, reason) : NULL;
    s->where = customs_arena_strdup(&r->arena, where);
    return s->where == NULL ? CUSTOMS_ENOMEM : 0;
}

static int suppress(struct customs_report *r, const struct customs_vuln_finding *v,
                    const struct customs_package *p, const char *how, const char *reason,
                    const char *where)
{
    return suppress_record(r, "vulnerability", v->id, p->path, v->name, v->installed, how,
                           reason, where, v, sizeof(*v));
}

bool customs_filter_ignore_expired(const struct customs_filter *f, const struct customs_ignore *ig)
{
    return ig->expires != 0 && ig->expires < f->now;
}

/* No globs: any path. Else the finding's path (leading '/' ignored on both sides) must match
 * one; '*' also matches '/'. */
static bool ignore_paths_match(const struct customs_ignore *ig, const char *path)
{
    if (ig->npaths == 0) {
        return true;
    }
    if (path == NULL) {
        return false;
    }
    while (*path == '/') {
        path++;
    }
    for (size_t i = 0; i < ig->npaths; i++) {
        const char *g = ig->paths[i];
        while (*g == '/') {
            g++;
        }
        if (fnmatch(g, path, 0) == 0) {
            return true;
        }
    }
    return false;
}

static bool ignore_kind_is(const struct customs_ignore *ig, enum customs_ignore_kind kind)
{
    return ig->kind == CUSTOMS_IGNORE_ANY || ig->kind == kind;
}

static bool purl_match(const char *product, const char *purl);

static bool ignore_vuln(const struct customs_filter *f, const struct customs_ignore *ig,
                        const struct customs_vuln_finding *v, const struct customs_package *p)
{
    if (customs_filter_ignore_expired(f, ig) || !ignore_kind_is(ig, CUSTOMS_IGNORE_VULNERABILITY) ||
        !names_match(v, ig->id)) {
        return false;
    }
    if (ig->package != NULL && strcmp(ig->package, v->name) != 0 &&
        (p->source_name == NULL || strcmp(ig->package, p->source_name) != 0)) {
        return false;
    }
    bool pkg = ig->npackages == 0;
    for (size_t k = 0; !pkg && k < ig->npackages; k++) {
        pkg = purl_match(ig->packages[k], p->purl);
    }
    return pkg && ignore_paths_match(ig, p->path);
}

/* A secret, malware or misconfiguration finding: by its rule or check id (malware also by the
 * rule without its namespace); a plain line's package= scopes it to vulnerabilities. */
static bool ignore_other(const struct customs_filter *f, const struct customs_ignore *ig,
                         enum customs_ignore_kind kind, const char *id, const char *path)
{
    if (customs_filter_ignore_expired(f, ig) || !ignore_kind_is(ig, kind) || id == NULL ||
        ig->package != NULL) {
        return false;
    }
    bool named = strcmp(ig->id, id) == 0;
    const char *colon = kind == CUSTOMS_IGNORE_MALWARE ? strrchr(id, ':') : NULL;
    if (!named && colon != NULL) {
        named = strcmp(ig->id, colon + 1) == 0;
    }
    return named && ignore_paths_match(ig, path);
}

/* The first live entry that suppresses the finding (counted), or NULL. */
static struct customs_ignore *ignore_find(struct customs_filter *f, enum customs_ignore_kind kind,
                                          const char *id, const char *path)
{
    for (size_t k = 0; k < f->ignores.len; k++) {
        struct customs_ignore *ig = customs_vec_at(&f->ignores, k);
        if (ignore_other(f, ig, kind, id, path)) {
            ig->suppressed++;
            return ig;
        }
    }
    return NULL;
}

static const char *misconfig_path(const struct customs_misconfig *m)
{
    return m->file != NULL ? m->file : m->path;
}

int customs_filter_apply_misconfigs(struct customs_filter *f, struct customs_vec *items,
                                    struct customs_vec *suppressed, struct customs_vec *by)
{
    size_t out = 0;
    for (size_t i = 0; i < items->len; i++) {
        struct customs_misconfig *m = customs_vec_at(items, i);
        const struct customs_ignore *ig =
            ignore_find(f, CUSTOMS_IGNORE_MISCONFIGURATION, m->check, misconfig_path(m));
        if (ig != NULL) {
            struct customs_misconfig *slot = customs_vec_push(suppressed);
            size_t *entry = by != NULL ? customs_vec_push(by) : NULL;
            if (slot == NULL || (by != NULL && entry == NULL)) {
                return CUSTOMS_ENOMEM;
            }
            *slot = *m;
            if (entry != NULL) {
                *entry = (size_t)(ig - (const struct customs_ignore *)f->ignores.items);
            }
            continue;
        }
        if (out != i) {
            memmove(customs_vec_at(items, out), m, items->elem);
        }
        out++;
    }
    items->len = out;
    return 0;
}

/* Every ignore entry into the report's `ignored`, with its count and whether it expired. */
static int ignore_uses(const struct customs_filter *f, struct customs_report *r)
{
    for (size_t k = 0; k < f->ignores.len; k++) {
        const struct customs_ignore *ig = customs_vec_at(&f->ignores, k);
        struct customs_ignore_use *u = customs_vec_push(&r->ignored);
        if (u == NULL) {
            return CUSTOMS_ENOMEM;
        }
        memset(u, 0, sizeof(*u));
        u->id = customs_arena_strdup(&r->arena, ig->id);
        u->kind = customs_ignore_kind_name(ig->kind);
        u->where = customs_arena_strdup(&r->arena, ig->where);
        u->expired = customs_filter_ignore_expired(f, ig);
        u->suppressed = ig->suppressed;
        u->statement = ig->note != NULL ? customs_arena_strdup(&r->arena, ig->note) : NULL;
        if (ig->expires != 0) {
            char day[16];
            struct tm tm;
            gmtime_r(&ig->expires, &tm);
            strftime(day, sizeof(day), "%Y-%m-%d", &tm);
            u->expires = customs_arena_strdup(&r->arena, day);
        }
        if (u->id == NULL || u->where == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    return 0;
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

int customs_filter_apply(struct customs_filter *f, struct customs_report *r,
                         struct customs_error *err)
{
    size_t out = 0;
    int rc = 0;
    /* expired ignore entries: reported once, never applied */
    for (size_t k = 0; k < f->ignores.len; k++) {
        const struct customs_ignore *ig = customs_vec_at(&f->ignores, k);
        if (customs_filter_ignore_expired(f, ig)) {
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
            struct customs_ignore *ig = customs_vec_at(&f->ignores, k);
            if (ignore_vuln(f, ig, v, p)) {
                ig->suppressed++;
                rc = suppress(r, v, p, "ignorefile", ig->note, ig->where);
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
                rc = suppress(r, v, p, "vex", reason, s->where);
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
    /* the severity filter and the ignore file also apply to secrets, malware and
     * misconfigurations */
    out = 0;
    for (size_t i = 0; i < r->secrets.len && rc == 0; i++) {
        struct customs_secret_finding *s = customs_vec_at(&r->secrets, i);
        if (!severity_keep_or_count(f, r, s->severity)) {
            continue;
        }
        const struct customs_ignore *ig = ignore_find(f, CUSTOMS_IGNORE_SECRET, s->rule, s->path);
        if (ig != NULL) {
            rc = suppress_record(r, "secret", s->rule, s->path, NULL, NULL, "ignorefile",
                                 ig->note, ig->where, s, sizeof(*s));
            continue;
        }
        memmove(customs_vec_at(&r->secrets, out++), s, r->secrets.elem);
    }
    r->secrets.len = out;
    out = 0;
    for (size_t i = 0; i < r->malware.len && rc == 0; i++) {
        struct customs_malware_finding *m = customs_vec_at(&r->malware, i);
        if (!severity_keep_or_count(f, r, m->severity)) {
            continue;
        }
        const struct customs_ignore *ig = ignore_find(f, CUSTOMS_IGNORE_MALWARE, m->rule, m->path);
        if (ig != NULL) {
            rc = suppress_record(r, "malware", m->rule, m->path, NULL, NULL, "ignorefile",
                                 ig->note, ig->where, m, sizeof(*m));
            continue;
        }
        memmove(customs_vec_at(&r->malware, out++), m, r->malware.elem);
    }
    r->malware.len = out;
    out = 0;
    for (size_t i = 0; i < r->misconfigs.len && rc == 0; i++) {
        struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        if (!severity_keep_or_count(f, r, m->severity)) {
            continue;
        }
        const struct customs_ignore *ig =
            ignore_find(f, CUSTOMS_IGNORE_MISCONFIGURATION, m->check, misconfig_path(m));
        if (ig != NULL) {
            rc = suppress_record(r, "misconfiguration", m->check, misconfig_path(m), NULL, NULL,
                                 "ignorefile", ig->note, ig->where, m, sizeof(*m));
            continue;
        }
        memmove(customs_vec_at(&r->misconfigs, out++), m, r->misconfigs.elem);
    }
    r->misconfigs.len = out;
    if (rc == 0) {
        rc = ignore_uses(f, r);
    }
    return rc < 0 ? customs_error_set(err, rc, "out of memory") : 0;
}
