/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_FORMATS_SQLITE_H
#define CUSTOMS_FORMATS_SQLITE_H

/*
 * SQLite files are input: the vulnerability database (whoever can write the cache or the
 * mirror) and package databases found inside images (rpmdb.sqlite). Every connection to one is
 *   - read-only, with SQLITE_DBCONFIG_DEFENSIVE, trusted_schema off, triggers, views and
 *     extension loading off, and a cap on the length of any value;
 *   - interrupted by a progress handler once its deadline has passed (CUSTOMS_ETIMEOUT);
 *   - checked before the first query against the schema the reader expects, built in an
 *     in-memory database from the same SQL that creates it (customs_sqlite_check_schema): the
 *     same tables with the same columns (no generated or hidden ones), no view or trigger;
 *   - and every row read is type-checked (customs_sqlite_check_row): a NULL or a value of the
 *     wrong type is an error naming the row, never a NULL pointer handed on.
 */

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/core.h"

/** A connection's deadline; must outlive the connection it is installed on. */
struct customs_sqlite_guard {
    struct timespec deadline; /* CLOCK_MONOTONIC */
    uint64_t max_calls;       /* progress calls allowed (each ~1000 VM steps); 0: no cap */
    uint64_t calls;
    bool expired;
};

/**
 * Harden `db` (just opened, nothing run yet) as described above and install `guard` with a
 * deadline `deadline_ms` from now. `max_value` caps the bytes of any one string or blob.
 */
void customs_sqlite_harden(sqlite3 *db, struct customs_sqlite_guard *guard, uint32_t deadline_ms,
                           int max_value);

/** Open the file at `path` read-only and harden it. Errors name the file.
 * @return 0, CUSTOMS_ENOTFOUND, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_sqlite_open(sqlite3 **out, const char *path,
                                         struct customs_sqlite_guard *guard, uint32_t deadline_ms,
                                         int max_value, struct customs_error *err);

/**
 * Check the schema of `db` (named `path` in messages; `guard` its deadline) against the one
 * `schema_sql` creates (run in a fresh in-memory database, followed by ANALYZE when `analyzed`).
 * Every table of the reference must exist in `db` as an ordinary table with exactly the same
 * columns (name, declared type, NOT NULL, default, primary key, hidden). With `exact`, `db` must
 * also hold exactly the reference's objects (tables, indexes), each with the same SQL text. A view
 * or a trigger is always refused.
 * @return 0, CUSTOMS_EMALFORMED (the message names the first difference), CUSTOMS_ETIMEOUT,
 *         CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_sqlite_check_schema(sqlite3 *db,
                                                 const struct customs_sqlite_guard *guard,
                                                 const char *path, const char *schema_sql,
                                                 bool analyzed, bool exact,
                                                 struct customs_error *err);

/**
 * Check the columns of the current row of `st` against `types`, one letter per column:
 * 'T' text, 't' text or NULL, 'I' integer, 'i' integer or NULL, 'r' a number or NULL,
 * 'B' a non-empty blob, '-' anything. A mismatch is CUSTOMS_EMALFORMED naming `where` (the row)
 * and the column.
 */
CUSTOMS_MUST_USE int customs_sqlite_check_row(sqlite3_stmt *st, const char *types,
                                              const char *where, struct customs_error *err);

/** The error for a failed sqlite3 call on `db`: CUSTOMS_ETIMEOUT when the guard's deadline
 * stopped it, CUSTOMS_ENOMEM, else `code`; the message names `path`. */
int customs_sqlite_fail(struct customs_error *err, int code, sqlite3 *db,
                        const struct customs_sqlite_guard *guard, const char *path);

#endif /* CUSTOMS_FORMATS_SQLITE_H */
