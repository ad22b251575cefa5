/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_FORMATS_PUBKEY_H
#define CUSTOMS_FORMATS_PUBKEY_H

/*
 * The fingerprints of the public keys in a key file, so that a key named in a policy and the
 * key that verified a signature recorded in the verdict store can be compared without the file:
 *   - a PEM "PUBLIC KEY" (cosign): "sha256:" + the hex SHA-256 of its DER SubjectPublicKeyInfo
 *     (as OpenSSL re-encodes it, so the line breaks of the PEM do not matter);
 *   - an ASCII-armored OpenPGP public key block: the fingerprint of each primary key in it,
 *     upper-case hex as GnuPG prints it (v4: SHA-1 over 0x99, the 2-byte length and the key
 *     packet's body; v5 and v6: SHA-256 with 0x9A / 0x9B and a 4-byte length). Subkeys,
 *     user ids and signatures are skipped (a signature by a subkey is the primary key's).
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

#define CUSTOMS_PUBKEY_FPR_MAX 72 /* "sha256:" + 64 hex + NUL, or 64 hex + NUL */
#define CUSTOMS_PUBKEY_MAX_KEYS 16 /* primary keys read from one OpenPGP block */

enum customs_pubkey_kind {
    CUSTOMS_PUBKEY_PEM,     /* cosign */
    CUSTOMS_PUBKEY_OPENPGP, /* containers/image simple signing */
};

struct customs_pubkey_fprs {
    enum customs_pubkey_kind kind;
    size_t n;
    char fpr[CUSTOMS_PUBKEY_MAX_KEYS][CUSTOMS_PUBKEY_FPR_MAX];
};

/**
 * The fingerprints of the key file `data` (`len` bytes) named `name` in messages: a PEM public
 * key or an armored OpenPGP public key block, told apart by their BEGIN lines.
 * @return 0 (out->n >= 1), CUSTOMS_EMALFORMED (not a public key, a bad armor or packet, with
 *         the position), CUSTOMS_EUNSUPPORTED (an OpenPGP key version other than 4, 5, 6),
 *         CUSTOMS_ELIMIT (more than CUSTOMS_PUBKEY_MAX_KEYS keys), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_pubkey_fingerprints(struct customs_pubkey_fprs *out, const char *name,
                                const void *data, size_t len, struct customs_error *err);

/** A PEM "PUBLIC KEY" (SubjectPublicKeyInfo) read by OpenSSL: *evp_pkey an EVP_PKEY * the
 * caller frees with EVP_PKEY_free. @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_pubkey_pem_read(void **evp_pkey, const char *name, const void *data,
                                             size_t len, struct customs_error *err);

/** Does the text `data` start (after blank space) with `marker` (a BEGIN line)? */
bool customs_pubkey_starts_with(const void *data, size_t len, const char *marker);

/** The fingerprint of a PEM public key already parsed by OpenSSL (an EVP_PKEY *), into out.
 * @return 0, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_pubkey_pem_fingerprint(char out[CUSTOMS_PUBKEY_FPR_MAX],
                                                    const void *evp_pkey);

#endif /* CUSTOMS_FORMATS_PUBKEY_H */
