/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ISA-L against zlib, the reference: the same bytes and the same verdict on every gzip stream,
 * fed in chunks of every size layer.c may see. Synthetic streams here (members, trailing bytes,
 * header fields, every truncation, every corrupted byte), the fuzz corpora, and, run as
 * `test_gunzip_image_gunzip --files PATH...`, every gzip file under PATHs (tests/cli/
 * gunzip_engines.py points it at every test image and the bench images).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <zlib.h>

#include "gunzip_drive.h"

/* Deterministic test data: text-like runs and noise, so that deflate uses every block type. */
static uint8_t *sample(size_t n, uint32_t seed)
{
    uint8_t *p = malloc(n);
    uint32_t x = seed * 2654435761u + 1;
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (i / 512) % 3 == 0 ? (uint8_t)(x >> 24) : (uint8_t)("customs gate "[i % 13]);
    }
    return p;
}

/* gzip `data` as one member at `level`, with optional header fields (zlib's gz_header). */
static size_t gz(uint8_t *dst, size_t cap, const uint8_t *data, size_t n, int level,
                 gz_header *head)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    if (head != NULL) {
        assert_int_equal(deflateSetHeader(&z, head), Z_OK);
    }
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = z.total_out;
    deflateEnd(&z);
    return len;
}

static void skip_without_isal(void)
{
    if (!customs_gunzip_available(CUSTOMS_GUNZIP_ISAL)) {
        print_message("# SKIP ISA-L is not built in (meson option isal)\n");
        skip();
    }
}

/* Both engines agree on `in`; returns zlib's verdict. */
static struct drive_result agree(const uint8_t *in, size_t len)
{
    char what[512];
    struct drive_result ref;
    if (drive_compare(in, len, what, sizeof(what), &ref) != 0) {
        fail_msg("%zu-byte stream: %s", len, what);
    }
    return ref;
}

static void digest_of(const uint8_t *p, size_t n, char out[CUSTOMS_DIGEST_MAX])
{
    struct customs_sha256 s;
    assert_int_equal(customs_sha256_init(&s), 0);
    customs_sha256_update(&s, p, n);
    assert_int_equal(customs_sha256_final(&s, out), 0);
}

static void gunzip__engines_agree_on_every_level_and_size(void **state)
{
    (void)state;
    skip_without_isal();
    static const size_t sizes[] = {0, 1, 100, 70000, 3u << 20};
    uint8_t *buf = malloc(4u << 20);
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint8_t *data = sample(sizes[s] + 1, (uint32_t)s);
        for (int level = 0; level <= 9; level += 3) {
            size_t n = gz(buf, 4u << 20, data, sizes[s], level, NULL);
            struct drive_result r = agree(buf, n);
            char want[CUSTOMS_DIGEST_MAX];
            digest_of(data, sizes[s], want);
            assert_int_equal(r.code, 0);
            assert_int_equal(r.out_len, sizes[s]);
            assert_string_equal(r.digest, want);
        }
        free(data);
    }
    free(buf);
}

static void gunzip__members_and_trailing_bytes(void **state)
{
    (void)state;
    skip_without_isal();
    uint8_t *data = sample(200000, 7);
    uint8_t *buf = malloc(1u << 20);
    size_t n = gz(buf, 1u << 20, data, 150000, 6, NULL);
    n += gz(buf + n, (1u << 20) - n, data, 0, 6, NULL); /* an empty member */
    n += gz(buf + n, (1u << 20) - n, data + 150000, 50000, 1, NULL);
    struct drive_result r = agree(buf, n);
    char want[CUSTOMS_DIGEST_MAX];
    digest_of(data, 200000, want);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.digest, want);

    /* Bytes after the last member that do not start one: hashed by the layer, not inflated. */
    memset(buf + n, 0, 600);
    r = agree(buf, n + 600);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.digest, want);
    memcpy(buf + n, "junk\x1f\x8b", 6); /* a magic later in the trailing bytes changes nothing */
    r = agree(buf, n + 6);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.digest, want);

    /* A next member that is not one: both refuse it. */
    memcpy(buf + n, "\x1f\x00garbage", 9);
    r = agree(buf, n + 9);
    assert_int_equal(r.code, CUSTOMS_EMALFORMED);
    /* A next member cut after its magic: truncated, both ways. */
    memcpy(buf + n, "\x1f\x8b", 2);
    r = agree(buf, n + 2);
    assert_int_equal(r.code, CUSTOMS_EMALFORMED);
    free(data);
    free(buf);
}

static void gunzip__header_fields(void **state)
{
    (void)state;
    skip_without_isal();
    uint8_t *data = sample(5000, 3);
    uint8_t buf[16384];
    unsigned char extra[] = "AB\x04\x00wxyz";
    gz_header h;
    memset(&h, 0, sizeof(h));
    h.name = (Bytef *)"layer.tar";
    h.comment = (Bytef *)"a comment";
    h.extra = extra;
    h.extra_len = 8;
    h.hcrc = 1;
    h.os = 3;
    size_t n = gz(buf, sizeof(buf), data, 5000, 6, &h);
    assert_int_equal(agree(buf, n).code, 0);

    /* the header CRC wrong */
    uint8_t bad[16384];
    memcpy(bad, buf, n);
    size_t hcrc_at = 10 + 2 + 8 + sizeof("layer.tar") + sizeof("a comment");
    bad[hcrc_at] ^= 1;
    assert_int_equal(agree(bad, n).code, CUSTOMS_EMALFORMED);

    /* reserved flag bits (zlib refuses them; ISA-L would not on its own) */
    for (int bit = 5; bit < 8; bit++) {
        memcpy(bad, buf, n);
        bad[3] |= (uint8_t)(1u << bit);
        struct drive_result r = agree(bad, n);
        assert_int_equal(r.code, CUSTOMS_EMALFORMED);
    }
    /* another method than deflate */
    memcpy(bad, buf, n);
    bad[2] = 7;
    assert_int_equal(agree(bad, n).code, CUSTOMS_EMALFORMED);
    free(data);
}

static void gunzip__every_truncation(void **state)
{
    (void)state;
    skip_without_isal();
    uint8_t *data = sample(3000, 11);
    uint8_t buf[8192];
    size_t one = gz(buf, sizeof(buf), data, 3000, 9, NULL);
    size_t n = one + gz(buf + one, sizeof(buf) - one, data, 1000, 1, NULL);
    for (size_t cut = 0; cut < n; cut++) {
        struct drive_result r = agree(buf, cut);
        /* whole members only at the boundary (an empty input is no stream: truncated) */
        assert_int_equal(r.code, cut == one ? 0 : CUSTOMS_EMALFORMED);
    }
    free(data);
}

static void gunzip__every_corrupted_byte(void **state)
{
    (void)state;
    skip_without_isal();
    uint8_t *data = sample(2500, 5);
    uint8_t buf[8192], bad[8192];
    size_t n = gz(buf, sizeof(buf), data, 2500, 6, NULL);
    for (size_t at = 0; at < n; at++) {
        static const uint8_t flips[] = {0x01, 0x80, 0xff};
        for (size_t f = 0; f < sizeof(flips); f++) {
            memcpy(bad, buf, n);
            bad[at] ^= flips[f];
            agree(bad, n);
        }
    }
    free(data);
}

/* Every gzip file under `path` (a file or a directory, recursively): both engines agree. */
static int compare_tree(const char *path, int *count, bool tap)
{
    struct stat st;
    int bad = 0;
    if (lstat(path, &st) != 0) {
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            char sub[4096];
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            bad += compare_tree(sub, count, tap);
        }
        if (d != NULL) {
            closedir(d);
        }
        return bad;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 2) {
        return 0;
    }
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc((size_t)st.st_size);
    size_t len = f != NULL && buf != NULL ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
        char what[512];
        struct drive_result ref;
        int r = drive_compare(buf, len, what, sizeof(what), &ref);
        ++*count;
        if (tap) {
            printf("%sok %d - %s: %s, %llu bytes out\n", r == 0 ? "" : "not ", *count, path,
                   ref.code == 0 ? "valid" : ref.why, (unsigned long long)ref.out_len);
            if (r != 0) {
                printf("#   %s\n", what);
            }
        } else if (r != 0) {
            print_error("%s: %s\n", path, what);
        }
        bad += r != 0;
    }
    free(buf);
    return bad;
}

static void gunzip__fuzz_corpora(void **state)
{
    (void)state;
    skip_without_isal();
    int count = 0;
    assert_int_equal(compare_tree("fuzz/corpus", &count, false), 0);
    assert_true(count >= 4); /* the layer corpus has gzip, multi-member, truncated, trailing */
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "--files") == 0) {
        if (!customs_gunzip_available(CUSTOMS_GUNZIP_ISAL)) {
            printf("1..0 # SKIP ISA-L is not built in (meson option isal)\n");
            return 0;
        }
        int count = 0, bad = 0;
        for (int i = 2; i < argc; i++) {
            bad += compare_tree(argv[i], &count, true);
        }
        printf("1..%d\n", count);
        return bad != 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gunzip__engines_agree_on_every_level_and_size),
        cmocka_unit_test(gunzip__members_and_trailing_bytes),
        cmocka_unit_test(gunzip__header_fields),
        cmocka_unit_test(gunzip__every_truncation),
        cmocka_unit_test(gunzip__every_corrupted_byte),
        cmocka_unit_test(gunzip__fuzz_corpora),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
