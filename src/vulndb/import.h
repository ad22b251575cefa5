/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/vulndb: helpers the importers share. */
#ifndef CUSTOMS_VULNDB_IMPORT_H
#define CUSTOMS_VULNDB_IMPORT_H

#include "vulndb/vulndb.h"

/* Limits on untrusted advisory input. */
#define IMPORT_MAX_FILE_BYTES (2ULL << 30)
#define IMPORT_MAX_RECORD_BYTES (64ULL << 20)
#define IMPORT_MAX_KEY 1024

/**
 * A malformed record described in `err`: under keep_going, report it through opt->warn,
 * count it and return 0; otherwise return the error code.
 */
int import_skip_or_fail(const struct customs_vulndb_import_options *opt,
                        struct customs_vulndb_counts *counts, struct customs_error *err);

/**
 * A CVSS vector of record `id` in `name` that cannot be scored (the reason in err): the record
 * is kept without it; the vector is counted and reported through opt->warn.
 */
void import_bad_vector(const struct customs_vulndb_import_options *opt, const char *name,
                       struct customs_vulndb_counts *counts, struct customs_error *err);

/** 1-based line number of byte offset `off` in data. */
size_t import_line_of(const uint8_t *data, size_t len, size_t off);

/** Normalise a distro or GHSA severity word to CRITICAL/HIGH/MEDIUM/LOW, or NULL. */
const char *import_severity_word(const char *s);

#endif /* CUSTOMS_VULNDB_IMPORT_H */
