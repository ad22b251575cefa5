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
 * Ignore file, one entry per line, `#` starts a comment:
 *   CVE-2023-0286
 *   CVE-2024-0001 package=openssl expires=2026-12-31   # waiting for the vendor
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

struct customs_ignore {
    const char *id;
    const char *package;    /* NULL: any package */
    time_t expires;         /* 0: never */
    const char *note;       /* the comment, or NULL */
    const char *where;      /* "FILE:LINE" */
};

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
int customs_filter_severities(struct customs_filter *f, const char *list, struct customs_error *err);
int customs_filter_load_ignorefile(struct customs_filter *f, const char *path,
                                   struct customs_error *err);
int customs_filter_load_vex(struct customs_filter *f, const char *path, struct customs_error *err);
/** Apply to a report: drop what is filtered, record what is suppressed and expired entries. */
int customs_filter_apply(const struct customs_filter *f, struct customs_report *r,
                         struct customs_error *err);

#endif /* CUSTOMS_POLICY_FILTER_H */
