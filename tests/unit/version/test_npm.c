/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void npm__orders_prereleases_by_identifier(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_npm, "1.0.0-alpha", "1.0.0-alpha.1", -1);
    assert_order(customs_version_cmp_npm, "1.0.0-alpha.1", "1.0.0-alpha.beta", -1);
    assert_order(customs_version_cmp_npm, "1.0.0-beta.2", "1.0.0-beta.11", -1);
    assert_order(customs_version_cmp_npm, "1.0.0-rc.1", "1.0.0", -1);
    assert_order(customs_version_cmp_npm, "1.0.0+build.1", "1.0.0+build.2", 0);
}

static void npm__rejects_numbers_beyond_javascript_safe_integers(void **state)
{
    (void)state;
    assert_true(customs_version_valid_npm("9007199254740991.0.0"));
    assert_false(customs_version_valid_npm("9007199254740992.0.0"));
    assert_false(customs_version_valid_npm("1.99999999999999999999999999.0"));
    /* invalid strings sort before valid ones */
    assert_order(customs_version_cmp_npm, "1.99999999999999999999999999.0", "0.0.0", -1);
}

static void npm__rejects_empty_strings_and_only_separators(void **state)
{
    char big[300];
    (void)state;
    assert_false(customs_version_valid_npm(""));
    assert_false(customs_version_valid_npm(".."));
    assert_false(customs_version_valid_npm("1.2"));
    assert_false(customs_version_valid_npm("01.2.3"));
    assert_true(customs_version_npm_valid_opts("01.2.3", CUSTOMS_VERSION_NPM_LOOSE));
    repeat(big, sizeof(big), "1.2.3-", 'a', 260, "");
    assert_false(customs_version_valid_npm(big)); /* longer than 256 */
    assert_order(customs_version_cmp_npm, "", "", 0);
    assert_false(customs_version_npm_satisfies("", "*"));
}

static void npm__desugars_caret_tilde_and_x_ranges(void **state)
{
    (void)state;
    assert_true(customs_version_npm_satisfies("1.9.9", "^1.2.3"));
    assert_false(customs_version_npm_satisfies("2.0.0", "^1.2.3"));
    assert_false(customs_version_npm_satisfies("0.3.0", "^0.2.3"));
    assert_false(customs_version_npm_satisfies("0.0.4", "^0.0.3"));
    assert_true(customs_version_npm_satisfies("1.2.9", "~1.2.3"));
    assert_false(customs_version_npm_satisfies("1.3.0", "~1.2.3"));
    assert_true(customs_version_npm_satisfies("1.4.0", "1.x || >=2.5.0"));
    assert_true(customs_version_npm_satisfies("2.5.1", "1.x || >=2.5.0"));
    assert_false(customs_version_npm_satisfies("2.4.9", "1.x || >=2.5.0"));
    assert_true(customs_version_npm_satisfies("4.17.10", "<4.17.11"));
    assert_false(customs_version_npm_satisfies("4.17.11", "<4.17.11"));
    assert_true(customs_version_npm_satisfies("1.5.0", "1.2 - 1.7"));
    assert_false(customs_version_npm_satisfies("1.8.0", "1.2 - 1.7"));
    assert_true(customs_version_npm_satisfies("3.0.0", ""));
}

static void npm__prerelease_needs_a_comparator_on_the_same_tuple(void **state)
{
    (void)state;
    assert_false(customs_version_npm_satisfies("1.2.3-alpha", ">=1.2.0"));
    assert_true(customs_version_npm_satisfies("1.2.3-alpha", ">=1.2.3-0"));
    assert_false(customs_version_npm_satisfies("1.2.4-alpha", ">=1.2.3-0"));
    assert_true(customs_version_npm_satisfies_opts("1.2.4-alpha", ">=1.2.3-0",
                                                   CUSTOMS_VERSION_NPM_INCLUDE_PRERELEASE));
    assert_true(customs_version_npm_satisfies("1.2.3-beta", "<1.2.3 >1.2.3-alpha"));
}

static void npm__invalid_ranges_match_nothing(void **state)
{
    (void)state;
    assert_false(customs_version_npm_satisfies("1.0.0", "foo"));
    assert_false(customs_version_npm_satisfies("1.0.0", ">=1.0.0 bar"));
    assert_false(customs_version_npm_satisfies("1.0.0", "^99999999999999999999.0.0"));
    assert_true(customs_version_npm_satisfies_opts("1.0.0", ">=1.0.0 bar",
                                                   CUSTOMS_VERSION_NPM_LOOSE));
}

static void npm__outside_is_above_or_below_every_match(void **state)
{
    (void)state;
    assert_true(customs_version_npm_outside("2.0.0", "^1.0.0", '>', 0));
    assert_false(customs_version_npm_outside("0.9.0", "^1.0.0", '>', 0));
    assert_true(customs_version_npm_outside("0.9.0", "^1.0.0", '<', 0));
    assert_false(customs_version_npm_outside("1.5.0", "^1.0.0", '<', 0));
    assert_false(customs_version_npm_outside("1.5.0", "^1.0.0", '?', 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npm__orders_prereleases_by_identifier),
        cmocka_unit_test(npm__rejects_numbers_beyond_javascript_safe_integers),
        cmocka_unit_test(npm__rejects_empty_strings_and_only_separators),
        cmocka_unit_test(npm__desugars_caret_tilde_and_x_ranges),
        cmocka_unit_test(npm__prerelease_needs_a_comparator_on_the_same_tuple),
        cmocka_unit_test(npm__invalid_ranges_match_nothing),
        cmocka_unit_test(npm__outside_is_above_or_below_every_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
