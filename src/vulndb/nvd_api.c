/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure parts of an NVD CVE API 2.0 client (the CLI does the HTTP): checking a response page
 * against the request that asked for it, the 120-day lastMod windows, the published rate limits
 * (a sliding window of request times) and Retry-After. No I/O, no clock: times come in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"
#include "vulndb/vulndb.h"

#include "core/banned.h"

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y_out, unsigned *m_out, unsigned *d_out)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *y_out = (int)((int64_t)yoe + era * 400 + (m <= 2));
    *m_out = m;
    *d_out = d;
}

/* Exactly `n` decimal digits at s into *out. */
static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static bool days_valid(unsigned y, unsigned mo, unsigned d)
{
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) {
        return false;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(mo == 2 && d == 29 && !leap);
}

int customs_nvd_time_parse(int64_t *out, const char *text)
{
    unsigned y, mo, d, h, mi, s;
    if (text == NULL || strlen(text) < 19 || !digits(text, 4, &y) || text[4] != '-' ||
        !digits(text + 5, 2, &mo) || text[7] != '-' || !digits(text + 8, 2, &d) ||
        text[10] != 'T' || !digits(text + 11, 2, &h) || text[13] != ':' ||
        !digits(text + 14, 2, &mi) || text[16] != ':' || !digits(text + 17, 2, &s)) {
        return CUSTOMS_EMALFORMED;
    }
    if (!days_valid(y, mo, d) || h > 23 || mi > 59 || s > 60) {
        return CUSTOMS_EMALFORMED;
    }
    const char *p = text + 19;
    if (*p == '.') {
        size_t n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            n++;
        }
        if (n == 0 || n > 9) {
            return CUSTOMS_EMALFORMED;
        }
    }
    /* UTC only: nothing, "Z", or a zero offset */
    if (!(*p == '\0' || strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0 ||
          strcmp(p, "-00:00") == 0)) {
        return CUSTOMS_EMALFORMED;
    }
    *out = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
    return 0;
}

void customs_nvd_time_format(char out[CUSTOMS_NVD_TIME_MAX], int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, CUSTOMS_NVD_TIME_MAX, "%s", y < 0 ? "0000-01-01T00:00:00.000"
                                                         : "9999-12-31T23:59:59.000");
        return;
    }
    snprintf(out, CUSTOMS_NVD_TIME_MAX, "%04d-%02u-%02uT%02u:%02u:%02u.000", y, m, d,
             (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

int64_t customs_nvd_window_end(int64_t start, int64_t now)
{
    if (now <= start) {
        return start;
    }
    return now - start > CUSTOMS_NVD_WINDOW_SECONDS ? start + CUSTOMS_NVD_WINDOW_SECONDS : now;
}

/* ---- Retry-After ---- */

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* An IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7), to seconds since 1970. */
static int http_date_parse(int64_t *out, const char *v)
{
    unsigned d, y, h, mi, s;
    unsigned mo = 0;
    if (strlen(v) != 29 || v[3] != ',' || v[4] != ' ' || !digits(v + 5, 2, &d) || v[7] != ' ' ||
        v[11] != ' ' || !digits(v + 12, 4, &y) || v[16] != ' ' || !digits(v + 17, 2, &h) ||
        v[19] != ':' || !digits(v + 20, 2, &mi) || v[22] != ':' || !digits(v + 23, 2, &s) ||
        strcmp(v + 25, " GMT") != 0) {
        return CUSTOMS_EMALFORMED;
    }
    for (unsigned i = 0; i < 12; i++) {
        if (strncmp(v + 8, month_names[i], 3) == 0) {
            mo = i + 1;
        }
    }
    if (mo == 0 || !days_valid(y, mo, d) || h > 23 || mi > 59 || s > 60) {
        return CUSTOMS_EMALFORMED;
    }
    *out = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
    return 0;
}

int customs_nvd_retry_after(double *out, const char *value, int64_t now)
{
    if (value == NULL) {
        return CUSTOMS_EMALFORMED;
    }
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    if (*value >= '0' && *value <= '9') {
        uint64_t v = 0;
        const char *p = value;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (v > 100000000) { /* a huge delay is capped, not an overflow */
                continue;
            }
            v = v * 10 + (uint64_t)(*p - '0');
        }
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p != '\0') {
            return CUSTOMS_EMALFORMED;
        }
        *out = (double)v;
        return 0;
    }
    int64_t when = 0;
    if (http_date_parse(&when, value) != 0) {
        return CUSTOMS_EMALFORMED;
    }
    *out = when > now ? (double)(when - now) : 0.0;
    return 0;
}

/* ---- the rate limit ---- */

void customs_nvd_rate_init(struct customs_nvd_rate *r, bool have_key)
{
    memset(r, 0, sizeof(*r));
    r->max = have_key ? CUSTOMS_NVD_RATE_KEY : CUSTOMS_NVD_RATE_NO_KEY;
    r->period = CUSTOMS_NVD_RATE_PERIOD;
}

double customs_nvd_rate_delay(const struct customs_nvd_rate *r, double now)
{
    if (r->n < r->max) {
        return 0.0;
    }
    /* the oldest of the last `max` requests leaves the window at sent + period */
    double oldest = r->sent[r->head];
    double free_at = oldest + r->period;
    return free_at > now ? free_at - now : 0.0;
}

void customs_nvd_rate_note(struct customs_nvd_rate *r, double now)
{
    if (r->max == 0 || r->max > CUSTOMS_NVD_RATE_SLOTS) {
        return;
    }
    if (r->n < r->max) {
        r->sent[(r->head + r->n) % r->max] = now;
        r->n++;
    } else {
        r->sent[r->head] = now;
        r->head = (r->head + 1) % r->max;
    }
}

/* ---- a response page ---- */

int customs_nvd_page_check(struct customs_nvd_page *out, const char *name, const uint8_t *data,
                           size_t len, uint64_t start, struct customs_error *err)
{
    json_t *doc = NULL;
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_counts counts = {0};
    struct customs_vulndb_import_options opt = {0};
    memset(out, 0, sizeof(*out));
    int rc = customs_json_parse(&doc, name, data, len, CUSTOMS_NVD_MAX_PAGE_BYTES, err);
    if (rc != 0) {
        return rc;
    }
    const char *format = customs_json_str(doc, "format");
    const char *version = customs_json_str(doc, "version");
    const char *timestamp = customs_json_str(doc, "timestamp");
    json_t *list = json_object_get(doc, "vulnerabilities");
    rc = CUSTOMS_EMALFORMED;
    if (!json_is_object(doc) || format == NULL || strcmp(format, "NVD_CVE") != 0) {
        customs_error_set(err, rc, "%s: not an NVD CVE API page (\"format\" is not \"NVD_CVE\")",
                          name);
    } else if (version == NULL || strcmp(version, "2.0") != 0) {
        customs_error_set(err, rc, "%s: NVD CVE API \"version\" is not \"2.0\"", name);
    } else if (!customs_json_u64(doc, "resultsPerPage", &out->results_per_page) ||
               !customs_json_u64(doc, "startIndex", &out->start_index) ||
               !customs_json_u64(doc, "totalResults", &out->total_results)) {
        customs_error_set(err, rc,
                          "%s: resultsPerPage, startIndex or totalResults missing or not a"
                          " non-negative integer", name);
    } else if (!json_is_array(list)) {
        customs_error_set(err, rc, "%s: no \"vulnerabilities\" list", name);
    } else if (out->start_index != start) {
        customs_error_set(err, rc, "%s: startIndex %llu, asked for %llu", name,
                          (unsigned long long)out->start_index, (unsigned long long)start);
    } else if ((out->count = json_array_size(list)) > out->results_per_page &&
               out->count > 0) {
        customs_error_set(err, rc, "%s: %llu entries, more than resultsPerPage %llu", name,
                          (unsigned long long)out->count,
                          (unsigned long long)out->results_per_page);
    } else if (out->start_index > out->total_results ||
               out->count > out->total_results - out->start_index) {
        customs_error_set(err, rc, "%s: startIndex %llu + %llu entries is past totalResults %llu",
                          name, (unsigned long long)out->start_index,
                          (unsigned long long)out->count,
                          (unsigned long long)out->total_results);
    } else if (out->count == 0 && out->start_index < out->total_results) {
        customs_error_set(err, rc, "%s: no entries at startIndex %llu of %llu (truncated list)",
                          name, (unsigned long long)out->start_index,
                          (unsigned long long)out->total_results);
    } else if (timestamp != NULL && strlen(timestamp) >= sizeof(out->timestamp)) {
        customs_error_set(err, rc, "%s: \"timestamp\" too long", name);
    } else {
        rc = 0;
        if (timestamp != NULL) {
            snprintf(out->timestamp, sizeof(out->timestamp), "%s", timestamp);
        }
    }
    json_decref(doc);
    if (rc != 0 || out->count == 0) {
        return rc;
    }
    /* every record must import as it will at build time: a page that passes here never fails
     * the build later */
    rc = customs_vulndb_writer_open(&w, ":memory:", err);
    if (rc == 0) {
        rc = customs_vulndb_import_nvd(w, name, data, len, &opt, &counts, err);
    }
    customs_vulndb_writer_close(w);
    if (rc == 0 && counts.records != out->count) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %llu of %llu entries imported", name,
                               (unsigned long long)counts.records,
                               (unsigned long long)out->count);
    }
    return rc;
}
