/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sealed files in a private cache directory (core.h says what makes them safe): the compiled
 * secret rules (src/secrets/cache.c) and the per-layer results (src/scan/layercache.c) are
 * stored this way.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

#include "core/banned.h"

#define HEX_KEY 64
#define HEX_LEN 16

void customs_sha256_field(struct customs_sha256 *sha, const void *p, size_t n)
{
    uint64_t len = n; /* length-prefixed: no two different inputs hash alike */
    customs_sha256_update(sha, &len, sizeof(len));
    customs_sha256_update(sha, p, n);
}

static int payload_digest(char out[CUSTOMS_DIGEST_MAX], const void *p, size_t n)
{
    struct customs_sha256 sha;
    if (customs_sha256_init(&sha) < 0) {
        return CUSTOMS_ERROR;
    }
    customs_sha256_update(&sha, p, n);
    int r = customs_sha256_final(&sha, out);
    customs_sha256_release(&sha);
    return r;
}

static int hex_u64(const uint8_t *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = p[i] >= '0' && p[i] <= '9'   ? p[i] - '0'
                : p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
                                             : -1;
        if (d < 0) {
            return CUSTOMS_EMALFORMED;
        }
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

int customs_sealed_parse(struct customs_bytes *payload, const void *data, size_t len,
                         const char magic[CUSTOMS_SEALED_MAGIC_LEN], const char *key)
{
    struct customs_cursor c;
    const uint8_t *m = NULL, *k = NULL, *sum = NULL, *hexlen = NULL, *body = NULL;
    uint64_t n = 0;
    char digest[CUSTOMS_DIGEST_MAX];
    customs_cursor_init(&c, data, len);
    if (customs_cursor_take(&c, CUSTOMS_SEALED_MAGIC_LEN, &m) < 0 ||
        memcmp(m, magic, CUSTOMS_SEALED_MAGIC_LEN) != 0 ||
        customs_cursor_take(&c, HEX_KEY, &k) < 0 || strlen(key) != HEX_KEY ||
        memcmp(k, key, HEX_KEY) != 0 || customs_cursor_take(&c, HEX_KEY, &sum) < 0 ||
        customs_cursor_take(&c, HEX_LEN, &hexlen) < 0 || hex_u64(hexlen, HEX_LEN, &n) < 0 ||
        n == 0 || n != customs_cursor_left(&c) ||
        customs_cursor_take(&c, (size_t)n, &body) < 0 ||
        payload_digest(digest, body, (size_t)n) < 0 || memcmp(digest + 7, sum, HEX_KEY) != 0) {
        return CUSTOMS_EMALFORMED;
    }
    payload->ptr = body;
    payload->len = (size_t)n;
    return 0;
}

int customs_private_dir_open(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
                    (st.st_mode & 077) != 0)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

int customs_sealed_read(uint8_t **data, size_t *len, int dfd, const char *name, uint64_t max)
{
    struct stat st;
    uint8_t *buf = NULL;
    int r = CUSTOMS_EIO;
    *data = NULL;
    *len = 0;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? CUSTOMS_ENOTFOUND
               : errno == ELOOP ? CUSTOMS_EUNSUPPORTED
                                : CUSTOMS_EIO;
    }
    if (fstat(fd, &st) != 0) {
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        r = CUSTOMS_EUNSUPPORTED;
        goto out;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max || (uint64_t)st.st_size >= SIZE_MAX) {
        r = CUSTOMS_ELIMIT;
        goto out;
    }
    size_t size = (size_t)st.st_size;
    size_t got = 0;
    buf = customs_malloc(size + 1);
    if (buf == NULL) {
        r = CUSTOMS_ENOMEM;
        goto out;
    }
    /* one byte more than stat said: a file that grew since is no file we know */
    while (got <= size) {
        ssize_t k = read(fd, buf + got, size + 1 - got);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0) {
            goto out;
        }
        if (k == 0) {
            break;
        }
        got += (size_t)k;
    }
    if (got != size) {
        goto out; /* changed under us: a truncated or growing file */
    }
    *data = buf;
    *len = size;
    buf = NULL;
    r = 0;
out:
    customs_free(buf);
    close(fd);
    return r;
}

static bool write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return false;
        }
        c += k;
        n -= (size_t)k;
    }
    return true;
}

int customs_sealed_write(int dfd, const char *name, const char magic[CUSTOMS_SEALED_MAGIC_LEN],
                         const char *key, const void *payload, size_t n)
{
    char digest[CUSTOMS_DIGEST_MAX];
    char hdr[CUSTOMS_SEALED_HEADER_LEN + 1];
    struct customs_newfile f;
    if (n == 0 || strlen(key) != HEX_KEY || strlen(name) > 256 || strchr(name, '/') != NULL ||
        payload_digest(digest, payload, n) < 0) {
        return CUSTOMS_EIO;
    }
    memcpy(hdr, magic, CUSTOMS_SEALED_MAGIC_LEN);
    snprintf(hdr + CUSTOMS_SEALED_MAGIC_LEN, sizeof(hdr) - CUSTOMS_SEALED_MAGIC_LEN,
             "%.64s%.64s%016llx", key, digest + 7, (unsigned long long)n);
    if (customs_newfile_open(&f, dfd, name, CUSTOMS_NEWFILE_PRIVATE) != 0) {
        return CUSTOMS_EIO;
    }
    if (!write_all(f.fd, hdr, CUSTOMS_SEALED_HEADER_LEN) || !write_all(f.fd, payload, n)) {
        customs_newfile_abort(&f);
        return CUSTOMS_EIO;
    }
    return customs_newfile_commit(&f) == 0 ? 0 : CUSTOMS_EIO;
}

void customs_sealed_touch(int dfd, const char *name)
{
    /* a read-only cache still serves; its order is then the write order */
    (void)utimensat(dfd, name, NULL, AT_SYMLINK_NOFOLLOW);
}

/* ---- pruning ---- */

#define TMP_STALE_SECONDS 3600

struct cached_file {
    char *name;
    uint64_t bytes;
    int64_t used; /* modification time, seconds */
};

static int by_use(const void *a, const void *b)
{
    const struct cached_file *x = a;
    const struct cached_file *y = b;
    if (x->used != y->used) {
        return x->used < y->used ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

static bool is_tmp_of(const char *name, const char *prefix)
{
    size_t n = strlen(name);
    return name[0] == '.' && strncmp(name + 1, prefix, strlen(prefix)) == 0 && n > 4 &&
           strcmp(name + n - 4, ".tmp") == 0;
}

/* Remove `f` if it is still the file that was listed (same inode is not checked: a file
 * replaced since by a newer entry is younger, and losing it costs one re-read). */
static bool remove_entry(int dfd, const struct cached_file *f, struct customs_cache_usage *u)
{
    if (unlinkat(dfd, f->name, 0) != 0) {
        return errno == ENOENT; /* another pruner was first */
    }
    u->removed_files++;
    u->removed_bytes += f->bytes;
    return true;
}

int customs_sealed_prune(const char *dir, const char *prefix, uint64_t max_bytes, int64_t max_age,
                         int64_t now, struct customs_cache_usage *usage, struct customs_error *err)
{
    struct customs_vec files;
    struct dirent *de;
    int r = 0;
    bool count_only = max_bytes == UINT64_MAX && max_age == 0;
    memset(usage, 0, sizeof(*usage));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && errno == ENOENT) {
        return 0;
    }
    struct stat st;
    if (dfd < 0 || fstat(dfd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        int e = errno;
        if (dfd >= 0) {
            close(dfd);
        }
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "cache %s: not pruned (%s; it must be a directory of yours, not "
                                 "a symlink, with no group or other access)",
                                 dir, dfd < 0 ? strerror(e) : "not private");
    }
    int lfd = dup(dfd);
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (d == NULL) {
        if (lfd >= 0) {
            close(lfd);
        }
        close(dfd);
        return customs_error_set(err, CUSTOMS_EIO, "cache %s: %s", dir, strerror(errno));
    }
    customs_vec_init(&files, sizeof(struct cached_file));
    while (r == 0 && (errno = 0, de = readdir(d)) != NULL) {
        bool tmp = is_tmp_of(de->d_name, prefix);
        if (!tmp && strncmp(de->d_name, prefix, strlen(prefix)) != 0) {
            continue;
        }
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid()) {
            continue;
        }
        struct cached_file f = {NULL, (uint64_t)st.st_size, (int64_t)st.st_mtime};
        if (tmp) {
            if (!count_only && now - f.used > TMP_STALE_SECONDS) {
                f.name = de->d_name;
                remove_entry(dfd, &f, usage);
            }
            continue;
        }
        struct cached_file *slot = customs_vec_push(&files);
        if (slot == NULL || (f.name = customs_strdup(de->d_name)) == NULL) {
            files.len -= slot != NULL ? 1 : 0;
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            break;
        }
        *slot = f;
    }
    if (r == 0 && errno != 0) {
        r = customs_error_set(err, CUSTOMS_EIO, "cache %s: %s", dir, strerror(errno));
    }
    closedir(d);
    if (r == 0 && files.len > 1) {
        qsort(files.items, files.len, files.elem, by_use);
    }
    uint64_t total = 0;
    for (size_t i = 0; r == 0 && i < files.len; i++) {
        total += ((const struct cached_file *)customs_vec_at(&files, i))->bytes;
    }
    /* oldest first: past the age limit, or while over the size limit */
    for (size_t i = 0; r == 0 && i < files.len; i++) {
        const struct cached_file *f = customs_vec_at(&files, i);
        bool old = max_age > 0 && now - f->used > max_age;
        if ((old || total > max_bytes) && remove_entry(dfd, f, usage)) {
            total -= f->bytes;
        } else {
            usage->files++;
            usage->bytes += f->bytes;
        }
    }
    for (size_t i = 0; i < files.len; i++) {
        customs_free(((struct cached_file *)customs_vec_at(&files, i))->name);
    }
    customs_vec_release(&files);
    close(dfd);
    return r;
}
