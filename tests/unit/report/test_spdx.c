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

static void spdx__writes_the_document_header_with_a_reproducible_namespace(void **state)
{
    struct customs_report *r = fixture_report();
    char *a = fixture_write(r, CUSTOMS_FORMAT_SPDX, NULL);
    char *b = fixture_write(r, CUSTOMS_FORMAT_SPDX, NULL);
    (void)state;
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "{\n"
                              "  \"spdxVersion\": \"SPDX-2.3\",\n"
                              "  \"dataLicense\": \"CC0-1.0\",\n"
                              "  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n"
                              "  \"name\": \"registry.example/app:1.0\",\n"
                              "  \"documentNamespace\": \"https://customs.invalid/spdx/"));
    assert_non_null(strstr(a, "    \"created\": \"2023-11-14T22:13:20Z\",\n"
                              "    \"comment\": \"An inventory of the image's packages only: "
                              "vulnerabilities, secrets, malware and misconfigurations are in "
                              "customs' json, cyclonedx and sarif formats.\",\n"
                              "    \"creators\": [\n"
                              "      \"Tool: customs-"));
    free(a);
    free(b);
    customs_report_free(r);
}

static void spdx__declares_only_valid_license_expressions(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SPDX, NULL);
    (void)state;
    assert_non_null(strstr(text, "\"licenseDeclared\": \"Apache-2.0\""));
    assert_non_null(strstr(text, "\"licenseDeclared\": \"Zlib OR (MIT AND GPL-2.0+ WITH "
                                 "Classpath-exception-2.0)\""));
    assert_null(strstr(text, "see LICENSE"));
    assert_null(strstr(text, "GPL-2+"));
    free(text);
    customs_report_free(r);
}

static void spdx__links_packages_to_the_image_with_safe_spdx_ids(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SPDX, NULL);
    (void)state;
    assert_non_null(strstr(text, "      \"SPDXID\": \"SPDXRef-Package-4\",\n"
                                 "      \"name\": \"evil\\u001b[31m"));
    assert_non_null(strstr(text, "      \"spdxElementId\": \"SPDXRef-DOCUMENT\",\n"
                                 "      \"relatedSpdxElement\": \"SPDXRef-Target\",\n"
                                 "      \"relationshipType\": \"DESCRIBES\"\n"));
    assert_non_null(strstr(text, "      \"spdxElementId\": \"SPDXRef-Target\",\n"
                                 "      \"relatedSpdxElement\": \"SPDXRef-Package-3\",\n"
                                 "      \"relationshipType\": \"CONTAINS\"\n"));
    assert_non_null(strstr(text, "          \"referenceCategory\": \"PACKAGE-MANAGER\",\n"
                                 "          \"referenceType\": \"purl\",\n"
                                 "          \"referenceLocator\": \"pkg:npm/left-pad@1.3.0\"\n"));
    /* every SPDXID holds only [A-Za-z0-9.-] after "SPDXRef-" */
    for (const char *p = strstr(text, "\"SPDXID\": \""); p != NULL;
         p = strstr(p + 1, "\"SPDXID\": \"")) {
        const char *v = p + 11;
        assert_int_equal(strncmp(v, "SPDXRef-", 8), 0);
        size_t n = strcspn(v + 8, "\"");
        assert_true(n > 0);
        assert_int_equal(strspn(v + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789.-"), n);
    }
    free(text);
    customs_report_free(r);
}

static void validate(struct customs_report *r)
{
    fixture_assert_valid(r, CUSTOMS_FORMAT_SPDX, fixture_shared_schema("spdx-2.3-schema.json"));
}

static void spdx__validates_against_the_official_2_3_schema(void **state)
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

static void spdx__matches_the_golden_file_byte_for_byte(void **state)
{
    struct customs_report *r = fixture_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SPDX, NULL);
    (void)state;
    fixture_golden("report.spdx.json", text);
    free(text);
    customs_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spdx__writes_the_document_header_with_a_reproducible_namespace),
        cmocka_unit_test(spdx__declares_only_valid_license_expressions),
        cmocka_unit_test(spdx__links_packages_to_the_image_with_safe_spdx_ids),
        cmocka_unit_test(spdx__validates_against_the_official_2_3_schema),
        cmocka_unit_test(spdx__matches_the_golden_file_byte_for_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
