/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_IMAGE_GUNZIP_H
#define CUSTOMS_IMAGE_GUNZIP_H

/*
 * gzip layer streams (private to src/image/): one or more gzip members, optionally followed by
 * trailing bytes, decompressed by zlib or by ISA-L's igzip inflate. The framing (where a member
 * starts, what counts as trailing bytes, what is truncated) lives here, the same for both
 * engines; the engine only inflates one member. zlib is the reference: the two engines give
 * the same bytes and the same verdict on every stream (tests/unit/image/test_gunzip.c,
 * tests/cli/gunzip_engines.sh).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

enum customs_gunzip_engine {
    CUSTOMS_GUNZIP_ZLIB,
    CUSTOMS_GUNZIP_ISAL,
};

struct customs_gunzip;

/** The engine layers use: ISA-L when it was built in (Meson option `isal`), else zlib. */
enum customs_gunzip_engine customs_gunzip_default(void);

/** Was `engine` built in? (zlib always is.) */
bool customs_gunzip_available(enum customs_gunzip_engine engine);

/** A decompressor for one gzip stream; NULL when out of memory or the engine is absent. */
CUSTOMS_MUST_USE struct customs_gunzip *customs_gunzip_new(enum customs_gunzip_engine engine);
void customs_gunzip_free(struct customs_gunzip *g);

/**
 * Decompress from `in` into `out`: sets how many input bytes were consumed and output bytes
 * produced (either may be 0 while the other is not; call again with the rest of the input).
 * @return 0, or CUSTOMS_EMALFORMED with *why naming the damage (a static string).
 */
CUSTOMS_MUST_USE int customs_gunzip_run(struct customs_gunzip *g, const uint8_t *in, size_t in_len,
                                        uint8_t *out, size_t cap, size_t *consumed,
                                        size_t *produced, const char **why);

/**
 * The input ended: 0 when it ended between members or in trailing bytes,
 * CUSTOMS_EMALFORMED with *why when it ended inside a member (truncated).
 */
CUSTOMS_MUST_USE int customs_gunzip_finish(const struct customs_gunzip *g, const char **why);

#endif
