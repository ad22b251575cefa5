/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/match: a finding's severity from every source that rates it. */
#ifndef CUSTOMS_MATCH_SEVERITY_H
#define CUSTOMS_MATCH_SEVERITY_H

#include "match/match.h"

/**
 * Collect every CVSS entry, NVD record and advisory severity stored under the finding's id and
 * aliases into `f`, and decide its severity by docs/db.md's precedence where the matched rows
 * gave none. @return 0, CUSTOMS_ENOMEM or a database error
 */
int match_severity_join(struct customs_vuln_finding *f, struct customs_arena *arena,
                        struct customs_vulndb *db, struct customs_error *err);

#endif /* CUSTOMS_MATCH_SEVERITY_H */
