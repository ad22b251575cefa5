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
#include "report/writers.h"

static void cyclonedx__writes_a_reproducible_serial_number_and_pinned_timestamp(void **state)
{
    struct customs_report *r = fixture_report();
    char *a = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    char *b = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "  \"bomFormat\": \"CycloneDX\",\n"
                              "  \"specVersion\": \"1.5\",\n"
                              "  \"serialNumber\": \"urn:uuid:"));
    const char *u = strstr(a, "urn:uuid:") + 9;
    assert_int_equal(u[14], '8');                 /* version 8 */
    assert_non_null(strchr("89ab", u[19]));       /* RFC 9562 variant */
    assert_non_null(strstr(a, "    \"timestamp\": \"2023-11-14T22:13:20Z\",\n"));
    /* another image, another serial number */
    r->target.config_digest =
        "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    char *c = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    assert_string_not_equal(strstr(a, "urn:uuid:"), strstr(c, "urn:uuid:"));
    free(a);
    free(b);
    free(c);
    customs_report_free(r);
}

static void cyclonedx__describes_the_image_and_the_tool(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    assert_non_null(strstr(text, "    \"tools\": {\n"
                                 "      \"components\": [\n"
                                 "        {\n"
                                 "          \"type\": \"application\",\n"
                                 "          \"name\": \"customs\",\n"));
    assert_non_null(strstr(text, "    \"component\": {\n"
                                 "      \"type\": \"container\",\n"
                                 "      \"bom-ref\": \"customs:target\",\n"
                                 "      \"name\": \"registry.example/app:1.0\",\n"
                                 "      \"version\": \"sha256:1111111111111111111111111111111111"
                                 "111111111111111111111111111111\",\n"));
    assert_non_null(strstr(text, "      \"type\": \"operating-system\",\n"
                                 "      \"bom-ref\": \"customs:os\",\n"
                                 "      \"name\": \"debian\",\n"
                                 "      \"version\": \"12\",\n"));
    free(text);
    customs_report_free(r);
}

static void cyclonedx__gives_duplicate_purls_distinct_bom_refs(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    assert_non_null(strstr(text, "\"bom-ref\": \"pkg:npm/left-pad@1.3.0?package-id=2\""));
    assert_non_null(strstr(text, "\"bom-ref\": \"pkg:npm/left-pad@1.3.0?package-id=3\""));
    assert_non_null(strstr(text, "\"bom-ref\": \"pkg:deb/debian/libssl3@3.0.11-1~deb12u2"
                                 "?arch=amd64&distro=debian-12&package-id=0\""));
    assert_non_null(strstr(text, "\"bom-ref\": \"customs:package?package-id=4\""));
    free(text);
    customs_report_free(r);
}

static void cyclonedx__writes_spdx_ids_expressions_or_license_names(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    assert_non_null(strstr(text, "      \"licenses\": [\n"
                                 "        {\n"
                                 "          \"license\": {\n"
                                 "            \"id\": \"Apache-2.0\"\n"));
    assert_non_null(strstr(text, "          \"expression\": \"Zlib OR (MIT AND GPL-2.0+ WITH "
                                 "Classpath-exception-2.0)\"\n"));
    assert_non_null(strstr(text, "            \"name\": \"see LICENSE file\"\n"));
    assert_non_null(strstr(text, "            \"name\": \"GPL-2+ \\\"and\\\" other\\n\"\n"));
    free(text);
    customs_report_free(r);
}

static void cyclonedx__records_layer_path_and_source_as_properties(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    assert_non_null(strstr(text,
        "          \"name\": \"customs:source_name\",\n"
        "          \"value\": \"openssl\"\n"));
    assert_non_null(strstr(text,
        "          \"name\": \"customs:layer:diff_id\",\n"
        "          \"value\": \"sha256:dddd0000000000000000000000000000000000000000000000000000"
        "00000000\"\n"));
    assert_non_null(strstr(text,
        "          \"name\": \"customs:dev\",\n"
        "          \"value\": \"true\"\n"));
    assert_null(strchr(text, '\x1b'));
    free(text);
    customs_report_free(r);
}

static void validate(struct customs_report *r)
{
    fixture_assert_valid(r, CUSTOMS_FORMAT_CYCLONEDX, fixture_shared_schema("cyclonedx/bom-1.5.schema.json"));
}

static void cyclonedx__validates_against_the_official_1_5_schema(void **state)
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

static void cyclonedx__writes_every_known_license_id_as_a_schema_valid_id(void **state)
{
    struct customs_report *r = customs_report_new();
    (void)state;
    assert_non_null(r);
    r->target.name = "licenses";
    r->target.kind = "dir";
    for (size_t i = 0; customs_license_known_id(i) != NULL; i++) {
        struct customs_package *p = customs_inventory_add(&r->inventory);
        assert_non_null(p);
        p->type = "deb";
        p->name = customs_license_known_id(i);
        p->license = customs_license_known_id(i);
    }
    assert_true(r->inventory.packages.len > 100);
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    assert_null(strstr(text, "\"expression\""));
    assert_null(strstr(text, "\"license\": {\n            \"name\""));
    free(text);
    validate(r); /* the schema checks each id against the SPDX license list */
    customs_report_free(r);
    fixture_skip_if_unvalidated();
}

static void cyclonedx__matches_the_golden_file_byte_for_byte(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    fixture_golden("report.cdx.json", text);
    free(text);
    customs_report_free(r);
}

static void cyclonedx__carries_every_vulnerability_with_ratings_and_affects(void **state)
{
    struct customs_report *r = fixture_findings_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    fixture_golden("report-findings.cdx.json", text);
    const char *v = strstr(text, "  \"vulnerabilities\": [\n");
    assert_non_null(v);
    /* one entry per id, the packages it affects by bom-ref with the installed version */
    const char *cve = strstr(v, "\"bom-ref\": \"customs:vuln:CVE-2023-5678\"");
    assert_non_null(cve);
    assert_null(strstr(cve + 1, "\"bom-ref\": \"customs:vuln:CVE-2023-5678\""));
    assert_non_null(strstr(cve, "\"ref\": \"pkg:deb/debian/libssl3@3.0.11-1~deb12u2"
                                "?arch=amd64&distro=debian-12&package-id=0\",\n"
                                "          \"versions\": [\n"
                                "            {\n"
                                "              \"version\": \"3.0.11-1~deb12u2\",\n"
                                "              \"status\": \"affected\""));
    assert_non_null(strstr(cve, "package-id=1\""));
    /* the chosen severity, then one rating per CVSS entry with its method */
    assert_non_null(strstr(cve, "\"name\": \"nvd\"\n"
                                "          },\n"
                                "          \"score\": 5.3,\n"
                                "          \"severity\": \"medium\",\n"
                                "          \"method\": \"other\""));
    assert_non_null(strstr(cve, "\"name\": \"nvd@nist.gov\"\n"
                                "          },\n"
                                "          \"score\": 5.0,\n"
                                "          \"severity\": \"medium\",\n"
                                "          \"method\": \"CVSSv2\",\n"
                                "          \"vector\": \"AV:N/AC:L/Au:N/C:N/I:N/A:P\""));
    assert_non_null(strstr(cve, "\"score\": 3.7,\n"
                                "          \"severity\": \"low\",\n"
                                "          \"method\": \"CVSSv31\""));
    assert_non_null(strstr(cve, "\"method\": \"CVSSv4\""));
    assert_non_null(strstr(cve, "\"id\": \"GHSA-xxxx-yyyy-zzzz\""));
    assert_non_null(strstr(cve, "Upgrade libssl3 3.0.11-1~deb12u2 to 3.0.13-1~deb12u1."));
    assert_non_null(strstr(cve, "\"value\": \"2024-01-10\""));
    /* unrated: the chosen rating says unknown */
    const char *ghsa = strstr(v, "\"id\": \"GHSA-p6mc-m468-83gw\"");
    assert_non_null(ghsa);
    assert_non_null(strstr(ghsa, "\"severity\": \"unknown\""));
    /* VEX: the analysis, affecting the package by name */
    const char *vex = strstr(v, "\"bom-ref\": \"customs:vex:0:CVE-2023-0464\"");
    assert_non_null(vex);
    assert_non_null(strstr(vex, "\"state\": \"not_affected\",\n"
                                "        \"justification\": \"code_not_reachable\""));
    assert_non_null(strstr(vex, "\"status\": \"unaffected\""));
    free(text);
    validate(r);
    customs_report_free(r);
    fixture_skip_if_unvalidated();
}

static void cyclonedx__dates_vulnerabilities_in_rfc_3339(void **state)
{
    struct customs_report *r = fixture_findings_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    (void)state;
    /* NVD's zoneless time is UTC; an offset is kept; a bare date is midnight UTC; text that is
     * not a date is left out */
    assert_non_null(strstr(text, "\"published\": \"2023-11-06T16:15:42.670Z\",\n"
                                 "      \"updated\": \"2024-05-01T17:15:31+00:00\""));
    assert_non_null(strstr(text, "\"published\": \"2023-03-22T00:00:00Z\""));
    assert_null(strstr(text, "not a date"));
    free(text);
    customs_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cyclonedx__dates_vulnerabilities_in_rfc_3339),
        cmocka_unit_test(cyclonedx__writes_a_reproducible_serial_number_and_pinned_timestamp),
        cmocka_unit_test(cyclonedx__describes_the_image_and_the_tool),
        cmocka_unit_test(cyclonedx__gives_duplicate_purls_distinct_bom_refs),
        cmocka_unit_test(cyclonedx__writes_spdx_ids_expressions_or_license_names),
        cmocka_unit_test(cyclonedx__records_layer_path_and_source_as_properties),
        cmocka_unit_test(cyclonedx__validates_against_the_official_1_5_schema),
        cmocka_unit_test(cyclonedx__writes_every_known_license_id_as_a_schema_valid_id),
        cmocka_unit_test(cyclonedx__matches_the_golden_file_byte_for_byte),
        cmocka_unit_test(cyclonedx__carries_every_vulnerability_with_ratings_and_affects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
