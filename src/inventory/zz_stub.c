#include <string.h>
#include "inventory/inventory.h"
static bool w_dpkg(const char *p) { return strcmp(p, "/var/lib/dpkg/status") == 0; }
static int p_dpkg(struct customs_inventory *inv, const struct customs_pkgdb_file *f, struct customs_error *err)
{
    (void)err;
    const char *s = (const char *)f->data, *end = s + f->len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl) nl = end;
        if ((size_t)(nl - s) > 9 && memcmp(s, "Package: ", 9) == 0) {
            struct customs_package *p = customs_inventory_add(inv);
            p->type = "deb";
            p->name = customs_arena_strndup(inv->arena, s + 9, (size_t)(nl - s - 9));
            p->path = f->path;
        }
        s = nl + 1;
    }
    return 0;
}
const struct customs_pkgdb_kind customs_pkgdb_kinds[] = {{"dpkg", w_dpkg, p_dpkg}, {NULL, NULL, NULL}};
const char *const customs_os_files[] = {"/etc/os-release", "/usr/lib/os-release", NULL};
int customs_os_parse(struct customs_os *os, struct customs_arena *arena, const struct customs_pkgdb_file *f, struct customs_error *err)
{ (void)err; if (!os->id) os->id = customs_arena_strndup(arena, (const char *)f->data, f->len > 20 ? 20 : f->len); return 0; }
int customs_purl_fill(struct customs_inventory *inv, const struct customs_os *os) { (void)inv; (void)os; return 0; }
int customs_npm_dedupe(struct customs_inventory *inv) { (void)inv; return 0; }
int customs_gobin_parse_buildinfo(struct customs_inventory *inv, const struct customs_pkgdb_file *f, struct customs_error *err) { (void)inv; (void)f; (void)err; return 0; }
