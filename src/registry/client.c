/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Distribution API client. Every request is one libcurl transfer driven through its own
 * multi handle, so that a blob can be read as a pull stream: curl's write callback fills a
 * bounded buffer and pauses the transfer when it is full; read() hands the buffer out and
 * resumes. Requests are retried (429, 5xx, failed connections) with backoff until the
 * client's deadline; a 401 is answered once per request with Basic credentials or a bearer
 * token fetched from the challenge's realm (cached by scope until it expires).
 */
#include "registry/registry.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "formats/json.h"
#include "registry/auth.h"

#include "core/banned.h"

#define URL_MAX 2048
#define PENDING_MAX (1u << 20)      /* stream bytes buffered before the transfer pauses */
#define ERRBODY_MAX 4096            /* kept of an error response's body */
#define TOKEN_MAX 16384             /* a bearer token */
#define TOKEN_DOC_MAX (64u * 1024)  /* the token server's answer */
#define NTOKENS 8
#define TOKEN_MARGIN_S 5            /* a token is reused until this long before it expires */

static const char manifest_accept[] =
    "Accept: application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

struct token {
    char scope[CUSTOMS_CHALLENGE_VALUE_MAX];
    char *value;
    uint64_t expires_ms; /* monotonic */
};

struct customs_registry {
    char host[CUSTOMS_REGISTRY_HOST_MAX];
    char auth_host[CUSTOMS_REGISTRY_HOST_MAX]; /* whose credentials: host, or the mirror's */
    char base[URL_MAX];   /* scheme://authority[/path], no trailing slash */
    bool scheme_fixed;    /* a mirror URL named its scheme: no http fallback */
    struct customs_registry_options opts;
    const struct customs_limits *limits;
    uint64_t deadline_ms; /* monotonic */
    pthread_mutex_t lock; /* everything below */
    bool creds_asked;
    char creds_repo[CUSTOMS_CHALLENGE_VALUE_MAX]; /* the repository they were asked for */
    bool has_creds;
    char user[CUSTOMS_REGISTRY_USER_MAX];
    char secret[CUSTOMS_REGISTRY_SECRET_MAX];
    char scheme[16];      /* from the last challenge: "bearer", "basic" or "" */
    struct token tokens[NTOKENS];
    size_t next_token;    /* round-robin slot */
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void customs_registry_options_default(struct customs_registry_options *out)
{
    memset(out, 0, sizeof(*out));
    out->timeout_seconds = 60;
    out->connect_timeout_seconds = 10;
    out->low_speed_seconds = 20;
    out->max_retries = 4;
    out->max_retry_after = 10;
    out->max_redirects = 5;
}

/* ---- the client ---- */

/* "HOST=URL" entries: the URL for `host`, or NULL. */
static const char *mirror_for(const char *const *mirrors, const char *host)
{
    size_t hn = strlen(host);
    for (size_t i = 0; mirrors != NULL && mirrors[i] != NULL; i++) {
        if (strncmp(mirrors[i], host, hn) == 0 && mirrors[i][hn] == '=') {
            return mirrors[i] + hn + 1;
        }
    }
    return NULL;
}

static int mirror_check(const char *const *mirrors, bool insecure, struct customs_error *err)
{
    for (size_t i = 0; mirrors != NULL && mirrors[i] != NULL; i++) {
        const char *m = mirrors[i];
        const char *eq = strchr(m, '=');
        const char *url = eq != NULL ? eq + 1 : NULL;
        const char *auth = url != NULL ? strstr(url, "://") : NULL;
        if (eq == NULL || eq == m || url == NULL ||
            !(customs_str_has_prefix(url, "https://") || customs_str_has_prefix(url, "http://"))) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "--mirror '%.200s': expected HOST=http(s)://ADDRESS", m);
        }
        if (auth != NULL && strchr(auth + 3, '@') != NULL) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "--mirror for %.*s: a URL must not carry credentials "
                                     "(they come from the auth files)",
                                     (int)(eq - m), m);
        }
        if (strlen(url) >= URL_MAX - 512) {
            return customs_error_set(err, CUSTOMS_EINVAL, "--mirror '%.100s...': too long", m);
        }
        if (customs_str_has_prefix(url, "http://") && !insecure) {
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "--mirror %.*s: plain http (%.200s) needs --insecure",
                                     (int)(eq - m), m, url);
        }
    }
    return 0;
}

int customs_registry_new(struct customs_registry **out, const char *host,
                         const struct customs_registry_options *opts,
                         const struct customs_limits *limits, struct customs_error *err)
{
    struct customs_registry *reg = NULL;
    struct customs_registry_options defaults;
    *out = NULL;
    if (opts == NULL) {
        customs_registry_options_default(&defaults);
        opts = &defaults;
    }
    if (strlen(host) >= CUSTOMS_REGISTRY_HOST_MAX || host[0] == '\0') {
        return customs_error_set(err, CUSTOMS_EINVAL, "registry host '%.100s' is not valid", host);
    }
    int r = mirror_check(opts->mirrors, opts->insecure, err);
    if (r < 0) {
        return r;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return customs_error_set(err, CUSTOMS_ERROR, "libcurl failed to initialise");
    }
    reg = customs_calloc(1, sizeof(*reg));
    if (reg == NULL) {
        curl_global_cleanup();
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    memcpy(reg->host, host, strlen(host) + 1);
    reg->opts = *opts;
    if (reg->opts.timeout_seconds == 0) {
        reg->opts.timeout_seconds = 60;
    }
    if (reg->opts.connect_timeout_seconds == 0) {
        reg->opts.connect_timeout_seconds = 10;
    }
    if (reg->opts.low_speed_seconds == 0) {
        reg->opts.low_speed_seconds = 20;
    }
    reg->limits = limits;
    reg->deadline_ms = now_ms() + (uint64_t)reg->opts.timeout_seconds * 1000u;
    pthread_mutex_init(&reg->lock, NULL);
    const char *mirror = mirror_for(opts->mirrors, host);
    if (mirror != NULL) {
        size_t n = strlen(mirror);
        while (n > 0 && mirror[n - 1] == '/') {
            n--;
        }
        memcpy(reg->base, mirror, n);
        reg->base[n] = '\0';
        reg->scheme_fixed = true;
        /* the mirror's own credentials, never the registry's */
        const char *authority = strstr(reg->base, "://") + 3;
        size_t an = strcspn(authority, "/");
        snprintf(reg->auth_host, sizeof(reg->auth_host), "%.*s",
                 (int)(an < sizeof(reg->auth_host) ? an : sizeof(reg->auth_host) - 1),
                 authority);
    } else {
        memcpy(reg->auth_host, host, strlen(host) + 1);
        snprintf(reg->base, sizeof(reg->base), "https://%s",
                 strcmp(host, "docker.io") == 0 ? "registry-1.docker.io" : host);
    }
    *out = reg;
    return 0;
}

void customs_registry_free(struct customs_registry *reg)
{
    if (reg == NULL) {
        return;
    }
    for (size_t i = 0; i < NTOKENS; i++) {
        if (reg->tokens[i].value != NULL) {
            explicit_bzero(reg->tokens[i].value, strlen(reg->tokens[i].value));
            customs_free(reg->tokens[i].value);
        }
    }
    explicit_bzero(reg->secret, sizeof(reg->secret));
    pthread_mutex_destroy(&reg->lock);
    customs_free(reg);
    curl_global_cleanup();
}

const char *customs_registry_base_url(const struct customs_registry *reg)
{
    return reg->base;
}

bool customs_registry_is_mirrored(const struct customs_registry *reg)
{
    return reg->scheme_fixed; /* only a mirror URL fixes the scheme */
}

uint32_t customs_registry_seconds_left(const struct customs_registry *reg)
{
    uint64_t now = now_ms();
    return reg->deadline_ms > now ? (uint32_t)((reg->deadline_ms - now) / 1000u) : 0;
}

/* ---- one transfer ---- */

struct response {
    long status;
    char content_type[128];
    char dcd[CUSTOMS_DIGEST_MAX]; /* Docker-Content-Digest */
    char www_auth[2048];
    uint32_t retry_after;         /* seconds; 0 when absent */
    int64_t content_length;       /* -1 when absent */
};

struct xfer {
    struct customs_registry *reg;
    CURL *easy;
    CURLM *multi;
    struct curl_slist *headers;
    char url[URL_MAX];
    struct response resp;
    struct customs_buf body;    /* 2xx bytes not yet handed out (streams) or the document */
    struct customs_buf errbody; /* the start of a non-2xx body */
    uint64_t body_max;          /* 2xx body bytes accepted in all */
    uint64_t received;
    bool stream;                /* pause when `body` holds PENDING_MAX */
    bool paused;
    bool done;
    bool over_limit;
    bool oom;
    CURLcode result;
    char errbuf[CURL_ERROR_SIZE];
};

static void header_value(char *dst, size_t dstsz, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ')) {
        n--;
    }
    if (n >= dstsz) {
        n = dstsz - 1;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static bool header_is(const char *line, size_t n, const char *name, const char **value,
                      size_t *vn)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':') {
        return false;
    }
    *value = line + k + 1;
    *vn = n - k - 1;
    return true;
}

static size_t on_header(char *line, size_t size, size_t nitems, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nitems;
    const char *v;
    size_t vn;
    char tmp[64];
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or a 100): its own headers */
        memset(&x->resp, 0, sizeof(x->resp));
        x->resp.content_length = -1;
        const char *sp = memchr(line, ' ', n);
        if (sp != NULL && (size_t)(sp - line) + 4 <= n) {
            x->resp.status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
        }
        return n;
    }
    if (header_is(line, n, "content-type", &v, &vn)) {
        header_value(x->resp.content_type, sizeof(x->resp.content_type), v, vn);
        char *semi = strchr(x->resp.content_type, ';');
        if (semi != NULL) {
            *semi = '\0';
        }
    } else if (header_is(line, n, "docker-content-digest", &v, &vn)) {
        header_value(x->resp.dcd, sizeof(x->resp.dcd), v, vn);
    } else if (header_is(line, n, "www-authenticate", &v, &vn)) {
        header_value(x->resp.www_auth, sizeof(x->resp.www_auth), v, vn);
    } else if (header_is(line, n, "retry-after", &v, &vn)) {
        header_value(tmp, sizeof(tmp), v, vn);
        char *end = NULL;
        unsigned long s = strtoul(tmp, &end, 10);
        if (end != tmp && *end == '\0') {
            x->resp.retry_after = s > 3600 ? 3600 : (uint32_t)s;
        } else {
            time_t t = curl_getdate(tmp, NULL);
            time_t now = time(NULL);
            x->resp.retry_after = t > now ? (uint32_t)(t - now > 3600 ? 3600 : t - now) : 0;
        }
    } else if (header_is(line, n, "content-length", &v, &vn)) {
        header_value(tmp, sizeof(tmp), v, vn);
        char *end = NULL;
        unsigned long long cl = strtoull(tmp, &end, 10);
        if (end != tmp && *end == '\0') {
            x->resp.content_length = cl > INT64_MAX ? INT64_MAX : (int64_t)cl;
        }
        if (x->resp.status >= 200 && x->resp.status < 300 && x->resp.content_length >= 0 &&
            (uint64_t)x->resp.content_length > x->body_max) {
            x->over_limit = true; /* refused before a byte of the body is accepted */
            return 0;
        }
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status >= 300) {
        size_t keep = x->errbody.len < ERRBODY_MAX ? ERRBODY_MAX - x->errbody.len : 0;
        if (customs_buf_append(&x->errbody, data, n < keep ? n : keep) < 0) {
            /* the body only adds words to the message: the status decides */
        }
        return n;
    }
    if (n > x->body_max - x->received) {
        x->over_limit = true;
        return 0;
    }
    if (x->stream && x->body.len > 0 && x->body.len + n > PENDING_MAX) {
        x->paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (customs_buf_append(&x->body, data, n) < 0) {
        x->oom = true;
        return 0;
    }
    x->received += n;
    return n;
}

static void xfer_release(struct xfer *x)
{
    if (x->multi != NULL && x->easy != NULL) {
        curl_multi_remove_handle(x->multi, x->easy);
    }
    if (x->easy != NULL) {
        curl_easy_cleanup(x->easy);
    }
    if (x->multi != NULL) {
        curl_multi_cleanup(x->multi);
    }
    curl_slist_free_all(x->headers);
    customs_buf_release(&x->body);
    customs_buf_release(&x->errbody);
    x->easy = NULL;
    x->multi = NULL;
    x->headers = NULL;
}

static int xfer_add_header(struct xfer *x, const char *h)
{
    struct curl_slist *n = curl_slist_append(x->headers, h);
    if (n == NULL) {
        return CUSTOMS_ENOMEM;
    }
    x->headers = n;
    return 0;
}

/* Set up (not start) a transfer of `x->url`. `auth_header` ("Authorization: ...") may be
 * NULL; `user`/`secret` set Basic authentication through curl (never sent to another host);
 * `post`: a form to POST (copied), or NULL. */
static int xfer_init(struct xfer *x, const char *accept, const char *auth_header,
                     const char *user, const char *secret, bool head, const char *post)
{
    struct customs_registry *reg = x->reg;
    const struct customs_registry_options *o = &reg->opts;
    uint64_t now = now_ms();
    uint64_t left = reg->deadline_ms > now ? reg->deadline_ms - now : 1;
    const char *protos = o->insecure ? "http,https" : "https";
    customs_buf_init(&x->body, x->stream ? PENDING_MAX * 2 : 0);
    customs_buf_init(&x->errbody, ERRBODY_MAX + 1);
    memset(&x->resp, 0, sizeof(x->resp));
    x->resp.content_length = -1;
    x->received = 0;
    x->paused = false;
    x->done = false;
    x->over_limit = false;
    x->oom = false;
    x->result = CURLE_OK;
    x->errbuf[0] = '\0';
    x->easy = curl_easy_init();
    x->multi = curl_multi_init();
    if (x->easy == NULL || x->multi == NULL ||
        (accept != NULL && xfer_add_header(x, accept) < 0) ||
        (auth_header != NULL && xfer_add_header(x, auth_header) < 0)) {
        return CUSTOMS_ENOMEM;
    }
    CURL *h = x->easy;
    curl_easy_setopt(h, CURLOPT_URL, x->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protos);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protos);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)o->max_redirects);
    curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "customs/" CUSTOMS_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(left < o->connect_timeout_seconds * 1000ull
                                ? left
                                : o->connect_timeout_seconds * 1000ull));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)o->low_speed_seconds);
    if (o->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (o->ca_file != NULL) {
        curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
    }
    if (user != NULL && secret != NULL) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, secret);
    }
    if (head) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    }
    if (post != NULL && curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, post) != CURLE_OK) {
        return CUSTOMS_ENOMEM;
    }
    if (curl_multi_add_handle(x->multi, h) != CURLM_OK) {
        return CUSTOMS_ENOMEM;
    }
    x->errbuf[0] = '\0';
    return 0;
}

/* Run the transfer until it has ended or (streams) has body bytes waiting. */
static void xfer_pump(struct xfer *x)
{
    while (!x->done && (x->body.len == 0 || !x->stream)) {
        int running = 0;
        int queued = 0;
        CURLMsg *msg;
        if (x->paused) {
            x->paused = false;
            curl_easy_pause(x->easy, CURLPAUSE_CONT);
            if (x->body.len > 0) {
                break;
            }
        }
        if (curl_multi_perform(x->multi, &running) != CURLM_OK) {
            x->done = true;
            x->result = CURLE_FAILED_INIT;
            break;
        }
        while ((msg = curl_multi_info_read(x->multi, &queued)) != NULL) {
            if (msg->msg == CURLMSG_DONE) {
                x->done = true;
                x->result = msg->data.result;
            }
        }
        if (!x->done && (x->body.len == 0 || !x->stream) && !x->paused) {
            curl_multi_poll(x->multi, NULL, 0, 1000, NULL);
        }
    }
}

/* ---- errors ---- */

/* The registry's error body ({"errors":[{"code","message"}]}), printable, into out. */
static void errbody_summary(char *out, size_t outsz, const struct customs_buf *b)
{
    json_t *doc = NULL;
    struct customs_error ignored;
    out[0] = '\0';
    if (b->len == 0 ||
        customs_json_parse(&doc, "error body", b->ptr, b->len, ERRBODY_MAX, &ignored) < 0) {
        return;
    }
    const json_t *e0 = json_array_get(json_object_get(doc, "errors"), 0);
    const char *code = customs_json_str(e0, "code");
    const char *msg = customs_json_str(e0, "message");
    snprintf(out, outsz, "%s%s%s", code != NULL ? code : "", code != NULL && msg != NULL ? ": " : "",
             msg != NULL ? msg : "");
    for (char *p = out; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *p = '?';
        }
    }
    json_decref(doc);
}

enum outcome {
    OUT_OK,
    OUT_RETRY,  /* after backoff */
    OUT_AUTH,   /* 401: authenticate and try again */
    OUT_TLS,    /* the TLS handshake failed: maybe plain http */
    OUT_FAIL,   /* `err` set */
};

/* Judge a finished transfer (or one with its first body bytes, then OUT_OK). */
static enum outcome xfer_judge(struct xfer *x, const char *method, struct customs_error *err,
                               int *code)
{
    struct customs_registry *reg = x->reg;
    long status = x->resp.status;
    if (x->oom) {
        *code = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        return OUT_FAIL;
    }
    if (x->over_limit) {
        *code = customs_error_set(err, CUSTOMS_ELIMIT,
                                  "%s %s: the answer is larger than the %llu bytes allowed", method,
                                  x->url, (unsigned long long)x->body_max);
        return OUT_FAIL;
    }
    if (x->done && x->result != CURLE_OK) {
        CURLcode c = x->result;
        const char *detail = x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(c);
        if (now_ms() >= reg->deadline_ms) {
            *code = customs_error_set(err, CUSTOMS_ETIMEOUT,
                                      "%s %s: no complete answer within %u s (--timeout)", method,
                                      x->url, reg->opts.timeout_seconds);
            return OUT_FAIL;
        }
        switch (c) {
        case CURLE_TOO_MANY_REDIRECTS:
            *code = customs_error_set(err, CUSTOMS_EIO,
                                      "%s %s: more than %u redirects (a redirect loop?)", method,
                                      x->url, reg->opts.max_redirects);
            return OUT_FAIL;
        case CURLE_UNSUPPORTED_PROTOCOL:
            *code = customs_error_set(err, CUSTOMS_EIO,
                                      "%s %s: %s (plain http only with --insecure)", method,
                                      x->url, detail);
            return OUT_FAIL;
        case CURLE_PEER_FAILED_VERIFICATION:
            *code = customs_error_set(err, CUSTOMS_EIO,
                                      "%s %s: the TLS certificate is not trusted: %s (--insecure "
                                      "skips the check)",
                                      method, x->url, detail);
            return OUT_FAIL;
        case CURLE_SSL_CONNECT_ERROR:
            *code = customs_error_set(err, CUSTOMS_EIO, "%s %s: TLS handshake failed: %s%s",
                                      method, x->url, detail,
                                      reg->opts.insecure ? "" : " (a plain http registry needs "
                                                                "--insecure)");
            return OUT_TLS;
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            *code = customs_error_set(err, CUSTOMS_EIO, "%s %s: %s%s", method, x->url, detail,
                                      c == CURLE_OPERATION_TIMEDOUT ? " (stalled)" : "");
            return OUT_RETRY;
        default:
            *code = customs_error_set(err, CUSTOMS_EIO, "%s %s: %s", method, x->url, detail);
            return OUT_FAIL;
        }
    }
    if (status >= 200 && status < 300) {
        return OUT_OK;
    }
    char summary[300];
    errbody_summary(summary, sizeof(summary), &x->errbody);
    const char *sep = summary[0] != '\0' ? ": " : "";
    if (status == 401) {
        *code = customs_error_set(err, CUSTOMS_EIO, "%s %s: 401 unauthorized%s%s", method, x->url,
                                  sep, summary);
        return OUT_AUTH;
    }
    if (status == 429 || status >= 500) {
        *code = customs_error_set(err, CUSTOMS_EIO, "%s %s: HTTP %ld%s%s", method, x->url, status,
                                  sep, summary);
        return OUT_RETRY;
    }
    if (status == 404) {
        *code = customs_error_set(err, CUSTOMS_ENOTFOUND, "%s %s: 404 not found%s%s", method,
                                  x->url, sep, summary);
        return OUT_FAIL;
    }
    if (status == 403) {
        *code = customs_error_set(err, CUSTOMS_EIO, "%s %s: 403 denied%s%s", method, x->url, sep,
                                  summary);
        return OUT_FAIL;
    }
    *code = customs_error_set(err, CUSTOMS_EIO, "%s %s: HTTP %ld%s%s", method, x->url, status,
                              sep, summary);
    return OUT_FAIL;
}

/* ---- authentication ---- */

/* The credentials for the repository that `scope` ("repository:NAME:ACTIONS") names: asked for
 * once per repository in a row (an auth file may name a repository's own). The lock is held. */
static int creds_get(struct customs_registry *reg, const char *scope, struct customs_error *err)
{
    char repo[sizeof(reg->creds_repo)] = "";
    if (customs_str_has_prefix(scope, "repository:")) {
        const char *name = scope + strlen("repository:");
        const char *end = strrchr(name, ':');
        size_t n = end != NULL ? (size_t)(end - name) : strlen(name);
        if (n < sizeof(repo)) {
            memcpy(repo, name, n);
            repo[n] = '\0';
        }
    }
    if (reg->creds_asked && strcmp(reg->creds_repo, repo) == 0) {
        return 0;
    }
    reg->creds_asked = true;
    memcpy(reg->creds_repo, repo, sizeof(repo));
    explicit_bzero(reg->user, sizeof(reg->user));
    explicit_bzero(reg->secret, sizeof(reg->secret));
    reg->has_creds = false;
    if (reg->opts.credentials == NULL) {
        return 0;
    }
    int r = reg->opts.credentials(reg->user, reg->secret, reg->auth_host,
                                  repo[0] != '\0' ? repo : NULL, reg->opts.credentials_payload,
                                  err);
    if (r < 0) {
        return r;
    }
    reg->user[CUSTOMS_REGISTRY_USER_MAX - 1] = '\0';
    reg->secret[CUSTOMS_REGISTRY_SECRET_MAX - 1] = '\0';
    reg->has_creds = r > 0;
    return 0;
}

static struct token *token_find(struct customs_registry *reg, const char *scope)
{
    uint64_t now = now_ms();
    for (size_t i = 0; i < NTOKENS; i++) {
        struct token *t = &reg->tokens[i];
        if (t->value != NULL && strcmp(t->scope, scope) == 0 && t->expires_ms > now) {
            return t;
        }
    }
    return NULL;
}

static bool token_is_clean(const char *t)
{
    for (; *t != '\0'; t++) {
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* The header that sends the bearer token `tok` into *header (the caller frees it), and `tok`
 * kept for `scope` for `expires_in` seconds (at most a day) less the margin: a token that
 * expires within the margin serves this request only. The lock is held. */
static int token_keep(struct customs_registry *reg, const char *scope, const char *tok,
                      uint64_t expires_in, char **header, struct customs_error *err)
{
    if (expires_in > 86400) {
        expires_in = 86400;
    }
    size_t hn = strlen(tok) + 32;
    *header = customs_malloc(hn);
    if (*header == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    snprintf(*header, hn, "Authorization: Bearer %s", tok);
    if (expires_in <= TOKEN_MARGIN_S) {
        return 0; /* it may expire in flight: this request only, not cached */
    }
    struct token *t = &reg->tokens[reg->next_token++ % NTOKENS];
    if (t->value != NULL) {
        explicit_bzero(t->value, strlen(t->value));
        customs_free(t->value);
    }
    t->value = customs_strdup(tok);
    if (t->value == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    snprintf(t->scope, sizeof(t->scope), "%s", scope);
    t->expires_ms = now_ms() + (expires_in - TOKEN_MARGIN_S) * 1000u;
    return 0;
}

/* Fetch a token for `scope` from the challenge's realm (the lock is held). */
static int token_fetch(struct customs_registry *reg, const struct customs_registry_challenge *ch,
                       const char *scope, char **header, struct customs_error *err)
{
    struct xfer x = {.reg = reg, .body_max = TOKEN_DOC_MAX};
    char *service = NULL;
    char *sc = NULL;
    char *refresh = NULL;
    struct customs_buf form;
    json_t *doc = NULL;
    int code = 0;
    int r = 0;
    /* an identity token is a refresh token: POSTed (OAuth2), never sent as a password */
    bool identity = reg->has_creds && strcmp(reg->user, CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER) == 0;
    customs_buf_init(&form, TOKEN_MAX * 4);
    if (!customs_str_has_prefix(ch->realm, "https://") &&
        !(reg->opts.insecure && customs_str_has_prefix(ch->realm, "http://"))) {
        return customs_error_set(err, CUSTOMS_EIO,
                                 "%s: the token realm '%.200s' is not an https URL%s", reg->base,
                                 ch->realm, reg->opts.insecure ? "" : " (http only with --insecure)");
    }
    CURL *esc = curl_easy_init();
    if (esc == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    service = curl_easy_escape(esc, ch->service, 0);
    sc = curl_easy_escape(esc, scope, 0);
    refresh = identity ? curl_easy_escape(esc, reg->secret, 0) : NULL;
    curl_easy_cleanup(esc);
    if (service == NULL || sc == NULL || (identity && refresh == NULL)) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    int n;
    if (identity) {
        n = snprintf(x.url, sizeof(x.url), "%s", ch->realm);
        r = customs_buf_printf(&form,
                               "grant_type=refresh_token&client_id=customs&service=%s&scope=%s&"
                               "refresh_token=%s",
                               service, sc, refresh);
        if (r < 0) {
            r = customs_error_set(err, r, "%s: the token request is too large", reg->base);
            goto out;
        }
    } else {
        n = snprintf(x.url, sizeof(x.url), "%s%sservice=%s&scope=%s", ch->realm,
                     strchr(ch->realm, '?') != NULL ? "&" : "?", service, sc);
    }
    if (n < 0 || (size_t)n >= sizeof(x.url)) {
        r = customs_error_set(err, CUSTOMS_ELIMIT, "%s: the token URL is too long", reg->base);
        goto out;
    }
    for (uint32_t attempt = 0;; attempt++) {
        bool basic = reg->has_creds && !identity;
        r = xfer_init(&x, "Accept: application/json", NULL, basic ? reg->user : NULL,
                      basic ? reg->secret : NULL, false, identity ? form.ptr : NULL);
        if (r < 0) {
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            goto out;
        }
        xfer_pump(&x);
        while (!x.done) {
            customs_buf_reset(&x.body); /* not a stream: never reached */
            xfer_pump(&x);
        }
        enum outcome oc = xfer_judge(&x, identity ? "POST" : "GET", err, &code);
        if (oc == OUT_OK) {
            break;
        }
        if (oc == OUT_AUTH) {
            customs_error_set(err, CUSTOMS_EIO, "%s %s: the token server refused %s",
                              identity ? "POST" : "GET", x.url,
                              identity  ? "the identity token"
                              : reg->has_creds ? "the credentials"
                                               : "anonymous access");
            r = CUSTOMS_EIO;
            goto out;
        }
        if (oc != OUT_RETRY || attempt >= reg->opts.max_retries ||
            now_ms() + 500 >= reg->deadline_ms) {
            r = code;
            goto out;
        }
        xfer_release(&x);
        sleep_ms(250u << (attempt < 4 ? attempt : 4));
    }
    r = customs_json_parse(&doc, x.url, x.body.ptr, x.body.len, TOKEN_DOC_MAX, err);
    if (r < 0) {
        goto out;
    }
    const char *tok = customs_json_str(doc, "token");
    if (tok == NULL || tok[0] == '\0') {
        tok = customs_json_str(doc, "access_token");
    }
    if (tok == NULL || tok[0] == '\0' || strlen(tok) >= TOKEN_MAX || !token_is_clean(tok)) {
        r = customs_error_set(err, CUSTOMS_EMALFORMED,
                              "GET %s: the answer has no usable \"token\" (a printable string "
                              "under 16 KiB)",
                              x.url);
        goto out;
    }
    uint64_t expires_in = 60;
    (void)customs_json_u64(doc, "expires_in", &expires_in);
    r = token_keep(reg, scope, tok, expires_in, header, err);
out:
    json_decref(doc);
    curl_free(service);
    curl_free(sc);
    if (refresh != NULL) {
        explicit_bzero(refresh, strlen(refresh));
        curl_free(refresh);
    }
    if (form.ptr != NULL) {
        explicit_bzero(form.ptr, form.len);
    }
    customs_buf_release(&form);
    xfer_release(&x);
    return r;
}

/* After a 401: read the challenge and get what it asks for. */
static int authenticate(struct customs_registry *reg, const struct xfer *x, const char *scope,
                        char **header, struct customs_error *err)
{
    struct customs_registry_challenge ch;
    int r;
    if (x->resp.www_auth[0] == '\0') {
        return customs_error_set(err, CUSTOMS_EIO,
                                 "%s: 401 unauthorized without a WWW-Authenticate challenge",
                                 x->url);
    }
    r = customs_registry_challenge_parse(&ch, x->resp.www_auth, strlen(x->resp.www_auth), x->url,
                                         err);
    if (r < 0) {
        return r;
    }
    pthread_mutex_lock(&reg->lock);
    r = creds_get(reg, scope, err);
    bool bearer_token =
        reg->has_creds && strcmp(reg->user, CUSTOMS_REGISTRY_BEARER_TOKEN_USER) == 0;
    if (r == 0 && strcmp(ch.scheme, "basic") == 0) {
        if (reg->has_creds && (bearer_token ||
                               strcmp(reg->user, CUSTOMS_REGISTRY_IDENTITY_TOKEN_USER) == 0)) {
            r = customs_error_set(err, CUSTOMS_EIO,
                                  "%s: 401 unauthorized: the registry wants a user name and "
                                  "password and the credentials for %s are %s",
                                  x->url, reg->auth_host,
                                  bearer_token ? "a registry token" : "an identity token");
        } else if (!reg->has_creds) {
            r = customs_error_set(err, CUSTOMS_EIO,
                                  "%s: 401 unauthorized: the registry wants a user name and "
                                  "password and there are none for %s (see the auth files in "
                                  "README)",
                                  x->url, reg->auth_host);
        }
        memcpy(reg->scheme, "basic", 6);
    } else if (r == 0 && bearer_token) {
        /* a registry token is the bearer token itself: sent as is, for as long as it is
         * accepted (a 401 with it ends the request, as for a fetched token) */
        memcpy(reg->scheme, "bearer", 7);
        r = token_is_clean(reg->secret)
                ? token_keep(reg, scope, reg->secret, 86400, header, err)
                : customs_error_set(err, CUSTOMS_EMALFORMED,
                                    "the registry token for %s is not a printable string",
                                    reg->auth_host);
    } else if (r == 0) {
        memcpy(reg->scheme, "bearer", 7);
        r = token_fetch(reg, &ch, ch.scope[0] != '\0' ? ch.scope : scope, header, err);
        if (r == 0 && ch.scope[0] != '\0' && strcmp(ch.scope, scope) != 0) {
            /* the registry named its own scope: remember the token for ours too */
            struct token *t = token_find(reg, ch.scope);
            struct token *u = &reg->tokens[reg->next_token++ % NTOKENS];
            if (t != NULL && u != t) {
                char *copy = customs_strdup(t->value);
                if (copy == NULL) {
                    r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
                } else {
                    customs_free(u->value);
                    u->value = copy;
                    snprintf(u->scope, sizeof(u->scope), "%s", scope);
                    u->expires_ms = t->expires_ms;
                }
            }
        }
    }
    pthread_mutex_unlock(&reg->lock);
    return r;
}

/* The Authorization to send for `scope`: a header (caller frees), or Basic credentials. */
static int auth_for(struct customs_registry *reg, const char *scope, char **header, bool *basic)
{
    *header = NULL;
    *basic = false;
    pthread_mutex_lock(&reg->lock);
    if (strcmp(reg->scheme, "basic") == 0 && reg->has_creds) {
        *basic = true;
    } else if (strcmp(reg->scheme, "bearer") == 0) {
        const struct token *t = token_find(reg, scope);
        if (t != NULL) {
            size_t n = strlen(t->value) + 32;
            *header = customs_malloc(n);
            if (*header == NULL) {
                pthread_mutex_unlock(&reg->lock);
                return CUSTOMS_ENOMEM;
            }
            snprintf(*header, n, "Authorization: Bearer %s", t->value);
        }
    }
    pthread_mutex_unlock(&reg->lock);
    return 0;
}

/* ---- requests with retries ---- */

/* request() with the token fetched after a 401 kept in *own (the caller frees it). */
/* "https://rest" becomes "http://rest" in place (shorter, so nothing is clipped). */
static void url_drop_tls(char *url)
{
    memmove(url + 4, url + 5, strlen(url + 5) + 1);
}

static int request_loop(struct xfer *x, const char *method, const char *accept,
                        const char *scope, char **own, struct customs_error *err)
{
    struct customs_registry *reg = x->reg;
    bool authed = false;
    int code = 0;
    for (uint32_t attempt = 0;;) {
        char *header = NULL;
        bool basic = false;
        int r = *own != NULL ? 0 : auth_for(reg, scope, &header, &basic);
        if (r == 0) {
            r = xfer_init(x, accept, *own != NULL ? *own : header, basic ? reg->user : NULL,
                          basic ? reg->secret : NULL, strcmp(method, "HEAD") == 0, NULL);
        }
        if (header != NULL) {
            explicit_bzero(header, strlen(header));
            customs_free(header);
        }
        if (r < 0) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
        xfer_pump(x);
        enum outcome oc = xfer_judge(x, method, err, &code);
        if (oc == OUT_OK) {
            return 0;
        }
        /* a failed answer: let it finish (its error body) before judging again */
        while (!x->done && oc != OUT_FAIL) {
            customs_buf_reset(&x->body);
            xfer_pump(x);
        }
        if (oc == OUT_AUTH && !authed) {
            authed = true;
            r = authenticate(reg, x, scope, own, err);
            xfer_release(x);
            if (r < 0) {
                return r;
            }
            continue;
        }
        if (oc == OUT_TLS && reg->opts.insecure && !reg->scheme_fixed &&
            customs_str_has_prefix(x->url, "https://")) {
            /* --insecure: a registry that does not speak TLS is tried over plain http */
            pthread_mutex_lock(&reg->lock);
            if (customs_str_has_prefix(reg->base, "https://")) {
                url_drop_tls(reg->base);
            }
            pthread_mutex_unlock(&reg->lock);
            url_drop_tls(x->url);
            xfer_release(x);
            continue;
        }
        if (oc != OUT_RETRY || attempt >= reg->opts.max_retries) {
            if (oc == OUT_RETRY) {
                customs_error_prefix(err, "gave up after %u attempts", attempt + 1);
            }
            xfer_release(x);
            return code;
        }
        uint64_t wait = 250u << (attempt < 4 ? attempt : 4);
        if (x->resp.retry_after > 0) {
            uint64_t ra = (uint64_t)(x->resp.retry_after < reg->opts.max_retry_after
                                         ? x->resp.retry_after
                                         : reg->opts.max_retry_after) * 1000u;
            wait = ra > wait ? ra : wait;
        }
        xfer_release(x);
        if (now_ms() + wait >= reg->deadline_ms) {
            customs_error_prefix(err, "gave up after %u attempts (--timeout %u s)", attempt + 1,
                                 reg->opts.timeout_seconds);
            return CUSTOMS_ETIMEOUT;
        }
        sleep_ms(wait);
        attempt++;
    }
}

/*
 * Start `x` (url set) and run it until it has its first body bytes or has ended, retrying and
 * authenticating as needed. On success the transfer is left running (streams) or done. A
 * token fetched after a 401 serves this request's retries even when it is too short-lived to
 * be cached.
 */
static int request(struct xfer *x, const char *method, const char *accept, const char *scope,
                   struct customs_error *err)
{
    char *own = NULL;
    int r = request_loop(x, method, accept, scope, &own, err);
    if (own != NULL) {
        explicit_bzero(own, strlen(own));
        customs_free(own);
    }
    return r;
}

static int url_for(char *out, struct customs_registry *reg, const char *repo,
                   const char *kind, const char *reference, struct customs_error *err)
{
    char base[URL_MAX];
    pthread_mutex_lock(&reg->lock);
    memcpy(base, reg->base, sizeof(base));
    pthread_mutex_unlock(&reg->lock);
    int n = snprintf(out, URL_MAX, "%s/v2/%s/%s/%s", base, repo, kind, reference);
    if (n < 0 || n >= URL_MAX) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: the URL for %.100s is too long", base,
                                 repo);
    }
    return 0;
}

static bool reference_is_clean(const char *s)
{
    if (s[0] == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':' || c == '/')) {
            return false;
        }
    }
    return true;
}

/* ---- manifests ---- */

static bool media_known(const char *mt)
{
    return strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
           strcmp(mt, "application/vnd.oci.image.manifest.v1+json") == 0 ||
           strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0 ||
           strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json") == 0;
}

static int schema1_refused(struct customs_error *err, const char *url)
{
    return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                             "%s: a Docker schema 1 manifest (deprecated, not content-addressed); "
                             "re-push the image with a current client",
                             url);
}

/* Check the fetched document and settle its media type. */
static int manifest_settle(struct customs_registry_manifest *out, const struct xfer *x,
                           const char *reference, struct customs_error *err)
{
    const char *ct = x->resp.content_type;
    json_t *doc = NULL;
    uint64_t sv = 0;
    if (customs_str_has_prefix(ct, "application/vnd.docker.distribution.manifest.v1")) {
        return schema1_refused(err, x->url);
    }
    if (out->data != NULL) {
        struct customs_sha256 sha;
        if (customs_sha256_init(&sha) < 0) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
        customs_sha256_update(&sha, out->data, out->len);
        customs_sha256_final(&sha, out->digest);
        customs_sha256_release(&sha);
        if (customs_str_has_prefix(reference, "sha256:") && strcmp(reference, out->digest) != 0) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: digest mismatch: the manifest's content hashes to %s",
                                     x->url, out->digest);
        }
        if (customs_str_has_prefix(x->resp.dcd, "sha256:") &&
            strcmp(x->resp.dcd, out->digest) != 0) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: digest mismatch: Docker-Content-Digest says %.80s, the "
                                     "content hashes to %s",
                                     x->url, x->resp.dcd, out->digest);
        }
        int r = customs_json_parse(&doc, x->url, out->data, out->len,
                                   x->reg->limits->max_json_bytes, err);
        if (r < 0) {
            return r;
        }
        if (!customs_json_u64(doc, "schemaVersion", &sv) || sv != 2) {
            json_decref(doc);
            if (sv == 1) {
                return schema1_refused(err, x->url);
            }
            return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                     "%s: not a schemaVersion 2 manifest or index", x->url);
        }
        const char *mt = customs_json_str(doc, "mediaType");
        if (!media_known(ct)) {
            if (mt != NULL) {
                ct = mt;
            } else if (json_object_get(doc, "manifests") != NULL) {
                ct = "application/vnd.oci.image.index.v1+json";
            } else {
                ct = "application/vnd.oci.image.manifest.v1+json";
            }
        }
    } else {
        if (!customs_str_has_prefix(x->resp.dcd, "sha256:") ||
            !customs_digest_is_valid(x->resp.dcd)) {
            return CUSTOMS_EAGAIN; /* no digest with the HEAD: GET it */
        }
        if (customs_str_has_prefix(reference, "sha256:") && strcmp(reference, x->resp.dcd) != 0) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: digest mismatch: Docker-Content-Digest says %.80s",
                                     x->url, x->resp.dcd);
        }
        memcpy(out->digest, x->resp.dcd, strlen(x->resp.dcd) + 1);
    }
    if (!media_known(ct)) {
        json_decref(doc);
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: media type '%.100s' is not an image manifest or index",
                                 x->url, ct);
    }
    snprintf(out->media_type, sizeof(out->media_type), "%s", ct);
    json_decref(doc);
    return 0;
}

int customs_registry_manifest_get(struct customs_registry_manifest *out,
                                  struct customs_registry *reg, const char *repo,
                                  const char *reference, uint32_t flags,
                                  struct customs_error *err)
{
    struct xfer x = {.reg = reg, .body_max = reg->limits->max_json_bytes};
    char scope[CUSTOMS_CHALLENGE_VALUE_MAX];
    bool head = (flags & CUSTOMS_REGISTRY_HEAD) != 0;
    int r;
    memset(out, 0, sizeof(*out));
    if (!reference_is_clean(reference) || !reference_is_clean(repo)) {
        return customs_error_set(err, CUSTOMS_EINVAL, "'%.100s:%.100s' is not a valid reference",
                                 repo, reference);
    }
    snprintf(scope, sizeof(scope), "repository:%s:pull", repo);
again:
    r = url_for(x.url, reg, repo, "manifests", reference, err);
    if (r < 0) {
        return r;
    }
    r = request(&x, head ? "HEAD" : "GET", manifest_accept, scope, err);
    if (r < 0) {
        return r;
    }
    while (!x.done) {
        xfer_pump(&x); /* not a stream: the whole document accumulates */
    }
    int code = 0;
    if (xfer_judge(&x, head ? "HEAD" : "GET", err, &code) != OUT_OK) {
        xfer_release(&x);
        return code;
    }
    if (!head) {
        out->len = x.body.len;
        out->data = (uint8_t *)customs_buf_detach(&x.body);
        if (out->data == NULL) {
            out->data = customs_calloc(1, 1); /* an empty answer: fails as JSON below */
            if (out->data == NULL) {
                xfer_release(&x);
                return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            }
        }
    }
    r = manifest_settle(out, &x, reference, err);
    xfer_release(&x);
    if (r == CUSTOMS_EAGAIN && head) {
        head = false;
        memset(&x, 0, sizeof(x));
        x.reg = reg;
        x.body_max = reg->limits->max_json_bytes;
        goto again;
    }
    if (r < 0) {
        customs_registry_manifest_release(out);
    }
    return r;
}

void customs_registry_manifest_release(struct customs_registry_manifest *m)
{
    customs_free(m->data);
    memset(m, 0, sizeof(*m));
}

/* ---- blobs ---- */

struct blob {
    struct xfer x;
    struct customs_sha256 sha;
    char digest[CUSTOMS_DIGEST_MAX];
    uint64_t size;
    uint64_t seen;     /* bytes handed out */
    bool exact;        /* `size` is the exact size (else only a cap) */
    bool handed;       /* x.body was handed out by the last read */
    int failed;        /* a sticky error */
};

static void blob_close(void *ctx)
{
    struct blob *b = ctx;
    if (b == NULL) {
        return;
    }
    xfer_release(&b->x);
    customs_sha256_release(&b->sha);
    customs_free(b);
}

static int blob_read(void *ctx, const void **buf, size_t *len, struct customs_error *err)
{
    struct blob *b = ctx;
    int code = 0;
    *buf = NULL;
    *len = 0;
    if (b->failed < 0) {
        return customs_error_set(err, b->failed, "%s: the transfer failed before", b->x.url);
    }
    if (b->handed) {
        customs_buf_reset(&b->x.body);
        b->handed = false;
    }
    xfer_pump(&b->x);
    if (b->x.body.len > 0) {
        customs_sha256_update(&b->sha, b->x.body.ptr, b->x.body.len);
        b->seen += b->x.body.len;
        *buf = b->x.body.ptr;
        *len = b->x.body.len;
        b->handed = true;
        return 0;
    }
    if (xfer_judge(&b->x, "GET", err, &code) != OUT_OK) {
        b->failed = code;
        return code;
    }
    if (b->exact && b->seen != b->size) {
        b->failed = CUSTOMS_EMALFORMED;
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: truncated: %llu bytes of %llu", b->x.url,
                                 (unsigned long long)b->seen, (unsigned long long)b->size);
    }
    char got[CUSTOMS_DIGEST_MAX];
    customs_sha256_final(&b->sha, got);
    if (strcmp(got, b->digest) != 0) {
        b->failed = CUSTOMS_EMALFORMED;
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: digest mismatch: the blob's content hashes to %s", b->x.url,
                                 got);
    }
    return 0;
}

static int blob_open(struct customs_blob_stream *out, struct customs_registry *reg,
                     const char *repo, const char *digest, uint64_t size, bool exact,
                     struct customs_error *err)
{
    struct blob *b = NULL;
    char scope[CUSTOMS_CHALLENGE_VALUE_MAX];
    int r;
    memset(out, 0, sizeof(*out));
    if (!customs_digest_is_valid(digest) || !reference_is_clean(repo)) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "blob '%.100s' of %.100s: not a sha256 digest customs can read",
                                 digest, repo);
    }
    b = customs_calloc(1, sizeof(*b));
    if (b == NULL || customs_sha256_init(&b->sha) < 0) {
        customs_free(b);
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    b->x.reg = reg;
    b->x.stream = true;
    b->x.body_max = size;
    b->size = size;
    b->exact = exact;
    memcpy(b->digest, digest, strlen(digest) + 1);
    snprintf(scope, sizeof(scope), "repository:%s:pull", repo);
    r = url_for(b->x.url, reg, repo, "blobs", digest, err);
    if (r == 0) {
        r = request(&b->x, "GET", NULL, scope, err);
    }
    if (r < 0) {
        blob_close(b);
        return r;
    }
    out->read = blob_read;
    out->close = blob_close;
    out->ctx = b;
    out->verified = true; /* blob_read hashes and judges the digest at the end */
    return 0;
}

int customs_registry_blob_open(struct customs_blob_stream *out, struct customs_registry *reg,
                               const char *repo, const char *digest, uint64_t size,
                               struct customs_error *err)
{
    return blob_open(out, reg, repo, digest, size, true, err);
}

int customs_registry_blob_get(uint8_t **data, size_t *len, struct customs_registry *reg,
                              const char *repo, const char *digest, uint64_t max,
                              struct customs_error *err)
{
    struct customs_blob_stream s;
    struct customs_buf all;
    int r;
    *data = NULL;
    *len = 0;
    r = blob_open(&s, reg, repo, digest, max, false, err);
    if (r < 0) {
        return r;
    }
    customs_buf_init(&all, max > SIZE_MAX ? SIZE_MAX : (size_t)max);
    for (;;) {
        const void *buf;
        size_t n;
        r = s.read(s.ctx, &buf, &n, err);
        if (r < 0 || n == 0) {
            break;
        }
        r = customs_buf_append(&all, buf, n);
        if (r < 0) {
            customs_error_set(err, r, "blob %s: larger than %llu bytes", digest,
                              (unsigned long long)max);
            break;
        }
    }
    s.close(s.ctx);
    if (r < 0) {
        customs_buf_release(&all);
        return r;
    }
    *len = all.len;
    *data = (uint8_t *)customs_buf_detach(&all);
    if (*data == NULL) {
        *data = customs_calloc(1, 1);
        if (*data == NULL) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}
