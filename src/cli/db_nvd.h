/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CLI_DB_NVD_H
#define CUSTOMS_CLI_DB_NVD_H

/*
 * `db update`'s NVD source: the NVD CVE API 2.0 paged by lastModified windows into a directory
 * of response pages (FILE.d/sources/NAME/), which `db build` imports like any directory of NVD
 * pages. Where the last complete window ended is kept in the database (meta "nvd-sync:NAME"),
 * so the next update asks only for what changed since.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct cli_nvd_sync {
    /* in */
    const char *name;
    const char *url;     /* the API's URL */
    const char *dir;     /* FILE.d/sources/NAME */
    const char *api_key; /* NVD_API_KEY, or NULL; sent as the apiKey header, never printed */
    uint64_t max_bytes;  /* one page */
    double time_scale;   /* 1 in use; tests scale the sleeps and the rate-limit clock down, or
                          * with 0 simulate them: the clock moves only by the sleeps */
    int64_t now;         /* the end of the sync, seconds since the epoch */
    bool have_until;     /* a previous sync of this URL is recorded ... */
    int64_t until;       /* ... up to here */
    const volatile sig_atomic_t *stop;
    /* out */
    int64_t new_until;  /* where the pages in dir now reach (the recorded until if no window) */
    bool advanced;      /* at least one window completed */
    bool partial;       /* a window failed after others completed (kept; the update exits 2) */
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

/** Page the API from the recorded point (or from nothing) up to `now`. Errors are printed.
 * @return 0, or -1 (`partial` says whether some windows completed before the failure) */
int cli_nvd_sync_run(struct cli_nvd_sync *s);

/** True if `url` is an NVD CVE API 2.0 endpoint (its path ends in /cves/2.0). */
bool cli_nvd_is_api_url(const char *url);

/** The meta key and value that record a sync: "nvd-sync:NAME", "UNTIL URL". */
void cli_nvd_meta_key(char *out, size_t outsz, const char *name);
void cli_nvd_meta_value(char *out, size_t outsz, int64_t until, const char *url);
/** Parse a recorded value; true if it records a sync of `url`. */
bool cli_nvd_meta_parse(const char *value, const char *url, int64_t *until);

#endif /* CUSTOMS_CLI_DB_NVD_H */
