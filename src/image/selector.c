/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Naming one image of several: the selector after the path in "oci:PATH:SEL" and
 * "docker-archive:PATH:SEL" (the syntax of containers-transports(5), as skopeo reads it), and
 * the comparison of Docker references ("nginx" is "docker.io/library/nginx:latest").
 */
#include <string.h>

#include "image/image.h"

#include "core/banned.h"

#define SELECTOR_MAX 512
#define TAG_MAX 128

static bool selector_is_printable(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (*c <= 0x20 || *c >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* The tag of a Docker reference: after the last ':' that follows the last '/'; or NULL. */
static const char *docker_ref_tag(const char *s)
{
    const char *slash = strrchr(s, '/');
    const char *colon = strrchr(s, ':');
    return colon != NULL && (slash == NULL || colon > slash) ? colon : NULL;
}

static bool docker_tag_is_valid(const char *t, size_t len)
{
    if (len == 0 || len > TAG_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-')) {
            return false;
        }
    }
    return true;
}

int customs_image_selector_parse(struct customs_image_selector *out, const char *text,
                                 bool docker, struct customs_error *err)
{
    size_t len = strlen(text);
    memset(out, 0, sizeof(*out));
    out->text = text;
    if (len == 0) {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "an empty image selector after the path's ':'");
    }
    if (len > SELECTOR_MAX || !selector_is_printable(text)) {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "the image selector is not %s (at most %d printable characters)",
                                 docker ? "REPO[:TAG] or @INDEX" : "a name, sha256:DIGEST or @INDEX",
                                 SELECTOR_MAX);
    }
    if (text[0] == '@') {
        uint64_t v = 0;
        if (len < 2 || len > 10) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "image selector '%s': @INDEX is a zero-based number", text);
        }
        for (size_t i = 1; i < len; i++) {
            if (text[i] < '0' || text[i] > '9') {
                return customs_error_set(err, CUSTOMS_EINVAL,
                                         "image selector '%s': @INDEX is a zero-based number",
                                         text);
            }
            v = v * 10 + (uint64_t)(text[i] - '0');
        }
        out->kind = CUSTOMS_SELECT_INDEX;
        out->index = v;
        return 0;
    }
    if (!docker && customs_str_has_prefix(text, "sha256:")) {
        if (!customs_digest_is_valid(text)) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "image selector '%s': a digest is sha256: and 64 lower-case "
                                     "hex digits",
                                     text);
        }
        out->kind = CUSTOMS_SELECT_DIGEST;
        return 0;
    }
    if (docker) {
        const char *tag = docker_ref_tag(text);
        if (strchr(text, '@') != NULL) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "image selector '%s': a docker-archive image is named "
                                     "REPO[:TAG] (no digest) or @INDEX",
                                     text);
        }
        if (tag == text || text[len - 1] == '/' || text[0] == '/' ||
            (tag != NULL && !docker_tag_is_valid(tag + 1, strlen(tag + 1)))) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "image selector '%s': expected REPO[:TAG]", text);
        }
    }
    out->kind = CUSTOMS_SELECT_NAME;
    return 0;
}

/* "nginx" -> "docker.io/library/nginx:latest", as Docker expands a familiar name. */
static bool docker_ref_normalize(char *out, size_t outsz, const char *s)
{
    const char *tag = docker_ref_tag(s);
    size_t name_len = tag != NULL ? (size_t)(tag - s) : strlen(s);
    const char *first_slash = memchr(s, '/', name_len);
    const char *domain = "docker.io";
    const char *rest = s;
    size_t domain_len = strlen(domain);
    if (first_slash != NULL) {
        size_t flen = (size_t)(first_slash - s);
        bool is_domain = memchr(s, '.', flen) != NULL || memchr(s, ':', flen) != NULL ||
                         (flen == 9 && memcmp(s, "localhost", 9) == 0);
        if (is_domain) {
            domain = s;
            domain_len = flen;
            rest = first_slash + 1;
            if (flen == 15 && memcmp(s, "index.docker.io", 15) == 0) {
                domain = "docker.io";
                domain_len = 9;
            }
        }
    }
    size_t rest_len = name_len - (size_t)(rest - s);
    bool official = domain_len == 9 && memcmp(domain, "docker.io", 9) == 0 &&
                    memchr(rest, '/', rest_len) == NULL;
    int n = snprintf(out, outsz, "%.*s/%s%.*s:%s", (int)domain_len, domain,
                     official ? "library/" : "", (int)rest_len, rest,
                     tag != NULL ? tag + 1 : "latest");
    return n > 0 && (size_t)n < outsz && rest_len > 0;
}

bool customs_docker_ref_equal(const char *a, const char *b)
{
    char na[SELECTOR_MAX + 64];
    char nb[SELECTOR_MAX + 64];
    if (strcmp(a, b) == 0) {
        return true;
    }
    return docker_ref_normalize(na, sizeof(na), a) && docker_ref_normalize(nb, sizeof(nb), b) &&
           strcmp(na, nb) == 0;
}
