/* SPDX-License-Identifier: Apache-2.0 */
/* Untrusted SQLite files: hardening, deadline, schema and row checks (sqlite.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "formats/sqlite.h"

#include "core/banned.h"

/* Statements are interrupted when their connection's deadline has passed (checked every this
 * many virtual machine steps: well under a millisecond). */
#define PROGRESS_STEPS 1000

static int guard_progress(void *arg)
{
    struct customs_sqlite_guard *g = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (++g->calls > g->max_calls && g->max_calls != 0) {
        g->expired = true;
    }
    if (now.tv_sec > g->deadline.tv_sec ||
        (now.tv_sec == g->deadline.tv_sec && now.tv_nsec >= g->deadline.tv_nsec)) {
        g->expired = true;
    }
    return g->expired;
}

void customs_sqlite_harden(sqlite3 *db, struct customs_sqlite_guard *guard, uint32_t deadline_ms,
                           int max_value)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, max_value);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    clock_gettime(CLOCK_MONOTONIC, &guard->deadline);
    guard->deadline.tv_sec += (time_t)(deadline_ms / 1000);
    guard->deadline.tv_nsec += (long)(deadline_ms % 1000) * 1000000L;
    if (guard->deadline.tv_nsec >= 1000000000L) {
        guard->deadline.tv_sec++;
        guard->deadline.tv_nsec -= 1000000000L;
    }
    guard->expired = false;
    guard->calls = 0;
    guard->max_calls = 0;
    sqlite3_progress_handler(db, PROGRESS_STEPS, guard_progress, guard);
}

int customs_sqlite_fail(struct customs_error *err, int code, sqlite3 *db,
                        const struct customs_sqlite_guard *guard, const char *path)
{
    if (guard != NULL && guard->expired) {
        return customs_error_set(err, CUSTOMS_ETIMEOUT,
                                 "%s: sqlite: stopped at its time or work budget (a hostile "
                                 "database?)", path);
    }
    if (db == NULL || sqlite3_errcode(db) == SQLITE_NOMEM) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "%s: sqlite: out of memory", path);
    }
    return customs_error_set(err, code, "%s: sqlite: %s", path, sqlite3_errmsg(db));
}

int customs_sqlite_open(sqlite3 **out, const char *path, struct customs_sqlite_guard *guard,
                        uint32_t deadline_ms, int max_value, struct customs_error *err)
{
    sqlite3 *db = NULL;
    *out = NULL;
    /* SQLite's own open(2) blocks on a FIFO nobody writes: a regular file only */
    int fd = customs_file_open_read(path);
    if (fd < 0) {
        return errno == ENOENT
                   ? customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: cannot open: %s", path,
                                       strerror(errno))
                   : customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                       "%s: cannot open: not a regular file (%s)", path,
                                       strerror(errno));
    }
    close(fd);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        int rc = db == NULL ? customs_error_set(err, CUSTOMS_ENOMEM, "%s: out of memory", path)
                            : customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: cannot open: %s",
                                                path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    customs_sqlite_harden(db, guard, deadline_ms, max_value);
    *out = db;
    return 0;
}

/* ---- the schema ---- */

/* The objects of a database that a reader relies on: every row of sqlite_schema but SQLite's
 * own automatic indexes, in a stable order. */
static const char objects_sql[] =
    "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema"
    " WHERE name NOT LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\' ORDER BY type, name";

static int schema_fail(struct customs_error *err, const char *path, const char *what,
                       const char *name)
{
    return customs_error_set(err, CUSTOMS_EMALFORMED,
                             "%s: not the expected database schema: %s '%.100s'", path, what,
                             name);
}

/* Views and triggers are refused outright, whatever they are called. */
static int no_views_or_triggers(sqlite3 *db, const struct customs_sqlite_guard *g,
                                const char *path, struct customs_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_schema"
                               " WHERE type NOT IN ('table', 'index') LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK) {
        return customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db, g, path);
    }
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        rc = schema_fail(err, path, type != NULL ? type : "object",
                         (const char *)sqlite3_column_text(st, 1));
    } else if (step != SQLITE_DONE) {
        rc = customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db, g, path);
    }
    sqlite3_finalize(st);
    return rc;
}

/* One table's columns (table_xinfo: hidden and generated ones too), as one comparable string. */
static int table_columns(struct customs_buf *out, sqlite3 *db, const char *table, bool *virtual_,
                         bool *exists)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    *exists = false;
    *virtual_ = false;
    if (sqlite3_prepare_v2(db, "SELECT type, coalesce(sql, '') FROM sqlite_schema WHERE name = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        return CUSTOMS_EMALFORMED;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *sql = (const char *)sqlite3_column_text(st, 1);
        *exists = type != NULL && strcmp(type, "table") == 0;
        *virtual_ = sql != NULL && sqlite3_strnicmp(sql, "CREATE VIRTUAL", 14) == 0;
    } else if (step != SQLITE_DONE) {
        rc = CUSTOMS_EMALFORMED;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc < 0 || !*exists || *virtual_) {
        return rc;
    }
    if (sqlite3_prepare_v2(db, "SELECT name, type, \"notnull\", coalesce(dflt_value, ''), pk,"
                               " hidden FROM pragma_table_xinfo(?1)",
                           -1, &st, NULL) != SQLITE_OK) {
        return CUSTOMS_EMALFORMED;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; rc == 0 && i < 6; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            rc = customs_buf_printf(out, "%s%c", v != NULL ? v : "", i == 5 ? '\n' : '\x1f');
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = CUSTOMS_EMALFORMED;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Every table of `ref` exists in `db` with the same columns. */
static int same_tables(sqlite3 *db, sqlite3 *ref, const struct customs_sqlite_guard *g,
                       const char *path, struct customs_error *err)
{
    sqlite3_stmt *st = NULL;
    struct customs_buf want, got;
    int rc = 0;
    customs_buf_init(&want, 1u << 20);
    customs_buf_init(&got, 1u << 20);
    if (sqlite3_prepare_v2(ref, "SELECT name FROM sqlite_schema WHERE type = 'table'"
                                " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = customs_sqlite_fail(err, CUSTOMS_ERROR, ref, NULL, "schema");
        goto out;
    }
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0);
        bool is_virtual = false, exists = false, ref_virtual = false, ref_exists = false;
        customs_buf_reset(&want);
        customs_buf_reset(&got);
        rc = table == NULL ? CUSTOMS_ERROR
                           : table_columns(&want, ref, table, &ref_virtual, &ref_exists);
        if (rc == CUSTOMS_ENOMEM) {
            rc = customs_error_set(err, rc, "%s: out of memory", path);
            break;
        }
        if (rc < 0) {
            rc = customs_sqlite_fail(err, CUSTOMS_ERROR, ref, NULL, "schema");
            break;
        }
        rc = table_columns(&got, db, table, &is_virtual, &exists);
        if (rc == CUSTOMS_ENOMEM) {
            rc = customs_error_set(err, rc, "%s: out of memory", path);
        } else if (rc < 0) {
            rc = customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db, g, path);
        } else if (!exists) {
            rc = schema_fail(err, path, "no table", table);
        } else if (is_virtual) {
            rc = schema_fail(err, path, "a virtual table", table);
        } else if (strcmp(customs_buf_cstr(&want), customs_buf_cstr(&got)) != 0) {
            rc = schema_fail(err, path, "different columns in table", table);
        }
    }
out:
    sqlite3_finalize(st);
    customs_buf_release(&want);
    customs_buf_release(&got);
    return rc;
}

/* `db` holds exactly the objects of `ref`, with the same SQL. */
static int same_objects(sqlite3 *db, sqlite3 *ref, const struct customs_sqlite_guard *g,
                        const char *path, struct customs_error *err)
{
    sqlite3_stmt *a = NULL, *b = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(ref, objects_sql, -1, &a, NULL) != SQLITE_OK) {
        rc = customs_sqlite_fail(err, CUSTOMS_ERROR, ref, NULL, "schema");
        goto out;
    }
    if (sqlite3_prepare_v2(db, objects_sql, -1, &b, NULL) != SQLITE_OK) {
        rc = customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db, g, path);
        goto out;
    }
    for (;;) {
        int sa = sqlite3_step(a);
        int sb = sqlite3_step(b);
        if (sa != SQLITE_ROW && sa != SQLITE_DONE) {
            rc = customs_sqlite_fail(err, CUSTOMS_ERROR, ref, NULL, "schema");
            break;
        }
        if (sb != SQLITE_ROW && sb != SQLITE_DONE) {
            rc = customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db, g, path);
            break;
        }
        if (sa == SQLITE_DONE && sb == SQLITE_DONE) {
            break;
        }
        if (sb == SQLITE_DONE) {
            rc = schema_fail(err, path, "missing", (const char *)sqlite3_column_text(a, 1));
            break;
        }
        const char *bname = (const char *)sqlite3_column_text(b, 1);
        if (sa == SQLITE_DONE) {
            rc = schema_fail(err, path, "unexpected", bname != NULL ? bname : "");
            break;
        }
        for (int i = 0; i < 4; i++) {
            const char *x = (const char *)sqlite3_column_text(a, i);
            const char *y = (const char *)sqlite3_column_text(b, i);
            if (x == NULL || y == NULL || strcmp(x, y) != 0) {
                rc = schema_fail(err, path, "a different definition of",
                                 bname != NULL ? bname : "");
                break;
            }
        }
        if (rc != 0) {
            break;
        }
    }
out:
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    return rc;
}

int customs_sqlite_check_schema(sqlite3 *db, const struct customs_sqlite_guard *g,
                                const char *path, const char *schema_sql, bool analyzed,
                                bool exact, struct customs_error *err)
{
    sqlite3 *ref = NULL;
    int rc = no_views_or_triggers(db, g, path, err);
    if (rc < 0) {
        return rc;
    }
    if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(ref, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
        (analyzed && sqlite3_exec(ref, "ANALYZE", NULL, NULL, NULL) != SQLITE_OK)) {
        rc = customs_sqlite_fail(err, CUSTOMS_ERROR, ref, NULL, "schema");
        sqlite3_close(ref);
        return rc;
    }
    rc = same_tables(db, ref, g, path, err);
    if (rc == 0 && exact) {
        rc = same_objects(db, ref, g, path, err);
    }
    sqlite3_close(ref);
    return rc;
}

/* ---- rows ---- */

int customs_sqlite_check_row(sqlite3_stmt *st, const char *types, const char *where,
                             struct customs_error *err)
{
    for (int i = 0; types[i] != '\0'; i++) {
        int t = sqlite3_column_type(st, i);
        bool ok;
        switch (types[i]) {
        case 'T': ok = t == SQLITE_TEXT; break;
        case 't': ok = t == SQLITE_TEXT || t == SQLITE_NULL; break;
        case 'I': ok = t == SQLITE_INTEGER; break;
        case 'i': ok = t == SQLITE_INTEGER || t == SQLITE_NULL; break;
        case 'r': ok = t == SQLITE_FLOAT || t == SQLITE_INTEGER || t == SQLITE_NULL; break;
        case 'B': ok = t == SQLITE_BLOB && sqlite3_column_bytes(st, i) > 0; break;
        default: ok = true; break;
        }
        if (!ok) {
            static const char *const names[] = {"?", "integer", "real", "text", "blob", "NULL"};
            const char *col = sqlite3_column_name(st, i);
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: column %s is %s", where,
                                     col != NULL ? col : "?",
                                     t >= 1 && t <= 5 ? names[t] : names[0]);
        }
    }
    return 0;
}
