/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REGISTRY_REGISTRY_H
#define CUSTOMS_REGISTRY_REGISTRY_H

/*
 * A client of the OCI Distribution API (v1.1; Docker Registry v2) over libcurl, and the
 * registry as an image source.
 *
 * One `struct customs_registry` talks to one registry host (or the mirror configured for it).
 * It is safe to use from several threads at once: every call makes its own transfer, and the
 * authentication state (bearer tokens by scope, until they expire) is shared under a lock.
 * Nothing is written to disk: manifests are read into memory (capped by max_json_bytes) and
 * blobs are streamed. Every byte handed out is verified: a manifest against the digest asked
 * for (or, fetched by tag, against the registry's Docker-Content-Digest), a blob against its
 * digest and size, both while streaming. Every failure names the URL (never a credential).
 *
 * Basic outline:
 *   1. customs_registry_ref_parse(&ref, "registry.internal:5000/app:1", len, &err);
 *   2. customs_registry_new(&reg, ref.host, &opts, &limits, &err);
 *   3. customs_registry_manifest_get(&m, reg, ref.repo, ref.tag, 0, &err): bytes, media type
 *      and digest of a manifest or index (ENOTFOUND when the tag does not exist);
 *   4. customs_registry_blob_open(&stream, reg, ref.repo, digest, size, &err), read it with
 *      stream.read() until it returns 0 bytes (it fails there if the digest does not match),
 *      stream.close(stream.ctx); or customs_registry_blob_get() for a small blob in memory;
 *   5. customs_registry_manifest_release(&m); customs_registry_free(reg).
 * customs_registry_image_open() does 1-4 for a whole image, as customs_image_open() does for
 * archives and layouts.
 *
 * Errors: CUSTOMS_ENOTFOUND (404: no such tag, manifest or blob), CUSTOMS_EMALFORMED (bad
 * answer: digest or size mismatch, unparsable document), CUSTOMS_EUNSUPPORTED (schema 1,
 * a media type customs does not read), CUSTOMS_ELIMIT (a document over max_json_bytes, a blob
 * over its declared size), CUSTOMS_ETIMEOUT (timeout_seconds ran out), CUSTOMS_EIO (refused
 * authentication, HTTP errors after the retries, connection and TLS failures), CUSTOMS_ENOMEM.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "customs/limits.h"
#include "customs/registry.h"
#include "image/image.h"

#define CUSTOMS_REGISTRY_HOST_MAX 256
#define CUSTOMS_REGISTRY_REPO_MAX 256
#define CUSTOMS_REGISTRY_TAG_MAX 129

/* ---- references ---- */

/** A parsed image reference: HOST[:PORT]/REPO[:TAG][@DIGEST]. */
struct customs_registry_ref {
    char host[CUSTOMS_REGISTRY_HOST_MAX]; /* "docker.io" for short names, "localhost:5000" */
    char repo[CUSTOMS_REGISTRY_REPO_MAX]; /* "library/nginx" */
    char tag[CUSTOMS_REGISTRY_TAG_MAX];   /* "latest" when neither tag nor digest is given */
    char digest[CUSTOMS_DIGEST_MAX];      /* "" or "sha256:<64 hex>"; wins over the tag */
};

/**
 * Parse `s` (`len` bytes, not necessarily NUL-terminated): "registry.internal:5000/app:1",
 * "nginx:1.27" (docker.io/library/nginx), "ghcr.io/org/app@sha256:...". The grammar is the
 * Distribution reference grammar (lower-case path components separated by '.', '_', '__' or
 * dashes; tags [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}); only sha256 digests are accepted.
 * @return 0, CUSTOMS_EMALFORMED (with the byte offset), CUSTOMS_EUNSUPPORTED (another digest
 *         algorithm)
 */
CUSTOMS_MUST_USE
int customs_registry_ref_parse(struct customs_registry_ref *out, const char *s, size_t len,
                               struct customs_error *err);

/** "HOST/REPO:TAG" or "HOST/REPO@DIGEST" into out (truncated to outsz). */
void customs_registry_ref_format(char *out, size_t outsz, const struct customs_registry_ref *ref);

/* ---- the client ---- */

struct customs_registry;

/**
 * A client for `host` as written in a reference ("docker.io" is reached at
 * registry-1.docker.io; a mirror in `opts` replaces the address). The first request probes
 * GET /v2/ over https; only with `opts->insecure` is the certificate left unverified, and
 * plain http tried when the TLS handshake fails. Credentials are asked for once, from
 * `opts->credentials`, when the registry first demands them.
 * @param opts    copied (the strings it points to must outlive the client); NULL: defaults
 * @param limits  borrowed for the client's lifetime
 * @return 0, CUSTOMS_EINVAL (a bad mirror), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_registry_new(struct customs_registry **out, const char *host,
                         const struct customs_registry_options *opts,
                         const struct customs_limits *limits, struct customs_error *err);
void customs_registry_free(struct customs_registry *reg);

/** The base URL the client talks to ("https://registry-1.docker.io"); borrowed. */
const char *customs_registry_base_url(const struct customs_registry *reg);
/** Does the client talk to a mirror (opts->mirrors named its host)? */
bool customs_registry_is_mirrored(const struct customs_registry *reg);
/** Whole seconds left before the client's deadline (timeout_seconds after it was made). */
uint32_t customs_registry_seconds_left(const struct customs_registry *reg);


/** A fetched manifest or index: owned by the caller, freed with _release. */
struct customs_registry_manifest {
    uint8_t *data;                   /* the exact bytes (NULL for a HEAD) */
    size_t len;
    char media_type[128];            /* from Content-Type (or the document's mediaType) */
    char digest[CUSTOMS_DIGEST_MAX]; /* sha256 of the bytes, checked */
};

enum customs_registry_manifest_flags {
    CUSTOMS_REGISTRY_HEAD = 1u << 0, /* HEAD: only digest and media type (a registry that does
                                        not send Docker-Content-Digest gets a GET instead) */
};

/**
 * GET (or HEAD) /v2/REPO/manifests/REFERENCE, REFERENCE a tag or a digest, accepting OCI
 * indexes and manifests and Docker manifest lists and schema 2 manifests. By digest, the
 * bytes must hash to it; by tag, to the Docker-Content-Digest the registry sends, if any.
 * Schema 1 manifests are refused (CUSTOMS_EUNSUPPORTED).
 * @return 0, CUSTOMS_ENOTFOUND (no such tag or digest), and the codes above
 */
CUSTOMS_MUST_USE int customs_registry_manifest_get(struct customs_registry_manifest *out,
                                                   struct customs_registry *reg, const char *repo,
                                                   const char *reference, uint32_t flags,
                                                   struct customs_error *err);
void customs_registry_manifest_release(struct customs_registry_manifest *m);

/**
 * Open blob `digest` of `repo` as a stream that verifies while it reads: more than `size`
 * bytes fail with CUSTOMS_ELIMIT as soon as they arrive; at the end, a size other than `size`
 * or a digest other than `digest` fails the last read (CUSTOMS_EMALFORMED), so whatever was
 * read must not be trusted before the stream has ended with 0 bytes. Redirects to blob
 * storage are followed (the Authorization header is never sent to another host).
 * The stream is owned by the caller (close it); it borrows `reg`, which must outlive it.
 * @param size  the size from the manifest's descriptor (required)
 * @return 0, CUSTOMS_ENOTFOUND (404), CUSTOMS_EIO, CUSTOMS_ETIMEOUT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_registry_blob_open(struct customs_blob_stream *out, struct customs_registry *reg,
                               const char *repo, const char *digest, uint64_t size,
                               struct customs_error *err);

/**
 * Read a whole blob of at most `max` bytes into memory (configs, signature payloads),
 * verified against `digest`. *data is owned by the caller (customs_free).
 * @return as customs_registry_blob_open, and CUSTOMS_ELIMIT past `max`
 */
CUSTOMS_MUST_USE
int customs_registry_blob_get(uint8_t **data, size_t *len, struct customs_registry *reg,
                              const char *repo, const char *digest, uint64_t max,
                              struct customs_error *err);

/* ---- credentials from auth files ---- */

/*
 * The credential files of containers (auth.json) and Docker (config.json) share one shape:
 *   {"auths": {"KEY": {"auth": base64("user:password")} | {"username", "password"} |
 *                     {"identitytoken"} | {"registrytoken"}}, "credHelpers": {"KEY": "NAME"},
 *    "credsStore": "NAME"}
 * KEY is a registry host ("registry.internal:5000") or a URL whose host counts
 * ("https://index.docker.io/v1/"); docker.io, index.docker.io and registry-1.docker.io are one
 * registry. A KEY with a repository path ("quay.io/team", "quay.io/team/app") names
 * credentials for that namespace or repository only, and the most specific key wins, as in
 * containers-auth.json(5). For one repository, credHelpers wins, then an auths entry with
 * credentials, then credsStore. The file is read by the caller (the CLI); the parser
 * never puts a credential in a message.
 */

enum customs_registry_auth_kind {
    CUSTOMS_REGISTRY_AUTH_NONE = 0,       /* nothing for this host */
    CUSTOMS_REGISTRY_AUTH_PASSWORD,       /* user and secret (a password or access token) */
    CUSTOMS_REGISTRY_AUTH_IDENTITY_TOKEN, /* secret is an OAuth2 refresh token; user is
                                             CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER */
    CUSTOMS_REGISTRY_AUTH_HELPER,         /* ask `docker-credential-HELPER get` for `server` */
    CUSTOMS_REGISTRY_AUTH_BEARER_TOKEN,   /* secret is a bearer token sent as is; user is
                                             CUSTOMS_REGISTRY_BEARER_TOKEN_USER */
};

#define CUSTOMS_REGISTRY_HELPER_MAX 64

struct customs_registry_auth {
    enum customs_registry_auth_kind kind;
    char user[CUSTOMS_REGISTRY_USER_MAX];
    char secret[CUSTOMS_REGISTRY_SECRET_MAX];
    char helper[CUSTOMS_REGISTRY_HELPER_MAX]; /* HELPER: [A-Za-z0-9._-]+ */
    char server[CUSTOMS_REGISTRY_HOST_MAX + 32]; /* HELPER: the server to write on its stdin
                                                   ("https://index.docker.io/v1/" for docker.io,
                                                   else the host) */
};

/**
 * What the auth file `data` (`len` bytes, named `name` in messages) says for the repository
 * `repo` ("team/app", "library/nginx"; NULL: the host as a whole) of `host` (as in a reference:
 * "docker.io", "registry.internal:5000").
 * @return 0 (out->kind NONE when nothing), CUSTOMS_EMALFORMED (not JSON, a field of the wrong
 *         type, an auth that is not base64 "user:password", a control character in a
 *         credential, a helper name that is not a plain name: the message names the file, the
 *         line and column or the key, never a credential), CUSTOMS_ELIMIT (a user name or
 *         secret over the sizes above, a file over 1 MiB), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_registry_auth_lookup(struct customs_registry_auth *out, const char *name,
                                 const void *data, size_t len, const char *host,
                                 const char *repo, struct customs_error *err);

/**
 * A credential helper's answer to `get` ({"ServerURL", "Username", "Secret"}) into out
 * (PASSWORD; IDENTITY_TOKEN when Username is "<token>"; NONE when Secret is empty).
 * `helper` names it in messages.
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT, CUSTOMS_ENOMEM (never quoting the answer)
 */
CUSTOMS_MUST_USE
int customs_registry_auth_helper_parse(struct customs_registry_auth *out, const char *helper,
                                       const void *data, size_t len, struct customs_error *err);

/** Wipe the credentials in `a` (explicit_bzero). */
void customs_registry_auth_clear(struct customs_registry_auth *a);

/* ---- the registry as an image source ---- */

/**
 * Open the image `ref` ("registry:REF" or a bare reference, as customs_registry_is_reference
 * accepts) from its registry: fetch the manifest or index, pick the platform (`platform`, or
 * NULL: linux/amd64, else the only one), fetch and verify the config. Layers are opened with
 * customs_image_open_layer(), each a verified stream (the image's blobs_verified is set).
 * The image owns its client; customs_image_free() releases both.
 * @return as customs_registry_new, _manifest_get and customs_image_open
 */
CUSTOMS_MUST_USE
int customs_registry_image_open(struct customs_image **out, const char *ref, const char *platform,
                                const struct customs_registry_options *opts,
                                const struct customs_limits *limits, struct customs_error *err);

#endif /* CUSTOMS_REGISTRY_REGISTRY_H */
