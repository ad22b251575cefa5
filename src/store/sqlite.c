/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend: one file, WAL (readers never wait for a writer), opened defensively. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/backend.h"

#include "core/banned.h"

#define SQLITE_STMT_CACHE 32
#define SQLITE_BUSY_MS 5000

struct sqlite_conn {
    sqlite3 *db;
    const char *path;
    struct {
        const char *sql; /* the caller's string: its address is the key */
        sqlite3_stmt *st;
    } cache[SQLITE_STMT_CACHE];
};

static int sqlite_fail(struct sqlite_conn *c, struct customs_error *err, const char *what)
{
    return customs_error_set(err, CUSTOMS_EIO, "%s: store: %s: %s", c->path, what,
                             c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
}

static void sqlite_close(void *conn)
{
    struct sqlite_conn *c = conn;
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < SQLITE_STMT_CACHE; i++) {
        sqlite3_finalize(c->cache[i].st);
    }
    sqlite3_close(c->db);
    customs_free(c);
}

static int sqlite_open(void **out, const char *uri, const char *name, struct customs_error *err)
{
    struct sqlite_conn *c = customs_calloc(1, sizeof(*c));
    if (c == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    c->path = name;
    /* SQLite would open a FIFO or a device there and wait on it: a regular file or nothing */
    struct stat st;
    if (lstat(uri, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
        sqlite_close(c);
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: store: not a regular file (a FIFO, socket or device is "
                                 "not opened)",
                                 name);
    }
    if (sqlite3_open_v2(uri, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                         SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL) != SQLITE_OK) {
        int rc = sqlite_fail(c, err, "cannot open");
        sqlite_close(c);
        return rc;
    }
    /* the same hardening as every other SQLite input: the file may come from anyone */
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
    sqlite3_busy_timeout(c->db, SQLITE_BUSY_MS);
    if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                            " PRAGMA foreign_keys = ON",
                     NULL, NULL, NULL) != SQLITE_OK) {
        int rc = sqlite_fail(c, err, "cannot set WAL mode");
        sqlite_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

static int sqlite_exec(void *conn, const char *sql, struct customs_error *err)
{
    struct sqlite_conn *c = conn;
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return sqlite_fail(c, err, "exec");
    }
    return 0;
}

static sqlite3_stmt *sqlite_stmt(struct sqlite_conn *c, const char *sql)
{
    size_t free_slot = SQLITE_STMT_CACHE;
    for (size_t i = 0; i < SQLITE_STMT_CACHE; i++) {
        if (c->cache[i].sql == sql) {
            sqlite3_reset(c->cache[i].st);
            sqlite3_clear_bindings(c->cache[i].st);
            return c->cache[i].st;
        }
        if (c->cache[i].sql == NULL && free_slot == SQLITE_STMT_CACHE) {
            free_slot = i;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        return NULL;
    }
    if (free_slot < SQLITE_STMT_CACHE) {
        c->cache[free_slot].sql = sql;
        c->cache[free_slot].st = st;
    }
    return st;
}

static int sqlite_query(void *conn, const char *sql, const char *const *params, size_t nparams,
                        store_row_fn row, void *payload, struct customs_error *err)
{
    struct sqlite_conn *c = conn;
    const char *cols[32];
    sqlite3_stmt *st = sqlite_stmt(c, sql);
    int rc = 0;
    if (st == NULL) {
        return sqlite_fail(c, err, "prepare");
    }
    bool cached = false;
    for (size_t i = 0; i < SQLITE_STMT_CACHE; i++) {
        cached = cached || c->cache[i].st == st;
    }
    for (size_t i = 0; i < nparams; i++) {
        /* "$N" is a named parameter to SQLite, numbered by first use: bind by name */
        char name[24];
        snprintf(name, sizeof(name), "$%zu", i + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx > 0 && sqlite3_bind_text(st, idx, params[i], -1, SQLITE_STATIC) != SQLITE_OK) {
            rc = sqlite_fail(c, err, "bind");
            goto out;
        }
    }
    for (;;) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE) {
            break;
        }
        if (s != SQLITE_ROW) {
            rc = sqlite_fail(c, err, "query");
            break;
        }
        size_t n = (size_t)sqlite3_column_count(st);
        if (n > sizeof(cols) / sizeof(cols[0])) {
            n = sizeof(cols) / sizeof(cols[0]);
        }
        for (size_t i = 0; i < n; i++) {
            cols[i] = (const char *)sqlite3_column_text(st, (int)i);
        }
        if (row != NULL && (rc = row(cols, n, payload)) != 0) {
            break;
        }
    }
out:
    if (cached) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        sqlite3_finalize(st);
    }
    return rc;
}

const struct store_backend customs_store_sqlite = {
    .name = "sqlite",
    /* a read transaction per statement takes and drops the WAL read lock (fcntl) each time */
    .read_begin = "BEGIN",
    .read_end = "COMMIT",
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .query = sqlite_query,
};
