/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static void debian__maps_every_release_status(void **state)
{
    static const char *const src[] = {"tracker.json", NULL};
    struct built b;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(b.counts.records, 3);  /* (package, CVE) entries */
    assert_int_equal(b.counts.affected, 8); /* (package, CVE, release) rows */
    char *t = lookup_text(b.db, "debian:bullseye", "openssl");
    assert_string_equal(t, "CVE-2023-0286 DISTRO -/1.1.1n-0+deb11u4/-/- - fixed high - []\n"
                           "CVE-2024-0001 DISTRO -/-/-/- - unfixed low postponed; "
                           "Minor issue []\n");
    customs_free(t);
    t = lookup_text(b.db, "debian:bookworm", "openssl");
    assert_string_equal(t,
                        "CVE-2023-0286 DISTRO -/3.0.8-1/-/- - fixed not yet assigned - []\n"
                        "CVE-2024-0001 DISTRO -/-/-/- - will_not_fix low ignored; "
                        "Minor issue []\n");
    customs_free(t);
    t = lookup_text(b.db, "debian:buster", "openssl");
    assert_string_equal(t, "CVE-2023-0286 DISTRO -/-/-/- - not_affected unimportant - []\n");
    customs_free(t);
    t = lookup_text(b.db, "debian:trixie", "openssl");
    assert_string_equal(t, "CVE-2024-0001 DISTRO -/-/-/- - unfixed medium - []\n");
    customs_free(t);
    t = lookup_text(b.db, "debian:sid", "openssl");
    assert_string_equal(t, "CVE-2024-0001 DISTRO -/-/-/- - unfixed not yet assigned "
                           "undetermined []\n");
    customs_free(t);
    t = lookup_text(b.db, "debian:jessie", "php5");
    assert_string_equal(t, "CVE-2016-9999 DISTRO -/-/-/- - end_of_life end-of-life "
                           "end of life []\n");
    customs_free(t);
    t = lookup_text(b.db, "debian:bullseye", "libssl1.1"); /* binary names are not stored */
    assert_string_equal(t, "");
    customs_free(t);
    built_release(&b);
}

static int grab(const struct customs_vulndb_match *m, void *p)
{
    const char *sev = m->vuln.severity ? m->vuln.severity : "-";
    assert_int_equal(customs_buf_printf(p, "%s|%s", m->vuln.summary, sev), 0);
    return 0;
}

static void debian__keeps_the_description_as_summary(void **state)
{
    static const char *const src[] = {"tracker.json", NULL};
    struct built b;
    const char *summary = NULL;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    struct customs_buf out;
    customs_buf_init(&out, 0);
    (void)summary;
    assert_int_equal(customs_vulndb_lookup(b.db, "debian:jessie", "php5", grab, &out, &b.err), 0);
    assert_string_equal(customs_buf_cstr(&out), "An old issue|-");
    customs_buf_release(&out);
    built_release(&b);
}

static int import_text(const char *text, bool keep_going, struct customs_vulndb_counts *c,
                       struct customs_error *err)
{
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_import_options opt = {0};
    opt.keep_going = keep_going;
    memset(c, 0, sizeof(*c));
    assert_int_equal(customs_vulndb_writer_open(&w, ":memory:", err), 0);
    int rc = customs_vulndb_import_debian(w, "t.json", (const uint8_t *)text, strlen(text), &opt,
                                          c, err);
    customs_vulndb_writer_close(w);
    return rc;
}

static void debian__names_file_and_line_of_errors(void **state)
{
    struct customs_vulndb_counts c;
    struct customs_error err;
    (void)state;
    assert_int_equal(import_text("[]", false, &c, &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "t.json:1: not Debian tracker JSON (expected '{')");
    assert_int_equal(import_text("{\n\"a\": {\"CVE-1\": {\"releases\": {}}},\n\"b\": {\"CVE-2\"",
                                 false, &c, &err),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "t.json:3: truncated or too deeply nested package entry");
    assert_int_equal(import_text("{\"a\": {},\n\n \"b\": {\"CVE-1\": {\"releases\": {\"x\": "
                                 "{\"status\": \"weird\"}}}}}",
                                 false, &c, &err),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "t.json:3: b CVE-1: release 'x' has status 'weird'");
    assert_int_equal(import_text("{\"a\": {\n\"CVE-1\": [1,]}}", false, &c, &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "t.json:2: not valid JSON"));
    assert_int_equal(import_text("{\"a\": {}} x", false, &c, &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "t.json:1: data after the end of the document");
}

static void debian__skips_bad_packages_only_when_told(void **state)
{
    static const char text[] =
        "{\"a\": {\"CVE-1\": {\"releases\": {\"x\": {\"status\": \"resolved\"}}}},\n"
        " \"b\": {\"CVE-2\": {\"releases\": {\"x\": {\"status\": \"resolved\","
        " \"fixed_version\": \"1.0\"}}}}}";
    struct customs_vulndb_counts c;
    struct customs_error err;
    (void)state;
    assert_int_equal(import_text(text, false, &c, &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message,
                        "t.json:1: a CVE-1: release 'x' is resolved without a fixed_version");
    assert_int_equal(import_text(text, true, &c, &err), 0);
    assert_int_equal(c.skipped, 1);
    assert_int_equal(c.records, 1);
    assert_int_equal(c.affected, 1);
}

static void debian__limits_nesting_depth(void **state)
{
    char text[400];
    struct customs_vulndb_counts c;
    struct customs_error err;
    (void)state;
    size_t n = (size_t)snprintf(text, sizeof(text), "{\"a\": ");
    for (int i = 0; i < 100; i++) {
        text[n++] = '[';
    }
    text[n] = '\0';
    assert_int_equal(import_text(text, false, &c, &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "t.json:1: truncated or too deeply nested package entry");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(debian__maps_every_release_status),
        cmocka_unit_test(debian__keeps_the_description_as_summary),
        cmocka_unit_test(debian__names_file_and_line_of_errors),
        cmocka_unit_test(debian__skips_bad_packages_only_when_told),
        cmocka_unit_test(debian__limits_nesting_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
