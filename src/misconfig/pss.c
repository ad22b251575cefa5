/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Pod Security Standards, check by check, versioned as pod-security-admission versions
 * them (facts from its policy/check_*.go, see docs/checks.md). Each check is one function over
 * a pod spec; a restricted check that overrides a baseline one replaces it at restricted.
 */
#include "misconfig/internal.h"

#include "core/banned.h"

/* ---- baseline ---- */

static void privileged_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                           const char *name)
{
    char p[PATH_MAX_LEN];
    if (jtrue(jget(ctr, "securityContext"), "privileged")) {
        pathf(p, "%s.securityContext.privileged", path);
        emit(c, p, "privileged (container \"%s\" must not set securityContext.privileged=true)",
             name);
    }
}

static void check_privileged(struct k8s_ctx *c)
{
    visit_containers(c, privileged_ctr);
}

static void check_host_namespaces(struct k8s_ctx *c)
{
    static const char *const fields[] = {"hostNetwork", "hostPID", "hostIPC", NULL};
    char p[PATH_MAX_LEN];
    for (size_t i = 0; fields[i] != NULL; i++) {
        if (jtrue(c->spec, fields[i])) {
            pathf(p, "%s.%s", c->spec_path, fields[i]);
            emit(c, p, "host namespaces (%s=true)", fields[i]);
        }
    }
}

static void check_host_path_volumes(struct k8s_ctx *c)
{
    const json_t *vols = jget(c->spec, "volumes");
    const json_t *v;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(vols)) {
        return;
    }
    json_array_foreach(vols, i, v) {
        const json_t *hp = jget(v, "hostPath");
        if (hp != NULL && !json_is_null(hp)) {
            const char *name = jstr(v, "name");
            pathf(p, "%s.volumes[%zu].hostPath", c->spec_path, i);
            emit(c, p, "hostPath volumes (volume \"%s\")", name != NULL ? name : "");
        }
    }
}

static void host_ports_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                           const char *name)
{
    const json_t *ports = jget(ctr, "ports");
    const json_t *port;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(ports)) {
        return;
    }
    json_array_foreach(ports, i, port) {
        const json_t *hp = jget(port, "hostPort");
        if (json_is_integer(hp) && json_integer_value(hp) != 0) {
            pathf(p, "%s.ports[%zu].hostPort", path, i);
            emit(c, p, "hostPort (container \"%s\" uses hostPort %lld)", name,
                 (long long)json_integer_value(hp));
        }
    }
}

static void check_host_ports(struct k8s_ctx *c)
{
    visit_containers(c, host_ports_ctr);
}

static void host_probe_one(struct k8s_ctx *c, const json_t *handler, const char *path,
                           const char *what, const char *name)
{
    static const char *const kinds[] = {"httpGet", "tcpSocket", NULL};
    char p[PATH_MAX_LEN];
    for (size_t k = 0; kinds[k] != NULL; k++) {
        const char *host = jstr(jget(handler, kinds[k]), "host");
        if (host != NULL && host[0] != '\0') {
            pathf(p, "%s.%s.host", path, kinds[k]);
            emit(c, p, "probe or lifecycle host (container \"%s\" uses %s host \"%s\")", name,
                 what, host);
        }
    }
}

static void host_probes_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                            const char *name)
{
    static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe",
                                         NULL};
    static const char *const hooks[] = {"postStart", "preStop", NULL};
    char p[PATH_MAX_LEN];
    for (size_t i = 0; probes[i] != NULL; i++) {
        pathf(p, "%s.%s", path, probes[i]);
        host_probe_one(c, jget(ctr, probes[i]), p, "probe", name);
    }
    const json_t *lc = jget(ctr, "lifecycle");
    for (size_t i = 0; hooks[i] != NULL; i++) {
        pathf(p, "%s.lifecycle.%s", path, hooks[i]);
        host_probe_one(c, jget(lc, hooks[i]), p, "lifecycle", name);
    }
}

static void check_host_probes(struct k8s_ctx *c)
{
    visit_containers(c, host_probes_ctr);
}

static void host_process_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                             const char *name)
{
    char p[PATH_MAX_LEN];
    if (jtrue(jget(jget(ctr, "securityContext"), "windowsOptions"), "hostProcess")) {
        pathf(p, "%s.securityContext.windowsOptions.hostProcess", path);
        emit(c, p, "hostProcess (container \"%s\" must not set "
                   "securityContext.windowsOptions.hostProcess=true)", name);
    }
}

static void check_windows_host_process(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    if (jtrue(jget(jget(c->spec, "securityContext"), "windowsOptions"), "hostProcess")) {
        pathf(p, "%s.securityContext.windowsOptions.hostProcess", c->spec_path);
        emit(c, p, "hostProcess (pod must not set "
                   "securityContext.windowsOptions.hostProcess=true)");
    }
    visit_containers(c, host_process_ctr);
}

static void capabilities_baseline_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                                      const char *name)
{
    static const char *const allowed[] = {
        "AUDIT_WRITE", "CHOWN",  "DAC_OVERRIDE", "FOWNER", "FSETID",     "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", NULL};
    const json_t *add = jget(jget(jget(ctr, "securityContext"), "capabilities"), "add");
    const json_t *cap;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(add)) {
        return;
    }
    json_array_foreach(add, i, cap) {
        const char *s = json_is_string(cap) ? json_string_value(cap) : "";
        if (!str_in(s, allowed)) {
            pathf(p, "%s.securityContext.capabilities.add[%zu]", path, i);
            emit(c, p, "non-default capabilities (container \"%s\" must not include \"%s\" in "
                       "securityContext.capabilities.add)", name, s);
        }
    }
}

static void check_capabilities_baseline(struct k8s_ctx *c)
{
    visit_containers(c, capabilities_baseline_ctr);
}

/* The profile types PSS allows for AppArmor (baseline) and seccomp (restricted) alike. */
static bool profile_type_ok(const char *t)
{
    return strcmp(t, "RuntimeDefault") == 0 || strcmp(t, "Localhost") == 0;
}

static void apparmor_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                         const char *name)
{
    char p[PATH_MAX_LEN];
    const char *t = jstr(jget(jget(ctr, "securityContext"), "appArmorProfile"), "type");
    if (t != NULL && !profile_type_ok(t)) {
        pathf(p, "%s.securityContext.appArmorProfile.type", path);
        emit(c, p, "forbidden AppArmor profile (container \"%s\" must not set "
                   "securityContext.appArmorProfile.type=%s)", name, t);
    }
}

static void check_apparmor(struct k8s_ctx *c)
{
    static const char prefix[] = "container.apparmor.security.beta.kubernetes.io/";
    json_t *ann = jget(c->meta, "annotations");
    const char *k;
    const json_t *v;
    char p[PATH_MAX_LEN];
    if (json_is_object(ann)) {
        json_object_foreach(ann, k, v) {
            if (strncmp(k, prefix, sizeof(prefix) - 1) != 0 || !json_is_string(v)) {
                continue;
            }
            const char *s = json_string_value(v);
            if (s[0] == '\0' || strcmp(s, "runtime/default") == 0 ||
                strncmp(s, "localhost/", 10) == 0) {
                continue;
            }
            pathf(p, "%s.annotations['%s']", c->meta_path, k);
            emit(c, p, "forbidden AppArmor profile (annotation %s=\"%s\")", k, s);
        }
    }
    const char *t = jstr(jget(jget(c->spec, "securityContext"), "appArmorProfile"), "type");
    if (t != NULL && !profile_type_ok(t)) {
        pathf(p, "%s.securityContext.appArmorProfile.type", c->spec_path);
        emit(c, p, "forbidden AppArmor profile (pod must not set "
                   "securityContext.appArmorProfile.type=%s)", t);
    }
    visit_containers(c, apparmor_ctr);
}

static void selinux_one(struct k8s_ctx *c, const json_t *sc, const char *path, const char *who)
{
    static const char *const types[] = {"", "container_t", "container_init_t", "container_kvm_t",
                                        NULL};
    const json_t *se = jget(sc, "seLinuxOptions");
    char p[PATH_MAX_LEN];
    if (!json_is_object(se)) {
        return;
    }
    const char *t = jstr(se, "type");
    if (t != NULL && !str_in(t, types) &&
        !(c->opt->minor >= 31 && strcmp(t, "container_engine_t") == 0)) {
        pathf(p, "%s.securityContext.seLinuxOptions.type", path);
        emit(c, p, "seLinuxOptions (%s set forbidden securityContext.seLinuxOptions: type \"%s\")",
             who, t);
    }
    static const char *const others[] = {"user", "role", NULL};
    for (size_t i = 0; others[i] != NULL; i++) {
        const char *s = jstr(se, others[i]);
        if (s != NULL && s[0] != '\0') {
            pathf(p, "%s.securityContext.seLinuxOptions.%s", path, others[i]);
            emit(c, p, "seLinuxOptions (%s set forbidden securityContext.seLinuxOptions: "
                       "%s \"%s\")", who, others[i], s);
        }
    }
}

static void selinux_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path, const char *name)
{
    char who[300];
    snprintf(who, sizeof(who), "container \"%s\"", name);
    selinux_one(c, jget(ctr, "securityContext"), path, who);
}

static void check_selinux(struct k8s_ctx *c)
{
    selinux_one(c, jget(c->spec, "securityContext"), c->spec_path, "pod");
    visit_containers(c, selinux_ctr);
}

static void proc_mount_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                           const char *name)
{
    char p[PATH_MAX_LEN];
    const char *pm = jstr(jget(ctr, "securityContext"), "procMount");
    if (pm != NULL && strcmp(pm, "Default") != 0) {
        pathf(p, "%s.securityContext.procMount", path);
        emit(c, p, "procMount (container \"%s\" must not set securityContext.procMount to \"%s\")",
             name, pm);
    }
}

static void check_proc_mount(struct k8s_ctx *c)
{
    if (c->opt->minor >= 35 && pod_in_user_namespace(c)) {
        return;
    }
    visit_containers(c, proc_mount_ctr);
}

static void check_proc_mount_restricted(struct k8s_ctx *c)
{
    visit_containers(c, proc_mount_ctr);
}

static bool seccomp_annotation_ok(const char *s)
{
    return s[0] == '\0' || strcmp(s, "runtime/default") == 0 ||
           strcmp(s, "docker/default") == 0 || strncmp(s, "localhost/", 10) == 0;
}

static void seccomp_baseline_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                                 const char *name)
{
    char p[PATH_MAX_LEN];
    const char *t = jstr(jget(jget(ctr, "securityContext"), "seccompProfile"), "type");
    if (t != NULL && strcmp(t, "Unconfined") == 0) {
        pathf(p, "%s.securityContext.seccompProfile.type", path);
        emit(c, p, "seccompProfile (container \"%s\" must not set "
                   "securityContext.seccompProfile.type to \"Unconfined\")", name);
    }
}

static void check_seccomp_baseline(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    if (c->opt->minor < 19) {
        static const char pod_key[] = "seccomp.security.alpha.kubernetes.io/pod";
        static const char ctr_prefix[] = "container.seccomp.security.alpha.kubernetes.io/";
        json_t *ann = jget(c->meta, "annotations");
        const char *k;
        const json_t *v;
        if (!json_is_object(ann)) {
            return;
        }
        json_object_foreach(ann, k, v) {
            if (!json_is_string(v) || (strcmp(k, pod_key) != 0 &&
                                       strncmp(k, ctr_prefix, sizeof(ctr_prefix) - 1) != 0)) {
                continue;
            }
            if (!seccomp_annotation_ok(json_string_value(v))) {
                pathf(p, "%s.annotations['%s']", c->meta_path, k);
                emit(c, p, "seccompProfile (annotation %s=\"%s\")", k, json_string_value(v));
            }
        }
        return;
    }
    const char *t = jstr(jget(jget(c->spec, "securityContext"), "seccompProfile"), "type");
    if (t != NULL && strcmp(t, "Unconfined") == 0) {
        pathf(p, "%s.securityContext.seccompProfile.type", c->spec_path);
        emit(c, p, "seccompProfile (pod must not set securityContext.seccompProfile.type to "
                   "\"Unconfined\")");
    }
    visit_containers(c, seccomp_baseline_ctr);
}

static void check_sysctls(struct k8s_ctx *c)
{
    static const struct {
        const char *name;
        int since;
    } safe[] = {
        {"kernel.shm_rmid_forced", 0},
        {"net.ipv4.ip_local_port_range", 0},
        {"net.ipv4.tcp_syncookies", 0},
        {"net.ipv4.ping_group_range", 0},
        {"net.ipv4.ip_unprivileged_port_start", 0},
        {"net.ipv4.ip_local_reserved_ports", 27},
        {"net.ipv4.tcp_keepalive_time", 29},
        {"net.ipv4.tcp_fin_timeout", 29},
        {"net.ipv4.tcp_keepalive_intvl", 29},
        {"net.ipv4.tcp_keepalive_probes", 29},
        {"net.ipv4.tcp_rmem", 32},
        {"net.ipv4.tcp_wmem", 32},
        {"net.ipv4.tcp_slow_start_after_idle", 37},
        {"net.ipv4.tcp_notsent_lowat", 37},
    };
    const json_t *list = jget(jget(c->spec, "securityContext"), "sysctls");
    const json_t *s;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(list)) {
        return;
    }
    json_array_foreach(list, i, s) {
        const char *name = jstr(s, "name");
        bool ok = false;
        if (name == NULL) {
            name = "";
        }
        for (size_t k = 0; k < sizeof(safe) / sizeof(safe[0]); k++) {
            if (strcmp(name, safe[k].name) == 0 && c->opt->minor >= safe[k].since) {
                ok = true;
            }
        }
        if (!ok) {
            pathf(p, "%s.securityContext.sysctls[%zu].name", c->spec_path, i);
            emit(c, p, "forbidden sysctls (%s)", name);
        }
    }
}

/* ---- restricted ---- */

static void check_restricted_volumes(struct k8s_ctx *c)
{
    static const char *const allowed[] = {"configMap", "csi", "downwardAPI", "emptyDir",
                                          "ephemeral", "image", "persistentVolumeClaim",
                                          "projected", "secret", NULL};
    json_t *vols = jget(c->spec, "volumes");
    json_t *vol;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(vols)) {
        return;
    }
    json_array_foreach(vols, i, vol) {
        const char *k;
        json_t *src;
        const char *bad = NULL;
        if (!json_is_object(vol)) {
            continue;
        }
        json_object_foreach(vol, k, src) {
            if (strcmp(k, "name") == 0 || json_is_null(src)) {
                continue;
            }
            if (!str_in(k, allowed) && bad == NULL) {
                bad = k;
            }
        }
        const char *name = jstr(vol, "name");
        if (bad != NULL) {
            pathf(p, "%s.volumes[%zu].%s", c->spec_path, i, bad);
            emit(c, p, "restricted volume types (volume \"%s\" uses restricted volume type \"%s\")",
                 name != NULL ? name : "", bad);
        }
        /* a volume with no source is allowed: the API server defaults it to emptyDir */
    }
}

static void ape_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path, const char *name)
{
    char p[PATH_MAX_LEN];
    if (!jfalse(jget(ctr, "securityContext"), "allowPrivilegeEscalation")) {
        pathf(p, "%s.securityContext.allowPrivilegeEscalation", path);
        emit(c, p, "allowPrivilegeEscalation != false (container \"%s\" must set "
                   "securityContext.allowPrivilegeEscalation=false)", name);
    }
}

static void check_allow_privilege_escalation(struct k8s_ctx *c)
{
    if (c->opt->minor >= 25 && pod_is_windows(c)) {
        return;
    }
    visit_containers(c, ape_ctr);
}

static void run_as_non_root_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                                const char *name)
{
    char p[PATH_MAX_LEN];
    const json_t *sc = jget(ctr, "securityContext");
    const json_t *v = jget(sc, "runAsNonRoot");
    bool pod_true = jtrue(jget(c->spec, "securityContext"), "runAsNonRoot");
    pathf(p, "%s.securityContext.runAsNonRoot", path);
    if (json_is_false(v)) {
        emit(c, p, "runAsNonRoot != true (container \"%s\" must not set "
                   "securityContext.runAsNonRoot=false)", name);
    } else if (!json_is_true(v) && !pod_true) {
        emit(c, p, "runAsNonRoot != true (pod or container \"%s\" must set "
                   "securityContext.runAsNonRoot=true)", name);
    }
}

static void check_run_as_non_root(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    if (c->opt->minor >= 35 && pod_in_user_namespace(c)) {
        return;
    }
    if (jfalse(jget(c->spec, "securityContext"), "runAsNonRoot")) {
        pathf(p, "%s.securityContext.runAsNonRoot", c->spec_path);
        emit(c, p, "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)");
    }
    visit_containers(c, run_as_non_root_ctr);
}

static bool is_zero(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) == 0;
}

static void run_as_user_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                            const char *name)
{
    char p[PATH_MAX_LEN];
    if (is_zero(jget(jget(ctr, "securityContext"), "runAsUser"))) {
        pathf(p, "%s.securityContext.runAsUser", path);
        emit(c, p, "runAsUser=0 (container \"%s\" must not set runAsUser=0)", name);
    }
}

static void check_run_as_user(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    if (c->opt->minor >= 35 && pod_in_user_namespace(c)) {
        return;
    }
    if (is_zero(jget(jget(c->spec, "securityContext"), "runAsUser"))) {
        pathf(p, "%s.securityContext.runAsUser", c->spec_path);
        emit(c, p, "runAsUser=0 (pod must not set runAsUser=0)");
    }
    visit_containers(c, run_as_user_ctr);
}

static void seccomp_restricted_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                                   const char *name)
{
    char p[PATH_MAX_LEN];
    const char *pod_t = jstr(jget(jget(c->spec, "securityContext"), "seccompProfile"), "type");
    const char *t = jstr(jget(jget(ctr, "securityContext"), "seccompProfile"), "type");
    pathf(p, "%s.securityContext.seccompProfile.type", path);
    if (t != NULL) {
        if (!profile_type_ok(t)) {
            emit(c, p, "seccompProfile (container \"%s\" must not set "
                       "securityContext.seccompProfile.type to \"%s\")", name, t);
        }
    } else if (pod_t == NULL) {
        emit(c, p, "seccompProfile (pod or container \"%s\" must set "
                   "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
             name);
    }
}

static void check_seccomp_restricted(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    if (c->opt->minor >= 25 && pod_is_windows(c)) {
        return;
    }
    const char *t = jstr(jget(jget(c->spec, "securityContext"), "seccompProfile"), "type");
    if (t != NULL && !profile_type_ok(t)) {
        pathf(p, "%s.securityContext.seccompProfile.type", c->spec_path);
        emit(c, p, "seccompProfile (pod must not set securityContext.seccompProfile.type to "
                   "\"%s\")", t);
    }
    visit_containers(c, seccomp_restricted_ctr);
}

static void capabilities_restricted_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                                        const char *name)
{
    const json_t *caps = jget(jget(ctr, "securityContext"), "capabilities");
    const json_t *drop = jget(caps, "drop");
    const json_t *add = jget(caps, "add");
    const json_t *cap;
    size_t i;
    bool drops_all = false;
    char p[PATH_MAX_LEN];
    if (json_is_array(drop)) {
        json_array_foreach(drop, i, cap) {
            if (json_is_string(cap) && strcmp(json_string_value(cap), "ALL") == 0) {
                drops_all = true;
            }
        }
    }
    if (!drops_all) {
        pathf(p, "%s.securityContext.capabilities.drop", path);
        emit(c, p, "unrestricted capabilities (container \"%s\" must set "
                   "securityContext.capabilities.drop=[\"ALL\"])", name);
    }
    if (json_is_array(add)) {
        json_array_foreach(add, i, cap) {
            const char *s = json_is_string(cap) ? json_string_value(cap) : "";
            if (strcmp(s, "NET_BIND_SERVICE") != 0) {
                pathf(p, "%s.securityContext.capabilities.add[%zu]", path, i);
                emit(c, p, "unrestricted capabilities (container \"%s\" must not include \"%s\" "
                           "in securityContext.capabilities.add)", name, s);
            }
        }
    }
}

static void check_capabilities_restricted(struct k8s_ctx *c)
{
    if (c->opt->minor >= 25 && pod_is_windows(c)) {
        return;
    }
    visit_containers(c, capabilities_restricted_ctr);
}

/* ---- the table ---- */

struct pss_check_def {
    struct customs_check_info info;
    int since;           /* first minor version with the check */
    int overrides_since; /* from which minor the override applies */
    void (*run)(struct k8s_ctx *c);
};

#define B "baseline"
#define R "restricted"
#define REF_B PSS_URL "#baseline"
#define REF_R PSS_URL "#restricted"

static const struct pss_check_def checks[] = {
    {{"privileged", B, CUSTOMS_SEVERITY_CRITICAL, "Privileged container",
      "remove securityContext.privileged or set it to false", REF_B, NULL},
     0, 0, check_privileged},
    {{"hostNamespaces", B, CUSTOMS_SEVERITY_HIGH, "Host namespaces shared",
      "remove hostNetwork, hostPID and hostIPC or set them to false", REF_B, NULL},
     0, 0, check_host_namespaces},
    {{"hostPathVolumes", B, CUSTOMS_SEVERITY_HIGH, "hostPath volume",
      "replace the hostPath volume with a persistentVolumeClaim, configMap, secret or emptyDir",
      REF_B, NULL},
     0, 0, check_host_path_volumes},
    {{"hostPorts", B, CUSTOMS_SEVERITY_MEDIUM, "Container port bound to a host port",
      "remove ports[].hostPort (expose the pod through a Service instead)", REF_B, NULL},
     0, 0, check_host_ports},
    {{"hostProbesAndHostLifecycle", B, CUSTOMS_SEVERITY_MEDIUM,
      "Probe or lifecycle hook targets an explicit host",
      "remove the host field of httpGet/tcpSocket probes and lifecycle hooks", REF_B, NULL},
     34, 0, check_host_probes},
    {{"windowsHostProcess", B, CUSTOMS_SEVERITY_CRITICAL, "Windows HostProcess container",
      "remove securityContext.windowsOptions.hostProcess or set it to false", REF_B, NULL},
     0, 0, check_windows_host_process},
    {{"capabilities_baseline", B, CUSTOMS_SEVERITY_HIGH, "Non-default capability added",
      "add only capabilities of the runtime's default set (never NET_RAW, SYS_ADMIN, ...)",
      REF_B, NULL},
     0, 0, check_capabilities_baseline},
    {{"appArmorProfile", B, CUSTOMS_SEVERITY_MEDIUM, "AppArmor disabled or overridden",
      "use appArmorProfile.type RuntimeDefault or Localhost (annotation runtime/default or "
      "localhost/NAME)", REF_B, NULL},
     0, 0, check_apparmor},
    {{"seLinuxOptions", B, CUSTOMS_SEVERITY_MEDIUM, "Custom SELinux options",
      "remove seLinuxOptions.user and .role and use a container_* type", REF_B, NULL},
     0, 0, check_selinux},
    {{"procMount", B, CUSTOMS_SEVERITY_MEDIUM, "Unmasked /proc",
      "remove securityContext.procMount or set it to Default", REF_B, NULL},
     0, 0, check_proc_mount},
    {{"seccompProfile_baseline", B, CUSTOMS_SEVERITY_MEDIUM, "Seccomp disabled",
      "set securityContext.seccompProfile.type to RuntimeDefault", REF_B, NULL},
     0, 0, check_seccomp_baseline},
    {{"sysctls", B, CUSTOMS_SEVERITY_MEDIUM, "Unsafe sysctl",
      "set only the safe, namespaced sysctls listed by the Pod Security Standards", REF_B,
      NULL},
     0, 0, check_sysctls},
    {{"restrictedVolumes", R, CUSTOMS_SEVERITY_MEDIUM, "Restricted volume type",
      "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, "
      "persistentVolumeClaim, projected or secret volumes", REF_R, "hostPathVolumes"},
     0, 0, check_restricted_volumes},
    {{"allowPrivilegeEscalation", R, CUSTOMS_SEVERITY_MEDIUM, "Privilege escalation allowed",
      "set securityContext.allowPrivilegeEscalation: false on every container", REF_R, NULL},
     8, 0, check_allow_privilege_escalation},
    {{"runAsNonRoot", R, CUSTOMS_SEVERITY_MEDIUM, "Container may run as root",
      "set securityContext.runAsNonRoot: true on the pod (and not false on any container)",
      REF_R, NULL},
     0, 0, check_run_as_non_root},
    {{"runAsUser", R, CUSTOMS_SEVERITY_MEDIUM, "Container runs as UID 0",
      "remove runAsUser: 0 or set a non-zero UID", REF_R, NULL},
     23, 0, check_run_as_user},
    {{"seccompProfile_restricted", R, CUSTOMS_SEVERITY_LOW, "Seccomp profile not set",
      "set securityContext.seccompProfile.type: RuntimeDefault on the pod", REF_R,
      "seccompProfile_baseline"},
     19, 19, check_seccomp_restricted},
    {{"capabilities_restricted", R, CUSTOMS_SEVERITY_LOW, "Capabilities not dropped",
      "set securityContext.capabilities.drop: [\"ALL\"] and add back at most NET_BIND_SERVICE",
      REF_R, "capabilities_baseline"},
     22, 22, check_capabilities_restricted},
    {{"procMount_restricted", R, CUSTOMS_SEVERITY_LOW, "Unmasked /proc in a user namespace",
      "remove securityContext.procMount or set it to Default", REF_R, "procMount"},
     35, 35, check_proc_mount_restricted},
};

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

size_t customs_pss_check_count(void)
{
    return NCHECKS;
}

const struct customs_check_info *customs_pss_check_at(size_t i)
{
    return i < NCHECKS ? &checks[i].info : NULL;
}

/* Is `def` replaced at this level and version by a restricted check? */
static bool check_overridden(const struct pss_check_def *def,
                             const struct customs_pss_options *opt)
{
    if (opt->level != CUSTOMS_PSS_RESTRICTED) {
        return false;
    }
    for (size_t i = 0; i < NCHECKS; i++) {
        const struct pss_check_def *o = &checks[i];
        if (o->info.overrides != NULL && strcmp(o->info.overrides, def->info.id) == 0 &&
            opt->minor >= o->since && opt->minor >= o->overrides_since) {
            return true;
        }
    }
    return false;
}

/* The baseline check `def` replaces at this level and version, or NULL. */
static const struct pss_check_def *replaced_check(const struct pss_check_def *def,
                                                  const struct customs_pss_options *opt)
{
    if (def->info.overrides == NULL || opt->minor < def->overrides_since) {
        return NULL;
    }
    for (size_t i = 0; i < NCHECKS; i++) {
        if (strcmp(checks[i].info.id, def->info.overrides) == 0 && opt->minor >= checks[i].since) {
            return &checks[i];
        }
    }
    return NULL;
}

int customs_pss_evaluate(struct k8s_ctx *c)
{
    for (size_t i = 0; i < NCHECKS && c->rc == 0; i++) {
        const struct pss_check_def *def = &checks[i];
        bool restricted = strcmp(def->info.level, R) == 0;
        if (restricted && c->opt->level != CUSTOMS_PSS_RESTRICTED) {
            continue;
        }
        if (c->opt->minor < def->since || check_overridden(def, c->opt)) {
            continue;
        }
        const struct pss_check_def *base = restricted ? replaced_check(def, c->opt) : NULL;
        struct customs_misconfig_set found;
        if (base != NULL) {
            /* what the replaced baseline check finds, only for its severities (see emit) */
            struct customs_misconfig_set *set = c->set;
            customs_misconfig_set_init(&found);
            c->set = &found;
            c->check = &base->info;
            base->run(c);
            c->set = set;
            c->replaced = &found;
        }
        c->check = &def->info;
        if (c->rc == 0) {
            def->run(c);
        }
        if (base != NULL) {
            c->replaced = NULL;
            customs_misconfig_set_release(&found);
        }
    }
    return c->rc;
}

/* ---- levels and versions ---- */

const char *customs_pss_level_name(enum customs_pss_level level)
{
    return level == CUSTOMS_PSS_BASELINE ? "baseline" : "restricted";
}

int customs_pss_level_parse(enum customs_pss_level *out, const char *s)
{
    if (strcmp(s, "baseline") == 0) {
        *out = CUSTOMS_PSS_BASELINE;
    } else if (strcmp(s, "restricted") == 0) {
        *out = CUSTOMS_PSS_RESTRICTED;
    } else {
        return CUSTOMS_EINVAL;
    }
    return 0;
}

int customs_pss_version_parse(int *minor, const char *s)
{
    if (strcmp(s, "latest") == 0) {
        *minor = CUSTOMS_PSS_LATEST_MINOR;
        return 0;
    }
    if (s[0] == 'v') {
        s++;
    }
    if (strncmp(s, "1.", 2) != 0) {
        return CUSTOMS_EINVAL;
    }
    s += 2;
    int v = 0;
    if (*s == '\0' || strlen(s) > 3) {
        return CUSTOMS_EINVAL;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return CUSTOMS_EINVAL;
        }
        v = v * 10 + (*s - '0');
    }
    /* a newer policy version than we know is judged by the newest rules we have */
    *minor = v > CUSTOMS_PSS_LATEST_MINOR ? CUSTOMS_PSS_LATEST_MINOR : v;
    return 0;
}
