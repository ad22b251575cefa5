/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

static void json__writes_the_target_with_its_layers_and_split_repo_tags(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    (void)state;
    assert_non_null(strstr(text, "{\n  \"schema\": \"customs.report/v1\",\n"
                                 "  \"customs_version\": \""));
    assert_non_null(strstr(text, "    \"platform\": \"linux/amd64\",\n"
                                 "    \"repo_tags\": [\n"
                                 "      \"app:1.0\",\n"
                                 "      \"app:latest\"\n"
                                 "    ],\n"));
    assert_non_null(strstr(text, "      {\n"
                                 "        \"index\": 1,\n"
                                 "        \"digest\": \"sha256:aaaa1111"));
    assert_non_null(strstr(text, "        \"size\": 2000,\n"
                                 "        \"uncompressed_size\": 6000,\n"
                                 "        \"entries\": 101\n"));
    free(text);
    customs_report_free(r);
}

static void json__writes_packages_with_nulls_layer_refs_and_flags(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    (void)state;
    assert_non_null(strstr(text,
        "      \"type\": \"npm\",\n"
        "      \"name\": \"left-pad\",\n"
        "      \"version\": \"1.3.0\",\n"
        "      \"epoch\": null,\n"
        "      \"source_name\": null,\n"
        "      \"source_version\": null,\n"
        "      \"arch\": null,\n"
        "      \"license\": \"see LICENSE file\",\n"
        "      \"purl\": \"pkg:npm/left-pad@1.3.0\",\n"
        "      \"path\": \"/app/other/node_modules/left-pad/package.json\",\n"
        "      \"os_package\": null,\n"
        "      \"layer\": {\n"
        "        \"index\": 1,\n"
        "        \"diff_id\": \"sha256:dddd1111111111111111111111111111111111111111111111111111"
        "11111111\"\n"
        "      },\n"
        "      \"dev\": true,\n"
        "      \"indirect\": true\n"));
    /* layer 7 does not exist: the index stays, the diff_id is null */
    assert_non_null(strstr(text, "\"layer\": {\n        \"index\": 7,\n"
                                 "        \"diff_id\": null\n"));
    free(text);
    customs_report_free(r);
}

static void json__escapes_hostile_strings_and_repairs_their_utf8(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    (void)state;
    assert_null(strchr(text, '\x1b'));
    assert_null(strchr(text, '\x07'));
    assert_non_null(strstr(text, "\"name\": \"evil\\u001b[31m\\\"quoted\\\"\\\\back\\u0007AAAA"));
#define R "\xef\xbf\xbd"
    /* \xff \xfe \xc0 \xaf \xed \xa0 \x80 and the truncated \xe2\x82: eight replacements */
    assert_non_null(strstr(text, "\"version\": \"1.0.0" R R R R R R R R "\","));
#undef R
    assert_non_null(strstr(text, "\"license\": \"GPL-2+ \\\"and\\\" other\\n\""));
    assert_non_null(strstr(text, "\"path\": \"/app/\\u001b]0;title\\u0007/package.json\""));
    free(text);
    customs_report_free(r);
}

static void json__writes_misconfigurations_errors_and_the_summary(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    (void)state;
    assert_non_null(strstr(text, "      \"severity\": \"CRITICAL\",\n"));
    assert_non_null(strstr(text, "      \"line\": 12,\n      \"column\": 7,\n"));
    assert_non_null(strstr(text, "      \"level\": null,\n      \"severity\": \"LOW\",\n"));
    assert_non_null(strstr(text, "      \"line\": null,\n      \"column\": null,\n"));
    assert_non_null(strstr(text, "    {\n"
                                 "      \"code\": \"malformed\",\n"
                                 "      \"path\": \"/var/lib/dpkg/status\",\n"
                                 "      \"layer\": 0,\n"
                                 "      \"message\": \"/var/lib/dpkg/status:12: bad line "
                                 "\\u0001\\u0002\"\n"));
    assert_non_null(strstr(text, "      \"code\": \"limit\",\n"
                                 "      \"path\": null,\n"
                                 "      \"layer\": null,\n"));
    assert_non_null(strstr(text, "  \"summary\": {\n"
                                 "    \"packages\": 5,\n"
                                 "    \"by_type\": {\n"
                                 "      \"deb\": 2,\n"
                                 "      \"npm\": 3\n"
                                 "    },\n"
                                 "    \"misconfigurations\": {\n"
                                 "      \"CRITICAL\": 1,\n"
                                 "      \"HIGH\": 0,\n"
                                 "      \"MEDIUM\": 0,\n"
                                 "      \"LOW\": 1,\n"
                                 "      \"UNKNOWN\": 0\n"
                                 "    },\n"
                                 "    \"vulnerabilities\": {\n"
                                 "      \"CRITICAL\": 0,\n"
                                 "      \"HIGH\": 0,\n"
                                 "      \"MEDIUM\": 0,\n"
                                 "      \"LOW\": 0,\n"
                                 "      \"UNKNOWN\": 0\n"
                                 "    },\n"
                                 "    \"secrets\": 0,\n"
                                 "    \"malware\": 0,\n"
                                 "    \"errors\": 2,\n"
                                 "    \"coverage_problems\": 0,\n"
                                 "    \"hidden_by_severity\": {\n"
                                 "      \"CRITICAL\": 0,\n"
                                 "      \"HIGH\": 0,\n"
                                 "      \"MEDIUM\": 0,\n"
                                 "      \"LOW\": 0,\n"
                                 "      \"UNKNOWN\": 0\n"
                                 "    }\n"
                                 "  }\n"
                                 "}\n"));
    free(text);
    customs_report_free(r);
}

static void json__writes_null_os_and_empty_lists_for_an_empty_directory(void **state)
{
    struct customs_report *r = fixture_empty_dir_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    (void)state;
    assert_non_null(strstr(text, "    \"kind\": \"dir\",\n"
                                 "    \"manifest_digest\": null,\n"
                                 "    \"config_digest\": null,\n"
                                 "    \"platform\": null,\n"
                                 "    \"repo_tags\": [],\n"
                                 "    \"layers\": []\n"
                                 "  },\n"
                                 "  \"os\": null,\n"
                                 "  \"packages\": [],\n"
                                 "  \"database\": null,\n"
                                 "  \"coverage\": null,\n"
                                 "  \"vulnerabilities\": [],\n"
                                 "  \"suppressed\": [],\n"
                             "  \"ignored\": [],\n"
                                 "  \"misconfigurations\": [],\n"
                                 "  \"secrets\": [],\n"
                                 "  \"malware\": [],\n"
                                 "  \"errors\": [],\n"
                                 "  \"summary\": {\n"
                                 "    \"packages\": 0,\n"
                                 "    \"by_type\": {},\n"));
    free(text);
    customs_report_free(r);
}

static void json__counts_odd_package_types_as_unknown_so_summary_keys_stay_unique(void **state)
{
    struct customs_report *r = fixture_empty_dir_report();
    const char *types[] = {"\xff", "\x80", NULL, "has space", "deb"};
    (void)state;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct customs_package *p = customs_inventory_add(&r->inventory);
        assert_non_null(p);
        p->type = types[i];
        p->name = "x";
    }
    char *text = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    assert_non_null(strstr(text, "    \"by_type\": {\n"
                                 "      \"deb\": 1,\n"
                                 "      \"unknown\": 4\n"
                                 "    },\n"));
    free(text);
    customs_report_free(r);
}

static void validate(struct customs_report *r)
{
    fixture_assert_valid(r, CUSTOMS_FORMAT_JSON, fixture_source_path("docs/report.schema.json"));
}

static void json__validates_against_docs_report_schema(void **state)
{
    struct customs_report *r = fixture_report();
    struct customs_report *d = fixture_empty_dir_report();
    (void)state;
    validate(d);
    validate(r);
    customs_report_free(r);
    customs_report_free(d);
    fixture_skip_if_unvalidated();
}

static void json__matches_the_golden_file_byte_for_byte(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_JSON, NULL);
    (void)state;
    fixture_golden("report.json", text);
    free(text);
    customs_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json__writes_the_target_with_its_layers_and_split_repo_tags),
        cmocka_unit_test(json__writes_packages_with_nulls_layer_refs_and_flags),
        cmocka_unit_test(json__escapes_hostile_strings_and_repairs_their_utf8),
        cmocka_unit_test(json__writes_misconfigurations_errors_and_the_summary),
        cmocka_unit_test(json__writes_null_os_and_empty_lists_for_an_empty_directory),
        cmocka_unit_test(json__counts_odd_package_types_as_unknown_so_summary_keys_stay_unique),
        cmocka_unit_test(json__validates_against_docs_report_schema),
        cmocka_unit_test(json__matches_the_golden_file_byte_for_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
