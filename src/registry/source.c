/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The registry as an image source: a reference's manifest or index is fetched here, and
 * src/image walks it (platforms, config, diff_ids) through struct customs_image_remote, with
 * every further document and every layer fetched by digest from the same repository. Behind a
 * mirror, each of them is asked of the mirror first and of the registry itself when the mirror
 * lacks it or cannot be reached (bytes that do not verify are an error, never a fallback).
 */
#include <string.h>

#include "registry/registry.h"

#include "core/banned.h"

struct remote {
    struct customs_registry *reg;    /* the mirror's client when mirrored, else the registry's */
    struct customs_registry *origin; /* behind a mirror: the registry's own client, else NULL */
    char repo[CUSTOMS_REGISTRY_REPO_MAX];
    struct customs_registry_manifest top; /* handed out again when asked for by digest */
};

/* Did the mirror fail in a way that sends the request to the registry itself: no such
 * document or blob (404), or no usable answer (connection, TLS, 401/403, 5xx after the
 * retries)? A mirror's bytes that do not verify are EMALFORMED: an error, not a fallback. */
static bool remote_falls_back(const struct remote *rm, int r)
{
    return rm->origin != NULL && (r == CUSTOMS_ENOTFOUND || r == CUSTOMS_EIO);
}

/* After the mirror failed with `err`: tell both failures when the registry failed too. */
static void remote_both_failed(struct customs_error *err, const char *mirror_error)
{
    customs_error_prefix(err, "the mirror failed (%.300s), and so did the registry",
                         mirror_error);
}

/* One document by digest: a config (a blob) or a manifest, from `reg`. */
static int remote_fetch_from(struct customs_registry *reg, const char *repo, const char *what,
                             const char *digest, uint64_t max, uint8_t **data, size_t *len,
                             struct customs_error *err)
{
    if (strcmp(what, "config") == 0) {
        return customs_registry_blob_get(data, len, reg, repo, digest, max, err);
    }
    struct customs_registry_manifest m;
    int r = customs_registry_manifest_get(&m, reg, repo, digest, 0, err);
    if (r < 0) {
        return r;
    }
    *data = m.data;
    *len = m.len;
    return 0;
}

static int remote_fetch(void *ctx, const char *what, const char *digest, uint64_t max,
                        uint8_t **data, size_t *len, struct customs_error *err)
{
    struct remote *rm = ctx;
    *data = NULL;
    *len = 0;
    if (rm->top.data != NULL && strcmp(digest, rm->top.digest) == 0) {
        *data = customs_malloc(rm->top.len + 1);
        if (*data == NULL) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
        memcpy(*data, rm->top.data, rm->top.len);
        *len = rm->top.len;
        return 0;
    }
    int r = remote_fetch_from(rm->reg, rm->repo, what, digest, max, data, len, err);
    if (remote_falls_back(rm, r)) {
        char mirror_error[CUSTOMS_ERROR_MESSAGE_MAX];
        snprintf(mirror_error, sizeof(mirror_error), "%s", err != NULL ? err->message : "");
        customs_error_clear(err);
        r = remote_fetch_from(rm->origin, rm->repo, what, digest, max, data, len, err);
        if (r < 0) {
            remote_both_failed(err, mirror_error);
        }
    }
    return r;
}

/* A layer: opened at the mirror, or at the registry when the mirror lacks it or cannot be
 * reached when it is opened (a transfer that fails later is an error). */
static int remote_open_blob(void *ctx, struct customs_blob_stream *out, const char *digest,
                            uint64_t size, struct customs_error *err)
{
    struct remote *rm = ctx;
    int r = customs_registry_blob_open(out, rm->reg, rm->repo, digest, size, err);
    if (remote_falls_back(rm, r)) {
        char mirror_error[CUSTOMS_ERROR_MESSAGE_MAX];
        snprintf(mirror_error, sizeof(mirror_error), "%s", err != NULL ? err->message : "");
        customs_error_clear(err);
        r = customs_registry_blob_open(out, rm->origin, rm->repo, digest, size, err);
        if (r < 0) {
            remote_both_failed(err, mirror_error);
        }
    }
    return r;
}

static void remote_release(void *ctx)
{
    struct remote *rm = ctx;
    if (rm == NULL) {
        return;
    }
    customs_registry_manifest_release(&rm->top);
    customs_registry_free(rm->reg);
    customs_registry_free(rm->origin);
    customs_free(rm);
}

static const struct customs_image_remote remote_ops = {
    .fetch = remote_fetch,
    .open_blob = remote_open_blob,
    .release = remote_release,
};

/* Replace rm's client (a mirror's, which failed with `code` and `err`) by one for the registry
 * `host` itself, given the time left, and fetch `reference` there; both failures are told
 * when it fails too. */
static int mirror_fallback(struct remote *rm, const char *host, const char *reference,
                           int code, const struct customs_registry_options *opts,
                           const struct customs_limits *limits, struct customs_error *err)
{
    char mirror_error[CUSTOMS_ERROR_MESSAGE_MAX];
    struct customs_registry_options direct = *opts;
    uint32_t left = customs_registry_seconds_left(rm->reg);
    if (left == 0) {
        return code; /* no time left for the registry itself */
    }
    snprintf(mirror_error, sizeof(mirror_error), "%s", err != NULL ? err->message : "");
    customs_error_clear(err);
    customs_registry_free(rm->reg);
    rm->reg = NULL;
    direct.mirrors = NULL;
    direct.timeout_seconds = left; /* one --timeout for the mirror and the registry together */
    int r = customs_registry_new(&rm->reg, host, &direct, limits, err);
    if (r == 0) {
        r = customs_registry_manifest_get(&rm->top, rm->reg, rm->repo, reference, 0, err);
    }
    if (r < 0) {
        remote_both_failed(err, mirror_error);
    }
    return r;
}

/* Behind a mirror that served the top manifest: a client for the registry itself, for what the
 * mirror lacks later (one --timeout for both: what is left of it). */
static int remote_origin_new(struct remote *rm, const char *host,
                             const struct customs_registry_options *opts,
                             const struct customs_limits *limits, struct customs_error *err)
{
    struct customs_registry_options direct = *opts;
    uint32_t left = customs_registry_seconds_left(rm->reg);
    if (left == 0) {
        return 0; /* no time left: the mirror alone */
    }
    direct.mirrors = NULL;
    direct.timeout_seconds = left;
    return customs_registry_new(&rm->origin, host, &direct, limits, err);
}

int customs_registry_image_open(struct customs_image **out, const char *ref, const char *platform,
                                const struct customs_registry_options *opts,
                                const struct customs_limits *limits, struct customs_error *err)
{
    struct customs_registry_ref parsed;
    struct remote *rm = NULL;
    char name[CUSTOMS_REGISTRY_HOST_MAX + CUSTOMS_REGISTRY_REPO_MAX + CUSTOMS_DIGEST_MAX + 8];
    int r;
    *out = NULL;
    if (customs_str_has_prefix(ref, "registry:")) {
        ref += 9;
    }
    r = customs_registry_ref_parse(&parsed, ref, strlen(ref), err);
    if (r < 0) {
        return r;
    }
    rm = customs_calloc(1, sizeof(*rm));
    if (rm == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    memcpy(rm->repo, parsed.repo, sizeof(rm->repo));
    const char *reference = parsed.digest[0] != '\0' ? parsed.digest : parsed.tag;
    r = customs_registry_new(&rm->reg, parsed.host, opts, limits, err);
    if (r == 0) {
        r = customs_registry_manifest_get(&rm->top, rm->reg, parsed.repo, reference, 0, err);
    }
    if ((r == CUSTOMS_ENOTFOUND || r == CUSTOMS_EIO) && customs_registry_is_mirrored(rm->reg)) {
        /* the mirror has no such image or cannot be reached: the registry itself (a mirror
         * whose answer does not verify is an error, not a reason to look elsewhere) */
        r = mirror_fallback(rm, parsed.host, reference, r, opts, limits, err);
    } else if (r == 0 && customs_registry_is_mirrored(rm->reg)) {
        r = remote_origin_new(rm, parsed.host, opts, limits, err);
    }
    if (r < 0) {
        remote_release(rm);
        return r;
    }
    customs_registry_ref_format(name, sizeof(name), &parsed);
    return customs_image_open_remote(out, name, &remote_ops, rm, rm->top.data, rm->top.len,
                                     rm->top.media_type, rm->top.digest, platform, limits, err);
}
