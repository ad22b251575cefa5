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
#include "model/finding.h"
#include "vulndb/vulndb.h"

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

/** What a scan's OS means to the database: "debian:bookworm", "alpine:3.19", or "" (none).
 * @return 0, or CUSTOMS_ELIMIT when the key does not fit in `outsz` (out is then "") */
CUSTOMS_MUST_USE int customs_match_os_key(char *out, size_t outsz, const struct customs_os *os);

/**
 * Match every package of `inv` against `db`, appending findings to `out` (a vec of
 * struct customs_vuln_finding), strings in `arena`.
 */
CUSTOMS_MUST_USE
int customs_match_inventory(struct customs_vec *out, struct customs_arena *arena,
                            struct customs_vulndb *db, const struct customs_inventory *inv,
                            const struct customs_os *os, struct customs_error *err);

#endif /* CUSTOMS_MATCH_MATCH_H */
