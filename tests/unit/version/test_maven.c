/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void maven__orders_the_well_known_qualifiers(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_maven, "1-alpha", "1-beta", -1);
    assert_order(customs_version_cmp_maven, "1-beta", "1-milestone", -1);
    assert_order(customs_version_cmp_maven, "1-milestone", "1-rc", -1);
    assert_order(customs_version_cmp_maven, "1-rc", "1-cr", 0);
    assert_order(customs_version_cmp_maven, "1-rc", "1-SNAPSHOT", -1);
    assert_order(customs_version_cmp_maven, "1-SNAPSHOT", "1", -1);
    assert_order(customs_version_cmp_maven, "1", "1-ga", 0);
    assert_order(customs_version_cmp_maven, "1", "1.0-final", 0);
    assert_order(customs_version_cmp_maven, "1", "1-sp", -1);
    assert_order(customs_version_cmp_maven, "1-sp", "1-foo", -1);
    assert_order(customs_version_cmp_maven, "1-a1", "1-alpha-1", 0);
}

static void maven__pads_with_zeros_and_is_case_insensitive(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_maven, "1", "1.0.0", 0);
    assert_order(customs_version_cmp_maven, "1.0.RC2", "1.0-RC3", -1);
    assert_order(customs_version_cmp_maven, "1.0-RC3", "1.0.1", -1);
    assert_order(customs_version_cmp_maven, "1.0-RC1", "1.0-rc1", 0);
    assert_order(customs_version_cmp_maven, "2.0.1", "2.0-1", 1);
}

static void maven__compares_huge_digit_runs_without_overflow(void **state)
{
    char a[200];
    (void)state;
    repeat(a, sizeof(a), "1.", '9', 100, "");
    assert_order(customs_version_cmp_maven, a, "1.999999999999999999999999", 1);
    repeat(a, sizeof(a), "1.", '0', 100, "7");
    assert_order(customs_version_cmp_maven, a, "1.7", 0);
}

static void maven__handles_empty_strings_and_only_separators(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_maven, "", "", 0);
    assert_order(customs_version_cmp_maven, "", "0", 0);
    assert_order(customs_version_cmp_maven, "...", "", 0);
    assert_order(customs_version_cmp_maven, "1..1", "1.0.1", 0);
    assert_order(customs_version_cmp_maven, "", "1", -1);
}

static void maven__orders_over_long_strings_after_all_versions(void **state)
{
    char a[400];
    (void)state;
    repeat(a, sizeof(a), "", '-', 300, "");
    assert_false(customs_version_valid_maven(a));
    assert_true(customs_version_valid_maven("1.0"));
    assert_order(customs_version_cmp_maven, a, "99999", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(maven__orders_the_well_known_qualifiers),
        cmocka_unit_test(maven__pads_with_zeros_and_is_case_insensitive),
        cmocka_unit_test(maven__compares_huge_digit_runs_without_overflow),
        cmocka_unit_test(maven__handles_empty_strings_and_only_separators),
        cmocka_unit_test(maven__orders_over_long_strings_after_all_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
