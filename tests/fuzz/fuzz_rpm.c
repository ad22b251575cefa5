/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the rpm header parser; inputs that start with the SQLite magic go through the whole
 * rpmdb.sqlite path (in-memory SQLite, then every blob through the header parser). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err = {0};
    struct customs_os os = {"rhel", "9.3", NULL, NULL};
    struct customs_pkgdb_file file = {"/var/lib/rpm/rpmdb.sqlite", data, size, 0};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    if (size >= 16 && memcmp(data, "SQLite format 3", 16) == 0) {
        fuzz_result(customs_rpm_parse(&inv, &file, &err));
    } else {
        fuzz_result(customs_rpm_parse_header(&inv, &file, &err));
        file.path = "/var/lib/rpm/Packages";
        fuzz_result(customs_rpm_parse(&inv, &file, &err));
    }
    fuzz_result(customs_purl_fill(&inv, &os));
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    return 0;
}
