/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_TESTS_REPORT_FIXTURE_H
#define CUSTOMS_TESTS_REPORT_FIXTURE_H

/* Hand-built reports, writing them to temporary files, golden files and schema validation. */

#include <stdbool.h>
#include <stddef.h>

#include "model/report.h"

/* A hostile name: 300 bytes, an escape sequence, quotes and a backslash. */
extern const char *const fixture_long_name;

/** A fixed report: an OCI image with two layers, Debian, five packages (two with the same
 * purl, one hostile), two misconfigurations, two errors. The creation time is pinned. */
struct customs_report *fixture_report(void);
/** fixture_report() plus a finding of every other kind: three vulnerabilities (one id with NVD
 * and CNA CVSS entries, known exploited, in two packages; one unrated), a suppressed one, a secret in a file and
 * one in the config env, a malware hit, and two coverage problems. */
struct customs_report *fixture_findings_report(void);
/** The same for a directory target without OS, packages or findings. */
struct customs_report *fixture_empty_dir_report(void);

/** Write `r` in `format` to a new temporary file; returns its contents (free()) and, if
 * `path_out` is given, its path (free(), unlink()). Fails the test on error. */
char *fixture_write(const struct customs_report *r, enum customs_format format,
                    char **path_out);

/** fixture_write() with write options (NULL: the defaults). */
char *fixture_write_with(const struct customs_report *r, enum customs_format format,
                         const struct customs_report_write_options *opt, char **path_out);

/** Validate `instance` against `schema` (absolute). Returns 0 valid, 1 invalid, -1 when the
 * validator or the schema is missing (the caller skips). */
int fixture_validate(const char *schema, const char *instance);
/** Write `r` in `format` and assert it is valid against `schema` (absolute, may be NULL).
 * When the schema or the validator is missing, note it and return: the test frees what it
 * holds, then calls fixture_skip_if_unvalidated() as its last step (a skip leaves the test
 * function at once, so skipping here would leak its reports). Takes ownership of `schema`. */
void fixture_assert_valid(const struct customs_report *r, enum customs_format format,
                          char *schema);
/** Skip the test if a fixture_assert_valid() in it could not validate. */
void fixture_skip_if_unvalidated(void);
/** "$CUSTOMS_SOURCE_ROOT/../shared/schemas/<name>" when that file exists, else NULL (free()). */
char *fixture_shared_schema(const char *name);
/** "$CUSTOMS_SOURCE_ROOT/<rel>" (free()). */
char *fixture_source_path(const char *rel);

/** Compare `text` with tests/unit/report/golden/<name> after replacing the customs version by
 * "@VERSION@"; with CUSTOMS_UPDATE_GOLDEN=1 in the environment, rewrite the file instead. */
void fixture_golden(const char *name, const char *text);

#endif
