/* SPDX-License-Identifier: Apache-2.0 */
/* The registry auth files: which entry counts for a host, what it yields, and errors that
 * name the place and never the credential. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "registry/registry.h"

/* base64("ci:s3cret-pass"), base64("hub:hub-secret"), base64("alias:alias-secret") */
#define CI_AUTH "Y2k6czNjcmV0LXBhc3M="
#define HUB_AUTH "aHViOmh1Yi1zZWNyZXQ="
#define ALIAS_AUTH "YWxpYXM6YWxpYXMtc2VjcmV0"

static int lookup_repo(struct customs_registry_auth *a, const char *doc, const char *host,
                       const char *repo, struct customs_error *err)
{
    return customs_registry_auth_lookup(a, "auth.json", doc, strlen(doc), host, repo, err);
}

static int lookup(struct customs_registry_auth *a, const char *doc, const char *host,
                  struct customs_error *err)
{
    return lookup_repo(a, doc, host, NULL, err);
}

static void authfile__base64_auth_gives_user_and_password(void **state)
{
    (void)state;
    struct customs_registry_auth a;
    struct customs_error err = {0};
    assert_int_equal(lookup(&a, "{\"auths\":{\"registry.internal:5000\":{\"auth\":\"" CI_AUTH
                                "\"}}}",
                            "registry.internal:5000", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_PASSWORD);
    assert_string_equal(a.user, "ci");
    assert_string_equal(a.secret, "s3cret-pass");
    /* another host, or the host with another port, has nothing */
    assert_int_equal(lookup(&a, "{\"auths\":{\"registry.internal:5000\":{\"auth\":\"" CI_AUTH
                                "\"}}}",
                            "registry.internal", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_NONE);
}

static void authfile__docker_hub_aliases_and_the_exact_key_first(void **state)
{
    (void)state;
    struct customs_registry_auth a;
    struct customs_error err = {0};
    assert_int_equal(lookup(&a, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" HUB_AUTH
                                "\"}}}",
                            "docker.io", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_PASSWORD);
    assert_string_equal(a.user, "hub");
    assert_int_equal(lookup(&a, "{\"auths\":{\"index.docker.io\":{\"auth\":\"" ALIAS_AUTH "\"},"
                                "\"docker.io\":{\"auth\":\"" HUB_AUTH "\"}}}",
                            "docker.io", &err),
                     0);
    assert_string_equal(a.user, "hub");
    /* a hub credential is not another registry's */
    assert_int_equal(lookup(&a, "{\"auths\":{\"docker.io\":{\"auth\":\"" HUB_AUTH "\"}}}",
                            "quay.io", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_NONE);
}

static void authfile__namespace_keys_are_not_the_hosts(void **state)
{
    (void)state;
    struct customs_registry_auth a;
    struct customs_error err = {0};
    assert_int_equal(lookup(&a, "{\"auths\":{\"quay.io/team\":{\"auth\":\"" CI_AUTH "\"}}}",
                            "quay.io", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_NONE);
    assert_int_equal(lookup(&a, "{\"auths\":{\"https://quay.io/v2/\":{\"auth\":\"" CI_AUTH
                                "\"}}}",
                            "quay.io", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_PASSWORD);
}

/* containers-auth.json(5): a key may name a namespace or a repository; the most specific wins. */
static void authfile__the_most_specific_repository_key_wins(void **state)
{
    (void)state;
    struct customs_registry_auth a;
    struct customs_error err = {0};
    const char *doc = "{\"auths\":{\"quay.io\":{\"auth\":\"" HUB_AUTH "\"},"
                      "\"quay.io/team\":{\"auth\":\"" CI_AUTH "\"},"
                      "\"quay.io/team/special\":{\"auth\":\"" ALIAS_AUTH "\"},"
                      "\"docker.io/library\":{\"auth\":\"" ALIAS_AUTH "\"}}}";
    assert_int_equal(lookup_repo(&a, doc, "quay.io", "team/app", &err), 0);
    assert_string_equal(a.user, "ci");
    assert_int_equal(lookup_repo(&a, doc, "quay.io", "team/special", &err), 0);
    assert_string_equal(a.user, "alias");
    /* a namespace is a whole path component: "team" is not "teamwork" */
    assert_int_equal(lookup_repo(&a, doc, "quay.io", "teamwork/app", &err), 0);
    assert_string_equal(a.user, "hub");
    assert_int_equal(lookup_repo(&a, doc, "quay.io", NULL, &err), 0);
    assert_string_equal(a.user, "hub");
    /* docker.io's aliases fold together for namespace keys too */
    assert_int_equal(lookup_repo(&a, doc, "index.docker.io", "library/nginx", &err), 0);
    assert_string_equal(a.user, "alias");
    assert_int_equal(lookup_repo(&a, doc, "docker.io", "other/nginx", &err), 0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_NONE);
    /* a credential helper named for a namespace, over the host's entry */
    assert_int_equal(lookup_repo(&a, "{\"auths\":{\"quay.io\":{\"auth\":\"" HUB_AUTH "\"}},"
                                     "\"credHelpers\":{\"quay.io/team\":\"vault\"}}",
                                 "quay.io", "team/app", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_HELPER);
    assert_string_equal(a.helper, "vault");
}

static void authfile__helpers_tokens_and_precedence(void **state)
{
    (void)state;
    struct customs_registry_auth a;
    struct customs_error err = {0};
    const char *doc = "{\"auths\":{\"r.example\":{\"auth\":\"" CI_AUTH "\"},"
                      "\"docker.io\":{\"identitytoken\":\"idt-123\"},\"empty.example\":{}},"
                      "\"credHelpers\":{\"r.example\":\"ecr-login\"},\"credsStore\":\"desktop\"}";
    assert_int_equal(lookup(&a, doc, "r.example", &err), 0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_HELPER);
    assert_string_equal(a.helper, "ecr-login");
    assert_string_equal(a.server, "r.example");
    assert_int_equal(lookup(&a, doc, "docker.io", &err), 0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_IDENTITY_TOKEN);
    assert_string_equal(a.user, CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER);
    assert_string_equal(a.secret, "idt-123");
    assert_int_equal(lookup(&a, doc, "empty.example", &err), 0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_HELPER);
    assert_string_equal(a.helper, "desktop");
    assert_int_equal(lookup(&a, "{\"credsStore\":\"desktop\"}", "docker.io", &err), 0);
    assert_string_equal(a.server, "https://index.docker.io/v1/");
    /* Docker's registrytoken: a bearer token sent as is, over an identity token or a password */
    assert_int_equal(lookup(&a, "{\"auths\":{\"r.example\":{\"registrytoken\":\"rgt-456\","
                                "\"identitytoken\":\"idt-123\",\"auth\":\"" CI_AUTH "\"}}}",
                            "r.example", &err),
                     0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_BEARER_TOKEN);
    assert_string_equal(a.user, CUSTOMS_REGISTRY_BEARER_TOKEN_USER);
    assert_string_equal(a.secret, "rgt-456");
    assert_int_equal(lookup(&a, "{\"auths\":{\"r.example\":{\"registrytoken\":7}}}",
                            "r.example", &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "registrytoken: not a string"));
}

static void authfile__errors_name_the_key_never_the_secret(void **state)
{
    (void)state;
    struct customs_registry_auth a;
    struct customs_error err = {0};
    /* "ci:s3cret-pass" with a character outside base64 */
    assert_int_equal(lookup(&a, "{\"auths\":{\"r.example\":{\"auth\":\"Y2k6czNjcmV0LXBhc3M*\"}}}",
                            "r.example", &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "auth.json: auths.\"r.example\".auth"));
    assert_null(strstr(err.message, "Y2k6"));
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_NONE);
    /* "ci:line\nbreak" */
    assert_int_equal(lookup(&a, "{\"auths\":{\"r.example\":{\"auth\":\"Y2k6bGluZQpicmVhaw==\"}}}",
                            "r.example", &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "control character"));
    assert_int_equal(lookup(&a, "{\"auths\":{\"r.example\":{\"password\":\"s3cret-pass",
                            "r.example", &err),
                     CUSTOMS_EMALFORMED);
    assert_null(strstr(err.message, "s3cret"));
    assert_int_equal(lookup(&a, "{\"credHelpers\":{\"r.example\":\"../bin/sh\"}}", "r.example",
                            &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "not a credential helper name"));
    assert_int_equal(lookup(&a, "{\"auths\":[]}", "r.example", &err), CUSTOMS_EMALFORMED);
}

static void authfile__helper_answers(void **state)
{
    (void)state;
    struct customs_registry_auth a;
    struct customs_error err = {0};
    const char *ok = "{\"ServerURL\":\"r.example\",\"Username\":\"ci\",\"Secret\":\"s3cret\"}";
    const char *idt = "{\"Username\":\"<token>\",\"Secret\":\"refresh-me\"}";
    const char *none = "{\"Username\":\"\",\"Secret\":\"\"}";
    const char *bad = "{\"Username\":\"ci\",\"Secret\":7}";
    assert_int_equal(customs_registry_auth_helper_parse(&a, "x", ok, strlen(ok), &err), 0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_PASSWORD);
    assert_string_equal(a.secret, "s3cret");
    assert_int_equal(customs_registry_auth_helper_parse(&a, "x", idt, strlen(idt), &err), 0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_IDENTITY_TOKEN);
    assert_int_equal(customs_registry_auth_helper_parse(&a, "x", none, strlen(none), &err), 0);
    assert_int_equal(a.kind, CUSTOMS_REGISTRY_AUTH_NONE);
    assert_int_equal(customs_registry_auth_helper_parse(&a, "x", bad, strlen(bad), &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "docker-credential-x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(authfile__base64_auth_gives_user_and_password),
        cmocka_unit_test(authfile__docker_hub_aliases_and_the_exact_key_first),
        cmocka_unit_test(authfile__namespace_keys_are_not_the_hosts),
        cmocka_unit_test(authfile__the_most_specific_repository_key_wins),
        cmocka_unit_test(authfile__helpers_tokens_and_precedence),
        cmocka_unit_test(authfile__errors_name_the_key_never_the_secret),
        cmocka_unit_test(authfile__helper_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
