/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "admit/admit.h"

#define PRIVILEGED_POD                                                                          \
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"       \
    "\"uid\":\"abc-123\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"        \
    "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"                  \
    "\"name\":\"web\",\"namespace\":\"shop\",\"operation\":\"CREATE\",\"object\":{"             \
    "\"metadata\":{\"name\":\"web\"},\"spec\":{\"hostNetwork\":true,\"containers\":[{"          \
    "\"name\":\"app\",\"image\":\"nginx\",\"securityContext\":{\"privileged\":true}}]}}}}"

struct run {
    struct customs_admit_review r;
    struct customs_admit_decision d;
    struct customs_admit_options opt;
};

static void judge(struct run *x, const char *text, enum customs_pss_level level, bool hardening)
{
    struct customs_error err = {0};
    customs_admit_options_default(&x->opt);
    x->opt.pss.level = level;
    x->opt.hardening = hardening;
    assert_int_equal(customs_admit_review_decode(&x->r, text, strlen(text), 1 << 20, &err), 0);
    customs_admit_decision_init(&x->d);
    assert_int_equal(customs_admit_judge(&x->d, &x->r, &x->opt, &err), 0);
}

static void done(struct run *x)
{
    customs_admit_decision_release(&x->d);
    customs_admit_review_release(&x->r);
}

static const char *resp_str(const json_t *out, const char *a, const char *b)
{
    const json_t *v = json_object_get(json_object_get(out, "response"), a);
    if (b != NULL) {
        v = json_object_get(v, b);
    }
    return json_string_value(v);
}

static void decide__denies_with_403_listing_every_rule_in_pod_security_words(void **state)
{
    (void)state;
    struct run x;
    judge(&x, PRIVILEGED_POD, CUSTOMS_PSS_BASELINE, false);
    assert_string_equal(customs_admit_verdict_name(&x.d), "deny");
    assert_int_equal(x.d.ndeny, 2);
    json_t *out = customs_admit_response(&x.r, &x.d, &x.opt);
    assert_non_null(out);
    assert_string_equal(json_string_value(json_object_get(out, "apiVersion")),
                        "admission.k8s.io/v1");
    assert_string_equal(json_string_value(json_object_get(out, "kind")), "AdmissionReview");
    json_t *resp = json_object_get(out, "response");
    assert_string_equal(resp_str(out, "uid", NULL), "abc-123");
    assert_true(json_is_false(json_object_get(resp, "allowed")));
    json_t *st = json_object_get(resp, "status");
    assert_int_equal(json_integer_value(json_object_get(st, "code")), 403);
    assert_string_equal(resp_str(out, "status", "reason"), "Forbidden");
    assert_string_equal(resp_str(out, "status", "message"),
                        "pods \"web\" is forbidden: violates PodSecurity \"baseline:latest\": "
                        "privileged (container \"app\" must not set "
                        "securityContext.privileged=true), host namespaces (hostNetwork=true)");
    assert_null(json_object_get(resp, "warnings"));
    json_decref(out);
    done(&x);
}

static void decide__admits_with_warnings_in_audit_only_mode(void **state)
{
    (void)state;
    struct run x;
    judge(&x, PRIVILEGED_POD, CUSTOMS_PSS_BASELINE, true);
    x.opt.audit_only = true;
    json_t *out = customs_admit_response(&x.r, &x.d, &x.opt);
    json_t *resp = json_object_get(out, "response");
    assert_true(json_is_true(json_object_get(resp, "allowed")));
    assert_null(json_object_get(resp, "status"));
    json_t *w = json_object_get(resp, "warnings");
    assert_true(json_array_size(w) > 1);
    assert_string_equal(json_string_value(json_array_get(w, 0)),
                        "would violate PodSecurity \"baseline:latest\": privileged (container "
                        "\"app\" must not set securityContext.privileged=true), host namespaces "
                        "(hostNetwork=true)");
    /* the checks beyond Pod Security warn (no limits, no digest, ...) */
    bool limits = false;
    for (size_t i = 1; i < json_array_size(w); i++) {
        limits |= strncmp(json_string_value(json_array_get(w, i)), "CUSTOMS-K8S-001 ", 16) == 0;
    }
    assert_true(limits);
    json_decref(out);

    json_t *rec = customs_admit_log_record(&x.r, &x.d, &x.opt, 86400);
    assert_string_equal(json_string_value(json_object_get(rec, "time")), "1970-01-02T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(rec, "verdict")), "deny");
    assert_true(json_is_false(json_object_get(rec, "enforced")));
    assert_string_equal(json_string_value(json_object_get(rec, "namespace")), "shop");
    assert_string_equal(json_string_value(json_object_get(rec, "name")), "web");
    assert_string_equal(json_string_value(json_object_get(rec, "kind")), "Pod");
    json_t *first = json_array_get(json_object_get(rec, "reasons"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "rule")),
                        "podSecurity.privileged");
    assert_string_equal(json_string_value(json_object_get(first, "effect")), "deny");
    json_decref(rec);
    done(&x);
}

static void decide__allows_a_restricted_pod_and_notes_what_it_skipped(void **state)
{
    (void)state;
    struct run x;
    judge(&x,
          "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
          "\"uid\":\"ok\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
          "\"resource\":{\"resource\":\"pods\"},\"operation\":\"CREATE\",\"object\":{"
          "\"spec\":{\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":"
          "\"RuntimeDefault\"}},\"containers\":[{\"name\":\"a\",\"image\":\"x\","
          "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":"
          "[\"ALL\"]}}}]}}}}",
          CUSTOMS_PSS_RESTRICTED, false);
    assert_string_equal(customs_admit_verdict_name(&x.d), "allow");
    json_t *out = customs_admit_response(&x.r, &x.d, &x.opt);
    assert_true(json_is_true(json_object_get(json_object_get(out, "response"), "allowed")));
    json_decref(out);
    done(&x);

    judge(&x,
          "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
          "\"uid\":\"d\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
          "\"resource\":{\"resource\":\"pods\"},\"operation\":\"DELETE\",\"object\":null}}",
          CUSTOMS_PSS_RESTRICTED, true);
    assert_string_equal(customs_admit_verdict_name(&x.d), "allow");
    assert_non_null(x.d.note);
    json_t *rec = customs_admit_log_record(&x.r, &x.d, &x.opt, 0);
    assert_non_null(json_object_get(rec, "note"));
    json_decref(rec);
    done(&x);
}

static void decide__denies_an_unusable_object_naming_the_problem(void **state)
{
    (void)state;
    struct run x;
    judge(&x,
          "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
          "\"uid\":\"bad\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":"
          "\"Deployment\"},\"resource\":{\"resource\":\"deployments\"},\"operation\":\"CREATE\","
          "\"name\":\"w\",\"object\":{\"kind\":\"Deployment\",\"spec\":{}}}}",
          CUSTOMS_PSS_BASELINE, true);
    assert_string_equal(customs_admit_verdict_name(&x.d), "deny");
    json_t *out = customs_admit_response(&x.r, &x.d, &x.opt);
    const char *msg = resp_str(out, "status", "message");
    assert_non_null(strstr(msg, "request: AdmissionReview: request.object.spec.template.spec is "
                                "missing"));
    json_decref(out);
    out = customs_admit_response_error(&x.r, 500, "boom");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(out, "response"), "status"), "code")),
                     500);
    assert_string_equal(resp_str(out, "uid", NULL), "bad");
    json_decref(out);
    done(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decide__denies_with_403_listing_every_rule_in_pod_security_words),
        cmocka_unit_test(decide__admits_with_warnings_in_audit_only_mode),
        cmocka_unit_test(decide__allows_a_restricted_pod_and_notes_what_it_skipped),
        cmocka_unit_test(decide__denies_an_unusable_object_naming_the_problem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
