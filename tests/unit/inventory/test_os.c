/* SPDX-License-Identifier: Apache-2.0 */
#include "fixture.h"

static int parse_len(struct fixture *f, struct customs_os *os, const char *path, const char *text,
                     size_t len)
{
    struct customs_pkgdb_file file = {path, (const uint8_t *)text, len, 0};
    return customs_os_parse(os, &f->arena, &file, &f->err);
}

static int parse(struct fixture *f, struct customs_os *os, const char *path, const char *text)
{
    return parse_len(f, os, path, text, strlen(text));
}

static void os__reads_debian_os_release(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse(f, &os, "/etc/os-release",
                           "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                           "NAME=\"Debian GNU/Linux\"\n"
                           "VERSION_ID=\"12\"\n"
                           "VERSION=\"12 (bookworm)\"\n"
                           "VERSION_CODENAME=bookworm\n"
                           "ID=debian\n"
                           "HOME_URL=\"https://www.debian.org/\"\n"),
                     0);
    assert_string_equal(os.id, "debian");
    assert_string_equal(os.version, "12");
    assert_string_equal(os.codename, "bookworm");
    assert_string_equal(os.pretty, "Debian GNU/Linux 12 (bookworm)");
}

static void os__unquotes_values_like_a_shell(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse(f, &os, "/usr/lib/os-release",
                           "# comment\r\n"
                           "  ID='my\"os'  \r\n"
                           "VERSION_ID=\"1.0 \\\"beta\\\" \\\\ \\$x \\n\"\r\n"
                           "VERSION_CODENAME=a\\ b'c d'\"e\"\r\n"
                           "PRETTY_NAME=\"unterminated\r\n"
                           "garbage line without equals\r\n"
                           "lower=ignored\r\n"),
                     0);
    assert_string_equal(os.id, "my\"os");
    assert_string_equal(os.version, "1.0 \"beta\" \\ $x \\n");
    assert_string_equal(os.codename, "a bc de");
    assert_string_equal(os.pretty, "unterminated");
}

static void os__keeps_the_last_assignment_and_drops_empty_values(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse(f, &os, "/etc/os-release", "ID=one\nID=two\nVERSION_ID=\"\"\n"), 0);
    assert_string_equal(os.id, "two");
    assert_null(os.version);
}

static void os__keeps_fields_set_by_a_more_authoritative_file(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse(f, &os, "/etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"), 0);
    assert_int_equal(parse(f, &os, "/etc/alpine-release", "3.19.0\n"), 0);
    assert_string_equal(os.id, "alpine");
    assert_string_equal(os.version, "3.19.1");
    assert_null(os.codename);
}

static void os__reads_alpine_release_alone(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse(f, &os, "/etc/alpine-release", "3.18.4"), 0);
    assert_string_equal(os.id, "alpine");
    assert_string_equal(os.version, "3.18.4");
}

static void os__fills_the_debian_version_only_when_unset(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse(f, &os, "/etc/os-release", "ID=debian\nPRETTY_NAME=\"Debian sid\"\n"),
                     0);
    assert_int_equal(parse(f, &os, "/etc/debian_version", "  12.5  \n"), 0);
    assert_string_equal(os.id, "debian");
    assert_string_equal(os.version, "12.5");
    assert_int_equal(parse(f, &os, "/etc/debian_version", "13.0\n"), 0);
    assert_string_equal(os.version, "12.5");
}

static void os__ignores_debian_version_on_ubuntu(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse(f, &os, "/etc/os-release", "ID=ubuntu\n"), 0);
    assert_int_equal(parse(f, &os, "/etc/debian_version", "bookworm/sid\n"), 0);
    assert_string_equal(os.id, "ubuntu");
    assert_null(os.version);
}

static void os__reads_redhat_release_lines(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(
        parse(f, &os, "/etc/redhat-release", "Red Hat Enterprise Linux release 9.3 (Plow)\n"), 0);
    assert_string_equal(os.id, "rhel");
    assert_string_equal(os.version, "9.3");
    assert_string_equal(os.codename, "Plow");
    assert_string_equal(os.pretty, "Red Hat Enterprise Linux release 9.3 (Plow)");

    struct customs_os c7 = {0};
    assert_int_equal(parse(f, &c7, "/etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)"),
                     0);
    assert_string_equal(c7.id, "centos");
    assert_string_equal(c7.version, "7.9.2009");

    struct customs_os fed = {0};
    assert_int_equal(parse(f, &fed, "/etc/redhat-release", "Fedora release 39 (Thirty Nine)\n"), 0);
    assert_string_equal(fed.id, "fedora");
    assert_string_equal(fed.codename, "Thirty Nine");

    struct customs_os other = {0};
    assert_int_equal(parse(f, &other, "/etc/redhat-release", "Foobar Linux release 2\n"), 0);
    assert_string_equal(other.id, "foobar");
    assert_string_equal(other.version, "2");
    assert_null(other.codename);

    struct customs_os odd = {0};
    assert_int_equal(parse(f, &odd, "/etc/redhat-release", "no version here\n"), 0);
    assert_null(odd.id);
    assert_string_equal(odd.pretty, "no version here");
}

static void os__lists_its_files_in_order_of_preference(void **state)
{
    (void)state;
    assert_string_equal(customs_os_files[0], "/etc/os-release");
    assert_string_equal(customs_os_files[1], "/usr/lib/os-release");
    assert_string_equal(customs_os_files[2], "/etc/alpine-release");
    assert_string_equal(customs_os_files[3], "/etc/debian_version");
    assert_string_equal(customs_os_files[4], "/etc/redhat-release");
    assert_null(customs_os_files[5]);
}

static void os__rejects_nul_bytes_and_unknown_files(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    static const char text[] = "ID=debian\n\0";
    assert_int_equal(parse_len(f, &os, "/etc/os-release", text, sizeof(text) - 1),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/etc/os-release:2: NUL byte");
    assert_null(os.id);
    assert_int_equal(parse(f, &os, "/etc/issue", "Debian"), CUSTOMS_EUNSUPPORTED);
    assert_string_equal(f->err.message, "/etc/issue: not an OS release file");
}

static void os__accepts_empty_files(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {0};
    assert_int_equal(parse_len(f, &os, "/etc/os-release", NULL, 0), 0);
    assert_int_equal(parse(f, &os, "/etc/alpine-release", "\n"), 0);
    assert_int_equal(parse(f, &os, "/etc/redhat-release", ""), 0);
    assert_null(os.id);
    assert_null(os.version);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(os__reads_debian_os_release),
        FIXTURE_TEST(os__unquotes_values_like_a_shell),
        FIXTURE_TEST(os__keeps_the_last_assignment_and_drops_empty_values),
        FIXTURE_TEST(os__keeps_fields_set_by_a_more_authoritative_file),
        FIXTURE_TEST(os__reads_alpine_release_alone),
        FIXTURE_TEST(os__fills_the_debian_version_only_when_unset),
        FIXTURE_TEST(os__ignores_debian_version_on_ubuntu),
        FIXTURE_TEST(os__reads_redhat_release_lines),
        FIXTURE_TEST(os__lists_its_files_in_order_of_preference),
        FIXTURE_TEST(os__rejects_nul_bytes_and_unknown_files),
        FIXTURE_TEST(os__accepts_empty_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
