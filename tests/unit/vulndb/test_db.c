/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <time.h>

#include "config.h"
#include "helpers.h"

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void db__refuses_missing_foreign_and_empty_files(void **state)
{
    struct customs_vulndb *db = NULL;
    struct customs_error err;
    char path[] = "/tmp/customs-vulndb-foreign-XXXXXX";
    (void)state;
    assert_int_equal(customs_vulndb_open(&db, "/nonexistent/customs.db", &err),
                     CUSTOMS_ENOTFOUND);
    assert_non_null(strstr(err.message, "/nonexistent/customs.db: cannot open the vulnerability"
                                        " database"));
    assert_null(db);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "{\"not\": \"sqlite\"}\n", 18);
    assert_int_equal(customs_vulndb_open(&db, path, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "not a customs vulnerability database"));
    write_file(path, "", 0); /* SQLite treats an empty file as an empty database */
    assert_int_equal(customs_vulndb_open(&db, path, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "not a customs vulnerability database"));
    unlink(path);
}

static void db__refuses_a_truncated_database(void **state)
{
    static const char *const src[] = {"tracker.json", "osv/ghsa.json", NULL};
    struct built b;
    struct customs_vulndb *db = NULL;
    struct customs_error err;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    customs_vulndb_close(b.db);
    b.db = NULL;
    FILE *f = fopen(b.path, "rb");
    assert_non_null(f);
    char head[2048];
    size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    write_file(b.path, head, n); /* half of the first page */
    assert_int_not_equal(customs_vulndb_open(&db, b.path, &err), 0);
    assert_null(db);
    assert_non_null(strstr(err.message, b.path));
    built_release(&b);
}

static void db__refuses_another_schema_version(void **state)
{
    static const char *const src[] = {"tracker.json", NULL};
    struct built b;
    struct customs_vulndb *db = NULL;
    struct customs_error err;
    sqlite3 *raw = NULL;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(sqlite3_open(b.path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "UPDATE meta SET value = '99' WHERE key = "
                                       "'schema_version'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(customs_vulndb_open(&db, b.path, &err), CUSTOMS_EUNSUPPORTED);
    assert_non_null(
        strstr(err.message, "database schema version 99, this customs reads version 1"));
    built_release(&b);
}

struct src_seen {
    char text[1024];
    size_t n;
};

static int grab_source(const struct customs_vulndb_source_info *s, void *payload)
{
    struct src_seen *seen = payload;
    size_t used = strlen(seen->text);
    snprintf(seen->text + used, sizeof(seen->text) - used, "%s|%s|%llu|%llu|%s|%d;", s->name,
             s->kind, (unsigned long long)s->records, (unsigned long long)s->affected,
             s->data_date != NULL ? s->data_date : "-", customs_digest_is_valid(s->sha256));
    seen->n++;
    return 0;
}

static void db__describes_its_build_and_sources(void **state)
{
    static const char *const src[] = {"tracker.json", "secdb", "osv/dir", NULL};
    struct built b;
    struct customs_vulndb_info info;
    struct src_seen seen = {{0}, 0};
    (void)state;
    time_t before = time(NULL);
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(customs_vulndb_info(b.db, &info, &b.err), 0);
    assert_int_equal(info.schema_version, CUSTOMS_VULNDB_SCHEMA_VERSION);
    assert_true(info.built_at >= (int64_t)before && info.built_at <= (int64_t)time(NULL));
    assert_string_equal(info.customs_version, CUSTOMS_VERSION);
    assert_int_equal(info.affected, 8 + 5 + 4);
    /* 3 tracker CVEs + 5 secdb ids + DSA, USN, ALPINE-CVE records (an alias alone adds none) */
    assert_int_equal(info.vulns, 3 + 5 + 3);
    assert_int_equal(info.aliases, 3); /* DSA, USN and ALPINE records each name one CVE */
    assert_int_equal(customs_vulndb_sources(b.db, grab_source, &seen, &b.err), 0);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.text, "vulndb/tracker.json|debian-tracker|3|8|-|1;"
                                   "vulndb/secdb|alpine-secdb|3|5|-|1;"
                                   "osv/dir|osv|3|4|2023-11-07T00:00:00Z|1;");
    built_release(&b);
}

static int stop_at_first(const struct customs_vulndb_match *m, void *payload)
{
    (*(int *)payload)++;
    return 7;
}

static void db__lookup_stops_when_the_callback_says_so(void **state)
{
    static const char *const src[] = {"tracker.json", NULL};
    struct built b;
    int calls = 0;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(customs_vulndb_lookup(b.db, "debian:bookworm", "openssl", stop_at_first,
                                           &calls, &b.err),
                     7);
    assert_int_equal(calls, 1);
    /* the statement was reset: the next lookup starts afresh */
    char *t = lookup_text(b.db, "debian:bookworm", "openssl");
    assert_non_null(strstr(t, "CVE-2024-0001"));
    customs_free(t);
    built_release(&b);
}

static void db__merges_a_vulnerability_seen_in_two_sources(void **state)
{
    static const char *const src[] = {"osv/dir", "tracker.json", NULL};
    struct built b;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    /* CVE-2023-0286 from the tracker (with a description) and as an alias of the DSA */
    char *t = lookup_text(b.db, "debian:bullseye", "openssl");
    assert_string_equal(t,
                        "CVE-2023-0286 DISTRO -/1.1.1n-0+deb11u4/-/- - fixed high - "
                        "[DSA-5343-1 USN-6000-1]\n"
                        "CVE-2024-0001 DISTRO -/-/-/- - unfixed low postponed; Minor issue []\n"
                        "DSA-5343-1 ECOSYSTEM 0/1.1.1n-0+deb11u4/-/- - fixed - - "
                        "[CVE-2023-0286]\n");
    customs_free(t);
    built_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(db__refuses_missing_foreign_and_empty_files),
        cmocka_unit_test(db__refuses_a_truncated_database),
        cmocka_unit_test(db__refuses_another_schema_version),
        cmocka_unit_test(db__describes_its_build_and_sources),
        cmocka_unit_test(db__lookup_stops_when_the_callback_says_so),
        cmocka_unit_test(db__merges_a_vulnerability_seen_in_two_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
