/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The credential files of containers and Docker, read for one repository of one host: the keys
 * of "auths" and "credHelpers" split into the host they name (docker.io's aliases folded
 * together) and an optional repository path, the most specific match taken (the longest path
 * that is the repository or one of its namespaces, then the host as written, then an alias).
 * Credentials are copied out and checked (base64, sizes, no control characters); messages name
 * the file and the key, never a value.
 */
#include "registry/registry.h"

#include <string.h>
#include <strings.h>

#include "formats/json.h"

#include "core/banned.h"

#define AUTHFILE_MAX ((size_t)1 << 20)
#define KEY_SHOWN 100 /* bytes of a key quoted in a message */

void customs_registry_auth_clear(struct customs_registry_auth *a)
{
    explicit_bzero(a, sizeof(*a));
}

/* The host a key of auths or credHelpers names ("https://index.docker.io/v1/" names
 * index.docker.io), lower-cased, and its repository path (containers' "quay.io/team" names the
 * namespace "team"; a URL's path is not one): *path NULL when the key has none. False for a key
 * whose host is empty or too long. */
static bool key_host(char *out, size_t outsz, const char **path, const char *key)
{
    bool url = false;
    *path = NULL;
    if (strncasecmp(key, "https://", 8) == 0) {
        key += 8;
        url = true;
    } else if (strncasecmp(key, "http://", 7) == 0) {
        key += 7;
        url = true;
    }
    size_t n = strcspn(key, "/");
    if (n == 0 || n >= outsz) {
        return false;
    }
    if (key[n] == '/' && !url) {
        *path = key + n + 1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    out[n] = '\0';
    return true;
}

static bool host_is_docker_hub(const char *h)
{
    return strcasecmp(h, "docker.io") == 0 || strcasecmp(h, "index.docker.io") == 0 ||
           strcasecmp(h, "registry-1.docker.io") == 0;
}

/* Is `path` the repository `repo` or one of its namespaces ("team" of "team/app")? */
static bool path_covers(const char *path, const char *repo)
{
    size_t n = strlen(path);
    return n > 0 && repo != NULL && strncmp(repo, path, n) == 0 &&
           (repo[n] == '\0' || repo[n] == '/');
}

/* How well the key names `repo` of `host`: 0 not at all; else higher for the more specific
 * (a longer repository path first, then the host as written before an alias of it). */
static size_t key_match(const char *key, const char *host, const char *repo)
{
    char kh[CUSTOMS_REGISTRY_HOST_MAX];
    const char *path;
    size_t score;
    if (!key_host(kh, sizeof(kh), &path, key)) {
        return 0;
    }
    if (strcasecmp(kh, host) == 0) {
        score = 2;
    } else if (host_is_docker_hub(kh) && host_is_docker_hub(host)) {
        score = 1;
    } else {
        return 0;
    }
    if (path == NULL) {
        return score;
    }
    return path_covers(path, repo) ? score + 4 * (strlen(path) + 1) : 0;
}

/* The best-matching member of `obj` for `repo` of `host`, or NULL; its key into *key. */
static const json_t *best_member(json_t *obj, const char *host, const char *repo,
                                 const char **key)
{
    const char *k;
    json_t *v;
    const json_t *best = NULL;
    size_t best_score = 0;
    *key = NULL;
    json_object_foreach(obj, k, v) {
        size_t score = key_match(k, host, repo);
        if (score > best_score) {
            best = v;
            best_score = score;
            *key = k;
        }
    }
    return best;
}

static bool has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return true;
        }
    }
    return false;
}

static bool helper_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CUSTOMS_REGISTRY_HELPER_MAX || s[0] == '.' || s[0] == '-') {
        return false;
    }
    for (; *s != '\0'; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* Copy a user name and a secret into out, checked; `what` names their place in messages. */
static int creds_set(struct customs_registry_auth *out, enum customs_registry_auth_kind kind,
                     const char *user, size_t un, const char *secret, size_t sn,
                     const char *name, const char *what, struct customs_error *err)
{
    if (un >= sizeof(out->user)) {
        return customs_error_set(err, CUSTOMS_ELIMIT,
                                 "%s: %s: the user name is longer than %zu bytes", name, what,
                                 sizeof(out->user) - 1);
    }
    if (sn >= sizeof(out->secret)) {
        return customs_error_set(err, CUSTOMS_ELIMIT,
                                 "%s: %s: the secret is longer than %zu bytes", name, what,
                                 sizeof(out->secret) - 1);
    }
    if (has_control(user, un) || has_control(secret, sn)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: %s: a control character in the credentials", name, what);
    }
    out->kind = kind;
    memcpy(out->user, user, un);
    out->user[un] = '\0';
    memcpy(out->secret, secret, sn);
    out->secret[sn] = '\0';
    return 0;
}

/* One "auths" entry: registrytoken, identitytoken, auth, or username and password (in that
 * order). */
static int entry_parse(struct customs_registry_auth *out, const json_t *e, const char *name,
                       const char *key, struct customs_error *err)
{
    char what[KEY_SHOWN + 32];
    snprintf(what, sizeof(what), "auths.\"%.*s\"", KEY_SHOWN, key);
    if (!json_is_object(e)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s: not an object", name, what);
    }
    static const char *const fields[] = {"auth", "username", "password", "identitytoken",
                                         "registrytoken"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const json_t *f = json_object_get(e, fields[i]);
        if (f != NULL && !json_is_string(f) && !json_is_null(f)) {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s.%s: not a string", name,
                                     what, fields[i]);
        }
    }
    /* tokens first: a registry token (sent as is), then an identity token (exchanged) */
    static const struct {
        const char *field;
        enum customs_registry_auth_kind kind;
        const char *user;
    } tokens[] = {
        {"registrytoken", CUSTOMS_REGISTRY_AUTH_BEARER_TOKEN, CUSTOMS_REGISTRY_BEARER_TOKEN_USER},
        {"identitytoken", CUSTOMS_REGISTRY_AUTH_IDENTITY_TOKEN,
         CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER},
    };
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        const char *tok = customs_json_str(e, tokens[i].field);
        if (tok != NULL && tok[0] != '\0') {
            snprintf(what + strlen(what), sizeof(what) - strlen(what), ".%s", tokens[i].field);
            return creds_set(out, tokens[i].kind, tokens[i].user, strlen(tokens[i].user), tok,
                             strlen(tok), name, what, err);
        }
    }
    const char *auth = customs_json_str(e, "auth");
    const char *user = customs_json_str(e, "username");
    const char *pass = customs_json_str(e, "password");
    if (auth != NULL && auth[0] != '\0') {
        uint8_t buf[CUSTOMS_REGISTRY_USER_MAX + CUSTOMS_REGISTRY_SECRET_MAX];
        size_t an = strlen(auth);
        snprintf(what + strlen(what), sizeof(what) - strlen(what), ".auth");
        long dn = an <= sizeof(buf) / 3 * 4 + 4
                      ? customs_base64_decode(buf, sizeof(buf), auth, an, false)
                      : -2;
        const uint8_t *colon = dn > 0 ? memchr(buf, ':', (size_t)dn) : NULL;
        int r;
        if (dn == -2) {
            r = customs_error_set(err, CUSTOMS_ELIMIT, "%s: %s: longer than %zu bytes", name,
                                  what, sizeof(buf) / 3 * 4);
        } else if (colon == NULL || colon == buf) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                  "%s: %s: not the base64 of \"user:password\"", name, what);
        } else {
            size_t un = (size_t)(colon - buf);
            r = creds_set(out, CUSTOMS_REGISTRY_AUTH_PASSWORD, (const char *)buf, un,
                          (const char *)colon + 1, (size_t)dn - un - 1, name, what, err);
        }
        explicit_bzero(buf, sizeof(buf));
        return r;
    }
    if (user != NULL && user[0] != '\0' && pass != NULL && pass[0] != '\0') {
        return creds_set(out, CUSTOMS_REGISTRY_AUTH_PASSWORD, user, strlen(user), pass,
                         strlen(pass), name, what, err);
    }
    return 0;
}

static int helper_set(struct customs_registry_auth *out, const char *helper, const char *host,
                      const char *name, const char *what, struct customs_error *err)
{
    if (!helper_name_ok(helper)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: %s: '%.*s' is not a credential helper name ([A-Za-z0-9._-], "
                                 "at most %d bytes)",
                                 name, what, KEY_SHOWN, helper, CUSTOMS_REGISTRY_HELPER_MAX - 1);
    }
    out->kind = CUSTOMS_REGISTRY_AUTH_HELPER;
    snprintf(out->helper, sizeof(out->helper), "%s", helper);
    snprintf(out->server, sizeof(out->server), "%s",
             host_is_docker_hub(host) ? "https://index.docker.io/v1/" : host);
    return 0;
}

int customs_registry_auth_lookup(struct customs_registry_auth *out, const char *name,
                                 const void *data, size_t len, const char *host,
                                 const char *repo, struct customs_error *err)
{
    json_t *doc = NULL;
    const char *key = NULL;
    char what[KEY_SHOWN + 32];
    int r;
    memset(out, 0, sizeof(*out));
    if (strlen(host) >= CUSTOMS_REGISTRY_HOST_MAX) {
        return customs_error_set(err, CUSTOMS_EINVAL, "registry host too long");
    }
    r = customs_json_parse(&doc, name, data, len, AUTHFILE_MAX, err);
    if (r < 0) {
        return r;
    }
    json_t *auths = json_object_get(doc, "auths");
    json_t *helpers = json_object_get(doc, "credHelpers");
    const json_t *store = json_object_get(doc, "credsStore");
    if (!json_is_object(doc)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: not a JSON object", name);
    } else if (auths != NULL && !json_is_object(auths) && !json_is_null(auths)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: auths: not an object", name);
    } else if (helpers != NULL && !json_is_object(helpers) && !json_is_null(helpers)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: credHelpers: not an object", name);
    } else if (store != NULL && !json_is_string(store) && !json_is_null(store)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: credsStore: not a string", name);
    }
    if (r < 0) {
        goto out;
    }
    const json_t *helper = json_is_object(helpers) ? best_member(helpers, host, repo, &key) : NULL;
    if (helper != NULL) {
        snprintf(what, sizeof(what), "credHelpers.\"%.*s\"", KEY_SHOWN, key);
        if (!json_is_string(helper)) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s: not a string", name, what);
        } else {
            r = helper_set(out, json_string_value(helper), host, name, what, err);
        }
        goto out;
    }
    const json_t *entry = json_is_object(auths) ? best_member(auths, host, repo, &key) : NULL;
    if (entry != NULL) {
        r = entry_parse(out, entry, name, key, err);
        if (r < 0 || out->kind != CUSTOMS_REGISTRY_AUTH_NONE) {
            goto out;
        }
    }
    if (json_is_string(store) && json_string_length(store) > 0) {
        r = helper_set(out, json_string_value(store), host, name, "credsStore", err);
    }
out:
    json_decref(doc);
    if (r < 0) {
        customs_registry_auth_clear(out);
    }
    return r;
}

int customs_registry_auth_helper_parse(struct customs_registry_auth *out, const char *helper,
                                       const void *data, size_t len, struct customs_error *err)
{
    json_t *doc = NULL;
    char name[CUSTOMS_REGISTRY_HELPER_MAX + 48];
    int r;
    memset(out, 0, sizeof(*out));
    snprintf(name, sizeof(name), "the answer of docker-credential-%s", helper);
    r = customs_json_parse(&doc, name, data, len, AUTHFILE_MAX, err);
    if (r < 0) {
        return r;
    }
    const json_t *user = json_object_get(doc, "Username");
    const json_t *secret = json_object_get(doc, "Secret");
    if (!json_is_object(doc)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: not a JSON object", name);
    } else if ((user != NULL && !json_is_string(user) && !json_is_null(user)) ||
               (secret != NULL && !json_is_string(secret) && !json_is_null(secret))) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: Username and Secret must be strings",
                              name);
    } else if (json_is_string(secret) && json_string_length(secret) > 0) {
        const char *u = json_is_string(user) ? json_string_value(user) : "";
        size_t un = json_is_string(user) ? json_string_length(user) : 0;
        bool idt = strcmp(u, CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER) == 0;
        if (memchr(json_string_value(secret), '\0', json_string_length(secret)) != NULL ||
            memchr(u, '\0', un) != NULL) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: a NUL in the credentials", name);
        } else {
            r = creds_set(out,
                          idt ? CUSTOMS_REGISTRY_AUTH_IDENTITY_TOKEN
                              : CUSTOMS_REGISTRY_AUTH_PASSWORD,
                          u, un, json_string_value(secret), json_string_length(secret), name,
                          "Secret", err);
        }
    }
    json_decref(doc);
    if (r < 0) {
        customs_registry_auth_clear(out);
    }
    return r;
}
