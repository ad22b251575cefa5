/* SPDX-License-Identifier: Apache-2.0 */
/* Shared assertions for the version comparator tests: both directions, exact sign. */
#ifndef CUSTOMS_TESTS_UNIT_VERSION_HELPERS_H
#define CUSTOMS_TESTS_UNIT_VERSION_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static inline int sign_of(int v)
{
    return (v > 0) - (v < 0);
}

/* Assert cmp(a, b) has sign `want` and cmp(b, a) the opposite. */
#define assert_order(cmp, a, b, want)                                                          \
    do {                                                                                       \
        int got_ = sign_of(cmp((a), (b)));                                                     \
        int back_ = sign_of(cmp((b), (a)));                                                    \
        if (got_ != (want) || back_ != -(want)) {                                              \
            print_error("%s(\"%s\", \"%s\") = %d (reverse %d), want %d\n", #cmp, (a), (b),     \
                        got_, back_, (want));                                                  \
            fail();                                                                            \
        }                                                                                      \
    } while (0)

/* A string of n copies of c followed by tail, in buf (n + strlen(tail) < size). */
static inline const char *repeat(char *buf, size_t size, const char *head, char c, size_t n,
                                 const char *tail)
{
    size_t h = strlen(head);
    size_t t = strlen(tail);
    assert_true(h + n + t < size);
    memcpy(buf, head, h);
    memset(buf + h, c, n);
    memcpy(buf + h + n, tail, t + 1);
    return buf;
}

#endif
