/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"
#include "tarbuild.h"

/* A visitor that records entries as "TYPE PATH[ -> LINK][ = DATA]" lines. */
struct seen {
    char log[8192];
    size_t len;
    bool want_data;
};

static int seen_entry(void *ctx, const struct customs_entry *e)
{
    struct seen *s = ctx;
    static const char types[] = "fdlhowq";
    s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "%c %s",
                               types[e->type], e->path);
    if (e->link != NULL) {
        s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, " -> %s", e->link);
    }
    if (e->type == CUSTOMS_ENTRY_FILE && s->want_data) {
        s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, " = ");
        return 1;
    }
    s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "\n");
    return 0;
}

static int seen_data(void *ctx, const void *buf, size_t len)
{
    struct seen *s = ctx;
    s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "%.*s", (int)len,
                               (const char *)buf);
    return 0;
}

static int seen_end(void *ctx)
{
    struct seen *s = ctx;
    s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "\n");
    return 0;
}

static int walk(const unsigned char *data, size_t len, const char *want_digest,
                const char *want_diff, const struct customs_limits *limits, struct seen *s,
                struct customs_layer_stats *stats, struct customs_error *err)
{
    struct customs_blob_stream blob;
    struct customs_byte_budget budget = {0};
    struct customs_walk_visitor v = {seen_entry, seen_data, seen_end, s};
    struct customs_limits def;
    if (limits == NULL) {
        customs_limits_default(&def);
        limits = &def;
    }
    assert_int_equal(customs_blob_stream_memory(&blob, data, len), 0);
    int r = customs_layer_walk(stats, &blob, "layer 0", 0, want_digest, want_diff, limits,
                               &budget, &v, err);
    blob.close(blob.ctx);
    return r;
}

static void sample(struct tarbuild *t)
{
    tb_open(t);
    tb_add(t, "etc/", 'd', NULL, 0755);
    tb_add(t, "./etc/os-release", 'l', "../usr/lib/os-release", 0777);
    tb_add(t, "usr/lib/os-release", 'f', "ID=debian\n", 0644);
    tb_add(t, "/usr/lib/hard", 'h', "usr/lib/os-release", 0644);
    tb_add(t, "app/.wh.old", 'f', "", 0644);
    tb_add(t, "app/cache/.wh..wh..opq", 'f', "", 0644);
    tb_add(t, "/abs/../escape", 'f', "x", 0644);
    tb_close(t);
}

static const char sample_log[] = "d /etc\n"
                                 "l /etc/os-release -> ../usr/lib/os-release\n"
                                 "f /usr/lib/os-release = ID=debian\n\n"
                                 "h /usr/lib/hard -> /usr/lib/os-release\n"
                                 "w /app/old\n"
                                 "q /app/cache\n"
                                 "f /escape = x\n";

static void layer_walk__reads_plain_gzip_and_zstd_tars_alike(void **state)
{
    struct tarbuild t;
    struct customs_layer_stats plain, gz, zs;
    struct customs_error err = {0};
    (void)state;
    sample(&t);
    size_t gzlen, zslen;
    unsigned char *g = tb_gzip(t.buf, t.used, &gzlen);
    unsigned char *z = tb_zstd(t.buf, t.used, &zslen);
    struct seen s1 = {.want_data = true}, s2 = {.want_data = true}, s3 = {.want_data = true};
    assert_int_equal(walk(t.buf, t.used, NULL, NULL, NULL, &s1, &plain, &err), 0);
    assert_int_equal(walk(g, gzlen, NULL, NULL, NULL, &s2, &gz, &err), 0);
    assert_int_equal(walk(z, zslen, NULL, NULL, NULL, &s3, &zs, &err), 0);
    assert_string_equal(s1.log, sample_log);
    assert_string_equal(s2.log, sample_log);
    assert_string_equal(s3.log, sample_log);
    assert_string_equal(plain.compression, "none");
    assert_string_equal(gz.compression, "gzip");
    assert_string_equal(zs.compression, "zstd");
    /* the diff_id is the hash of the uncompressed tar, whatever the codec */
    assert_string_equal(plain.diff_id, gz.diff_id);
    assert_string_equal(plain.diff_id, zs.diff_id);
    assert_string_equal(plain.digest, plain.diff_id);
    assert_string_not_equal(gz.digest, gz.diff_id);
    assert_int_equal(gz.bytes_in, gzlen);
    assert_int_equal(gz.bytes_out, t.used);
    assert_int_equal(plain.entries, 7);
    free(g);
    free(z);
    free(t.buf);
}

static void layer_walk__rejects_a_blob_whose_digest_differs(void **state)
{
    struct tarbuild t;
    struct customs_layer_stats st;
    struct customs_error err = {0};
    struct seen s = {0};
    (void)state;
    sample(&t);
    const char *bad = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(walk(t.buf, t.used, bad, NULL, NULL, &s, &st, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "digest mismatch"));
    assert_non_null(strstr(err.message, bad));
    assert_int_equal(walk(t.buf, t.used, NULL, bad, NULL, &s, &st, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "diff_id mismatch"));
    free(t.buf);
}

static void layer_walk__reports_truncated_gzip(void **state)
{
    struct tarbuild t;
    struct customs_layer_stats st;
    struct customs_error err = {0};
    struct seen s = {0};
    size_t gzlen;
    (void)state;
    sample(&t);
    unsigned char *g = tb_gzip(t.buf, t.used, &gzlen);
    int r = walk(g, gzlen / 2, NULL, NULL, NULL, &s, &st, &err);
    assert_int_equal(r, CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "layer 0"));
    free(g);
    free(t.buf);
}

static void layer_walk__stops_a_gzip_bomb_by_ratio(void **state)
{
    struct tarbuild t;
    struct customs_layer_stats st;
    struct customs_error err = {0};
    struct seen s = {0};
    struct customs_limits lim;
    size_t gzlen;
    (void)state;
    char *zeros = calloc(1, 4u << 20);
    memset(zeros, 'a', (4u << 20) - 1);
    tb_open(&t);
    tb_add(&t, "bomb", 'f', zeros, 0644);
    tb_close(&t);
    unsigned char *g = tb_gzip(t.buf, t.used, &gzlen);
    customs_limits_default(&lim);
    lim.ratio_grace_bytes = 1u << 20;
    lim.max_ratio = 50;
    assert_int_equal(walk(g, gzlen, NULL, NULL, &lim, &s, &st, &err), CUSTOMS_ELIMIT);
    assert_non_null(strstr(err.message, "compression ratio"));
    customs_limits_default(&lim);
    lim.max_total_bytes = 1u << 20;
    assert_int_equal(walk(g, gzlen, NULL, NULL, &lim, &s, &st, &err), CUSTOMS_ELIMIT);
    assert_non_null(strstr(err.message, "total uncompressed"));
    free(zeros);
    free(g);
    free(t.buf);
}

static void layer_walk__limits_entries_and_path_length(void **state)
{
    struct tarbuild t;
    struct customs_layer_stats st;
    struct customs_error err = {0};
    struct seen s = {0};
    struct customs_limits lim;
    (void)state;
    sample(&t);
    customs_limits_default(&lim);
    lim.max_entries = 3;
    assert_int_equal(walk(t.buf, t.used, NULL, NULL, &lim, &s, &st, &err), CUSTOMS_ELIMIT);
    assert_non_null(strstr(err.message, "too many entries"));
    customs_limits_default(&lim);
    lim.max_path = 10;
    s.len = 0;
    assert_int_equal(walk(t.buf, t.used, NULL, NULL, &lim, &s, &st, &err), CUSTOMS_ELIMIT);
    assert_non_null(strstr(err.message, "path too long"));
    free(t.buf);
}

static void layer_walk__refuses_entries_that_climb_out_of_the_root(void **state)
{
    struct tarbuild t;
    struct customs_layer_stats st;
    struct customs_error err = {0};
    struct seen s = {0};
    (void)state;
    tb_open(&t);
    tb_add(&t, "app/ok", 'f', "x", 0644);
    tb_add(&t, "app/../../../etc/passwd", 'f', "root:x:0:0", 0644);
    tb_close(&t);
    assert_int_equal(walk(t.buf, t.used, NULL, NULL, NULL, &s, &st, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "app/../../../etc/passwd"));
    assert_non_null(strstr(err.message, "climbs out of the image root"));
    free(t.buf);
}

static void layer_walk__rejects_garbage_that_is_not_a_tar(void **state)
{
    struct customs_layer_stats st;
    struct customs_error err = {0};
    struct seen s = {0};
    static const unsigned char junk[600] = "this is not a tar archive at all";
    (void)state;
    int r = walk(junk, sizeof(junk), NULL, NULL, NULL, &s, &st, &err);
    assert_int_equal(r, CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "layer 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layer_walk__reads_plain_gzip_and_zstd_tars_alike),
        cmocka_unit_test(layer_walk__rejects_a_blob_whose_digest_differs),
        cmocka_unit_test(layer_walk__reports_truncated_gzip),
        cmocka_unit_test(layer_walk__stops_a_gzip_bomb_by_ratio),
        cmocka_unit_test(layer_walk__limits_entries_and_path_length),
        cmocka_unit_test(layer_walk__refuses_entries_that_climb_out_of_the_root),
        cmocka_unit_test(layer_walk__rejects_garbage_that_is_not_a_tar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
