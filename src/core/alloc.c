/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation wrappers: the one place that calls the C allocator, and the failure-injection
 * hook of the alloc-fail tests (CUSTOMS_ALLOC_FAIL=N makes the Nth allocation fail). */
#include "core/core.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#if CUSTOMS_ALLOC_FAIL
static atomic_long alloc_countdown = -1; /* -1: not read yet; 0: off */

static bool alloc_should_fail(void)
{
    long v = atomic_load(&alloc_countdown);
    if (v == -1) {
        const char *env = getenv("CUSTOMS_ALLOC_FAIL");
        long n = env ? strtol(env, NULL, 10) : 0;
        long expected = -1;
        atomic_compare_exchange_strong(&alloc_countdown, &expected, n > 0 ? n : 0);
        v = atomic_load(&alloc_countdown);
    }
    if (v <= 0) {
        return false;
    }
    return atomic_fetch_sub(&alloc_countdown, 1) == 1;
}
#else
static inline bool alloc_should_fail(void)
{
    return false;
}
#endif

void *customs_malloc(size_t n)
{
    if (alloc_should_fail()) {
        return NULL;
    }
    return malloc(n ? n : 1);
}

void *customs_calloc(size_t n, size_t size)
{
    if (alloc_should_fail()) {
        return NULL;
    }
    return calloc(n ? n : 1, size ? size : 1);
}

void *customs_realloc(void *p, size_t n)
{
    if (alloc_should_fail()) {
        return NULL;
    }
    return realloc(p, n ? n : 1);
}

void *customs_reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (customs_mul_overflows(n, size, &total)) {
        return NULL;
    }
    return customs_realloc(p, total);
}

char *customs_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = customs_malloc(len + 1);
    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *customs_strdup(const char *s)
{
    return customs_strndup(s, strlen(s));
}

void customs_free(void *p)
{
    free(p);
}
