/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void apk__orders_pre_and_post_release_suffixes(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_apk, "1.0_alpha1", "1.0_beta1", -1);
    assert_order(customs_version_cmp_apk, "1.0_beta9", "1.0_pre1", -1);
    assert_order(customs_version_cmp_apk, "1.0_pre1", "1.0_rc1", -1);
    assert_order(customs_version_cmp_apk, "1.0_rc9", "1.0", -1);
    assert_order(customs_version_cmp_apk, "1.0", "1.0_cvs1", -1);
    assert_order(customs_version_cmp_apk, "1.0_cvs1", "1.0_svn1", -1);
    assert_order(customs_version_cmp_apk, "1.0_git1", "1.0_hg1", -1);
    assert_order(customs_version_cmp_apk, "1.0_hg1", "1.0_p1", -1);
}

static void apk__revision_and_letter_follow_the_numbers(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_apk, "1.30.1-r2", "1.30.1-r10", -1);
    assert_order(customs_version_cmp_apk, "1.30.1", "1.30.1-r0", -1);
    assert_order(customs_version_cmp_apk, "1.0a", "1.0b", -1);
    assert_order(customs_version_cmp_apk, "1.0z", "1.0.1", -1);
}

static void apk__compares_leading_zero_components_as_fractions(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_apk, "1.01", "1.1", -1);
    assert_order(customs_version_cmp_apk, "1.001", "1.01", -1);
    assert_order(customs_version_cmp_apk, "1.06", "1.1", -1);
}

static void apk__compares_huge_digit_runs_without_overflow(void **state)
{
    char a[300];
    (void)state;
    repeat(a, sizeof(a), "", '9', 250, ".1");
    assert_order(customs_version_cmp_apk, a, "99999999999999999999.1", 1);
    repeat(a, sizeof(a), "1.0-r", '5', 250, "");
    assert_order(customs_version_cmp_apk, a, "1.0-r99999999999999999999", 1);
    assert_true(customs_version_valid_apk(a));
}

static void apk__handles_empty_strings_and_only_separators(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_apk, "", "", 0);
    assert_order(customs_version_cmp_apk, "", "1", -1); /* the end sorts before a number */
    assert_false(customs_version_valid_apk(""));
    assert_false(customs_version_valid_apk("..."));
    assert_false(customs_version_valid_apk("_"));
    assert_false(customs_version_valid_apk("-r"));
}

static void apk__validates_commit_hashes_and_revisions(void **state)
{
    (void)state;
    assert_true(customs_version_valid_apk("1.2.3_rc1~deadbeef-r4"));
    assert_false(customs_version_valid_apk("1.2.3~-r4"));
    assert_false(customs_version_valid_apk("1.2.3-r4~beef"));
    assert_false(customs_version_valid_apk("1.2.3_bogus"));
}

static void apk__fuzzy_match_ignores_what_the_pattern_lacks(void **state)
{
    (void)state;
    assert_true(customs_version_apk_fuzzy_match("3.6.9", "3.6"));
    assert_true(customs_version_apk_fuzzy_match("3.6", "3.6"));
    assert_false(customs_version_apk_fuzzy_match("3.6", "3.6.1"));
    assert_false(customs_version_apk_fuzzy_match("3.7.0", "3.6"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apk__orders_pre_and_post_release_suffixes),
        cmocka_unit_test(apk__revision_and_letter_follow_the_numbers),
        cmocka_unit_test(apk__compares_leading_zero_components_as_fractions),
        cmocka_unit_test(apk__compares_huge_digit_runs_without_overflow),
        cmocka_unit_test(apk__handles_empty_strings_and_only_separators),
        cmocka_unit_test(apk__validates_commit_hashes_and_revisions),
        cmocka_unit_test(apk__fuzzy_match_ignores_what_the_pattern_lacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
