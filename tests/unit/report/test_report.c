/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "report/writers.h"

static void report__parses_the_four_format_names(void **state)
{
    enum customs_format f = CUSTOMS_FORMAT_TABLE;
    (void)state;
    assert_int_equal(customs_format_parse(&f, "spdx"), 0);
    assert_int_equal(f, CUSTOMS_FORMAT_SPDX);
    assert_int_equal(customs_format_parse(&f, "cyclonedx"), 0);
    assert_int_equal(f, CUSTOMS_FORMAT_CYCLONEDX);
    assert_int_equal(customs_format_parse(&f, "json"), 0);
    assert_int_equal(f, CUSTOMS_FORMAT_JSON);
    assert_int_equal(customs_format_parse(&f, "table"), 0);
    assert_int_equal(f, CUSTOMS_FORMAT_TABLE);
    assert_int_equal(customs_format_parse(&f, "xml"), CUSTOMS_EINVAL);
}

static void report__counts_packages_misconfigurations_and_errors(void **state)
{
    struct customs_report *r = fixture_report();
    (void)state;
    assert_int_equal(customs_report_count(r, CUSTOMS_REPORT_PACKAGES), 5);
    assert_int_equal(customs_report_count(r, CUSTOMS_REPORT_MISCONFIGURATIONS), 2);
    assert_int_equal(customs_report_count(r, CUSTOMS_REPORT_ERRORS), 2);
    assert_int_equal(customs_report_count(r, CUSTOMS_REPORT_SECRETS), 0);
    customs_report_free(r);
}

static void report__dispatches_each_format_and_rejects_unknown_ones(void **state)
{
    struct customs_report *r = fixture_report();
    struct customs_error err = {0};
    (void)state;
    char *table = fixture_write(r, CUSTOMS_FORMAT_TABLE, NULL);
    char *json = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    char *cdx = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    char *spdx = fixture_write(r, CUSTOMS_FORMAT_SPDX, NULL);
    assert_int_equal(strncmp(table, "Target:", 7), 0);
    assert_non_null(strstr(json, "\"schema\": \"customs.report/v1\""));
    assert_non_null(strstr(cdx, "\"bomFormat\": \"CycloneDX\""));
    assert_non_null(strstr(spdx, "\"spdxVersion\": \"SPDX-2.3\""));
    assert_int_equal(customs_report_write(r, (enum customs_format)42, stdout, &err),
                     CUSTOMS_EINVAL);
    assert_string_equal(err.message, "customs_report_write: unknown format 42");
    free(table);
    free(json);
    free(cdx);
    free(spdx);
    customs_report_free(r);
}

static void report__fails_with_io_error_on_a_full_disk(void **state)
{
    struct customs_report *r = fixture_report();
    struct customs_error err = {0};
    (void)state;
    FILE *fp = fopen("/dev/full", "w");
    if (fp == NULL) {
        skip();
    }
    assert_int_equal(customs_report_write(r, CUSTOMS_FORMAT_SPDX, fp, &err), CUSTOMS_EIO);
    clearerr(fp);
    assert_int_equal(customs_report_write(r, CUSTOMS_FORMAT_TABLE, fp, &err), CUSTOMS_EIO);
    fclose(fp);
    customs_report_free(r);
}

static void report__derives_uuids_from_the_digests_and_a_salt(void **state)
{
    struct customs_report *r = fixture_report();
    char a[CUSTOMS_UUID_LEN];
    char b[CUSTOMS_UUID_LEN];
    (void)state;
    assert_int_equal(customs_report_uuid(a, r, "x"), 0);
    assert_int_equal(customs_report_uuid(b, r, "y"), 0);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    assert_int_equal(customs_report_uuid(b, r, "x"), 0);
    assert_string_equal(a, b);
    customs_report_free(r);
}

static void report__writes_the_creation_time_it_is_given(void **state)
{
    char ts[CUSTOMS_TIMESTAMP_LEN];
    (void)state;
    customs_report_timestamp(ts, 86400);
    assert_string_equal(ts, "1970-01-02T00:00:00Z");
    customs_report_timestamp(ts, 253402300799LL);
    assert_string_equal(ts, "9999-12-31T23:59:59Z");
    customs_report_timestamp(ts, 253402300800LL); /* past the format: the epoch, not garbage */
    assert_string_equal(ts, "1970-01-01T00:00:00Z");
    customs_report_timestamp(ts, -5);
    assert_string_equal(ts, "1970-01-01T00:00:00Z");
}

static void report__streams_a_report_of_100k_packages_in_every_format(void **state)
{
    struct customs_report *r = fixture_report();
    struct customs_error err = {0};
    (void)state;
    for (int i = 0; i < 100000; i++) {
        struct customs_package *p = customs_inventory_add(&r->inventory);
        assert_non_null(p);
        p->type = (i % 3) == 0 ? "npm" : "deb";
        p->name = customs_arena_printf(&r->arena, "pkg-%d", i);
        p->version = "1.0";
        p->purl = customs_arena_printf(&r->arena, "pkg:npm/pkg-%d@1.0", i);
        p->layer = i % 2;
    }
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    assert_int_equal(customs_report_write(r, CUSTOMS_FORMAT_CYCLONEDX, null, &err), 0);
    assert_int_equal(customs_report_write(r, CUSTOMS_FORMAT_SPDX, null, &err), 0);
    assert_int_equal(customs_report_write(r, CUSTOMS_FORMAT_TABLE, null, &err), 0);
    fclose(null);
    char *json = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    assert_non_null(strstr(json, "    \"packages\": 100005,\n"
                                 "    \"by_type\": {\n"
                                 "      \"deb\": 66668,\n"
                                 "      \"npm\": 33337\n"));
    free(json);
    customs_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report__parses_the_four_format_names),
        cmocka_unit_test(report__counts_packages_misconfigurations_and_errors),
        cmocka_unit_test(report__dispatches_each_format_and_rejects_unknown_ones),
        cmocka_unit_test(report__fails_with_io_error_on_a_full_disk),
        cmocka_unit_test(report__derives_uuids_from_the_digests_and_a_salt),
        cmocka_unit_test(report__writes_the_creation_time_it_is_given),
        cmocka_unit_test(report__streams_a_report_of_100k_packages_in_every_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
