/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the WWW-Authenticate challenge parser: a parse fails with a message or yields
 * NUL-terminated values, and a Bearer challenge always has a realm. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_registry_challenge ch;
    struct customs_error err = {0};
    int r = customs_registry_challenge_parse(&ch, (const char *)data, size, "https://fuzz/v2/",
                                             &err);
    if (r < 0) {
        if (err.message[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (strlen(ch.realm) >= sizeof(ch.realm) || strlen(ch.service) >= sizeof(ch.service) ||
        strlen(ch.scope) >= sizeof(ch.scope)) {
        abort();
    }
    if (strcmp(ch.scheme, "bearer") == 0 && ch.realm[0] == '\0') {
        abort();
    }
    return 0;
}
