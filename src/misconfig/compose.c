/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compose files (issue 5): every service of a Compose document checked for privilege, added
 * capabilities, host namespaces, the Docker socket, root and missing resource limits
 * (CUSTOMS-DC-nnn, docs/checks.md). The YAML comes from src/formats/yaml.h, which keeps the
 * line and column of every field.
 */
#include "misconfig/internal.h"

#include "core/banned.h"

#define REF_COMPOSE "https://docs.docker.com/reference/compose-file/services/"
#define REF_DEPLOY "https://docs.docker.com/reference/compose-file/deploy/#resources"
#define REF_SOCKET "https://docs.docker.com/engine/security/#docker-daemon-attack-surface"

enum {
    DC_PRIVILEGED,
    DC_CAP_ADD,
    DC_HOST_NETWORK,
    DC_HOST_PID,
    DC_SOCKET,
    DC_USER,
    DC_LIMITS,
    DC_COUNT,
};

static const struct customs_check_info dc_checks[DC_COUNT] = {
    {"CUSTOMS-DC-001", NULL, CUSTOMS_SEVERITY_CRITICAL, "Privileged service",
     "remove `privileged: true`; add only the capabilities or devices the service needs",
     REF_COMPOSE "#privileged", NULL},
    {"CUSTOMS-DC-002", NULL, CUSTOMS_SEVERITY_MEDIUM, "Capabilities added",
     "remove cap_add, or keep only the capabilities the service needs (and `cap_drop: [ALL]`)",
     REF_COMPOSE "#cap_add", NULL},
    {"CUSTOMS-DC-003", NULL, CUSTOMS_SEVERITY_HIGH, "Host network namespace",
     "remove `network_mode: host`; publish the needed ports with `ports:`",
     REF_COMPOSE "#network_mode", NULL},
    {"CUSTOMS-DC-004", NULL, CUSTOMS_SEVERITY_HIGH, "Host PID or IPC namespace",
     "remove `pid: host` / `ipc: host`", REF_COMPOSE "#pid", NULL},
    {"CUSTOMS-DC-005", NULL, CUSTOMS_SEVERITY_CRITICAL, "Docker socket mounted",
     "remove the /var/run/docker.sock volume (it gives root on the host); use a socket proxy "
     "that allows only the needed API calls if one is unavoidable", REF_SOCKET, NULL},
    {"CUSTOMS-DC-006", NULL, CUSTOMS_SEVERITY_MEDIUM, "Service runs as root",
     "set `user: \"10001:10001\"` (a non-root UID:GID) on the service", REF_COMPOSE "#user",
     NULL},
    {"CUSTOMS-DC-007", NULL, CUSTOMS_SEVERITY_LOW, "No resource limits",
     "set `deploy.resources.limits` (`cpus`, `memory`), or `mem_limit` and `cpus`", REF_DEPLOY,
     NULL},
};

size_t customs_compose_check_count(void)
{
    return DC_COUNT;
}

const struct customs_check_info *customs_compose_check_at(size_t i)
{
    return i < DC_COUNT ? &dc_checks[i] : NULL;
}

bool customs_compose_document_is_compose(const json_t *root)
{
    return json_is_object(jget(root, "services")) && jget(root, "apiVersion") == NULL &&
           jget(root, "kind") == NULL;
}

struct compose_ctx {
    struct customs_misconfig_set *set;
    const struct customs_yaml_stream *stream;
    size_t doc;
    const char *file;
    const char *object;
    struct customs_buf path;
    size_t service_len; /* length of "services.NAME" in path */
    struct customs_error *err;
    int rc;
};

static void finding(struct compose_ctx *c, int id, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void finding(struct compose_ctx *c, int id, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    int line = 0;
    int column = 0;
    if (c->rc != 0) {
        return;
    }
    c->path.len = c->service_len;
    c->path.ptr[c->path.len] = '\0';
    if (field != NULL && customs_buf_puts(&c->path, field) != 0) {
        c->rc = customs_error_set(c->err, CUSTOMS_ENOMEM, "out of memory");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char *path = customs_buf_cstr(&c->path);
    customs_yaml_stream_position(c->stream, c->doc, path, &line, &column);
    c->rc = customs_misconfig_add(c->set, &dc_checks[id], "compose", c->object, c->file, path,
                                  line, column, msg, c->err);
}

static bool is_docker_socket(const char *src, size_t n)
{
    static const char *const sockets[] = {"/var/run/docker.sock", "/run/docker.sock",
                                          "//var/run/docker.sock", NULL};
    while (n > 1 && src[n - 1] == '/') {
        n--;
    }
    for (size_t i = 0; sockets[i] != NULL; i++) {
        if (strlen(sockets[i]) == n && memcmp(src, sockets[i], n) == 0) {
            return true;
        }
    }
    return false;
}

static bool user_is_root(const json_t *u)
{
    if (json_is_integer(u)) {
        return json_integer_value(u) == 0;
    }
    const char *s = json_is_string(u) ? json_string_value(u) : NULL;
    if (s == NULL) {
        return false;
    }
    size_t n = strcspn(s, ":");
    return n == 0 || (n == 4 && strncmp(s, "root", 4) == 0) || (n == 1 && s[0] == '0');
}

static bool has_limits(const json_t *svc)
{
    const json_t *limits = jget(jget(jget(svc, "deploy"), "resources"), "limits");
    if (json_is_object(limits) && json_object_size(limits) > 0) {
        return true;
    }
    return jget(svc, "mem_limit") != NULL || jget(svc, "cpus") != NULL;
}

static void check_service(struct compose_ctx *c, const json_t *svc)
{
    char field[64];
    if (jtrue(svc, "privileged")) {
        finding(c, DC_PRIVILEGED, ".privileged", "privileged: true");
    }
    const json_t *caps = jget(svc, "cap_add");
    if (json_is_array(caps) && json_array_size(caps) > 0) {
        char list[256] = "";
        size_t n = 0;
        size_t i;
        const json_t *cap;
        json_array_foreach(caps, i, cap) {
            if (json_is_string(cap) && n < sizeof(list) - 1) {
                int r = snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
                                 json_string_value(cap));
                n = r < 0 ? n : n + (size_t)r;
                n = n < sizeof(list) ? n : sizeof(list) - 1;
            }
        }
        finding(c, DC_CAP_ADD, ".cap_add", "cap_add: %s", list);
    }
    const char *net = jstr(svc, "network_mode");
    if (net != NULL && strcmp(net, "host") == 0) {
        finding(c, DC_HOST_NETWORK, ".network_mode", "network_mode: host");
    }
    static const char *const ns[] = {"pid", "ipc", NULL};
    for (size_t i = 0; ns[i] != NULL; i++) {
        const char *v = jstr(svc, ns[i]);
        if (v != NULL && strcmp(v, "host") == 0) {
            snprintf(field, sizeof(field), ".%s", ns[i]);
            finding(c, DC_HOST_PID, field, "%s: host", ns[i]);
        }
    }
    const json_t *vols = jget(svc, "volumes");
    size_t i;
    const json_t *v;
    json_array_foreach(vols, i, v) {
        const char *src = NULL;
        size_t n = 0;
        if (json_is_string(v)) {
            src = json_string_value(v);
            n = strcspn(src, ":");
        } else if (json_is_object(v)) {
            src = jstr(v, "source");
            n = src != NULL ? strlen(src) : 0;
        }
        if (src != NULL && is_docker_socket(src, n)) {
            snprintf(field, sizeof(field), ".volumes[%zu]", i);
            finding(c, DC_SOCKET, field, "the Docker socket %.*s is mounted",
                    (int)(n > 64 ? 64 : n), src);
        }
    }
    const json_t *user = jget(svc, "user");
    if (user == NULL || json_is_null(user)) {
        finding(c, DC_USER, NULL, "no user: the service runs as the image's user (often root)");
    } else if (user_is_root(user)) {
        finding(c, DC_USER, ".user", "user: %s runs as root",
                json_is_string(user) ? json_string_value(user) : "0");
    }
    if (!has_limits(svc)) {
        finding(c, DC_LIMITS, NULL,
                "no deploy.resources.limits, mem_limit or cpus: the service may use all the "
                "host's memory and CPU");
    }
}

int customs_compose_audit_document(struct customs_misconfig_set *set,
                                   const struct customs_yaml_stream *stream, size_t doc,
                                   const char *file, struct customs_error *err)
{
    const json_t *root = customs_yaml_stream_doc(stream, doc);
    const json_t *services = jget(root, "services");
    struct compose_ctx c = {set, stream, doc, file, NULL, {0}, 0, err, 0};
    const char *name;
    json_t *svc;
    if (!json_is_object(services)) {
        return 0;
    }
    customs_buf_init(&c.path, 64 * 1024);
    json_object_foreach((json_t *)(uintptr_t)services, name, svc) {
        if (!json_is_object(svc)) {
            continue;
        }
        char object[300];
        snprintf(object, sizeof(object), "service %.200s", name);
        c.object = object;
        customs_buf_reset(&c.path);
        int prc = customs_yaml_path_key(&c.path, "services");
        if (prc != 0 || (prc = customs_yaml_path_key(&c.path, name)) != 0) {
            c.rc = prc == CUSTOMS_ENOMEM
                       ? customs_error_set(err, prc, "out of memory")
                       : customs_error_set(err, CUSTOMS_ELIMIT, "%s: service name too long",
                                           file != NULL ? file : "-");
            break;
        }
        c.service_len = c.path.len;
        check_service(&c, svc);
        if (c.rc != 0) {
            break;
        }
    }
    customs_buf_release(&c.path);
    return c.rc;
}
