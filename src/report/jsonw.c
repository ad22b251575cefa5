/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming JSON writer: comma state on an explicit stack, escaping, UTF-8 repair. */
#include "report/jsonw.h"

#include <inttypes.h>
#include <string.h>

#include "core/banned.h"

#define LEVEL_OBJECT 1u
#define LEVEL_NONEMPTY 2u

void customs_jsonw_init(struct customs_jsonw *w, FILE *fp, bool pretty)
{
    memset(w, 0, sizeof(*w));
    w->fp = fp;
    w->pretty = pretty;
}

static void jsonw_fail(struct customs_jsonw *w, int code)
{
    if (w->error == 0) {
        w->error = code;
    }
}

static void jsonw_newline_indent(struct customs_jsonw *w)
{
    static const char spaces[] = "                                ";
    if (!w->pretty) {
        return;
    }
    fputc('\n', w->fp);
    for (unsigned i = 0; i < w->depth; i++) {
        fwrite(spaces, 1, 2, w->fp);
    }
}

/* Everything a value needs before it: the comma and indentation, or the state after a key. */
static bool jsonw_value_prefix(struct customs_jsonw *w)
{
    if (w->error != 0) {
        return false;
    }
    if (w->depth == 0) {
        if (w->done) {
            jsonw_fail(w, CUSTOMS_EINVAL); /* a second top-level value */
            return false;
        }
        return true;
    }
    uint8_t *level = &w->stack[w->depth - 1];
    if (*level & LEVEL_OBJECT) {
        if (!w->after_key) {
            jsonw_fail(w, CUSTOMS_EINVAL); /* a value in an object without a key */
            return false;
        }
        w->after_key = false;
        return true;
    }
    if (*level & LEVEL_NONEMPTY) {
        fputc(',', w->fp);
    }
    *level |= LEVEL_NONEMPTY;
    jsonw_newline_indent(w);
    return true;
}

static void jsonw_value_done(struct customs_jsonw *w)
{
    if (w->depth == 0) {
        w->done = true;
    }
}

static void jsonw_begin(struct customs_jsonw *w, char open, uint8_t kind)
{
    if (!jsonw_value_prefix(w)) {
        return;
    }
    if (w->depth >= CUSTOMS_JSONW_DEPTH_MAX) {
        jsonw_fail(w, CUSTOMS_ELIMIT);
        return;
    }
    fputc(open, w->fp);
    w->stack[w->depth++] = kind;
}

static void jsonw_end(struct customs_jsonw *w, char close, uint8_t kind)
{
    if (w->error != 0) {
        return;
    }
    if (w->depth == 0 || (w->stack[w->depth - 1] & LEVEL_OBJECT) != kind || w->after_key) {
        jsonw_fail(w, CUSTOMS_EINVAL);
        return;
    }
    bool nonempty = (w->stack[w->depth - 1] & LEVEL_NONEMPTY) != 0;
    w->depth--;
    if (nonempty) {
        jsonw_newline_indent(w);
    }
    fputc(close, w->fp);
    jsonw_value_done(w);
}

void customs_jsonw_object_begin(struct customs_jsonw *w)
{
    jsonw_begin(w, '{', LEVEL_OBJECT);
}

void customs_jsonw_object_end(struct customs_jsonw *w)
{
    jsonw_end(w, '}', LEVEL_OBJECT);
}

void customs_jsonw_array_begin(struct customs_jsonw *w)
{
    jsonw_begin(w, '[', 0);
}

void customs_jsonw_array_end(struct customs_jsonw *w)
{
    jsonw_end(w, ']', 0);
}

size_t customs_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
    uint8_t b0 = s[0];
    size_t need;
    uint8_t lo = 0x80;
    uint8_t hi = 0xbf;
    uint32_t v;

    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        need = 1;
        v = b0 & 0x1fu;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        need = 2;
        v = b0 & 0x0fu;
        if (b0 == 0xe0) {
            lo = 0xa0; /* no overlong forms */
        } else if (b0 == 0xed) {
            hi = 0x9f; /* no surrogates */
        }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        need = 3;
        v = b0 & 0x07u;
        if (b0 == 0xf0) {
            lo = 0x90;
        } else if (b0 == 0xf4) {
            hi = 0x8f; /* nothing above U+10FFFF */
        }
    } else {
        *cp = 0xfffd;
        return 1;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= len || s[i] < lo || s[i] > hi) {
            *cp = 0xfffd;
            return i; /* the maximal invalid subpart, at least the lead byte */
        }
        v = (v << 6) | (s[i] & 0x3fu);
        lo = 0x80;
        hi = 0xbf;
    }
    *cp = v;
    return i;
}

static void jsonw_write_escaped(FILE *fp, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *s = (const uint8_t *)str;
    size_t run = 0; /* start of the pending run of bytes written as they are */
    size_t i = 0;

    fputc('"', fp);
    while (i < len) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            i++;
            continue;
        }
        uint32_t cp = c;
        size_t n = 1;
        if (c >= 0x80) {
            n = customs_utf8_decode(s + i, len - i, &cp);
            if (cp != 0xfffd && cp >= 0xa0) {
                i += n; /* valid and printable: part of the run */
                continue;
            }
        }
        fwrite(s + run, 1, i - run, fp);
        switch (cp) {
        case '"':
            fputs("\\\"", fp);
            break;
        case '\\':
            fputs("\\\\", fp);
            break;
        case '\b':
            fputs("\\b", fp);
            break;
        case '\f':
            fputs("\\f", fp);
            break;
        case '\n':
            fputs("\\n", fp);
            break;
        case '\r':
            fputs("\\r", fp);
            break;
        case '\t':
            fputs("\\t", fp);
            break;
        case 0xfffd:
            fputs("\xef\xbf\xbd", fp); /* a replaced invalid sequence (or a real U+FFFD) */
            break;
        default: /* C0, DEL, C1 */
            fputs("\\u00", fp);
            fputc(hex[(cp >> 4) & 0xf], fp);
            fputc(hex[cp & 0xf], fp);
            break;
        }
        i += n;
        run = i;
    }
    fwrite(s + run, 1, len - run, fp);
    fputc('"', fp);
}

void customs_jsonw_key(struct customs_jsonw *w, const char *key)
{
    if (w->error != 0) {
        return;
    }
    if (w->depth == 0 || !(w->stack[w->depth - 1] & LEVEL_OBJECT) || w->after_key) {
        jsonw_fail(w, CUSTOMS_EINVAL);
        return;
    }
    uint8_t *level = &w->stack[w->depth - 1];
    if (*level & LEVEL_NONEMPTY) {
        fputc(',', w->fp);
    }
    *level |= LEVEL_NONEMPTY;
    jsonw_newline_indent(w);
    jsonw_write_escaped(w->fp, key, strlen(key));
    fputs(w->pretty ? ": " : ":", w->fp);
    w->after_key = true;
}

void customs_jsonw_string_n(struct customs_jsonw *w, const char *s, size_t len)
{
    if (!jsonw_value_prefix(w)) {
        return;
    }
    jsonw_write_escaped(w->fp, s, len);
    jsonw_value_done(w);
}

void customs_jsonw_string(struct customs_jsonw *w, const char *s)
{
    if (s == NULL) {
        customs_jsonw_null(w);
        return;
    }
    customs_jsonw_string_n(w, s, strlen(s));
}

void customs_jsonw_u64(struct customs_jsonw *w, uint64_t v)
{
    if (!jsonw_value_prefix(w)) {
        return;
    }
    fprintf(w->fp, "%" PRIu64, v);
    jsonw_value_done(w);
}

void customs_jsonw_raw_number(struct customs_jsonw *w, const char *number)
{
    if (!jsonw_value_prefix(w)) {
        return;
    }
    fputs(number, w->fp);
    jsonw_value_done(w);
}

void customs_jsonw_i64(struct customs_jsonw *w, int64_t v)
{
    if (!jsonw_value_prefix(w)) {
        return;
    }
    fprintf(w->fp, "%" PRId64, v);
    jsonw_value_done(w);
}

void customs_jsonw_bool(struct customs_jsonw *w, bool v)
{
    if (!jsonw_value_prefix(w)) {
        return;
    }
    fputs(v ? "true" : "false", w->fp);
    jsonw_value_done(w);
}

void customs_jsonw_null(struct customs_jsonw *w)
{
    if (!jsonw_value_prefix(w)) {
        return;
    }
    fputs("null", w->fp);
    jsonw_value_done(w);
}

void customs_jsonw_kv_string(struct customs_jsonw *w, const char *key, const char *s)
{
    customs_jsonw_key(w, key);
    customs_jsonw_string(w, s);
}

void customs_jsonw_kv_u64(struct customs_jsonw *w, const char *key, uint64_t v)
{
    customs_jsonw_key(w, key);
    customs_jsonw_u64(w, v);
}

void customs_jsonw_kv_i64(struct customs_jsonw *w, const char *key, int64_t v)
{
    customs_jsonw_key(w, key);
    customs_jsonw_i64(w, v);
}

void customs_jsonw_kv_bool(struct customs_jsonw *w, const char *key, bool v)
{
    customs_jsonw_key(w, key);
    customs_jsonw_bool(w, v);
}

int customs_jsonw_finish(struct customs_jsonw *w, struct customs_error *err)
{
    if (w->error == 0 && (!w->done || w->depth != 0)) {
        jsonw_fail(w, CUSTOMS_EINVAL);
    }
    if (w->error == CUSTOMS_ELIMIT) {
        return customs_error_set(err, w->error, "JSON output: nesting deeper than %d",
                                 CUSTOMS_JSONW_DEPTH_MAX);
    }
    if (w->error != 0) {
        return customs_error_set(err, w->error, "JSON output: writer misused (internal error)");
    }
    if (w->pretty) {
        fputc('\n', w->fp);
    }
    if (fflush(w->fp) != 0 || ferror(w->fp)) {
        return customs_error_set(err, CUSTOMS_EIO, "writing JSON output: I/O error");
    }
    return 0;
}
