/* SPDX-License-Identifier: Apache-2.0 */
/* The gate's request paths: every route of the Distribution API, and the paths that must never
 * reach the upstream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gate/gate.h"

#define D256 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect(const char *path, enum customs_gate_route_kind kind, const char *name,
                   const char *ref, bool by_digest)
{
    struct customs_gate_route r;
    customs_gate_route_parse(&r, path);
    if (r.kind != kind) {
        fail_msg("%s: kind %s, want %s", path, customs_gate_route_name(r.kind),
                 customs_gate_route_name(kind));
    }
    if (name != NULL) {
        assert_string_equal(r.name, name);
        assert_string_equal(r.reference, ref);
        assert_int_equal(r.by_digest, by_digest);
    }
}

static void test_api_paths(void **state)
{
    (void)state;
    expect("/v2/", CUSTOMS_GATE_BASE, NULL, NULL, false);
    expect("/v2", CUSTOMS_GATE_BASE, NULL, NULL, false);
    expect("/v2/_catalog", CUSTOMS_GATE_CATALOG, NULL, NULL, false);
    expect("/v2/ledger/manifests/1.4.2", CUSTOMS_GATE_MANIFEST, "ledger", "1.4.2", false);
    expect("/v2/team/app/ledger/manifests/" D256, CUSTOMS_GATE_MANIFEST, "team/app/ledger",
           D256, true);
    expect("/v2/a.b_c__d---e/manifests/Latest_1-x.y", CUSTOMS_GATE_MANIFEST, "a.b_c__d---e",
           "Latest_1-x.y", false);
    expect("/v2/ledger/blobs/" D256, CUSTOMS_GATE_BLOB, "ledger", D256, true);
    expect("/v2/ledger/blobs/uploads/", CUSTOMS_GATE_UPLOAD, "ledger", "", false);
    expect("/v2/ledger/blobs/uploads/6f1c-4b9a_x=", CUSTOMS_GATE_UPLOAD, "ledger", "6f1c-4b9a_x=",
           false);
    expect("/v2/ledger/tags/list", CUSTOMS_GATE_TAGS, "ledger", "", false);
    expect("/v2/ledger/referrers/" D256, CUSTOMS_GATE_REFERRERS, "ledger", D256, true);
    /* a repository may be called "manifests" or "blobs": the suffix decides */
    expect("/v2/x/manifests/manifests/1", CUSTOMS_GATE_MANIFEST, "x/manifests", "1", false);
    expect("/v2/x/blobs/blobs/uploads/", CUSTOMS_GATE_UPLOAD, "x/blobs", "", false);
    expect("/healthz", CUSTOMS_GATE_OUTSIDE, NULL, NULL, false);
    expect("/v2x/ledger/manifests/1", CUSTOMS_GATE_OUTSIDE, NULL, NULL, false);
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "/v2/../etc/manifests/1", "/v2/a/../b/manifests/1", "/v2/./a/manifests/1",
        "/v2/Ledger/manifests/1", "/v2/ledger//manifests/1", "/v2//ledger/manifests/1",
        "/v2/ledger/manifests/", "/v2/ledger/manifests/.hidden", "/v2/ledger/manifests/a/b",
        "/v2/ledger/manifests/%2e%2e", "/v2/le%64ger/manifests/1", "/v2/-x/manifests/1",
        "/v2/x-/manifests/1", "/v2/x_/manifests/1", "/v2/x___y/manifests/1",
        "/v2/x../manifests/1", "/v2/ledger/blobs/sha256:abc",
        "/v2/ledger/blobs/SHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "/v2/ledger/blobs/sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
        "/v2/ledger/blobs/md5:0123456789abcdef0123456789abcdef", "/v2/ledger/blobs/uploads/../x",
        "/v2/ledger/blobs/uploads/.x", "/v2/ledger/tags/all", "/v2/ledger/things/1",
        "/v2/ledger", "/v2/ledger/manifests/1\r\nX: y", "/v2/led ger/manifests/1",
        "/v2/ledger/manifests/" "a12345678901234567890123456789012345678901234567890123456789012"
        "345678901234567890123456789012345678901234567890123456789012345678901234567890",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect(bad[i], CUSTOMS_GATE_INVALID, NULL, NULL, false);
    }
    /* names up to the limit, not beyond */
    char path[600];
    char name[300];
    memset(name, 'a', sizeof(name));
    name[CUSTOMS_GATE_NAME_MAX - 1] = '\0';
    snprintf(path, sizeof(path), "/v2/%s/manifests/1", name);
    expect(path, CUSTOMS_GATE_MANIFEST, name, "1", false);
    name[CUSTOMS_GATE_NAME_MAX - 1] = 'a';
    name[CUSTOMS_GATE_NAME_MAX] = '\0';
    snprintf(path, sizeof(path), "/v2/%s/manifests/1", name);
    expect(path, CUSTOMS_GATE_INVALID, NULL, NULL, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_paths),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
