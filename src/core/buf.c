/* SPDX-License-Identifier: Apache-2.0 */
/* Capped growable buffers and arrays: growth fails with CUSTOMS_ELIMIT at the cap. */
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

void customs_buf_init(struct customs_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max ? max : SIZE_MAX - 1;
}

void customs_buf_release(struct customs_buf *b)
{
    customs_free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->alloc = 0;
}

void customs_buf_reset(struct customs_buf *b)
{
    b->len = 0;
    if (b->ptr != NULL) {
        b->ptr[0] = '\0';
    }
}

static int buf_reserve(struct customs_buf *b, size_t extra)
{
    size_t need;
    if (customs_add_overflows(b->len, extra, &need) || need > b->max) {
        return CUSTOMS_ELIMIT;
    }
    if (need + 1 <= b->alloc) {
        return 0;
    }
    size_t alloc = b->alloc ? b->alloc : 256;
    while (alloc < need + 1) {
        if (customs_mul_overflows(alloc, 2, &alloc)) {
            return CUSTOMS_ELIMIT;
        }
    }
    if (alloc > b->max + 1) {
        alloc = b->max + 1;
    }
    char *p = customs_realloc(b->ptr, alloc);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    b->ptr = p;
    b->alloc = alloc;
    return 0;
}

int customs_buf_append(struct customs_buf *b, const void *data, size_t n)
{
    int err = buf_reserve(b, n);
    if (err < 0) {
        return err;
    }
    if (n > 0) {
        memcpy(b->ptr + b->len, data, n);
    }
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int customs_buf_puts(struct customs_buf *b, const char *s)
{
    return customs_buf_append(b, s, strlen(s));
}

__attribute__((format(printf, 2, 0))) static int buf_vprintf(struct customs_buf *b,
                                                          const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    int err = n < 0 ? CUSTOMS_ERROR : buf_reserve(b, (size_t)n);
    if (err == 0) {
        vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
    return err;
}

int customs_buf_printf(struct customs_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int err = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

void customs_buf_add(struct customs_buf *b, int *rc, const void *data, size_t n)
{
    if (*rc == 0) {
        *rc = customs_buf_append(b, data, n);
    }
}

void customs_buf_addf(struct customs_buf *b, int *rc, const char *fmt, ...)
{
    if (*rc == 0) {
        va_list ap;
        va_start(ap, fmt);
        *rc = buf_vprintf(b, fmt, ap);
        va_end(ap);
    }
}

const char *customs_buf_cstr(const struct customs_buf *b)
{
    return b->ptr != NULL ? b->ptr : "";
}

char *customs_buf_detach(struct customs_buf *b)
{
    char *p = b->ptr;
    if (p == NULL) {
        p = customs_strdup("");
    }
    b->ptr = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}

void customs_vec_init(struct customs_vec *v, size_t elem)
{
    v->items = NULL;
    v->len = 0;
    v->cap = 0;
    v->elem = elem;
}

void customs_vec_release(struct customs_vec *v)
{
    customs_free(v->items);
    v->items = NULL;
    v->len = 0;
    v->cap = 0;
}

void *customs_vec_push(struct customs_vec *v)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void *items = customs_reallocarray(v->items, cap, v->elem);
        if (items == NULL) {
            return NULL;
        }
        v->items = items;
        v->cap = cap;
    }
    void *slot = customs_vec_at(v, v->len);
    memset(slot, 0, v->elem);
    v->len++;
    return slot;
}

int customs_vec_copy(struct customs_vec *dst, const struct customs_vec *src)
{
    if (src->len == 0) {
        return 0;
    }
    void *items = customs_reallocarray(NULL, src->len, src->elem);
    if (items == NULL) {
        return CUSTOMS_ENOMEM;
    }
    memcpy(items, src->items, src->len * src->elem);
    customs_free(dst->items);
    dst->items = items;
    dst->len = src->len;
    dst->cap = src->len;
    dst->elem = src->elem;
    return 0;
}

int customs_read_file(const char *path, size_t max, uint8_t **data, size_t *len,
                      struct customs_error *err)
{
    int fd = customs_file_open_read(path);
    struct customs_buf b;
    char chunk[65536];
    ssize_t n;
    if (fd < 0) {
        return errno == EINVAL
                   ? customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                       "%s: not a regular file (a FIFO, socket or device is "
                                       "not read)",
                                       path)
               : errno == EISDIR ? customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                                     "%s: a directory, not a file", path)
                                 : customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: cannot open: %s",
                                                     path, strerror(errno));
    }
    customs_buf_init(&b, max);
    bool failed = false;
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            failed = true;
            break;
        }
        int r = customs_buf_append(&b, chunk, (size_t)n);
        if (r < 0) {
            close(fd);
            customs_buf_release(&b);
            return r == CUSTOMS_ELIMIT
                       ? customs_error_set(err, r, "%s: larger than %zu bytes", path, max)
                       : customs_error_set(err, r, "out of memory");
        }
    }
    close(fd);
    if (failed) {
        customs_buf_release(&b);
        return customs_error_set(err, CUSTOMS_EIO, "%s: read error", path);
    }
    if (b.len == 0 && customs_buf_append(&b, "", 0) < 0) { /* an empty file is still a file */
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    *len = b.len;
    *data = (uint8_t *)customs_buf_detach(&b);
    return *data != NULL ? 0 : customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
}
