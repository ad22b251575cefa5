/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the dpkg parser: records must come out with a name and a version, or an error. */
#include <stdint.h>

#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err;
    struct customs_pkgdb_file f = {"/var/lib/dpkg/status", data, size, 0};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    customs_dpkg_parse(&inv, &f, &err);
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
