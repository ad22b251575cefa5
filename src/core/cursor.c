/* SPDX-License-Identifier: Apache-2.0 */
/* Bounds-checked cursor over untrusted bytes: a read succeeds whole or not at all. */
#include "core/core.h"

#include "core/banned.h"

void customs_cursor_init(struct customs_cursor *c, const void *data, size_t len)
{
    c->ptr = data;
    c->len = data != NULL ? len : 0;
    c->pos = 0;
}

size_t customs_cursor_left(const struct customs_cursor *c)
{
    return c->len - c->pos;
}

int customs_cursor_skip(struct customs_cursor *c, size_t n)
{
    if (n > customs_cursor_left(c)) {
        return CUSTOMS_EMALFORMED;
    }
    c->pos += n;
    return 0;
}

int customs_cursor_take(struct customs_cursor *c, size_t n, const uint8_t **out)
{
    if (n > customs_cursor_left(c)) {
        return CUSTOMS_EMALFORMED;
    }
    *out = c->ptr + c->pos;
    c->pos += n;
    return 0;
}

int customs_cursor_u8(struct customs_cursor *c, uint8_t *out)
{
    const uint8_t *p;
    int err = customs_cursor_take(c, 1, &p);
    if (err == 0) {
        *out = p[0];
    }
    return err;
}

int customs_cursor_be32(struct customs_cursor *c, uint32_t *out)
{
    const uint8_t *p;
    int err = customs_cursor_take(c, 4, &p);
    if (err == 0) {
        *out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    return err;
}

int customs_cursor_le32(struct customs_cursor *c, uint32_t *out)
{
    const uint8_t *p;
    int err = customs_cursor_take(c, 4, &p);
    if (err == 0) {
        *out = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    }
    return err;
}

int customs_cursor_le64(struct customs_cursor *c, uint64_t *out)
{
    const uint8_t *p;
    int err = customs_cursor_take(c, 8, &p);
    if (err == 0) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | p[i];
        }
        *out = v;
    }
    return err;
}

int customs_cursor_uvarint(struct customs_cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (size_t i = c->pos; i < c->len; i++) {
        uint8_t b = c->ptr[i];
        if (shift == 63 && b > 1) {
            return CUSTOMS_EMALFORMED; /* overflows 64 bits */
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            c->pos = i + 1;
            *out = v;
            return 0;
        }
        shift += 7;
        if (shift > 63) {
            return CUSTOMS_EMALFORMED;
        }
    }
    return CUSTOMS_EMALFORMED;
}
