/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Maven versions as ComparableVersion orders them. A version (lower-cased) is parsed into a
 * tree: a list of items (numbers, qualifier strings, string+number combinations such as
 * "rc1", and sub-lists opened by '-' or by a digit/letter transition); trailing "null" items
 * (0, "", ...) are removed from each list; then trees are compared item by item, a missing
 * item comparing as null. Known qualifiers order alpha < beta < milestone < rc = cr <
 * snapshot < "" = ga = final = release < sp < anything else (lexically).
 *
 * The tree lives in one allocation of nodes per version (linked by index-free pointers);
 * versions longer than MAVEN_MAX_LENGTH (upstream's own bound), and allocation failures, fall
 * back to ordering bytewise after every parsable version.
 */
#include "version/version.h"

#include <string.h>

#include "core/core.h"

#include "core/banned.h"

#define MAVEN_MAX_LENGTH 256

enum maven_kind { MAVEN_INT, MAVEN_STR, MAVEN_COMB, MAVEN_LIST };

struct maven_node {
    enum maven_kind kind;
    const char *s; /* INT: digits without leading zeros; STR/COMB: the qualifier */
    size_t len;
    const char *d; /* COMB: the number part (leading zeros stripped) */
    size_t dlen;
    struct maven_node *first; /* LIST: children */
    struct maven_node *last;
    struct maven_node *prev; /* siblings */
    struct maven_node *next;
};

struct maven_tree {
    char *text; /* the lower-cased version */
    struct maven_node *nodes;
    size_t used;
    size_t cap;
    struct maven_node *root;
};

static bool maven_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- lower-casing: ASCII plus the common two-byte UTF-8 letters (Latin-1, Latin
 * Extended-A, Greek, Cyrillic); the mapped letter always has the same encoded length ---- */

static unsigned maven_lower_cp(unsigned cp)
{
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) {
        return cp + 0x20;
    }
    if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 &&
        cp != 0x149 && cp != 0x17F) {
        bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if (odd_upper ? (cp % 2 == 1) : (cp % 2 == 0)) {
            return cp + 1;
        }
        return cp;
    }
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) {
        return cp + 0x20;
    }
    if (cp == 0x386) {
        return 0x3AC;
    }
    if (cp >= 0x388 && cp <= 0x38A) {
        return cp + 0x25;
    }
    if (cp == 0x38C) {
        return 0x3CC;
    }
    if (cp == 0x38E || cp == 0x38F) {
        return cp + 0x3F;
    }
    if (cp >= 0x410 && cp <= 0x42F) {
        return cp + 0x20;
    }
    if (cp >= 0x400 && cp <= 0x40F) {
        return cp + 0x50;
    }
    return cp;
}

static void maven_lower(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') {
            s[i] = (char)(c - 'A' + 'a');
        } else if (c >= 0xC2 && c <= 0xDF && i + 1 < len &&
                   ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            unsigned cp = ((unsigned)(c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F);
            unsigned lo = maven_lower_cp(cp);
            if (lo != cp && lo >= 0x80 && lo < 0x800) {
                s[i] = (char)(0xC0 | (lo >> 6));
                s[i + 1] = (char)(0x80 | (lo & 0x3F));
            }
            i++;
        }
    }
}

/* ---- tree building ---- */

static struct maven_node *maven_new(struct maven_tree *t, enum maven_kind kind)
{
    if (t->used >= t->cap) {
        return NULL; /* cannot happen: cap bounds the items a string of this length yields */
    }
    struct maven_node *n = &t->nodes[t->used++];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    return n;
}

static void maven_append(struct maven_node *list, struct maven_node *item)
{
    item->prev = list->last;
    item->next = NULL;
    if (list->last != NULL) {
        list->last->next = item;
    } else {
        list->first = item;
    }
    list->last = item;
}

static void maven_unlink(struct maven_node *list, struct maven_node *item)
{
    if (item->prev != NULL) {
        item->prev->next = item->next;
    } else {
        list->first = item->next;
    }
    if (item->next != NULL) {
        item->next->prev = item->prev;
    } else {
        list->last = item->prev;
    }
}

static void maven_strip_zeros(const char **s, size_t *len)
{
    while (*len > 1 && **s == '0') {
        (*s)++;
        (*len)--;
    }
    if (*len == 0) {
        *s = "0";
        *len = 1;
    }
}

/* A qualifier string: single letters before a number are abbreviations; "cr" is "rc". */
static void maven_qualifier(struct maven_node *n, const char *s, size_t len,
                            bool followed_by_digit)
{
    n->s = s;
    n->len = len;
    if (followed_by_digit && len == 1) {
        if (s[0] == 'a') {
            n->s = "alpha";
        } else if (s[0] == 'b') {
            n->s = "beta";
        } else if (s[0] == 'm') {
            n->s = "milestone";
        }
        n->len = strlen(n->s);
    }
    if (n->len == 2 && memcmp(n->s, "cr", 2) == 0) {
        n->s = "rc";
    }
}

static struct maven_node *maven_item(struct maven_tree *t, bool comb, bool digit, size_t start,
                                     size_t end)
{
    const char *s = t->text + start;
    size_t len = end - start;
    struct maven_node *n;
    if (comb) {
        n = maven_new(t, MAVEN_COMB);
        if (n == NULL) {
            return NULL;
        }
        size_t dpos = 0;
        while (dpos < len && !maven_is_digit(s[dpos])) {
            dpos++;
        }
        size_t qlen = dpos;
        if (qlen > 0 && s[qlen - 1] == '-') {
            qlen--; /* "x-1" is read as "x1" */
        }
        maven_qualifier(n, s, qlen, true);
        n->d = s + dpos;
        n->dlen = len - dpos;
        maven_strip_zeros(&n->d, &n->dlen);
    } else if (digit) {
        n = maven_new(t, MAVEN_INT);
        if (n == NULL) {
            return NULL;
        }
        n->s = s;
        n->len = len;
        maven_strip_zeros(&n->s, &n->len);
    } else {
        n = maven_new(t, MAVEN_STR);
        if (n == NULL) {
            return NULL;
        }
        maven_qualifier(n, s, len, false);
    }
    return n;
}

static bool maven_is_null(const struct maven_node *n)
{
    switch (n->kind) {
    case MAVEN_INT:
        return n->len == 1 && n->s[0] == '0';
    case MAVEN_STR:
        return n->len == 0;
    case MAVEN_LIST:
        return n->first == NULL;
    case MAVEN_COMB:
    default:
        return false;
    }
}

/* Drop null items that end the list or precede a qualifier; unwrap a lone sub-list. */
static void maven_normalize(struct maven_node *list)
{
    struct maven_node *it = list->last;
    while (it != NULL) {
        struct maven_node *prev = it->prev;
        if (maven_is_null(it)) {
            struct maven_node *nx = it->next;
            if (nx == NULL || nx->kind == MAVEN_STR) {
                maven_unlink(list, it);
            } else if (nx->kind == MAVEN_LIST && nx->first != NULL &&
                       (nx->first->kind == MAVEN_COMB || nx->first->kind == MAVEN_STR)) {
                maven_unlink(list, it);
            }
        }
        it = prev;
    }
    if (list->first != NULL && list->first == list->last && list->first->kind == MAVEN_LIST) {
        struct maven_node *inner = list->first;
        list->first = inner->first;
        list->last = inner->last;
    }
}

static bool maven_push(struct maven_tree *t, struct maven_node **cur, struct maven_node *item)
{
    if (item == NULL) {
        return false;
    }
    maven_append(*cur, item);
    return true;
}

static bool maven_open_list(struct maven_tree *t, struct maven_node **cur)
{
    struct maven_node *l = maven_new(t, MAVEN_LIST);
    if (l == NULL) {
        return false;
    }
    maven_append(*cur, l);
    *cur = l;
    return true;
}

static void maven_tree_release(struct maven_tree *t)
{
    customs_free(t->text);
    customs_free(t->nodes);
    memset(t, 0, sizeof(*t));
}

static bool maven_parse(struct maven_tree *t, const char *v)
{
    memset(t, 0, sizeof(*t));
    size_t len = strlen(v);
    if (len > MAVEN_MAX_LENGTH) {
        return false;
    }
    t->text = customs_strdup(v);
    t->cap = 2 * len + 4;
    t->nodes = customs_calloc(t->cap, sizeof(*t->nodes));
    if (t->text == NULL || t->nodes == NULL) {
        maven_tree_release(t);
        return false;
    }
    maven_lower(t->text, len);
    const char *s = t->text;
    t->root = maven_new(t, MAVEN_LIST);
    struct maven_node *cur = t->root;
    bool digit = false;
    bool comb = false;
    size_t start = 0;
    bool ok = true;
    for (size_t i = 0; i < len && ok; i++) {
        char c = s[i];
        if (c == '.') {
            if (i == start) {
                ok = maven_push(t, &cur, maven_item(t, false, true, i, i));
            } else {
                ok = maven_push(t, &cur, maven_item(t, comb, digit, start, i));
            }
            comb = false;
            start = i + 1;
        } else if (c == '-') {
            if (i == start) {
                ok = maven_push(t, &cur, maven_item(t, false, true, i, i));
            } else {
                if (!digit && i + 1 < len && maven_is_digit(s[i + 1])) {
                    comb = true;
                    continue;
                }
                ok = maven_push(t, &cur, maven_item(t, comb, digit, start, i));
            }
            start = i + 1;
            if (ok && cur->first != NULL) {
                ok = maven_open_list(t, &cur);
            }
            comb = false;
        } else if (maven_is_digit(c)) {
            if (!digit && i > start) {
                comb = true;
                if (cur->first != NULL) {
                    ok = maven_open_list(t, &cur);
                }
            }
            digit = true;
        } else {
            if (digit && i > start) {
                ok = maven_push(t, &cur, maven_item(t, comb, true, start, i));
                start = i;
                ok = ok && maven_open_list(t, &cur);
                comb = false;
            }
            digit = false;
        }
    }
    if (ok && len > start) {
        if (!digit && cur->first != NULL) {
            ok = maven_open_list(t, &cur);
        }
        ok = ok && maven_push(t, &cur, maven_item(t, comb, digit, start, len));
    }
    if (!ok) {
        maven_tree_release(t);
        return false;
    }
    /* lists were created in order, so normalising in reverse visits sub-lists first */
    for (size_t i = t->used; i-- > 0;) {
        if (t->nodes[i].kind == MAVEN_LIST) {
            maven_normalize(&t->nodes[i]);
        }
    }
    return true;
}

/* ---- comparison ---- */

static const char *const maven_qualifiers[] = {"alpha",    "beta", "milestone", "rc",
                                               "snapshot", "",     "sp"};

/* The byte at position k of comparableQualifier(q): "0".."6" for known ones, else "7-" q. */
static int maven_qkey_at(const char *q, size_t len, size_t k, size_t *keylen)
{
    int idx = -1;
    if ((len == 2 && memcmp(q, "ga", 2) == 0) || (len == 5 && memcmp(q, "final", 5) == 0) ||
        (len == 7 && memcmp(q, "release", 7) == 0)) {
        idx = 5;
    }
    for (int i = 0; i < 7 && idx < 0; i++) {
        if (strlen(maven_qualifiers[i]) == len && memcmp(maven_qualifiers[i], q, len) == 0) {
            idx = i;
        }
    }
    if (idx >= 0) {
        *keylen = 1;
        return k == 0 ? '0' + idx : -1;
    }
    *keylen = len + 2;
    if (k == 0) {
        return '7';
    }
    if (k == 1) {
        return '-';
    }
    return k - 2 < len ? (unsigned char)q[k - 2] : -1;
}

static int maven_qcmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t la = 0;
    size_t lb = 0;
    for (size_t k = 0;; k++) {
        int ca = maven_qkey_at(a, alen, k, &la);
        int cb = maven_qkey_at(b, blen, k, &lb);
        if (ca < 0 || cb < 0) {
            return (ca >= 0) - (cb >= 0);
        }
        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }
}

/* A qualifier against "no item": older than a release unless it is ga/final/release/""/sp/... */
static int maven_qcmp_null(const char *q, size_t len)
{
    return maven_qcmp(q, len, "", 0);
}

static int maven_num_null(const char *d, size_t len)
{
    return (len == 1 && d[0] == '0') ? 0 : 1;
}

static int maven_cmp(const struct maven_node *a, const struct maven_node *b);

static int maven_list_cmp_scalar(const struct maven_node *list, const struct maven_node *item)
{
    int r = list->first == NULL ? -maven_cmp(item, NULL) : maven_cmp(list->first, item);
    for (const struct maven_node *it = list->first != NULL ? list->first->next : NULL;
         r == 0 && it != NULL; it = it->next) {
        r = maven_cmp(it, NULL);
    }
    return r;
}

/* a compared with b, b == NULL meaning "no item here". Depth is bounded by the length cap. */
static int maven_cmp(const struct maven_node *a, const struct maven_node *b)
{
    switch (a->kind) {
    case MAVEN_INT:
        if (b == NULL) {
            return maven_num_null(a->s, a->len);
        }
        if (b->kind == MAVEN_INT) {
            return customs_version_digits_cmp(a->s, a->len, b->s, b->len);
        }
        return 1;
    case MAVEN_STR:
        if (b == NULL) {
            return maven_qcmp_null(a->s, a->len);
        }
        switch (b->kind) {
        case MAVEN_INT:
            return -1;
        case MAVEN_STR:
            return maven_qcmp(a->s, a->len, b->s, b->len);
        case MAVEN_COMB: {
            int r = maven_qcmp(a->s, a->len, b->s, b->len);
            if (r == 0) {
                if (maven_qcmp_null(a->s, a->len) == 0) {
                    return -maven_num_null(b->d, b->dlen);
                }
                return -1;
            }
            return r;
        }
        case MAVEN_LIST:
        default:
            return -maven_list_cmp_scalar(b, a);
        }
    case MAVEN_COMB:
        if (b == NULL) {
            int r = maven_qcmp_null(a->s, a->len);
            return r == 0 ? maven_num_null(a->d, a->dlen) : r;
        }
        switch (b->kind) {
        case MAVEN_INT:
            return -1;
        case MAVEN_STR: {
            int r = maven_qcmp(a->s, a->len, b->s, b->len);
            if (r == 0) {
                if (maven_qcmp_null(a->s, a->len) == 0) {
                    return maven_num_null(a->d, a->dlen);
                }
                return 1;
            }
            return r;
        }
        case MAVEN_COMB: {
            int r = maven_qcmp(a->s, a->len, b->s, b->len);
            return r != 0 ? r : customs_version_digits_cmp(a->d, a->dlen, b->d, b->dlen);
        }
        case MAVEN_LIST:
        default:
            return -maven_list_cmp_scalar(b, a);
        }
    case MAVEN_LIST:
    default:
        if (b == NULL) {
            for (const struct maven_node *it = a->first; it != NULL; it = it->next) {
                int r = maven_cmp(it, NULL);
                if (r != 0) {
                    return r;
                }
            }
            return 0;
        }
        switch (b->kind) {
        case MAVEN_INT:
            return -1;
        case MAVEN_STR:
        case MAVEN_COMB:
            return maven_list_cmp_scalar(a, b);
        case MAVEN_LIST:
        default: {
            const struct maven_node *l = a->first;
            const struct maven_node *r = b->first;
            while (l != NULL || r != NULL) {
                int c = l == NULL ? -maven_cmp(r, NULL) : maven_cmp(l, r);
                if (c != 0) {
                    return c;
                }
                l = l != NULL ? l->next : NULL;
                r = r != NULL ? r->next : NULL;
            }
            return 0;
        }
        }
    }
}

int customs_version_cmp_maven(const char *a, const char *b)
{
    struct maven_tree ta;
    struct maven_tree tb;
    bool oka = maven_parse(&ta, a);
    bool okb = maven_parse(&tb, b);
    int c;
    if (oka && okb) {
        c = maven_cmp(ta.root, tb.root);
    } else if (oka != okb) {
        c = oka ? -1 : 1;
    } else {
        c = strcmp(a, b);
    }
    maven_tree_release(&ta);
    maven_tree_release(&tb);
    return (c > 0) - (c < 0);
}

bool customs_version_valid_maven(const char *v)
{
    return strlen(v) <= MAVEN_MAX_LENGTH;
}
