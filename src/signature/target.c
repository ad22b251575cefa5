/* SPDX-License-Identifier: Apache-2.0 */
/* Verifying a target's signatures: open the image for its digests, then look where its
 * signatures may be. */
#include <string.h>

#include "image/image.h"
#include "registry/registry.h"
#include "signature/internal.h"

#include "core/banned.h"

int customs_sig_verify_target(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const char *target, const char *platform, const char *identity,
                              const char *lookaside, const struct customs_registry_options *registry,
                              const struct customs_limits *limits, struct customs_error *err)
{
    struct customs_image *img = NULL;
    struct customs_registry_ref ref;
    char repo[CUSTOMS_SIG_NAME_MAX];
    bool remote = customs_registry_is_reference(target);
    int rc;
    if (remote) {
        const char *bare = customs_str_has_prefix(target, "registry:") ? target + 9 : target;
        rc = customs_registry_ref_parse(&ref, bare, strlen(bare), err);
        if (rc == 0) {
            rc = customs_registry_image_open(&img, bare, platform, registry, limits, err);
        }
    } else {
        rc = customs_image_open(&img, target, platform, limits, err);
    }
    if (rc < 0) {
        return rc;
    }
    if (!customs_digest_is_valid(img->manifest_digest)) {
        customs_image_free(img);
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: no manifest digest to verify a signature for (a %s)",
                                 target, customs_source_kind_name(img->kind));
    }
    snprintf(r->image_digest, sizeof(r->image_digest), "%s", img->manifest_digest);
    struct customs_sig_subject s = {
        .digests = {img->manifest_digest,
                    strcmp(img->top_digest, img->manifest_digest) != 0 ? img->top_digest : NULL},
        .identity = identity,
    };
    if (remote && lookaside == NULL) {
        rc = customs_sig_from_registry(r, v, &s, ref.host, ref.repo, registry, limits, err);
    } else {
        rc = customs_sig_from_layout(r, v, &s, img, limits, err);
    }
    if (rc == 0 && lookaside != NULL) {
        if (remote && identity == NULL) {
            snprintf(repo, sizeof(repo), "%s", ref.repo);
            rc = 0;
        } else if (identity == NULL || !customs_sig_repo_path(repo, sizeof(repo), identity)) {
            rc = customs_error_set(err, CUSTOMS_EINVAL,
                                   "a lookaside signature store is laid out by repository: the "
                                   "image's name is needed (%s)",
                                   identity == NULL ? "none given" : "not an image name");
        }
        if (rc == 0) {
            rc = customs_sig_from_lookaside(r, v, &s, lookaside, repo, err);
        }
    }
    if (rc == 0 && r->status != CUSTOMS_SIG_VERIFIED) {
        snprintf(r->digest, sizeof(r->digest), "%s", img->manifest_digest);
    }
    customs_image_free(img);
    return rc;
}
