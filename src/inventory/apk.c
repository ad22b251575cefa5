/* SPDX-License-Identifier: Apache-2.0 */
/* apk's database, /lib/apk/db/installed: "K:value" lines, a blank line between packages.
 * P name, V version, A arch, o origin (the source package), L license. */
#include <string.h>

#include "inventory/inventory.h"
#include "inventory/stanza.h"

#include "core/banned.h"

struct apk_pkg {
    const char *f[5]; /* P V A o L */
    size_t n[5];
    size_t line;
};

static int emit(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                const struct apk_pkg *a, struct customs_error *err)
{
    if (a->f[0] == NULL && a->f[1] == NULL) {
        return 0;
    }
    if (a->f[0] == NULL || a->f[1] == NULL || a->n[0] == 0 || a->n[1] == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: package without %s",
                                 file->path, a->line, a->f[0] == NULL ? "P:" : "V:");
    }
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    const char *v[5] = {0};
    for (int i = 0; i < 5; i++) {
        if (a->f[i] != NULL && (v[i] = customs_arena_strndup(inv->arena, a->f[i], a->n[i])) ==
                                   NULL) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    p->type = "apk";
    p->name = v[0];
    p->version = v[1];
    p->arch = v[2];
    p->source_name = v[3] != NULL ? v[3] : v[0];
    p->source_version = v[1];
    p->license = v[4];
    p->path = file->path;
    p->layer = file->layer;
    return 0;
}

int customs_apk_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                      struct customs_error *err)
{
    static const char keys[] = "PVAoL";
    struct customs_lines lines;
    struct apk_pkg a;
    const char *s;
    size_t n;
    const uint8_t *nul = memchr(file->data, '\0', file->len);
    if (nul != NULL) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: offset %zu: NUL byte",
                                 file->path, (size_t)(nul - file->data));
    }
    memset(&a, 0, sizeof(a));
    customs_lines_init(&lines, file->data, file->len);
    while (customs_lines_next(&lines, &s, &n)) {
        if (n == 0) {
            int r = emit(inv, file, &a, err);
            if (r < 0) {
                return r;
            }
            memset(&a, 0, sizeof(a));
            continue;
        }
        if (a.line == 0) {
            a.line = lines.line;
        }
        if (n < 2 || s[1] != ':') {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: not a 'K:value' line",
                                     file->path, lines.line);
        }
        const char *k = memchr(keys, s[0], 5);
        if (k != NULL) {
            a.f[k - keys] = s + 2;
            a.n[k - keys] = n - 2;
        }
    }
    return emit(inv, file, &a, err);
}
