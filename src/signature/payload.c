/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simple-signing payload (containers-signature(5), cosign's SIGNATURE_SPEC): parsed
 * strictly, since it is what a signature vouches for; and the comparison of image names.
 */
#include <string.h>

#include "formats/json.h"
#include "signature/signature.h"

#include "core/banned.h"

/* Only the keys in `allowed` (NULL-terminated) may appear in `obj`. */
static int payload_only_keys(json_t *obj, const char *const *allowed, const char *name,
                             const char *where, struct customs_error *err)
{
    const char *key;
    const json_t *val;
    json_object_foreach(obj, key, val) {
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL && !ok; i++) {
            ok = strcmp(key, allowed[i]) == 0;
        }
        if (!ok) {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s has an unknown key '%.64s'",
                                     name, where, key);
        }
    }
    return 0;
}

/* obj[key] as an object, or an error naming it. */
static int payload_object(json_t **out, const json_t *obj, const char *key,
                          const char *name, const char *where, struct customs_error *err)
{
    *out = json_object_get(obj, key);
    if (!json_is_object(*out)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s.%s is missing or not an object",
                                 name, where, key);
    }
    return 0;
}

/* A printable string without control characters, at most outsz - 1 bytes. */
static int payload_string(char *out, size_t outsz, const json_t *obj, const char *key,
                          const char *name, const char *where, struct customs_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s.%s is missing or not a string",
                                 name, where, key);
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n >= outsz || strlen(s) != n) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s.%s is empty, too long or has "
                                 "a NUL", name, where, key);
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: %s.%s has a control character", name, where, key);
        }
    }
    memcpy(out, s, n + 1);
    return 0;
}

int customs_sig_payload_parse(struct customs_sig_payload *out, const char *name, const void *data,
                              size_t len, struct customs_error *err)
{
    static const char *const top_keys[] = {"critical", "optional", NULL};
    static const char *const critical_keys[] = {"identity", "image", "type", NULL};
    static const char *const identity_keys[] = {"docker-reference", NULL};
    static const char *const image_keys[] = {"docker-manifest-digest", NULL};
    json_t *doc = NULL;
    json_t *critical = NULL;
    json_t *identity = NULL;
    json_t *image = NULL;
    memset(out, 0, sizeof(*out));
    if (len > CUSTOMS_SIG_PAYLOAD_MAX) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: payload larger than %zu bytes", name,
                                 CUSTOMS_SIG_PAYLOAD_MAX);
    }
    int r = customs_json_parse(&doc, name, data, len, CUSTOMS_SIG_PAYLOAD_MAX, err);
    if (r < 0) {
        return r;
    }
    if (!json_is_object(doc)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: the payload is not a JSON object",
                              name);
    }
    if (r == 0) {
        r = payload_only_keys(doc, top_keys, name, "the payload", err);
    }
    if (r == 0) {
        const json_t *opt = json_object_get(doc, "optional");
        if (opt != NULL && !json_is_object(opt) && !json_is_null(opt)) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: optional is not an object", name);
        }
    }
    if (r == 0) {
        r = payload_object(&critical, doc, "critical", name, "the payload", err);
    }
    if (r == 0) {
        r = payload_only_keys(critical, critical_keys, name, "critical", err);
    }
    if (r == 0) {
        r = payload_object(&identity, critical, "identity", name, "critical", err);
    }
    if (r == 0) {
        r = payload_only_keys(identity, identity_keys, name, "critical.identity", err);
    }
    if (r == 0) {
        r = payload_object(&image, critical, "image", name, "critical", err);
    }
    if (r == 0) {
        r = payload_only_keys(image, image_keys, name, "critical.image", err);
    }
    if (r == 0) {
        r = payload_string(out->type, sizeof(out->type), critical, "type", name, "critical", err);
    }
    if (r == 0) {
        r = payload_string(out->reference, sizeof(out->reference), identity, "docker-reference",
                           name, "critical.identity", err);
    }
    if (r == 0) {
        r = payload_string(out->digest, sizeof(out->digest), image, "docker-manifest-digest",
                           name, "critical.image", err);
    }
    if (r == 0 && !customs_digest_is_valid(out->digest)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED,
                              "%s: critical.image.docker-manifest-digest is not a sha256 digest",
                              name);
    }
    json_decref(doc);
    if (r < 0) {
        memset(out, 0, sizeof(*out));
    }
    return r;
}

/* ---- names ---- */

struct ref_parts {
    char repo[CUSTOMS_SIG_NAME_MAX]; /* registry/path, normalised */
    const char *path;                /* into repo: after the registry */
    char tag[160];
    char digest[CUSTOMS_DIGEST_MAX];
};

static bool ref_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool ref_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_' || c == '/' || c == ':';
}

/* Path components as Docker names them: non-empty, each starting and ending with a letter or
 * digit (so never "", "." or ".."). */
static bool ref_components_ok(const char *path)
{
    const char *c = path;
    while (*c != '\0') {
        const char *end = strchr(c, '/');
        size_t n = end != NULL ? (size_t)(end - c) : strlen(c);
        if (n == 0 || !ref_alnum(c[0]) || !ref_alnum(c[n - 1])) {
            return false;
        }
        c += n;
        if (*c == '/') {
            c++;
            if (*c == '\0') {
                return false;
            }
        }
    }
    return true;
}

/* Split HOST[:PORT]/PATH[:TAG][@sha256:HEX], Docker's defaults applied. */
static bool ref_parse(struct ref_parts *p, const char *ref)
{
    char name[CUSTOMS_SIG_NAME_MAX];
    memset(p, 0, sizeof(*p));
    if (ref == NULL) {
        return false;
    }
    size_t n = strlen(ref);
    const char *at = strchr(ref, '@');
    if (at != NULL) {
        if (!customs_digest_is_valid(at + 1) || strlen(at + 1) != 71) {
            return false;
        }
        memcpy(p->digest, at + 1, 72);
        n = (size_t)(at - ref);
    }
    if (n == 0 || n >= sizeof(name)) {
        return false;
    }
    memcpy(name, ref, n);
    name[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!ref_char_ok(name[i])) {
            return false;
        }
    }
    char *slash = strrchr(name, '/');
    char *colon = strrchr(slash != NULL ? slash : name, ':');
    if (colon != NULL) {
        if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(p->tag)) {
            return false;
        }
        memcpy(p->tag, colon + 1, strlen(colon + 1) + 1);
        *colon = '\0';
    }
    const char *host = "docker.io";
    const char *path = name;
    char *first = strchr(name, '/');
    if (first != NULL) {
        *first = '\0';
        if (strchr(name, '.') != NULL || strchr(name, ':') != NULL ||
            strcmp(name, "localhost") == 0) {
            host = name;
            path = first + 1;
        } else {
            *first = '/';
        }
    }
    if (strcmp(host, "index.docker.io") == 0 || strcmp(host, "registry-1.docker.io") == 0) {
        host = "docker.io";
    }
    if (path[0] == '\0' || strchr(path, ':') != NULL || !ref_components_ok(path) ||
        host[0] == '\0') {
        return false;
    }
    bool library = strcmp(host, "docker.io") == 0 && strchr(path, '/') == NULL;
    int w = snprintf(p->repo, sizeof(p->repo), "%s/%s%s", host, library ? "library/" : "", path);
    if (w < 0 || (size_t)w >= sizeof(p->repo)) {
        return false;
    }
    p->path = p->repo + strlen(host) + 1;
    return true;
}

bool customs_sig_identity_matches(const char *signed_ref, const char *expected)
{
    struct ref_parts a;
    struct ref_parts b;
    if (!ref_parse(&a, signed_ref) || !ref_parse(&b, expected)) {
        return false;
    }
    if (strcmp(a.repo, b.repo) != 0) {
        return false;
    }
    if (a.tag[0] != '\0' && b.tag[0] != '\0' && strcmp(a.tag, b.tag) != 0) {
        return false;
    }
    return !(a.digest[0] != '\0' && b.digest[0] != '\0' && strcmp(a.digest, b.digest) != 0);
}

bool customs_sig_repo_path(char *out, size_t outsz, const char *ref)
{
    struct ref_parts p;
    if (!ref_parse(&p, ref) || strlen(p.path) >= outsz) {
        return false;
    }
    memcpy(out, p.path, strlen(p.path) + 1);
    return true;
}
