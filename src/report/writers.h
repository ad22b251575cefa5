/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REPORT_WRITERS_H
#define CUSTOMS_REPORT_WRITERS_H

/*
 * Private to src/report: the writers behind customs_report_write() and what they share
 * (per-type package counts, the reproducible document UUID and timestamp, SPDX license
 * expression checks).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"
#include "model/report.h"

CUSTOMS_MUST_USE int customs_report_write_json(const struct customs_report *r, FILE *out,
                                               struct customs_error *err);
CUSTOMS_MUST_USE int customs_report_write_cyclonedx(const struct customs_report *r, FILE *out,
                                                    struct customs_error *err);
CUSTOMS_MUST_USE int customs_report_write_spdx(const struct customs_report *r, FILE *out,
                                               struct customs_error *err);
CUSTOMS_MUST_USE int customs_report_write_sarif(const struct customs_report *r, FILE *out,
                                                struct customs_error *err);
CUSTOMS_MUST_USE
int customs_report_write_table(const struct customs_report *r,
                               const struct customs_report_write_options *opt, FILE *out,
                               struct customs_error *err);
/* Several images' reports (customs_reports_write): one customs.images/v1 document; one log
 * of one run per report (`named`: each with runAutomationDetails.id "customs/<target>/"). */
CUSTOMS_MUST_USE
int customs_reports_write_json(const struct customs_report *const *rs, size_t n,
                               const char *source, FILE *out, struct customs_error *err);
CUSTOMS_MUST_USE
int customs_reports_write_sarif(const struct customs_report *const *rs, size_t n, bool named,
                                FILE *out, struct customs_error *err);

/** Packages of one type ("deb"); NULL types and types that are not plain names
 * ([A-Za-z0-9.+_-], 1..32 bytes) count as "unknown". */
struct customs_type_count {
    const char *type;
    size_t count;
};

/** Fill `out` (struct customs_type_count) with package counts per type, sorted by type name.
 * @return 0 or CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE
int customs_report_type_counts(struct customs_vec *out, const struct customs_report *r);

/** The diff_id of layer `index`, or NULL (no such layer, or index -1). */
const char *customs_report_layer_diff_id(const struct customs_report *r, int index);

/** Append a link to advisory `id` to `b`: NVD for CVE-*, GitHub for GHSA-*, osv.dev for the
 * rest (the id percent-encoded). @return 0 or CUSTOMS_ENOMEM / CUSTOMS_ELIMIT */
CUSTOMS_MUST_USE int customs_report_advisory_url(struct customs_buf *b, const char *id);

#define CUSTOMS_UUID_LEN 37 /* 36 characters + NUL */

/**
 * A UUID (RFC 9562 version 8, name-based) derived from sha256 of `salt` and the target's
 * config digest, manifest digest and name, so the same image gives the same document id.
 */
CUSTOMS_MUST_USE int customs_report_uuid(char out[CUSTOMS_UUID_LEN], const struct customs_report *r,
                                         const char *salt);

#define CUSTOMS_TIMESTAMP_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/** The document time: SOURCE_DATE_EPOCH when it is set to a valid number, else now (UTC). */
void customs_report_timestamp(char out[CUSTOMS_TIMESTAMP_LEN], int64_t t);

/** The canonical spelling of a known SPDX license id (case-insensitive match), or NULL. The
 * known ids are a subset of the SPDX license list (and of CycloneDX's spdx.schema.json). */
const char *customs_license_spdx_id(const char *s, size_t len);
/** The i-th known SPDX license id, or NULL past the end (for tests and docs). */
const char *customs_license_known_id(size_t i);
/** The canonical spelling of an SPDX exception id is known for s[0..len). */
const char *customs_license_spdx_exception(const char *s, size_t len);

/**
 * Check that `s` is an SPDX license expression whose ids are all known (or LicenseRef-*),
 * built from AND, OR, WITH, "+" and parentheses. Writes the normalised expression (canonical
 * id spelling, single spaces) to `out`. @return true if valid; `out` is undefined otherwise.
 */
CUSTOMS_MUST_USE bool customs_license_expression(struct customs_buf *out, const char *s);

#endif /* CUSTOMS_REPORT_WRITERS_H */
