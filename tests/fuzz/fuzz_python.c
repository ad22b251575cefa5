/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz customs_python_parse_metadata (the same bytes in two directories of one site, one of
 * them owned by an OS package), then build package URLs and settle ownership and twins. */
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
    struct customs_pkgdb_file file = {"/usr/lib/python3/dist-packages/x.dist-info/METADATA", data,
                                      size, 0};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    fuzz_result(customs_python_parse_metadata(&inv, &file, &err));
    file.path = "/usr/lib/python3/dist-packages/x.egg-info/PKG-INFO";
    fuzz_result(customs_python_parse_metadata(&inv, &file, &err));
    fuzz_result(customs_owned_add(&inv, "usr/lib/python3/dist-packages/x.egg-info/", 41, "python3-x"));
    fuzz_result(customs_purl_fill(&inv, &os));
    fuzz_result(customs_python_settle(&inv));
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    return 0;
}
