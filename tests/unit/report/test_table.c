/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

static void table__starts_with_the_target_header_block(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    assert_non_null(strstr(text, "Target:   registry.example/app:1.0\n"
                                 "Kind:     oci\n"
                                 "Manifest: sha256:1111"));
    assert_non_null(strstr(text, "Platform: linux/amd64\n"
                                 "OS:       Debian GNU/Linux 12 (bookworm)\n"
                                 "Layers:   2\n"));
    free(text);
    customs_report_free(r);
}

static void table__aligns_package_columns_and_cuts_long_cells(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    /* NAME is 48 wide (the cut hostile name), VERSION 16 */
    assert_non_null(strstr(text,
        "\nPackages\n"
        "TYPE  NAME                                              VERSION           SOURCE   LAYER\n"
        "deb   libssl3                                           3.0.11-1~deb12u2  openssl  0\n"));
    assert_non_null(strstr(text,
        "npm   evil\\x1b[31m\"quoted\"\\back\\x07AAAAAAAAAAAAAAAAAA\xe2\x80\xa6  "));
    free(text);
    customs_report_free(r);
}

static void table__never_writes_raw_control_characters(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        assert_true(c >= 0x20 || c == '\n');
        assert_true(c != 0x7f);
    }
    assert_non_null(strstr(text, "LOW       CUSTOMS-DF-003  -                                "
                                 "Image runs as \\x1b[1mroot\\x1b[0m\n"));
    assert_non_null(strstr(text, "bad line \\x01\\x02\n"));
    free(text);
    customs_report_free(r);
}

static void table__escapes_bidi_overrides_and_c1_controls(void **state)
{
    struct customs_report *r = fixture_report();
    struct customs_package *p = customs_inventory_add(&r->inventory);
    assert_non_null(p);
    p->type = "deb";
    p->name = "a\xe2\x80\xaeZ\xc2\x9b" "b";
    p->version = "1";
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    assert_non_null(strstr(text, "deb   a\\u{202e}Z\\u{9b}b "));
    free(text);
    customs_report_free(r);
}

static void table__ends_with_the_summary_line(void **state)
{
    struct customs_report *r = fixture_report();
    struct customs_report *d = fixture_empty_dir_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    char *empty = fixture_write(d, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    const char *want = "\n5 packages (deb 2, npm 3), 2 misconfigurations, 0 secrets, 0 malware, 2 errors\n";
    size_t n = strlen(text);
    assert_true(n > strlen(want));
    assert_string_equal(text + n - strlen(want), want);
    assert_string_equal(empty, "Target:   ./rootfs\n"
                               "Kind:     dir\n"
                               "OS:       unknown\n"
                               "Layers:   0\n"
                               "\n"
                               "Packages\n"
                               "(none)\n"
                               "\n"
                               "0 packages, 0 misconfigurations, 0 secrets, 0 malware, 0 errors\n");
    free(text);
    free(empty);
    customs_report_free(r);
    customs_report_free(d);
}

static void table__matches_the_golden_file_byte_for_byte(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    fixture_golden("report.txt", text);
    free(text);
    customs_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table__starts_with_the_target_header_block),
        cmocka_unit_test(table__aligns_package_columns_and_cuts_long_cells),
        cmocka_unit_test(table__never_writes_raw_control_characters),
        cmocka_unit_test(table__escapes_bidi_overrides_and_c1_controls),
        cmocka_unit_test(table__ends_with_the_summary_line),
        cmocka_unit_test(table__matches_the_golden_file_byte_for_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
