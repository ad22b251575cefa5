/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PEP 440 versions ([N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]) with the alternative
 * spellings the "packaging" library accepts (alpha, beta, c, pre, preview, rev, r, "-N" for
 * post releases, optional separators and numbers, a leading "v", any case, surrounding
 * whitespace). Versions are parsed into slices of the input and compared field by field as
 * packaging's sort key does, so nothing is copied or allocated.
 */
#include "version/version.h"

#include <string.h>

#include "core/banned.h"

enum pep440_pre { PEP440_PRE_NONE = 0, PEP440_PRE_A = 1, PEP440_PRE_B = 2, PEP440_PRE_RC = 3 };

struct pep440_num {
    const char *s; /* digits, or NULL for an implicit 0 */
    size_t len;
};

struct pep440 {
    struct pep440_num epoch;
    const char *release; /* "N(.N)*" */
    size_t release_len;
    enum pep440_pre pre;
    struct pep440_num pre_n;
    bool has_post;
    struct pep440_num post_n;
    bool has_dev;
    struct pep440_num dev_n;
    const char *local; /* after '+', or NULL */
    size_t local_len;
};

static bool pep440_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool pep440_is_alnum(char c)
{
    return pep440_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool pep440_is_sep(char c)
{
    return c == '-' || c == '_' || c == '.';
}

static bool pep440_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char pep440_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive match of `word` at s[*pos]; advances on success. */
static bool pep440_word(const char *s, size_t len, size_t *pos, const char *word)
{
    size_t n = strlen(word);
    if (len - *pos < n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (pep440_lower(s[*pos + i]) != word[i]) {
            return false;
        }
    }
    *pos += n;
    return true;
}

static size_t pep440_digits(const char *s, size_t len, size_t pos)
{
    size_t i = pos;
    while (i < len && pep440_is_digit(s[i])) {
        i++;
    }
    return i - pos;
}

/* "[-_.]?N?" after a label: the separator is taken only when digits follow it. */
static void pep440_label_number(const char *s, size_t len, size_t *pos, struct pep440_num *n)
{
    size_t i = *pos;
    if (i < len && pep440_is_sep(s[i])) {
        i++;
    }
    size_t d = pep440_digits(s, len, i);
    if (d > 0) {
        n->s = s + i;
        n->len = d;
        *pos = i + d;
    }
}

/* "[-_.]?label" where label is one of words; returns the index of the word or -1. */
static int pep440_label(const char *s, size_t len, size_t *pos, const char *const *words,
                        size_t nwords)
{
    size_t i = *pos;
    if (i < len && pep440_is_sep(s[i])) {
        i++;
    }
    for (size_t k = 0; k < nwords; k++) {
        size_t j = i;
        if (pep440_word(s, len, &j, words[k])) {
            *pos = j;
            return (int)k;
        }
    }
    return -1;
}

/* Longest spellings first so that "alpha" is not read as "a" followed by junk. */
static const char *const pep440_pre_words[] = {"alpha", "beta", "preview", "pre", "rc",
                                               "a",     "b",    "c"};
static const enum pep440_pre pep440_pre_kinds[] = {PEP440_PRE_A,  PEP440_PRE_B,  PEP440_PRE_RC,
                                                   PEP440_PRE_RC, PEP440_PRE_RC, PEP440_PRE_A,
                                                   PEP440_PRE_B,  PEP440_PRE_RC};
static const char *const pep440_post_words[] = {"post", "rev", "r"};
static const char *const pep440_dev_words[] = {"dev"};

static bool pep440_parse(const char *v, struct pep440 *p)
{
    memset(p, 0, sizeof(*p));
    size_t len = strlen(v);
    size_t i = 0;
    while (i < len && pep440_is_space(v[i])) {
        i++;
    }
    while (len > i && pep440_is_space(v[len - 1])) {
        len--;
    }
    if (i < len && (v[i] == 'v' || v[i] == 'V')) {
        i++;
    }
    /* epoch */
    size_t d = pep440_digits(v, len, i);
    if (d > 0 && i + d < len && v[i + d] == '!') {
        p->epoch.s = v + i;
        p->epoch.len = d;
        i += d + 1;
    }
    /* release */
    size_t start = i;
    for (;;) {
        d = pep440_digits(v, len, i);
        if (d == 0) {
            return false;
        }
        i += d;
        if (i + 1 < len && v[i] == '.' && pep440_is_digit(v[i + 1])) {
            i++;
            continue;
        }
        break;
    }
    p->release = v + start;
    p->release_len = i - start;
    /* pre-release */
    int k = pep440_label(v, len, &i, pep440_pre_words,
                         sizeof(pep440_pre_words) / sizeof(pep440_pre_words[0]));
    if (k >= 0) {
        p->pre = pep440_pre_kinds[k];
        pep440_label_number(v, len, &i, &p->pre_n);
    }
    /* post-release: "-N" or "[-_.]?(post|rev|r)[-_.]?N?" */
    if (i + 1 < len && v[i] == '-' && pep440_is_digit(v[i + 1])) {
        d = pep440_digits(v, len, i + 1);
        p->has_post = true;
        p->post_n.s = v + i + 1;
        p->post_n.len = d;
        i += 1 + d;
    } else if (pep440_label(v, len, &i, pep440_post_words, 3) >= 0) {
        p->has_post = true;
        pep440_label_number(v, len, &i, &p->post_n);
    }
    /* dev release */
    if (pep440_label(v, len, &i, pep440_dev_words, 1) >= 0) {
        p->has_dev = true;
        pep440_label_number(v, len, &i, &p->dev_n);
    }
    /* local version: "+" alnum+ ([-_.] alnum+)* */
    if (i < len && v[i] == '+') {
        i++;
        p->local = v + i;
        for (;;) {
            size_t s = i;
            while (i < len && pep440_is_alnum(v[i])) {
                i++;
            }
            if (i == s) {
                return false;
            }
            if (i < len && pep440_is_sep(v[i])) {
                i++;
                continue;
            }
            break;
        }
        p->local_len = (size_t)(v + i - p->local);
    }
    return i == len;
}

static int pep440_num_cmp(const struct pep440_num *a, const struct pep440_num *b)
{
    return customs_version_digits_cmp(a->s != NULL ? a->s : "0", a->s != NULL ? a->len : 1,
                                      b->s != NULL ? b->s : "0", b->s != NULL ? b->len : 1);
}

/* Release segments, padded with zeros to the longer one. */
static int pep440_release_cmp(const struct pep440 *a, const struct pep440 *b)
{
    size_t i = 0;
    size_t j = 0;
    while (i < a->release_len || j < b->release_len) {
        size_t is = i;
        size_t js = j;
        while (i < a->release_len && a->release[i] != '.') {
            i++;
        }
        while (j < b->release_len && b->release[j] != '.') {
            j++;
        }
        const char *as = i > is ? a->release + is : "0";
        const char *bs = j > js ? b->release + js : "0";
        int c = customs_version_digits_cmp(as, i > is ? i - is : 1, bs, j > js ? j - js : 1);
        if (c != 0) {
            return c;
        }
        i += i < a->release_len ? 1 : 0;
        j += j < b->release_len ? 1 : 0;
    }
    return 0;
}

/* The pre-release's place: a dev release of a final version sorts before its pre-releases. */
static int pep440_pre_rank(const struct pep440 *p)
{
    if (p->pre != PEP440_PRE_NONE) {
        return (int)p->pre;
    }
    if (!p->has_post && p->has_dev) {
        return 0;
    }
    return 4;
}

static bool pep440_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!pep440_is_digit(s[i])) {
            return false;
        }
    }
    return true;
}

/* Local versions: parts split on [-_.]; numbers beat strings, strings compare lower-cased. */
static int pep440_local_cmp(const struct pep440 *a, const struct pep440 *b)
{
    if (a->local == NULL || b->local == NULL) {
        return (a->local != NULL) - (b->local != NULL);
    }
    size_t i = 0;
    size_t j = 0;
    for (;;) {
        if (i >= a->local_len || j >= b->local_len) {
            return (i < a->local_len) - (j < b->local_len);
        }
        size_t is = i;
        size_t js = j;
        while (i < a->local_len && !pep440_is_sep(a->local[i])) {
            i++;
        }
        while (j < b->local_len && !pep440_is_sep(b->local[j])) {
            j++;
        }
        const char *as = a->local + is;
        const char *bs = b->local + js;
        size_t al = i - is;
        size_t bl = j - js;
        bool an = pep440_all_digits(as, al);
        bool bn = pep440_all_digits(bs, bl);
        int c = 0;
        if (an && bn) {
            c = customs_version_digits_cmp(as, al, bs, bl);
        } else if (an != bn) {
            c = an ? 1 : -1;
        } else {
            size_t n = al < bl ? al : bl;
            for (size_t k = 0; k < n && c == 0; k++) {
                char ca = pep440_lower(as[k]);
                char cb = pep440_lower(bs[k]);
                c = (ca > cb) - (ca < cb);
            }
            if (c == 0) {
                c = (al > bl) - (al < bl);
            }
        }
        if (c != 0) {
            return c;
        }
        i++;
        j++;
    }
}

static int pep440_cmp_parsed(const struct pep440 *a, const struct pep440 *b)
{
    int c = pep440_num_cmp(&a->epoch, &b->epoch);
    if (c == 0) {
        c = pep440_release_cmp(a, b);
    }
    if (c == 0) {
        int ra = pep440_pre_rank(a);
        int rb = pep440_pre_rank(b);
        c = (ra > rb) - (ra < rb);
        if (c == 0 && a->pre != PEP440_PRE_NONE) {
            c = pep440_num_cmp(&a->pre_n, &b->pre_n);
        }
    }
    if (c == 0) {
        c = (a->has_post > b->has_post) - (a->has_post < b->has_post);
        if (c == 0 && a->has_post) {
            c = pep440_num_cmp(&a->post_n, &b->post_n);
        }
    }
    if (c == 0) {
        /* no dev release sorts after any dev release */
        c = (a->has_dev < b->has_dev) - (a->has_dev > b->has_dev);
        if (c == 0 && a->has_dev) {
            c = pep440_num_cmp(&a->dev_n, &b->dev_n);
        }
    }
    if (c == 0) {
        c = pep440_local_cmp(a, b);
    }
    return c;
}

int customs_version_cmp_pep440(const char *a, const char *b)
{
    struct pep440 pa;
    struct pep440 pb;
    bool oka = pep440_parse(a, &pa);
    bool okb = pep440_parse(b, &pb);
    if (oka && okb) {
        return pep440_cmp_parsed(&pa, &pb);
    }
    if (oka != okb) {
        return oka ? 1 : -1;
    }
    int c = strcmp(a, b);
    return (c > 0) - (c < 0);
}

bool customs_version_valid_pep440(const char *v)
{
    struct pep440 p;
    return pep440_parse(v, &p);
}
