/* SPDX-License-Identifier: Apache-2.0 */
#include "fixture.h"

static const struct customs_pkgdb_kind *kind_for(const char *path)
{
    const struct customs_pkgdb_kind *found = NULL;
    for (const struct customs_pkgdb_kind *k = customs_pkgdb_kinds; k->name != NULL; k++) {
        if (k->wants(path)) {
            assert_null(found); /* at most one parser wants a path */
            found = k;
        }
    }
    return found;
}

static void want(const char *path, const char *kind)
{
    const struct customs_pkgdb_kind *k = kind_for(path);
    if (kind == NULL) {
        if (k != NULL) {
            fail_msg("%s wanted by %s", path, k->name);
        }
        return;
    }
    if (k == NULL) {
        fail_msg("%s wanted by nobody, expected %s", path, kind);
    }
    assert_string_equal(k->name, kind);
}

static void kinds__route_dpkg_paths(void **state)
{
    (void)state;
    want("/var/lib/dpkg/status", "dpkg");
    want("/var/lib/dpkg/status.d/libc6", "dpkg");
    want("/var/lib/dpkg/status.d/base-files", "dpkg");
    want("/var/lib/dpkg/status.d/libc6.md5sums", NULL);
    want("/var/lib/dpkg/status.d/sub/x", NULL);
    want("/var/lib/dpkg/status.d", NULL);
    want("/var/lib/dpkg/status-old", NULL);
    want("/var/lib/dpkg/status.d/", NULL);
    want("/x/var/lib/dpkg/status", NULL);
    want("/var/lib/dpkg/info/python3-six.list", "dpkg-list");
    want("/var/lib/dpkg/info/libc6:amd64.list", "dpkg-list");
    want("/var/lib/dpkg/info/libc6:amd64.md5sums", NULL);
    want("/var/lib/dpkg/info/.list", NULL);
    want("/var/lib/dpkg/info/sub/x.list", NULL);
}

static void kinds__route_apk_and_rpm_paths(void **state)
{
    (void)state;
    want("/lib/apk/db/installed", "apk");
    want("/lib/apk/db/installed.old", NULL);
    want("/var/lib/rpm/rpmdb.sqlite", "rpm");
    want("/usr/lib/sysimage/rpm/rpmdb.sqlite", "rpm");
    want("/var/lib/rpm/Packages", "rpm");
    want("/var/lib/rpm/Packages.db", "rpm");
    want("/usr/lib/sysimage/rpm/Packages.db", "rpm");
    want("/var/lib/rpm/rpmdb.sqlite-wal", NULL);
    want("/usr/lib/sysimage/rpm/Packages", NULL);
}

static void kinds__route_python_metadata(void **state)
{
    (void)state;
    want("/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", "python");
    want("/usr/lib/python3.11/site-packages/six-1.16.0.egg-info/PKG-INFO", "python");
    want("/usr/lib/python3/dist-packages/x.dist-info/RECORD", NULL);
    want("/usr/lib/python3/dist-packages/x.egg-info", NULL);
    want("/METADATA", NULL);
}

static void kinds__route_npm_files(void **state)
{
    (void)state;
    want("/app/package-lock.json", "npm-lock");
    want("/app/node_modules/.package-lock.json", "npm-lock");
    want("/app/node_modules/x/package-lock.json", NULL);
    want("/app/node_modules/lodash/package.json", "npm-package");
    want("/app/node_modules/@babel/core/package.json", "npm-package");
    want("/app/package.json", NULL);
}

static void kinds__end_with_a_null_entry_and_have_parsers(void **state)
{
    size_t n = 0;
    (void)state;
    for (const struct customs_pkgdb_kind *k = customs_pkgdb_kinds; k->name != NULL; k++) {
        assert_non_null(k->wants);
        assert_non_null(k->parse);
        n++;
    }
    assert_int_equal(n, 7);
    assert_ptr_equal(customs_pkgdb_kinds[0].parse, customs_dpkg_parse);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds__route_dpkg_paths),
        cmocka_unit_test(kinds__route_apk_and_rpm_paths),
        cmocka_unit_test(kinds__route_python_metadata),
        cmocka_unit_test(kinds__route_npm_files),
        cmocka_unit_test(kinds__end_with_a_null_entry_and_have_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
