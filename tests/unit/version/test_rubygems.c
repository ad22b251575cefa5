/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void rubygems__letters_make_a_prerelease(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_rubygems, "1.8.2.a", "1.8.2", -1);
    assert_order(customs_version_cmp_rubygems, "1.2.a", "1.2.b", -1);
    assert_order(customs_version_cmp_rubygems, "1.2.b", "1.2.b1", -1);
    assert_order(customs_version_cmp_rubygems, "1.0.0-rc1", "1.0.0", -1);
    assert_order(customs_version_cmp_rubygems, "1.2.3.a", "1.2.3-a", -1);
    assert_order(customs_version_cmp_rubygems, "1.1", "1.a", 1);
}

static void rubygems__drops_trailing_zeros_in_both_parts(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_rubygems, "1.0", "1", 0);
    assert_order(customs_version_cmp_rubygems, "1.0.0.a", "1.a", 0);
    assert_order(customs_version_cmp_rubygems, "0.beta.1", "0.0.beta.1", 0);
    assert_order(customs_version_cmp_rubygems, "1.a.0", "1.a", 0);
    assert_order(customs_version_cmp_rubygems, "1.9.3", "1.9.2.99", 1);
}

static void rubygems__compares_huge_digit_runs_without_overflow(void **state)
{
    char a[300];
    (void)state;
    repeat(a, sizeof(a), "1.", '9', 250, "");
    assert_order(customs_version_cmp_rubygems, a, "1.99999999999999999999", 1);
    repeat(a, sizeof(a), "1.", '0', 250, "");
    assert_order(customs_version_cmp_rubygems, a, "1", 0);
}

static void rubygems__empty_is_zero_and_separators_are_invalid(void **state)
{
    (void)state;
    assert_true(customs_version_valid_rubygems(""));
    assert_true(customs_version_valid_rubygems("  "));
    assert_order(customs_version_cmp_rubygems, "", "0", 0);
    assert_order(customs_version_cmp_rubygems, "", "0.0.1", -1);
    assert_false(customs_version_valid_rubygems("..."));
    assert_false(customs_version_valid_rubygems("1.0-"));
    assert_false(customs_version_valid_rubygems("a1"));
    assert_order(customs_version_cmp_rubygems, "...", "0", -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rubygems__letters_make_a_prerelease),
        cmocka_unit_test(rubygems__drops_trailing_zeros_in_both_parts),
        cmocka_unit_test(rubygems__compares_huge_digit_runs_without_overflow),
        cmocka_unit_test(rubygems__empty_is_zero_and_separators_are_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
