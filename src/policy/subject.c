/* SPDX-License-Identifier: Apache-2.0 */
/* Subjects for the judge, from what the scan produced. */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "model/report.h"

#include "core/banned.h"

/* The repo tags of an archive ("a:1,b:2") as a NULL-terminated list. */
static const char *const *split_names(struct customs_arena *arena, const char *tags)
{
    size_t n = 0;
    for (const char *p = tags; p != NULL && *p != '\0'; p++) {
        n += *p == ',' ? 1 : 0;
    }
    const char **out = customs_arena_alloc(arena, (n + 2) * sizeof(char *));
    size_t k = 0;
    for (const char *p = tags; out != NULL && p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (len > 0 && (out[k] = customs_arena_strndup(arena, p, len)) != NULL) {
            k++;
        }
        p += len + (p[len] == ',' ? 1 : 0);
    }
    return out;
}

int customs_policy_image_from_report(struct customs_policy_image *out, struct customs_arena *arena,
                                     const struct customs_report *r)
{
    memset(out, 0, sizeof(*out));
    out->known = true;
    out->vulns_scanned = r->vulns_scanned;
    out->nerrors = r->errors.len;
    out->digest = r->target.manifest_digest;
    if (r->signature != NULL) {
        struct customs_policy_signature *sig = customs_arena_alloc(arena, sizeof(*sig));
        if (sig == NULL) {
            return CUSTOMS_ENOMEM;
        }
        *sig = (struct customs_policy_signature){r->signature->fingerprint, r->signature->key,
                                                 r->signature->format, r->signature->identity, 0};
        out->signatures = sig;
        out->nsignatures = 1;
    }
    if (r->coverage_problems.len > 0) {
        struct customs_policy_gap *g =
            customs_arena_alloc(arena, r->coverage_problems.len * sizeof(*g));
        if (g == NULL) {
            return CUSTOMS_ENOMEM;
        }
        for (size_t i = 0; i < r->coverage_problems.len; i++) {
            const struct customs_coverage_problem *c = customs_vec_at(&r->coverage_problems, i);
            g[i] = (struct customs_policy_gap){c->kind, c->subject, c->message};
        }
        out->gaps = g;
        out->ngaps = r->coverage_problems.len;
    }
    out->names = split_names(arena, r->target.repo_tags);
    struct customs_policy_vuln *v =
        customs_arena_alloc(arena, (r->vulns.len + 1) * sizeof(*v));
    struct customs_policy_finding *s =
        customs_arena_alloc(arena, (r->secrets.len + 1) * sizeof(*s));
    struct customs_policy_finding *m =
        customs_arena_alloc(arena, (r->malware.len + 1) * sizeof(*m));
    if (out->names == NULL || v == NULL || s == NULL || m == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < r->vulns.len; i++) {
        const struct customs_vuln_finding *f = customs_vec_at(&r->vulns, i);
        v[i] = (struct customs_policy_vuln){
            .id = f->id,
            .aliases = f->aliases,
            .naliases = f->naliases,
            .package = f->name,
            .installed = f->installed,
            .fixed = f->fixed,
            .severity = f->severity,
            .known_exploited = f->known_exploited != NULL, /* CISA KEV, from NVD records */
        };
    }
    for (size_t i = 0; i < r->secrets.len; i++) {
        const struct customs_secret_finding *f = customs_vec_at(&r->secrets, i);
        s[i] = (struct customs_policy_finding){f->rule, f->title, f->path, f->severity};
    }
    for (size_t i = 0; i < r->malware.len; i++) {
        const struct customs_malware_finding *f = customs_vec_at(&r->malware, i);
        m[i] = (struct customs_policy_finding){f->rule, f->description, f->path, f->severity};
    }
    out->vulns = v;
    out->nvulns = r->vulns.len;
    out->secrets = s;
    out->nsecrets = r->secrets.len;
    out->malware = m;
    out->nmalware = r->malware.len;
    return 0;
}

/* ---- workloads from manifests ---- */

#define TIER_LABEL "customs/tier"

void customs_policy_batch_init(struct customs_policy_batch *b)
{
    b->workloads = json_array();
    b->tiers = json_object();
}

void customs_policy_batch_release(struct customs_policy_batch *b)
{
    json_decref(b->workloads);
    json_decref(b->tiers);
    b->workloads = NULL;
    b->tiers = NULL;
}

static const char *obj_str(const json_t *o, const char *key)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int customs_policy_batch_add(struct customs_policy_batch *b, json_t *root)
{
    const char *kind = obj_str(root, "kind");
    if (b->workloads == NULL || b->tiers == NULL) {
        return CUSTOMS_ENOMEM;
    }
    if (kind == NULL) {
        return 0;
    }
    if (strcmp(kind, "List") == 0 || customs_str_has_suffix(kind, "List")) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(root, "items"), i, item) {
            int rc = customs_policy_batch_add(b, item);
            if (rc < 0) {
                return rc;
            }
        }
        return 0;
    }
    if (strcmp(kind, "Namespace") == 0) {
        const json_t *meta = json_object_get(root, "metadata");
        const char *name = obj_str(meta, "name");
        const char *tier = obj_str(json_object_get(meta, "labels"), TIER_LABEL);
        if (name != NULL && tier != NULL &&
            json_object_set_new(b->tiers, name, json_string(tier)) != 0) {
            return CUSTOMS_ENOMEM;
        }
        return 0;
    }
    if (customs_k8s_pod_template_path(kind) != NULL &&
        json_array_append(b->workloads, root) != 0) {
        return CUSTOMS_ENOMEM;
    }
    return 0;
}

const char *customs_policy_namespace_of(const json_t *obj)
{
    const char *ns = obj_str(json_object_get(obj, "metadata"), "namespace");
    return ns != NULL && ns[0] != '\0' ? ns : "default";
}

const char *customs_policy_batch_tier(const struct customs_policy_batch *b, const char *ns)
{
    return obj_str(b->tiers, ns);
}

void customs_policy_workload_name(char *out, size_t outsz, const json_t *obj)
{
    const char *kind = obj_str(obj, "kind");
    const char *name = obj_str(json_object_get(obj, "metadata"), "name");
    snprintf(out, outsz, "%s/%s/%s", kind != NULL ? kind : "?", customs_policy_namespace_of(obj),
             name != NULL ? name : "?");
}
