/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_VULNDB_H
#define CUSTOMS_VULNDB_H

/*
 * Building and updating the vulnerability database (docs/db.md).
 *
 * customs_db_build imports advisory files into a new database, written beside the target and
 * renamed into place only when complete. customs_db_update downloads the configured sources
 * with libcurl into a cache directory the caller names, conditionally (ETag / Last-Modified
 * from the previous download), pages NVD API sources by lastModified windows, verifies them
 * and rebuilds the database through customs_db_build. The old database is replaced only by
 * rename(2) after a complete build: a network error, a bad file or a stop leaves it
 * byte-identical.
 *
 * The library reads no environment and writes only below the paths given here (the database's
 * directory, the cache directory, the lock file). Progress lines and problems go to the
 * caller's message function; nothing is printed.
 *
 * Basic outline:
 *   1. customs_db_update_options_default(&o); set db_path, cache_dir, lock_path, now, ...
 *   2. customs_db_update(&result, &o, &err);
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "customs/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum customs_db_message {
    CUSTOMS_DB_NOTE,    /* a progress line: a source downloaded, imported, kept */
    CUSTOMS_DB_WARNING, /* a record skipped under keep_going */
    CUSTOMS_DB_ERROR,   /* why the build or the update fails (several may come) */
};

/** Receives each message (NUL-terminated, without a newline; borrowed for the call). Text
 * from sources (paths, URLs, server errors) is in it unescaped: escape it for a terminal. */
typedef void (*customs_db_message_fn)(enum customs_db_message level, const char *text,
                                      void *payload);

struct customs_db_build_options {
    bool keep_going;         /* skip malformed records (each a warning) instead of failing */
    uint64_t max_file_bytes; /* one input file or zip member (0: 2 GiB) */
    const char *const *meta; /* NULL, or key, value, ..., NULL: extra `meta` rows */
    const volatile sig_atomic_t *stop; /* non-zero (polled between sources) abandons; or NULL */
    customs_db_message_fn message;     /* may be NULL */
    void *payload;
};

/**
 * Build a database at `out` from the advisory files or directories `paths` (each detected),
 * through OUT.tmp-XXXXXX beside it, renamed into place when complete.
 *
 * @param failed  (may be NULL) the index of the path whose import failed, or n
 * @return 0, or CUSTOMS_EMALFORMED, CUSTOMS_EUNSUPPORTED, CUSTOMS_EIO, CUSTOMS_ENOMEM,
 *         CUSTOMS_EINVAL (stopped)
 */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_db_build(size_t *failed, const char *out, const char *const *paths,
                                 size_t n, const struct customs_db_build_options *opts,
                                 struct customs_error *err);

struct customs_db_update_options {
    const char *db_path;      /* the database to rebuild (its directory must exist) */
    const char *cache_dir;    /* the downloads (created if missing): NAME.EXT, NAME.meta, NAME/ */
    const char *lock_path;    /* flock(2)ed while the update runs, so two do not interleave;
                                 NULL: none */
    /* The sources: `urls` ("[NAME=]URL" each, as --source takes them) if n_urls > 0, else the
     * list in the file `sources_file` ("NAME URL [sha256=HEX | api=nvd]" lines, # comments),
     * else the built-in list of the real upstreams. */
    const char *const *urls;
    size_t n_urls;
    const char *sources_file;
    uint64_t max_bytes;       /* one download or NVD page (default 2 GiB) */
    bool keep_going;          /* as customs_db_build's */
    const char *nvd_api_key;  /* sent as the apiKey header to NVD API sources (never over
                                 plain http but to loopback), never in a message; or NULL */
    double time_scale;        /* 1 (default): real waits; tests scale NVD's rate-limit waits
                                 and clock down, or with 0 simulate them */
    int64_t now;              /* seconds since the epoch: where NVD sync windows end */
    const volatile sig_atomic_t *stop; /* non-zero stops transfers and the build; or NULL.
                                        * CUSTOMS_DB_STOP_DEADLINE: the caller's deadline for
                                        * the whole update passed (the messages say so) */
    customs_db_message_fn message;     /* may be NULL */
    void *payload;
};

/** The value of *stop that means the whole update's deadline passed (any other non-zero
 * value is an interruption). */
#define CUSTOMS_DB_STOP_DEADLINE 2

struct customs_db_update_result {
    bool rebuilt;      /* a new database was written (else it was up to date, or failed) */
    bool nvd_partial;  /* an NVD source stopped early: the database records the windows that
                          completed (the update returned CUSTOMS_EAGAIN) */
};

/** Fill `out` with the defaults (built-in sources, 2 GiB, time scale 1, no key, no stop). */
CUSTOMS_API void customs_db_update_options_default(struct customs_db_update_options *out);

/**
 * Download the sources and rebuild the database when any changed (or when it was not built
 * from exactly these sources).
 *
 * @param out   what happened (may be NULL)
 * @return 0; CUSTOMS_EAGAIN when an NVD source stopped early but the database was rebuilt
 *         with what completed (the next update resumes there); CUSTOMS_EINVAL (a bad source
 *         list, option or key), CUSTOMS_EIO (download, cache, lock), CUSTOMS_EMALFORMED (a
 *         source's content), CUSTOMS_ENOMEM. Messages name each problem.
 */
CUSTOMS_API CUSTOMS_MUST_USE int customs_db_update(struct customs_db_update_result *out,
                                                   const struct customs_db_update_options *opts,
                                                   struct customs_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_VULNDB_H */
