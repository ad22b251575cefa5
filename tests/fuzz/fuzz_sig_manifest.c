/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the reading of a cosign signature manifest as a registry or a layout serves it (the
 * sha256-<hex>.sig tag): any document folds into a result with a reason, never a crash, and
 * never "verified" (the fuzzer holds no private key for the verifier's public key). Payloads
 * are fetched from a canned table: one simple-signing payload, one missing, one altered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signature/internal.h"

static const char pem[] = "-----BEGIN PUBLIC KEY-----\n"
                          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEg5XoTA6eTD8VooDqP5zZOqBBF1T7\n"
                          "N7SfWRAZmZ1dL3aXwQkfVtx7vp/W0fzpWnyeyEhUNe7QzlC5A2rqFo0rGw==\n"
                          "-----END PUBLIC KEY-----\n";

static const char payload[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"registry.test/team/app\"},"
    "\"image\":{\"docker-manifest-digest\":\"sha256:"
    "1111111111111111111111111111111111111111111111111111111111111111\"},"
    "\"type\":\"cosign container image signature\"},\"optional\":null}";

/* Digests ending in 0: the payload; 1: not found; 2: altered; 3: the storage failed. */
static int fetch(void *ctx, const char *digest, uint64_t size, uint8_t **data, size_t *len,
                 struct customs_error *err)
{
    (void)ctx;
    char last = digest[strlen(digest) - 1];
    *data = NULL;
    *len = 0;
    if (last == '1') {
        return customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: not found", digest);
    }
    if (last == '2') {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: digest mismatch", digest);
    }
    if (last == '3') {
        return customs_error_set(err, CUSTOMS_EIO, "%s: connection reset", digest);
    }
    if (sizeof(payload) - 1 > size) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: larger than its size", digest);
    }
    *data = customs_malloc(sizeof(payload));
    if (*data == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    memcpy(*data, payload, sizeof(payload));
    *len = sizeof(payload) - 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct customs_sig_verifier *v;
    struct customs_sig_result r;
    struct customs_error err = {0};
    struct customs_limits limits;
    customs_limits_default(&limits);
    limits.max_manifests = 64;
    if (v == NULL) {
        if (customs_sig_verifier_new(&v, NULL, &err) < 0 ||
            customs_sig_verifier_add_key(v, "fuzz.pub", pem, sizeof(pem) - 1, &err) < 0) {
            abort();
        }
    }
    struct customs_sig_subject s = {
        .digests = {"sha256:1111111111111111111111111111111111111111111111111111111111111111",
                    NULL},
        .identity = "registry.test/team/app",
    };
    customs_sig_result_init(&r);
    int rc = customs_sig_cosign_manifest(&r, v, &s, "fuzz.sig", data, size, fetch, NULL, &limits,
                                         &err);
    if (rc < 0 && (rc != CUSTOMS_EIO || err.message[0] == '\0')) {
        abort(); /* only the storage's failure stops reading */
    }
    if (r.status == CUSTOMS_SIG_VERIFIED || r.reason[0] == '\0' ||
        memchr(r.reason, '\0', sizeof(r.reason)) == NULL) {
        abort();
    }
    return 0;
}
