/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REPORT_H
#define CUSTOMS_REPORT_H

/*
 * A scan's report: the target, its OS, packages, findings and non-fatal errors.
 *
 * Reports are immutable once returned by customs_scan() and may be read from several threads.
 * Writers stream to a FILE the caller owns; atomic replacement of an output file is the
 * caller's job (the CLI writes to a temporary file and renames it).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "customs/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct customs_report;

enum customs_format {
    CUSTOMS_FORMAT_TABLE,     /* for people: aligned columns */
    CUSTOMS_FORMAT_JSON,      /* customs.report/v1, docs/report.schema.json */
    CUSTOMS_FORMAT_CYCLONEDX, /* CycloneDX 1.5 JSON */
    CUSTOMS_FORMAT_SPDX,      /* SPDX 2.3 JSON */
    CUSTOMS_FORMAT_SARIF,     /* SARIF 2.1.0: every finding kind, for code scanning */
};

enum customs_report_kind {
    CUSTOMS_REPORT_PACKAGES,
    CUSTOMS_REPORT_VULNERABILITIES,
    CUSTOMS_REPORT_SECRETS,     /* secrets in files (also removed ones), config, history */
    CUSTOMS_REPORT_MALWARE,
    CUSTOMS_REPORT_MISCONFIGURATIONS,
    CUSTOMS_REPORT_ERRORS,
    /* reasons the findings may be incomplete: an OS release or ecosystem the database does not
     * cover, data older than the allowed age, a release past its end of life, something the
     * scan needed and could not read. A gate fails on any (docs/report.md, "coverage"). */
    CUSTOMS_REPORT_COVERAGE_PROBLEMS,
    CUSTOMS_REPORT_IGNORE_ENTRIES, /* the ignore file's entries (customs_report_ignore_entry) */
    CUSTOMS_REPORT_SUPPRESSED,     /* findings the ignore file or VEX suppressed */
};

/** One entry of the ignore file and what it did; strings borrowed from the report. */
struct customs_report_ignore {
    const char *id;
    const char *kind;    /* "any" (a plain line), "vulnerability", "secret", "malware",
                            "misconfiguration" */
    const char *where;   /* "FILE:LINE" (may quote the file's name: escape it for a terminal) */
    const char *expires; /* "YYYY-MM-DD", or NULL */
    bool expired;        /* past its date: no longer applied */
    size_t suppressed;   /* findings it suppressed */
    const char *statement; /* the entry's note or statement, or NULL */
};

/** Parse a format name ("table", "json", "cyclonedx", "spdx", "sarif"); CUSTOMS_EINVAL if unknown. */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_format_parse(enum customs_format *out, const char *name);

/**
 * Write `report` in `format` to `out`.
 * @return 0, CUSTOMS_EIO (the stream failed), CUSTOMS_ENOMEM
 */
CUSTOMS_API CUSTOMS_MUST_USE int customs_report_write(const struct customs_report *report,
                                                      enum customs_format format, FILE *out,
                                                      struct customs_error *err);

/**
 * How customs_report_write_with() writes a report. All false (zero) is what
 * customs_report_write() does. The library never looks at the terminal or the environment:
 * the caller decides (the CLI: a terminal, `NO_COLOR`, `--color`, `--list-all-pkgs`).
 */
struct customs_report_write_options {
    bool color;         /* table: ANSI colours for severities and the summary's counts */
    bool list_all_pkgs; /* table: every package, not only those with vulnerabilities */
};

/**
 * Write `report` in `format` to `out`, as `options` say (NULL: all false). Options a format
 * has no use for are ignored (the JSON, SARIF, CycloneDX and SPDX documents always carry every
 * package and never colour).
 * @return 0, CUSTOMS_EIO (the stream failed), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_report_write_with(const struct customs_report *report,
                                          enum customs_format format,
                                          const struct customs_report_write_options *options,
                                          FILE *out, struct customs_error *err);

/**
 * Write the reports of several images of one layout or archive (`source` names it), as
 * `customs scan --all-images` does: JSON as one `customs.images/v1` document whose `images`
 * array holds each `customs.report/v1` (docs/report.md), SARIF as one log with a run per
 * image (runAutomationDetails.id "customs/<target>/"), the table as one section per image.
 * A CycloneDX or SPDX document describes one image: CUSTOMS_EUNSUPPORTED.
 * @return 0, CUSTOMS_EIO (the stream failed), CUSTOMS_ENOMEM, CUSTOMS_EUNSUPPORTED
 */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_reports_write(const struct customs_report *const *reports, size_t n,
                                      const char *source, enum customs_format format,
                                      FILE *out, struct customs_error *err);

/** How many items of `kind` the report holds. */
CUSTOMS_API size_t customs_report_count(const struct customs_report *report,
                                        enum customs_report_kind kind);

/**
 * The i-th coverage problem (i < customs_report_count(report, CUSTOMS_REPORT_COVERAGE_PROBLEMS)):
 * its kind ("no-data", "stale", "unknown-release", "unsupported", "eol", "incomplete") and a
 * one-sentence message, both borrowed from the report (the message may quote the image's own
 * strings: escape it for a terminal). @return 0, or CUSTOMS_EINVAL past the end
 */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_report_coverage_problem(const struct customs_report *report, size_t i,
                                                const char **kind, const char **message);

/** The i-th ignore entry (i < customs_report_count(report, CUSTOMS_REPORT_IGNORE_ENTRIES)).
 * @return 0, or CUSTOMS_EINVAL past the end */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_report_ignore_entry(const struct customs_report *report, size_t i,
                                            struct customs_report_ignore *out);

/**
 * How many findings --severity left out, as text by severity ("3 UNKNOWN, 1 LOW", most severe
 * first) into out (truncated to outsz). @return the number left out (0: out is "")
 */
CUSTOMS_API size_t customs_report_hidden_text(const struct customs_report *report, char *out,
                                              size_t outsz);

/**
 * Record the signature verified for the image (customs scan --verify-key): its format
 * ("cosign", "openpgp"), the key that verified it and that key's fingerprint, the digest the
 * signature names and the name it was signed for, and where it was found (all copied; none may
 * be NULL). The JSON report carries it as "signature"; the verdict store records it.
 * @return 0 or CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_report_set_signature(struct customs_report *report, const char *format,
                                             const char *key, const char *fingerprint,
                                             const char *digest, const char *identity,
                                             const char *source);

/** The digest of the image manifest that was scanned ("sha256:..."), or NULL when the source
 * has none (a directory); borrowed until the report is freed. */
CUSTOMS_API const char *customs_report_manifest_digest(const struct customs_report *report);

/** Free a report and everything borrowed from it. NULL is a no-op. */
CUSTOMS_API void customs_report_free(struct customs_report *report);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_REPORT_H */
