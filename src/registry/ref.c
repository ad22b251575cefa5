/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image references, parsed by hand against the Distribution reference grammar: an optional
 * registry host (a first component with a '.' or ':', or "localhost"), the repository path,
 * then ":TAG" and/or "@DIGEST". docker.io short names get their "library/" prefix.
 */
#include <string.h>
#include <sys/stat.h>

#include "registry/registry.h"

#include "core/banned.h"

#define REF_MAX 512

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int ref_error(struct customs_error *err, int code, const char *s, size_t len, size_t at,
                     const char *what)
{
    return customs_error_set(err, code, "image reference '%.*s%s': position %zu: %s",
                             (int)(len > 100 ? 100 : len), s, len > 100 ? "..." : "", at, what);
}

/* A host: DNS labels of [A-Za-z0-9-] separated by dots, or [IPv6], then an optional :PORT. */
static bool host_is_valid(const char *h, size_t n)
{
    size_t i = 0;
    if (n == 0 || n >= CUSTOMS_REGISTRY_HOST_MAX) {
        return false;
    }
    if (h[0] == '[') {
        for (i = 1; i < n && h[i] != ']'; i++) {
            char c = h[i];
            if (!(is_alnum(c) || c == ':' || c == '.' || c == '%')) {
                return false;
            }
        }
        if (i >= n || i == 1) {
            return false;
        }
        i++;
    } else {
        size_t label = 0;
        for (; i < n && h[i] != ':'; i++) {
            char c = h[i];
            if (c == '.') {
                if (label == 0 || h[i - 1] == '-') {
                    return false;
                }
                label = 0;
            } else if (is_alnum(c) || (c == '-' && label > 0)) {
                label++;
            } else {
                return false;
            }
        }
        if (label == 0 || h[i - 1] == '-') {
            return false;
        }
    }
    if (i == n) {
        return true;
    }
    if (h[i] != ':' || n - i - 1 == 0 || n - i - 1 > 5) {
        return false;
    }
    unsigned port = 0;
    for (i++; i < n; i++) {
        if (h[i] < '0' || h[i] > '9') {
            return false;
        }
        port = port * 10 + (unsigned)(h[i] - '0');
    }
    return port > 0 && port <= 65535;
}

/* One path component: [a-z0-9]+ joined by '.', '_', '__' or one or more '-'. Returns the
 * offset of the first bad byte, or n. */
static size_t component_check(const char *c, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t run = 0;
        while (i < n && is_lower_alnum(c[i])) {
            i++;
            run++;
        }
        if (run == 0) {
            return i;
        }
        if (i == n) {
            return n;
        }
        if (c[i] == '.') {
            i++;
        } else if (c[i] == '_') {
            i += (i + 1 < n && c[i + 1] == '_') ? 2 : 1;
        } else if (c[i] == '-') {
            while (i < n && c[i] == '-') {
                i++;
            }
        } else {
            return i;
        }
        if (i == n) {
            return i - 1; /* a separator must be followed by more */
        }
    }
    return n;
}

static bool tag_is_valid(const char *t, size_t n)
{
    if (n == 0 || n >= CUSTOMS_REGISTRY_TAG_MAX || t[0] == '.' || t[0] == '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(is_alnum(t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-')) {
            return false;
        }
    }
    return true;
}

static int digest_take(struct customs_registry_ref *out, const char *s, size_t len, size_t at,
                       struct customs_error *err)
{
    const char *d = s + at;
    size_t n = len - at;
    if (n > 7 && memcmp(d, "sha256:", 7) == 0) {
        if (n != 7 + 64) {
            return ref_error(err, CUSTOMS_EMALFORMED, s, len, at,
                             "a sha256 digest has 64 hexadecimal digits");
        }
        for (size_t i = 7; i < n; i++) {
            if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f'))) {
                return ref_error(err, CUSTOMS_EMALFORMED, s, len, at + i,
                                 "a digest is lower-case hexadecimal");
            }
        }
        memcpy(out->digest, d, n);
        out->digest[n] = '\0';
        return 0;
    }
    const char *colon = memchr(d, ':', n);
    if (colon != NULL && colon > d) {
        return ref_error(err, CUSTOMS_EUNSUPPORTED, s, len, at,
                         "only sha256 digests are supported");
    }
    return ref_error(err, CUSTOMS_EMALFORMED, s, len, at, "expected @sha256:<64 hex digits>");
}

int customs_registry_ref_parse(struct customs_registry_ref *out, const char *s, size_t len,
                               struct customs_error *err)
{
    memset(out, 0, sizeof(*out));
    if (len == 0) {
        return ref_error(err, CUSTOMS_EMALFORMED, s, len, 0, "empty");
    }
    if (len > REF_MAX) {
        return ref_error(err, CUSTOMS_EMALFORMED, s, len, REF_MAX, "longer than 512 bytes");
    }
    if (memchr(s, '\0', len) != NULL) {
        return ref_error(err, CUSTOMS_EMALFORMED, s, len, (size_t)((const char *)memchr(s, '\0', len) - s),
                         "a NUL byte");
    }
    size_t name_end = len;
    const char *at = memchr(s, '@', len);
    if (at != NULL) {
        name_end = (size_t)(at - s);
        int r = digest_take(out, s, len, name_end + 1, err);
        if (r < 0) {
            return r;
        }
    }
    /* ":TAG" is after the last '/' (a ':' before it is a port) */
    size_t last_slash = 0;
    bool has_slash = false;
    for (size_t i = 0; i < name_end; i++) {
        if (s[i] == '/') {
            last_slash = i;
            has_slash = true;
        }
    }
    size_t repo_end = name_end;
    for (size_t i = has_slash ? last_slash : 0; i < name_end; i++) {
        if (s[i] == ':') {
            repo_end = i;
            if (!tag_is_valid(s + i + 1, name_end - i - 1)) {
                return ref_error(err, CUSTOMS_EMALFORMED, s, len, i + 1,
                                 "a tag is 1-128 of [A-Za-z0-9_.-], not starting with '.' or '-'");
            }
            memcpy(out->tag, s + i + 1, name_end - i - 1);
            out->tag[name_end - i - 1] = '\0';
            break;
        }
    }
    if (out->tag[0] == '\0' && out->digest[0] == '\0') {
        memcpy(out->tag, "latest", 7);
    }
    /* the host, when the first component looks like one */
    size_t repo_start = 0;
    const char *first_slash = memchr(s, '/', repo_end);
    if (first_slash != NULL) {
        size_t hn = (size_t)(first_slash - s);
        bool hostlike = false;
        for (size_t i = 0; i < hn; i++) {
            hostlike |= s[i] == '.' || s[i] == ':' || (s[i] >= 'A' && s[i] <= 'Z');
        }
        hostlike |= hn == 9 && memcmp(s, "localhost", 9) == 0;
        if (hostlike) {
            if (!host_is_valid(s, hn)) {
                return ref_error(err, CUSTOMS_EMALFORMED, s, len, 0,
                                 "not a registry host (HOST[:PORT])");
            }
            memcpy(out->host, s, hn);
            out->host[hn] = '\0';
            repo_start = hn + 1;
        }
    }
    if (out->host[0] == '\0' || strcmp(out->host, "index.docker.io") == 0 ||
        strcmp(out->host, "registry-1.docker.io") == 0) {
        memcpy(out->host, "docker.io", 10);
    }
    /* the repository path */
    size_t rn = repo_end - repo_start;
    bool library = strcmp(out->host, "docker.io") == 0 &&
                   memchr(s + repo_start, '/', rn) == NULL;
    if (rn == 0) {
        return ref_error(err, CUSTOMS_EMALFORMED, s, len, repo_start, "no repository name");
    }
    if (rn + (library ? 8 : 0) >= CUSTOMS_REGISTRY_REPO_MAX) {
        return ref_error(err, CUSTOMS_EMALFORMED, s, len, repo_start,
                         "a repository name is at most 255 bytes");
    }
    for (size_t i = repo_start; i < repo_end;) {
        const char *slash = memchr(s + i, '/', repo_end - i);
        size_t cn = slash != NULL ? (size_t)(slash - (s + i)) : repo_end - i;
        size_t bad = component_check(s + i, cn);
        if (bad != cn || cn == 0) {
            return ref_error(err, CUSTOMS_EMALFORMED, s, len, i + bad,
                             "a repository path is lower-case [a-z0-9] components joined by "
                             "'.', '_', '__' or '-', separated by '/'");
        }
        i += cn + 1;
    }
    if (library) {
        memcpy(out->repo, "library/", 8);
    }
    memcpy(out->repo + (library ? 8 : 0), s + repo_start, rn);
    out->repo[rn + (library ? 8 : 0)] = '\0';
    return 0;
}

void customs_registry_ref_format(char *out, size_t outsz, const struct customs_registry_ref *ref)
{
    if (ref->digest[0] != '\0') {
        snprintf(out, outsz, "%s/%s@%s", ref->host, ref->repo, ref->digest);
    } else {
        snprintf(out, outsz, "%s/%s:%s", ref->host, ref->repo, ref->tag);
    }
}

bool customs_registry_is_reference(const char *target)
{
    static const char *const path_prefixes[] = {"docker-archive:", "oci:", "dir:"};
    static const char *const path_suffixes[] = {".tar", ".tgz", ".tar.gz", ".tar.zst"};
    struct customs_registry_ref ref;
    struct customs_error err;
    struct stat st;
    if (customs_str_has_prefix(target, "registry:")) {
        return true;
    }
    for (size_t i = 0; i < sizeof(path_prefixes) / sizeof(path_prefixes[0]); i++) {
        if (customs_str_has_prefix(target, path_prefixes[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < sizeof(path_suffixes) / sizeof(path_suffixes[0]); i++) {
        if (customs_str_has_suffix(target, path_suffixes[i])) {
            return false;
        }
    }
    if (target[0] == '/' || target[0] == '.' || target[0] == '~' || target[0] == '\0' ||
        lstat(target, &st) == 0) {
        return false;
    }
    const char *last_slash = strrchr(target, '/');
    bool explicit_ref = last_slash != NULL || strchr(target, ':') != NULL ||
                        strchr(target, '@') != NULL;
    return explicit_ref && customs_registry_ref_parse(&ref, target, strlen(target), &err) == 0;
}
