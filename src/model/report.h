/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_MODEL_REPORT_H
#define CUSTOMS_MODEL_REPORT_H

/*
 * The report model: what one scan found, in one arena freed with the report. The scan module
 * fills it in; policy, the report writers (src/report) and the store only read it. Layer
 * indexes refer to `target.layers`; -1 means "not from a layer" (directory sources, the image
 * config).
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "customs/report.h"
#include "inventory/inventory.h"
#include "model/finding.h"

struct customs_layer_info {
    unsigned index;
    const char *digest;      /* blob digest as the manifest names it */
    const char *diff_id;     /* sha256 of the uncompressed tar, verified */
    const char *media_type;
    const char *compression; /* "gzip", "zstd", "none": what the magic bytes said */
    uint64_t size;           /* compressed bytes */
    uint64_t uncompressed_size;
    uint64_t entries;
};

struct customs_target_info {
    const char *name;            /* as given by the user */
    const char *kind;            /* "docker-archive", "oci", "dir" */
    const char *manifest_digest; /* NULL for dir and docker-archive without one */
    const char *index_digest;    /* the index the manifest was chosen from (a multi-platform
                                  * image), or NULL */
    const char *config_digest;
    const char *platform;        /* "linux/amd64", or NULL */
    const char *repo_tags;       /* comma-separated tags from the archive, or NULL */
    struct customs_vec layers;   /* struct customs_layer_info */
};

/** A finding the user suppressed, and why (ignore file or VEX). */
struct customs_suppressed {
    const char *kind;      /* "vulnerability", "secret", "malware", "misconfiguration" */
    const char *id;        /* the vulnerability id, secret rule, malware rule or check id */
    const char *path;      /* the package's file, the secret's or malware's path, the
                              misconfiguration's file; NULL when there is none */
    const char *package;   /* vulnerabilities: the package; else NULL */
    const char *installed;
    const char *by;        /* "ignorefile", "vex" */
    const char *reason;    /* the note or "not_affected: <justification>", or NULL */
    const char *where;     /* "FILE:LINE" or "FILE: statement N" */
    /* the finding itself, copied into the report's arena as it was when suppressed: the one
     * of its kind is set, so that SARIF can mark it suppressed rather than drop it */
    const struct customs_vuln_finding *vuln;
    const struct customs_secret_finding *secret;
    const struct customs_malware_finding *malware;
    const struct customs_misconfig *misconfig;
};

/** One ignore-file entry and what it did: how many findings it suppressed, or that it expired. */
struct customs_ignore_use {
    const char *id;
    const char *kind;      /* "any" (a plain line), "vulnerability", "secret", ... */
    const char *where;     /* "FILE:LINE" */
    const char *expires;   /* "YYYY-MM-DD", or NULL */
    bool expired;          /* no longer applied */
    size_t suppressed;
    const char *statement; /* the note or statement, or NULL */
};

/** A non-fatal problem met while scanning: reported, and the scan went on. */
struct customs_report_error {
    const char *code;    /* "malformed", "unsupported", "limit", ... */
    const char *path;    /* file inside the image, or NULL */
    int layer;
    const char *message; /* "PATH:LINE: what" */
};

/** What the vulnerability database could say about one ecosystem of the image. */
struct customs_coverage_item {
    const char *ecosystem; /* the database key ("debian:bookworm", "npm"); the package type when
                              there is none ("rpm", or "deb" of an unknown release) */
    size_t packages;       /* packages of the image under it */
    uint64_t advisories;   /* over every source covering it */
    const char *sources;   /* their names, ", "-joined, or NULL */
    const char *data_date; /* the oldest of their data dates (ISO 8601), or NULL */
    int64_t age_days;      /* of data_date; -1 when undated */
    const char *status;    /* "covered", "no-data", "stale", "unknown-release", "unsupported" */
};

/** Why a scan's "no vulnerabilities" cannot be trusted. Fails the gate (--allow-uncovered). */
struct customs_coverage_problem {
    const char *kind;    /* an item's status, "eol", or "incomplete" (something not read) */
    const char *subject; /* the ecosystem, the OS release, or the path not read */
    const char *message; /* one sentence for people */
};

/* Which key verified which digest (customs_report_set_signature); strings in the arena. */
struct customs_report_signature {
    const char *format;
    const char *key;
    const char *fingerprint;
    const char *digest;
    const char *identity;
    const char *source;
};

struct customs_report {
    struct customs_arena arena;
    struct customs_target_info target;
    bool has_os;
    struct customs_os os;
    struct customs_inventory inventory;
    struct customs_vec misconfigs; /* struct customs_misconfig */
    struct customs_vec secrets;    /* struct customs_secret_finding, in layer and path order */
    struct customs_vec malware;    /* struct customs_malware_finding, in layer and path order */
    struct customs_vec vulns;      /* struct customs_vuln_finding, in package order */
    struct customs_vec suppressed; /* struct customs_suppressed */
    struct customs_vec ignored;    /* struct customs_ignore_use: every ignore-file entry */
    uint32_t scanners;             /* what was looked for: CUSTOMS_SCAN_* of customs/scan.h */
    bool vulns_scanned;            /* a database was consulted */
    const char *db_path;           /* the database consulted */
    int64_t db_built_at;           /* seconds since the epoch */
    const char *os_eol;            /* end of security support of the OS release, or NULL */
    bool os_eol_reached;
    struct customs_vec errors; /* struct customs_report_error */
    bool coverage_checked;     /* vulnerabilities were scanned and compared with the database */
    uint32_t max_db_age_days;  /* the limit applied (0: none) */
    struct customs_vec coverage;          /* struct customs_coverage_item, by ecosystem */
    struct customs_vec coverage_problems; /* struct customs_coverage_problem */
    size_t hidden_by_severity[CUSTOMS_SEVERITY_CRITICAL + 1]; /* findings --severity left out */
    struct customs_report_signature *signature; /* the verified signature, or NULL */
    int64_t created; /* seconds since the epoch: when the report was made, or the time asked */
};

CUSTOMS_MUST_USE struct customs_report *customs_report_new(void);
/** Add a coverage problem (strings copied into the report's arena). */
CUSTOMS_MUST_USE
int customs_report_add_problem(struct customs_report *r, const char *kind, const char *subject,
                               const char *message);
/** Record a non-fatal error from `err` (its message is copied). */
CUSTOMS_MUST_USE
int customs_report_add_error(struct customs_report *r, const struct customs_error *err,
                             const char *path, int layer);

#endif /* CUSTOMS_MODEL_REPORT_H */
