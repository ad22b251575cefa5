/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report/writers.h"

static void assert_expression(const char *in, const char *want)
{
    struct customs_buf b;
    customs_buf_init(&b, 4096);
    bool ok = customs_license_expression(&b, in);
    if (want == NULL) {
        assert_false(ok);
    } else {
        assert_true(ok);
        assert_string_equal(customs_buf_cstr(&b), want);
    }
    customs_buf_release(&b);
}

static void license__knows_spdx_ids_case_insensitively(void **state)
{
    (void)state;
    assert_string_equal(customs_license_spdx_id("mit", 3), "MIT");
    assert_string_equal(customs_license_spdx_id("apache-2.0", 10), "Apache-2.0");
    assert_string_equal(customs_license_spdx_id("GPL-2.0+", 8), "GPL-2.0+");
    assert_null(customs_license_spdx_id("GPL-2+", 6));
    assert_null(customs_license_spdx_id("MITX", 4));
    assert_null(customs_license_spdx_id("MI", 2));
}

static void license__accepts_and_normalises_expressions_of_known_ids(void **state)
{
    (void)state;
    assert_expression("MIT", "MIT");
    assert_expression("  mit  or   apache-2.0 ", "MIT OR Apache-2.0");
    assert_expression("(MIT AND BSD-3-Clause) or GPL-2.0-only WITH Classpath-exception-2.0",
                      "(MIT AND BSD-3-Clause) OR GPL-2.0-only WITH Classpath-exception-2.0");
    assert_expression("LGPL-2.1-only+", "LGPL-2.1-only+");
    assert_expression("LicenseRef-my.own-1 AND ISC", "LicenseRef-my.own-1 AND ISC");
    assert_expression("((((MIT))))", "((((MIT))))");
}

static void license__rejects_free_text_unknown_ids_and_broken_syntax(void **state)
{
    (void)state;
    assert_expression(NULL, NULL);
    assert_expression("", NULL);
    assert_expression("GPL-2+", NULL);
    assert_expression("see LICENSE file", NULL);
    assert_expression("BSD", NULL);
    assert_expression("MIT AND", NULL);
    assert_expression("AND MIT", NULL);
    assert_expression("MIT OR (ISC", NULL);
    assert_expression("MIT)", NULL);
    assert_expression("MIT WITH NotAnException", NULL);
    assert_expression("MIT, ISC", NULL);
    assert_expression("MIT\nISC", NULL);
    assert_expression("LicenseRef-", NULL);
    assert_expression("LicenseRef-a+", NULL);
    assert_expression("MIT\xc3\xa9", NULL);
    assert_expression("MIT AnD ISC", NULL);
    assert_expression("(MIT OR ISC) WITH Classpath-exception-2.0", NULL);
    /* nesting beyond the depth cap */
    assert_expression("((((((((((((((((((MIT))))))))))))))))))", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(license__knows_spdx_ids_case_insensitively),
        cmocka_unit_test(license__accepts_and_normalises_expressions_of_known_ids),
        cmocka_unit_test(license__rejects_free_text_unknown_ids_and_broken_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
