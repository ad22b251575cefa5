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
#include "report/sarif.h"
#include "report/writers.h"

/* The text of the JSON object that contains `needle`, from its opening brace at `indent`
 * spaces (the writer indents by two per level). */
static char *object_around(const char *text, const char *needle, int indent)
{
    const char *at = strstr(text, needle);
    assert_non_null(at);
    char open[64];
    char close[64];
    snprintf(open, sizeof(open), "\n%*s{\n", indent, "");
    snprintf(close, sizeof(close), "\n%*s}", indent, "");
    const char *start = at;
    while (start > text && strncmp(start, open, strlen(open)) != 0) {
        start--;
    }
    assert_int_equal(strncmp(start, open, strlen(open)), 0);
    const char *end = strstr(at, close);
    assert_non_null(end);
    size_t n = (size_t)(end - start) + strlen(close);
    char *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, start, n);
    out[n] = '\0';
    return out;
}

static void sarif__parses_the_format_name(void **state)
{
    enum customs_format f = CUSTOMS_FORMAT_TABLE;
    (void)state;
    assert_int_equal(customs_format_parse(&f, "sarif"), 0);
    assert_int_equal(f, CUSTOMS_FORMAT_SARIF);
}

static void sarif__matches_the_golden_file(void **state)
{
    struct customs_report *r = fixture_findings_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    (void)state;
    fixture_golden("report.sarif.json", text);
    free(text);
    customs_report_free(r);
}

static void validate(struct customs_report *r)
{
    fixture_assert_valid(r, CUSTOMS_FORMAT_SARIF, fixture_shared_schema("sarif-schema-2.1.0.json"));
}

static void sarif__validates_against_the_official_2_1_0_schema(void **state)
{
    struct customs_report *f = fixture_findings_report();
    struct customs_report *r = fixture_report();
    struct customs_report *d = fixture_empty_dir_report();
    (void)state;
    validate(d);
    validate(r);
    validate(f);
    customs_report_free(f);
    customs_report_free(r);
    customs_report_free(d);
    fixture_skip_if_unvalidated();
}

static void sarif__gives_a_vulnerability_rule_its_cvss_score_and_help(void **state)
{
    struct customs_report *r = fixture_findings_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    (void)state;
    char *rule = object_around(text, "\"id\": \"CVE-2023-5678\"", 12);
    assert_non_null(strstr(rule, "\"security-severity\": \"5.3\""));
    assert_non_null(strstr(rule, "\"helpUri\": \"https://nvd.nist.gov/vuln/detail/CVE-2023-5678\""));
    assert_non_null(strstr(rule, "Severity: MEDIUM (nvd)\\nCVSS: 5.3 CVSS:3.1/"));
    assert_non_null(strstr(rule, "Known exploited (CISA KEV) since 2024-01-10"));
    assert_non_null(strstr(rule, "\"level\": \"warning\""));
    free(rule);
    /* no CVSS: the severity's score; UNKNOWN is a note */
    rule = object_around(text, "\"id\": \"GHSA-p6mc-m468-83gw\"", 12);
    assert_non_null(strstr(rule, "\"security-severity\": \"0.0\""));
    assert_non_null(strstr(rule, "\"helpUri\": \"https://github.com/advisories/GHSA-p6mc"));
    assert_non_null(strstr(rule, "\"level\": \"note\""));
    free(rule);
    rule = object_around(text, "\"id\": \"customs:EICAR_Test_File\"", 12);
    assert_non_null(strstr(rule, "\"security-severity\": \"9.5\""));
    assert_non_null(strstr(rule, "\"level\": \"error\""));
    free(rule);
    free(text);
    customs_report_free(r);
}

static void sarif__gives_every_finding_kind_a_result_with_its_location(void **state)
{
    struct customs_report *r = fixture_findings_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    (void)state;
    char *res = object_around(text, "\"ruleId\": \"CVE-2023-5678\"", 8);
    assert_non_null(strstr(res, "\"uri\": \"var/lib/dpkg/status\""));
    assert_non_null(strstr(res, "\"fullyQualifiedName\": \"pkg:deb/debian/libssl3@"));
    assert_non_null(strstr(res, "\"kind\": \"layer\""));
    assert_non_null(strstr(res, "\"fixed\": \"3.0.13-1~deb12u1\""));
    assert_non_null(strstr(res, "\"severity_source\": \"nvd\""));
    assert_non_null(strstr(res, "\"cvss_score\": 5.3"));
    assert_non_null(strstr(res, "\"purl\": \"pkg:deb/debian/libssl3@"));
    free(res);
    res = object_around(text, "\"ruleId\": \"github-pat\"", 8);
    assert_non_null(strstr(res, "\"uri\": \"app/.env\""));
    assert_non_null(strstr(res, "\"startLine\": 3"));
    assert_non_null(strstr(res, "ghp_\u2026 (40 chars)"));
    assert_null(strstr(res, "\"secret\":"));
    free(res);
    res = object_around(text, "\"ruleId\": \"aws-access-key-id\"", 8);
    assert_null(strstr(res, "physicalLocation"));
    assert_non_null(strstr(res, "\"fullyQualifiedName\": \"AWS_ACCESS_KEY_ID\",\n"));
    assert_non_null(strstr(res, "\"kind\": \"env\""));
    free(res);
    res = object_around(text, "\"ruleId\": \"customs:EICAR_Test_File\"", 8);
    assert_non_null(strstr(res, "\"uri\": \"tmp/eicar.com\""));
    assert_non_null(strstr(res, "still in the image"));
    free(res);
    res = object_around(text, "\"ruleId\": \"privileged\"", 8);
    assert_non_null(strstr(res, "\"uri\": \"deploy.yaml\""));
    assert_non_null(strstr(res, "\"startColumn\": 7"));
    free(res);
    free(text);
    customs_report_free(r);
}

static void sarif__shows_a_secret_only_when_the_report_holds_it(void **state)
{
    struct customs_report *r = fixture_findings_report();
    struct customs_secret_finding *s = customs_vec_at(&r->secrets, 0);
    (void)state;
    s->secret = "ghp_0123456789abcdefghij0123456789abcdefgh";
    char *text = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    char *res = object_around(text, "\"ruleId\": \"github-pat\"", 8);
    assert_non_null(strstr(res, "\"secret\": \"ghp_0123456789abcdefghij0123456789abcdefgh\""));
    free(res);
    free(text);
    customs_report_free(r);
}

static void sarif__links_each_result_to_its_rule_by_index(void **state)
{
    struct customs_report *r = fixture_findings_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    (void)state;
    /* rules sorted by id: CUSTOMS-DF-003, CVE-2023-0464 (suppressed), CVE-2023-5678, GHSA-...,
     * aws-..., customs:EICAR..., github-pat, privileged (strcmp order) */
    const char *order[] = {"CUSTOMS-DF-003",      "CVE-2023-0464",     "CVE-2023-5678",
                           "GHSA-p6mc-m468-83gw", "aws-access-key-id", "customs:EICAR_Test_File",
                           "github-pat",          "privileged"};
    const char *at = strstr(text, "\"rules\": [");
    assert_non_null(at);
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        char id[96];
        char result[160];
        snprintf(id, sizeof(id), "\"id\": \"%s\"", order[i]);
        const char *next = strstr(at, id);
        assert_non_null(next);
        at = next;
        snprintf(result, sizeof(result), "\"ruleId\": \"%s\",\n          \"ruleIndex\": %zu,",
                 order[i], i);
        assert_non_null(strstr(text, result));
    }
    free(text);
    customs_report_free(r);
}

static void sarif__fingerprints_survive_an_upgrade_and_differ_between_packages(void **state)
{
    struct customs_report *r = fixture_findings_report();
    (void)state;
    char *a = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    struct customs_vuln_finding *v = customs_vec_at(&r->vulns, 0);
    v->installed = "3.0.11-1~deb12u3"; /* upgraded, still vulnerable */
    char *b = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    v->name = "libssl-dev";
    char *c = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    char *fa = object_around(a, "\"ruleId\": \"CVE-2023-5678\"", 8);
    char *fb = object_around(b, "\"ruleId\": \"CVE-2023-5678\"", 8);
    char *fc = object_around(c, "\"ruleId\": \"CVE-2023-5678\"", 8);
    const char *pa = strstr(fa, "\"customs/v1\": \"");
    const char *pb = strstr(fb, "\"customs/v1\": \"");
    const char *pc = strstr(fc, "\"customs/v1\": \"");
    assert_non_null(pa);
    assert_non_null(pb);
    assert_non_null(pc);
    assert_int_equal(strncmp(pa, pb, 15 + 64), 0);
    assert_int_not_equal(strncmp(pa, pc, 15 + 64), 0);
    free(fa);
    free(fb);
    free(fc);
    free(a);
    free(b);
    free(c);
    customs_report_free(r);
}

static void sarif__marks_suppressed_findings_instead_of_dropping_them(void **state)
{
    struct customs_report *r = fixture_findings_report();
    char *text = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    (void)state;
    char *res = object_around(text, "\"ruleId\": \"CVE-2023-0464\"", 8);
    assert_non_null(strstr(res, "\"suppressions\": [\n"
                                "            {\n"
                                "              \"kind\": \"external\",\n"
                                "              \"status\": \"accepted\",\n"
                                "              \"justification\": \"not_affected: "
                                "vulnerable_code_not_in_execute_path\",\n"));
    assert_non_null(strstr(res, "\"where\": \"vex.json: statement 1\""));
    assert_non_null(strstr(res, "\"level\": \"error\"")); /* HIGH, as if it stood */
    /* its rule is there, and no standing result carries a suppression */
    assert_non_null(strstr(text, "\"id\": \"CVE-2023-0464\""));
    char *kept = object_around(text, "\"ruleId\": \"GHSA-p6mc-m468-83gw\"", 8);
    assert_null(strstr(kept, "suppressions"));
    free(kept);
    free(res);
    free(text);
    customs_report_free(r);
}

static void sarif__reports_coverage_problems_as_an_unsuccessful_invocation(void **state)
{
    struct customs_report *r = fixture_findings_report();
    struct customs_report *clean = fixture_report();
    (void)state;
    char *text = fixture_write(r, CUSTOMS_FORMAT_SARIF, NULL);
    assert_non_null(strstr(text, "\"executionSuccessful\": false"));
    char *note = object_around(text, "2 npm packages not checked", 12);
    assert_non_null(strstr(note, "\"level\": \"error\""));
    assert_non_null(strstr(note, "\"id\": \"no-data\""));
    free(note);
    note = object_around(text, "\"id\": \"incomplete\"", 12);
    assert_non_null(strstr(note, "rpmdb.sqlite not read"));
    free(note);
    /* a non-fatal error is a warning with its file, and leaves the run successful */
    char *ok = fixture_write(clean, CUSTOMS_FORMAT_SARIF, NULL);
    assert_non_null(strstr(ok, "\"executionSuccessful\": true"));
    note = object_around(ok, "bad line", 12);
    assert_non_null(strstr(note, "\"level\": \"warning\""));
    assert_non_null(strstr(note, "\"uri\": \"var/lib/dpkg/status\""));
    assert_non_null(strstr(note, "\"id\": \"malformed\""));
    assert_null(strchr(ok, '\x1b'));
    free(note);
    free(ok);
    free(text);
    customs_report_free(clean);
    customs_report_free(r);
}

static void sarif__writes_audit_rules_results_and_notifications(void **state)
{
    struct customs_misconfig_set set;
    struct customs_error err = {0};
    struct customs_sarif_notification note = {"not-read", "error",
                                              "bad.yaml:3:5: mapping values are not allowed",
                                              "bad.yaml", 3, 5};
    (void)state;
    customs_misconfig_set_init(&set);
    struct customs_misconfig *m = customs_vec_push(&set.items);
    assert_non_null(m);
    memset(m, 0, sizeof(*m));
    m->check = "privileged";
    m->source = "kubernetes";
    m->severity = CUSTOMS_SEVERITY_CRITICAL;
    m->message = "privileged";
    m->file = "/abs/deploy.yaml";
    m->object = "Pod/default/web";
    m->path = "spec.containers[0].securityContext.privileged";
    m->line = 4;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(customs_report_write_audit_sarif(fp, &set, "t", &note, 1, NULL, &err), 0);
    fclose(fp);
    assert_non_null(strstr(buf, "\"uri\": \"/abs/deploy.yaml\""));
    assert_non_null(strstr(buf, "\"executionSuccessful\": false"));
    assert_non_null(strstr(buf, "\"uri\": \"bad.yaml\""));
    assert_non_null(strstr(buf, "\"startColumn\": 5"));
    assert_non_null(strstr(buf, "\"security-severity\": \"9.5\""));
    free(buf);
    customs_misconfig_set_release(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sarif__parses_the_format_name),
        cmocka_unit_test(sarif__marks_suppressed_findings_instead_of_dropping_them),
        cmocka_unit_test(sarif__matches_the_golden_file),
        cmocka_unit_test(sarif__validates_against_the_official_2_1_0_schema),
        cmocka_unit_test(sarif__gives_a_vulnerability_rule_its_cvss_score_and_help),
        cmocka_unit_test(sarif__gives_every_finding_kind_a_result_with_its_location),
        cmocka_unit_test(sarif__shows_a_secret_only_when_the_report_holds_it),
        cmocka_unit_test(sarif__links_each_result_to_its_rule_by_index),
        cmocka_unit_test(sarif__fingerprints_survive_an_upgrade_and_differ_between_packages),
        cmocka_unit_test(sarif__reports_coverage_problems_as_an_unsuccessful_invocation),
        cmocka_unit_test(sarif__writes_audit_rules_results_and_notifications),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
