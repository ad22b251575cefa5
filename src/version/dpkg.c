/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Debian versions, [epoch:]upstream[-revision], compared the way dpkg does: epochs as
 * numbers, then upstream and revision by alternating non-digit runs (where '~' sorts before
 * everything, even the end, and letters before other characters) and digit runs (as numbers).
 */
#include "version/version.h"

#include <string.h>

#include "core/banned.h"

struct dpkg_parts {
    const char *epoch;
    size_t epoch_len;
    const char *upstream;
    size_t upstream_len;
    const char *revision;
    size_t revision_len;
};

static bool dpkg_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool dpkg_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void dpkg_split(struct dpkg_parts *p, const char *v)
{
    const char *colon = strchr(v, ':');
    memset(p, 0, sizeof(*p));
    p->epoch = v;
    if (colon != NULL) {
        p->epoch_len = (size_t)(colon - v);
        v = colon + 1;
    }
    const char *hyphen = strrchr(v, '-');
    p->upstream = v;
    if (hyphen != NULL) {
        p->upstream_len = (size_t)(hyphen - v);
        p->revision = hyphen + 1;
        p->revision_len = strlen(hyphen + 1);
    } else {
        p->upstream_len = strlen(v);
        p->revision = hyphen; /* NULL: no revision, same as "0" */
    }
}

/* Sort weight of one character of a non-digit run; 0 is the end of the run. */
static int dpkg_order(const char *s, size_t len, size_t i)
{
    if (i >= len) {
        return 0;
    }
    char c = s[i];
    if (dpkg_is_digit(c)) {
        return 0;
    }
    if (dpkg_is_alpha(c)) {
        return (unsigned char)c;
    }
    if (c == '~') {
        return -1;
    }
    return (unsigned char)c + 256;
}

/* dpkg's verrevcmp on two slices. */
static int dpkg_verrevcmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0;
    size_t j = 0;
    /* an absent part (no epoch, no revision) is the empty string, not a null pointer */
    a = a != NULL ? a : "";
    b = b != NULL ? b : "";
    while (i < alen || j < blen) {
        while ((i < alen && !dpkg_is_digit(a[i])) || (j < blen && !dpkg_is_digit(b[j]))) {
            int ac = dpkg_order(a, alen, i);
            int bc = dpkg_order(b, blen, j);
            if (ac != bc) {
                return ac < bc ? -1 : 1;
            }
            i++;
            j++;
        }
        size_t is = i;
        size_t js = j;
        while (i < alen && dpkg_is_digit(a[i])) {
            i++;
        }
        while (j < blen && dpkg_is_digit(b[j])) {
            j++;
        }
        int c = customs_version_digits_cmp(a + is, i - is, b + js, j - js);
        if (c != 0) {
            return c;
        }
    }
    return 0;
}

int customs_version_cmp_dpkg(const char *a, const char *b)
{
    struct dpkg_parts pa;
    struct dpkg_parts pb;
    dpkg_split(&pa, a);
    dpkg_split(&pb, b);
    int c = dpkg_verrevcmp(pa.epoch, pa.epoch_len, pb.epoch, pb.epoch_len);
    if (c != 0) {
        return c;
    }
    c = dpkg_verrevcmp(pa.upstream, pa.upstream_len, pb.upstream, pb.upstream_len);
    if (c != 0) {
        return c;
    }
    return dpkg_verrevcmp(pa.revision, pa.revision_len, pb.revision, pb.revision_len);
}

static bool dpkg_chars_ok(const char *s, size_t len, const char *extra)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!dpkg_is_digit(c) && !dpkg_is_alpha(c) && strchr(extra, c) == NULL) {
            return false;
        }
    }
    return true;
}

bool customs_version_valid_dpkg(const char *v)
{
    if (v == NULL || *v == '\0') {
        return false;
    }
    struct dpkg_parts p;
    dpkg_split(&p, v);
    if (strchr(v, ':') != NULL) {
        if (p.epoch_len == 0) {
            return false;
        }
        for (size_t i = 0; i < p.epoch_len; i++) {
            if (!dpkg_is_digit(p.epoch[i])) {
                return false;
            }
        }
    }
    if (p.upstream_len == 0 || !dpkg_is_digit(p.upstream[0])) {
        return false;
    }
    if (p.revision != NULL && p.revision_len == 0) {
        return false;
    }
    return dpkg_chars_ok(p.upstream, p.upstream_len, ".+-~:") &&
           dpkg_chars_ok(p.revision, p.revision_len, ".+~");
}
