/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the layer cache's entry reader (src/scan/layercache.c): the input is an entry file,
 * checked against the key it claims (so the fuzzer gets past the key compare) and decoded when
 * its seal holds; the input is also decoded as a bare payload, so the decoder is explored
 * without the SHA-256 in the way; both as a layer's entry and as an image config's. Whatever
 * decodes must encode and decode back to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/layercache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char magic[CUSTOMS_SEALED_MAGIC_LEN] = "customs-layer\0\0\1";
static const char config_magic[CUSTOMS_SEALED_MAGIC_LEN] = "customs-config\0\1";

static struct customs_layercache *cache(struct customs_limits *limits)
{
    static struct customs_layercache *lc;
    static struct customs_secret_engine *secrets;
    if (lc == NULL) {
        struct customs_error err = {0};
        customs_limits_default(limits);
        limits->max_file_bytes = 1u << 20;
        if (customs_secret_engine_new(&secrets, NULL, NULL, &err) < 0) {
            abort();
        }
        struct customs_layercache_config cfg = {NULL, limits, false, secrets, NULL, NULL};
        if (customs_layercache_open(&lc, &cfg, &err) < 0) {
            abort();
        }
    }
    return lc;
}

/* Decode `p`; if it decodes, its encoding must decode to the same encoding. */
static void decode(const struct customs_layercache *lc, const struct customs_limits *limits,
                   const uint8_t *p, size_t n)
{
    struct customs_collector c;
    struct customs_collector again;
    struct customs_error err = {0};
    struct customs_buf b1;
    struct customs_buf b2;
    customs_collector_init(&c, 3, limits);
    customs_collector_init(&again, 3, limits);
    customs_buf_init(&b1, 0);
    customs_buf_init(&b2, 0);
    if (customs_layercache_decode(&c, lc, p, n, &err) == 0 &&
        customs_layercache_encode(&b1, &c) == 0) {
        if (customs_layercache_decode(&again, lc, b1.ptr, b1.len, &err) != 0 ||
            customs_layercache_encode(&b2, &again) != 0 || b1.len != b2.len ||
            memcmp(b1.ptr, b2.ptr, b1.len) != 0) {
            abort(); /* an entry that decodes is one the encoder writes back the same */
        }
    }
    customs_buf_release(&b1);
    customs_buf_release(&b2);
    customs_collector_release(&again);
    customs_collector_release(&c);
}

/* The same for an image config's entry. */
static void decode_config(const struct customs_layercache *lc, const uint8_t *p, size_t n)
{
    struct customs_vec hits, again;
    struct customs_arena arena;
    struct customs_error err = {0};
    struct customs_buf b1;
    struct customs_buf b2;
    customs_vec_init(&hits, sizeof(struct customs_layercache_config_secret));
    customs_vec_init(&again, sizeof(struct customs_layercache_config_secret));
    customs_arena_init(&arena);
    customs_buf_init(&b1, 0);
    customs_buf_init(&b2, 0);
    if (customs_layercache_config_decode(&hits, &arena, lc, p, n, &err) == 0 &&
        customs_layercache_config_encode(&b1, &hits) == 0) {
        if (customs_layercache_config_decode(&again, &arena, lc, b1.ptr, b1.len, &err) != 0 ||
            customs_layercache_config_encode(&b2, &again) != 0 || b1.len != b2.len ||
            memcmp(b1.ptr, b2.ptr, b1.len) != 0) {
            abort();
        }
    }
    customs_buf_release(&b1);
    customs_buf_release(&b2);
    customs_arena_release(&arena);
    customs_vec_release(&hits);
    customs_vec_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct customs_limits limits;
    const struct customs_layercache *lc = cache(&limits);
    char key[CUSTOMS_SEALED_KEY_LEN] = {0};
    struct customs_bytes payload = {0};
    if (size >= CUSTOMS_SEALED_MAGIC_LEN + CUSTOMS_SEALED_KEY_LEN - 1) {
        memcpy(key, data + CUSTOMS_SEALED_MAGIC_LEN, CUSTOMS_SEALED_KEY_LEN - 1);
    }
    if (customs_sealed_parse(&payload, data, size, magic, key) == 0) {
        decode(lc, &limits, payload.ptr, payload.len);
    }
    if (customs_sealed_parse(&payload, data, size, config_magic, key) == 0) {
        decode_config(lc, payload.ptr, payload.len);
    }
    decode(lc, &limits, data, size);
    decode_config(lc, data, size);
    return 0;
}
