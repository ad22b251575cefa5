/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz customs_apk_parse, then build package URLs for whatever it found. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err = {0};
    struct customs_os os = {"debian", "12", NULL, NULL};
    struct customs_pkgdb_file file = {"/lib/apk/db/installed", data, size, 0};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    fuzz_result(customs_apk_parse(&inv, &file, &err));
    fuzz_result(customs_purl_fill(&inv, &os));
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    return 0;
}
