/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One scan: open the target, read every layer once (in parallel, one collector per layer),
 * build the final filesystem view, then run the analyzers on the files they asked for and
 * fill the report. Nothing here parses a file format; it only routes bytes.
 */
#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "customs/scan.h"
#include "formats/json.h"
#include "image/image.h"
#include "misconfig/misconfig.h"
#include "policy/filter.h"
#include "registry/registry.h"
#include "scan/imagecfg.h"
#include "scan/collect.h"
#include "scan/coverage.h"
#include "scan/layercache.h"
#include "model/report.h"
#include "scan/rules.h"

#include "core/banned.h"

void customs_scan_options_default(struct customs_scan_options *out)
{
    memset(out, 0, sizeof(*out)); /* every field, also those added later, starts unset */
    customs_limits_default(&out->limits);
    out->platform = NULL;
    out->threads = 0;
    out->scanners = CUSTOMS_SCAN_PACKAGES;
    out->secret_rules = NULL;
    out->show_secrets = false;
    out->malware_rules = NULL;
    out->clamav_db = NULL;
    out->vuln_db = NULL;
    out->pkg_types = CUSTOMS_PKG_OS | CUSTOMS_PKG_LIBRARY;
    out->severities = NULL;
    out->ignore_unfixed = false;
    out->ignorefile = NULL;
    out->vex = NULL;
    out->max_db_age_days = 7;
    out->report_time = -1;
    out->registry = NULL;
    out->progress = NULL;
    out->progress_payload = NULL;
    out->layer_cache_dir = NULL;
    out->warn = NULL;
    out->warn_payload = NULL;
}

struct scan {
    const struct customs_scan_options *opts;
    struct customs_image *img;
    struct customs_report *report;
    struct customs_collector *layers; /* one per layer; one for a directory */
    size_t nlayers;
    struct customs_rules *rules;           /* opts->rules (a reference) or compiled for this scan */
    const struct customs_secret_engine *secrets;  /* NULL unless secrets are scanned */
    const struct customs_malware_engine *malware; /* NULL unless malware is scanned */
    struct customs_byte_budget budget;
    struct customs_capture_budget captured; /* --max-captured-bytes */
    const char *target;               /* the target's name, for the captured-bytes error */
    _Atomic size_t next;
    uint64_t pipeline_min;            /* layers this large get a second thread (read_layers) */
    size_t *same_as;                  /* layer -> the first layer of the same blob (itself if
                                       * none before it): each blob is read once */
    size_t nread;                     /* layers read: those that are their own same_as */
    size_t *order;                    /* layers read, by size, largest first (shortest wall
                                       * time) */
    struct customs_layercache *cache; /* NULL: no layer cache */
    struct customs_skip skip;         /* --skip-dirs, --skip-files */
    char (*keys)[CUSTOMS_SEALED_KEY_LEN]; /* per layer: its cache key, "" if it has none */
    pthread_mutex_t progress_lock;
    unsigned done;
    uint64_t bytes_in;
    uint64_t bytes_out;
};

/* ---- reading layers ---- */

#define PIPELINE_MIN_BYTES (1u << 20) /* compressed */

/* Files this large or larger are not copied into the malware scanner while a layer streams,
 * only searched for the rules' gate texts; the rare one that holds them is scanned in a second
 * walk of its layer. Copying every byte of every large library and executable was most of the
 * malware scanner's cost. At 2 MiB, every rule but three (files under 5 and 20 MiB, and the
 * unbounded miner binary rule, all gated on rare texts) is out of reach by size, so common
 * gate texts ("/dev/tcp/" is in bash) never send a layer to a second walk. */
#define MALWARE_HOLD_BYTES ((uint64_t)2 << 20)

/* One reading thread's content scanners, lent to each layer it reads: their buffers (the
 * malware scanner's holds a whole file, up to --max-file-size) are allocated and faulted in
 * once per thread, not once per layer. */
struct worker {
    struct scan *s;
    struct customs_malware_scanner *malware;
    struct customs_secret_scanner *secrets;
};

/* The secret scanner of one thread; the engine's databases are loaded by the first, and a
 * failure to load them is reported as itself (never as "out of memory"). */
static int new_secret_scanner(const struct scan *s, struct customs_secret_scanner **out,
                              const char *where, struct customs_error *err)
{
    int r = customs_secret_engine_ready(s->secrets, err);
    if (r == 0 && customs_secret_scanner_new(out, s->secrets) < 0) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "%s%sout of memory", where,
                              where[0] != '\0' ? ": " : "");
    }
    return r;
}

/* The content scanners the scan's engines call for (NULL where an engine is off). */
static int new_scanners(const struct scan *s, struct customs_malware_scanner **malware,
                        struct customs_secret_scanner **secrets, const char *where,
                        struct customs_error *err)
{
    if (s->malware != NULL && *malware == NULL &&
        customs_malware_scanner_new(malware, s->malware, s->opts->limits.max_file_bytes) < 0) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "%s%sout of memory", where,
                                 where[0] != '\0' ? ": " : "");
    }
    if (s->secrets != NULL && *secrets == NULL) {
        return new_secret_scanner(s, secrets, where, err);
    }
    return 0;
}

static void warn(struct scan *s, const struct customs_error *e)
{
    if (s->opts->warn != NULL) {
        pthread_mutex_lock(&s->progress_lock);
        s->opts->warn(e->message, s->opts->warn_payload);
        pthread_mutex_unlock(&s->progress_lock);
    }
}

/* Layer i's results from the cache: true on a hit (its bytes count against --max-total-bytes
 * as if read; a hit that would trip the limit is dropped and the layer read, to fail there). */
static bool restore_layer(struct scan *s, size_t i)
{
    struct customs_collector *c = &s->layers[i];
    struct customs_error w = {0};
    if (s->cache == NULL || s->keys[i][0] == '\0') {
        return false;
    }
    int r = customs_layercache_load(c, s->cache, s->keys[i], &s->img->layers[i], &w);
    if (r == CUSTOMS_ENOMEM) {
        c->code = customs_error_set(&c->err, r, "layer %zu: out of memory", i);
        return true;
    }
    if (r == CUSTOMS_ELIMIT && c->over_budget) {
        c->code = r; /* its captures, as read, pass the budget: reading it again would too */
        return true;
    }
    if (r < 0) {
        if (r != CUSTOMS_ENOTFOUND) {
            warn(s, &w);
        }
        return false;
    }
    uint64_t before = atomic_fetch_add(&s->budget.used, c->stats.bytes_out);
    if (before + c->stats.bytes_out > s->opts->limits.max_total_bytes ||
        before + c->stats.bytes_out < before) {
        atomic_fetch_sub(&s->budget.used, c->stats.bytes_out);
        int layer = c->layer;
        const struct customs_skip *skip = c->skip;
        customs_collector_release(c);
        customs_collector_init(c, layer, &s->opts->limits);
        c->show_secrets = s->opts->show_secrets;
        c->skip = skip;
        c->captured = &s->captured;
        return false;
    }
    return true;
}

/* Keep what reading layer i produced (after its hardlinks were resolved). */
static void keep_layer(struct scan *s, size_t i)
{
    if (s->cache != NULL && s->keys[i][0] != '\0' && s->layers[i].code == 0) {
        /* Best effort: a layer that could not be stored (too large, a full disk, even out of
         * memory) is read again by the next scan; this scan's result does not depend on it. */
        int rc = customs_layercache_store(s->cache, s->keys[i], &s->layers[i]);
        (void)rc;
    }
}

static void read_layer(struct worker *w, size_t i)
{
    struct scan *s = w->s;
    struct customs_collector *c = &s->layers[i];
    const struct customs_image_layer *l = &s->img->layers[i];
    struct customs_blob_stream blob;
    struct customs_walk_visitor v;
    char name[160];
    snprintf(name, sizeof(name), "layer %zu (%.19s%s)", i,
             l->digest[0] != '\0' ? l->digest : l->diff_id, "...");
    customs_collector_visitor(c, &v);
    bool restored = restore_layer(s, i);
    if (restored) {
        /* read from the cache: the blob is not opened */
    } else if ((c->code = new_scanners(s, &w->malware, &w->secrets, name, &c->err)) < 0) {
        /* c->err says why */
    } else {
        c->code = customs_image_open_layer(&blob, s->img, i, &c->err);
    }
    c->malware = w->malware;
    c->secrets = w->secrets;
    if (c->code == 0 && !restored) {
        bool pipelined = l->size >= s->pipeline_min;
        if (c->malware != NULL) {
            customs_malware_hold_below(c->malware, MALWARE_HOLD_BYTES);
        }
        c->code = customs_layer_walk(&c->stats, &blob, name, (int)i, l->digest, l->diff_id,
                                     &s->opts->limits, &s->budget, pipelined, &v, &c->err);
        blob.close(blob.ctx);
    }
    if (c->code == 0 && c->malware_again.len > 0) {
        c->code = customs_image_open_layer(&blob, s->img, i, &c->err);
        if (c->code == 0) {
            c->code = customs_collector_malware_again(c, &blob, name, c->stats.digest,
                                                      c->stats.diff_id, &c->err);
            blob.close(blob.ctx);
        }
    }
    if (c->code == CUSTOMS_ENOMEM && c->err.message[0] == '\0') {
        customs_error_set(&c->err, CUSTOMS_ENOMEM, "%s: out of memory", name);
    }
    if (c->code == CUSTOMS_ELIMIT && c->over_budget) {
        customs_error_prefix(&c->err, "%s: %s", s->target, name);
    }
    if (c->code < 0) {
        atomic_store(&s->budget.stop, 1);
    }
    c->malware = NULL; /* the worker's */
    c->secrets = NULL;
    if (!restored && c->links.len == 0) {
        keep_layer(s, i); /* one with hardlinked package databases: once they are resolved */
    }
    if (s->opts->progress != NULL) {
        pthread_mutex_lock(&s->progress_lock);
        s->done++;
        s->bytes_in += c->stats.bytes_in;
        s->bytes_out += c->stats.bytes_out;
        s->opts->progress(s->done, (unsigned)s->nread, s->bytes_in, s->bytes_out,
                          s->opts->progress_payload);
        pthread_mutex_unlock(&s->progress_lock);
    }
}

static void *worker(void *arg)
{
    struct worker w = {arg, NULL, NULL};
    struct scan *s = w.s;
    for (;;) {
        size_t k = atomic_fetch_add(&s->next, 1);
        if (k >= s->nread || atomic_load(&s->budget.stop)) {
            break;
        }
        read_layer(&w, s->order[k]);
    }
    customs_malware_scanner_free(w.malware);
    customs_secret_scanner_free(w.secrets);
    return NULL;
}

struct layer_size {
    uint64_t size;
    size_t index;
};

static int bigger_first(const void *a, const void *b)
{
    const struct layer_size *x = a;
    const struct layer_size *y = b;
    if (x->size != y->size) {
        return x->size < y->size ? 1 : -1;
    }
    return (x->index > y->index) - (x->index < y->index);
}

/* The blob a layer is read from: a docker-archive's member, else the digest ("" if neither). */
static const char *layer_blob(const struct customs_image_layer *l)
{
    return l->member != NULL ? l->member : l->digest;
}

/*
 * Which layers repeat an earlier one: the same blob with the same diff_id (a manifest may name
 * one blob any number of times: old Docker images repeat the empty layer). Each blob is read
 * once, and its records serve every layer that names it (clone_repeats), so the cost of a
 * repeated blob is its records, not its bytes, once per repetition.
 */
static int find_repeats(struct scan *s)
{
    struct customs_strmap first; /* blob + diff_id -> layer index + 1 */
    struct customs_arena keys;
    int r = 0;
    s->same_as = customs_calloc(s->nlayers ? s->nlayers : 1, sizeof(size_t));
    s->order = customs_calloc(s->nlayers ? s->nlayers : 1, sizeof(size_t));
    if (s->same_as == NULL || s->order == NULL) {
        return CUSTOMS_ENOMEM;
    }
    customs_strmap_init(&first);
    customs_arena_init(&keys);
    s->nread = 0;
    for (size_t i = 0; i < s->nlayers && r == 0; i++) {
        const struct customs_image_layer *l = &s->img->layers[i];
        s->same_as[i] = i;
        if (layer_blob(l)[0] == '\0') {
            s->order[s->nread++] = i;
            continue;
        }
        const char *key = customs_arena_printf(&keys, "%s\n%s", layer_blob(l), l->diff_id);
        if (key == NULL) {
            r = CUSTOMS_ENOMEM;
            break;
        }
        uintptr_t seen = (uintptr_t)customs_strmap_get(&first, key);
        if (seen != 0) {
            s->same_as[i] = (size_t)(seen - 1);
            continue;
        }
        r = customs_strmap_put(&first, key, (void *)(uintptr_t)(i + 1));
        s->order[s->nread++] = i;
    }
    customs_strmap_release(&first);
    customs_arena_release(&keys);
    return r;
}

/* The layers that repeat a blob take the records of its reading, and count its bytes again
 * against --max-total-bytes: the work that follows (the filesystem view, the analyzers) is
 * done once per layer, so the limit that bounds it counts every layer. */
static int clone_repeats(struct scan *s, struct customs_error *err)
{
    for (size_t i = 0; i < s->nlayers; i++) {
        const struct customs_collector *src = &s->layers[s->same_as[i]];
        if (s->same_as[i] == i) {
            continue;
        }
        uint64_t total = atomic_load(&s->budget.used) + src->stats.bytes_out;
        if (total > s->opts->limits.max_total_bytes ||
            total < src->stats.bytes_out) {
            return customs_error_set(err, CUSTOMS_ELIMIT,
                                     "layer %zu (%.19s...): total uncompressed size of the image "
                                     "is over the limit of %llu bytes (--max-total-bytes; a "
                                     "layer repeating layer %zu's blob counts again)",
                                     i, layer_blob(&s->img->layers[i]),
                                     (unsigned long long)s->opts->limits.max_total_bytes,
                                     s->same_as[i]);
        }
        atomic_store(&s->budget.used, total);
        if (customs_collector_clone(&s->layers[i], src) < 0) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}

/* The layer cache and each layer's key; a directory that cannot be used is a warning. */
static int open_cache(struct scan *s, struct customs_error *err)
{
    struct customs_layercache_config cfg = {
        .dir = s->opts->layer_cache_dir,
        .limits = &s->opts->limits,
        .show_secrets = s->opts->show_secrets,
        .secrets = s->secrets,
        .malware = s->malware,
        .skip = &s->skip,
    };
    struct customs_error w = {0};
    int r = customs_layercache_open(&s->cache, &cfg, &w);
    if (r == CUSTOMS_ENOMEM) {
        return customs_error_set(err, r, "out of memory");
    }
    if (r < 0) {
        warn(s, &w);
        return 0;
    }
    s->keys = customs_calloc(s->nlayers ? s->nlayers : 1, sizeof(*s->keys));
    if (s->keys == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < s->nlayers; i++) {
        if (!customs_layercache_key(s->keys[i], s->cache, &s->img->layers[i])) {
            s->keys[i][0] = '\0';
        }
    }
    return 0;
}

static int read_layers(struct scan *s, struct customs_error *err)
{
    unsigned n = s->opts->threads;
    pthread_t tids[64];
    unsigned started = 0;
    /* Largest layers first: with fewer threads than layers, the big one does not start last. */
    if (s->nread > 1) {
        struct layer_size *by_size = customs_calloc(s->nread, sizeof(*by_size));
        if (by_size == NULL) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
        for (size_t k = 0; k < s->nread; k++) {
            by_size[k].size = s->img->layers[s->order[k]].size;
            by_size[k].index = s->order[k];
        }
        qsort(by_size, s->nread, sizeof(*by_size), bigger_first);
        for (size_t k = 0; k < s->nread; k++) {
            s->order[k] = by_size[k].index;
        }
        customs_free(by_size);
    }
    if (n == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 0 ? (unsigned)cpus : 1;
    }
    if (n > 64) {
        n = 64;
    }
    /* A large layer can use two threads: one decompresses and hashes, the other reads the tar
     * and runs the analyzers. With threads to spare (two for each layer over 1 MiB) every
     * large layer gets its second; otherwise only a layer larger than a thread's fair share
     * of all the bytes (the one that would finish last: the 764 MB layer of the 1.34 GB bench
     * image on two cores), for the time the others' threads are done and idle. */
    size_t large = 0;
    uint64_t total = 0;
    for (size_t k = 0; k < s->nread; k++) {
        large += s->img->layers[s->order[k]].size >= PIPELINE_MIN_BYTES;
        total += s->img->layers[s->order[k]].size;
    }
    if (n == 1) {
        s->pipeline_min = UINT64_MAX; /* the user asked for one thread */
    } else if (n >= 2 * large) {
        s->pipeline_min = PIPELINE_MIN_BYTES;
    } else {
        s->pipeline_min = total / n + 1 > PIPELINE_MIN_BYTES ? total / n + 1 : PIPELINE_MIN_BYTES;
    }
    if (n > s->nread) {
        n = (unsigned)s->nread;
    }
    for (unsigned t = 1; t < n; t++) {
        if (pthread_create(&tids[started], NULL, worker, s) == 0) {
            started++;
        }
    }
    worker(s);
    for (unsigned t = 0; t < started; t++) {
        pthread_join(tids[t], NULL);
    }
    /* The first real failure in layer order; "stopped" layers only followed it. */
    for (size_t i = 0; i < s->nlayers; i++) {
        const struct customs_collector *c = &s->layers[i];
        if (c->code < 0 && c->code != CUSTOMS_EAGAIN) {
            *err = c->err;
            return c->code;
        }
    }
    return 0;
}

/* ---- hardlinked package databases: a second, narrow pass over the few layers that need it ---- */

struct link_pass {
    struct customs_strmap want;  /* target path -> struct customs_buf * (filled) */
    struct customs_buf *cur;
    uint64_t max;
    struct customs_capture_budget *captured; /* the targets' bytes are held too */
    uint64_t charged;            /* to `captured`, returned at the end of the pass */
    char over[320];              /* the target that passed the budget, or "" */
};

static int link_entry(void *ctx, const struct customs_entry *e)
{
    struct link_pass *lp = ctx;
    lp->cur = NULL;
    if (e->type != CUSTOMS_ENTRY_FILE) {
        return 0;
    }
    struct customs_buf *b = customs_strmap_get(&lp->want, e->path);
    if (b == NULL || e->size > lp->max) {
        return 0;
    }
    customs_buf_reset(b);
    lp->cur = b;
    snprintf(lp->over, sizeof(lp->over), "%.300s", e->path);
    return 1;
}

static int link_data(void *ctx, const void *buf, size_t len)
{
    struct link_pass *lp = ctx;
    if (lp->cur == NULL) {
        return 0;
    }
    if (!customs_capture_charge(lp->captured, len)) {
        return CUSTOMS_ELIMIT; /* lp->over names the file */
    }
    lp->charged += len;
    int r = customs_buf_append(lp->cur, buf, len);
    return r == CUSTOMS_ELIMIT ? 0 : r;
}

static int link_end(void *ctx)
{
    (void)ctx;
    return 0;
}

static const struct customs_capture *capture_at(const struct customs_collector *c,
                                                const char *path)
{
    const struct customs_capture *found = NULL;
    for (size_t j = 0; j < c->captures.len; j++) {
        const struct customs_capture *cap = customs_vec_at(&c->captures, j);
        if (strcmp(cap->path, path) == 0) {
            found = cap;
        }
    }
    return found;
}

static int resolve_links(struct scan *s, size_t i, struct customs_error *err)
{
    struct customs_collector *c = &s->layers[i];
    struct link_pass lp = {.max = s->opts->limits.max_file_bytes, .captured = &s->captured};
    struct customs_vec bufs; /* struct customs_buf * to free */
    int r = 0;
    customs_strmap_init(&lp.want);
    customs_vec_init(&bufs, sizeof(struct customs_buf *));
    for (size_t k = 0; k < c->links.len && r == 0; k++) {
        const struct customs_collect_link *l = customs_vec_at(&c->links, k);
        const struct customs_capture *t = capture_at(c, l->target);
        if (t != NULL) {
            r = customs_collector_add_capture(c, l->path, l->kind, l->entry, t->data, t->len);
        } else if (customs_strmap_get(&lp.want, l->target) == NULL) {
            struct customs_buf *b = customs_malloc(sizeof(*b));
            struct customs_buf **slot = customs_vec_push(&bufs);
            if (b == NULL || slot == NULL) {
                customs_free(b);
                r = CUSTOMS_ENOMEM;
                break;
            }
            customs_buf_init(b, lp.max > SIZE_MAX ? SIZE_MAX : (size_t)lp.max);
            *slot = b;
            r = customs_strmap_put(&lp.want, l->target, b);
        }
    }
    if (r == 0 && lp.want.len > 0) {
        struct customs_blob_stream blob;
        struct customs_byte_budget budget = {0};
        struct customs_layer_stats stats;
        struct customs_walk_visitor v = {link_entry, link_data, link_end, &lp};
        r = customs_image_open_layer(&blob, s->img, i, err);
        if (r == 0) {
            r = customs_layer_walk(&stats, &blob, "hardlink pass", (int)i, NULL, NULL,
                                   &s->opts->limits, &budget, false, &v, err);
            blob.close(blob.ctx);
        }
        for (size_t k = 0; k < c->links.len && r == 0; k++) {
            const struct customs_collect_link *l = customs_vec_at(&c->links, k);
            const struct customs_buf *b = customs_strmap_get(&lp.want, l->target);
            if (b != NULL && b->len > 0) {
                r = customs_collector_add_capture(c, l->path, l->kind, l->entry, b->ptr, b->len);
            }
        }
    }
    for (size_t k = 0; k < bufs.len; k++) {
        struct customs_buf *b = *(struct customs_buf **)customs_vec_at(&bufs, k);
        customs_buf_release(b);
        customs_free(b);
    }
    customs_vec_release(&bufs);
    customs_strmap_release(&lp.want);
    customs_capture_refund(&s->captured, lp.charged);
    if (r == CUSTOMS_ENOMEM) {
        customs_error_set(err, r, "out of memory");
    } else if (r == CUSTOMS_ELIMIT && c->over_budget) {
        *err = c->err;
    } else if (r == CUSTOMS_ELIMIT && err->message[0] == '\0') {
        customs_error_set(err, r, "%.300s: the files captured for the analyzers (package "
                          "databases, OS release files, Go build info) would hold more than "
                          "%llu bytes in memory (--max-captured-bytes)",
                          lp.over, (unsigned long long)s->captured.max);
    }
    if (r == CUSTOMS_ELIMIT) {
        customs_error_prefix(err, "%s: layer %zu (%.19s...)", s->target, i,
                             layer_blob(&s->img->layers[i]));
    }
    return r;
}

static int read_dir(struct scan *s, struct customs_error *err)
{
    struct customs_walk_visitor v;
    struct customs_collector *c = &s->layers[0];
    customs_collector_visitor(c, &v);
    /* one thread (--threads 1) reads without a second one reading ahead */
    c->code = customs_dir_walk(s->img->fd, s->img->path, &s->opts->limits, &s->skip,
                               s->opts->threads == 1 ? NULL : customs_collector_wants, &v, err);
    if (c->code < 0 && err->message[0] == '\0' && c->err.message[0] != '\0') {
        *err = c->err; /* the visitor's own message */
        if (c->over_budget) {
            customs_error_prefix(err, "%s", s->target);
        }
    }
    if (c->code == CUSTOMS_ENOMEM && err->message[0] == '\0') {
        customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return c->code;
}

/* ---- analyzing the final filesystem ---- */

/* Is entry `entry` of layer `layer`, at `path`, the one the final filesystem has there? */
static bool is_final(struct customs_fsview *fs, size_t layer, size_t entry, const char *path)
{
    struct customs_fsview_ref ref = {(uint32_t)layer, (uint32_t)entry};
    return customs_fsview_is_final(fs, ref, path);
}

static int note_error(struct scan *s, const struct customs_error *e, const char *path, int layer)
{
    return customs_report_add_error(s->report, e, path, layer) < 0 ? CUSTOMS_ENOMEM : 0;
}

/* The capture of the entry `ref` names, if one was made. */
static const struct customs_capture *find_capture(const struct scan *s,
                                                  struct customs_fsview_ref ref)
{
    const struct customs_collector *c = &s->layers[ref.layer];
    for (size_t j = 0; j < c->captures.len; j++) {
        const struct customs_capture *cap = customs_vec_at(&c->captures, j);
        if (cap->entry == ref.index) {
            return cap;
        }
    }
    return NULL;
}

static int detect_os(struct scan *s, struct customs_fsview *fs, struct customs_error *err)
{
    struct customs_report *rep = s->report;
    for (size_t i = 0; customs_os_files[i] != NULL; i++) {
        struct customs_fsview_ref ref;
        bool found = false;
        int r = customs_fsview_resolve(&ref, &found, fs, customs_os_files[i], err);
        if (r < 0) {
            return r; /* a symlink loop in the image: reported, not followed */
        }
        const struct customs_capture *cap = found ? find_capture(s, ref) : NULL;
        if (cap == NULL) {
            continue;
        }
        int layer = s->layers[ref.layer].layer;
        struct customs_pkgdb_file f = {customs_os_files[i], cap->data, cap->len, layer};
        struct customs_error perr = {0};
        if (customs_os_parse(&rep->os, &rep->arena, &f, &perr) < 0) {
            if (note_error(s, &perr, customs_os_files[i], layer) < 0) {
                return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            }
            continue;
        }
        rep->has_os = rep->os.id != NULL;
    }
    return 0;
}

static int parse_capture(struct customs_inventory *inv, const struct customs_capture *cap,
                         int layer, struct customs_error *perr)
{
    /* The path handed on lives as long as the records that may borrow it. */
    const char *path = customs_arena_strdup(inv->arena, cap->path);
    if (path == NULL) {
        return customs_error_set(perr, CUSTOMS_ENOMEM, "out of memory");
    }
    struct customs_pkgdb_file f = {path, cap->data, cap->len, layer};
    if (cap->kind == CUSTOMS_CAPTURE_GOBIN) {
        return customs_gobin_parse_buildinfo(inv, &f, perr);
    }
    return customs_pkgdb_kinds[cap->kind].parse(inv, &f, perr);
}

/* The first layer above `layer` that removes or replaces `path` (its entry `entry`); -1 if the
 * entry is in the final filesystem, `layer` itself if the same layer replaced it later;
 * CUSTOMS_ENOMEM. */
static int removed_in(struct scan *s, struct customs_fsview *fs, size_t layer, const char *path,
                      size_t entry)
{
    const struct customs_collector *c = &s->layers[layer];
    if (c->layer < 0 || is_final(fs, layer, entry, path)) {
        return -1;
    }
    for (size_t m = layer + 1; m < s->nlayers; m++) {
        bool touched;
        if (customs_fsview_touches(fs, m, path, &touched) < 0) {
            return CUSTOMS_ENOMEM;
        }
        if (touched) {
            return (int)m;
        }
    }
    return (int)layer; /* replaced later in the same layer */
}

/* "type\x1fname\x1fversion\x1farch": packages with equal keys are the same package (a package
 * without a name has no key: it is never the same as another). */
static const char *package_key(struct customs_arena *a, const struct customs_package *p)
{
    if (p->type == NULL || p->name == NULL) {
        return NULL;
    }
    return customs_arena_printf(a, "%s\x1f%s\x1f%s%s\x1f%s%s", p->type, p->name,
                                p->version != NULL ? "=" : "", p->version ? p->version : "",
                                p->arch != NULL ? "=" : "", p->arch ? p->arch : "");
}

/*
 * The layer that introduced each package of a final file: walking back through the earlier
 * layers' versions of the same file, a package keeps the earliest layer of its unbroken run.
 * Each earlier version is parsed once and its packages put in a hash set, so the cost is
 * linear in the packages of all the versions (it was their product).
 */
static int attribute_layers(struct scan *s, struct customs_fsview *fs,
                            struct customs_inventory *inv, size_t first,
                            const struct customs_capture *final, size_t final_layer)
{
    int r = CUSTOMS_ENOMEM;
    struct customs_arena tmp_arena;
    struct customs_arena key_arena;
    customs_arena_init(&tmp_arena);
    customs_arena_init(&key_arena);
    size_t n = inv->packages.len - first;
    bool *alive = customs_calloc(n + 1, sizeof(bool));
    const char **keys = customs_calloc(n + 1, sizeof(char *));
    if (alive == NULL || keys == NULL) {
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        const struct customs_package *p = customs_vec_at(&inv->packages, first + k);
        keys[k] = package_key(&key_arena, p);
        alive[k] = keys[k] != NULL;
        if (keys[k] == NULL && p->type != NULL && p->name != NULL) {
            goto out;
        }
    }
    for (size_t l = final_layer; l-- > 0;) {
        const struct customs_collector *c = &s->layers[l];
        const struct customs_capture *older = NULL;
        for (size_t j = 0; j < c->captures.len; j++) {
            const struct customs_capture *cap = customs_vec_at(&c->captures, j);
            if (cap->kind == final->kind && strcmp(cap->path, final->path) == 0) {
                older = cap;
            }
        }
        if (older == NULL) {
            bool touched;
            if (customs_fsview_touches(fs, l, final->path, &touched) < 0) {
                goto out;
            }
            if (touched) {
                break; /* deleted or replaced here: the packages' run starts above */
            }
            continue; /* this layer did not touch the file */
        }
        struct customs_inventory prev;
        struct customs_error perr;
        struct customs_strmap set;
        bool ok = true;
        customs_inventory_init(&prev, &tmp_arena);
        customs_strmap_init(&set);
        parse_capture(&prev, older, (int)l, &perr);
        for (size_t q = 0; q < prev.packages.len && ok; q++) {
            const struct customs_package *pp = customs_vec_at(&prev.packages, q);
            const char *key = package_key(&tmp_arena, pp);
            ok = key != NULL ? customs_strmap_put(&set, key, (void *)1) == 0
                             : pp->type == NULL || pp->name == NULL;
        }
        bool any = false;
        for (size_t k = 0; k < n && ok; k++) {
            if (!alive[k]) {
                continue;
            }
            if (customs_strmap_get(&set, keys[k]) != NULL) {
                ((struct customs_package *)customs_vec_at(&inv->packages, first + k))->layer =
                    (int)l;
                any = true;
            } else {
                alive[k] = false;
            }
        }
        customs_strmap_release(&set);
        customs_inventory_release(&prev);
        if (!ok) {
            goto out;
        }
        if (!any) {
            break;
        }
    }
    r = 0;
out:
    customs_free(keys);
    customs_free(alive);
    customs_arena_release(&key_arena);
    customs_arena_release(&tmp_arena);
    return r;
}

static int analyze_packages(struct scan *s, struct customs_fsview *fs,
                            struct customs_error *err)
{
    struct customs_inventory *inv = &s->report->inventory;
    for (size_t i = 0; i < s->nlayers; i++) {
        const struct customs_collector *c = &s->layers[i];
        for (size_t j = 0; j < c->captures.len; j++) {
            const struct customs_capture *cap = customs_vec_at(&c->captures, j);
            struct customs_error perr = {0};
            if (cap->kind == CUSTOMS_CAPTURE_OS || !is_final(fs, i, cap->entry, cap->path)) {
                continue;
            }
            size_t first = inv->packages.len;
            int r = parse_capture(inv, cap, c->layer, &perr);
            if (r == CUSTOMS_ENOMEM) {
                return customs_error_set(err, r, "out of memory");
            }
            if (r < 0 && (note_error(s, &perr, cap->path, c->layer) < 0 ||
                          customs_report_add_problem(s->report, "incomplete", cap->path,
                                                     perr.message) < 0)) {
                return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            }
            for (size_t k = first; k < inv->packages.len; k++) {
                struct customs_package *p = customs_vec_at(&inv->packages, k);
                p->layer = c->layer;
            }
            if (c->layer > 0 && inv->packages.len > first &&
                attribute_layers(s, fs, inv, first, cap, i) < 0) {
                return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            }
        }
        for (size_t j = 0; j < c->problems.len; j++) {
            const struct customs_collect_problem *p = customs_vec_at(&c->problems, j);
            struct customs_error perr = {.code = CUSTOMS_ELIMIT};
            snprintf(perr.message, sizeof(perr.message), "%s", p->message);
            if (note_error(s, &perr, p->path, c->layer) < 0) {
                return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            }
            /* a package database of the final filesystem left unread: packages are missing */
            if (p->inventory && is_final(fs, i, p->entry, p->path) &&
                customs_report_add_problem(s->report, "incomplete", p->path, p->message) < 0) {
                return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            }
        }
    }
    if (customs_npm_dedupe(inv) < 0 || customs_python_settle(inv) < 0) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}

static int strcmp_null(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return (a != NULL) - (b != NULL);
    }
    return strcmp(a, b);
}

/* --pkg-types: drop the packages of the kinds not asked for (OS: the package manager's
 * records; library: everything else), before anything refers to them by index. */
static void packages_keep_types(struct customs_inventory *inv, uint32_t types)
{
    const uint32_t all = CUSTOMS_PKG_OS | CUSTOMS_PKG_LIBRARY;
    struct customs_vec *pk = &inv->packages;
    size_t kept = 0;
    if ((types & all) == all) {
        return;
    }
    for (size_t i = 0; i < pk->len; i++) {
        const struct customs_package *p = customs_vec_at(pk, i);
        bool os = p->type != NULL && (strcmp(p->type, "deb") == 0 || strcmp(p->type, "apk") == 0 ||
                                      strcmp(p->type, "rpm") == 0);
        if ((types & (os ? CUSTOMS_PKG_OS : CUSTOMS_PKG_LIBRARY)) == 0) {
            continue;
        }
        if (kept != i) {
            memcpy(customs_vec_at(pk, kept), p, pk->elem);
        }
        kept++;
    }
    pk->len = kept;
}

static const char *dup_or_null(struct customs_arena *a, const char *s, bool *failed)
{
    char *d = s != NULL ? customs_arena_strdup(a, s) : NULL;
    *failed = *failed || (s != NULL && d == NULL);
    return d;
}

/* A directory target's configuration files, audited by the caller (options.config_audit), into
 * the report's misconfigurations (strings copied into the report's arena). */
static int config_audit_merge(struct scan *s, const struct customs_scan_options *opts,
                              struct customs_error *err)
{
    struct customs_misconfig_set set;
    struct customs_arena *a = &s->report->arena;
    bool failed = false;
    customs_misconfig_set_init(&set);
    int r = opts->config_audit(&set, s->img->path, opts->config_audit_payload);
    for (size_t i = 0; r == 0 && i < customs_misconfig_set_count(&set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(&set, i);
        struct customs_misconfig *c = customs_vec_push(&s->report->misconfigs);
        if (c == NULL) {
            r = CUSTOMS_ENOMEM;
            break;
        }
        *c = *m;
        c->check = dup_or_null(a, m->check, &failed);
        c->source = dup_or_null(a, m->source, &failed);
        c->level = dup_or_null(a, m->level, &failed);
        c->title = dup_or_null(a, m->title, &failed);
        c->message = dup_or_null(a, m->message, &failed);
        c->fix = dup_or_null(a, m->fix, &failed);
        c->object = dup_or_null(a, m->object, &failed);
        c->file = dup_or_null(a, m->file, &failed);
        c->path = dup_or_null(a, m->path, &failed);
        c->reference = dup_or_null(a, m->reference, &failed);
        r = failed ? CUSTOMS_ENOMEM : 0;
    }
    customs_misconfig_set_release(&set);
    return r < 0 ? customs_error_set(err, r, "auditing the configuration files: %s",
                                     customs_strerror(r))
                 : 0;
}

static int package_order(const void *x, const void *y)
{
    const struct customs_package *a = x;
    const struct customs_package *b = y;
    int c = strcmp_null(a->type, b->type);
    if (c == 0) {
        c = strcmp_null(a->name, b->name);
    }
    if (c == 0) {
        c = strcmp_null(a->version, b->version);
    }
    if (c == 0) {
        c = strcmp_null(a->path, b->path);
    }
    if (c == 0) {
        c = strcmp_null(a->arch, b->arch);
    }
    return c;
}

/* ---- secrets ---- */

static int add_secret(struct scan *s, const struct customs_secret_rule *rule, bool weak,
                      const char *location, const char *path, uint64_t line, int layer,
                      int removed, const char *redacted, const char *secret)
{
    struct customs_report *rep = s->report;
    struct customs_secret_finding *f = customs_vec_push(&rep->secrets);
    if (f == NULL) {
        return CUSTOMS_ENOMEM;
    }
    f->severity = weak ? CUSTOMS_SEVERITY_LOW : rule->severity;
    f->location = location;
    f->path = customs_arena_strdup(&rep->arena, path);
    f->line = line;
    f->layer = layer;
    f->removed_in_layer = removed;
    f->redacted = customs_arena_strdup(&rep->arena, redacted);
    f->secret = secret != NULL ? customs_arena_strdup(&rep->arena, secret) : NULL;
    f->rule = customs_arena_strdup(&rep->arena, rule->id);
    f->title = weak ? customs_arena_printf(&rep->arena, "%s" CUSTOMS_SECRET_WEAK_TITLE, rule->title)
                    : customs_arena_strdup(&rep->arena, rule->title);
    return f->path == NULL || f->redacted == NULL || f->rule == NULL || f->title == NULL
               ? CUSTOMS_ENOMEM
               : 0;
}

static int collect_file_secrets(struct scan *s, struct customs_fsview *fs)
{
    int r = 0;
    for (size_t i = 0; i < s->nlayers && r == 0; i++) {
        const struct customs_collector *c = &s->layers[i];
        for (size_t j = 0; j < c->secret_hits.len && r == 0; j++) {
            const struct customs_collect_secret *h = customs_vec_at(&c->secret_hits, j);
            int removed = removed_in(s, fs, i, h->path, h->entry);
            if (removed == CUSTOMS_ENOMEM) {
                r = removed;
                break;
            }
            r = add_secret(s, h->rule, h->weak, "file", h->path, h->line, c->layer, removed,
                           h->redacted, h->secret);
        }
        for (size_t j = 0; j < c->malware_hits.len && r == 0; j++) {
            const struct customs_collect_malware *h = customs_vec_at(&c->malware_hits, j);
            int removed = removed_in(s, fs, i, h->path, h->entry);
            struct customs_arena *a = &s->report->arena;
            struct customs_malware_finding *f = customs_vec_push(&s->report->malware);
            if (removed == CUSTOMS_ENOMEM || f == NULL) {
                r = CUSTOMS_ENOMEM;
                break;
            }
            f->engine = h->engine;
            f->rule = customs_arena_strdup(a, h->rule);
            f->severity = h->severity;
            f->category = h->category != NULL ? customs_arena_strdup(a, h->category) : NULL;
            f->description = h->description != NULL ? customs_arena_strdup(a, h->description)
                                                     : NULL;
            f->path = customs_arena_strdup(a, h->path);
            f->sha256 = customs_arena_strdup(a, h->sha256);
            f->layer = c->layer;
            f->removed_in_layer = removed;
            if (f->rule == NULL || f->path == NULL) {
                r = CUSTOMS_ENOMEM;
            }
        }
    }
    return r;
}

struct config_ctx {
    struct scan *s;
    const char *location;
    const char *path;
    int layer;
    struct customs_vec *hits;    /* what the layer cache keeps, or NULL */
    struct customs_arena *arena; /* their strings */
};

/* Keep a config finding for the layer cache. */
static int record_config_secret(struct config_ctx *cc, const struct customs_secret_match *m,
                                const char *redacted)
{
    struct customs_layercache_config_secret h = {m->rule, m->weak, cc->location, NULL, cc->layer,
                                                 NULL};
    h.path = customs_arena_strdup(cc->arena, cc->path);
    h.redacted = customs_arena_strdup(cc->arena, redacted);
    struct customs_layercache_config_secret *slot =
        h.path != NULL && h.redacted != NULL ? customs_vec_push(cc->hits) : NULL;
    if (slot == NULL) {
        return CUSTOMS_ENOMEM;
    }
    *slot = h;
    return 0;
}

static int keep_config_secret(void *ctx, const struct customs_secret_match *m)
{
    struct config_ctx *cc = ctx;
    char red[96];
    char *secret = NULL;
    customs_secret_redact(red, sizeof(red), m->secret, m->secret_len);
    if (cc->s->opts->show_secrets) {
        secret = customs_strndup(m->secret, m->secret_len);
        if (secret == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    int r = add_secret(cc->s, m->rule, m->weak, cc->location, cc->path, 0, cc->layer, -1, red,
                       secret);
    customs_free(secret);
    if (r == 0 && cc->hits != NULL) {
        r = record_config_secret(cc, m, red);
    }
    return r;
}

static int scan_value(struct config_ctx *base, struct customs_secret_scanner *sc,
                      const char *location, const char *path, int layer, const char *value)
{
    struct config_ctx cc = *base;
    cc.location = location;
    cc.path = path;
    cc.layer = layer;
    return customs_secret_scan_buffer(sc, NULL, value, strlen(value), keep_config_secret, &cc);
}

/* The config's secrets scanned before, from the layer cache: 0 (a hit, in the report),
 * CUSTOMS_ENOTFOUND (scan it), CUSTOMS_ENOMEM. */
static int config_secrets_cached(struct scan *s, const char *key)
{
    struct customs_vec hits;
    struct customs_arena arena;
    struct customs_error w = {0};
    customs_vec_init(&hits, sizeof(struct customs_layercache_config_secret));
    customs_arena_init(&arena);
    int r = customs_layercache_config_load(&hits, &arena, s->cache, key, &w);
    if (r < 0 && r != CUSTOMS_ENOTFOUND && r != CUSTOMS_ENOMEM) {
        warn(s, &w);
        r = CUSTOMS_ENOTFOUND;
    }
    for (size_t i = 0; r == 0 && i < hits.len; i++) {
        const struct customs_layercache_config_secret *h = customs_vec_at(&hits, i);
        r = add_secret(s, h->rule, h->weak, h->location, h->path, 0, h->layer, -1, h->redacted,
                       NULL);
    }
    customs_vec_release(&hits);
    customs_arena_release(&arena);
    return r;
}

/* The image config: Env, Labels, and the build history (ARG and RUN leak tokens there). What
 * it holds depends on its bytes and the rules only: with a layer cache, the findings are kept
 * there by the config's digest (not with --show-secrets), and a re-scan needs no scanner. */
static int config_secrets(struct scan *s, struct customs_error *err)
{
    const json_t *cfg = s->img->config;
    const json_t *inner = json_object_get(cfg, "config");
    const json_t *v;
    const char *key;
    size_t i;
    int layer = 0;
    char path[256];
    char ckey[CUSTOMS_SEALED_KEY_LEN];
    struct customs_vec hits;
    struct customs_arena arena;
    bool keyed = s->cache != NULL && !s->opts->show_secrets &&
                 customs_layercache_config_key(ckey, s->cache, s->img->config_digest);
    if (keyed) {
        int rc = config_secrets_cached(s, ckey);
        if (rc != CUSTOMS_ENOTFOUND) {
            return rc;
        }
    }
    customs_vec_init(&hits, sizeof(struct customs_layercache_config_secret));
    customs_arena_init(&arena);
    struct config_ctx base = {s, NULL, NULL, -1, keyed ? &hits : NULL, &arena};
    struct customs_secret_scanner *sc = NULL;
    int r = new_secret_scanner(s, &sc, "image config", err);
    json_array_foreach(json_object_get(inner, "Env"), i, v) {
        const char *kv = json_string_value(v);
        if (r < 0 || kv == NULL) {
            continue;
        }
        snprintf(path, sizeof(path), "%.*s", (int)strcspn(kv, "="), kv);
        r = scan_value(&base, sc, "env", path, -1, kv);
    }
    json_object_foreach(json_object_get(inner, "Labels"), key, v) {
        if (r == 0 && json_is_string(v)) {
            char *kv = customs_malloc(strlen(key) + strlen(json_string_value(v)) + 2);
            if (kv == NULL) {
                r = CUSTOMS_ENOMEM;
                break;
            }
            snprintf(kv, strlen(key) + strlen(json_string_value(v)) + 2, "%s=%s", key,
                     json_string_value(v));
            r = scan_value(&base, sc, "label", key, -1, kv);
            customs_free(kv);
        }
    }
    json_array_foreach(json_object_get(cfg, "history"), i, v) {
        const char *by = customs_json_str(v, "created_by");
        bool empty = json_is_true(json_object_get(v, "empty_layer"));
        if (r == 0 && by != NULL) {
            snprintf(path, sizeof(path), "history[%zu].created_by", i);
            r = scan_value(&base, sc, "history", path, empty ? -1 : layer, by);
        }
        if (!empty) {
            layer++;
        }
    }
    customs_secret_scanner_free(sc);
    if (r == 0 && keyed) {
        /* Best effort, as a layer's: the next scan scans the config again. */
        int rc = customs_layercache_config_store(s->cache, ckey, &hits);
        (void)rc;
    }
    customs_vec_release(&hits);
    customs_arena_release(&arena);
    return r;
}

static int secret_order(const void *x, const void *y)
{
    const struct customs_secret_finding *a = x;
    const struct customs_secret_finding *b = y;
    if (a->layer != b->layer) {
        return a->layer < b->layer ? -1 : 1;
    }
    int c = strcmp(a->path, b->path);
    if (c == 0 && a->line != b->line) {
        c = a->line < b->line ? -1 : 1;
    }
    return c != 0 ? c : strcmp(a->rule, b->rule);
}

static int malware_order(const void *x, const void *y)
{
    const struct customs_malware_finding *a = x;
    const struct customs_malware_finding *b = y;
    if (a->layer != b->layer) {
        return a->layer < b->layer ? -1 : 1;
    }
    int c = strcmp(a->path, b->path);
    return c != 0 ? c : strcmp(a->rule, b->rule);
}

static int build_view(struct scan *s, struct customs_fsview *fs, struct customs_error *err)
{
    size_t total = 0;
    int r;
    customs_fsview_init(fs, s->opts->limits.max_symlink_hops);
    for (size_t i = 0; i < s->nlayers; i++) {
        total += customs_entries_count(s->layers[i].entries);
    }
    r = total > CUSTOMS_ENTRIES_MAX ? CUSTOMS_ELIMIT : customs_fsview_reserve(fs, total);
    for (size_t i = 0; i < s->nlayers && r == 0; i++) {
        r = customs_fsview_apply(fs, s->layers[i].entries);
    }
    if (r == CUSTOMS_ELIMIT) {
        return customs_error_set(err, r, "more than %u entries in all layers", CUSTOMS_ENTRIES_MAX);
    }
    return r < 0 ? customs_error_set(err, r, "out of memory") : 0;
}

/* ---- the analyzers of the final filesystem ---- */

/* The OS release, and the end of its security support. */
static int analyze_os(struct scan *s, struct customs_fsview *fs, struct customs_error *err)
{
    struct customs_report *rep = s->report;
    int r = detect_os(s, fs, err);
    if (r == 0 && rep->has_os) {
        rep->os_eol = customs_match_os_eol(&rep->os);
        if (rep->os_eol != NULL) {
            char today[16];
            time_t now = time(NULL);
            struct tm tm;
            gmtime_r(&now, &tm);
            strftime(today, sizeof(today), "%Y-%m-%d", &tm);
            rep->os_eol_reached = strcmp(today, rep->os_eol) > 0;
        }
    }
    return r;
}

/* The inventory: every package database of the final filesystem, with purls, in package
 * order (vulnerability findings refer to packages by index). */
static int analyze_inventory(struct scan *s, struct customs_fsview *fs, struct customs_error *err)
{
    struct customs_report *rep = s->report;
    int r = analyze_packages(s, fs, err);
    if (r == 0 && customs_coverage_note_skipped(rep, s->layers, s->nlayers, fs, &s->skip) < 0) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (r == 0) {
        packages_keep_types(&rep->inventory, s->opts->pkg_types);
    }
    if (r == 0 && customs_purl_fill(&rep->inventory, rep->has_os ? &rep->os : NULL) < 0) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (r == 0 && rep->inventory.packages.len > 1) {
        struct customs_vec *pk = &rep->inventory.packages;
        qsort(pk->items, pk->len, pk->elem, package_order);
    }
    return r;
}

/* Vulnerabilities: the inventory matched against the database, and what the database could
 * not say (coverage). */
static int analyze_vulns(struct scan *s, struct customs_fsview *fs, struct customs_error *err)
{
    struct customs_report *rep = s->report;
    struct customs_vulndb *db = NULL;
    int r;
    (void)fs;
    if (s->opts->vuln_db == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL, "no vulnerability database given");
    }
    r = customs_vulndb_open(&db, s->opts->vuln_db, err);
    if (r == 0) {
        rep->db_built_at = customs_vulndb_built_at(db);
        rep->db_path = customs_arena_strdup(&rep->arena, s->opts->vuln_db);
        r = customs_match_inventory(&rep->vulns, &rep->arena, db, &rep->inventory,
                                    rep->has_os ? &rep->os : NULL, err);
        rep->vulns_scanned = r == 0;
        if (r == 0) {
            r = customs_coverage_check(rep, db, s->opts->max_db_age_days, time(NULL), err);
        }
    }
    customs_vulndb_close(db);
    return r;
}

/* Secrets and malware: the hits the layers' streams found, placed in the final filesystem
 * (which layer removed them), and secrets in the image config. */
static int analyze_contents(struct scan *s, struct customs_fsview *fs, struct customs_error *err)
{
    int r = 0;
    if (s->secrets != NULL || s->malware != NULL) {
        r = collect_file_secrets(s, fs);
        struct customs_error why = {0};
        if (r == 0 && s->secrets != NULL && s->img->config != NULL) {
            r = config_secrets(s, &why);
        }
        if (r < 0 && why.code < 0 && r != CUSTOMS_ENOMEM) {
            *err = why; /* the rules' databases could not be loaded: that, not memory */
        } else if (r < 0) {
            customs_error_set(err, r, "secret scanning failed (out of memory)");
        }
    }
    return r;
}

/* The image config's own settings (user, ports, healthcheck...), and the final filesystem's
 * hardening. */
static int analyze_config(struct scan *s, struct customs_fsview *fs, struct customs_error *err)
{
    int r = customs_imagecfg_check(s->report,
                                   s->img->kind == CUSTOMS_SOURCE_DIR ? NULL : s->img->config, fs);
    if (r < 0) {
        return customs_error_set(err, r, "out of memory");
    }
    if (s->img->kind == CUSTOMS_SOURCE_DIR && s->opts->config_audit != NULL) {
        r = config_audit_merge(s, s->opts, err);
    }
    return r;
}

/*
 * Every analyzer has the same interface: it reads the scan (the layers' collectors, the image)
 * and the final filesystem, and adds to the report. They run in this order (the inventory
 * needs the OS release, vulnerabilities need the inventory); each runs when one of its
 * --scanners bits is on (0: always).
 */
struct analyzer {
    unsigned scanners;
    int (*run)(struct scan *s, struct customs_fsview *fs, struct customs_error *err);
};

static const struct analyzer analyzers[] = {
    {0, analyze_os},
    {0, analyze_inventory},
    {CUSTOMS_SCAN_VULNS, analyze_vulns},
    {CUSTOMS_SCAN_SECRETS | CUSTOMS_SCAN_MALWARE, analyze_contents},
    {CUSTOMS_SCAN_CONFIG, analyze_config},
};

/* What the user asked not to see (--severity, --ignore-unfixed, --ignorefile, --vex), then
 * the findings in their report order. */
static int filter_findings(struct scan *s, struct customs_error *err)
{
    const struct customs_scan_options *opts = s->opts;
    int r = 0;
    if (opts->severities != NULL || opts->ignore_unfixed || opts->ignorefile != NULL ||
        opts->vex != NULL) {
        struct customs_filter f;
        customs_filter_init(&f);
        f.ignore_unfixed = opts->ignore_unfixed;
        if (opts->severities != NULL) {
            r = customs_filter_severities(&f, opts->severities, err);
        }
        if (r == 0 && opts->ignorefile != NULL) {
            r = customs_filter_load_ignorefile(&f, opts->ignorefile, err);
        }
        if (r == 0 && opts->vex != NULL) {
            r = customs_filter_load_vex(&f, opts->vex, err);
        }
        if (r == 0) {
            r = customs_filter_apply(&f, s->report, err);
        }
        customs_filter_release(&f);
    }
    if (r == 0) {
        struct customs_vec *se = &s->report->secrets;
        struct customs_vec *mw = &s->report->malware;
        if (se->len > 1) {
            qsort(se->items, se->len, se->elem, secret_order);
        }
        if (mw->len > 1) {
            qsort(mw->items, mw->len, mw->elem, malware_order);
        }
    }
    return r;
}

static int fill_target(struct scan *s, const char *target)
{
    struct customs_report *rep = s->report;
    struct customs_target_info *t = &rep->target;
    struct customs_arena *a = &rep->arena;
    const struct customs_image *img = s->img;
    t->name = customs_arena_strdup(a, target);
    t->kind = customs_source_kind_name(img->kind);
    t->manifest_digest = img->manifest_digest[0] ? customs_arena_strdup(a, img->manifest_digest)
                                                 : NULL;
    t->index_digest = img->top_digest[0] && strcmp(img->top_digest, img->manifest_digest) != 0
                          ? customs_arena_strdup(a, img->top_digest)
                          : NULL;
    t->config_digest = img->config_digest[0] ? customs_arena_strdup(a, img->config_digest) : NULL;
    t->platform = img->platform != NULL ? customs_arena_strdup(a, img->platform) : NULL;
    t->repo_tags = img->repo_tags != NULL ? customs_arena_strdup(a, img->repo_tags) : NULL;
    if (t->name == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < img->nlayers; i++) {
        const struct customs_collector *c = &s->layers[i];
        struct customs_layer_info *li = customs_vec_push(&t->layers);
        if (li == NULL) {
            return CUSTOMS_ENOMEM;
        }
        li->index = (unsigned)i;
        li->digest = customs_arena_strdup(a, img->layers[i].digest[0] ? img->layers[i].digest
                                                                      : c->stats.digest);
        li->diff_id = customs_arena_strdup(a, c->stats.diff_id);
        li->media_type = img->layers[i].media_type != NULL
                             ? customs_arena_strdup(a, img->layers[i].media_type)
                             : NULL;
        li->compression = c->stats.compression;
        li->size = c->stats.bytes_in;
        li->uncompressed_size = c->stats.bytes_out;
        li->entries = c->stats.entries;
    }
    return 0;
}

int customs_scan(struct customs_report **out, const char *target,
                 const struct customs_scan_options *opts, struct customs_error *err)
{
    struct customs_scan_options defaults;
    struct customs_error local_err;
    struct scan s;
    struct customs_fsview fs;
    bool have_view = false;
    int r;
    if (err == NULL) {
        err = &local_err;
    }
    customs_error_clear(err);
    *out = NULL;
    if (target == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL, "no target");
    }
    if (opts == NULL) {
        customs_scan_options_default(&defaults);
        opts = &defaults;
    }
    memset(&s, 0, sizeof(s));
    s.opts = opts;
    s.captured.max = opts->limits.max_captured_bytes;
    s.target = opts->target_name != NULL ? opts->target_name : target;
    pthread_mutex_init(&s.progress_lock, NULL);
    if (customs_registry_is_reference(target)) {
        r = customs_registry_image_open(&s.img, target, opts->platform, opts->registry,
                                        &opts->limits, err);
    } else {
        r = customs_image_open(&s.img, target, opts->platform, &opts->limits, err);
    }
    if (r < 0) {
        goto out;
    }
    s.report = customs_report_new();
    if (s.report != NULL) {
        s.report->scanners = opts->scanners;
    }
    if (s.report != NULL && opts->report_time >= 0) {
        s.report->created = opts->report_time;
    }
    s.nlayers = s.img->kind == CUSTOMS_SOURCE_DIR ? 1 : s.img->nlayers;
    s.layers = customs_calloc(s.nlayers ? s.nlayers : 1, sizeof(*s.layers));
    if (s.report == NULL || s.layers == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    r = customs_skip_init(&s.skip, opts->skip_dirs, opts->skip_files, err);
    if (r < 0) {
        goto out;
    }
    r = customs_rules_for_scan(&s.rules, opts, err);
    if (r < 0) {
        goto out;
    }
    s.malware = opts->scanners & CUSTOMS_SCAN_MALWARE ? customs_rules_malware(s.rules) : NULL;
    s.secrets = opts->scanners & CUSTOMS_SCAN_SECRETS ? customs_rules_secrets(s.rules) : NULL;
    for (size_t i = 0; i < s.nlayers; i++) {
        struct customs_collector *c = &s.layers[i];
        customs_collector_init(c, s.img->kind == CUSTOMS_SOURCE_DIR ? -1 : (int)i, &opts->limits);
        c->show_secrets = opts->show_secrets;
        c->skip = customs_skip_is_empty(&s.skip) ? NULL : &s.skip;
        c->captured = &s.captured;
        if (s.img->kind != CUSTOMS_SOURCE_DIR) {
            continue; /* layers borrow the scanners of the thread that reads them */
        }
        r = new_scanners(&s, &c->malware, &c->secrets, "", err);
        if (r < 0) {
            goto out;
        }
    }
    if (opts->layer_cache_dir != NULL && s.img->kind != CUSTOMS_SOURCE_DIR) {
        r = open_cache(&s, err);
        if (r < 0) {
            goto out;
        }
    }
    if (s.img->kind == CUSTOMS_SOURCE_DIR) {
        r = read_dir(&s, err);
    } else {
        r = find_repeats(&s);
        if (r < 0) {
            r = customs_error_set(err, r, "out of memory");
        } else {
            r = read_layers(&s, err);
        }
    }
    for (size_t i = 0; r == 0 && s.img->kind != CUSTOMS_SOURCE_DIR && i < s.nlayers; i++) {
        if (s.same_as[i] == i && s.layers[i].links.len > 0) {
            r = resolve_links(&s, i, err);
            if (r == 0) {
                keep_layer(&s, i);
            }
        }
    }
    if (r == 0 && s.img->kind != CUSTOMS_SOURCE_DIR) {
        r = clone_repeats(&s, err);
    }
    if (r < 0) {
        goto out;
    }
    if (fill_target(&s, opts->target_name != NULL ? opts->target_name : target) < 0) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    have_view = true;
    r = build_view(&s, &fs, err);
    for (size_t i = 0; r == 0 && i < sizeof(analyzers) / sizeof(analyzers[0]); i++) {
        const struct analyzer *a = &analyzers[i];
        if (a->scanners == 0 || (opts->scanners & a->scanners) != 0) {
            r = a->run(&s, &fs, err);
        }
    }
    if (r == 0) {
        r = filter_findings(&s, err);
    }
out:
    if (have_view) {
        customs_fsview_release(&fs);
    }
    for (size_t i = 0; s.layers != NULL && i < s.nlayers; i++) {
        customs_collector_release(&s.layers[i]);
    }
    customs_free(s.layers);
    customs_layercache_free(s.cache);
    customs_skip_release(&s.skip);
    customs_free(s.keys);
    customs_free(s.order);
    customs_free(s.same_as);
    customs_image_free(s.img);
    customs_rules_free(s.rules);
    pthread_mutex_destroy(&s.progress_lock);
    if (r < 0) {
        customs_report_free(s.report);
        return r;
    }
    *out = s.report;
    return 0;
}
