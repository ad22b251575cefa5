/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void dpkg__tilde_sorts_before_everything_even_the_end(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_dpkg, "1.0~rc1", "1.0", -1);
    assert_order(customs_version_cmp_dpkg, "1.0~~", "1.0~", -1);
    assert_order(customs_version_cmp_dpkg, "1.0~", "1.0", -1);
    assert_order(customs_version_cmp_dpkg, "1.0~rc1-1", "1.0-1", -1);
}

static void dpkg__letters_sort_before_other_characters(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_dpkg, "1.0a", "1.0+", -1);
    assert_order(customs_version_cmp_dpkg, "1.0a", "1.0.", -1);
    assert_order(customs_version_cmp_dpkg, "1.0", "1.0a", -1);
}

static void dpkg__epoch_beats_upstream_and_revision(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_dpkg, "1:0.1", "9.9-9", 1);
    assert_order(customs_version_cmp_dpkg, "0:1.0", "1.0", 0);
    assert_order(customs_version_cmp_dpkg, "2:1.20.11-1+deb11u6", "1:1.20.11-1+deb11u7", 1);
}

static void dpkg__revision_is_split_at_the_last_hyphen(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_dpkg, "1.0-2-1", "1.0-2-2", -1);
    assert_order(customs_version_cmp_dpkg, "1.0-1", "1.0", 1);
    assert_order(customs_version_cmp_dpkg, "1.0-0", "1.0", 0);
    assert_order(customs_version_cmp_dpkg, "1.1.1n-0+deb11u4", "1.1.1n-0+deb11u3", 1);
}

static void dpkg__compares_huge_digit_runs_without_overflow(void **state)
{
    char a[200];
    char b[200];
    (void)state;
    repeat(a, sizeof(a), "1.", '9', 150, "");
    repeat(b, sizeof(b), "1.", '9', 149, "");
    assert_order(customs_version_cmp_dpkg, a, b, 1);
    repeat(b, sizeof(b), "1.0000", '9', 150, "");
    assert_order(customs_version_cmp_dpkg, a, b, 0);
    repeat(a, sizeof(a), "", '9', 100, ":1");
    assert_order(customs_version_cmp_dpkg, a, "99999999999999999999:1", 1);
}

static void dpkg__handles_empty_strings_and_only_separators(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_dpkg, "", "", 0);
    assert_order(customs_version_cmp_dpkg, "", "0", 0);
    assert_order(customs_version_cmp_dpkg, "...", "....", -1);
    assert_order(customs_version_cmp_dpkg, "~", "", -1);
    assert_order(customs_version_cmp_dpkg, ":", "", 0);
    assert_order(customs_version_cmp_dpkg, "-", "", 0);
}

static void dpkg__validates_like_dpkg_parseversion(void **state)
{
    (void)state;
    assert_true(customs_version_valid_dpkg("2:1.20.11-1+deb11u6"));
    assert_true(customs_version_valid_dpkg("1.0~rc1"));
    assert_false(customs_version_valid_dpkg(""));
    assert_false(customs_version_valid_dpkg("1:"));
    assert_false(customs_version_valid_dpkg("a:1.0"));
    assert_false(customs_version_valid_dpkg("1.0-"));
    assert_false(customs_version_valid_dpkg("1.0 1"));
    assert_false(customs_version_valid_dpkg("kernel-image-2.4.17-ia64"));
    assert_false(customs_version_valid_dpkg("1.0-a_b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dpkg__tilde_sorts_before_everything_even_the_end),
        cmocka_unit_test(dpkg__letters_sort_before_other_characters),
        cmocka_unit_test(dpkg__epoch_beats_upstream_and_revision),
        cmocka_unit_test(dpkg__revision_is_split_at_the_last_hyphen),
        cmocka_unit_test(dpkg__compares_huge_digit_runs_without_overflow),
        cmocka_unit_test(dpkg__handles_empty_strings_and_only_separators),
        cmocka_unit_test(dpkg__validates_like_dpkg_parseversion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
