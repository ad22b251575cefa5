/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_GATE_GATE_H
#define CUSTOMS_GATE_GATE_H

/*
 * The vetted-registry gate: what `customs registry` decides, apart from its sockets.
 *
 * The gate is a reverse proxy in front of an upstream registry. Every request path is parsed
 * strictly into a route (customs_gate_route_parse): anything that is not a well-formed
 * Distribution API path is refused before it reaches the upstream. A manifest fetched for a
 * client is served only when the verdict recorded for its digest passes the policy
 * (customs_gate_judge); a manifest pushed through the gate is forwarded, then its image is
 * scanned from the upstream, judged and recorded (customs_gate_record). Blobs and uploads pass
 * through untouched: an image whose manifest cannot be fetched cannot be run.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/core.h"
#include "model/verdict.h"
#include "policy/policy.h"

struct customs_store;
struct customs_scan_options;
struct customs_sig_result;

/* Longest repository name the Distribution spec lets registries accept, and the longest
 * reference (a tag is at most 128 characters; a digest "sha512:" + 128 hex). */
#define CUSTOMS_GATE_NAME_MAX 256
#define CUSTOMS_GATE_REF_MAX 160

enum customs_gate_route_kind {
    CUSTOMS_GATE_OUTSIDE,   /* not under /v2/: the gate's own endpoints (/healthz, /readyz) */
    CUSTOMS_GATE_INVALID,   /* under /v2/ but not a path of the API: refused (400) */
    CUSTOMS_GATE_BASE,      /* /v2/ */
    CUSTOMS_GATE_CATALOG,   /* /v2/_catalog */
    CUSTOMS_GATE_MANIFEST,  /* /v2/<name>/manifests/<tag or digest> */
    CUSTOMS_GATE_BLOB,      /* /v2/<name>/blobs/<digest> */
    CUSTOMS_GATE_UPLOAD,    /* /v2/<name>/blobs/uploads/ and /v2/<name>/blobs/uploads/<id> */
    CUSTOMS_GATE_TAGS,      /* /v2/<name>/tags/list */
    CUSTOMS_GATE_REFERRERS, /* /v2/<name>/referrers/<digest> */
};

struct customs_gate_route {
    enum customs_gate_route_kind kind;
    char name[CUSTOMS_GATE_NAME_MAX];     /* repository, for routes that have one */
    char reference[CUSTOMS_GATE_REF_MAX]; /* tag, digest or upload id; "" when none */
    bool by_digest;                       /* reference is a digest */
};

/**
 * Parse the path of a request (no query string) into `out`. Names follow the Distribution
 * spec's grammar (lower-case components joined by '/', separators '.', '_', '__', '-'), tags
 * `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, digests `sha256:<64 hex>` or `sha512:<128 hex>` (lower
 * case); so no name can carry "..", '%', a control character or an empty component.
 * Never fails: a malformed API path is CUSTOMS_GATE_INVALID.
 */
void customs_gate_route_parse(struct customs_gate_route *out, const char *path);

/** "manifest", "blob", ... for logs. */
const char *customs_gate_route_name(enum customs_gate_route_kind kind);

enum customs_gate_manifest_kind {
    CUSTOMS_GATE_MANIFEST_IMAGE,  /* an OCI image manifest or Docker v2 schema 2: judged */
    CUSTOMS_GATE_MANIFEST_INDEX,  /* an OCI index or Docker manifest list: served; every image
                                   * it names is judged when fetched */
    CUSTOMS_GATE_MANIFEST_OTHER,  /* anything else (schema 1, an artifact): judged as an image,
                                   * so unknown unless recorded */
};

/**
 * What a manifest is, from its own mediaType (and schemaVersion), else the Content-Type the
 * upstream gave (`content_type`, may be NULL). A body that is not a JSON object is OTHER.
 */
enum customs_gate_manifest_kind customs_gate_manifest_kind(const void *body, size_t len,
                                                           const char *content_type);

/* The names an image is asked for by through the gate: its repository and tag (or digest)
 * under the gate's own host (as the client addressed it) and under the upstream's, which a
 * signed identity must name (customs_policy_judge_image_as). */
#define CUSTOMS_GATE_HOST_MAX 256
struct customs_gate_names {
    char buf[2][CUSTOMS_GATE_HOST_MAX + CUSTOMS_GATE_NAME_MAX + CUSTOMS_GATE_REF_MAX + 3];
    const char *names[3]; /* NULL-terminated */
};

/**
 * Fill `out` with "HOST/NAME:TAG" (or "HOST/NAME@DIGEST" when `by_digest`) for each of the
 * hosts `gate_host` and `upstream_host`; a host that is NULL, empty, too long or not plain
 * host[:port] characters is left out, and so is a repeat.
 */
void customs_gate_names_init(struct customs_gate_names *out, const char *gate_host,
                             const char *upstream_host, const char *name, const char *reference,
                             bool by_digest);

/**
 * Judge the image whose manifest digest is `digest` for a pull: the record `lookup` finds for
 * `ref` ("<name>@<digest>") judged with the policy's top-level rules
 * (customs_policy_judge_image_as, `asked` the names it is pulled by; NULL: none): no record is
 * images.unknown. Reasons go into `v`.
 * @return 0, CUSTOMS_ENOMEM, or the lookup's error (the caller refuses: fail closed)
 */
CUSTOMS_MUST_USE
int customs_gate_judge(struct customs_verdict *v, const struct customs_policy *p,
                       customs_policy_lookup_fn lookup, void *payload, const char *name,
                       const char *digest, const char *const *asked, time_t now,
                       struct customs_error *err);

/**
 * A Distribution-spec error body: {"errors":[{"code":CODE,"message":MESSAGE,"detail":D}]}, D
 * the verdict as JSON (customs_verdict_to_json) when `v` is not NULL. MESSAGE, when NULL, is
 * made from the verdict's denying reasons ("customs: denied: R1; R2"). The body is allocated
 * (customs_free), its length in *len; NULL on OOM.
 */
CUSTOMS_MUST_USE char *customs_gate_error_body(const char *code, const char *message,
                                               const struct customs_verdict *v, size_t *len);

/**
 * Scan the image `target` (a registry reference the scan can open, normally the upstream's
 * "registry:HOST/NAME@DIGEST"), judge it with the policy's top-level rules into `v`, and record
 * it in `store` under `names` (NULL-terminated extra reference names, may be NULL). `sig` (may
 * be NULL) is the outcome of verifying the image's signatures before the scan: when verified
 * for the very manifest scanned, the signature is judged (its signed identity against `asked`,
 * as customs_gate_judge) and recorded with the image.
 * @return 0, or the scan's, the judge's or the store's error (nothing recorded then)
 */
CUSTOMS_MUST_USE
int customs_gate_record(struct customs_verdict *v, struct customs_store *store,
                        const struct customs_policy *p, const struct customs_scan_options *opts,
                        const char *target, const char *const *names,
                        const char *const *asked, const struct customs_sig_result *sig,
                        time_t now, struct customs_error *err);

#endif /* CUSTOMS_GATE_GATE_H */
