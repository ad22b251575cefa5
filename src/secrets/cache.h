/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SECRETS_CACHE_H
#define CUSTOMS_SECRETS_CACHE_H

/*
 * The on-disk cache of compiled Vectorscan databases, in a private directory the caller names
 * (cache.c says what makes it safe). Private to src/secrets.
 */

#include <hs/hs.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

/** The names of the cache's entries start with this ("secrets-<key>.hsdb"). */
#define CUSTOMS_SECRET_CACHE_PREFIX "secrets-"
#define CUSTOMS_SECRET_CACHE_MAGIC_LEN 16
#define CUSTOMS_SECRET_CACHE_KEY_LEN 65 /* 64 hex digits + NUL */

/** The key binding a database to its patterns, flags, ids, mode, Vectorscan and platform. */
CUSTOMS_MUST_USE
int customs_secret_cache_key(char out[CUSTOMS_SECRET_CACHE_KEY_LEN], const char *const *pats,
                             const unsigned *flags, const unsigned *ids, size_t n,
                             unsigned mode);
/** Check a cache file's header against `key` and the payload's length and digest; on success
 * `payload` points into `data`. @return 0 or CUSTOMS_EMALFORMED */
CUSTOMS_MUST_USE
int customs_secret_cache_parse(struct customs_bytes *payload, const void *data, size_t len,
                               const char *key);
/** The cached database for `key` from `dir`: 0, CUSTOMS_ENOTFOUND (a miss: absent, stale,
 * tampered, or the directory is not private) or CUSTOMS_ENOMEM. */
CUSTOMS_MUST_USE
int customs_secret_cache_load(hs_database_t **db, const char *dir, const char *key);
/** Does `dir` hold a cache file for `key` (a regular file of the user's; its content is not
 * checked: customs_secret_cache_load does that)? */
bool customs_secret_cache_has(const char *dir, const char *key);
/** Store `db` under `key` in `dir` (best effort: a failure only costs the next compile). */
void customs_secret_cache_store(const hs_database_t *db, const char *dir, const char *key);

#endif /* CUSTOMS_SECRETS_CACHE_H */
