/* SPDX-License-Identifier: Apache-2.0 */
/* The inventory container; the parsers live one per file beside it. */
#include "inventory/inventory.h"

#include "core/banned.h"

void customs_inventory_init(struct customs_inventory *inv, struct customs_arena *arena)
{
    inv->arena = arena;
    customs_vec_init(&inv->packages, sizeof(struct customs_package));
    customs_vec_init(&inv->owned, sizeof(struct customs_owned_path));
}

void customs_inventory_release(struct customs_inventory *inv)
{
    customs_vec_release(&inv->packages);
    customs_vec_release(&inv->owned);
}

struct customs_package *customs_inventory_add(struct customs_inventory *inv)
{
    struct customs_package *p = customs_vec_push(&inv->packages);
    if (p != NULL) {
        p->layer = -1;
    }
    return p;
}
