/* SPDX-License-Identifier: Apache-2.0 */
/* The ignore file (src/policy/ignore.c): the YAML form by finding kind, its errors with
 * FILE:LINE:COL, and what its entries suppress of each kind through customs_filter_apply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy/filter.h"
#include "model/report.h"

static int parse(struct customs_filter *f, const char *name, const char *text,
                 struct customs_error *err)
{
    return customs_filter_parse_ignorefile(f, name, (const uint8_t *)text, strlen(text), err);
}

/* One finding of each kind. */
static struct customs_report *sample(void)
{
    struct customs_report *r = customs_report_new();
    struct customs_package *p = customs_inventory_add(&r->inventory);
    p->type = "npm";
    p->name = "lodash";
    p->version = "4.17.20";
    p->purl = "pkg:npm/lodash@4.17.20";
    p->path = "/app/node_modules/lodash/package.json";
    struct customs_vuln_finding *v = customs_vec_push(&r->vulns);
    memset(v, 0, sizeof(*v));
    v->id = "CVE-2021-23337";
    v->package = 0;
    v->name = "lodash";
    v->type = "npm";
    v->installed = "4.17.20";
    v->severity = CUSTOMS_SEVERITY_HIGH;
    struct customs_secret_finding *s = customs_vec_push(&r->secrets);
    memset(s, 0, sizeof(*s));
    s->rule = "aws-access-key-id";
    s->path = "/app/test/fixtures.env";
    s->severity = CUSTOMS_SEVERITY_CRITICAL;
    struct customs_malware_finding *m = customs_vec_push(&r->malware);
    memset(m, 0, sizeof(*m));
    m->rule = "customs:EICAR_Test_File";
    m->path = "/srv/eicar.com";
    m->severity = CUSTOMS_SEVERITY_HIGH;
    struct customs_misconfig *c = customs_vec_push(&r->misconfigs);
    memset(c, 0, sizeof(*c));
    c->check = "CUSTOMS-IMG-001";
    c->path = "config.User";
    c->severity = CUSTOMS_SEVERITY_MEDIUM;
    return r;
}

static void ignore__yaml_entries_apply_by_kind_and_are_counted(void **state)
{
    static const char yaml[] =
        "vulnerabilities:\n"
        "  - id: CVE-2021-23337\n"
        "    packages: [pkg:npm/lodash@4.17.20, pkg:npm/other]\n"
        "    statement: only in tests\n"
        "  - id: CVE-2021-23337\n"           /* a second entry never counts the same finding */
        "secrets:\n"
        "  - id: aws-access-key-id\n"
        "    paths: ['app/test/*']\n"
        "malware:\n"
        "  - id: EICAR_Test_File\n"
        "    expires: 2020-02-29\n"           /* expired: the finding stays */
        "misconfigurations:\n"
        "  - id: CUSTOMS-IMG-001\n"
        "  - id: aws-access-key-id\n";       /* the wrong kind: a secret's id under misconfigs */
    struct customs_filter f;
    struct customs_error err = {0};
    struct customs_report *r = sample();
    (void)state;
    customs_filter_init(&f);
    f.now = 1790000000;
    assert_int_equal(parse(&f, "ci/.customsignore", yaml, &err), 0);
    assert_int_equal(f.ignores.len, 6);
    assert_int_equal(customs_filter_apply(&f, r, &err), 0);
    assert_int_equal(r->vulns.len, 0);
    assert_int_equal(r->secrets.len, 0);
    assert_int_equal(r->malware.len, 1);
    assert_int_equal(r->misconfigs.len, 0);
    assert_int_equal(r->suppressed.len, 3);
    const struct customs_suppressed *s = customs_vec_at(&r->suppressed, 0);
    assert_string_equal(s->kind, "vulnerability");
    assert_string_equal(s->reason, "only in tests");
    assert_string_equal(s->where, "ci/.customsignore:2");
    s = customs_vec_at(&r->suppressed, 1);
    assert_string_equal(s->kind, "secret");
    assert_string_equal(s->path, "/app/test/fixtures.env");
    static const size_t counts[] = {1, 0, 1, 0, 1, 0};
    assert_int_equal(r->ignored.len, 6);
    for (size_t i = 0; i < 6; i++) {
        const struct customs_ignore_use *u = customs_vec_at(&r->ignored, i);
        assert_int_equal(u->suppressed, counts[i]);
        assert_int_equal(u->expired, i == 3);
    }
    const struct customs_ignore_use *u = customs_vec_at(&r->ignored, 3);
    assert_string_equal(u->expires, "2020-02-29");
    assert_string_equal(u->kind, "malware");
    customs_filter_release(&f);
    customs_report_free(r);
}

static void ignore__scopes_that_do_not_match_suppress_nothing(void **state)
{
    static const char yaml[] =
        "vulnerabilities:\n"
        "  - id: CVE-2021-23337\n"
        "    packages: [pkg:npm/lodash@4.17.21]\n" /* another version */
        "  - id: CVE-2021-23337\n"
        "    paths: [srv/*]\n"
        "secrets:\n"
        "  - id: aws-access-key-id\n"
        "    paths: [/app/src/*]\n"
        "malware:\n"
        "  - id: other:EICAR_Test_File\n";     /* another namespace */
    struct customs_filter f;
    struct customs_error err = {0};
    struct customs_report *r = sample();
    (void)state;
    customs_filter_init(&f);
    assert_int_equal(parse(&f, "i.yaml", yaml, &err), 0);
    assert_int_equal(customs_filter_apply(&f, r, &err), 0);
    assert_int_equal(r->vulns.len, 1);
    assert_int_equal(r->secrets.len, 1);
    assert_int_equal(r->malware.len, 1);
    assert_int_equal(r->suppressed.len, 0);
    customs_filter_release(&f);
    customs_report_free(r);
}

static void ignore__plain_lines_apply_to_every_kind_but_package_scopes_vulnerabilities(void **st)
{
    struct customs_filter f;
    struct customs_error err = {0};
    struct customs_report *r = sample();
    (void)st;
    customs_filter_init(&f);
    assert_int_equal(parse(&f, "plain", "aws-access-key-id package=x\nEICAR_Test_File\n"
                                        "CUSTOMS-IMG-001 # the base image's user\n", &err), 0);
    assert_int_equal(customs_filter_apply(&f, r, &err), 0);
    assert_int_equal(r->secrets.len, 1); /* package= scopes to vulnerabilities */
    assert_int_equal(r->malware.len, 0);
    assert_int_equal(r->misconfigs.len, 0);
    const struct customs_suppressed *s = customs_vec_at(&r->suppressed, 1);
    assert_string_equal(s->reason, "the base image's user");
    customs_filter_release(&f);
    customs_report_free(r);
}

static void ignore__bad_yaml_names_file_line_and_column(void **state)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"secrets:\n  - id: x\n    path: [a]\n", "f.yaml:3:11: unknown key 'path'"},
        {"secret:\n  - id: x\n", "f.yaml:2:3: unknown section 'secret'"},
        {"secrets:\n  - paths: [a]\n", "f.yaml:2:5: an entry needs an 'id'"},
        {"secrets:\n  - id: x\n    packages: [pkg:npm/a]\n", "packages applies to vulnerabilities"},
        {"vulnerabilities:\n  - id: x\n    packages: [lodash]\n", "f.yaml:3:16: must be a package URL"},
        {"vulnerabilities:\n  - id: x\n    expires: 2026-02-30\n", "f.yaml:3:14: expires must be"},
        {"vulnerabilities:\n  - id: 7\n", "f.yaml:2:9: 'id' must be a non-empty string"},
        {"vulnerabilities:\n  - id: x\n    paths: []\n", "must be a non-empty list"},
        {"vulnerabilities: {id: x}\n", "'vulnerabilities' must be a list of entries"},
        {"secrets:\n  - id: x\n    paths: ['*a*a*a*a*a*a*a*a*a*']\n", "(matching cost)"},
        {"- CVE-1\n", "the YAML form is a mapping"},
        {"secrets:\n  - id: x\n---\nsecrets: []\n", "more than one YAML document"},
        {"secrets: [&a {id: x}, *a, *a]\nmalware: [{id: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}]\n",
         "f.yaml:"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct customs_filter f;
        struct customs_error err = {0};
        customs_filter_init(&f);
        int rc = parse(&f, "f.yaml", cases[i].text, &err);
        assert_true(rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_ELIMIT);
        if (strstr(err.message, cases[i].message) == NULL) {
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].message);
        }
        customs_filter_release(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ignore__yaml_entries_apply_by_kind_and_are_counted),
        cmocka_unit_test(ignore__scopes_that_do_not_match_suppress_nothing),
        cmocka_unit_test(ignore__plain_lines_apply_to_every_kind_but_package_scopes_vulnerabilities),
        cmocka_unit_test(ignore__bad_yaml_names_file_line_and_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
