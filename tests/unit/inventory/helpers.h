/* SPDX-License-Identifier: Apache-2.0 */
/* Test helper: run one parser over a string and keep the records. */
#ifndef CUSTOMS_TESTS_INVENTORY_HELPERS_H
#define CUSTOMS_TESTS_INVENTORY_HELPERS_H

#include <string.h>

#include "inventory/inventory.h"

struct parsed {
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err;
    int rc;
};

static inline void parse_with(struct parsed *p, customs_pkgdb_parse_fn fn, const char *path,
                              const char *text, size_t len)
{
    memset(p, 0, sizeof(*p));
    customs_arena_init(&p->arena);
    customs_inventory_init(&p->inv, &p->arena);
    struct customs_pkgdb_file f = {path, (const uint8_t *)text, len, 3};
    p->rc = fn(&p->inv, &f, &p->err);
}

static inline const struct customs_package *pkg(const struct parsed *p, size_t i)
{
    /* out of range: a record of empty strings, so the caller's assertions fail clearly */
    static const struct customs_package none = {"", "", "", "", "", "", "", "", "", "", "",
                                                "", -2, false, false};
    return i < p->inv.packages.len ? customs_vec_at(&p->inv.packages, i) : &none;
}

static inline void parsed_free(struct parsed *p)
{
    customs_inventory_release(&p->inv);
    customs_arena_release(&p->arena);
}

#endif
