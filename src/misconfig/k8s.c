/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes objects: finding the pod template of each workload kind, walking Lists, and
 * running the PSS and hardening checks over every object of a YAML stream. */
#include "misconfig/internal.h"

#include "core/banned.h"

/* ---- workloads ---- */

/* Flat-network bookkeeping across every file of one audit: which namespaces have workloads
 * (the first one seen, to point a finding at) and which have a NetworkPolicy. */
struct customs_k8s_network {
    struct customs_strmap workloads; /* namespace -> struct customs_misconfig (location only) */
    struct customs_strmap policies;  /* namespace -> non-NULL */
};

void customs_misconfig_set_init(struct customs_misconfig_set *s)
{
    customs_arena_init(&s->arena);
    customs_vec_init(&s->items, sizeof(struct customs_misconfig));
    s->max = 0;
    s->network = NULL;
}

void customs_misconfig_set_release(struct customs_misconfig_set *s)
{
    if (s->network != NULL) {
        customs_strmap_release(&s->network->workloads);
        customs_strmap_release(&s->network->policies);
        s->network = NULL;
    }
    customs_vec_release(&s->items);
    customs_arena_release(&s->arena);
}

const char *customs_k8s_pod_template_path(const char *kind)
{
    static const char *const templated[] = {"Deployment", "ReplicaSet", "StatefulSet",
                                            "DaemonSet", "Job", "ReplicationController", NULL};
    if (kind == NULL) {
        return NULL;
    }
    if (strcmp(kind, "Pod") == 0) {
        return "";
    }
    if (str_in(kind, templated)) {
        return "spec.template";
    }
    if (strcmp(kind, "CronJob") == 0) {
        return "spec.jobTemplate.spec.template";
    }
    if (strcmp(kind, "PodTemplate") == 0) {
        return "template";
    }
    return NULL;
}

static const json_t *json_at(const json_t *root, const char *dotted)
{
    char seg[64];
    const json_t *v = root;
    while (*dotted != '\0' && v != NULL) {
        size_t n = strcspn(dotted, ".");
        if (n >= sizeof(seg)) {
            return NULL;
        }
        memcpy(seg, dotted, n);
        seg[n] = '\0';
        v = jget(v, seg);
        dotted += n + (dotted[n] == '.' ? 1 : 0);
    }
    return v;
}

const json_t *customs_k8s_pod_spec(const json_t *obj)
{
    const char *tpl = customs_k8s_pod_template_path(jstr(obj, "kind"));
    if (tpl == NULL) {
        return NULL;
    }
    const json_t *spec = jget(tpl[0] == '\0' ? obj : json_at(obj, tpl), "spec");
    return json_is_object(spec) ? spec : NULL;
}

static int network_note(struct k8s_ctx *c, const char *ns, bool is_policy)
{
    struct customs_misconfig_set *set = c->set;
    struct customs_arena *a = &set->arena;
    if (set->network == NULL) {
        set->network = customs_arena_alloc(a, sizeof(*set->network));
        if (set->network == NULL) {
            return customs_error_set(c->err, CUSTOMS_ENOMEM, "out of memory");
        }
        customs_strmap_init(&set->network->workloads);
        customs_strmap_init(&set->network->policies);
    }
    struct customs_strmap *m = is_policy ? &set->network->policies : &set->network->workloads;
    if (customs_strmap_get(m, ns) != NULL) {
        return 0;
    }
    char *key = customs_arena_strdup(a, ns);
    struct customs_misconfig *where = customs_arena_alloc(a, sizeof(*where));
    if (key == NULL || where == NULL) {
        return customs_error_set(c->err, CUSTOMS_ENOMEM, "out of memory");
    }
    where->object = customs_arena_strdup(a, c->object);
    where->file = c->file != NULL ? customs_arena_strdup(a, c->file) : NULL;
    where->path = customs_arena_printf(a, "%smetadata", c->obj_prefix);
    if (where->path != NULL && c->stream != NULL) {
        customs_yaml_stream_position(c->stream, c->doc, where->path, &where->line,
                                     &where->column);
    }
    if (customs_strmap_put(m, key, where) != 0) {
        return customs_error_set(c->err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}

static int audit_object(struct customs_misconfig_set *set, const json_t *obj, const char *prefix,
                        const struct customs_yaml_stream *stream, size_t doc, const char *file,
                        const struct customs_k8s_options *opt, struct customs_error *err,
                        unsigned depth)
{
    char meta_path[PATH_MAX_LEN];
    char spec_path[PATH_MAX_LEN];
    char object[768];
    const char *kind = jstr(obj, "kind");
    if (kind == NULL) {
        return 0;
    }
    if (strcmp(kind, "List") == 0 || customs_str_has_suffix(kind, "List")) {
        const json_t *items = jget(obj, "items");
        const json_t *it;
        size_t i;
        if (!json_is_array(items) || depth > 4) {
            return 0;
        }
        json_array_foreach(items, i, it) {
            char p[PATH_MAX_LEN];
            pathf(p, "%sitems[%zu].", prefix, i);
            int rc = audit_object(set, it, p, stream, doc, file, opt, err, depth + 1);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    }
    const json_t *md = jget(obj, "metadata");
    const char *ns = jstr(md, "namespace");
    const char *name = jstr(md, "name");
    snprintf(object, sizeof(object), "%s/%s/%s", kind, ns != NULL ? ns : "default",
             name != NULL ? name : "");
    struct k8s_ctx c = {
        .set = set,
        .stream = stream,
        .doc = doc,
        .file = file,
        .object = object,
        .opt = &opt->pss,
        .k8s = opt,
        .obj = obj,
        .obj_prefix = prefix,
        .kind = kind,
        .err = err,
    };
    const char *tpl = customs_k8s_pod_template_path(kind);
    if (tpl == NULL) {
        if (opt->hardening && strcmp(kind, "NetworkPolicy") == 0) {
            return network_note(&c, ns != NULL ? ns : "default", true);
        }
        return opt->hardening ? customs_k8s_hardening_object(&c) : 0;
    }
    const json_t *tnode = tpl[0] == '\0' ? obj : json_at(obj, tpl);
    const json_t *spec = jget(tnode, "spec");
    if (!json_is_object(spec)) {
        return 0;
    }
    const char *sep = tpl[0] == '\0' ? "" : ".";
    pathf(meta_path, "%s%s%smetadata", prefix, tpl, sep);
    pathf(spec_path, "%s%s%sspec", prefix, tpl, sep);
    c.meta = jget(tnode, "metadata");
    c.spec = spec;
    c.meta_path = meta_path;
    c.spec_path = spec_path;
    int rc = opt->pss_enabled ? customs_pss_evaluate(&c) : 0;
    if (rc == 0 && opt->hardening) {
        rc = customs_k8s_hardening_workload(&c);
    }
    if (rc == 0 && opt->hardening && strcmp(kind, "PodTemplate") != 0) {
        rc = network_note(&c, ns != NULL ? ns : "default", false);
    }
    return rc;
}

void customs_k8s_options_default(struct customs_k8s_options *o)
{
    memset(o, 0, sizeof(*o));
    o->pss.level = CUSTOMS_PSS_RESTRICTED;
    o->pss.minor = CUSTOMS_PSS_LATEST_MINOR;
    o->pss_enabled = true;
    o->hardening = true;
}

int customs_k8s_audit_document(struct customs_misconfig_set *set, const json_t *root,
                               const struct customs_yaml_stream *stream, size_t doc,
                               const char *file, const struct customs_k8s_options *opt,
                               struct customs_error *err)
{
    if (!json_is_object(root)) {
        return 0;
    }
    return audit_object(set, root, "", stream, doc, file, opt, err, 0);
}

int customs_k8s_audit_stream(struct customs_misconfig_set *set,
                             const struct customs_yaml_stream *stream, const char *file,
                             const struct customs_k8s_options *opt, struct customs_error *err)
{
    for (size_t i = 0; i < customs_yaml_stream_count(stream); i++) {
        int rc = customs_k8s_audit_document(set, customs_yaml_stream_doc(stream, i), stream, i,
                                            file, opt, err);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int customs_k8s_audit_finish(struct customs_misconfig_set *set,
                             const struct customs_k8s_options *opt, struct customs_error *err)
{
    size_t iter = 0;
    const char *ns;
    void *v;
    if (!opt->hardening || set->network == NULL) {
        return 0;
    }
    while (customs_strmap_next(&set->network->workloads, &iter, &ns, &v)) {
        const struct customs_misconfig *w = v;
        if (customs_strmap_get(&set->network->policies, ns) != NULL) {
            continue;
        }
        struct k8s_ctx c = {.set = set, .file = w->file, .object = w->object,
                            .check = customs_k8s_flat_network_check(), .err = err};
        emit(&c, w->path, "namespace \"%s\" has workloads (first: %s) but no NetworkPolicy "
                          "among the audited files", ns, w->object);
        if (c.rc != 0) {
            return c.rc;
        }
        struct customs_misconfig *m = customs_vec_at(&set->items, set->items.len - 1);
        m->line = w->line;
        m->column = w->column;
    }
    return 0;
}
