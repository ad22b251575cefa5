/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void go__follows_semver_order_with_shorthands(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_go, "v1.2.3", "v1.10.0", -1);
    assert_order(customs_version_cmp_go, "v1", "v1.0.0", 0);
    assert_order(customs_version_cmp_go, "v1.2", "v1.2.0", 0);
    assert_order(customs_version_cmp_go, "v1.0.0-alpha", "v1.0.0-alpha.1", -1);
    assert_order(customs_version_cmp_go, "v1.0.0-beta.2", "v1.0.0-beta.11", -1);
    assert_order(customs_version_cmp_go, "v1.0.0-rc.1", "v1.0.0", -1);
}

static void go__pseudo_versions_are_prereleases(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_go, "v0.0.0-20191109021931-daa7c04131f5", "v0.1.0", -1);
    assert_order(customs_version_cmp_go, "v0.0.0-20191109021931-daa7c04131f5",
                 "v0.0.0-20200101000000-aaaaaaaaaaaa", -1);
    assert_order(customs_version_cmp_go, "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", 1);
    assert_order(customs_version_cmp_go, "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1);
}

static void go__ignores_incompatible_and_a_missing_v(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_go, "v2.0.0+incompatible", "v2.0.0", 0);
    assert_order(customs_version_cmp_go, "v2.1.0+incompatible", "v2.0.0", 1);
    assert_order(customs_version_cmp_go, "1.2.3", "v1.2.3", 0);
}

static void go__compares_huge_digit_runs_without_overflow(void **state)
{
    char a[300];
    (void)state;
    repeat(a, sizeof(a), "v1.", '9', 250, ".0");
    assert_true(customs_version_valid_go(a));
    assert_order(customs_version_cmp_go, a, "v1.99999999999999999999.0", 1);
}

static void go__invalid_versions_sort_first_and_equal(void **state)
{
    (void)state;
    assert_false(customs_version_valid_go(""));
    assert_false(customs_version_valid_go("v"));
    assert_false(customs_version_valid_go("..."));
    assert_false(customs_version_valid_go("v01.2.3"));
    assert_false(customs_version_valid_go("v1.2-pre"));
    assert_false(customs_version_valid_go("v1.2.3.4"));
    assert_false(customs_version_valid_go("v1.2.3-01"));
    assert_order(customs_version_cmp_go, "bad", "v0.0.0", -1);
    assert_order(customs_version_cmp_go, "bad1", "bad2", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(go__follows_semver_order_with_shorthands),
        cmocka_unit_test(go__pseudo_versions_are_prereleases),
        cmocka_unit_test(go__ignores_incompatible_and_a_missing_v),
        cmocka_unit_test(go__compares_huge_digit_runs_without_overflow),
        cmocka_unit_test(go__invalid_versions_sort_first_and_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
