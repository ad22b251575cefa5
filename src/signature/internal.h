/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SIGNATURE_INTERNAL_H
#define CUSTOMS_SIGNATURE_INTERNAL_H

/*
 * The verifier is two key lists: PEM public keys as OpenSSL EVP_PKEYs, and OpenPGP keys by the
 * fingerprint of their primary key, imported into the caller's GnuPG home. Each signature's
 * outcome is folded into the result, which keeps the outcome that got furthest.
 */

#include "signature/signature.h"

#define CUSTOMS_SIG_FPR_MAX 128

struct sig_pem_key {
    char *name;
    void *pkey; /* EVP_PKEY */
    char fpr[CUSTOMS_SIG_FPR_MAX]; /* "sha256:" + hex of the DER SubjectPublicKeyInfo */
};

struct sig_pgp_key {
    char *name;
    char fpr[CUSTOMS_SIG_FPR_MAX]; /* primary key fingerprint, upper-case hex */
};

struct customs_sig_verifier {
    char *gpg_home;
    struct customs_vec pem; /* struct sig_pem_key */
    struct customs_vec pgp; /* struct sig_pgp_key */
};

/** Fold one signature's outcome into `r` (kept if it got further than what `r` holds). */
void customs_sig_fold(struct customs_sig_result *r, enum customs_sig_status status,
                      enum customs_sig_format format, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** The checks after the cryptography: a verified payload by `key` (its fingerprint `fpr`), for
 * the subject? */
void customs_sig_judge_payload(struct customs_sig_result *r, const struct customs_sig_subject *s,
                               enum customs_sig_format format, const char *source,
                               const char *key, const char *fpr, const void *payload,
                               size_t len);

/** Fetch a signature payload blob `digest` of at most `size` bytes, verified against its
 * digest (CUSTOMS_EMALFORMED when it does not hash to it, CUSTOMS_ELIMIT past `size`). */
typedef int (*customs_sig_fetch_fn)(void *ctx, const char *digest, uint64_t size,
                                    uint8_t **data, size_t *len, struct customs_error *err);

/**
 * Judge every layer of a cosign signature manifest (`doc`, fetched as `source`): each layer a
 * payload fetched with `fetch` and its "dev.cosignproject.cosign/signature" annotation.
 * @return 0 (judged into r), or the error that stopped reading (EIO, ETIMEOUT, ENOMEM)
 */
CUSTOMS_MUST_USE
int customs_sig_cosign_manifest(struct customs_sig_result *r,
                                const struct customs_sig_verifier *v,
                                const struct customs_sig_subject *s, const char *source,
                                const uint8_t *doc, size_t doc_len, customs_sig_fetch_fn fetch,
                                void *ctx, const struct customs_limits *limits,
                                struct customs_error *err);

/** A GPGME context (gpgme_ctx_t) on the GnuPG home `home`, OpenPGP, offline, no pinentry. */
CUSTOMS_MUST_USE
int customs_sig_gpgme_context(void **out, const char *home, struct customs_error *err);

/** Fetch `url` (http or https) into *out (at most `max` bytes); CUSTOMS_ENOTFOUND on 404. */
CUSTOMS_MUST_USE int customs_sig_fetch(uint8_t **out, size_t *len, const char *url, size_t max,
                                       struct customs_error *err);

#endif /* CUSTOMS_SIGNATURE_INTERNAL_H */
