/* SPDX-License-Identifier: Apache-2.0 */
/*
 * customs_db_update (include/customs/vulndb.h): download the listed advisory sources with
 * libcurl into the caller's cache directory, conditionally (ETag / Last-Modified from the
 * previous download), verify them, and rebuild the database atomically through
 * customs_db_build. Nothing here touches the old database: it is replaced by rename(2) only
 * after a complete build, so a network error, a bad file or a stop leaves it byte-identical.
 *
 * Cache layout (docs/db.md, "Updating"; the CLI names CACHE FILE.d/sources):
 *   CACHE/NAME.EXT      the last verified download (EXT .json, .jsonl or .zip, from the
 *                       URL, so that detection by name works)
 *   CACHE/NAME.meta     "url", "etag", "last-modified" lines of that download, written
 *                       only after a database was built from it
 *   CACHE/.NAME.part-*  a download in progress (removed on failure)
 *   CACHE/NAME/         an NVD API source's pages (nvd_sync.c)
 */
#include "vulndb/update.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/banned.h"

#define UPDATE_MAX_SOURCES 256
#define UPDATE_NAME_MAX 64
#define UPDATE_URL_MAX 2048
#define UPDATE_CONFIG_MAX (1024 * 1024)
#define UPDATE_HEADER_MAX 512
#define UPDATE_DEFAULT_MAX_BYTES (2ULL << 30)

/* Built-in sources: the real upstreams (docs/db.md lists them). */
static const char default_config[] =
    "# customs built-in advisory sources\n"
    "debian-tracker https://security-tracker.debian.org/tracker/data/json\n"
    "alpine-v3.19 https://secdb.alpinelinux.org/v3.19/main.json\n"
    "alpine-v3.20 https://secdb.alpinelinux.org/v3.20/main.json\n"
    "alpine-v3.21 https://secdb.alpinelinux.org/v3.21/main.json\n"
    "alpine-v3.22 https://secdb.alpinelinux.org/v3.22/main.json\n"
    "osv-npm https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip\n"
    "osv-pypi https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip\n"
    "osv-go https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip\n"
    "osv-maven https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip\n"
    "osv-crates.io https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip\n"
    "osv-rubygems https://osv-vulnerabilities.storage.googleapis.com/RubyGems/all.zip\n"
    "osv-debian https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip\n"
    "osv-alpine https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip\n"
    "osv-ubuntu https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip\n"
    "nvd https://services.nvd.nist.gov/rest/json/cves/2.0\n";

struct update_source {
    char name[UPDATE_NAME_MAX];
    char url[UPDATE_URL_MAX];
    char sha256[CUSTOMS_DIGEST_MAX]; /* "sha256:<hex>" expected, or "" */
    const char *ext;                 /* ".json", ".jsonl", ".zip" */
    char *cache;                     /* DIR/NAME.EXT */
    char *meta;                      /* DIR/NAME.meta */
    char *part;                      /* the download in progress, or NULL */
    bool downloaded;                 /* a new copy (200), not the cached one (304) */
    char etag[UPDATE_HEADER_MAX];    /* of the new copy */
    char last_modified[UPDATE_HEADER_MAX];
    bool nvd;                 /* an NVD CVE API 2.0 endpoint, paged into the directory `cache` */
    struct customs_nvd_sync sync; /* its sync state (nvd only) */
};

struct update_list {
    struct update_source *items;
    size_t len;
    const struct customs_vulndb_say *say;
};

/* ---- the sources list ---- */

static bool name_valid(const char *name)
{
    if (name[0] == '\0' || name[0] == '.' || strlen(name) >= UPDATE_NAME_MAX) {
        return false;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.') {
            return false;
        }
    }
    return true;
}

static bool url_valid(const char *url)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        return false;
    }
    if (strlen(url) >= UPDATE_URL_MAX) {
        return false;
    }
    for (const char *p = url; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* The file extension a download keeps, from the URL's path (query and fragment ignored). */
static const char *url_ext(const char *url)
{
    size_t n = strcspn(url, "?#");
    static const char *const exts[] = {".zip", ".jsonl", ".ndjson", NULL};
    for (size_t i = 0; exts[i] != NULL; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strncasecmp(url + n - e, exts[i], e) == 0) {
            return i == 2 ? ".jsonl" : exts[i];
        }
    }
    return ".json";
}

/* "osv/ghsa.json" from "http://host:port/osv/ghsa.json?x": a name for a --source URL. */
static void url_name(char *out, size_t outsz, const char *url)
{
    const char *p = strstr(url, "://");
    p = p != NULL ? p + 3 : url;
    const char *path = strchr(p, '/');
    size_t n = 0;
    if (path == NULL || path[1] == '\0' || path[1] == '?' || path[1] == '#') {
        path = p; /* the host */
    } else {
        path++;
    }
    size_t len = strcspn(path, "?#");
    const char *ext = url_ext(url);
    if (len > strlen(ext) && strncasecmp(path + len - strlen(ext), ext, strlen(ext)) == 0) {
        len -= strlen(ext);
    }
    for (size_t i = 0; i < len && n + 1 < outsz; i++) {
        unsigned char ch = (unsigned char)path[i];
        out[n++] = (char)(isalnum(ch) || ch == '.' || ch == '_' ? ch : '-');
    }
    while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.')) {
        n--;
    }
    out[n] = '\0';
    while (out[0] == '.' || out[0] == '-') {
        memmove(out, out + 1, strlen(out));
    }
    if (out[0] == '\0') {
        snprintf(out, outsz, "source");
    }
}

static int list_add(struct update_list *l, const char *where, const char *name, const char *url,
                    const char *sha, bool nvd)
{
    if (l->len >= UPDATE_MAX_SOURCES) {
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: more than %d sources", where,
                           UPDATE_MAX_SOURCES);
        return -1;
    }
    if (!name_valid(name)) {
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR,
                           "%s: bad source name '%s' (letters, digits, '-', '_', '.'; at most %d)",
                           where, name, UPDATE_NAME_MAX - 1);
        return -1;
    }
    if (!url_valid(url)) {
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR,
                           "%s: source %s: bad URL '%s' (http:// or https://, no spaces)", where,
                           name, url);
        return -1;
    }
    for (size_t i = 0; i < l->len; i++) {
        if (strcmp(l->items[i].name, name) == 0) {
            customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: source name '%s' given twice", where,
                               name);
            return -1;
        }
    }
    struct update_source *s = &l->items[l->len];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->url, sizeof(s->url), "%s", url);
    if (sha != NULL) {
        size_t n = strlen(sha);
        bool hex = n == 64;
        for (size_t i = 0; hex && i < n; i++) {
            hex = isxdigit((unsigned char)sha[i]) != 0;
        }
        if (!hex) {
            customs_vulndb_say(l->say, CUSTOMS_DB_ERROR,
                               "%s: source %s: sha256= needs 64 hex digits", where, name);
            return -1;
        }
        snprintf(s->sha256, sizeof(s->sha256), "sha256:");
        for (size_t i = 0; i < n; i++) {
            s->sha256[7 + i] = (char)tolower((unsigned char)sha[i]);
        }
        s->sha256[7 + n] = '\0';
    }
    s->nvd = nvd || customs_nvd_is_api_url(url);
    if (s->nvd && sha != NULL) {
        customs_vulndb_say(
            l->say, CUSTOMS_DB_ERROR,
            "%s: source %s: sha256= does not apply to the NVD API (its pages change)", where, name);
        return -1;
    }
    s->ext = s->nvd ? "" : url_ext(url);
    l->len++;
    return 0;
}

/* Parse the sources list in text[0..len) (not NUL-terminated); `file` names it in messages. */
static int list_parse(struct update_list *l, const char *file, const char *text, size_t len)
{
    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n') {
            end++;
        }
        lineno++;
        char line[UPDATE_URL_MAX + 256];
        char where[4200];
        snprintf(where, sizeof(where), "%s:%u", file, lineno);
        if (end - pos >= sizeof(line)) {
            customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: line too long", where);
            return -1;
        }
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        pos = end + 1;
        char *hash = strchr(line, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        char *fields[4] = {NULL, NULL, NULL, NULL};
        size_t nf = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, " \t\r\f\v", &save); tok != NULL;
             tok = strtok_r(NULL, " \t\r\f\v", &save)) {
            if (nf == 3) {
                customs_vulndb_say(l->say, CUSTOMS_DB_ERROR,
                                   "%s: expected 'NAME URL [sha256=HEX | api=nvd]'", where);
                return -1;
            }
            fields[nf++] = tok;
        }
        if (nf == 0) {
            continue;
        }
        if (nf == 1) {
            customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: expected 'NAME URL [sha256=HEX]'",
                               where);
            return -1;
        }
        const char *sha = NULL;
        bool nvd = false;
        if (nf == 3) {
            if (strcmp(fields[2], "api=nvd") == 0) {
                nvd = true;
            } else if (strncmp(fields[2], "sha256=", 7) == 0) {
                sha = fields[2] + 7;
            } else {
                customs_vulndb_say(l->say, CUSTOMS_DB_ERROR,
                                   "%s: unknown option '%s' (sha256=HEX, api=nvd)", where,
                                   fields[2]);
                return -1;
            }
        }
        if (list_add(l, where, fields[0], fields[1], sha, nvd) != 0) {
            return -1;
        }
    }
    return 0;
}

static int list_load(struct update_list *l, const char *file)
{
    FILE *f = customs_fopen_read(file);
    if (f == NULL) {
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: %s", file, strerror(errno));
        return -1;
    }
    char *text = customs_malloc(UPDATE_CONFIG_MAX + 1);
    if (text == NULL) {
        fclose(f);
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "out of memory");
        return -1;
    }
    size_t n = fread(text, 1, UPDATE_CONFIG_MAX + 1, f);
    bool bad = ferror(f) != 0;
    fclose(f);
    int rc = -1;
    if (bad) {
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: read error", file);
    } else if (n > UPDATE_CONFIG_MAX) {
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: larger than %d bytes", file,
                           UPDATE_CONFIG_MAX);
    } else if (memchr(text, '\0', n) != NULL) {
        customs_vulndb_say(l->say, CUSTOMS_DB_ERROR, "%s: contains a NUL byte", file);
    } else {
        rc = list_parse(l, file, text, n);
    }
    customs_free(text);
    return rc;
}

/* ---- cache paths and metadata ---- */

static char *path_join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *p = customs_malloc(n);
    if (p != NULL) {
        snprintf(p, n, "%s/%s%s", dir, name, suffix);
    }
    return p;
}

static void mkdir_p(const char *dir)
{
    char buf[4096];
    if (customs_fmt(buf, sizeof(buf), "%s", dir) < 0) {
        return; /* too long: creating what is in it fails, and says so */
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    }
    mkdir(buf, 0755);
}

/* A header value safe to store and send back: printable ASCII, no CR/LF, bounded. */
static bool header_value_ok(const char *v)
{
    if (v[0] == '\0' || strlen(v) >= UPDATE_HEADER_MAX) {
        return false;
    }
    for (const char *p = v; *p != '\0'; p++) {
        if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* Read NAME.meta: the validators of the cached copy, only if it was fetched from `url`. */
static void meta_read(const struct update_source *s, char *etag, char *last_modified)
{
    etag[0] = '\0';
    last_modified[0] = '\0';
    FILE *f = customs_fopen_read(s->meta);
    if (f == NULL) {
        return;
    }
    char line[UPDATE_URL_MAX + 32];
    bool same_url = false;
    char e[UPDATE_HEADER_MAX] = "", lm[UPDATE_HEADER_MAX] = "";
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "url ", 4) == 0) {
            same_url = strcmp(line + 4, s->url) == 0;
        } else if (strncmp(line, "etag ", 5) == 0 && header_value_ok(line + 5)) {
            snprintf(e, sizeof(e), "%s", line + 5);
        } else if (strncmp(line, "last-modified ", 14) == 0 && header_value_ok(line + 14)) {
            snprintf(lm, sizeof(lm), "%s", line + 14);
        }
    }
    fclose(f);
    if (same_url) {
        memcpy(etag, e, sizeof(e));
        memcpy(last_modified, lm, sizeof(lm));
    }
}

/* Write NAME.meta for the copy now in the cache (a new file renamed into place). */
static void meta_write(const struct update_source *s)
{
    struct customs_newfile nf;
    if (customs_newfile_open(&nf, AT_FDCWD, s->meta, 0) != 0) {
        return;
    }
    FILE *f = customs_file_fdopen(dup(nf.fd), "w");
    if (f == NULL) {
        customs_newfile_abort(&nf);
        return;
    }
    fprintf(f, "url %s\n", s->url);
    if (s->etag[0] != '\0') {
        fprintf(f, "etag %s\n", s->etag);
    }
    if (s->last_modified[0] != '\0') {
        fprintf(f, "last-modified %s\n", s->last_modified);
    }
    if (fclose(f) != 0 || customs_newfile_commit(&nf) != 0) {
        customs_newfile_abort(&nf); /* the validators are an optimisation: none is no harm */
    }
}

static int file_sha256(char out[CUSTOMS_DIGEST_MAX], const char *path)
{
    struct customs_sha256 sha;
    FILE *f = customs_fopen_read(path);
    if (f == NULL) {
        return -1;
    }
    if (customs_sha256_init(&sha) != 0) {
        fclose(f);
        return -1;
    }
    size_t bufsz = 1 << 16;
    unsigned char *buf = customs_malloc(bufsz);
    size_t n;
    while (buf != NULL && (n = fread(buf, 1, bufsz, f)) > 0) {
        customs_sha256_update(&sha, buf, n);
    }
    bool bad = buf == NULL || ferror(f) != 0;
    customs_free(buf);
    fclose(f);
    if (bad) {
        customs_sha256_release(&sha);
        return -1;
    }
    return customs_sha256_final(&sha, out);
}

/* ---- downloading ---- */

struct transfer {
    const struct update_source *src;
    int fd;
    uint64_t bytes;
    uint64_t max_bytes;
    bool too_big;
    bool write_failed;
    struct customs_sha256 sha;
    char etag[UPDATE_HEADER_MAX];
    char last_modified[UPDATE_HEADER_MAX];
};

static size_t transfer_write(char *data, size_t size, size_t nmemb, void *payload)
{
    struct transfer *t = payload;
    size_t n = size * nmemb;
    if (t->bytes + n > t->max_bytes) {
        t->too_big = true;
        return 0;
    }
    for (size_t done = 0; done < n;) {
        ssize_t w = write(t->fd, data + done, n - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            t->write_failed = true;
            return 0;
        }
        done += (size_t)w;
    }
    customs_sha256_update(&t->sha, data, n);
    t->bytes += n;
    return n;
}

/* Keep ETag and Last-Modified of the final response (a redirect's headers are dropped). */
static size_t transfer_header(char *data, size_t size, size_t nmemb, void *payload)
{
    struct transfer *t = payload;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        t->etag[0] = '\0';
        t->last_modified[0] = '\0';
        return n;
    }
    static const struct {
        const char *name;
        size_t off;
    } wanted[] = {
        {"etag:", offsetof(struct transfer, etag)},
        {"last-modified:", offsetof(struct transfer, last_modified)},
    };
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        size_t k = strlen(wanted[i].name);
        if (n > k && strncasecmp(data, wanted[i].name, k) == 0) {
            size_t a = k, b = n;
            while (a < b && (data[a] == ' ' || data[a] == '\t')) {
                a++;
            }
            while (b > a && (data[b - 1] == '\r' || data[b - 1] == '\n' || data[b - 1] == ' ')) {
                b--;
            }
            char *dst = (char *)t + wanted[i].off;
            if (b - a < UPDATE_HEADER_MAX) {
                memcpy(dst, data + a, b - a);
                dst[b - a] = '\0';
                if (!header_value_ok(dst)) {
                    dst[0] = '\0';
                }
            }
        }
    }
    return n;
}

static int transfer_progress(void *payload, curl_off_t dltotal, curl_off_t dlnow,
                             curl_off_t ultotal, curl_off_t ulnow)
{
    const struct transfer *t = payload;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return *t->src->sync.stop != 0; /* non-zero aborts the transfer */
}

/*
 * Fetch one source into a new part file beside the cache. On 200 the part holds the new copy
 * (s->part, s->downloaded); on 304 the cached copy stands. Verifies the status, the size cap,
 * the expected sha256 and that the file is a known kind. @return 0 or -1 (message printed)
 */
static int source_fetch(struct update_source *s, const char *dir, uint64_t max_bytes)
{
    char etag[UPDATE_HEADER_MAX], last_modified[UPDATE_HEADER_MAX];
    struct stat st;
    bool have_cache = stat(s->cache, &st) == 0 && S_ISREG(st.st_mode);
    if (have_cache) {
        meta_read(s, etag, last_modified);
    } else {
        etag[0] = '\0';
        last_modified[0] = '\0';
    }
    size_t plen = strlen(dir) + strlen(s->name) + strlen(s->ext) + 32;
    s->part = customs_malloc(plen);
    if (s->part == NULL) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "out of memory");
        return -1;
    }
    snprintf(s->part, plen, "%s/.%s.part-XXXXXX%s", dir, s->name, s->ext);
    struct transfer t;
    memset(&t, 0, sizeof(t));
    t.src = s;
    t.max_bytes = max_bytes;
    t.fd = customs_tmpfile_open(s->part, strlen(s->ext), 0);
    if (t.fd < 0) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "source %s: %s: cannot create: %s",
                           s->name, s->part, strerror(errno));
        customs_free(s->part);
        s->part = NULL;
        return -1;
    }
    if (customs_sha256_init(&t.sha) != 0) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "out of memory");
        close(t.fd);
        return -1;
    }
    CURL *h = curl_easy_init();
    struct curl_slist *headers = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    char ua[64];
    snprintf(ua, sizeof(ua), "customs/%s", customs_version());
    if (etag[0] != '\0') {
        char hdr[UPDATE_HEADER_MAX + 32];
        snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
        headers = curl_slist_append(headers, hdr);
    }
    if (last_modified[0] != '\0') {
        char hdr[UPDATE_HEADER_MAX + 32];
        snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s", last_modified);
        headers = curl_slist_append(headers, hdr);
    }
    bool conditional = headers != NULL;
    CURLcode cc = h == NULL ? CURLE_OUT_OF_MEMORY : CURLE_OK;
    if (cc == CURLE_OK) {
        curl_easy_setopt(h, CURLOPT_URL, s->url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L); /* bytes/s ... */
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);    /* ... for 30 s: abort */
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
        curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip etc., capped after decoding */
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, transfer_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, transfer_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, transfer_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
        curl_easy_setopt(h, CURLOPT_FILETIME, 1L); /* Last-Modified: the data's own date */
        /* TLS peer and host verification stay at libcurl's defaults: on. */
        cc = curl_easy_perform(h);
    }
    long status = 0;
    curl_off_t filetime = -1;
    if (h != NULL) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(h, CURLINFO_FILETIME_T, &filetime);
    }
    if (status == 200 && filetime > 0) {
        /* the copy's mtime becomes the server's Last-Modified, which the import records as the
         * date of a feed whose records carry none (the Debian tracker, Alpine secdb) */
        struct timespec times[2] = {{(time_t)filetime, 0}, {(time_t)filetime, 0}};
        futimens(t.fd, times);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    char digest[CUSTOMS_DIGEST_MAX] = "";
    bool digest_ok = customs_sha256_final(&t.sha, digest) == 0;
    bool closed = close(t.fd) == 0;
    int rc = -1;
    if (*s->sync.stop != 0) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "source %s (%s): %s", s->name, s->url,
                           customs_vulndb_stopped(*s->sync.stop));
    } else if (t.too_big) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR,
                           "source %s (%s): larger than %" PRIu64 " bytes (--max-bytes)", s->name,
                           s->url, max_bytes);
    } else if (t.write_failed || !closed) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "source %s (%s): cannot write %s: %s",
                           s->name, s->url, s->part, strerror(errno));
    } else if (cc == CURLE_FILESIZE_EXCEEDED) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR,
                           "source %s (%s): larger than %" PRIu64 " bytes (--max-bytes)", s->name,
                           s->url, max_bytes);
    } else if (cc != CURLE_OK) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "source %s (%s): %s", s->name, s->url,
                  errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
    } else if (status == 304 && conditional && have_cache) {
        unlink(s->part);
        customs_free(s->part);
        s->part = NULL;
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_NOTE, "%-15s %s: not modified, using %s",
                           s->name, s->url, s->cache);
        return 0;
    } else if (status != 200) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "source %s (%s): HTTP status %ld",
                           s->name, s->url, status);
    } else if (!digest_ok) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "out of memory");
    } else if (s->sha256[0] != '\0' && strcmp(digest, s->sha256) != 0) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR,
                           "source %s (%s): checksum mismatch: got %s, the config says %s", s->name,
                           s->url, digest, s->sha256);
    } else {
        struct customs_error err = {0};
        if (customs_vulndb_detect(s->part, &err) == CUSTOMS_VULNDB_KIND_UNKNOWN) {
            customs_vulndb_say(
                s->sync.say, CUSTOMS_DB_ERROR,
                "source %s (%s): not a recognised advisory file (Debian tracker JSON,"
                " Alpine secdb JSON, OSV .json/.jsonl/.zip)",
                s->name, s->url);
        } else {
            s->downloaded = true;
            memcpy(s->etag, t.etag, sizeof(s->etag));
            memcpy(s->last_modified, t.last_modified, sizeof(s->last_modified));
            customs_vulndb_say(s->sync.say, CUSTOMS_DB_NOTE,
                               "%-15s %s: downloaded %" PRIu64 " bytes", s->name, s->url, t.bytes);
            rc = 0;
        }
    }
    if (rc != 0) {
        unlink(s->part);
        customs_free(s->part);
        s->part = NULL;
    }
    return rc;
}

/* A 304'd source: the cached copy must still match a configured sha256. */
static int source_check_cached(const struct update_source *s)
{
    char digest[CUSTOMS_DIGEST_MAX];
    if (s->sha256[0] == '\0') {
        return 0;
    }
    if (file_sha256(digest, s->cache) != 0) {
        customs_vulndb_say(s->sync.say, CUSTOMS_DB_ERROR, "source %s: %s: cannot read: %s", s->name,
                           s->cache, strerror(errno));
        return -1;
    }
    if (strcmp(digest, s->sha256) != 0) {
        customs_vulndb_say(
            s->sync.say, CUSTOMS_DB_ERROR,
            "source %s (%s): cached copy %s: checksum mismatch: got %s, the config says %s",
            s->name, s->url, s->cache, digest, s->sha256);
        return -1;
    }
    return 0;
}

/* True if the database at `path` was built from exactly `l`'s cache files, in order. */
struct same_state {
    const struct update_list *l;
    size_t i;
    bool same;
};

static int same_source(const struct customs_vulndb_source_info *info, void *payload)
{
    struct same_state *st = payload;
    if (st->i >= st->l->len || strcmp(info->location, st->l->items[st->i].cache) != 0) {
        st->same = false;
    }
    st->i++;
    return 0;
}

static bool db_built_from(const char *path, const struct update_list *l)
{
    struct customs_vulndb *db = NULL;
    struct customs_error err = {0};
    struct same_state st = {l, 0, true};
    if (customs_vulndb_open(&db, path, &err) != 0) {
        return false;
    }
    if (customs_vulndb_sources(db, same_source, &st, &err) != 0) {
        st.same = false;
    }
    customs_vulndb_close(db);
    return st.same && st.i == l->len;
}

/* ---- NVD API sources ---- */

/* NVD_API_KEY as given: printable ASCII, no spaces, bounded. Never printed. */
static bool api_key_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 128) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)key[i] <= ' ' || (unsigned char)key[i] >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* A plain-http URL to a host other than loopback: the key would cross the network in clear. */
static bool url_exposes_key(const char *url)
{
    static const char *const loopback[] = {"http://127.0.0.1", "http://localhost",
                                           "http://[::1]"};
    if (strncmp(url, "http://", 7) != 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
        size_t n = strlen(loopback[i]);
        if (strncmp(url, loopback[i], n) == 0 &&
            (url[n] == ':' || url[n] == '/' || url[n] == '\0')) {
            return false;
        }
    }
    return true;
}

/* Where the database at `path` says each NVD source's sync stopped (none if no database). */
static void nvd_read_state(const char *path, struct update_list *l)
{
    struct customs_vulndb *db = NULL;
    struct customs_error err = {0};
    if (customs_vulndb_open(&db, path, &err) != 0) {
        return;
    }
    for (size_t i = 0; i < l->len; i++) {
        struct update_source *s = &l->items[i];
        char key[UPDATE_NAME_MAX + 16];
        char value[UPDATE_URL_MAX + 64];
        if (!s->nvd) {
            continue;
        }
        if (customs_nvd_meta_key(key, sizeof(key), s->name) == 0 &&
            customs_vulndb_meta(db, key, value, sizeof(value), &err) == 0) {
            s->sync.have_until = customs_nvd_meta_parse(value, s->url, &s->sync.until);
        }
    }
    customs_vulndb_close(db);
}

static void nvd_report(const struct update_source *s)
{
    const struct customs_nvd_sync *y = &s->sync;
    char until[CUSTOMS_NVD_TIME_MAX];
    customs_nvd_time_format(until, y->new_until);
    customs_vulndb_say(
        y->say, CUSTOMS_DB_NOTE,
        "%-15s %s: %" PRIu64 " window%s, %" PRIu64 " request%s, %" PRIu64 " records in %" PRIu64
        " pages; %u requests per 30 s (%s): %" PRIu64 " rate-limit waits, %" PRIu64
        " Retry-After, %" PRIu64 " retries, %.0f s waited; %s %s",
        s->name, s->url, y->windows, y->windows == 1 ? "" : "s", y->requests,
        y->requests == 1 ? "" : "s", y->records, y->pages,
        y->api_key != NULL ? CUSTOMS_NVD_RATE_KEY : CUSTOMS_NVD_RATE_NO_KEY,
        y->api_key != NULL ? "API key" : "no API key", y->rate_waits, y->retry_afters, y->retries,
        y->waited, y->advanced || y->have_until ? "synced until" : "not synced",
        y->advanced || y->have_until ? until : "");
}

/* A directory holding at least one regular file whose name does not start with '.'. */
static bool dir_has_pages(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool any = false;
    while (d != NULL && !any && (e = readdir(d)) != NULL) {
        any = e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return any;
}

static void list_release(struct update_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        if (l->items[i].part != NULL) {
            unlink(l->items[i].part);
            customs_free(l->items[i].part);
        }
        customs_free(l->items[i].cache);
        customs_free(l->items[i].meta);
    }
    customs_free(l->items);
}


/* A --source argument, "[NAME=]URL": the name given, else one made from the URL. */
static int list_add_url(struct update_list *l, const char *arg)
{
    char name[UPDATE_NAME_MAX];
    const char *eq = strchr(arg, '=');
    const char *colon = strstr(arg, "://");
    const char *url = arg;
    if (eq != NULL && (colon == NULL || eq < colon)) {
        size_t n = (size_t)(eq - arg);
        memcpy(name, arg, n < sizeof(name) ? n : 0);
        name[n < sizeof(name) ? n : 0] = '\0';
        url = eq + 1;
    } else {
        url_name(name, sizeof(name), arg);
    }
    return list_add(l, "--source", name, url, NULL, false);
}

static void update_failed(const struct customs_vulndb_say *say, const char *path)
{
    struct stat st;
    customs_vulndb_say(say, CUSTOMS_DB_ERROR, "db update: failed; %s %s", path,
                       stat(path, &st) == 0 ? "left as it was" : "not written");
}

void customs_db_update_options_default(struct customs_db_update_options *out)
{
    memset(out, 0, sizeof(*out));
    out->max_bytes = UPDATE_DEFAULT_MAX_BYTES;
    out->time_scale = 1.0;
}

/* Import every source's cache copy (NVD directories with pages) into a new database, recording
 * where each NVD sync stopped. */
static int update_build(const struct customs_db_update_options *o, struct update_list *list,
                        struct customs_error *err)
{
    size_t cap = list->len * 2 + 1;
    const char **paths = customs_calloc(list->len + 1, sizeof(*paths));
    size_t *index = customs_calloc(list->len + 1, sizeof(*index));
    char(*meta)[UPDATE_URL_MAX + 128] = customs_calloc(cap, sizeof(*meta));
    const char **kv = customs_calloc(cap, sizeof(*kv));
    size_t failed = list->len;
    size_t n = 0;
    size_t nkv = 0;
    int rc = 0;
    if (paths == NULL || index == NULL || meta == NULL || kv == NULL) {
        rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        customs_vulndb_say(list->say, CUSTOMS_DB_ERROR, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < list->len; i++) {
        struct update_source *s = &list->items[i];
        if (s->nvd && (s->sync.advanced || s->sync.have_until)) {
            if (customs_nvd_meta_key(meta[nkv], sizeof(meta[nkv]), s->name) < 0 ||
                customs_nvd_meta_value(meta[nkv + 1], sizeof(meta[nkv + 1]), s->sync.new_until,
                                       s->url) < 0) {
                rc = customs_error_set(err, CUSTOMS_ELIMIT, "source %s: its URL is too long",
                                       s->name);
                customs_vulndb_say(list->say, CUSTOMS_DB_ERROR, "%s", err->message);
                goto out;
            }
            kv[nkv] = meta[nkv];
            kv[nkv + 1] = meta[nkv + 1];
            nkv += 2;
        }
        if (s->nvd && !dir_has_pages(s->cache)) {
            continue; /* nothing listed yet: no source to import */
        }
        index[n] = i;
        paths[n++] = s->cache;
    }
    struct customs_db_build_options b = {o->keep_going, o->max_bytes, kv, o->stop, o->message,
                                         o->payload};
    rc = customs_db_build(&failed, o->db_path, paths, n, &b, err);
    if (rc < 0) {
        customs_vulndb_say(list->say, CUSTOMS_DB_ERROR, "%s", err->message);
        if (failed < n) {
            customs_vulndb_say(list->say, CUSTOMS_DB_ERROR, "source %s (%s): import failed",
                               list->items[index[failed]].name, list->items[index[failed]].url);
        }
    }
out:
    customs_free(paths);
    customs_free(index);
    customs_free(meta);
    customs_free(kv);
    return rc;
}

/* Download every source (NVD ones paged); *any_new: a source brought something new. */
static int update_fetch(const struct customs_db_update_options *o, struct update_list *list,
                        bool *any_new, bool *partial)
{
    bool ok = true;
    for (size_t i = 0; ok && i < list->len; i++) {
        struct update_source *s = &list->items[i];
        if (s->nvd) {
            /* a window that fails after others completed keeps them: NVD's rate limits make a
             * first copy take many minutes, and the next update resumes where this one stopped */
            ok = customs_nvd_sync_run(&s->sync) == 0;
            if (!ok && s->sync.partial) {
                ok = true;
                *partial = true;
            }
            nvd_report(s);
            s->downloaded = s->sync.records != 0;
        } else {
            ok = source_fetch(s, o->cache_dir, o->max_bytes) == 0 &&
                 (s->downloaded || source_check_cached(s) == 0);
        }
        *any_new = *any_new || s->downloaded;
    }
    return ok ? 0 : CUSTOMS_EIO;
}

/* New copies replace the cached ones. Their validators are written only after a database
 * was built from them, so a copy that fails to import is downloaded again next time instead
 * of being answered 304. */
static int update_keep(struct update_list *list)
{
    for (size_t i = 0; i < list->len; i++) {
        struct update_source *s = &list->items[i];
        if (s->part == NULL || s->nvd) {
            continue;
        }
        unlink(s->meta);
        if (rename(s->part, s->cache) != 0) {
            customs_vulndb_say(list->say, CUSTOMS_DB_ERROR,
                               "source %s: %s: cannot rename into place: %s", s->name, s->cache,
                               strerror(errno));
            return CUSTOMS_EIO;
        }
        customs_free(s->part);
        s->part = NULL;
    }
    return 0;
}

/* The sources the options name, checked, with their cache paths. */
static int update_list_make(struct update_list *list, const struct customs_db_update_options *o)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < o->n_urls; i++) {
        rc = list_add_url(list, o->urls[i]);
    }
    if (rc == 0 && list->len == 0) {
        rc = o->sources_file != NULL ? list_load(list, o->sources_file)
                                     : list_parse(list, "(built-in sources)", default_config,
                                                  sizeof(default_config) - 1);
        if (rc == 0 && list->len == 0) {
            customs_vulndb_say(list->say, CUSTOMS_DB_ERROR, "%s: no sources",
                               o->sources_file != NULL ? o->sources_file : "(built-in sources)");
            rc = -1;
        }
    }
    if (rc == 0 && o->nvd_api_key != NULL && !api_key_valid(o->nvd_api_key)) {
        customs_vulndb_say(list->say, CUSTOMS_DB_ERROR,
                           "db update: NVD_API_KEY is not a valid key (printable ASCII, no"
                           " spaces, at most 128 characters)");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < list->len; i++) {
        struct update_source *s = &list->items[i];
        if (s->nvd && o->nvd_api_key != NULL && url_exposes_key(s->url)) {
            customs_vulndb_say(list->say, CUSTOMS_DB_ERROR,
                               "source %s (%s): NVD_API_KEY is not sent over plain http (use"
                               " https://)",
                               s->name, s->url);
            rc = -1;
        }
    }
    return rc == 0 ? 0 : CUSTOMS_EINVAL;
}

int customs_db_update(struct customs_db_update_result *out,
                      const struct customs_db_update_options *opts, struct customs_error *err)
{
    static const volatile sig_atomic_t never = 0;
    struct customs_db_update_options o = *opts;
    struct customs_vulndb_say say = {o.message, o.payload};
    struct update_list list = {0};
    struct customs_db_update_result local;
    struct customs_error local_err = {0};
    bool any_new = false, partial = false, any_nvd = false;
    int lock_fd = -1;
    int rc = 0;
    if (out == NULL) {
        out = &local;
    }
    if (err == NULL) {
        err = &local_err;
    }
    memset(out, 0, sizeof(*out));
    if (o.db_path == NULL || o.cache_dir == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL, "db update: no database or cache path");
    }
    if (o.stop == NULL) {
        o.stop = &never;
    }
    if (o.max_bytes == 0) {
        o.max_bytes = UPDATE_DEFAULT_MAX_BYTES;
    }
    if (!(o.time_scale >= 0 && o.time_scale <= 1)) {
        return customs_error_set(err, CUSTOMS_EINVAL, "db update: time scale not in [0, 1]");
    }
    list.say = &say;
    list.items = customs_calloc(UPDATE_MAX_SOURCES, sizeof(*list.items));
    if (list.items == NULL) {
        customs_vulndb_say(&say, CUSTOMS_DB_ERROR, "out of memory");
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    rc = update_list_make(&list, &o);
    if (rc < 0) {
        customs_error_set(err, rc, "db update: bad sources or options");
        goto done;
    }
    mkdir_p(o.cache_dir);
    if (o.lock_path != NULL) {
        /* two updates must not interleave */
        lock_fd = customs_file_open_append(o.lock_path, 0);
        if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
            rc = customs_error_set(err, CUSTOMS_EIO, "%s: %s", o.lock_path,
                                   lock_fd < 0 ? strerror(errno)
                                               : "another 'customs db update' is running");
            customs_vulndb_say(&say, CUSTOMS_DB_ERROR, "%s", err->message);
            goto done;
        }
    }
    for (size_t i = 0; i < list.len; i++) {
        struct update_source *s = &list.items[i];
        s->cache = path_join(o.cache_dir, s->name, s->ext);
        s->meta = path_join(o.cache_dir, s->name, ".meta");
        if (s->cache == NULL || s->meta == NULL) {
            customs_vulndb_say(&say, CUSTOMS_DB_ERROR, "out of memory");
            rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            goto done;
        }
        s->sync.name = s->name;
        s->sync.url = s->url;
        s->sync.dir = s->cache;
        s->sync.api_key = o.nvd_api_key;
        s->sync.max_bytes = o.max_bytes;
        s->sync.time_scale = o.time_scale;
        s->sync.now = o.now;
        s->sync.stop = o.stop;
        s->sync.say = &say;
        any_nvd = any_nvd || s->nvd;
    }
    if (any_nvd) {
        nvd_read_state(o.db_path, &list);
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        customs_vulndb_say(&say, CUSTOMS_DB_ERROR, "db update: libcurl initialisation failed");
        rc = customs_error_set(err, CUSTOMS_EIO, "db update: libcurl initialisation failed");
        goto done;
    }
    rc = update_fetch(&o, &list, &any_new, &partial);
    curl_global_cleanup();
    if (rc == 0 && !any_new && db_built_from(o.db_path, &list)) {
        customs_vulndb_say(&say, CUSTOMS_DB_NOTE, "%s: up to date (no source changed), kept",
                           o.db_path);
        goto done;
    }
    if (rc == 0) {
        rc = update_keep(&list);
    }
    if (rc == 0) {
        rc = update_build(&o, &list, err);
    }
    if (rc == 0) {
        out->rebuilt = true;
        for (size_t i = 0; i < list.len; i++) {
            if (list.items[i].downloaded && !list.items[i].nvd) {
                meta_write(&list.items[i]);
            }
        }
        if (partial) {
            out->nvd_partial = true;
            rc = customs_error_set(err, CUSTOMS_EAGAIN,
                                   "db update: an NVD source stopped early; %s records the"
                                   " windows that completed, and the next update resumes there",
                                   o.db_path);
            customs_vulndb_say(&say, CUSTOMS_DB_ERROR, "%s", err->message);
        }
    } else {
        if (err->code == 0 || err->code != rc) {
            customs_error_set(err, rc < 0 ? rc : CUSTOMS_EIO, "db update: failed");
        }
        update_failed(&say, o.db_path);
    }
done:
    if (lock_fd >= 0) {
        close(lock_fd);
    }
    list_release(&list);
    return rc;
}
