/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_VULNDB_VULNDB_H
#define CUSTOMS_VULNDB_VULNDB_H

/*
 * The vulnerability database: one SQLite file (schema in docs/db.md), written by the importers
 * (Debian security tracker JSON, Alpine secdb JSON, OSV in files, directories, zips and JSON
 * Lines) and read by lookups keyed on (ecosystem, package). Versions are stored as strings;
 * comparing them is src/version's job, deciding what matches is src/match's.
 *
 * A `struct customs_vulndb` is one read-only connection with its prepared statements: open
 * one per thread (opening is cheap), never share one between threads.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define CUSTOMS_VULNDB_SCHEMA_VERSION 3
/* A read connection is stopped (CUSTOMS_ETIMEOUT) once open this long: the lookups of a whole
 * image take well under a second; a hostile file could otherwise run for ever. */
#define CUSTOMS_VULNDB_DEADLINE_MS (120u * 1000u)
/* The longest string or blob a read connection accepts from the file. */
#define CUSTOMS_VULNDB_MAX_VALUE (16 << 20)

/* ---- CVSS ---- */

enum customs_cvss_version {
    CUSTOMS_CVSS_UNKNOWN = 0,
    CUSTOMS_CVSS_V2 = 20,
    CUSTOMS_CVSS_V30 = 30,
    CUSTOMS_CVSS_V31 = 31,
    CUSTOMS_CVSS_V40 = 40,
};

struct customs_cvss {
    enum customs_cvss_version version;
    double score; /* one decimal place, 0.0 .. 10.0 */
};

/**
 * Score a CVSS vector of any version, computed from the vector alone: "AV:N/AC:L/Au:N/C:P/I:P/A:P"
 * (2.0, also with a "CVSS:2.0/" prefix), "CVSS:3.0/...", "CVSS:3.1/..." (base score; temporal
 * and environmental metrics are checked and ignored) and "CVSS:4.0/..." (the score of the
 * metrics given, threat and environmental included, as the v4.0 specification defines it).
 * Metrics may come in any order; each must be known, given once, with a valid value, and every
 * base metric must be there.
 * @return 0, CUSTOMS_EMALFORMED (the reason in err), or CUSTOMS_EUNSUPPORTED ("CVSS:9.9/")
 */
CUSTOMS_MUST_USE
int customs_cvss_score(struct customs_cvss *out, const char *vector, struct customs_error *err);
/** "2.0", "3.0", "3.1", "4.0" ("unknown" otherwise). */
const char *customs_cvss_version_name(enum customs_cvss_version version);
/** The qualitative rating of a score: "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL" (v3/v4);
 * NVD's LOW/MEDIUM/HIGH ranges for v2. */
const char *customs_cvss_rating(enum customs_cvss_version version, double score);

/* ---- normalised keys (documented in docs/db.md) ---- */

/**
 * Write the database's ecosystem key for an OSV ecosystem name ("PyPI" -> "pypi",
 * "Debian:12" -> "debian:bookworm", "Alpine:v3.19" -> "alpine:3.19", "Ubuntu:22.04" ->
 * "ubuntu:22.04") into out. @return 0 or CUSTOMS_ELIMIT
 */
CUSTOMS_MUST_USE
int customs_vulndb_ecosystem_key(char *out, size_t outsz, const char *osv_ecosystem);
/** Write the stored form of a package name (PyPI names PEP 503-normalised, others as given). */
CUSTOMS_MUST_USE int customs_vulndb_package_key(char *out, size_t outsz, const char *ecosystem_key,
                                                const char *name);

/* ---- writing (the importers) ---- */

struct customs_vulndb_writer;

enum customs_vulndb_kind {
    CUSTOMS_VULNDB_KIND_UNKNOWN = 0,
    CUSTOMS_VULNDB_KIND_DEBIAN_TRACKER,
    CUSTOMS_VULNDB_KIND_ALPINE_SECDB,
    CUSTOMS_VULNDB_KIND_OSV,
    CUSTOMS_VULNDB_KIND_NVD,
};

const char *customs_vulndb_kind_name(enum customs_vulndb_kind kind);

/** What one import added. `records` is the source's own unit (see docs/db.md). */
struct customs_vulndb_counts {
    uint64_t records;  /* debian: (package, CVE) entries; alpine: fix rows; osv: advisories */
    uint64_t affected; /* rows added to `affected` */
    uint64_t files;    /* input files (or zip/jsonl members) read */
    uint64_t skipped;  /* malformed records skipped under keep_going */
    uint64_t withdrawn; /* osv: advisories marked withdrawn (kept, flagged) */
    uint64_t bad_vectors; /* CVSS vectors that could not be scored (record kept, vector not) */
};

struct customs_vulndb_import_options {
    bool keep_going;        /* skip malformed records (counted) instead of failing */
    uint64_t max_file_bytes; /* one input file or zip member (0 = 2 GiB) */
    /* Called for each record skipped under keep_going with its "FILE:LINE: ..." message. */
    void (*warn)(const char *message, void *payload);
    void *payload;
};

/**
 * Create the schema in a new database file at `path` (an existing empty file is fine; use
 * ":memory:" for tests) and start the build transaction.
 */
CUSTOMS_MUST_USE
int customs_vulndb_writer_open(struct customs_vulndb_writer **out, const char *path,
                               struct customs_error *err);
/** Create indexes, write `meta`, commit. The writer stays usable only for _close. */
CUSTOMS_MUST_USE
int customs_vulndb_writer_finish(struct customs_vulndb_writer *w, struct customs_error *err);
void customs_vulndb_writer_close(struct customs_vulndb_writer *w);

/** Guess the kind of a source path from its name and first bytes. */
enum customs_vulndb_kind customs_vulndb_detect(const char *path, struct customs_error *err);

/**
 * Import one source (a file, a directory, a .zip or a .jsonl) of `kind` (UNKNOWN: detect),
 * record it in `sources` with its sha256 and counts, and add the counts to *counts.
 */
CUSTOMS_MUST_USE
int customs_vulndb_import_path(struct customs_vulndb_writer *w, enum customs_vulndb_kind kind,
                               const char *path, const struct customs_vulndb_import_options *opt,
                               struct customs_vulndb_counts *counts, struct customs_error *err);

/* Parsers over bytes already in memory (what the fuzz targets drive); `name` prefixes
 * messages. They add rows but no `sources` row; counts are added to *counts. */
CUSTOMS_MUST_USE int customs_vulndb_import_debian(struct customs_vulndb_writer *w, const char *name,
                                                  const uint8_t *data, size_t len,
                                                  const struct customs_vulndb_import_options *opt,
                                                  struct customs_vulndb_counts *counts,
                                                  struct customs_error *err);
CUSTOMS_MUST_USE int customs_vulndb_import_alpine(struct customs_vulndb_writer *w, const char *name,
                                                  const uint8_t *data, size_t len,
                                                  const struct customs_vulndb_import_options *opt,
                                                  struct customs_vulndb_counts *counts,
                                                  struct customs_error *err);
/** One OSV record (a JSON object). */
CUSTOMS_MUST_USE
int customs_vulndb_import_osv(struct customs_vulndb_writer *w, const char *name,
                              const uint8_t *data, size_t len,
                              const struct customs_vulndb_import_options *opt,
                              struct customs_vulndb_counts *counts, struct customs_error *err);
/** One NVD CVE API 2.0 page (or one CVE object); errors as "NAME: vulnerabilities[N]: CVE: ...". */
CUSTOMS_MUST_USE
int customs_vulndb_import_nvd(struct customs_vulndb_writer *w, const char *name,
                              const uint8_t *data, size_t len,
                              const struct customs_vulndb_import_options *opt,
                              struct customs_vulndb_counts *counts, struct customs_error *err);
/** OSV JSON Lines: one record per non-blank line, errors as "NAME:LINE: ...". */
CUSTOMS_MUST_USE
int customs_vulndb_import_osv_lines(struct customs_vulndb_writer *w, const char *name,
                                    const uint8_t *data, size_t len,
                                    const struct customs_vulndb_import_options *opt,
                                    struct customs_vulndb_counts *counts,
                                    struct customs_error *err);

/* ---- the NVD CVE API 2.0 client's pure parts (src/vulndb/nvd_api.c; the CLI does the HTTP) ---- */

#define CUSTOMS_NVD_WINDOW_SECONDS (120LL * 86400) /* the API's longest lastMod date range */
#define CUSTOMS_NVD_MAX_PAGE_BYTES (512ULL << 20)   /* one response page */
#define CUSTOMS_NVD_RATE_NO_KEY 5u                  /* requests per rolling window, no key */
#define CUSTOMS_NVD_RATE_KEY 50u                    /* with an API key */
#define CUSTOMS_NVD_RATE_PERIOD 30.0                /* the window, seconds */
#define CUSTOMS_NVD_RATE_SLOTS 64u
#define CUSTOMS_NVD_TIME_MAX 32

/** The paging fields of one response page. */
struct customs_nvd_page {
    uint64_t results_per_page;
    uint64_t start_index;
    uint64_t total_results;
    uint64_t count;                     /* entries in vulnerabilities[] */
    char timestamp[CUSTOMS_NVD_TIME_MAX]; /* the response's "timestamp", or "" */
};

/**
 * Check one response page against the request that asked for it: JSON (errors name `name`
 * with line and column), "format" "NVD_CVE", "version" "2.0", the paging fields present,
 * startIndex == `start`, entries <= resultsPerPage, startIndex + entries <= totalResults, at
 * least one entry unless startIndex == totalResults, and every record importable exactly as
 * `db build` will import it. @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_nvd_page_check(struct customs_nvd_page *out, const char *name, const uint8_t *data,
                           size_t len, uint64_t start, struct customs_error *err);

/** Seconds since the epoch of an NVD time, "2026-10-08T01:16:31.493" (a fraction, "Z" or a zero
 * offset allowed; UTC). @return 0 or CUSTOMS_EMALFORMED */
CUSTOMS_MUST_USE int customs_nvd_time_parse(int64_t *out, const char *text);
/** The API's form of a time, "2026-10-08T01:16:31.000" (UTC). */
void customs_nvd_time_format(char out[CUSTOMS_NVD_TIME_MAX], int64_t t);
/** The end of the lastMod window that starts at `start`: 120 days later, or `now` if sooner. */
int64_t customs_nvd_window_end(int64_t start, int64_t now);

/** Seconds to wait from a Retry-After value: delta-seconds, or an IMF-fixdate relative to `now`
 * (a date in the past is 0). @return 0 or CUSTOMS_EMALFORMED */
CUSTOMS_MUST_USE int customs_nvd_retry_after(double *out, const char *value, int64_t now);

/** The published rate limit as a sliding window over the last `max` request times (any clock,
 * in seconds; the caller may scale it). */
struct customs_nvd_rate {
    unsigned max;
    double period;
    double sent[CUSTOMS_NVD_RATE_SLOTS];
    unsigned n;
    unsigned head;
};

/** 5 requests per 30 s without an API key, 50 with one. */
void customs_nvd_rate_init(struct customs_nvd_rate *r, bool have_key);
/** Seconds to wait at `now` before the next request may be sent (0: at once). */
double customs_nvd_rate_delay(const struct customs_nvd_rate *r, double now);
/** Record a request sent at `now`. */
void customs_nvd_rate_note(struct customs_nvd_rate *r, double now);

/* ---- internal row writers, shared by the importers ---- */

struct customs_vulndb_vuln {
    const char *id;
    const char *title;
    const char *summary;
    const char *severity;    /* normalised CRITICAL/HIGH/MEDIUM/LOW, or NULL */
    const char *published;
    const char *modified;
    const char *withdrawn;
};

struct customs_vulndb_range {
    const char *vuln_id;
    const char *ecosystem; /* normalised key */
    const char *package;   /* normalised key */
    const char *range_type; /* "DISTRO", "ECOSYSTEM", "SEMVER" */
    const char *introduced;
    const char *fixed;
    const char *last_affected;
    const char *limit;
    const char *versions; /* JSON array text */
    const char *status;   /* fixed, unfixed, not_affected, will_not_fix, end_of_life */
    const char *severity; /* distro urgency / ecosystem_specific severity as given */
    const char *note;
};

/** Insert or merge (non-NULL fields fill NULL ones) a vulnerability. */
CUSTOMS_MUST_USE
int customs_vulndb_writer_vuln(struct customs_vulndb_writer *w,
                               const struct customs_vulndb_vuln *v, struct customs_error *err);
/**
 * Add a CVSS entry of vulnerability `vuln_id`: `source` is who scored it ("nvd@nist.gov", a
 * CNA's address, "osv" for an OSV record's own vector), `type` NVD's "Primary"/"Secondary" or
 * NULL. The score is computed from the vector; `expect` (or CUSTOMS_CVSS_UNKNOWN) is the
 * version the record says it is.
 * @return 0, or CUSTOMS_EMALFORMED / CUSTOMS_EUNSUPPORTED for a vector that cannot be scored
 */
CUSTOMS_MUST_USE
int customs_vulndb_writer_cvss(struct customs_vulndb_writer *w, const char *vuln_id,
                               const char *source, const char *type, const char *vector,
                               enum customs_cvss_version expect, struct customs_error *err);

/** What NVD says of a CVE beyond its CVSS entries. */
struct customs_vulndb_nvd {
    const char *id;
    const char *status;          /* vulnStatus: "Analyzed", "Modified", "Rejected", ... */
    const char *published;
    const char *last_modified;
    const char *known_exploited; /* cisaExploitAdd (CISA KEV), a date, or NULL */
};

/** Insert an NVD record (the newest lastModified of the same id wins). */
CUSTOMS_MUST_USE
int customs_vulndb_writer_nvd(struct customs_vulndb_writer *w, const struct customs_vulndb_nvd *n,
                              struct customs_error *err);

/** Before the rows of an NVD record: 1 if a newer record of `id` is already stored (skip this
 * one), else 0, having removed the stored record's CVSS entries (a later page of an incremental
 * update replaces them). */
CUSTOMS_MUST_USE
int customs_vulndb_writer_nvd_supersede(struct customs_vulndb_writer *w, const char *id,
                                        const char *last_modified, struct customs_error *err);
/** Set a `meta` key (bookkeeping such as where an NVD sync stopped; docs/db.md). */
CUSTOMS_MUST_USE int customs_vulndb_writer_meta(struct customs_vulndb_writer *w, const char *key,
                                                const char *value, struct customs_error *err);

/** Record that `a` and `b` name the same problem (stored in both directions). */
CUSTOMS_MUST_USE
int customs_vulndb_writer_alias(struct customs_vulndb_writer *w, const char *a, const char *b,
                                struct customs_error *err);
CUSTOMS_MUST_USE int customs_vulndb_writer_affected(struct customs_vulndb_writer *w,
                                                    const struct customs_vulndb_range *r,
                                                    struct customs_error *err);

/* ---- reading ---- */

struct customs_vulndb;

/** The SQL that creates an empty database (tables, then indexes): the one definition of the
 * schema, which customs_vulndb_open() compares a file against. Appended to `out`. */
CUSTOMS_MUST_USE int customs_vulndb_schema_sql(struct customs_buf *out);

/** Open read-only; fails clearly on a missing, truncated, foreign or newer-schema file. The
 * file is input: hardened, bounded by CUSTOMS_VULNDB_DEADLINE_MS, and its schema checked
 * exactly (the tables, columns and indexes `customs db build` creates; no view or trigger)
 * before the first query; a row holding NULL or the wrong type where the schema says otherwise
 * is an error naming the row (CUSTOMS_EMALFORMED). */
CUSTOMS_MUST_USE
int customs_vulndb_open(struct customs_vulndb **out, const char *path, struct customs_error *err);
void customs_vulndb_close(struct customs_vulndb *db);

/** One `affected` row joined with its vulnerability and aliases; all borrowed for the call. */
struct customs_vulndb_match {
    struct customs_vulndb_range range;
    struct customs_vulndb_vuln vuln;
    const char *source; /* the `sources.name` it came from */
    const char *source_kind; /* its `sources.kind`: "debian-tracker", "osv", ... */
    const char *const *aliases;
    size_t n_aliases;
};

/** Return non-zero from the callback to stop (that value is returned by the lookup). */
typedef int (*customs_vulndb_match_fn)(const struct customs_vulndb_match *m, void *payload);

/**
 * Every affected row for (ecosystem key, package) (the package is normalised as stored),
 * in vuln id order. @return 0, the callback's non-zero value, or a negative error
 */
CUSTOMS_MUST_USE
int customs_vulndb_lookup(struct customs_vulndb *db, const char *ecosystem, const char *package,
                          customs_vulndb_match_fn callback, void *payload,
                          struct customs_error *err);

enum customs_vulndb_rating_kind {
    CUSTOMS_VULNDB_RATING_CVSS,     /* a CVSS entry */
    CUSTOMS_VULNDB_RATING_NVD,      /* the id's NVD record */
    CUSTOMS_VULNDB_RATING_SEVERITY, /* the record's own severity word (vulns.severity) */
    CUSTOMS_VULNDB_RATING_DATES,    /* the record's own dates (vulns.published, modified) */
};

/** One thing known about a vulnerability id's severity; borrowed for the callback. */
struct customs_vulndb_rating {
    enum customs_vulndb_rating_kind kind;
    const char *vuln_id;
    const char *cvss_source;  /* "nvd@nist.gov", a CNA, "osv" */
    const char *cvss_type;    /* "Primary", "Secondary" or NULL */
    const char *cvss_version; /* "2.0", "3.0", "3.1", "4.0" */
    const char *vector;
    double score;             /* < 0 when this is not a CVSS entry */
    const char *nvd_status;
    const char *known_exploited;
    const char *severity;     /* CRITICAL/HIGH/MEDIUM/LOW */
    const char *published;    /* NVD and DATES: as stored (ISO 8601), or NULL */
    const char *modified;
};

typedef int (*customs_vulndb_rating_fn)(const struct customs_vulndb_rating *r, void *payload);

/** Call back with every CVSS entry, the NVD record, the own severity word and the record's
 * dates stored for `id`. */
CUSTOMS_MUST_USE int customs_vulndb_ratings(struct customs_vulndb *db, const char *id,
                                            customs_vulndb_rating_fn callback, void *payload,
                                            struct customs_error *err);

struct customs_vulndb_source_info {
    const char *name;
    const char *kind;
    const char *location;
    uint64_t records;
    uint64_t affected;
    const char *sha256;
    int64_t imported_at; /* seconds since the epoch */
    const char *data_date; /* the data's own date (ISO 8601), or NULL */
    const char *date_basis; /* "records" (newest record date), "file-mtime", or NULL */
};

/** What one source covers in one ecosystem key ("debian:bookworm", "alpine:3.19", "npm"). */
struct customs_vulndb_coverage {
    const char *source;    /* sources.name */
    const char *kind;
    const char *ecosystem;
    uint64_t records;      /* distinct advisories */
    uint64_t affected;     /* rows */
    const char *data_date; /* ISO 8601, or NULL when the source's date is unknown */
    const char *date_basis;
};

struct customs_vulndb_info {
    int schema_version;
    int64_t built_at;
    char customs_version[64];
    uint64_t vulns;
    uint64_t aliases;
    uint64_t affected;
};

/** The `meta` value of `key` into out. @return 0, CUSTOMS_ENOTFOUND, CUSTOMS_EMALFORMED (not
 * text, or longer than outsz - 1) */
CUSTOMS_MUST_USE
int customs_vulndb_meta(struct customs_vulndb *db, const char *key, char *out, size_t outsz,
                        struct customs_error *err);
CUSTOMS_MUST_USE int customs_vulndb_info(struct customs_vulndb *db, struct customs_vulndb_info *out,
                                         struct customs_error *err);
/** The database's `built_at` (Unix time), -1 when it has none. Unlike customs_vulndb_info(),
 * which counts every row of the big tables (35 % of a small image's scan), one indexed read. */
int64_t customs_vulndb_built_at(struct customs_vulndb *db);
typedef int (*customs_vulndb_source_fn)(const struct customs_vulndb_source_info *s,
                                        void *payload);
CUSTOMS_MUST_USE
int customs_vulndb_sources(struct customs_vulndb *db, customs_vulndb_source_fn callback,
                           void *payload, struct customs_error *err);

typedef int (*customs_vulndb_coverage_fn)(const struct customs_vulndb_coverage *c,
                                          void *payload);
/** Every (source, ecosystem) the database covers, by ecosystem then source order. */
CUSTOMS_MUST_USE
int customs_vulndb_coverage(struct customs_vulndb *db, customs_vulndb_coverage_fn callback,
                            void *payload, struct customs_error *err);

/* ---- internal: source bookkeeping used by import_path ---- */

/* `file_date` (ISO 8601, or NULL): the source file's modification time, recorded as the data's
 * date (basis "file-mtime") only when none of the source's records carried a date. */
CUSTOMS_MUST_USE
int customs_vulndb_writer_source(struct customs_vulndb_writer *w, const char *name,
                                 const char *kind, const char *location,
                                 const struct customs_vulndb_counts *c, const char *sha256,
                                 const char *file_date, struct customs_error *err);
/** Note the newest `modified` date seen (ISO text) for the current source's data_date. */
void customs_vulndb_writer_note_date(struct customs_vulndb_writer *w, const char *date);

#endif /* CUSTOMS_VULNDB_VULNDB_H */
