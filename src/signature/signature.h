/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SIGNATURE_SIGNATURE_H
#define CUSTOMS_SIGNATURE_SIGNATURE_H

/*
 * Image signatures: is there a valid signature, by one of the given keys, for this manifest
 * digest (and this name)?
 *
 * Two formats carry the same "simple signing" payload (critical.identity.docker-reference,
 * critical.image.docker-manifest-digest, critical.type; optional):
 *   - cosign, key-based: the payload is a layer of the manifest tagged "sha256-<hex>.sig", its
 *     signature (base64) in the layer's "dev.cosignproject.cosign/signature" annotation, verified
 *     with OpenSSL against PEM public keys (ECDSA P-256/384/521, Ed25519, RSA PKCS#1 v1.5 or PSS);
 *   - containers/image simple signing: an OpenPGP signed message whose content is the payload,
 *     found in a lookaside store as <repo>@sha256=<hex>/signature-<n>, verified with GPGME against
 *     the given OpenPGP keys only, imported into a GnuPG home directory the caller provides.
 *
 * A verifier (the keys) is built once and is read-only afterwards; OpenPGP verification uses a
 * GPGME context per call. Every signature found is judged and the result says which key verified
 * which digest, or the most telling reason none did.
 *
 * Basic outline:
 *   1. customs_sig_verifier_new(&v, gpg_home, &err); customs_sig_verifier_add_key(v, name, pem...)
 *   2. customs_sig_result_init(&res);
 *   3. customs_sig_verify_image(&res, v, &subject, img, lookaside, limits, &err)
 *      (or feed signatures found elsewhere: customs_sig_check_cosign / customs_sig_check_openpgp)
 *   4. res.status == CUSTOMS_SIG_VERIFIED ? res.key, res.digest : res.reason
 *   5. customs_sig_verifier_free(v)
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "customs/limits.h"
#include "customs/registry.h"

struct customs_image;

/* What verifying found, from nothing to success; a result keeps the furthest any signature got. */
enum customs_sig_status {
    CUSTOMS_SIG_UNSIGNED = 0,    /* no signature found for the image */
    CUSTOMS_SIG_MALFORMED,       /* a signature or its payload could not be read */
    CUSTOMS_SIG_WRONG_KEY,       /* signed, but by none of the given keys */
    CUSTOMS_SIG_BAD_SIGNATURE,   /* it does not verify: the payload or the signature altered */
    CUSTOMS_SIG_OTHER_DIGEST,    /* a valid signature by a given key, for another image */
    CUSTOMS_SIG_WRONG_IDENTITY,  /* a valid signature for this image, under another name */
    CUSTOMS_SIG_VERIFIED,        /* a valid signature for this digest by a given key */
};

enum customs_sig_format {
    CUSTOMS_SIG_COSIGN,  /* cosign, key-based */
    CUSTOMS_SIG_OPENPGP, /* containers/image simple signing with OpenPGP */
};

#define CUSTOMS_SIG_NAME_MAX 512

struct customs_sig_result {
    enum customs_sig_status status;
    enum customs_sig_format format;       /* of the signature that got furthest */
    char key[CUSTOMS_SIG_NAME_MAX];       /* VERIFIED: the name of the key that verified it */
    char fingerprint[128];                /* VERIFIED: that key's fingerprint (formats/pubkey.h:
                                             "sha256:<hex>" of a PEM key's DER, the OpenPGP
                                             primary key's upper-case hex) */
    char digest[CUSTOMS_DIGEST_MAX];      /* VERIFIED: the manifest digest it is for */
    char identity[CUSTOMS_SIG_NAME_MAX];  /* VERIFIED: the signed docker-reference */
    char source[CUSTOMS_SIG_NAME_MAX];    /* where that signature was found */
    char reason[CUSTOMS_ERROR_MESSAGE_MAX]; /* otherwise: why none verified */
    size_t found;                         /* signatures considered */
    char image_digest[CUSTOMS_DIGEST_MAX]; /* customs_sig_verify_target: the manifest digest of
                                             the image it judged (whatever the outcome) */
};

/* What the signature must be for. */
struct customs_sig_subject {
    const char *digests[2]; /* the manifest digest and, for a multi-platform image, the index's
                             * (a signature for either is for this image); NULL/"" unused */
    const char *identity;   /* the expected name (HOST/REPO[:TAG]); NULL: not checked, only
                             * reported (an OCI layout has no name) */
};

/* ---- the payload ---- */

struct customs_sig_payload {
    char type[64];                   /* critical.type */
    char digest[CUSTOMS_DIGEST_MAX]; /* critical.image.docker-manifest-digest */
    char reference[CUSTOMS_SIG_NAME_MAX]; /* critical.identity.docker-reference */
};

#define CUSTOMS_SIG_PAYLOAD_MAX ((size_t)1 << 20)

/**
 * Parse a simple-signing payload strictly: a JSON object of "critical" and "optional" only
 * (duplicate keys refused), critical holding exactly identity.docker-reference, image.docker-
 * manifest-digest (sha256) and type. `name` names it in messages.
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT (over CUSTOMS_SIG_PAYLOAD_MAX)
 */
CUSTOMS_MUST_USE
int customs_sig_payload_parse(struct customs_sig_payload *out, const char *name, const void *data,
                              size_t len, struct customs_error *err);

/** Does the signed docker-reference name the image `expected` names? Registries and
 * repositories are compared normalised (docker.io, index.docker.io and library/ as Docker
 * reads them); tags must be equal when both carry one (a signature naming only the repository
 * is for any tag of it, as cosign signs). */
bool customs_sig_identity_matches(const char *signed_ref, const char *expected);

/** The repository path of `ref` without its registry, tag or digest ("library/nginx"), as the
 * lookaside layout names directories; false if `ref` is not a reference. */
CUSTOMS_MUST_USE bool customs_sig_repo_path(char *out, size_t outsz, const char *ref);

/* ---- keys ---- */

struct customs_sig_verifier;

/**
 * A verifier without keys. `gpg_home`: an empty private directory (0700) that GPGME may use
 * as the GnuPG home for the OpenPGP keys, or NULL (OpenPGP keys are then refused).
 * @return 0 (free with customs_sig_verifier_free), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_sig_verifier_new(struct customs_sig_verifier **out, const char *gpg_home,
                             struct customs_error *err);
void customs_sig_verifier_free(struct customs_sig_verifier *v);

/**
 * Add a public key: a PEM "PUBLIC KEY" (cosign) or an ASCII-armored OpenPGP public key block,
 * detected. `name` (copied) is what results call it: the file the user named.
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_EUNSUPPORTED (a key type or curve not supported, an
 *         OpenPGP key without gpg_home), CUSTOMS_EIO (GnuPG failed), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_sig_verifier_add_key(struct customs_sig_verifier *v, const char *name,
                                 const void *data, size_t len, struct customs_error *err);
size_t customs_sig_verifier_count(const struct customs_sig_verifier *v,
                                  enum customs_sig_format format);

/* ---- judging signatures ---- */

void customs_sig_result_init(struct customs_sig_result *r);

/**
 * Judge one cosign signature: `payload` (the layer blob) signed as `sig_b64` (the annotation)
 * and fold the outcome into `r`. `source` names where it was found. Never fails: what is wrong
 * with the signature is the outcome.
 */
void customs_sig_check_cosign(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const struct customs_sig_subject *s, const char *source,
                              const void *payload, size_t len, const char *sig_b64);

/**
 * Judge one OpenPGP signed message (a lookaside "signature-N" file) and fold the outcome into
 * `r`. @return 0, or CUSTOMS_EIO / CUSTOMS_ENOMEM when GnuPG itself could not run (r untouched)
 */
CUSTOMS_MUST_USE
int customs_sig_check_openpgp(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const struct customs_sig_subject *s, const char *source,
                              const void *msg, size_t len, struct customs_error *err);

/* ---- where signatures are found ---- */

/**
 * The cosign signatures stored in the OCI layout `img` was opened from: the index.json entries
 * tagged "sha256-<hex>.sig" for the subject's digests (or marked as signatures by cosign's
 * "kind" annotation), each layer a payload.
 * @return 0 (judged into r), or a code with `err` set when the layout could not be read
 */
CUSTOMS_MUST_USE
int customs_sig_from_layout(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                            const struct customs_sig_subject *s, const struct customs_image *img,
                            const struct customs_limits *limits, struct customs_error *err);

/**
 * The OpenPGP signatures in a lookaside store: `store` is a directory or an http(s) URL holding
 * <repo>@sha256=<hex>/signature-<n> (n = 1, 2, ... until one is missing) for each subject
 * digest; `repo` is the repository path ("library/nginx", see customs_sig_repo_path).
 * A directory is read beneath itself without following symlinks, regular files only, each at
 * most 64 KiB; a URL is fetched with libcurl (TLS verified, bounded in time and size).
 * @return 0 (judged into r), or a code with `err` set when the store could not be read
 */
CUSTOMS_MUST_USE
int customs_sig_from_lookaside(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                               const struct customs_sig_subject *s, const char *store,
                               const char *repo, struct customs_error *err);

/**
 * The cosign signatures in the registry `host` ("registry.internal:5000", "docker.io"): the
 * manifest tagged "sha256-<hex>.sig" in `repo` for each subject digest, each layer a payload
 * fetched by digest. `opts` as for customs_registry_new; with a mirror for `host`, the
 * registry itself is asked too when the mirror's signatures do not verify.
 * @return 0 (judged into r; no such tag is no signature), or a code with `err` set when the
 *         registry could not be read (EIO, ETIMEOUT, ENOMEM)
 */
CUSTOMS_MUST_USE
int customs_sig_from_registry(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const struct customs_sig_subject *s, const char *host,
                              const char *repo, const struct customs_registry_options *opts,
                              const struct customs_limits *limits, struct customs_error *err);

/**
 * Verify the signatures of the image `target` names (an OCI layout or a docker-archive, as
 * customs_image_open reads them, or an image reference, read from its registry with
 * `registry`; `platform` as there): cosign signatures stored in an OCI layout or, for a
 * reference, under the registry's "sha256-<hex>.sig" tags (unless `lookaside` is given), and
 * OpenPGP signatures in the lookaside store `lookaside` (NULL: none) under the repository of
 * `identity` (or of the reference). `identity` (NULL: not checked) is the name the signature
 * must be for. The subject digests (manifest, and the index above it) are written to r->digest
 * when no signature verified, so messages can name them; r->image_digest is the manifest's.
 * @return 0 (judged into r), or a code with `err` set when the image or a store could not be read
 */
CUSTOMS_MUST_USE
int customs_sig_verify_target(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const char *target, const char *platform, const char *identity,
                              const char *lookaside, const struct customs_registry_options *registry,
                              const struct customs_limits *limits, struct customs_error *err);

/** A one-line description of a status ("unsigned", "wrong key", ...). */
const char *customs_sig_status_name(enum customs_sig_status status);

#endif /* CUSTOMS_SIGNATURE_SIGNATURE_H */
