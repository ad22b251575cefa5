/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_MATCH_MATCH_H
#define CUSTOMS_MATCH_MATCH_H

/*
 * Matching installed packages against the vulnerability database.
 *
 * OS packages are looked up by distribution release (Debian codename, Alpine branch, Ubuntu
 * series) and, for Debian and Ubuntu, by **source package**, comparing the source version with
 * the distribution's fixed version (dpkg or apk order). Language packages are looked up by
 * ecosystem and name and matched against OSV ranges (introduced / fixed / last_affected /
 * limit, SEMVER and ECOSYSTEM) or explicit version lists, in the ecosystem's own order.
 * Withdrawn advisories never match. One problem is reported once per package, under its CVE
 * when it has one, with every other name it goes by as an alias.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "inventory/inventory.h"
#include "misconfig/finding.h"
#include "vulndb/vulndb.h"

/** One CVSS entry of a vulnerability, as stored under one of its names. */
struct customs_vuln_cvss {
    const char *id;      /* the record it is stored under: the CVE, or the advisory */
    const char *source;  /* "nvd@nist.gov", a CNA's address, "osv" (the advisory's own) */
    const char *type;    /* NVD's "Primary" / "Secondary", or NULL */
    const char *version; /* "2.0", "3.0", "3.1", "4.0" */
    const char *vector;
    double score;        /* computed by customs from the vector */
};

/** One vulnerability of one package. Strings live in the arena given to the matcher. */
struct customs_vuln_finding {
    const char *id;          /* the CVE when there is one, else the advisory id */
    const char **aliases;    /* every other name (GHSA, DSA, OSV id...), sorted */
    size_t naliases;
    size_t package;          /* index into the inventory's packages */
    const char *name;        /* the package name as installed */
    const char *type;        /* the package type */
    const char *installed;   /* the version compared (Debian: the source version) */
    const char *fixed;       /* the smallest fixed version above the installed one, or NULL */
    const char *status;      /* "fixed", "unfixed", "will_not_fix", "end_of_life" */
    enum customs_severity severity;
    /* who said so (docs/db.md, "Severity precedence"): "debian", "ubuntu", "alpine", "ghsa",
     * "osv", "osv-cvss", "nvd", "cna:<source>"; NULL when nothing rated it (UNKNOWN) */
    const char *severity_source;
    double cvss;             /* the score of the entry severity came from (else the first by
                              * precedence), < 0 when there is none */
    const char *cvss_vector;
    const struct customs_vuln_cvss *cvss_entries; /* every entry under every name */
    size_t ncvss;
    const char *known_exploited; /* CISA KEV date added (NVD cisaExploitAdd), or NULL */
    const char *nvd_status;      /* NVD vulnStatus of its CVE, or NULL */
    int layer;
    const char *title;
    const char *source;      /* the database source that said so */
};

/** The end of security support of an OS release ("2026-08-31"), or NULL when unknown: the
 * table in src/match/eol.c (Debian with LTS, Ubuntu standard support, Alpine 3.x, RHEL and the
 * distributions rebuilt from it, Amazon Linux), dates from the distributions' own pages. */
const char *customs_match_os_eol(const struct customs_os *os);

/** Whether a package can be looked up in the database. */
enum customs_match_reach {
    CUSTOMS_MATCH_CHECKED,         /* looked up under the key written */
    CUSTOMS_MATCH_NOT_APPLICABLE,  /* nothing to compare: no version, a local Go build */
    CUSTOMS_MATCH_UNKNOWN_RELEASE, /* an OS package whose release has no database key */
    CUSTOMS_MATCH_UNSUPPORTED,     /* a package type customs has no advisories for (rpm...) */
};

/** The database ecosystem key a package is looked up under ("debian:bookworm", "npm") into
 * out (empty unless CHECKED), given the image's OS key (customs_match_os_key). */
enum customs_match_reach customs_match_package_key(char *out, size_t outsz,
                                                   const struct customs_package *p,
                                                   const char *os_key);

/** What a scan's OS means to the database: "debian:bookworm", "alpine:3.19", or NULL. */
int customs_match_os_key(char *out, size_t outsz, const struct customs_os *os);

/**
 * Match every package of `inv` against `db`, appending findings to `out` (a vec of
 * struct customs_vuln_finding), strings in `arena`.
 */
int customs_match_inventory(struct customs_vec *out, struct customs_arena *arena,
                            struct customs_vulndb *db, const struct customs_inventory *inv,
                            const struct customs_os *os, struct customs_error *err);

#endif /* CUSTOMS_MATCH_MATCH_H */
