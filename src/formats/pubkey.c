/* SPDX-License-Identifier: Apache-2.0 */
/* Key file fingerprints (see pubkey.h): PEM through OpenSSL, OpenPGP armor and packets read
 * here, strictly and within bounds. */
#include "formats/pubkey.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static const char PEM_BEGIN[] = "-----BEGIN PUBLIC KEY-----";
static const char PGP_BEGIN[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
static const char PGP_END[] = "-----END PGP PUBLIC KEY BLOCK-----";

enum { PGP_TAG_PUBLIC_KEY = 6 };

static void hex_into(char *out, const uint8_t *md, size_t n, bool upper)
{
    static const char lo[] = "0123456789abcdef";
    static const char up[] = "0123456789ABCDEF";
    const char *digits = upper ? up : lo;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[2 * n] = '\0';
}

int customs_pubkey_pem_fingerprint(char out[CUSTOMS_PUBKEY_FPR_MAX], const void *evp_pkey)
{
    unsigned char *der = NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    const EVP_PKEY *pkey = evp_pkey;
    int n = i2d_PUBKEY(pkey, &der);
    if (n <= 0) {
        return CUSTOMS_ENOMEM;
    }
    int ok = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_free(der);
    if (ok != 1 || mdlen != 32) {
        return CUSTOMS_ENOMEM;
    }
    memcpy(out, "sha256:", 7);
    hex_into(out + 7, md, mdlen, false);
    return 0;
}

/* Where the text starts after blank space, and whether it starts with `marker` there. */
static size_t skip_blank(const char *d, size_t len)
{
    size_t i = 0;
    while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n')) {
        i++;
    }
    return i;
}

static bool starts_with(const char *d, size_t len, const char *marker)
{
    size_t i = skip_blank(d, len);
    return len - i >= strlen(marker) && memcmp(d + i, marker, strlen(marker)) == 0;
}

bool customs_pubkey_starts_with(const void *data, size_t len, const char *marker)
{
    return starts_with(data, len, marker);
}

int customs_pubkey_pem_read(void **evp_pkey, const char *name, const void *data, size_t len,
                            struct customs_error *err)
{
    *evp_pkey = NULL;
    if (len > INT32_MAX) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: too large for a public key", name);
    }
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey == NULL) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: not a readable PEM public key (SubjectPublicKeyInfo)", name);
    }
    *evp_pkey = pkey;
    return 0;
}

static int pem_fingerprint(struct customs_pubkey_fprs *out, const char *name, const void *data,
                           size_t len, struct customs_error *err)
{
    void *p = NULL;
    int rc = customs_pubkey_pem_read(&p, name, data, len, err);
    if (rc < 0) {
        return rc;
    }
    EVP_PKEY *pkey = p;
    rc = customs_pubkey_pem_fingerprint(out->fpr[0], pkey);
    EVP_PKEY_free(pkey);
    if (rc < 0) {
        return customs_error_set(err, rc, "out of memory");
    }
    out->kind = CUSTOMS_PUBKEY_PEM;
    out->n = 1;
    return 0;
}

/* ---- OpenPGP ---- */

/* One line of the armor: [*pos, end of line) without the line break and trailing blanks. */
struct line {
    const char *p;
    size_t n;
    size_t number;
};

static bool line_next(struct line *l, const char *d, size_t len, size_t *pos)
{
    if (*pos >= len) {
        return false;
    }
    const char *start = d + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t n = nl != NULL ? (size_t)(nl - start) : len - *pos;
    *pos += n + (nl != NULL ? 1 : 0);
    while (n > 0 && (start[n - 1] == '\r' || start[n - 1] == ' ' || start[n - 1] == '\t')) {
        n--;
    }
    l->p = start;
    l->n = n;
    l->number++;
    return true;
}

static bool line_is(const struct line *l, const char *s)
{
    return l->n == strlen(s) && memcmp(l->p, s, l->n) == 0;
}

static uint32_t crc24(const uint8_t *d, size_t n)
{
    uint32_t crc = 0xB704CEu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)d[i] << 16;
        for (int k = 0; k < 8; k++) {
            crc <<= 1;
            if (crc & 0x1000000u) {
                crc ^= 0x1864CFBu;
            }
        }
    }
    return crc & 0xFFFFFFu;
}

/* The armored block's bytes (base64 body decoded, its CRC checked when present) into *out. */
static int pgp_dearmor(uint8_t **out, size_t *outlen, const char *name, const char *d,
                       size_t len, struct customs_error *err)
{
    struct customs_buf b64;
    struct line l = {NULL, 0, 0};
    size_t pos = 0;
    int rc = 0;
    bool in_headers = true;
    bool ended = false;
    bool have_crc = false;
    uint8_t crc_bytes[3] = {0, 0, 0};
    customs_buf_init(&b64, len + 1);
    /* the BEGIN line (blank lines before it are allowed) */
    while (line_next(&l, d, len, &pos) && l.n == 0) {
    }
    if (!line_is(&l, PGP_BEGIN)) {
        customs_buf_release(&b64);
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: line %zu: expected \"%s\"", name,
                                 l.number, PGP_BEGIN);
    }
    while (rc == 0 && !ended && line_next(&l, d, len, &pos)) {
        if (in_headers) {
            if (l.n == 0) {
                in_headers = false;
                continue;
            }
            const char *colon = memchr(l.p, ':', l.n);
            if (colon != NULL && colon > l.p && (size_t)(colon - l.p) + 1 < l.n &&
                colon[1] == ' ') {
                continue; /* an armor header ("Comment: ...") */
            }
            in_headers = false; /* no headers and no blank line: the body starts here */
        }
        if (line_is(&l, PGP_END)) {
            ended = true;
        } else if (l.n > 0 && l.p[0] == '=' && !have_crc) {
            if (l.n != 5 || customs_base64_decode(crc_bytes, sizeof(crc_bytes), l.p + 1, 4,
                                                  true) != 3) {
                rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                                       "%s: line %zu: a malformed armor checksum", name, l.number);
            }
            have_crc = true;
        } else if (have_crc || l.n == 0) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                                   "%s: line %zu: expected \"%s\"", name, l.number, PGP_END);
        } else {
            rc = customs_buf_append(&b64, l.p, l.n);
            if (rc < 0) {
                rc = customs_error_set(err, rc, "%s: line %zu: the armor is too large", name,
                                       l.number);
            }
        }
    }
    if (rc == 0 && !ended) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: line %zu: no \"%s\" line", name,
                               l.number, PGP_END);
    }
    size_t cap = b64.len / 4 * 3 + 3;
    if (rc == 0 && (*out = customs_malloc(cap)) == NULL) {
        rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        long n = customs_base64_decode(*out, cap, customs_buf_cstr(&b64), b64.len, true);
        if (n <= 0) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                                   "%s: the armored block is not valid base64", name);
        } else {
            *outlen = (size_t)n;
        }
    }
    if (rc == 0 && have_crc) {
        uint32_t want = (uint32_t)crc_bytes[0] << 16 | (uint32_t)crc_bytes[1] << 8 | crc_bytes[2];
        if (crc24(*out, *outlen) != want) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                                   "%s: the armor checksum does not match its contents", name);
        }
    }
    customs_buf_release(&b64);
    return rc;
}

/* One packet header: its tag and body length. */
static int pgp_packet_header(struct customs_cursor *c, unsigned *tag, size_t *body_len)
{
    uint8_t h;
    uint8_t o[4];
    if (customs_cursor_u8(c, &h) < 0 || (h & 0x80) == 0) {
        return CUSTOMS_EMALFORMED;
    }
    if (h & 0x40) { /* new format */
        *tag = h & 0x3f;
        if (customs_cursor_u8(c, &o[0]) < 0) {
            return CUSTOMS_EMALFORMED;
        }
        if (o[0] < 192) {
            *body_len = o[0];
        } else if (o[0] < 224) {
            if (customs_cursor_u8(c, &o[1]) < 0) {
                return CUSTOMS_EMALFORMED;
            }
            *body_len = ((size_t)(o[0] - 192) << 8) + o[1] + 192;
        } else if (o[0] == 255) {
            uint32_t n;
            if (customs_cursor_be32(c, &n) < 0) {
                return CUSTOMS_EMALFORMED;
            }
            *body_len = n;
        } else {
            return CUSTOMS_EUNSUPPORTED; /* partial body lengths: never for key material */
        }
        return 0;
    }
    *tag = (h >> 2) & 0x0f;
    switch (h & 3) {
    case 0:
        if (customs_cursor_u8(c, &o[0]) < 0) {
            return CUSTOMS_EMALFORMED;
        }
        *body_len = o[0];
        return 0;
    case 1: {
        const uint8_t *p;
        if (customs_cursor_take(c, 2, &p) < 0) {
            return CUSTOMS_EMALFORMED;
        }
        *body_len = (size_t)p[0] << 8 | p[1];
        return 0;
    }
    case 2: {
        uint32_t n;
        if (customs_cursor_be32(c, &n) < 0) {
            return CUSTOMS_EMALFORMED;
        }
        *body_len = n;
        return 0;
    }
    default:
        return CUSTOMS_EUNSUPPORTED; /* indeterminate length */
    }
}

/* The fingerprint of a public key packet's body. */
static int pgp_key_fingerprint(char out[CUSTOMS_PUBKEY_FPR_MAX], const char *name, size_t at,
                               const uint8_t *body, size_t n, struct customs_error *err)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    uint8_t head[5];
    size_t hlen;
    const EVP_MD *alg;
    if (n < 1) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: packet at byte %zu: an empty public key packet", name, at);
    }
    if (body[0] == 4) {
        if (n > 0xffff) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: packet at byte %zu: a v4 key packet over 65535 bytes",
                                     name, at);
        }
        head[0] = 0x99;
        head[1] = (uint8_t)(n >> 8);
        head[2] = (uint8_t)n;
        hlen = 3;
        alg = EVP_sha1();
    } else if (body[0] == 5 || body[0] == 6) {
        head[0] = body[0] == 5 ? 0x9A : 0x9B;
        head[1] = (uint8_t)(n >> 24);
        head[2] = (uint8_t)(n >> 16);
        head[3] = (uint8_t)(n >> 8);
        head[4] = (uint8_t)n;
        hlen = 5;
        alg = EVP_sha256();
    } else {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: packet at byte %zu: OpenPGP key version %u is not "
                                 "supported (4, 5, 6)", name, at, body[0]);
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestInit_ex(ctx, alg, NULL) == 1 &&
             EVP_DigestUpdate(ctx, head, hlen) == 1 && EVP_DigestUpdate(ctx, body, n) == 1 &&
             EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    hex_into(out, md, mdlen, true);
    return 0;
}

static int pgp_fingerprints(struct customs_pubkey_fprs *out, const char *name, const void *data,
                            size_t len, struct customs_error *err)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    struct customs_cursor c;
    int rc = pgp_dearmor(&raw, &raw_len, name, data, len, err);
    out->kind = CUSTOMS_PUBKEY_OPENPGP;
    out->n = 0;
    customs_cursor_init(&c, raw, rc == 0 ? raw_len : 0);
    while (rc == 0 && customs_cursor_left(&c) > 0) {
        size_t at = c.pos;
        unsigned tag = 0;
        size_t body_len = 0;
        const uint8_t *body = NULL;
        rc = pgp_packet_header(&c, &tag, &body_len);
        if (rc == 0 && customs_cursor_take(&c, body_len, &body) < 0) {
            rc = CUSTOMS_EMALFORMED;
        }
        if (rc < 0) {
            rc = customs_error_set(err, rc, "%s: packet at byte %zu: %s", name, at,
                                   rc == CUSTOMS_EUNSUPPORTED ? "a packet length form keys never "
                                                                "use"
                                                              : "a truncated or malformed packet");
            break;
        }
        if (tag != PGP_TAG_PUBLIC_KEY) {
            continue; /* subkeys, user ids, signatures */
        }
        if (out->n == CUSTOMS_PUBKEY_MAX_KEYS) {
            rc = customs_error_set(err, CUSTOMS_ELIMIT, "%s: more than %d public keys", name,
                                   CUSTOMS_PUBKEY_MAX_KEYS);
            break;
        }
        rc = pgp_key_fingerprint(out->fpr[out->n], name, at, body, body_len, err);
        out->n += rc == 0 ? 1 : 0;
    }
    if (rc == 0 && out->n == 0) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: no OpenPGP public key in the block",
                               name);
    }
    customs_free(raw);
    return rc;
}

int customs_pubkey_fingerprints(struct customs_pubkey_fprs *out, const char *name,
                                const void *data, size_t len, struct customs_error *err)
{
    memset(out, 0, sizeof(*out));
    if (starts_with(data, len, PEM_BEGIN)) {
        return pem_fingerprint(out, name, data, len, err);
    }
    if (starts_with(data, len, PGP_BEGIN)) {
        return pgp_fingerprints(out, name, data, len, err);
    }
    return customs_error_set(err, CUSTOMS_EMALFORMED,
                             "%s: neither a PEM public key (\"%s\") nor an armored OpenPGP "
                             "public key (\"%s\")", name, PEM_BEGIN, PGP_BEGIN);
}
