/* SPDX-License-Identifier: Apache-2.0 */
/* --skip-dirs and --skip-files patterns (src/image/skip.c): the doublestar glob syntax, the
 * pattern forms users write ("/usr/lib", "./usr/lib", "usr/lib/"), what a skipped directory
 * covers, and patterns refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"

static void test_glob(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *path;
        bool match;
    } cases[] = {
        {"usr/lib", "/usr/lib", true},
        {"usr/lib", "usr/lib", true},
        {"usr/lib", "/usr/lib64", false},
        {"usr/lib", "/usr", false},
        {"usr/*", "/usr/lib", true},
        {"usr/*", "/usr/lib/x", false},     /* `*` stays within a segment */
        {"*.pem", "/a.pem", true},
        {"*.pem", "/etc/a.pem", false},
        {"**/*.pem", "/a.pem", true},       /* `**` matches no segment too */
        {"**/*.pem", "/etc/ssl/private/a.pem", true},
        {"**/*.pem", "/etc/ssl/a.pem.bak", false},
        {"opt/**/test", "/opt/test", true},
        {"opt/**/test", "/opt/a/b/c/test", true},
        {"opt/**/test", "/opt/a/b/c/test2", false},
        {"opt/**", "/opt", true},
        {"opt/**", "/opt/a/b", true},
        {"opt/**", "/optx", false},
        {"**", "/anything/at/all", true},
        {"a?c", "/abc", true},
        {"a?c", "/a/c", false},             /* `?` is no separator */
        {"[ab]x", "/bx", true},
        {"[!ab]x", "/bx", false},
        {"[^ab]x", "/cx", true},
        {"[a-c]x", "/cx", true},
        {"[a-c]x", "/dx", false},
        {"a\\*b", "/a*b", true},
        {"a\\*b", "/axb", false},
        {"a*b*c", "/aXbYbZc", true},
        {"a*b*c", "/aXbYbZ", false},
        /* `**` after `**`: no exponential search (trying every split of the rest at every `**`
         * would take hours here) */
        {"**/a/**/a/**/a/**/a/**/a/**/a/**/b",
         "/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
         "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/c", false},
        {"**/a/**/a/**/b", "/x/a/y/a/z/b", true},
        {"a/**/b/**/c", "/a/b/c", true},
        {"a/**/b/**/c", "/a/b/x/b/c/d", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = customs_glob_match(cases[i].pattern, cases[i].path);
        if (got != cases[i].match) {
            fail_msg("'%s' against '%s': %d, expected %d", cases[i].pattern, cases[i].path, got,
                     cases[i].match);
        }
    }
}

static void test_skip(void **state)
{
    (void)state;
    struct customs_skip s;
    struct customs_error err = {0};
    const char *dirs[] = {"/var/lib/dpkg/", "./home/*/.cache", "{opt,srv}/vendor", NULL};
    const char *files[] = {"**/*.{key,pem}", NULL};
    assert_int_equal(customs_skip_init(&s, dirs, files, &err), 0);
    assert_false(customs_skip_is_empty(&s));
    /* a skipped directory, and everything under it */
    assert_true(customs_skip_path(&s, "/var/lib/dpkg", true));
    assert_true(customs_skip_path(&s, "/var/lib/dpkg/status", false));
    assert_true(customs_skip_path(&s, "/var/lib/dpkg/info/x.list", false));
    assert_false(customs_skip_path(&s, "/var/lib/dpkg2/status", false));
    assert_false(customs_skip_path(&s, "/var/lib", true));
    /* a file named like a skipped directory is not skipped by --skip-dirs */
    assert_false(customs_skip_path(&s, "/var/lib/dpkg", false));
    assert_true(customs_skip_path(&s, "/home/ann/.cache/x/y", false));
    assert_false(customs_skip_path(&s, "/home/ann/x/.cache", true));
    assert_true(customs_skip_path(&s, "/srv/vendor/a", false));
    assert_true(customs_skip_path(&s, "/opt/vendor", true));
    assert_true(customs_skip_dir(&s, "/opt/vendor"));
    assert_false(customs_skip_dir(&s, "/opt"));
    /* files */
    assert_true(customs_skip_path(&s, "/etc/ssl/a.pem", false));
    assert_true(customs_skip_path(&s, "/a.key", false));
    assert_false(customs_skip_path(&s, "/etc/ssl/a.pem", true)); /* a directory so named */
    assert_false(customs_skip_path(&s, "/etc/ssl/a.crt", false));
    customs_skip_release(&s);

    /* nothing to skip */
    assert_int_equal(customs_skip_init(&s, NULL, NULL, &err), 0);
    assert_true(customs_skip_is_empty(&s));
    assert_false(customs_skip_path(&s, "/etc/passwd", false));
    customs_skip_release(&s);
    assert_true(customs_skip_is_empty(NULL));
    assert_false(customs_skip_path(NULL, "/etc/passwd", false));
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *says;
    } cases[] = {
        {"/", "the root"},
        {"./", "the root"},
        {"", "the root"},
        {"usr/[abc", "'[' at 5 is not closed"},
        {"{a,b", "'{' at 1 is not closed"},
        {"{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}", "more than 256 alternatives"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct customs_skip s;
        struct customs_error err = {0};
        const char *dirs[] = {cases[i].pattern, NULL};
        assert_int_equal(customs_skip_init(&s, dirs, NULL, &err), CUSTOMS_EINVAL);
        if (strstr(err.message, cases[i].says) == NULL ||
            strstr(err.message, "--skip-dirs") == NULL) {
            fail_msg("'%s': %s", cases[i].pattern, err.message);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
