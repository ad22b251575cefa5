/* SPDX-License-Identifier: Apache-2.0 */
/*
 * containers/image simple signing: an OpenPGP signed message (not detached) whose content is
 * the payload, verified by GnuPG through GPGME in the verifier's own GnuPG home, so only the
 * keys given are known. The content is written through a capped sink: a compressed message
 * cannot expand beyond CUSTOMS_SIG_PAYLOAD_MAX in memory.
 */
#include <errno.h>
#include <gpgme.h>
#include <string.h>

#include "signature/internal.h"

#include "core/banned.h"

#define OPENPGP_MESSAGE_MAX ((size_t)64 << 10)

/* The plaintext sink: a capped buffer. */
static ssize_t openpgp_sink_write(void *handle, const void *buf, size_t size)
{
    struct customs_buf *b = handle;
    if (customs_buf_append(b, buf, size) < 0) {
        errno = ENOSPC;
        return -1;
    }
    return (ssize_t)size;
}

/* The key for a signature's fingerprint (primary key or one of its subkeys), or NULL. */
static const struct sig_pgp_key *openpgp_key_of(const struct customs_sig_verifier *v, gpgme_ctx_t ctx,
                                    const char *fpr)
{
    gpgme_key_t key = NULL;
    const struct sig_pgp_key *found = NULL;
    if (fpr == NULL || gpgme_get_key(ctx, fpr, &key, 0) != 0 || key == NULL ||
        key->fpr == NULL) {
        gpgme_key_unref(key);
        return NULL;
    }
    for (size_t i = 0; i < v->pgp.len && found == NULL; i++) {
        const struct sig_pgp_key *k = customs_vec_at(&v->pgp, i);
        if (strcmp(k->fpr, key->fpr) == 0) {
            found = k;
        }
    }
    gpgme_key_unref(key);
    return found;
}

int customs_sig_check_openpgp(struct customs_sig_result *r, const struct customs_sig_verifier *v,
                              const struct customs_sig_subject *s, const char *source,
                              const void *msg, size_t len, struct customs_error *err)
{
    void *p = NULL;
    gpgme_data_t in = NULL;
    gpgme_data_t out = NULL;
    struct customs_buf plain;
    struct gpgme_data_cbs cbs = {.write = openpgp_sink_write};
    enum customs_sig_format f = CUSTOMS_SIG_OPENPGP;
    if (len > OPENPGP_MESSAGE_MAX) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, f, source,
                         "%s: larger than %zu bytes, not a signature", source,
                         OPENPGP_MESSAGE_MAX);
        return 0;
    }
    if (v->pgp.len == 0 || v->gpg_home == NULL) {
        customs_sig_fold(r, CUSTOMS_SIG_WRONG_KEY, f, source,
                         "%s: an OpenPGP signature, but no OpenPGP public key was given", source);
        return 0;
    }
    int rc = customs_sig_gpgme_context(&p, v->gpg_home, err);
    if (rc < 0) {
        return rc;
    }
    gpgme_ctx_t ctx = p;
    customs_buf_init(&plain, CUSTOMS_SIG_PAYLOAD_MAX);
    gpgme_error_t e = gpgme_data_new_from_mem(&in, msg, len, 0);
    if (e == 0) {
        e = gpgme_data_new_from_cbs(&out, &cbs, &plain);
    }
    if (e != 0) {
        rc = customs_error_set(err, CUSTOMS_ENOMEM, "GPGME: %s", gpgme_strerror(e));
        goto out;
    }
    e = gpgme_op_verify(ctx, in, NULL, out);
    gpgme_verify_result_t vr = gpgme_op_verify_result(ctx);
    gpgme_signature_t sig = vr != NULL ? vr->signatures : NULL;
    if (plain.len >= CUSTOMS_SIG_PAYLOAD_MAX) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, f, source,
                         "%s: the signed content is larger than %zu bytes", source,
                         CUSTOMS_SIG_PAYLOAD_MAX);
        goto out;
    }
    if (e != 0 || sig == NULL) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, f, source,
                         "%s: not an OpenPGP signed message (%s)", source,
                         e != 0 ? gpgme_strerror(e) : "no signature in it");
        goto out;
    }
    if (sig->next != NULL) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, f, source,
                         "%s: more than one signature in one message", source);
        goto out;
    }
    const char *fpr = sig->fpr != NULL ? sig->fpr : "(unknown)";
    gpgme_err_code_t code = gpgme_err_code(sig->status);
    if (code == GPG_ERR_NO_PUBKEY) {
        customs_sig_fold(r, CUSTOMS_SIG_WRONG_KEY, f, source,
                         "%s: signed by key %.64s, which is not among the given keys", source,
                         fpr);
        goto out;
    }
    if (code == GPG_ERR_BAD_SIGNATURE) {
        customs_sig_fold(r, CUSTOMS_SIG_BAD_SIGNATURE, f, source,
                         "%s: the signature by key %.64s does not verify: the signed content or "
                         "the signature was altered", source, fpr);
        goto out;
    }
    if (code != GPG_ERR_NO_ERROR ||
        (sig->summary & (GPGME_SIGSUM_KEY_REVOKED | GPGME_SIGSUM_KEY_EXPIRED |
                         GPGME_SIGSUM_SIG_EXPIRED | GPGME_SIGSUM_RED)) != 0) {
        customs_sig_fold(r, CUSTOMS_SIG_BAD_SIGNATURE, f, source,
                         "%s: the signature by key %.64s is not valid: %s%s%s", source, fpr,
                         code != GPG_ERR_NO_ERROR ? gpgme_strerror(sig->status) : "",
                         (sig->summary & GPGME_SIGSUM_KEY_REVOKED) ? "key revoked" : "",
                         (sig->summary & (GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED))
                             ? "expired"
                             : "");
        goto out;
    }
    const struct sig_pgp_key *key = openpgp_key_of(v, ctx, sig->fpr);
    if (key == NULL) {
        customs_sig_fold(r, CUSTOMS_SIG_WRONG_KEY, f, source,
                         "%s: signed by key %.64s, which is not among the given keys", source,
                         fpr);
        goto out;
    }
    customs_sig_judge_payload(r, s, f, source, key->name, key->fpr, plain.ptr != NULL ? plain.ptr : "",
                              plain.len);
out:
    gpgme_data_release(in);
    gpgme_data_release(out);
    gpgme_release(ctx);
    customs_buf_release(&plain);
    return rc;
}
