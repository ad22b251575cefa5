/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the header check of the compiled secret-rule cache (src/secrets/cache.c): the input is a
 * cache file, checked against the key it claims (so that the fuzzer gets past the key compare);
 * a payload that passes is handed to Vectorscan only with its SHA-256 intact. */
#include <hs/hs.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "secrets/cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char key[CUSTOMS_SECRET_CACHE_KEY_LEN] = {0};
    struct customs_bytes payload = {0};
    if (size >= CUSTOMS_SECRET_CACHE_MAGIC_LEN + CUSTOMS_SECRET_CACHE_KEY_LEN - 1) {
        memcpy(key, data + CUSTOMS_SECRET_CACHE_MAGIC_LEN, CUSTOMS_SECRET_CACHE_KEY_LEN - 1);
    }
    if (customs_secret_cache_parse(&payload, data, size, key) == 0) {
        hs_database_t *db = NULL;
        if (hs_deserialize_database((const char *)payload.ptr, payload.len, &db) == HS_SUCCESS) {
            hs_free_database(db);
        }
    }
    return 0;
}
