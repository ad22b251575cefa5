/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REPORT_JSONW_H
#define CUSTOMS_REPORT_JSONW_H

/*
 * A small streaming JSON writer to a FILE. Values go out as they are given, so a report of
 * 100k packages never sits in memory as a tree. Strings are escaped and their UTF-8 repaired:
 * every maximal invalid subsequence becomes U+FFFD, so hostile bytes from an image always
 * yield valid JSON. Control characters (C0, DEL, C1) are written as \uXXXX escapes.
 *
 * Errors are sticky: after the first misuse (a key inside an array, nesting deeper than
 * CUSTOMS_JSONW_DEPTH_MAX, unbalanced ends) every call is a no-op, and customs_jsonw_finish()
 * reports it. Stream errors (ferror) are reported there as CUSTOMS_EIO.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"

#define CUSTOMS_JSONW_DEPTH_MAX 32

struct customs_jsonw {
    FILE *fp;
    bool pretty;     /* newlines and 2-space indentation */
    bool after_key;  /* a key was written; its value comes next */
    bool done;       /* a complete top-level value was written */
    int error;       /* sticky: 0 or a CUSTOMS_E* code */
    unsigned depth;
    /* per open container: bit 0 = is object, bit 1 = has at least one member */
    uint8_t stack[CUSTOMS_JSONW_DEPTH_MAX];
};

void customs_jsonw_init(struct customs_jsonw *w, FILE *fp, bool pretty);
void customs_jsonw_object_begin(struct customs_jsonw *w);
void customs_jsonw_object_end(struct customs_jsonw *w);
void customs_jsonw_array_begin(struct customs_jsonw *w);
void customs_jsonw_array_end(struct customs_jsonw *w);
/** A member name; only inside an object, and followed by exactly one value. */
void customs_jsonw_key(struct customs_jsonw *w, const char *key);
/** A string value; NULL writes null. */
void customs_jsonw_string(struct customs_jsonw *w, const char *s);
/** A string value of `len` bytes (may hold NULs, written as \u0000). */
void customs_jsonw_string_n(struct customs_jsonw *w, const char *s, size_t len);
void customs_jsonw_u64(struct customs_jsonw *w, uint64_t v);
void customs_jsonw_i64(struct customs_jsonw *w, int64_t v);
/** A number already formatted as JSON ("7.5"); the caller guarantees its syntax. */
void customs_jsonw_raw_number(struct customs_jsonw *w, const char *number);
void customs_jsonw_bool(struct customs_jsonw *w, bool v);
void customs_jsonw_null(struct customs_jsonw *w);

/* key + value shorthands */
void customs_jsonw_kv_string(struct customs_jsonw *w, const char *key, const char *s);
void customs_jsonw_kv_u64(struct customs_jsonw *w, const char *key, uint64_t v);
void customs_jsonw_kv_i64(struct customs_jsonw *w, const char *key, int64_t v);
void customs_jsonw_kv_bool(struct customs_jsonw *w, const char *key, bool v);

/**
 * Check that exactly one complete value was written, end it with a newline when pretty, and
 * flush. @return 0, CUSTOMS_EINVAL (misuse), CUSTOMS_ELIMIT (too deep), CUSTOMS_EIO
 */
CUSTOMS_MUST_USE int customs_jsonw_finish(struct customs_jsonw *w, struct customs_error *err);

/**
 * Decode one UTF-8 sequence from s[0..len) (len > 0). Returns the bytes consumed (>= 1) and
 * the code point in *cp, or U+FFFD for a maximal invalid subsequence (overlong forms,
 * surrogates and values above U+10FFFF are invalid).
 */
size_t customs_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

#endif /* CUSTOMS_REPORT_JSONW_H */
