/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes checks beyond the Pod Security Standards (issue 5): resources, read-only root
 * filesystems, image references, runtime sockets and writable host paths, service-account
 * tokens, literal secrets in env, exposed Services, RBAC wildcards and cluster-admin bindings.
 * Ids are CUSTOMS-K8S-nnn (docs/checks.md); CUSTOMS-K8S-015 (flat network) lives in k8s.c.
 */
#include <ctype.h>

#include "misconfig/internal.h"

#include "core/banned.h"

#define REF_RES "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"
#define REF_SC "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"
#define REF_IMG "https://kubernetes.io/docs/concepts/containers/images/"
#define REF_VOL "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"
#define REF_SA "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"
#define REF_SECRET "https://kubernetes.io/docs/concepts/configuration/secret/"
#define REF_SVC "https://kubernetes.io/docs/concepts/services-networking/service/"
#define REF_RBAC "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"

enum {
    K_CPU_LIMIT,
    K_MEM_LIMIT,
    K_CPU_REQUEST,
    K_MEM_REQUEST,
    K_RO_ROOTFS,
    K_IMAGE_LATEST,
    K_IMAGE_DIGEST,
    K_RUNTIME_SOCKET,
    K_HOSTPATH_WRITABLE,
    K_SA_TOKEN,
    K_ENV_SECRET,
    K_SERVICE_EXPOSED,
    K_RBAC_WILDCARD,
    K_CLUSTER_ADMIN,
    K_FLAT_NETWORK,
    K_REGISTRY,
    K_COUNT,
};

static const struct customs_check_info hardening_checks[K_COUNT] = {
    {"CUSTOMS-K8S-001", NULL, CUSTOMS_SEVERITY_LOW, "CPU limit not set",
     "set resources.limits.cpu on the container", REF_RES, NULL},
    {"CUSTOMS-K8S-002", NULL, CUSTOMS_SEVERITY_LOW, "Memory limit not set",
     "set resources.limits.memory on the container", REF_RES, NULL},
    {"CUSTOMS-K8S-003", NULL, CUSTOMS_SEVERITY_LOW, "CPU request not set",
     "set resources.requests.cpu on the container", REF_RES, NULL},
    {"CUSTOMS-K8S-004", NULL, CUSTOMS_SEVERITY_LOW, "Memory request not set",
     "set resources.requests.memory on the container", REF_RES, NULL},
    {"CUSTOMS-K8S-005", NULL, CUSTOMS_SEVERITY_MEDIUM, "Root filesystem is writable",
     "set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the "
     "container must write", REF_SC, NULL},
    {"CUSTOMS-K8S-006", NULL, CUSTOMS_SEVERITY_MEDIUM, "Image without a tag or with :latest",
     "pin the image to a version tag (better: a digest)", REF_IMG, NULL},
    {"CUSTOMS-K8S-007", NULL, CUSTOMS_SEVERITY_LOW, "Image not pinned by digest",
     "refer to the image as name@sha256:<digest>", REF_IMG, NULL},
    {"CUSTOMS-K8S-008", NULL, CUSTOMS_SEVERITY_CRITICAL, "Container runtime socket mounted",
     "remove the hostPath volume of the runtime socket (it gives root on the node)", REF_VOL,
     NULL},
    {"CUSTOMS-K8S-009", NULL, CUSTOMS_SEVERITY_HIGH, "hostPath volume mounted writable",
     "mount the hostPath volume with readOnly: true, or use another volume type", REF_VOL,
     NULL},
    {"CUSTOMS-K8S-010", NULL, CUSTOMS_SEVERITY_LOW, "Service account token automounted",
     "set automountServiceAccountToken: false unless the pod talks to the API server", REF_SA,
     NULL},
    {"CUSTOMS-K8S-011", NULL, CUSTOMS_SEVERITY_HIGH, "Secret as a literal env value",
     "move the value into a Secret and use env[].valueFrom.secretKeyRef", REF_SECRET, NULL},
    {"CUSTOMS-K8S-012", NULL, CUSTOMS_SEVERITY_LOW, "Service exposed outside the cluster",
     "use type ClusterIP behind an Ingress or Gateway unless the exposure is intended", REF_SVC,
     NULL},
    {"CUSTOMS-K8S-013", NULL, CUSTOMS_SEVERITY_HIGH, "RBAC rule with a wildcard",
     "list the verbs, resources and API groups the subject needs instead of '*'", REF_RBAC,
     NULL},
    {"CUSTOMS-K8S-014", NULL, CUSTOMS_SEVERITY_HIGH, "Binding to cluster-admin",
     "bind a role with only the permissions needed instead of cluster-admin", REF_RBAC, NULL},
    {"CUSTOMS-K8S-015", NULL, CUSTOMS_SEVERITY_MEDIUM,
     "Namespace without a NetworkPolicy (flat network)",
     "add a NetworkPolicy to the namespace (a default-deny policy with podSelector: {} and "
     "explicit allow rules)",
     "https://kubernetes.io/docs/concepts/services-networking/network-policies/", NULL},
    {"CUSTOMS-K8S-016", NULL, CUSTOMS_SEVERITY_HIGH, "Image from a registry not allowed",
     "pull the image from one of the allowed registries", REF_IMG, NULL},
};

size_t customs_k8s_check_count(void)
{
    return K_COUNT;
}

const struct customs_check_info *customs_k8s_check_at(size_t i)
{
    return i < K_COUNT ? &hardening_checks[i] : NULL;
}

const struct customs_check_info *customs_k8s_flat_network_check(void)
{
    return &hardening_checks[K_FLAT_NETWORK];
}

static void use(struct k8s_ctx *c, int k)
{
    c->check = &hardening_checks[k];
}

/* containers and initContainers (ephemeral containers have no resources or probes) */
static bool is_ephemeral(const char *path)
{
    return strstr(path, ".ephemeralContainers[") != NULL;
}

static void resources_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                          const char *name)
{
    static const struct {
        const char *group;
        const char *res;
        int check;
    } want[] = {
        {"limits", "cpu", K_CPU_LIMIT},
        {"limits", "memory", K_MEM_LIMIT},
        {"requests", "cpu", K_CPU_REQUEST},
        {"requests", "memory", K_MEM_REQUEST},
    };
    char p[PATH_MAX_LEN];
    if (is_ephemeral(path)) {
        return;
    }
    const json_t *res = jget(ctr, "resources");
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const json_t *v = jget(jget(res, want[i].group), want[i].res);
        if (v == NULL || json_is_null(v)) {
            use(c, want[i].check);
            pathf(p, "%s.resources.%s.%s", path, want[i].group, want[i].res);
            emit(c, p, "container \"%s\" has no resources.%s.%s", name, want[i].group,
                 want[i].res);
        }
    }
}

static void ro_rootfs_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                          const char *name)
{
    char p[PATH_MAX_LEN];
    if (is_ephemeral(path) || jtrue(jget(ctr, "securityContext"), "readOnlyRootFilesystem")) {
        return;
    }
    use(c, K_RO_ROOTFS);
    pathf(p, "%s.securityContext.readOnlyRootFilesystem", path);
    emit(c, p, "container \"%s\" does not set securityContext.readOnlyRootFilesystem=true",
         name);
}

/* Split an image reference: the registry host ("docker.io" when none), whether it has a
 * digest, and its tag (NULL when none). */
static void image_parse(const char *image, char *registry, size_t regsz, bool *digest,
                        char *tag, size_t tagsz)
{
    const char *slash = strchr(image, '/');
    const char *at = strchr(image, '@');
    *digest = at != NULL;
    tag[0] = '\0';
    snprintf(registry, regsz, "docker.io");
    if (slash != NULL) {
        size_t n = (size_t)(slash - image);
        bool host = memchr(image, '.', n) != NULL || memchr(image, ':', n) != NULL ||
                    (n == 9 && strncmp(image, "localhost", 9) == 0);
        if (host && n < regsz) {
            memcpy(registry, image, n);
            registry[n] = '\0';
        }
    }
    const char *last = strrchr(image, '/');
    const char *name = last != NULL ? last + 1 : image;
    const char *colon = strchr(name, ':');
    if (colon != NULL && (at == NULL || colon < at)) {
        size_t n = at != NULL ? (size_t)(at - colon - 1) : strlen(colon + 1);
        if (n >= tagsz) {
            n = tagsz - 1;
        }
        memcpy(tag, colon + 1, n);
        tag[n] = '\0';
    }
}

static bool registry_allowed(const char *const *allowed, const char *registry, const char *image)
{
    for (size_t i = 0; allowed[i] != NULL; i++) {
        size_t n = strlen(allowed[i]);
        if (strcmp(allowed[i], registry) == 0 ||
            (strncmp(image, allowed[i], n) == 0 && image[n] == '/')) {
            return true;
        }
    }
    return false;
}

static void image_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path, const char *name)
{
    char p[PATH_MAX_LEN];
    char registry[256];
    char tag[256];
    bool digest;
    const char *image = jstr(ctr, "image");
    if (image == NULL || image[0] == '\0') {
        return;
    }
    image_parse(image, registry, sizeof(registry), &digest, tag, sizeof(tag));
    pathf(p, "%s.image", path);
    if (!digest && (tag[0] == '\0' || strcmp(tag, "latest") == 0)) {
        use(c, K_IMAGE_LATEST);
        emit(c, p, "container \"%s\" uses image \"%s\" %s", name, image,
             tag[0] == '\0' ? "without a tag (latest)" : "with the :latest tag");
    }
    if (!digest) {
        use(c, K_IMAGE_DIGEST);
        emit(c, p, "container \"%s\" uses image \"%s\" without a digest", name, image);
    }
    const char *const *allowed = c->k8s->allowed_registries;
    if (allowed != NULL && !registry_allowed(allowed, registry, image)) {
        use(c, K_REGISTRY);
        emit(c, p, "container \"%s\" uses image \"%s\" from registry \"%s\", which is not "
                   "allowed", name, image, registry);
    }
}

static bool is_runtime_socket(const char *path)
{
    static const char *const sockets[] = {
        "/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock",
        "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock", "/var/run/podman/podman.sock",
        "/run/podman/podman.sock", "/var/run", "/run", "/var/run/containerd",
        "/run/containerd", "/var/run/crio", "/run/crio", "/", NULL};
    char clean[1024];
    size_t n = strlen(path);
    if (n >= sizeof(clean)) {
        return false;
    }
    memcpy(clean, path, n + 1);
    while (n > 1 && clean[n - 1] == '/') {
        clean[--n] = '\0';
    }
    return str_in(clean, sockets);
}

static void hostpath_mount_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                               const char *name)
{
    const json_t *mounts = jget(ctr, "volumeMounts");
    const json_t *m;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(mounts)) {
        return;
    }
    json_array_foreach(mounts, i, m) {
        const char *vn = jstr(m, "name");
        const json_t *hp = vn != NULL ? customs_strmap_get(c->host_volumes, vn) : NULL;
        if (hp == NULL || jtrue(m, "readOnly")) {
            continue;
        }
        const char *host = jstr(hp, "path");
        use(c, K_HOSTPATH_WRITABLE);
        pathf(p, "%s.volumeMounts[%zu].readOnly", path, i);
        emit(c, p, "container \"%s\" mounts hostPath \"%s\" (volume \"%s\") writable", name,
             host != NULL ? host : "", vn);
    }
}

static void check_runtime_sockets(struct k8s_ctx *c)
{
    const json_t *vols = jget(c->spec, "volumes");
    const json_t *v;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(vols)) {
        return;
    }
    json_array_foreach(vols, i, v) {
        const char *host = jstr(jget(v, "hostPath"), "path");
        if (host != NULL && is_runtime_socket(host)) {
            const char *vn = jstr(v, "name");
            use(c, K_RUNTIME_SOCKET);
            pathf(p, "%s.volumes[%zu].hostPath.path", c->spec_path, i);
            emit(c, p, "volume \"%s\" mounts \"%s\" from the node, which exposes the container "
                       "runtime", vn != NULL ? vn : "", host);
        }
    }
}

static bool name_looks_secret(const char *name)
{
    static const char *const words[] = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY",
                                        "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL",
                                        NULL};
    char up[256];
    size_t n = 0;
    for (; name[n] != '\0' && n + 1 < sizeof(up); n++) {
        char ch = name[n] == '-' || name[n] == '.' ? '_' : name[n];
        up[n] = (char)toupper((unsigned char)ch);
    }
    up[n] = '\0';
    for (size_t i = 0; words[i] != NULL; i++) {
        if (strstr(up, words[i]) != NULL) {
            return true;
        }
    }
    return false;
}

static bool value_looks_secret(const char *v)
{
    static const char *const harmless[] = {"true", "false", "yes", "no", "none", "null",
                                           "changeme", NULL};
    size_t n = strlen(v);
    if (n < 4 || str_in(v, harmless)) {
        return false;
    }
    if (strncmp(v, "$(", 2) == 0 || v[0] == '/') { /* env references and file paths */
        return false;
    }
    return true;
}

static void env_secret_ctr(struct k8s_ctx *c, const json_t *ctr, const char *path,
                           const char *name)
{
    const json_t *env = jget(ctr, "env");
    const json_t *e;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(env)) {
        return;
    }
    json_array_foreach(env, i, e) {
        const char *en = jstr(e, "name");
        const char *val = jstr(e, "value");
        if (en == NULL || val == NULL || !name_looks_secret(en) || !value_looks_secret(val)) {
            continue;
        }
        use(c, K_ENV_SECRET);
        pathf(p, "%s.env[%zu].value", path, i);
        emit(c, p, "container \"%s\" sets %s to a literal value (%zu characters)", name, en,
             strlen(val));
    }
}

/* hostPath volumes by name, so that each volume mount is one lookup */
static int host_volumes_index(struct k8s_ctx *c, struct customs_strmap *map)
{
    const json_t *vols = jget(c->spec, "volumes");
    const json_t *v;
    size_t i;
    if (!json_is_array(vols)) {
        return 0;
    }
    json_array_foreach(vols, i, v) {
        const char *vn = jstr(v, "name");
        json_t *hp = jget(v, "hostPath");
        if (vn != NULL && json_is_object(hp) && customs_strmap_get(map, vn) == NULL &&
            customs_strmap_put(map, vn, hp) != 0) {
            return customs_error_set(c->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}

int customs_k8s_hardening_workload(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    struct customs_strmap host_volumes;
    visit_containers(c, resources_ctr);
    visit_containers(c, ro_rootfs_ctr);
    visit_containers(c, image_ctr);
    check_runtime_sockets(c);
    customs_strmap_init(&host_volumes);
    c->host_volumes = &host_volumes;
    if (c->rc == 0) {
        c->rc = host_volumes_index(c, &host_volumes);
    }
    if (host_volumes.len > 0) {
        visit_containers(c, hostpath_mount_ctr);
    }
    customs_strmap_release(&host_volumes);
    c->host_volumes = NULL;
    visit_containers(c, env_secret_ctr);
    if (!jfalse(c->spec, "automountServiceAccountToken")) {
        use(c, K_SA_TOKEN);
        pathf(p, "%s.automountServiceAccountToken", c->spec_path);
        emit(c, p, "pod does not set automountServiceAccountToken=false");
    }
    return c->rc;
}

static void check_service(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    const char *type = jstr(jget(c->obj, "spec"), "type");
    if (type != NULL && (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0)) {
        use(c, K_SERVICE_EXPOSED);
        pathf(p, "%sspec.type", c->obj_prefix);
        emit(c, p, "Service of type %s is reachable from outside the cluster", type);
    }
}

static void check_rbac_rules(struct k8s_ctx *c)
{
    static const char *const fields[] = {"verbs", "resources", "apiGroups", NULL};
    const json_t *rules = jget(c->obj, "rules");
    const json_t *r;
    size_t i;
    char p[PATH_MAX_LEN];
    if (!json_is_array(rules)) {
        return;
    }
    json_array_foreach(rules, i, r) {
        for (size_t f = 0; fields[f] != NULL; f++) {
            const json_t *list = jget(r, fields[f]);
            const json_t *item;
            size_t k;
            if (!json_is_array(list)) {
                continue;
            }
            json_array_foreach(list, k, item) {
                if (json_is_string(item) && strcmp(json_string_value(item), "*") == 0) {
                    use(c, K_RBAC_WILDCARD);
                    pathf(p, "%srules[%zu].%s[%zu]", c->obj_prefix, i, fields[f], k);
                    emit(c, p, "%s grants '*' in rules[%zu].%s", c->kind, i, fields[f]);
                }
            }
        }
    }
}

static void check_binding(struct k8s_ctx *c)
{
    char p[PATH_MAX_LEN];
    const json_t *ref = jget(c->obj, "roleRef");
    const char *name = jstr(ref, "name");
    const char *kind = jstr(ref, "kind");
    if (name != NULL && strcmp(name, "cluster-admin") == 0 &&
        (kind == NULL || strcmp(kind, "ClusterRole") == 0)) {
        use(c, K_CLUSTER_ADMIN);
        pathf(p, "%sroleRef.name", c->obj_prefix);
        emit(c, p, "%s grants the cluster-admin ClusterRole", c->kind);
    }
}

int customs_k8s_hardening_object(struct k8s_ctx *c)
{
    if (strcmp(c->kind, "Service") == 0) {
        check_service(c);
    } else if (strcmp(c->kind, "Role") == 0 || strcmp(c->kind, "ClusterRole") == 0) {
        check_rbac_rules(c);
    } else if (strcmp(c->kind, "RoleBinding") == 0 ||
               strcmp(c->kind, "ClusterRoleBinding") == 0) {
        check_binding(c);
    }
    return c->rc;
}
