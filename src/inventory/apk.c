/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alpine's apk database, /lib/apk/db/installed: one "K:value" line per field (a single-letter
 * key), packages separated by blank lines. We read P (name), V (version), A (arch), o (origin,
 * the source package) and L (license); of the file lists, the F (directory) lines that name a
 * Python metadata directory, which make that distribution the apk package's (owner.c).
 */
#include "inventory/inventory.h"

#include <string.h>

#include "inventory/text.h"

#include "core/banned.h"

struct apk_value {
    const char *ptr;
    size_t len;
};

struct apk_stanza {
    struct apk_value name;
    struct apk_value version;
    struct apk_value arch;
    struct apk_value origin;
    struct apk_value license;
    size_t first_line;
    size_t first_owned; /* this package's entries of inv->owned start here */
};

static const char *apk_dup(struct customs_inventory *inv, const struct apk_value *v, bool *oom)
{
    char *s;
    if (v->ptr == NULL || v->len == 0) {
        return NULL;
    }
    s = customs_arena_strndup(inv->arena, v->ptr, v->len);
    if (s == NULL) {
        *oom = true;
    }
    return s;
}

static int apk_emit(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                    const char *path, const struct apk_stanza *st, struct customs_error *err)
{
    bool oom = false;
    if (st->first_line == 0) {
        return 0;
    }
    if (st->name.len == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: package without P: (name)",
                                 file->path, st->first_line);
    }
    if (st->version.len == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s:%zu: package %.*s without V: (version)", file->path,
                                 st->first_line, (int)st->name.len, st->name.ptr);
    }
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    p->type = "apk";
    p->path = path;
    p->layer = file->layer;
    p->name = apk_dup(inv, &st->name, &oom);
    p->version = apk_dup(inv, &st->version, &oom);
    p->arch = apk_dup(inv, &st->arch, &oom);
    p->license = apk_dup(inv, &st->license, &oom);
    p->source_name = st->origin.len > 0 ? apk_dup(inv, &st->origin, &oom) : p->name;
    p->source_version = p->version;
    for (size_t i = st->first_owned; !oom && i < inv->owned.len; i++) {
        struct customs_owned_path *o = customs_vec_at(&inv->owned, i);
        o->owner = p->name;
    }
    return oom ? CUSTOMS_ENOMEM : 0;
}

int customs_apk_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                      struct customs_error *err)
{
    struct apk_stanza st;
    struct customs_lines lines;
    const char *line;
    size_t n;
    int rc = 0;
    size_t nul = customs_text_nul_line(file->data, file->len);
    if (nul != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: NUL byte", file->path, nul);
    }
    const char *path = customs_arena_strdup(inv->arena, file->path);
    if (path == NULL) {
        return CUSTOMS_ENOMEM;
    }
    memset(&st, 0, sizeof(st));
    st.first_owned = inv->owned.len;
    customs_lines_init(&lines, file->data, file->len);
    while (rc == 0 && customs_lines_next(&lines, &line, &n)) {
        if (n == 0) {
            rc = apk_emit(inv, file, path, &st, err);
            memset(&st, 0, sizeof(st));
            st.first_owned = inv->owned.len;
            continue;
        }
        if (n < 2 || line[1] != ':') {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: expected \"K:value\"",
                                   file->path, lines.lineno);
            break;
        }
        if (st.first_line == 0) {
            st.first_line = lines.lineno;
        }
        const char *v = line + 2;
        size_t vn = n - 2;
        struct apk_value *field = NULL;
        switch (line[0]) {
        case 'P':
            field = &st.name;
            break;
        case 'V':
            field = &st.version;
            break;
        case 'A':
            field = &st.arch;
            break;
        case 'o':
            field = &st.origin;
            break;
        case 'L':
            field = &st.license;
            break;
        case 'F':
            if (customs_owned_is_python_dir(v, vn)) {
                rc = customs_owned_add(inv, v, vn, "");
            }
            break;
        default:
            break;
        }
        if (field == NULL) {
            continue;
        }
        if (field->ptr != NULL) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: duplicate %c: field",
                                   file->path, lines.lineno, line[0]);
            break;
        }
        field->ptr = v;
        field->len = vn;
    }
    if (rc == 0) {
        rc = apk_emit(inv, file, path, &st, err);
    }
    return rc;
}
