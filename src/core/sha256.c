/* SPDX-License-Identifier: Apache-2.0 */
/* sha256 through OpenSSL's EVP interface (uses the CPU's SHA extensions where present). */
#include "core/core.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/banned.h"

int customs_sha256_init(struct customs_sha256 *s)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        s->ctx = NULL;
        return CUSTOMS_ENOMEM;
    }
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        s->ctx = NULL;
        return CUSTOMS_ERROR;
    }
    s->ctx = ctx;
    return 0;
}

void customs_sha256_update(struct customs_sha256 *s, const void *data, size_t n)
{
    if (s->ctx != NULL && n > 0) {
        EVP_DigestUpdate(s->ctx, data, n);
    }
}

int customs_sha256_final(struct customs_sha256 *s, char out[CUSTOMS_DIGEST_MAX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (s->ctx == NULL || EVP_DigestFinal_ex(s->ctx, md, &mdlen) != 1 || mdlen != 32) {
        customs_sha256_release(s);
        return CUSTOMS_ERROR;
    }
    memcpy(out, "sha256:", 7);
    for (unsigned i = 0; i < mdlen; i++) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[8 + 2 * i] = hex[md[i] & 15];
    }
    out[7 + 64] = '\0';
    customs_sha256_release(s);
    return 0;
}

void customs_sha256_release(struct customs_sha256 *s)
{
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
}

bool customs_digest_is_valid(const char *s)
{
    if (s == NULL || strncmp(s, "sha256:", 7) != 0) {
        return false;
    }
    for (int i = 0; i < 64; i++) {
        char ch = s[7 + i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
            return false;
        }
    }
    return s[71] == '\0';
}
