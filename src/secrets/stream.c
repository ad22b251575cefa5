/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streaming a file through a scanner: while it streams, each match's bytes are copied out at
 * once, from the current chunk or from a small tail of the previous ones (secrets are short;
 * the tail is 8 KiB). Matches of one rule that start at the same offset are merged (Vectorscan
 * reports every end; the longest wins, as a greedy regex would). When the file ends, confirm.c
 * judges the candidates.
 */
#include "secrets/internal.h"

#include <fnmatch.h>
#include <string.h>

#include "core/banned.h"

/* ---- scanning ---- */

int customs_secret_scanner_new(struct customs_secret_scanner **out,
                               const struct customs_secret_engine *e)
{
    struct customs_secret_scanner *s = customs_calloc(1, sizeof(*s));
    *out = NULL;
    if (s == NULL) {
        return CUSTOMS_ENOMEM;
    }
    s->e = e;
    customs_vec_init(&s->cands, sizeof(struct candidate));
    int r = customs_secret_engine_ready(e, NULL);
    if (r < 0) {
        customs_secret_scanner_free(s);
        return r;
    }
    s->last = customs_calloc(e->nrules, sizeof(long));
    if (s->last == NULL || hs_alloc_scratch(e->dbs->db, &s->scratch) != HS_SUCCESS ||
        (e->dbs->db_bin != NULL &&
         hs_alloc_scratch(e->dbs->db_bin, &s->scratch) != HS_SUCCESS)) {
        customs_secret_scanner_free(s);
        return CUSTOMS_ENOMEM;
    }
    *out = s;
    return 0;
}

static void reset(struct customs_secret_scanner *s)
{
    for (size_t i = 0; i < s->cands.len; i++) {
        customs_free(((struct candidate *)customs_vec_at(&s->cands, i))->text);
    }
    s->cands.len = 0;
    for (size_t i = 0; i < s->e->nrules; i++) {
        s->last[i] = -1;
    }
}

void customs_secret_scanner_free(struct customs_secret_scanner *s)
{
    if (s == NULL) {
        return;
    }
    if (s->stream != NULL) {
        hs_close_stream(s->stream, s->scratch, NULL, NULL);
    }
    if (s->last != NULL) {
        reset(s);
    }
    customs_vec_release(&s->cands);
    customs_free(s->last);
    if (s->scratch != NULL) {
        hs_free_scratch(s->scratch);
    }
    customs_free(s);
}

/* Third-party documentation and test fixtures: example keys live there by design. */
static bool docs_path(const char *path)
{
    static const char *const dirs[] = {"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
                                       "/usr/share/licenses/", "/usr/share/common-licenses/"};
    static const char *const vendored[] = {"/node_modules/", "/site-packages/",
                                           "/dist-packages/", "/vendor/"};
    static const char *const testdirs[] = {"/test/", "/tests/", "/__tests__/", "/testdata/",
                                           "/fixtures/", "/spec/", "/example/", "/examples/"};
    if (path == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (customs_str_has_prefix(path, dirs[i])) {
            return true;
        }
    }
    bool third_party = false;
    for (size_t i = 0; i < sizeof(vendored) / sizeof(vendored[0]); i++) {
        third_party = third_party || strstr(path, vendored[i]) != NULL;
    }
    if (!third_party) {
        return false;
    }
    const char *base = customs_path_base(path);
    if (customs_str_has_suffix(base, ".md") || customs_str_has_suffix(base, ".markdown") ||
        customs_str_has_suffix(base, ".rst") || strncmp(base, "README", 6) == 0 ||
        strncmp(base, "CHANGELOG", 9) == 0 || strncmp(base, "HISTORY", 7) == 0) {
        return true;
    }
    for (size_t i = 0; i < sizeof(testdirs) / sizeof(testdirs[0]); i++) {
        if (strstr(path, testdirs[i]) != NULL) {
            return true;
        }
    }
    return false;
}

/* A program's source, where an unquoted value after `password =` is a variable's name. */
static bool source_path(const char *path)
{
    static const char *const exts[] = {".py", ".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx",
                                       ".rb", ".go", ".java", ".kt", ".scala", ".groovy", ".cs",
                                       ".php", ".pl", ".pm", ".c", ".h", ".cc", ".cpp", ".hpp",
                                       ".rs", ".swift", ".lua"};
    const char *dot = path != NULL ? strrchr(customs_path_base(path), '.') : NULL;
    for (size_t i = 0; dot != NULL && i < sizeof(exts) / sizeof(exts[0]); i++) {
        if (strcmp(dot, exts[i]) == 0) {
            return true;
        }
    }
    return false;
}

static bool allowed_path(const struct customs_secret_allowlist *a, const char *path)
{
    for (size_t i = 0; path != NULL && i < a->npaths; i++) {
        if (fnmatch(a->paths[i], path, 0) == 0) {
            return true;
        }
    }
    return false;
}

int customs_secret_begin(struct customs_secret_scanner *s, const char *path, uint64_t size)
{
    reset(s);
    s->docs = docs_path(path) || allowed_path(&s->e->allow, path);
    s->code = source_path(path);
    s->binary = false;
    s->probed = false;
    s->off = 0;
    s->size = size;
    s->closed = false;
    s->lines = 0;
    s->tail_len = 0;
    s->error = 0;
    if (s->stream != NULL) {
        hs_close_stream(s->stream, s->scratch, NULL, NULL);
        s->stream = NULL;
    }
    return 0;
}

void customs_secret_on_literal(struct customs_secret_scanner *s, customs_secret_literal_fn fn,
                               void *ctx)
{
    s->on_literal = fn;
    s->literal_ctx = ctx;
}

bool customs_secret_streams_literals(const struct customs_secret_scanner *s)
{
    /* with literals both databases exist; only a file that is not streamed misses them */
    return s->e->nlits > 0 && !s->docs && s->e->dbs->db != NULL &&
           s->e->dbs->db_bin != NULL;
}

/* Newlines in p[0..n). Every byte of every file passes here: counted in sixteen byte-wide
 * lanes, which the compiler turns into vector compares (37 GB/s from cache, text or binary;
 * a memchr per line managed 8 on 40-byte lines). A lane counts at most
 * 255 blocks before it is summed, so it cannot wrap. */
size_t customs_secret_count_nl(const uint8_t *p, size_t n)
{
    size_t c = 0, i = 0;
    while (i + 255 * 16 <= n) {
        uint8_t lane[16] = {0};
        for (size_t k = 0; k < 255; k++, i += 16) {
            for (size_t j = 0; j < 16; j++) {
                lane[j] += p[i + j] == '\n';
            }
        }
        for (size_t j = 0; j < 16; j++) {
            c += lane[j];
        }
    }
    for (; i < n; i++) {
        c += p[i] == '\n';
    }
    return c;
}

/* Copy the (at most MAX_TEXT) bytes before `to`, from the tail and the current chunk. */
static size_t cut(const struct customs_secret_scanner *s, uint64_t to, char *out)
{
    uint64_t tail_start = s->off - s->tail_len;
    uint64_t from = to > MAX_TEXT ? to - MAX_TEXT : 0;
    size_t o = 0;
    if (from < tail_start) {
        from = tail_start;
    }
    for (uint64_t p = from; p < to; p++) {
        if (p < s->off) {
            out[o++] = (char)s->tail[p - tail_start];
        } else if (s->chunk != NULL && p - s->off < s->chunk_len) {
            out[o++] = (char)s->chunk[p - s->off];
        } else {
            break;
        }
    }
    out[o] = '\0';
    return o;
}

/*
 * Vectorscan reports where a match ends (every end, for variable-length patterns). Ends of one
 * rule one byte apart extend the same candidate; its start is found at confirmation.
 */
static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    struct customs_secret_scanner *s = ctx;
    (void)flags;
    (void)from;
    /* The database may come from the cache, which is input: an id outside the rules or an end
     * past the bytes scanned so far stops the scan instead of indexing out of bounds. */
    if (id >= s->e->nrules + s->e->nlits ||
        to > s->off + (s->chunk != NULL ? s->chunk_len : 0)) {
        s->error = CUSTOMS_EMALFORMED;
        return 1;
    }
    if (id >= s->e->nrules) { /* the caller's literal (once per file: single-match) */
        if (s->on_literal != NULL) {
            s->on_literal(s->literal_ctx, id - s->e->nrules);
        }
        return 0;
    }
    long li = s->last[id];
    struct candidate *c = li >= 0 ? customs_vec_at(&s->cands, (size_t)li) : NULL;
    uint64_t line_to = s->lines + 1;
    if (to > s->off && s->chunk != NULL) {
        /* ends come in order: count on from the last one, not from the chunk's start */
        if (to < s->nl_at) {
            s->nl_at = s->off;
            s->nl_lines = 0;
        }
        s->nl_lines += customs_secret_count_nl(s->chunk + (s->nl_at - s->off), (size_t)(to - s->nl_at));
        s->nl_at = to;
        line_to += s->nl_lines;
    }
    if (c != NULL && to <= c->to + 1) {
        if (to > c->to) {
            c->to = to; /* cut once the chunk is scanned, not at every end */
            c->line_to = line_to;
            c->stale = true;
        }
        return 0;
    }
    if (c != NULL && c->stale) { /* the rule's previous candidate is complete */
        c->len = cut(s, c->to, c->text);
        c->stale = false;
    }
    if (s->cands.len >= MAX_CANDIDATES) {
        return 0;
    }
    struct candidate *n = customs_vec_push(&s->cands);
    if (n == NULL) {
        s->error = CUSTOMS_ENOMEM;
        return 1;
    }
    memset(n, 0, sizeof(*n));
    n->text = customs_malloc(MAX_TEXT + 1);
    if (n->text == NULL) {
        s->cands.len--;
        s->error = CUSTOMS_ENOMEM;
        return 1;
    }
    n->rule = id;
    n->to = to;
    n->line_to = line_to;
    n->len = cut(s, to, n->text);
    s->last[id] = (long)(s->cands.len - 1);
    return 0;
}

/* Cut the text of the candidates that grew during the last scan (only a rule's latest can). */
static void recut(struct customs_secret_scanner *s)
{
    for (size_t i = 0; i < s->e->nrules; i++) {
        struct candidate *c =
            s->last[i] >= 0 ? customs_vec_at(&s->cands, (size_t)s->last[i]) : NULL;
        if (c != NULL && c->stale) {
            c->len = cut(s, c->to, c->text);
            c->stale = false;
        }
    }
}

int customs_secret_feed(struct customs_secret_scanner *s, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (len > s->size - s->off) {
        len = (size_t)(s->size - s->off); /* a file that grew while it was read */
    }
    if (!s->probed && !s->docs && len > 0) {
        /* The first chunk decides: a binary file is scanned for key material only, with the
         * smaller database (on the toolchain bench image, secret scanning costs less than half
         * of what it cost with every rule on every file). */
        size_t probe = len < CUSTOMS_SECRET_BINARY_PROBE ? len : CUSTOMS_SECRET_BINARY_PROBE;
        s->binary = memchr(p, '\0', probe) != NULL;
        s->probed = true;
        const hs_database_t *db = s->binary ? s->e->dbs->db_bin : s->e->dbs->db;
        if (db != NULL && hs_open_stream(db, 0, &s->stream) != HS_SUCCESS) {
            return CUSTOMS_ENOMEM;
        }
    }
    if (s->stream == NULL || s->error != 0) {
        return s->error;
    }
    s->chunk = p;
    s->chunk_len = len;
    s->nl_at = s->off;
    s->nl_lines = 0;
    hs_error_t he = hs_scan_stream(s->stream, buf, (unsigned)len, 0, s->scratch, on_match, s);
    bool last = s->size - s->off == len;
    if (last && he == HS_SUCCESS) {
        /* the file ends here: the matches at its end are reported while this chunk is at hand
         * (on_match counts their lines in it), so its newlines need no count of their own */
        he = hs_close_stream(s->stream, s->scratch, on_match, s);
        s->stream = NULL;
        s->closed = true;
    }
    recut(s);
    s->chunk = NULL;
    if (he != HS_SUCCESS && he != HS_SCAN_TERMINATED) {
        return CUSTOMS_ERROR;
    }
    /* keep the last TAIL bytes for matches that started before the next chunk */
    if (len >= TAIL) {
        memcpy(s->tail, p + len - TAIL, TAIL);
        s->tail_len = TAIL;
    } else {
        size_t keep = s->tail_len + len > TAIL ? TAIL - len : s->tail_len;
        memmove(s->tail, s->tail + s->tail_len - keep, keep);
        memcpy(s->tail + keep, p, len);
        s->tail_len = keep + len;
    }
    if (!last) { /* the newlines before the next chunk (most files come in one) */
        s->lines += customs_secret_count_nl(p, len);
    }
    s->off += len;
    return s->error;
}

int customs_secret_end(struct customs_secret_scanner *s, customs_secret_emit_fn emit, void *ctx)
{
    int r = 0;
    if (s->stream == NULL && !s->closed) {
        return 0;
    }
    s->chunk = NULL;
    if (s->stream != NULL) {
        hs_close_stream(s->stream, s->scratch, on_match, s);
        s->stream = NULL;
        recut(s);
    }
    if (s->error != 0) {
        r = s->error;
        reset(s);
        return r;
    }
    r = customs_secret_confirm_all(s, emit, ctx);
    reset(s);
    return r;
}

int customs_secret_scan_buffer(struct customs_secret_scanner *s, const char *path,
                               const void *buf, size_t len, customs_secret_emit_fn emit,
                               void *ctx)
{
    int r = customs_secret_begin(s, path, len);
    if (r == 0) {
        r = customs_secret_feed(s, buf, len);
    }
    if (r == 0) {
        r = customs_secret_end(s, emit, ctx);
    }
    return r;
}

