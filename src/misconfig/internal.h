/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_MISCONFIG_INTERNAL_H
#define CUSTOMS_MISCONFIG_INTERNAL_H

/*
 * Private to src/misconfig: the context a check runs in (one object, its pod spec), JSON
 * lookups that tolerate any shape, and the finding emitter that locates fields in the YAML.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "misconfig/misconfig.h"

#define PSS_URL "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
#define PATH_MAX_LEN 1024

struct k8s_ctx {
    struct customs_misconfig_set *set;
    const struct customs_yaml_stream *stream;
    size_t doc;
    const char *file;
    const char *object;
    const json_t *meta;     /* pod (template) metadata, may be NULL */
    const json_t *spec;     /* pod spec */
    const char *meta_path;  /* "metadata", "spec.template.metadata", ... */
    const char *spec_path;  /* "spec", "spec.template.spec", ... */
    const struct customs_pss_options *opt;     /* PSS level and version */
    const struct customs_k8s_options *k8s;
    const json_t *obj;      /* the whole object */
    const char *obj_prefix; /* path prefix of the object: "" or "items[0]." */
    const char *kind;
    const struct customs_check_info *check; /* the check running */
    /* a restricted check replacing a baseline one: what the baseline check found (its paths),
     * whose findings keep the baseline's severity when higher (a control has one severity
     * whatever the level); NULL otherwise */
    const struct customs_misconfig_set *replaced;
    struct customs_strmap *host_volumes;    /* hardening: hostPath volume name -> hostPath */
    int rc;
    struct customs_error *err;
};

/* ---- small JSON helpers ---- */

static inline json_t *jget(const json_t *o, const char *key)
{
    return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static inline const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = jget(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline bool jtrue(const json_t *o, const char *key)
{
    const json_t *v = jget(o, key);
    return v != NULL && json_typeof(v) == JSON_TRUE;
}

static inline bool jfalse(const json_t *o, const char *key)
{
    const json_t *v = jget(o, key);
    return v != NULL && json_typeof(v) == JSON_FALSE;
}

static inline bool str_in(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++) {
        if (strcmp(s, set[i]) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * A finding's path into out[PATH_MAX_LEN], truncated as snprintf would. Every check formats
 * the paths it may report before it knows whether it will (a container's probes, its
 * securityContext fields...), dozens per pod: only %s and %zu are used, and copying them here
 * costs a fraction of vsnprintf (a third of the webhook's Pod Security time went to it).
 * Another conversion goes to vsnprintf.
 */
static inline void pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void pathf(char *out, const char *fmt, ...)
{
    va_list ap;
    size_t o = 0;
    va_start(ap, fmt);
    for (const char *f = fmt; *f != '\0'; f++) {
        char num[24];
        const char *s = num;
        size_t n = 0;
        if (f[0] != '%') {
            num[0] = *f;
            n = 1;
        } else if (f[1] == 's') {
            s = va_arg(ap, const char *);
            n = strlen(s);
            f++;
        } else if (f[1] == 'z' && f[2] == 'u') {
            size_t v = va_arg(ap, size_t);
            char *d = num + sizeof(num);
            do {
                *--d = (char)('0' + v % 10);
                v /= 10;
            } while (v != 0);
            s = d;
            n = (size_t)(num + sizeof(num) - d);
            f += 2;
        } else {
            va_end(ap);
            va_start(ap, fmt);
            if (vsnprintf(out, PATH_MAX_LEN, fmt, ap) < 0) {
                out[0] = '\0';
            }
            va_end(ap);
            return;
        }
        if (n > PATH_MAX_LEN - 1 - o) {
            n = PATH_MAX_LEN - 1 - o;
        }
        memcpy(out + o, s, n);
        o += n;
    }
    va_end(ap);
    out[o] = '\0';
}

/* ---- findings ---- */

/*
 * Add one finding (src/misconfig/finding.c): strings are copied into the set's arena; bytes of `message` and `object` outside printable ASCII
 * become '?' (the input need not be UTF-8). @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT
 */
CUSTOMS_MUST_USE
int customs_misconfig_add(struct customs_misconfig_set *set,
                          const struct customs_check_info *check, const char *source,
                          const char *object, const char *file, const char *path, int line,
                          int column, const char *message, struct customs_error *err);

static inline void emit(struct k8s_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void emit(struct k8s_ctx *c, const char *path, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    if (c->rc != 0) {
        return;
    }
    int line = 0, column = 0;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (c->stream != NULL) {
        customs_yaml_stream_position(c->stream, c->doc, path, &line, &column);
    }
    struct customs_check_info kept = *c->check;
    for (size_t i = 0; c->replaced != NULL && i < customs_misconfig_set_count(c->replaced); i++) {
        const struct customs_misconfig *b = customs_misconfig_set_at(c->replaced, i);
        if (strcmp(b->path, path) == 0 && b->severity > kept.severity) {
            kept.severity = b->severity; /* the baseline's control at the same field */
        }
    }
    c->rc = customs_misconfig_add(c->set, &kept, "kubernetes", c->object, c->file, path, line,
                                  column, detail, c->err);
}

/* ---- containers ---- */

static const char *const container_lists[] = {"containers", "initContainers",
                                              "ephemeralContainers", NULL};

typedef void (*container_fn)(struct k8s_ctx *c, const json_t *ctr, const char *path,
                             const char *name);

static inline void visit_containers(struct k8s_ctx *c, container_fn fn)
{
    char path[PATH_MAX_LEN];
    for (size_t l = 0; container_lists[l] != NULL; l++) {
        const json_t *arr = jget(c->spec, container_lists[l]);
        size_t i;
        const json_t *ctr;
        if (!json_is_array(arr)) {
            continue;
        }
        json_array_foreach(arr, i, ctr) {
            if (!json_is_object(ctr)) {
                continue;
            }
            const char *name = jstr(ctr, "name");
            pathf(path, "%s.%s[%zu]", c->spec_path, container_lists[l], i);
            fn(c, ctr, path, name != NULL ? name : "");
        }
    }
}

static inline bool pod_is_windows(const struct k8s_ctx *c)
{
    const char *os = jstr(jget(c->spec, "os"), "name");
    return os != NULL && strcmp(os, "windows") == 0;
}

static inline bool pod_in_user_namespace(const struct k8s_ctx *c)
{
    return jfalse(c->spec, "hostUsers");
}

/* Run the PSS checks of c->opt over the pod spec in `c`. */
CUSTOMS_MUST_USE int customs_pss_evaluate(struct k8s_ctx *c);
/* The checks beyond PSS over a workload's pod spec. */
CUSTOMS_MUST_USE int customs_k8s_hardening_workload(struct k8s_ctx *c);
/* CUSTOMS-K8S-015, emitted by customs_k8s_audit_finish. */
const struct customs_check_info *customs_k8s_flat_network_check(void);
/* The checks beyond PSS over other kinds (Service, RBAC, NetworkPolicy bookkeeping). */
CUSTOMS_MUST_USE int customs_k8s_hardening_object(struct k8s_ctx *c);


#endif /* CUSTOMS_MISCONFIG_INTERNAL_H */
