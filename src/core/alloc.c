/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation wrappers: the one place that calls the C allocator, and the failure-injection
 * hook of the allocation-failure sweep (customs_alloc_fail_at; the CLI calls it for
 * CUSTOMS_ALLOC_FAIL=N, tests/cli/alloc_sweep.py). */
#include "core/core.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#if CUSTOMS_ALLOC_FAIL
static atomic_long alloc_countdown; /* the allocation that fails, counted down; 0: none */
static atomic_long alloc_calls;

void customs_alloc_fail_at(long n)
{
    atomic_store(&alloc_calls, 0);
    atomic_store(&alloc_countdown, n > 0 ? n : 0);
}

long customs_alloc_count(void)
{
    return atomic_load(&alloc_calls);
}

static bool alloc_should_fail(void)
{
    atomic_fetch_add(&alloc_calls, 1);
    if (atomic_load(&alloc_countdown) <= 0) {
        return false;
    }
    return atomic_fetch_sub(&alloc_countdown, 1) == 1;
}
#else
void customs_alloc_fail_at(long n)
{
    (void)n;
}

long customs_alloc_count(void)
{
    return -1;
}

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
