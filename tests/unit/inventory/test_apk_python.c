/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static void apk__reads_packages_with_origin_and_license(void **state)
{
    struct parsed p;
    const char *db = "C:Q1abc=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nL:Apache-2.0\no:openssl\n\n"
                     "P:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nL:MIT\no:musl\n";
    (void)state;
    parse_with(&p, customs_apk_parse, "/lib/apk/db/installed", db, strlen(db));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 2);
    assert_string_equal(pkg(&p, 0)->name, "libcrypto3");
    assert_string_equal(pkg(&p, 0)->version, "3.1.4-r5");
    assert_string_equal(pkg(&p, 0)->source_name, "openssl");
    assert_string_equal(pkg(&p, 0)->license, "Apache-2.0");
    assert_string_equal(pkg(&p, 1)->version, "1.2.4_git20230717-r4");
    parsed_free(&p);
    parse_with(&p, customs_apk_parse, "/lib/apk/db/installed", "P:x\nbroken\n", 11);
    assert_int_equal(p.rc, CUSTOMS_EMALFORMED);
    assert_non_null(strstr(p.err.message, "installed:2:"));
    parsed_free(&p);
}

static void python__normalises_names_per_pep_503(void **state)
{
    struct parsed p;
    const char *md = "Metadata-Version: 2.1\nName: Foo_Bar..Baz\nVersion: 2.0.1\n"
                     "Classifier: License :: OSI Approved :: MIT License\n\nLicense: not this\n";
    (void)state;
    parse_with(&p, customs_python_parse_metadata,
               "/usr/lib/python3/dist-packages/Foo_Bar-2.0.1.dist-info/METADATA", md, strlen(md));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 1);
    assert_string_equal(pkg(&p, 0)->name, "foo-bar-baz");
    assert_string_equal(pkg(&p, 0)->version, "2.0.1");
    assert_string_equal(pkg(&p, 0)->license, "MIT License");
    assert_string_equal(pkg(&p, 0)->type, "pypi");
    parsed_free(&p);
    md = "Name: x\nLicense-Expression: Apache-2.0 OR MIT\nLicense: BSD\nVersion: 1\n";
    parse_with(&p, customs_python_parse_metadata, "/a.egg-info/PKG-INFO", md, strlen(md));
    assert_string_equal(pkg(&p, 0)->license, "Apache-2.0 OR MIT");
    parsed_free(&p);
    parse_with(&p, customs_python_parse_metadata, "/m", "Name: x\n", 8);
    assert_int_equal(p.rc, CUSTOMS_EMALFORMED);
    parsed_free(&p);
}

static const struct customs_owned_path *owned(const struct parsed *p, size_t i)
{
    static const struct customs_owned_path none = {"", ""};
    return i < p->inv.owned.len ? customs_vec_at(&p->inv.owned, i) : &none;
}

static void dpkg_list__records_the_python_directories_a_package_installs(void **state)
{
    struct parsed p;
    /* lines of Debian 12's /var/lib/dpkg/info/python3-six.list */
    const char *list = "/.\n/usr\n/usr/lib\n/usr/lib/python3\n/usr/lib/python3/dist-packages\n"
                       "/usr/lib/python3/dist-packages/six-1.16.0.egg-info\n"
                       "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO\n"
                       "/usr/lib/python3/dist-packages/six.py\n/usr/share/doc/python3-six\n";
    (void)state;
    parse_with(&p, customs_dpkg_parse_list, "/var/lib/dpkg/info/python3-six:amd64.list", list,
               strlen(list));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 0);
    assert_int_equal(p.inv.owned.len, 1);
    assert_string_equal(owned(&p, 0)->path, "/usr/lib/python3/dist-packages/six-1.16.0.egg-info");
    assert_string_equal(owned(&p, 0)->owner, "python3-six");
    parsed_free(&p);
    parse_with(&p, customs_dpkg_parse_list, "/var/lib/dpkg/info/x.list", "/a\0", 3);
    assert_int_equal(p.rc, CUSTOMS_EMALFORMED);
    parsed_free(&p);
}

static void apk__records_the_python_directories_of_each_package(void **state)
{
    struct parsed p;
    const char *db = "P:py3-six\nV:1.16.0-r9\nA:noarch\no:py3-six\n"
                     "F:usr/lib/python3.12/site-packages\nR:six.py\n"
                     "F:usr/lib/python3.12/site-packages/six-1.16.0.dist-info\nR:METADATA\n\n"
                     "P:py3-idna\nV:3.6-r0\n"
                     "F:usr/lib/python3.12/site-packages/idna-3.6.dist-info/\nR:METADATA\n";
    (void)state;
    parse_with(&p, customs_apk_parse, "/lib/apk/db/installed", db, strlen(db));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 2);
    assert_int_equal(p.inv.owned.len, 2);
    assert_string_equal(owned(&p, 0)->path,
                        "/usr/lib/python3.12/site-packages/six-1.16.0.dist-info");
    assert_string_equal(owned(&p, 0)->owner, "py3-six");
    assert_string_equal(owned(&p, 1)->path, "/usr/lib/python3.12/site-packages/idna-3.6.dist-info");
    assert_string_equal(owned(&p, 1)->owner, "py3-idna");
    parsed_free(&p);
}

static void add_python(struct parsed *p, const char *path, const char *name, const char *version)
{
    char md[256];
    struct customs_pkgdb_file f = {path, (const uint8_t *)md, 0, 0};
    snprintf(md, sizeof(md), "Name: %s\nVersion: %s\n", name, version);
    f.len = strlen(md);
    assert_int_equal(customs_python_parse_metadata(&p->inv, &f, &p->err), 0);
}

static void python_settle__marks_os_owned_and_merges_twin_metadata(void **state)
{
    struct parsed p;
    const char *list = "/usr/lib/python3/dist-packages/cryptography-38.0.4.dist-info\n"
                       "/usr/lib/python3/dist-packages/cryptography.egg-info\n";
    (void)state;
    parse_with(&p, customs_dpkg_parse_list, "/var/lib/dpkg/info/python3-cryptography.list", list,
               strlen(list));
    add_python(&p, "/usr/lib/python3/dist-packages/cryptography.egg-info/PKG-INFO",
               "cryptography", "38.0.4");
    add_python(&p, "/usr/lib/python3/dist-packages/cryptography-38.0.4.dist-info/METADATA",
               "cryptography", "38.0.4");
    add_python(&p, "/usr/local/lib/python3.11/dist-packages/cryptography-38.0.4.dist-info/METADATA",
               "cryptography", "38.0.4");
    add_python(&p, "/usr/lib/python3/dist-packages/cryptography.egg/PKG-INFO", "egg", "1");
    add_python(&p, "/usr/lib/python3/dist-packages/six.egg-info/PKG-INFO", "six", "1.16.0");
    assert_int_equal(customs_python_settle(&p.inv), 0);
    assert_int_equal(p.inv.packages.len, 4);
    assert_string_equal(pkg(&p, 0)->path,
                        "/usr/lib/python3/dist-packages/cryptography-38.0.4.dist-info/METADATA");
    assert_string_equal(pkg(&p, 0)->os_package, "python3-cryptography");
    assert_null(pkg(&p, 1)->os_package); /* /usr/local: pip's */
    assert_null(pkg(&p, 2)->os_package); /* a prefix of an owned directory's name */
    assert_null(pkg(&p, 3)->os_package);
    parsed_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apk__reads_packages_with_origin_and_license),
        cmocka_unit_test(python__normalises_names_per_pep_503),
        cmocka_unit_test(dpkg_list__records_the_python_directories_a_package_installs),
        cmocka_unit_test(apk__records_the_python_directories_of_each_package),
        cmocka_unit_test(python_settle__marks_os_owned_and_merges_twin_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
