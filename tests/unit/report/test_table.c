/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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
    /* NAME is 48 wide (the cut hostile name), VERSION 16; ARCH because dpkg gave one */
    assert_non_null(strstr(text,
        "\nPackages\n"
        "TYPE  NAME                                              VERSION           ARCH   "
        "SOURCE   LAYER\n"
        "deb   libssl3                                           3.0.11-1~deb12u2  amd64  "
        "openssl  0\n"));
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
                               "Summary\n"
                               "KIND               CRITICAL  HIGH  MEDIUM  LOW  UNKNOWN  TOTAL\n"
                               "vulnerabilities    -         -     -       -    -        "
                               "not scanned\n"
                               "secrets            -         -     -       -    -        "
                               "not scanned\n"
                               "malware            -         -     -       -    -        "
                               "not scanned\n"
                               "misconfigurations  -         -     -       -    -        "
                               "not scanned\n"
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

static void table__summarises_findings_by_kind_and_severity_first(void **state)
{
    struct customs_report *r = fixture_findings_report();
    struct customs_suppressed *sup = customs_vec_push(&r->suppressed);
    assert_non_null(sup);
    memset(sup, 0, sizeof(*sup));
    sup->kind = "secret";
    sup->id = "github-pat";
    sup->by = "ignorefile";
    sup->where = ".customsignore:2";
    r->hidden_by_severity[CUSTOMS_SEVERITY_LOW] = 3;
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    const char *summary = strstr(text, "\nSummary\n");
    assert_non_null(summary);
    assert_true(summary < strstr(text, "\nPackages"));
    assert_non_null(strstr(summary,
        "KIND               CRITICAL  HIGH  MEDIUM  LOW  UNKNOWN  TOTAL\n"
        "vulnerabilities    0         0     2       0    1        3\n"
        "secrets            1         1     0       0    0        2\n"
        "malware            1         0     0       0    0        1\n"
        "misconfigurations  1         0     0       1    0        2\n"
        "Suppressed: 2 (vulnerabilities 1, secrets 1, malware 0, misconfigurations 0), "
        "1 by the ignore file, 1 by VEX\n"
        "Hidden by --severity: 3 LOW\n"));
    free(text);
    customs_report_free(r);
}

static void table__never_says_0_vulnerabilities_in_the_summary_when_not_all_checked(void **state)
{
    struct customs_report *r = fixture_findings_report();
    r->vulns.len = 0;
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    assert_non_null(strstr(text, "\nvulnerabilities    -         -     -       -    -        "
                                 "not all checked\n"));
    assert_non_null(strstr(text, "\nPackages with vulnerabilities (0 of 5; --list-all-pkgs "
                                 "lists every package)\n(none found, but not every package "
                                 "could be checked: see Coverage)\n"));
    free(text);
    customs_report_free(r);
}

static void table__lists_only_vulnerable_packages_unless_all_are_asked_for(void **state)
{
    struct customs_report *r = fixture_findings_report();
    struct customs_report_write_options all = {.list_all_pkgs = true};
    char *some = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    char *every = fixture_write_with(r, CUSTOMS_FORMAT_TABLE, &all, NULL);
    (void)state;
    assert_non_null(strstr(some,
        "\nPackages with vulnerabilities (3 of 5; --list-all-pkgs lists every package)\n"
        "TYPE  NAME      VERSION           ARCH   SOURCE   LAYER  VULNS\n"
        "deb   libssl3   3.0.11-1~deb12u2  amd64  openssl  0      1\n"
        "deb   zlib1g    1:1.2.13.dfsg-1   amd64  zlib     0      1\n"
        "npm   left-pad  1.3.0             -      -        1      1\n\n"));
    assert_null(strstr(some, "evil"));
    assert_non_null(strstr(every, "\nPackages\nTYPE  NAME"));
    assert_non_null(strstr(every, "\nnpm   left-pad  "));
    assert_non_null(strstr(every, "\nnpm   evil"));
    free(some);
    free(every);
    customs_report_free(r);
}

static void table__has_no_arch_column_when_no_package_has_one(void **state)
{
    struct customs_report *r = fixture_report();
    for (size_t i = 0; i < r->inventory.packages.len; i++) {
        struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        p->arch = NULL;
    }
    char *text = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    (void)state;
    assert_non_null(strstr(text, "\nTYPE  NAME                                              "
                                 "VERSION           SOURCE   LAYER\n"));
    assert_null(strstr(text, "ARCH"));
    free(text);
    customs_report_free(r);
}

static void table__colours_severities_only_when_asked_never_from_the_image(void **state)
{
    struct customs_report *r = fixture_findings_report();
    struct customs_report_write_options colour = {.color = true, .list_all_pkgs = true};
    char *plain = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    char *text = fixture_write_with(r, CUSTOMS_FORMAT_TABLE, &colour, NULL);
    (void)state;
    assert_null(strchr(plain, '\x1b'));
    assert_non_null(strstr(text, "\n\x1b[1;31mCRITICAL\x1b[0m  privileged "));
    assert_non_null(strstr(text, "\n\x1b[33mMEDIUM\x1b[0m    CVE-2023-5678 "));
    assert_non_null(strstr(text, "\n\x1b[31mHIGH\x1b[0m      aws-access-key-id "));
    assert_non_null(strstr(text, "\n\x1b[1mSummary\x1b[0m\n"));
    assert_non_null(strstr(text, "INCOMPLETE"));
    /* the image's own escape sequences stay escaped in a colour table */
    assert_non_null(strstr(text, "evil\\x1b[31m\"quoted\""));
    assert_non_null(strstr(text, "Image runs as \\x1b[1mroot\\x1b[0m"));
    /* every ESC written is one of ours: an SGR of the table's own set */
    static const char *const ours[] = {"\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[31m",
                                       "\x1b[33m", "\x1b[34m"};
    for (const char *p = strchr(text, '\x1b'); p != NULL; p = strchr(p + 1, '\x1b')) {
        bool known = false;
        for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
            known = known || strncmp(p, ours[i], strlen(ours[i])) == 0;
        }
        assert_true(known);
    }
    free(plain);
    free(text);
    customs_report_free(r);
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
        cmocka_unit_test(table__summarises_findings_by_kind_and_severity_first),
        cmocka_unit_test(table__never_says_0_vulnerabilities_in_the_summary_when_not_all_checked),
        cmocka_unit_test(table__lists_only_vulnerable_packages_unless_all_are_asked_for),
        cmocka_unit_test(table__has_no_arch_column_when_no_package_has_one),
        cmocka_unit_test(table__colours_severities_only_when_asked_never_from_the_image),
        cmocka_unit_test(table__matches_the_golden_file_byte_for_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
