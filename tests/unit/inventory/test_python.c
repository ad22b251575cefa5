/* SPDX-License-Identifier: Apache-2.0 */
#include "fixture.h"

static int parse_at(struct fixture *f, const char *path, const char *text, size_t len)
{
    struct customs_pkgdb_file file = {path, (const uint8_t *)text, len, 3};
    return customs_python_parse_metadata(&f->inv, &file, &f->err);
}

static int parse(struct fixture *f, const char *text)
{
    return parse_at(f, "/usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA", text,
                    strlen(text));
}

static void python__normalises_the_name_as_pep_503_says(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Metadata-Version: 2.1\nName: Foo_Bar.baz\nVersion: 1.0\n"), 0);
    assert_int_equal(parse(f, "Name: A--__..b_\nVersion: 2\n"), 0);
    assert_int_equal(f->inv.packages.len, 2);
    const struct customs_package *p = fixture_pkg(f, 0);
    assert_string_equal(p->type, "pypi");
    assert_string_equal(p->name, "foo-bar-baz");
    assert_string_equal(p->version, "1.0");
    assert_string_equal(p->path, "/usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA");
    assert_int_equal(p->layer, 3);
    assert_null(p->license);
    assert_string_equal(fixture_pkg(f, 1)->name, "a-b-");
}

static void python__prefers_license_expression_over_license(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Name: x\nVersion: 1\nLicense: BSD License\n"
                              "License-Expression: BSD-3-Clause\n"),
                     0);
    assert_string_equal(fixture_pkg(f, 0)->license, "BSD-3-Clause");
}

static void python__takes_the_first_line_of_a_multi_line_license(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Name: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n"
                              "        \n"
                              "        Licensed under the Apache License...\n"
                              "Classifier: License :: OSI Approved :: MIT License\n"),
                     0);
    assert_string_equal(fixture_pkg(f, 0)->license, "Apache 2.0");
}

static void python__falls_back_to_the_first_license_classifier(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Name: x\nVersion: 1\nLicense: UNKNOWN\n"
                              "Classifier: Programming Language :: Python :: 3\n"
                              "Classifier: License :: OSI Approved :: Apache Software License\n"
                              "Classifier: License :: OSI Approved :: MIT License\n"),
                     0);
    assert_string_equal(fixture_pkg(f, 0)->license, "Apache Software License");
}

static void python__stops_at_the_body(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Name: real\r\nVersion: 1.0\r\n\r\nName: fake\r\nLicense: GPL\r\n"),
                     0);
    assert_int_equal(f->inv.packages.len, 1);
    assert_string_equal(fixture_pkg(f, 0)->name, "real");
    assert_string_equal(fixture_pkg(f, 0)->version, "1.0");
    assert_null(fixture_pkg(f, 0)->license);
}

static void python__reads_egg_info_pkg_info(void **state)
{
    struct fixture *f = *state;
    const char *text = "Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n";
    assert_int_equal(
        parse_at(f, "/usr/lib/python3/site-packages/six.egg-info/PKG-INFO", text, strlen(text)), 0);
    assert_string_equal(fixture_pkg(f, 0)->name, "six");
    assert_string_equal(fixture_pkg(f, 0)->license, "MIT");
}

static void python__rejects_metadata_without_name_or_version(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Version: 1\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message,
                        "/usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA:1: no Name field");
    assert_int_equal(parse(f, "Name: x\n\nVersion: 1\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(
        f->err.message,
        "/usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA:1: no Version field");
    assert_int_equal(f->inv.packages.len, 0);
}

static void python__rejects_nul_bytes(void **state)
{
    struct fixture *f = *state;
    static const char text[] = "Name: x\nVersion: 1\0\n";
    assert_int_equal(parse_at(f, "/m", text, sizeof(text) - 1), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/m:2: NUL byte");
}

static void python__treats_a_line_without_colon_as_the_start_of_the_body(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Name: x\nVersion: 3\nnot a header\nLicense: MIT\n"), 0);
    assert_string_equal(fixture_pkg(f, 0)->version, "3");
    assert_null(fixture_pkg(f, 0)->license);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(python__normalises_the_name_as_pep_503_says),
        FIXTURE_TEST(python__prefers_license_expression_over_license),
        FIXTURE_TEST(python__takes_the_first_line_of_a_multi_line_license),
        FIXTURE_TEST(python__falls_back_to_the_first_license_classifier),
        FIXTURE_TEST(python__stops_at_the_body),
        FIXTURE_TEST(python__reads_egg_info_pkg_info),
        FIXTURE_TEST(python__rejects_metadata_without_name_or_version),
        FIXTURE_TEST(python__rejects_nul_bytes),
        FIXTURE_TEST(python__treats_a_line_without_colon_as_the_start_of_the_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
