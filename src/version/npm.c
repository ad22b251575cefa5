/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npm versions and ranges with node-semver's semantics. A version is MAJOR.MINOR.PATCH
 * (each at most 2^53-1, as in JavaScript) with an optional -prerelease and +build; ranges are
 * sets of comparators joined by "||". Each range operator (x-ranges, ~, ^, hyphen ranges,
 * partial versions) is rewritten into at most two primitive comparators (op, version) exactly
 * as node-semver desugars it, and the primitives are evaluated while walking the range
 * string, without allocating.
 */
#include "version/version.h"

#include <string.h>

#include "core/banned.h"

#define NPM_MAX_LENGTH 256
#define NPM_MAX_SAFE 9007199254740991ULL /* Number.MAX_SAFE_INTEGER */

struct npm_ver {
    uint64_t num[3];
    const char *pre; /* dot-separated prerelease identifiers, without the '-' */
    size_t pre_len;
};

/* A partial version as written in a range: missing, x, X and * components are wildcards. */
struct npm_partial {
    bool x[3];
    uint64_t num[3];
    const char *pre;
    size_t pre_len;
    bool has_build;
    bool plain_prefix; /* the prefix before the digits is "" or "v" */
};

enum npm_op { NPM_ANY, NPM_EQ, NPM_LT, NPM_LE, NPM_GT, NPM_GE };

struct npm_prim {
    enum npm_op op;
    struct npm_ver v;
};

static const char npm_zero[] = "0";

static bool npm_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool npm_is_ident(char c)
{
    return npm_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static bool npm_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* A number component: strict "0|[1-9][0-9]*", loose "[0-9]+"; at most 2^53-1. */
static bool npm_number(const char *s, size_t len, size_t *pos, bool loose, uint64_t *out)
{
    size_t i = *pos;
    uint64_t v = 0;
    while (i < len && npm_is_digit(s[i])) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > NPM_MAX_SAFE) {
            return false;
        }
        i++;
    }
    if (i == *pos || (!loose && s[*pos] == '0' && i - *pos > 1)) {
        return false;
    }
    *pos = i;
    *out = v;
    return true;
}

/* Dot-separated identifiers [0-9A-Za-z-]+; numeric ones need no leading zero when strict. */
static bool npm_idents(const char *s, size_t len, size_t *pos, bool strict_numeric)
{
    size_t i = *pos;
    for (;;) {
        size_t start = i;
        bool numeric = true;
        while (i < len && npm_is_ident(s[i])) {
            numeric = numeric && npm_is_digit(s[i]);
            i++;
        }
        if (i == start) {
            return false;
        }
        if (strict_numeric && numeric && s[start] == '0' && i - start > 1) {
            return false;
        }
        if (i < len && s[i] == '.') {
            i++;
            continue;
        }
        break;
    }
    *pos = i;
    return true;
}

/* Parse the whole slice as a partial version ("[v=]*xr(.xr(.xr pre? build?)?)?"). */
static bool npm_partial_parse(const char *s, size_t len, bool loose, struct npm_partial *p)
{
    size_t i = 0;
    memset(p, 0, sizeof(*p));
    p->x[0] = p->x[1] = p->x[2] = true;
    while (i < len && (s[i] == 'v' || s[i] == '=' || npm_is_space(s[i]))) {
        i++;
    }
    p->plain_prefix = i == 0 || (i == 1 && s[0] == 'v');
    for (int k = 0; k < 3; k++) {
        if (k > 0) {
            if (i >= len || s[i] != '.') {
                break;
            }
            i++;
        }
        if (i < len && (s[i] == 'x' || s[i] == 'X' || s[i] == '*')) {
            i++;
            continue;
        }
        if (!npm_number(s, len, &i, loose, &p->num[k])) {
            return false;
        }
        p->x[k] = false;
        if (k == 2) {
            size_t before = i;
            if (i < len && s[i] == '-') {
                i++;
                if (!npm_idents(s, len, &i, !loose)) {
                    return false;
                }
            } else if (loose && i < len && s[i] != '+' && npm_is_ident(s[i])) {
                if (!npm_idents(s, len, &i, false)) {
                    return false;
                }
            }
            if (i > before) {
                p->pre = s + before + (s[before] == '-' ? 1 : 0);
                p->pre_len = (size_t)(s + i - p->pre);
            }
            if (i < len && s[i] == '+') {
                i++;
                if (!npm_idents(s, len, &i, false)) {
                    return false;
                }
                p->has_build = true;
            }
        }
    }
    /* a wildcard third component may still carry a prerelease in node-semver's grammar */
    if (p->x[2] && !p->x[1] && i < len && (s[i] == '-' || s[i] == '+')) {
        if (s[i] == '-') {
            i++;
            if (!npm_idents(s, len, &i, !loose)) {
                return false;
            }
        }
        if (i < len && s[i] == '+') {
            i++;
            if (!npm_idents(s, len, &i, false)) {
                return false;
            }
        }
    }
    return i == len;
}

static bool npm_parse(const char *s, uint32_t flags, struct npm_ver *v)
{
    size_t len = strlen(s);
    if (len > NPM_MAX_LENGTH) {
        return false;
    }
    while (len > 0 && npm_is_space(*s)) {
        s++;
        len--;
    }
    while (len > 0 && npm_is_space(s[len - 1])) {
        len--;
    }
    bool loose = (flags & CUSTOMS_VERSION_NPM_LOOSE) != 0;
    struct npm_partial p;
    if (!npm_partial_parse(s, len, loose, &p) || p.x[0] || p.x[1] || p.x[2]) {
        return false;
    }
    for (size_t i = 0; i < len && !npm_is_digit(s[i]); i++) {
        if (npm_is_space(s[i]) && !loose) {
            return false;
        }
    }
    if (!loose && !p.plain_prefix) {
        return false;
    }
    memcpy(v->num, p.num, sizeof(v->num));
    v->pre = p.pre;
    v->pre_len = p.pre_len;
    return true;
}

static int npm_ident_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    bool anum = true;
    bool bnum = true;
    for (size_t i = 0; i < alen; i++) {
        anum = anum && npm_is_digit(a[i]);
    }
    for (size_t i = 0; i < blen; i++) {
        bnum = bnum && npm_is_digit(b[i]);
    }
    if (anum && bnum) {
        return customs_version_digits_cmp(a, alen, b, blen);
    }
    if (anum != bnum) {
        return anum ? -1 : 1;
    }
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c == 0) {
        return (alen > blen) - (alen < blen);
    }
    return c < 0 ? -1 : 1;
}

static int npm_ver_cmp(const struct npm_ver *a, const struct npm_ver *b)
{
    for (int k = 0; k < 3; k++) {
        if (a->num[k] != b->num[k]) {
            return a->num[k] < b->num[k] ? -1 : 1;
        }
    }
    if (a->pre_len == 0 || b->pre_len == 0) {
        return (a->pre_len == 0) - (b->pre_len == 0);
    }
    size_t i = 0;
    size_t j = 0;
    for (;;) {
        if (i >= a->pre_len || j >= b->pre_len) {
            return (i < a->pre_len) - (j < b->pre_len);
        }
        size_t is = i;
        size_t js = j;
        while (i < a->pre_len && a->pre[i] != '.') {
            i++;
        }
        while (j < b->pre_len && b->pre[j] != '.') {
            j++;
        }
        int c = npm_ident_cmp(a->pre + is, i - is, b->pre + js, j - js);
        if (c != 0) {
            return c;
        }
        i++;
        j++;
    }
}

/* Order invalid strings before valid ones, and among themselves bytewise. */
static int npm_cmp_any(const char *a, const char *b, uint32_t flags)
{
    struct npm_ver va;
    struct npm_ver vb;
    bool oka = npm_parse(a, flags, &va);
    bool okb = npm_parse(b, flags, &vb);
    if (oka && okb) {
        return npm_ver_cmp(&va, &vb);
    }
    if (oka != okb) {
        return oka ? 1 : -1;
    }
    int c = strcmp(a, b);
    return (c > 0) - (c < 0);
}

int customs_version_cmp_npm(const char *a, const char *b)
{
    return npm_cmp_any(a, b, 0);
}

int customs_version_npm_cmp_opts(const char *a, const char *b, uint32_t flags)
{
    return npm_cmp_any(a, b, flags);
}

bool customs_version_valid_npm(const char *v)
{
    struct npm_ver ver;
    return npm_parse(v, 0, &ver);
}

bool customs_version_npm_valid_opts(const char *v, uint32_t flags)
{
    struct npm_ver ver;
    return npm_parse(v, flags, &ver);
}

/* ---- ranges ---- */

/* Receives each primitive comparator of a set; returns false to stop the walk. */
typedef bool (*npm_prim_fn)(void *ctx, const struct npm_prim *p);

struct npm_emit {
    npm_prim_fn fn;
    void *ctx;
    bool stopped;
};

static void npm_emit(struct npm_emit *e, enum npm_op op, uint64_t major, uint64_t minor,
                     uint64_t patch, const char *pre, size_t pre_len)
{
    if (e->stopped) {
        return;
    }
    struct npm_prim p = {op, {{major, minor, patch}, pre, pre_len}};
    if (!e->fn(e->ctx, &p)) {
        e->stopped = true;
    }
}

static void npm_emit_any(struct npm_emit *e)
{
    npm_emit(e, NPM_ANY, 0, 0, 0, NULL, 0);
}

/* "-0" when includePrerelease is set, else nothing. */
static size_t npm_z(uint32_t flags)
{
    return (flags & CUSTOMS_VERSION_NPM_INCLUDE_PRERELEASE) != 0 ? 1 : 0;
}

static void npm_desugar_tilde(struct npm_emit *e, const struct npm_partial *p, uint32_t flags)
{
    const uint64_t *n = p->num;
    if (p->x[0]) {
        npm_emit_any(e);
    } else if (p->x[1]) {
        npm_emit(e, NPM_GE, n[0], 0, 0, npm_zero, npm_z(flags));
        npm_emit(e, NPM_LT, n[0] + 1, 0, 0, npm_zero, 1);
    } else if (p->x[2]) {
        npm_emit(e, NPM_GE, n[0], n[1], 0, npm_zero, npm_z(flags));
        npm_emit(e, NPM_LT, n[0], n[1] + 1, 0, npm_zero, 1);
    } else {
        npm_emit(e, NPM_GE, n[0], n[1], n[2], p->pre, p->pre_len);
        npm_emit(e, NPM_LT, n[0], n[1] + 1, 0, npm_zero, 1);
    }
}

static void npm_desugar_caret(struct npm_emit *e, const struct npm_partial *p, uint32_t flags)
{
    const uint64_t *n = p->num;
    if (p->x[0]) {
        npm_emit_any(e);
    } else if (p->x[1]) {
        npm_emit(e, NPM_GE, n[0], 0, 0, npm_zero, npm_z(flags));
        npm_emit(e, NPM_LT, n[0] + 1, 0, 0, npm_zero, 1);
    } else if (p->x[2]) {
        npm_emit(e, NPM_GE, n[0], n[1], 0, npm_zero, npm_z(flags));
        if (n[0] == 0) {
            npm_emit(e, NPM_LT, 0, n[1] + 1, 0, npm_zero, 1);
        } else {
            npm_emit(e, NPM_LT, n[0] + 1, 0, 0, npm_zero, 1);
        }
    } else {
        npm_emit(e, NPM_GE, n[0], n[1], n[2], p->pre, p->pre_len);
        if (n[0] == 0 && n[1] == 0) {
            npm_emit(e, NPM_LT, 0, 0, n[2] + 1, npm_zero, 1);
        } else if (n[0] == 0) {
            npm_emit(e, NPM_LT, 0, n[1] + 1, 0, npm_zero, 1);
        } else {
            npm_emit(e, NPM_LT, n[0] + 1, 0, 0, npm_zero, 1);
        }
    }
}

/* gtlt is "", "=", "<", "<=", ">" or ">=". Returns false when the comparator is invalid. */
static bool npm_desugar_xrange(struct npm_emit *e, const char *gtlt, size_t gtlt_len,
                               const struct npm_partial *p, uint32_t flags)
{
    bool xM = p->x[0];
    bool xm = xM || p->x[1];
    bool xp = xm || p->x[2];
    bool lt = gtlt_len > 0 && gtlt[0] == '<';
    bool gt = gtlt_len > 0 && gtlt[0] == '>';
    bool eq = gtlt_len > 0 && gtlt[gtlt_len - 1] == '=';
    uint64_t M = p->num[0];
    uint64_t m = p->num[1];
    uint64_t pt = p->num[2];

    if (!xp) {
        if (!p->plain_prefix && (flags & CUSTOMS_VERSION_NPM_LOOSE) == 0) {
            return false;
        }
        enum npm_op op = lt ? (eq ? NPM_LE : NPM_LT) : gt ? (eq ? NPM_GE : NPM_GT) : NPM_EQ;
        npm_emit(e, op, M, m, pt, p->pre, p->pre_len);
        return true;
    }
    if (xM) {
        if ((lt || gt) && !eq) {
            npm_emit(e, NPM_LT, 0, 0, 0, npm_zero, 1); /* nothing matches */
        } else {
            npm_emit_any(e);
        }
        return true;
    }
    if (lt || gt) {
        if (xm) {
            m = 0;
        }
        pt = 0;
        enum npm_op op = lt ? (eq ? NPM_LE : NPM_LT) : (eq ? NPM_GE : NPM_GT);
        if (op == NPM_GT) {
            op = NPM_GE;
            if (xm) {
                M++;
                m = 0;
            } else {
                m++;
            }
        } else if (op == NPM_LE) {
            op = NPM_LT;
            if (xm) {
                M++;
            } else {
                m++;
            }
        }
        size_t z = op == NPM_LT ? 1 : npm_z(flags);
        npm_emit(e, op, M, m, pt, npm_zero, z);
        return true;
    }
    if (xm) {
        npm_emit(e, NPM_GE, M, 0, 0, npm_zero, npm_z(flags));
        npm_emit(e, NPM_LT, M + 1, 0, 0, npm_zero, 1);
    } else {
        npm_emit(e, NPM_GE, M, m, 0, npm_zero, npm_z(flags));
        npm_emit(e, NPM_LT, M, m + 1, 0, npm_zero, 1);
    }
    return true;
}

static bool npm_desugar_hyphen(struct npm_emit *e, const struct npm_partial *f,
                               const struct npm_partial *t, uint32_t flags)
{
    bool loose = (flags & CUSTOMS_VERSION_NPM_LOOSE) != 0;
    bool incpr = npm_z(flags) != 0;
    if (f->x[0]) {
        /* no lower bound */
    } else if (f->x[1]) {
        npm_emit(e, NPM_GE, f->num[0], 0, 0, npm_zero, npm_z(flags));
    } else if (f->x[2]) {
        npm_emit(e, NPM_GE, f->num[0], f->num[1], 0, npm_zero, npm_z(flags));
    } else {
        if (!loose && !f->plain_prefix) {
            return false;
        }
        if (f->pre_len > 0) {
            npm_emit(e, NPM_GE, f->num[0], f->num[1], f->num[2], f->pre, f->pre_len);
        } else {
            /* node-semver appends "-0" after the text, so a build swallows it */
            size_t z = f->has_build ? 0 : npm_z(flags);
            npm_emit(e, NPM_GE, f->num[0], f->num[1], f->num[2], npm_zero, z);
        }
    }
    if (t->x[0]) {
        /* no upper bound */
    } else if (t->x[1]) {
        npm_emit(e, NPM_LT, t->num[0] + 1, 0, 0, npm_zero, 1);
    } else if (t->x[2]) {
        npm_emit(e, NPM_LT, t->num[0], t->num[1] + 1, 0, npm_zero, 1);
    } else if (t->pre_len > 0) {
        npm_emit(e, NPM_LE, t->num[0], t->num[1], t->num[2], t->pre, t->pre_len);
    } else if (incpr) {
        npm_emit(e, NPM_LT, t->num[0], t->num[1], t->num[2] + 1, npm_zero, 1);
    } else {
        if (!loose && !t->plain_prefix) {
            return false;
        }
        npm_emit(e, NPM_LE, t->num[0], t->num[1], t->num[2], NULL, 0);
    }
    if (f->x[0] && t->x[0]) {
        npm_emit_any(e);
    }
    return true;
}

struct npm_word {
    const char *s;
    size_t len;
};

static bool npm_next_word(const char *s, size_t len, size_t *pos, struct npm_word *w)
{
    size_t i = *pos;
    while (i < len && npm_is_space(s[i])) {
        i++;
    }
    if (i >= len) {
        *pos = i;
        return false;
    }
    size_t start = i;
    while (i < len && !npm_is_space(s[i])) {
        i++;
    }
    w->s = s + start;
    w->len = i - start;
    *pos = i;
    return true;
}

static bool npm_word_is(const struct npm_word *w, const char *lit)
{
    return w->len == strlen(lit) && memcmp(w->s, lit, w->len) == 0;
}

/*
 * Walk one comparator set (the text between "||"), calling e->fn for each primitive.
 * Returns false when the set is invalid (strict mode); in loose mode invalid comparators are
 * skipped, as node-semver filters them.
 */
static bool npm_walk_set(const char *s, size_t len, uint32_t flags, struct npm_emit *e)
{
    bool loose = (flags & CUSTOMS_VERSION_NPM_LOOSE) != 0;
    struct npm_word w[3];
    size_t pos = 0;
    size_t nwords = 0;
    while (nwords < 3 && npm_next_word(s, len, &pos, &w[nwords])) {
        nwords++;
    }
    struct npm_word extra;
    size_t probe = pos;
    if (nwords == 3 && !npm_next_word(s, len, &probe, &extra) && npm_word_is(&w[1], "-")) {
        struct npm_partial f;
        struct npm_partial t;
        if (npm_partial_parse(w[0].s, w[0].len, loose, &f) &&
            npm_partial_parse(w[2].s, w[2].len, loose, &t)) {
            return npm_desugar_hyphen(e, &f, &t, flags) || loose;
        }
    }
    if (nwords == 0) {
        npm_emit_any(e);
        return true;
    }

    pos = 0;
    struct npm_word word;
    while (!e->stopped && npm_next_word(s, len, &pos, &word)) {
        const char *op = word.s;
        size_t i = 0;
        int kind = 0; /* 0 gtlt, 1 tilde, 2 caret */
        if (word.s[0] == '~') {
            kind = 1;
            i = 1;
            if (i < word.len && word.s[i] == '>') {
                i++;
            }
        } else if (word.s[0] == '^') {
            kind = 2;
            i = 1;
        } else {
            if (i < word.len && (word.s[i] == '<' || word.s[i] == '>')) {
                i++;
            }
            if (i < word.len && word.s[i] == '=') {
                i++;
            }
        }
        size_t op_len = i;
        const char *ver = word.s + i;
        size_t ver_len = word.len - i;
        if (ver_len == 0 && op_len > 0) {
            /* "> 1.2.3", "~ 1.2", "^ 1": the operator takes the next word */
            struct npm_word next;
            size_t save = pos;
            if (npm_next_word(s, len, &pos, &next)) {
                ver = next.s;
                ver_len = next.len;
            } else {
                pos = save;
            }
        }
        struct npm_partial p;
        bool ok = ver_len > 0 && npm_partial_parse(ver, ver_len, loose, &p);
        if (ok) {
            if (kind == 1) {
                npm_desugar_tilde(e, &p, flags);
            } else if (kind == 2) {
                npm_desugar_caret(e, &p, flags);
            } else {
                ok = npm_desugar_xrange(e, op, op_len, &p, flags);
            }
        }
        if (!ok && !loose) {
            return false;
        }
    }
    return true;
}

static bool npm_test(const struct npm_prim *p, const struct npm_ver *v)
{
    if (p->op == NPM_ANY) {
        return true;
    }
    int c = npm_ver_cmp(v, &p->v);
    switch (p->op) {
    case NPM_EQ:
        return c == 0;
    case NPM_LT:
        return c < 0;
    case NPM_LE:
        return c <= 0;
    case NPM_GT:
        return c > 0;
    case NPM_GE:
        return c >= 0;
    case NPM_ANY:
    default:
        return true;
    }
}

/* Iterate the "||" parts of a range. */
static bool npm_next_set(const char *range, size_t len, size_t *pos, const char **set,
                         size_t *set_len)
{
    if (*pos > len) {
        return false;
    }
    const char *start = range + *pos;
    const char *bar = strstr(start, "||");
    size_t n = bar != NULL ? (size_t)(bar - start) : len - *pos;
    *set = start;
    *set_len = n;
    *pos += n + 2;
    return true;
}

struct npm_count {
    size_t prims;
    size_t non_any;
    bool null_set;
};

static bool npm_count_fn(void *ctx, const struct npm_prim *p)
{
    struct npm_count *c = ctx;
    c->prims++;
    if (p->op != NPM_ANY) {
        c->non_any++;
    }
    if (p->op == NPM_LT && p->v.num[0] == 0 && p->v.num[1] == 0 && p->v.num[2] == 0 &&
        p->v.pre_len == 1 && p->v.pre[0] == '0') {
        c->null_set = true;
    }
    return true;
}

/* Count the primitives of a set; false when the set is invalid. */
static bool npm_count_set(const char *s, size_t len, uint32_t flags, struct npm_count *c)
{
    memset(c, 0, sizeof(*c));
    struct npm_emit e = {npm_count_fn, c, false};
    return npm_walk_set(s, len, flags, &e);
}

/* Validate the whole range: every set parses and at least one set is non-empty. */
static bool npm_range_valid(const char *range, uint32_t flags)
{
    size_t range_len = strlen(range);
    size_t pos = 0;
    const char *set;
    size_t set_len;
    size_t nonempty = 0;
    while (npm_next_set(range, range_len, &pos, &set, &set_len)) {
        struct npm_count c;
        if (!npm_count_set(set, set_len, flags, &c)) {
            return false;
        }
        nonempty += c.prims > 0 ? 1 : 0;
    }
    return nonempty > 0;
}

struct npm_sat {
    const struct npm_ver *v;
    bool all;
    bool pre_allowed; /* some comparator names the same [major, minor, patch] with a pre */
};

static bool npm_sat_fn(void *ctx, const struct npm_prim *p)
{
    struct npm_sat *s = ctx;
    if (!npm_test(p, s->v)) {
        s->all = false;
        return false;
    }
    if (p->op != NPM_ANY && p->v.pre_len > 0 && p->v.num[0] == s->v->num[0] &&
        p->v.num[1] == s->v->num[1] && p->v.num[2] == s->v->num[2]) {
        s->pre_allowed = true;
    }
    return true;
}

bool customs_version_npm_satisfies_opts(const char *version, const char *range, uint32_t flags)
{
    struct npm_ver v;
    if (version == NULL || range == NULL || !npm_parse(version, flags, &v) ||
        !npm_range_valid(range, flags)) {
        return false;
    }
    size_t range_len = strlen(range);
    size_t pos = 0;
    const char *set;
    size_t set_len;
    while (npm_next_set(range, range_len, &pos, &set, &set_len)) {
        struct npm_count c;
        npm_count_set(set, set_len, flags, &c);
        if (c.prims == 0) {
            continue;
        }
        struct npm_sat s = {&v, true, false};
        struct npm_emit e = {npm_sat_fn, &s, false};
        npm_walk_set(set, set_len, flags, &e);
        if (!s.all) {
            continue;
        }
        if (v.pre_len > 0 && (flags & CUSTOMS_VERSION_NPM_INCLUDE_PRERELEASE) == 0 &&
            !s.pre_allowed) {
            continue;
        }
        return true;
    }
    return false;
}

bool customs_version_npm_satisfies(const char *version, const char *range)
{
    return customs_version_npm_satisfies_opts(version, range, 0);
}

struct npm_edge {
    bool have;
    bool skip_any; /* the set has other comparators: node-semver drops "*" */
    bool gtr;
    struct npm_prim high;
    struct npm_prim low;
};

static bool npm_edge_fn(void *ctx, const struct npm_prim *p)
{
    struct npm_edge *e = ctx;
    struct npm_prim c = *p;
    if (c.op == NPM_ANY) {
        if (e->skip_any) {
            return true;
        }
        c.op = NPM_GE; /* ">=0.0.0" */
        memset(&c.v, 0, sizeof(c.v));
    }
    if (!e->have) {
        e->high = c;
        e->low = c;
        e->have = true;
    }
    int hi = npm_ver_cmp(&c.v, &e->high.v);
    int lo = npm_ver_cmp(&c.v, &e->low.v);
    if (e->gtr ? hi > 0 : hi < 0) {
        e->high = c;
    } else if (e->gtr ? lo < 0 : lo > 0) {
        e->low = c;
    }
    return true;
}

bool customs_version_npm_outside(const char *version, const char *range, char hilo,
                                 uint32_t flags)
{
    struct npm_ver v;
    if (version == NULL || range == NULL || (hilo != '>' && hilo != '<') ||
        !npm_parse(version, flags, &v) || !npm_range_valid(range, flags)) {
        return false;
    }
    if (customs_version_npm_satisfies_opts(version, range, flags)) {
        return false;
    }
    bool gtr = hilo == '>';
    enum npm_op comp = gtr ? NPM_GT : NPM_LT;
    enum npm_op ecomp = gtr ? NPM_GE : NPM_LE;

    /* node-semver drops null sets when others exist, and a lone "*" set absorbs the rest */
    size_t range_len = strlen(range);
    size_t sets = 0;
    size_t null_sets = 0;
    size_t pos = 0;
    const char *set;
    size_t set_len;
    while (npm_next_set(range, range_len, &pos, &set, &set_len)) {
        struct npm_count c;
        npm_count_set(set, set_len, flags, &c);
        if (c.prims > 0) {
            sets++;
            null_sets += c.null_set ? 1 : 0;
        }
    }
    bool drop_null = sets > 1 && null_sets < sets;

    pos = 0;
    while (npm_next_set(range, range_len, &pos, &set, &set_len)) {
        struct npm_count c;
        npm_count_set(set, set_len, flags, &c);
        if (c.prims == 0 || (drop_null && c.null_set)) {
            continue;
        }
        struct npm_edge edge;
        memset(&edge, 0, sizeof(edge));
        edge.gtr = gtr;
        if (c.null_set) {
            struct npm_prim ns = {NPM_LT, {{0, 0, 0}, npm_zero, 1}};
            npm_edge_fn(&edge, &ns);
        } else {
            edge.skip_any = c.non_any > 0;
            struct npm_emit e = {npm_edge_fn, &edge, false};
            npm_walk_set(set, set_len, flags, &e);
        }
        if (!edge.have) {
            continue;
        }
        if (edge.high.op == comp || edge.high.op == ecomp) {
            return false;
        }
        int c_low = npm_ver_cmp(&v, &edge.low.v);
        bool lte = gtr ? c_low <= 0 : c_low >= 0;
        bool lt = gtr ? c_low < 0 : c_low > 0;
        if ((edge.low.op == NPM_EQ || edge.low.op == comp) && lte) {
            return false;
        }
        if (edge.low.op == ecomp && lt) {
            return false;
        }
    }
    return true;
}
