/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "inventory/inventory.h"

static void purl__encodes_each_ecosystem_as_the_spec_says(void **state)
{
    struct customs_arena a;
    struct customs_inventory inv;
    struct customs_os os = {.id = "debian", .version = "12"};
    static const struct {
        const char *type, *name, *version, *arch, *epoch, *want;
    } cases[] = {
        {"deb", "libc6", "2.36-9+deb12u4", "amd64", NULL,
         "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"},
        {"deb", "xserver-xorg-core", "2:1.21.1.7-3", "amd64", NULL,
         "pkg:deb/debian/xserver-xorg-core@2%3A1.21.1.7-3?arch=amd64&distro=debian-12"},
        {"rpm", "openssl", "3.0.7-24.el9", "x86_64", "1",
         "pkg:rpm/debian/openssl@3.0.7-24.el9?arch=x86_64&distro=debian-12&epoch=1"},
        {"npm", "@babel/core", "7.23.0", NULL, NULL, "pkg:npm/%40babel/core@7.23.0"},
        {"npm", "lodash", "4.17.20", NULL, NULL, "pkg:npm/lodash@4.17.20"},
        {"pypi", "foo-bar", "1.0+local", NULL, NULL, "pkg:pypi/foo-bar@1.0%2Blocal"},
        {"golang", "github.com/gin-gonic/gin", "v1.9.1", NULL, NULL,
         "pkg:golang/github.com/gin-gonic/gin@v1.9.1"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);
    (void)state;
    customs_arena_init(&a);
    customs_inventory_init(&inv, &a);
    for (size_t i = 0; i < n; i++) {
        struct customs_package *p = customs_inventory_add(&inv);
        p->type = cases[i].type;
        p->name = cases[i].name;
        p->version = cases[i].version;
        p->arch = cases[i].arch;
        p->epoch = cases[i].epoch;
    }
    assert_int_equal(customs_purl_fill(&inv, &os), 0);
    for (size_t i = 0; i < n; i++) {
        const struct customs_package *p = customs_vec_at(&inv.packages, i);
        assert_string_equal(p->purl, cases[i].want);
    }
    /* without an OS the deb namespace falls back to debian, without a distro qualifier */
    assert_int_equal(customs_purl_fill(&inv, NULL), 0);
    assert_string_equal(((const struct customs_package *)customs_vec_at(&inv.packages, 0))->purl,
                        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64");
    customs_inventory_release(&inv);
    customs_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(purl__encodes_each_ecosystem_as_the_spec_says),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
