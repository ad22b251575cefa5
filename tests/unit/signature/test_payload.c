/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "signature/signature.h"

#define DIGEST "sha256:abababababababababababababababababababababababababababababababab"
#define PAYLOAD(crit)                                                                           \
    "{\"critical\":{" crit "},\"optional\":null}"
#define GOOD_CRIT                                                                               \
    "\"identity\":{\"docker-reference\":\"registry.test:5000/team/app\"},"                      \
    "\"image\":{\"docker-manifest-digest\":\"" DIGEST "\"},"                                    \
    "\"type\":\"cosign container image signature\""

static int parse(struct customs_sig_payload *p, const char *text, struct customs_error *err)
{
    return customs_sig_payload_parse(p, "test", text, strlen(text), err);
}

static void payload__reads_cosign_fields(void **state)
{
    struct customs_sig_payload p;
    struct customs_error err = {0};
    (void)state;
    assert_int_equal(parse(&p, PAYLOAD(GOOD_CRIT), &err), 0);
    assert_string_equal(p.digest, DIGEST);
    assert_string_equal(p.reference, "registry.test:5000/team/app");
    assert_string_equal(p.type, "cosign container image signature");
}

static void payload__refuses_duplicate_unknown_and_malformed_fields(void **state)
{
    static const char *const bad[] = {
        PAYLOAD("\"type\":\"x\"," GOOD_CRIT),                  /* duplicate key */
        PAYLOAD(GOOD_CRIT ",\"extra\":1"),                     /* unknown critical key */
        "{\"critical\":{" GOOD_CRIT "},\"other\":1}",          /* unknown top-level key */
        PAYLOAD("\"identity\":{\"docker-reference\":\"a/b\"},"
                "\"image\":{\"docker-manifest-digest\":\"sha256:AB\"},\"type\":\"t\""),
        PAYLOAD("\"identity\":{\"docker-reference\":\"a/\\u001bb\"},"
                "\"image\":{\"docker-manifest-digest\":\"" DIGEST "\"},\"type\":\"t\""),
        PAYLOAD("\"identity\":{},\"image\":{\"docker-manifest-digest\":\"" DIGEST "\"},"
                "\"type\":\"t\""),
        "{\"critical\":{" GOOD_CRIT "},\"optional\":\"x\"}",
        "[]",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct customs_sig_payload p;
        struct customs_error err = {0};
        assert_int_not_equal(parse(&p, bad[i], &err), 0);
        assert_true(strstr(err.message, "test") != NULL);
        assert_string_equal(p.digest, "");
    }
}

static void identity__compares_names_as_docker_reads_them(void **state)
{
    (void)state;
    assert_true(customs_sig_identity_matches("docker.io/library/nginx", "nginx:1.27"));
    assert_true(customs_sig_identity_matches("index.docker.io/library/nginx", "nginx"));
    assert_true(customs_sig_identity_matches("r.test:5000/a/b:1", "r.test:5000/a/b"));
    assert_true(customs_sig_identity_matches("r.test:5000/a/b", "r.test:5000/a/b:2"));
    assert_false(customs_sig_identity_matches("r.test:5000/a/b:1", "r.test:5000/a/b:2"));
    assert_false(customs_sig_identity_matches("r.test:5000/a/b", "r.test:5001/a/b"));
    assert_false(customs_sig_identity_matches("r.test/a/b", "r.test/a/bc"));
    assert_false(customs_sig_identity_matches("nginx", "evil/nginx"));
    assert_false(customs_sig_identity_matches("a b", "a b"));
    /* found by fuzz_sig_payload: a path with empty or dot components is no name */
    char repo[128];
    assert_false(customs_sig_repo_path(repo, sizeof(repo), "/...a/./etc"));
    assert_false(customs_sig_repo_path(repo, sizeof(repo), "r.test/a/../b"));
    assert_false(customs_sig_identity_matches("r.test/a//b", "r.test/a//b"));
    assert_true(customs_sig_repo_path(repo, sizeof(repo), "nginx:1"));
    assert_string_equal(repo, "library/nginx");
    assert_true(customs_sig_repo_path(repo, sizeof(repo), "r.test:5000/team/app@" DIGEST));
    assert_string_equal(repo, "team/app");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payload__reads_cosign_fields),
        cmocka_unit_test(payload__refuses_duplicate_unknown_and_malformed_fields),
        cmocka_unit_test(identity__compares_names_as_docker_reads_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
