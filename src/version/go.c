/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go module versions (golang.org/x/mod/semver): vMAJOR[.MINOR[.PATCH[-pre][+build]]], where
 * "v1" and "v1.2" are shorthands for v1.0.0 and v1.2.0. Pseudo-versions
 * (v0.0.0-20191109021931-daa7c04131f5) are ordinary prereleases, and build metadata such as
 * "+incompatible" does not take part in the order. A missing leading 'v' is tolerated, since
 * OSV writes Go versions without it. Numbers of any length compare as digit strings.
 */
#include "version/version.h"

#include <string.h>

#include "core/banned.h"

struct go_ver {
    const char *num[3];
    size_t num_len[3];
    const char *pre; /* without the '-' */
    size_t pre_len;
};

static bool go_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool go_is_ident(char c)
{
    return go_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static bool go_number(const char *s, size_t *pos, const char **out, size_t *out_len)
{
    size_t i = *pos;
    while (go_is_digit(s[i])) {
        i++;
    }
    if (i == *pos || (s[*pos] == '0' && i - *pos > 1)) {
        return false;
    }
    *out = s + *pos;
    *out_len = i - *pos;
    *pos = i;
    return true;
}

static bool go_idents(const char *s, size_t *pos, bool numeric_rule)
{
    size_t i = *pos;
    for (;;) {
        size_t start = i;
        bool numeric = true;
        while (go_is_ident(s[i])) {
            numeric = numeric && go_is_digit(s[i]);
            i++;
        }
        if (i == start || (numeric_rule && numeric && s[start] == '0' && i - start > 1)) {
            return false;
        }
        if (s[i] != '.') {
            break;
        }
        i++;
    }
    *pos = i;
    return true;
}

static bool go_parse(const char *v, struct go_ver *g)
{
    memset(g, 0, sizeof(*g));
    size_t i = v[0] == 'v' ? 1 : 0;
    for (int k = 0; k < 3; k++) {
        g->num[k] = "0";
        g->num_len[k] = 1;
    }
    if (!go_number(v, &i, &g->num[0], &g->num_len[0])) {
        return false;
    }
    if (v[i] == '\0') {
        return true;
    }
    if (v[i] != '.') {
        return false;
    }
    i++;
    if (!go_number(v, &i, &g->num[1], &g->num_len[1])) {
        return false;
    }
    if (v[i] == '\0') {
        return true;
    }
    if (v[i] != '.') {
        return false;
    }
    i++;
    if (!go_number(v, &i, &g->num[2], &g->num_len[2])) {
        return false;
    }
    if (v[i] == '-') {
        i++;
        size_t start = i;
        if (!go_idents(v, &i, true)) {
            return false;
        }
        g->pre = v + start;
        g->pre_len = i - start;
    }
    if (v[i] == '+') {
        i++;
        if (!go_idents(v, &i, false)) {
            return false;
        }
    }
    return v[i] == '\0';
}

static bool go_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!go_is_digit(s[i])) {
            return false;
        }
    }
    return true;
}

/* SemVer 2.0 prerelease order: numeric < alphanumeric identifiers, fewer fields first. */
static int go_pre_cmp(const struct go_ver *a, const struct go_ver *b)
{
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
        const char *x = a->pre + is;
        const char *y = b->pre + js;
        size_t xl = i - is;
        size_t yl = j - js;
        bool xn = go_all_digits(x, xl);
        bool yn = go_all_digits(y, yl);
        int c;
        if (xn && yn) {
            c = customs_version_digits_cmp(x, xl, y, yl);
        } else if (xn != yn) {
            c = xn ? -1 : 1;
        } else {
            c = memcmp(x, y, xl < yl ? xl : yl);
            if (c == 0) {
                c = (xl > yl) - (xl < yl);
            }
        }
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
        i++;
        j++;
    }
}

int customs_version_cmp_go(const char *a, const char *b)
{
    struct go_ver ga;
    struct go_ver gb;
    bool oka = go_parse(a, &ga);
    bool okb = go_parse(b, &gb);
    if (!oka || !okb) {
        /* like semver.Compare: invalid < valid, and all invalid strings are equal */
        return oka - okb;
    }
    for (int k = 0; k < 3; k++) {
        int c = customs_version_digits_cmp(ga.num[k], ga.num_len[k], gb.num[k], gb.num_len[k]);
        if (c != 0) {
            return c;
        }
    }
    return go_pre_cmp(&ga, &gb);
}

bool customs_version_valid_go(const char *v)
{
    struct go_ver g;
    return go_parse(v, &g);
}
