/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `db update`'s NVD source (docs/db.md, "The NVD API"): the NVD CVE API 2.0 paged by
 * lastModStartDate/lastModEndDate windows of at most 120 days (the whole listing, undated, when
 * nothing is recorded yet), resultsPerPage/startIndex within a window, at most 5 requests per
 * rolling 30 s without an API key and 50 with one, Retry-After honoured on 403/429/503, a
 * truncated or inconsistent page retried. Each page is checked (customs_nvd_page_check) and
 * written to DIR/WINDOW-STARTINDEX.json; a window's pages are renamed into place only when the
 * window is complete. Page files of windows not recorded in the database are removed first, so
 * the directory holds exactly the windows the database says it has.
 */
#include "vulndb/update.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/banned.h"

#define NVD_PAGE_SIZE 2000        /* the API's largest resultsPerPage */
#define NVD_MAX_ATTEMPTS 5        /* per page request */
#define NVD_MAX_RETRY_AFTER 600.0 /* seconds; a server asking for longer fails the update */
#define NVD_BACKOFF 6.0           /* seconds, doubled per attempt (NVD suggests 6 s) */
#define NVD_MAX_PAGES_PER_WINDOW 100000
#define NVD_URL_MAX 4096
#define NVD_FULL_TAG "00000000T000000"

bool customs_nvd_is_api_url(const char *url)
{
    size_t n = strcspn(url, "?#");
    static const char tail[] = "/cves/2.0";
    return n >= sizeof(tail) - 1 && strncmp(url + n - (sizeof(tail) - 1), tail,
                                            sizeof(tail) - 1) == 0;
}

int customs_nvd_meta_key(char *out, size_t outsz, const char *name)
{
    return customs_fmt(out, outsz, "nvd-sync:%s", name);
}

int customs_nvd_meta_value(char *out, size_t outsz, int64_t until, const char *url)
{
    char t[CUSTOMS_NVD_TIME_MAX];
    customs_nvd_time_format(t, until);
    return customs_fmt(out, outsz, "%s %s", t, url);
}

bool customs_nvd_meta_parse(const char *value, const char *url, int64_t *until)
{
    const char *sp = strchr(value, ' ');
    char t[CUSTOMS_NVD_TIME_MAX];
    if (sp == NULL || (size_t)(sp - value) >= sizeof(t) || strcmp(sp + 1, url) != 0) {
        return false;
    }
    memcpy(t, value, (size_t)(sp - value));
    t[sp - value] = '\0';
    return customs_nvd_time_parse(until, t) == 0;
}

/* "20261008T011631" of a window start: page files sort by window. */
static void window_tag(char out[24], bool full, int64_t start)
{
    char t[CUSTOMS_NVD_TIME_MAX];
    if (full) {
        snprintf(out, 24, "%s", NVD_FULL_TAG);
        return;
    }
    customs_nvd_time_format(t, start);
    snprintf(out, 24, "%.4s%.2s%.2sT%.2s%.2s%.2s", t, t + 5, t + 8, t + 11, t + 14, t + 17);
}

/* A page file's window tag, if `name` is one ("TAG-NNNNNNNN.json"). */
static bool page_file_tag(const char *name, char tag[24])
{
    size_t n = strlen(name);
    if (n != 15 + 1 + 8 + 5 || name[8] != 'T' || name[15] != '-' ||
        strcmp(name + 24, ".json") != 0) {
        return false;
    }
    for (size_t i = 0; i < 24; i++) {
        if (i != 8 && i != 15 && (name[i] < '0' || name[i] > '9')) {
            return false;
        }
    }
    memcpy(tag, name, 15);
    tag[15] = '\0';
    return true;
}

/* Remove what the database does not account for: every page file when no sync is recorded,
 * else those of windows starting at or after the recorded end; and stray parts. */
static int pages_prune(const struct customs_nvd_sync *s, uint64_t *kept)
{
    char until_tag[24];
    DIR *d = opendir(s->dir);
    struct dirent *e;
    *kept = 0;
    if (d == NULL) {
        customs_vulndb_say(s->say, CUSTOMS_DB_ERROR, "source %s: %s: %s", s->name, s->dir,
                           strerror(errno));
        return -1;
    }
    window_tag(until_tag, false, s->until);
    while ((e = readdir(d)) != NULL) {
        char tag[24];
        bool page = page_file_tag(e->d_name, tag);
        bool part = strncmp(e->d_name, ".part-", 6) == 0;
        if (!page && !part) {
            continue;
        }
        if (page && s->have_until && strcmp(tag, until_tag) < 0) {
            (*kept)++;
            continue;
        }
        char path[NVD_URL_MAX];
        snprintf(path, sizeof(path), "%s/%s", s->dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    return 0;
}

/* ---- the clock: seconds; scaled, or simulated, for tests ---- */

static double clock_now(const struct customs_nvd_sync *s)
{
    struct timespec ts;
    if (s->time_scale == 0) {
        return s->sim_time;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9) / s->time_scale;
}

/* Sleep `seconds` (scaled; simulated: the clock moves on at once); false if interrupted. */
static bool clock_sleep(struct customs_nvd_sync *s, double seconds)
{
    if (s->time_scale == 0) {
        s->sim_time += seconds;
        s->waited += seconds;
        return *s->stop == 0;
    }
    double until = clock_now(s) + seconds;
    s->waited += seconds;
    for (;;) {
        if (*s->stop != 0) {
            return false;
        }
        double left = (until - clock_now(s)) * s->time_scale;
        if (left <= 0) {
            return true;
        }
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        nanosleep(&ts, NULL); /* EINTR: the loop checks the stop flag */
    }
}

/* ---- one request ---- */

struct response {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    bool too_big;
    char retry_after[64];
};

static size_t response_write(char *data, size_t size, size_t nmemb, void *payload)
{
    struct response *r = payload;
    size_t n = size * nmemb;
    if (n > r->max - r->len) {
        r->too_big = true;
        return 0;
    }
    if (r->len + n > r->cap) {
        size_t cap = r->cap != 0 ? r->cap : 1 << 16;
        while (cap < r->len + n) {
            cap *= 2;
        }
        char *p = customs_realloc(r->data, cap);
        if (p == NULL) {
            return 0;
        }
        r->data = p;
        r->cap = cap;
    }
    memcpy(r->data + r->len, data, n);
    r->len += n;
    return n;
}

static size_t response_header(char *data, size_t size, size_t nmemb, void *payload)
{
    struct response *r = payload;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        r->retry_after[0] = '\0';
    } else if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
        size_t a = sizeof(name) - 1, b = n;
        while (a < b && (data[a] == ' ' || data[a] == '\t')) {
            a++;
        }
        while (b > a && (data[b - 1] == '\r' || data[b - 1] == '\n' || data[b - 1] == ' ')) {
            b--;
        }
        if (b - a < sizeof(r->retry_after)) {
            memcpy(r->retry_after, data + a, b - a);
            r->retry_after[b - a] = '\0';
        }
    }
    return n;
}

static int response_progress(void *payload, curl_off_t dltotal, curl_off_t dlnow,
                             curl_off_t ultotal, curl_off_t ulnow)
{
    const struct customs_nvd_sync *s = payload;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return *s->stop != 0;
}

/* GET `url` into r; the HTTP status into *status. @return the curl code */
static CURLcode nvd_get(const struct customs_nvd_sync *s, CURL *h, const char *url,
                        struct response *r, long *status, char errbuf[CURL_ERROR_SIZE])
{
    struct curl_slist *headers = NULL;
    char ua[64];
    snprintf(ua, sizeof(ua), "customs/%s", customs_version());
    if (s->api_key != NULL) {
        char hdr[256];
        snprintf(hdr, sizeof(hdr), "apiKey: %s", s->api_key);
        headers = curl_slist_append(headers, hdr);
        memset(hdr, 0, sizeof(hdr));
        if (headers == NULL) {
            return CURLE_OUT_OF_MEMORY;
        }
    }
    curl_easy_reset(h);
    errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    /* no redirects: the apiKey header would follow them to any host */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, response_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, response_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, response_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)(uintptr_t)s);
    CURLcode cc = curl_easy_perform(h);
    *status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers); /* the key's copy in the list: libcurl frees it */
    return cc;
}

struct page_request {
    bool full;
    int64_t start;
    int64_t end;
    uint64_t index;
    char url[NVD_URL_MAX];
};

static void page_url(struct page_request *p, const char *base)
{
    char a[CUSTOMS_NVD_TIME_MAX], b[CUSTOMS_NVD_TIME_MAX];
    char sep = strchr(base, '?') != NULL ? '&' : '?';
    if (p->full) {
        snprintf(p->url, sizeof(p->url), "%s%cresultsPerPage=%d&startIndex=%" PRIu64, base, sep,
                 NVD_PAGE_SIZE, p->index);
        return;
    }
    customs_nvd_time_format(a, p->start);
    customs_nvd_time_format(b, p->end);
    snprintf(p->url, sizeof(p->url),
             "%s%clastModStartDate=%s%%2B00:00&lastModEndDate=%s%%2B00:00"
             "&resultsPerPage=%d&startIndex=%" PRIu64,
             base, sep, a, b, NVD_PAGE_SIZE, p->index);
}

/*
 * Fetch and check one page, with the rate limit, Retry-After and retries. On success r holds
 * the page and *page its paging fields. @return 0 or -1 (message printed)
 */
static int page_fetch(struct customs_nvd_sync *s, struct customs_nvd_rate *rate, CURL *h,
                      const struct page_request *p, struct response *r,
                      struct customs_nvd_page *page)
{
    char last[1024] = "";
    for (unsigned attempt = 1;; attempt++) {
        double wait = customs_nvd_rate_delay(rate, clock_now(s));
        if (wait > 0) {
            s->rate_waits++;
            if (!clock_sleep(s, wait)) {
                break;
            }
        }
        if (*s->stop != 0) {
            break;
        }
        customs_nvd_rate_note(rate, clock_now(s));
        s->requests++;
        r->len = 0;
        r->too_big = false;
        r->retry_after[0] = '\0';
        long status = 0;
        char errbuf[CURL_ERROR_SIZE];
        CURLcode cc = nvd_get(s, h, p->url, r, &status, errbuf);
        double delay = NVD_BACKOFF * (double)(1u << (attempt < 5 ? attempt - 1 : 4));
        bool retry = true;
        if (*s->stop != 0) {
            break;
        }
        if (r->too_big) {
            snprintf(last, sizeof(last), "a page larger than %" PRIu64 " bytes (--max-bytes)",
                     (uint64_t)r->max);
            retry = false;
        } else if (cc != CURLE_OK) {
            snprintf(last, sizeof(last), "%s", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
        } else if (status == 403 || status == 429 || status == 503) {
            double after = 0;
            if (r->retry_after[0] != '\0' &&
                customs_nvd_retry_after(&after, r->retry_after, (int64_t)time(NULL)) == 0) {
                s->retry_afters++;
                if (after > NVD_MAX_RETRY_AFTER) {
                    snprintf(last, sizeof(last),
                             "HTTP status %ld asking to wait %.0f s (Retry-After), more than %.0f",
                             status, after, NVD_MAX_RETRY_AFTER);
                    retry = false;
                } else {
                    delay = after;
                    snprintf(last, sizeof(last), "HTTP status %ld (Retry-After %.0f s)", status,
                             after);
                }
            } else {
                delay = CUSTOMS_NVD_RATE_PERIOD; /* rate-limited with no hint: a whole window */
                snprintf(last, sizeof(last), "HTTP status %ld", status);
            }
        } else if (status >= 500) {
            snprintf(last, sizeof(last), "HTTP status %ld", status);
        } else if (status != 200) {
            snprintf(last, sizeof(last), "HTTP status %ld", status);
            retry = false;
        } else {
            struct customs_error err = {0};
            if (customs_nvd_page_check(page, "response", (const uint8_t *)r->data, r->len,
                                       p->index, &err) == 0) {
                return 0;
            }
            /* a truncated or garbled page: NVD serves these under load; ask again */
            snprintf(last, sizeof(last), "%s", err.message);
        }
        if (!retry || attempt >= NVD_MAX_ATTEMPTS) {
            customs_vulndb_say(s->say, CUSTOMS_DB_ERROR, "source %s (%s): %s%s", s->name, p->url,
                               last, retry ? " (gave up after 5 attempts)" : "");
            return -1;
        }
        s->retries++;
        if (!clock_sleep(s, delay)) {
            break;
        }
    }
    customs_vulndb_say(s->say, CUSTOMS_DB_ERROR, "source %s (%s): %s", s->name, p->url,
                       customs_vulndb_stopped(*s->stop));
    return -1;
}

/* Write one page to a part file in dir; its name appended to parts. @return 0 or -1 */
static int page_save(const struct customs_nvd_sync *s, const struct response *r, char *part,
                     size_t partsz)
{
    snprintf(part, partsz, "%s/.part-XXXXXX", s->dir);
    int fd = customs_tmpfile_open(part, 0, 0);
    if (fd < 0) {
        customs_vulndb_say(s->say, CUSTOMS_DB_ERROR, "source %s: %s: cannot create: %s", s->name,
                           part, strerror(errno));
        return -1;
    }
    size_t done = 0;
    while (done < r->len) {
        ssize_t w = write(fd, r->data + done, r->len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        done += (size_t)w;
    }
    if (close(fd) != 0 || done < r->len) {
        customs_vulndb_say(s->say, CUSTOMS_DB_ERROR, "source %s: %s: cannot write: %s", s->name,
                           part, strerror(errno));
        unlink(part);
        return -1;
    }
    return 0;
}

struct window_parts {
    char (*names)[NVD_URL_MAX];
    size_t len;
};

static void parts_drop(struct window_parts *w)
{
    for (size_t i = 0; i < w->len; i++) {
        unlink(w->names[i]);
    }
    customs_free(w->names);
    w->names = NULL;
    w->len = 0;
}

/* Every page of one window (or of the undated listing) into part files, then renamed into
 * place. @return 0 or -1 (message printed, nothing of this window left) */
static int window_fetch(struct customs_nvd_sync *s, struct customs_nvd_rate *rate, CURL *h,
                        struct page_request *p, char first_timestamp[CUSTOMS_NVD_TIME_MAX])
{
    struct response r = {0};
    struct customs_nvd_page page;
    struct window_parts parts = {0};
    size_t cap = 0;
    uint64_t records = 0;
    int rc = 0;
    r.max = s->max_bytes < CUSTOMS_NVD_MAX_PAGE_BYTES ? (size_t)s->max_bytes
                                                      : (size_t)CUSTOMS_NVD_MAX_PAGE_BYTES;
    p->index = 0;
    for (;;) {
        page_url(p, s->url);
        rc = page_fetch(s, rate, h, p, &r, &page);
        if (rc != 0) {
            break;
        }
        if (p->index == 0 && first_timestamp != NULL) {
            snprintf(first_timestamp, CUSTOMS_NVD_TIME_MAX, "%s", page.timestamp);
        }
        if (page.count == 0) {
            break;
        }
        if (parts.len == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 8;
            void *n = ncap <= NVD_MAX_PAGES_PER_WINDOW
                          ? customs_realloc(parts.names, ncap * NVD_URL_MAX)
                          : NULL;
            if (n == NULL) {
                customs_vulndb_say(s->say, CUSTOMS_DB_ERROR, "source %s (%s): too many pages",
                                   s->name, p->url);
                rc = -1;
                break;
            }
            parts.names = n;
            cap = ncap;
        }
        rc = page_save(s, &r, parts.names[parts.len], NVD_URL_MAX);
        if (rc != 0) {
            break;
        }
        parts.len++;
        records += page.count;
        p->index += page.count;
        if (p->index >= page.total_results) {
            break;
        }
    }
    customs_free(r.data);
    if (rc == 0) {
        char tag[24];
        window_tag(tag, p->full, p->start);
        for (size_t i = 0; rc == 0 && i < parts.len; i++) {
            char final[NVD_URL_MAX + 64];
            snprintf(final, sizeof(final), "%s/%s-%08zu.json", s->dir, tag, i);
            if (rename(parts.names[i], final) != 0) {
                customs_vulndb_say(s->say, CUSTOMS_DB_ERROR,
                                   "source %s: %s: cannot rename into place: %s", s->name, final,
                                   strerror(errno));
                rc = -1;
            }
        }
        if (rc == 0) {
            s->pages += parts.len;
            s->records += records;
            parts.len = 0;
        }
    }
    parts_drop(&parts);
    return rc;
}

int customs_nvd_sync_run(struct customs_nvd_sync *s)
{
    struct customs_nvd_rate rate;
    uint64_t kept = 0;
    s->new_until = s->until;
    s->advanced = false;
    s->partial = false;
    mkdir(s->dir, 0755);
    if (pages_prune(s, &kept) != 0) {
        return CUSTOMS_EIO;
    }
    if (s->have_until && kept == 0) {
        s->have_until = false; /* the recorded pages are gone: start again */
    }
    CURL *h = curl_easy_init();
    if (h == NULL) {
        customs_vulndb_say(s->say, CUSTOMS_DB_ERROR, "source %s: libcurl initialisation failed",
                           s->name);
        return CUSTOMS_EIO;
    }
    customs_nvd_rate_init(&rate, s->api_key != NULL);
    int rc = 0;
    if (!s->have_until) {
        /* nothing recorded: the whole listing, undated, as NVD recommends for a first copy;
         * it reaches the first page's timestamp (or the start, when the page has none) */
        struct page_request p = {.full = true};
        char ts[CUSTOMS_NVD_TIME_MAX] = "";
        rc = window_fetch(s, &rate, h, &p, ts);
        if (rc == 0) {
            int64_t t = 0;
            s->new_until = customs_nvd_time_parse(&t, ts) == 0 && t < s->now ? t : s->now;
            s->advanced = true;
            s->windows++;
        }
    } else {
        while (rc == 0 && s->new_until < s->now) {
            struct page_request p = {.start = s->new_until};
            p.end = customs_nvd_window_end(p.start, s->now);
            rc = window_fetch(s, &rate, h, &p, NULL);
            if (rc == 0) {
                s->new_until = p.end;
                s->advanced = true;
                s->windows++;
            }
        }
    }
    curl_easy_cleanup(h);
    if (rc != 0) {
        s->partial = s->advanced && *s->stop == 0;
        return CUSTOMS_EIO;
    }
    return 0;
}
