/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cosign signatures stored in the image's registry: the manifest tagged "sha256-<hex>.sig" in
 * the image's repository, for each subject digest, each layer a simple-signing payload fetched
 * by its digest (verified by the client) with its signature in the layer's annotation. With a
 * mirror, the mirror's and the registry's signatures are both judged.
 */
#include <string.h>

#include "registry/registry.h"
#include "signature/internal.h"

#include "core/banned.h"

struct registry_fetch {
    struct customs_registry *reg;
    const char *repo;
};

static int registry_fetch(void *ctx, const char *digest, uint64_t size, uint8_t **data,
                          size_t *len, struct customs_error *err)
{
    const struct registry_fetch *f = ctx;
    return customs_registry_blob_get(data, len, f->reg, f->repo, digest, size, err);
}

/* The signatures one client (a mirror's or the registry's) holds for the subject. */
static int registry_one(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                        const struct customs_sig_subject *s, struct customs_registry *reg,
                        const char *repo, const struct customs_limits *limits,
                        struct customs_error *err)
{
    for (size_t d = 0; d < 2; d++) {
        const char *digest = s->digests[d];
        char tag[CUSTOMS_DIGEST_MAX + 8];
        char source[CUSTOMS_SIG_NAME_MAX];
        struct customs_registry_manifest m;
        if (!customs_digest_is_valid(digest) ||
            (d == 1 && s->digests[0] != NULL && strcmp(digest, s->digests[0]) == 0)) {
            continue;
        }
        snprintf(tag, sizeof(tag), "sha256-%s.sig", digest + 7);
        snprintf(source, sizeof(source), "%s/v2/%s/manifests/%s",
                 customs_registry_base_url(reg), repo, tag);
        int rc = customs_registry_manifest_get(&m, reg, repo, tag, 0, err);
        if (rc == CUSTOMS_ENOTFOUND) {
            customs_error_clear(err); /* no signature for this digest here */
            continue;
        }
        if (rc == CUSTOMS_EUNSUPPORTED || rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_ELIMIT) {
            customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, source, "%s",
                             err->message);
            customs_error_clear(err);
            continue;
        }
        if (rc < 0) {
            return rc;
        }
        struct registry_fetch f = {.reg = reg, .repo = repo};
        rc = customs_sig_cosign_manifest(r, v, s, source, m.data, m.len, registry_fetch, &f,
                                         limits, err);
        customs_registry_manifest_release(&m);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int customs_sig_from_registry(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const struct customs_sig_subject *s, const char *host,
                              const char *repo, const struct customs_registry_options *opts,
                              const struct customs_limits *limits, struct customs_error *err)
{
    struct customs_registry *reg = NULL;
    int rc = customs_registry_new(&reg, host, opts, limits, err);
    if (rc == 0) {
        rc = registry_one(r, v, s, reg, repo, limits, err);
    }
    bool mirrored = reg != NULL && customs_registry_is_mirrored(reg);
    customs_registry_free(reg);
    reg = NULL;
    if (mirrored && r->status != CUSTOMS_SIG_VERIFIED) {
        /* the mirror may lack the signatures or be out of reach: the registry's own count */
        struct customs_registry_options direct = *opts;
        direct.mirrors = NULL;
        customs_error_clear(err);
        rc = customs_registry_new(&reg, host, &direct, limits, err);
        if (rc == 0) {
            rc = registry_one(r, v, s, reg, repo, limits, err);
        }
        customs_registry_free(reg);
    }
    return rc;
}
