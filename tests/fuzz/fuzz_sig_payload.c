/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes what a signature carries before and after its cryptography: the simple-signing
 * payload parser (strict JSON, exact keys), the image-name comparison and repository paths
 * (the input's first line against the rest), and cosign's base64 signature reader. A parsed
 * payload always has a valid sha256 digest and printable strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signature/signature.h"

static void fuzz_names(const char *a, const char *b)
{
    char repo[CUSTOMS_SIG_NAME_MAX];
    bool m = customs_sig_identity_matches(a, b);
    if (m != customs_sig_identity_matches(a, b)) {
        abort();
    }
    if (customs_sig_repo_path(repo, sizeof(repo), a) &&
        (repo[0] == '\0' || repo[0] == '/' || strlen(repo) >= sizeof(repo))) {
        abort();
    }
    if (m && !customs_sig_identity_matches(a, a)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_sig_payload p;
    struct customs_error err = {0};
    int rc = customs_sig_payload_parse(&p, "fuzz", data, size, &err);
    if (rc == 0) {
        if (!customs_digest_is_valid(p.digest) || p.type[0] == '\0' || p.reference[0] == '\0') {
            abort();
        }
        for (const char *c = p.reference; *c != '\0'; c++) {
            if ((unsigned char)*c < 0x20) {
                abort();
            }
        }
    } else if (err.message[0] == '\0') {
        abort();
    }
    char *text = malloc(size + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = strchr(text, '\n');
    if (nl != NULL) {
        *nl = '\0';
        fuzz_names(text, nl + 1);
    } else {
        fuzz_names(text, "registry.test:5000/team/app:1.0");
    }
    /* cosign's base64 reader, reached through a verifier without keys */
    struct customs_sig_verifier *v = NULL;
    if (customs_sig_verifier_new(&v, NULL, &err) == 0) {
        struct customs_sig_result r;
        struct customs_sig_subject s = {.digests = {"sha256:" "0000000000000000000000000000000000000000000000000000000000000000", NULL}};
        customs_sig_result_init(&r);
        customs_sig_check_cosign(&r, v, &s, "fuzz", data, size, text);
        if (r.status == CUSTOMS_SIG_VERIFIED || r.found != 1) {
            abort();
        }
        customs_sig_verifier_free(v);
    }
    free(text);
    return 0;
}
