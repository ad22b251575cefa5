/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void buf__fails_with_limit_at_its_cap_and_keeps_its_contents(void **state)
{
    struct customs_buf b;
    (void)state;
    customs_buf_init(&b, 8);
    assert_int_equal(customs_buf_puts(&b, "12345"), 0);
    assert_int_equal(customs_buf_puts(&b, "6789"), CUSTOMS_ELIMIT);
    assert_string_equal(customs_buf_cstr(&b), "12345");
    assert_int_equal(customs_buf_printf(&b, "%d", 678), 0);
    assert_string_equal(customs_buf_cstr(&b), "12345678");
    assert_int_equal(customs_buf_puts(&b, "x"), CUSTOMS_ELIMIT);
    customs_buf_release(&b);
}

static void cursor__reads_within_bounds_or_not_at_all(void **state)
{
    static const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0xff};
    struct customs_cursor c;
    uint32_t v32 = 0;
    uint64_t v64 = 0;
    (void)state;
    customs_cursor_init(&c, data, sizeof(data));
    assert_int_equal(customs_cursor_be32(&c, &v32), 0);
    assert_int_equal(v32, 0x01020304);
    assert_int_equal(customs_cursor_le32(&c, &v32), CUSTOMS_EMALFORMED);
    assert_int_equal(customs_cursor_left(&c), 2);
    assert_int_equal(customs_cursor_uvarint(&c, &v64), 0);
    assert_int_equal(v64, 5);
    assert_int_equal(customs_cursor_uvarint(&c, &v64), CUSTOMS_EMALFORMED); /* 0xff: unterminated */
    assert_int_equal(customs_cursor_left(&c), 1);
}

static void arena__hands_out_zeroed_aligned_memory_across_chunks(void **state)
{
    struct customs_arena a;
    (void)state;
    customs_arena_init(&a);
    for (int i = 0; i < 5000; i++) {
        char *p = customs_arena_alloc(&a, 37);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_int_equal(p[36], 0);
        memset(p, 'x', 37);
    }
    char *big = customs_arena_alloc(&a, 1 << 20);
    assert_non_null(big);
    assert_string_equal(customs_arena_printf(&a, "%s-%d", "ab", 7), "ab-7");
    customs_arena_release(&a);
}

static void arena__reset_keeps_one_chunk_and_hands_it_out_again_zeroed(void **state)
{
    struct customs_arena a;
    (void)state;
    customs_arena_init(&a);
    customs_arena_reset(&a); /* empty: nothing to keep */
    char *first = customs_arena_alloc(&a, 100);
    assert_non_null(first);
    memset(first, 'x', 100);
    for (int i = 0; i < 3000; i++) { /* more than one chunk */
        assert_non_null(customs_arena_alloc(&a, 64));
    }
    assert_non_null(customs_arena_alloc(&a, 1 << 20));
    assert_true(a.total > (1u << 20));
    customs_arena_reset(&a);
    assert_true(a.total <= 65536u);
    char *again = customs_arena_alloc(&a, 100);
    assert_non_null(again);
    assert_int_equal((uintptr_t)again % 16, 0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(again[i], 0);
    }
    assert_int_equal(a.total, 65536u); /* the kept chunk served it */
    customs_arena_release(&a);
    assert_null(a.head);
}

static void sha256__matches_the_known_digest_of_abc(void **state)
{
    struct customs_sha256 s;
    char out[CUSTOMS_DIGEST_MAX];
    (void)state;
    assert_int_equal(customs_sha256_init(&s), 0);
    customs_sha256_update(&s, "abc", 3);
    assert_int_equal(customs_sha256_final(&s, out), 0);
    assert_string_equal(out,
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_true(customs_digest_is_valid(out));
    assert_false(customs_digest_is_valid("sha256:BA78"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf__fails_with_limit_at_its_cap_and_keeps_its_contents),
        cmocka_unit_test(cursor__reads_within_bounds_or_not_at_all),
        cmocka_unit_test(arena__hands_out_zeroed_aligned_memory_across_chunks),
        cmocka_unit_test(arena__reset_keeps_one_chunk_and_hands_it_out_again_zeroed),
        cmocka_unit_test(sha256__matches_the_known_digest_of_abc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
