/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the layer pipeline: codec detection, gzip/zstd, limits, libarchive's tar reader and
 * entry normalisation, with a visitor that asks for every file's data. */
#include <stdint.h>
#include <string.h>

#include "image/image.h"

static int fz_entry(void *ctx, const struct customs_entry *e)
{
    (void)ctx;
    return e->path[0] == '/' ? 1 : -1; /* paths must come out absolute */
}

static int fz_data(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return 0;
}

static int fz_end(void *ctx)
{
    (void)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_blob_stream blob;
    struct customs_byte_budget budget = {0};
    struct customs_layer_stats stats;
    struct customs_error err;
    struct customs_limits lim;
    struct customs_walk_visitor v = {fz_entry, fz_data, fz_end, NULL};
    customs_limits_default(&lim);
    lim.max_total_bytes = 64u << 20;
    lim.ratio_grace_bytes = 1u << 20;
    lim.max_entries = 10000;
    if (customs_blob_stream_memory(&blob, data, size) != 0) {
        return 0;
    }
    int r = customs_layer_walk(&stats, &blob, "fuzz", 0, NULL, NULL, &lim, &budget, false, &v, &err);
    if (r == -1) {
        __builtin_trap(); /* a visitor saw a relative path */
    }
    blob.close(blob.ctx);
    return 0;
}
