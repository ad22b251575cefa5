/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz customs_os_parse: the same bytes as each OS file in turn, in preference order. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_error err = {0};
    struct customs_os os = {0};
    customs_arena_init(&arena);
    for (const char *const *path = customs_os_files; *path != NULL; path++) {
        struct customs_pkgdb_file file = {*path, data, size, 0};
        fuzz_result(customs_os_parse(&os, &arena, &file, &err));
    }
    struct customs_os single = {0};
    struct customs_pkgdb_file file = {"/etc/redhat-release", data, size, 0};
    fuzz_result(customs_os_parse(&single, &arena, &file, &err));
    customs_arena_release(&arena);
    return 0;
}
