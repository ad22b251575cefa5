/* SPDX-License-Identifier: Apache-2.0 */
/* A fixed cosign vector: a TEST-ONLY Ed25519 key (private seed 0x01..0x20, never used for
 * anything else) signed the payload below; generated with python3-cryptography. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "signature/signature.h"

#define DIGEST "sha256:abababababababababababababababababababababababababababababababab"
static const char TEST_PUBLIC_KEY[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=\n"
    "-----END PUBLIC KEY-----\n";
static const char PAYLOAD[] =
    "{\"critical\":{\"identity\":{\"docker-reference\":\"registry.test:5000/team/app\"},"
    "\"image\":{\"docker-manifest-digest\":\"" DIGEST "\"},"
    "\"type\":\"cosign container image signature\"},\"optional\":null}";
static const char SIGNATURE[] =
    "0DO3jAXqGu23auOln2MxG55UYa4bDm9LTsIWbASL8rM17ofK5oMqyJU8FG/zho+of+LALUpI5J+kxJTRxC1aAw==";

static struct customs_sig_result check(const char *payload, const char *sig, const char *digest,
                                       const char *identity)
{
    struct customs_sig_verifier *v = NULL;
    struct customs_error err = {0};
    struct customs_sig_result r;
    struct customs_sig_subject s = {.digests = {digest, NULL}, .identity = identity};
    assert_int_equal(customs_sig_verifier_new(&v, NULL, &err), 0);
    assert_int_equal(customs_sig_verifier_add_key(v, "test.pub", TEST_PUBLIC_KEY,
                                                  strlen(TEST_PUBLIC_KEY), &err), 0);
    customs_sig_result_init(&r);
    customs_sig_check_cosign(&r, v, &s, "vector", payload, strlen(payload), sig);
    customs_sig_verifier_free(v);
    return r;
}

static void cosign__verifies_the_fixed_vector_and_names_key_and_digest(void **state)
{
    (void)state;
    struct customs_sig_result r = check(PAYLOAD, SIGNATURE, DIGEST, "registry.test:5000/team/app:1");
    assert_int_equal(r.status, CUSTOMS_SIG_VERIFIED);
    assert_string_equal(r.key, "test.pub");
    assert_string_equal(r.digest, DIGEST);
    assert_string_equal(r.identity, "registry.test:5000/team/app");
}

static void cosign__refuses_each_alteration_with_its_reason(void **state)
{
    (void)state;
    char altered[sizeof(PAYLOAD)];
    memcpy(altered, PAYLOAD, sizeof(PAYLOAD));
    altered[60] ^= 1;
    assert_int_equal(check(altered, SIGNATURE, DIGEST, NULL).status, CUSTOMS_SIG_BAD_SIGNATURE);
    char sig[sizeof(SIGNATURE)];
    memcpy(sig, SIGNATURE, sizeof(SIGNATURE));
    sig[3] = sig[3] == 'A' ? 'B' : 'A';
    assert_int_equal(check(PAYLOAD, sig, DIGEST, NULL).status, CUSTOMS_SIG_BAD_SIGNATURE);
    assert_int_equal(check(PAYLOAD, "0DO3", DIGEST, NULL).status, CUSTOMS_SIG_BAD_SIGNATURE);
    assert_int_equal(check(PAYLOAD, "0DO3jA==x", DIGEST, NULL).status, CUSTOMS_SIG_MALFORMED);
    assert_int_equal(check(PAYLOAD, "", DIGEST, NULL).status, CUSTOMS_SIG_MALFORMED);
    struct customs_sig_result r =
        check(PAYLOAD, SIGNATURE,
              "sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", NULL);
    assert_int_equal(r.status, CUSTOMS_SIG_OTHER_DIGEST);
    assert_non_null(strstr(r.reason, "another image"));
    r = check(PAYLOAD, SIGNATURE, DIGEST, "registry.test:5000/team/other");
    assert_int_equal(r.status, CUSTOMS_SIG_WRONG_IDENTITY);
}

static void keys__detects_formats_and_refuses_private_and_junk(void **state)
{
    (void)state;
    struct customs_sig_verifier *v = NULL;
    struct customs_error err = {0};
    static const char priv[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    static const char pgp[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n";
    assert_int_equal(customs_sig_verifier_new(&v, NULL, &err), 0);
    assert_int_equal(customs_sig_verifier_add_key(v, "p", priv, strlen(priv), &err),
                     CUSTOMS_EINVAL);
    assert_int_equal(customs_sig_verifier_add_key(v, "g", pgp, strlen(pgp), &err),
                     CUSTOMS_EUNSUPPORTED); /* no GnuPG home given */
    assert_int_equal(customs_sig_verifier_add_key(v, "j", "junk", 4, &err), CUSTOMS_EMALFORMED);
    assert_int_equal(customs_sig_verifier_count(v, CUSTOMS_SIG_COSIGN), 0);
    customs_sig_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cosign__verifies_the_fixed_vector_and_names_key_and_digest),
        cmocka_unit_test(cosign__refuses_each_alteration_with_its_reason),
        cmocka_unit_test(keys__detects_formats_and_refuses_private_and_junk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
