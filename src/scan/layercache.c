/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The layer cache (layercache.h). One sealed file per layer, "layer-<key>", in the private
 * directory. The payload, every integer an unsigned LEB128 varint and every string its length
 * then its bytes (no NUL inside):
 *   stats:    compression, bytes_in, bytes_out, entries, digest, diff_id
 *   entries:  count, then type, size, mode, path, has_link [, link]
 *   captures: count, then entry, kind + 2, length, bytes        (the path is the entry's)
 *   problems: count, then path, message, inventory, entry
 *   secrets:  count, then rule id, entry, line, redacted, weak
 *   malware:  count, then engine, rule, severity, has_category [, category],
 *             has_description [, description], entry, sha256
 * An image config's secrets (the same directory and prefix, so pruned alike; its own magic,
 * and a key over the config's digest): count, then rule id, weak, location, path, layer + 1,
 * redacted.
 * The decoder checks every count against what is left, every index against the entries, every
 * enum against its range, every rule id against the loaded rules, and each size against the
 * scan's limits, so an entry that passes is one the collector could have produced.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "scan/layercache.h"

#include "core/banned.h"

extern const char customs_layercache_code_id[];

static const char layer_magic[CUSTOMS_SEALED_MAGIC_LEN] = "customs-layer\0\0\1";
static const char config_magic[CUSTOMS_SEALED_MAGIC_LEN] = "customs-config\0\1";

#define MAX_ENTRY_BYTES (512ull << 20) /* one layer's entry, header included */

struct customs_layercache {
    int dfd; /* -1: codec only */
    char base[CUSTOMS_DIGEST_MAX]; /* everything in the key but the layer */
    const struct customs_limits *limits;
    bool show_secrets;
    struct customs_strmap rules; /* secret rule id -> const struct customs_secret_rule * */
    int nkinds;                  /* entries of customs_pkgdb_kinds */
};

/* ---- keys ---- */

static void field_str(struct customs_sha256 *sha, const char *s)
{
    customs_sha256_field(sha, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 0);
}

static void field_u64(struct customs_sha256 *sha, uint64_t v)
{
    customs_sha256_field(sha, &v, sizeof(v));
}

static void field_skip(void *ctx, const char *s)
{
    field_str(ctx, s);
}

static int base_key(struct customs_layercache *lc, const struct customs_layercache_config *cfg)
{
    struct customs_sha256 sha;
    const struct customs_limits *l = cfg->limits;
    if (customs_sha256_init(&sha) < 0) {
        return CUSTOMS_ENOMEM;
    }
    customs_sha256_field(&sha, layer_magic, sizeof(layer_magic));
    field_str(&sha, CUSTOMS_VERSION);
    field_str(&sha, customs_layercache_code_id);
    field_str(&sha, cfg->secrets != NULL ? customs_secret_engine_fingerprint(cfg->secrets) : NULL);
    field_u64(&sha, cfg->show_secrets);
    field_str(&sha, cfg->malware != NULL ? customs_malware_engine_fingerprint(cfg->malware) : NULL);
    /* the limits one layer's reading applies (max_total_bytes is the scan's: checked anew) */
    field_u64(&sha, l->max_ratio);
    field_u64(&sha, l->ratio_grace_bytes);
    field_u64(&sha, l->max_entries);
    field_u64(&sha, l->max_path);
    field_u64(&sha, l->max_file_bytes);
    customs_skip_fingerprint(cfg->skip, field_skip, &sha);
    return customs_sha256_final(&sha, lc->base) < 0 ? CUSTOMS_ENOMEM : 0;
}

bool customs_layercache_key(char key[CUSTOMS_SEALED_KEY_LEN], const struct customs_layercache *lc,
                            const struct customs_image_layer *l)
{
    struct customs_sha256 sha;
    char digest[CUSTOMS_DIGEST_MAX];
    if (!customs_digest_is_valid(l->diff_id) || customs_sha256_init(&sha) < 0) {
        return false;
    }
    field_str(&sha, lc->base);
    field_str(&sha, l->diff_id);
    field_str(&sha, l->digest);
    field_u64(&sha, l->size);
    field_u64(&sha, l->has_size);
    if (customs_sha256_final(&sha, digest) < 0) {
        return false;
    }
    memcpy(key, digest + 7, CUSTOMS_SEALED_KEY_LEN - 1);
    key[CUSTOMS_SEALED_KEY_LEN - 1] = '\0';
    return true;
}

int customs_layercache_open(struct customs_layercache **out,
                            const struct customs_layercache_config *cfg,
                            struct customs_error *err)
{
    struct customs_layercache *lc = customs_calloc(1, sizeof(*lc));
    int r = 0;
    *out = NULL;
    if (lc == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    lc->dfd = -1;
    lc->limits = cfg->limits;
    lc->show_secrets = cfg->show_secrets;
    customs_strmap_init(&lc->rules);
    while (customs_pkgdb_kinds[lc->nkinds].name != NULL) {
        lc->nkinds++;
    }
    for (size_t i = 0; cfg->secrets != NULL && r == 0 &&
                       i < customs_secret_rule_count(cfg->secrets); i++) {
        const struct customs_secret_rule *rule = customs_secret_rule_at(cfg->secrets, i);
        r = customs_strmap_put(&lc->rules, rule->id, (void *)(uintptr_t)rule);
    }
    if (r == 0) {
        r = base_key(lc, cfg);
    }
    if (r < 0) {
        customs_layercache_free(lc);
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (cfg->dir != NULL) {
        lc->dfd = customs_private_dir_open(cfg->dir);
        if (lc->dfd < 0) {
            int e = errno;
            customs_layercache_free(lc);
            return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                     "layer cache %s: not used (%s; it must be a directory of "
                                     "yours, not a symlink, with no group or other access)",
                                     cfg->dir, e != 0 ? strerror(e) : "unusable");
        }
    }
    *out = lc;
    return 0;
}

void customs_layercache_free(struct customs_layercache *lc)
{
    if (lc == NULL) {
        return;
    }
    if (lc->dfd >= 0) {
        close(lc->dfd);
    }
    customs_strmap_release(&lc->rules);
    customs_free(lc);
}

/* ---- encoding ---- */

static int put_u(struct customs_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v != 0) {
            tmp[n] |= 0x80;
        }
        n++;
    } while (v != 0);
    return customs_buf_append(b, tmp, n);
}

static int put_bytes(struct customs_buf *b, const void *p, size_t n)
{
    int r = put_u(b, n);
    return r < 0 || n == 0 ? r : customs_buf_append(b, p, n);
}

static int put_str(struct customs_buf *b, const char *s)
{
    return put_bytes(b, s, strlen(s));
}

/* A present-or-absent string: a flag, then the string. */
static int put_opt(struct customs_buf *b, const char *s)
{
    int r = put_u(b, s != NULL);
    return r < 0 || s == NULL ? r : put_str(b, s);
}

/* The entries through their list's reader (a list keeps no size: 0 is written). */
static int encode_entries(struct customs_buf *b, const struct customs_collector *c)
{
    struct customs_entries_reader er;
    struct customs_entry e;
    int r = put_u(b, customs_entries_count(c->entries));
    if (r == 0) {
        r = customs_entries_reader_init(&er, c->entries);
    }
    if (r < 0) {
        return r;
    }
    while (r == 0 && customs_entries_next(&er, &e)) {
        if ((r = put_u(b, (uint64_t)e.type)) < 0 || (r = put_u(b, e.size)) < 0 ||
            (r = put_u(b, e.mode)) < 0 || (r = put_str(b, e.path)) < 0) {
            break;
        }
        r = put_opt(b, e.link);
    }
    customs_entries_reader_release(&er);
    return r;
}

int customs_layercache_encode(struct customs_buf *out, const struct customs_collector *c)
{
    const struct customs_layer_stats *st = &c->stats;
    int r = 0;
    if ((r = put_str(out, st->compression != NULL ? st->compression : "none")) < 0 ||
        (r = put_u(out, st->bytes_in)) < 0 || (r = put_u(out, st->bytes_out)) < 0 ||
        (r = put_u(out, st->entries)) < 0 || (r = put_str(out, st->digest)) < 0 ||
        (r = put_str(out, st->diff_id)) < 0 || (r = encode_entries(out, c)) < 0 ||
        (r = put_u(out, c->captures.len)) < 0) {
        return r;
    }
    for (size_t i = 0; i < c->captures.len && r == 0; i++) {
        const struct customs_capture *cap = customs_vec_at(&c->captures, i);
        if ((r = put_u(out, cap->entry)) < 0 || (r = put_u(out, (uint64_t)(cap->kind + 2))) < 0) {
            break;
        }
        r = put_bytes(out, cap->data, cap->len);
    }
    if (r < 0 || (r = put_u(out, c->problems.len)) < 0) {
        return r;
    }
    for (size_t i = 0; i < c->problems.len && r == 0; i++) {
        const struct customs_collect_problem *p = customs_vec_at(&c->problems, i);
        if ((r = put_str(out, p->path)) < 0 || (r = put_str(out, p->message)) < 0 ||
            (r = put_u(out, p->inventory)) < 0) {
            break;
        }
        r = put_u(out, p->inventory ? p->entry : 0);
    }
    if (r < 0 || (r = put_u(out, c->secret_hits.len)) < 0) {
        return r;
    }
    for (size_t i = 0; i < c->secret_hits.len && r == 0; i++) {
        const struct customs_collect_secret *h = customs_vec_at(&c->secret_hits, i);
        if ((r = put_str(out, h->rule->id)) < 0 || (r = put_u(out, h->entry)) < 0 ||
            (r = put_u(out, h->line)) < 0 || (r = put_str(out, h->redacted)) < 0) {
            break;
        }
        r = put_u(out, h->weak);
    }
    if (r < 0 || (r = put_u(out, c->malware_hits.len)) < 0) {
        return r;
    }
    for (size_t i = 0; i < c->malware_hits.len && r == 0; i++) {
        const struct customs_collect_malware *h = customs_vec_at(&c->malware_hits, i);
        if ((r = put_str(out, h->engine)) < 0 || (r = put_str(out, h->rule)) < 0 ||
            (r = put_u(out, (uint64_t)h->severity)) < 0 || (r = put_opt(out, h->category)) < 0 ||
            (r = put_opt(out, h->description)) < 0 || (r = put_u(out, h->entry)) < 0) {
            break;
        }
        r = put_str(out, h->sha256);
    }
    return r;
}

/* ---- decoding ---- */

struct reader {
    struct customs_cursor cur;
    struct customs_collector *c;  /* NULL when decoding an image config's entry */
    struct customs_arena *arena;  /* where strings go */
    struct customs_error *err;
    struct customs_entries_reader entries; /* once decode_entries is done */
    bool have_entries;
};

static int bad(struct reader *rd, const char *what)
{
    return customs_error_set(rd->err, CUSTOMS_EMALFORMED, "%s at byte %zu", what, rd->cur.pos);
}

static int get_u(struct reader *rd, uint64_t max, uint64_t *out, const char *what)
{
    if (customs_cursor_uvarint(&rd->cur, out) < 0) {
        return bad(rd, "truncated number");
    }
    return *out > max ? bad(rd, what) : 0;
}

static int get_bytes(struct reader *rd, uint64_t max, const uint8_t **p, size_t *n)
{
    uint64_t len = 0;
    int r = get_u(rd, max, &len, "string over its limit");
    if (r == 0 && customs_cursor_take(&rd->cur, (size_t)len, p) < 0) {
        r = bad(rd, "truncated string");
    }
    *n = (size_t)len;
    return r;
}

/* A string into the collector's arena: no NUL inside, at most `max` bytes. */
static int get_str(struct reader *rd, uint64_t max, const char **out)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    int r = get_bytes(rd, max, &p, &n);
    if (r < 0) {
        return r;
    }
    if (n > 0 && memchr(p, '\0', n) != NULL) {
        return bad(rd, "NUL inside a string");
    }
    *out = n > 0 ? customs_arena_strndup(rd->arena, (const char *)p, n)
                 : customs_arena_strdup(rd->arena, "");
    return *out == NULL ? CUSTOMS_ENOMEM : 0;
}

static int get_opt(struct reader *rd, uint64_t max, const char **out)
{
    uint64_t has = 0;
    int r = get_u(rd, 1, &has, "flag not 0 or 1");
    *out = NULL;
    return r < 0 || has == 0 ? r : get_str(rd, max, out);
}

/* A string that must be one of `allowed` (NULL-terminated): the static one is returned. */
static int get_one_of(struct reader *rd, const char *const *allowed, const char **out)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    int r = get_bytes(rd, 16, &p, &n);
    for (size_t i = 0; r == 0 && allowed[i] != NULL; i++) {
        if (strlen(allowed[i]) == n && memcmp(allowed[i], p, n) == 0) {
            *out = allowed[i];
            return 0;
        }
    }
    return r < 0 ? r : bad(rd, "unknown name");
}

static int get_digest(struct reader *rd, char out[CUSTOMS_DIGEST_MAX])
{
    const uint8_t *p = NULL;
    size_t n = 0;
    int r = get_bytes(rd, CUSTOMS_DIGEST_MAX - 1, &p, &n);
    if (r < 0) {
        return r;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return customs_digest_is_valid(out) ? 0 : bad(rd, "not a digest");
}

/* A string of at most `max` bytes into `b`, NUL-terminated (entries are copied into the
 * layer's list, never kept in the arena). */
static int get_str_buf(struct reader *rd, uint64_t max, struct customs_buf *b)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    int r = get_bytes(rd, max, &p, &n);
    if (r < 0) {
        return r;
    }
    if (n > 0 && memchr(p, '\0', n) != NULL) {
        return bad(rd, "NUL inside a string");
    }
    customs_buf_reset(b);
    return n > 0 ? customs_buf_append(b, p, n) : customs_buf_puts(b, "");
}

static int decode_entries(struct reader *rd, const struct customs_limits *limits)
{
    struct customs_collector *c = rd->c;
    struct customs_buf path;
    struct customs_buf link;
    uint64_t n = 0;
    customs_buf_init(&path, 0);
    customs_buf_init(&link, 0);
    int r = get_u(rd, limits->max_entries, &n, "more entries than --max-entries");
    for (uint64_t i = 0; i < n && r == 0; i++) {
        uint64_t type = 0, size = 0, mode = 0, has_link = 0;
        if ((r = get_u(rd, CUSTOMS_ENTRY_OPAQUE, &type, "unknown entry type")) < 0 ||
            (r = get_u(rd, UINT64_MAX, &size, "")) < 0 ||
            (r = get_u(rd, UINT32_MAX, &mode, "mode out of range")) < 0 ||
            (r = get_str_buf(rd, limits->max_path, &path)) < 0 ||
            (r = get_u(rd, 1, &has_link, "flag not 0 or 1")) < 0 ||
            (has_link && (r = get_str_buf(rd, limits->max_path, &link)) < 0)) {
            break;
        }
        if (customs_buf_cstr(&path)[0] != '/') {
            r = bad(rd, "entry path not absolute");
            break;
        }
        struct customs_entry e = {customs_buf_cstr(&path), (enum customs_entry_type)type, size,
                                  (uint32_t)mode, has_link ? customs_buf_cstr(&link) : NULL,
                                  c->layer};
        r = customs_entries_add(&c->list, &e);
        if (r == CUSTOMS_ELIMIT) {
            r = bad(rd, "more entries than a list holds");
        }
    }
    customs_buf_release(&path);
    customs_buf_release(&link);
    if (r == 0) {
        r = customs_entries_reader_init(&rd->entries, c->entries);
        rd->have_entries = r == 0;
    }
    return r;
}

/* An index into the entries read so far. */
static int get_entry(struct reader *rd, size_t *out)
{
    uint64_t i = 0;
    size_t n = customs_entries_count(rd->c->entries);
    int r = get_u(rd, n > 0 ? n - 1 : 0, &i, "entry index out of range");
    if (r == 0 && n == 0) {
        r = bad(rd, "entry index out of range");
    }
    *out = (size_t)i;
    return r;
}

/* Entry i's path, copied to the collector's arena (NULL when out of memory). */
static const char *entry_path(struct reader *rd, size_t i)
{
    struct customs_entry e;
    if (!customs_entries_get(&rd->entries, i, &e)) {
        return NULL;
    }
    return customs_arena_strdup(&rd->c->arena, e.path);
}

static int decode_captures(struct reader *rd, int nkinds)
{
    struct customs_collector *c = rd->c;
    uint64_t n = 0;
    int r = get_u(rd, customs_cursor_left(&rd->cur), &n, "count over what is left");
    for (uint64_t i = 0; i < n && r == 0; i++) {
        size_t entry = 0;
        uint64_t kind = 0;
        const uint8_t *data = NULL;
        size_t len = 0;
        if ((r = get_entry(rd, &entry)) < 0 ||
            (r = get_u(rd, (uint64_t)nkinds + 1, &kind, "unknown capture kind")) < 0 ||
            (r = get_bytes(rd, c->limits->max_file_bytes, &data, &len)) < 0) {
            break;
        }
        const char *path = entry_path(rd, entry);
        r = path == NULL ? CUSTOMS_ENOMEM
                         : customs_collector_add_capture(c, path, (int)kind - 2, entry, data, len);
    }
    return r;
}

static int decode_problems(struct reader *rd)
{
    struct customs_collector *c = rd->c;
    uint64_t n = 0;
    int r = get_u(rd, customs_cursor_left(&rd->cur), &n, "count over what is left");
    for (uint64_t i = 0; i < n && r == 0; i++) {
        struct customs_collect_problem p = {0};
        uint64_t inventory = 0, entry = 0;
        if ((r = get_str(rd, c->limits->max_path, &p.path)) < 0 ||
            (r = get_str(rd, 4096, &p.message)) < 0 ||
            (r = get_u(rd, 1, &inventory, "flag not 0 or 1")) < 0) {
            break;
        }
        if (inventory) {
            r = get_entry(rd, &p.entry);
        } else {
            r = get_u(rd, 0, &entry, "entry of a problem that has none");
        }
        p.inventory = inventory != 0;
        struct customs_collect_problem *slot = r == 0 ? customs_vec_push(&c->problems) : NULL;
        if (r == 0 && slot == NULL) {
            r = CUSTOMS_ENOMEM;
        } else if (slot != NULL) {
            *slot = p;
        }
    }
    return r;
}

static int decode_secrets(struct reader *rd, const struct customs_layercache *lc)
{
    struct customs_collector *c = rd->c;
    uint64_t n = 0;
    int r = get_u(rd, customs_cursor_left(&rd->cur), &n, "count over what is left");
    if (r == 0 && n > 0 && lc->show_secrets) {
        return bad(rd, "secrets without their values in a scan that shows them");
    }
    for (uint64_t i = 0; i < n && r == 0; i++) {
        const char *id = NULL;
        const char *redacted = NULL;
        size_t entry = 0;
        uint64_t line = 0, weak = 0;
        if ((r = get_str(rd, 256, &id)) < 0 || (r = get_entry(rd, &entry)) < 0 ||
            (r = get_u(rd, UINT64_MAX, &line, "")) < 0 || (r = get_str(rd, 95, &redacted)) < 0 ||
            (r = get_u(rd, 1, &weak, "flag not 0 or 1")) < 0) {
            break;
        }
        const struct customs_secret_rule *rule = customs_strmap_get(&lc->rules, id);
        if (rule == NULL) {
            return bad(rd, "a secret rule that is not loaded");
        }
        struct customs_collect_secret *h = customs_vec_push(&c->secret_hits);
        if (h == NULL) {
            return CUSTOMS_ENOMEM;
        }
        h->rule = rule;
        h->path = entry_path(rd, entry);
        if (h->path == NULL) {
            return CUSTOMS_ENOMEM;
        }
        h->entry = entry;
        h->line = line;
        h->redacted = redacted;
        h->secret = NULL;
        h->weak = weak != 0;
    }
    return r;
}

static int decode_malware(struct reader *rd)
{
    static const char *const engines[] = {"yara", "clamav", NULL};
    struct customs_collector *c = rd->c;
    uint64_t n = 0;
    int r = get_u(rd, customs_cursor_left(&rd->cur), &n, "count over what is left");
    for (uint64_t i = 0; i < n && r == 0; i++) {
        struct customs_collect_malware h = {0};
        uint64_t severity = 0;
        if ((r = get_one_of(rd, engines, &h.engine)) < 0 || (r = get_str(rd, 4096, &h.rule)) < 0 ||
            (r = get_u(rd, CUSTOMS_SEVERITY_CRITICAL, &severity, "unknown severity")) < 0 ||
            (r = get_opt(rd, 4096, &h.category)) < 0 ||
            (r = get_opt(rd, 4096, &h.description)) < 0 || (r = get_entry(rd, &h.entry)) < 0 ||
            (r = get_str(rd, 128, &h.sha256)) < 0) {
            break;
        }
        h.severity = (enum customs_severity)severity;
        h.path = entry_path(rd, h.entry);
        if (h.path == NULL) {
            return CUSTOMS_ENOMEM;
        }
        struct customs_collect_malware *slot = customs_vec_push(&c->malware_hits);
        if (slot == NULL) {
            return CUSTOMS_ENOMEM;
        }
        *slot = h;
    }
    return r;
}

/* The payload in order: stats, entries, captures, problems, secrets, malware. */
static int decode_payload(struct reader *rd, const struct customs_layercache *lc)
{
    static const char *const codecs[] = {"gzip", "zstd", "none", NULL};
    struct customs_collector *c = rd->c;
    struct customs_layer_stats *st = &c->stats;
    int r;
    if ((r = get_one_of(rd, codecs, &st->compression)) < 0 ||
        (r = get_u(rd, UINT64_MAX, &st->bytes_in, "")) < 0 ||
        (r = get_u(rd, UINT64_MAX, &st->bytes_out, "")) < 0 ||
        (r = get_u(rd, UINT64_MAX, &st->entries, "")) < 0 ||
        (r = get_digest(rd, st->digest)) < 0 || (r = get_digest(rd, st->diff_id)) < 0 ||
        (r = decode_entries(rd, c->limits)) < 0 || (r = decode_captures(rd, lc->nkinds)) < 0 ||
        (r = decode_problems(rd)) < 0 || (r = decode_secrets(rd, lc)) < 0 ||
        (r = decode_malware(rd)) < 0) {
        return r == CUSTOMS_ENOMEM ? customs_error_set(rd->err, r, "out of memory") : r;
    }
    if (customs_cursor_left(&rd->cur) != 0) {
        return bad(rd, "bytes after the end");
    }
    c->code = 0;
    return 0;
}

int customs_layercache_decode(struct customs_collector *c, const struct customs_layercache *lc,
                              const void *payload, size_t len, struct customs_error *err)
{
    struct reader rd = {.c = c, .arena = &c->arena, .err = err};
    customs_cursor_init(&rd.cur, payload, len);
    int r = decode_payload(&rd, lc);
    if (rd.have_entries) {
        customs_entries_reader_release(&rd.entries);
    }
    return r;
}

/* ---- the directory ---- */

static void entry_name(char *out, size_t outsz, const char *key)
{
    snprintf(out, outsz, CUSTOMS_LAYERCACHE_PREFIX "%.64s", key);
}

/* Back to the empty collector customs_collector_init made (scanners are not lent yet). */
static void collector_reset(struct customs_collector *c)
{
    int layer = c->layer;
    bool show = c->show_secrets;
    const struct customs_limits *limits = c->limits;
    const struct customs_skip *skip = c->skip;
    struct customs_capture_budget *captured = c->captured;
    customs_collector_release(c);
    customs_collector_init(c, layer, limits);
    c->show_secrets = show;
    c->skip = skip;
    c->captured = captured;
}

/* The entry `key` read into *data (the caller frees it) with its seal checked: 0 (*payload set),
 * CUSTOMS_ENOTFOUND, CUSTOMS_ENOMEM, or an entry that cannot be used (`warn` says why, naming
 * `name` and `what`). */
static int read_entry(const struct customs_layercache *lc, const char *key,
                      const char magic[CUSTOMS_SEALED_MAGIC_LEN], const char *what, char *name,
                      size_t namesz, uint8_t **data, struct customs_bytes *payload,
                      struct customs_error *warn)
{
    size_t len = 0;
    *data = NULL;
    if (lc->dfd < 0) {
        return CUSTOMS_ENOTFOUND;
    }
    entry_name(name, namesz, key);
    int r = customs_sealed_read(data, &len, lc->dfd, name, MAX_ENTRY_BYTES);
    if (r == CUSTOMS_ENOTFOUND || r == CUSTOMS_ENOMEM) {
        return r;
    }
    if (r == CUSTOMS_EUNSUPPORTED) {
        customs_error_set(warn, r, "layer cache entry %s%s: not a regular file of yours (a "
                                   "symlink?); ignored", name, what);
    } else if (r == CUSTOMS_ELIMIT) {
        customs_error_set(warn, r, "layer cache entry %s%s: over %llu bytes; ignored", name, what,
                          (unsigned long long)MAX_ENTRY_BYTES);
    } else if (r < 0) {
        customs_error_set(warn, r, "layer cache entry %s%s: cannot be read; ignored", name, what);
    } else if (customs_sealed_parse(payload, *data, len, magic, key) < 0) {
        r = customs_error_set(warn, CUSTOMS_EMALFORMED, "layer cache entry %s%s: damaged (bad "
                              "header, length or checksum); ignored", name, what);
    }
    return r;
}

int customs_layercache_load(struct customs_collector *c, const struct customs_layercache *lc,
                            const char *key, const struct customs_image_layer *l,
                            struct customs_error *warn)
{
    char name[96];
    uint8_t *data = NULL;
    struct customs_bytes payload;
    int r = read_entry(lc, key, layer_magic, "", name, sizeof(name), &data, &payload, warn);
    if (r == 0) {
        struct customs_error derr = {0};
        r = customs_layercache_decode(c, lc, payload.ptr, payload.len, &derr);
        if (r == 0 && (strcmp(c->stats.diff_id, l->diff_id) != 0 ||
                       (l->digest[0] != '\0' && strcmp(c->stats.digest, l->digest) != 0))) {
            r = customs_error_set(&derr, CUSTOMS_EMALFORMED, "the layer's digests differ");
        }
        if (r == CUSTOMS_EMALFORMED) {
            customs_error_set(warn, r, "layer cache entry %s: %s; ignored", name, derr.message);
        }
        if (r < 0) {
            bool over = c->over_budget; /* its captures pass the scan's budget: an error */
            struct customs_error over_err = c->err;
            collector_reset(c);
            c->over_budget = over;
            if (over) {
                c->err = over_err;
            }
        } else {
            customs_sealed_touch(lc->dfd, name); /* used: pruned last */
        }
    }
    customs_free(data);
    return r;
}

/* Seal the payload `b` (encoded: `r` is 0) as the entry `key`; `b` is released. */
static int write_entry(const struct customs_layercache *lc, const char *key,
                       const char magic[CUSTOMS_SEALED_MAGIC_LEN], struct customs_buf *b, int r)
{
    char name[96];
    if (r == 0) {
        entry_name(name, sizeof(name), key);
        r = customs_sealed_write(lc->dfd, name, magic, key, b->ptr, b->len);
    }
    customs_buf_release(b);
    return r;
}

int customs_layercache_store(const struct customs_layercache *lc, const char *key,
                             const struct customs_collector *c)
{
    struct customs_buf b;
    if (lc->dfd < 0) {
        return 0;
    }
    for (size_t i = 0; i < c->secret_hits.len; i++) {
        if (((const struct customs_collect_secret *)customs_vec_at(&c->secret_hits, i))->secret !=
            NULL) {
            return 0; /* secrets themselves never go to disk */
        }
    }
    customs_buf_init(&b, (size_t)(MAX_ENTRY_BYTES - CUSTOMS_SEALED_HEADER_LEN));
    return write_entry(lc, key, layer_magic, &b, customs_layercache_encode(&b, c));
}

/* ---- the image config's secrets ---- */

bool customs_layercache_config_key(char key[CUSTOMS_SEALED_KEY_LEN],
                                   const struct customs_layercache *lc, const char *config_digest)
{
    struct customs_sha256 sha;
    char digest[CUSTOMS_DIGEST_MAX];
    if (!customs_digest_is_valid(config_digest) || customs_sha256_init(&sha) < 0) {
        return false;
    }
    field_str(&sha, lc->base);
    field_str(&sha, "image config secrets");
    field_str(&sha, config_digest);
    if (customs_sha256_final(&sha, digest) < 0) {
        return false;
    }
    memcpy(key, digest + 7, CUSTOMS_SEALED_KEY_LEN - 1);
    key[CUSTOMS_SEALED_KEY_LEN - 1] = '\0';
    return true;
}

static const char *const config_locations[] = {"env", "label", "history", NULL};

#define CONFIG_MAX_PATH (64u << 10) /* a label's key */
#define CONFIG_MAX_LAYERS (1u << 20)

static int decode_config(struct reader *rd, const struct customs_layercache *lc,
                         struct customs_vec *out)
{
    uint64_t n = 0;
    int r = get_u(rd, customs_cursor_left(&rd->cur), &n, "count over what is left");
    if (r == 0 && n > 0 && lc->show_secrets) {
        return bad(rd, "secrets without their values in a scan that shows them");
    }
    for (uint64_t i = 0; i < n && r == 0; i++) {
        struct customs_layercache_config_secret h = {0};
        const char *id = NULL;
        uint64_t weak = 0, layer = 0;
        if ((r = get_str(rd, 256, &id)) < 0 || (r = get_u(rd, 1, &weak, "flag not 0 or 1")) < 0 ||
            (r = get_one_of(rd, config_locations, &h.location)) < 0 ||
            (r = get_str(rd, CONFIG_MAX_PATH, &h.path)) < 0 ||
            (r = get_u(rd, CONFIG_MAX_LAYERS, &layer, "layer out of range")) < 0 ||
            (r = get_str(rd, 95, &h.redacted)) < 0) {
            break;
        }
        h.rule = customs_strmap_get(&lc->rules, id);
        if (h.rule == NULL) {
            return bad(rd, "a secret rule that is not loaded");
        }
        h.weak = weak != 0;
        h.layer = (int)layer - 1;
        struct customs_layercache_config_secret *slot = customs_vec_push(out);
        if (slot == NULL) {
            return CUSTOMS_ENOMEM;
        }
        *slot = h;
    }
    if (r == 0 && customs_cursor_left(&rd->cur) != 0) {
        r = bad(rd, "bytes after the end");
    }
    return r;
}

int customs_layercache_config_decode(struct customs_vec *out, struct customs_arena *arena,
                                     const struct customs_layercache *lc, const void *payload,
                                     size_t len, struct customs_error *err)
{
    struct reader rd = {.arena = arena, .err = err};
    customs_cursor_init(&rd.cur, payload, len);
    int r = decode_config(&rd, lc, out);
    return r == CUSTOMS_ENOMEM ? customs_error_set(err, r, "out of memory") : r;
}

int customs_layercache_config_encode(struct customs_buf *b, const struct customs_vec *hits)
{
    int r = put_u(b, hits->len);
    for (size_t i = 0; i < hits->len && r == 0; i++) {
        const struct customs_layercache_config_secret *h = customs_vec_at(hits, i);
        if ((r = put_str(b, h->rule->id)) < 0 || (r = put_u(b, h->weak)) < 0 ||
            (r = put_str(b, h->location)) < 0 || (r = put_str(b, h->path)) < 0 ||
            (r = put_u(b, (uint64_t)(h->layer + 1))) < 0) {
            break;
        }
        r = put_str(b, h->redacted);
    }
    return r;
}

int customs_layercache_config_load(struct customs_vec *out, struct customs_arena *arena,
                                   const struct customs_layercache *lc, const char *key,
                                   struct customs_error *warn)
{
    char name[96];
    uint8_t *data = NULL;
    struct customs_bytes payload;
    int r = read_entry(lc, key, config_magic, " (image config)", name, sizeof(name), &data,
                       &payload, warn);
    if (r == 0) {
        struct customs_error derr = {0};
        r = customs_layercache_config_decode(out, arena, lc, payload.ptr, payload.len, &derr);
        if (r == CUSTOMS_EMALFORMED) {
            customs_error_set(warn, r, "layer cache entry %s (image config): %s; ignored", name,
                              derr.message);
        }
        if (r < 0) {
            out->len = 0;
        } else {
            customs_sealed_touch(lc->dfd, name);
        }
    }
    customs_free(data);
    return r;
}

int customs_layercache_config_store(const struct customs_layercache *lc, const char *key,
                                    const struct customs_vec *hits)
{
    struct customs_buf b;
    if (lc->dfd < 0 || lc->show_secrets) {
        return 0; /* secrets themselves never go to disk */
    }
    customs_buf_init(&b, (size_t)(MAX_ENTRY_BYTES - CUSTOMS_SEALED_HEADER_LEN));
    return write_entry(lc, key, config_magic, &b, customs_layercache_config_encode(&b, hits));
}
