/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the registry auth file reader (auth.json, Docker's config.json) and a credential
 * helper's answer: a lookup fails with a message or yields NUL-terminated fields of one kind,
 * a helper name that is a plain name, and no message ever quotes a credential of the input. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

/* Abort if `message` holds any string value of `doc` at least 6 bytes long that sits under a
 * credential's name (auth, password, identitytoken, Secret), anywhere in the document. */
static void check_quiet(const json_t *doc, const char *message, int depth)
{
    const char *k;
    json_t *v;
    size_t i;
    if (depth > 64) {
        return;
    }
    if (json_is_object(doc)) {
        json_object_foreach((json_t *)(uintptr_t)doc, k, v) {
            bool secret = strcmp(k, "auth") == 0 || strcmp(k, "password") == 0 ||
                          strcmp(k, "identitytoken") == 0 || strcmp(k, "Secret") == 0;
            if (secret && json_is_string(v) && json_string_length(v) >= 6 &&
                strstr(message, json_string_value(v)) != NULL) {
                abort();
            }
            check_quiet(v, message, depth + 1);
        }
    } else if (json_is_array(doc)) {
        json_array_foreach((json_t *)(uintptr_t)doc, i, v) {
            check_quiet(v, message, depth + 1);
        }
    }
}

static void check(int r, const struct customs_registry_auth *a, const struct customs_error *err,
                  const uint8_t *data, size_t size)
{
    if (r < 0) {
        if (err->message[0] == '\0') {
            abort();
        }
        json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
        if (doc != NULL) {
            check_quiet(doc, err->message, 0);
            json_decref(doc);
        }
        if (a->kind != CUSTOMS_REGISTRY_AUTH_NONE || a->secret[0] != '\0') {
            abort(); /* a failed lookup leaves nothing behind */
        }
        return;
    }
    if (memchr(a->user, '\0', sizeof(a->user)) == NULL ||
        memchr(a->secret, '\0', sizeof(a->secret)) == NULL ||
        memchr(a->helper, '\0', sizeof(a->helper)) == NULL ||
        memchr(a->server, '\0', sizeof(a->server)) == NULL) {
        abort();
    }
    switch (a->kind) {
    case CUSTOMS_REGISTRY_AUTH_NONE:
        break;
    case CUSTOMS_REGISTRY_AUTH_PASSWORD:
    case CUSTOMS_REGISTRY_AUTH_IDENTITY_TOKEN:
        if (a->secret[0] == '\0') {
            abort();
        }
        for (const char *c = a->secret; *c != '\0'; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                abort();
            }
        }
        break;
    case CUSTOMS_REGISTRY_AUTH_HELPER:
        if (a->helper[0] == '\0' || strchr(a->helper, '/') != NULL || a->helper[0] == '.') {
            abort();
        }
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hosts[] = {"docker.io", "registry.internal:5000", "127.0.0.1:5000"};
    static const char *const repos[] = {NULL, "library/nginx", "team/app"};
    struct customs_registry_auth a;
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        struct customs_error err = {0};
        int r = customs_registry_auth_lookup(&a, "fuzz.json", data, size, hosts[i], repos[i],
                                             &err);
        check(r, &a, &err, data, size);
        customs_registry_auth_clear(&a);
    }
    struct customs_error err = {0};
    int r = customs_registry_auth_helper_parse(&a, "fuzz", data, size, &err);
    check(r, &a, &err, data, size);
    customs_registry_auth_clear(&a);
    return 0;
}
