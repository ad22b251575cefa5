/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the secret rule-file reader (YAML to rules), as --secret-rules feeds it. */
#include <stdint.h>

#include "fuzz_check.h"
#include "secrets/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_vec rules;
    struct customs_error err;
    struct customs_secret_allowlist allow;
    customs_arena_init(&arena);
    customs_vec_init(&rules, sizeof(struct customs_secret_rule));
    fuzz_result(customs_secret_rules_load(&rules, &allow, &arena, "fuzz.yaml", data, size, &err));
    customs_vec_release(&rules);
    customs_arena_release(&arena);
    return 0;
}
