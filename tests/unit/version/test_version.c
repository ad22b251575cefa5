/* SPDX-License-Identifier: Apache-2.0 */
#include "helpers.h"

#include "version/version.h"

static void version__parses_scheme_and_ecosystem_names(void **state)
{
    (void)state;
    assert_int_equal(customs_version_scheme_parse("Debian"), CUSTOMS_VERSION_DPKG);
    assert_int_equal(customs_version_scheme_parse("Alpine"), CUSTOMS_VERSION_APK);
    assert_int_equal(customs_version_scheme_parse("rpm"), CUSTOMS_VERSION_RPM);
    assert_int_equal(customs_version_scheme_parse("npm"), CUSTOMS_VERSION_NPM);
    assert_int_equal(customs_version_scheme_parse("PyPI"), CUSTOMS_VERSION_PEP440);
    assert_int_equal(customs_version_scheme_parse("Maven"), CUSTOMS_VERSION_MAVEN);
    assert_int_equal(customs_version_scheme_parse("Go"), CUSTOMS_VERSION_GO);
    assert_int_equal(customs_version_scheme_parse("RubyGems"), CUSTOMS_VERSION_RUBYGEMS);
    assert_int_equal(customs_version_scheme_parse("cobol"), CUSTOMS_VERSION_UNKNOWN);
    assert_int_equal(customs_version_scheme_parse(""), CUSTOMS_VERSION_UNKNOWN);
    assert_int_equal(customs_version_scheme_parse(NULL), CUSTOMS_VERSION_UNKNOWN);
    assert_string_equal(customs_version_scheme_name(CUSTOMS_VERSION_PEP440), "pep440");
    assert_string_equal(customs_version_scheme_name(CUSTOMS_VERSION_UNKNOWN), "unknown");
}

static void version__dispatches_to_each_scheme(void **state)
{
    (void)state;
    /* pairs whose order differs between schemes prove the dispatch */
    assert_int_equal(customs_version_cmp(CUSTOMS_VERSION_DPKG, "1.0~rc1", "1.0"), -1);
    assert_int_equal(customs_version_cmp(CUSTOMS_VERSION_UNKNOWN, "1.0~rc1", "1.0"), 1);
    assert_int_equal(customs_version_cmp(CUSTOMS_VERSION_APK, "1.0_p1", "1.0"), 1);
    assert_int_equal(customs_version_cmp(CUSTOMS_VERSION_RPM, "1.0^1", "1.0"), 1);
    assert_true(customs_version_cmp(CUSTOMS_VERSION_NPM, "1.0.0-rc.1", "1.0.0") < 0);
    assert_true(customs_version_cmp(CUSTOMS_VERSION_PEP440, "1.0.post1", "1.0") > 0);
    assert_true(customs_version_cmp(CUSTOMS_VERSION_MAVEN, "1-sp", "1") > 0);
    assert_true(customs_version_cmp(CUSTOMS_VERSION_GO, "v1", "v1.0.0") == 0);
    assert_true(customs_version_cmp(CUSTOMS_VERSION_RUBYGEMS, "1.a", "1") < 0);
    assert_true(customs_version_cmp(CUSTOMS_VERSION_DPKG, NULL, "1") < 0);
    assert_true(customs_version_cmp(CUSTOMS_VERSION_DPKG, NULL, NULL) == 0);
}

static void version__validates_per_scheme(void **state)
{
    (void)state;
    assert_true(customs_version_valid(CUSTOMS_VERSION_DPKG, "1.0-1"));
    assert_false(customs_version_valid(CUSTOMS_VERSION_APK, "1.0bc"));
    assert_true(customs_version_valid(CUSTOMS_VERSION_RPM, "anything"));
    assert_false(customs_version_valid(CUSTOMS_VERSION_NPM, "1.0"));
    assert_false(customs_version_valid(CUSTOMS_VERSION_PEP440, "french toast"));
    assert_true(customs_version_valid(CUSTOMS_VERSION_MAVEN, "1.0-SNAPSHOT"));
    assert_false(customs_version_valid(CUSTOMS_VERSION_GO, "v1.2.3.4"));
    assert_true(customs_version_valid(CUSTOMS_VERSION_RUBYGEMS, "1.0.0.rc1"));
    assert_false(customs_version_valid(CUSTOMS_VERSION_UNKNOWN, "1"));
    assert_false(customs_version_valid(CUSTOMS_VERSION_DPKG, NULL));
}

static void version__compares_digit_strings_of_any_length(void **state)
{
    (void)state;
    assert_int_equal(customs_version_digits_cmp("0010", 4, "10", 2), 0);
    assert_int_equal(customs_version_digits_cmp("", 0, "0", 1), 0);
    assert_int_equal(customs_version_digits_cmp("100000000000000000000000", 24, "99", 2), 1);
    assert_int_equal(customs_version_digits_cmp("123", 3, "124", 3), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version__parses_scheme_and_ecosystem_names),
        cmocka_unit_test(version__dispatches_to_each_scheme),
        cmocka_unit_test(version__validates_per_scheme),
        cmocka_unit_test(version__compares_digit_strings_of_any_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
