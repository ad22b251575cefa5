/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming JSON writer, pretty-printed with two-space indentation. */
#include <inttypes.h>
#include <string.h>

#include "core/core.h"
#include "report/jsonw.h"

#include "core/banned.h"

void customs_jsonw_init(struct customs_jsonw *w, FILE *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
}

static void indent(struct customs_jsonw *w)
{
    fputc('\n', w->out);
    for (int i = 0; i < w->depth; i++) {
        fputs("  ", w->out);
    }
}

/* Before any value: a comma and newline inside containers, nothing after a key. */
static void pre_value(struct customs_jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth]) {
            fputc(',', w->out);
        }
        w->first[w->depth] = false;
        indent(w);
    }
}

static void open(struct customs_jsonw *w, char c)
{
    pre_value(w);
    fputc(c, w->out);
    if (w->depth + 1 >= CUSTOMS_JSONW_DEPTH) {
        w->failed = true;
        return;
    }
    w->depth++;
    w->first[w->depth] = true;
}

void customs_jsonw_object(struct customs_jsonw *w)
{
    open(w, '{');
}

void customs_jsonw_array(struct customs_jsonw *w)
{
    open(w, '[');
}

void customs_jsonw_end(struct customs_jsonw *w, char close)
{
    bool empty = w->first[w->depth];
    if (w->depth > 0) {
        w->depth--;
    }
    if (!empty) {
        indent(w);
    }
    fputc(close, w->out);
}

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
        return 0;
    }
    return len;
}

void customs_json_escape(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n':
                fputs("\\n", out);
                break;
            case '\t':
                fputs("\\t", out);
                break;
            case '\r':
                fputs("\\r", out);
                break;
            default:
                fprintf(out, "\\u%04x", c);
            }
            i++;
        } else {
            size_t len = utf8_len(s + i, n - i);
            if (len == 0) {
                fputs("\xef\xbf\xbd", out); /* U+FFFD */
                i++;
            } else {
                fwrite(s + i, 1, len, out);
                i += len;
            }
        }
    }
}

void customs_jsonw_key(struct customs_jsonw *w, const char *key)
{
    pre_value(w);
    fputc('"', w->out);
    customs_json_escape(w->out, key, strlen(key));
    fputs("\": ", w->out);
    w->after_key = true;
}

void customs_jsonw_strn(struct customs_jsonw *w, const char *s, size_t n)
{
    pre_value(w);
    fputc('"', w->out);
    customs_json_escape(w->out, s, n);
    fputc('"', w->out);
}

void customs_jsonw_str(struct customs_jsonw *w, const char *s)
{
    if (s == NULL) {
        customs_jsonw_null(w);
    } else {
        customs_jsonw_strn(w, s, strlen(s));
    }
}

void customs_jsonw_u64(struct customs_jsonw *w, uint64_t v)
{
    pre_value(w);
    fprintf(w->out, "%" PRIu64, v);
}

void customs_jsonw_i64(struct customs_jsonw *w, int64_t v)
{
    pre_value(w);
    fprintf(w->out, "%" PRId64, v);
}

void customs_jsonw_bool(struct customs_jsonw *w, bool v)
{
    pre_value(w);
    fputs(v ? "true" : "false", w->out);
}

void customs_jsonw_null(struct customs_jsonw *w)
{
    pre_value(w);
    fputs("null", w->out);
}

void customs_jsonw_kstr(struct customs_jsonw *w, const char *key, const char *s)
{
    customs_jsonw_key(w, key);
    customs_jsonw_str(w, s);
}

void customs_jsonw_ku64(struct customs_jsonw *w, const char *key, uint64_t v)
{
    customs_jsonw_key(w, key);
    customs_jsonw_u64(w, v);
}

void customs_jsonw_kbool(struct customs_jsonw *w, const char *key, bool v)
{
    customs_jsonw_key(w, key);
    customs_jsonw_bool(w, v);
}

int customs_jsonw_finish(struct customs_jsonw *w)
{
    fputc('\n', w->out);
    if (fflush(w->out) != 0 || ferror(w->out) || w->failed) {
        return CUSTOMS_EIO;
    }
    return 0;
}
