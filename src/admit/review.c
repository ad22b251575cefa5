/* SPDX-License-Identifier: Apache-2.0 */
/* AdmissionReview admission.k8s.io/v1 requests: strict envelope validation, the pod template
 * of every workload kind, and which requests Pod Security admission leaves alone. */
#include "admit/admit.h"

#include <stdio.h>
#include <string.h>

#include "formats/json.h"

#include "core/banned.h"

#define UID_MAX 256

static const json_t *jget(const json_t *o, const char *key)
{
    return json_is_object(o) ? json_object_get(o, key) : NULL;
}

/* A required string member; an error naming `where` otherwise. */
static int want_str(const char **out, const json_t *o, const char *key, const char *where,
                    struct customs_error *err)
{
    const json_t *v = jget(o, key);
    if (!json_is_string(v)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "AdmissionReview: %s.%s %s", where,
                                 key, v == NULL ? "is missing" : "is not a string");
    }
    *out = json_string_value(v);
    return 0;
}

/* An optional string member: "" when absent or null, an error when another type. */
static int opt_str(const char **out, const json_t *o, const char *key, const char *where,
                   struct customs_error *err)
{
    const json_t *v = jget(o, key);
    *out = "";
    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "AdmissionReview: %s.%s is not a string",
                                 where, key);
    }
    *out = json_string_value(v);
    return 0;
}

/* The API group of each workload kind: a kind of that name in another group is not ours. */
static const char *workload_group(const char *kind)
{
    static const struct {
        const char *kind;
        const char *group;
    } groups[] = {
        {"Pod", ""},          {"ReplicationController", ""}, {"PodTemplate", ""},
        {"Deployment", "apps"}, {"ReplicaSet", "apps"},      {"StatefulSet", "apps"},
        {"DaemonSet", "apps"}, {"Job", "batch"},             {"CronJob", "batch"},
    };
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (strcmp(kind, groups[i].kind) == 0) {
            return groups[i].group;
        }
    }
    return NULL;
}

/* Pod subresources Pod Security admission ignores (admission/admission.go). */
static bool pod_subresource_ignored(const char *sub)
{
    static const char *const ignored[] = {"exec",        "attach", "binding", "eviction", "log",
                                          "portforward", "proxy",  "status",  NULL};
    for (size_t i = 0; ignored[i] != NULL; i++) {
        if (strcmp(sub, ignored[i]) == 0) {
            return true;
        }
    }
    return false;
}

static const char *container_image(const json_t *ctr)
{
    const json_t *v = jget(ctr, "image");
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Pod Security admission re-evaluates a Pod UPDATE only when it is significant: a container
 * added or removed, or an image changed (ephemeral containers: a new one, or a new image). */
static bool pod_update_is_significant(const json_t *spec, const json_t *old_spec)
{
    static const char *const lists[] = {"containers", "initContainers"};
    for (size_t l = 0; l < 2; l++) {
        const json_t *a = jget(spec, lists[l]);
        const json_t *b = jget(old_spec, lists[l]);
        if (json_array_size(a) != json_array_size(b)) {
            return true;
        }
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (strcmp(container_image(json_array_get(a, i)),
                       container_image(json_array_get(b, i))) != 0) {
                return true;
            }
        }
    }
    const json_t *eph = jget(spec, "ephemeralContainers");
    const json_t *old_eph = jget(old_spec, "ephemeralContainers");
    for (size_t i = 0; i < json_array_size(eph); i++) {
        const json_t *c = json_array_get(eph, i);
        const json_t *name = jget(c, "name");
        bool found = false;
        for (size_t k = 0; k < json_array_size(old_eph) && !found; k++) {
            const json_t *o = json_array_get(old_eph, k);
            found = json_equal(jget(o, "name"), name) &&
                    strcmp(container_image(o), container_image(c)) == 0;
        }
        if (!found) {
            return true;
        }
    }
    return false;
}

/* The request's envelope: everything but the object. */
static int decode_request(struct customs_admit_review *r, const json_t *req,
                          struct customs_error *err)
{
    const json_t *v;
    int rc = want_str(&r->uid, req, "uid", "request", err);
    if (rc == 0 && r->uid[0] == '\0') {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "AdmissionReview: request.uid is empty");
    }
    if (rc == 0 && strlen(r->uid) > UID_MAX) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: request.uid is longer than %d bytes", UID_MAX);
    }
    const json_t *kind = jget(req, "kind");
    const json_t *resource = jget(req, "resource");
    if (rc == 0 && !json_is_object(kind)) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: request.kind is missing or not an object");
    }
    if (rc == 0 && !json_is_object(resource)) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: request.resource is missing or not an object");
    }
    if (rc == 0) {
        rc = want_str(&r->kind, kind, "kind", "request.kind", err);
    }
    if (rc == 0) {
        rc = want_str(&r->version, kind, "version", "request.kind", err);
    }
    if (rc == 0) {
        rc = opt_str(&r->group, kind, "group", "request.kind", err);
    }
    if (rc == 0) {
        rc = want_str(&r->resource, resource, "resource", "request.resource", err);
    }
    if (rc == 0) {
        rc = opt_str(&r->sub_resource, req, "subResource", "request", err);
    }
    if (rc == 0) {
        rc = want_str(&r->operation, req, "operation", "request", err);
    }
    if (rc == 0 && strcmp(r->operation, "CREATE") != 0 && strcmp(r->operation, "UPDATE") != 0 &&
        strcmp(r->operation, "DELETE") != 0 && strcmp(r->operation, "CONNECT") != 0) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: request.operation \"%.40s\" is not CREATE, "
                               "UPDATE, DELETE or CONNECT", r->operation);
    }
    if (rc == 0) {
        rc = opt_str(&r->ns, req, "namespace", "request", err);
    }
    if (rc == 0) {
        rc = opt_str(&r->name, req, "name", "request", err);
    }
    v = jget(req, "dryRun");
    if (rc == 0 && v != NULL && !json_is_null(v) && !json_is_boolean(v)) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: request.dryRun is not a boolean");
    }
    r->dry_run = json_is_true(v);
    return rc;
}

/* Which requests are judged, and the pod template of those that are. */
static int decode_object(struct customs_admit_review *r, json_t *req, struct customs_error *err)
{
    json_t *obj = json_object_get(req, "object");
    const json_t *old = json_object_get(req, "oldObject");
    r->object = json_is_object(obj) ? obj : NULL;
    r->old_object = json_is_object(old) ? old : NULL;
    if (strcmp(r->operation, "DELETE") == 0 || strcmp(r->operation, "CONNECT") == 0) {
        r->skip = "Pod Security admission does not judge DELETE or CONNECT";
        return 0;
    }
    const char *group = workload_group(r->kind);
    if (group == NULL || strcmp(group, r->group) != 0) {
        r->skip = "not a workload kind";
        return 0;
    }
    bool is_pod = strcmp(r->kind, "Pod") == 0;
    if (r->sub_resource[0] != '\0' &&
        (!is_pod || strcmp(r->sub_resource, "ephemeralcontainers") != 0)) {
        r->skip = is_pod && pod_subresource_ignored(r->sub_resource)
                      ? "a Pod subresource Pod Security admission ignores"
                      : "a subresource other than a Pod's ephemeralcontainers";
        return 0;
    }
    if (obj == NULL || json_is_null(obj)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "AdmissionReview: request.object is missing for %s of %s",
                                 r->operation, r->kind);
    }
    if (!json_is_object(obj)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "AdmissionReview: request.object is not an object");
    }
    const json_t *okind = json_object_get(obj, "kind");
    if (okind == NULL) {
        /* the audit code keys on the object's kind: give it the request's */
        if (json_object_set_new(obj, "kind", json_string(r->kind)) != 0) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    } else if (!json_is_string(okind) || strcmp(json_string_value(okind), r->kind) != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "AdmissionReview: request.object.kind is not request.kind.kind "
                                 "(%s)", r->kind);
    }
    r->template_path = customs_k8s_pod_template_path(r->kind);
    const json_t *spec = customs_k8s_pod_spec(obj);
    if (spec == NULL) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "AdmissionReview: request.object.%s%sspec is missing or not an "
                                 "object", r->template_path, r->template_path[0] ? "." : "");
    }
    r->pod_spec = spec;
    if (r->name[0] == '\0') {
        const json_t *md = jget(obj, "metadata");
        const json_t *n = jget(md, "name");
        const json_t *gn = jget(md, "generateName");
        r->name = json_is_string(n)    ? json_string_value(n)
                  : json_is_string(gn) ? json_string_value(gn)
                                       : "";
    }
    if (is_pod && r->sub_resource[0] == '\0' && strcmp(r->operation, "UPDATE") == 0 &&
        r->old_object != NULL &&
        !pod_update_is_significant(spec, jget(r->old_object, "spec"))) {
        r->skip = "an update of a Pod that changes no container or image (as Pod Security "
                  "admission)";
        r->pod_spec = NULL;
    }
    return 0;
}

/* The members of a review that are judged or answered: everything but the object's
 * managedFields and status (never judged) and, of oldObject, only the names and images of its
 * containers (a Pod UPDATE that changes no image is not judged). Nothing else reads the tree;
 * a rule that reads another member of oldObject, status or managedFields must add it here. */
static const struct customs_json_prune_member old_container_members[] = {
    {"name", &customs_json_prune_keep}, {"image", &customs_json_prune_keep}, {NULL, NULL}};
static const struct customs_json_prune old_container = {true, old_container_members};
static const struct customs_json_prune_member old_spec_members[] = {
    {"containers", &old_container},
    {"initContainers", &old_container},
    {"ephemeralContainers", &old_container},
    {NULL, NULL}};
static const struct customs_json_prune old_spec = {true, old_spec_members};
static const struct customs_json_prune_member old_object_members[] = {{"spec", &old_spec},
                                                                      {NULL, NULL}};
static const struct customs_json_prune old_object = {true, old_object_members};
static const struct customs_json_prune_member metadata_members[] = {{"managedFields", NULL},
                                                                    {NULL, NULL}};
static const struct customs_json_prune metadata = {false, metadata_members};
static const struct customs_json_prune_member object_members[] = {
    {"metadata", &metadata}, {"status", NULL}, {NULL, NULL}};
static const struct customs_json_prune object = {false, object_members};
static const struct customs_json_prune_member request_members[] = {
    {"object", &object}, {"oldObject", &old_object}, {NULL, NULL}};
static const struct customs_json_prune request = {false, request_members};
static const struct customs_json_prune_member review_members[] = {{"request", &request},
                                                                  {NULL, NULL}};
static const struct customs_json_prune review = {false, review_members};

/* The envelope and the object of a parsed review (root owned by r on success, freed else). */
static int decode_root(struct customs_admit_review *r, json_t *root, struct customs_error *err)
{
    int rc = 0;
    const char *api = customs_json_str(root, "apiVersion");
    const char *kind = customs_json_str(root, "kind");
    json_t *req = json_object_get(root, "request");
    if (!json_is_object(root)) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "AdmissionReview: not a JSON object");
    } else if (api == NULL || strcmp(api, CUSTOMS_ADMIT_API_VERSION) != 0) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: apiVersion is %s%.60s%s, not "
                               "\"" CUSTOMS_ADMIT_API_VERSION "\"", api ? "\"" : "",
                               api ? api : "missing", api ? "\"" : "");
    } else if (kind == NULL || strcmp(kind, "AdmissionReview") != 0) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: kind is %s%.60s%s, not \"AdmissionReview\"",
                               kind ? "\"" : "", kind ? kind : "missing", kind ? "\"" : "");
    } else if (!json_is_object(req)) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                               "AdmissionReview: request is missing or not an object");
    }
    if (rc == 0) {
        rc = decode_request(r, req, err);
    }
    if (rc == 0) {
        /* with the uid known, a bad object is a denial naming the problem, not a 400 */
        struct customs_error oerr = {0};
        rc = decode_object(r, req, &oerr);
        if (rc == CUSTOMS_EMALFORMED) {
            customs_fmt_clip(r->problem, sizeof(r->problem), "%s", oerr.message);
            r->pod_spec = NULL;
            r->skip = NULL;
            rc = 0;
        } else if (rc < 0) {
            rc = customs_error_set(err, rc, "%s", oerr.message);
        }
    }
    if (rc < 0) {
        json_decref(root);
        memset(r, 0, sizeof(*r));
        return rc;
    }
    r->root = root;
    return 0;
}

int customs_admit_review_decode(struct customs_admit_review *r, const void *body, size_t len,
                                size_t max_bytes, struct customs_error *err)
{
    json_t *root = NULL;
    memset(r, 0, sizeof(*r));
    if (max_bytes == 0 || len <= max_bytes) {
        int rc = customs_json_parse_pruned(&root, body, len, &review);
        if (rc == CUSTOMS_ENOMEM) {
            return customs_error_set(err, rc, "out of memory");
        }
        if (rc == 0) {
            return decode_root(r, root, err);
        }
    }
    /* over the limit or not valid JSON: the full parser says why, with the line and column */
    return customs_admit_review_decode_full(r, body, len, max_bytes, err);
}

int customs_admit_review_decode_full(struct customs_admit_review *r, const void *body, size_t len,
                                     size_t max_bytes, struct customs_error *err)
{
    json_t *root = NULL;
    memset(r, 0, sizeof(*r));
    int rc = customs_json_parse(&root, "AdmissionReview", body, len, max_bytes, err);
    if (rc < 0) {
        return rc;
    }
    return decode_root(r, root, err);
}

void customs_admit_review_release(struct customs_admit_review *r)
{
    json_decref(r->root);
    memset(r, 0, sizeof(*r));
}
