/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REPORT_SARIF_H
#define CUSTOMS_REPORT_SARIF_H

/*
 * SARIF 2.1.0, written as a stream (report/jsonw.h) by one set of functions for both `scan`
 * (every finding kind of a report) and `audit` (misconfigurations of manifests): one run, the
 * rules first (each with help text and `properties.security-severity`, the score GitHub code
 * scanning ranks by), then one result per finding with a stable `partialFingerprints` entry,
 * then one invocation whose `toolExecutionNotifications` say what was not read or not
 * covered, `executionSuccessful` false when the result is incomplete (docs/report.md, SARIF).
 *
 * Call sequence: customs_sarif_begin, customs_sarif_rule..., customs_sarif_results_begin,
 * (customs_sarif_result_begin, customs_sarif_location..., customs_sarif_fingerprint, optional
 * "properties" written by the caller, customs_jsonw_object_end)..., customs_sarif_end.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"
#include "misconfig/misconfig.h"
#include "report/jsonw.h"

/** One rule of the run's driver. */
struct customs_sarif_rule {
    const char *id;
    const char *short_text; /* shortDescription.text (required; the id when NULL) */
    const char *full_text;  /* fullDescription.text, or NULL */
    const char *help_text;  /* help.text (required; short_text when NULL) */
    const char *help_uri;   /* an absolute URI, or NULL */
    enum customs_severity severity;
    const char *score;      /* security-severity ("7.8"); NULL: customs_sarif_severity_score */
    const char *tags[4];    /* NULL-terminated, after "security" */
};

/** A tool execution notification: something not read, not covered, or failed. */
struct customs_sarif_notification {
    const char *id;      /* descriptor id: "no-data", "incomplete", "malformed"... */
    const char *level;   /* "error", "warning", "note" */
    const char *message;
    const char *uri;     /* a file (relative URI reference made from it), or NULL */
    int line;            /* 1-based, 0: unknown */
    int column;
};

/** GitHub code scanning's security-severity for a severity without a CVSS score ("9.5",
 * "8.0", "5.5", "3.0", "0.0"). */
const char *customs_sarif_severity_score(enum customs_severity s);
/** The result/rule level of a severity: CRITICAL and HIGH "error", MEDIUM "warning", LOW and
 * UNKNOWN "note". */
const char *customs_sarif_level(enum customs_severity s);

/** Open the log, the run and its driver, up to the rules array. */
void customs_sarif_begin(struct customs_jsonw *w, const char *tool_version);
/** Several runs in one log (one per image): customs_sarif_log_begin, then per run
 * customs_sarif_run_begin (with runAutomationDetails.id when `automation_id` is not NULL) ...
 * customs_sarif_run_end, then customs_sarif_log_end. */
void customs_sarif_log_begin(struct customs_jsonw *w);
void customs_sarif_run_begin(struct customs_jsonw *w, const char *tool_version,
                             const char *automation_id);
void customs_sarif_log_end(struct customs_jsonw *w);
void customs_sarif_rule(struct customs_jsonw *w, const struct customs_sarif_rule *rule);
/** Close the rules and the tool; open the results array. */
void customs_sarif_results_begin(struct customs_jsonw *w);
/** Open a result: ruleId, ruleIndex (when >= 0), level and message. The caller adds the
 * locations, the fingerprint and properties, then closes the object. */
void customs_sarif_result_begin(struct customs_jsonw *w, const char *rule_id, long rule_index,
                                enum customs_severity severity, const char *message);
/** "locations": one location with a physical part (`uri` made a relative URI reference, a
 * region when line > 0; no physical part when uri is NULL) and logical ones: pairs of
 * (fullyQualifiedName, kind) in `logical`, `nlogical` pairs, NULL names skipped. */
void customs_sarif_location(struct customs_jsonw *w, const char *uri, int line, int column,
                            const char *const *logical, size_t nlogical);
/** "partialFingerprints": {"customs/v1": sha256 of the NUL-joined `parts`}. Parts are what
 * identifies the finding across scans (never a version that an unrelated upgrade changes). */
CUSTOMS_MUST_USE
int customs_sarif_fingerprint(struct customs_jsonw *w, const char *const *parts, size_t nparts);
/** Close the results, write the invocation (executionSuccessful and the notifications), close
 * the run and the log. */
void customs_sarif_end(struct customs_jsonw *w, bool successful,
                       const struct customs_sarif_notification *notes, size_t nnotes);
/** Close the results and the run with its invocation (customs_sarif_end without the log). */
void customs_sarif_run_end(struct customs_jsonw *w, bool successful,
                           const struct customs_sarif_notification *notes, size_t nnotes);

/**
 * Write audit's SARIF log: a rule per check customs has (Pod Security, Kubernetes beyond it,
 * Dockerfile, Compose), a result per finding of `set`, then one per finding the ignore file
 * suppressed (`ignore`, may be NULL) marked with its suppression, and `notes` (files that could
 * not be read or parsed; any makes executionSuccessful false).
 * @return 0, CUSTOMS_ENOMEM, CUSTOMS_EIO
 */
struct customs_audit_ignore;

CUSTOMS_MUST_USE
int customs_report_write_audit_sarif(FILE *out, const struct customs_misconfig_set *set,
                                     const char *tool_version,
                                     const struct customs_sarif_notification *notes,
                                     size_t nnotes, const struct customs_audit_ignore *ignore,
                                     struct customs_error *err);

/** "suppressions" of a result the user suppressed: one entry of kind external (an ignore file
 * or a VEX document, outside what was scanned), status accepted, `justification` (required),
 * and properties {by: "ignorefile" or "vex", where: the entry's place}. */
void customs_sarif_suppression(struct customs_jsonw *w, const char *by,
                               const char *justification, const char *where);

/** The result of one misconfiguration (audit's and scan's image-config findings alike). */
CUSTOMS_MUST_USE
int customs_sarif_misconfig_result(struct customs_jsonw *w, const struct customs_misconfig *m,
                                   long rule_index);

#endif /* CUSTOMS_REPORT_SARIF_H */
