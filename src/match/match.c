/* SPDX-License-Identifier: Apache-2.0 */
/* Packages against advisories: which rows apply, and what the user can do about them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"
#include "match/match.h"
#include "match/severity.h"
#include "version/version.h"

#include "core/banned.h"

static const struct {
    const char *number;
    const char *codename;
} debian_codenames[] = {
    {"8", "jessie"},    {"9", "stretch"}, {"10", "buster"}, {"11", "bullseye"},
    {"12", "bookworm"}, {"13", "trixie"}, {"14", "forky"},
};

int customs_match_os_key(char *out, size_t outsz, const struct customs_os *os)
{
    int rc = 0;
    out[0] = '\0';
    if (os == NULL || os->id == NULL) {
        return 0;
    }
    if (strcmp(os->id, "debian") == 0) {
        const char *code = os->codename;
        for (size_t i = 0; code == NULL && os->version != NULL &&
                           i < sizeof(debian_codenames) / sizeof(debian_codenames[0]);
             i++) {
            size_t n = strlen(debian_codenames[i].number);
            if (strncmp(os->version, debian_codenames[i].number, n) == 0 &&
                (os->version[n] == '\0' || os->version[n] == '.')) {
                code = debian_codenames[i].codename;
            }
        }
        if (code != NULL) {
            rc = customs_fmt(out, outsz, "debian:%s", code);
        }
    } else if (strcmp(os->id, "ubuntu") == 0 && os->version != NULL) {
        rc = customs_fmt(out, outsz, "ubuntu:%s", os->version);
    } else if (strcmp(os->id, "alpine") == 0 && os->version != NULL) {
        const char *dot = strchr(os->version, '.');
        const char *dot2 = dot != NULL ? strchr(dot + 1, '.') : NULL;
        int n = dot2 != NULL ? (int)(dot2 - os->version) : (int)strlen(os->version);
        rc = customs_fmt(out, outsz, "alpine:%.*s", n, os->version);
    }
    if (rc < 0) {
        out[0] = '\0'; /* never a clipped key, which could name another release */
    }
    return rc;
}

/* What to look up for one package: ecosystem key, package key, version and its order. */
struct query {
    char ecosystem[64];
    const char *package;
    const char *version;
    enum customs_version_scheme scheme;
};

/* What to look up for one package, or why nothing can be. */
static enum customs_match_reach query_for(struct query *q, const struct customs_package *p,
                                          const char *os_key)
{
    memset(q, 0, sizeof(*q));
    if (p->type == NULL || p->name == NULL || p->version == NULL) {
        return CUSTOMS_MATCH_NOT_APPLICABLE;
    }
    if (strcmp(p->type, "deb") == 0 || strcmp(p->type, "apk") == 0) {
        bool deb = p->type[0] == 'd';
        if (deb ? !(customs_str_has_prefix(os_key, "debian:") ||
                    customs_str_has_prefix(os_key, "ubuntu:"))
                : !customs_str_has_prefix(os_key, "alpine:")) {
            return CUSTOMS_MATCH_UNKNOWN_RELEASE;
        }
        if (customs_fmt(q->ecosystem, sizeof(q->ecosystem), "%s", os_key) < 0) {
            return CUSTOMS_MATCH_UNKNOWN_RELEASE; /* no key that long: never a clipped one */
        }
        q->package = p->source_name != NULL ? p->source_name : p->name;
        q->version = deb && p->source_version != NULL ? p->source_version : p->version;
        q->scheme = deb ? CUSTOMS_VERSION_DPKG : CUSTOMS_VERSION_APK;
    } else if (strcmp(p->type, "npm") == 0) {
        snprintf(q->ecosystem, sizeof(q->ecosystem), "npm");
        q->scheme = CUSTOMS_VERSION_NPM;
    } else if (strcmp(p->type, "pypi") == 0) {
        if (p->os_package != NULL) {
            return CUSTOMS_MATCH_NOT_APPLICABLE; /* matched as its OS package, by the distribution */
        }
        snprintf(q->ecosystem, sizeof(q->ecosystem), "pypi");
        q->scheme = CUSTOMS_VERSION_PEP440;
    } else if (strcmp(p->type, "golang") == 0) {
        if (strcmp(p->version, "(devel)") == 0) {
            return CUSTOMS_MATCH_NOT_APPLICABLE; /* a local build's main module: no version */
        }
        snprintf(q->ecosystem, sizeof(q->ecosystem), "go");
        q->scheme = CUSTOMS_VERSION_GO;
    } else {
        return CUSTOMS_MATCH_UNSUPPORTED;
    }
    if (q->package == NULL) {
        q->package = p->name;
        q->version = p->version;
    }
    return CUSTOMS_MATCH_CHECKED;
}

enum customs_match_reach customs_match_package_key(char *out, size_t outsz,
                                                   const struct customs_package *p,
                                                   const char *os_key)
{
    struct query q;
    enum customs_match_reach reach = query_for(&q, p, os_key);
    if (customs_fmt(out, outsz, "%s", reach == CUSTOMS_MATCH_CHECKED ? q.ecosystem : "") < 0) {
        out[0] = '\0';
        return CUSTOMS_MATCH_UNKNOWN_RELEASE;
    }
    return reach;
}

static bool in_versions(const char *json, const char *version, enum customs_version_scheme s)
{
    json_t *arr = json != NULL ? json_loads(json, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    bool found = false;
    json_array_foreach(arr, i, v) {
        const char *sv = json_string_value(v);
        if (sv != NULL && (strcmp(sv, version) == 0 || customs_version_cmp(s, sv, version) == 0)) {
            found = true;
            break;
        }
    }
    json_decref(arr);
    return found;
}

/* Does this row apply to `version`? */
static bool row_applies(const struct customs_vulndb_range *r, const char *version,
                        enum customs_version_scheme s)
{
    if (r->status != NULL && strcmp(r->status, "not_affected") == 0) {
        return false;
    }
    if (r->range_type != NULL && strcmp(r->range_type, "VERSIONS") == 0) {
        return in_versions(r->versions, version, s);
    }
    if (r->introduced != NULL && strcmp(r->introduced, "0") != 0 &&
        customs_version_cmp(s, version, r->introduced) < 0) {
        return false;
    }
    if (r->fixed != NULL) {
        return customs_version_cmp(s, version, r->fixed) < 0;
    }
    if (r->last_affected != NULL) {
        return customs_version_cmp(s, version, r->last_affected) <= 0;
    }
    if (r->limit != NULL) {
        return customs_version_cmp(s, version, r->limit) < 0;
    }
    return true; /* unfixed, or an open interval */
}

static enum customs_severity severity_word(const char *s)
{
    if (s == NULL) {
        return CUSTOMS_SEVERITY_UNKNOWN;
    }
    if (strcasecmp(s, "critical") == 0) {
        return CUSTOMS_SEVERITY_CRITICAL;
    }
    if (strcasecmp(s, "high") == 0 || strcasecmp(s, "important") == 0) {
        return CUSTOMS_SEVERITY_HIGH;
    }
    if (strcasecmp(s, "medium") == 0 || strcasecmp(s, "moderate") == 0) {
        return CUSTOMS_SEVERITY_MEDIUM;
    }
    if (strcasecmp(s, "low") == 0 || strcasecmp(s, "unimportant") == 0 ||
        strcasecmp(s, "negligible") == 0) {
        return CUSTOMS_SEVERITY_LOW;
    }
    return CUSTOMS_SEVERITY_UNKNOWN;
}

/*
 * One package's names (advisory ids and their aliases) in a union-find: rows whose names meet,
 * directly or through other rows, are one problem and give one finding. Every name is interned
 * once (a hash map) and unions are near-constant time, so a package whose advisories all alias
 * each other costs what reading their alias lists costs, not that squared or cubed.
 */
struct name_node {
    const char *name;
    size_t parent;
    size_t rank;
    size_t finding; /* index + 1 into the findings, at a root; 0: none yet */
    size_t cve;     /* at a root: node + 1 of the group's smallest CVE id; 0: none */
};

struct names {
    struct customs_arena arena;  /* the names, for one package */
    struct customs_strmap index; /* name -> node + 1 */
    struct customs_vec nodes;    /* struct name_node */
};

static void names_init(struct names *n)
{
    customs_arena_init(&n->arena);
    customs_strmap_init(&n->index);
    customs_vec_init(&n->nodes, sizeof(struct name_node));
}

static void names_release(struct names *n)
{
    customs_vec_release(&n->nodes);
    customs_strmap_release(&n->index);
    customs_arena_release(&n->arena);
}

static struct name_node *names_at(const struct names *n, size_t i)
{
    return customs_vec_at(&n->nodes, i);
}

/* The node of `name`, added if new; SIZE_MAX when out of memory. */
static size_t names_intern(struct names *n, const char *name)
{
    uintptr_t v = (uintptr_t)customs_strmap_get(&n->index, name);
    if (v != 0) {
        return (size_t)v - 1;
    }
    const char *copy = customs_arena_strdup(&n->arena, name);
    struct name_node *node = copy != NULL ? customs_vec_push(&n->nodes) : NULL;
    if (node == NULL) {
        return SIZE_MAX;
    }
    memset(node, 0, sizeof(*node));
    node->name = copy;
    node->parent = n->nodes.len - 1;
    if (customs_strmap_put(&n->index, copy, (void *)(uintptr_t)n->nodes.len) < 0) {
        n->nodes.len--;
        return SIZE_MAX;
    }
    return n->nodes.len - 1;
}

static size_t names_find(struct names *n, size_t i)
{
    while (names_at(n, i)->parent != i) {
        struct name_node *x = names_at(n, i);
        x->parent = names_at(n, x->parent)->parent; /* path halving */
        i = x->parent;
    }
    return i;
}

static void names_union(struct names *n, size_t a, size_t b)
{
    a = names_find(n, a);
    b = names_find(n, b);
    if (a == b) {
        return;
    }
    struct name_node *x = names_at(n, a), *y = names_at(n, b);
    if (x->rank < y->rank) {
        x->parent = b;
    } else {
        y->parent = a;
        x->rank += x->rank == y->rank;
    }
}

struct pending {
    struct customs_vec *out;
    struct customs_arena *arena;
    const struct customs_package *pkg;
    size_t index;
    const struct query *q;
    size_t first; /* findings of this package start here */
    struct names *names;
};

/* Pass 1: every name of every row of the package, joined with the row's id. */
static int on_names(const struct customs_vulndb_match *m, void *payload)
{
    struct pending *pd = payload;
    size_t id = names_intern(pd->names, m->vuln.id);
    if (id == SIZE_MAX) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < m->n_aliases; i++) {
        size_t a = names_intern(pd->names, m->aliases[i]);
        if (a == SIZE_MAX) {
            return CUSTOMS_ENOMEM;
        }
        names_union(pd->names, id, a);
    }
    return 0;
}

/* Between the passes: each group's smallest CVE id, the name its finding goes by. */
static void names_pick_cves(struct names *n)
{
    for (size_t i = 0; i < n->nodes.len; i++) {
        struct name_node *x = names_at(n, i);
        if (customs_str_has_prefix(x->name, "CVE-")) {
            struct name_node *r = names_at(n, names_find(n, i));
            if (r->cve == 0 || strcmp(x->name, names_at(n, r->cve - 1)->name) < 0) {
                r->cve = i + 1;
            }
        }
    }
}

/* After pass 2: every other name of a group is an alias of its finding. */
static int names_to_aliases(struct pending *pd)
{
    struct names *n = pd->names;
    for (int fill = 0; fill < 2; fill++) {
        for (size_t i = pd->first; fill == 1 && i < pd->out->len; i++) {
            struct customs_vuln_finding *f = customs_vec_at(pd->out, i);
            f->aliases = f->naliases > 0
                             ? customs_arena_alloc(pd->arena, f->naliases * sizeof(char *))
                             : NULL;
            if (f->naliases > 0 && f->aliases == NULL) {
                return CUSTOMS_ENOMEM;
            }
            f->naliases = 0;
        }
        for (size_t i = 0; i < n->nodes.len; i++) {
            const struct name_node *r = names_at(n, names_find(n, i));
            struct customs_vuln_finding *f =
                r->finding != 0 ? customs_vec_at(pd->out, r->finding - 1) : NULL;
            const char *name = names_at(n, i)->name;
            if (f == NULL || strcmp(name, f->id) == 0) {
                continue;
            }
            if (fill == 1) {
                f->aliases[f->naliases] = customs_arena_strdup(pd->arena, name);
                if (f->aliases[f->naliases] == NULL) {
                    return CUSTOMS_ENOMEM;
                }
            }
            f->naliases++;
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Who a matched row's own rating comes from: the distribution for an OS release's rows, the
 * advisory database otherwise. */
static const char *own_label(const struct customs_vulndb_range *r,
                             const struct customs_vulndb_match *m)
{
    static const char *const distros[] = {"debian:", "ubuntu:", "alpine:"};
    for (size_t i = 0; i < sizeof(distros) / sizeof(distros[0]); i++) {
        if (customs_str_has_prefix(r->ecosystem, distros[i])) {
            return i == 0 ? "debian" : i == 1 ? "ubuntu" : "alpine";
        }
    }
    return customs_str_has_prefix(m->vuln.id, "GHSA-") ? "ghsa" : "osv";
}

static int on_row(const struct customs_vulndb_match *m, void *payload)
{
    struct pending *pd = payload;
    const struct customs_vulndb_range *r = &m->range;
    if (m->vuln.withdrawn != NULL || !row_applies(r, pd->q->version, pd->q->scheme)) {
        return 0;
    }
    size_t node = (uintptr_t)customs_strmap_get(&pd->names->index, m->vuln.id);
    if (node == 0) {
        return CUSTOMS_ERROR; /* pass 1 saw every row */
    }
    struct name_node *root = names_at(pd->names, names_find(pd->names, node - 1));
    struct customs_vuln_finding *f =
        root->finding != 0 ? customs_vec_at(pd->out, root->finding - 1) : NULL;
    if (f == NULL) {
        /* the row's own id if it is a CVE, else the group's smallest CVE, else the row's id */
        const char *id = customs_str_has_prefix(m->vuln.id, "CVE-") || root->cve == 0
                             ? m->vuln.id
                             : names_at(pd->names, root->cve - 1)->name;
        f = customs_vec_push(pd->out);
        if (f == NULL) {
            return CUSTOMS_ENOMEM;
        }
        root->finding = pd->out->len;
        memset(f, 0, sizeof(*f));
        f->id = customs_arena_strdup(pd->arena, id);
        f->package = pd->index;
        f->name = pd->pkg->name;
        f->type = pd->pkg->type;
        f->installed = customs_arena_strdup(pd->arena, pd->q->version);
        f->status = "unfixed";
        f->severity = CUSTOMS_SEVERITY_UNKNOWN;
        f->cvss = -1;
        f->layer = pd->pkg->layer;
        f->source = customs_arena_strdup(pd->arena, m->source);
        if (f->id == NULL || f->installed == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    /* status: a fix beats no fix; the smallest fix above the installed version wins */
    const char *status = r->status != NULL ? r->status : (r->fixed != NULL ? "fixed" : "unfixed");
    if (r->fixed != NULL && strcmp(status, "fixed") == 0) {
        if (f->fixed == NULL || customs_version_cmp(pd->q->scheme, r->fixed, f->fixed) < 0) {
            f->fixed = customs_arena_strdup(pd->arena, r->fixed);
        }
        f->status = "fixed";
    } else if (f->fixed == NULL && strcmp(status, "unfixed") != 0) {
        f->status = strcmp(status, "will_not_fix") == 0   ? "will_not_fix"
                    : strcmp(status, "end_of_life") == 0 ? "end_of_life"
                                                         : "unfixed";
    }
    /* severity: the distribution's or database's own rating first, else the CVSS score */
    enum customs_severity own = severity_word(r->severity);
    if (own == CUSTOMS_SEVERITY_UNKNOWN) {
        own = severity_word(m->vuln.severity);
    }
    const char *own_source = own_label(r, m);
    if (own != CUSTOMS_SEVERITY_UNKNOWN && f->severity_source == NULL) {
        f->severity = own;
        f->severity_source = own_source;
    }
    if (f->title == NULL) {
        const char *t = m->vuln.title != NULL ? m->vuln.title : m->vuln.summary;
        if (t != NULL) {
            size_t n = strcspn(t, "\n");
            f->title = customs_arena_strndup(pd->arena, t, n > 200 ? 200 : n);
        }
    }
    return 0;
}

int customs_match_inventory(struct customs_vec *out, struct customs_arena *arena,
                            struct customs_vulndb *db, const struct customs_inventory *inv,
                            const struct customs_os *os, struct customs_error *err)
{
    char os_key[96];
    if (customs_match_os_key(os_key, sizeof(os_key), os) < 0) {
        /* A release name too long for any key is a release the database does not know: its
         * packages are not looked up, and the coverage check reports the unknown release. */
        os_key[0] = '\0';
    }
    for (size_t i = 0; i < inv->packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&inv->packages, i);
        struct query q;
        if (query_for(&q, p, os_key) != CUSTOMS_MATCH_CHECKED) {
            continue;
        }
        struct names names;
        names_init(&names);
        struct pending pd = {out, arena, p, i, &q, out->len, &names};
        /* two passes over the package's rows: the names and their groups, then the findings */
        int r = customs_vulndb_lookup(db, q.ecosystem, q.package, on_names, &pd, err);
        if (r == 0) {
            names_pick_cves(&names);
            r = customs_vulndb_lookup(db, q.ecosystem, q.package, on_row, &pd, err);
        }
        if (r == 0) {
            r = names_to_aliases(&pd);
        }
        names_release(&names);
        if (r != 0) {
            return r == CUSTOMS_ENOMEM || r > 0
                       ? customs_error_set(err, CUSTOMS_ENOMEM, "out of memory")
                       : r;
        }
        for (size_t k = pd.first; k < out->len; k++) {
            struct customs_vuln_finding *f = customs_vec_at(out, k);
            if (f->naliases > 1) {
                qsort(f->aliases, f->naliases, sizeof(char *), cmp_str);
            }
            if ((r = match_severity_join(f, arena, db, err)) != 0) {
                return r;
            }
        }
    }
    return 0;
}
