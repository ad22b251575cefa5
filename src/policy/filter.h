/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_POLICY_FILTER_H
#define CUSTOMS_POLICY_FILTER_H

/*
 * What the user decided about findings: severities to show, unfixed vulnerabilities to hide,
 * an ignore file (ids, optionally scoped to a package, with an expiry date) and OpenVEX
 * statements (not_affected / fixed suppress, with the justification recorded). Suppressed
 * vulnerabilities leave the findings but stay in the report's `suppressed` list, so a reviewer
 * sees what was hidden and why; expired ignore entries stop applying and are reported.
 *
 * Ignore file (src/policy/ignore.c), plain lines for every finding kind, `#` starts a comment:
 *   CVE-2023-0286
 *   CVE-2024-0001 package=openssl expires=2026-12-31   # waiting for the vendor
 * or YAML by finding kind, entries with id, paths (globs), packages (purls; vulnerabilities),
 * expires and statement:
 *   vulnerabilities:
 *     - id: CVE-2024-0001
 *       packages: [pkg:deb/debian/openssl]
 *       expires: 2026-12-31
 *       statement: waiting for the vendor
 *   secrets:
 *     - id: aws-access-key-id
 *       paths: [srv/app/test/fixtures.env]
 * Ignore entries apply to vulnerabilities, secrets (by rule id), malware (by rule, with or
 * without its namespace) and misconfigurations (by check id); each counts what it suppressed.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/core.h"

struct customs_report;

struct customs_filter {
    uint32_t severities;    /* bit (1 << enum customs_severity); 0 = all */
    bool ignore_unfixed;
    time_t now;             /* for expiry; tests pin it */
    struct customs_arena arena;
    struct customs_vec ignores; /* struct customs_ignore */
    struct customs_vec vex;     /* struct customs_vex_statement */
};

enum customs_ignore_kind {
    CUSTOMS_IGNORE_ANY = 0, /* a plain line: whatever finding has the id */
    CUSTOMS_IGNORE_VULNERABILITY,
    CUSTOMS_IGNORE_SECRET,
    CUSTOMS_IGNORE_MALWARE,
    CUSTOMS_IGNORE_MISCONFIGURATION,
};

struct customs_ignore {
    const char *id;
    enum customs_ignore_kind kind;
    const char *package;    /* plain package=NAME (binary or source name); NULL: any package */
    const char **packages;  /* YAML: purls (version optional); none: any package */
    size_t npackages;
    const char **paths;     /* YAML: globs over the finding's path ('*' also matches '/') */
    size_t npaths;
    time_t expires;         /* 0: never */
    const char *note;       /* the comment or statement, or NULL */
    const char *where;      /* "FILE:LINE" */
    size_t suppressed;      /* findings it suppressed (customs_filter_apply*) */
};

/** "any", "vulnerability", "secret", "malware", "misconfiguration". */
const char *customs_ignore_kind_name(enum customs_ignore_kind kind);

struct customs_vex_statement {
    const char *vuln;       /* the vulnerability name */
    const char **aliases;
    size_t naliases;
    const char **products;  /* purls (products and their subcomponents); none: everything */
    size_t nproducts;
    const char *status;     /* not_affected, fixed (others are kept but do not suppress) */
    const char *justification;
    const char *where;      /* "FILE: statement N" */
};

void customs_filter_init(struct customs_filter *f);
void customs_filter_release(struct customs_filter *f);
/** "CRITICAL,HIGH" into f->severities. */
CUSTOMS_MUST_USE
int customs_filter_severities(struct customs_filter *f, const char *list, struct customs_error *err);
/** Read an ignore file (plain or YAML). @return 0, CUSTOMS_EMALFORMED ("FILE:LINE[:COL]: ..."),
 * CUSTOMS_ELIMIT (over 4 MiB), CUSTOMS_EIO, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_filter_load_ignorefile(struct customs_filter *f, const char *path,
                                                    struct customs_error *err);
/** The same over bytes in memory, `name` naming them in messages (the fuzz target's entry). */
CUSTOMS_MUST_USE
int customs_filter_parse_ignorefile(struct customs_filter *f, const char *name,
                                    const uint8_t *data, size_t len, struct customs_error *err);
/** True if the entry has expired at f->now. */
bool customs_filter_ignore_expired(const struct customs_filter *f, const struct customs_ignore *ig);
CUSTOMS_MUST_USE
int customs_filter_load_vex(struct customs_filter *f, const char *path, struct customs_error *err);
/** Apply to a report: drop what is filtered, record what is suppressed (every finding kind),
 * expired entries, and each ignore entry with what it suppressed (the report's `ignored`). */
CUSTOMS_MUST_USE int customs_filter_apply(struct customs_filter *f, struct customs_report *r,
                                          struct customs_error *err);
/** `audit`: apply the ignore entries to misconfiguration findings, dropping the suppressed ones
 * from `items` (struct customs_misconfig) and appending them to `suppressed` (the same type),
 * and to `by` (size_t, may be NULL) the index in the filter's entries of the one that
 * suppressed each. @return 0 or CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE
int customs_filter_apply_misconfigs(struct customs_filter *f, struct customs_vec *items,
                                    struct customs_vec *suppressed, struct customs_vec *by);

#endif /* CUSTOMS_POLICY_FILTER_H */
