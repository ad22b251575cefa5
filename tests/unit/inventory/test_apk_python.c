/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apk__reads_packages_with_origin_and_license),
        cmocka_unit_test(python__normalises_names_per_pep_503),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
