/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include <sqlite3.h>

#include "fixture.h"

#define T_STRING 6u
#define T_INT32 4u
#define T_BIN 7u
#define T_I18N 9u

struct tag {
    uint32_t tag;
    uint32_t type;
    const char *s;
    uint32_t num;
};

struct blob {
    uint8_t b[4096];
    size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A header blob as rpm stores it in rpmdb.sqlite: il, dl, il entries, dl data bytes. */
static void build(struct blob *out, const struct tag *tags, size_t n)
{
    uint8_t data[2048];
    size_t dl = 0;
    uint8_t *e = out->b + 8;
    for (size_t i = 0; i < n; i++) {
        uint32_t off;
        if (tags[i].type == T_INT32) {
            while (dl % 4 != 0) {
                data[dl++] = 0;
            }
            off = (uint32_t)dl;
            put32(data + dl, tags[i].num);
            dl += 4;
        } else {
            size_t len = strlen(tags[i].s) + 1;
            off = (uint32_t)dl;
            memcpy(data + dl, tags[i].s, len);
            dl += len;
        }
        put32(e, tags[i].tag);
        put32(e + 4, tags[i].type);
        put32(e + 8, off);
        put32(e + 12, 1);
        e += 16;
    }
    put32(out->b, (uint32_t)n);
    put32(out->b + 4, (uint32_t)dl);
    memcpy(e, data, dl);
    out->len = 8 + 16 * n + dl;
}

static const struct tag openssl_tags[] = {
    {1000, T_STRING, "openssl-libs", 0},
    {1001, T_STRING, "3.0.7", 0},
    {1002, T_STRING, "24.el9", 0},
    {1003, T_INT32, NULL, 1},
    {1014, T_STRING, "ASL 2.0", 0},
    {1022, T_STRING, "x86_64", 0},
    {1044, T_STRING, "openssl-3.0.7-24.el9.src.rpm", 0},
    {1004, T_I18N, "Summary text", 0},
};

static const struct tag bash_tags[] = {
    {1000, T_STRING, "bash", 0},
    {1001, T_STRING, "5.1.8", 0},
    {1002, T_STRING, "6.el9_1", 0},
    {1022, T_STRING, "x86_64", 0},
    {1044, T_STRING, "bash-5.1.8-6.el9_1.src.rpm", 0},
};

static const struct tag pubkey_tags[] = {
    {1000, T_STRING, "gpg-pubkey", 0},
    {1001, T_STRING, "fd431d51", 0},
    {1002, T_STRING, "4ae0493b", 0},
};

static int parse_header(struct fixture *f, const struct blob *b)
{
    struct customs_pkgdb_file file = {"/h", b->b, b->len, 4};
    return customs_rpm_parse_header(&f->inv, &file, &f->err);
}

static void rpm_header__reads_the_tags_we_use(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, openssl_tags, sizeof(openssl_tags) / sizeof(openssl_tags[0]));
    assert_int_equal(parse_header(f, &b), 0);
    assert_int_equal(f->inv.packages.len, 1);
    const struct customs_package *p = fixture_pkg(f, 0);
    assert_string_equal(p->type, "rpm");
    assert_string_equal(p->name, "openssl-libs");
    assert_string_equal(p->version, "3.0.7-24.el9");
    assert_string_equal(p->epoch, "1");
    assert_string_equal(p->arch, "x86_64");
    assert_string_equal(p->license, "ASL 2.0");
    assert_string_equal(p->source_name, "openssl");
    assert_string_equal(p->source_version, "3.0.7-24.el9");
    assert_string_equal(p->path, "/h");
    assert_int_equal(p->layer, 4);
}

static void rpm_header__leaves_epoch_unset_and_defaults_the_source(void **state)
{
    struct fixture *f = *state;
    static const struct tag tags[] = {
        {1000, T_STRING, "filesystem", 0},
        {1001, T_STRING, "3.16", 0},
        {1044, T_STRING, "not-a-source-name", 0},
    };
    struct blob b;
    build(&b, tags, 3);
    assert_int_equal(parse_header(f, &b), 0);
    const struct customs_package *p = fixture_pkg(f, 0);
    assert_null(p->epoch);
    assert_null(p->arch);
    assert_string_equal(p->version, "3.16");
    assert_string_equal(p->source_name, "filesystem");
    assert_string_equal(p->source_version, "3.16");
}

static void rpm_header__splits_source_rpm_names_with_dashes(void **state)
{
    struct fixture *f = *state;
    static const struct tag tags[] = {
        {1000, T_STRING, "python3-pip-wheel", 0},
        {1001, T_STRING, "21.2.3", 0},
        {1002, T_STRING, "7.el9", 0},
        {1044, T_STRING, "python-pip-21.2.3-7.el9.nosrc.rpm", 0},
    };
    struct blob b;
    build(&b, tags, 4);
    assert_int_equal(parse_header(f, &b), 0);
    assert_string_equal(fixture_pkg(f, 0)->source_name, "python-pip");
    assert_string_equal(fixture_pkg(f, 0)->source_version, "21.2.3-7.el9");
}

static void rpm_header__skips_gpg_pubkey(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, pubkey_tags, 3);
    assert_int_equal(parse_header(f, &b), 0);
    assert_int_equal(f->inv.packages.len, 0);
}

static void rpm_header__rejects_truncated_blobs(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, bash_tags, 5);
    size_t full = b.len;
    b.len = 5;
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 0: header shorter than 8 bytes");
    b.len = full - 1;
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    char want[128];
    snprintf(want, sizeof(want),
             "/h: offset 0: header of 5 entries and %zu data bytes does not fit in %zu bytes",
             full - 8 - 80, full - 1);
    assert_string_equal(f->err.message, want);
    assert_int_equal(f->inv.packages.len, 0);
}

static void rpm_header__rejects_huge_counts(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, bash_tags, 5);
    put32(b.b, 0xffffffffu);
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 0: bad index count 4294967295");
    put32(b.b, 0);
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    build(&b, bash_tags, 5);
    put32(b.b + 4, 0x7fffffffu);
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 4: bad data length 2147483647");
}

static void rpm_header__rejects_strings_outside_the_data(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, bash_tags, 5);
    put32(b.b + 8 + 16 + 8, 0x10000u); /* VERSION's offset past the data */
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 24: tag 1001 string outside the data");

    build(&b, bash_tags, 5);
    b.b[b.len - 1] = 'x'; /* the last string loses its NUL */
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 72: tag 1044 string outside the data");
}

static void rpm_header__rejects_wrong_types_and_bad_epochs(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, bash_tags, 5);
    put32(b.b + 8 + 4, T_BIN);
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 8: tag 1000 has type 7, not a string");

    static const struct tag tags[] = {
        {1000, T_STRING, "a", 0},
        {1001, T_STRING, "1", 0},
        {1003, T_STRING, "xy", 0},
    };
    build(&b, tags, 3);
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 40: bad EPOCH entry");
}

static void rpm_header__rejects_a_header_without_name(void **state)
{
    struct fixture *f = *state;
    static const struct tag tags[] = {{1001, T_STRING, "1", 0}};
    struct blob b;
    build(&b, tags, 1);
    assert_int_equal(parse_header(f, &b), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/h: offset 0: header without NAME or VERSION");
}

/* ---- rpmdb.sqlite built at test time by SQLite itself ---- */

struct db_bytes {
    unsigned char *p;
    sqlite3_int64 len;
};

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s: %s", sql, msg);
    }
}

static void insert(sqlite3 *db, const void *blob, int len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_blob(st, 1, blob, len, SQLITE_TRANSIENT), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* The database bytes of the running test, freed by its teardown even when an assert fails. */
static unsigned char *test_db;

static int rpm_teardown(void **state)
{
    sqlite3_free(test_db);
    test_db = NULL;
    return fixture_teardown(state);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, rpm_teardown)

/* schema: SQL run first; then the blobs are inserted into Packages (if any). */
static struct db_bytes make_db(const char *schema, const struct blob *blobs, size_t n)
{
    sqlite3 *db = NULL;
    struct db_bytes out;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    exec(db, schema);
    for (size_t i = 0; i < n; i++) {
        insert(db, blobs[i].b, (int)blobs[i].len);
    }
    out.p = sqlite3_serialize(db, "main", &out.len, 0);
    sqlite3_close(db);
    assert_non_null(out.p);
    sqlite3_free(test_db);
    test_db = out.p;
    return out;
}

static const char rpm_schema[] =
    "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);"
    "CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL);";

static int parse_db(struct fixture *f, const char *path, const void *data, size_t len)
{
    struct customs_pkgdb_file file = {path, data, len, 0};
    return customs_rpm_parse(&f->inv, &file, &f->err);
}

static void rpm__reads_packages_from_an_rpmdb_sqlite(void **state)
{
    struct fixture *f = *state;
    struct blob b[3];
    build(&b[0], openssl_tags, sizeof(openssl_tags) / sizeof(openssl_tags[0]));
    build(&b[1], pubkey_tags, 3);
    build(&b[2], bash_tags, 5);
    struct db_bytes db = make_db(rpm_schema, b, 3);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len), 0);
    assert_int_equal(f->inv.packages.len, 2);
    assert_string_equal(fixture_pkg(f, 0)->name, "openssl-libs");
    assert_string_equal(fixture_pkg(f, 0)->epoch, "1");
    assert_string_equal(fixture_pkg(f, 1)->name, "bash");
    assert_string_equal(fixture_pkg(f, 1)->version, "5.1.8-6.el9_1");
    assert_string_equal(fixture_pkg(f, 1)->path, "/var/lib/rpm/rpmdb.sqlite");
    assert_ptr_equal(fixture_pkg(f, 0)->path, fixture_pkg(f, 1)->path);
    /* the caller's bytes are untouched */
    assert_memory_equal(db.p, "SQLite format 3", 16);
}

static void rpm__reads_a_database_written_in_wal_mode(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, bash_tags, 5);
    struct db_bytes db = make_db(rpm_schema, &b, 1);
    db.p[18] = 2; /* what a WAL-mode file on disk says */
    db.p[19] = 2;
    assert_int_equal(parse_db(f, "/usr/lib/sysimage/rpm/rpmdb.sqlite", db.p, (size_t)db.len), 0);
    assert_int_equal(f->inv.packages.len, 1);
    assert_int_equal(db.p[18], 2);
}

static void rpm__names_the_row_of_a_bad_blob(void **state)
{
    struct fixture *f = *state;
    struct blob b[2];
    build(&b[0], bash_tags, 5);
    build(&b[1], bash_tags, 5);
    b[1].len = 12;
    struct db_bytes db = make_db(rpm_schema, b, 2);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message,
                        "/var/lib/rpm/rpmdb.sqlite: hnum 2: offset 0: header of 5 entries and 53 "
                        "data bytes does not fit in 12 bytes");
    assert_int_equal(f->inv.packages.len, 1);
}

static void rpm__rejects_a_database_without_a_packages_table(void **state)
{
    struct fixture *f = *state;
    struct db_bytes db = make_db("CREATE TABLE Other (x);", NULL, 0);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/rpm/rpmdb.sqlite: not the expected database "
                                        "schema: no table 'Packages'");
}

static void rpm__refuses_a_packages_view(void **state)
{
    struct fixture *f = *state;
    struct db_bytes db =
        make_db("CREATE VIEW Packages AS SELECT 1 AS hnum, x'00' AS blob;", NULL, 0);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/rpm/rpmdb.sqlite: not the expected database "
                                        "schema: view 'Packages'");
}

/* A generated column is computed by SQLite at every read: any expression the file's author
 * chose (one took 50 s). The schema check refuses it before the first query, as it refuses a
 * trigger anywhere in the file. */
static void rpm__refuses_generated_columns_and_triggers(void **state)
{
    struct fixture *f = *state;
    struct db_bytes db = make_db("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
                                 " blob BLOB GENERATED ALWAYS AS (zeroblob(16)) VIRTUAL);",
                                 NULL, 0);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/rpm/rpmdb.sqlite: not the expected database "
                                        "schema: different columns in table 'Packages'");
    db = make_db("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
                 " blob BLOB NOT NULL, extra TEXT);", NULL, 0);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len),
                     CUSTOMS_EMALFORMED);
    db = make_db("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
                 " blob BLOB NOT NULL); CREATE TABLE t (x);"
                 " CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", NULL, 0);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/rpm/rpmdb.sqlite: not the expected database "
                                        "schema: trigger 'tr'");
    assert_int_equal(f->inv.packages.len, 0);
}

static void rpm__rejects_a_corrupt_sqlite_file(void **state)
{
    struct fixture *f = *state;
    struct blob b;
    build(&b, bash_tags, 5);
    struct db_bytes db = make_db(rpm_schema, &b, 1);
    memset(db.p + 100, 0xff, (size_t)db.len - 100); /* keep the header, wreck the pages */
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, (size_t)db.len),
                     CUSTOMS_EMALFORMED);
    assert_true(strncmp(f->err.message, "/var/lib/rpm/rpmdb.sqlite: sqlite: ", 35) == 0);
    assert_int_equal(parse_db(f, "/var/lib/rpm/rpmdb.sqlite", db.p, 20), CUSTOMS_EMALFORMED);
    assert_int_equal(f->inv.packages.len, 0);
}

static void rpm__reports_berkeleydb_and_ndb_as_unsupported(void **state)
{
    struct fixture *f = *state;
    uint8_t bdb[64] = {0};
    bdb[12] = 0x61; /* little-endian 0x00061561, as on x86 */
    bdb[13] = 0x15;
    bdb[14] = 0x06;
    assert_int_equal(parse_db(f, "/var/lib/rpm/Packages", bdb, sizeof(bdb)), CUSTOMS_EUNSUPPORTED);
    assert_string_equal(f->err.message,
                        "/var/lib/rpm/Packages: unsupported rpmdb format (BerkeleyDB)");
    memset(bdb, 0, sizeof(bdb));
    put32(bdb + 12, 0x00061561u); /* big-endian */
    assert_int_equal(parse_db(f, "/var/lib/rpm/Packages", bdb, sizeof(bdb)), CUSTOMS_EUNSUPPORTED);
    memset(bdb, 0, sizeof(bdb));
    memcpy(bdb, "RpmP", 4);
    assert_int_equal(parse_db(f, "/var/lib/rpm/Packages.db", bdb, sizeof(bdb)),
                     CUSTOMS_EUNSUPPORTED);
    assert_string_equal(f->err.message, "/var/lib/rpm/Packages.db: unsupported rpmdb format (NDB)");
    assert_int_equal(parse_db(f, "/x/Packages", bdb, 8), CUSTOMS_EUNSUPPORTED);
    assert_string_equal(f->err.message, "/x/Packages: unsupported rpmdb format (NDB)");
}

static void rpm__rejects_unknown_bytes(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse_db(f, "/var/lib/rpm/Packages", "hello", 5), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/rpm/Packages: not an rpm database");
    assert_int_equal(parse_db(f, "/var/lib/rpm/Packages", NULL, 0), CUSTOMS_EMALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(rpm_header__reads_the_tags_we_use),
        FIXTURE_TEST(rpm_header__leaves_epoch_unset_and_defaults_the_source),
        FIXTURE_TEST(rpm_header__splits_source_rpm_names_with_dashes),
        FIXTURE_TEST(rpm_header__skips_gpg_pubkey),
        FIXTURE_TEST(rpm_header__rejects_truncated_blobs),
        FIXTURE_TEST(rpm_header__rejects_huge_counts),
        FIXTURE_TEST(rpm_header__rejects_strings_outside_the_data),
        FIXTURE_TEST(rpm_header__rejects_wrong_types_and_bad_epochs),
        FIXTURE_TEST(rpm_header__rejects_a_header_without_name),
        DB_TEST(rpm__reads_packages_from_an_rpmdb_sqlite),
        DB_TEST(rpm__reads_a_database_written_in_wal_mode),
        DB_TEST(rpm__names_the_row_of_a_bad_blob),
        DB_TEST(rpm__rejects_a_database_without_a_packages_table),
        DB_TEST(rpm__refuses_a_packages_view),
        DB_TEST(rpm__refuses_generated_columns_and_triggers),
        DB_TEST(rpm__rejects_a_corrupt_sqlite_file),
        FIXTURE_TEST(rpm__reports_berkeleydb_and_ndb_as_unsupported),
        FIXTURE_TEST(rpm__rejects_unknown_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
