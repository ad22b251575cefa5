/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/filter.h"
#include "model/report.h"

static char path[4096];

static const char *data(const char *name)
{
    const char *src = getenv("CUSTOMS_SOURCE_ROOT") != NULL ? getenv("CUSTOMS_SOURCE_ROOT") : ".";
    snprintf(path, sizeof(path), "%s/tests/data/policy/%s", src, name);
    return path;
}

static void add_vuln(struct customs_report *r, const char *type, const char *name,
                     const char *purl, const char *id, const char *alias, const char *fixed,
                     enum customs_severity sev)
{
    struct customs_package *p = customs_inventory_add(&r->inventory);
    p->type = type;
    p->name = name;
    p->version = "1.2.2";
    p->purl = purl;
    p->source_name = name;
    struct customs_vuln_finding *v = customs_vec_push(&r->vulns);
    memset(v, 0, sizeof(*v));
    v->id = id;
    v->aliases = customs_arena_alloc(&r->arena, sizeof(char *));
    v->aliases[0] = alias;
    v->naliases = alias != NULL ? 1 : 0;
    v->package = r->inventory.packages.len - 1;
    v->name = name;
    v->type = type;
    v->installed = "1.2.2";
    v->fixed = fixed;
    v->status = fixed != NULL ? "fixed" : "unfixed";
    v->severity = sev;
}

static struct customs_report *sample(void)
{
    struct customs_report *r = customs_report_new();
    add_vuln(r, "npm", "example-lib", "pkg:npm/example-lib@1.2.2", "CVE-2023-11111",
             "GHSA-aaaa-bbbb-cccc", "1.2.3", CUSTOMS_SEVERITY_MEDIUM);
    add_vuln(r, "npm", "other-lib", "pkg:npm/other-lib@1.2.2", "GHSA-dddd-eeee-ffff", NULL,
             "1.3.0", CUSTOMS_SEVERITY_HIGH);
    add_vuln(r, "deb", "openssl", "pkg:deb/debian/openssl@1.2.2", "CVE-2024-0001", NULL, NULL,
             CUSTOMS_SEVERITY_LOW);
    add_vuln(r, "deb", "zlib", "pkg:deb/debian/zlib@1.2.2", "CVE-2020-0002", NULL, "1.3",
             CUSTOMS_SEVERITY_CRITICAL);
    add_vuln(r, "deb", "zlib", "pkg:deb/debian/zlib@1.2.2", "CVE-2020-0003", NULL, "1.3",
             CUSTOMS_SEVERITY_HIGH);
    return r;
}

static bool kept(const struct customs_report *r, const char *id)
{
    for (size_t i = 0; i < r->vulns.len; i++) {
        if (strcmp(((const struct customs_vuln_finding *)customs_vec_at(&r->vulns, i))->id, id) ==
            0) {
            return true;
        }
    }
    return false;
}

static void filter__ignorefile_scopes_by_package_and_expires(void **state)
{
    struct customs_filter f;
    struct customs_error err = {0};
    struct customs_report *r = sample();
    (void)state;
    customs_filter_init(&f);
    f.now = 1790000000; /* 2026-09 */
    assert_int_equal(customs_filter_load_ignorefile(&f, data("customsignore"), &err), 0);
    assert_int_equal(f.ignores.len, 3);
    assert_int_equal(customs_filter_apply(&f, r, &err), 0);
    assert_false(kept(r, "CVE-2024-0001"));  /* ignored for openssl until 2099 */
    assert_true(kept(r, "CVE-2020-0002"));   /* expired entry: still reported */
    assert_true(kept(r, "CVE-2020-0003"));   /* scoped to another package */
    assert_int_equal(r->suppressed.len, 1);
    const struct customs_suppressed *s = customs_vec_at(&r->suppressed, 0);
    assert_string_equal(s->by, "ignorefile");
    assert_string_equal(s->reason, "waiting for the vendor");
    assert_non_null(strstr(s->where, "customsignore:2"));
    assert_int_equal(r->errors.len, 1); /* the expired entry is reported */
    const struct customs_report_error *e = customs_vec_at(&r->errors, 0);
    assert_string_equal(e->code, "expired-ignore");
    assert_non_null(strstr(e->message, "CVE-2020-0002 expired on 2021-01-01"));
    customs_filter_release(&f);
    customs_report_free(r);
}

static void filter__vex_not_affected_and_fixed_suppress_with_justification(void **state)
{
    struct customs_filter f;
    struct customs_error err = {0};
    struct customs_report *r = sample();
    (void)state;
    customs_filter_init(&f);
    assert_int_equal(customs_filter_load_vex(&f, data("app.openvex.json"), &err), 0);
    assert_int_equal(f.vex.len, 3);
    assert_int_equal(customs_filter_apply(&f, r, &err), 0);
    assert_false(kept(r, "CVE-2023-11111")); /* not_affected, for that exact version */
    assert_false(kept(r, "GHSA-dddd-eeee-ffff")); /* fixed, a subcomponent of the image */
    assert_true(kept(r, "CVE-2024-0001"));        /* "affected" does not suppress */
    const struct customs_suppressed *s = customs_vec_at(&r->suppressed, 0);
    assert_string_equal(s->by, "vex");
    assert_string_equal(s->reason, "not_affected: vulnerable_code_not_in_execute_path");
    customs_filter_release(&f);
    customs_report_free(r);
}

static void filter__severity_and_unfixed(void **state)
{
    struct customs_filter f;
    struct customs_error err = {0};
    struct customs_report *r = sample();
    (void)state;
    customs_filter_init(&f);
    assert_int_equal(customs_filter_severities(&f, "critical,HIGH", &err), 0);
    f.ignore_unfixed = true;
    assert_int_equal(customs_filter_apply(&f, r, &err), 0);
    assert_int_equal(r->vulns.len, 3);
    assert_false(kept(r, "CVE-2023-11111")); /* MEDIUM */
    assert_false(kept(r, "CVE-2024-0001"));  /* LOW and unfixed */
    assert_int_equal(r->suppressed.len, 0);  /* filtered, not suppressed */
    assert_int_equal(customs_filter_severities(&f, "HIGH,SEVERE", &err), CUSTOMS_EINVAL);
    assert_non_null(strstr(err.message, "SEVERE"));
    customs_filter_release(&f);
    customs_report_free(r);
}

static void filter__bad_files_name_the_line(void **state)
{
    struct customs_filter f;
    struct customs_error err = {0};
    (void)state;
    customs_filter_init(&f);
    FILE *fp = fopen("/tmp/customs-ignore-test", "w");
    fputs("CVE-1\nCVE-2 expires=tomorrow\n", fp);
    fclose(fp);
    assert_int_equal(customs_filter_load_ignorefile(&f, "/tmp/customs-ignore-test", &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "customs-ignore-test:2: expires="));
    remove("/tmp/customs-ignore-test");
    assert_int_equal(customs_filter_load_vex(&f, data("customsignore"), &err), CUSTOMS_EMALFORMED);
    customs_filter_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filter__ignorefile_scopes_by_package_and_expires),
        cmocka_unit_test(filter__vex_not_affected_and_fixed_suppress_with_justification),
        cmocka_unit_test(filter__severity_and_unfixed),
        cmocka_unit_test(filter__bad_files_name_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
