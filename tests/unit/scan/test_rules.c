/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiled rules with their own lifetime (src/scan/rules.c): one customs_rules object serves
 * many scans of a small OCI image built here, each scan finds what it should, and resident
 * memory does not grow with the number of scans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "customs/customs.h"

#define SCANS 10000
#define SCANS_SANITIZED 200 /* ASan's quarantine holds freed memory: LeakSanitizer checks */
#define WARM_UP 500
#define RSS_GROWTH_MAX (2u << 20)

struct fixture {
    char dir[64];
    char target[80];
};

static const char os_release[] = "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";
static const char dpkg_status[] = "Package: zlib1g\nStatus: install ok installed\n"
                                  "Architecture: amd64\nVersion: 1:1.2.13.dfsg-1\n\n";
static const char app_env[] = "aws_access_key_id = AKIA7KLFYYLBEG3RHDSV\n";

static void tar_member(struct customs_buf *tar, const char *name, const char *data, size_t len)
{
    unsigned char h[512] = {0};
    unsigned sum = 0;
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011zo", len);
    snprintf((char *)h + 136, 12, "%011o", 0);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (size_t i = 0; i < sizeof(h); i++) {
        sum += h[i];
    }
    snprintf((char *)h + 148, 8, "%06o", sum);
    assert_int_equal(customs_buf_append(tar, h, sizeof(h)), 0);
    assert_int_equal(customs_buf_append(tar, data, len), 0);
    static const char pad[512] = {0};
    assert_int_equal(customs_buf_append(tar, pad, (512 - len % 512) % 512), 0);
}

/* Write `data` as a blob of the layout; its digest into `digest`. */
static void put_blob(const struct fixture *f, const void *data, size_t len,
                     char digest[CUSTOMS_DIGEST_MAX])
{
    struct customs_sha256 sha;
    char path[256];
    assert_int_equal(customs_sha256_init(&sha), 0);
    customs_sha256_update(&sha, data, len);
    assert_int_equal(customs_sha256_final(&sha, digest), 0);
    assert_int_equal(customs_fmt(path, sizeof(path), "%s/blobs/sha256/%s", f->dir, digest + 7),
                     0);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(data, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
}

static void put_file(const struct fixture *f, const char *name, const char *text)
{
    char path[256];
    assert_int_equal(customs_fmt(path, sizeof(path), "%s/%s", f->dir, name), 0);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fputs(text, out) >= 0, 1);
    assert_int_equal(fclose(out), 0);
}

/* An OCI layout of one uncompressed layer: Debian's os-release, one dpkg package, a secret. */
static int image_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct customs_buf tar, json;
    char layer[CUSTOMS_DIGEST_MAX], config[CUSTOMS_DIGEST_MAX], manifest[CUSTOMS_DIGEST_MAX];
    char sub[128];
    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/customs-rules-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(customs_fmt(sub, sizeof(sub), "%s/blobs", f->dir), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(customs_fmt(sub, sizeof(sub), "%s/blobs/sha256", f->dir), 0);
    assert_int_equal(mkdir(sub, 0755), 0);

    customs_buf_init(&tar, 0);
    tar_member(&tar, "etc/os-release", os_release, sizeof(os_release) - 1);
    tar_member(&tar, "var/lib/dpkg/status", dpkg_status, sizeof(dpkg_status) - 1);
    tar_member(&tar, "app/.env", app_env, sizeof(app_env) - 1);
    static const char end[1024] = {0};
    assert_int_equal(customs_buf_append(&tar, end, sizeof(end)), 0);
    put_blob(f, tar.ptr, tar.len, layer);

    customs_buf_init(&json, 0);
    assert_int_equal(customs_buf_printf(&json,
                                        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":"
                                        "{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
                                        "[\"%s\"]}}",
                                        layer),
                     0);
    size_t config_len = json.len;
    put_blob(f, json.ptr, json.len, config);
    customs_buf_reset(&json);
    assert_int_equal(
        customs_buf_printf(&json,
                           "{\"schemaVersion\":2,\"mediaType\":"
                           "\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                           "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                           "\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
                           "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\","
                           "\"size\":%zu}]}",
                           config, config_len, layer, tar.len),
        0);
    size_t manifest_len = json.len;
    put_blob(f, json.ptr, json.len, manifest);
    customs_buf_reset(&json);
    assert_int_equal(customs_buf_printf(&json,
                                        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                                        "\"application/vnd.oci.image.manifest.v1+json\","
                                        "\"digest\":\"%s\",\"size\":%zu}]}",
                                        manifest, manifest_len),
                     0);
    put_file(f, "index.json", customs_buf_cstr(&json));
    put_file(f, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    customs_buf_release(&json);
    customs_buf_release(&tar);
    assert_int_equal(customs_fmt(f->target, sizeof(f->target), "oci:%s", f->dir), 0);
    *state = f;
    return 0;
}

static int image_teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    if (customs_fmt(cmd, sizeof(cmd), "rm -rf '%s'", f->dir) == 0 && system(cmd) != 0) {
        fprintf(stderr, "# could not remove %s\n", f->dir);
    }
    free(f);
    return 0;
}

static void options(struct customs_scan_options *opts)
{
    customs_scan_options_default(opts);
    opts->threads = 1;
    opts->scanners = CUSTOMS_SCAN_PACKAGES | CUSTOMS_SCAN_SECRETS | CUSTOMS_SCAN_MALWARE |
                     CUSTOMS_SCAN_CONFIG;
}

static size_t resident_bytes(void)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void scan_once(const struct fixture *f, const struct customs_scan_options *opts)
{
    struct customs_report *report = NULL;
    struct customs_error err = {0};
    int rc = customs_scan(&report, f->target, opts, &err);
    if (rc != 0) {
        fail_msg("scan: %s", err.message);
    }
    assert_int_equal(customs_report_count(report, CUSTOMS_REPORT_PACKAGES), 1);
    assert_int_equal(customs_report_count(report, CUSTOMS_REPORT_SECRETS), 1);
    assert_int_equal(customs_report_count(report, CUSTOMS_REPORT_ERRORS), 0);
    customs_report_free(report);
}

static void rules__serve_many_scans_without_growing(void **state)
{
    const struct fixture *f = *state;
    struct customs_scan_options opts;
    struct customs_error err = {0};
    bool sanitized = getenv("CUSTOMS_SANITIZED") != NULL;
    size_t scans = sanitized ? SCANS_SANITIZED : SCANS;
    size_t warm = sanitized ? scans / 2 : WARM_UP;
    size_t before = 0;
    options(&opts);
    assert_int_equal(customs_rules_new(&opts.rules, &opts, &err), 0);
    for (size_t i = 0; i < scans; i++) {
        if (i == warm) {
            before = resident_bytes();
        }
        scan_once(f, &opts);
    }
    size_t after = resident_bytes();
    customs_rules_free(opts.rules);
    printf("# %zu scans with one compiled-rules object: resident %zu KiB after %zu, %zu KiB"
           " at the end\n",
           scans, before >> 10, warm, after >> 10);
    if (!sanitized && after > before + RSS_GROWTH_MAX) {
        fail_msg("resident memory grew by %zu KiB over %zu scans (limit %u KiB)",
                 (after - before) >> 10, scans - warm, RSS_GROWTH_MAX >> 10);
    }
}

static void rules__outlive_the_callers_reference_while_a_scan_holds_one(void **state)
{
    const struct fixture *f = *state;
    struct customs_scan_options opts;
    struct customs_error err = {0};
    options(&opts);
    assert_int_equal(customs_rules_new(&opts.rules, &opts, &err), 0);
    struct customs_rules *held = customs_rules_ref(opts.rules);
    assert_ptr_equal(held, opts.rules);
    customs_rules_free(opts.rules); /* the other reference keeps them */
    opts.rules = held;
    scan_once(f, &opts);
    customs_rules_free(held);
    customs_rules_free(NULL);
}

static void rules__without_an_engine_the_scan_asks_for_are_refused(void **state)
{
    const struct fixture *f = *state;
    struct customs_scan_options opts;
    struct customs_report *report = NULL;
    struct customs_error err = {0};
    options(&opts);
    opts.scanners = CUSTOMS_SCAN_PACKAGES | CUSTOMS_SCAN_SECRETS;
    assert_int_equal(customs_rules_new(&opts.rules, &opts, &err), 0);
    opts.scanners |= CUSTOMS_SCAN_MALWARE;
    assert_int_equal(customs_scan(&report, f->target, &opts, &err), CUSTOMS_EINVAL);
    assert_null(report);
    assert_non_null(strstr(err.message, "no malware rules"));
    customs_rules_free(opts.rules);
}

static void rules__report_a_bad_user_rule_file_by_name(void **state)
{
    (void)state;
    struct customs_scan_options opts;
    struct customs_rules *rules = NULL;
    struct customs_error err = {0};
    options(&opts);
    opts.secret_rules = "/nonexistent/customs-rules.yaml";
    assert_true(customs_rules_new(&rules, &opts, &err) < 0);
    assert_null(rules);
    assert_non_null(strstr(err.message, "/nonexistent/customs-rules.yaml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules__serve_many_scans_without_growing),
        cmocka_unit_test(rules__outlive_the_callers_reference_while_a_scan_holds_one),
        cmocka_unit_test(rules__without_an_engine_the_scan_asks_for_are_refused),
        cmocka_unit_test(rules__report_a_bad_user_rule_file_by_name),
    };
    return cmocka_run_group_tests(tests, image_setup, image_teardown);
}
