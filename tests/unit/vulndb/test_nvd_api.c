/* SPDX-License-Identifier: Apache-2.0 */
/* The NVD API client's pure parts (src/vulndb/nvd_api.c): page checks, times, windows,
 * Retry-After and the rate limit on a made-up clock; and a later page of an incremental update
 * replacing a CVE's CVSS entries (src/vulndb/nvd.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static int check(struct customs_nvd_page *p, const char *text, uint64_t start,
                 struct customs_error *err)
{
    return customs_nvd_page_check(p, "response", (const uint8_t *)text, strlen(text), start, err);
}

#define CVE(id, lm)                                                                              \
    "{\"cve\": {\"id\": \"" id "\", \"lastModified\": \"" lm "\", \"metrics\": {}}}"
#define HEAD(rpp, si, total)                                                                     \
    "{\"resultsPerPage\": " #rpp ", \"startIndex\": " #si ", \"totalResults\": " #total          \
    ", \"format\": \"NVD_CVE\", \"version\": \"2.0\", \"timestamp\": \"2026-10-08T01:16:31.493\","

static void nvd_api__page_check_accepts_a_page_and_keeps_its_paging_fields(void **state)
{
    struct customs_nvd_page p;
    struct customs_error err;
    (void)state;
    assert_int_equal(check(&p, HEAD(2, 4, 7) "\"vulnerabilities\": [" CVE("CVE-2021-3156",
                         "2024-01-01T00:00:00.000") "," CVE("CVE-2021-3157", "2024-01-02T00:00:00")
                         "]}", 4, &err), 0);
    assert_int_equal(p.count, 2);
    assert_int_equal(p.total_results, 7);
    assert_string_equal(p.timestamp, "2026-10-08T01:16:31.493");
    /* the last, empty page of an empty window */
    assert_int_equal(check(&p, HEAD(0, 0, 0) "\"vulnerabilities\": []}", 0, &err), 0);
}

static void nvd_api__page_check_refuses_what_would_lose_or_loop(void **state)
{
    static const struct {
        const char *page;
        uint64_t start;
        const char *message;
    } cases[] = {
        {HEAD(2, 0, 7) "\"vulnerabilities\": [" CVE("CVE-1-1", "x"), 0, "response:1:"},
        {HEAD(2, 2, 7) "\"vulnerabilities\": []}", 0, "startIndex 2, asked for 0"},
        {HEAD(1, 0, 7) "\"vulnerabilities\": [" CVE("CVE-1-1", "x") "," CVE("CVE-1-2", "x") "]}",
         0, "more than resultsPerPage"},
        {HEAD(2, 6, 7) "\"vulnerabilities\": [" CVE("CVE-1-1", "x") "," CVE("CVE-1-2", "x") "]}",
         6, "past totalResults"},
        {HEAD(2, 4, 7) "\"vulnerabilities\": []}", 4, "no entries at startIndex 4 of 7"},
        {"{\"resultsPerPage\": 1, \"startIndex\": 0, \"totalResults\": 1, \"format\": \"NVD_CPE\","
         " \"version\": \"2.0\", \"vulnerabilities\": []}", 0, "not an NVD CVE API page"},
        {"{\"resultsPerPage\": -1, \"startIndex\": 0, \"totalResults\": 1, \"format\": "
         "\"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": []}", 0, "non-negative"},
        {HEAD(1, 0, 1) "\"vulnerabilities\": [{\"cve\": {\"id\": 7}}]}", 0,
         "vulnerabilities[0]: not an NVD CVE record"},
        {"[1, 2]", 0, "not an NVD CVE API page"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct customs_nvd_page p;
        struct customs_error err = {0};
        assert_int_equal(check(&p, cases[i].page, cases[i].start, &err), CUSTOMS_EMALFORMED);
        if (strstr(err.message, cases[i].message) == NULL) {
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].message);
        }
    }
}

static void nvd_api__times_parse_format_and_window(void **state)
{
    int64_t t = 0;
    char out[CUSTOMS_NVD_TIME_MAX];
    (void)state;
    assert_int_equal(customs_nvd_time_parse(&t, "2026-10-08T01:16:31.493"), 0);
    assert_int_equal(t, 1791422191);
    customs_nvd_time_format(out, t);
    assert_string_equal(out, "2026-10-08T01:16:31.000");
    assert_int_equal(customs_nvd_time_parse(&t, "2024-02-29T00:00:00Z"), 0);
    customs_nvd_time_format(out, t);
    assert_string_equal(out, "2024-02-29T00:00:00.000");
    assert_int_equal(customs_nvd_time_parse(&t, "1970-01-01T00:00:00+00:00"), 0);
    assert_int_equal(t, 0);
    static const char *const bad[] = {"2023-02-29T00:00:00", "2026-10-08", "2026-13-01T00:00:00",
                                      "2026-10-08T01:16:31+01:00", "2026-10-08T01:16:31.",
                                      "2026-10-08 01:16:31", "+026-10-08T01:16:31"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (customs_nvd_time_parse(&t, bad[i]) != CUSTOMS_EMALFORMED) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
    /* windows: 120 days at most, never past now */
    assert_int_equal(customs_nvd_window_end(0, 400LL * 86400), 120LL * 86400);
    assert_int_equal(customs_nvd_window_end(0, 86400), 86400);
    assert_int_equal(customs_nvd_window_end(86400, 0), 86400);
}

static void nvd_api__retry_after_seconds_and_dates(void **state)
{
    double s = -1;
    int64_t now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
    (void)state;
    assert_int_equal(customs_nvd_retry_after(&s, "120", now), 0);
    assert_true(s == 120.0);
    assert_int_equal(customs_nvd_retry_after(&s, " 7 ", now), 0);
    assert_true(s == 7.0);
    assert_int_equal(customs_nvd_retry_after(&s, "Sun, 06 Nov 1994 08:50:07 GMT", now), 0);
    assert_true(s == 30.0);
    assert_int_equal(customs_nvd_retry_after(&s, "Sun, 06 Nov 1994 08:00:00 GMT", now), 0);
    assert_true(s == 0.0);
    assert_int_equal(customs_nvd_retry_after(&s, "99999999999999999999999", now), 0);
    assert_true(s > 1e8); /* huge: the caller's cap decides */
    static const char *const bad[] = {"", "-5", "1.5", "soon", "Sun, 06 Xyz 1994 08:50:07 GMT",
                                      "Sun, 31 Feb 1994 08:50:07 GMT", "10 s"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (customs_nvd_retry_after(&s, bad[i], now) != CUSTOMS_EMALFORMED) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}

static void nvd_api__rate_limit_is_a_sliding_window(void **state)
{
    struct customs_nvd_rate r;
    (void)state;
    customs_nvd_rate_init(&r, false);
    /* five at once are free, the sixth waits until the first leaves the 30 s window */
    for (int i = 0; i < 5; i++) {
        assert_true(customs_nvd_rate_delay(&r, 10.0) == 0.0);
        customs_nvd_rate_note(&r, 10.0 + i);
    }
    assert_true(customs_nvd_rate_delay(&r, 14.0) == 26.0);
    assert_true(customs_nvd_rate_delay(&r, 40.0) == 0.0);
    customs_nvd_rate_note(&r, 40.0);
    assert_true(customs_nvd_rate_delay(&r, 40.0) == 1.0); /* the second left at 41 */
    /* with a key: fifty */
    customs_nvd_rate_init(&r, true);
    for (int i = 0; i < 50; i++) {
        assert_true(customs_nvd_rate_delay(&r, 0.0) == 0.0);
        customs_nvd_rate_note(&r, 0.0);
    }
    assert_true(customs_nvd_rate_delay(&r, 0.5) == 29.5);
}

static int vectors_into(const struct customs_vulndb_rating *r, void *payload)
{
    if (r->kind == CUSTOMS_VULNDB_RATING_CVSS) {
        assert_int_equal(customs_buf_printf(payload, "%s;", r->vector), 0);
    } else if (r->kind == CUSTOMS_VULNDB_RATING_NVD) {
        const char *status = r->nvd_status != NULL ? r->nvd_status : "-";
        assert_int_equal(customs_buf_printf(payload, "nvd %s;", status), 0);
    }
    return 0;
}

/* The same CVE in two pages (an incremental update): the newer record's CVSS entries replace
 * the older's, whichever page is read first. */
static void nvd_api__newer_record_replaces_cvss_entries(void **state)
{
    static const char older[] =
        "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": [{\"cve\": {"
        "\"id\": \"CVE-2000-0001\", \"vulnStatus\": \"Analyzed\","
        " \"lastModified\": \"2024-01-01T00:00:00.000\", \"metrics\":"
        " {\"cvssMetricV31\": [{\"source\": \"nvd@nist.gov\", \"type\": \"Primary\", \"cvssData\":"
        " {\"vectorString\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}}]}}}]}";
    static const char newer[] =
        "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": [{\"cve\": {"
        "\"id\": \"CVE-2000-0001\", \"vulnStatus\": \"Modified\","
        " \"lastModified\": \"2025-01-01T00:00:00.000\", \"metrics\":"
        " {\"cvssMetricV31\": [{\"source\": \"nvd@nist.gov\", \"type\": \"Primary\", \"cvssData\":"
        " {\"vectorString\": \"CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N\"}}]}}}]}";
    const char *orders[2][2] = {{older, newer}, {newer, older}};
    (void)state;
    for (int o = 0; o < 2; o++) {
        struct customs_vulndb_writer *w = NULL;
        struct customs_vulndb_import_options opt = {0};
        struct customs_vulndb_counts c = {0};
        struct customs_error err;
        struct built b;
        memset(&b, 0, sizeof(b));
        snprintf(b.path, sizeof(b.path), "/tmp/customs-nvdapi-test-XXXXXX");
        int fd = mkstemp(b.path);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(customs_vulndb_writer_open(&w, b.path, &err), 0);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(customs_vulndb_import_nvd(w, "page", (const uint8_t *)orders[o][i],
                                                       strlen(orders[o][i]), &opt, &c, &err),
                             0);
        }
        assert_int_equal(customs_vulndb_writer_finish(w, &err), 0);
        customs_vulndb_writer_close(w);
        assert_int_equal(customs_vulndb_open(&b.db, b.path, &err), 0);
        struct customs_buf out;
        customs_buf_init(&out, 0);
        assert_int_equal(customs_vulndb_ratings(b.db, "CVE-2000-0001", vectors_into, &out, &err),
                         0);
        assert_string_equal(customs_buf_cstr(&out),
                            "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N;"
                            "nvd Modified;");
        built_release(&b);
        customs_buf_release(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nvd_api__page_check_accepts_a_page_and_keeps_its_paging_fields),
        cmocka_unit_test(nvd_api__page_check_refuses_what_would_lose_or_loop),
        cmocka_unit_test(nvd_api__times_parse_format_and_window),
        cmocka_unit_test(nvd_api__retry_after_seconds_and_dates),
        cmocka_unit_test(nvd_api__rate_limit_is_a_sliding_window),
        cmocka_unit_test(nvd_api__newer_record_replaces_cvss_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
