/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REGISTRY_AUTH_H
#define CUSTOMS_REGISTRY_AUTH_H

/*
 * The WWW-Authenticate challenge of a registry (RFC 7235 syntax): a scheme ("Bearer",
 * "Basic") and its parameters, of which a registry uses realm, service and scope. Internal to
 * src/registry; a fuzz target reads it directly.
 */

#include "core/core.h"

#define CUSTOMS_CHALLENGE_VALUE_MAX 1024

struct customs_registry_challenge {
    char scheme[16]; /* "bearer" or "basic", lower-cased; "" when unknown */
    char realm[CUSTOMS_CHALLENGE_VALUE_MAX];
    char service[CUSTOMS_CHALLENGE_VALUE_MAX];
    char scope[CUSTOMS_CHALLENGE_VALUE_MAX];
};

/**
 * Parse one challenge header value (`len` bytes; `url` names the response in messages).
 * Unknown parameters are skipped; a value longer than CUSTOMS_CHALLENGE_VALUE_MAX - 1 is an
 * error, as is a Bearer challenge without a realm.
 * @return 0, CUSTOMS_EMALFORMED (with the byte offset), CUSTOMS_EUNSUPPORTED (another scheme)
 */
CUSTOMS_MUST_USE
int customs_registry_challenge_parse(struct customs_registry_challenge *out, const char *s,
                                     size_t len, const char *url, struct customs_error *err);

#endif /* CUSTOMS_REGISTRY_AUTH_H */
