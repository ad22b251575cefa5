/* SPDX-License-Identifier: Apache-2.0 */
/* cosign's key-based signatures: a base64 signature over the payload bytes, checked with
 * OpenSSL against each PEM public key (ECDSA with the curve's hash, Ed25519, RSA PKCS#1 v1.5
 * or PSS with SHA-256). */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <string.h>

#include "signature/internal.h"

#include "core/banned.h"

#define COSIGN_SIG_MAX 2048 /* decoded: an RSA-8192 signature is 1024 bytes */

/* The digest cosign uses with an ECDSA key: the curve's size. */
static const EVP_MD *cosign_ec_md(EVP_PKEY *pkey)
{
    int bits = EVP_PKEY_get_bits(pkey);
    return bits > 384 ? EVP_sha512() : bits > 256 ? EVP_sha384() : EVP_sha256();
}

/* One verification; true when the signature verifies. `pss` for RSA. */
static bool cosign_verify_one(EVP_PKEY *pkey, bool pss, const void *payload, size_t len,
                              const uint8_t *sig, size_t siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    bool ok = false;
    int id = EVP_PKEY_get_base_id(pkey);
    const EVP_MD *digest = id == EVP_PKEY_ED25519 ? NULL
                           : id == EVP_PKEY_EC    ? cosign_ec_md(pkey)
                                                  : EVP_sha256();
    if (md == NULL || EVP_DigestVerifyInit(md, &pctx, digest, NULL, pkey) != 1) {
        EVP_MD_CTX_free(md);
        return false;
    }
    if (id == EVP_PKEY_RSA) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING
                                                   : RSA_PKCS1_PADDING) != 1 ||
            (pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
            EVP_MD_CTX_free(md);
            return false;
        }
    }
    ok = EVP_DigestVerify(md, sig, siglen, payload, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

void customs_sig_check_cosign(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const struct customs_sig_subject *s, const char *source,
                              const void *payload, size_t len, const char *sig_b64)
{
    uint8_t sig[COSIGN_SIG_MAX];
    long siglen = sig_b64 != NULL && strlen(sig_b64) <= COSIGN_SIG_MAX * 4 / 3 + 4
                      ? customs_base64_decode(sig, sizeof(sig), sig_b64, strlen(sig_b64), true)
                      : -1;
    if (siglen <= 0) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, CUSTOMS_SIG_COSIGN, source,
                         "%s: the signature annotation is missing or not base64", source);
        return;
    }
    if (v->pem.len == 0) {
        customs_sig_fold(r, CUSTOMS_SIG_WRONG_KEY, CUSTOMS_SIG_COSIGN, source,
                         "%s: a cosign signature, but no cosign (PEM) public key was given",
                         source);
        return;
    }
    for (size_t i = 0; i < v->pem.len; i++) {
        const struct sig_pem_key *k = customs_vec_at(&v->pem, i);
        bool rsa = EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_RSA;
        if (cosign_verify_one(k->pkey, false, payload, len, sig, (size_t)siglen) ||
            (rsa && cosign_verify_one(k->pkey, true, payload, len, sig, (size_t)siglen))) {
            customs_sig_judge_payload(r, s, CUSTOMS_SIG_COSIGN, source, k->name, k->fpr, payload,
                                      len);
            return;
        }
    }
    customs_sig_fold(r, CUSTOMS_SIG_BAD_SIGNATURE, CUSTOMS_SIG_COSIGN, source,
                     "%s: the signature does not verify with the given key%s (made with another "
                     "key, or the payload or signature altered)",
                     source, v->pem.len == 1 ? "" : "s");
}
