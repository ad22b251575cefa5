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

/* Every test runs twice: reading on the caller's thread, then pipelined (a second thread
 * decompresses and hashes): the results must not differ. */
static bool pipelined;

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
                               &budget, pipelined, &v, err);
    blob.close(blob.ctx);
    return r;
}

/* A visitor that folds every path and byte into one hash, and fails after `fail_after` bytes. */
struct fold {
    uint64_t hash;
    uint64_t bytes;
    uint64_t fail_after;
};

static void fold_in(struct fold *f, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        f->hash = (f->hash ^ c[i]) * 1099511628211u;
    }
}

static int fold_entry(void *ctx, const struct customs_entry *e)
{
    fold_in(ctx, e->path, strlen(e->path) + 1);
    return e->type == CUSTOMS_ENTRY_FILE;
}

static int fold_data(void *ctx, const void *buf, size_t len)
{
    struct fold *f = ctx;
    fold_in(f, buf, len);
    f->bytes += len;
    return f->fail_after != 0 && f->bytes > f->fail_after ? -42 : 0;
}

static int fold_end(void *ctx)
{
    (void)ctx;
    return 0;
}

static int walk_big(const unsigned char *data, size_t len, bool pipe, struct fold *f,
                    struct customs_layer_stats *stats, struct customs_error *err)
{
    struct customs_blob_stream blob;
    struct customs_byte_budget budget = {0};
    struct customs_walk_visitor v = {fold_entry, fold_data, fold_end, f};
    struct customs_limits lim;
    customs_limits_default(&lim);
    assert_int_equal(customs_blob_stream_memory(&blob, data, len), 0);
    int r = customs_layer_walk(stats, &blob, "layer 0", 0, NULL, NULL, &lim, &budget, pipe, &v,
                               err);
    blob.close(blob.ctx);
    return r;
}

/* Several megabytes, many chunks through the ring: the pipelined walk sees the same entries and
 * bytes and computes the same digests; a visitor's failure midway stops both threads and is
 * the result; a truncated stream fails after the bytes before the cut were seen. */
static void layer_walk__pipelined_reads_many_chunks_alike(void **state)
{
    struct tarbuild t;
    struct customs_error err = {0};
    (void)state;
    size_t fsz = 500000;
    char *text = malloc(fsz + 1);
    assert_non_null(text);
    uint32_t x = 12345;
    tb_open(&t);
    for (int i = 0; i < 12; i++) {
        char name[32];
        for (size_t k = 0; k < fsz; k++) {
            x = x * 1103515245u + 12345u;
            text[k] = (char)('!' + (x >> 16) % 90);
        }
        text[fsz] = '\0';
        snprintf(name, sizeof(name), "data/file-%02d", i);
        tb_add(&t, name, 'f', text, 0644);
    }
    tb_close(&t);
    free(text);
    size_t gzlen;
    unsigned char *g = tb_gzip(t.buf, t.used, &gzlen);
    struct customs_layer_stats a, b;
    struct fold fa = {14695981039346656037u, 0, 0}, fb = fa;
    assert_int_equal(walk_big(g, gzlen, false, &fa, &a, &err), 0);
    assert_int_equal(walk_big(g, gzlen, true, &fb, &b, &err), 0);
    assert_int_equal(fa.bytes, 12 * fsz);
    assert_int_equal(fa.bytes, fb.bytes);
    assert_true(fa.hash == fb.hash);
    assert_string_equal(a.digest, b.digest);
    assert_string_equal(a.diff_id, b.diff_id);
    assert_int_equal(a.bytes_in, b.bytes_in);
    assert_int_equal(a.bytes_out, b.bytes_out);
    assert_int_equal(a.entries, b.entries);
    assert_string_equal(b.compression, "gzip");
    assert_int_equal(b.bytes_out, t.used);

    struct fold stop = {0, 0, 3 * fsz};
    assert_int_equal(walk_big(g, gzlen, true, &stop, &b, &err), -42);
    assert_true(stop.bytes < 4 * fsz);

    struct fold cut = {0, 0, 0};
    assert_int_equal(walk_big(g, gzlen / 2, true, &cut, &b, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "truncated gzip"));
    assert_true(cut.bytes > 3 * fsz);
    free(g);
    free(t.buf);
}

static int direct(void **state)
{
    (void)state;
    pipelined = false;
    return 0;
}

static int piped(void **state)
{
    (void)state;
    pipelined = true;
    return 0;
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

/* A memory stream that says it verifies its own digest (as a registry's does), and notes
 * whether it was read to its end (where such a stream judges the digest). */
struct verifying {
    struct customs_blob_stream inner;
    bool ended;
};

static int verifying_read(void *ctx, const void **buf, size_t *len, struct customs_error *err)
{
    struct verifying *vs = ctx;
    int r = vs->inner.read(vs->inner.ctx, buf, len, err);
    if (r == 0 && *len == 0) {
        vs->ended = true;
    }
    return r;
}

static void layer_walk__trusts_a_stream_that_verifies_its_digest(void **state)
{
    struct tarbuild t;
    struct customs_layer_stats st;
    struct customs_error err = {0};
    struct seen s = {0};
    struct verifying vs = {.ended = false};
    struct customs_byte_budget budget = {0};
    struct customs_walk_visitor v = {seen_entry, seen_data, seen_end, &s};
    struct customs_limits lim;
    (void)state;
    customs_limits_default(&lim);
    sample(&t);
    /* a digest these bytes do not have: a verifying stream is not hashed a second time */
    const char *named = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    assert_int_equal(customs_blob_stream_memory(&vs.inner, t.buf, t.used), 0);
    struct customs_blob_stream blob = {verifying_read, NULL, &vs, true};
    assert_int_equal(customs_layer_walk(&st, &blob, "layer 0", 0, named, NULL, &lim, &budget,
                                        pipelined, &v, &err),
                     0);
    assert_string_equal(st.digest, named);
    assert_true(vs.ended); /* read to its end, where the stream judges its digest */
    assert_int_equal(st.entries, 7);
    vs.inner.close(vs.inner.ctx);
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

/* each test on the caller's thread, then pipelined */
#define BOTH(f) cmocka_unit_test_setup(f, direct), cmocka_unit_test_setup(f, piped)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(layer_walk__reads_plain_gzip_and_zstd_tars_alike),
        BOTH(layer_walk__rejects_a_blob_whose_digest_differs),
        BOTH(layer_walk__trusts_a_stream_that_verifies_its_digest),
        BOTH(layer_walk__reports_truncated_gzip),
        BOTH(layer_walk__stops_a_gzip_bomb_by_ratio),
        BOTH(layer_walk__limits_entries_and_path_length),
        BOTH(layer_walk__refuses_entries_that_climb_out_of_the_root),
        BOTH(layer_walk__rejects_garbage_that_is_not_a_tar),
        cmocka_unit_test(layer_walk__pipelined_reads_many_chunks_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
