/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/jsonw.h"

struct mem {
    char *text;
    size_t len;
    FILE *fp;
};

static void mem_open(struct mem *m)
{
    m->text = NULL;
    m->len = 0;
    m->fp = open_memstream(&m->text, &m->len);
    assert_non_null(m->fp);
}

static void mem_close(struct mem *m)
{
    fclose(m->fp);
    free(m->text);
}

/* The compact JSON of one string value. */
static void assert_string_written(const char *in, size_t len, const char *want)
{
    struct mem m;
    struct customs_jsonw w;
    mem_open(&m);
    customs_jsonw_init(&w, m.fp, false);
    customs_jsonw_string_n(&w, in, len);
    assert_int_equal(customs_jsonw_finish(&w, NULL), 0);
    assert_string_equal(m.text, want);
    mem_close(&m);
}

static void jsonw__escapes_quotes_backslashes_and_control_characters(void **state)
{
    (void)state;
    assert_string_written("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
    assert_string_written("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
    assert_string_written("\x1b[31m\x7f", 6, "\"\\u001b[31m\\u007f\"");
    assert_string_written("nul\0x", 5, "\"nul\\u0000x\"");
    /* C1 controls (U+0085, U+009B CSI) are escaped too, other non-ASCII passes through */
    assert_string_written("\xc2\x85\xc2\x9b\xc2\xa0\xc3\xa9", 8,
                          "\"\\u0085\\u009b\xc2\xa0\xc3\xa9\"");
}

static void jsonw__replaces_each_maximal_invalid_utf8_subpart_by_one_replacement_char(void **state)
{
    (void)state;
#define R "\xef\xbf\xbd"
    assert_string_written("\xff", 1, "\"" R "\"");
    assert_string_written("a\xc0\xafz", 4, "\"a" R R "z\"");         /* overlong '/' */
    assert_string_written("\xed\xa0\x80", 3, "\"" R R R "\"");       /* a surrogate */
    assert_string_written("\xe2\x82", 2, "\"" R "\"");               /* truncated euro */
    assert_string_written("\xe2\x82x", 3, "\"" R "x\"");
    assert_string_written("\xf4\x90\x80\x80", 4, "\"" R R R R "\""); /* above U+10FFFF */
    assert_string_written("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    assert_string_written("\xe2\x82\xac\xf0\x9f", 5, "\"\xe2\x82\xac" R "\"");
    assert_string_written("\xef\xbf\xbd", 3, "\"" R "\"");
#undef R
}

static void jsonw__decodes_utf8_sequence_lengths_and_code_points(void **state)
{
    uint32_t cp = 0;
    (void)state;
    assert_int_equal(customs_utf8_decode((const uint8_t *)"\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xe9);
    assert_int_equal(customs_utf8_decode((const uint8_t *)"\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1f600);
    assert_int_equal(customs_utf8_decode((const uint8_t *)"\xf0\x9f\x98", 3, &cp), 3);
    assert_int_equal(cp, 0xfffd);
    assert_int_equal(customs_utf8_decode((const uint8_t *)"\xe0\x80\x80", 3, &cp), 1);
    assert_int_equal(cp, 0xfffd);
}

static void jsonw__pretty_prints_nested_values_with_two_space_indentation(void **state)
{
    struct mem m;
    struct customs_jsonw w;
    (void)state;
    mem_open(&m);
    customs_jsonw_init(&w, m.fp, true);
    customs_jsonw_object_begin(&w);
    customs_jsonw_kv_string(&w, "a", NULL);
    customs_jsonw_key(&w, "list");
    customs_jsonw_array_begin(&w);
    customs_jsonw_u64(&w, UINT64_MAX);
    customs_jsonw_i64(&w, INT64_MIN);
    customs_jsonw_bool(&w, true);
    customs_jsonw_object_begin(&w);
    customs_jsonw_object_end(&w);
    customs_jsonw_array_begin(&w);
    customs_jsonw_array_end(&w);
    customs_jsonw_array_end(&w);
    customs_jsonw_kv_bool(&w, "z", false);
    customs_jsonw_object_end(&w);
    assert_int_equal(customs_jsonw_finish(&w, NULL), 0);
    assert_string_equal(m.text, "{\n"
                                "  \"a\": null,\n"
                                "  \"list\": [\n"
                                "    18446744073709551615,\n"
                                "    -9223372036854775808,\n"
                                "    true,\n"
                                "    {},\n"
                                "    []\n"
                                "  ],\n"
                                "  \"z\": false\n"
                                "}\n");
    mem_close(&m);
}

static void jsonw__rejects_nesting_beyond_its_depth_cap(void **state)
{
    struct mem m;
    struct customs_jsonw w;
    struct customs_error err = {0};
    (void)state;
    mem_open(&m);
    customs_jsonw_init(&w, m.fp, false);
    for (int i = 0; i < CUSTOMS_JSONW_DEPTH_MAX + 1; i++) {
        customs_jsonw_array_begin(&w);
    }
    for (int i = 0; i < CUSTOMS_JSONW_DEPTH_MAX + 1; i++) {
        customs_jsonw_array_end(&w);
    }
    assert_int_equal(customs_jsonw_finish(&w, &err), CUSTOMS_ELIMIT);
    assert_string_equal(err.message, "JSON output: nesting deeper than 32");
    mem_close(&m);
}

static void jsonw__reports_misuse_as_invalid(void **state)
{
    struct mem m;
    struct customs_jsonw w;
    (void)state;

    mem_open(&m); /* a value in an object without a key */
    customs_jsonw_init(&w, m.fp, false);
    customs_jsonw_object_begin(&w);
    customs_jsonw_u64(&w, 1);
    customs_jsonw_object_end(&w);
    assert_int_equal(customs_jsonw_finish(&w, NULL), CUSTOMS_EINVAL);
    mem_close(&m);

    mem_open(&m); /* a key in an array */
    customs_jsonw_init(&w, m.fp, false);
    customs_jsonw_array_begin(&w);
    customs_jsonw_key(&w, "k");
    assert_int_equal(customs_jsonw_finish(&w, NULL), CUSTOMS_EINVAL);
    mem_close(&m);

    mem_open(&m); /* unclosed, then mismatched */
    customs_jsonw_init(&w, m.fp, false);
    customs_jsonw_array_begin(&w);
    assert_int_equal(customs_jsonw_finish(&w, NULL), CUSTOMS_EINVAL);
    customs_jsonw_init(&w, m.fp, false);
    customs_jsonw_array_begin(&w);
    customs_jsonw_object_end(&w);
    assert_int_equal(customs_jsonw_finish(&w, NULL), CUSTOMS_EINVAL);
    mem_close(&m);

    mem_open(&m); /* two top-level values */
    customs_jsonw_init(&w, m.fp, false);
    customs_jsonw_null(&w);
    customs_jsonw_null(&w);
    assert_int_equal(customs_jsonw_finish(&w, NULL), CUSTOMS_EINVAL);
    mem_close(&m);
}

static void jsonw__reports_a_failing_stream_as_io_error(void **state)
{
    struct customs_jsonw w;
    struct customs_error err = {0};
    (void)state;
    FILE *fp = fopen("/dev/full", "w");
    if (fp == NULL) {
        skip();
    }
    customs_jsonw_init(&w, fp, true);
    customs_jsonw_array_begin(&w);
    for (int i = 0; i < 10000; i++) {
        customs_jsonw_string(&w, "a string long enough to fill the stdio buffer quickly");
    }
    customs_jsonw_array_end(&w);
    assert_int_equal(customs_jsonw_finish(&w, &err), CUSTOMS_EIO);
    assert_string_equal(err.message, "writing JSON output: I/O error");
    fclose(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonw__escapes_quotes_backslashes_and_control_characters),
        cmocka_unit_test(jsonw__replaces_each_maximal_invalid_utf8_subpart_by_one_replacement_char),
        cmocka_unit_test(jsonw__decodes_utf8_sequence_lengths_and_code_points),
        cmocka_unit_test(jsonw__pretty_prints_nested_values_with_two_space_indentation),
        cmocka_unit_test(jsonw__rejects_nesting_beyond_its_depth_cap),
        cmocka_unit_test(jsonw__reports_misuse_as_invalid),
        cmocka_unit_test(jsonw__reports_a_failing_stream_as_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
