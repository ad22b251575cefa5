/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"

/* Entry i of a made-up layer: paths that share prefixes and some that do not, every type,
 * modes that change now and then, links of all lengths (long ones cross chunk boundaries). */
static void make(size_t i, struct customs_entry *e, char *path, size_t psz, char *link,
                 size_t lsz)
{
    static const enum customs_entry_type types[] = {
        CUSTOMS_ENTRY_FILE,    CUSTOMS_ENTRY_DIR,      CUSTOMS_ENTRY_SYMLINK, CUSTOMS_ENTRY_FILE,
        CUSTOMS_ENTRY_HARDLINK, CUSTOMS_ENTRY_OTHER,   CUSTOMS_ENTRY_WHITEOUT, CUSTOMS_ENTRY_OPAQUE,
    };
    memset(e, 0, sizeof(*e));
    e->type = types[(i * 7) % 8];
    e->mode = (i / 5) % 3 == 0 ? 0644 : (i % 11 == 0 ? 04755 : 0755);
    e->size = i; /* not kept */
    e->layer = 3; /* not kept */
    if (i % 97 == 0) {
        /* a long path: 3,000 bytes */
        size_t n = 3000 < psz - 1 ? 3000 : psz - 1;
        memset(path, 'p', n);
        path[0] = '/';
        snprintf(path + n - 12, 13, "/%010zu", i);
    } else {
        snprintf(path, psz, "/usr/lib/%s/d%03zu/f%07zu.txt", i % 3 ? "x86_64" : "share",
                 i / 1000, i);
    }
    e->path = path;
    if (e->type == CUSTOMS_ENTRY_SYMLINK || e->type == CUSTOMS_ENTRY_HARDLINK) {
        size_t n = (i * 131) % (lsz - 1);
        for (size_t k = 0; k < n; k++) {
            link[k] = (char)('a' + (i + k) % 26);
        }
        link[n] = '\0';
        e->link = link;
    }
}

static void check(const struct customs_entry *got, size_t i)
{
    char path[4200];
    char link[9000];
    struct customs_entry want;
    make(i, &want, path, sizeof(path), link, sizeof(link));
    assert_string_equal(got->path, want.path);
    assert_int_equal(got->type, want.type);
    assert_int_equal(got->mode, want.mode);
    assert_int_equal(got->size, 0);
    assert_int_equal(got->layer, -1);
    if (want.link != NULL) {
        assert_non_null(got->link);
        assert_string_equal(got->link, want.link);
    } else {
        assert_null(got->link);
    }
}

static void entries__keep_path_type_mode_and_link_in_order_and_at_random(void **state)
{
    enum { N = 20000 };
    struct customs_entries l;
    struct customs_entries_reader rd;
    struct customs_entry e;
    char path[4200];
    char link[9000];
    (void)state;
    customs_entries_init(&l);
    for (size_t i = 0; i < N; i++) {
        make(i, &e, path, sizeof(path), link, sizeof(link));
        assert_int_equal(customs_entries_add(&l, &e), 0);
    }
    assert_int_equal(customs_entries_count(&l), N);
    assert_int_equal(customs_entries_reader_init(&rd, &l), 0);
    size_t i = 0;
    while (customs_entries_next(&rd, &e)) {
        check(&e, i++);
    }
    assert_int_equal(i, N);
    /* any entry, in any order: backwards, strided, repeated, then in order from there */
    for (size_t k = N; k-- > 0;) {
        assert_true(customs_entries_get(&rd, k, &e));
        check(&e, k);
    }
    srand(7);
    for (int k = 0; k < 5000; k++) {
        size_t at = (size_t)rand() % N;
        assert_true(customs_entries_get(&rd, at, &e));
        check(&e, at);
        if (at + 1 < N) {
            assert_true(customs_entries_next(&rd, &e));
            check(&e, at + 1);
        }
    }
    assert_false(customs_entries_get(&rd, N, &e));
    customs_entries_reader_release(&rd);
    customs_entries_release(&l);
}

static void entries__cost_about_ten_bytes_for_neighbouring_paths(void **state)
{
    enum { N = 100000 };
    struct customs_entries l;
    char path[64];
    (void)state;
    customs_entries_init(&l);
    for (size_t i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "/data/d%04zu/f%07zu.txt", i / 1000, i);
        struct customs_entry e = {path, CUSTOMS_ENTRY_FILE, 16, 0644, NULL, 0};
        assert_int_equal(customs_entries_add(&l, &e), 0);
    }
    size_t bytes = 0;
    for (size_t k = 0; k < l.chunks.len; k++) {
        bytes += 256u * 1024; /* every chunk here is the default size */
    }
    bytes += l.blocks.cap * sizeof(void *);
    assert_true(bytes / N <= 12); /* a struct customs_entry alone is 48 */
    customs_entries_release(&l);
}

/* A reader reads what the list held when it was made, even as the list grows. */
static void entries__reader_reads_the_list_as_it_was(void **state)
{
    struct customs_entries l;
    struct customs_entries_reader rd;
    struct customs_entry e = {"/a", CUSTOMS_ENTRY_FILE, 0, 0644, NULL, 0};
    struct customs_entry got;
    (void)state;
    customs_entries_init(&l);
    assert_int_equal(customs_entries_add(&l, &e), 0);
    assert_int_equal(customs_entries_reader_init(&rd, &l), 0);
    e.path = "/a-much-longer-path-than-the-reader-has-room-for";
    assert_int_equal(customs_entries_add(&l, &e), 0);
    assert_true(customs_entries_next(&rd, &got));
    assert_string_equal(got.path, "/a");
    assert_false(customs_entries_next(&rd, &got));
    customs_entries_reader_release(&rd);
    customs_entries_release(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entries__keep_path_type_mode_and_link_in_order_and_at_random),
        cmocka_unit_test(entries__cost_about_ten_bytes_for_neighbouring_paths),
        cmocka_unit_test(entries__reader_reads_the_list_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
