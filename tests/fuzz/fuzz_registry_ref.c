/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the image reference parser: any input either fails with a message or parses into a
 * reference whose formatted form parses back to the same reference.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_registry_ref a;
    struct customs_registry_ref b;
    struct customs_error err = {0};
    char text[CUSTOMS_REGISTRY_HOST_MAX + CUSTOMS_REGISTRY_REPO_MAX + CUSTOMS_DIGEST_MAX + 8];
    int r = customs_registry_ref_parse(&a, (const char *)data, size, &err);
    if (r < 0) {
        if (err.message[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (a.host[0] == '\0' || a.repo[0] == '\0' || (a.tag[0] == '\0' && a.digest[0] == '\0')) {
        abort();
    }
    customs_registry_ref_format(text, sizeof(text), &a);
    if (customs_registry_ref_parse(&b, text, strlen(text), &err) != 0 ||
        strcmp(a.host, b.host) != 0 || strcmp(a.repo, b.repo) != 0 ||
        (a.digest[0] != '\0' ? strcmp(a.digest, b.digest) != 0 : strcmp(a.tag, b.tag) != 0)) {
        abort();
    }
    return 0;
}
