/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "admit/admit.h"

#define POD_SPEC "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.25\"}]}"

/* A review of `kind` in `group` whose object is `object` (JSON text). */
static char *review(char *buf, size_t n, const char *op, const char *group, const char *kind,
                    const char *sub, const char *object)
{
    snprintf(buf, n,
             "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
             "\"uid\":\"u-1\",\"kind\":{\"group\":\"%s\",\"version\":\"v1\",\"kind\":\"%s\"},"
             "\"resource\":{\"group\":\"%s\",\"version\":\"v1\",\"resource\":\"things\"},"
             "\"subResource\":\"%s\",\"namespace\":\"shop\",\"operation\":\"%s\",\"object\":%s}}",
             group, kind, group, sub, op, object);
    return buf;
}

static int decode(struct customs_admit_review *r, const char *text, struct customs_error *err)
{
    return customs_admit_review_decode(r, text, strlen(text), 1 << 20, err);
}

static void expect_error(const char *text, const char *what)
{
    struct customs_admit_review r;
    struct customs_error err = {0};
    assert_int_equal(decode(&r, text, &err), CUSTOMS_EMALFORMED);
    if (strstr(err.message, what) == NULL) {
        fail_msg("'%s' not in '%s'", what, err.message);
    }
    assert_null(r.root);
}

static void review__rejects_a_bad_envelope_naming_the_field(void **state)
{
    (void)state;
    expect_error("{\"apiVersion\":", "AdmissionReview:1:");
    expect_error("[]", "not a JSON object");
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}",
                 "apiVersion is \"admission.k8s.io/v1beta1\"");
    expect_error("{\"kind\":\"AdmissionReview\"}", "apiVersion is missing");
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}", "kind is \"Pod\"");
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
                 "request is missing");
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                 "\"request\":{\"kind\":{}}}", "request.uid is missing");
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                 "\"request\":{\"uid\":7}}", "request.uid is not a string");
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                 "\"request\":{\"uid\":\"\"}}", "request.uid is empty");
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                 "\"request\":{\"uid\":\"a\",\"kind\":{\"kind\":\"Pod\",\"version\":\"v1\"},"
                 "\"resource\":{\"resource\":\"pods\"},\"operation\":\"PATCH\"}}",
                 "request.operation \"PATCH\"");
    /* duplicate keys could hide a second uid or object from one reader but not another */
    expect_error("{\"apiVersion\":\"admission.k8s.io/v1\",\"apiVersion\":\"admission.k8s.io/v1\"}",
                 "duplicate");
}

static void review__refuses_a_body_over_the_limit(void **state)
{
    (void)state;
    char buf[2048];
    struct customs_admit_review r;
    struct customs_error err = {0};
    review(buf, sizeof(buf), "CREATE", "", "Pod", "", "{\"spec\":" POD_SPEC "}");
    assert_int_equal(customs_admit_review_decode(&r, buf, strlen(buf), 100, &err),
                     CUSTOMS_ELIMIT);
}

static void review__finds_the_pod_template_of_every_workload_kind(void **state)
{
    (void)state;
    static const struct {
        const char *group;
        const char *kind;
        const char *object;
        const char *path;
    } cases[] = {
        {"", "Pod", "{\"spec\":" POD_SPEC "}", ""},
        {"apps", "Deployment", "{\"spec\":{\"template\":{\"spec\":" POD_SPEC "}}}",
         "spec.template"},
        {"apps", "ReplicaSet", "{\"spec\":{\"template\":{\"spec\":" POD_SPEC "}}}",
         "spec.template"},
        {"apps", "StatefulSet", "{\"spec\":{\"template\":{\"spec\":" POD_SPEC "}}}",
         "spec.template"},
        {"apps", "DaemonSet", "{\"spec\":{\"template\":{\"spec\":" POD_SPEC "}}}",
         "spec.template"},
        {"batch", "Job", "{\"spec\":{\"template\":{\"spec\":" POD_SPEC "}}}", "spec.template"},
        {"batch", "CronJob",
         "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":" POD_SPEC "}}}}}",
         "spec.jobTemplate.spec.template"},
        {"", "ReplicationController", "{\"spec\":{\"template\":{\"spec\":" POD_SPEC "}}}",
         "spec.template"},
        {"", "PodTemplate", "{\"template\":{\"spec\":" POD_SPEC "}}", "template"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[2048];
        struct customs_admit_review r;
        struct customs_error err = {0};
        review(buf, sizeof(buf), "CREATE", cases[i].group, cases[i].kind, "", cases[i].object);
        assert_int_equal(decode(&r, buf, &err), 0);
        assert_string_equal(r.uid, "u-1");
        assert_string_equal(r.template_path, cases[i].path);
        assert_non_null(r.pod_spec);
        assert_non_null(json_object_get(r.pod_spec, "containers"));
        assert_null(r.skip);
        assert_string_equal(r.problem, "");
        /* the object carries the request's kind for the audit code */
        assert_string_equal(json_string_value(json_object_get(r.object, "kind")), cases[i].kind);
        customs_admit_review_release(&r);
    }
}

static void review__leaves_alone_what_pod_security_admission_ignores(void **state)
{
    (void)state;
    static const struct {
        const char *op;
        const char *group;
        const char *kind;
        const char *sub;
        const char *object;
    } cases[] = {
        {"DELETE", "", "Pod", "", "null"},
        {"CONNECT", "", "Pod", "exec", "{\"kind\":\"PodExecOptions\"}"},
        {"UPDATE", "", "Pod", "status", "{\"spec\":" POD_SPEC "}"},
        {"CREATE", "", "Service", "", "{\"spec\":{}}"},
        {"CREATE", "example.com", "Deployment", "", "{\"spec\":{}}"},
        {"UPDATE", "apps", "Deployment", "scale", "{\"spec\":{}}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[2048];
        struct customs_admit_review r;
        struct customs_error err = {0};
        review(buf, sizeof(buf), cases[i].op, cases[i].group, cases[i].kind, cases[i].sub,
               cases[i].object);
        assert_int_equal(decode(&r, buf, &err), 0);
        assert_non_null(r.skip);
        assert_null(r.pod_spec);
        customs_admit_review_release(&r);
    }
}

static void review__judges_a_pod_update_only_when_an_image_changes(void **state)
{
    (void)state;
    char buf[4096];
    struct customs_admit_review r;
    struct customs_error err = {0};
#define UPDATE_FMT                                                                              \
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{" \
        "\"uid\":\"u\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}," \
        "\"resource\":{\"resource\":\"pods\"},\"operation\":\"UPDATE\"," \
        "\"object\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{" \
        "\"name\":\"c\",\"image\":\"%s\"}]}}," \
        "\"oldObject\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"}]}}}}"
    snprintf(buf, sizeof(buf), UPDATE_FMT, "nginx:1");
    assert_int_equal(decode(&r, buf, &err), 0);
    assert_non_null(r.skip);
    assert_null(r.pod_spec);
    customs_admit_review_release(&r);
    snprintf(buf, sizeof(buf), UPDATE_FMT, "nginx:2");
    assert_int_equal(decode(&r, buf, &err), 0);
    assert_null(r.skip);
    assert_non_null(r.pod_spec);
    customs_admit_review_release(&r);
}

static void review__keeps_the_uid_of_a_review_whose_object_is_unusable(void **state)
{
    (void)state;
    static const char *const objects[] = {"null", "[1]", "{\"kind\":\"Service\",\"spec\":{}}",
                                          "{\"spec\":{\"template\":7}}"};
    for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
        char buf[2048];
        struct customs_admit_review r;
        struct customs_error err = {0};
        review(buf, sizeof(buf), "CREATE", "apps", "Deployment", "", objects[i]);
        assert_int_equal(decode(&r, buf, &err), 0);
        assert_string_equal(r.uid, "u-1");
        assert_true(r.problem[0] != '\0');
        assert_null(r.pod_spec);
        customs_admit_review_release(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(review__rejects_a_bad_envelope_naming_the_field),
        cmocka_unit_test(review__refuses_a_body_over_the_limit),
        cmocka_unit_test(review__finds_the_pod_template_of_every_workload_kind),
        cmocka_unit_test(review__leaves_alone_what_pod_security_admission_ignores),
        cmocka_unit_test(review__judges_a_pod_update_only_when_an_image_changes),
        cmocka_unit_test(review__keeps_the_uid_of_a_review_whose_object_is_unusable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
