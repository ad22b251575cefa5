/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REGISTRY_H
#define CUSTOMS_REGISTRY_H

/*
 * How customs reaches image registries (the OCI Distribution API): the options a caller hands
 * to customs_scan() (struct customs_scan_options.registry) or to a registry client. The
 * library reads no environment and no credential file: the caller (the CLI) finds credentials
 * and answers the `credentials` callback for one host at a time.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "customs/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CUSTOMS_REGISTRY_USER_MAX 256
#define CUSTOMS_REGISTRY_SECRET_MAX 8192

/* The user name that says the secret is an identity token (an OAuth2 refresh token, as
 * `docker login` stores for some registries), exchanged at the token realm for access tokens. */
#define CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER "<token>"

/* The user name that says the secret is a registry token (Docker's "registrytoken"): a bearer
 * token sent as is, in answer to a Bearer challenge, never exchanged at the token realm. */
#define CUSTOMS_REGISTRY_BEARER_TOKEN_USER "<registrytoken>"

/**
 * Credentials for the repository `repo` ("team/app"; NULL when the request names none) of
 * `host` ("registry.internal:5000", "docker.io"; for a mirror, the mirror's HOST[:PORT], so
 * that a registry's credentials never go to its mirror): copy the user name
 * and the password (or token) into the buffers, NUL-terminated, and return 1 (user
 * CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER: the secret is an identity token;
 * CUSTOMS_REGISTRY_BEARER_TOKEN_USER: a bearer token to send as is); return 0 when there
 * are none (anonymous); a negative CUSTOMS_E* code with `err` set when looking them up failed.
 * Asked again when a client meets a challenge for another repository. May be called from
 * several threads, never at once for one client.
 */
typedef int (*customs_registry_credentials_fn)(char user[CUSTOMS_REGISTRY_USER_MAX],
                                               char secret[CUSTOMS_REGISTRY_SECRET_MAX],
                                               const char *host, const char *repo,
                                               void *payload, struct customs_error *err);

struct customs_registry_options {
    bool insecure;              /* allow plain http and unverified TLS (never otherwise) */
    uint32_t timeout_seconds;   /* the whole conversation with the registry, retries included
                                   (default 60; 0: the default) */
    uint32_t connect_timeout_seconds; /* one connection attempt (default 10) */
    uint32_t low_speed_seconds; /* a transfer below 1 KiB/s for this long is stalled (20) */
    uint32_t max_retries;       /* after a 429, a 5xx or a failed connection (default 4) */
    uint32_t max_retry_after;   /* Retry-After is honoured up to this many seconds (10) */
    uint32_t max_redirects;     /* redirects followed for one request (default 5) */
    const char *const *mirrors; /* NULL-terminated "HOST=URL" ("docker.io=http://127.0.0.1:5001"):
                                   HOST's repositories are fetched from URL; or NULL */
    const char *ca_file;        /* extra CA bundle (PEM) for TLS, or NULL: the system's */
    customs_registry_credentials_fn credentials; /* NULL: anonymous only */
    void *credentials_payload;
};

/** Fill `out` with the defaults above. */
CUSTOMS_API void customs_registry_options_default(struct customs_registry_options *out);

/**
 * Is `target` (as given to customs_scan) an image reference rather than a path? "registry:REF"
 * always is; a bare target is one only when no file or directory of that name exists, it does
 * not look like a path (no leading '/', '.', '~', no .tar/.tgz ending) and it parses as a
 * reference with a tag, a digest or a '/' ("nginx:1.27", "ghcr.io/org/app", not "nginx").
 */
CUSTOMS_API bool customs_registry_is_reference(const char *target);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_REGISTRY_H */
