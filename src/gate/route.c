/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request paths of the Distribution API, parsed strictly: the gate forwards a request only
 * when its path is one the API defines, with a name, tag, digest or upload id of the spec's
 * grammar, so nothing the upstream might read differently ("..", escapes, empty components)
 * gets through.
 */
#include <string.h>

#include "gate/gate.h"

#include "core/banned.h"

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_hex(char c)
{
    return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

/* One name component: [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )* */
static bool component_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_lower_alnum(s[0])) {
        return false;
    }
    while (i < n) {
        while (i < n && is_lower_alnum(s[i])) {
            i++;
        }
        if (i == n) {
            return true;
        }
        size_t sep = i;
        if (s[i] == '.') {
            i++;
        } else if (s[i] == '_') {
            i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
        } else if (s[i] == '-') {
            while (i < n && s[i] == '-') {
                i++;
            }
        } else {
            return false;
        }
        if (i == sep || i == n || !is_lower_alnum(s[i])) {
            return false;
        }
    }
    return true;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= CUSTOMS_GATE_NAME_MAX) {
        return false;
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (!component_ok(s + start, i - start)) {
                return false;
            }
            start = i + 1;
        }
    }
    return true;
}

static bool tag_ok(const char *s, size_t n)
{
    if (n == 0 || n > 128) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_';
        if (!word && (i == 0 || (c != '.' && c != '-'))) {
            return false;
        }
    }
    return true;
}

static bool digest_ok(const char *s, size_t n)
{
    size_t hex;
    if (n > 7 && memcmp(s, "sha256:", 7) == 0) {
        hex = 64;
    } else if (n > 7 && memcmp(s, "sha512:", 7) == 0) {
        hex = 128;
    } else {
        return false;
    }
    if (n != 7 + hex) {
        return false;
    }
    for (size_t i = 7; i < n; i++) {
        if (!is_hex(s[i])) {
            return false;
        }
    }
    return true;
}

/* Upload ids are the registry's own (UUIDs, opaque tokens): URL-safe characters only. */
static bool upload_id_ok(const char *s, size_t n)
{
    if (n >= CUSTOMS_GATE_REF_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '=' || c == '~' || (c == '.' && i > 0);
        if (!ok) {
            return false;
        }
    }
    return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix, size_t *head)
{
    size_t k = strlen(suffix);
    if (n < k + 1 || memcmp(s + n - k, suffix, k) != 0 || s[n - k - 1] != '/') {
        return false;
    }
    *head = n - k - 1;
    return true;
}

static void set(struct customs_gate_route *out, enum customs_gate_route_kind kind,
                const char *name, size_t nlen, const char *ref, size_t rlen)
{
    out->kind = kind;
    memcpy(out->name, name, nlen);
    out->name[nlen] = '\0';
    memcpy(out->reference, ref, rlen);
    out->reference[rlen] = '\0';
}

void customs_gate_route_parse(struct customs_gate_route *out, const char *path)
{
    memset(out, 0, sizeof(*out));
    out->kind = CUSTOMS_GATE_INVALID;
    if (strncmp(path, "/v2", 3) != 0 || (path[3] != '\0' && path[3] != '/')) {
        out->kind = CUSTOMS_GATE_OUTSIDE;
        return;
    }
    const char *rest = path[3] == '\0' ? "" : path + 4;
    size_t n = strlen(rest);
    if (n == 0) {
        out->kind = CUSTOMS_GATE_BASE;
        return;
    }
    if (strcmp(rest, "_catalog") == 0) {
        out->kind = CUSTOMS_GATE_CATALOG;
        return;
    }
    const char *slash = strrchr(rest, '/');
    if (slash == NULL) {
        return;
    }
    const char *last = slash + 1;
    size_t llen = n - (size_t)(last - rest);
    size_t hlen = (size_t)(slash - rest);
    size_t nlen;
    if (ends_with(rest, hlen, "blobs/uploads", &nlen)) {
        if (name_ok(rest, nlen) && upload_id_ok(last, llen)) {
            set(out, CUSTOMS_GATE_UPLOAD, rest, nlen, last, llen);
        }
    } else if (ends_with(rest, hlen, "manifests", &nlen)) {
        bool digest = digest_ok(last, llen);
        if (name_ok(rest, nlen) && (digest || tag_ok(last, llen))) {
            set(out, CUSTOMS_GATE_MANIFEST, rest, nlen, last, llen);
            out->by_digest = digest;
        }
    } else if (ends_with(rest, hlen, "blobs", &nlen)) {
        if (name_ok(rest, nlen) && digest_ok(last, llen)) {
            set(out, CUSTOMS_GATE_BLOB, rest, nlen, last, llen);
            out->by_digest = true;
        }
    } else if (ends_with(rest, hlen, "referrers", &nlen)) {
        if (name_ok(rest, nlen) && digest_ok(last, llen)) {
            set(out, CUSTOMS_GATE_REFERRERS, rest, nlen, last, llen);
            out->by_digest = true;
        }
    } else if (ends_with(rest, hlen, "tags", &nlen) && strcmp(last, "list") == 0) {
        if (name_ok(rest, nlen)) {
            set(out, CUSTOMS_GATE_TAGS, rest, nlen, "", 0);
        }
    }
}

const char *customs_gate_route_name(enum customs_gate_route_kind kind)
{
    switch (kind) {
    case CUSTOMS_GATE_OUTSIDE: return "outside";
    case CUSTOMS_GATE_INVALID: return "invalid";
    case CUSTOMS_GATE_BASE: return "base";
    case CUSTOMS_GATE_CATALOG: return "catalog";
    case CUSTOMS_GATE_MANIFEST: return "manifest";
    case CUSTOMS_GATE_BLOB: return "blob";
    case CUSTOMS_GATE_UPLOAD: return "upload";
    case CUSTOMS_GATE_TAGS: return "tags";
    case CUSTOMS_GATE_REFERRERS: return "referrers";
    }
    return "invalid";
}
