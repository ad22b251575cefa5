/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPM versions, [epoch:]version[-release]: epochs as numbers, then rpmvercmp on version and
 * release. rpmvercmp splits into alphanumeric segments (separators are ignored), numeric
 * segments beat alphabetic ones, '~' sorts before everything (even the end) and '^' after the
 * end but before any further segment.
 */
#include "version/version.h"

#include <string.h>

#include "core/banned.h"

static bool rpm_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool rpm_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool rpm_is_sep(char c)
{
    return !rpm_is_digit(c) && !rpm_is_alpha(c) && c != '~' && c != '^';
}

static int rpm_vercmp_slices(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen == blen && memcmp(a, b, alen) == 0) {
        return 0;
    }
    size_t i = 0;
    size_t j = 0;
    while (i < alen || j < blen) {
        while (i < alen && rpm_is_sep(a[i])) {
            i++;
        }
        while (j < blen && rpm_is_sep(b[j])) {
            j++;
        }
        char ca = i < alen ? a[i] : '\0';
        char cb = j < blen ? b[j] : '\0';
        if (ca == '~' || cb == '~') {
            if (ca != '~') {
                return 1;
            }
            if (cb != '~') {
                return -1;
            }
            i++;
            j++;
            continue;
        }
        if (ca == '^' || cb == '^') {
            if (ca == '\0') {
                return -1;
            }
            if (cb == '\0') {
                return 1;
            }
            if (ca != '^') {
                return 1;
            }
            if (cb != '^') {
                return -1;
            }
            i++;
            j++;
            continue;
        }
        if (ca == '\0' || cb == '\0') {
            break;
        }
        size_t is = i;
        size_t js = j;
        bool isnum = rpm_is_digit(ca);
        bool (*in_seg)(char) = isnum ? rpm_is_digit : rpm_is_alpha;
        while (i < alen && in_seg(a[i])) {
            i++;
        }
        while (j < blen && in_seg(b[j])) {
            j++;
        }
        if (j == js) {
            /* the segments differ in kind: numbers are newer than letters */
            return isnum ? 1 : -1;
        }
        int c;
        if (isnum) {
            c = customs_version_digits_cmp(a + is, i - is, b + js, j - js);
        } else {
            size_t la = i - is;
            size_t lb = j - js;
            c = memcmp(a + is, b + js, la < lb ? la : lb);
            if (c == 0) {
                c = (la > lb) - (la < lb);
            }
        }
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    if (i >= alen && j >= blen) {
        return 0;
    }
    return i < alen ? 1 : -1;
}

int customs_version_rpmvercmp(const char *a, const char *b)
{
    return rpm_vercmp_slices(a, strlen(a), b, strlen(b));
}

struct rpm_evr {
    const char *epoch;
    size_t epoch_len;
    const char *version;
    size_t version_len;
    const char *release;
    size_t release_len;
};

static void rpm_split(struct rpm_evr *p, const char *v)
{
    memset(p, 0, sizeof(*p));
    size_t n = 0;
    while (rpm_is_digit(v[n])) {
        n++;
    }
    if (v[n] == ':') {
        p->epoch = v;
        p->epoch_len = n;
        v += n + 1;
    } else {
        p->epoch = "0";
        p->epoch_len = 1;
    }
    const char *hyphen = strrchr(v, '-');
    p->version = v;
    if (hyphen != NULL) {
        p->version_len = (size_t)(hyphen - v);
        p->release = hyphen + 1;
        p->release_len = strlen(hyphen + 1);
    } else {
        p->version_len = strlen(v);
        p->release = "";
    }
}

int customs_version_cmp_rpm(const char *a, const char *b)
{
    struct rpm_evr pa;
    struct rpm_evr pb;
    rpm_split(&pa, a);
    rpm_split(&pb, b);
    int c = customs_version_digits_cmp(pa.epoch, pa.epoch_len, pb.epoch, pb.epoch_len);
    if (c != 0) {
        return c;
    }
    c = rpm_vercmp_slices(pa.version, pa.version_len, pb.version, pb.version_len);
    if (c != 0) {
        return c;
    }
    return rpm_vercmp_slices(pa.release, pa.release_len, pb.release, pb.release_len);
}
