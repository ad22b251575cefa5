/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "misconfig/misconfig.h"

struct run {
    struct customs_misconfig_set set;
    struct customs_yaml_stream *ys;
};

static void audit(struct run *r, const char *text, const char *level, int minor)
{
    struct customs_error err = {0};
    struct customs_k8s_options opt;
    customs_k8s_options_default(&opt);
    opt.hardening = false; /* the checks beyond PSS have their own tests */
    assert_int_equal(customs_pss_level_parse(&opt.pss.level, level), 0);
    opt.pss.minor = minor;
    customs_misconfig_set_init(&r->set);
    r->ys = NULL;
    if (customs_yaml_load(&r->ys, "w.yaml", text, strlen(text), NULL, &err) != 0) {
        fail_msg("%s", err.message);
    }
    assert_int_equal(customs_k8s_audit_stream(&r->set, r->ys, "w.yaml", &opt, &err), 0);
}

static void done(struct run *r)
{
    customs_misconfig_set_release(&r->set);
    customs_yaml_stream_free(r->ys);
}

static const struct customs_misconfig *at(struct run *r, size_t i)
{
    assert_true(i < customs_misconfig_set_count(&r->set));
    return customs_misconfig_set_at(&r->set, i);
}

#define RESTRICTED_CTR                                                                         \
    "      securityContext:\n        allowPrivilegeEscalation: false\n"                         \
    "        capabilities: {drop: [ALL]}\n"
#define RESTRICTED_POD                                                                         \
    "    securityContext:\n      runAsNonRoot: true\n      seccompProfile: {type: RuntimeDefault}\n"

static void pss__flags_a_privileged_deployment_container_at_its_field(void **state)
{
    struct run r;
    (void)state;
    audit(&r,
          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n"
          "spec:\n  template:\n    spec:\n      containers:\n      - name: app\n"
          "        image: nginx\n        securityContext:\n          privileged: true\n",
          "baseline", CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_misconfig_set_count(&r.set), 1);
    const struct customs_misconfig *m = at(&r, 0);
    assert_string_equal(m->check, "privileged");
    assert_string_equal(m->level, "baseline");
    assert_int_equal(m->severity, CUSTOMS_SEVERITY_CRITICAL);
    assert_string_equal(m->object, "Deployment/prod/web");
    assert_string_equal(m->file, "w.yaml");
    assert_string_equal(m->path, "spec.template.spec.containers[0].securityContext.privileged");
    assert_int_equal(m->line, 11);
    assert_int_equal(m->column, 23);
    assert_string_equal(m->message, "privileged (container \"app\" must not set "
                                    "securityContext.privileged=true)");
    assert_non_null(m->fix);
    assert_string_equal(m->reference,
                        "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
                        "#baseline");
    done(&r);
}

static void pss__finds_the_pod_template_of_every_workload_kind(void **state)
{
    static const struct {
        const char *kind;
        const char *path;
    } kinds[] = {
        {"Pod", ""},
        {"Deployment", "spec.template"},
        {"StatefulSet", "spec.template"},
        {"DaemonSet", "spec.template"},
        {"ReplicaSet", "spec.template"},
        {"Job", "spec.template"},
        {"ReplicationController", "spec.template"},
        {"CronJob", "spec.jobTemplate.spec.template"},
        {"PodTemplate", "template"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        assert_string_equal(customs_k8s_pod_template_path(kinds[i].kind), kinds[i].path);
    }
    assert_null(customs_k8s_pod_template_path("Service"));
    struct run r;
    audit(&r,
          "kind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n    spec:\n"
          "      template:\n        spec:\n          hostPID: true\n          containers: []\n"
          "---\nkind: Service\nmetadata: {name: s}\nspec: {hostNetwork: true}\n",
          "baseline", CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_misconfig_set_count(&r.set), 1);
    assert_string_equal(at(&r, 0)->object, "CronJob/default/nightly");
    assert_string_equal(at(&r, 0)->path, "spec.jobTemplate.spec.template.spec.hostPID");
    assert_int_equal(at(&r, 0)->line, 8);
    done(&r);
}

static void pss__walks_list_items_and_ephemeral_containers(void **state)
{
    struct run r;
    (void)state;
    audit(&r,
          "kind: List\nitems:\n- kind: Pod\n  metadata: {name: p}\n  spec:\n"
          "    containers: [{name: a}]\n    ephemeralContainers:\n    - name: dbg\n"
          "      ports: [{containerPort: 80, hostPort: 8080}]\n",
          "baseline", CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_misconfig_set_count(&r.set), 1);
    assert_string_equal(at(&r, 0)->check, "hostPorts");
    assert_string_equal(at(&r, 0)->path, "items[0].spec.ephemeralContainers[0].ports[0].hostPort");
    assert_string_equal(at(&r, 0)->message, "hostPort (container \"dbg\" uses hostPort 8080)");
    assert_int_equal(at(&r, 0)->line, 9);
    done(&r);
}

static void pss__replaces_overridden_baseline_checks_at_restricted(void **state)
{
    struct run r;
    (void)state;
    static const char pod[] =
        "kind: Pod\nmetadata: {name: p}\nspec:\n" RESTRICTED_POD "    containers:\n    - name: a\n"
        RESTRICTED_CTR "    volumes:\n    - name: h\n      hostPath: {path: /}\n";
    audit(&r, pod, "baseline", CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_misconfig_set_count(&r.set), 1);
    assert_string_equal(at(&r, 0)->check, "hostPathVolumes");
    done(&r);
    audit(&r, pod, "restricted", CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_misconfig_set_count(&r.set), 1);
    assert_string_equal(at(&r, 0)->check, "restrictedVolumes");
    assert_string_equal(at(&r, 0)->path, "spec.volumes[0].hostPath");
    done(&r);
}

static void pss__requires_non_root_seccomp_and_dropped_capabilities_at_restricted(void **state)
{
    struct run r;
    (void)state;
    audit(&r, "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n",
          "restricted", CUSTOMS_PSS_LATEST_MINOR);
    static const char *const want[] = {"allowPrivilegeEscalation", "runAsNonRoot",
                                       "seccompProfile_restricted", "capabilities_restricted"};
    assert_int_equal(customs_misconfig_set_count(&r.set), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(at(&r, i)->check, want[i]);
        assert_string_equal(at(&r, i)->level, "restricted");
    }
    assert_string_equal(at(&r, 0)->message,
                        "allowPrivilegeEscalation != false (container \"a\" must set "
                        "securityContext.allowPrivilegeEscalation=false)");
    done(&r);
}

/* A control has one severity whatever the level: a restricted check replacing a baseline one
 * keeps the baseline's severity for what the baseline forbids too (SYS_ADMIN added, a hostPath
 * volume), and its own for what only restricted forbids (CHOWN added). */
static void pss__a_control_keeps_its_severity_at_restricted(void **state)
{
    struct run r;
    (void)state;
    static const char pod[] =
        "kind: Pod\nmetadata: {name: p}\nspec:\n" RESTRICTED_POD "    containers:\n    - name: a\n"
        "      securityContext:\n        allowPrivilegeEscalation: false\n"
        "        capabilities: {drop: [ALL], add: [SYS_ADMIN, CHOWN]}\n"
        "    volumes:\n    - name: h\n      hostPath: {path: /}\n";
    audit(&r, pod, "baseline", CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_misconfig_set_count(&r.set), 2);
    assert_string_equal(at(&r, 0)->check, "hostPathVolumes");
    assert_int_equal(at(&r, 0)->severity, CUSTOMS_SEVERITY_HIGH);
    assert_string_equal(at(&r, 1)->check, "capabilities_baseline");
    assert_string_equal(at(&r, 1)->path, "spec.containers[0].securityContext.capabilities.add[0]");
    assert_int_equal(at(&r, 1)->severity, CUSTOMS_SEVERITY_HIGH);
    done(&r);
    audit(&r, pod, "restricted", CUSTOMS_PSS_LATEST_MINOR);
    size_t n = customs_misconfig_set_count(&r.set);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        const struct customs_misconfig *m = at(&r, i);
        if (strcmp(m->path, "spec.volumes[0].hostPath") == 0) {
            assert_string_equal(m->check, "restrictedVolumes");
            assert_int_equal(m->severity, CUSTOMS_SEVERITY_HIGH);
            seen |= 1;
        } else if (strcmp(m->path, "spec.containers[0].securityContext.capabilities.add[0]") ==
                   0) {
            assert_string_equal(m->check, "capabilities_restricted");
            assert_int_equal(m->severity, CUSTOMS_SEVERITY_HIGH);
            seen |= 2;
        } else if (strcmp(m->path, "spec.containers[0].securityContext.capabilities.add[1]") ==
                   0) {
            assert_string_equal(m->check, "capabilities_restricted");
            assert_int_equal(m->severity, CUSTOMS_SEVERITY_LOW);
            seen |= 4;
        }
    }
    assert_int_equal(seen, 7);
    done(&r);
}

static void pss__follows_the_policy_version(void **state)
{
    struct run r;
    (void)state;
    static const char pod[] =
        "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    sysctls:\n"
        "    - {name: net.ipv4.tcp_keepalive_time, value: '60'}\n  containers: [{name: a}]\n";
    audit(&r, pod, "baseline", 28);
    assert_int_equal(customs_misconfig_set_count(&r.set), 1);
    assert_string_equal(at(&r, 0)->check, "sysctls");
    done(&r);
    audit(&r, pod, "baseline", 29);
    assert_int_equal(customs_misconfig_set_count(&r.set), 0);
    done(&r);
    /* user namespaces relax runAsNonRoot/runAsUser from v1.35 */
    static const char userns[] =
        "kind: Pod\nmetadata: {name: p}\nspec:\n  hostUsers: false\n"
        "  securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n"
        "  containers:\n    - name: a\n" RESTRICTED_CTR;
    audit(&r, userns, "restricted", 34);
    assert_int_equal(customs_misconfig_set_count(&r.set), 2);
    assert_string_equal(at(&r, 0)->check, "runAsNonRoot");
    assert_string_equal(at(&r, 1)->check, "runAsUser");
    done(&r);
    audit(&r, userns, "restricted", 35);
    assert_int_equal(customs_misconfig_set_count(&r.set), 0);
    done(&r);
}

static void pss__parses_levels_and_versions(void **state)
{
    enum customs_pss_level l;
    int minor = -1;
    (void)state;
    assert_int_equal(customs_pss_level_parse(&l, "baseline"), 0);
    assert_int_equal(l, CUSTOMS_PSS_BASELINE);
    assert_int_equal(customs_pss_level_parse(&l, "privileged"), CUSTOMS_EINVAL);
    assert_int_equal(customs_pss_version_parse(&minor, "latest"), 0);
    assert_int_equal(minor, CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_pss_version_parse(&minor, "v1.30"), 0);
    assert_int_equal(minor, 30);
    assert_int_equal(customs_pss_version_parse(&minor, "1.0"), 0);
    assert_int_equal(minor, 0);
    assert_int_equal(customs_pss_version_parse(&minor, "v1.99"), 0);
    assert_int_equal(minor, CUSTOMS_PSS_LATEST_MINOR);
    assert_int_equal(customs_pss_version_parse(&minor, "v2.1"), CUSTOMS_EINVAL);
    assert_int_equal(customs_pss_version_parse(&minor, "v1.x"), CUSTOMS_EINVAL);
    assert_int_equal(customs_pss_check_count(), 19);
    assert_string_equal(customs_pss_check_at(0)->id, "privileged");
    assert_string_equal(customs_pss_check_at(18)->overrides, "procMount");
    assert_null(customs_pss_check_at(19));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pss__flags_a_privileged_deployment_container_at_its_field),
        cmocka_unit_test(pss__finds_the_pod_template_of_every_workload_kind),
        cmocka_unit_test(pss__walks_list_items_and_ephemeral_containers),
        cmocka_unit_test(pss__replaces_overridden_baseline_checks_at_restricted),
        cmocka_unit_test(pss__requires_non_root_seccomp_and_dropped_capabilities_at_restricted),
        cmocka_unit_test(pss__a_control_keeps_its_severity_at_restricted),
        cmocka_unit_test(pss__follows_the_policy_version),
        cmocka_unit_test(pss__parses_levels_and_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
