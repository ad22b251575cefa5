/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CORE_CORE_H
#define CUSTOMS_CORE_CORE_H

/*
 * The core module: allocation (with failure injection for tests), error records, an arena
 * for per-scan data, capped growable buffers and arrays, a bounds-checked byte cursor,
 * checked arithmetic, sha256 and lexical path cleaning. Everything else builds on these.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "customs/error.h"

/* ---- allocation: all library allocation goes through these (see banned.h) ---- */

CUSTOMS_MUST_USE void *customs_malloc(size_t n);
/** Failure injection (built with -Dalloc_fail=true, else no-ops): the nth allocation through
 * these wrappers from now fails, and only that one (0: none); the count restarts. Tests only. */
void customs_alloc_fail_at(long n);
/** Allocations through these wrappers since the last customs_alloc_fail_at(); -1 if not built. */
long customs_alloc_count(void);
CUSTOMS_MUST_USE void *customs_calloc(size_t n, size_t size);
CUSTOMS_MUST_USE void *customs_realloc(void *p, size_t n);
/** realloc of n*size bytes; NULL (p untouched) on overflow or OOM. */
CUSTOMS_MUST_USE void *customs_reallocarray(void *p, size_t n, size_t size);
CUSTOMS_MUST_USE char *customs_strdup(const char *s);
CUSTOMS_MUST_USE char *customs_strndup(const char *s, size_t n);
void customs_free(void *p);

/* ---- errors ---- */

/** Record `code` and a printf-style message in `err` (NULL-safe); returns `code`. */
int customs_error_set(struct customs_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Prefix the message already in `err` with "prefix: " (NULL-safe). */
void customs_error_prefix(struct customs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void customs_error_clear(struct customs_error *err);

/* ---- formatting into fixed buffers ---- */

/** printf into `out` (`outsz` bytes, always NUL-terminated when outsz > 0), where a clipped
 * text would name something else (a path, a URL, an identifier).
 * @return 0; CUSTOMS_ELIMIT when the text did not fit (out holds it clipped: do not use it);
 * CUSTOMS_EINVAL on an encoding error or an empty buffer. */
CUSTOMS_MUST_USE int customs_fmt(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
CUSTOMS_MUST_USE int customs_vfmt(char *out, size_t outsz, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/** printf a human-readable message into `out`, clipped on purpose when it does not fit: a
 * clipped message ends in "..." (never after half a UTF-8 character). */
void customs_fmt_clip(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void customs_vfmt_clip(char *out, size_t outsz, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/** Mark the text in `out` (a buffer of `outsz` bytes that was too small) as clipped. */
void customs_clip_mark(char *out, size_t outsz);

/* ---- checked arithmetic ---- */

static inline bool customs_add_overflows(size_t a, size_t b, size_t *out)
{
    return __builtin_add_overflow(a, b, out);
}
static inline bool customs_mul_overflows(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

/* ---- arena: many small allocations freed at once, for one scan's records ---- */

struct customs_arena_chunk;
struct customs_arena {
    struct customs_arena_chunk *head;
    size_t total;
};

void customs_arena_init(struct customs_arena *a);
void customs_arena_release(struct customs_arena *a);
/** Empty the arena but keep one chunk for what comes next (a loop that fills and empties an
 * arena many times then allocates no chunk, and frees none, per round). */
void customs_arena_reset(struct customs_arena *a);
/** n bytes, 16-aligned, zeroed; NULL on OOM. */
CUSTOMS_MUST_USE void *customs_arena_alloc(struct customs_arena *a, size_t n);
CUSTOMS_MUST_USE char *customs_arena_strdup(struct customs_arena *a, const char *s);
CUSTOMS_MUST_USE char *customs_arena_strndup(struct customs_arena *a, const char *s, size_t n);
CUSTOMS_MUST_USE char *customs_arena_printf(struct customs_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- capped growable byte buffer; always NUL-terminated when non-empty ---- */

struct customs_buf {
    char *ptr;
    size_t len;
    size_t alloc;
    size_t max; /* append beyond this fails with CUSTOMS_ELIMIT; 0 = SIZE_MAX */
};

void customs_buf_init(struct customs_buf *b, size_t max);
void customs_buf_release(struct customs_buf *b);
void customs_buf_reset(struct customs_buf *b);
/** @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT (nothing appended then) */
CUSTOMS_MUST_USE int customs_buf_append(struct customs_buf *b, const void *data, size_t n);
CUSTOMS_MUST_USE int customs_buf_puts(struct customs_buf *b, const char *s);
CUSTOMS_MUST_USE int customs_buf_printf(struct customs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** Append unless `*rc` already holds a failure; a failure is kept in `*rc`. For a text built
 * in many steps and checked once at the end. */
void customs_buf_add(struct customs_buf *b, int *rc, const void *data, size_t n);
void customs_buf_addf(struct customs_buf *b, int *rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** The contents as a C string ("" when empty); borrowed. */
const char *customs_buf_cstr(const struct customs_buf *b);
/** Take ownership of the contents (free with customs_free); the buffer is left empty. */
CUSTOMS_MUST_USE char *customs_buf_detach(struct customs_buf *b);
/** Read the whole file at `path` (at most `max` bytes, else CUSTOMS_ELIMIT) into `*data`
 * (NUL-terminated, free with customs_free); errors name the file. Opened with
 * customs_file_open_read: a FIFO, socket or device is refused (CUSTOMS_EUNSUPPORTED). */
CUSTOMS_MUST_USE int customs_read_file(const char *path, size_t max, uint8_t **data, size_t *len,
                      struct customs_error *err);

/* ---- growable array of fixed-size elements ---- */

struct customs_vec {
    void *items;
    size_t len;
    size_t cap;
    size_t elem;
};

void customs_vec_init(struct customs_vec *v, size_t elem);
void customs_vec_release(struct customs_vec *v);
/** Append a zeroed element and return it, or NULL on OOM. Pointers move on the next push. */
CUSTOMS_MUST_USE void *customs_vec_push(struct customs_vec *v);
/** Make `dst` (initialised, empty) a copy of `src`'s elements. 0 or CUSTOMS_ENOMEM. */
CUSTOMS_MUST_USE int customs_vec_copy(struct customs_vec *dst, const struct customs_vec *src);
static inline void *customs_vec_at(const struct customs_vec *v, size_t i)
{
    return (char *)v->items + i * v->elem;
}

/* ---- bounds-checked reading of untrusted bytes ---- */

struct customs_bytes {
    const uint8_t *ptr;
    size_t len;
};

/* A cursor either succeeds within bounds and advances, or returns CUSTOMS_EMALFORMED and
 * stays where it was. */
struct customs_cursor {
    const uint8_t *ptr;
    size_t len;
    size_t pos;
};

void customs_cursor_init(struct customs_cursor *c, const void *data, size_t len);
size_t customs_cursor_left(const struct customs_cursor *c);
int customs_cursor_skip(struct customs_cursor *c, size_t n);
int customs_cursor_take(struct customs_cursor *c, size_t n, const uint8_t **out);
int customs_cursor_u8(struct customs_cursor *c, uint8_t *out);
int customs_cursor_be32(struct customs_cursor *c, uint32_t *out);
int customs_cursor_le32(struct customs_cursor *c, uint32_t *out);
int customs_cursor_le64(struct customs_cursor *c, uint64_t *out);
/** Unsigned LEB128 varint (Go's encoding/binary.Uvarint). */
int customs_cursor_uvarint(struct customs_cursor *c, uint64_t *out);

/* ---- sha256 (OpenSSL) ---- */

#define CUSTOMS_DIGEST_MAX 72 /* "sha256:" + 64 hex + NUL */

struct customs_sha256 {
    void *ctx; /* EVP_MD_CTX */
};

int customs_sha256_init(struct customs_sha256 *s);
void customs_sha256_update(struct customs_sha256 *s, const void *data, size_t n);
/** Write "sha256:<hex>" to out and release the context. */
int customs_sha256_final(struct customs_sha256 *s, char out[CUSTOMS_DIGEST_MAX]);
void customs_sha256_release(struct customs_sha256 *s);
/** True if `s` is "sha256:" followed by 64 lower-case hex digits. */
bool customs_digest_is_valid(const char *s);

/* ---- new files: every file customs creates (newfile.c) ---- */

/*
 * A file is created under a fresh, unguessable temporary name beside its target (".NAME.<16 hex
 * digits>.tmp", O_CREAT|O_EXCL|O_NOFOLLOW: no planted file, symlink or FIFO is ever opened)
 * and renamed over the target when complete, so a symlink at the target is replaced, never
 * written through, and readers see the old file or the new one, never half of one. The mode is
 * 0666 less the umask, as any tool's output, or 0600 whatever the umask for a file that holds
 * secrets or private state (CUSTOMS_NEWFILE_PRIVATE). CUSTOMS_NEWFILE_DURABLE syncs the data
 * before the rename (databases and reports: a crash leaves the old file, not an empty one).
 * scripts/check-file-creation.sh keeps every other way of creating a file out of src/.
 */
#define CUSTOMS_NEWFILE_PRIVATE 1u
#define CUSTOMS_NEWFILE_DURABLE 2u

struct customs_newfile {
    int fd;       /* write the content here */
    int dfd;      /* the directory `path` is relative to (AT_FDCWD: the working directory) */
    char *path;   /* the target */
    char *tmp;    /* the temporary name, removed unless renamed into place */
    unsigned flags;
};

/** Create the temporary file for `path` (relative to `dfd`). On failure errno says why.
 * @return 0, CUSTOMS_EIO, CUSTOMS_ENOMEM, CUSTOMS_EINVAL (a path that names no file) */
CUSTOMS_MUST_USE int customs_newfile_open(struct customs_newfile *f, int dfd, const char *path,
                                          unsigned flags);
/** Close the file (after fsync when durable) and rename it over the target; on any failure
 * the temporary file is removed and the target left as it was (errno says why). Releases `f`.
 * @return 0 or CUSTOMS_EIO */
CUSTOMS_MUST_USE int customs_newfile_commit(struct customs_newfile *f);
/** Close and remove the temporary file; the target is left as it was. Releases `f`; safe
 * after a failed open or a commit. */
void customs_newfile_abort(struct customs_newfile *f);
/** Create a new temporary file at `path`, whose last `suffix_len` characters follow six X's
 * that are replaced by random letters and digits (mkstemps with the mode above: a file that
 * outlives a step, renamed into place by its owner). @return the descriptor (read-write), or
 * -1 with errno set */
CUSTOMS_MUST_USE int customs_tmpfile_open(char *path, size_t suffix_len, unsigned flags);
/** Open `path` for reading: a regular file only (or /dev/null; "/dev/stdin" is the process's
 * own input, whatever it is). A FIFO, socket or device is refused (errno EINVAL) without
 * waiting: a FIFO nobody writes, or /dev/zero, given as a policy, a config or a cache file
 * would otherwise hang the program. @return the descriptor, or -1 with errno set */
CUSTOMS_MUST_USE int customs_file_open_read(const char *path);
/** fdopen(fd, mode) that owns `fd`: when the stream cannot be made, fd is closed (errno kept);
 * a negative fd (a failed open, errno set) gives NULL. @return the stream, or NULL with errno */
CUSTOMS_MUST_USE FILE *customs_file_fdopen(int fd, const char *mode);
/** customs_file_open_read as a stdio stream (binary). @return the stream, or NULL with errno */
CUSTOMS_MUST_USE FILE *customs_fopen_read(const char *path);
/** Open `path` for appending (a log, a lock), creating it with the mode above if missing; a
 * symlink, FIFO, socket or device there is refused (errno ELOOP or EINVAL), and nothing waits
 * on a FIFO. @return the descriptor, or -1 with errno set */
CUSTOMS_MUST_USE int customs_file_open_append(const char *path, unsigned flags);

/* ---- sealed files: the entries of a private cache directory (sealed.c) ---- */

/*
 * A cache is input: whoever can write it decides what the next run believes. A cache
 * directory is usable only when it is a real directory (no symlink) owned by the effective
 * user with no group or other permission bits; a file in it is opened without following
 * symlinks and must be a regular file of the user's; a file is written under a fresh
 * temporary name (O_EXCL, 0600) and renamed into place, so concurrent writers never mix and
 * no existing file or symlink is written through. A sealed file is 16 bytes of magic (the
 * format and its version), the 64 hex digits of its key, the payload's SHA-256 (64 hex) and
 * length (16 hex), then the payload.
 */

#define CUSTOMS_SEALED_MAGIC_LEN 16
#define CUSTOMS_SEALED_KEY_LEN 65 /* 64 hex digits + NUL */
#define CUSTOMS_SEALED_HEADER_LEN (CUSTOMS_SEALED_MAGIC_LEN + 64 + 64 + 16)

/** The cache directory `dir` (created 0700 if missing) open as a directory, or -1 when it is
 * missing and cannot be created, not a real directory, not the user's, or not private. */
int customs_private_dir_open(const char *dir);
/** Check a sealed file's magic, key, payload length and digest; on success `payload` points
 * into `data`. @return 0 or CUSTOMS_EMALFORMED */
int customs_sealed_parse(struct customs_bytes *payload, const void *data, size_t len,
                         const char magic[CUSTOMS_SEALED_MAGIC_LEN], const char *key);
/** Read the file `name` of the private directory `dfd` (at most `max` bytes) into *data
 * (caller frees with customs_free).
 * @return 0, CUSTOMS_ENOTFOUND (no such file), CUSTOMS_EUNSUPPORTED (a symlink, not a regular
 *         file, or not the user's), CUSTOMS_ELIMIT (larger than `max`), CUSTOMS_EIO,
 *         CUSTOMS_ENOMEM */
int customs_sealed_read(uint8_t **data, size_t *len, int dfd, const char *name, uint64_t max);
/** Seal `payload` under `key` into the file `name` of the private directory `dfd` (through a
 * temporary file renamed into place). @return 0 or CUSTOMS_EIO */
int customs_sealed_write(int dfd, const char *name, const char magic[CUSTOMS_SEALED_MAGIC_LEN],
                         const char *key, const void *payload, size_t n);

/** Mark the sealed file `name` of `dfd` as used now (its modification time: what pruning
 * orders by); best effort. */
void customs_sealed_touch(int dfd, const char *name);

/** What a private cache directory holds, and what pruning removed. */
struct customs_cache_usage {
    uint64_t files;          /* sealed files left */
    uint64_t bytes;
    uint64_t removed_files;  /* removed (temporary files left by a killed writer included) */
    uint64_t removed_bytes;
};

/**
 * Prune the private cache directory `dir` (customs_private_dir_open's checks; a missing
 * directory is empty): of its regular files whose names start with `prefix`, remove those last
 * used (modified) before `now - max_age` (max_age 0: any age), then the least recently used
 * until at most `max_bytes` remain (UINT64_MAX: no limit; 0: remove all); and temporary files
 * of sealed_write older than an hour. With no limit at all (UINT64_MAX, max_age 0) it only
 * counts: nothing is removed. Only regular files of the user are touched; symlinks
 * and anything else are left alone. A file in use by another process is safe to remove (it
 * reads what it opened; a later open misses). `usage` receives what is left and what went.
 * @return 0, CUSTOMS_EUNSUPPORTED (an unusable directory, `err` says why), CUSTOMS_EIO,
 *         CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_sealed_prune(const char *dir, const char *prefix,
                                          uint64_t max_bytes, int64_t max_age, int64_t now,
                                          struct customs_cache_usage *usage,
                                          struct customs_error *err);
/** Hash a length-prefixed field into `sha` (keys built of fields: no two inputs alike). */
void customs_sha256_field(struct customs_sha256 *sha, const void *p, size_t n);

/* ---- paths inside images: strings, never filesystem paths ---- */

/**
 * Clean `in` lexically into an absolute path in `out`: leading "/" added, "." and empty
 * components dropped, ".." applied without ever rising above "/", no trailing "/".
 * @return 0 or CUSTOMS_ELIMIT (longer than outsz - 1)
 */
int customs_path_clean(char *out, size_t outsz, const char *in, size_t inlen);
/** Join a directory and a relative path and clean the result (see customs_path_clean). */
int customs_path_join(char *out, size_t outsz, const char *dir, const char *rel);
/** Pointer to the last component of `path` (after the last '/'). */
const char *customs_path_base(const char *path);
bool customs_str_has_suffix(const char *s, const char *suffix);
bool customs_str_has_prefix(const char *s, const char *prefix);

/* ---- base64 ---- */

/**
 * Decode standard base64 (`n` bytes of `in`) into out (at most `outsz` bytes), strictly: the
 * alphabet only, '=' only at the end, no bits left over. `need_pad`: the padding is required
 * (else it may be left out). @return the decoded length, or -1 when invalid or too long
 */
long customs_base64_decode(uint8_t *out, size_t outsz, const char *in, size_t n, bool need_pad);

/* ---- string-keyed hash map (open addressing); keys are borrowed, not copied ---- */

struct customs_strmap_slot;
struct customs_strmap {
    struct customs_strmap_slot *slots;
    size_t cap;   /* power of two */
    size_t len;   /* live entries */
    size_t used;  /* live + deleted slots */
};

void customs_strmap_init(struct customs_strmap *m);
void customs_strmap_release(struct customs_strmap *m);
/** Insert or replace; `key` must outlive the map. @return 0 or CUSTOMS_ENOMEM */
int customs_strmap_put(struct customs_strmap *m, const char *key, void *value);
/** The value for `key`, or NULL. */
void *customs_strmap_get(const struct customs_strmap *m, const char *key);
/** Remove `key` if present; @return true if it was. */
bool customs_strmap_del(struct customs_strmap *m, const char *key);
/** Iterate: start with *iter = 0; returns false at the end. */
bool customs_strmap_next(const struct customs_strmap *m, size_t *iter, const char **key,
                         void **value);

#endif /* CUSTOMS_CORE_CORE_H */
