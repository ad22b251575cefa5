/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The on-disk cache of compiled Vectorscan databases (compiling the built-in rules costs about a
 * second of CPU; loading them, a millisecond). The cache is input: anyone who can write it
 * decides what the scanner runs, so it is a sealed file (src/core/sealed.c):
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
 * The payload is hs_serialize_database's.
 */
#include <fcntl.h>
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secrets/cache.h"

#include "core/banned.h"

static const char cache_magic[CUSTOMS_SECRET_CACHE_MAGIC_LEN] = "customs-hsdb\0\0\0\2";

#define HEX_KEY 64
#define MAX_PAYLOAD (256u << 20)

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
    customs_sha256_field(&sha, cache_magic, sizeof(cache_magic));
    customs_sha256_field(&sha, version, strlen(version));
    uint64_t platform[4] = {plat.tune, plat.cpu_features, sizeof(void *), mode};
    customs_sha256_field(&sha, platform, sizeof(platform));
#if defined(__x86_64__)
    customs_sha256_field(&sha, "x86_64", 6);
#elif defined(__aarch64__)
    customs_sha256_field(&sha, "aarch64", 7);
#else
    customs_sha256_field(&sha, "other", 5);
#endif
    uint64_t count = n;
    customs_sha256_field(&sha, &count, sizeof(count));
    for (size_t i = 0; i < n; i++) {
        customs_sha256_field(&sha, pats[i], strlen(pats[i]));
        customs_sha256_field(&sha, &flags[i], sizeof(flags[i]));
        customs_sha256_field(&sha, &ids[i], sizeof(ids[i]));
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

int customs_secret_cache_parse(struct customs_bytes *payload, const void *data, size_t len,
                               const char *key)
{
    return customs_sealed_parse(payload, data, len, cache_magic, key);
}

static void cache_name(char *out, size_t outsz, const char *key)
{
    snprintf(out, outsz, CUSTOMS_SECRET_CACHE_PREFIX "%.16s.hsdb", key);
}

int customs_secret_cache_load(hs_database_t **db, const char *dir, const char *key)
{
    char name[64];
    uint8_t *buf = NULL;
    size_t size = 0;
    struct customs_bytes payload;
    int r = CUSTOMS_ENOTFOUND;
    int dfd = customs_private_dir_open(dir);
    *db = NULL;
    if (dfd < 0) {
        return r;
    }
    cache_name(name, sizeof(name), key);
    int rr = customs_sealed_read(&buf, &size, dfd, name, MAX_PAYLOAD + CUSTOMS_SEALED_HEADER_LEN);
    if (rr == CUSTOMS_ENOMEM) {
        r = rr;
    } else if (rr == 0 && customs_secret_cache_parse(&payload, buf, size, key) == 0 &&
               hs_deserialize_database((const char *)payload.ptr, payload.len, db) ==
                   HS_SUCCESS) {
        r = 0;
    } else {
        *db = NULL;
    }
    customs_free(buf);
    close(dfd);
    return r;
}

bool customs_secret_cache_has(const char *dir, const char *key)
{
    char name[64];
    struct stat st;
    int dfd = customs_private_dir_open(dir);
    if (dfd < 0) {
        return false;
    }
    cache_name(name, sizeof(name), key);
    bool has = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
               st.st_uid == geteuid();
    close(dfd);
    return has;
}

void customs_secret_cache_store(const hs_database_t *db, const char *dir, const char *key)
{
    char *bytes = NULL;
    size_t n = 0;
    char name[64];
    int dfd = customs_private_dir_open(dir);
    if (dfd >= 0 && hs_serialize_database(db, &bytes, &n) == HS_SUCCESS && n > 0 &&
        n <= MAX_PAYLOAD) {
        cache_name(name, sizeof(name), key);
        customs_sealed_write(dfd, name, cache_magic, key, bytes, n);
    }
    free(bytes); /* allocated by Vectorscan's own allocator (malloc) */
    if (dfd >= 0) {
        close(dfd);
    }
}
