/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The final filesystem of an image, as the OCI image spec's layer rules build it: each layer's
 * whiteouts (".wh.NAME") remove NAME and everything under it from the layers below, an opaque
 * marker (".wh..wh..opq") empties its directory of what the layers below put there, and any
 * entry replaces the one below at the same path (a non-directory replacing a directory takes
 * the directory's contents with it). Only paths and entries are kept, never file contents.
 */
#include <string.h>

#include "image/image.h"

#include "core/banned.h"

int customs_fsview_init(struct customs_fsview *fs, uint32_t max_symlink_hops)
{
    customs_strmap_init(&fs->map);
    fs->max_symlink_hops = max_symlink_hops;
    return 0;
}

void customs_fsview_release(struct customs_fsview *fs)
{
    customs_strmap_release(&fs->map);
}

const struct customs_entry *customs_fsview_get(const struct customs_fsview *fs, const char *path)
{
    return customs_strmap_get(&fs->map, path);
}

/* Is `path` strictly below one of the directories in `dirs`, or (whiteouts) one of `gone`? */
static bool doomed(const struct customs_strmap *below, const struct customs_strmap *gone,
                   const char *path)
{
    char buf[8192];
    size_t len = strlen(path);
    if (customs_strmap_get(gone, path) != NULL) {
        return true;
    }
    if (len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, path, len + 1);
    for (char *slash = strrchr(buf, '/'); slash != NULL; slash = strrchr(buf, '/')) {
        if (slash == buf) {
            return customs_strmap_get(below, "/") != NULL;
        }
        *slash = '\0';
        if (customs_strmap_get(below, buf) != NULL || customs_strmap_get(gone, buf) != NULL) {
            return true;
        }
    }
    return false;
}

int customs_fsview_apply(struct customs_fsview *fs, const struct customs_entry *entries, size_t n)
{
    struct customs_strmap below; /* directories whose lower contents go */
    struct customs_strmap gone;  /* paths that go, with everything under them */
    int r = 0;
    customs_strmap_init(&below);
    customs_strmap_init(&gone);
    for (size_t i = 0; i < n && r == 0; i++) {
        const struct customs_entry *e = &entries[i];
        const struct customs_entry *old;
        if (e->type == CUSTOMS_ENTRY_WHITEOUT) {
            r = customs_strmap_put(&gone, e->path, (void *)(uintptr_t)e);
        } else if (e->type == CUSTOMS_ENTRY_OPAQUE) {
            r = customs_strmap_put(&below, e->path, (void *)(uintptr_t)e);
        } else if (e->type != CUSTOMS_ENTRY_DIR &&
                   (old = customs_strmap_get(&fs->map, e->path)) != NULL &&
                   old->type == CUSTOMS_ENTRY_DIR) {
            r = customs_strmap_put(&below, e->path, (void *)(uintptr_t)e);
        }
    }
    if (r == 0 && (below.len > 0 || gone.len > 0)) {
        struct customs_vec dead;
        size_t iter = 0;
        const char *key;
        void *value;
        customs_vec_init(&dead, sizeof(const char *));
        while (r == 0 && customs_strmap_next(&fs->map, &iter, &key, &value)) {
            if (doomed(&below, &gone, key)) {
                const char **slot = customs_vec_push(&dead);
                if (slot == NULL) {
                    r = CUSTOMS_ENOMEM;
                } else {
                    *slot = key;
                }
            }
        }
        for (size_t i = 0; i < dead.len; i++) {
            customs_strmap_del(&fs->map, *(const char **)customs_vec_at(&dead, i));
        }
        customs_vec_release(&dead);
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        const struct customs_entry *e = &entries[i];
        if (e->type != CUSTOMS_ENTRY_WHITEOUT && e->type != CUSTOMS_ENTRY_OPAQUE) {
            r = customs_strmap_put(&fs->map, e->path, (void *)(uintptr_t)e);
        }
    }
    customs_strmap_release(&below);
    customs_strmap_release(&gone);
    return r;
}

int customs_fsview_resolve(const struct customs_entry **out, const struct customs_fsview *fs,
                           const char *path, struct customs_error *err)
{
    struct customs_buf cur;
    struct customs_buf next;
    uint32_t hops = 0;
    int r = 0;
    *out = NULL;
    customs_buf_init(&cur, 16384);
    customs_buf_init(&next, 16384);
    char *tmp = customs_malloc(16384);
    if (tmp == NULL || customs_path_clean(tmp, 16384, path, strlen(path)) < 0 ||
        customs_buf_puts(&cur, tmp) < 0) {
        r = customs_error_set(err, CUSTOMS_ELIMIT, "%.200s: path too long to resolve", path);
        goto out;
    }
restart:
    for (size_t end = 1; r == 0 && end <= cur.len;) {
        const char *s = customs_buf_cstr(&cur);
        size_t stop = end;
        while (stop < cur.len && s[stop] != '/') {
            stop++;
        }
        bool last = stop == cur.len;
        char saved = cur.ptr[stop];
        cur.ptr[stop] = '\0';
        const struct customs_entry *e = customs_strmap_get(&fs->map, cur.ptr);
        cur.ptr[stop] = saved;
        if (e == NULL) {
            if (last) {
                goto out; /* nothing there */
            }
            end = stop + 1; /* a parent no tar entry named: an implicit directory */
            continue;
        }
        if (e->type == CUSTOMS_ENTRY_SYMLINK || (last && e->type == CUSTOMS_ENTRY_HARDLINK)) {
            if (++hops > fs->max_symlink_hops) {
                r = customs_error_set(err, CUSTOMS_ELIMIT,
                                      "%.200s: more than %u symlinks while resolving it (a "
                                      "symlink loop? --max-symlink-hops)",
                                      path, fs->max_symlink_hops);
                goto out;
            }
            customs_buf_reset(&next);
            if (e->type == CUSTOMS_ENTRY_HARDLINK || e->link[0] == '/') {
                r = customs_buf_puts(&next, e->link);
            } else {
                /* relative: from the symlink's directory */
                size_t dir = end > 1 ? end - 1 : 0;
                r = customs_buf_append(&next, s, dir);
                if (r == 0) {
                    r = customs_buf_printf(&next, "/%s", e->link);
                }
            }
            if (r == 0 && !last) {
                r = customs_buf_puts(&next, s + stop);
            }
            if (r < 0 || customs_path_clean(tmp, 16384, customs_buf_cstr(&next), next.len) < 0) {
                r = customs_error_set(err, CUSTOMS_ELIMIT, "%.200s: path too long to resolve",
                                      path);
                goto out;
            }
            customs_buf_reset(&cur);
            customs_buf_puts(&cur, tmp);
            goto restart;
        }
        if (last) {
            *out = e;
            goto out;
        }
        if (e->type != CUSTOMS_ENTRY_DIR) {
            goto out; /* a file where a directory should be */
        }
        end = stop + 1;
    }
out:
    customs_free(tmp);
    customs_buf_release(&cur);
    customs_buf_release(&next);
    return r;
}
