/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SCAN_COVERAGE_H
#define CUSTOMS_SCAN_COVERAGE_H

#include <stdint.h>
#include <time.h>

#include "image/image.h"
#include "match/match.h"
#include "model/report.h"
#include "scan/collect.h"
#include "vulndb/vulndb.h"

/**
 * What a vulnerability database covers, read once (one row per source and ecosystem key) and
 * checked against any number of reports: `store refresh` judges every recorded image against
 * one database. Caller-provided storage; the rows live in its own arena.
 */
struct customs_coverage_rows {
    struct customs_arena arena;
    struct customs_vec v; /* private rows, by ecosystem then source */
};

/**
 * Read `db`'s coverage rows into `rows` (which need no initialisation). On failure `rows` is
 * left empty; customs_coverage_rows_release() is safe either way.
 * @return 0, CUSTOMS_ENOMEM, or the database's error
 */
CUSTOMS_MUST_USE
int customs_coverage_rows_load(struct customs_coverage_rows *rows, struct customs_vulndb *db,
                               struct customs_error *err);
void customs_coverage_rows_release(struct customs_coverage_rows *rows);

/**
 * Compare the report's packages and OS release with the loaded `rows`: fill r->coverage (one
 * item per ecosystem of the image) and add a coverage problem for each ecosystem without data,
 * with data older than `max_age_days` (0: no limit) at `now`, whose release or package type
 * cannot be looked up, and for an OS release past its end of life. The report keeps nothing
 * borrowed from `rows`.
 * @return 0 or CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_coverage_check_rows(struct customs_report *r, const struct customs_coverage_rows *rows,
                                uint32_t max_age_days, time_t now, struct customs_error *err);

/**
 * customs_coverage_check_rows() against `db`'s rows, read for this one report.
 * @return 0, CUSTOMS_ENOMEM, or the database's error
 */
CUSTOMS_MUST_USE
int customs_coverage_check(struct customs_report *r, struct customs_vulndb *db,
                           uint32_t max_age_days, time_t now, struct customs_error *err);

/**
 * Name in the report's errors (code "skipped") the package databases and OS release files of
 * the final filesystem that `skip` kept from the analyzers: one error per kind ("dpkg",
 * "npm", the OS release), with the count and the first path. Skipping them was asked for, so
 * it is not a coverage problem (it fails no gate), but a scan that found no vulnerability in
 * them must not read as clean either.
 * @return 0 or CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_coverage_note_skipped(struct customs_report *r,
                                  const struct customs_collector *layers, size_t nlayers,
                                  struct customs_fsview *fs, const struct customs_skip *skip);

#endif /* CUSTOMS_SCAN_COVERAGE_H */
