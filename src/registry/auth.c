/* SPDX-License-Identifier: Apache-2.0 */
/* The WWW-Authenticate challenge: SCHEME [param=value *(, param=value)], values a token or a
 * quoted string with backslash escapes. */
#include "registry/auth.h"

#include <string.h>

#include "core/banned.h"

static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~/:=", c) != NULL);
}

static void skip_ws(const char *s, size_t len, size_t *i)
{
    while (*i < len && (s[*i] == ' ' || s[*i] == '\t')) {
        (*i)++;
    }
}

static int challenge_error(struct customs_error *err, const char *url, size_t at, const char *what)
{
    return customs_error_set(err, CUSTOMS_EMALFORMED,
                             "%s: WWW-Authenticate header: position %zu: %s", url, at, what);
}

int customs_registry_challenge_parse(struct customs_registry_challenge *out, const char *s,
                                     size_t len, const char *url, struct customs_error *err)
{
    size_t i = 0;
    memset(out, 0, sizeof(*out));
    skip_ws(s, len, &i);
    size_t start = i;
    while (i < len && is_tchar(s[i]) && s[i] != '=') {
        i++;
    }
    size_t sn = i - start;
    if (sn == 0) {
        return challenge_error(err, url, i, "no authentication scheme");
    }
    if (sn == 6 && strncasecmp(s + start, "bearer", 6) == 0) {
        memcpy(out->scheme, "bearer", 7);
    } else if (sn == 5 && strncasecmp(s + start, "basic", 5) == 0) {
        memcpy(out->scheme, "basic", 6);
    } else {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: the registry asks for authentication scheme '%.*s' (customs "
                                 "speaks Bearer and Basic)",
                                 url, (int)(sn > 32 ? 32 : sn), s + start);
    }
    while (i < len) {
        char value[CUSTOMS_CHALLENGE_VALUE_MAX];
        size_t vn = 0;
        skip_ws(s, len, &i);
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        if (i == len) {
            break;
        }
        size_t ks = i;
        while (i < len && is_tchar(s[i]) && s[i] != '=') {
            i++;
        }
        size_t kn = i - ks;
        skip_ws(s, len, &i);
        if (kn == 0 || i >= len || s[i] != '=') {
            return challenge_error(err, url, i, "expected name=value");
        }
        i++;
        skip_ws(s, len, &i);
        if (i < len && s[i] == '"') {
            for (i++;; i++) {
                if (i >= len) {
                    return challenge_error(err, url, i, "unterminated quoted string");
                }
                char c = s[i];
                if (c == '"') {
                    i++;
                    break;
                }
                if (c == '\\') {
                    if (++i >= len) {
                        return challenge_error(err, url, i, "unterminated quoted string");
                    }
                    c = s[i];
                }
                if ((unsigned char)c < 0x20 || c == 0x7f) {
                    return challenge_error(err, url, i, "a control character");
                }
                if (vn + 1 >= sizeof(value)) {
                    return challenge_error(err, url, i, "a value longer than 1023 bytes");
                }
                value[vn++] = c;
            }
        } else {
            while (i < len && is_tchar(s[i])) {
                if (vn + 1 >= sizeof(value)) {
                    return challenge_error(err, url, i, "a value longer than 1023 bytes");
                }
                value[vn++] = s[i++];
            }
            if (vn == 0) {
                return challenge_error(err, url, i, "an empty value");
            }
        }
        value[vn] = '\0';
        char *dst = NULL;
        if (kn == 5 && strncasecmp(s + ks, "realm", 5) == 0) {
            dst = out->realm;
        } else if (kn == 7 && strncasecmp(s + ks, "service", 7) == 0) {
            dst = out->service;
        } else if (kn == 5 && strncasecmp(s + ks, "scope", 5) == 0) {
            dst = out->scope;
        }
        if (dst != NULL) {
            memcpy(dst, value, vn + 1);
        }
        skip_ws(s, len, &i);
        if (i < len && s[i] != ',') {
            return challenge_error(err, url, i, "expected ',' between parameters");
        }
    }
    if (strcmp(out->scheme, "bearer") == 0 && out->realm[0] == '\0') {
        return challenge_error(err, url, len, "a Bearer challenge without a realm");
    }
    return 0;
}
