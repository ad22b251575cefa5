/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gzip streams, framed here and inflated by zlib or ISA-L (see gunzip.h).
 *
 * A stream is members back to back; after a member, a next byte of 0x1f starts another one and
 * any other byte starts the trailing bytes, which run to the end and are consumed unread (they
 * are still in the blob digest). The first four bytes of every member are gathered and checked
 * here (magic, method 8, no reserved flag bits) before the engine sees them, so that both
 * engines refuse the same headers: ISA-L accepts reserved flag bits that zlib refuses. The rest
 * of the header (extra field, name, comment, header CRC) and the trailer (CRC-32 and length)
 * are each engine's own, with one exception: ISA-L 2.30 computes the header CRC (flag FHCRC)
 * wrongly when the header arrives in more than one piece, so a member with that flag, which
 * layer writers do not set, is inflated by zlib (tests/unit/image/test_gunzip.c found it).
 */
#include "image/gunzip.h"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#if CUSTOMS_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "core/core.h"

#include "core/banned.h"

enum gunzip_state {
    GUNZIP_MEMBER,   /* inside a member (or about to start the first) */
    GUNZIP_BETWEEN,  /* a member ended; the next byte decides */
    GUNZIP_TRAILING, /* bytes after the last member: consumed, not decompressed */
};

struct customs_gunzip {
    enum customs_gunzip_engine engine;
    enum gunzip_state state;
    uint8_t head[4]; /* the first bytes of the current member, gathered */
    unsigned head_len;
    bool member_zlib; /* this member goes to zlib whatever the engine (FHCRC, see above) */
    z_stream z;
    bool z_init;
#if CUSTOMS_HAVE_ISAL
    struct inflate_state *isal;
#endif
};

enum customs_gunzip_engine customs_gunzip_default(void)
{
    return CUSTOMS_HAVE_ISAL ? CUSTOMS_GUNZIP_ISAL : CUSTOMS_GUNZIP_ZLIB;
}

bool customs_gunzip_available(enum customs_gunzip_engine engine)
{
    return engine == CUSTOMS_GUNZIP_ZLIB || (engine == CUSTOMS_GUNZIP_ISAL && CUSTOMS_HAVE_ISAL);
}

static int gunzip_zlib_start(struct customs_gunzip *g)
{
    if (g->z_init) {
        return inflateReset(&g->z) == Z_OK ? 0 : CUSTOMS_ERROR;
    }
    if (inflateInit2(&g->z, 15 + 16) != Z_OK) {
        return CUSTOMS_ENOMEM;
    }
    g->z_init = true;
    return 0;
}

/* Start (or restart) a member. */
static int gunzip_member_start(struct customs_gunzip *g)
{
    g->state = GUNZIP_MEMBER;
    g->head_len = 0;
    g->member_zlib = false;
#if CUSTOMS_HAVE_ISAL
    if (g->engine == CUSTOMS_GUNZIP_ISAL) {
        isal_inflate_init(g->isal);
        g->isal->crc_flag = ISAL_GZIP;
        return 0;
    }
#endif
    return gunzip_zlib_start(g);
}

struct customs_gunzip *customs_gunzip_new(enum customs_gunzip_engine engine)
{
    if (!customs_gunzip_available(engine)) {
        return NULL;
    }
    struct customs_gunzip *g = customs_calloc(1, sizeof(*g));
    if (g == NULL) {
        return NULL;
    }
    g->engine = engine;
#if CUSTOMS_HAVE_ISAL
    if (engine == CUSTOMS_GUNZIP_ISAL && (g->isal = customs_malloc(sizeof(*g->isal))) == NULL) {
        customs_free(g);
        return NULL;
    }
#endif
    if (gunzip_member_start(g) < 0) {
        customs_gunzip_free(g);
        return NULL;
    }
    return g;
}

void customs_gunzip_free(struct customs_gunzip *g)
{
    if (g == NULL) {
        return;
    }
    if (g->z_init) {
        inflateEnd(&g->z);
    }
#if CUSTOMS_HAVE_ISAL
    customs_free(g->isal);
#endif
    customs_free(g);
}

/* Byte `i` (0-3) of a member header, checked the same for both engines. */
static const char *gunzip_header_check(unsigned i, uint8_t b)
{
    if ((i == 0 && b != 0x1f) || (i == 1 && b != 0x8b)) {
        return "incorrect header check";
    }
    if (i == 2 && b != 8) {
        return "unknown compression method";
    }
    if (i == 3 && (b & 0xe0) != 0) {
        return "unknown header flags set";
    }
    return NULL;
}

#if CUSTOMS_HAVE_ISAL
static const char *isal_reason(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
        return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER:
        return "incorrect header check";
    case ISAL_UNSUPPORTED_METHOD:
        return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM:
        return "incorrect data check";
    default:
        return "inflate failed";
    }
}
#endif

/* Inflate within one member; sets *ended when the member's trailer was read. */
static int gunzip_inflate(struct customs_gunzip *g, const uint8_t *in, uint32_t n, uint8_t *out,
                          uint32_t cap, uint32_t *left_in, uint32_t *left_out, bool *ended,
                          const char **why)
{
#if CUSTOMS_HAVE_ISAL
    if (g->engine == CUSTOMS_GUNZIP_ISAL && !g->member_zlib) {
        struct inflate_state *s = g->isal;
        s->next_in = (uint8_t *)(uintptr_t)in;
        s->avail_in = n;
        s->next_out = out;
        s->avail_out = cap;
        int r = isal_inflate(s);
        *left_in = s->avail_in;
        *left_out = s->avail_out;
        if (r < 0) {
            *why = isal_reason(r);
            return CUSTOMS_EMALFORMED;
        }
        *ended = s->block_state == ISAL_BLOCK_FINISH;
        return 0;
    }
#endif
    g->z.next_in = (Bytef *)(uintptr_t)in;
    g->z.avail_in = n;
    g->z.next_out = out;
    g->z.avail_out = cap;
    int zr = inflate(&g->z, Z_NO_FLUSH);
    *left_in = g->z.avail_in;
    *left_out = g->z.avail_out;
    if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
        *why = g->z.msg != NULL ? g->z.msg : "inflate failed";
        return CUSTOMS_EMALFORMED;
    }
    *ended = zr == Z_STREAM_END;
    return 0;
}

/* The member's first four bytes are in: pick the engine and give them to it. */
static int gunzip_head_feed(struct customs_gunzip *g, uint8_t *out, size_t cap, const char **why)
{
    uint32_t left_in, left_out;
    bool ended = false;
    if (g->engine == CUSTOMS_GUNZIP_ISAL && (g->head[3] & 0x02) != 0) {
        g->member_zlib = true;
        if (gunzip_zlib_start(g) < 0) {
            *why = "inflate init failed";
            return CUSTOMS_EMALFORMED;
        }
    }
    uint32_t nout = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    int r = gunzip_inflate(g, g->head, 4, out, nout, &left_in, &left_out, &ended, why);
    if (r == 0 && (left_in != 0 || left_out != nout || ended)) {
        *why = "inflate did not take the header"; /* never: a header yields no output */
        r = CUSTOMS_EMALFORMED;
    }
    return r;
}

int customs_gunzip_run(struct customs_gunzip *g, const uint8_t *in, size_t in_len, uint8_t *out,
                       size_t cap, size_t *consumed, size_t *produced, const char **why)
{
    *consumed = 0;
    *produced = 0;
    while (*consumed < in_len && *produced == 0 && cap > 0) {
        const uint8_t *p = in + *consumed;
        size_t n = in_len - *consumed;
        if (g->state == GUNZIP_TRAILING) {
            *consumed = in_len;
            break;
        }
        if (g->state == GUNZIP_BETWEEN) {
            if (p[0] != 0x1f) {
                g->state = GUNZIP_TRAILING;
                continue;
            }
            if (gunzip_member_start(g) < 0) {
                *why = "inflate reset failed";
                return CUSTOMS_ERROR;
            }
        }
        if (g->head_len < 4) {
            if ((*why = gunzip_header_check(g->head_len, p[0])) != NULL) {
                return CUSTOMS_EMALFORMED;
            }
            g->head[g->head_len++] = p[0];
            *consumed += 1;
            if (g->head_len == 4) {
                if (gunzip_head_feed(g, out, cap, why) < 0) {
                    return CUSTOMS_EMALFORMED;
                }
            }
            continue;
        }
        uint32_t nin = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
        uint32_t nout = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
        uint32_t left_in, left_out;
        bool ended = false;
        int r = gunzip_inflate(g, p, nin, out, nout, &left_in, &left_out, &ended, why);
        if (r < 0) {
            return r;
        }
        size_t took = nin - left_in;
        *consumed += took;
        *produced = nout - left_out;
        if (ended) {
            g->state = GUNZIP_BETWEEN;
        } else if (took == 0 && *produced == 0) {
            *why = "inflate made no progress"; /* never loop on a stuck engine */
            return CUSTOMS_EMALFORMED;
        }
    }
    return 0;
}

int customs_gunzip_finish(const struct customs_gunzip *g, const char **why)
{
    if (g->state == GUNZIP_MEMBER) {
        *why = "truncated gzip stream (the blob ends mid-stream)";
        return CUSTOMS_EMALFORMED;
    }
    return 0;
}
