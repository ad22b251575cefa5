/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "inventory/inventory.h"

static int feed(struct customs_os *os, struct customs_arena *a, const char *path, const char *text)
{
    struct customs_error err;
    struct customs_pkgdb_file f = {path, (const uint8_t *)text, strlen(text), 0};
    return customs_os_parse(os, a, &f, &err);
}

static void os__reads_os_release_with_shell_quoting(void **state)
{
    struct customs_arena a;
    struct customs_os os = {0};
    (void)state;
    customs_arena_init(&a);
    assert_int_equal(feed(&os, &a, "/etc/os-release",
                          "# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                          "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"
                          "ID=debian\nHOME_URL='https://x'\nBROKEN\n"),
                     0);
    assert_string_equal(os.id, "debian");
    assert_string_equal(os.version, "12");
    assert_string_equal(os.codename, "bookworm");
    assert_string_equal(os.pretty, "Debian GNU/Linux 12 (bookworm)");
    customs_arena_release(&a);
}

static void os__keeps_fields_from_the_more_authoritative_file(void **state)
{
    struct customs_arena a;
    struct customs_os os = {0};
    (void)state;
    customs_arena_init(&a);
    assert_int_equal(feed(&os, &a, "/etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"), 0);
    assert_int_equal(feed(&os, &a, "/etc/alpine-release", "3.19.0\n"), 0);
    assert_string_equal(os.version, "3.19.1");
    customs_arena_release(&a);
    customs_arena_init(&a);
    memset(&os, 0, sizeof(os));
    assert_int_equal(feed(&os, &a, "/etc/debian_version", "  11.9\n"), 0);
    assert_string_equal(os.id, "debian");
    assert_string_equal(os.version, "11.9");
    memset(&os, 0, sizeof(os));
    assert_int_equal(feed(&os, &a, "/etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n"),
                     0);
    assert_string_equal(os.id, "centos");
    assert_string_equal(os.version, "7.9.2009");
    customs_arena_release(&a);
}

static void os__unescapes_backslashes_in_double_quotes(void **state)
{
    struct customs_arena a;
    struct customs_os os = {0};
    (void)state;
    customs_arena_init(&a);
    assert_int_equal(feed(&os, &a, "/usr/lib/os-release", "PRETTY_NAME=\"say \\\"hi\\\"\"\n"), 0);
    assert_string_equal(os.pretty, "say \"hi\"");
    customs_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(os__reads_os_release_with_shell_quoting),
        cmocka_unit_test(os__keeps_fields_from_the_more_authoritative_file),
        cmocka_unit_test(os__unescapes_backslashes_in_double_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
