/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static void feed(struct parsed *p, customs_pkgdb_parse_fn fn, const char *path, const char *text)
{
    struct customs_pkgdb_file f = {path, (const uint8_t *)text, strlen(text), 1};
    p->rc = fn(&p->inv, &f, &p->err);
}

static const char lock_v3[] =
    "{\"name\":\"app\",\"lockfileVersion\":3,\"packages\":{"
    "\"\":{\"name\":\"app\",\"dependencies\":{\"express\":\"^4\"},\"devDependencies\":{\"jest\":\"^29\"}},"
    "\"node_modules/express\":{\"version\":\"4.17.1\",\"license\":\"MIT\"},"
    "\"node_modules/jest\":{\"version\":\"29.0.0\",\"dev\":true},"
    "\"node_modules/@babel/core\":{\"version\":\"7.23.0\",\"dev\":true},"
    "\"node_modules/express/node_modules/debug\":{\"version\":\"2.6.9\"},"
    "\"packages/local\":{\"version\":\"1.0.0\"},"
    "\"node_modules/local\":{\"resolved\":\"packages/local\",\"link\":true}}}";

static void npm__reads_lockfile_v3_install_paths_dev_and_direct(void **state)
{
    struct parsed p;
    (void)state;
    parse_with(&p, customs_npm_parse_lock, "/app/package-lock.json", lock_v3, strlen(lock_v3));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 4);
    assert_string_equal(pkg(&p, 0)->name, "express");
    assert_string_equal(pkg(&p, 0)->install_path, "/app/node_modules/express");
    assert_string_equal(pkg(&p, 0)->license, "MIT");
    assert_false(pkg(&p, 0)->indirect);
    assert_false(pkg(&p, 0)->dev);
    assert_string_equal(pkg(&p, 1)->name, "jest");
    assert_true(pkg(&p, 1)->dev);
    assert_string_equal(pkg(&p, 2)->name, "@babel/core");
    assert_true(pkg(&p, 2)->indirect);
    assert_string_equal(pkg(&p, 3)->name, "debug");
    assert_string_equal(pkg(&p, 3)->install_path, "/app/node_modules/express/node_modules/debug");
    assert_true(pkg(&p, 3)->indirect);
    parsed_free(&p);
}

static void npm__reads_lockfile_v1_nested_dependencies(void **state)
{
    struct parsed p;
    const char *v1 = "{\"lockfileVersion\":1,\"dependencies\":{\"a\":{\"version\":\"1.0.0\","
                     "\"dev\":true,\"dependencies\":{\"b\":{\"version\":\"2.0.0\"}}}}}";
    (void)state;
    parse_with(&p, customs_npm_parse_lock, "/srv/package-lock.json", v1, strlen(v1));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 2);
    assert_string_equal(pkg(&p, 1)->install_path, "/srv/node_modules/a/node_modules/b");
    assert_true(pkg(&p, 0)->dev);
    assert_true(pkg(&p, 1)->indirect);
    parsed_free(&p);
}

static void npm__installed_package_json_wins_and_missing_installs_are_dropped(void **state)
{
    struct parsed p;
    (void)state;
    parse_with(&p, customs_npm_parse_lock, "/app/package-lock.json", lock_v3, strlen(lock_v3));
    /* express is installed at another version than the lockfile says; jest (dev) is not */
    feed(&p, customs_npm_parse_package_json, "/app/node_modules/express/package.json",
         "{\"name\":\"express\",\"version\":\"4.17.3\",\"license\":{\"type\":\"MIT\"}}");
    feed(&p, customs_npm_parse_package_json, "/app/node_modules/express/node_modules/debug/package.json",
         "{\"name\":\"debug\",\"version\":\"2.6.9\"}");
    feed(&p, customs_npm_parse_package_json, "/app/node_modules/nameless/package.json",
         "{\"private\":true}");
    assert_int_equal(customs_npm_dedupe(&p.inv), 0);
    assert_int_equal(p.inv.packages.len, 2);
    assert_string_equal(pkg(&p, 0)->name, "express");
    assert_string_equal(pkg(&p, 0)->version, "4.17.3");
    assert_string_equal(pkg(&p, 0)->path, "/app/node_modules/express/package.json");
    assert_false(pkg(&p, 0)->indirect);
    assert_string_equal(pkg(&p, 1)->name, "debug");
    assert_true(pkg(&p, 1)->indirect);
    parsed_free(&p);
}

static void npm__keeps_lockfile_packages_when_nothing_is_installed(void **state)
{
    struct parsed p;
    (void)state;
    parse_with(&p, customs_npm_parse_lock, "/src/package-lock.json", lock_v3, strlen(lock_v3));
    feed(&p, customs_npm_parse_lock, "/src/node_modules/.package-lock.json", lock_v3);
    assert_int_equal(customs_npm_dedupe(&p.inv), 0);
    assert_int_equal(p.inv.packages.len, 4); /* one copy of each, from the first lockfile */
    assert_string_equal(pkg(&p, 0)->path, "/src/package-lock.json");
    parsed_free(&p);
}

static void npm__rejects_bad_json_with_position_and_deep_nesting(void **state)
{
    struct parsed p;
    (void)state;
    parse_with(&p, customs_npm_parse_lock, "/a/package-lock.json", "{\"a\": [1,}", 10);
    assert_int_equal(p.rc, CUSTOMS_EMALFORMED);
    assert_non_null(strstr(p.err.message, "/a/package-lock.json:1:"));
    parsed_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npm__reads_lockfile_v3_install_paths_dev_and_direct),
        cmocka_unit_test(npm__reads_lockfile_v1_nested_dependencies),
        cmocka_unit_test(npm__installed_package_json_wins_and_missing_installs_are_dropped),
        cmocka_unit_test(npm__keeps_lockfile_packages_when_nothing_is_installed),
        cmocka_unit_test(npm__rejects_bad_json_with_position_and_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
