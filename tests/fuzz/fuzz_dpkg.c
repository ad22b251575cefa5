/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz customs_dpkg_parse, as a status file and a status.d file, and customs_dpkg_parse_list
 * as a package's file list, then build package URLs and settle Python ownership for whatever
 * they found. */
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
    struct customs_pkgdb_file file = {"/var/lib/dpkg/status", data, size, 0};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    fuzz_result(customs_dpkg_parse(&inv, &file, &err));
    file.path = "/var/lib/dpkg/status.d/pkg";
    fuzz_result(customs_dpkg_parse(&inv, &file, &err));
    file.path = "/var/lib/dpkg/info/pkg:amd64.list";
    fuzz_result(customs_dpkg_parse_list(&inv, &file, &err));
    fuzz_result(customs_purl_fill(&inv, &os));
    fuzz_result(customs_python_settle(&inv));
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    return 0;
}
