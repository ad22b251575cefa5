/* SPDX-License-Identifier: Apache-2.0 */
/* Test helper: build small tars in memory with libarchive, and compress them. */
#ifndef CUSTOMS_TESTS_TARBUILD_H
#define CUSTOMS_TESTS_TARBUILD_H

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct tarbuild {
    struct archive *a;
    unsigned char *buf;
    size_t cap;
    size_t used;
};

static inline void tb_open(struct tarbuild *t)
{
    t->cap = 8u << 20;
    t->buf = calloc(1, t->cap);
    t->used = 0;
    t->a = archive_write_new();
    archive_write_set_format_pax_restricted(t->a);
    archive_write_open_memory(t->a, t->buf, t->cap, &t->used);
}

/* type: 'f' file, 'd' dir, 'l' symlink (data = target), 'h' hardlink (data = target) */
static inline void tb_add(struct tarbuild *t, const char *path, char type, const char *data,
                          unsigned mode)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_perm(e, mode);
    if (type == 'f') {
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)strlen(data));
    } else if (type == 'd') {
        archive_entry_set_filetype(e, AE_IFDIR);
    } else if (type == 'l') {
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, data);
    } else {
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, data);
    }
    archive_write_header(t->a, e);
    if (type == 'f') {
        archive_write_data(t->a, data, strlen(data));
    }
    archive_entry_free(e);
}

static inline void tb_close(struct tarbuild *t)
{
    archive_write_close(t->a);
    archive_write_free(t->a);
}

static inline unsigned char *tb_gzip(const unsigned char *in, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, len) + 64;
    unsigned char *out = malloc(cap);
    z.next_in = (unsigned char *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static inline unsigned char *tb_zstd(const unsigned char *in, size_t len, size_t *out_len)
{
    size_t cap = ZSTD_compressBound(len);
    unsigned char *out = malloc(cap);
    *out_len = ZSTD_compress(out, cap, in, len, 3);
    return out;
}

#endif
