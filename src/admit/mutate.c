/* SPDX-License-Identifier: Apache-2.0 */
/* /mutate: least-privilege defaults for what a pod template leaves unset, as a JSONPatch
 * (RFC 6902). A value the user wrote is never overridden. */
#include "admit/admit.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static const json_t *jget(const json_t *o, const char *key)
{
    return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static int patch_add(json_t *patch, const char *path, json_t *value)
{
    if (value == NULL) {
        return -1;
    }
    return json_array_append_new(patch, json_pack("{s:s, s:s, s:o}", "op", "add", "path", path,
                                                  "value", value));
}

static bool array_has(const json_t *arr, const char *s)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *v = json_array_get(arr, i);
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) {
            return true;
        }
    }
    return false;
}

/* Pod-level values are defaults a container's own securityContext overrides: setting them
 * where the pod has none never changes what a container asked for. */
static int mutate_pod(json_t *patch, const json_t *spec, const char *base,
                      const struct customs_policy_mutate *m)
{
    char p[512];
    const json_t *sc = jget(spec, "securityContext");
    json_t *add = json_object();
    int rc = add != NULL ? 0 : -1;
    if (rc == 0 && m->seccomp_runtime_default && jget(sc, "seccompProfile") == NULL) {
        rc = json_object_set_new(add, "seccompProfile", json_pack("{s:s}", "type",
                                                                   "RuntimeDefault"));
    }
    if (rc == 0 && m->run_as_non_root && jget(sc, "runAsNonRoot") == NULL) {
        rc = json_object_set_new(add, "runAsNonRoot", json_true());
    }
    if (rc == 0 && json_object_size(add) > 0) {
        if (!json_is_object(sc)) {
            snprintf(p, sizeof(p), "%s/securityContext", base);
            rc = patch_add(patch, p, json_incref(add));
        } else {
            const char *k;
            json_t *v;
            json_object_foreach(add, k, v) {
                snprintf(p, sizeof(p), "%s/securityContext/%s", base, k);
                if (rc == 0) {
                    rc = patch_add(patch, p, json_incref(v));
                }
            }
        }
    }
    json_decref(add);
    return rc;
}

static int mutate_container(json_t *patch, const json_t *ctr, const char *base,
                            const struct customs_policy_mutate *m)
{
    char p[512];
    const json_t *sc = jget(ctr, "securityContext");
    const json_t *caps = jget(sc, "capabilities");
    const json_t *priv = jget(sc, "privileged");
    const json_t *drop = jget(caps, "drop");
    bool privileged = json_is_true(priv);
    /* the API server rejects allowPrivilegeEscalation=false next to these */
    bool ape = m->disallow_privilege_escalation && !privileged &&
               !array_has(jget(caps, "add"), "SYS_ADMIN") &&
               !array_has(jget(caps, "add"), "CAP_SYS_ADMIN");
    bool drop_all = m->drop_all_capabilities && !privileged;
    int rc = 0;
    if (!json_is_object(sc)) {
        if (!ape && !drop_all) {
            return 0;
        }
        json_t *v = drop_all ? json_pack("{s:{s:[s]}}", "capabilities", "drop", "ALL")
                             : json_object();
        if (v != NULL && ape && json_object_set_new(v, "allowPrivilegeEscalation",
                                                    json_false()) != 0) {
            json_decref(v);
            return -1;
        }
        snprintf(p, sizeof(p), "%s/securityContext", base);
        return patch_add(patch, p, v);
    }
    if (ape && jget(sc, "allowPrivilegeEscalation") == NULL) {
        snprintf(p, sizeof(p), "%s/securityContext/allowPrivilegeEscalation", base);
        rc = patch_add(patch, p, json_false());
    }
    if (rc != 0 || !drop_all) {
        return rc;
    }
    if (!json_is_object(caps)) {
        snprintf(p, sizeof(p), "%s/securityContext/capabilities", base);
        rc = patch_add(patch, p, json_pack("{s:[s]}", "drop", "ALL"));
    } else if (!json_is_array(drop)) {
        snprintf(p, sizeof(p), "%s/securityContext/capabilities/drop", base);
        rc = patch_add(patch, p, json_pack("[s]", "ALL"));
    } else if (!array_has(drop, "ALL")) {
        snprintf(p, sizeof(p), "%s/securityContext/capabilities/drop/-", base);
        rc = patch_add(patch, p, json_string("ALL"));
    }
    return rc;
}

/* The JSON Pointer of the pod spec: "/spec", "/spec/template/spec", ... */
static void spec_pointer(char *out, size_t n, const char *template_path)
{
    size_t o = 0;
    out[o++] = '/';
    for (const char *s = template_path; *s != '\0' && o + 1 < n; s++) {
        out[o++] = *s == '.' ? '/' : *s;
    }
    if (template_path[0] != '\0' && o + 1 < n) {
        out[o++] = '/';
    }
    out[o] = '\0';
    snprintf(out + o, n - o, "spec");
}

const struct customs_policy_mutate customs_admit_mutate_all = {
    .seccomp_runtime_default = true,
    .run_as_non_root = true,
    .disallow_privilege_escalation = true,
    .drop_all_capabilities = true,
};

json_t *customs_admit_mutate(const struct customs_admit_review *r,
                             const struct customs_policy_mutate *m)
{
    static const char *const lists[] = {"initContainers", "containers", NULL};
    json_t *out = json_pack("{s:s, s:s, s:{s:s, s:b}}", "apiVersion", CUSTOMS_ADMIT_API_VERSION,
                            "kind", "AdmissionReview", "response", "uid", r->uid, "allowed", 1);
    json_t *patch = json_array();
    char base[128];
    char p[256];
    int rc = out != NULL && patch != NULL ? 0 : -1;
    bool applies = r->pod_spec != NULL && r->problem[0] == '\0' && r->sub_resource[0] == '\0' &&
                   (strcmp(r->operation, "CREATE") == 0 || strcmp(r->kind, "Pod") != 0);
    if (rc == 0 && applies) {
        spec_pointer(base, sizeof(base), r->template_path);
        rc = mutate_pod(patch, r->pod_spec, base, m);
        for (size_t l = 0; rc == 0 && lists[l] != NULL; l++) {
            const json_t *arr = jget(r->pod_spec, lists[l]);
            for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
                snprintf(p, sizeof(p), "%s/%s/%zu", base, lists[l], i);
                rc = mutate_container(patch, json_array_get(arr, i), p, m);
            }
        }
    }
    if (rc == 0 && json_array_size(patch) > 0) {
        size_t len = json_dumpb(patch, NULL, 0, JSON_COMPACT);
        char *text = len > 0 ? customs_malloc(len) : NULL;
        unsigned char *enc = text != NULL ? customs_malloc(4 * ((len + 2) / 3) + 1) : NULL;
        rc = enc != NULL && json_dumpb(patch, text, len, JSON_COMPACT) == len ? 0 : -1;
        if (rc == 0) {
            EVP_EncodeBlock(enc, (const unsigned char *)text, (int)len);
            json_t *resp = json_object_get(out, "response");
            rc = json_object_set_new(resp, "patchType", json_string("JSONPatch"));
            rc = rc == 0 ? json_object_set_new(resp, "patch", json_string((char *)enc)) : rc;
        }
        customs_free(enc);
        customs_free(text);
    }
    json_decref(patch);
    if (rc != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}
