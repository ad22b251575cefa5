/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"

#define F(p) {p, CUSTOMS_ENTRY_FILE, 1, 0644, NULL, 0}
#define D(p) {p, CUSTOMS_ENTRY_DIR, 0, 0755, NULL, 0}
#define S(p, t) {p, CUSTOMS_ENTRY_SYMLINK, 0, 0777, t, 0}
#define H(p, t) {p, CUSTOMS_ENTRY_HARDLINK, 0, 0644, t, 0}
#define W(p) {p, CUSTOMS_ENTRY_WHITEOUT, 0, 0, NULL, 0}
#define O(p) {p, CUSTOMS_ENTRY_OPAQUE, 0, 0, NULL, 0}

static const struct customs_entry layer0[] = {
    D("/app"), F("/app/a"), F("/app/b"), D("/app/cache"), F("/app/cache/x"),
    D("/app/dir"), F("/app/dir/inner"), F("/app/dir2/deep/f"), F("/keep"),
    S("/etc/os-release", "../usr/lib/os-release"), F("/usr/lib/os-release"),
    S("/loop/a", "b"), S("/loop/b", "a"), S("/abs", "/usr/lib"),
    H("/usr/lib/hard", "/usr/lib/os-release"), S("/up", "../../../../usr/lib/os-release"),
};

static const struct customs_entry layer1[] = {
    W("/app/a"), O("/app/cache"), F("/app/cache/y"), F("/app/dir"),
    W("/app/dir2"), F("/app/b"),
};

static void fill(struct customs_entries *l, const struct customs_entry *e, size_t n)
{
    customs_entries_init(l);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(customs_entries_add(l, &e[i]), 0);
    }
}

struct fixture {
    struct customs_entries l0;
    struct customs_entries l1;
    struct customs_fsview fs;
};

static int setup(void **state)
{
    static struct fixture fx;
    fill(&fx.l0, layer0, sizeof(layer0) / sizeof(layer0[0]));
    fill(&fx.l1, layer1, sizeof(layer1) / sizeof(layer1[0]));
    customs_fsview_init(&fx.fs, 40);
    assert_int_equal(customs_fsview_apply(&fx.fs, &fx.l0), 0);
    assert_int_equal(customs_fsview_apply(&fx.fs, &fx.l1), 0);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    customs_fsview_release(&fx->fs);
    customs_entries_release(&fx->l0);
    customs_entries_release(&fx->l1);
    return 0;
}

/* The layer of the entry at `path`, or -1 when nothing is there. */
static int layer_at(struct customs_fsview *fs, const char *path)
{
    struct customs_fsview_ref ref;
    return customs_fsview_get(fs, path, &ref) ? (int)ref.layer : -1;
}

static void fsview__applies_whiteouts_opaque_dirs_and_replacements(void **state)
{
    struct fixture *fx = *state;
    struct customs_fsview *fs = &fx->fs;
    struct customs_fsview_ref ref;
    struct customs_entry e;
    assert_int_equal(layer_at(fs, "/app/a"), -1);       /* whited out */
    assert_int_equal(layer_at(fs, "/app/b"), 1);        /* replaced */
    assert_int_equal(layer_at(fs, "/app/cache/x"), -1); /* hidden by the opaque dir */
    assert_int_equal(layer_at(fs, "/app/cache/y"), 1);  /* the upper layer's own file */
    assert_int_equal(layer_at(fs, "/app/cache"), 0);    /* the directory itself stays */
    assert_true(customs_fsview_get(fs, "/app/dir", &ref));
    customs_fsview_entry(fs, ref, &e);
    assert_int_equal(e.type, CUSTOMS_ENTRY_FILE);
    assert_string_equal(e.path, "/app/dir");
    assert_int_equal(layer_at(fs, "/app/dir/inner"), -1);   /* dir replaced by a file */
    assert_int_equal(layer_at(fs, "/app/dir2/deep/f"), -1); /* whiteout of a whole tree */
    assert_int_equal(layer_at(fs, "/keep"), 0);
    assert_int_equal(layer_at(fs, "/nothing"), -1);
    /* finality by reference: layer 0's /app/b (entry 2) was replaced, /keep (entry 8) was not */
    assert_false(customs_fsview_is_final(fs, (struct customs_fsview_ref){0, 2}, "/app/b"));
    assert_true(customs_fsview_is_final(fs, (struct customs_fsview_ref){0, 8}, "/keep"));
    assert_true(customs_fsview_is_final(fs, (struct customs_fsview_ref){1, 5}, "/app/b"));
}

static void fsview__resolves_symlinks_relative_absolute_and_hardlinks(void **state)
{
    struct fixture *fx = *state;
    struct customs_fsview *fs = &fx->fs;
    struct customs_error err = {0};
    struct customs_fsview_ref ref;
    struct customs_entry e;
    bool found = false;
    const char *to_release[] = {"/etc/os-release", "/abs/os-release", "/usr/lib/hard", "/up"};
    for (size_t i = 0; i < sizeof(to_release) / sizeof(to_release[0]); i++) {
        assert_int_equal(customs_fsview_resolve(&ref, &found, fs, to_release[i], &err), 0);
        assert_true(found);
        customs_fsview_entry(fs, ref, &e);
        /* ".." never climbs out of the image root (/up) */
        assert_string_equal(e.path, "/usr/lib/os-release");
    }
    assert_int_equal(customs_fsview_resolve(&ref, &found, fs, "/nothing/here", &err), 0);
    assert_false(found);
}

static void fsview__stops_symlink_loops(void **state)
{
    struct fixture *fx = *state;
    struct customs_error err = {0};
    struct customs_fsview_ref ref;
    bool found = true;
    assert_int_equal(customs_fsview_resolve(&ref, &found, &fx->fs, "/loop/a", &err),
                     CUSTOMS_ELIMIT);
    assert_non_null(strstr(err.message, "symlink"));
    assert_false(found);
}

static void fsview__says_which_layer_touches_a_path(void **state)
{
    struct fixture *fx = *state;
    bool t = false;
    assert_int_equal(customs_fsview_touches(&fx->fs, 1, "/app/a", &t), 0);
    assert_true(t); /* its whiteout */
    assert_int_equal(customs_fsview_touches(&fx->fs, 1, "/app/cache/x", &t), 0);
    assert_true(t); /* an opaque parent */
    assert_int_equal(customs_fsview_touches(&fx->fs, 1, "/app/dir/inner", &t), 0);
    assert_true(t); /* a file where its directory was */
    assert_int_equal(customs_fsview_touches(&fx->fs, 1, "/app/dir2/deep/f", &t), 0);
    assert_true(t); /* a whited-out ancestor */
    assert_int_equal(customs_fsview_touches(&fx->fs, 1, "/keep", &t), 0);
    assert_false(t);
    assert_int_equal(customs_fsview_touches(&fx->fs, 0, "/app/b", &t), 0);
    assert_true(t);
}

static int collect(void *ctx, const struct customs_entry *e)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 1024 - len, "%d:%s ", e->layer, e->path);
    return 0;
}

static void fsview__walks_the_final_filesystem_in_layer_and_list_order(void **state)
{
    struct fixture *fx = *state;
    char seen[1024] = "";
    assert_int_equal(customs_fsview_walk(&fx->fs, collect, seen), 0);
    assert_string_equal(seen, "0:/app 0:/app/cache 0:/keep 0:/etc/os-release "
                              "0:/usr/lib/os-release 0:/loop/a 0:/loop/b 0:/abs 0:/usr/lib/hard "
                              "0:/up 1:/app/cache/y 1:/app/dir 1:/app/b ");
}

/* One list applied as two layers (a blob the manifest names twice): two layers of entries. */
static void fsview__applies_one_list_as_several_layers(void **state)
{
    struct customs_entries l;
    struct customs_fsview fs;
    struct customs_fsview_ref ref;
    static const struct customs_entry e[] = {F("/a"), D("/d"), F("/d/x")};
    (void)state;
    fill(&l, e, 3);
    customs_fsview_init(&fs, 40);
    assert_int_equal(customs_fsview_apply(&fs, &l), 0);
    assert_int_equal(customs_fsview_apply(&fs, &l), 0);
    assert_true(customs_fsview_get(&fs, "/d/x", &ref));
    assert_int_equal(ref.layer, 1);
    assert_int_equal(ref.index, 2);
    assert_false(customs_fsview_is_final(&fs, (struct customs_fsview_ref){0, 2}, "/d/x"));
    customs_fsview_release(&fs);
    customs_entries_release(&l);
}

/* Layers applied one by one without a reservation: the index grows and keeps every entry,
 * deletions included (tombstones are dropped by the rebuild). */
static void fsview__grows_its_index_across_many_layers(void **state)
{
    enum { LAYERS = 40, PER = 500 };
    static struct customs_entries lists[LAYERS];
    struct customs_fsview fs;
    char path[64];
    (void)state;
    customs_fsview_init(&fs, 40);
    for (int k = 0; k < LAYERS; k++) {
        customs_entries_init(&lists[k]);
        for (int i = 0; i < PER; i++) {
            /* every layer rewrites the files of the one before it, and adds as many new */
            snprintf(path, sizeof(path), "/data/f%05d", k * PER / 2 + i);
            struct customs_entry e = F(path);
            assert_int_equal(customs_entries_add(&lists[k], &e), 0);
        }
        if (k % 4 == 3) {
            /* and some layers delete a file that only the layer below wrote last */
            snprintf(path, sizeof(path), "/data/f%05d", (k - 1) * PER / 2);
            struct customs_entry w = W(path);
            assert_int_equal(customs_entries_add(&lists[k], &w), 0);
        }
        assert_int_equal(customs_fsview_apply(&fs, &lists[k]), 0);
    }
    size_t live = 0;
    for (int f = 0; f < (LAYERS - 1) * PER / 2 + PER; f++) {
        struct customs_fsview_ref ref;
        snprintf(path, sizeof(path), "/data/f%05d", f);
        int k = f / (PER / 2) < LAYERS ? f / (PER / 2) : LAYERS - 1; /* its last writer */
        bool deleted = f % (PER / 2) == 0 && k + 1 < LAYERS && (k + 1) % 4 == 3;
        if (customs_fsview_get(&fs, path, &ref)) {
            live++;
            assert_false(deleted);
            assert_int_equal(ref.layer, (uint32_t)k);
        } else {
            assert_true(deleted);
        }
    }
    assert_int_equal(live, fs.index.live);
    assert_int_equal(live, (size_t)((LAYERS - 1) * PER / 2 + PER - LAYERS / 4));
    customs_fsview_release(&fs);
    for (int k = 0; k < LAYERS; k++) {
        customs_entries_release(&lists[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fsview__applies_whiteouts_opaque_dirs_and_replacements,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(fsview__resolves_symlinks_relative_absolute_and_hardlinks,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(fsview__stops_symlink_loops, setup, teardown),
        cmocka_unit_test_setup_teardown(fsview__says_which_layer_touches_a_path, setup, teardown),
        cmocka_unit_test_setup_teardown(fsview__walks_the_final_filesystem_in_layer_and_list_order,
                                        setup, teardown),
        cmocka_unit_test(fsview__applies_one_list_as_several_layers),
        cmocka_unit_test(fsview__grows_its_index_across_many_layers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
