/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz what the verdict store reads back from a row (SQLite or PostgreSQL hand back the same
 * text): the findings document, parsed, then judged by a policy that acts on every kind of
 * finding, so every field a hostile row can set is used; and the same bytes as the key
 * fingerprints stored with a policy requiring signatures, then judged against a recorded
 * signature. */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "policy/policy.h"
#include "store/store.h"

static const char policy_text[] =
    "apiVersion: customs/v1\nkind: Policy\nimages:\n  unknown: deny\n"
    "  vulnerabilities: {deny: [CRITICAL, HIGH], warn: [MEDIUM, LOW], graceDays: 3,"
    " knownExploited: deny}\n  secrets: deny\n  malware: warn\n"
    "ignore: [{id: CVE-2023-1234, expires: 2099-01-31, statement: x}]\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct customs_policy *policy;
    struct customs_error err = {0};
    if (policy == NULL &&
        customs_policy_load(&policy, "fuzz.yaml", policy_text, strlen(policy_text), NULL, NULL,
                            &err) != 0) {
        return 0;
    }
    struct customs_arena arena;
    struct customs_policy_image im;
    struct customs_policy_vuln *vulns = NULL;
    customs_arena_init(&arena);
    if (customs_store_findings_parse(&im, &vulns, &arena, (const char *)data, size) == 0) {
        struct customs_verdict v;
        for (size_t i = 0; i < im.nvulns; i++) {
            vulns[i].first_seen = (time_t)(i * 86400);
        }
        im.vulns_scanned = true;
        customs_verdict_init(&v);
        fuzz_result(customs_policy_judge_image(&v, policy, NULL, &im, "fuzz", 5 * 86400, &err));
        json_decref(customs_verdict_to_json(&v, "fuzz"));
        customs_verdict_release(&v);
    }
    customs_arena_release(&arena);
    struct customs_policy *signed_policy = NULL;
    static const char sig_text[] = "apiVersion: customs/v1\nkind: Policy\nimages:\n"
                                   "  signatures: {required: true, keys: [a.pub]}\n";
    if (customs_policy_load(&signed_policy, "fuzz.yaml", sig_text, strlen(sig_text), NULL, NULL,
                            &err) == 0 &&
        customs_store_policy_keys_apply(signed_policy, (const char *)data, size) == 0) {
        static const struct customs_policy_signature sig = {
            "sha256:0000000000000000000000000000000000000000000000000000000000000000", "a.pub",
            "cosign", "x/y", 1};
        struct customs_policy_image one = {.known = true, .vulns_scanned = true,
                                           .digest = "sha256:1", .signatures = &sig,
                                           .nsignatures = 1};
        struct customs_verdict v;
        customs_verdict_init(&v);
        fuzz_result(customs_policy_judge_image(&v, signed_policy, NULL, &one, "fuzz", 86400, &err));
        customs_verdict_release(&v);
    }
    customs_policy_free(signed_policy);
    return 0;
}
