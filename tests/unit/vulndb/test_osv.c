/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static void osv__splits_ranges_into_intervals_and_skips_git(void **state)
{
    static const char *const src[] = {"osv/ghsa.json", NULL};
    struct built b;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(b.counts.records, 1);
    assert_int_equal(b.counts.affected, 6);
    char *t = lookup_text(b.db, "npm", "example-lib");
    assert_string_equal(t, "GHSA-aaaa-bbbb-cccc SEMVER 0/1.2.3/-/- - fixed - - [CVE-2023-11111]\n"
                           "GHSA-aaaa-bbbb-cccc SEMVER 2.0.0/2.0.1/-/- - fixed - - "
                           "[CVE-2023-11111]\n"
                           "GHSA-aaaa-bbbb-cccc SEMVER 3.0.0/-/-/- - unfixed - - "
                           "[CVE-2023-11111]\n");
    customs_free(t);
    /* the PyPI name is stored and looked up PEP 503-normalised */
    t = lookup_text(b.db, "pypi", "example-lib-py");
    assert_string_equal(t, "GHSA-aaaa-bbbb-cccc ECOSYSTEM 1.0/-/1.4/- - unfixed - - "
                           "[CVE-2023-11111]\n"
                           "GHSA-aaaa-bbbb-cccc ECOSYSTEM 2.0/-/-/2.5 - unfixed - - "
                           "[CVE-2023-11111]\n"
                           "GHSA-aaaa-bbbb-cccc VERSIONS -/-/-/- [\"1.0\",\"1.2\",\"1.4\"] "
                           "unfixed - - [CVE-2023-11111]\n");
    customs_free(t);
    t = lookup_text(b.db, "pypi", "Example.Lib_Py");
    assert_non_null(strstr(t, "VERSIONS"));
    customs_free(t);
    built_release(&b);
}

struct vuln_seen {
    char text[512];
};

static int grab_vuln(const struct customs_vulndb_match *m, void *payload)
{
    struct vuln_seen *v = payload;
    snprintf(v->text, sizeof(v->text), "%s|%s|%s|%s|%s|%s|%s", m->vuln.id,
             m->vuln.title != NULL ? m->vuln.title : "-",
             m->vuln.severity != NULL ? m->vuln.severity : "-",
             m->vuln.published != NULL ? m->vuln.published : "-",
             m->vuln.modified != NULL ? m->vuln.modified : "-",
             m->vuln.withdrawn != NULL ? m->vuln.withdrawn : "-", m->source);
    return 1; /* first row only */
}

static int grab_rating(const struct customs_vulndb_rating *r, void *payload)
{
    struct vuln_seen *v = payload;
    size_t n = strlen(v->text);
    if (r->kind == CUSTOMS_VULNDB_RATING_CVSS) {
        snprintf(v->text + n, sizeof(v->text) - n, "[%s %s %s %.1f]", r->cvss_source,
                 r->cvss_version, r->vector, r->score);
    } else if (r->kind == CUSTOMS_VULNDB_RATING_SEVERITY) {
        snprintf(v->text + n, sizeof(v->text) - n, "[%s]", r->severity);
    }
    return 0;
}

static void osv__keeps_severity_cvss_and_dates(void **state)
{
    static const char *const src[] = {"osv/ghsa.json", "osv/records.jsonl", NULL};
    struct built b;
    struct vuln_seen v;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(customs_vulndb_lookup(b.db, "npm", "example-lib", grab_vuln, &v, &b.err), 1);
    assert_string_equal(v.text, "GHSA-aaaa-bbbb-cccc|Prototype pollution in example-lib|MEDIUM|"
                                "2023-05-01T10:00:00Z|2024-02-01T10:00:00Z|-|osv/ghsa.json");
    v.text[0] = '\0';
    assert_int_equal(customs_vulndb_ratings(b.db, "GHSA-aaaa-bbbb-cccc", grab_rating, &v, &b.err),
                     0);
    assert_string_equal(v.text, "[osv 3.1 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H 9.8]"
                                "[MEDIUM]");
    assert_int_equal(customs_vulndb_lookup(b.db, "pypi", "withdrawn-pkg", grab_vuln, &v, &b.err),
                     1);
    assert_string_equal(v.text, "PYSEC-2024-9|-|-|-|2024-03-01T00:00:00Z|"
                                "2024-03-02T00:00:00Z|osv/records.jsonl");
    assert_int_equal(b.counts.withdrawn, 1);
    built_release(&b);
}

static void osv__reads_directories_zips_and_json_lines(void **state)
{
    static const char *const src[] = {"osv/dir", "osv/all.zip", "osv/records.jsonl", NULL};
    struct built b;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(b.counts.records, 3 + 2 + 2);
    assert_int_equal(b.counts.files, 3 + 2 + 1);
    char *t = lookup_text(b.db, "debian:bullseye", "openssl");
    assert_string_equal(t, "DSA-5343-1 ECOSYSTEM 0/1.1.1n-0+deb11u4/-/- - fixed - - "
                           "[CVE-2023-0286]\n");
    customs_free(t);
    t = lookup_text(b.db, "ubuntu:22.04", "openssl");
    assert_string_equal(t, "USN-6000-1 ECOSYSTEM 0/3.0.2-0ubuntu1.9/-/- - fixed - - "
                           "[CVE-2023-0286]\n"
                           "USN-6000-1 VERSIONS -/-/-/- [\"3.0.2-0ubuntu1\",\"3.0.2-0ubuntu1.8\"] "
                           "unfixed - - [CVE-2023-0286]\n");
    customs_free(t);
    t = lookup_text(b.db, "alpine:3.19", "openssl");
    assert_string_equal(t, "ALPINE-CVE-2023-5678 ECOSYSTEM 0/3.1.4-r1/-/- - fixed - - "
                           "[CVE-2023-5678]\n");
    customs_free(t);
    t = lookup_text(b.db, "rubygems", "rack");
    assert_string_equal(t, "GHSA-zzzz-0001-0001 ECOSYSTEM 0/2.2.3/-/- - fixed - - "
                           "[CVE-2022-0001]\n");
    customs_free(t);
    t = lookup_text(b.db, "maven", "org.example:lib");
    assert_string_equal(t, "GHSA-zzzz-0002-0002 ECOSYSTEM 1.0/1.0.5/-/- - fixed - - []\n");
    customs_free(t);
    t = lookup_text(b.db, "go", "example.com/mod");
    assert_string_equal(t, "GO-2024-0001 SEMVER 0/1.5.0/-/- - fixed - - "
                           "[CVE-2024-1000 GHSA-xxxx-yyyy-zzzz]\n");
    customs_free(t);
    built_release(&b);
}

static void osv__reports_the_line_of_a_bad_json_lines_record(void **state)
{
    static const char *const src[] = {"osv/bad.jsonl", NULL};
    struct built b;
    (void)state;
    assert_int_equal(build_from(&b, false, src), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(b.err.message, "osv/bad.jsonl:2:"));
    assert_non_null(strstr(b.err.message, "not valid JSON"));
    unlink(b.path);
    assert_int_equal(build_from(&b, true, src), 0);
    assert_int_equal(b.counts.records, 2);
    assert_int_equal(b.counts.skipped, 1);
    char *t = lookup_text(b.db, "crates.io", "ok");
    assert_string_equal(t, "RUSTSEC-2024-0001 SEMVER 0/1.0.0/-/- - fixed - - []\n"
                           "RUSTSEC-2024-0003 SEMVER 2.0.0/2.0.4/-/- - fixed - - []\n");
    customs_free(t);
    built_release(&b);
}

static int import_one(const char *text, struct customs_error *err)
{
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_counts c = {0};
    assert_int_equal(customs_vulndb_writer_open(&w, ":memory:", err), 0);
    int rc = customs_vulndb_import_osv(w, "x.json", (const uint8_t *)text, strlen(text), NULL, &c,
                                       err);
    customs_vulndb_writer_close(w);
    return rc;
}

static void osv__rejects_records_that_break_the_schema(void **state)
{
    struct customs_error err;
    (void)state;
    assert_int_equal(import_one("{\"modified\": \"x\"}", &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "x.json: record 1: not an OSV record (no id)");
    assert_int_equal(import_one("{\"id\": \"A\"}", &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "x.json: record 1: A: no modified date");
    assert_int_equal(import_one("{\"id\": \"A\", \"modified\": \"x\", \"affected\": ["
                                "{\"package\": {\"ecosystem\": \"npm\", \"name\": \"p\"},"
                                " \"ranges\": [{\"type\":"
                                " \"SEMVER\", \"events\": [{\"introduced\": \"0\", \"fixed\": "
                                "\"1\"}]}]}]}",
                                &err),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(err.message,
                        "x.json: record 1: A: affected 0: range 0 event 0: not a one-key object");
    assert_int_equal(import_one("{\"id\": \"A\", \"modified\": \"x\", \"affected\": ["
                                "{\"package\": {\"ecosystem\": \"npm\", \"name\": \"p\"},"
                                " \"ranges\": [{\"type\":"
                                " \"WEIRD\", \"events\": []}]}]}",
                                &err),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "x.json: record 1: A: affected 0: range 0: unknown type "
                                     "'WEIRD'");
    assert_int_equal(import_one("{\"id\": \"A\", \"id\": \"B\"}", &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "x.json:1:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(osv__splits_ranges_into_intervals_and_skips_git),
        cmocka_unit_test(osv__keeps_severity_cvss_and_dates),
        cmocka_unit_test(osv__reads_directories_zips_and_json_lines),
        cmocka_unit_test(osv__reports_the_line_of_a_bad_json_lines_record),
        cmocka_unit_test(osv__rejects_records_that_break_the_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
