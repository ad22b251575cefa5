/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void check_clean(const char *in, const char *want)
{
    char out[64];
    assert_int_equal(customs_path_clean(out, sizeof(out), in, strlen(in)), 0);
    assert_string_equal(out, want);
}

static void path_clean__makes_paths_absolute_and_drops_dots(void **state)
{
    (void)state;
    check_clean("etc/passwd", "/etc/passwd");
    check_clean("./usr/lib/", "/usr/lib");
    check_clean("//a///b/./c", "/a/b/c");
    check_clean("", "/");
    check_clean(".", "/");
}

static void path_clean__never_rises_above_root(void **state)
{
    (void)state;
    check_clean("../../etc/passwd", "/etc/passwd");
    check_clean("/a/b/../../../../x", "/x");
    check_clean("a/../..", "/");
    check_clean("usr/lib/../../etc/os-release", "/etc/os-release");
}

static void path_clean__keeps_dotted_names_that_are_not_dot_components(void **state)
{
    (void)state;
    check_clean("a/..b/.c/...", "/a/..b/.c/...");
    check_clean("a/.wh..wh..opq", "/a/.wh..wh..opq");
}

static void path_clean__reports_a_limit_when_the_result_does_not_fit(void **state)
{
    char out[8];
    (void)state;
    assert_int_equal(customs_path_clean(out, sizeof(out), "abcdefgh", 8), CUSTOMS_ELIMIT);
    assert_int_equal(customs_path_clean(out, sizeof(out), "abcdef", 6), 0);
    assert_string_equal(out, "/abcdef");
}

static void path_join__resolves_relative_link_targets(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(customs_path_join(out, sizeof(out), "/etc", "../usr/lib/os-release"), 0);
    assert_string_equal(out, "/usr/lib/os-release");
    assert_int_equal(customs_path_join(out, sizeof(out), "/etc", "/abs/target"), 0);
    assert_string_equal(out, "/abs/target");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_clean__makes_paths_absolute_and_drops_dots),
        cmocka_unit_test(path_clean__never_rises_above_root),
        cmocka_unit_test(path_clean__keeps_dotted_names_that_are_not_dot_components),
        cmocka_unit_test(path_clean__reports_a_limit_when_the_result_does_not_fit),
        cmocka_unit_test(path_join__resolves_relative_link_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
