/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void pep440__orders_dev_pre_final_post(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_pep440, "1.0.dev1", "1.0a1", -1);
    assert_order(customs_version_cmp_pep440, "1.0a1", "1.0b1", -1);
    assert_order(customs_version_cmp_pep440, "1.0b1", "1.0rc1", -1);
    assert_order(customs_version_cmp_pep440, "1.0rc1", "1.0", -1);
    assert_order(customs_version_cmp_pep440, "1.0", "1.0.post1.dev1", -1);
    assert_order(customs_version_cmp_pep440, "1.0.post1.dev1", "1.0.post1", -1);
    assert_order(customs_version_cmp_pep440, "1.0a1.dev1", "1.0a1", -1);
}

static void pep440__normalises_alternative_spellings(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_pep440, "1.0", "1.0.0", 0);
    assert_order(customs_version_cmp_pep440, "V1.0-ALPHA.1", "1.0a1", 0);
    assert_order(customs_version_cmp_pep440, "1.0c1", "1.0rc1", 0);
    assert_order(customs_version_cmp_pep440, "1.0-1", "1.0.post1", 0);
    assert_order(customs_version_cmp_pep440, "1.0.r", "1.0.post0", 0);
    assert_order(customs_version_cmp_pep440, "  1.0  ", "1.0", 0);
    assert_order(customs_version_cmp_pep440, "1.0+ABC-5", "1.0+abc.5", 0);
}

static void pep440__epoch_and_local_versions(void **state)
{
    (void)state;
    assert_order(customs_version_cmp_pep440, "1!0.1", "2.0", 1);
    assert_order(customs_version_cmp_pep440, "1.0+local", "1.0", 1);
    assert_order(customs_version_cmp_pep440, "1.0+abc.5", "1.0+abc.4", 1);
    assert_order(customs_version_cmp_pep440, "1.0+5", "1.0+abc", 1);
    assert_order(customs_version_cmp_pep440, "1.0+abc", "1.0+abc.0", -1);
}

static void pep440__compares_huge_digit_runs_without_overflow(void **state)
{
    char a[300];
    (void)state;
    repeat(a, sizeof(a), "1.", '9', 250, "");
    assert_order(customs_version_cmp_pep440, a, "1.99999999999999999999", 1);
    repeat(a, sizeof(a), "", '0', 250, "1!1.0");
    assert_order(customs_version_cmp_pep440, a, "1!1", 0);
}

static void pep440__rejects_empty_strings_and_only_separators(void **state)
{
    (void)state;
    assert_false(customs_version_valid_pep440(""));
    assert_false(customs_version_valid_pep440("   "));
    assert_false(customs_version_valid_pep440("..."));
    assert_false(customs_version_valid_pep440("1.0+"));
    assert_false(customs_version_valid_pep440("1!"));
    assert_false(customs_version_valid_pep440("1.0.dev1.post1"));
    assert_order(customs_version_cmp_pep440, "...", "0", -1);
    assert_order(customs_version_cmp_pep440, "", "", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pep440__orders_dev_pre_final_post),
        cmocka_unit_test(pep440__normalises_alternative_spellings),
        cmocka_unit_test(pep440__epoch_and_local_versions),
        cmocka_unit_test(pep440__compares_huge_digit_runs_without_overflow),
        cmocka_unit_test(pep440__rejects_empty_strings_and_only_separators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
