/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "misconfig/misconfig.h"

struct run {
    struct customs_misconfig_set set;
    struct customs_yaml_stream *ys;
};

static void audit_with(struct run *r, const char *text, const char *const *registries)
{
    struct customs_error err = {0};
    struct customs_k8s_options opt;
    customs_k8s_options_default(&opt);
    opt.pss_enabled = false;
    opt.allowed_registries = registries;
    customs_misconfig_set_init(&r->set);
    r->ys = NULL;
    if (customs_yaml_load(&r->ys, "h.yaml", text, strlen(text), NULL, &err) != 0) {
        fail_msg("%s", err.message);
    }
    assert_int_equal(customs_k8s_audit_stream(&r->set, r->ys, "h.yaml", &opt, &err), 0);
    assert_int_equal(customs_k8s_audit_finish(&r->set, &opt, &err), 0);
}

static void done(struct run *r)
{
    customs_misconfig_set_release(&r->set);
    customs_yaml_stream_free(r->ys);
}

/* "ID@path" of every finding, joined by spaces */
static const char *summary(struct run *r)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < customs_misconfig_set_count(&r->set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(&r->set, i);
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s@%s", i ? " " : "", m->check,
                              m->path);
    }
    return buf;
}

/* a pod that passes every hardening check except what a test adds */
#define CLEAN_CTR(image)                                                                       \
    "  - name: c\n    image: " image "\n"                                                       \
    "    resources: {limits: {cpu: 1, memory: 1Gi}, requests: {cpu: 1, memory: 1Gi}}\n"        \
    "    securityContext: {readOnlyRootFilesystem: true}\n"
#define POD_HEAD "kind: Pod\nmetadata: {name: p}\nspec:\n  automountServiceAccountToken: false\n"
#define NETPOL "---\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n"
#define DIGEST "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void hardening__a_pinned_limited_read_only_pod_is_clean(void **state)
{
    struct run r;
    (void)state;
    audit_with(&r, POD_HEAD "  containers:\n" CLEAN_CTR("nginx:1.27" DIGEST) NETPOL, NULL);
    assert_string_equal(summary(&r), "");
    done(&r);
}

static void hardening__judges_image_references(void **state)
{
    static const struct {
        const char *image;
        const char *want;
    } cases[] = {
        {"nginx", "CUSTOMS-K8S-006@spec.containers[0].image "
                  "CUSTOMS-K8S-007@spec.containers[0].image"},
        {"nginx:latest", "CUSTOMS-K8S-006@spec.containers[0].image "
                         "CUSTOMS-K8S-007@spec.containers[0].image"},
        {"localhost:5000/app", "CUSTOMS-K8S-006@spec.containers[0].image "
                               "CUSTOMS-K8S-007@spec.containers[0].image"},
        {"localhost:5000/app:2", "CUSTOMS-K8S-007@spec.containers[0].image"},
        {"nginx" DIGEST, ""},
        {"nginx:latest" DIGEST, ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024];
        struct run r;
        snprintf(text, sizeof(text), POD_HEAD "  containers:\n" CLEAN_CTR("%s") NETPOL,
                 cases[i].image);
        audit_with(&r, text, NULL);
        assert_string_equal(summary(&r), cases[i].want);
        done(&r);
    }
}

static void hardening__enforces_a_registry_allowlist_by_host_or_prefix(void **state)
{
    static const char *const allowed[] = {"registry.k8s.io", "ghcr.io/org", NULL};
    struct run r;
    (void)state;
    audit_with(&r,
               POD_HEAD "  containers:\n" CLEAN_CTR("registry.k8s.io/pause:3" DIGEST)
                   CLEAN_CTR("ghcr.io/org/app:1" DIGEST) CLEAN_CTR("ghcr.io/other/app:1" DIGEST)
                       CLEAN_CTR("busybox:1" DIGEST) NETPOL,
               allowed);
    assert_string_equal(summary(&r), "CUSTOMS-K8S-016@spec.containers[2].image "
                                     "CUSTOMS-K8S-016@spec.containers[3].image");
    assert_string_equal(customs_misconfig_set_at(&r.set, 1)->message,
                        "container \"c\" uses image \"busybox:1" DIGEST
                        "\" from registry \"docker.io\", which is not allowed");
    done(&r);
}

static void hardening__flags_runtime_sockets_and_writable_host_paths(void **state)
{
    struct run r;
    (void)state;
    audit_with(&r,
               POD_HEAD "  containers:\n" CLEAN_CTR("a:1" DIGEST)
               "    volumeMounts: [{name: s, mountPath: /s}, {name: ro, mountPath: /ro, "
               "readOnly: true}, {name: e, mountPath: /e}]\n"
               "  volumes:\n  - {name: s, hostPath: {path: /run/containerd/}}\n"
               "  - {name: ro, hostPath: {path: /etc}}\n  - {name: e, emptyDir: {}}\n" NETPOL,
               NULL);
    assert_string_equal(summary(&r), "CUSTOMS-K8S-008@spec.volumes[0].hostPath.path "
                                     "CUSTOMS-K8S-009@spec.containers[0].volumeMounts[0].readOnly");
    done(&r);
}

static void hardening__flags_secret_looking_literal_env_values_only(void **state)
{
    struct run r;
    (void)state;
    audit_with(&r,
               POD_HEAD "  containers:\n" CLEAN_CTR("a:1" DIGEST)
               "    env:\n    - {name: db-password, value: s3cr3t-value}\n"
               "    - {name: ENABLE_TOKEN_AUTH, value: 'true'}\n"
               "    - {name: SECRET_FILE, value: /var/run/secret}\n"
               "    - {name: API_KEY, valueFrom: {secretKeyRef: {name: a, key: b}}}\n"
               "    - {name: HOSTNAME, value: somewhere-long}\n" NETPOL,
               NULL);
    assert_string_equal(summary(&r), "CUSTOMS-K8S-011@spec.containers[0].env[0].value");
    assert_string_equal(customs_misconfig_set_at(&r.set, 0)->message,
                        "container \"c\" sets db-password to a literal value (12 characters)");
    done(&r);
}

static void hardening__reports_namespaces_without_a_network_policy_once(void **state)
{
    struct run r;
    (void)state;
    audit_with(&r,
               "kind: Deployment\nmetadata: {name: a, namespace: x}\nspec: {template: {spec: "
               "{automountServiceAccountToken: false, containers: []}}}\n---\n"
               "kind: Job\nmetadata: {name: b, namespace: x}\nspec: {template: {spec: "
               "{automountServiceAccountToken: false, containers: []}}}\n---\n"
               "kind: StatefulSet\nmetadata: {name: c, namespace: y}\nspec: {template: {spec: "
               "{automountServiceAccountToken: false, containers: []}}}\n---\n"
               "kind: NetworkPolicy\nmetadata: {name: d, namespace: y}\n",
               NULL);
    assert_string_equal(summary(&r), "CUSTOMS-K8S-015@metadata");
    const struct customs_misconfig *m = customs_misconfig_set_at(&r.set, 0);
    assert_string_equal(m->object, "Deployment/x/a");
    assert_int_equal(m->line, 2);
    assert_string_equal(m->message, "namespace \"x\" has workloads (first: Deployment/x/a) but "
                                    "no NetworkPolicy among the audited files");
    done(&r);
}

static void hardening__checks_services_and_rbac(void **state)
{
    struct run r;
    (void)state;
    audit_with(&r,
               "kind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer}\n---\n"
               "kind: Service\nmetadata: {name: t}\nspec: {type: ClusterIP}\n---\n"
               "kind: Role\nmetadata: {name: r}\nrules:\n- {apiGroups: ['*'], resources: [pods], "
               "verbs: ['*']}\n---\n"
               "kind: RoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: "
               "cluster-admin}\n---\n"
               "kind: RoleBinding\nmetadata: {name: c}\nroleRef: {kind: Role, name: "
               "cluster-admin}\n",
               NULL);
    assert_string_equal(summary(&r), "CUSTOMS-K8S-012@spec.type CUSTOMS-K8S-013@rules[0].verbs[0] "
                                     "CUSTOMS-K8S-013@rules[0].apiGroups[0] "
                                     "CUSTOMS-K8S-014@roleRef.name");
    done(&r);
}

static void hardening__lists_its_checks(void **state)
{
    (void)state;
    assert_int_equal(customs_k8s_check_count(), 16);
    assert_string_equal(customs_k8s_check_at(0)->id, "CUSTOMS-K8S-001");
    assert_string_equal(customs_k8s_check_at(15)->id, "CUSTOMS-K8S-016");
    assert_null(customs_k8s_check_at(0)->level);
    assert_null(customs_k8s_check_at(16));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hardening__a_pinned_limited_read_only_pod_is_clean),
        cmocka_unit_test(hardening__judges_image_references),
        cmocka_unit_test(hardening__enforces_a_registry_allowlist_by_host_or_prefix),
        cmocka_unit_test(hardening__flags_runtime_sockets_and_writable_host_paths),
        cmocka_unit_test(hardening__flags_secret_looking_literal_env_values_only),
        cmocka_unit_test(hardening__reports_namespaces_without_a_network_policy_once),
        cmocka_unit_test(hardening__checks_services_and_rbac),
        cmocka_unit_test(hardening__lists_its_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
