/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "admit/admit.h"

#define DEPLOYMENT(SPEC)                                                                        \
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"       \
    "\"uid\":\"m-1\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"},"  \
    "\"resource\":{\"resource\":\"deployments\"},\"operation\":\"CREATE\",\"object\":{"         \
    "\"spec\":{\"template\":{\"spec\":" SPEC "}}}}}"

/* The patch of a /mutate answer with the defaults `m` as compact JSON text ("" when there is
 * none). */
static char *patch_with(const char *text, const struct customs_policy_mutate *m)
{
    struct customs_admit_review r;
    struct customs_error err = {0};
    assert_int_equal(customs_admit_review_decode(&r, text, strlen(text), 1 << 20, &err), 0);
    json_t *out = customs_admit_mutate(&r, m);
    assert_non_null(out);
    json_t *resp = json_object_get(out, "response");
    assert_string_equal(json_string_value(json_object_get(resp, "uid")), "m-1");
    assert_true(json_is_true(json_object_get(resp, "allowed")));
    const char *b64 = json_string_value(json_object_get(resp, "patch"));
    char *result;
    if (b64 == NULL) {
        assert_null(json_object_get(resp, "patchType"));
        result = strdup("");
    } else {
        assert_string_equal(json_string_value(json_object_get(resp, "patchType")), "JSONPatch");
        size_t n = strlen(b64);
        unsigned char *raw = calloc(1, n + 1);
        int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
        assert_true(len > 0);
        json_error_t jerr;
        json_t *p = json_loadb((const char *)raw, strlen((const char *)raw), 0, &jerr);
        assert_non_null(p);
        result = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(p);
        free(raw);
    }
    json_decref(out);
    customs_admit_review_release(&r);
    return result;
}

static char *patch_of(const char *text)
{
    return patch_with(text, &customs_admit_mutate_all);
}

static void mutate__adds_every_missing_default(void **state)
{
    (void)state;
    char *p = patch_of(DEPLOYMENT("{\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}"));
    assert_string_equal(
        p, "[{\"op\":\"add\",\"path\":\"/spec/template/spec/securityContext\",\"value\":{"
           "\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}},"
           "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/securityContext\","
           "\"value\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}}]");
    free(p);
}

static void mutate__never_overrides_what_the_user_set(void **state)
{
    (void)state;
    char *p = patch_of(DEPLOYMENT(
        "{\"securityContext\":{\"runAsNonRoot\":false},\"containers\":[{\"name\":\"a\","
        "\"image\":\"x\",\"securityContext\":{\"allowPrivilegeEscalation\":true,"
        "\"seccompProfile\":{\"type\":\"Localhost\",\"localhostProfile\":\"p\"},"
        "\"capabilities\":{\"drop\":[\"NET_RAW\"]}}},{\"name\":\"b\",\"image\":\"y\","
        "\"securityContext\":{\"privileged\":true}}]}"));
    /* the pod keeps runAsNonRoot false (its seccomp default yields to the container's own
     * profile); "ALL" joins NET_RAW; a privileged container is left alone (the API server
     * refuses allowPrivilegeEscalation false beside it) */
    assert_string_equal(
        p, "[{\"op\":\"add\",\"path\":\"/spec/template/spec/securityContext/seccompProfile\","
           "\"value\":{\"type\":\"RuntimeDefault\"}},"
           "{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/securityContext/"
           "capabilities/drop/-\",\"value\":\"ALL\"}]");
    free(p);
    p = patch_of(DEPLOYMENT(
        "{\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":"
        "\"RuntimeDefault\"}},\"containers\":[{\"name\":\"a\",\"image\":\"x\","
        "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":"
        "[\"ALL\"]}}}]}"));
    assert_string_equal(p, "");
    free(p);
}

/* Only what the policy's mutate section asks for is set. */
static void mutate__applies_only_the_defaults_asked_for(void **state)
{
    (void)state;
    const char *spec = DEPLOYMENT("{\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}");
    struct customs_policy_mutate none = {0};
    char *p = patch_with(spec, &none);
    assert_string_equal(p, "");
    free(p);
    struct customs_policy_mutate seccomp = {.seccomp_runtime_default = true};
    p = patch_with(spec, &seccomp);
    assert_string_equal(
        p, "[{\"op\":\"add\",\"path\":\"/spec/template/spec/securityContext\",\"value\":{"
           "\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]");
    free(p);
    struct customs_policy_mutate ape = {.disallow_privilege_escalation = true};
    p = patch_with(spec, &ape);
    assert_string_equal(
        p, "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/securityContext\","
           "\"value\":{\"allowPrivilegeEscalation\":false}}]");
    free(p);
    struct customs_policy_mutate drop = {.drop_all_capabilities = true};
    p = patch_with(DEPLOYMENT("{\"containers\":[{\"name\":\"a\",\"image\":\"x\","
                              "\"securityContext\":{\"runAsUser\":1000}}]}"),
                   &drop);
    assert_string_equal(
        p, "[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/securityContext/"
           "capabilities\",\"value\":{\"drop\":[\"ALL\"]}}]");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mutate__adds_every_missing_default),
        cmocka_unit_test(mutate__never_overrides_what_the_user_set),
        cmocka_unit_test(mutate__applies_only_the_defaults_asked_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
