/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go executables carry their build info after the 14-byte magic "\xff Go buildinf:" (16-byte
 * aligned, in .go.buildinfo). Since Go 1.18 the header's flags byte has bit 2 set and two
 * varint-length-prefixed strings follow at offset 32: the Go version and the module info.
 * The module info sits between 16-byte sentinels and is lines of tab-separated fields:
 *   path  MODULE            the main package path
 *   mod   MODULE VERSION [SUM]
 *   dep   MODULE VERSION [SUM]
 *   =>    MODULE VERSION [SUM]   replaces the mod/dep line before it
 *   build KEY=VALUE
 * We report the main module, every dependency (after replacement; one replaced by a local
 * directory without a version), and the toolchain as the module "stdlib" at the Go version
 * ("go1.21.5" -> "v1.21.5", as Go's vulnerability database names standard-library versions).
 */
#include <stdio.h>
#include <string.h>

#include "inventory/inventory.h"

#include "core/banned.h"

#define FLAG_INLINE 0x2

struct mod {
    const char *path;
    size_t path_len;
    const char *version;
    size_t version_len;
};

static int emit(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                const struct mod *m, bool indirect)
{
    if (m->path_len == 0) {
        return 0;
    }
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    p->type = "golang";
    p->name = customs_arena_strndup(inv->arena, m->path, m->path_len);
    p->version = m->version_len > 0
                     ? customs_arena_strndup(inv->arena, m->version, m->version_len)
                     : NULL;
    p->path = file->path;
    p->layer = file->layer;
    p->indirect = indirect;
    return p->name == NULL || (m->version_len > 0 && p->version == NULL) ? CUSTOMS_ENOMEM : 0;
}

/* Field `i` (0-based) of a tab-separated line. */
static bool field(const char *line, size_t n, int i, const char **out, size_t *out_len)
{
    const char *p = line;
    const char *end = line + n;
    for (int k = 0; k < i; k++) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        if (tab == NULL) {
            return false;
        }
        p = tab + 1;
    }
    const char *tab = memchr(p, '\t', (size_t)(end - p));
    *out = p;
    *out_len = (size_t)((tab != NULL ? tab : end) - p);
    return true;
}

static int read_string(struct customs_cursor *c, const uint8_t **s, size_t *n)
{
    uint64_t len;
    int r = customs_cursor_uvarint(c, &len);
    if (r == 0 && len > customs_cursor_left(c)) {
        return CUSTOMS_EMALFORMED;
    }
    if (r == 0) {
        *n = (size_t)len;
        r = customs_cursor_take(c, *n, s);
    }
    return r;
}

int customs_gobin_parse_buildinfo(struct customs_inventory *inv,
                                  const struct customs_pkgdb_file *file,
                                  struct customs_error *err)
{
    struct customs_cursor c;
    const uint8_t *ver = NULL, *info = NULL;
    size_t ver_len = 0, info_len = 0;
    if (file->len < 32 || memcmp(file->data, CUSTOMS_GOBIN_MAGIC, CUSTOMS_GOBIN_MAGIC_LEN) != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: no Go build info header",
                                 file->path);
    }
    if (file->data[14] != 4 && file->data[14] != 8) {
        return 0; /* the magic without a build-info header: some other program's string */
    }
    if ((file->data[15] & FLAG_INLINE) == 0) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: Go build info before Go 1.18 is not supported",
                                 file->path);
    }
    customs_cursor_init(&c, file->data, file->len);
    if (customs_cursor_skip(&c, 32) < 0 || read_string(&c, &ver, &ver_len) < 0 ||
        read_string(&c, &info, &info_len) < 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: offset %zu: truncated Go build info", file->path, c.pos);
    }
    if (info_len >= 33) { /* strip the 16-byte sentinels */
        info += 16;
        info_len -= 32;
    }
    const char *s = (const char *)info;
    const char *end = s + info_len;
    struct mod pending = {0};
    bool pending_dep = false;
    int r = 0;
    while (s < end && r == 0) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl != NULL ? nl : end) - s);
        const char *kind;
        size_t kind_len;
        if (field(s, n, 0, &kind, &kind_len)) {
            bool is_mod = kind_len == 3 && memcmp(kind, "mod", 3) == 0;
            bool is_dep = kind_len == 3 && memcmp(kind, "dep", 3) == 0;
            bool is_rep = kind_len == 2 && memcmp(kind, "=>", 2) == 0;
            if (is_mod || is_dep) {
                r = emit(inv, file, &pending, pending_dep);
                memset(&pending, 0, sizeof(pending));
                field(s, n, 1, &pending.path, &pending.path_len);
                field(s, n, 2, &pending.version, &pending.version_len);
                pending_dep = is_dep;
            } else if (is_rep && pending.path_len > 0) {
                struct mod rep = {0};
                field(s, n, 1, &rep.path, &rep.path_len);
                field(s, n, 2, &rep.version, &rep.version_len);
                /* a module replacement; a local directory ("./x", "../x", "/x") keeps the
                 * path it replaced but has no version of its own: the placeholder the
                 * requirement names ("v0.0.0" in Kubernetes' staging modules) says nothing
                 * about the code built, so it is dropped, as govulncheck does */
                if (rep.path_len > 0 && (rep.path[0] == '.' || rep.path[0] == '/')) {
                    pending.version_len = 0;
                } else if (rep.version_len > 0 && rep.path_len > 0) {
                    pending = rep;
                }
            }
        }
        s = nl != NULL ? nl + 1 : end;
    }
    if (r == 0) {
        r = emit(inv, file, &pending, pending_dep);
    }
    if (r == 0 && ver_len > 2 && memcmp(ver, "go", 2) == 0) {
        char v[64];
        size_t vl = 0;
        while (vl < ver_len - 2 && ver[2 + vl] != ' ') {
            vl++;
        }
        snprintf(v, sizeof(v), "v%.*s", (int)(vl < 60 ? vl : 60), (const char *)ver + 2);
        struct mod std = {"stdlib", 6, v, strlen(v)};
        r = emit(inv, file, &std, true);
    }
    return r == CUSTOMS_ENOMEM ? customs_error_set(err, r, "out of memory") : r;
}
