/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"

#define F(p, l) {p, CUSTOMS_ENTRY_FILE, 1, 0644, NULL, l}
#define D(p, l) {p, CUSTOMS_ENTRY_DIR, 0, 0755, NULL, l}
#define S(p, t, l) {p, CUSTOMS_ENTRY_SYMLINK, 0, 0777, t, l}
#define H(p, t, l) {p, CUSTOMS_ENTRY_HARDLINK, 0, 0644, t, l}
#define W(p, l) {p, CUSTOMS_ENTRY_WHITEOUT, 0, 0, NULL, l}
#define O(p, l) {p, CUSTOMS_ENTRY_OPAQUE, 0, 0, NULL, l}

static const struct customs_entry layer0[] = {
    D("/app", 0), F("/app/a", 0), F("/app/b", 0), D("/app/cache", 0), F("/app/cache/x", 0),
    D("/app/dir", 0), F("/app/dir/inner", 0), F("/app/dir2/deep/f", 0), F("/keep", 0),
    S("/etc/os-release", "../usr/lib/os-release", 0), F("/usr/lib/os-release", 0),
    S("/loop/a", "b", 0), S("/loop/b", "a", 0), S("/abs", "/usr/lib", 0),
    H("/usr/lib/hard", "/usr/lib/os-release", 0), S("/up", "../../../../usr/lib/os-release", 0),
};

static const struct customs_entry layer1[] = {
    W("/app/a", 1), O("/app/cache", 1), F("/app/cache/y", 1), F("/app/dir", 1),
    W("/app/dir2", 1), F("/app/b", 1),
};

static void view(struct customs_fsview *fs)
{
    customs_fsview_init(fs, 40);
    assert_int_equal(customs_fsview_apply(fs, layer0, sizeof(layer0) / sizeof(layer0[0])), 0);
    assert_int_equal(customs_fsview_apply(fs, layer1, sizeof(layer1) / sizeof(layer1[0])), 0);
}

static void fsview__applies_whiteouts_opaque_dirs_and_replacements(void **state)
{
    struct customs_fsview fs;
    (void)state;
    view(&fs);
    assert_null(customs_fsview_get(&fs, "/app/a"));            /* whited out */
    assert_int_equal(customs_fsview_get(&fs, "/app/b")->layer, 1); /* replaced */
    assert_null(customs_fsview_get(&fs, "/app/cache/x"));      /* hidden by the opaque dir */
    assert_non_null(customs_fsview_get(&fs, "/app/cache/y"));  /* the upper layer's own file */
    assert_non_null(customs_fsview_get(&fs, "/app/cache"));    /* the directory itself stays */
    assert_int_equal(customs_fsview_get(&fs, "/app/dir")->type, CUSTOMS_ENTRY_FILE);
    assert_null(customs_fsview_get(&fs, "/app/dir/inner"));    /* dir replaced by a file */
    assert_null(customs_fsview_get(&fs, "/app/dir2/deep/f"));  /* whiteout of a whole tree */
    assert_non_null(customs_fsview_get(&fs, "/keep"));
    customs_fsview_release(&fs);
}

static void fsview__resolves_symlinks_relative_absolute_and_hardlinks(void **state)
{
    struct customs_fsview fs;
    struct customs_error err = {0};
    const struct customs_entry *e = NULL;
    (void)state;
    view(&fs);
    assert_int_equal(customs_fsview_resolve(&e, &fs, "/etc/os-release", &err), 0);
    assert_non_null(e);
    assert_string_equal(e->path, "/usr/lib/os-release");
    assert_int_equal(customs_fsview_resolve(&e, &fs, "/abs/os-release", &err), 0);
    assert_string_equal(e->path, "/usr/lib/os-release");
    assert_int_equal(customs_fsview_resolve(&e, &fs, "/usr/lib/hard", &err), 0);
    assert_string_equal(e->path, "/usr/lib/os-release");
    /* ".." never climbs out of the image root */
    assert_int_equal(customs_fsview_resolve(&e, &fs, "/up", &err), 0);
    assert_string_equal(e->path, "/usr/lib/os-release");
    assert_int_equal(customs_fsview_resolve(&e, &fs, "/nothing/here", &err), 0);
    assert_null(e);
    customs_fsview_release(&fs);
}

static void fsview__stops_symlink_loops(void **state)
{
    struct customs_fsview fs;
    struct customs_error err = {0};
    const struct customs_entry *e = NULL;
    (void)state;
    view(&fs);
    assert_int_equal(customs_fsview_resolve(&e, &fs, "/loop/a", &err), CUSTOMS_ELIMIT);
    assert_non_null(strstr(err.message, "symlink"));
    assert_null(e);
    customs_fsview_release(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fsview__applies_whiteouts_opaque_dirs_and_replacements),
        cmocka_unit_test(fsview__resolves_symlinks_relative_absolute_and_hardlinks),
        cmocka_unit_test(fsview__stops_symlink_loops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
