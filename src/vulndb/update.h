/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_VULNDB_UPDATE_H
#define CUSTOMS_VULNDB_UPDATE_H

/*
 * `db update`'s parts (include/customs/vulndb.h): update.c downloads the listed sources,
 * nvd_sync.c pages an NVD CVE API 2.0 source by lastModified windows into a directory of
 * response pages, which the build imports like any directory of NVD pages. Where the last
 * complete window ended is kept in the database (meta "nvd-sync:NAME"), so the next update
 * asks only for what changed since. Messages go to the caller through a `say`.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "customs/customs.h"
#include "customs/vulndb.h"
#include "vulndb/vulndb.h"

struct customs_vulndb_say {
    customs_db_message_fn fn; /* may be NULL: messages are dropped */
    void *payload;
};

/** Format a message (clipped to 4 KiB) and hand it to the caller. */
/** Why a non-zero stop flag stopped a transfer: "interrupted", or the deadline (--timeout). */
const char *customs_vulndb_stopped(sig_atomic_t stop);
void customs_vulndb_say(const struct customs_vulndb_say *say, enum customs_db_message level,
                        const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct customs_nvd_sync {
    /* in */
    const char *name;
    const char *url;     /* the API's URL */
    const char *dir;     /* CACHE/NAME */
    const char *api_key; /* sent as the apiKey header, never in a message */
    uint64_t max_bytes;  /* one page */
    double time_scale;   /* 1 in use; tests scale the sleeps and the rate-limit clock down, or
                          * with 0 simulate them: the clock moves only by the sleeps */
    int64_t now;         /* the end of the sync, seconds since the epoch */
    bool have_until;     /* a previous sync of this URL is recorded ... */
    int64_t until;       /* ... up to here */
    const volatile sig_atomic_t *stop; /* never NULL */
    const struct customs_vulndb_say *say;
    /* out */
    int64_t new_until;  /* where the pages in dir now reach (the recorded until if no window) */
    bool advanced;      /* at least one window completed */
    bool partial;       /* a window failed after others completed (kept; the update says so) */
    uint64_t records;
    uint64_t pages;
    uint64_t windows;
    uint64_t requests;
    uint64_t rate_waits;
    uint64_t retry_afters;
    uint64_t retries;
    double waited;   /* seconds slept (rate limit, Retry-After, back-off), unscaled */
    double sim_time; /* the simulated clock (time_scale 0) */
};

/** Page the API from the recorded point (or from nothing) up to `now`. Errors are said.
 * @return 0, or CUSTOMS_EIO (`partial` says whether some windows completed before it) */
CUSTOMS_MUST_USE int customs_nvd_sync_run(struct customs_nvd_sync *s);

/** True if `url` is an NVD CVE API 2.0 endpoint (its path ends in /cves/2.0). */
bool customs_nvd_is_api_url(const char *url);

/** The meta key and value that record a sync: "nvd-sync:NAME", "UNTIL URL". */
CUSTOMS_MUST_USE int customs_nvd_meta_key(char *out, size_t outsz, const char *name);
CUSTOMS_MUST_USE int customs_nvd_meta_value(char *out, size_t outsz, int64_t until,
                                            const char *url);
/** Parse a recorded value; true if it records a sync of `url`. */
CUSTOMS_MUST_USE bool customs_nvd_meta_parse(const char *value, const char *url, int64_t *until);

#endif /* CUSTOMS_VULNDB_UPDATE_H */
