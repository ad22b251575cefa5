/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void rpm__tilde_sorts_before_and_caret_after_the_end(void **state)
{
    (void)state;
    assert_order(customs_version_rpmvercmp, "1.0~rc1", "1.0", -1);
    assert_order(customs_version_rpmvercmp, "1.0^git1", "1.0", 1);
    assert_order(customs_version_rpmvercmp, "1.0^git1", "1.0.1", -1);
    assert_order(customs_version_rpmvercmp, "1.0~rc1^git1", "1.0~rc1", 1);
}

static void rpm__numbers_beat_letters_and_separators_are_ignored(void **state)
{
    (void)state;
    assert_order(customs_version_rpmvercmp, "1.0a", "1.0.1", -1);
    assert_order(customs_version_rpmvercmp, "1.0", "1_0", 0);
    assert_order(customs_version_rpmvercmp, "1..0", "1.0", 0);
    assert_order(customs_version_rpmvercmp, "a", "1", -1);
}

static void rpm__splits_epoch_version_and_release(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_rpm, "1:1.0-1", "2.0-1", 1);
    assert_order(customs_version_cmp_rpm, "0:2.0-1", "2.0-1", 0);
    assert_order(customs_version_cmp_rpm, "2.0-1.el8", "2.0-1.el8_1", -1);
    assert_order(customs_version_cmp_rpm, "2.0.1-1", "2.0-10", 1);
}

static void rpm__compares_huge_digit_runs_without_overflow(void **state)
{
    char a[300];
    (void)state;
    repeat(a, sizeof(a), "1.", '7', 250, "");
    assert_order(customs_version_rpmvercmp, a, "1.99999999999999999999", 1);
    repeat(a, sizeof(a), "", '0', 250, "1");
    assert_order(customs_version_rpmvercmp, a, "1", 0);
}

static void rpm__handles_empty_strings_and_only_separators(void **state)
{
    (void)state;
    assert_order(customs_version_rpmvercmp, "", "", 0);
    assert_order(customs_version_rpmvercmp, "...", "", 0);
    assert_order(customs_version_rpmvercmp, "", "0", -1);
    assert_order(customs_version_rpmvercmp, "~", "", -1);
    assert_order(customs_version_rpmvercmp, "^", "", 1);
    assert_order(customs_version_cmp_rpm, "", "", 0);
    assert_order(customs_version_cmp_rpm, ":-", "", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rpm__tilde_sorts_before_and_caret_after_the_end),
        cmocka_unit_test(rpm__numbers_beat_letters_and_separators_are_ignored),
        cmocka_unit_test(rpm__splits_epoch_version_and_release),
        cmocka_unit_test(rpm__compares_huge_digit_runs_without_overflow),
        cmocka_unit_test(rpm__handles_empty_strings_and_only_separators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
