/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The on-disk cache of compiled Vectorscan databases (compiling the built-in rules costs about a
 * second of CPU; loading them, a millisecond). The cache is input: anyone who can write it
 * decides what the scanner runs, so
 *   - it lives in a directory the caller names (the library reads no environment), which must be
 *     a real directory (not a symlink), owned by the effective user and private (no group or
 *     other permission bits); anything else means no cache;
 *   - a file is opened O_NOFOLLOW|O_NONBLOCK and must be a regular file owned by the user;
 *   - a file is written to a fresh temporary name (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) in that
 *     directory and renamed into place, so no symlink or existing file is ever written through;
 *   - a header binds the payload to the exact rule set (every pattern, flag and id), the
 *     Vectorscan version and the platform (CPU features, tuning, word size), and carries the
 *     payload's length and SHA-256; any mismatch is a miss and the rules are compiled;
 *   - the scanner bounds-checks every pattern id the database reports (engine.c), so even a
 *     database crafted with a matching header cannot index outside the rules.
 *
 * File layout: 16 bytes magic, 64 hex digits of the key, 64 hex digits of the payload's
 * SHA-256, 16 hex digits of the payload length, then the payload (hs_serialize_database).
 */
#include <errno.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secrets/cache.h"

#include "core/banned.h"

static const char cache_magic[CUSTOMS_SECRET_CACHE_MAGIC_LEN] = "customs-hsdb\0\0\0\2";

#define HEX_KEY 64
#define HEX_LEN 16
#define MAX_PAYLOAD (256u << 20)

static void key_add(struct customs_sha256 *sha, const void *p, size_t n)
{
    uint64_t len = n; /* length-prefixed: no two different inputs hash alike */
    customs_sha256_update(sha, &len, sizeof(len));
    customs_sha256_update(sha, p, n);
}

int customs_secret_cache_key(char out[CUSTOMS_SECRET_CACHE_KEY_LEN], const char *const *pats,
                             const unsigned *flags, const unsigned *ids, size_t n,
                             unsigned mode)
{
    struct customs_sha256 sha;
    char digest[CUSTOMS_DIGEST_MAX];
    hs_platform_info_t plat;
    memset(&plat, 0, sizeof(plat));
    if (hs_populate_platform(&plat) != HS_SUCCESS || customs_sha256_init(&sha) < 0) {
        return CUSTOMS_ERROR;
    }
    const char *version = hs_version();
    key_add(&sha, cache_magic, sizeof(cache_magic));
    key_add(&sha, version, strlen(version));
    uint64_t platform[4] = {plat.tune, plat.cpu_features, sizeof(void *), mode};
    key_add(&sha, platform, sizeof(platform));
#if defined(__x86_64__)
    key_add(&sha, "x86_64", 6);
#elif defined(__aarch64__)
    key_add(&sha, "aarch64", 7);
#else
    key_add(&sha, "other", 5);
#endif
    uint64_t count = n;
    key_add(&sha, &count, sizeof(count));
    for (size_t i = 0; i < n; i++) {
        key_add(&sha, pats[i], strlen(pats[i]));
        key_add(&sha, &flags[i], sizeof(flags[i]));
        key_add(&sha, &ids[i], sizeof(ids[i]));
    }
    int r = customs_sha256_final(&sha, digest);
    customs_sha256_release(&sha);
    if (r < 0) {
        return r;
    }
    memcpy(out, digest + 7, HEX_KEY);
    out[HEX_KEY] = '\0';
    return 0;
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

int customs_secret_cache_parse(struct customs_bytes *payload, const void *data, size_t len,
                               const char *key)
{
    struct customs_cursor c;
    const uint8_t *magic = NULL, *k = NULL, *sum = NULL, *hexlen = NULL, *body = NULL;
    uint64_t n = 0;
    char digest[CUSTOMS_DIGEST_MAX];
    customs_cursor_init(&c, data, len);
    if (customs_cursor_take(&c, sizeof(cache_magic), &magic) < 0 ||
        memcmp(magic, cache_magic, sizeof(cache_magic)) != 0 ||
        customs_cursor_take(&c, HEX_KEY, &k) < 0 || memcmp(k, key, HEX_KEY) != 0 ||
        customs_cursor_take(&c, HEX_KEY, &sum) < 0 ||
        customs_cursor_take(&c, HEX_LEN, &hexlen) < 0 ||
        hex_u64(hexlen, HEX_LEN, &n) < 0 || n == 0 || n != customs_cursor_left(&c) ||
        customs_cursor_take(&c, (size_t)n, &body) < 0 ||
        payload_digest(digest, body, (size_t)n) < 0 || memcmp(digest + 7, sum, HEX_KEY) != 0) {
        return CUSTOMS_EMALFORMED;
    }
    payload->ptr = body;
    payload->len = (size_t)n;
    return 0;
}

/* The cache directory, created (0700) if missing; -1 unless it is a real directory, the
 * effective user's, and private. */
static int cache_dir_open(const char *dir)
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

static void cache_name(char *out, size_t outsz, const char *key)
{
    snprintf(out, outsz, "secrets-%.16s.hsdb", key);
}

int customs_secret_cache_load(hs_database_t **db, const char *dir, const char *key)
{
    char name[64];
    uint8_t *buf = NULL;
    struct stat st;
    struct customs_bytes payload;
    int r = CUSTOMS_ENOTFOUND;
    int dfd = cache_dir_open(dir);
    int fd = -1;
    *db = NULL;
    if (dfd < 0) {
        goto out;
    }
    cache_name(name, sizeof(name), key);
    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        st.st_size <= 0 || (uint64_t)st.st_size > MAX_PAYLOAD + 256) {
        goto out;
    }
    size_t size = (size_t)st.st_size, got = 0;
    buf = customs_malloc(size);
    if (buf == NULL) {
        r = CUSTOMS_ENOMEM;
        goto out;
    }
    while (got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            goto out;
        }
        got += (size_t)k;
    }
    if (customs_secret_cache_parse(&payload, buf, size, key) == 0 &&
        hs_deserialize_database((const char *)payload.ptr, payload.len, db) == HS_SUCCESS) {
        r = 0;
    } else {
        *db = NULL;
    }
out:
    customs_free(buf);
    if (fd >= 0) {
        close(fd);
    }
    if (dfd >= 0) {
        close(dfd);
    }
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

void customs_secret_cache_store(const hs_database_t *db, const char *dir, const char *key)
{
    char *bytes = NULL;
    size_t n = 0;
    char name[64], tmp[96], digest[CUSTOMS_DIGEST_MAX];
    char hdr[sizeof(cache_magic) + 2 * HEX_KEY + HEX_LEN + 1];
    int dfd = cache_dir_open(dir);
    int fd = -1;
    if (dfd < 0 || hs_serialize_database(db, &bytes, &n) != HS_SUCCESS || n == 0 ||
        n > MAX_PAYLOAD || payload_digest(digest, bytes, n) < 0) {
        goto out;
    }
    cache_name(name, sizeof(name), key);
    memcpy(hdr, cache_magic, sizeof(cache_magic));
    snprintf(hdr + sizeof(cache_magic), sizeof(hdr) - sizeof(cache_magic), "%.64s%.64s%016llx",
             key, digest + 7, (unsigned long long)n);
    for (int attempt = 0; fd < 0 && attempt < 8; attempt++) {
        uint64_t rnd = 0;
        if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
            goto out;
        }
        snprintf(tmp, sizeof(tmp), ".%s.%016llx.tmp", name, (unsigned long long)rnd);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) {
            goto out;
        }
    }
    if (fd < 0) {
        goto out;
    }
    bool ok = write_all(fd, hdr, sizeof(hdr) - 1) && write_all(fd, bytes, n);
    ok = close(fd) == 0 && ok;
    fd = -1;
    if (!ok || renameat(dfd, tmp, dfd, name) != 0) {
        unlinkat(dfd, tmp, 0);
    }
out:
    free(bytes); /* allocated by Vectorscan's own allocator (malloc) */
    if (fd >= 0) {
        close(fd);
    }
    if (dfd >= 0) {
        close(dfd);
    }
}
