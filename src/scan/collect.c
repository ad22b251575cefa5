/* SPDX-License-Identifier: Apache-2.0 */
/* The per-layer visitor: entries for the filesystem view, bytes for the analyzers. */
#include <stdatomic.h>
#include <string.h>

#include "scan/collect.h"

#include "core/banned.h"

#define ELF_MAGIC "\x7f" "ELF"

bool customs_capture_charge(struct customs_capture_budget *b, uint64_t n)
{
    uint64_t used = atomic_load(&b->used);
    do {
        if (n > b->max || used > b->max - n) {
            return false;
        }
    } while (!atomic_compare_exchange_weak(&b->used, &used, used + n));
    return true;
}

void customs_capture_refund(struct customs_capture_budget *b, uint64_t n)
{
    atomic_fetch_sub(&b->used, n);
}

/* The captured bytes passed the scan's budget at `path`: the scan stops (never a report that
 * would leave the rest of the image unread). */
static int over_budget(struct customs_collector *c, const char *path)
{
    c->over_budget = true;
    return customs_error_set(&c->err, CUSTOMS_ELIMIT,
                             "%.300s: the files captured for the analyzers (package databases, "
                             "OS release files, Go build info) would hold more than %llu bytes "
                             "in memory (--max-captured-bytes)",
                             path, (unsigned long long)c->captured->max);
}

/* Charge what `cur` grew by since the last charge. */
static int charge_cur(struct customs_collector *c)
{
    uint64_t grown = (uint64_t)c->cur.len - c->cur_charged;
    if (c->captured == NULL || grown == 0) {
        return 0;
    }
    if (!customs_capture_charge(c->captured, grown)) {
        return over_budget(c, customs_buf_cstr(&c->cur_name));
    }
    c->cur_charged += grown;
    return 0;
}

/* Empty `cur`, returning what it was charged. */
static void drop_cur(struct customs_collector *c)
{
    if (c->captured != NULL && c->cur_charged > 0) {
        customs_capture_refund(c->captured, c->cur_charged);
    }
    c->cur_charged = 0;
    customs_buf_reset(&c->cur);
}

void customs_collector_init(struct customs_collector *c, int layer,
                            const struct customs_limits *limits)
{
    memset(c, 0, sizeof(*c));
    c->layer = layer;
    c->limits = limits;
    customs_arena_init(&c->arena);
    customs_entries_init(&c->list);
    c->entries = &c->list;
    customs_vec_init(&c->captures, sizeof(struct customs_capture));
    customs_vec_init(&c->problems, sizeof(struct customs_collect_problem));
    customs_vec_init(&c->links, sizeof(struct customs_collect_link));
    customs_vec_init(&c->secret_hits, sizeof(struct customs_collect_secret));
    customs_vec_init(&c->malware_hits, sizeof(struct customs_collect_malware));
    customs_vec_init(&c->malware_again, sizeof(struct customs_collect_again));
    customs_buf_init(&c->cur, limits->max_file_bytes > SIZE_MAX ? SIZE_MAX
                                                                : (size_t)limits->max_file_bytes);
    customs_buf_init(&c->cur_name, 0);
}

void customs_collector_release(struct customs_collector *c)
{
    for (size_t i = 0; i < c->captures.len; i++) {
        struct customs_capture *cap = customs_vec_at(&c->captures, i);
        if (!cap->borrowed) {
            customs_free(cap->data);
            if (c->captured != NULL && cap->data != NULL) {
                customs_capture_refund(c->captured, cap->len);
            }
        }
    }
    drop_cur(c);
    customs_vec_release(&c->captures);
    customs_entries_release(&c->list);
    customs_vec_release(&c->problems);
    customs_vec_release(&c->links);
    customs_vec_release(&c->secret_hits);
    customs_vec_release(&c->malware_hits);
    customs_vec_release(&c->malware_again);
    customs_malware_scanner_free(c->malware);
    customs_secret_scanner_free(c->secrets);
    customs_buf_release(&c->cur);
    customs_buf_release(&c->cur_name);
    customs_arena_release(&c->arena);
}

static bool is_os_file(const char *path)
{
    for (size_t i = 0; customs_os_files[i] != NULL; i++) {
        if (strcmp(path, customs_os_files[i]) == 0) {
            return true;
        }
    }
    /* where an /etc/os-release symlink may lead */
    return customs_str_has_prefix(customs_path_base(path), "os-release");
}

static int wanted_kind(const char *path, int *kind)
{
    for (int k = 0; customs_pkgdb_kinds[k].name != NULL; k++) {
        if (customs_pkgdb_kinds[k].wants(path)) {
            *kind = k;
            return 1;
        }
    }
    if (is_os_file(path)) {
        *kind = CUSTOMS_CAPTURE_OS;
        return 1;
    }
    return 0;
}

bool customs_collector_wanted_kind(const char *path, int *kind)
{
    return wanted_kind(path, kind) != 0;
}

/* The current file's path in the arena, copied there the first time a record needs it. */
static const char *kept_path(struct customs_collector *c)
{
    if (c->cur_path == NULL) {
        c->cur_path = customs_arena_strdup(&c->arena, customs_buf_cstr(&c->cur_name));
    }
    return c->cur_path;
}

/* A problem with the current file. */
static int problem(struct customs_collector *c, const char *message)
{
    const char *path = kept_path(c);
    struct customs_collect_problem *p = path != NULL ? customs_vec_push(&c->problems) : NULL;
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    p->path = path;
    p->inventory = false;
    p->message = customs_arena_strdup(&c->arena, message);
    return p->message == NULL ? CUSTOMS_ENOMEM : 0;
}

static int too_big(struct customs_collector *c, uint64_t size)
{
    char msg[512];
    snprintf(msg, sizeof(msg),
             "%.300s: %llu bytes is over the --max-file-size limit of %llu; not analyzed",
             customs_buf_cstr(&c->cur_name), (unsigned long long)size,
             (unsigned long long)c->limits->max_file_bytes);
    int r = problem(c, msg);
    if (r == 0) {
        struct customs_collect_problem *p = customs_vec_at(&c->problems, c->problems.len - 1);
        p->inventory = true;
        p->entry = c->cur_entry;
    }
    return r;
}

/* A malware gate text occurred in the current file (found by the secret scanner's pass). */
static void gate_hit(void *ctx, size_t gate)
{
    struct customs_collector *c = ctx;
    if (c->mal_active) {
        customs_malware_gate_hit(c->malware, gate);
    }
}

static int on_entry(void *ctx, const struct customs_entry *e)
{
    struct customs_collector *c = ctx;
    int kind = 0;
    int r = customs_entries_add(&c->list, e);
    if (r < 0) {
        return r == CUSTOMS_ELIMIT ? customs_error_set(&c->err, r, "%.300s: too many entries",
                                                       e->path)
                                   : r;
    }
    c->cur_active = false;
    c->go_active = false;
    c->sec_active = false;
    c->mal_active = false;
    if (c->skip != NULL && customs_skip_path(c->skip, e->path, e->type == CUSTOMS_ENTRY_DIR)) {
        return 0; /* in the filesystem, not analyzed */
    }
    if (e->type == CUSTOMS_ENTRY_HARDLINK && wanted_kind(e->path, &kind)) {
        struct customs_collect_link *l = customs_vec_push(&c->links);
        if (l == NULL) {
            return CUSTOMS_ENOMEM;
        }
        l->path = customs_arena_strdup(&c->arena, e->path);
        l->target = customs_arena_strdup(&c->arena, e->link);
        l->kind = kind;
        l->entry = customs_entries_count(&c->list) - 1;
        return l->path == NULL || l->target == NULL ? CUSTOMS_ENOMEM : 0;
    }
    if (e->type != CUSTOMS_ENTRY_FILE) {
        return 0;
    }
    /* the path lives on while the file streams: for the scanners, and for any record made */
    customs_buf_reset(&c->cur_name);
    r = customs_buf_puts(&c->cur_name, e->path);
    if (r < 0) {
        return r;
    }
    const char *path = customs_buf_cstr(&c->cur_name);
    c->cur_path = NULL;
    c->cur_entry = customs_entries_count(&c->list) - 1;
    c->cur_size = e->size;
    drop_cur(c);
    if (c->malware != NULL && e->size > 0) {
        r = customs_malware_begin(c->malware, path, e->size);
        if (r < 0) {
            return r;
        }
        c->mal_active = true;
    }
    if (c->secrets != NULL && e->size > 0) {
        r = customs_secret_begin(c->secrets, path, e->size);
        if (r < 0) {
            return r;
        }
        c->sec_active = true;
        /* One Vectorscan pass for both: the secret engine searches the malware gates' texts
         * (compiled in by customs_rules_new) as the file streams, unless it skips the file. */
        bool shared = c->mal_active && customs_secret_streams_literals(c->secrets);
        customs_secret_on_literal(c->secrets, shared ? gate_hit : NULL, c);
        if (shared) {
            customs_malware_gates_searched(c->malware);
        }
    }
    if (wanted_kind(path, &kind)) {
        if (e->size > c->limits->max_file_bytes) {
            r = too_big(c, e->size);
            return r < 0 ? r : (c->sec_active || c->mal_active);
        }
        c->cur_active = true;
        c->cur_too_big = false;
        c->cur_kind = kind;
        return 1;
    }
    if ((e->mode & 0111) != 0 && e->size >= 64) {
        c->go_active = true;
        c->go_found = false;
        c->go_off = 0;
        c->go_tail_len = 0;
        return 1;
    }
    return c->sec_active || c->mal_active ? 1 : 0;
}

/* Append to the build-info window once the magic was found; stop at its capture size. */
static int go_keep(struct customs_collector *c, const uint8_t *p, size_t n)
{
    size_t room = CUSTOMS_GOBIN_CAPTURE - c->cur.len;
    int r = customs_buf_append(&c->cur, p, n < room ? n : room);
    return r == CUSTOMS_ELIMIT ? 0 : r < 0 ? r : charge_cur(c);
}

/* Scan for the 16-byte-aligned build-info magic, across chunk boundaries. */
static int go_search(struct customs_collector *c, const uint8_t *buf, size_t len)
{
    const size_t m = CUSTOMS_GOBIN_MAGIC_LEN;
    if (c->go_off == 0 && (len < 4 || memcmp(buf, ELF_MAGIC, 4) != 0)) {
        c->go_active = false; /* not an ELF executable */
        return 0;
    }
    if (c->go_tail_len > 0) {
        /* a candidate that started at the end of the previous chunk */
        uint8_t tmp[32];
        size_t take = len < m ? len : m;
        memcpy(tmp, c->go_tail, c->go_tail_len);
        memcpy(tmp + c->go_tail_len, buf, take);
        if (c->go_tail_len + take >= m && memcmp(tmp, CUSTOMS_GOBIN_MAGIC, m) == 0) {
            c->go_found = true;
            int r = go_keep(c, c->go_tail, c->go_tail_len);
            c->go_tail_len = 0;
            c->go_off += len;
            return r < 0 ? r : go_keep(c, buf, len);
        }
        c->go_tail_len = 0;
    }
    size_t p = (size_t)((16 - c->go_off % 16) % 16);
    for (; p + m <= len; p += 16) {
        if (buf[p] == 0xff && memcmp(buf + p, CUSTOMS_GOBIN_MAGIC, m) == 0) {
            c->go_found = true;
            c->go_off += len;
            return go_keep(c, buf + p, len - p);
        }
    }
    if (p < len) {
        c->go_tail_len = len - p;
        memcpy(c->go_tail, buf + p, c->go_tail_len);
    }
    c->go_off += len;
    return 0;
}

/* The secret scanner failed on the current file: its out-of-memory, or compiled rules that
 * report a match outside themselves (a damaged or forged rule cache), which stops the scan. */
static int secret_failed(struct customs_collector *c, int r)
{
    if (r == CUSTOMS_EMALFORMED) {
        return customs_error_set(&c->err, r, "%s: the compiled secret rules reported a pattern "
                                 "that is not theirs (a damaged or forged rule cache?)",
                                 customs_buf_cstr(&c->cur_name));
    }
    return r;
}

static int on_data(void *ctx, const void *buf, size_t len)
{
    struct customs_collector *c = ctx;
    if (c->sec_active) {
        int r = customs_secret_feed(c->secrets, buf, len);
        if (r < 0) {
            return secret_failed(c, r);
        }
    }
    if (c->mal_active) {
        int r = customs_malware_feed(c->malware, buf, len);
        if (r < 0) {
            return r;
        }
    }
    if (c->cur_active && !c->cur_too_big) {
        int r = customs_buf_append(&c->cur, buf, len);
        if (r == CUSTOMS_ELIMIT) {
            c->cur_too_big = true;
            r = too_big(c, (uint64_t)c->cur.len + len);
            drop_cur(c);
        }
        return r < 0 ? r : charge_cur(c);
    }
    if (c->go_active && c->go_found) {
        return c->cur.len < CUSTOMS_GOBIN_CAPTURE ? go_keep(c, buf, len) : 0;
    }
    if (c->go_active) {
        return go_search(c, buf, len);
    }
    return 0;
}

static int keep_secret(void *ctx, const struct customs_secret_match *m)
{
    struct customs_collector *c = ctx;
    struct customs_collect_secret *s = customs_vec_push(&c->secret_hits);
    char red[96];
    if (s == NULL) {
        return CUSTOMS_ENOMEM;
    }
    customs_secret_redact(red, sizeof(red), m->secret, m->secret_len);
    s->rule = m->rule;
    s->path = kept_path(c);
    s->entry = c->cur_entry;
    s->line = m->line;
    s->weak = m->weak;
    s->redacted = customs_arena_strdup(&c->arena, red);
    s->secret = c->show_secrets ? customs_arena_strndup(&c->arena, m->secret, m->secret_len)
                                : NULL;
    return s->redacted == NULL || s->path == NULL ? CUSTOMS_ENOMEM : 0;
}

static int keep_malware(void *ctx, const struct customs_malware_match *m)
{
    struct customs_collector *c = ctx;
    struct customs_collect_malware *h = customs_vec_push(&c->malware_hits);
    if (h == NULL) {
        return CUSTOMS_ENOMEM;
    }
    h->engine = m->engine;
    h->rule = customs_arena_strdup(&c->arena, m->rule);
    h->severity = m->severity;
    h->category = m->category != NULL ? customs_arena_strdup(&c->arena, m->category) : NULL;
    h->description = m->description != NULL ? customs_arena_strdup(&c->arena, m->description)
                                             : NULL;
    h->path = kept_path(c);
    h->entry = c->cur_entry;
    h->sha256 = customs_arena_strdup(&c->arena, m->sha256);
    return h->rule == NULL || h->sha256 == NULL || h->path == NULL ? CUSTOMS_ENOMEM : 0;
}

/* The malware scanner's end of the current file: detections kept, a file left unscanned is a
 * problem, one to scan again (its bytes were not held) waits for the second walk. */
static int malware_end(struct customs_collector *c)
{
    int r = customs_malware_end(c->malware, keep_malware, c);
    if (r == CUSTOMS_MALWARE_AGAIN) {
        const char *path = kept_path(c);
        struct customs_collect_again *a = path != NULL ? customs_vec_push(&c->malware_again)
                                                       : NULL;
        if (a == NULL) {
            return CUSTOMS_ENOMEM;
        }
        *a = (struct customs_collect_again){path, c->cur_entry, c->cur_size};
        return 0;
    }
    if (r == CUSTOMS_MALWARE_SKIPPED || r == CUSTOMS_MALWARE_TIMEOUT) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%.300s: %s; not scanned for malware",
                 customs_buf_cstr(&c->cur_name),
                 r == CUSTOMS_MALWARE_TIMEOUT ? "YARA's time limit ran out"
                                              : "over the --max-file-size limit");
        return problem(c, msg);
    }
    return r < 0 ? r : 0;
}

static int on_end(void *ctx)
{
    struct customs_collector *c = ctx;
    if (c->mal_active) {
        c->mal_active = false;
        int r = malware_end(c);
        if (r < 0) {
            return r;
        }
    }
    if (c->sec_active) {
        c->sec_active = false;
        int r = customs_secret_end(c->secrets, keep_secret, c);
        if (r < 0) {
            return secret_failed(c, r);
        }
    }
    bool keep = (c->cur_active && !c->cur_too_big) || (c->go_active && c->go_found);
    int kind = c->cur_active ? c->cur_kind : CUSTOMS_CAPTURE_GOBIN;
    c->cur_active = false;
    c->go_active = false;
    if (!keep) {
        drop_cur(c);
        return 0;
    }
    struct customs_capture *cap = customs_vec_push(&c->captures);
    if (cap == NULL) {
        return CUSTOMS_ENOMEM;
    }
    cap->path = kept_path(c);
    if (cap->path == NULL) {
        c->captures.len--;
        return CUSTOMS_ENOMEM;
    }
    cap->kind = kind;
    cap->entry = c->cur_entry;
    cap->len = c->cur.len;
    cap->data = (uint8_t *)customs_buf_detach(&c->cur);
    c->cur_charged = 0; /* the capture's now: returned when it is freed */
    if (cap->data == NULL) {
        cap->data = customs_malloc(1); /* an empty file is still a file */
        if (cap->data == NULL) {
            c->captures.len--;
            return CUSTOMS_ENOMEM;
        }
    }
    return 0;
}

int customs_collector_add_capture(struct customs_collector *c, const char *path, int kind,
                                  size_t entry, const void *data, size_t len)
{
    if (c->captured != NULL && !customs_capture_charge(c->captured, len)) {
        return over_budget(c, path);
    }
    struct customs_capture *cap = customs_vec_push(&c->captures);
    if (cap == NULL) {
        if (c->captured != NULL) {
            customs_capture_refund(c->captured, len);
        }
        return CUSTOMS_ENOMEM;
    }
    cap->path = path;
    cap->kind = kind;
    cap->entry = entry;
    cap->len = len;
    cap->data = customs_malloc(len ? len : 1);
    if (cap->data == NULL) {
        c->captures.len--;
        if (c->captured != NULL) {
            customs_capture_refund(c->captured, len);
        }
        return CUSTOMS_ENOMEM;
    }
    if (len > 0) {
        memcpy(cap->data, data, len);
    }
    return 0;
}

int customs_collector_clone(struct customs_collector *dst, const struct customs_collector *src)
{
    dst->entries = src->entries;
    if (customs_vec_copy(&dst->captures, &src->captures) < 0 ||
        customs_vec_copy(&dst->problems, &src->problems) < 0 ||
        customs_vec_copy(&dst->links, &src->links) < 0 ||
        customs_vec_copy(&dst->secret_hits, &src->secret_hits) < 0 ||
        customs_vec_copy(&dst->malware_hits, &src->malware_hits) < 0) {
        /* nothing is owned yet: the captures' bytes are only marked borrowed below */
        for (size_t i = 0; i < dst->captures.len; i++) {
            ((struct customs_capture *)customs_vec_at(&dst->captures, i))->borrowed = true;
        }
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < dst->captures.len; i++) {
        ((struct customs_capture *)customs_vec_at(&dst->captures, i))->borrowed = true;
    }
    dst->stats = src->stats;
    dst->code = src->code;
    return 0;
}

bool customs_collector_wants(void *ctx, const struct customs_entry *e)
{
    const struct customs_collector *c = ctx;
    int kind = 0;
    if (e->type != CUSTOMS_ENTRY_FILE || e->size == 0 ||
        (c->skip != NULL && customs_skip_path(c->skip, e->path, false))) {
        return false;
    }
    /* as on_entry decides: every file for the content scanners, else package databases, OS
     * release files and executables (for Go build information) */
    return c->secrets != NULL || c->malware != NULL || wanted_kind(e->path, &kind) ||
           ((e->mode & 0111) != 0 && e->size >= 64);
}

void customs_collector_visitor(struct customs_collector *c, struct customs_walk_visitor *v)
{
    v->entry = on_entry;
    v->data = on_data;
    v->end = on_end;
    v->ctx = c;
}

/* ---- the second walk, for the files to scan again for malware ---- */

struct again_walk {
    struct customs_collector *c;
    struct customs_error *err;
    size_t seen;   /* entries visited */
    size_t next;   /* the next of c->malware_again */
    bool active;
};

static int again_entry(void *ctx, const struct customs_entry *e)
{
    struct again_walk *w = ctx;
    struct customs_collector *c = w->c;
    size_t index = w->seen++;
    w->active = false;
    if (w->next >= c->malware_again.len) {
        return 0;
    }
    const struct customs_collect_again *a = customs_vec_at(&c->malware_again, w->next);
    if (a->entry != index) {
        return 0;
    }
    w->next++;
    if (e->type != CUSTOMS_ENTRY_FILE || e->size != a->size || strcmp(e->path, a->path) != 0) {
        return customs_error_set(w->err, CUSTOMS_EMALFORMED,
                                 "%s: the layer's entry %zu differs from its first reading",
                                 a->path, index);
    }
    customs_buf_reset(&c->cur_name);
    if (customs_buf_puts(&c->cur_name, a->path) < 0) {
        return CUSTOMS_ENOMEM;
    }
    c->cur_path = a->path; /* in the arena already */
    c->cur_entry = a->entry;
    c->cur_size = a->size;
    int r = customs_malware_begin(c->malware, a->path, a->size);
    w->active = r == 0;
    return r < 0 ? r : 1;
}

static int again_data(void *ctx, const void *buf, size_t len)
{
    struct again_walk *w = ctx;
    return w->active ? customs_malware_feed(w->c->malware, buf, len) : 0;
}

static int again_end(void *ctx)
{
    struct again_walk *w = ctx;
    if (!w->active) {
        return 0;
    }
    w->active = false;
    return malware_end(w->c);
}

int customs_collector_malware_again(struct customs_collector *c, struct customs_blob_stream *blob,
                                    const char *name, const char *digest, const char *diff_id,
                                    struct customs_error *err)
{
    struct again_walk w = {c, err, 0, 0, false};
    struct customs_walk_visitor v = {again_entry, again_data, again_end, &w};
    struct customs_byte_budget budget = {0}; /* the first walk counted these bytes */
    struct customs_layer_stats stats;
    customs_malware_hold_below(c->malware, UINT64_MAX); /* no file is left for a third */
    int r = customs_layer_walk(&stats, blob, name, c->layer, digest, diff_id, c->limits, &budget,
                               false, &v, err);
    if (r == 0 && w.next != c->malware_again.len) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: entries missing from its second "
                              "reading", name);
    }
    return r;
}
