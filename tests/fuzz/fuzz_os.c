/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz OS detection over each of the OS files, then package URLs for a sample package. */
#include <stdint.h>

#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err;
    struct customs_os os = {0};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    for (size_t i = 0; customs_os_files[i] != NULL; i++) {
        struct customs_pkgdb_file f = {customs_os_files[i], data, size, 0};
        customs_os_parse(&os, &arena, &f, &err);
    }
    struct customs_package *p = customs_inventory_add(&inv);
    if (p != NULL) {
        p->type = "deb";
        p->name = os.pretty != NULL ? os.pretty : "x";
        p->version = os.version;
        p->arch = os.codename;
        customs_purl_fill(&inv, &os);
    }
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    return 0;
}
