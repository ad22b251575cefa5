/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void fmt__fits_exactly_or_reports_the_clip(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(customs_fmt(out, sizeof(out), "%s/%d", "abc", 123), 0);
    assert_string_equal(out, "abc/123");
    assert_int_equal(customs_fmt(out, sizeof(out), "%s/%d", "abcd", 123), CUSTOMS_ELIMIT);
    assert_int_equal(strlen(out), sizeof(out) - 1);
    assert_int_equal(customs_fmt(out, 0, "x"), CUSTOMS_EINVAL);
}

static void fmt_clip__marks_a_clipped_message(void **state)
{
    (void)state;
    char out[10];
    customs_fmt_clip(out, sizeof(out), "%s", "short");
    assert_string_equal(out, "short");
    customs_fmt_clip(out, sizeof(out), "%s", "much too long a message");
    assert_string_equal(out, "much t...");
}

static void fmt_clip__never_splits_a_utf8_character(void **state)
{
    (void)state;
    char out[10];
    /* "abcde" then U+00E9 (2 bytes) straddling the cut at byte 6 */
    customs_fmt_clip(out, sizeof(out), "%s", "abcde\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_string_equal(out, "abcde...");
    customs_fmt_clip(out, sizeof(out), "%s", "abcdef\xe2\x80\xa6xyz");
    assert_string_equal(out, "abcdef...");
}

static void error_prefix__clips_visibly(void **state)
{
    (void)state;
    struct customs_error err = {0};
    char big[2000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    customs_error_set(&err, CUSTOMS_EIO, "%s", big);
    assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
    assert_string_equal(err.message + sizeof(err.message) - 4, "...");
    customs_error_set(&err, CUSTOMS_EIO, "inner");
    customs_error_prefix(&err, "outer");
    assert_string_equal(err.message, "outer: inner");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fmt__fits_exactly_or_reports_the_clip),
        cmocka_unit_test(fmt_clip__marks_a_clipped_message),
        cmocka_unit_test(fmt_clip__never_splits_a_utf8_character),
        cmocka_unit_test(error_prefix__clips_visibly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
