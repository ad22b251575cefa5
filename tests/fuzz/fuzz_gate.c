/* SPDX-License-Identifier: Apache-2.0 */
/* The gate's untrusted inputs: a request path (up to the first NUL) is routed, and what a route
 * lets through is checked against the API's grammar; the rest, as a manifest from the upstream
 * with a Content-Type chosen by its first byte, is classified; an error body is built around
 * the path as a message and must be valid JSON. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gate/gate.h"

static void check_route(const struct customs_gate_route *r)
{
    if (r->kind == CUSTOMS_GATE_MANIFEST || r->kind == CUSTOMS_GATE_BLOB ||
        r->kind == CUSTOMS_GATE_UPLOAD || r->kind == CUSTOMS_GATE_TAGS ||
        r->kind == CUSTOMS_GATE_REFERRERS) {
        /* nothing that could move a path on the upstream */
        if (r->name[0] == '\0' || strstr(r->name, "..") != NULL || strstr(r->name, "//") != NULL ||
            strpbrk(r->name, "%?#\\ \r\n") != NULL || strchr(r->reference, '/') != NULL ||
            strpbrk(r->reference, "%?# \r\n") != NULL || strcmp(r->reference, "..") == 0) {
            __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {
        NULL, "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8"};
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul != NULL ? (size_t)(nul - data) : size;
    char *path = malloc(plen + 1);
    if (path == NULL) {
        return 0;
    }
    memcpy(path, data, plen);
    path[plen] = '\0';
    struct customs_gate_route r;
    customs_gate_route_parse(&r, path);
    check_route(&r);
    if (nul != NULL) {
        const uint8_t *rest = nul + 1;
        size_t n = size - plen - 1;
        (void)customs_gate_manifest_kind(rest, n, types[n > 0 ? rest[0] % 4 : 0]);
    }
    size_t len = 0;
    char *body = customs_gate_error_body("DENIED", path, NULL, &len);
    if (body != NULL) {
        json_error_t jerr;
        json_t *doc = json_loadb(body, len, 0, &jerr);
        if (doc == NULL) {
            __builtin_trap();
        }
        json_decref(doc);
        customs_free(body);
    }
    free(path);
    return 0;
}
