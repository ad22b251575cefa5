/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REPORT_AUDIT_H
#define CUSTOMS_REPORT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"
#include "customs/report.h"
#include "misconfig/misconfig.h"
#include "report/sarif.h"

/**
 * Write audit's JSON document {"schema": "customs.audit/v1", "level", "version", "findings":
 * [...], "errors": [...]} (docs/checks.md) as it goes, with a newline at the end. `notes` are
 * the files that could not be read or parsed, each an error {"file", "line", "column",
 * "message"} (file null when NULL, positions null when 0); their id and level are not used.
 * @return 0, CUSTOMS_EIO
 */
CUSTOMS_MUST_USE
int customs_report_write_audit_json(FILE *out, const struct customs_misconfig_set *set,
                                    const struct customs_pss_options *opt,
                                    const struct customs_sarif_notification *notes,
                                    size_t nnotes, struct customs_error *err);

/** What an ignore file did to an audit: the findings it suppressed (borrowed; strings in the
 * set's arena) and every entry with its count. */
struct customs_audit_ignore {
    const struct customs_misconfig *suppressed;
    size_t nsuppressed;
    const size_t *suppressed_by; /* parallel to suppressed: the entry (index into entries) that
                                    suppressed each, or NULL */
    const struct customs_report_ignore *entries;
    size_t nentries;
};

/** The same document with "suppressed" (in the shape of "findings") and "ignored" (every entry:
 * id, kind, where, expires, expired, suppressed, statement) when `ignore` is not NULL. */
CUSTOMS_MUST_USE
int customs_report_write_audit_json_ignore(FILE *out, const struct customs_misconfig_set *set,
                                           const struct customs_pss_options *opt,
                                           const struct customs_sarif_notification *notes,
                                           size_t nnotes, const struct customs_audit_ignore *ignore,
                                           struct customs_error *err);

/**
 * Write audit's table: each finding as "FILE:LINE:COL: SEVERITY CHECK [level] object" and its
 * message, field and fix, every string from the manifests made safe for a terminal as in the
 * scan table; then "N findings (by severity)" and `footer` (customs' own text, written as is,
 * such as "in 3 files (4 documents)"). With
 * `color`, severities in the scan table's colours and check ids in bold.
 * @return 0, CUSTOMS_ENOMEM, CUSTOMS_EIO
 */
int customs_report_write_audit_table(FILE *out, const struct customs_misconfig_set *set,
                                     const char *footer, bool color, struct customs_error *err);

#endif /* CUSTOMS_REPORT_AUDIT_H */
