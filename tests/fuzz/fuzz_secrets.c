/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the secret matcher: the input is one file, fed in chunks whose sizes come from its first
 * byte, through the built-in rules; every reported secret must lie inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "secrets/secrets.h"

static struct customs_secret_engine *engine;
static struct customs_secret_scanner *scanner;

struct ctx {
    const uint8_t *data;
    size_t size;
};

static int check(void *c, const struct customs_secret_match *m)
{
    const struct ctx *x = c;
    if (m->offset > x->size || m->secret_len == 0 || m->secret_len > 1024) {
        __builtin_trap();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_error err;
    struct ctx x = {data, size};
    if (engine == NULL) {
        if (customs_secret_engine_new(&engine, NULL, NULL, &err) != 0 ||
            customs_secret_scanner_new(&scanner, engine) != 0) {
            abort();
        }
    }
    size_t step = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
    fuzz_result(customs_secret_begin(scanner, "/app/.env", size));
    for (size_t off = 0; off < size; off += step) {
        size_t n = off + step <= size ? step : size - off;
        fuzz_result(customs_secret_feed(scanner, data + off, n));
    }
    fuzz_result(customs_secret_end(scanner, check, &x));
    return 0;
}
