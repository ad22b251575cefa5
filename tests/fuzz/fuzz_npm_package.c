/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the package.json of an installed package, then dedupe against itself. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err;
    struct customs_pkgdb_file scoped = {"/app/node_modules/@s/pkg/package.json", data, size, 0};
    struct customs_pkgdb_file nested = {"/app/node_modules/a/node_modules/b/package.json", data,
                                        size, 1};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    fuzz_result(customs_npm_parse_package_json(&inv, &scoped, &err));
    fuzz_result(customs_npm_parse_package_json(&inv, &nested, &err));
    fuzz_result(customs_npm_parse_package_json(&inv, &nested, &err));
    fuzz_result(customs_npm_dedupe(&inv));
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    return 0;
}
