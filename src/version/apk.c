/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alpine (apk-tools) versions: digits{.digits}[letter]{_suffix[N]}[~hash][-rN]. A version is
 * read as a stream of typed tokens; two versions are compared token by token while the token
 * types agree, then by the type that comes next (a pre-release suffix is older than the end,
 * anything else is newer). Components after '.' compare as numbers, except that when either
 * starts with '0' both compare as strings, like decimal fractions ("1.0" < "1.001" < "1.06").
 */
#include "version/version.h"

#include <string.h>

#include "core/banned.h"

/* Token types, in the order that decides when one version runs out before the other. */
enum apk_type {
    APK_INVALID = -1,
    APK_DIGIT_OR_ZERO = 0, /* a component after '.' */
    APK_DIGIT,             /* the first component */
    APK_LETTER,
    APK_SUFFIX,
    APK_SUFFIX_NO,
    APK_HASH,
    APK_REVISION_NO,
    APK_END,
};

struct apk_tok {
    enum apk_type type;
    long small;        /* letters, suffix ranks (pre-release suffixes are negative) */
    const char *str;   /* digits or the commit hash */
    size_t len;
};

struct apk_reader {
    const char *s;
    size_t pos;
    enum apk_type next; /* the type announced for the next token */
};

static const char *const apk_pre_suffixes[] = {"alpha", "beta", "pre", "rc"};
static const char *const apk_post_suffixes[] = {"cvs", "svn", "git", "hg", "p"};

static bool apk_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool apk_is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool apk_is_hex(char c)
{
    return apk_is_digit(c) || (c >= 'a' && c <= 'f');
}

/* After a token of type `cur` ends at r->pos, work out the type of the next one. */
static void apk_announce(struct apk_reader *r, enum apk_type cur)
{
    char c = r->s[r->pos];
    enum apk_type n = APK_INVALID;
    if (c == '\0') {
        r->next = APK_END;
        return;
    }
    if ((cur == APK_DIGIT || cur == APK_DIGIT_OR_ZERO) && apk_is_lower(c)) {
        n = APK_LETTER;
    } else if (cur == APK_SUFFIX && apk_is_digit(c)) {
        n = APK_SUFFIX_NO;
    } else if (c == '.') {
        n = APK_DIGIT_OR_ZERO;
        r->pos++;
    } else if (c == '_') {
        n = APK_SUFFIX;
        r->pos++;
    } else if (c == '~') {
        n = APK_HASH;
        r->pos++;
    } else if (c == '-' && r->s[r->pos + 1] == 'r') {
        n = APK_REVISION_NO;
        r->pos += 2;
    }
    /* The grammar only moves forward, except '.' after digits and '_' after a suffix. */
    if (n != APK_INVALID && n <= cur) {
        bool ok = (n == APK_DIGIT_OR_ZERO && (cur == APK_DIGIT || cur == APK_DIGIT_OR_ZERO)) ||
                  (n == APK_SUFFIX && (cur == APK_SUFFIX || cur == APK_SUFFIX_NO));
        if (!ok) {
            n = APK_INVALID;
        }
    }
    r->next = n;
}

/* Read the token announced in r->next; afterwards r->next is the type of the one after. */
static void apk_read(struct apk_reader *r, struct apk_tok *t)
{
    const char *s = r->s;
    size_t start = r->pos;
    memset(t, 0, sizeof(*t));
    t->type = r->next;
    switch (r->next) {
    case APK_DIGIT_OR_ZERO:
    case APK_DIGIT:
    case APK_SUFFIX_NO:
    case APK_REVISION_NO: {
        size_t i = start;
        while (apk_is_digit(s[i])) {
            i++;
        }
        if (i == start) {
            t->type = APK_INVALID;
            r->next = APK_INVALID;
            return;
        }
        t->str = s + start;
        t->len = i - start;
        r->pos = i;
        if (t->type == APK_REVISION_NO) {
            r->next = s[i] == '\0' ? APK_END : APK_INVALID;
            return;
        }
        apk_announce(r, t->type);
        return;
    }
    case APK_LETTER:
        t->small = (unsigned char)s[start];
        r->pos = start + 1;
        if (apk_is_digit(s[r->pos])) {
            r->next = APK_INVALID;
            return;
        }
        apk_announce(r, APK_LETTER);
        return;
    case APK_SUFFIX: {
        size_t i = start;
        while (apk_is_lower(s[i])) {
            i++;
        }
        size_t n = i - start;
        for (size_t k = 0; k < sizeof(apk_pre_suffixes) / sizeof(apk_pre_suffixes[0]); k++) {
            if (strlen(apk_pre_suffixes[k]) == n &&
                memcmp(apk_pre_suffixes[k], s + start, n) == 0) {
                t->small = (long)k - 4;
                r->pos = i;
                apk_announce(r, APK_SUFFIX);
                return;
            }
        }
        for (size_t k = 0; k < sizeof(apk_post_suffixes) / sizeof(apk_post_suffixes[0]); k++) {
            if (strlen(apk_post_suffixes[k]) == n &&
                memcmp(apk_post_suffixes[k], s + start, n) == 0) {
                t->small = (long)k;
                r->pos = i;
                apk_announce(r, APK_SUFFIX);
                return;
            }
        }
        t->type = APK_INVALID;
        t->small = -1;
        r->next = APK_INVALID;
        return;
    }
    case APK_HASH: {
        size_t i = start;
        while (apk_is_hex(s[i])) {
            i++;
        }
        if (i == start) {
            t->type = APK_INVALID;
            r->next = APK_INVALID;
            return;
        }
        t->str = s + start;
        t->len = i - start;
        r->pos = i;
        apk_announce(r, APK_HASH);
        if (r->next != APK_END && r->next != APK_REVISION_NO) {
            r->next = APK_INVALID;
        }
        return;
    }
    case APK_END:
    case APK_INVALID:
    default:
        return;
    }
}

static int apk_tok_cmp(const struct apk_tok *a, const struct apk_tok *b)
{
    bool fraction = a->type == APK_DIGIT_OR_ZERO && (a->str[0] == '0' || b->str[0] == '0');
    if (a->type == APK_HASH || fraction) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->str, b->str, n);
        if (c == 0) {
            c = (a->len > b->len) - (a->len < b->len);
        }
        return (c > 0) - (c < 0);
    }
    if (a->str != NULL && b->str != NULL) {
        return customs_version_digits_cmp(a->str, a->len, b->str, b->len);
    }
    return (a->small > b->small) - (a->small < b->small);
}

/* Whether the token the reader announces is a pre-release suffix (or an invalid one). */
static bool apk_next_is_pre_suffix(const struct apk_reader *r)
{
    struct apk_reader copy = *r;
    struct apk_tok t;
    apk_read(&copy, &t);
    return t.type == APK_INVALID || t.small < 0;
}

static int apk_compare(const char *a, const char *b, bool fuzzy)
{
    struct apk_reader ra = {a, 0, APK_DIGIT};
    struct apk_reader rb = {b, 0, APK_DIGIT};
    if (*a == '\0') {
        ra.next = APK_END;
    }
    if (*b == '\0') {
        rb.next = APK_END;
    }
    while (ra.next == rb.next && ra.next != APK_END && ra.next != APK_INVALID) {
        struct apk_tok ta;
        struct apk_tok tb;
        apk_read(&ra, &ta);
        apk_read(&rb, &tb);
        if (ta.type == APK_INVALID || tb.type == APK_INVALID) {
            if (ta.type != tb.type) {
                return ta.type == APK_INVALID ? -1 : 1;
            }
            return 0;
        }
        int c = apk_tok_cmp(&ta, &tb);
        if (c != 0) {
            return c;
        }
    }
    if (ra.next == rb.next || (fuzzy && rb.next == APK_END)) {
        return 0;
    }
    if (ra.next == APK_SUFFIX && apk_next_is_pre_suffix(&ra)) {
        return -1;
    }
    if (rb.next == APK_SUFFIX && apk_next_is_pre_suffix(&rb)) {
        return 1;
    }
    return ra.next > rb.next ? -1 : 1;
}

int customs_version_cmp_apk(const char *a, const char *b)
{
    return apk_compare(a, b, false);
}

bool customs_version_apk_fuzzy_match(const char *a, const char *b)
{
    return apk_compare(a, b, true) == 0;
}

bool customs_version_valid_apk(const char *v)
{
    struct apk_reader r = {v, 0, APK_DIGIT};
    if (*v == '\0') {
        return false;
    }
    while (r.next != APK_END && r.next != APK_INVALID) {
        struct apk_tok t;
        apk_read(&r, &t);
        if (t.type == APK_INVALID) {
            return false;
        }
    }
    return r.next == APK_END;
}
