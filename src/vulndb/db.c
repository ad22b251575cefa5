/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite file: schema, the build-time writer and the read-only lookups. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "formats/sqlite.h"
#include "vulndb/vulndb.h"

#include "core/banned.h"

/* The schema, in this one place (version CUSTOMS_VULNDB_SCHEMA_VERSION); docs/db.md describes
 * every column. */
static const char schema_sql[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE sources ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, location TEXT NOT NULL,"
    "  records INTEGER NOT NULL, affected INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    "  imported_at INTEGER NOT NULL, data_date TEXT, date_basis TEXT);"
    "CREATE TABLE vulns ("
    "  id TEXT PRIMARY KEY, title TEXT, summary TEXT, severity TEXT, published TEXT,"
    "  modified TEXT, withdrawn TEXT, source_id INTEGER REFERENCES sources(id)) WITHOUT ROWID;"
    "CREATE TABLE cvss ("
    "  vuln_id TEXT NOT NULL, source TEXT NOT NULL, type TEXT, version TEXT NOT NULL,"
    "  vector TEXT NOT NULL, score REAL NOT NULL,"
    "  source_id INTEGER NOT NULL REFERENCES sources(id),"
    "  PRIMARY KEY (vuln_id, source, version, vector)) WITHOUT ROWID;"
    "CREATE TABLE nvd ("
    "  id TEXT PRIMARY KEY, status TEXT, published TEXT, last_modified TEXT,"
    "  known_exploited TEXT, source_id INTEGER NOT NULL REFERENCES sources(id)) WITHOUT ROWID;"
    "CREATE TABLE aliases (id TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY (id, alias))"
    "  WITHOUT ROWID;"
    "CREATE TABLE affected ("
    "  id INTEGER PRIMARY KEY, vuln_id TEXT NOT NULL, ecosystem TEXT NOT NULL,"
    "  package TEXT NOT NULL, range_type TEXT NOT NULL, introduced TEXT, fixed TEXT,"
    "  last_affected TEXT, limit_version TEXT, versions TEXT, status TEXT NOT NULL,"
    "  severity TEXT, note TEXT, source_id INTEGER NOT NULL REFERENCES sources(id));"
    "CREATE TABLE coverage ("
    "  source_id INTEGER NOT NULL REFERENCES sources(id), ecosystem TEXT NOT NULL,"
    "  records INTEGER NOT NULL, affected INTEGER NOT NULL, data_date TEXT, date_basis TEXT,"
    "  PRIMARY KEY (source_id, ecosystem)) WITHOUT ROWID;";

/*
 * What each source covers, per ecosystem key (an OS release such as "debian:bookworm" or a
 * language ecosystem such as "npm"): its advisories, rows and the data's own date. The date is
 * the newest `modified` (else `published`) of those advisories; a source whose records carry
 * no date (the tracker, secdb) lends its own `data_date` (the file's modification time).
 */
static const char coverage_sql[] =
    "INSERT INTO coverage (source_id, ecosystem, records, affected, data_date, date_basis)"
    " SELECT a.source_id, a.ecosystem, count(DISTINCT a.vuln_id), count(*),"
    "  coalesce(max(CASE WHEN v.source_id = a.source_id AND v.modified >= '1970'"
    "               THEN v.modified END),"
    "           max(CASE WHEN v.source_id = a.source_id AND v.published >= '1970'"
    "               THEN v.published END), s.data_date),"
    "  CASE WHEN max(CASE WHEN v.source_id = a.source_id AND (v.modified >= '1970' OR"
    "                     v.published >= '1970') THEN 1 END) IS NOT NULL THEN 'records'"
    "       ELSE s.date_basis END"
    " FROM affected a JOIN sources s ON s.id = a.source_id LEFT JOIN vulns v ON v.id = a.vuln_id"
    " GROUP BY a.source_id, a.ecosystem;";

static const char index_sql[] =
    "CREATE INDEX affected_by_package ON affected (ecosystem, package, vuln_id);"
    "CREATE INDEX affected_by_vuln ON affected (vuln_id);";

enum {
    ST_VULN,
    ST_ALIAS,
    ST_AFFECTED,
    ST_CVSS,
    ST_NVD,
    ST_NVD_STORED,
    ST_CVSS_DROP,
    ST_META,
    ST_COUNT,
};

static const char *const writer_sql[ST_COUNT] = {
    "INSERT INTO vulns (id, title, summary, severity, published, modified, withdrawn,"
    " source_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (id) DO UPDATE SET title = coalesce(title, excluded.title),"
    " summary = coalesce(summary, excluded.summary),"
    " severity = coalesce(severity, excluded.severity),"
    " published = coalesce(published, excluded.published),"
    " modified = coalesce(modified, excluded.modified),"
    " withdrawn = coalesce(withdrawn, excluded.withdrawn)",
    "INSERT OR IGNORE INTO aliases (id, alias) VALUES (?1, ?2), (?2, ?1)",
    "INSERT INTO affected (vuln_id, ecosystem, package, range_type, introduced, fixed,"
    " last_affected, limit_version, versions, status, severity, note, source_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    "INSERT OR IGNORE INTO cvss (vuln_id, source, type, version, vector, score, source_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT INTO nvd (id, status, published, last_modified, known_exploited, source_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET"
    " status = excluded.status, published = excluded.published,"
    " last_modified = excluded.last_modified, known_exploited = excluded.known_exploited,"
    " source_id = excluded.source_id WHERE excluded.last_modified >= last_modified"
    " OR last_modified IS NULL",
    "SELECT last_modified FROM nvd WHERE id = ?1",
    "DELETE FROM cvss WHERE vuln_id = ?1 AND source <> 'osv'",
    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
};

struct customs_vulndb_writer {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    int64_t source_id; /* the id the next sources row will get */
    char data_date[32];
    time_t started; /* one instant for the whole build: built_at and every imported_at */
};

static int db_fail(struct customs_error *err, sqlite3 *db, const char *what)
{
    return customs_error_set(err, CUSTOMS_EIO, "vulnerability database: %s: %s", what,
                             db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

/*
 * The database is built in a temporary file that is renamed into place only when the build
 * succeeds, so nothing protects it midway: no journal, no sync, no locking after the first
 * access, and a page cache (up to 64 MiB; the whole corpus makes a 14 MB file) and index
 * sorter in memory, which keeps SQLite from writing pages out and reading them back during
 * the one transaction (15,000 pread calls for the corpus otherwise). The cache is a limit,
 * not an allocation: pages are allocated as the file grows.
 */
static const char build_pragmas[] =
    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;"
    " PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; PRAGMA page_size = 4096; BEGIN";

int customs_vulndb_writer_open(struct customs_vulndb_writer **out, const char *path,
                               struct customs_error *err)
{
    struct customs_vulndb_writer *w = customs_calloc(1, sizeof(*w));
    *out = NULL;
    if (w == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    w->source_id = 1;
    w->started = time(NULL);
    if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                          SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL) != SQLITE_OK ||
        sqlite3_exec(w->db, build_pragmas, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(w->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        int rc = db_fail(err, w->db, path);
        customs_vulndb_writer_close(w);
        return rc;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(w->db, writer_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &w->st[i],
                               NULL) != SQLITE_OK) {
            int rc = db_fail(err, w->db, "prepare");
            customs_vulndb_writer_close(w);
            return rc;
        }
    }
    *out = w;
    return 0;
}

void customs_vulndb_writer_close(struct customs_vulndb_writer *w)
{
    if (w == NULL) {
        return;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(w->st[i]);
    }
    sqlite3_close(w->db);
    customs_free(w);
}

int customs_vulndb_writer_finish(struct customs_vulndb_writer *w, struct customs_error *err)
{
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "INSERT INTO meta VALUES ('schema_version', '%d'), ('built_at', '%lld'),"
             " ('customs_version', '%s'); %s %s COMMIT",
             CUSTOMS_VULNDB_SCHEMA_VERSION, (long long)w->started, CUSTOMS_VERSION, index_sql,
             coverage_sql);
    if (sqlite3_exec(w->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(w->db, "ANALYZE", NULL, NULL, NULL) != SQLITE_OK) {
        return db_fail(err, w->db, "finishing the build");
    }
    return 0;
}

/* Bound without a copy: every statement is stepped, reset and cleared before the writer
 * function that bound it returns, while its caller's strings are alive. */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s != NULL) {
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, i);
    }
}

static int step_once(struct customs_vulndb_writer *w, sqlite3_stmt *st, const char *what,
                     struct customs_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : db_fail(err, w->db, what);
}

int customs_vulndb_writer_vuln(struct customs_vulndb_writer *w,
                               const struct customs_vulndb_vuln *v, struct customs_error *err)
{
    sqlite3_stmt *st = w->st[ST_VULN];
    bind_text(st, 1, v->id);
    bind_text(st, 2, v->title);
    bind_text(st, 3, v->summary);
    bind_text(st, 4, v->severity);
    bind_text(st, 5, v->published);
    bind_text(st, 6, v->modified);
    bind_text(st, 7, v->withdrawn);
    sqlite3_bind_int64(st, 8, w->source_id);
    if (v->modified != NULL) {
        customs_vulndb_writer_note_date(w, v->modified);
    }
    if (v->published != NULL) {
        customs_vulndb_writer_note_date(w, v->published);
    }
    return step_once(w, st, "adding a vulnerability", err);
}

int customs_vulndb_writer_cvss(struct customs_vulndb_writer *w, const char *vuln_id,
                               const char *source, const char *type, const char *vector,
                               enum customs_cvss_version expect, struct customs_error *err)
{
    struct customs_cvss c;
    sqlite3_stmt *st = w->st[ST_CVSS];
    int rc = customs_cvss_score(&c, vector, err);
    if (rc != 0) {
        return rc;
    }
    if (expect != CUSTOMS_CVSS_UNKNOWN && expect != c.version) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "CVSS vector \"%.100s\" is version %s where %s was expected",
                                 vector, customs_cvss_version_name(c.version),
                                 customs_cvss_version_name(expect));
    }
    bind_text(st, 1, vuln_id);
    bind_text(st, 2, source);
    bind_text(st, 3, type);
    bind_text(st, 4, customs_cvss_version_name(c.version));
    bind_text(st, 5, vector);
    sqlite3_bind_double(st, 6, c.score);
    sqlite3_bind_int64(st, 7, w->source_id);
    return step_once(w, st, "adding a CVSS vector", err);
}

int customs_vulndb_writer_nvd(struct customs_vulndb_writer *w, const struct customs_vulndb_nvd *n,
                              struct customs_error *err)
{
    sqlite3_stmt *st = w->st[ST_NVD];
    bind_text(st, 1, n->id);
    bind_text(st, 2, n->status);
    bind_text(st, 3, n->published);
    bind_text(st, 4, n->last_modified);
    bind_text(st, 5, n->known_exploited);
    sqlite3_bind_int64(st, 6, w->source_id);
    if (n->last_modified != NULL) {
        customs_vulndb_writer_note_date(w, n->last_modified);
    }
    return step_once(w, st, "adding an NVD record", err);
}

int customs_vulndb_writer_nvd_supersede(struct customs_vulndb_writer *w, const char *id,
                                        const char *last_modified, struct customs_error *err)
{
    sqlite3_stmt *st = w->st[ST_NVD_STORED];
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    bool older = false;
    if (rc == SQLITE_ROW && last_modified != NULL &&
        sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        older = strcmp(last_modified, (const char *)sqlite3_column_text(st, 0)) < 0;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return db_fail(err, w->db, "reading an NVD record");
    }
    if (rc == SQLITE_DONE) {
        return 0;
    }
    if (older) {
        return 1;
    }
    bind_text(w->st[ST_CVSS_DROP], 1, id);
    return step_once(w, w->st[ST_CVSS_DROP], "replacing an NVD record's CVSS entries", err);
}

int customs_vulndb_writer_meta(struct customs_vulndb_writer *w, const char *key,
                               const char *value, struct customs_error *err)
{
    bind_text(w->st[ST_META], 1, key);
    bind_text(w->st[ST_META], 2, value);
    return step_once(w, w->st[ST_META], "writing meta", err);
}

int customs_vulndb_writer_alias(struct customs_vulndb_writer *w, const char *a, const char *b,
                                struct customs_error *err)
{
    if (strcmp(a, b) == 0) {
        return 0;
    }
    bind_text(w->st[ST_ALIAS], 1, a);
    bind_text(w->st[ST_ALIAS], 2, b);
    return step_once(w, w->st[ST_ALIAS], "adding an alias", err);
}

int customs_vulndb_writer_affected(struct customs_vulndb_writer *w,
                                   const struct customs_vulndb_range *r,
                                   struct customs_error *err)
{
    sqlite3_stmt *st = w->st[ST_AFFECTED];
    const char *f[] = {r->vuln_id,  r->ecosystem,     r->package, r->range_type,
                       r->introduced, r->fixed,       r->last_affected, r->limit,
                       r->versions, r->status,        r->severity, r->note};
    for (int i = 0; i < 12; i++) {
        bind_text(st, i + 1, f[i]);
    }
    sqlite3_bind_int64(st, 13, w->source_id);
    return step_once(w, st, "adding an affected range", err);
}

void customs_vulndb_writer_note_date(struct customs_vulndb_writer *w, const char *date)
{
    /* golang/vulndb's published files carry a zero time ("0001-01-01T00:00:00Z") */
    if (strlen(date) < sizeof(w->data_date) && strncmp(date, "0001-", 5) != 0 &&
        strcmp(date, w->data_date) > 0) {
        memcpy(w->data_date, date, strlen(date) + 1);
    }
}

int customs_vulndb_writer_source(struct customs_vulndb_writer *w, const char *name,
                                 const char *kind, const char *location,
                                 const struct customs_vulndb_counts *c, const char *sha256,
                                 const char *file_date, struct customs_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(w->db,
                           "INSERT INTO sources (id, name, kind, location, records, affected,"
                           " sha256, imported_at, data_date, date_basis)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK) {
        return db_fail(err, w->db, "adding a source");
    }
    sqlite3_bind_int64(st, 1, w->source_id);
    bind_text(st, 2, name);
    bind_text(st, 3, kind);
    bind_text(st, 4, location);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)c->records);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)c->affected);
    bind_text(st, 7, sha256);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)w->started);
    /* the records' own dates first; the file's modification time only when they have none */
    if (w->data_date[0] != '\0') {
        bind_text(st, 9, w->data_date);
        bind_text(st, 10, "records");
    } else if (file_date != NULL) {
        bind_text(st, 9, file_date);
        bind_text(st, 10, "file-mtime");
    }
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(err, w->db, "adding a source");
    sqlite3_finalize(st);
    w->source_id++;
    w->data_date[0] = '\0';
    return rc;
}

/* ---- reading ---- */

struct customs_vulndb {
    sqlite3 *db;
    sqlite3_stmt *lookup;
    sqlite3_stmt *ratings;
    char *path;
    struct customs_sqlite_guard guard;
};

/* The affected rows of one package. INDEXED BY: the plan does not depend on the file's own
 * statistics (sqlite_stat1 is input too). The row id comes last, to name the row in errors. */
static const char lookup_sql[] =
    "SELECT a.vuln_id, a.ecosystem, a.package, a.range_type, a.introduced, a.fixed,"
    " a.last_affected, a.limit_version, a.versions, a.status, a.severity, a.note,"
    " v.title, v.summary, v.severity, s.kind, NULL, v.published, v.modified,"
    " v.withdrawn, s.name,"
    " (SELECT group_concat(alias, char(31)) FROM"
    "   (SELECT alias FROM aliases WHERE aliases.id = a.vuln_id ORDER BY alias)),"
    " a.id"
    " FROM affected a INDEXED BY affected_by_package LEFT JOIN vulns v ON v.id = a.vuln_id"
    " LEFT JOIN sources s ON s.id = a.source_id"
    " WHERE a.ecosystem = ?1 AND a.package = ?2 ORDER BY a.vuln_id, a.id";
/* The type of each column above (formats/sqlite.h): NOT NULL columns must hold text. */
static const char lookup_types[] = "TTTTttttttttttttrtttTtI";

static int read_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        version = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return version;
}

/*
 * The file is input (whoever can write the cache or the mirror): opened read-only and hardened
 * (formats/sqlite.h), and its schema compared with the one schema_sql and index_sql create
 * before the first query.
 */
int customs_vulndb_schema_sql(struct customs_buf *out)
{
    int rc = customs_buf_puts(out, schema_sql);
    return rc < 0 ? rc : customs_buf_puts(out, index_sql);
}

static int vulndb_check(struct customs_vulndb *db, const char *path, struct customs_error *err)
{
    struct customs_buf sql;
    customs_buf_init(&sql, 1u << 20);
    int rc = customs_vulndb_schema_sql(&sql);
    rc = rc < 0 ? customs_error_set(err, rc, "out of memory")
                : customs_sqlite_check_schema(db->db, &db->guard, path, customs_buf_cstr(&sql),
                                              true, true, err);
    customs_buf_release(&sql);
    if (rc != 0 && rc != CUSTOMS_EMALFORMED) {
        return rc;
    }
    int version = read_version(db->db);
    if (version >= 0 && version != CUSTOMS_VULNDB_SCHEMA_VERSION) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: database schema version %d, this customs reads version %d;"
                                 " rebuild it with 'customs db build'", path, version,
                                 CUSTOMS_VULNDB_SCHEMA_VERSION);
    }
    if (rc == 0 && version < 0) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: no schema_version", path);
    }
    if (rc != 0) {
        char detail[sizeof(err->message)];
        size_t n = strlen(path);
        const char *m = err->message;
        if (strncmp(m, path, n) == 0 && strncmp(m + n, ": ", 2) == 0) {
            m += n + 2; /* the path is said once */
        }
        snprintf(detail, sizeof(detail), "%s", m);
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: not a customs vulnerability database (%s); rebuild it with"
                                 " 'customs db build'", path, detail);
    }
    return 0;
}

/* Everything rated about one id: its CVSS entries, its NVD record, its own severity word. */
static const char ratings_sql[] =
    "SELECT 0, source, type, version, vector, score FROM cvss WHERE vuln_id = ?1"
    " UNION ALL SELECT 1, status, known_exploited, published, last_modified, NULL FROM nvd"
    "  WHERE id = ?1"
    " UNION ALL SELECT 2, severity, NULL, NULL, NULL, NULL FROM vulns"
    "  WHERE id = ?1 AND severity IS NOT NULL"
    " UNION ALL SELECT 3, published, modified, NULL, NULL, NULL FROM vulns"
    "  WHERE id = ?1 AND (published IS NOT NULL OR modified IS NOT NULL)";

int customs_vulndb_open(struct customs_vulndb **out, const char *path, struct customs_error *err)
{
    struct customs_vulndb *db = customs_calloc(1, sizeof(*db));
    struct customs_error local;
    *out = NULL;
    if (err == NULL) {
        err = &local;
    }
    if (db == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    int rc = 0;
    /* SQLite's own open(2) would wait on a FIFO nobody writes: a regular file only */
    int fd = customs_file_open_read(path);
    if (fd < 0) {
        rc = customs_error_set(err, errno == EINVAL ? CUSTOMS_EUNSUPPORTED : CUSTOMS_ENOTFOUND,
                               "%s: cannot open the vulnerability database: %s", path,
                               errno == EINVAL ? "not a regular file" : strerror(errno));
        goto fail;
    }
    close(fd);
    if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = customs_error_set(err, CUSTOMS_ENOTFOUND,
                               "%s: cannot open the vulnerability database: %s", path,
                               db->db != NULL ? sqlite3_errmsg(db->db) : "out of memory");
        goto fail;
    }
    customs_sqlite_harden(db->db, &db->guard, CUSTOMS_VULNDB_DEADLINE_MS,
                          CUSTOMS_VULNDB_MAX_VALUE);
    rc = vulndb_check(db, path, err);
    if (rc != 0) {
        goto fail;
    }
    if (sqlite3_prepare_v3(db->db, lookup_sql, -1, SQLITE_PREPARE_PERSISTENT, &db->lookup, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v3(db->db, ratings_sql, -1, SQLITE_PREPARE_PERSISTENT, &db->ratings,
                           NULL) != SQLITE_OK) {
        rc = customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db->db, &db->guard, path);
        goto fail;
    }
    db->path = customs_strdup(path);
    if (db->path == NULL) {
        rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto fail;
    }
    *out = db;
    return 0;
fail:
    customs_vulndb_close(db);
    return rc;
}

void customs_vulndb_close(struct customs_vulndb *db)
{
    if (db == NULL) {
        return;
    }
    sqlite3_finalize(db->lookup);
    sqlite3_finalize(db->ratings);
    sqlite3_close(db->db);
    customs_free(db->path);
    customs_free(db);
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

#define LOOKUP_MAX_ALIASES 256

int customs_vulndb_lookup(struct customs_vulndb *db, const char *ecosystem, const char *package,
                          customs_vulndb_match_fn callback, void *payload,
                          struct customs_error *err)
{
    char pkg[1024];
    const char *aliases[LOOKUP_MAX_ALIASES];
    char alias_buf[8192];
    int rc = 0;
    int step;
    if (customs_vulndb_package_key(pkg, sizeof(pkg), ecosystem, package) != 0) {
        return 0; /* longer than any stored name */
    }
    sqlite3_stmt *st = db->lookup;
    sqlite3_bind_text(st, 1, ecosystem, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pkg, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct customs_vulndb_match m;
        char where[256];
        snprintf(where, sizeof(where), "%s: affected row %lld", db->path,
                 (long long)sqlite3_column_int64(st, 22));
        rc = customs_sqlite_check_row(st, lookup_types, where, err);
        if (rc != 0) {
            break;
        }
        memset(&m, 0, sizeof(m));
        const char **r[] = {&m.range.vuln_id, &m.range.ecosystem, &m.range.package,
                            &m.range.range_type, &m.range.introduced, &m.range.fixed,
                            &m.range.last_affected, &m.range.limit, &m.range.versions,
                            &m.range.status, &m.range.severity, &m.range.note,
                            &m.vuln.title, &m.vuln.summary, &m.vuln.severity,
                            &m.source_kind};
        for (int i = 0; i < 16; i++) {
            *r[i] = col(st, i);
        }
        m.vuln.id = m.range.vuln_id;
        m.vuln.published = col(st, 17);
        m.vuln.modified = col(st, 18);
        m.vuln.withdrawn = col(st, 19);
        m.source = col(st, 20);
        /* the alias list, split in a copy (a longer list is cut at a separator) */
        const char *all = col(st, 21);
        char *list = alias_buf;
        if (snprintf(alias_buf, sizeof(alias_buf), "%s", all != NULL ? all : "") >=
            (int)sizeof(alias_buf)) {
            char *cut = strrchr(alias_buf, '\x1f'); /* drop the alias cut in two */
            if (cut != NULL) {
                *cut = '\0';
            }
        }
        while (*list != '\0' && m.n_aliases < LOOKUP_MAX_ALIASES) {
            aliases[m.n_aliases++] = list;
            char *sep = strchr(list, '\x1f');
            if (sep == NULL) {
                break;
            }
            *sep = '\0';
            list = sep + 1;
        }
        m.aliases = aliases;
        rc = callback(&m, payload);
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = customs_sqlite_fail(err, CUSTOMS_EIO, db->db, &db->guard, db->path);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Step `st`: SQLITE_ROW when the row's columns have the `types` of formats/sqlite.h (column
 * `id_col` names it in errors), SQLITE_DONE at the end, else a negative error. */
static int next_row(struct customs_vulndb *db, sqlite3_stmt *st, const char *table,
                    const char *types, int id_col, struct customs_error *err)
{
    char where[256];
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        return step;
    }
    if (step != SQLITE_ROW) {
        return customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db->db, &db->guard, db->path);
    }
    snprintf(where, sizeof(where), "%s: %s row %lld", db->path, table,
             (long long)sqlite3_column_int64(st, id_col));
    int rc = customs_sqlite_check_row(st, types, where, err);
    return rc < 0 ? rc : SQLITE_ROW;
}

int customs_vulndb_ratings(struct customs_vulndb *db, const char *id,
                           customs_vulndb_rating_fn callback, void *payload,
                           struct customs_error *err)
{
    sqlite3_stmt *st = db->ratings;
    int rc = 0;
    int step;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    static const char *const types[] = {"IttTTr", "Itttt-", "IT----", "Itt---"};
    char where[256];
    snprintf(where, sizeof(where), "%s: ratings of %s", db->path, id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct customs_vulndb_rating r;
        int kind = sqlite3_column_type(st, 0) == SQLITE_INTEGER ? sqlite3_column_int(st, 0) : -1;
        if (kind < 0 || kind > 3) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: a rating of an unknown kind", where);
            break;
        }
        if ((rc = customs_sqlite_check_row(st, types[kind], where, err)) < 0) {
            break;
        }
        memset(&r, 0, sizeof(r));
        r.vuln_id = id;
        r.score = -1;
        r.kind = (enum customs_vulndb_rating_kind)sqlite3_column_int(st, 0);
        switch (r.kind) {
        case CUSTOMS_VULNDB_RATING_CVSS:
            r.cvss_source = col(st, 1);
            r.cvss_type = col(st, 2);
            r.cvss_version = col(st, 3);
            r.vector = col(st, 4);
            r.score = sqlite3_column_double(st, 5);
            break;
        case CUSTOMS_VULNDB_RATING_NVD:
            r.nvd_status = col(st, 1);
            r.known_exploited = col(st, 2);
            r.published = col(st, 3);
            r.modified = col(st, 4);
            break;
        case CUSTOMS_VULNDB_RATING_DATES:
            r.published = col(st, 1);
            r.modified = col(st, 2);
            break;
        default:
            r.severity = col(st, 1);
            break;
        }
        rc = callback(&r, payload);
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW) {
        rc = customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db->db, &db->guard, db->path);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

int64_t customs_vulndb_built_at(struct customs_vulndb *db)
{
    return query_int(db->db, "SELECT value FROM meta WHERE key = 'built_at'");
}

int customs_vulndb_info(struct customs_vulndb *db, struct customs_vulndb_info *out,
                        struct customs_error *err)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    out->schema_version = (int)query_int(db->db, "SELECT value FROM meta"
                                                 " WHERE key = 'schema_version'");
    out->built_at = customs_vulndb_built_at(db);
    int64_t n[3] = {query_int(db->db, "SELECT count(*) FROM vulns"),
                    query_int(db->db, "SELECT count(*) FROM aliases"),
                    query_int(db->db, "SELECT count(*) FROM affected")};
    if (n[0] < 0 || n[1] < 0 || n[2] < 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: damaged vulnerability database: %s",
                                 db->path, sqlite3_errmsg(db->db));
    }
    out->vulns = (uint64_t)n[0];
    out->aliases = (uint64_t)n[1] / 2;
    out->affected = (uint64_t)n[2];
    if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = 'customs_version'", -1,
                           &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        snprintf(out->customs_version, sizeof(out->customs_version), "%s", col(st, 0));
    }
    sqlite3_finalize(st);
    return 0;
}

int customs_vulndb_meta(struct customs_vulndb *db, const char *key, char *out, size_t outsz,
                        struct customs_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = CUSTOMS_ENOTFOUND;
    if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
        SQLITE_OK) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: damaged vulnerability database: %s",
                                 db->path, sqlite3_errmsg(db->db));
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (sqlite3_column_type(st, 0) != SQLITE_TEXT || v == NULL || n < 0 ||
            (size_t)n >= outsz || memchr(v, '\0', (size_t)n) != NULL) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: meta \"%s\": not text or too long",
                                   db->path, key);
        } else {
            memcpy(out, v, (size_t)n);
            out[n] = '\0';
            rc = 0;
        }
    } else if (step != SQLITE_DONE) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: damaged vulnerability database: %s",
                               db->path, sqlite3_errmsg(db->db));
    }
    sqlite3_finalize(st);
    return rc;
}

int customs_vulndb_sources(struct customs_vulndb *db, customs_vulndb_source_fn callback,
                           void *payload, struct customs_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT name, kind, location, records, affected, sha256,"
                                   " imported_at, data_date, date_basis, id FROM sources"
                                   " ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: damaged vulnerability database: %s",
                                 db->path, sqlite3_errmsg(db->db));
    }
    while (rc == 0 && (rc = next_row(db, st, "sources", "TTTIITIttI", 9, err)) == SQLITE_ROW) {
        struct customs_vulndb_source_info s = {
            col(st, 0), col(st, 1), col(st, 2), (uint64_t)sqlite3_column_int64(st, 3),
            (uint64_t)sqlite3_column_int64(st, 4), col(st, 5), sqlite3_column_int64(st, 6),
            col(st, 7), col(st, 8),
        };
        rc = callback(&s, payload);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : rc;
}

int customs_vulndb_coverage(struct customs_vulndb *db, customs_vulndb_coverage_fn callback,
                            void *payload, struct customs_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT s.name, s.kind, c.ecosystem, c.records, c.affected,"
                                   " c.data_date, c.date_basis, c.source_id FROM coverage c"
                                   " JOIN sources s ON s.id = c.source_id"
                                   " ORDER BY c.ecosystem, c.source_id",
                           -1, &st, NULL) != SQLITE_OK) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: damaged vulnerability database: %s",
                                 db->path, sqlite3_errmsg(db->db));
    }
    while (rc == 0 && (rc = next_row(db, st, "coverage", "TTTIIttI", 7, err)) == SQLITE_ROW) {
        struct customs_vulndb_coverage c = {
            col(st, 0), col(st, 1), col(st, 2), (uint64_t)sqlite3_column_int64(st, 3),
            (uint64_t)sqlite3_column_int64(st, 4), col(st, 5), col(st, 6),
        };
        rc = callback(&c, payload);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : rc;
}
