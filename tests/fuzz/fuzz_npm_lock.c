/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the npm lockfile parser and the de-duplication after it. */
#include <stdint.h>

#include "fuzz_check.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err;
    struct customs_pkgdb_file lock = {"/app/package-lock.json", data, size, 0};
    struct customs_pkgdb_file hidden = {"/app/node_modules/.package-lock.json", data, size, 1};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    fuzz_result(customs_npm_parse_lock(&inv, &lock, &err));
    fuzz_result(customs_npm_parse_lock(&inv, &hidden, &err));
    fuzz_result(customs_npm_parse_package_json(&inv,
                                   &(struct customs_pkgdb_file){
                                       "/app/node_modules/a/package.json", data, size, 2},
                                   &err));
    fuzz_result(customs_npm_dedupe(&inv));
    for (size_t i = 0; i < inv.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&inv.packages, i);
        if (p->name == NULL || p->version == NULL) {
            __builtin_trap();
        }
    }
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    return 0;
}
