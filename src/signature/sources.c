/* SPDX-License-Identifier: Apache-2.0 */
/* Where signatures are found: cosign's tag in an OCI layout, and a lookaside store of
 * OpenPGP signatures (a directory or an http(s) URL). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "formats/json.h"
#include "image/image.h"
#include "signature/internal.h"

#include "core/banned.h"

#define LOOKASIDE_MAX_SIGNATURES 64
#define LOOKASIDE_FILE_MAX ((size_t)64 << 10)

/* Is the index.json descriptor `d` cosign's signature manifest for one of the subject's
 * digests (by its tag), or marked as signatures (checked against the payload later)? */
static bool layout_is_signature(const json_t *d, const struct customs_sig_subject *s)
{
    const json_t *ann = json_object_get(d, "annotations");
    const char *ref = customs_json_str(ann, "org.opencontainers.image.ref.name");
    const char *kind = customs_json_str(ann, "kind");
    if (kind != NULL && strcmp(kind, "dev.cosignproject.cosign/sigs") == 0) {
        return true;
    }
    for (size_t i = 0; ref != NULL && i < 2; i++) {
        char tag[CUSTOMS_DIGEST_MAX + 8];
        if (!customs_digest_is_valid(s->digests[i])) {
            continue;
        }
        snprintf(tag, sizeof(tag), "sha256-%s.sig", s->digests[i] + 7);
        if (strcmp(ref, tag) == 0) {
            return true;
        }
    }
    return false;
}

int customs_sig_cosign_manifest(struct customs_sig_result *r,
                                const struct customs_sig_verifier *v,
                                const struct customs_sig_subject *s, const char *source,
                                const uint8_t *doc, size_t doc_len, customs_sig_fetch_fn fetch,
                                void *ctx, const struct customs_limits *limits,
                                struct customs_error *err)
{
    json_t *m = NULL;
    size_t i;
    const json_t *layer;
    char where[CUSTOMS_SIG_NAME_MAX];
    int rc = customs_json_parse(&m, source, doc, doc_len, limits->max_json_bytes, err);
    if (rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_ELIMIT) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, source, "%s",
                         err->message);
        customs_error_clear(err);
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    const json_t *layers = json_object_get(m, "layers");
    if (!json_is_array(layers) || json_array_size(layers) == 0) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, source,
                         "%s: no layers", source);
    }
    json_array_foreach(layers, i, layer) {
        const char *ld = customs_json_str(layer, "digest");
        const char *sig = customs_json_str(json_object_get(layer, "annotations"),
                                           "dev.cosignproject.cosign/signature");
        uint64_t size = CUSTOMS_SIG_PAYLOAD_MAX;
        uint8_t *data = NULL;
        size_t len = 0;
        if (i >= limits->max_manifests) {
            break;
        }
        snprintf(where, sizeof(where), "%s layer %zu", source, i);
        (void)customs_json_u64(layer, "size", &size);
        if (!customs_digest_is_valid(ld) || size > CUSTOMS_SIG_PAYLOAD_MAX) {
            customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, where,
                             "%s: the payload cannot be read: %s", where,
                             customs_digest_is_valid(ld) ? "larger than 1 MiB"
                                                         : "no sha256 digest");
            continue;
        }
        rc = fetch(ctx, ld, size, &data, &len, err);
        if (rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_ELIMIT) {
            /* the stored bytes are not the payload the manifest names */
            customs_sig_fold(r, CUSTOMS_SIG_BAD_SIGNATURE, CUSTOMS_SIG_COSIGN, where,
                             "%s: the payload was altered: %s", where, err->message);
        } else if (rc == CUSTOMS_ENOMEM || rc == CUSTOMS_EIO || rc == CUSTOMS_ETIMEOUT) {
            break; /* the storage failed: an error, not a verdict */
        } else if (rc < 0) {
            customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, where,
                             "%s: the payload cannot be read: %s", where, err->message);
        } else {
            customs_sig_check_cosign(r, v, s, where, data, len, sig);
        }
        customs_free(data);
        rc = 0;
        customs_error_clear(err);
    }
    json_decref(m);
    return rc;
}

static int layout_fetch(void *ctx, const char *digest, uint64_t size, uint8_t **data,
                        size_t *len, struct customs_error *err)
{
    return customs_image_read_blob(data, len, ctx, digest, size, err);
}

/* Judge every layer of one cosign signature manifest stored in the layout. */
static int layout_manifest(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                           const struct customs_sig_subject *s, const struct customs_image *img,
                           const char *digest, const struct customs_limits *limits,
                           struct customs_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char source[CUSTOMS_SIG_NAME_MAX];
    snprintf(source, sizeof(source), "%s: signature manifest %s", img->path, digest);
    int rc = customs_image_read_blob(&data, &len, img, digest, limits->max_json_bytes, err);
    if (rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_ENOTFOUND || rc == CUSTOMS_ELIMIT ||
        rc == CUSTOMS_EUNSUPPORTED) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, source, "%s",
                         err->message);
        customs_error_clear(err);
        return 0;
    }
    if (rc == 0) {
        rc = customs_sig_cosign_manifest(r, v, s, source, data, len, layout_fetch,
                                         (void *)(uintptr_t)img, limits, err);
    }
    customs_free(data);
    return rc;
}

int customs_sig_from_layout(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                            const struct customs_sig_subject *s, const struct customs_image *img,
                            const struct customs_limits *limits, struct customs_error *err)
{
    json_t *index = NULL;
    size_t i;
    const json_t *d;
    if (img->kind != CUSTOMS_SOURCE_OCI) {
        return 0;
    }
    int rc = customs_image_read_index(&index, img, limits, err);
    if (rc < 0) {
        return rc;
    }
    const json_t *manifests = json_object_get(index, "manifests");
    json_array_foreach(manifests, i, d) {
        const char *digest = customs_json_str(d, "digest");
        if (i >= limits->max_manifests) {
            break;
        }
        if (!layout_is_signature(d, s)) {
            continue;
        }
        if (!customs_digest_is_valid(digest)) {
            customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, img->path,
                             "%s: index.json entry %zu: a signature without a sha256 digest",
                             img->path, i);
            continue;
        }
        rc = layout_manifest(r, v, s, img, digest, limits, err);
        if (rc < 0) {
            break;
        }
    }
    json_decref(index);
    return rc;
}

/* ---- lookaside ---- */

/* A repository path safe to put in a path or URL: [a-z0-9._-] components, no "." or "..". */
static bool lookaside_repo_ok(const char *repo)
{
    size_t n = strlen(repo);
    if (n == 0 || n > 255 || repo[0] == '/' || repo[n - 1] == '/') {
        return false;
    }
    for (const char *c = repo; *c != '\0'; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
                  *c == '_' || *c == '-' || *c == '/';
        if (!ok || (*c == '.' && (c == repo || c[-1] == '/'))) {
            return false; /* also refuses ".", ".." and hidden components */
        }
    }
    return strstr(repo, "//") == NULL;
}

int customs_sig_from_lookaside(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                               const struct customs_sig_subject *s, const char *store,
                               const char *repo, struct customs_error *err)
{
    bool url = customs_str_has_prefix(store, "http://") || customs_str_has_prefix(store, "https://");
    int dirfd = -1;
    int rc = 0;
    if (!lookaside_repo_ok(repo)) {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "'%.200s' is not a repository path for a lookaside store", repo);
    }
    if (!url) {
        dirfd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0) {
            return customs_error_set(err, errno == ENOENT ? CUSTOMS_ENOTFOUND : CUSTOMS_EIO,
                                     "signature store %s: %s", store, strerror(errno));
        }
    }
    size_t base = strlen(store);
    while (base > 0 && store[base - 1] == '/') {
        base--;
    }
    for (size_t d = 0; d < 2 && rc == 0; d++) {
        const char *digest = s->digests[d];
        if (!customs_digest_is_valid(digest) || (d == 1 && s->digests[0] != NULL &&
                                                 strcmp(digest, s->digests[0]) == 0)) {
            continue;
        }
        for (unsigned n = 1; n <= LOOKASIDE_MAX_SIGNATURES && rc == 0; n++) {
            char rel[512];
            char shown[CUSTOMS_SIG_NAME_MAX];
            uint8_t *data = NULL;
            size_t len = 0;
            if (customs_fmt(rel, sizeof(rel), "%s@sha256=%s/signature-%u", repo, digest + 7,
                            n) < 0 ||
                customs_fmt(shown, sizeof(shown), "%.*s/%s", (int)base, store, rel) < 0) {
                rc = customs_error_set(err, CUSTOMS_ELIMIT,
                                       "signature store %.200s: a signature path is too long",
                                       store);
                break;
            }
            rc = url ? customs_sig_fetch(&data, &len, shown, LOOKASIDE_FILE_MAX, err)
                     : customs_file_read_beneath(&data, &len, dirfd, rel, shown,
                                                 LOOKASIDE_FILE_MAX, err);
            if (rc == CUSTOMS_ENOTFOUND) {
                rc = 0; /* the end of this digest's signatures */
                customs_error_clear(err);
                break;
            }
            if (rc == CUSTOMS_ELIMIT || rc == CUSTOMS_EUNSUPPORTED) {
                customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_OPENPGP, shown, "%s",
                                 err->message);
                customs_error_clear(err);
                rc = 0;
                continue;
            }
            if (rc == 0) {
                rc = customs_sig_check_openpgp(r, v, s, shown, data, len, err);
            }
            customs_free(data);
        }
    }
    if (dirfd >= 0) {
        close(dirfd);
    }
    return rc;
}
