/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Blob streams: bytes of a layer or document, from memory, from a file in an OCI layout
 * directory, or from one member of an outer tar (docker-archive, OCI layout tar). The outer
 * tar is read with libarchive and never extracted: opening a member walks the headers,
 * skipping the data of the others (libarchive seeks over it in a regular file).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/blob.h"

#include "core/banned.h"

#define FILE_CHUNK (1u << 20)

/* ---- memory ---- */

struct memory_stream {
    const uint8_t *data;
    size_t len;
    bool done;
};

static int memory_read(void *ctx, const void **buf, size_t *len, struct customs_error *err)
{
    struct memory_stream *m = ctx;
    (void)err;
    *buf = m->data;
    *len = m->done ? 0 : m->len;
    m->done = true;
    return 0;
}

static void memory_close(void *ctx)
{
    customs_free(ctx);
}

int customs_blob_stream_memory(struct customs_blob_stream *out, const void *data, size_t len)
{
    struct memory_stream *m = customs_calloc(1, sizeof(*m));
    if (m == NULL) {
        return CUSTOMS_ENOMEM;
    }
    m->data = data;
    m->len = len;
    out->read = memory_read;
    out->close = memory_close;
    out->ctx = m;
    out->verified = false; /* the layer reader hashes these */
    return 0;
}

/* ---- a regular file ---- */

struct file_stream {
    int fd;
    char *name;
    uint8_t *buf;
};

static int file_read(void *ctx, const void **buf, size_t *len, struct customs_error *err)
{
    struct file_stream *f = ctx;
    for (;;) {
        ssize_t n = read(f->fd, f->buf, FILE_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return customs_error_set(err, CUSTOMS_EIO, "%s: read failed: %s", f->name,
                                     strerror(errno));
        }
        *buf = f->buf;
        *len = (size_t)n;
        return 0;
    }
}

static void file_close(void *ctx)
{
    struct file_stream *f = ctx;
    if (f->fd >= 0) {
        close(f->fd);
    }
    customs_free(f->name);
    customs_free(f->buf);
    customs_free(f);
}

int customs_blob_stream_file(struct customs_blob_stream *out, int dirfd, const char *rel,
                             const char *shown, struct customs_error *err)
{
    struct file_stream *f = customs_calloc(1, sizeof(*f));
    if (f == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    f->fd = -1;
    f->name = customs_strdup(shown);
    f->buf = customs_malloc(FILE_CHUNK);
    if (f->name == NULL || f->buf == NULL) {
        file_close(f);
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    int r = customs_open_checked(&f->fd, dirfd, rel, shown, false, err);
    if (r < 0) {
        file_close(f);
        return r;
    }
    out->read = file_read;
    out->close = file_close;
    out->ctx = f;
    out->verified = false; /* the layer reader hashes these */
    return 0;
}

/* ---- one member of an outer tar ---- */

/* libarchive reads the outer tar through pread on one shared descriptor: each reader has its
 * own offset, so layers are read from several threads at once, and the file opened (and
 * checked to be a regular file) once is the only one ever read. */
struct outer_io {
    int fd;
    off_t pos;
    off_t size;
    uint8_t *buf;
};

static la_ssize_t outer_read(struct archive *ar, void *ctx, const void **buf)
{
    struct outer_io *io = ctx;
    for (;;) {
        ssize_t n = pread(io->fd, io->buf, FILE_CHUNK, io->pos);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            archive_set_error(ar, errno, "read failed: %s", strerror(errno));
            return -1;
        }
        io->pos += n;
        *buf = io->buf;
        return n;
    }
}

static la_int64_t outer_seek(struct archive *ar, void *ctx, la_int64_t off, int whence)
{
    struct outer_io *io = ctx;
    la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? io->pos : io->size;
    (void)ar;
    if (off < -base || base + off > io->size) {
        return ARCHIVE_FATAL;
    }
    io->pos = base + off;
    return io->pos;
}

static la_int64_t outer_skip(struct archive *ar, void *ctx, la_int64_t n)
{
    struct outer_io *io = ctx;
    (void)ar;
    if (n < 0) {
        return 0;
    }
    if (n > io->size - io->pos) {
        n = io->size - io->pos;
    }
    io->pos += n;
    return n;
}

static int outer_close(struct archive *ar, void *ctx)
{
    struct outer_io *io = ctx;
    (void)ar;
    customs_free(io->buf);
    customs_free(io);
    return ARCHIVE_OK;
}

struct member_stream {
    struct archive *ar;
    char *name;
};

static int member_read(void *ctx, const void **buf, size_t *len, struct customs_error *err)
{
    struct member_stream *m = ctx;
    la_int64_t off;
    int r = archive_read_data_block(m->ar, buf, len, &off);
    if (r == ARCHIVE_EOF) {
        *len = 0;
        return 0;
    }
    if (r < ARCHIVE_WARN) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s", m->name,
                                 archive_error_string(m->ar));
    }
    return 0;
}

static void member_close(void *ctx)
{
    struct member_stream *m = ctx;
    if (m->ar != NULL) {
        archive_read_free(m->ar);
    }
    customs_free(m->name);
    customs_free(m);
}

static int outer_open(struct archive **out, int fd, const char *tar, struct customs_error *err)
{
    struct stat st;
    struct archive *ar = archive_read_new();
    struct outer_io *io = customs_calloc(1, sizeof(*io));
    if (io != NULL) {
        io->buf = customs_malloc(FILE_CHUNK);
    }
    if (ar == NULL || io == NULL || io->buf == NULL) {
        if (io != NULL) {
            customs_free(io->buf);
        }
        customs_free(io);
        if (ar != NULL) {
            archive_read_free(ar);
        }
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    io->fd = fd;
    io->size = fstat(fd, &st) == 0 ? st.st_size : 0;
    archive_read_support_format_tar(ar);
    archive_read_set_callback_data(ar, io);
    archive_read_set_read_callback(ar, outer_read);
    archive_read_set_seek_callback(ar, outer_seek);
    archive_read_set_skip_callback(ar, outer_skip);
    archive_read_set_close_callback(ar, outer_close);
    if (archive_read_open1(ar) != ARCHIVE_OK) {
        int code = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s", tar,
                                     archive_error_string(ar));
        archive_read_free(ar); /* calls outer_close */
        return code;
    }
    *out = ar;
    return 0;
}

/* Clean a member name the way customs_path_clean does, without the leading "/". */
static int member_clean(char *out, size_t outsz, const char *name)
{
    char tmp[CUSTOMS_MEMBER_MAX + 2];
    int r = customs_path_clean(tmp, sizeof(tmp), name, strlen(name));
    if (r < 0 || strlen(tmp + 1) >= outsz) {
        return CUSTOMS_ELIMIT;
    }
    memcpy(out, tmp + 1, strlen(tmp + 1) + 1);
    return 0;
}

int customs_tar_members(struct customs_tar_member **out, size_t *n, int fd, const char *tar,
                        uint64_t max_members, struct customs_error *err)
{
    struct archive *ar = NULL;
    struct archive_entry *e;
    struct customs_vec v;
    int r = outer_open(&ar, fd, tar, err);
    *out = NULL;
    *n = 0;
    if (r < 0) {
        return r;
    }
    struct customs_strmap names; /* non-directory member name -> (void *)1 */
    struct customs_arena keys;
    customs_strmap_init(&names);
    customs_arena_init(&keys);
    customs_vec_init(&v, sizeof(struct customs_tar_member));
    for (;;) {
        r = archive_read_next_header(ar, &e);
        if (r == ARCHIVE_EOF) {
            r = 0;
            break;
        }
        if (r < ARCHIVE_WARN) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: entry %zu: %s", tar, v.len,
                                  archive_error_string(ar));
            break;
        }
        if (v.len >= max_members) {
            r = customs_error_set(err, CUSTOMS_ELIMIT, "%s: more than %llu entries", tar,
                                  (unsigned long long)max_members);
            break;
        }
        const char *name = archive_entry_pathname(e);
        struct customs_tar_member *m = customs_vec_push(&v);
        if (m == NULL) {
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            break;
        }
        if (name == NULL || member_clean(m->name, sizeof(m->name), name) < 0) {
            v.len--;
            continue; /* unusable names cannot be referenced by a manifest either */
        }
        m->size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
        m->type = archive_entry_filetype(e) == AE_IFDIR ? 'd' : 'f';
        m->link[0] = '\0';
        const char *link = archive_entry_hardlink(e);
        if (link != NULL) {
            m->type = 'h';
        } else if (archive_entry_filetype(e) == AE_IFLNK) {
            m->type = 'l';
            link = archive_entry_symlink(e);
        }
        if (link != NULL && strlen(link) < sizeof(m->link)) {
            memcpy(m->link, link, strlen(link) + 1);
        }
        /* Two members of one name are ambiguous: customs would read the first, docker load
         * and tar -x keep the last. Refused, whatever their content (directories aside). */
        if (m->type != 'd') {
            if (customs_strmap_get(&names, m->name) != NULL) {
                r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                      "%s: entry %zu: '%s' appears twice in the archive "
                                      "(ambiguous: refused)",
                                      tar, v.len - 1, m->name);
                break;
            }
            const char *key = customs_arena_strdup(&keys, m->name);
            if (key == NULL || customs_strmap_put(&names, key, (void *)1) < 0) {
                r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
                break;
            }
        }
    }
    customs_strmap_release(&names);
    customs_arena_release(&keys);
    archive_read_free(ar);
    if (r < 0) {
        customs_vec_release(&v);
        return r;
    }
    *out = v.items;
    *n = v.len;
    return 0;
}

int customs_blob_stream_member(struct customs_blob_stream *out, int fd, const char *tar,
                               const char *member, struct customs_error *err)
{
    struct member_stream *m = customs_calloc(1, sizeof(*m));
    struct archive_entry *e;
    char want[CUSTOMS_MEMBER_MAX];
    char have[CUSTOMS_MEMBER_MAX];
    if (m == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (member_clean(want, sizeof(want), member) < 0) {
        member_close(m);
        return customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: no member '%.200s'", tar, member);
    }
    m->name = customs_strdup(want);
    int r = m->name == NULL ? customs_error_set(err, CUSTOMS_ENOMEM, "out of memory")
                            : outer_open(&m->ar, fd, tar, err);
    while (r == 0) {
        r = archive_read_next_header(m->ar, &e);
        if (r == ARCHIVE_EOF) {
            r = customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: '%s' not found in the archive",
                                  tar, want);
            break;
        }
        if (r < ARCHIVE_WARN) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s", tar,
                                  archive_error_string(m->ar));
            break;
        }
        r = 0;
        const char *name = archive_entry_pathname(e);
        if (name != NULL && member_clean(have, sizeof(have), name) == 0 &&
            strcmp(have, want) == 0 && archive_entry_filetype(e) == AE_IFREG &&
            archive_entry_hardlink(e) == NULL) {
            out->read = member_read;
            out->close = member_close;
            out->ctx = m;
            out->verified = false; /* the layer reader hashes these */
            return 0;
        }
    }
    member_close(m);
    return r;
}

int customs_blob_read_all(uint8_t **out, size_t *len, struct customs_blob_stream *s,
                          const char *name, uint64_t max, struct customs_error *err)
{
    struct customs_buf b;
    customs_buf_init(&b, max > SIZE_MAX ? SIZE_MAX : (size_t)max);
    *out = NULL;
    *len = 0;
    for (;;) {
        const void *chunk;
        size_t n;
        int r = s->read(s->ctx, &chunk, &n, err);
        if (r < 0) {
            customs_buf_release(&b);
            return r;
        }
        if (n == 0) {
            break;
        }
        r = customs_buf_append(&b, chunk, n);
        if (r == CUSTOMS_ELIMIT) {
            customs_buf_release(&b);
            return customs_error_set(err, CUSTOMS_ELIMIT,
                                     "%s: larger than the %llu-byte limit", name,
                                     (unsigned long long)max);
        }
        if (r < 0) {
            customs_buf_release(&b);
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    *len = b.len;
    *out = (uint8_t *)customs_buf_detach(&b);
    if (*out == NULL) {
        *out = customs_malloc(1);
        if (*out == NULL) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}

int customs_file_read_beneath(uint8_t **out, size_t *len, int dirfd, const char *rel,
                              const char *shown, uint64_t max, struct customs_error *err)
{
    struct customs_blob_stream s;
    *out = NULL;
    *len = 0;
    int r = customs_blob_stream_file(&s, dirfd, rel, shown, err);
    if (r < 0) {
        return r;
    }
    r = customs_blob_read_all(out, len, &s, shown, max, err);
    s.close(s.ctx);
    return r;
}
