/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One layer, one pass: blob bytes are hashed (the blob digest), decompressed by the codec
 * their magic bytes name, hashed again (the diff_id), counted against the limits, and fed to
 * libarchive's tar reader through a read callback. Nothing is buffered beyond a few chunks and
 * nothing touches the disk.
 *
 * Pipelined, a second thread does the first half (reading, both digests, decompression) into
 * a ring of PIPE_SLOTS chunks while the caller's thread runs the tar reader and the visitor
 * (the analyzers): a large layer then takes the longer of the two halves, not their sum. The
 * producer has a layer_reader of its own, so each thread writes only its own error; the
 * consumer takes the producer's error after the chunks that came before it.
 */
#include <archive.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <archive_entry.h>
#include <string.h>
#include <zstd.h>

#include "image/gunzip.h"
#include "image/image.h"

#include "core/banned.h"

#define OUT_CHUNK (256u * 1024)
#define PIPE_SLOTS 4

enum codec { CODEC_UNKNOWN, CODEC_NONE, CODEC_GZIP, CODEC_ZSTD };

struct layer_reader {
    struct customs_blob_stream *blob;
    const char *name;
    const struct customs_limits *limits;
    struct customs_byte_budget *budget;
    struct customs_error *err;
    int code; /* first error, with `err` set */

    struct customs_sha256 sha_in;
    struct customs_sha256 sha_out;
    enum codec codec;
    const uint8_t *in;
    size_t in_len;
    bool in_eof;
    bool hash_in; /* hash the blob's bytes (false: the stream verifies them itself) */
    uint8_t head[4]; /* magic bytes gathered across tiny chunks */
    size_t head_len;
    bool head_pending;

    struct customs_gunzip *gz;
    ZSTD_DStream *zs;
    size_t zs_hint; /* ZSTD_decompressStream's last return: 0 at a frame boundary */

    uint8_t *out;
    uint64_t bytes_in;
    uint64_t bytes_out;
    bool out_eof;

    struct pipe *pipe; /* non-NULL: chunks come from the producer thread */
};

/* The ring between the producer thread and the tar reader. `filled` counts the slots the
 * producer filled and the consumer has not released, the one it holds (`held`) included. */
struct pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf[PIPE_SLOTS];
    size_t len[PIPE_SLOTS];
    unsigned head, tail, filled;
    bool held;
    bool done; /* the producer ended: at the end of the stream or with prod.code */
    bool stop; /* the consumer gave up */
    struct layer_reader prod;
    struct customs_error err;
};

__attribute__((format(printf, 3, 4))) static int fail(struct layer_reader *lr, int code,
                                                      const char *fmt, ...)
{
    char what[CUSTOMS_ERROR_MESSAGE_MAX];
    va_list ap;
    if (lr->code == 0) {
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        lr->code = customs_error_set(lr->err, code, "%s: %s", lr->name, what);
    }
    return lr->code;
}

/* Pull the next chunk of blob bytes; hashes them as they pass. */
static int pull(struct layer_reader *lr)
{
    const void *buf;
    size_t len;
    if (atomic_load(&lr->budget->stop)) {
        return fail(lr, CUSTOMS_EAGAIN, "stopped");
    }
    int r = lr->blob->read(lr->blob->ctx, &buf, &len, lr->err);
    if (r < 0) {
        lr->code = r;
        customs_error_prefix(lr->err, "%s", lr->name);
        return r;
    }
    if (len == 0) {
        lr->in_eof = true;
    }
    if (lr->hash_in) {
        customs_sha256_update(&lr->sha_in, buf, len);
    }
    lr->bytes_in += len;
    lr->in = buf;
    lr->in_len = len;
    return 0;
}

static int detect(struct layer_reader *lr)
{
    /* Gather up to 4 bytes, however the stream chunks them. */
    while (lr->head_len < 4 && !lr->in_eof) {
        if (lr->in_len == 0) {
            int r = pull(lr);
            if (r < 0) {
                return r;
            }
            continue;
        }
        size_t n = 4 - lr->head_len < lr->in_len ? 4 - lr->head_len : lr->in_len;
        memcpy(lr->head + lr->head_len, lr->in, n);
        lr->head_len += n;
        lr->in += n;
        lr->in_len -= n;
    }
    lr->head_pending = lr->head_len > 0;
    if (lr->head_len >= 2 && lr->head[0] == 0x1f && lr->head[1] == 0x8b) {
        lr->codec = CODEC_GZIP;
        if ((lr->gz = customs_gunzip_new(customs_gunzip_default())) == NULL) {
            return fail(lr, CUSTOMS_ENOMEM, "out of memory (gzip inflate state)");
        }
    } else if (lr->head_len == 4 && lr->head[0] == 0x28 && lr->head[1] == 0xb5 &&
               lr->head[2] == 0x2f && lr->head[3] == 0xfd) {
        lr->codec = CODEC_ZSTD;
        lr->zs = ZSTD_createDStream();
        if (lr->zs == NULL || ZSTD_isError(ZSTD_initDStream(lr->zs))) {
            return fail(lr, CUSTOMS_ENOMEM, "out of memory (zstd stream)");
        }
        lr->zs_hint = 1;
    } else if (lr->head_len >= 3 && lr->head[0] == 'B' && lr->head[1] == 'Z' &&
               lr->head[2] == 'h') {
        return fail(lr, CUSTOMS_EUNSUPPORTED, "bzip2 layers are not supported");
    } else if (lr->head_len >= 4 && lr->head[0] == 0xfd && lr->head[1] == '7' &&
               lr->head[2] == 'z' && lr->head[3] == 'X') {
        return fail(lr, CUSTOMS_EUNSUPPORTED, "xz layers are not supported");
    } else {
        lr->codec = CODEC_NONE;
    }
    return 0;
}

/* The next input bytes for a decompressor: the gathered magic first, then blob chunks. */
static int next_input(struct layer_reader *lr, const uint8_t **p, size_t *n)
{
    if (lr->head_pending) {
        lr->head_pending = false;
        *p = lr->head;
        *n = lr->head_len;
        return 0;
    }
    if (lr->in_len == 0 && !lr->in_eof) {
        int r = pull(lr);
        if (r < 0) {
            return r;
        }
    }
    *p = lr->in;
    *n = lr->in_len;
    lr->in_len = 0;
    return 0;
}

/* Give back the unconsumed tail of what next_input returned. */
static void unread(struct layer_reader *lr, const uint8_t *p, size_t n, bool was_head)
{
    if (n == 0) {
        return;
    }
    if (was_head) {
        memmove(lr->head, p, n);
        lr->head_len = n;
        lr->head_pending = true;
    } else {
        lr->in = p;
        lr->in_len = n;
    }
}

static int account(struct layer_reader *lr, const uint8_t *buf, size_t n)
{
    char detail[160];
    customs_sha256_update(&lr->sha_out, buf, n);
    lr->bytes_out += n;
    uint64_t total = atomic_fetch_add(&lr->budget->used, n) + n;
    if (total > lr->limits->max_total_bytes) {
        snprintf(detail, sizeof(detail), "%llu",
                 (unsigned long long)lr->limits->max_total_bytes);
        return fail(lr, CUSTOMS_ELIMIT,
                    "total uncompressed size of the image is over the limit of %s bytes "
                    "(--max-total-bytes)",
                    detail);
    }
    if (lr->codec != CODEC_NONE && lr->bytes_out > lr->limits->ratio_grace_bytes &&
        lr->bytes_out / (lr->bytes_in ? lr->bytes_in : 1) > lr->limits->max_ratio) {
        snprintf(detail, sizeof(detail), "%u (%llu bytes from %llu)", lr->limits->max_ratio,
                 (unsigned long long)lr->bytes_out, (unsigned long long)lr->bytes_in);
        return fail(lr, CUSTOMS_ELIMIT,
                    "compression ratio over the limit of %s: a decompression bomb? "
                    "(--max-ratio)",
                    detail);
    }
    return 0;
}

/* Produce up to OUT_CHUNK decompressed bytes in lr->out; 0 bytes means the end. */
static int produce(struct layer_reader *lr, size_t *produced)
{
    *produced = 0;
    if (lr->code != 0) {
        return lr->code;
    }
    if (lr->codec == CODEC_UNKNOWN) {
        int r = detect(lr);
        if (r < 0) {
            return r;
        }
    }
    while (*produced == 0 && !lr->out_eof) {
        const uint8_t *p;
        size_t n;
        bool was_head = lr->head_pending;
        int r = next_input(lr, &p, &n);
        if (r < 0) {
            return r;
        }
        if (lr->codec == CODEC_NONE) {
            if (n == 0) {
                lr->out_eof = true;
                break;
            }
            size_t take = n < OUT_CHUNK ? n : OUT_CHUNK;
            memcpy(lr->out, p, take);
            unread(lr, p + take, n - take, was_head);
            *produced = take;
        } else if (lr->codec == CODEC_GZIP) {
            /* Members, trailing bytes and truncation: see gunzip.c. */
            const char *why;
            if (n == 0) {
                if (customs_gunzip_finish(lr->gz, &why) < 0) {
                    return fail(lr, CUSTOMS_EMALFORMED, "%s", why);
                }
                lr->out_eof = true;
                break;
            }
            size_t used;
            if (customs_gunzip_run(lr->gz, p, n, lr->out, OUT_CHUNK, &used, produced, &why) <
                0) {
                return fail(lr, CUSTOMS_EMALFORMED, "corrupt gzip data: %s", why);
            }
            unread(lr, p + used, n - used, was_head);
        } else {
            if (n == 0) {
                if (lr->zs_hint != 0) {
                    return fail(lr, CUSTOMS_EMALFORMED,
                                "truncated zstd stream (the blob ends mid-frame)");
                }
                lr->out_eof = true;
                break;
            }
            ZSTD_inBuffer in = {p, n, 0};
            ZSTD_outBuffer out = {lr->out, OUT_CHUNK, 0};
            size_t zr = ZSTD_decompressStream(lr->zs, &out, &in);
            if (ZSTD_isError(zr)) {
                return fail(lr, CUSTOMS_EMALFORMED, "corrupt zstd data: %s",
                            ZSTD_getErrorName(zr));
            }
            lr->zs_hint = zr;
            unread(lr, p + in.pos, n - in.pos, was_head);
            *produced = out.pos;
        }
    }
    if (*produced > 0) {
        return account(lr, lr->out, *produced);
    }
    return 0;
}

static void *producer(void *arg)
{
    struct pipe *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->filled == PIPE_SLOTS && !p->stop) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        unsigned slot = p->head;
        bool stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) {
            break;
        }
        size_t n = 0;
        p->prod.out = p->buf[slot];
        int r = produce(&p->prod, &n);
        pthread_mutex_lock(&p->mu);
        if (r < 0 || n == 0) {
            p->done = true;
        } else {
            p->len[slot] = n;
            p->head = (slot + 1) % PIPE_SLOTS;
            p->filled++;
        }
        bool done = p->done;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (done) {
            break;
        }
    }
    return NULL;
}

/* The next chunk of the tar stream: made here, or taken from the producer (and the chunk
 * taken before given back). 0 bytes at the end. */
static int next_chunk(struct layer_reader *lr, const uint8_t **buf, size_t *n)
{
    struct pipe *p = lr->pipe;
    if (p == NULL) {
        *buf = lr->out;
        return produce(lr, n);
    }
    pthread_mutex_lock(&p->mu);
    if (p->held) {
        p->held = false;
        p->tail = (p->tail + 1) % PIPE_SLOTS;
        p->filled--;
        pthread_cond_broadcast(&p->cv);
    }
    while (p->filled == 0 && !p->done) {
        pthread_cond_wait(&p->cv, &p->mu);
    }
    *n = 0;
    if (p->filled > 0) {
        *buf = p->buf[p->tail];
        *n = p->len[p->tail];
        p->held = true;
    }
    pthread_mutex_unlock(&p->mu);
    if (*n == 0 && p->prod.code < 0 && lr->code == 0) { /* done: prod is the producer's no more */
        lr->code = p->prod.code;
        *lr->err = p->err;
    }
    return *n == 0 && lr->code < 0 ? lr->code : 0;
}

static la_ssize_t archive_cb(struct archive *a, void *ctx, const void **buf)
{
    struct layer_reader *lr = ctx;
    size_t n;
    const uint8_t *chunk;
    int r = next_chunk(lr, &chunk, &n);
    if (r < 0) {
        archive_set_error(a, EIO, "%s", "layer stream failed");
        return -1;
    }
    *buf = chunk;
    return (la_ssize_t)n;
}

/* Does a tar name climb above the image root ("../../etc/passwd", "a/../../x")? A leading "/"
 * is only an absolute spelling of a path inside the image; ".." that escapes is an attack. */
static bool escapes_root(const char *name, size_t len)
{
    long depth = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && name[i] == '/') {
            i++;
        }
        size_t start = i;
        while (i < len && name[i] != '/') {
            i++;
        }
        size_t n = i - start;
        if (n == 2 && name[start] == '.' && name[start + 1] == '.') {
            if (--depth < 0) {
                return true;
            }
        } else if (n > 0 && !(n == 1 && name[start] == '.')) {
            depth++;
        }
    }
    return false;
}

/* Turn one tar header into a customs_entry; 1 = skip this entry, 0 = use it. */
static int make_entry(struct layer_reader *lr, struct archive_entry *ae, struct customs_entry *e,
                      char *path, char *link, size_t cap, int layer)
{
    const char *name = archive_entry_pathname(ae);
    char detail[200];
    size_t len;
    if (name == NULL) {
        return fail(lr, CUSTOMS_EMALFORMED, "a tar entry has no readable name");
    }
    len = strlen(name);
    if (len > lr->limits->max_path || len + 2 > cap) {
        snprintf(detail, sizeof(detail), "%zu bytes (limit %u, --max-path): %.60s...", len,
                 lr->limits->max_path, name);
        return fail(lr, CUSTOMS_ELIMIT, "path too long: %s", detail);
    }
    if (escapes_root(name, len)) {
        return fail(lr, CUSTOMS_EMALFORMED,
                    "entry '%.200s' climbs out of the image root with '..' (a path traversal "
                    "attack?)",
                    name);
    }
    customs_path_clean(path, cap, name, len);
    memset(e, 0, sizeof(*e));
    e->path = path;
    e->layer = layer;
    e->mode = (uint32_t)archive_entry_perm(ae);
    e->size = archive_entry_size_is_set(ae) ? (uint64_t)archive_entry_size(ae) : 0;

    const char *base = customs_path_base(path);
    if (customs_str_has_prefix(base, ".wh.")) {
        char *slash = strrchr(path, '/');
        if (strcmp(base, ".wh..wh..opq") == 0) {
            e->type = CUSTOMS_ENTRY_OPAQUE;
            *slash = '\0';
            if (path[0] == '\0') {
                path[0] = '/';
                path[1] = '\0';
            }
            return 0;
        }
        if (customs_str_has_prefix(base, ".wh..wh.")) {
            return 1; /* aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs) */
        }
        e->type = CUSTOMS_ENTRY_WHITEOUT;
        memmove(slash + 1, base + 4, strlen(base + 4) + 1);
        if (slash[1] == '\0') {
            return 1;
        }
        return 0;
    }
    const char *hard = archive_entry_hardlink(ae);
    if (hard != NULL) {
        if (strlen(hard) > lr->limits->max_path || strlen(hard) + 2 > cap) {
            return fail(lr, CUSTOMS_ELIMIT, "hardlink target too long (--max-path)");
        }
        if (escapes_root(hard, strlen(hard))) {
            return fail(lr, CUSTOMS_EMALFORMED,
                        "hardlink '%.200s' points out of the image root ('%.200s')", name, hard);
        }
        customs_path_clean(link, cap, hard, strlen(hard));
        e->type = CUSTOMS_ENTRY_HARDLINK;
        e->link = link;
        return 0;
    }
    switch (archive_entry_filetype(ae)) {
    case AE_IFREG:
        e->type = CUSTOMS_ENTRY_FILE;
        break;
    case AE_IFDIR:
        e->type = CUSTOMS_ENTRY_DIR;
        break;
    case AE_IFLNK: {
        const char *target = archive_entry_symlink(ae);
        size_t tl = target != NULL ? strlen(target) : 0;
        if (tl > lr->limits->max_path || tl + 1 > cap) {
            return fail(lr, CUSTOMS_ELIMIT, "symlink target too long (--max-path)");
        }
        memcpy(link, target != NULL ? target : "", tl + 1);
        e->type = CUSTOMS_ENTRY_SYMLINK;
        e->link = link;
        break;
    }
    default:
        e->type = CUSTOMS_ENTRY_OTHER;
        break;
    }
    return 0;
}

static int walk_tar(struct layer_reader *lr, int layer, uint64_t *entries,
                    const struct customs_walk_visitor *v)
{
    struct archive *a = archive_read_new();
    struct archive_entry *ae;
    size_t cap = (size_t)lr->limits->max_path + 2;
    char *path = customs_malloc(cap);
    char *link = customs_malloc(cap);
    char detail[64];
    int r = 0;
    if (a == NULL || path == NULL || link == NULL) {
        r = fail(lr, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    archive_read_support_format_tar(a);
    if (archive_read_open(a, lr, NULL, archive_cb, NULL) != ARCHIVE_OK) {
        r = lr->code != 0 ? lr->code
                          : fail(lr, CUSTOMS_EMALFORMED, "not a tar archive: %s",
                                 archive_error_string(a));
        goto out;
    }
    for (;;) {
        int ar = archive_read_next_header(a, &ae);
        if (ar == ARCHIVE_EOF) {
            break;
        }
        if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) { /* ARCHIVE_RETRY too: a damaged header */
            r = lr->code != 0 ? lr->code
                              : fail(lr, CUSTOMS_EMALFORMED, "bad tar entry near byte %lld of the tar: %s",
                                     (long long)archive_filter_bytes(a, -1),
                                     archive_error_string(a));
            break;
        }
        if (++*entries > lr->limits->max_entries) {
            snprintf(detail, sizeof(detail), "%llu", (unsigned long long)lr->limits->max_entries);
            r = fail(lr, CUSTOMS_ELIMIT, "too many entries (over %s, --max-entries)",
                     detail);
            break;
        }
        struct customs_entry e;
        r = make_entry(lr, ae, &e, path, link, cap, layer);
        if (r < 0) {
            break;
        }
        if (r == 1) {
            r = 0;
            continue;
        }
        r = v->entry(v->ctx, &e);
        if (r < 0) {
            break;
        }
        if (r == 1 && e.type == CUSTOMS_ENTRY_FILE) {
            const void *buf;
            size_t len;
            la_int64_t off;
            r = 0;
            for (;;) {
                ar = archive_read_data_block(a, &buf, &len, &off);
                if (ar == ARCHIVE_EOF) {
                    break;
                }
                if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
                    r = lr->code != 0 ? lr->code
                                      : fail(lr, CUSTOMS_EMALFORMED,
                                             "%s: bad file data near byte %lld of the tar: %s",
                                             e.path, (long long)archive_filter_bytes(a, -1),
                                             archive_error_string(a));
                    break;
                }
                r = v->data(v->ctx, buf, len);
                if (r < 0) {
                    break;
                }
            }
            if (r == 0) {
                r = v->end(v->ctx);
            }
            if (r < 0) {
                break;
            }
        }
        r = 0;
    }
out:
    if (a != NULL) {
        archive_read_free(a);
    }
    customs_free(path);
    customs_free(link);
    return r;
}

static void pipe_free(struct pipe *p)
{
    for (unsigned i = 0; i < PIPE_SLOTS; i++) {
        customs_free(p->buf[i]);
    }
    customs_free(p);
}

/* Start the producer thread on a copy of `lr`'s settings; NULL if it cannot start (then the
 * caller reads the layer on its own thread). */
static struct pipe *pipe_start(struct layer_reader *lr)
{
    struct pipe *p = customs_calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    p->prod = *lr;
    p->prod.err = &p->err;
    bool ok = customs_sha256_init(&p->prod.sha_in) == 0;
    ok = customs_sha256_init(&p->prod.sha_out) == 0 && ok;
    for (unsigned i = 0; i < PIPE_SLOTS && ok; i++) {
        ok = (p->buf[i] = customs_malloc(OUT_CHUNK)) != NULL;
    }
    if (ok && pthread_mutex_init(&p->mu, NULL) == 0) {
        if (pthread_cond_init(&p->cv, NULL) == 0) {
            if (pthread_create(&p->thread, NULL, producer, p) == 0) {
                lr->pipe = p;
                return p;
            }
            pthread_cond_destroy(&p->cv);
        }
        pthread_mutex_destroy(&p->mu);
    }
    customs_sha256_release(&p->prod.sha_in);
    customs_sha256_release(&p->prod.sha_out);
    pipe_free(p);
    return NULL;
}

/* Stop the producer (it ends at its next chunk) and wait for it. */
static void pipe_stop(struct pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
}

static void reader_release(struct layer_reader *d)
{
    customs_gunzip_free(d->gz);
    if (d->zs != NULL) {
        ZSTD_freeDStream(d->zs);
    }
    customs_sha256_release(&d->sha_in);
    customs_sha256_release(&d->sha_out);
}

int customs_layer_walk(struct customs_layer_stats *stats, struct customs_blob_stream *blob,
                       const char *name, int layer, const char *want_digest,
                       const char *want_diff_id, const struct customs_limits *limits,
                       struct customs_byte_budget *budget, bool pipelined,
                       const struct customs_walk_visitor *v, struct customs_error *err)
{
    struct layer_reader lr = {
        .blob = blob, .name = name, .limits = limits, .budget = budget, .err = err,
        /* a stream that verifies the digest it was opened for is not hashed twice */
        .hash_in = !(blob->verified && want_digest != NULL && want_digest[0] != '\0')};
    struct pipe *p = NULL;
    struct layer_reader *d = &lr; /* the one that decompresses and hashes */
    int r;
    memset(stats, 0, sizeof(*stats));
    if (pipelined && (p = pipe_start(&lr)) != NULL) {
        d = &p->prod;
    }
    if (p == NULL && ((lr.out = customs_malloc(OUT_CHUNK)) == NULL ||
                      customs_sha256_init(&lr.sha_in) < 0 ||
                      customs_sha256_init(&lr.sha_out) < 0)) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    r = walk_tar(&lr, layer, &stats->entries, v);
    /* Drain what the tar reader left (end padding) so both digests cover every byte. */
    while (r == 0) {
        size_t n;
        const uint8_t *chunk;
        r = next_chunk(&lr, &chunk, &n);
        if (r == 0 && n == 0) {
            break;
        }
    }
    if (p != NULL) {
        pipe_stop(p);
    }
    /* a verifying stream judges its digest when it ends: make sure it was read to its end */
    while (r == 0 && !lr.hash_in && !d->in_eof) {
        r = pull(d);
    }
    if (r < 0) {
        if (lr.code != 0 && r != lr.code) {
            r = lr.code;
        }
        goto out;
    }
    if (lr.hash_in) {
        customs_sha256_final(&d->sha_in, stats->digest);
    } else {
        snprintf(stats->digest, sizeof(stats->digest), "%s", want_digest);
    }
    customs_sha256_final(&d->sha_out, stats->diff_id);
    if (want_digest != NULL && want_digest[0] != '\0' && strcmp(want_digest, stats->digest) != 0) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED,
                              "%s: digest mismatch: blob %s hashes to %s (corrupt or tampered)",
                              name, want_digest, stats->digest);
    } else if (want_diff_id != NULL && want_diff_id[0] != '\0' &&
               strcmp(want_diff_id, stats->diff_id) != 0) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED,
                              "%s: diff_id mismatch: the config says %s, the uncompressed "
                              "layer hashes to %s",
                              name, want_diff_id, stats->diff_id);
    }
out:
    stats->compression = d->codec == CODEC_GZIP   ? "gzip"
                         : d->codec == CODEC_ZSTD ? "zstd"
                                                  : "none";
    stats->bytes_in = d->bytes_in;
    stats->bytes_out = d->bytes_out;
    reader_release(d);
    if (p != NULL) {
        pipe_free(p);
    }
    customs_free(lr.out);
    return r;
}
