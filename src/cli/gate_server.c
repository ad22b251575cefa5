/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `customs registry`'s server: a reverse proxy (libmicrohttpd in front, libcurl behind) that
 * speaks the Distribution API to clients and forwards to the upstream registry.
 *
 * One thread per connection, so a request may block on the upstream. Blob and upload traffic is
 * streamed both ways without buffering: a curl multi handle is driven from the connection's own
 * thread, the upload paused while the client has sent nothing new and the download paused while
 * the client has not taken what came (a fixed window per request). Manifests are small (at most
 * GATE_MANIFEST_MAX) and are read whole, so the bytes judged are the bytes served:
 *   GET/HEAD  fetched from the upstream, digest checked, judged by the verdict recorded for that
 *             digest (src/gate), served or refused with 403 and the reasons;
 *   PUT       forwarded; on success the image is scanned from the upstream, judged and recorded
 *             before the client gets the upstream's answer.
 * Anything the gate cannot decide (store down, upstream lying) is refused: it fails closed.
 */
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/gate_cli.h"
#include "gate/gate.h"
#include "signature/signature.h"
#include "store/store.h"

#define GATE_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define GATE_MANIFEST_MAX (4u << 20)  /* the Distribution spec's suggested manifest limit */
#define GATE_WINDOW (256u << 10)      /* bytes buffered per direction per streamed request */
#define GATE_MAX_HEADERS 64
#define GATE_DIGEST_HEADER "Docker-Content-Digest"
/* The verdict cache: pulls of an image judged moments ago skip the store. Bounded by slots and
 * by age; emptied whenever the store's files change (see verdict_cache_get). */
#define GATE_VERDICT_SLOTS 256
#define GATE_VERDICT_TTL_NS 1000000000LL   /* an entry is used for at most 1 s */
#define GATE_STORE_QUIET_NS 50000000LL     /* a store written in the last 50 ms is not cached */
#define GATE_VERDICT_KEY_MAX 2048

struct gate_server {
    const struct gate_args *args;
    struct customs_policy *policy;
    struct MHD_Daemon *daemon;
    char upstream[512];      /* scheme://host[:port], no trailing slash */
    const char *upstream_hostport; /* host[:port] inside `upstream` */
    pthread_mutex_t pool_lock;
    struct pooled {
        struct customs_store *st;
        dev_t dev; /* the store file it has open (SQLite) */
        ino_t ino;
    } pool[64];                /* idle store handles (one per thread in use) */
    size_t npool;
    bool store_is_file;        /* a SQLite path, not a postgresql:// URI */
    pthread_mutex_t xfer_lock;
    struct transfer {
        CURLM *multi;          /* holds the connection cache: upstream connections are reused */
        CURL *easy;
    } xfers[64];               /* idle transfer handles */
    size_t nxfers;
    pthread_mutex_t log_lock;
    FILE *log;
    atomic_bool ready;
    char wal[4096];            /* the SQLite store's write-ahead log, "" for postgres */
    pthread_mutex_t cache_lock;
    struct store_stamp {
        struct stat file[2];   /* the store and its -wal, as stat(2) saw them */
        bool present[2];
        struct timespec taken; /* CLOCK_REALTIME just before */
    } cache_stamp;             /* the store's state the cached verdicts were judged under */
    struct verdict_slot {
        uint64_t hash;
        char *key;             /* "<name>@<digest>\n<asked names>", NULL: empty */
        enum customs_effect effect;
        struct timespec expires; /* CLOCK_MONOTONIC */
    } cache[GATE_VERDICT_SLOTS];
};

static void gate_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void gate_log(const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* escaped into memory, then one write: stderr is unbuffered, and a write per character
     * cost more than the rest of a pull (and let threads' lines interleave) */
    char *esc = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&esc, &len);
    if (m != NULL) {
        cli_put_escaped(m, line);
    }
    if (m != NULL && fclose(m) == 0) {
        fprintf(stderr, "customs registry: %s\n", esc);
    } else {
        fputs("customs registry: (a log line lost: out of memory)\n", stderr);
    }
    free(esc);
}

/* ---- verdict store handles: one per request in flight, kept for reuse ----
 *
 * A SQLite store is a file an operator may replace (a restored backup, a store rebuilt
 * elsewhere and renamed into place): every take compares the file at the path with the one a
 * kept handle has open, and reopens; a path that no longer opens as a store refuses. */

struct store_handle {
    struct customs_store *st;
    dev_t dev;
    ino_t ino;
};

static int store_identity(const struct gate_server *s, dev_t *dev, ino_t *ino,
                          struct customs_error *err)
{
    struct stat sb;
    if (!s->store_is_file) {
        *dev = 0;
        *ino = 0;
        return 0;
    }
    if (stat(s->args->store, &sb) != 0) {
        return customs_error_set(err, CUSTOMS_EIO, "the store %s: %s", s->args->store,
                                 strerror(errno));
    }
    *dev = sb.st_dev;
    *ino = sb.st_ino;
    return 0;
}

static int store_take(struct gate_server *s, struct store_handle *h, struct customs_error *err)
{
    dev_t dev = 0;
    ino_t ino = 0;
    memset(h, 0, sizeof(*h));
    if (store_identity(s, &dev, &ino, err) != 0) {
        return -1;
    }
    pthread_mutex_lock(&s->pool_lock);
    while (s->npool > 0 && h->st == NULL) {
        struct pooled *p = &s->pool[--s->npool];
        if (p->dev == dev && p->ino == ino) {
            h->st = p->st;
            h->dev = dev;
            h->ino = ino;
        } else {
            customs_store_close(p->st); /* the file was replaced */
        }
    }
    pthread_mutex_unlock(&s->pool_lock);
    if (h->st != NULL) {
        return 0;
    }
    if (customs_store_open(&h->st, s->args->store, err) != 0) {
        h->st = NULL;
        return -1;
    }
    h->dev = dev;
    h->ino = ino;
    return 0;
}

/* Give a handle back; a handle that failed is closed (the next request opens a fresh one). */
static void store_give(struct gate_server *s, struct store_handle *h, bool failed)
{
    if (h->st == NULL) {
        return;
    }
    pthread_mutex_lock(&s->pool_lock);
    if (!failed && s->npool < sizeof(s->pool) / sizeof(s->pool[0])) {
        s->pool[s->npool++] = (struct pooled){h->st, h->dev, h->ino};
        h->st = NULL;
    }
    pthread_mutex_unlock(&s->pool_lock);
    customs_store_close(h->st);
    h->st = NULL;
}

/* ---- the verdict cache ----
 *
 * A pull judged "allow" or "warn" from the store is remembered for up to GATE_VERDICT_TTL_NS
 * under its repository, digest and the names it was asked by; denials and unknown images are
 * always looked up. Every pull stats the store's files (the SQLite file and its write-ahead log,
 * where every commit lands) and a change in either (inode, size, mtime, ctime) empties the cache
 * before it is consulted. A verdict is only cached while the store has been quiet for
 * GATE_STORE_QUIET_NS (well above the coarse clock that stamps file times), so any later write
 * moves the times the cache compares: a refreshed or replaced store is honoured at the next
 * pull. A postgres store has no file to stat; there the age bound alone applies. */

static int store_stamp_take(const struct gate_server *s, struct store_stamp *st,
                            struct customs_error *err)
{
    memset(st, 0, sizeof(*st));
    clock_gettime(CLOCK_REALTIME, &st->taken);
    if (!s->store_is_file) {
        return 0;
    }
    const char *paths[2] = {s->args->store, s->wal};
    for (int i = 0; i < 2; i++) {
        if (stat(paths[i], &st->file[i]) == 0) {
            st->present[i] = true;
        } else if (i == 0 || errno != ENOENT) {
            return customs_error_set(err, CUSTOMS_EIO, "the store %s: %s", paths[i],
                                     strerror(errno));
        }
    }
    return 0;
}

static bool store_stamp_same(const struct store_stamp *a, const struct store_stamp *b)
{
    for (int i = 0; i < 2; i++) {
        const struct stat *x = &a->file[i];
        const struct stat *y = &b->file[i];
        if (a->present[i] != b->present[i] ||
            (a->present[i] &&
             (x->st_dev != y->st_dev || x->st_ino != y->st_ino || x->st_size != y->st_size ||
              x->st_mtim.tv_sec != y->st_mtim.tv_sec || x->st_mtim.tv_nsec != y->st_mtim.tv_nsec ||
              x->st_ctim.tv_sec != y->st_ctim.tv_sec || x->st_ctim.tv_nsec != y->st_ctim.tv_nsec))) {
            return false;
        }
    }
    return true;
}

static long long ts_ns(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* No file of the store had changed for GATE_STORE_QUIET_NS when `st` was taken: a write after
 * that is stamped with a later time, whatever the file times' granularity. */
static bool store_stamp_quiet(const struct store_stamp *st)
{
    long long t = ts_ns(&st->taken);
    for (int i = 0; i < 2; i++) {
        if (st->present[i] && (t - ts_ns(&st->file[i].st_mtim) < GATE_STORE_QUIET_NS ||
                               t - ts_ns(&st->file[i].st_ctim) < GATE_STORE_QUIET_NS)) {
            return false;
        }
    }
    return true;
}

static uint64_t key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return h;
}

/* Call with cache_lock held: forget every entry, now judged under `st`. */
static void verdict_cache_reset(struct gate_server *s, const struct store_stamp *st)
{
    for (size_t i = 0; i < GATE_VERDICT_SLOTS; i++) {
        free(s->cache[i].key);
        s->cache[i].key = NULL;
    }
    s->cache_stamp = *st;
}

/* The cached effect for `key`, judged under the store state `st`. */
static bool verdict_cache_get(struct gate_server *s, const struct store_stamp *st,
                              const char *key, enum customs_effect *effect)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t h = key_hash(key);
    bool hit = false;
    pthread_mutex_lock(&s->cache_lock);
    if (!store_stamp_same(&s->cache_stamp, st)) {
        verdict_cache_reset(s, st);
    }
    struct verdict_slot *e = &s->cache[h % GATE_VERDICT_SLOTS];
    if (e->key != NULL && e->hash == h && strcmp(e->key, key) == 0 &&
        ts_ns(&now) < ts_ns(&e->expires)) {
        *effect = e->effect;
        hit = true;
    }
    pthread_mutex_unlock(&s->cache_lock);
    return hit;
}

/* Remember `effect` for `key`, looked up under the store state `st` (taken before the lookup). */
static void verdict_cache_put(struct gate_server *s, const struct store_stamp *st,
                              const char *key, enum customs_effect effect)
{
    if (effect == CUSTOMS_EFFECT_DENY || !store_stamp_quiet(st)) {
        return;
    }
    char *copy = strdup(key);
    if (copy == NULL) {
        return; /* not cached: the next pull looks it up */
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long exp = ts_ns(&now) + GATE_VERDICT_TTL_NS;
    uint64_t h = key_hash(key);
    pthread_mutex_lock(&s->cache_lock);
    if (store_stamp_same(&s->cache_stamp, st)) {
        struct verdict_slot *e = &s->cache[h % GATE_VERDICT_SLOTS];
        free(e->key);
        *e = (struct verdict_slot){h, copy, effect,
                                   {(time_t)(exp / 1000000000LL), (long)(exp % 1000000000LL)}};
        copy = NULL;
    }
    pthread_mutex_unlock(&s->cache_lock);
    free(copy);
}

/* "<name>@<digest>\n<asked>\n...": what a verdict depends on besides the store and the policy.
 * @return false when it does not fit (not cached) */
static bool verdict_key(char *out, size_t cap, const char *name, const char *digest,
                        const char *const *asked)
{
    int n = snprintf(out, cap, "%s@%s", name, digest);
    if (n < 0 || (size_t)n >= cap) {
        return false;
    }
    size_t len = (size_t)n;
    for (size_t i = 0; asked != NULL && asked[i] != NULL; i++) {
        n = snprintf(out + len, cap - len, "\n%s", asked[i]);
        if (n < 0 || (size_t)n >= cap - len) {
            return false;
        }
        len += (size_t)n;
    }
    return true;
}

/* ---- the upstream side: one curl transfer, driven from the connection's thread ---- */

struct upstream {
    struct gate_server *s;
    CURLM *multi;
    CURL *easy;
    struct curl_slist *req_headers;
    bool done;
    CURLcode result;
    /* response */
    long status;
    bool headers_done;
    char *headers[GATE_MAX_HEADERS]; /* "Name: value", of the final response */
    size_t nheaders;
    bool collect;            /* read the whole body into `body` (manifests) */
    struct customs_buf body; /* collected body, or the streaming window */
    size_t body_off;         /* streaming: bytes of `body` already handed to the client */
    bool write_paused;
    bool too_big;
    /* request body, streamed */
    const char *up;
    size_t up_len;
    bool up_eof;
    bool read_paused;
};

static void upstream_headers_clear(struct upstream *u)
{
    for (size_t i = 0; i < u->nheaders; i++) {
        free(u->headers[i]);
    }
    u->nheaders = 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *payload)
{
    struct upstream *u = payload;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* a new response (after a 100 Continue, say): forget the previous one's headers */
        upstream_headers_clear(u);
        u->headers_done = false;
        return len;
    }
    if (len <= 2 && (data[0] == '\r' || data[0] == '\n')) {
        long code = 0;
        curl_easy_getinfo(u->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code >= 200) {
            u->status = code;
            u->headers_done = true;
        }
        return len;
    }
    while (len > 0 && (data[len - 1] == '\r' || data[len - 1] == '\n')) {
        len--;
    }
    if (u->nheaders < GATE_MAX_HEADERS && memchr(data, ':', len) != NULL) {
        u->headers[u->nheaders] = strndup(data, len);
        if (u->headers[u->nheaders] != NULL) {
            u->nheaders++;
        }
    }
    return size * n;
}

static size_t on_body(char *data, size_t size, size_t n, void *payload)
{
    struct upstream *u = payload;
    size_t len = size * n;
    if (u->collect) {
        if (customs_buf_append(&u->body, data, len) != 0) {
            u->too_big = true;
            return 0; /* aborts the transfer */
        }
        return len;
    }
    /* streaming: append to the window, or pause until the client has taken enough */
    if (u->body_off == u->body.len) {
        u->body.len = 0;
        u->body_off = 0;
    }
    if (u->body.len + len > GATE_WINDOW && u->body.len > 0) {
        if (u->body_off > 0) {
            memmove(u->body.ptr, u->body.ptr + u->body_off, u->body.len - u->body_off);
            u->body.len -= u->body_off;
            u->body_off = 0;
        }
        if (u->body.len + len > GATE_WINDOW) {
            u->write_paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
    }
    if (customs_buf_append(&u->body, data, len) != 0) {
        return 0;
    }
    return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *payload)
{
    struct upstream *u = payload;
    size_t cap = size * n;
    if (u->up_len == 0) {
        if (u->up_eof) {
            return 0;
        }
        u->read_paused = true;
        return CURL_READFUNC_PAUSE;
    }
    size_t k = u->up_len < cap ? u->up_len : cap;
    memcpy(buf, u->up, k);
    u->up += k;
    u->up_len -= k;
    return k;
}

/* Run the transfer until `until(u)` holds or it ends. */
static void upstream_drive(struct upstream *u, bool (*until)(const struct upstream *))
{
    while (!u->done && !until(u)) {
        int running = 0;
        if (u->read_paused && (u->up_len > 0 || u->up_eof)) {
            u->read_paused = false;
            curl_easy_pause(u->easy, CURLPAUSE_CONT);
        }
        if (curl_multi_perform(u->multi, &running) != CURLM_OK) {
            u->done = true;
            u->result = CURLE_FAILED_INIT;
            break;
        }
        int left = 0;
        CURLMsg *m;
        while ((m = curl_multi_info_read(u->multi, &left)) != NULL) {
            if (m->msg == CURLMSG_DONE) {
                u->done = true;
                u->result = m->data.result;
            }
        }
        if (u->done || until(u)) {
            break;
        }
        if (u->write_paused) {
            break; /* the client must take bytes first */
        }
        curl_multi_poll(u->multi, NULL, 0, 200, NULL);
    }
}

static bool until_headers(const struct upstream *u)
{
    return u->headers_done && !u->collect;
}

static bool until_sent(const struct upstream *u)
{
    return u->up_len == 0;
}

static bool until_data(const struct upstream *u)
{
    return u->body.len > u->body_off;
}

static bool until_never(const struct upstream *u)
{
    (void)u;
    return false;
}

/* A transfer handle pair from the pool (its connections to the upstream kept), or a new one. */
static int transfer_take(struct gate_server *s, struct upstream *u)
{
    pthread_mutex_lock(&s->xfer_lock);
    if (s->nxfers > 0) {
        struct transfer t = s->xfers[--s->nxfers];
        u->multi = t.multi;
        u->easy = t.easy;
    }
    pthread_mutex_unlock(&s->xfer_lock);
    if (u->easy != NULL) {
        curl_easy_reset(u->easy);
        return 0;
    }
    u->multi = curl_multi_init();
    u->easy = curl_easy_init();
    return u->multi != NULL && u->easy != NULL ? 0 : -1;
}

static void upstream_free(struct upstream *u)
{
    if (u->multi != NULL && u->easy != NULL) {
        curl_multi_remove_handle(u->multi, u->easy);
    }
    /* a transfer that ended cleanly leaves its connection reusable: keep the pair */
    if (u->s != NULL && u->multi != NULL && u->easy != NULL && u->done && u->result == CURLE_OK) {
        pthread_mutex_lock(&u->s->xfer_lock);
        if (u->s->nxfers < sizeof(u->s->xfers) / sizeof(u->s->xfers[0])) {
            u->s->xfers[u->s->nxfers++] = (struct transfer){u->multi, u->easy};
            u->multi = NULL;
            u->easy = NULL;
        }
        pthread_mutex_unlock(&u->s->xfer_lock);
    }
    if (u->easy != NULL) {
        curl_easy_cleanup(u->easy);
    }
    if (u->multi != NULL) {
        curl_multi_cleanup(u->multi);
    }
    curl_slist_free_all(u->req_headers);
    upstream_headers_clear(u);
    customs_buf_release(&u->body);
    memset(u, 0, sizeof(*u));
}

static const char *upstream_header(const struct upstream *u, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < u->nheaders; i++) {
        const char *h = u->headers[i];
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            h += n + 1;
            while (*h == ' ' || *h == '\t') {
                h++;
            }
            return h;
        }
    }
    return NULL;
}

/* Headers that belong to one hop, never forwarded either way. */
static bool hop_by_hop(const char *name)
{
    static const char *const hop[] = {"Connection", "Keep-Alive", "Proxy-Authenticate",
                                      "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding",
                                      "Upgrade", "Host", "Content-Length", "Expect"};
    for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++) {
        if (strcasecmp(name, hop[i]) == 0) {
            return true;
        }
    }
    return false;
}

struct header_copy {
    struct curl_slist *list;
    bool failed;
};

static enum MHD_Result copy_request_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                           const char *value)
{
    struct header_copy *hc = cls;
    (void)kind;
    if (hop_by_hop(key) || value == NULL || strpbrk(value, "\r\n") != NULL) {
        return MHD_YES;
    }
    char line[8192];
    int n = snprintf(line, sizeof(line), "%s: %s", key, value);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        return MHD_YES;
    }
    struct curl_slist *l = curl_slist_append(hc->list, line);
    if (l == NULL) {
        hc->failed = true;
        return MHD_NO;
    }
    hc->list = l;
    return MHD_YES;
}

/* Start `method` on the upstream for `uri` (path and query, as the client sent them, already
 * checked), with the client's end-to-end headers. `body`: the request has a body (streamed
 * through u->up). */
static int upstream_start(struct upstream *u, struct gate_server *s,
                          struct MHD_Connection *c, const char *method, const char *uri,
                          bool body, bool collect, bool head_only)
{
    char url[8192];
    memset(u, 0, sizeof(*u));
    customs_buf_init(&u->body, collect ? GATE_MANIFEST_MAX : 0);
    u->collect = collect;
    int n = snprintf(url, sizeof(url), "%s%s", s->upstream, uri);
    if (n < 0 || (size_t)n >= sizeof(url)) {
        return -1;
    }
    struct header_copy hc = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, copy_request_header, &hc);
    if (hc.failed) {
        curl_slist_free_all(hc.list);
        return -1;
    }
    /* no "Expect: 100-continue" round trip: the body is streamed as it comes */
    struct curl_slist *l = curl_slist_append(hc.list, "Expect:");
    if (l == NULL) {
        curl_slist_free_all(hc.list);
        return -1;
    }
    u->req_headers = l;
    u->s = (struct gate_server *)s;
    if (transfer_take(u->s, u) != 0) {
        return -1;
    }
    CURL *e = u->easy;
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, u->req_headers);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, u);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, u);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* redirects go to the client */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)s->args->connect_timeout);
    /* a stalled upstream frees the connection: under 1 byte/s for this long ends it */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)s->args->stall_timeout);
    curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    curl_easy_setopt(e, CURLOPT_HTTP_TRANSFER_DECODING, 1L);
    if (s->args->upstream_ca != NULL) {
        curl_easy_setopt(e, CURLOPT_CAINFO, s->args->upstream_ca);
    }
    if (head_only) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    }
    if (body) {
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(e, CURLOPT_READDATA, u);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        char *end = NULL;
        unsigned long long len = cl != NULL ? strtoull(cl, &end, 10) : 0;
        if (cl != NULL && end != cl && *end == '\0') {
            curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
        }
    }
    if (curl_multi_add_handle(u->multi, e) != CURLM_OK) {
        return -1;
    }
    return 0;
}

/* ---- one request ---- */

enum req_mode {
    MODE_NEW,
    MODE_STREAM,       /* pass-through: body streamed to the upstream */
    MODE_MANIFEST_PUT, /* body collected, then forwarded */
    MODE_MANIFEST_GET, /* a manifest GET or HEAD, answered once the request is in */
    MODE_OWN,          /* the gate's own endpoints, answered once the request is in */
    MODE_DISCARD,      /* the answer is decided: the rest of the body is dropped */
};

struct req {
    struct gate_server *s;
    char *uri;                 /* path and query as received (the URI log callback) */
    struct customs_gate_route route;
    enum req_mode mode;
    struct upstream up;
    bool started;
    struct customs_buf manifest; /* MODE_MANIFEST_PUT: the pushed manifest */
    struct timespec t0;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct req *r = calloc(1, sizeof(*r));
    if (r != NULL) {
        r->uri = strdup(uri);
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        customs_buf_init(&r->manifest, GATE_MANIFEST_MAX);
    }
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct req *r = *req_cls;
    if (r != NULL) {
        upstream_free(&r->up);
        customs_buf_release(&r->manifest);
        free(r->uri);
        free(r);
        *req_cls = NULL;
    }
}

static enum MHD_Result respond_buf(struct MHD_Connection *c, unsigned status, const char *type,
                                   char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
    if (resp == NULL) {
        if (mode == MHD_RESPMEM_MUST_FREE) {
            free(body);
        }
        return MHD_NO;
    }
    if (type != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    }
    MHD_add_response_header(resp, "Docker-Distribution-API-Version", "registry/2.0");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A Distribution error (code, message; the verdict's reasons as detail when given). */
static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *code,
                                     const char *message, const struct customs_verdict *v)
{
    size_t len = 0;
    char *body = customs_gate_error_body(code, message, v, &len);
    if (body == NULL) {
        return MHD_NO;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        customs_free(body);
        return MHD_NO;
    }
    memcpy(copy, body, len + 1);
    customs_free(body);
    return respond_buf(c, status, "application/json", copy, len, MHD_RESPMEM_MUST_FREE);
}

/* The upstream's Location, made relative when it points at the upstream itself (the client
 * must come back through the gate); another host (blob storage) is kept. */
static const char *rewrite_location(const struct gate_server *s, const char *loc)
{
    size_t n = strlen(s->upstream);
    if (strncmp(loc, s->upstream, n) == 0 && loc[n] == '/') {
        return loc + n;
    }
    return loc;
}

static void add_upstream_headers(struct MHD_Response *resp, const struct gate_server *s,
                                 const struct upstream *u)
{
    for (size_t i = 0; i < u->nheaders; i++) {
        char name[128];
        const char *h = u->headers[i];
        const char *colon = strchr(h, ':');
        size_t n = (size_t)(colon - h);
        if (n == 0 || n >= sizeof(name)) {
            continue;
        }
        memcpy(name, h, n);
        name[n] = '\0';
        const char *value = colon + 1;
        while (*value == ' ' || *value == '\t') {
            value++;
        }
        if (hop_by_hop(name) || strcasecmp(name, "Date") == 0) {
            continue;
        }
        if (strcasecmp(name, "Location") == 0) {
            value = rewrite_location(s, value);
        }
        MHD_add_response_header(resp, name, value);
    }
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct req *r = cls;
    struct upstream *u = &r->up;
    (void)pos;
    if (!until_data(u) && !u->done) {
        if (u->write_paused) {
            u->write_paused = false;
            curl_easy_pause(u->easy, CURLPAUSE_CONT);
        }
        upstream_drive(u, until_data);
    }
    size_t avail = u->body.len - u->body_off;
    if (avail == 0) {
        if (u->done) {
            return u->result == CURLE_OK ? MHD_CONTENT_READER_END_OF_STREAM
                                         : MHD_CONTENT_READER_END_WITH_ERROR;
        }
        return 0; /* not reached: drive returns with data or done */
    }
    size_t k = avail < max ? avail : max;
    memcpy(buf, u->body.ptr + u->body_off, k);
    u->body_off += k;
    return (ssize_t)k;
}

static void free_nothing(void *cls)
{
    (void)cls;
}

/* Answer with the upstream's response: status, headers, and the body streamed. */
static enum MHD_Result relay(struct MHD_Connection *c, struct req *r, bool head)
{
    struct upstream *u = &r->up;
    if (!u->headers_done) {
        upstream_drive(u, until_headers);
    }
    if (!u->headers_done) {
        gate_log("upstream %s: %s", r->uri, curl_easy_strerror(u->result));
        return respond_error(c, MHD_HTTP_BAD_GATEWAY, "UNAVAILABLE",
                             "customs registry: the upstream registry did not answer", NULL);
    }
    uint64_t size = MHD_SIZE_UNKNOWN;
    const char *cl = upstream_header(u, "Content-Length");
    if (cl != NULL) {
        char *end = NULL;
        unsigned long long v = strtoull(cl, &end, 10);
        if (end != cl && (*end == '\0' || *end == ' ')) {
            size = v;
        }
    }
    struct MHD_Response *resp;
    if (head || u->status == 204 || u->status == 304) {
        resp = MHD_create_response_from_callback(head && size != MHD_SIZE_UNKNOWN ? size : 0,
                                                 4096, stream_reader, r, free_nothing);
    } else {
        resp = MHD_create_response_from_callback(size, 256 * 1024, stream_reader, r,
                                                 free_nothing);
    }
    if (resp == NULL) {
        return MHD_NO;
    }
    add_upstream_headers(resp, r->s, u);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)u->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- manifests ---- */

static int digest_of(char out[CUSTOMS_DIGEST_MAX], const void *data, size_t len)
{
    struct customs_sha256 h;
    if (customs_sha256_init(&h) != 0) {
        return -1;
    }
    customs_sha256_update(&h, data, len);
    return customs_sha256_final(&h, out);
}

/* Under images.signatures.required: verify the signatures of `target` (the upstream's
 * sha256-<hex>.sig tags, or the policy's lookaside) with the policy's keys before it is
 * scanned, so the verification is judged and recorded with the image. A signature that does
 * not verify, or a store of signatures that cannot be read, leaves `res` unverified: the image
 * is then denied by images.signatures.required (fail closed). */
static void gate_verify(struct gate_server *s, const char *target, struct customs_sig_result *res)
{
    struct cli_verify cv = {.nkeys = 0};
    char (*keys)[4096] = calloc(CLI_VERIFY_KEYS_MAX, sizeof(*keys));
    customs_sig_result_init(res);
    if (keys == NULL) {
        return;
    }
    if (cli_verify_from_policy(&cv, keys, s->policy, s->args->policy) && cv.nkeys > 0) {
        /* Its outcome is in `res` (and printed): not verified, for any reason, is judged. */
        int vrc = cli_verify_signatures(&cv, target, NULL, &s->args->registry,
                                        &s->args->scan.limits, res);
        (void)vrc;
    }
    free(keys);
}

/* Scan the image `name@digest` from the upstream (streamed), judge it into `v` and record it
 * (`why`: "push" or "pull", for the log). A failure is logged and returned: the image stays
 * unknown, so its pulls are refused. */
static int gate_record(struct gate_server *s, struct customs_verdict *v, const char *why,
                       const char *name, const char *tag, const char *digest,
                       const char *const *asked)
{
    char target[1200];
    char tagged[CUSTOMS_GATE_NAME_MAX + CUSTOMS_GATE_REF_MAX + 2];
    const char *names[2] = {NULL, NULL};
    snprintf(target, sizeof(target), "registry:%s/%s@%s", s->upstream_hostport, name, digest);
    if (tag != NULL) {
        snprintf(tagged, sizeof(tagged), "%s:%s", name, tag);
        names[0] = tagged;
    }
    struct customs_error err = {0};
    struct store_handle h;
    struct customs_sig_result sig;
    gate_verify(s, target, &sig);
    int rc = store_take(s, &h, &err) == 0
                 ? customs_gate_record(v, h.st, s->policy, &s->args->scan, target, names,
                                       asked, &sig, time(NULL), &err)
                 : -1;
    store_give(s, &h, rc != 0);
    if (rc != 0) {
        gate_log("%s %s@%s: not recorded (its pulls are refused): %s", why, name, digest,
                 err.message);
    } else {
        gate_log("%s %s@%s: scanned, %s (%zu reason%s)", why, name, digest,
                 customs_effect_name(v->effect), customs_verdict_count(v),
                 customs_verdict_count(v) == 1 ? "" : "s");
    }
    return rc;
}

/* The names a manifest request asks for its image by: under the gate's host as the client
 * addressed it (Host) and under the upstream's. */
static void gate_names(struct customs_gate_names *out, const struct gate_server *s,
                       struct MHD_Connection *c, const struct customs_gate_route *route)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    customs_gate_names_init(out, host, s->upstream_hostport, route->name, route->reference,
                            route->by_digest);
}

/* True when the verdict is "no usable record" (images.unknown, or a record too old). */
static bool verdict_is_unknown(const struct customs_verdict *v)
{
    for (size_t i = 0; i < customs_verdict_count(v); i++) {
        const char *rule = customs_verdict_at(v, i)->rule;
        if (strcmp(rule, "images.unknown") == 0 || strcmp(rule, "images.maxAgeDays") == 0) {
            return true;
        }
    }
    return false;
}

/* A pull refused because the store could not be read (fail closed). */
static enum MHD_Result store_failed(struct MHD_Connection *c, const char *name,
                                    const char *digest, const struct customs_error *err)
{
    gate_log("%s@%s: refused, the verdict store failed: %s", name, digest, err->message);
    return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "DENIED",
                         "customs registry: the verdict store is unavailable; no image is "
                         "served unjudged",
                         NULL);
}

static enum MHD_Result serve_manifest(struct MHD_Connection *c, struct req *r, bool head)
{
    struct gate_server *s = r->s;
    struct upstream *u = &r->up;
    char path[CUSTOMS_GATE_NAME_MAX + CUSTOMS_GATE_REF_MAX + 32];
    snprintf(path, sizeof(path), "/v2/%s/manifests/%s", r->route.name, r->route.reference);
    /* always a GET: the gate judges the bytes it serves */
    if (upstream_start(u, s, c, "GET", path, false, true, false) != 0) {
        return MHD_NO;
    }
    upstream_drive(u, until_never);
    if (u->too_big) {
        return respond_error(c, MHD_HTTP_BAD_GATEWAY, "MANIFEST_INVALID",
                             "customs registry: the upstream's manifest is over 4 MiB", NULL);
    }
    if (u->result != CURLE_OK || !u->headers_done) {
        gate_log("upstream %s: %s", path, curl_easy_strerror(u->result));
        return respond_error(c, MHD_HTTP_BAD_GATEWAY, "UNAVAILABLE",
                             "customs registry: the upstream registry did not answer", NULL);
    }
    if (u->status != 200) {
        /* 401 challenges, 404s: the client sees the upstream's own answer */
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            head ? 0 : u->body.len, u->body.ptr, MHD_RESPMEM_MUST_COPY);
        if (resp == NULL) {
            return MHD_NO;
        }
        add_upstream_headers(resp, s, u);
        enum MHD_Result ret = MHD_queue_response(c, (unsigned)u->status, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    char digest[CUSTOMS_DIGEST_MAX];
    if (digest_of(digest, u->body.ptr, u->body.len) != 0) {
        return MHD_NO;
    }
    const char *claimed = upstream_header(u, GATE_DIGEST_HEADER);
    if ((r->route.by_digest && strcmp(digest, r->route.reference) != 0) ||
        (claimed != NULL && strncmp(claimed, "sha256:", 7) == 0 && strcmp(claimed, digest) != 0)) {
        gate_log("upstream %s: the manifest's digest is %s, not the one asked for or claimed",
                 path, digest);
        return respond_error(c, MHD_HTTP_BAD_GATEWAY, "DIGEST_INVALID",
                             "customs registry: the upstream served a manifest whose digest does "
                             "not match",
                             NULL);
    }
    const char *ctype = upstream_header(u, "Content-Type");
    enum customs_gate_manifest_kind kind = customs_gate_manifest_kind(u->body.ptr, u->body.len,
                                                                      ctype);
    enum customs_effect effect = CUSTOMS_EFFECT_ALLOW;
    if (kind != CUSTOMS_GATE_MANIFEST_INDEX) {
        struct customs_gate_names asked;
        gate_names(&asked, s, c, &r->route);
        struct customs_error err = {0};
        struct store_stamp stamp;
        char key[GATE_VERDICT_KEY_MAX];
        bool keyed = verdict_key(key, sizeof(key), r->route.name, digest, asked.names);
        if (store_stamp_take(s, &stamp, &err) != 0) {
            return store_failed(c, r->route.name, digest, &err);
        }
        if (keyed && verdict_cache_get(s, &stamp, key, &effect)) {
            gate_log("pull %s@%s: %s (cached verdict)", r->route.name, digest,
                     customs_effect_name(effect));
        } else {
            struct customs_verdict v;
            customs_verdict_init(&v);
            struct store_handle h;
            int rc = store_take(s, &h, &err) == 0
                         ? customs_gate_judge(&v, s->policy, customs_store_lookup, h.st,
                                              r->route.name, digest, asked.names, time(NULL),
                                              &err)
                         : -1;
            store_give(s, &h, rc != 0);
            if (rc != 0) {
                customs_verdict_release(&v);
                return store_failed(c, r->route.name, digest, &err);
            }
            bool cacheable = keyed && !verdict_is_unknown(&v);
            if (s->policy->base.images.unknown_scan && verdict_is_unknown(&v)) {
                /* images.unknown: scan — judged now, from the upstream, before answering */
                customs_verdict_release(&v);
                customs_verdict_init(&v);
                if (gate_record(s, &v, "pull", r->route.name, NULL, digest, asked.names) != 0) {
                    customs_verdict_release(&v);
                    return respond_error(c, MHD_HTTP_FORBIDDEN, "DENIED",
                                         "customs registry: the image has no recorded verdict "
                                         "and could not be scanned",
                                         NULL);
                }
            }
            effect = v.effect;
            gate_log("pull %s@%s: %s", r->route.name, digest, customs_effect_name(effect));
            if (effect == CUSTOMS_EFFECT_DENY) {
                enum MHD_Result ret = respond_error(c, MHD_HTTP_FORBIDDEN, "DENIED", NULL, &v);
                customs_verdict_release(&v);
                return ret;
            }
            customs_verdict_release(&v);
            if (cacheable) {
                verdict_cache_put(s, &stamp, key, effect);
            }
        }
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        head ? 0 : u->body.len, u->body.ptr, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) {
        return MHD_NO;
    }
    if (head) {
        /* HEAD: the length the GET would have, no body */
        MHD_destroy_response(resp);
        resp = MHD_create_response_from_callback(u->body.len, 4096, stream_reader, r,
                                                 free_nothing);
        if (resp == NULL) {
            return MHD_NO;
        }
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            ctype != NULL ? ctype : "application/vnd.oci.image.manifest.v1+json");
    MHD_add_response_header(resp, GATE_DIGEST_HEADER, digest);
    MHD_add_response_header(resp, "Docker-Distribution-API-Version", "registry/2.0");
    if (effect == CUSTOMS_EFFECT_WARN) {
        MHD_add_response_header(resp, "Warning", "299 customs \"served with warnings\"");
    }
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A manifest pushed through the gate: forward it, then scan, judge and record its image. */
static enum MHD_Result push_manifest(struct MHD_Connection *c, struct req *r)
{
    struct gate_server *s = r->s;
    struct upstream *u = &r->up;
    if (upstream_start(u, s, c, "PUT", r->uri, true, true, false) != 0) {
        return MHD_NO;
    }
    u->up = r->manifest.ptr;
    u->up_len = r->manifest.len;
    u->up_eof = true;
    curl_easy_setopt(u->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->manifest.len);
    upstream_drive(u, until_never);
    if (u->result != CURLE_OK || !u->headers_done) {
        gate_log("upstream PUT %s: %s", r->uri, curl_easy_strerror(u->result));
        return respond_error(c, MHD_HTTP_BAD_GATEWAY, "UNAVAILABLE",
                             "customs registry: the upstream registry did not answer", NULL);
    }
    if (u->status == 201) {
        char digest[CUSTOMS_DIGEST_MAX];
        if (digest_of(digest, r->manifest.ptr, r->manifest.len) != 0) {
            return MHD_NO;
        }
        const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                        MHD_HTTP_HEADER_CONTENT_TYPE);
        if (customs_gate_manifest_kind(r->manifest.ptr, r->manifest.len, ctype) !=
            CUSTOMS_GATE_MANIFEST_INDEX) {
            struct customs_verdict v;
            struct customs_gate_names asked;
            gate_names(&asked, s, c, &r->route);
            customs_verdict_init(&v);
            (void)gate_record(s, &v, "push", r->route.name,
                              r->route.by_digest ? NULL : r->route.reference, digest,
                              asked.names);
            customs_verdict_release(&v);
        }
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(u->body.len, u->body.ptr, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) {
        return MHD_NO;
    }
    add_upstream_headers(resp, s, u);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)u->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- the gate's own endpoints ---- */

static bool store_ready(struct gate_server *s)
{
    struct customs_error err = {0};
    struct store_handle h;
    const struct customs_policy_image *img = NULL;
    static const char probe[] =
        "customs/readyz@sha256:0000000000000000000000000000000000000000000000000000000000000000";
    int rc = store_take(s, &h, &err) == 0 ? customs_store_lookup(&img, probe, h.st, &err) : -1;
    store_give(s, &h, rc != 0);
    return rc == 0;
}

static enum MHD_Result serve_own(struct MHD_Connection *c, struct req *r, const char *method)
{
    static char ok[] = "ok\n";
    static char not_ready[] = "not ready: the verdict store is unavailable\n";
    static char missing[] = "not found\n";
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (get && strcmp(r->uri, "/healthz") == 0) {
        return respond_buf(c, 200, "text/plain", ok, sizeof(ok) - 1, MHD_RESPMEM_PERSISTENT);
    }
    if (get && strcmp(r->uri, "/readyz") == 0) {
        if (atomic_load(&r->s->ready) && store_ready(r->s)) {
            return respond_buf(c, 200, "text/plain", ok, sizeof(ok) - 1, MHD_RESPMEM_PERSISTENT);
        }
        return respond_buf(c, 503, "text/plain", not_ready, sizeof(not_ready) - 1,
                           MHD_RESPMEM_PERSISTENT);
    }
    return respond_buf(c, 404, "text/plain", missing, sizeof(missing) - 1,
                       MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
    struct gate_server *s = cls;
    struct req *r = *req_cls;
    (void)url;
    (void)version;
    if (r == NULL || r->uri == NULL) {
        return MHD_NO;
    }
    r->s = s;
    if (r->mode == MODE_NEW) {
        /* the path checked on the raw URI: what the upstream will see */
        char path[8192];
        size_t plen = strcspn(r->uri, "?#");
        if (plen >= sizeof(path)) {
            r->mode = MODE_DISCARD;
            return respond_error(c, MHD_HTTP_URI_TOO_LONG, "NAME_INVALID",
                                 "customs registry: request path too long", NULL);
        }
        memcpy(path, r->uri, plen);
        path[plen] = '\0';
        customs_gate_route_parse(&r->route, path);
        bool is_get = strcmp(method, "GET") == 0;
        bool is_head = strcmp(method, "HEAD") == 0;
        bool is_put = strcmp(method, "PUT") == 0;
        /* answered at the call that says the request is in: a response queued before it
         * makes libmicrohttpd close the connection, a new connection (and thread) per pull */
        if (r->route.kind == CUSTOMS_GATE_OUTSIDE) {
            r->mode = MODE_OWN;
            return MHD_YES;
        }
        if (r->route.kind == CUSTOMS_GATE_INVALID || strchr(r->uri, '#') != NULL) {
            r->mode = MODE_DISCARD;
            return respond_error(c, MHD_HTTP_BAD_REQUEST, "NAME_INVALID",
                                 "customs registry: not a Distribution API path", NULL);
        }
        if (r->route.kind == CUSTOMS_GATE_MANIFEST && (is_get || is_head)) {
            r->mode = MODE_MANIFEST_GET;
            return MHD_YES;
        }
        if (r->route.kind == CUSTOMS_GATE_MANIFEST && is_put) {
            r->mode = MODE_MANIFEST_PUT;
            return MHD_YES;
        }
        r->mode = MODE_STREAM;
        bool has_body = !(is_get || is_head || strcmp(method, "DELETE") == 0);
        if (upstream_start(&r->up, s, c, method, r->uri, has_body, false, is_head) != 0) {
            return MHD_NO;
        }
        r->started = true;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->mode == MODE_MANIFEST_PUT) {
            if (customs_buf_append(&r->manifest, upload_data, n) != 0) {
                r->mode = MODE_DISCARD;
                return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "SIZE_INVALID",
                                     "customs registry: manifest over 4 MiB", NULL);
            }
        } else if (r->mode == MODE_STREAM && !r->up.done && !r->up.headers_done) {
            r->up.up = upload_data;
            r->up.up_len = n;
            upstream_drive(&r->up, until_sent);
            r->up.up_len = 0; /* what the upstream did not take (it answered early) is dropped */
        }
        return MHD_YES;
    }
    /* the whole request is in */
    if (r->mode == MODE_OWN) {
        r->mode = MODE_DISCARD;
        return serve_own(c, r, method);
    }
    if (r->mode == MODE_MANIFEST_GET) {
        r->mode = MODE_DISCARD;
        return serve_manifest(c, r, strcmp(method, "HEAD") == 0);
    }
    if (r->mode == MODE_MANIFEST_PUT) {
        r->mode = MODE_DISCARD;
        return push_manifest(c, r);
    }
    if (r->mode == MODE_STREAM) {
        r->mode = MODE_DISCARD;
        r->up.up_eof = true;
        return relay(c, r, strcmp(method, "HEAD") == 0);
    }
    return MHD_YES;
}

/* ---- start and stop ---- */

/* "scheme://host[:port]" without a path: where the gate forwards, and host[:port] for scans. */
static int upstream_parse(struct gate_server *s, const char *url)
{
    const char *host = NULL;
    if (strncmp(url, "http://", 7) == 0) {
        host = url + 7;
    } else if (strncmp(url, "https://", 8) == 0) {
        host = url + 8;
    }
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/') {
        n--;
    }
    if (host == NULL || n >= sizeof(s->upstream) || host[0] == '\0' || host[0] == '/' ||
        memchr(host, '/', n - (size_t)(host - url)) != NULL || memchr(url, '@', n) != NULL) {
        return -1;
    }
    memcpy(s->upstream, url, n);
    s->upstream[n] = '\0';
    s->upstream_hostport = s->upstream + (host - url);
    return 0;
}

int gate_serve(const struct gate_args *a)
{
    struct gate_server s = {.args = a};
    struct sockaddr_storage addr;
    bool v6 = false;
    sigset_t set;
    int rc = CLI_EXIT_ERROR;
    char *cert = NULL;
    char *key = NULL;
    struct customs_error err = {0};
    if (cli_parse_listen(&addr, a->listen, &v6) != 0) {
        cli_error("--listen: '%s' is not ADDRESS:PORT (numeric, e.g. 0.0.0.0:5443)", a->listen);
        return CLI_EXIT_ERROR;
    }
    if (upstream_parse(&s, a->upstream) != 0) {
        cli_error("--upstream: '%s' is not http(s)://HOST[:PORT] (no path, no credentials)",
                  a->upstream);
        return CLI_EXIT_ERROR;
    }
    if (!a->plain_http) {
        cert = cli_read_pem(a->tls_cert, "--tls-cert");
        key = cert != NULL ? cli_read_pem(a->tls_key, "--tls-key") : NULL;
        if (key == NULL) {
            free(cert);
            return CLI_EXIT_ERROR;
        }
    }
    pthread_mutex_init(&s.pool_lock, NULL);
    pthread_mutex_init(&s.log_lock, NULL);
    pthread_mutex_init(&s.xfer_lock, NULL);
    pthread_mutex_init(&s.cache_lock, NULL);
    s.policy = cli_policy_load(a->policy);
    struct store_handle first;
    if (s.policy == NULL) {
        goto out;
    }
    /* the store must open (and migrate) before the first client is served */
    s.store_is_file = strncmp(a->store, "postgres://", 11) != 0 &&
                      strncmp(a->store, "postgresql://", 13) != 0;
    if (s.store_is_file &&
        (size_t)snprintf(s.wal, sizeof(s.wal), "%s-wal", a->store) >= sizeof(s.wal)) {
        cli_error("--store: path too long");
        goto out;
    }
    if (store_take(&s, &first, &err) != 0) {
        cli_error("%s", err.message);
        goto out;
    }
    store_give(&s, &first, false);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | (a->plain_http ? 0 : MHD_USE_TLS) | (v6 ? MHD_USE_IPv6 : 0);
    if (a->plain_http) {
        s.daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned int)a->max_connections,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)a->idle_timeout,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, &s, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
            &s, MHD_OPTION_END);
    } else {
        s.daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
            MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
            MHD_OPTION_HTTPS_PRIORITIES, GATE_TLS_PRIORITIES, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned int)a->max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned int)a->idle_timeout, MHD_OPTION_URI_LOG_CALLBACK, on_uri, &s,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s, MHD_OPTION_END);
    }
    if (s.daemon == NULL) {
        cli_error("cannot serve on %s (address in use, or the certificate and key do not load)",
                  a->listen);
        goto out;
    }
    atomic_store(&s.ready, true);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s.daemon, MHD_DAEMON_INFO_BIND_PORT);
    gate_log("listening on %s://%.*s:%u, upstream %s", a->plain_http ? "http" : "https",
             (int)(strrchr(a->listen, ':') - a->listen), a->listen,
             di != NULL ? (unsigned)di->port : 0, s.upstream);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) == 0) {
            gate_log("stopping (signal %d)", sig);
            break;
        }
    }
    atomic_store(&s.ready, false);
    MHD_stop_daemon(s.daemon);
    rc = CLI_EXIT_CLEAN;
out:
    for (size_t i = 0; i < s.npool; i++) {
        customs_store_close(s.pool[i].st);
    }
    cli_policy_free(s.policy);
    if (key != NULL) {
        explicit_bzero(key, strlen(key));
    }
    free(key);
    free(cert);
    for (size_t i = 0; i < s.nxfers; i++) {
        curl_easy_cleanup(s.xfers[i].easy);
        curl_multi_cleanup(s.xfers[i].multi);
    }
    for (size_t i = 0; i < GATE_VERDICT_SLOTS; i++) {
        free(s.cache[i].key);
    }
    pthread_mutex_destroy(&s.cache_lock);
    pthread_mutex_destroy(&s.xfer_lock);
    pthread_mutex_destroy(&s.log_lock);
    pthread_mutex_destroy(&s.pool_lock);
    return rc;
}
