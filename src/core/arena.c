/* SPDX-License-Identifier: Apache-2.0 */
/* A bump allocator over a list of chunks: per-scan records live here and die together. */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define ARENA_CHUNK 65536u
#define ARENA_ALIGN 16u

struct customs_arena_chunk {
    struct customs_arena_chunk *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

void customs_arena_init(struct customs_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

static void arena_chunks_free(struct customs_arena_chunk *c)
{
    while (c != NULL) {
        struct customs_arena_chunk *next = c->next;
        customs_free(c);
        c = next;
    }
}

void customs_arena_release(struct customs_arena *a)
{
    arena_chunks_free(a->head);
    a->head = NULL;
    a->total = 0;
}

void customs_arena_reset(struct customs_arena *a)
{
    struct customs_arena_chunk *keep = a->head;
    if (keep == NULL || keep->size != ARENA_CHUNK) {
        customs_arena_release(a);
        return;
    }
    arena_chunks_free(keep->next);
    keep->next = NULL;
    keep->used = 0;
    a->total = keep->size;
}

void *customs_arena_alloc(struct customs_arena *a, size_t n)
{
    size_t need;
    struct customs_arena_chunk *c = a->head;
    if (customs_add_overflows(n, ARENA_ALIGN - 1, &need)) {
        return NULL;
    }
    need &= ~(size_t)(ARENA_ALIGN - 1);
    if (need == 0) {
        need = ARENA_ALIGN;
    }
    if (c == NULL || c->size - c->used < need) {
        size_t size = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
        size_t bytes;
        if (customs_add_overflows(sizeof(*c), size, &bytes)) {
            return NULL;
        }
        c = customs_malloc(bytes);
        if (c == NULL) {
            return NULL;
        }
        c->size = size;
        c->used = 0;
        if (size == ARENA_CHUNK || a->head == NULL) {
            c->next = a->head;
            a->head = c;
        } else {
            /* a big one-off block goes behind the current chunk, which keeps its free space */
            c->next = a->head->next;
            a->head->next = c;
        }
        a->total += size;
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

char *customs_arena_strndup(struct customs_arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = customs_arena_alloc(a, len + 1);
    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *customs_arena_strdup(struct customs_arena *a, const char *s)
{
    return s == NULL ? NULL : customs_arena_strndup(a, s, strlen(s));
}

char *customs_arena_printf(struct customs_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *d = customs_arena_alloc(a, (size_t)n + 1);
    if (d == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}
