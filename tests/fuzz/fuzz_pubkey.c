/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the key file reader that turns a policy's signature keys into fingerprints: PEM
 * public keys (through OpenSSL) and ASCII-armored OpenPGP blocks (armor headers, base64 body,
 * CRC24, packet headers in both formats, key packet versions). A key that reads has 1 to
 * CUSTOMS_PUBKEY_MAX_KEYS well-formed fingerprints; a failure has a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/pubkey.h"

static bool is_hex(const char *s, bool upper, size_t n)
{
    if (strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (upper ? (c >= 'A' && c <= 'F') : (c >= 'a' && c <= 'f'));
        if (!ok) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_pubkey_fprs f;
    struct customs_error err = {0};
    int rc = customs_pubkey_fingerprints(&f, "fuzz.key", data, size, &err);
    if (rc < 0) {
        if (err.message[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (f.n == 0 || f.n > CUSTOMS_PUBKEY_MAX_KEYS) {
        abort();
    }
    for (size_t i = 0; i < f.n; i++) {
        const char *s = f.fpr[i];
        bool good = f.kind == CUSTOMS_PUBKEY_PEM
                        ? strncmp(s, "sha256:", 7) == 0 && is_hex(s + 7, false, 64)
                        : is_hex(s, true, 40) || is_hex(s, true, 64);
        if (!good) {
            abort();
        }
    }
    return 0;
}
