/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A JSON reader that validates the whole document but builds only the members a caller asks
 * for. It accepts exactly what jansson accepts with JSON_REJECT_DUPLICATES (an object or array
 * at the top, UTF-8 checked, \u0000 and lone surrogates refused, integers that fit 64 bits,
 * reals that do not overflow, at most JSON_PARSER_MAX_DEPTH nested values, no duplicate key in
 * any object, skipped or built), and builds the kept members with jansson's constructors, so
 * the caller's code reads the result like any parsed document. Why: jansson's own parser reads
 * one character at a time through a callback, which makes it several times slower than
 * building the same tree; a large part of an AdmissionReview (managedFields, oldObject) is
 * never read.
 */
#include "formats/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define PRUNE_MAX_DEPTH JSON_PARSER_MAX_DEPTH

const struct customs_json_prune customs_json_prune_keep = {.only_listed = false,
                                                           .members = NULL};

/* Duplicate keys: the keys of every open object, on one stack (an object's keys start where
 * the stack was when it opened). An object compares a new key with its earlier ones; past
 * DUP_LINEAR keys it indexes them in a hash table of its own, so a huge object stays linear.
 * A key points into the input, or (when it had escapes) into `decoded`, whose blocks never move. */
#define DUP_LINEAR 16
#define KEY_STACK_INLINE 128

/* Blocks for the keys that had escapes: small, so that allocating one stays on malloc's fast
 * path (a large request consolidates its free lists; managedFields is full of escaped keys). */
#define KEY_BLOCK 896

struct key_block {
    struct key_block *next;
    size_t used;
    size_t cap;
    unsigned char data[];
};

struct key_ref {
    const unsigned char *p;
    size_t n;
};

struct key_stack {
    struct key_ref *refs;
    size_t len;
    size_t cap;
    struct key_ref inline_refs[KEY_STACK_INLINE];
    struct key_block *decoded;
};

static unsigned char *key_copy(struct key_stack *ks, const unsigned char *k, size_t n)
{
    struct key_block *b = ks->decoded;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > KEY_BLOCK ? n : KEY_BLOCK;
        b = customs_malloc(sizeof(*b) + cap);
        if (b == NULL) {
            return NULL;
        }
        b->used = 0;
        b->cap = cap;
        b->next = ks->decoded;
        ks->decoded = b;
    }
    unsigned char *out = b->data + b->used;
    memcpy(out, k, n);
    b->used += n;
    return out;
}

/* One object's hash index of its keys (indices into the stack, plus one; 0: empty). */
struct key_index {
    size_t *slots;
    size_t cap; /* a power of two */
    size_t used;
};

static uint64_t key_hash(const unsigned char *k, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, k, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        k += 8;
        n -= 8;
    }
    uint64_t w = 0;
    if (n > 0) {
        memcpy(&w, k, n);
    }
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static bool key_equal(const struct key_ref *a, const unsigned char *k, size_t n)
{
    return a->n == n && (n == 0 || memcmp(a->p, k, n) == 0);
}

/* Insert stack entry `i` into the index; 1 when an equal key is there already. */
static int key_index_put(struct key_index *x, const struct key_stack *ks, size_t i)
{
    const struct key_ref *r = &ks->refs[i];
    size_t j = key_hash(r->p, r->n) & (x->cap - 1);
    while (x->slots[j] != 0) {
        if (key_equal(&ks->refs[x->slots[j] - 1], r->p, r->n)) {
            return 1;
        }
        j = (j + 1) & (x->cap - 1);
    }
    x->slots[j] = i + 1;
    x->used++;
    return 0;
}

static int key_index_grow(struct key_index *x, const struct key_stack *ks, size_t first)
{
    size_t cap = x->cap != 0 ? x->cap * 2 : 4 * DUP_LINEAR;
    size_t *slots = customs_calloc(cap, sizeof(*slots));
    if (slots == NULL) {
        return CUSTOMS_ENOMEM;
    }
    customs_free(x->slots);
    *x = (struct key_index){.slots = slots, .cap = cap};
    for (size_t i = first; i + 1 < ks->len; i++) {
        (void)key_index_put(x, ks, i); /* the earlier keys are distinct */
    }
    return 0;
}

/*
 * Push key k (of the object whose keys start at `first`): 0 when new to it, 1 when a duplicate,
 * CUSTOMS_ENOMEM. `escaped`: k lives in scratch and is copied to stay valid.
 */
static int key_push(struct key_stack *ks, struct key_index *x, size_t first,
                    const unsigned char *k, size_t n, bool escaped)
{
    if (escaped) {
        /* an escape decodes to at least one byte: n > 0 */
        k = key_copy(ks, k, n);
        if (k == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    if (ks->len == ks->cap) {
        size_t cap = ks->cap * 2;
        struct key_ref *refs = ks->refs == ks->inline_refs ? NULL : ks->refs;
        refs = customs_reallocarray(refs, cap, sizeof(*refs));
        if (refs == NULL) {
            return CUSTOMS_ENOMEM;
        }
        if (ks->refs == ks->inline_refs) {
            memcpy(refs, ks->inline_refs, sizeof(ks->inline_refs));
        }
        ks->refs = refs;
        ks->cap = cap;
    }
    ks->refs[ks->len++] = (struct key_ref){.p = k, .n = n};
    size_t count = ks->len - first;
    if (count <= DUP_LINEAR) {
        for (size_t i = first; i + 1 < ks->len; i++) {
            if (key_equal(&ks->refs[i], k, n)) {
                return 1;
            }
        }
        return 0;
    }
    if ((x->used + 1) * 2 > x->cap && key_index_grow(x, ks, first) != 0) {
        return CUSTOMS_ENOMEM;
    }
    return key_index_put(x, ks, ks->len - 1);
}

struct parser {
    const unsigned char *p;
    const unsigned char *end;
    struct customs_buf scratch; /* decoded strings and number text */
    struct key_stack keys;
    unsigned depth;
    int rc; /* the first error: CUSTOMS_EMALFORMED or CUSTOMS_ENOMEM */
};

static int fail(struct parser *ps, int rc)
{
    if (ps->rc == 0) {
        ps->rc = rc;
    }
    return ps->rc;
}

/* ---- lexing ---- */

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t')) {
        ps->p++;
    }
}

/* The length of the valid UTF-8 sequence at p (2..4), or 0 (jansson's rules: no overlong
 * form, no surrogate, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) {
            return 0;
        }
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000)) {
        return 0;
    }
    return n;
}

static int hex4(const unsigned char *p, const unsigned char *end, uint32_t *out)
{
    uint32_t v = 0;
    if (end - p < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v |= c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v |= c - 'A' + 10;
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}

static int put_utf8(struct customs_buf *b, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return customs_buf_append(b, u, n);
}

/* One escape after the backslash at ps->p, decoded into scratch. */
static int escape(struct parser *ps)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const unsigned char *p = ps->p + 1;
    if (p >= ps->end) {
        return fail(ps, CUSTOMS_EMALFORMED);
    }
    if (*p != 'u') {
        const char *e = *p != '\0' ? strchr(from, *p) : NULL;
        if (e == NULL) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
        ps->p = p + 1;
        return customs_buf_append(&ps->scratch, &to[e - from], 1) == 0
                   ? 0
                   : fail(ps, CUSTOMS_ENOMEM);
    }
    uint32_t cp;
    uint32_t lo;
    if (hex4(p + 1, ps->end, &cp) != 0) {
        return fail(ps, CUSTOMS_EMALFORMED);
    }
    p += 5;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (ps->end - p < 2 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, ps->end, &lo) != 0 ||
            lo < 0xDC00 || lo > 0xDFFF) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
    } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
        return fail(ps, CUSTOMS_EMALFORMED);
    }
    ps->p = p;
    return put_utf8(&ps->scratch, cp) == 0 ? 0 : fail(ps, CUSTOMS_ENOMEM);
}

/* Past the bytes that need no attention in a string (printable ASCII but '"' and '\\'): eight
 * at a time while a word holds none of the others, then one by one. In a word, a byte's high
 * bit ends up set in `stop` when it is below 0x20, a quote, a backslash, or not ASCII; a
 * borrow between bytes only follows such a byte, so a clear `stop` is exact. */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t highs = 0x8080808080808080ull;
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t stop = (w - 0x20 * ones) | ((w ^ ('"' * ones)) - ones) |
                        ((w ^ ('\\' * ones)) - ones) | w;
        if ((stop & highs) != 0) {
            break;
        }
        p += 8;
    }
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
        p++;
    }
    return p;
}

/*
 * The string at ps->p (its opening quote), validated. *s and *n: its bytes, in the input when
 * it has no escape, else decoded into scratch (valid until the next string).
 */
static int string(struct parser *ps, const unsigned char **s, size_t *n, bool *in_scratch)
{
    const unsigned char *start = ++ps->p;
    const unsigned char *p = start;
    bool escaped = false;
    for (;;) {
        p = plain_run(p, ps->end);
        if (p >= ps->end || *p < 0x20) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
        if (*p == '"') {
            break;
        }
        if (*p >= 0x80) {
            size_t k = utf8_seq(p, ps->end);
            if (k == 0) {
                return fail(ps, CUSTOMS_EMALFORMED);
            }
            p += k;
            continue;
        }
        /* a backslash: from here on, decode into scratch */
        if (!escaped) {
            customs_buf_reset(&ps->scratch);
            escaped = true;
        }
        if (customs_buf_append(&ps->scratch, start, (size_t)(p - start)) != 0) {
            return fail(ps, CUSTOMS_ENOMEM);
        }
        ps->p = p;
        if (escape(ps) != 0) {
            return ps->rc;
        }
        p = start = ps->p;
    }
    if (escaped) {
        if (customs_buf_append(&ps->scratch, start, (size_t)(p - start)) != 0) {
            return fail(ps, CUSTOMS_ENOMEM);
        }
        *s = (const unsigned char *)ps->scratch.ptr;
        *n = ps->scratch.len;
        *in_scratch = true;
    } else {
        *s = start;
        *n = (size_t)(p - start);
        *in_scratch = false;
    }
    ps->p = p + 1;
    return 0;
}

static bool is_digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* A number in JSON's grammar: an integer that fits int64, or a real that does not overflow. */
static int number(struct parser *ps, bool build, json_t **out)
{
    const unsigned char *start = ps->p;
    const unsigned char *p = start;
    bool real = false;
    if (*p == '-') {
        p++;
    }
    if (!is_digit(p, ps->end)) {
        return fail(ps, CUSTOMS_EMALFORMED);
    }
    if (*p == '0') {
        p++;
        if (is_digit(p, ps->end)) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
    } else {
        while (is_digit(p, ps->end)) {
            p++;
        }
    }
    if (p < ps->end && *p == '.') {
        real = true;
        p++;
        if (!is_digit(p, ps->end)) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
        while (is_digit(p, ps->end)) {
            p++;
        }
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        real = true;
        p++;
        if (p < ps->end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (!is_digit(p, ps->end)) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
        while (is_digit(p, ps->end)) {
            p++;
        }
    }
    ps->p = p;
    size_t n = (size_t)(p - start);
    if (!real && n <= 18) {
        /* at most 18 digits: fits int64 without a check */
        bool neg = *start == '-';
        long long v = 0;
        for (const unsigned char *d = start + (neg ? 1 : 0); d < p; d++) {
            v = v * 10 + (*d - '0');
        }
        if (build) {
            *out = json_integer(neg ? -v : v);
            return *out != NULL ? 0 : fail(ps, CUSTOMS_ENOMEM);
        }
        return 0;
    }
    customs_buf_reset(&ps->scratch);
    if (customs_buf_append(&ps->scratch, start, n) != 0) {
        return fail(ps, CUSTOMS_ENOMEM);
    }
    char *end = NULL;
    errno = 0;
    if (!real) {
        long long v = strtoll(ps->scratch.ptr, &end, 10);
        if (errno == ERANGE) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
        *out = build ? json_integer(v) : NULL;
    } else {
        double v = strtod(ps->scratch.ptr, &end);
        if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL)) {
            return fail(ps, CUSTOMS_EMALFORMED);
        }
        *out = build ? json_real(v) : NULL;
    }
    return !build || *out != NULL ? 0 : fail(ps, CUSTOMS_ENOMEM);
}

static int literal(struct parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
        return fail(ps, CUSTOMS_EMALFORMED);
    }
    ps->p += n;
    return 0;
}

/* ---- values ---- */

/* What to do with one value: skip it (validate only), build it whole (prune NULL), or build
 * it keeping the members `prune` says. */
struct mode {
    bool build;
    const struct customs_json_prune *prune;
};

static int value(struct parser *ps, struct mode m, json_t **out);

static struct mode member_mode(struct mode m, const unsigned char *k, size_t n)
{
    if (!m.build || m.prune == NULL) {
        return m;
    }
    for (const struct customs_json_prune_member *x = m.prune->members; x != NULL && x->key != NULL;
         x++) {
        if (strlen(x->key) == n && memcmp(x->key, k, n) == 0) {
            return (struct mode){.build = x->prune != NULL,
                                 .prune = x->prune == &customs_json_prune_keep ? NULL : x->prune};
        }
    }
    return (struct mode){.build = !m.prune->only_listed, .prune = NULL};
}

/* Past a container's opening character: true when the container closes right away. */
static bool container_empty(struct parser *ps, unsigned char close)
{
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return true;
    }
    return false;
}

/* After a member or element: 0 past a comma, 1 past the closing character, else an error. */
static int container_next(struct parser *ps, unsigned char close)
{
    skip_ws(ps);
    if (ps->p < ps->end && (*ps->p == ',' || *ps->p == close)) {
        bool closed = *ps->p++ == close;
        skip_ws(ps);
        return closed ? 1 : 0;
    }
    return fail(ps, CUSTOMS_EMALFORMED);
}

static int object(struct parser *ps, struct mode m, json_t **out)
{
    size_t first = ps->keys.len;
    struct key_index index = {0};
    json_t *obj = NULL;
    int rc = 0;
    if (m.build && (obj = json_object()) == NULL) {
        return fail(ps, CUSTOMS_ENOMEM);
    }
    if (container_empty(ps, '}')) {
        *out = obj;
        return 0;
    }
    while (rc == 0) {
        const unsigned char *k;
        size_t kn;
        bool escaped;
        json_t *v = NULL;
        if (ps->p >= ps->end || *ps->p != '"' || string(ps, &k, &kn, &escaped) != 0) {
            rc = fail(ps, CUSTOMS_EMALFORMED);
            break;
        }
        int dup = key_push(&ps->keys, &index, first, k, kn, escaped);
        if (dup != 0) {
            rc = fail(ps, dup == 1 ? CUSTOMS_EMALFORMED : CUSTOMS_ENOMEM);
            break;
        }
        /* the key as pushed: scratch is reused by the value */
        k = ps->keys.refs[ps->keys.len - 1].p;
        struct mode mm = member_mode(m, k, kn);
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            rc = fail(ps, CUSTOMS_EMALFORMED);
            break;
        }
        ps->p++;
        skip_ws(ps);
        rc = value(ps, mm, &v);
        if (rc == 0 && v != NULL &&
            json_object_setn_new_nocheck(obj, (const char *)k, kn, v) != 0) {
            rc = fail(ps, CUSTOMS_ENOMEM);
        }
        rc = rc == 0 ? container_next(ps, '}') : rc;
    }
    customs_free(index.slots);
    ps->keys.len = first;
    if (rc < 0) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

static int array(struct parser *ps, struct mode m, json_t **out)
{
    json_t *arr = NULL;
    int rc = 0;
    if (m.build && (arr = json_array()) == NULL) {
        return fail(ps, CUSTOMS_ENOMEM);
    }
    if (container_empty(ps, ']')) {
        *out = arr;
        return 0;
    }
    while (rc == 0) {
        json_t *v = NULL;
        rc = value(ps, m, &v);
        if (rc == 0 && v != NULL && json_array_append_new(arr, v) != 0) {
            rc = fail(ps, CUSTOMS_ENOMEM);
        }
        rc = rc == 0 ? container_next(ps, ']') : rc;
    }
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* One value at ps->p (whitespace skipped); *out: the built value, or NULL when not built. */
static int value(struct parser *ps, struct mode m, json_t **out)
{
    const unsigned char *s;
    size_t n;
    int rc;
    *out = NULL;
    if (ps->p >= ps->end) {
        return fail(ps, CUSTOMS_EMALFORMED);
    }
    /* jansson counts every value, scalars too, against its depth limit */
    if (++ps->depth > PRUNE_MAX_DEPTH) {
        return fail(ps, CUSTOMS_EMALFORMED);
    }
    switch (*ps->p) {
    case '{':
        rc = object(ps, m, out);
        break;
    case '[':
        rc = array(ps, m, out);
        break;
    case '"':
        rc = string(ps, &s, &n, &(bool){false});
        if (rc == 0 && m.build) {
            *out = json_stringn_nocheck((const char *)s, n);
            rc = *out != NULL ? 0 : fail(ps, CUSTOMS_ENOMEM);
        }
        break;
    case 't':
        rc = literal(ps, "true", 4);
        *out = rc == 0 && m.build ? json_true() : NULL;
        break;
    case 'f':
        rc = literal(ps, "false", 5);
        *out = rc == 0 && m.build ? json_false() : NULL;
        break;
    case 'n':
        rc = literal(ps, "null", 4);
        *out = rc == 0 && m.build ? json_null() : NULL;
        break;
    default:
        rc = number(ps, m.build, out);
        break;
    }
    ps->depth--;
    return rc;
}

int customs_json_parse_pruned(json_t **out, const void *data, size_t len,
                              const struct customs_json_prune *prune)
{
    struct parser ps = {.p = data, .end = (const unsigned char *)data + len};
    json_t *doc = NULL;
    *out = NULL;
    customs_buf_init(&ps.scratch, 0);
    ps.keys.refs = ps.keys.inline_refs;
    ps.keys.cap = KEY_STACK_INLINE;
    skip_ws(&ps);
    if (ps.p >= ps.end || (*ps.p != '{' && *ps.p != '[')) {
        fail(&ps, CUSTOMS_EMALFORMED);
    } else if (value(&ps, (struct mode){.build = true, .prune = prune}, &doc) == 0) {
        skip_ws(&ps);
        if (ps.p != ps.end) {
            fail(&ps, CUSTOMS_EMALFORMED);
        }
    }
    customs_buf_release(&ps.scratch);
    while (ps.keys.decoded != NULL) {
        struct key_block *next = ps.keys.decoded->next;
        customs_free(ps.keys.decoded);
        ps.keys.decoded = next;
    }
    if (ps.keys.refs != ps.keys.inline_refs) {
        customs_free(ps.keys.refs);
    }
    if (ps.rc != 0) {
        json_decref(doc);
        return ps.rc;
    }
    *out = doc;
    return 0;
}
