/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "helpers.h"

static void source__detects_each_kind(void **state)
{
    static const struct {
        const char *rel;
        enum customs_vulndb_kind kind;
    } cases[] = {
        {"tracker.json", CUSTOMS_VULNDB_KIND_DEBIAN_TRACKER},
        {"secdb", CUSTOMS_VULNDB_KIND_ALPINE_SECDB},
        {"secdb/v3.19/main.json", CUSTOMS_VULNDB_KIND_ALPINE_SECDB},
        {"osv/ghsa.json", CUSTOMS_VULNDB_KIND_OSV},
        {"osv/dir", CUSTOMS_VULNDB_KIND_OSV},
        {"osv/all.zip", CUSTOMS_VULNDB_KIND_OSV},
        {"osv/records.jsonl", CUSTOMS_VULNDB_KIND_OSV},
        {"README.md", CUSTOMS_VULNDB_KIND_UNKNOWN},
    };
    char path[1024];
    struct customs_error err;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum customs_vulndb_kind k = customs_vulndb_detect(fixture(path, sizeof(path),
                                                                   cases[i].rel), &err);
        if (k != cases[i].kind) {
            fail_msg("%s: detected %s", cases[i].rel, customs_vulndb_kind_name(k));
        }
    }
    assert_non_null(strstr(err.message, "README.md: not a recognised advisory source"));
    assert_int_equal(customs_vulndb_detect("/nonexistent", &err), CUSTOMS_VULNDB_KIND_UNKNOWN);
    assert_int_equal(err.code, CUSTOMS_ENOTFOUND);
}

static void source__refuses_a_zip_that_is_not_one(void **state)
{
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_counts c = {0};
    struct customs_error err;
    char path[] = "/tmp/customs-vulndb-XXXXXX.zip";
    (void)state;
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "PK\3\4garbage", 11), 11);
    close(fd);
    assert_int_equal(customs_vulndb_writer_open(&w, ":memory:", &err), 0);
    assert_int_equal(customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_UNKNOWN, path, NULL, &c,
                                                &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, path));
    customs_vulndb_writer_close(w);
    unlink(path);
}

/* ---- the real corpus in ../shared (counts from its README, "Upstream formats") ---- */

static bool corpus_dir(char *out, size_t n)
{
    const char *root = getenv("CUSTOMS_SOURCE_ROOT");
    struct stat st;
    snprintf(out, n, "%s/../shared/corpus/vulndb/upstream", root != NULL ? root : ".");
    return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
}

static int64_t count(const char *db, const char *sql)
{
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return v;
}

static void source__builds_the_real_corpus_with_the_readme_counts(void **state)
{
    static const struct {
        const char *rel;
        uint64_t records;
        uint64_t files;
        uint64_t withdrawn;
    } sources[] = {
        {"debian-tracker.json", 25186, 1, 0}, /* (package, CVE) entries */
        {"alpine-secdb", 4265, 17, 0},        /* (branch, repo, package, fixed_version) rows */
        {"osv/PyPI/all.zip", 2661, 2661, 10},
        {"osv/Go/all.zip", 4291, 4291, 17},
        {"osv/npm/all.zip", 460, 460, 0},
        {"nvd/nvd-cves-2.0-sample.json", 169, 1, 0}, /* CVEs */
    };
    char dir[1024];
    char path[1200];
    struct customs_vulndb_writer *w = NULL;
    struct customs_error err;
    char db[] = "/tmp/customs-vulndb-corpus-XXXXXX";
    (void)state;
    if (!corpus_dir(dir, sizeof(dir))) {
        print_message("# SKIP: %s not found (the shared corpus sits next to the repository)\n",
                      dir);
        skip();
    }
    int fd = mkstemp(db);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(customs_vulndb_writer_open(&w, db, &err), 0);
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        struct customs_vulndb_counts c = {0};
        snprintf(path, sizeof(path), "%s/%s", dir, sources[i].rel);
        if (customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_UNKNOWN, path, NULL, &c, &err) !=
            0) {
            fail_msg("%s", err.message);
        }
        print_message("# %-20s %llu records, %llu affected rows, %llu files, %llu withdrawn\n",
                      sources[i].rel, (unsigned long long)c.records,
                      (unsigned long long)c.affected, (unsigned long long)c.files,
                      (unsigned long long)c.withdrawn);
        assert_int_equal(c.records, sources[i].records);
        assert_int_equal(c.files, sources[i].files);
        assert_int_equal(c.withdrawn, sources[i].withdrawn);
        assert_int_equal(c.skipped, 0);
    }
    assert_int_equal(customs_vulndb_writer_finish(w, &err), 0);
    customs_vulndb_writer_close(w);

    /* README section 2 and 4a/4b counts, recomputed from what was stored */
    assert_int_equal(count(db, "SELECT count(DISTINCT vuln_id) FROM affected"
                               " WHERE ecosystem LIKE 'alpine:%'"), 2626);
    assert_int_equal(count(db, "SELECT count(DISTINCT package) FROM affected"
                               " WHERE ecosystem LIKE 'alpine:%'"), 324);
    assert_int_equal(count(db, "SELECT count(DISTINCT package) FROM affected"
                               " WHERE ecosystem = 'pypi'"), 664);
    assert_int_equal(count(db, "SELECT count(DISTINCT package) FROM affected"
                               " WHERE ecosystem = 'go'"), 1373);
    assert_int_equal(count(db, "SELECT count(DISTINCT id) FROM aliases"
                               " WHERE id LIKE 'PYSEC-%' AND alias LIKE 'CVE-%'"), 2648);
    assert_int_equal(count(db, "SELECT count(DISTINCT id) FROM aliases"
                               " WHERE id LIKE 'PYSEC-%' AND alias LIKE 'GHSA-%'"), 1778);
    assert_int_equal(count(db, "SELECT count(DISTINCT id) FROM aliases"
                               " WHERE id LIKE 'GO-%' AND alias LIKE 'CVE-%'"), 3894);
    assert_int_equal(count(db, "SELECT count(DISTINCT id) FROM aliases"
                               " WHERE id LIKE 'GO-%' AND alias LIKE 'GHSA-%'"), 3988);
    assert_int_equal(count(db, "SELECT count(DISTINCT vuln_id) FROM cvss"
                               " WHERE vuln_id LIKE 'PYSEC-%'"), 202);
    /* the NVD sample's README: every entry of every version, from every source */
    assert_int_equal(count(db, "SELECT count(*) FROM nvd"), 169);
    assert_int_equal(count(db, "SELECT count(*) FROM cvss WHERE vuln_id LIKE 'CVE-%'"
                               " AND version = '2.0'"), 64);
    assert_int_equal(count(db, "SELECT count(*) FROM cvss WHERE vuln_id LIKE 'CVE-%'"
                               " AND version = '2.0' AND source = 'nvd@nist.gov'"), 60);
    assert_int_equal(count(db, "SELECT count(DISTINCT vuln_id) FROM cvss WHERE version = '3.0'"
                               " AND vuln_id LIKE 'CVE-%'"), 2);
    assert_int_equal(count(db, "SELECT count(DISTINCT vuln_id) FROM cvss WHERE version = '3.1'"
                               " AND vuln_id LIKE 'CVE-%'"), 149);
    assert_int_equal(count(db, "SELECT count(*) FROM cvss WHERE version = '4.0'"
                               " AND type = 'Secondary'"), 12);
    assert_int_equal(count(db, "SELECT count(DISTINCT vuln_id) FROM cvss WHERE"
                               " source = 'nvd@nist.gov'"), 134);
    assert_int_equal(count(db, "SELECT count(*) FROM nvd WHERE known_exploited IS NOT NULL"),
                     7);
    assert_int_equal(count(db, "SELECT count(*) FROM nvd WHERE status = 'Modified'"), 116);
    assert_int_equal(count(db, "SELECT count(*) FROM nvd WHERE status = 'Rejected'"), 1);
    assert_int_equal(count(db, "SELECT count(*) FROM nvd n WHERE NOT EXISTS"
                               " (SELECT 1 FROM cvss c WHERE c.vuln_id = n.id)"), 12);
    assert_int_equal(count(db, "SELECT count(DISTINCT package) FROM affected"
                               " WHERE ecosystem = 'debian:bullseye' AND status = 'fixed'"), 191);
    assert_int_equal(count(db, "SELECT count(DISTINCT package) FROM affected"
                               " WHERE ecosystem = 'debian:buster' AND status = 'fixed'"), 429);
    assert_int_equal(count(db, "SELECT count(*) FROM affected"
                               " WHERE ecosystem = 'debian:bookworm'"), 0);

    /* known fixes: DSA-5343-1 openssl and DSA-5380-1 xorg-server in bullseye (README 1) */
    struct customs_vulndb *vdb = NULL;
    assert_int_equal(customs_vulndb_open(&vdb, db, &err), 0);
    char *t = lookup_text(vdb, "debian:bullseye", "openssl");
    assert_non_null(strstr(t, "CVE-2023-0286 DISTRO -/1.1.1n-0+deb11u4/-/- - fixed "
                              "not yet assigned - []\n"));
    customs_free(t);
    t = lookup_text(vdb, "debian:bullseye", "xorg-server");
    assert_non_null(strstr(t, "CVE-2023-1393 DISTRO -/2:1.20.11-1+deb11u6/-/- - fixed"));
    customs_free(t);
    t = lookup_text(vdb, "npm", "bassmaster");
    assert_string_equal(t, "NSWG-ECO-1 SEMVER 0/-/1.5.1/- - unfixed - - [CVE-2014-7205]\n");
    customs_free(t);
    customs_vulndb_close(vdb);
    unlink(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(source__detects_each_kind),
        cmocka_unit_test(source__refuses_a_zip_that_is_not_one),
        cmocka_unit_test(source__builds_the_real_corpus_with_the_readme_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
