/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A layer's entries, kept in about ten bytes each (a struct and a copy of its path took 90).
 *
 * Entries are encoded one after the other in the order they were added, in blocks of
 * CUSTOMS_ENTRIES_BLOCK. Within a block each path is stored as the bytes it does not share with
 * the previous entry's path (tar writers and directory walks put a directory's entries side
 * by side: "/usr/lib/x/b.so" after "/usr/lib/x/a.so" costs 4 bytes), the mode only when it
 * differs from the previous entry's, and a link target only for links. The first entry of a
 * block is stored whole, so any entry is decoded from its block's start, at most a block's
 * length of entries. A block is never split between two chunks of storage: chunks are filled
 * and never moved (no doubling vector whose old copy lingers in the heap), and a block that
 * does not fit is moved whole to the next chunk.
 *
 * One entry: byte 0 = type (bits 0-2) | MODE_SAME (bit 3); uvarint shared prefix length;
 * uvarint suffix length; the suffix; uvarint mode unless MODE_SAME; for a symlink or hardlink,
 * uvarint link length and the link.
 */
#include <assert.h>
#include <string.h>

#include "image/image.h"

#include "core/banned.h"

#define CHUNK_BYTES (256u * 1024)
#define MODE_SAME 0x08u
#define TYPE_MASK 0x07u

static bool has_link(enum customs_entry_type t)
{
    return t == CUSTOMS_ENTRY_SYMLINK || t == CUSTOMS_ENTRY_HARDLINK;
}

void customs_entries_init(struct customs_entries *l)
{
    memset(l, 0, sizeof(*l));
    customs_vec_init(&l->chunks, sizeof(uint8_t *));
    customs_vec_init(&l->blocks, sizeof(const uint8_t *));
    customs_buf_init(&l->prev, 0);
}

void customs_entries_release(struct customs_entries *l)
{
    for (size_t i = 0; i < l->chunks.len; i++) {
        customs_free(*(uint8_t **)customs_vec_at(&l->chunks, i));
    }
    customs_vec_release(&l->chunks);
    customs_vec_release(&l->blocks);
    customs_buf_release(&l->prev);
    memset(l, 0, sizeof(*l));
}

static uint8_t *put_uvarint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static uint64_t get_uvarint(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    unsigned shift = 0;
    while (*p & 0x80) {
        v |= (uint64_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    v |= (uint64_t)*p++ << shift;
    *pp = p;
    return v;
}

/* Room for `need` more bytes in the current chunk, moving the block being filled to a new
 * chunk when it does not fit (a block's entries are decoded from one run of bytes). */
static int entries_room(struct customs_entries *l, size_t need)
{
    if (l->size - l->used >= need) {
        return 0;
    }
    const uint8_t *start = NULL;
    size_t move = 0;
    if (l->n % CUSTOMS_ENTRIES_BLOCK != 0) {
        start = *(const uint8_t **)customs_vec_at(&l->blocks, l->blocks.len - 1);
        move = (size_t)(l->cur + l->used - start);
    }
    size_t size = CHUNK_BYTES;
    size_t want;
    if (customs_add_overflows(move, need, &want)) {
        return CUSTOMS_ENOMEM;
    }
    if (want > size) {
        size = want;
    }
    uint8_t *chunk = customs_malloc(size);
    uint8_t **slot = chunk != NULL ? customs_vec_push(&l->chunks) : NULL;
    if (slot == NULL) {
        customs_free(chunk);
        return CUSTOMS_ENOMEM;
    }
    *slot = chunk;
    if (move > 0) {
        memcpy(chunk, start, move);
        *(const uint8_t **)customs_vec_at(&l->blocks, l->blocks.len - 1) = chunk;
    }
    l->cur = chunk;
    l->used = move;
    l->size = size;
    return 0;
}

int customs_entries_add(struct customs_entries *l, const struct customs_entry *e)
{
    size_t plen = strlen(e->path);
    const char *link = has_link(e->type) ? (e->link != NULL ? e->link : "") : NULL;
    size_t klen = link != NULL ? strlen(link) : 0;
    bool restart = l->n % CUSTOMS_ENTRIES_BLOCK == 0;
    uint32_t mode = e->mode & 07777;
    size_t shared = 0;
    size_t need;
    int r;
    if (l->n >= CUSTOMS_ENTRIES_MAX) {
        return CUSTOMS_ELIMIT;
    }
    if (!restart) {
        const char *prev = customs_buf_cstr(&l->prev);
        while (shared < plen && shared < l->prev.len && prev[shared] == e->path[shared]) {
            shared++;
        }
    }
    /* type, two varints and the mode, the link's length: 1 + 10 + 10 + 5 + 10 bytes at most */
    if (customs_add_overflows(plen, klen, &need) || customs_add_overflows(need, 36, &need)) {
        return CUSTOMS_ENOMEM;
    }
    r = entries_room(l, need);
    if (r < 0) {
        return r;
    }
    if (restart) {
        const uint8_t **slot = customs_vec_push(&l->blocks);
        if (slot == NULL) {
            return CUSTOMS_ENOMEM;
        }
        *slot = l->cur + l->used;
    }
    bool same = !restart && mode == l->prev_mode;
    uint8_t *p = l->cur + l->used;
    *p++ = (uint8_t)((unsigned)e->type | (same ? MODE_SAME : 0));
    p = put_uvarint(p, shared);
    p = put_uvarint(p, plen - shared);
    memcpy(p, e->path + shared, plen - shared);
    p += plen - shared;
    if (!same) {
        p = put_uvarint(p, mode);
    }
    if (link != NULL) {
        p = put_uvarint(p, klen);
        memcpy(p, link, klen);
        p += klen;
    }
    /* the path to share with the next entry: only the bytes past the shared prefix change */
    l->prev.len = shared < l->prev.len ? shared : l->prev.len;
    r = customs_buf_append(&l->prev, e->path + shared, plen - shared);
    if (r < 0) {
        /* the entry is not added: the next one restarts from an empty previous path */
        if (restart) {
            l->blocks.len--;
        }
        l->prev.len = 0;
        return r;
    }
    l->used = (size_t)(p - l->cur);
    l->prev_mode = mode;
    if (plen > l->max_path) {
        l->max_path = plen;
    }
    if (klen > l->max_link) {
        l->max_link = klen;
    }
    l->n++;
    return 0;
}

/* ---- reading ---- */

int customs_entries_reader_init(struct customs_entries_reader *rd, const struct customs_entries *l)
{
    memset(rd, 0, sizeof(*rd));
    rd->l = l;
    rd->n = l->n;
    rd->path = customs_malloc(l->max_path + 1);
    rd->link = customs_malloc(l->max_link + 1);
    if (rd->path == NULL || rd->link == NULL) {
        customs_entries_reader_release(rd);
        return CUSTOMS_ENOMEM;
    }
    rd->path[0] = '\0';
    rd->link[0] = '\0';
    return 0;
}

void customs_entries_reader_release(struct customs_entries_reader *rd)
{
    customs_free(rd->path);
    customs_free(rd->link);
    rd->path = NULL;
    rd->link = NULL;
}

/* Decode entry rd->i into the reader's buffers and step past it. */
static void reader_step(struct customs_entries_reader *rd)
{
    if (rd->i % CUSTOMS_ENTRIES_BLOCK == 0) {
        /* a block starts from its recorded place (it may have been moved to a later chunk) */
        rd->p = *(const uint8_t *const *)customs_vec_at(&rd->l->blocks,
                                                         rd->i / CUSTOMS_ENTRIES_BLOCK);
        rd->len = 0;
    }
    const uint8_t *p = rd->p;
    unsigned head = *p++;
    size_t shared = (size_t)get_uvarint(&p);
    size_t suffix = (size_t)get_uvarint(&p);
    assert(shared <= rd->len && shared + suffix <= rd->l->max_path);
    memcpy(rd->path + shared, p, suffix);
    p += suffix;
    rd->len = shared + suffix;
    rd->path[rd->len] = '\0';
    rd->type = (enum customs_entry_type)(head & TYPE_MASK);
    if (!(head & MODE_SAME)) {
        rd->mode = (uint32_t)get_uvarint(&p);
    }
    if (has_link(rd->type)) {
        size_t klen = (size_t)get_uvarint(&p);
        assert(klen <= rd->l->max_link);
        memcpy(rd->link, p, klen);
        rd->link[klen] = '\0';
        p += klen;
    }
    rd->p = p;
    rd->i++;
}

static void reader_fill(const struct customs_entries_reader *rd, struct customs_entry *out)
{
    memset(out, 0, sizeof(*out));
    out->path = rd->path;
    out->type = rd->type;
    out->mode = rd->mode;
    out->link = has_link(rd->type) ? rd->link : NULL;
    out->layer = -1;
}

bool customs_entries_next(struct customs_entries_reader *rd, struct customs_entry *out)
{
    if (rd->i >= rd->n) {
        return false;
    }
    reader_step(rd);
    reader_fill(rd, out);
    return true;
}

bool customs_entries_get(struct customs_entries_reader *rd, size_t i, struct customs_entry *out)
{
    if (i >= rd->n) {
        return false;
    }
    if (rd->i > i || rd->i / CUSTOMS_ENTRIES_BLOCK != i / CUSTOMS_ENTRIES_BLOCK) {
        rd->i = i - i % CUSTOMS_ENTRIES_BLOCK; /* from the start of its block */
    }
    while (rd->i < i) {
        reader_step(rd);
    }
    reader_step(rd);
    reader_fill(rd, out);
    return true;
}
