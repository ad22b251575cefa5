/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier's keys, and the result every signature's outcome is folded into. */
#include <gpgme.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "formats/pubkey.h"
#include "signature/internal.h"

#include "core/banned.h"

static const char PEM_PUBLIC[] = "-----BEGIN PUBLIC KEY-----";
static const char PGP_PUBLIC[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

static pthread_once_t gpgme_once = PTHREAD_ONCE_INIT;

static void verifier_gpgme_init(void)
{
    (void)gpgme_check_version(NULL);
}

int customs_sig_verifier_new(struct customs_sig_verifier **out, const char *gpg_home,
                             struct customs_error *err)
{
    struct customs_sig_verifier *v = customs_calloc(1, sizeof(*v));
    *out = NULL;
    if (v == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    customs_vec_init(&v->pem, sizeof(struct sig_pem_key));
    customs_vec_init(&v->pgp, sizeof(struct sig_pgp_key));
    if (gpg_home != NULL && (v->gpg_home = customs_strdup(gpg_home)) == NULL) {
        customs_sig_verifier_free(v);
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    *out = v;
    return 0;
}

void customs_sig_verifier_free(struct customs_sig_verifier *v)
{
    if (v == NULL) {
        return;
    }
    for (size_t i = 0; i < v->pem.len; i++) {
        struct sig_pem_key *k = customs_vec_at(&v->pem, i);
        EVP_PKEY_free(k->pkey);
        customs_free(k->name);
    }
    for (size_t i = 0; i < v->pgp.len; i++) {
        struct sig_pgp_key *k = customs_vec_at(&v->pgp, i);
        customs_free(k->name);
    }
    customs_vec_release(&v->pem);
    customs_vec_release(&v->pgp);
    customs_free(v->gpg_home);
    customs_free(v);
}

size_t customs_sig_verifier_count(const struct customs_sig_verifier *v,
                                  enum customs_sig_format format)
{
    return format == CUSTOMS_SIG_COSIGN ? v->pem.len : v->pgp.len;
}

static bool verifier_starts_with(const char *data, size_t len, const char *marker)
{
    return customs_pubkey_starts_with(data, len, marker);
}

static int verifier_add_pem(struct customs_sig_verifier *v, const char *name, const void *data,
                            size_t len, struct customs_error *err)
{
    void *p = NULL;
    int rc = customs_pubkey_pem_read(&p, name, data, len, err);
    if (rc < 0) {
        return rc;
    }
    EVP_PKEY *pkey = p;
    int id = EVP_PKEY_get_base_id(pkey);
    if (id == EVP_PKEY_EC) {
        char group[64] = "";
        size_t glen = 0;
        EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof(group), &glen);
        if (strcmp(group, "prime256v1") != 0 && strcmp(group, "secp384r1") != 0 &&
            strcmp(group, "secp521r1") != 0) {
            EVP_PKEY_free(pkey);
            return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                     "%s: elliptic curve '%.60s' is not supported (P-256, P-384, "
                                     "P-521)", name, group);
        }
    } else if (id == EVP_PKEY_RSA) {
        if (EVP_PKEY_get_bits(pkey) < 2048) {
            EVP_PKEY_free(pkey);
            return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                     "%s: an RSA key of %d bits is too weak (2048 or more)", name,
                                     EVP_PKEY_get_bits(pkey));
        }
    } else if (id != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: key type not supported (ECDSA, Ed25519, RSA)", name);
    }
    struct sig_pem_key *k = customs_vec_push(&v->pem);
    char *copy = customs_strdup(name);
    if (k == NULL || copy == NULL) {
        if (k != NULL) {
            v->pem.len--;
        }
        customs_free(copy);
        EVP_PKEY_free(pkey);
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    k->name = copy;
    k->pkey = pkey;
    if (customs_pubkey_pem_fingerprint(k->fpr, pkey) < 0) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}

int customs_sig_gpgme_context(void **out, const char *home, struct customs_error *err)
{
    gpgme_ctx_t ctx = NULL;
    pthread_once(&gpgme_once, verifier_gpgme_init);
    gpgme_error_t e = gpgme_new(&ctx);
    if (e == 0) {
        e = gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP);
    }
    if (e == 0) {
        e = gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, home);
    }
    if (e == 0) {
        e = gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_CANCEL);
    }
    if (e != 0) {
        gpgme_release(ctx);
        return customs_error_set(err, CUSTOMS_EIO, "GnuPG (GPGME) cannot start: %s",
                                 gpgme_strerror(e));
    }
    gpgme_set_offline(ctx, 1);
    *out = ctx;
    return 0;
}

static int verifier_add_pgp(struct customs_sig_verifier *v, const char *name, const void *data,
                            size_t len, struct customs_error *err)
{
    void *p = NULL;
    gpgme_data_t kd = NULL;
    size_t added = 0;
    if (v->gpg_home == NULL) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: an OpenPGP key, but no GnuPG home to import it into", name);
    }
    int r = customs_sig_gpgme_context(&p, v->gpg_home, err);
    if (r < 0) {
        return r;
    }
    gpgme_ctx_t ctx = p;
    gpgme_error_t e = gpgme_data_new_from_mem(&kd, data, len, 0);
    if (e == 0) {
        e = gpgme_op_import(ctx, kd);
    }
    gpgme_import_result_t res = e == 0 ? gpgme_op_import_result(ctx) : NULL;
    if (e != 0 || res == NULL) {
        r = customs_error_set(err, CUSTOMS_EIO, "%s: GnuPG could not import the key: %s", name,
                              gpgme_strerror(e));
    }
    for (gpgme_import_status_t st = res != NULL ? res->imports : NULL; r == 0 && st != NULL;
         st = st->next) {
        if (st->result != 0 || st->fpr == NULL || strlen(st->fpr) >= CUSTOMS_SIG_FPR_MAX ||
            (st->status & GPGME_IMPORT_SECRET) != 0) {
            continue;
        }
        bool dup = false;
        for (size_t i = 0; i < v->pgp.len && !dup; i++) {
            dup = strcmp(((struct sig_pgp_key *)customs_vec_at(&v->pgp, i))->fpr, st->fpr) == 0;
        }
        if (dup) {
            added++;
            continue;
        }
        struct sig_pgp_key *k = customs_vec_push(&v->pgp);
        if (k == NULL || (k->name = customs_strdup(name)) == NULL) {
            if (k != NULL) {
                v->pgp.len--;
            }
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            break;
        }
        memcpy(k->fpr, st->fpr, strlen(st->fpr) + 1);
        added++;
    }
    if (r == 0 && added == 0) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: no OpenPGP public key could be read",
                              name);
    }
    gpgme_data_release(kd);
    gpgme_release(ctx);
    return r;
}

/* A PEM or armored private key ("-----BEGIN ... PRIVATE KEY"), said so rather than "malformed". */
static bool verifier_has_private_marker(const char *text, size_t len)
{
    static const char marker[] = "PRIVATE KEY";
    size_t n = len < 100 ? len : 100;
    if (!verifier_starts_with(text, len, "-----BEGIN")) {
        return false;
    }
    for (size_t i = 0; i + sizeof(marker) - 1 <= n; i++) {
        if (memcmp(text + i, marker, sizeof(marker) - 1) == 0) {
            return true;
        }
    }
    return false;
}

int customs_sig_verifier_add_key(struct customs_sig_verifier *v, const char *name,
                                 const void *data, size_t len, struct customs_error *err)
{
    const char *text = data;
    if (verifier_starts_with(text, len, PEM_PUBLIC)) {
        return verifier_add_pem(v, name, data, len, err);
    }
    if (verifier_starts_with(text, len, PGP_PUBLIC)) {
        return verifier_add_pgp(v, name, data, len, err);
    }
    if (verifier_has_private_marker(text, len)) {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "%s: a private key; give the public key to verify with", name);
    }
    return customs_error_set(err, CUSTOMS_EMALFORMED,
                             "%s: neither a PEM public key (\"%s\") nor an armored OpenPGP public "
                             "key (\"%s\")", name, PEM_PUBLIC, PGP_PUBLIC);
}

/* ---- results ---- */

void customs_sig_result_init(struct customs_sig_result *r)
{
    memset(r, 0, sizeof(*r));
    r->status = CUSTOMS_SIG_UNSIGNED;
    snprintf(r->reason, sizeof(r->reason), "no signature found for the image");
}

void customs_sig_fold(struct customs_sig_result *r, enum customs_sig_status status,
                      enum customs_sig_format format, const char *source, const char *fmt, ...)
{
    r->found++;
    if (status <= r->status) {
        return;
    }
    r->status = status;
    r->format = format;
    snprintf(r->source, sizeof(r->source), "%s", source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
}

void customs_sig_judge_payload(struct customs_sig_result *r, const struct customs_sig_subject *s,
                               enum customs_sig_format format, const char *source,
                               const char *key, const char *fpr, const void *payload,
                               size_t len)
{
    struct customs_sig_payload p;
    struct customs_error err = {0};
    const char *want = format == CUSTOMS_SIG_COSIGN ? "cosign container image signature"
                                                    : "atomic container signature";
    if (customs_sig_payload_parse(&p, source, payload, len, &err) < 0) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, format, source,
                         "signed by %s, but the payload is malformed: %s", key, err.message);
        return;
    }
    if (strcmp(p.type, want) != 0) {
        customs_sig_fold(r, CUSTOMS_SIG_MALFORMED, format, source,
                         "%s: signed by %s, but critical.type is '%s', not '%s'", source, key,
                         p.type, want);
        return;
    }
    bool ours = false;
    for (size_t i = 0; i < 2 && !ours; i++) {
        ours = s->digests[i] != NULL && strcmp(s->digests[i], p.digest) == 0;
    }
    if (!ours) {
        customs_sig_fold(r, CUSTOMS_SIG_OTHER_DIGEST, format, source,
                         "%s: a valid signature by %s, but for another image (%s), not %s",
                         source, key, p.digest, s->digests[0] != NULL ? s->digests[0] : "?");
        return;
    }
    if (s->identity != NULL && !customs_sig_identity_matches(p.reference, s->identity)) {
        customs_sig_fold(r, CUSTOMS_SIG_WRONG_IDENTITY, format, source,
                         "%s: a valid signature by %s for %s, but it names the image '%s', not "
                         "'%s'", source, key, p.digest, p.reference, s->identity);
        return;
    }
    if (r->status == CUSTOMS_SIG_VERIFIED) {
        r->found++;
        return; /* the first verified signature is the one reported */
    }
    customs_sig_fold(r, CUSTOMS_SIG_VERIFIED, format, source, "verified");
    snprintf(r->key, sizeof(r->key), "%s", key);
    snprintf(r->fingerprint, sizeof(r->fingerprint), "%s", fpr);
    snprintf(r->digest, sizeof(r->digest), "%s", p.digest);
    snprintf(r->identity, sizeof(r->identity), "%s", p.reference);
}

const char *customs_sig_status_name(enum customs_sig_status status)
{
    switch (status) {
    case CUSTOMS_SIG_UNSIGNED:
        return "unsigned";
    case CUSTOMS_SIG_MALFORMED:
        return "malformed signature";
    case CUSTOMS_SIG_WRONG_KEY:
        return "wrong key";
    case CUSTOMS_SIG_BAD_SIGNATURE:
        return "bad signature";
    case CUSTOMS_SIG_OTHER_DIGEST:
        return "signature for another image";
    case CUSTOMS_SIG_WRONG_IDENTITY:
        return "wrong identity";
    case CUSTOMS_SIG_VERIFIED:
        return "verified";
    }
    return "unknown";
}
