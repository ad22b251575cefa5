/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend (libpq): one connection per handle, every query parameterised
 * (PQexecParams, text in and out), a statement timeout so a locked table cannot hold a webhook
 * request forever, and one reconnect-and-retry when the server went away between statements
 * (a restarted database, a failover) outside a transaction. Messages name the store by its
 * redacted URI: the password never appears.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "store/backend.h"

#include "core/banned.h"

#define PG_STATEMENT_TIMEOUT_MS 5000
#define PG_CONNECT_TIMEOUT_S "5"
#define PG_MAX_COLS 32
/* statements in flight in a batch before their answers are read: few enough that the answers
 * always fit the socket's buffers (the server never blocks writing them while we write) */
#define PG_PIPELINE_MAX 128

struct pg_conn {
    PGconn *db;
    const char *name; /* the redacted URI, for messages */
    bool in_tx;       /* between BEGIN and COMMIT/ROLLBACK: never retried */
    bool pipeline;    /* in a batch: statements sent, answers read at the next sync */
    int pending;      /* statements sent since the last sync */
};

/* libpq's messages end in a newline and may span lines: one line, bounded, for ours. */
static int pg_fail(struct pg_conn *c, struct customs_error *err, const char *what,
                   const PGresult *res)
{
    char msg[512];
    const char *m = res != NULL ? PQresultErrorMessage(res) : NULL;
    if (m == NULL || m[0] == '\0') {
        m = c->db != NULL ? PQerrorMessage(c->db) : "out of memory";
    }
    snprintf(msg, sizeof(msg), "%s", m);
    for (char *p = msg; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            *p = ' ';
        }
    }
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == ' ') {
        msg[--n] = '\0';
    }
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    bool timeout = state != NULL && strcmp(state, "57014") == 0; /* query_canceled */
    return customs_error_set(err, timeout ? CUSTOMS_ETIMEOUT : CUSTOMS_EIO, "%s: store: %s: %s",
                             c->name, what, msg);
}

static void pg_close(void *conn)
{
    struct pg_conn *c = conn;
    if (c == NULL) {
        return;
    }
    PQfinish(c->db);
    customs_free(c);
}

/* What every session runs first: the statement timeout, quiet notices. */
static int pg_session(struct pg_conn *c, struct customs_error *err)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "SET statement_timeout = %d; SET client_min_messages = warning",
             PG_STATEMENT_TIMEOUT_MS);
    PGresult *res = PQexec(c->db, sql);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_fail(c, err, "cannot set up", res);
    PQclear(res);
    return rc;
}

static void pg_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* the library prints nothing: notices ("table exists, skipping") are dropped */
}

static int pg_open(void **out, const char *uri, const char *name, struct customs_error *err)
{
    struct pg_conn *c = customs_calloc(1, sizeof(*c));
    if (c == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    c->name = name;
    /* the URI comes last, so what it says wins over these defaults */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {PG_CONNECT_TIMEOUT_S, "customs", uri, NULL};
    c->db = PQconnectdbParams(keys, vals, 1);
    if (c->db == NULL || PQstatus(c->db) != CONNECTION_OK) {
        int rc = pg_fail(c, err, "cannot connect", NULL);
        pg_close(c);
        return rc;
    }
    PQsetNoticeProcessor(c->db, pg_notice, NULL);
    int rc = pg_session(c, err);
    if (rc < 0) {
        pg_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* The connection was lost: reconnect once (outside a transaction, whose work is gone anyway). */
static bool pg_revive(struct pg_conn *c)
{
    if (c->in_tx || PQstatus(c->db) == CONNECTION_OK) {
        return false;
    }
    PQreset(c->db);
    return PQstatus(c->db) == CONNECTION_OK && pg_session(c, NULL) == 0;
}

static PGresult *pg_run(struct pg_conn *c, const char *sql, const char *const *params,
                        size_t nparams)
{
    if (PQstatus(c->db) != CONNECTION_OK) {
        pg_revive(c);
    }
    for (int attempt = 0;; attempt++) {
        PGresult *res = nparams > 0 ? PQexecParams(c->db, sql, (int)nparams, NULL, params, NULL,
                                                   NULL, 0)
                                    : PQexec(c->db, sql);
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || attempt > 0 ||
            PQstatus(c->db) == CONNECTION_OK || !pg_revive(c)) {
            return res;
        }
        PQclear(res);
    }
}

static void pg_track_tx(struct pg_conn *c, const char *sql, bool ok)
{
    if (strcmp(sql, "BEGIN") == 0) {
        c->in_tx = ok;
    } else if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0) {
        c->in_tx = false;
    }
}

static int pg_exec(void *conn, const char *sql, struct customs_error *err)
{
    struct pg_conn *c = conn;
    PGresult *res = pg_run(c, sql, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    int rc = ok ? 0 : pg_fail(c, err, "exec", res);
    pg_track_tx(c, sql, ok);
    PQclear(res);
    return rc;
}

/* The answers of the statements a batch sent: a sync, then every result up to it; the first
 * failure is the error. */
static int pg_sync(struct pg_conn *c, struct customs_error *err)
{
    int rc = 0;
    if (c->pending == 0) {
        return 0;
    }
    c->pending = 0;
    if (PQpipelineSync(c->db) != 1) {
        return pg_fail(c, err, "pipeline", NULL);
    }
    for (;;) {
        PGresult *res = PQgetResult(c->db);
        if (res == NULL) { /* between two statements' results */
            if (PQstatus(c->db) != CONNECTION_OK) {
                return rc < 0 ? rc : pg_fail(c, err, "pipeline", NULL);
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_FATAL_ERROR && rc == 0) {
            rc = pg_fail(c, err, "query", res);
        }
        PQclear(res);
        if (st == PGRES_PIPELINE_SYNC) {
            return rc;
        }
    }
}

static int pg_batch(void *conn, bool on, struct customs_error *err)
{
    struct pg_conn *c = conn;
    if (on) {
        c->pending = 0;
        c->pipeline = PQenterPipelineMode(c->db) == 1;
        return c->pipeline ? 0 : pg_fail(c, err, "pipeline", NULL);
    }
    int rc = c->pipeline ? pg_sync(c, err) : 0;
    if (c->pipeline && PQexitPipelineMode(c->db) != 1 && rc == 0) {
        rc = pg_fail(c, err, "pipeline", NULL);
    }
    c->pipeline = false;
    return rc;
}

/* A statement of a batch: sent, its answer read at the next sync. */
static int pg_send(struct pg_conn *c, const char *sql, const char *const *params, size_t nparams,
                   store_row_fn row, struct customs_error *err)
{
    if (row != NULL) {
        return customs_error_set(err, CUSTOMS_EIO, "%s: store: a query with rows in a batch",
                                 c->name);
    }
    if (PQsendQueryParams(c->db, sql, (int)nparams, NULL, params, NULL, NULL, 0) != 1) {
        return pg_fail(c, err, "query", NULL);
    }
    return ++c->pending >= PG_PIPELINE_MAX ? pg_sync(c, err) : 0;
}

static int pg_query(void *conn, const char *sql, const char *const *params, size_t nparams,
                    store_row_fn row, void *payload, struct customs_error *err)
{
    struct pg_conn *c = conn;
    const char *cols[PG_MAX_COLS];
    if (c->pipeline) {
        return pg_send(c, sql, params, nparams, row, err);
    }
    PGresult *res = pg_run(c, sql, params, nparams);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_fail(c, err, "query", res);
        PQclear(res);
        return rc;
    }
    int nrows = PQntuples(res);
    size_t n = (size_t)PQnfields(res);
    if (n > PG_MAX_COLS) {
        n = PG_MAX_COLS;
    }
    for (int r = 0; r < nrows && row != NULL && rc == 0; r++) {
        for (size_t i = 0; i < n; i++) {
            cols[i] = PQgetisnull(res, r, (int)i) ? NULL : PQgetvalue(res, r, (int)i);
        }
        rc = row(cols, n, payload);
    }
    PQclear(res);
    return rc;
}

const struct store_backend customs_store_postgres = {
    .name = "postgresql",
    /* replicas starting together: one migrates, the others wait and find it done */
    .migrate_lock = "SELECT pg_advisory_lock(7140251)",
    .migrate_unlock = "SELECT pg_advisory_unlock(7140251)",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .batch = pg_batch,
};
