/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the Go build-info parser: the input follows the 14-byte magic, as the walker captures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err;
    uint8_t *buf = malloc(size + CUSTOMS_GOBIN_MAGIC_LEN);
    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, CUSTOMS_GOBIN_MAGIC, CUSTOMS_GOBIN_MAGIC_LEN);
    if (size > 0) {
        memcpy(buf + CUSTOMS_GOBIN_MAGIC_LEN, data, size);
    }
    struct customs_pkgdb_file f = {"/usr/bin/x", buf, size + CUSTOMS_GOBIN_MAGIC_LEN, 0};
    customs_arena_init(&arena);
    customs_inventory_init(&inv, &arena);
    fuzz_result(customs_gobin_parse_buildinfo(&inv, &f, &err));
    customs_inventory_release(&inv);
    customs_arena_release(&arena);
    free(buf);
    return 0;
}
