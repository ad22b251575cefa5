/* SPDX-License-Identifier: Apache-2.0 */
#include "fixture.h"

static int parse_len(struct fixture *f, const char *text, size_t len)
{
    struct customs_pkgdb_file file = {"/lib/apk/db/installed", (const uint8_t *)text, len, 1};
    return customs_apk_parse(&f->inv, &file, &f->err);
}

static int parse(struct fixture *f, const char *text)
{
    return parse_len(f, text, strlen(text));
}

static void apk__reads_name_version_arch_origin_and_license(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "C:Q1abcdefghijklmnopqrstuvwxyz0123=\n"
                              "P:libcrypto3\n"
                              "V:3.1.4-r5\n"
                              "A:x86_64\n"
                              "S:1720000\n"
                              "I:4452352\n"
                              "T:Crypto library from openssl\n"
                              "U:https://www.openssl.org/\n"
                              "L:Apache-2.0\n"
                              "o:openssl\n"
                              "m:Ariadne Conill <ariadne@dereferenced.org>\n"
                              "t:1707312345\n"
                              "c:0f4b1d5f\n"
                              "D:so:libc.musl-x86_64.so.1\n"
                              "p:so:libcrypto.so.3=3\n"
                              "F:lib\n"
                              "R:libcrypto.so.3\n"
                              "a:0:0:755\n"
                              "Z:Q1xyz=\n"
                              "\n"
                              "P:musl\n"
                              "V:1.2.4_git20230717-r4\n"
                              "A:x86_64\n"
                              "L:MIT\n"),
                     0);
    assert_int_equal(f->inv.packages.len, 2);
    const struct customs_package *p = fixture_pkg(f, 0);
    assert_string_equal(p->type, "apk");
    assert_string_equal(p->name, "libcrypto3");
    assert_string_equal(p->version, "3.1.4-r5");
    assert_string_equal(p->arch, "x86_64");
    assert_string_equal(p->license, "Apache-2.0");
    assert_string_equal(p->source_name, "openssl");
    assert_string_equal(p->source_version, "3.1.4-r5");
    assert_string_equal(p->path, "/lib/apk/db/installed");
    assert_int_equal(p->layer, 1);
    p = fixture_pkg(f, 1);
    assert_string_equal(p->name, "musl");
    assert_string_equal(p->version, "1.2.4_git20230717-r4");
    assert_string_equal(p->source_name, "musl"); /* no origin: the package itself */
}

static void apk__accepts_crlf_extra_blank_lines_and_no_final_newline(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "\r\n\r\nP:a\r\nV:1-r0\r\n\r\n\r\n\r\nP:b\r\nV:2-r1"), 0);
    assert_int_equal(f->inv.packages.len, 2);
    assert_string_equal(fixture_pkg(f, 0)->version, "1-r0");
    assert_string_equal(fixture_pkg(f, 1)->name, "b");
    assert_string_equal(fixture_pkg(f, 1)->version, "2-r1");
    assert_null(fixture_pkg(f, 1)->arch);
    assert_null(fixture_pkg(f, 1)->license);
}

static void apk__rejects_a_line_that_is_not_a_key_value(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "P:a\nV:1\n\nP:b\nV:2\nbroken line\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/lib/apk/db/installed:6: expected \"K:value\"");
    assert_int_equal(f->inv.packages.len, 1);
}

static void apk__rejects_a_package_without_version(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "P:a\nV:1\n\n\nP:b\nA:x86_64\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/lib/apk/db/installed:5: package b without V: (version)");
    assert_int_equal(f->inv.packages.len, 1);
}

static void apk__rejects_a_package_without_name(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "V:1\nA:x86_64\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/lib/apk/db/installed:1: package without P: (name)");
}

static void apk__rejects_duplicate_fields(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "P:a\nV:1\nV:2\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/lib/apk/db/installed:3: duplicate V: field");
}

static void apk__rejects_nul_bytes(void **state)
{
    struct fixture *f = *state;
    static const char text[] = "P:a\nV:1\n\nP:b\0\nV:2\n";
    assert_int_equal(parse_len(f, text, sizeof(text) - 1), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/lib/apk/db/installed:4: NUL byte");
    assert_int_equal(f->inv.packages.len, 0);
}

static void apk__accepts_an_empty_database(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse_len(f, NULL, 0), 0);
    assert_int_equal(parse(f, "\n"), 0);
    assert_int_equal(f->inv.packages.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(apk__reads_name_version_arch_origin_and_license),
        FIXTURE_TEST(apk__accepts_crlf_extra_blank_lines_and_no_final_newline),
        FIXTURE_TEST(apk__rejects_a_line_that_is_not_a_key_value),
        FIXTURE_TEST(apk__rejects_a_package_without_version),
        FIXTURE_TEST(apk__rejects_a_package_without_name),
        FIXTURE_TEST(apk__rejects_duplicate_fields),
        FIXTURE_TEST(apk__rejects_nul_bytes),
        FIXTURE_TEST(apk__accepts_an_empty_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
