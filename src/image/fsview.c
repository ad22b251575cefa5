/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The final filesystem of an image, as the OCI image spec's layer rules build it: each layer's
 * whiteouts (".wh.NAME") remove NAME and everything under it from the layers below, an opaque
 * marker (".wh..wh..opq") empties its directory of what the layers below put there, and any
 * entry replaces the one below at the same path (a non-directory replacing a directory takes
 * the directory's contents with it). Only paths and entries are kept, never file contents.
 *
 * The view owns no entry: it indexes the layers' compact lists (src/image/entries.c). Entry i
 * of the k-th applied list has the id base(k) + i; the index maps a path's hash to the id of
 * the entry there (five bytes a slot: the id and 8 bits of the hash, so that a probe decodes an
 * entry only when those bits agree). Deciding whether an entry is the final one at its own
 * path needs no decoding at all: its id is in the index or not.
 */
#include <string.h>
#include <sys/random.h>

#include "image/image.h"

#include "core/banned.h"

#define EMPTY 0u
#define DELETED 1u
#define NO_SLOT SIZE_MAX

struct customs_fsview_layer {
    const struct customs_entries *list;
    size_t base;                        /* id of the list's entry 0 */
    struct customs_entries_reader rd;   /* random access (lookups) */
    bool touch_built;
    struct customs_fsview_table touch;  /* every entry of this layer by path, last one wins */
};

/* ---- hashing ---- */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t path_hash(const struct customs_fsview *fs, const char *path, size_t len)
{
    uint64_t h = fs->seed ^ (len * 0x9e3779b97f4a7c15ull);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, path + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, path + i, len - i);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    }
    return mix64(h);
}

static uint8_t hash_tag(uint64_t h)
{
    return (uint8_t)(h >> 56);
}

/* ---- the table ---- */

static int table_init(struct customs_fsview_table *t, size_t entries)
{
    size_t cap;
    memset(t, 0, sizeof(*t));
    /* at most three quarters full */
    if (customs_mul_overflows(entries, 4, &cap)) {
        return CUSTOMS_ENOMEM;
    }
    cap = cap / 3 + 16;
    t->slots = customs_calloc(cap, sizeof(uint32_t));
    t->tags = customs_malloc(cap);
    if (t->slots == NULL || t->tags == NULL) {
        customs_free(t->slots);
        customs_free(t->tags);
        t->slots = NULL;
        t->tags = NULL;
        return CUSTOMS_ENOMEM;
    }
    t->cap = cap;
    return 0;
}

static void table_release(struct customs_fsview_table *t)
{
    customs_free(t->slots);
    customs_free(t->tags);
    memset(t, 0, sizeof(*t));
}

static bool table_fits(const struct customs_fsview_table *t, size_t more)
{
    return t->cap > 0 && (t->used + more) * 4 <= t->cap * 3;
}

/* The slot holding `id` in the probe sequence of `h`, or NO_SLOT. */
static size_t table_find_id(const struct customs_fsview_table *t, uint64_t h, size_t id)
{
    if (t->cap == 0) {
        return NO_SLOT;
    }
    uint32_t want = (uint32_t)(id + 2);
    for (size_t i = (size_t)(h % t->cap);; i = i + 1 == t->cap ? 0 : i + 1) {
        if (t->slots[i] == EMPTY) {
            return NO_SLOT;
        }
        if (t->slots[i] == want) {
            return i;
        }
    }
}

/* Insert `id` at a free slot of `h`'s sequence (the caller knows no live slot has its path). */
static void table_insert_new(struct customs_fsview_table *t, uint64_t h, size_t id)
{
    size_t i = (size_t)(h % t->cap);
    while (t->slots[i] != EMPTY && t->slots[i] != DELETED) {
        i = i + 1 == t->cap ? 0 : i + 1;
    }
    if (t->slots[i] == EMPTY) {
        t->used++;
    }
    t->slots[i] = (uint32_t)(id + 2);
    t->tags[i] = hash_tag(h);
    t->live++;
}

/* ---- decoding ids ---- */

/* The layer an id of the view belongs to. */
static size_t layer_of(const struct customs_fsview *fs, size_t id)
{
    size_t lo = 0;
    size_t hi = fs->nlayers;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (fs->layers[mid].base <= id) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Decode the view's entry `id` (borrowed from its layer's reader). */
static void decode_id(struct customs_fsview *fs, size_t id, struct customs_entry *out,
                      size_t *layer)
{
    size_t k = layer_of(fs, id);
    struct customs_fsview_layer *L = &fs->layers[k];
    customs_entries_get(&L->rd, id - L->base, out);
    out->layer = (int)k;
    if (layer != NULL) {
        *layer = k;
    }
}

/*
 * The slot whose entry is at `path` in `t` (NO_SLOT if none), and in *free_slot the first slot
 * an insertion of `path` may take. `local` is the layer whose own index `t` is (ids are its
 * entry indexes), or SIZE_MAX for the view's index (ids are global).
 */
static size_t table_find_path(struct customs_fsview *fs, const struct customs_fsview_table *t,
                              size_t local, uint64_t h, const char *path, size_t *free_slot)
{
    size_t first_free = NO_SLOT;
    uint8_t tag = hash_tag(h);
    if (free_slot != NULL) {
        *free_slot = NO_SLOT;
    }
    if (t->cap == 0) {
        return NO_SLOT;
    }
    for (size_t i = (size_t)(h % t->cap);; i = i + 1 == t->cap ? 0 : i + 1) {
        uint32_t s = t->slots[i];
        if (s == EMPTY) {
            if (free_slot != NULL) {
                *free_slot = first_free != NO_SLOT ? first_free : i;
            }
            return NO_SLOT;
        }
        if (s == DELETED) {
            if (first_free == NO_SLOT) {
                first_free = i;
            }
            continue;
        }
        if (t->tags[i] != tag) {
            continue;
        }
        struct customs_entry e;
        if (local == SIZE_MAX) {
            decode_id(fs, s - 2, &e, NULL);
        } else {
            customs_entries_get(&fs->layers[local].rd, s - 2, &e);
        }
        if (strcmp(e.path, path) == 0) {
            return i;
        }
    }
}

/* Insert or replace: `path` (hash `h`) now names `id` in `t` (see table_find_path). */
static void table_put(struct customs_fsview *fs, struct customs_fsview_table *t, size_t local,
                      uint64_t h, const char *path, size_t id)
{
    size_t free_slot;
    size_t at = table_find_path(fs, t, local, h, path, &free_slot);
    if (at != NO_SLOT) {
        t->slots[at] = (uint32_t)(id + 2); /* the last one at a path wins */
        return;
    }
    if (t->slots[free_slot] == EMPTY) {
        t->used++;
    }
    t->slots[free_slot] = (uint32_t)(id + 2);
    t->tags[free_slot] = hash_tag(h);
    t->live++;
}

typedef int (*entry_fn)(struct customs_fsview *fs, size_t id, const struct customs_entry *e,
                        size_t len, void *ctx);

/* Call `fn` with every entry of layers [from, to), in order, with its id and path length. */
static int each_entry(struct customs_fsview *fs, size_t from, size_t to, entry_fn fn, void *ctx)
{
    int r = 0;
    for (size_t k = from; k < to && r == 0; k++) {
        struct customs_fsview_layer *L = &fs->layers[k];
        struct customs_entries_reader rd;
        struct customs_entry e;
        r = customs_entries_reader_init(&rd, L->list);
        for (size_t i = 0; r == 0 && customs_entries_next(&rd, &e); i++) {
            e.layer = (int)k;
            r = fn(fs, L->base + i, &e, rd.len, ctx);
        }
        customs_entries_reader_release(&rd);
    }
    return r;
}

/* ---- life cycle ---- */

void customs_fsview_init(struct customs_fsview *fs, uint32_t max_symlink_hops)
{
    memset(fs, 0, sizeof(*fs));
    fs->max_symlink_hops = max_symlink_hops;
    /* a seed nobody can predict: paths crafted to collide cannot slow every lookup down */
    if (getrandom(&fs->seed, sizeof(fs->seed), GRND_NONBLOCK) != (ssize_t)sizeof(fs->seed)) {
        fs->seed = mix64((uint64_t)(uintptr_t)fs);
    }
}

void customs_fsview_release(struct customs_fsview *fs)
{
    for (size_t k = 0; k < fs->nlayers; k++) {
        customs_entries_reader_release(&fs->layers[k].rd);
        table_release(&fs->layers[k].touch);
    }
    customs_free(fs->layers);
    table_release(&fs->index);
    memset(fs, 0, sizeof(*fs));
}

static int rehash_one(struct customs_fsview *fs, size_t id, const struct customs_entry *e,
                      size_t len, void *ctx)
{
    uint64_t h = path_hash(fs, e->path, len);
    if (table_find_id(&fs->index, h, id) != NO_SLOT) {
        table_insert_new(ctx, h, id);
    }
    return 0;
}

/* Rebuild the index at the size for `entries` live entries: a pass over every layer's list in
 * order, keeping the ids that are live (found in the old index by their path's hash). */
static int fsview_rehash(struct customs_fsview *fs, size_t entries)
{
    struct customs_fsview_table next;
    int r = table_init(&next, entries);
    if (r == 0) {
        r = each_entry(fs, 0, fs->nlayers, rehash_one, &next);
    }
    if (r < 0) {
        table_release(&next);
        return r;
    }
    table_release(&fs->index);
    fs->index = next;
    return 0;
}

int customs_fsview_reserve(struct customs_fsview *fs, size_t entries)
{
    size_t want;
    if (table_fits(&fs->index, entries)) {
        return 0;
    }
    if (customs_add_overflows(fs->index.live, entries, &want)) {
        return CUSTOMS_ENOMEM;
    }
    if (fs->index.cap == 0) {
        return table_init(&fs->index, want); /* exactly: the scan reserves all layers at once */
    }
    return fsview_rehash(fs, want + want / 2); /* room for a few more layers */
}

/* Is `path` strictly below one of the directories in `below`, or (whiteouts) at or below one
 * of `gone`? */
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

static int mark(struct customs_strmap *m, struct customs_arena *a, const char *path)
{
    if (customs_strmap_get(m, path) != NULL) {
        return 0;
    }
    const char *key = customs_arena_strdup(a, path);
    return key == NULL ? CUSTOMS_ENOMEM : customs_strmap_put(m, key, (void *)1);
}

struct hide {
    const struct customs_strmap *below;
    const struct customs_strmap *gone;
};

static int hide_one(struct customs_fsview *fs, size_t id, const struct customs_entry *e,
                    size_t len, void *ctx)
{
    const struct hide *h = ctx;
    if (doomed(h->below, h->gone, e->path)) {
        size_t slot = table_find_id(&fs->index, path_hash(fs, e->path, len), id);
        if (slot != NO_SLOT) {
            fs->index.slots[slot] = DELETED;
            fs->index.live--;
        }
    }
    return 0;
}

int customs_fsview_apply(struct customs_fsview *fs, const struct customs_entries *l)
{
    size_t n = customs_entries_count(l);
    struct customs_strmap below; /* directories whose lower contents go */
    struct customs_strmap gone;  /* paths that go, with everything under them */
    struct customs_arena keys;
    struct customs_entries_reader rd;
    struct customs_entry e;
    int r;
    if (n > CUSTOMS_ENTRIES_MAX || fs->total > CUSTOMS_ENTRIES_MAX - n) {
        return CUSTOMS_ELIMIT;
    }
    if (fs->nlayers == fs->alloc) {
        size_t alloc = fs->alloc ? fs->alloc * 2 : 8;
        struct customs_fsview_layer *more = customs_calloc(alloc, sizeof(*more));
        if (more == NULL) {
            return CUSTOMS_ENOMEM;
        }
        if (fs->nlayers > 0) {
            memcpy(more, fs->layers, fs->nlayers * sizeof(*more));
        }
        customs_free(fs->layers);
        fs->layers = more;
        fs->alloc = alloc;
    }
    r = customs_fsview_reserve(fs, n);
    if (r < 0) {
        return r;
    }
    struct customs_fsview_layer *L = &fs->layers[fs->nlayers];
    memset(L, 0, sizeof(*L));
    L->list = l;
    L->base = fs->total;
    r = customs_entries_reader_init(&L->rd, l);
    if (r < 0) {
        return r;
    }
    fs->nlayers++;
    fs->total += n;

    customs_strmap_init(&below);
    customs_strmap_init(&gone);
    customs_arena_init(&keys);
    r = customs_entries_reader_init(&rd, l);
    /* what this layer hides below it, judged against the view before it */
    while (r == 0 && customs_entries_next(&rd, &e)) {
        struct customs_fsview_ref old;
        struct customs_entry oe;
        if (e.type == CUSTOMS_ENTRY_WHITEOUT) {
            r = mark(&gone, &keys, e.path);
        } else if (e.type == CUSTOMS_ENTRY_OPAQUE) {
            r = mark(&below, &keys, e.path);
        } else if (e.type != CUSTOMS_ENTRY_DIR && fs->index.live > 0 &&
                   customs_fsview_get(fs, e.path, &old)) {
            /* the index holds only the layers below this one yet */
            customs_fsview_entry(fs, old, &oe);
            if (oe.type == CUSTOMS_ENTRY_DIR) {
                r = mark(&below, &keys, e.path);
            }
        }
    }
    customs_entries_reader_release(&rd);
    if (r == 0 && (below.len > 0 || gone.len > 0) && fs->index.live > 0) {
        /* remove from the index what it hides: entries of the layers below it */
        struct hide h = {&below, &gone};
        r = each_entry(fs, 0, fs->nlayers - 1, hide_one, &h);
    }
    customs_strmap_release(&below);
    customs_strmap_release(&gone);
    customs_arena_release(&keys);
    if (r < 0) {
        return r;
    }
    /* this layer's entries replace what is at their paths */
    r = customs_entries_reader_init(&rd, l);
    for (size_t i = 0; r == 0 && customs_entries_next(&rd, &e); i++) {
        if (e.type == CUSTOMS_ENTRY_WHITEOUT || e.type == CUSTOMS_ENTRY_OPAQUE) {
            continue;
        }
        table_put(fs, &fs->index, SIZE_MAX, path_hash(fs, e.path, rd.len), e.path, L->base + i);
    }
    customs_entries_reader_release(&rd);
    return r;
}

/* ---- lookups ---- */

bool customs_fsview_get(struct customs_fsview *fs, const char *path,
                        struct customs_fsview_ref *out)
{
    uint64_t h = path_hash(fs, path, strlen(path));
    size_t at = table_find_path(fs, &fs->index, SIZE_MAX, h, path, NULL);
    if (at == NO_SLOT) {
        return false;
    }
    size_t id = fs->index.slots[at] - 2;
    size_t k = layer_of(fs, id);
    out->layer = (uint32_t)k;
    out->index = (uint32_t)(id - fs->layers[k].base);
    return true;
}

bool customs_fsview_is_final(struct customs_fsview *fs, struct customs_fsview_ref ref,
                             const char *path)
{
    if (ref.layer >= fs->nlayers) {
        return false;
    }
    size_t id = fs->layers[ref.layer].base + ref.index;
    return table_find_id(&fs->index, path_hash(fs, path, strlen(path)), id) != NO_SLOT;
}

void customs_fsview_entry(struct customs_fsview *fs, struct customs_fsview_ref ref,
                          struct customs_entry *out)
{
    customs_entries_get(&fs->layers[ref.layer].rd, ref.index, out);
    out->layer = (int)ref.layer;
}

/* A path that no longer fits while resolving it; or memory that ran out (r: the failure). */
static int too_long(struct customs_error *err, int r, const char *path)
{
    if (r == CUSTOMS_ENOMEM) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return customs_error_set(err, CUSTOMS_ELIMIT, "%.200s: path too long to resolve", path);
}

int customs_fsview_resolve(struct customs_fsview_ref *out, bool *found, struct customs_fsview *fs,
                           const char *path, struct customs_error *err)
{
    struct customs_buf cur;
    struct customs_buf next;
    uint32_t hops = 0;
    int r = 0;
    *found = false;
    memset(out, 0, sizeof(*out));
    customs_buf_init(&cur, 16384);
    customs_buf_init(&next, 16384);
    char *tmp = customs_malloc(16384);
    if (tmp == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    if (customs_path_clean(tmp, 16384, path, strlen(path)) < 0 ||
        (r = customs_buf_puts(&cur, tmp)) < 0) {
        r = too_long(err, r, path);
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
        struct customs_fsview_ref ref;
        struct customs_entry e;
        cur.ptr[stop] = '\0';
        bool there = customs_fsview_get(fs, cur.ptr, &ref);
        cur.ptr[stop] = saved;
        if (!there) {
            if (last) {
                goto out; /* nothing there */
            }
            end = stop + 1; /* a parent no tar entry named: an implicit directory */
            continue;
        }
        customs_fsview_entry(fs, ref, &e);
        if (e.type == CUSTOMS_ENTRY_SYMLINK || (last && e.type == CUSTOMS_ENTRY_HARDLINK)) {
            if (++hops > fs->max_symlink_hops) {
                r = customs_error_set(err, CUSTOMS_ELIMIT,
                                      "%.200s: more than %u symlinks while resolving it (a "
                                      "symlink loop? --max-symlink-hops)",
                                      path, fs->max_symlink_hops);
                goto out;
            }
            customs_buf_reset(&next);
            if (e.type == CUSTOMS_ENTRY_HARDLINK || e.link[0] == '/') {
                r = customs_buf_puts(&next, e.link);
            } else {
                /* relative: from the symlink's directory */
                size_t dir = end > 1 ? end - 1 : 0;
                r = customs_buf_append(&next, s, dir);
                if (r == 0) {
                    r = customs_buf_printf(&next, "/%s", e.link);
                }
            }
            if (r == 0 && !last) {
                r = customs_buf_puts(&next, s + stop);
            }
            if (r < 0 || customs_path_clean(tmp, 16384, customs_buf_cstr(&next), next.len) < 0 ||
                (customs_buf_reset(&cur), r = customs_buf_puts(&cur, tmp)) < 0) {
                r = too_long(err, r, path);
                goto out;
            }
            goto restart;
        }
        if (last) {
            *out = ref;
            *found = true;
            goto out;
        }
        if (e.type != CUSTOMS_ENTRY_DIR) {
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

/* ---- one layer's own entries ---- */

static int touch_build(struct customs_fsview *fs, size_t k)
{
    struct customs_fsview_layer *L = &fs->layers[k];
    struct customs_entries_reader rd;
    struct customs_entry e;
    int r = table_init(&L->touch, customs_entries_count(L->list));
    if (r == 0) {
        r = customs_entries_reader_init(&rd, L->list);
        if (r < 0) {
            table_release(&L->touch);
            return r;
        }
    } else {
        return r;
    }
    for (size_t i = 0; customs_entries_next(&rd, &e); i++) {
        table_put(fs, &L->touch, k, path_hash(fs, e.path, rd.len), e.path, i);
    }
    customs_entries_reader_release(&rd);
    L->touch_built = true;
    return 0;
}

/* The type of layer k's last entry at `path` (len bytes); false if none. */
static bool touch_get(struct customs_fsview *fs, size_t k, const char *path, size_t len,
                      enum customs_entry_type *type)
{
    struct customs_fsview_layer *L = &fs->layers[k];
    size_t at = table_find_path(fs, &L->touch, k, path_hash(fs, path, len), path, NULL);
    if (at == NO_SLOT) {
        return false;
    }
    struct customs_entry e;
    customs_entries_get(&L->rd, L->touch.slots[at] - 2, &e);
    *type = e.type;
    return true;
}

int customs_fsview_touches(struct customs_fsview *fs, size_t layer, const char *path, bool *out)
{
    char buf[8192];
    enum customs_entry_type type;
    *out = false;
    if (layer >= fs->nlayers) {
        return 0;
    }
    if (!fs->layers[layer].touch_built) {
        int r = touch_build(fs, layer);
        if (r < 0) {
            return r;
        }
    }
    size_t len = strlen(path);
    if (touch_get(fs, layer, path, len, &type)) {
        *out = true;
        return 0;
    }
    if (len >= sizeof(buf)) {
        return 0;
    }
    memcpy(buf, path, len + 1);
    for (char *slash = strrchr(buf, '/'); slash != NULL && slash != buf;
         slash = strrchr(buf, '/')) {
        *slash = '\0';
        if (touch_get(fs, layer, buf, (size_t)(slash - buf), &type) &&
            type != CUSTOMS_ENTRY_DIR) {
            *out = true; /* whiteout, opaque marker, or a file replacing the directory */
            return 0;
        }
    }
    return 0;
}

/* ---- the final filesystem, entry by entry ---- */

struct walk {
    int (*fn)(void *ctx, const struct customs_entry *e);
    void *ctx;
};

static int walk_one(struct customs_fsview *fs, size_t id, const struct customs_entry *e,
                    size_t len, void *ctx)
{
    const struct walk *w = ctx;
    if (e->type == CUSTOMS_ENTRY_WHITEOUT || e->type == CUSTOMS_ENTRY_OPAQUE ||
        table_find_id(&fs->index, path_hash(fs, e->path, len), id) == NO_SLOT) {
        return 0;
    }
    return w->fn(w->ctx, e);
}

int customs_fsview_walk(struct customs_fsview *fs,
                        int (*fn)(void *ctx, const struct customs_entry *e), void *ctx)
{
    struct walk w = {fn, ctx};
    return each_entry(fs, 0, fs->nlayers, walk_one, &w);
}
