/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SCAN_COVERAGE_H
#define CUSTOMS_SCAN_COVERAGE_H

#include <stdint.h>
#include <time.h>

#include "match/match.h"
#include "model/report.h"
#include "vulndb/vulndb.h"

/**
 * Compare the report's packages and OS release with what `db` covers: fill r->coverage (one
 * item per ecosystem of the image) and add a coverage problem for each ecosystem without data,
 * with data older than `max_age_days` (0: no limit) at `now`, whose release or package type
 * cannot be looked up, and for an OS release past its end of life.
 * @return 0, CUSTOMS_ENOMEM, or the database's error
 */
int customs_coverage_check(struct customs_report *r, struct customs_vulndb *db,
                           uint32_t max_age_days, time_t now, struct customs_error *err);

#endif /* CUSTOMS_SCAN_COVERAGE_H */
