/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Python distributions the OS package manager installed. Debian's python3-cryptography puts
 * cryptography-38.0.4.dist-info (and cryptography.egg-info) under /usr/lib/python3/dist-packages:
 * that code is the Debian package, patched and fixed by Debian's advisories, and matching it
 * against PyPI's advisories reports what Debian already fixed (or backported). The package
 * managers' file lists say which metadata directories they own: dpkg's
 * /var/lib/dpkg/info/NAME.list (one absolute path per line, directories included), apk's
 * installed database (F: directory lines, read in apk.c) and rpm's BASENAMES/DIRNAMES (rpm.c).
 */
#include "inventory/inventory.h"

#include <stdlib.h>
#include <string.h>

#include "inventory/text.h"

#include "core/banned.h"

#define DPKG_INFO "/var/lib/dpkg/info/"

bool customs_owned_is_python_dir(const char *path, size_t n)
{
    static const char *const suffixes[] = {".dist-info", ".egg-info"};
    while (n > 1 && path[n - 1] == '/') {
        n--;
    }
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && memcmp(path + n - k, suffixes[i], k) == 0 && path[n - k - 1] != '/') {
            return true;
        }
    }
    return false;
}

int customs_owned_add(struct customs_inventory *inv, const char *path, size_t n,
                      const char *owner)
{
    struct customs_owned_path *o = customs_vec_push(&inv->owned);
    char *copy = customs_arena_alloc(inv->arena, n + 2);
    size_t at = 0;
    if (o == NULL || copy == NULL) {
        return CUSTOMS_ENOMEM;
    }
    while (n > 1 && path[n - 1] == '/') {
        n--;
    }
    if (n == 0 || path[0] != '/') {
        copy[at++] = '/';
    }
    memcpy(copy + at, path, n);
    copy[at + n] = '\0';
    o->path = copy;
    o->owner = customs_arena_strdup(inv->arena, owner);
    return o->owner == NULL ? CUSTOMS_ENOMEM : 0;
}

int customs_dpkg_parse_list(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                            struct customs_error *err)
{
    struct customs_lines lines;
    const char *line;
    size_t n;
    const char *base = customs_path_base(file->path);
    size_t name_len = strcspn(base, ":");
    char owner[256];
    if (customs_str_has_suffix(base, ".list") && name_len > strlen(base) - strlen(".list")) {
        name_len = strlen(base) - strlen(".list");
    }
    if (name_len == 0 || name_len >= sizeof(owner)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: not a dpkg file list name",
                                 file->path);
    }
    memcpy(owner, base, name_len);
    owner[name_len] = '\0';
    size_t nul = customs_text_nul_line(file->data, file->len);
    if (nul != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: NUL byte", file->path, nul);
    }
    customs_lines_init(&lines, file->data, file->len);
    while (customs_lines_next(&lines, &line, &n)) {
        if (customs_owned_is_python_dir(line, n)) {
            int r = customs_owned_add(inv, line, n, owner);
            if (r < 0) {
                return customs_error_set(err, r, "out of memory");
            }
        }
    }
    return 0;
}

static int owned_order(const void *x, const void *y)
{
    const struct customs_owned_path *a = x;
    const struct customs_owned_path *b = y;
    return strcmp(a->path, b->path);
}

/* The metadata directory of a PyPI record: its path without "/METADATA" or "/PKG-INFO". */
static size_t python_meta_dir(const struct customs_package *p)
{
    const char *base = p->path != NULL ? customs_path_base(p->path) : NULL;
    if (base == NULL || base == p->path) {
        return 0;
    }
    return (size_t)(base - p->path) - 1;
}

static const struct customs_owned_path *owned_find(const struct customs_inventory *inv,
                                                   const char *dir, size_t n)
{
    size_t lo = 0;
    size_t hi = inv->owned.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct customs_owned_path *o = customs_vec_at(&inv->owned, mid);
        int c = strncmp(o->path, dir, n);
        if (c == 0 && o->path[n] != '\0') {
            c = 1;
        }
        if (c == 0) {
            return o;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* The length of the directory holding `dir` bytes of `path` (its site-packages). */
static size_t python_site_len(const char *path, size_t dir)
{
    while (dir > 0 && path[dir - 1] != '/') {
        dir--;
    }
    return dir;
}

static bool python_same_site(const struct customs_package *a, size_t adir,
                             const struct customs_package *b, size_t bdir)
{
    size_t an = python_site_len(a->path, adir);
    size_t bn = python_site_len(b->path, bdir);
    return an == bn && memcmp(a->path, b->path, an) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->version, b->version) == 0;
}

/* Is record i the second metadata directory of a distribution installed beside record j? */
static bool python_is_duplicate(struct customs_vec *pk, size_t i)
{
    struct customs_package *p = customs_vec_at(pk, i);
    size_t pdir = strcmp(p->type, "pypi") == 0 ? python_meta_dir(p) : 0;
    for (size_t j = 0; pdir > 0 && j < pk->len; j++) {
        struct customs_package *q = customs_vec_at(pk, j);
        size_t qdir = j != i && strcmp(q->type, "pypi") == 0 ? python_meta_dir(q) : 0;
        if (qdir == 0 || !python_same_site(p, pdir, q, qdir)) {
            continue;
        }
        bool p_dist = strstr(p->path, ".dist-info/") != NULL;
        bool q_dist = strstr(q->path, ".dist-info/") != NULL;
        /* the .dist-info record stays; between two of a kind, the first */
        if ((q_dist && !p_dist) || (q_dist == p_dist && j < i)) {
            if (q->os_package == NULL) {
                q->os_package = p->os_package;
            }
            return true;
        }
    }
    return false;
}

int customs_python_settle(struct customs_inventory *inv)
{
    struct customs_vec *pk = &inv->packages;
    bool *drop = NULL;
    size_t out = 0;
    if (inv->owned.len > 1) {
        qsort(inv->owned.items, inv->owned.len, inv->owned.elem, owned_order);
    }
    for (size_t i = 0; i < pk->len; i++) {
        struct customs_package *p = customs_vec_at(pk, i);
        size_t dir = strcmp(p->type, "pypi") == 0 ? python_meta_dir(p) : 0;
        const struct customs_owned_path *o = dir > 0 ? owned_find(inv, p->path, dir) : NULL;
        if (o != NULL) {
            p->os_package = o->owner;
        }
    }
    if (pk->len == 0) {
        return 0;
    }
    drop = customs_calloc(pk->len, sizeof(bool));
    if (drop == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < pk->len; i++) {
        drop[i] = python_is_duplicate(pk, i);
    }
    for (size_t i = 0; i < pk->len; i++) {
        if (!drop[i]) {
            memmove(customs_vec_at(pk, out++), customs_vec_at(pk, i), pk->elem);
        }
    }
    pk->len = out;
    customs_free(drop);
    return 0;
}
