/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REPORT_JSONW_H
#define CUSTOMS_REPORT_JSONW_H

/*
 * A streaming JSON writer: reports can hold 100k packages, so they are written as they are
 * walked, never built as a tree. Strings come from hostile images: invalid UTF-8 is replaced
 * by U+FFFD and control characters are escaped, so the output is always valid JSON.
 * Stream errors are sticky and reported by customs_jsonw_finish().
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CUSTOMS_JSONW_DEPTH 32

struct customs_jsonw {
    FILE *out;
    int depth;
    bool first[CUSTOMS_JSONW_DEPTH]; /* no member written yet at this depth */
    bool after_key;
    bool failed;
};

void customs_jsonw_init(struct customs_jsonw *w, FILE *out);
void customs_jsonw_object(struct customs_jsonw *w);
void customs_jsonw_array(struct customs_jsonw *w);
void customs_jsonw_end(struct customs_jsonw *w, char close);
void customs_jsonw_key(struct customs_jsonw *w, const char *key);
void customs_jsonw_str(struct customs_jsonw *w, const char *s); /* NULL writes null */
void customs_jsonw_strn(struct customs_jsonw *w, const char *s, size_t n);
void customs_jsonw_u64(struct customs_jsonw *w, uint64_t v);
void customs_jsonw_i64(struct customs_jsonw *w, int64_t v);
void customs_jsonw_bool(struct customs_jsonw *w, bool v);
void customs_jsonw_null(struct customs_jsonw *w);
/* key + value shorthands */
void customs_jsonw_kstr(struct customs_jsonw *w, const char *key, const char *s);
void customs_jsonw_ku64(struct customs_jsonw *w, const char *key, uint64_t v);
void customs_jsonw_kbool(struct customs_jsonw *w, const char *key, bool v);
/** Newline, flush; 0 or CUSTOMS_EIO. */
int customs_jsonw_finish(struct customs_jsonw *w);

/** Write `s` escaped for JSON (without quotes) into `out`; also used by other writers. */
void customs_json_escape(FILE *out, const char *s, size_t n);

#endif /* CUSTOMS_REPORT_JSONW_H */
