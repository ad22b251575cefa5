/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the inventory unit tests: an arena-backed inventory per test, and helpers. */
#ifndef CUSTOMS_TESTS_INVENTORY_FIXTURE_H
#define CUSTOMS_TESTS_INVENTORY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inventory/inventory.h"

struct fixture {
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_error err;
};

static inline int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    customs_arena_init(&f->arena);
    customs_inventory_init(&f->inv, &f->arena);
    *state = f;
    return 0;
}

static inline int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    customs_inventory_release(&f->inv);
    customs_arena_release(&f->arena);
    free(f);
    return 0;
}

static inline const struct customs_package *fixture_pkg(struct fixture *f, size_t i)
{
    assert_true(i < f->inv.packages.len);
    return customs_vec_at(&f->inv.packages, i);
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

#endif
