/* SPDX-License-Identifier: Apache-2.0 */
/* What the gate decides: the kind of a manifest, the verdict for a pull (through a lookup the
 * test controls), and the Distribution error body a refused client reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "gate/gate.h"

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

static enum customs_gate_manifest_kind kind(const char *body, const char *ctype)
{
    return customs_gate_manifest_kind(body, strlen(body), ctype);
}

static void test_manifest_kind(void **state)
{
    (void)state;
    assert_int_equal(kind("{\"schemaVersion\":2,\"mediaType\":\"" OCI_MANIFEST "\"}", NULL),
                     CUSTOMS_GATE_MANIFEST_IMAGE);
    assert_int_equal(kind("{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MANIFEST "\"}",
                          DOCKER_MANIFEST),
                     CUSTOMS_GATE_MANIFEST_IMAGE);
    assert_int_equal(kind("{\"schemaVersion\":2,\"mediaType\":\"" OCI_INDEX "\"}", OCI_INDEX),
                     CUSTOMS_GATE_MANIFEST_INDEX);
    assert_int_equal(kind("{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_LIST "\"}", NULL),
                     CUSTOMS_GATE_MANIFEST_INDEX);
    /* no mediaType in the body: the Content-Type (parameters dropped) */
    assert_int_equal(kind("{\"schemaVersion\":2}", OCI_INDEX "; charset=utf-8"),
                     CUSTOMS_GATE_MANIFEST_INDEX);
    assert_int_equal(kind("{\"schemaVersion\":2}", NULL), CUSTOMS_GATE_MANIFEST_OTHER);
    /* an index in its body served as a manifest (or the reverse) is neither: judged */
    assert_int_equal(kind("{\"schemaVersion\":2,\"mediaType\":\"" OCI_INDEX "\"}", OCI_MANIFEST),
                     CUSTOMS_GATE_MANIFEST_OTHER);
    assert_int_equal(kind("{\"schemaVersion\":1,\"mediaType\":\"" OCI_INDEX "\"}", NULL),
                     CUSTOMS_GATE_MANIFEST_OTHER);
    assert_int_equal(kind("{\"schemaVersion\":2,\"mediaType\":\"" OCI_INDEX "\","
                          "\"mediaType\":\"" OCI_MANIFEST "\"}", NULL),
                     CUSTOMS_GATE_MANIFEST_OTHER);
    assert_int_equal(kind("[1,2]", OCI_INDEX), CUSTOMS_GATE_MANIFEST_OTHER);
    assert_int_equal(kind("not json", OCI_INDEX), CUSTOMS_GATE_MANIFEST_OTHER);
}

struct fake {
    const struct customs_policy_image *image;
    int rc;
    char ref[512];
};

static int fake_lookup(const struct customs_policy_image **out, const char *ref, void *payload,
                       struct customs_error *err)
{
    struct fake *f = payload;
    snprintf(f->ref, sizeof(f->ref), "%s", ref);
    *out = f->image;
    if (f->rc != 0) {
        return customs_error_set(err, f->rc, "store down");
    }
    return 0;
}

static struct customs_policy *load(const char *text)
{
    struct customs_policy *p = NULL;
    struct customs_error err = {0};
    assert_int_equal(customs_policy_load(&p, "p.yaml", text, strlen(text), NULL, NULL, &err), 0);
    return p;
}

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_judge(void **state)
{
    (void)state;
    struct customs_policy *p = load("apiVersion: customs/v1\nkind: Policy\nimages:\n"
                                    "  unknown: deny\n  secrets: deny\n");
    struct customs_policy_finding secret = {.rule = "aws-access-key", .title = "AWS key",
                                            .path = "/app/.env", .severity = CUSTOMS_SEVERITY_CRITICAL};
    struct customs_policy_image img = {.digest = DIGEST, .known = true, .vulns_scanned = true,
                                       .secrets = &secret, .nsecrets = 1};
    struct fake f = {0};
    struct customs_verdict v;
    struct customs_error err = {0};

    /* nothing recorded: images.unknown */
    customs_verdict_init(&v);
    assert_int_equal(customs_gate_judge(&v, p, fake_lookup, &f, "team/ledger", DIGEST, NULL, 0,
                                        &err),
                     0);
    assert_string_equal(f.ref, "team/ledger@" DIGEST);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_string_equal(customs_verdict_at(&v, 0)->rule, "images.unknown");
    customs_verdict_release(&v);

    /* recorded with a secret: denied by images.secrets */
    f.image = &img;
    customs_verdict_init(&v);
    assert_int_equal(customs_gate_judge(&v, p, fake_lookup, &f, "team/ledger", DIGEST, NULL, 0,
                                        &err),
                     0);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_string_equal(customs_verdict_at(&v, 0)->rule, "images.secrets");
    size_t len = 0;
    char *body = customs_gate_error_body("DENIED", NULL, &v, &len);
    assert_non_null(body);
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, 0, &jerr);
    assert_non_null(doc);
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "code")), "DENIED");
    const char *msg = json_string_value(json_object_get(e, "message"));
    assert_non_null(strstr(msg, "customs: denied: images.secrets: "));
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "detail"),
                                                          "verdict")),
                        "deny");
    json_decref(doc);
    customs_free(body);
    customs_verdict_release(&v);

    /* the store fails: the error comes back (the server refuses) */
    f.rc = CUSTOMS_EIO;
    customs_verdict_init(&v);
    assert_int_equal(customs_gate_judge(&v, p, fake_lookup, &f, "team/ledger", DIGEST, NULL, 0,
                                        &err),
                     CUSTOMS_EIO);
    customs_verdict_release(&v);
    customs_policy_free(p);
}

static void test_names(void **state)
{
    (void)state;
    struct customs_gate_names n;
    customs_gate_names_init(&n, "Gate.Example:5443", "127.0.0.1:5000", "team/ledger", "1.4",
                            false);
    assert_string_equal(n.names[0], "gate.example:5443/team/ledger:1.4");
    assert_string_equal(n.names[1], "127.0.0.1:5000/team/ledger:1.4");
    assert_null(n.names[2]);
    customs_gate_names_init(&n, "127.0.0.1:5000", "127.0.0.1:5000", "team/ledger", DIGEST, true);
    assert_string_equal(n.names[0], "127.0.0.1:5000/team/ledger@" DIGEST);
    assert_null(n.names[1]);
    /* a Host that is not host[:port] is left out */
    customs_gate_names_init(&n, "evil/other", "127.0.0.1:5000", "app", "1", false);
    assert_string_equal(n.names[0], "127.0.0.1:5000/app:1");
    assert_null(n.names[1]);
    customs_gate_names_init(&n, NULL, "127.0.0.1:5000", "app", "1", false);
    assert_string_equal(n.names[0], "127.0.0.1:5000/app:1");
}

static void test_error_body_plain(void **state)
{
    (void)state;
    size_t len = 0;
    /* a message with quotes and control characters stays valid JSON */
    char *body = customs_gate_error_body("NAME_INVALID", "bad \"path\"\n\x1b[31m", NULL, &len);
    assert_non_null(body);
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, 0, &jerr);
    assert_non_null(doc);
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "message")), "bad \"path\"\n\x1b[31m");
    assert_null(json_object_get(e, "detail"));
    json_decref(doc);
    customs_free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_kind),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_error_body_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
