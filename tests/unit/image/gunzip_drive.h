/* SPDX-License-Identifier: Apache-2.0 */
/* Test helper: run one gzip engine over a buffer the way layer.c does (input in chunks, output
 * in windows), and compare the two engines. Used by test_gunzip.c and fuzz_gunzip.c. */
#ifndef CUSTOMS_TESTS_GUNZIP_DRIVE_H
#define CUSTOMS_TESTS_GUNZIP_DRIVE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "image/gunzip.h"

/* What one engine made of a stream: its verdict, and the length and digest of its output. */
struct drive_result {
    int code; /* 0 or CUSTOMS_EMALFORMED */
    const char *why;
    uint64_t out_len;
    char digest[CUSTOMS_DIGEST_MAX];
};

/* Feed `in` `chunk` bytes at a time, with `window` bytes of output space per call. */
static inline void drive(enum customs_gunzip_engine engine, const uint8_t *in, size_t len,
                         size_t chunk, size_t window, struct drive_result *res)
{
    struct customs_gunzip *g = customs_gunzip_new(engine);
    struct customs_sha256 sha;
    uint8_t *out = malloc(window);
    size_t pos = 0;
    memset(res, 0, sizeof(*res));
    if (g == NULL || out == NULL || customs_sha256_init(&sha) != 0) {
        fprintf(stderr, "gunzip_drive: out of memory\n");
        abort();
    }
    while (res->code == 0) {
        size_t end = len - pos < chunk ? len : pos + chunk;
        if (pos == len) {
            res->code = customs_gunzip_finish(g, &res->why);
            break;
        }
        while (pos < end) {
            size_t used, made;
            res->code = customs_gunzip_run(g, in + pos, end - pos, out, window, &used, &made,
                                           &res->why);
            if (res->code != 0) {
                break;
            }
            customs_sha256_update(&sha, out, made);
            res->out_len += made;
            pos += used;
        }
    }
    customs_sha256_final(&sha, res->digest);
    customs_gunzip_free(g);
    free(out);
}

/* The ways of feeding a stream the engines are compared under (input chunk, output window). */
static const size_t drive_feeds[][2] = {
    {SIZE_MAX, 256u * 1024}, /* one chunk, layer.c's window */
    {4096, 256u * 1024},
    {65536, 1000},
    {1, 256u * 1024}, /* used for streams under 64 KiB only */
};

/* Compare zlib and ISA-L on `in` under every feed; 0 when they agree (the same verdict, and on
 * success the same bytes), else -1 with `what` describing the first disagreement. Also fails
 * when zlib's own verdict depends on how the stream is fed. */
static inline int drive_compare(const uint8_t *in, size_t len, char *what, size_t cap,
                                struct drive_result *ref)
{
    size_t nfeeds = sizeof(drive_feeds) / sizeof(drive_feeds[0]);
    for (size_t f = 0; f < nfeeds; f++) {
        size_t chunk = drive_feeds[f][0], window = drive_feeds[f][1];
        struct drive_result z, i;
        if (chunk == 1 && len > 65536) {
            continue;
        }
        drive(CUSTOMS_GUNZIP_ZLIB, in, len, chunk, window, &z);
        drive(CUSTOMS_GUNZIP_ISAL, in, len, chunk, window, &i);
        if (f == 0) {
            *ref = z;
        }
        if (z.code != i.code || (z.code == 0 && (z.out_len != i.out_len ||
                                                 strcmp(z.digest, i.digest) != 0))) {
            snprintf(what, cap,
                     "chunk %zu window %zu: zlib %d (%s) %llu bytes %s, isal %d (%s) %llu bytes %s",
                     chunk, window, z.code, z.why ? z.why : "ok", (unsigned long long)z.out_len,
                     z.digest, i.code, i.why ? i.why : "ok", (unsigned long long)i.out_len,
                     i.digest);
            return -1;
        }
        if (z.code != ref->code || (z.code == 0 && strcmp(z.digest, ref->digest) != 0)) {
            snprintf(what, cap, "chunk %zu window %zu: zlib's verdict changes with the feed",
                     chunk, window);
            return -1;
        }
    }
    return 0;
}

#endif
