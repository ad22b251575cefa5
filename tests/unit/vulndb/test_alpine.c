/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static void alpine__stores_one_row_per_fix_and_id(void **state)
{
    static const char *const src[] = {"secdb", NULL};
    struct built b;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(b.counts.files, 1);
    assert_int_equal(b.counts.records, 3);  /* (package, version) entries */
    assert_int_equal(b.counts.affected, 5); /* split ids */
    char *t = lookup_text(b.db, "alpine:3.19", "busybox");
    assert_string_equal(t, "CVE-2021-28831 DISTRO -/-/-/- - not_affected - - []\n"
                           "CVE-2023-42363 DISTRO -/1.36.1-r15/-/- - fixed - - []\n"
                           "CVE-2023-42364 DISTRO -/1.36.1-r15/-/- - fixed - - []\n"
                           "CVE-2023-42365 DISTRO -/1.36.1-r15/-/- - fixed - - []\n");
    customs_free(t);
    t = lookup_text(b.db, "alpine:3.19", "musl");
    assert_string_equal(t, "CVE-2020-28928 DISTRO -/1.2.2_pre2-r0/-/- - fixed - - []\n");
    customs_free(t);
    t = lookup_text(b.db, "alpine:3.18", "musl");
    assert_string_equal(t, "");
    customs_free(t);
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
    int rc = customs_vulndb_import_alpine(w, "main.json", (const uint8_t *)text, strlen(text),
                                          &opt, c, err);
    customs_vulndb_writer_close(w);
    return rc;
}

static void alpine__names_the_record_of_errors(void **state)
{
    static const char bad[] =
        "{\"distroversion\": \"v3.19\", \"packages\": [\n"
        " {\"pkg\": {\"name\": \"a\", \"secfixes\": {\"1-r0\": [\"CVE-1\"]}}},\n"
        " {\"pkg\": {\"name\": \"b\", \"secfixes\": {\"1-r0\": \"CVE-2\"}}}]}";
    struct customs_vulndb_counts c;
    struct customs_error err;
    (void)state;
    assert_int_equal(import_text(bad, false, &c, &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message, "main.json: record 2: b 1-r0: ids are not a list");
    assert_int_equal(import_text(bad, true, &c, &err), 0);
    assert_int_equal(c.skipped, 1);
    assert_int_equal(c.affected, 1);
    assert_int_equal(import_text("{\"packages\": []}", false, &c, &err), CUSTOMS_EMALFORMED);
    assert_string_equal(err.message,
                        "main.json: not Alpine secdb JSON (no distroversion or packages)");
    assert_int_equal(import_text("{\"distroversion\": \"v3.1\",\n \"packages\": [}", false, &c,
                                 &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "main.json:2:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alpine__stores_one_row_per_fix_and_id),
        cmocka_unit_test(alpine__names_the_record_of_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
