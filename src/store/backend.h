/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_STORE_BACKEND_H
#define CUSTOMS_STORE_BACKEND_H

/*
 * Private to src/store: a backend is a connection that runs SQL with text parameters ($1, $2,
 * ..., as PostgreSQL numbers them; SQLite binds them by name; never spliced into the SQL) and hands rows
 * back as text columns (NULL for SQL NULL). The schema and every query are shared; a backend
 * only moves text.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

/** One row; return non-zero to stop (the query then returns that value). */
typedef int (*store_row_fn)(const char *const *cols, size_t ncols, void *payload);

struct store_backend {
    const char *name;
    /** Run around migrations when not NULL, so concurrent openers migrate one at a time. */
    const char *migrate_lock;
    const char *migrate_unlock;
    /**
     * Around the lookups of one read (customs_store_read_begin/end) when not NULL: one
     * transaction instead of one per statement. NULL where a transaction costs round trips
     * and saves nothing (PostgreSQL).
     */
    const char *read_begin;
    const char *read_end;
    /** `name` (the URI without its password) is what messages say; it outlives the connection. */
    int (*open)(void **conn, const char *uri, const char *name, struct customs_error *err);
    void (*close)(void *conn);
    /** Statements without parameters or rows (DDL, BEGIN, COMMIT). */
    int (*exec)(void *conn, const char *sql, struct customs_error *err);
    /** One statement; `sql` must be a string that lives as long as the connection (cached). */
    int (*query)(void *conn, const char *sql, const char *const *params, size_t nparams,
                 store_row_fn row, void *payload, struct customs_error *err);
    /**
     * NULL, or: between batch(conn, true) and batch(conn, false) `query` takes only statements
     * without rows (inside a transaction), and may send them without waiting for each one's
     * answer (PostgreSQL's pipeline mode: no round trip per statement). A failure is returned
     * by a later query of the batch or by batch(conn, false) at the latest, which always
     * leaves batch mode (`err` NULL: after a failure, only leave it).
     */
    int (*batch)(void *conn, bool on, struct customs_error *err);
};

extern const struct store_backend customs_store_sqlite;
extern const struct store_backend customs_store_postgres;

#endif /* CUSTOMS_STORE_BACKEND_H */
