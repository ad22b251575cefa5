/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "helpers.h"

/* The modification time of a fixture as the database records it. */
static const char *fixture_mtime(char out[32], const char *rel)
{
    char path[1024];
    struct stat st;
    struct tm tm;
    assert_int_equal(stat(fixture(path, sizeof(path), rel), &st), 0);
    assert_non_null(gmtime_r(&st.st_mtime, &tm));
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

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
        strstr(err.message, "database schema version 99, this customs reads version 3"));
    built_release(&b);
}

struct src_seen {
    char text[2048];
    size_t n;
};

static int grab_source(const struct customs_vulndb_source_info *s, void *payload)
{
    struct src_seen *seen = payload;
    size_t used = strlen(seen->text);
    snprintf(seen->text + used, sizeof(seen->text) - used, "%s|%s|%llu|%llu|%s|%s|%d;", s->name,
             s->kind, (unsigned long long)s->records, (unsigned long long)s->affected,
             s->data_date != NULL ? s->data_date : "-", s->date_basis != NULL ? s->date_basis : "-",
             customs_digest_is_valid(s->sha256));
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
    char expected[1024];
    char tracker_date[32], secdb_date[32];
    snprintf(expected, sizeof(expected),
             "vulndb/tracker.json|debian-tracker|3|8|%s|file-mtime|1;"
             "vulndb/secdb|alpine-secdb|3|5|%s|file-mtime|1;"
             "osv/dir|osv|3|4|2023-11-07T00:00:00Z|records|1;",
             fixture_mtime(tracker_date, "tracker.json"),
             fixture_mtime(secdb_date, "secdb/v3.19/main.json"));
    assert_string_equal(seen.text, expected);
    built_release(&b);
}

static int grab_coverage(const struct customs_vulndb_coverage *c, void *payload)
{
    struct src_seen *seen = payload;
    size_t used = strlen(seen->text);
    snprintf(seen->text + used, sizeof(seen->text) - used, "%s|%s|%llu|%llu|%s|%s\n",
             c->ecosystem, c->source, (unsigned long long)c->records,
             (unsigned long long)c->affected, c->date_basis, c->data_date);
    seen->n++;
    return 0;
}

/* What the database covers, per (source, ecosystem key): the tracker's releases and secdb's
 * branch dated by their files, the OSV records by their own newest date per ecosystem. */
static void db__knows_what_it_covers(void **state)
{
    static const char *const src[] = {"tracker.json", "secdb", "osv/dir", "osv/ghsa.json", NULL};
    struct built b;
    struct src_seen seen = {{0}, 0};
    char expected[2048];
    char tracker_date[32], secdb_date[32];
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(customs_vulndb_coverage(b.db, grab_coverage, &seen, &b.err), 0);
    fixture_mtime(tracker_date, "tracker.json");
    fixture_mtime(secdb_date, "secdb/v3.19/main.json");
    snprintf(expected, sizeof(expected),
             "alpine:3.19|vulndb/secdb|5|5|file-mtime|%s\n"
             "alpine:3.19|osv/dir|1|1|records|2023-11-07T00:00:00Z\n"
             "debian:bookworm|vulndb/tracker.json|2|2|file-mtime|%s\n"
             "debian:bullseye|vulndb/tracker.json|2|2|file-mtime|%s\n"
             "debian:bullseye|osv/dir|1|1|records|2023-02-07T00:00:00Z\n"
             "debian:buster|vulndb/tracker.json|1|1|file-mtime|%s\n"
             "debian:jessie|vulndb/tracker.json|1|1|file-mtime|%s\n"
             "debian:sid|vulndb/tracker.json|1|1|file-mtime|%s\n"
             "debian:trixie|vulndb/tracker.json|1|1|file-mtime|%s\n"
             "npm|osv/ghsa.json|1|3|records|2024-02-01T10:00:00Z\n"
             "pypi|osv/ghsa.json|1|3|records|2024-02-01T10:00:00Z\n"
             "ubuntu:22.04|osv/dir|1|2|records|2023-04-10T00:00:00Z\n",
             secdb_date, tracker_date, tracker_date, tracker_date, tracker_date, tracker_date,
             tracker_date);
    assert_string_equal(seen.text, expected);
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
        cmocka_unit_test(db__knows_what_it_covers),
        cmocka_unit_test(db__lookup_stops_when_the_callback_says_so),
        cmocka_unit_test(db__merges_a_vulnerability_seen_in_two_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
