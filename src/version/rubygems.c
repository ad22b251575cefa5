/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RubyGems versions (Gem::Version): digits, then ".segment"s of letters and digits, then an
 * optional "-prerelease" (each '-' reads as ".pre."). A version is split into segments, runs
 * of digits (numbers) or of letters (strings); any letter makes it a prerelease. In canonical
 * form trailing zeros are dropped from the numeric part and from the part after the first
 * string; segments then compare pairwise with missing ones as 0, numbers above strings, strings
 * bytewise. The empty string is version "0".
 */
#include "version/version.h"

#include <string.h>

#include "core/banned.h"

static bool gem_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool gem_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool gem_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

struct gem_seg {
    bool number;
    const char *s;
    size_t len;
};

/* Next segment at *pos; false at the end. A '-' yields the string "pre". */
static bool gem_next(const char *v, size_t *pos, struct gem_seg *seg)
{
    size_t i = *pos;
    while (v[i] != '\0' && !gem_is_digit(v[i]) && !gem_is_alpha(v[i]) && v[i] != '-') {
        i++;
    }
    if (v[i] == '\0') {
        *pos = i;
        return false;
    }
    if (v[i] == '-') {
        seg->number = false;
        seg->s = "pre";
        seg->len = 3;
        *pos = i + 1;
        return true;
    }
    size_t start = i;
    bool number = gem_is_digit(v[i]);
    while (v[i] != '\0' && (number ? gem_is_digit(v[i]) : gem_is_alpha(v[i]))) {
        i++;
    }
    seg->number = number;
    seg->s = v + start;
    seg->len = i - start;
    *pos = i;
    return true;
}

static bool gem_is_zero(const struct gem_seg *s)
{
    if (!s->number) {
        return false;
    }
    for (size_t i = 0; i < s->len; i++) {
        if (s->s[i] != '0') {
            return false;
        }
    }
    return true;
}

/* Walks the canonical segments of a version. */
struct gem_canon {
    const char *v;
    size_t pos;
    size_t index;      /* raw segment index of the next segment */
    size_t num_keep;   /* numeric segments kept (before the first string) */
    size_t first_str;  /* raw index of the first string segment (SIZE_MAX if none) */
    size_t last_keep;  /* raw index one past the last kept segment of the string part */
};

static void gem_canon_init(struct gem_canon *c, const char *v)
{
    memset(c, 0, sizeof(*c));
    c->v = v;
    c->first_str = (size_t)-1;
    struct gem_seg seg;
    size_t pos = 0;
    size_t idx = 0;
    size_t last_nonzero_num = 0; /* one past */
    while (gem_next(v, &pos, &seg)) {
        if (!seg.number && c->first_str == (size_t)-1) {
            c->first_str = idx;
        }
        if (c->first_str == (size_t)-1) {
            if (!gem_is_zero(&seg)) {
                last_nonzero_num = idx + 1;
            }
        } else if (!gem_is_zero(&seg)) {
            c->last_keep = idx + 1;
        }
        idx++;
    }
    c->num_keep = last_nonzero_num;
}

static bool gem_canon_next(struct gem_canon *c, struct gem_seg *seg)
{
    if (c->index < c->num_keep) {
        c->index++;
        return gem_next(c->v, &c->pos, seg);
    }
    if (c->first_str == (size_t)-1) {
        return false;
    }
    /* skip the zeros dropped from the end of the numeric part */
    while (c->index < c->first_str && gem_next(c->v, &c->pos, seg)) {
        c->index++;
    }
    if (c->index >= c->last_keep) {
        return false;
    }
    c->index++;
    return gem_next(c->v, &c->pos, seg);
}

static bool gem_valid(const char *v)
{
    size_t i = 0;
    while (gem_is_space(v[i])) {
        i++;
    }
    if (gem_is_digit(v[i])) {
        while (gem_is_digit(v[i])) {
            i++;
        }
        while (v[i] == '.' && (gem_is_digit(v[i + 1]) || gem_is_alpha(v[i + 1]))) {
            i++;
            while (gem_is_digit(v[i]) || gem_is_alpha(v[i])) {
                i++;
            }
        }
        if (v[i] == '-') {
            for (;;) {
                i++;
                size_t start = i;
                while (gem_is_digit(v[i]) || gem_is_alpha(v[i]) || v[i] == '-') {
                    i++;
                }
                if (i == start) {
                    return false;
                }
                if (v[i] != '.') {
                    break;
                }
            }
        }
    }
    while (gem_is_space(v[i])) {
        i++;
    }
    return v[i] == '\0';
}

static int gem_seg_cmp(const struct gem_seg *a, const struct gem_seg *b)
{
    if (a->number != b->number) {
        return a->number ? 1 : -1;
    }
    if (a->number) {
        return customs_version_digits_cmp(a->s, a->len, b->s, b->len);
    }
    int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
    if (c == 0) {
        c = (a->len > b->len) - (a->len < b->len);
    }
    return c < 0 ? -1 : c > 0;
}

int customs_version_cmp_rubygems(const char *a, const char *b)
{
    bool oka = gem_valid(a);
    bool okb = gem_valid(b);
    if (!oka || !okb) {
        if (oka != okb) {
            return oka ? 1 : -1;
        }
        int c = strcmp(a, b);
        return (c > 0) - (c < 0);
    }
    struct gem_canon ca;
    struct gem_canon cb;
    gem_canon_init(&ca, a);
    gem_canon_init(&cb, b);
    static const struct gem_seg zero = {true, "0", 1};
    for (;;) {
        struct gem_seg sa;
        struct gem_seg sb;
        bool ha = gem_canon_next(&ca, &sa);
        bool hb = gem_canon_next(&cb, &sb);
        if (!ha && !hb) {
            return 0;
        }
        int c = gem_seg_cmp(ha ? &sa : &zero, hb ? &sb : &zero);
        if (c != 0) {
            return c;
        }
    }
}

bool customs_version_valid_rubygems(const char *v)
{
    return gem_valid(v);
}
