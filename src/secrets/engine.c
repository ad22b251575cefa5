/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The secret engine: one Vectorscan streaming database for every rule (start-of-match on, so a
 * candidate's bytes can be cut out of the stream), and per-rule confirmation.
 *
 * While a file streams, each match's bytes are copied out at once, from the current chunk or
 * from a small tail of the previous ones (secrets are short; the tail is 8 KiB). Matches of
 * one rule that start at the same offset are merged (Vectorscan reports every end; the longest
 * wins, as a greedy regex would). When the file ends, every candidate is confirmed: the rule's
 * POSIX regex extracts the secret group, then entropy, checksum, binary-file and allowlist
 * checks decide, and a catch-all rule gives way to a specific rule on the same bytes.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <hs/hs.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "secrets/cache.h"
#include "secrets/rules.h"

#include "core/banned.h"

#define TAIL 8192
#define MAX_TEXT 4096   /* the longest match confirmed (a JWT with many claims runs past 1 KiB) */
#define WINDOW 1024     /* confirmation looks at the last WINDOW bytes first */
#define MAX_CANDIDATES 4096

#define BUILTIN "builtin rules.yaml" /* the origin of the rules compiled into the binary */

struct customs_secret_engine {
    struct customs_arena arena;
    struct customs_secret_rule *rules;
    size_t nrules;
    hs_database_t *db;     /* every rule: text files */
    hs_database_t *db_bin; /* the key-material rules (binary: true): binary files; or NULL */
    pthread_mutex_t *re_lock; /* taken to compile a built-in rule's regexes at first use */
    struct customs_secret_allowlist allow; /* from the user's rule file */
    const char *cache_dir; /* compiled databases cached here (cache.c), or NULL */
    char fingerprint[CUSTOMS_DIGEST_MAX]; /* customs_secret_engine_fingerprint */
};

struct candidate {
    unsigned rule;
    uint64_t to;       /* end of the match in the file */
    uint64_t line_to;  /* 1-based line at `to` */
    char *text;        /* the MAX_TEXT bytes before `to` (fewer at the start), NUL-terminated */
    size_t len;
    uint64_t from;     /* set by confirmation */
    uint64_t line;
    const char *secret;
    size_t secret_len;
    bool stale;        /* `to` moved on since `text` was cut */
    bool dropped;
    bool invalid;      /* the provider's exact format with a wrong checksum: no token at all */
    bool weak;         /* confirmed as a weak value of a credential structure */
};

struct customs_secret_scanner {
    const struct customs_secret_engine *e;
    hs_scratch_t *scratch;
    hs_stream_t *stream;
    bool docs;                 /* a documentation path: nothing is reported, nothing scanned */
    bool code;                 /* a source file: names stand unquoted, literals are quoted */
    bool binary;
    bool probed;
    uint64_t off;              /* offset of the current chunk */
    uint64_t lines;            /* newlines before the current chunk */
    const uint8_t *chunk;      /* during a scan: the current chunk */
    size_t chunk_len;
    uint64_t nl_at;            /* newlines of the chunk before offset nl_at: nl_lines */
    uint64_t nl_lines;
    uint8_t tail[TAIL];        /* the last bytes before the current chunk */
    size_t tail_len;
    struct customs_vec cands;  /* struct candidate */
    long *last;                /* per rule: index of its latest candidate, or -1 */
    int error;
};

/* ---- compiling ---- */

/* Hyperscan and glibc's ERE share the rule syntax except inside brackets, where ERE takes a
 * backslash literally: spell \s, \r, \n, \t there as the characters they stand for. */
static char *ere_from(const char *pat)
{
    size_t n = strlen(pat);
    char *out = customs_malloc(n * 6 + 1);
    size_t o = 0;
    bool in_class = false;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = pat[i];
        if (c == '\\' && i + 1 < n) {
            char d = pat[i + 1];
            if (in_class && d == 's') {
                memcpy(out + o, " \t\r\n\f\v", 6);
                o += 6;
                i++;
                continue;
            }
            if (d == 'r' || d == 'n' || d == 't') {
                out[o++] = d == 'r' ? '\r' : d == 'n' ? '\n' : '\t';
                i++;
                continue;
            }
            if (in_class) {
                out[o++] = d; /* \] \\ \- inside a class: the character itself */
                i++;
                continue;
            }
            out[o++] = c;
            out[o++] = d;
            i++;
            continue;
        }
        if (!in_class && c == '[') {
            in_class = true;
            out[o++] = c;
            if (i + 1 < n && pat[i + 1] == '^') {
                out[o++] = pat[++i];
            }
            if (i + 1 < n && pat[i + 1] == ']') {
                out[o++] = pat[++i];
            }
            continue;
        }
        if (in_class && c == ']') {
            in_class = false;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

/* One streaming database of `n` patterns (ids: rule indexes), from the cache if the engine has
 * one and it holds exactly these patterns. */
static int build_db(const struct customs_secret_engine *e, const char **pats,
                    const unsigned *flags, const unsigned *ids, size_t n, hs_database_t **db,
                    struct customs_error *err)
{
    char key[CUSTOMS_SECRET_CACHE_KEY_LEN];
    hs_compile_error_t *cerr = NULL;
    bool cached = e->cache_dir != NULL &&
                  customs_secret_cache_key(key, pats, flags, ids, n, HS_MODE_STREAM) == 0;
    if (cached) {
        int r = customs_secret_cache_load(db, e->cache_dir, key);
        if (r != CUSTOMS_ENOTFOUND) {
            return r == 0 ? 0 : customs_error_set(err, r, "out of memory");
        }
    }
    if (hs_compile_multi(pats, flags, ids, (unsigned)n, HS_MODE_STREAM, NULL, db, &cerr) !=
        HS_SUCCESS) {
        const struct customs_secret_rule *bad =
            cerr->expression >= 0 ? &e->rules[ids[cerr->expression]] : NULL;
        int r = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: rule %s: %s",
                                  bad != NULL ? bad->origin : "rules",
                                  bad != NULL ? bad->id : "?", cerr->message);
        hs_free_compile_error(cerr);
        return r;
    }
    if (cached) {
        customs_secret_cache_store(*db, e->cache_dir, key);
    }
    return 0;
}

unsigned customs_secret_rule_hs_flags(const struct customs_secret_rule *r)
{
    return (r->caseless ? HS_FLAG_CASELESS : 0) | (r->multiline ? HS_FLAG_MULTILINE : 0);
}

/* A rule's two POSIX regexes: the pattern, and the pattern anchored at the end of the text.
 * Sets the rule's state: 1 compiled, -1 refused (then nothing is left allocated). Out of memory
 * leaves the state 0 (not compiled yet) and returns CUSTOMS_ENOMEM: the scan fails, it does not
 * go on without the rule. */
static int compile_regex(struct customs_secret_rule *rule, struct customs_error *err)
{
    int r = 0, rc = 0;
    char msg[200] = "";
    char *ere = ere_from(rule->pattern);
    char *anchored = ere != NULL ? customs_malloc(strlen(ere) + 4) : NULL;
    int cflags = REG_EXTENDED | (rule->caseless ? REG_ICASE : 0) |
                 (rule->multiline ? REG_NEWLINE : 0);
    if (anchored == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    } else if ((rc = regcomp(&rule->re, ere, cflags)) != 0) {
        regerror(rc, &rule->re, msg, sizeof(msg));
        r = rc == REG_ESPACE ? customs_error_set(err, CUSTOMS_ENOMEM, "out of memory")
                             : customs_error_set(err, CUSTOMS_EMALFORMED,
                                                 "%s: rule %s: pattern: %s", rule->origin,
                                                 rule->id, msg);
    } else {
        snprintf(anchored, strlen(ere) + 4, "(%s)$", ere);
        if ((rc = regcomp(&rule->re_end, anchored, cflags)) != 0) {
            regerror(rc, &rule->re_end, msg, sizeof(msg));
            r = rc == REG_ESPACE ? customs_error_set(err, CUSTOMS_ENOMEM, "out of memory")
                                 : customs_error_set(err, CUSTOMS_EMALFORMED,
                                                     "%s: rule %s: pattern: %s", rule->origin,
                                                     rule->id, msg);
        } else if (rule->group > rule->re.re_nsub) {
            r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                  "%s: rule %s: group %u, but the pattern has %zu groups",
                                  rule->origin, rule->id, rule->group, rule->re.re_nsub);
            regfree(&rule->re_end);
        }
        if (r != 0) {
            regfree(&rule->re);
        }
    }
    customs_free(ere);
    customs_free(anchored);
    if (r != CUSTOMS_ENOMEM) {
        atomic_store_explicit(&rule->re_state, r == 0 ? 1 : -1, memory_order_release);
    }
    return r;
}

/* Are the rule's regexes compiled (now, if they were not)? 1 yes, 0 the rule was refused,
 * CUSTOMS_ENOMEM. glibc's regcomp of all 170 built-in rules took 60 % of the 146 ms a content
 * scan spent starting; most rules never see a candidate in a given image, so each is compiled
 * at its first. */
static int rule_regex(const struct customs_secret_engine *e, struct customs_secret_rule *rule)
{
    if (atomic_load_explicit(&rule->re_state, memory_order_acquire) == 0) {
        struct customs_error err;
        int r = 0;
        pthread_mutex_lock(e->re_lock);
        if (atomic_load_explicit(&rule->re_state, memory_order_relaxed) == 0) {
            r = compile_regex(rule, &err);
        }
        pthread_mutex_unlock(e->re_lock);
        if (r == CUSTOMS_ENOMEM) {
            return r;
        }
    }
    return atomic_load_explicit(&rule->re_state, memory_order_acquire) == 1;
}

int customs_secret_engine_check(struct customs_secret_engine *e, struct customs_error *err)
{
    for (size_t i = 0; i < e->nrules; i++) {
        if (atomic_load(&e->rules[i].re_state) != 1) { /* again if it failed: its message */
            int r = compile_regex(&e->rules[i], err);
            if (r < 0) {
                return r;
            }
        }
    }
    return 0;
}

static int compile(struct customs_secret_engine *e, struct customs_error *err)
{
    const char **pats = customs_calloc(e->nrules, sizeof(char *));
    unsigned *flags = customs_calloc(e->nrules, sizeof(unsigned));
    unsigned *ids = customs_calloc(e->nrules, sizeof(unsigned));
    int r = 0;
    if (pats == NULL || flags == NULL || ids == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < e->nrules && r == 0; i++) {
        struct customs_secret_rule *rule = &e->rules[i];
        pats[i] = rule->pattern;
        ids[i] = (unsigned)i;
        flags[i] = customs_secret_rule_hs_flags(rule);
        /* the user's rules now, so that a bad pattern is an error before the scan starts;
         * the built-in ones (checked by the unit tests) at their first candidate */
        if (strcmp(rule->origin, BUILTIN) != 0) {
            r = compile_regex(rule, err);
        }
    }
    if (r == 0) {
        r = build_db(e, pats, flags, ids, e->nrules, &e->db, err);
    }
    /* binary files: the key-material rules only, in a database of their own */
    size_t nbin = 0;
    for (size_t i = 0; r == 0 && i < e->nrules; i++) {
        if (e->rules[i].binary) {
            pats[nbin] = pats[i];
            flags[nbin] = flags[i];
            ids[nbin++] = ids[i];
        }
    }
    if (r == 0 && nbin > 0) {
        r = build_db(e, pats, flags, ids, nbin, &e->db_bin, err);
    }
out:
    customs_free(pats);
    customs_free(flags);
    customs_free(ids);
    return r;
}

int customs_secret_engine_new(struct customs_secret_engine **out, const char *extra_path,
                              const char *cache_dir, struct customs_error *err)
{
    struct customs_secret_engine *e = customs_calloc(1, sizeof(*e));
    struct customs_vec rules;
    uint8_t *extra = NULL;
    size_t extra_len = 0;
    *out = NULL;
    if (e == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    customs_arena_init(&e->arena);
    customs_vec_init(&rules, sizeof(struct customs_secret_rule));
    struct customs_secret_allowlist none;
    int r = customs_secret_rules_load(&rules, &none, &e->arena, BUILTIN,
                                      customs_secret_rules_yaml, customs_secret_rules_yaml_len,
                                      err);
    if (r == 0 && cache_dir != NULL &&
        (e->cache_dir = customs_arena_strdup(&e->arena, cache_dir)) == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (r == 0 && extra_path != NULL) {
        const char *name = customs_arena_strdup(&e->arena, extra_path);
        r = customs_read_file(extra_path, 16u << 20, &extra, &extra_len, err);
        if (r == 0) {
            size_t before = rules.len;
            r = customs_secret_rules_load(&rules, &e->allow, &e->arena, name, extra, extra_len,
                                          err);
            /* A rule with the id of an earlier one replaces it. */
            for (size_t i = before; r == 0 && i < rules.len; i++) {
                struct customs_secret_rule *nr = customs_vec_at(&rules, i);
                for (size_t j = 0; j < before; j++) {
                    struct customs_secret_rule *old = customs_vec_at(&rules, j);
                    if (old->id != NULL && strcmp(old->id, nr->id) == 0) {
                        *old = *nr;
                        nr->id = NULL; /* tombstone */
                        break;
                    }
                }
            }
            /* The allowlist's rules are switched off; an id that names no rule is a typo. */
            for (size_t k = 0; r == 0 && k < e->allow.nrules; k++) {
                bool found = false;
                for (size_t i = 0; i < rules.len; i++) {
                    struct customs_secret_rule *x = customs_vec_at(&rules, i);
                    if (x->id != NULL && strcmp(x->id, e->allow.rules[k]) == 0) {
                        x->id = NULL;
                        found = true;
                    }
                }
                if (!found) {
                    r = customs_error_set(err, CUSTOMS_EMALFORMED,
                                          "%s: allowlist rule '%.100s' is no rule", name,
                                          e->allow.rules[k]);
                }
            }
            size_t o = 0;
            for (size_t i = 0; i < rules.len; i++) {
                struct customs_secret_rule *x = customs_vec_at(&rules, i);
                if (x->id != NULL) {
                    *(struct customs_secret_rule *)customs_vec_at(&rules, o++) = *x;
                }
            }
            rules.len = o;
        }
    }
    e->rules = rules.items;
    e->nrules = rules.len;
    if (r == 0) {
        /* the user's rule file (the built-in ones are the library's code) and the matcher */
        struct customs_sha256 sha;
        const char *hs = hs_version();
        r = customs_sha256_init(&sha) < 0 ? CUSTOMS_ENOMEM : 0;
        if (r == 0) {
            customs_sha256_field(&sha, hs, strlen(hs));
            customs_sha256_field(&sha, extra_path != NULL ? "user rules" : "", extra_path ? 10 : 0);
            customs_sha256_field(&sha, extra, extra_len);
            r = customs_sha256_final(&sha, e->fingerprint) < 0 ? CUSTOMS_ENOMEM : 0;
            customs_sha256_release(&sha);
        }
        if (r < 0) {
            customs_error_set(err, r, "out of memory");
        }
    }
    if (r == 0 && e->nrules == 0) {
        r = customs_error_set(err, CUSTOMS_EINVAL, "no secret rules");
    }
    if (r == 0) {
        e->re_lock = customs_malloc(sizeof(*e->re_lock));
        if (e->re_lock == NULL || pthread_mutex_init(e->re_lock, NULL) != 0) {
            customs_free(e->re_lock);
            e->re_lock = NULL;
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    if (r == 0) {
        r = compile(e, err);
    }
    customs_free(extra);
    if (r < 0) {
        customs_secret_engine_free(e);
        return r;
    }
    *out = e;
    return 0;
}

const char *customs_secret_engine_fingerprint(const struct customs_secret_engine *e)
{
    return e->fingerprint;
}

void customs_secret_engine_free(struct customs_secret_engine *e)
{
    if (e == NULL) {
        return;
    }
    for (size_t i = 0; i < e->nrules; i++) {
        if (atomic_load(&e->rules[i].re_state) == 1) {
            regfree(&e->rules[i].re);
            regfree(&e->rules[i].re_end);
        }
    }
    if (e->re_lock != NULL) {
        pthread_mutex_destroy(e->re_lock);
        customs_free(e->re_lock);
    }
    if (e->db != NULL) {
        hs_free_database(e->db);
    }
    if (e->db_bin != NULL) {
        hs_free_database(e->db_bin);
    }
    customs_free(e->rules);
    customs_arena_release(&e->arena);
    customs_free(e);
}

size_t customs_secret_rule_count(const struct customs_secret_engine *e)
{
    return e->nrules;
}

const struct customs_secret_rule *customs_secret_rule_at(const struct customs_secret_engine *e,
                                                         size_t i)
{
    return i < e->nrules ? &e->rules[i] : NULL;
}

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
    s->last = customs_calloc(e->nrules, sizeof(long));
    if (s->last == NULL || hs_alloc_scratch(e->db, &s->scratch) != HS_SUCCESS ||
        (e->db_bin != NULL && hs_alloc_scratch(e->db_bin, &s->scratch) != HS_SUCCESS)) {
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

int customs_secret_begin(struct customs_secret_scanner *s, const char *path)
{
    reset(s);
    s->docs = docs_path(path) || allowed_path(&s->e->allow, path);
    s->code = source_path(path);
    s->binary = false;
    s->probed = false;
    s->off = 0;
    s->lines = 0;
    s->tail_len = 0;
    s->error = 0;
    if (s->stream != NULL) {
        hs_close_stream(s->stream, s->scratch, NULL, NULL);
        s->stream = NULL;
    }
    return 0;
}

/* Newlines in p[0..n). Every byte of every file passes here: counted in sixteen byte-wide
 * lanes, which the compiler turns into vector compares (37 GB/s from cache, text or binary;
 * a memchr per line managed 8 on 40-byte lines). A lane counts at most
 * 255 blocks before it is summed, so it cannot wrap. */
static size_t count_nl(const uint8_t *p, size_t n)
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
    if (id >= s->e->nrules || to > s->off + (s->chunk != NULL ? s->chunk_len : 0)) {
        s->error = CUSTOMS_EMALFORMED;
        return 1;
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
        s->nl_lines += count_nl(s->chunk + (s->nl_at - s->off), (size_t)(to - s->nl_at));
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
    if (!s->probed && !s->docs && len > 0) {
        /* The first chunk decides: a binary file is scanned for key material only, with the
         * smaller database (on the toolchain bench image, secret scanning costs less than half
         * of what it cost with every rule on every file). */
        size_t probe = len < CUSTOMS_SECRET_BINARY_PROBE ? len : CUSTOMS_SECRET_BINARY_PROBE;
        s->binary = memchr(p, '\0', probe) != NULL;
        s->probed = true;
        const hs_database_t *db = s->binary ? s->e->db_bin : s->e->db;
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
    s->lines += count_nl(p, len);
    s->off += len;
    return s->error;
}

double customs_secret_entropy(const char *str, size_t n)
{
    size_t counts[256] = {0};
    double h = 0;
    if (n == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        counts[(unsigned char)str[i]]++;
    }
    for (int i = 0; i < 256; i++) {
        if (counts[i] > 0) {
            double p = (double)counts[i] / (double)n;
            h -= p * log2(p);
        }
    }
    return h;
}

static bool checksum_ok(enum customs_secret_checksum kind, const char *s, size_t n)
{
    static const char a62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (kind != CUSTOMS_CHECKSUM_GITHUB_CRC32) {
        return true;
    }
    const char *us = memchr(s, '_', n);
    if (us == NULL || n - (size_t)(us + 1 - s) != 36) {
        return false;
    }
    const char *body = us + 1;
    unsigned long crc = crc32(0L, (const Bytef *)body, 30);
    char want[7];
    for (int i = 5; i >= 0; i--) {
        want[i] = a62[crc % 62];
        crc /= 62;
    }
    want[6] = '\0';
    return memcmp(body + 30, want, 6) == 0;
}

/* A template's slot: a name in braces ("{password}", "{api_key}", "{0}"). A random value that
 * someone wrapped in braces holds digits among its letters ("{ZqL5kVrX1n8tA2}"). */
static bool brace_slot(const char *s)
{
    for (const char *b = strchr(s, '{'); b != NULL; b = strchr(b + 1, '{')) {
        size_t n = strspn(b + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.-");
        size_t d = n == 0 ? strspn(b + 1, "0123456789") : 0;
        if ((n > 0 && b[1 + n] == '}') || (d > 0 && d <= 2 && b[1 + d] == '}')) {
            return true;
        }
    }
    return false;
}

enum value_kind {
    VALUE_REAL,
    VALUE_WEAK,     /* a dictionary word or a made-up sequence: a weak value, or a placeholder */
    VALUE_NOT_REAL, /* says it is not a value */
};

/*
 * Values that say they are not real: a provider's documented example (AKIAIOSFODNN7EXAMPLE, the
 * token kubeadm prints by default), filler and redaction marks (xxxxxxxx, 00000000, ****, ...),
 * words that say "replace me", template openers and slots, the name of the slot itself
 * ("password", "user:password") and non-values (null, true). Weak: the dictionary words people
 * type as passwords ("secret", "admin:admin") and, for the catch-all rules, values that merely
 * look made up (sequences such as 12345678 or abcdef, which people type and random tokens rarely
 * hold) or hold format and interpolation marks (%s, %(, $(, #{): in a provider's own format
 * whose alphabet has those characters (a Django key) they are chance, not a template.
 */
static enum value_kind judge_value(const char *s, size_t n, bool catch_all)
{
    static const char *const parts[] = {"EXAMPLE", "example", "XXXXXXXX", "xxxxxxxx", "00000000",
                                        "changeme", "CHANGEME", "your_", "your-", "YOUR_",
                                        "placeholder", "PLACEHOLDER", "dummy", "DUMMY", "${",
                                        "{{", "<", "&lt;", "****", "####", "...",
                                        "abcdef.0123456789abcdef"};
    static const char *const made_up[] = {"abcdef", "ABCDEF", "12345678", "qwerty", "QWERTY",
                                          "%s", "%(", "$(", "#{", "process.env", "anonymous"};
    static const char *const slot[] = {"password", "passwd", "pass", "pwd", "token", "null",
                                       "none", "true", "false", "undefined", "user", "username",
                                       "login", "apikey", "api_key", "key"};
    static const char *const weak[] = {"secret", "admin", "root", "test", "password123"};
    char buf[MAX_TEXT + 1];
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (strstr(buf, parts[i]) != NULL) {
            return VALUE_NOT_REAL;
        }
    }
    if (brace_slot(buf)) {
        return VALUE_NOT_REAL;
    }
    bool made = false;
    for (size_t i = 0; catch_all && i < sizeof(made_up) / sizeof(made_up[0]); i++) {
        made = made || strstr(buf, made_up[i]) != NULL;
    }
    /* user:password, or each side of a colon a placeholder word ("username:token", with the
     * quotes of `curl -u "user":"pass"`) */
    bool all_words = true, all_slots = true;
    for (char *part = buf, *next; part != NULL && all_words; part = next) {
        next = strchr(part, ':');
        if (next != NULL) {
            *next++ = '\0';
        }
        part += strspn(part, "\"'");
        for (size_t len = strlen(part); len > 0 && strchr("\"'", part[len - 1]) != NULL; len--) {
            part[len - 1] = '\0';
        }
        bool is_slot = part[0] == '\0';
        for (size_t i = 0; i < sizeof(slot) / sizeof(slot[0]) && !is_slot; i++) {
            is_slot = strcasecmp(part, slot[i]) == 0;
        }
        bool word = is_slot;
        for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]) && !word; i++) {
            word = strcasecmp(part, weak[i]) == 0;
        }
        all_words = word;
        all_slots = all_slots && is_slot;
    }
    return all_words && all_slots ? VALUE_NOT_REAL : all_words || made ? VALUE_WEAK : VALUE_REAL;
}

/* The floor of the rule, lowered for hexadecimal secrets: sixteen symbols give at most four bits
 * a character, and a random 32-digit hex key measures about 3.7. */
static double entropy_floor(const struct customs_secret_rule *r, const struct candidate *c)
{
    for (size_t i = 0; i < c->secret_len; i++) {
        if (!isxdigit((unsigned char)c->secret[i])) {
            return r->entropy;
        }
    }
    return r->entropy > 3.0 ? 3.0 : r->entropy;
}

/*
 * For the catch-all assignment rules: does the name the value is assigned to (the text of the
 * match before the secret) name a secret? Not when it says the thing is public (a public key,
 * a publishable token) or when its last word says the value is about a secret, not the secret
 * itself: SECRET_NAME, token_type, apiKeyHeader, PASSWORD_FILE.
 */
static bool secret_name(const char *from, const char *secret)
{
    static const char *const about[] = {
        "name", "names", "id", "ids", "file", "path", "dir", "url", "uri", "header", "type",
        "length", "len", "size", "field", "param", "var", "env", "label", "prefix", "suffix",
        "format", "version", "endpoint", "hint", "policy", "ttl", "expiry", "count", "arn",
        "ref", "regex", "pattern", "prompt", "placeholder", "hash", "digest", "salt", "mode"};
    size_t n = (size_t)(secret - from);
    char low[MAX_TEXT + 1];
    for (size_t i = 0; i < n; i++) {
        low[i] = (char)tolower((unsigned char)from[i]);
    }
    low[n] = '\0';
    if (strstr(low, "public") != NULL || strstr(low, "publishable") != NULL) {
        return false;
    }
    /* the last identifier before the value, then its last word (by _ - . or camel case) */
    const unsigned char *u = (const unsigned char *)from;
    size_t e = n;
    while (e > 0 && !isalnum(u[e - 1])) {
        e--;
    }
    size_t b = e;
    while (b > 0 && (islower(u[b - 1]) || isdigit(u[b - 1]))) {
        b--;
    }
    if (b > 0 && isupper(u[b - 1])) {
        b--;
    }
    if (b == e || (b > 0 && isupper(u[b]) && b + 1 == e)) {
        while (b > 0 && (isupper(u[b - 1]) || isdigit(u[b - 1]))) {
            b--;
        }
    }
    for (size_t i = 0; i < sizeof(about) / sizeof(about[0]); i++) {
        if (strlen(about[i]) == e - b && strncmp(low + b, about[i], e - b) == 0) {
            return false;
        }
    }
    return true;
}

/* The catch-all rules whose value follows the name it is assigned to (in the others, a user
 * name or the word "value" stands there). */
static bool name_before_value(const struct customs_secret_rule *r)
{
    return customs_str_has_suffix(r->id, "-assignment") ||
           strcmp(r->id, "generic-password-comparison") == 0 ||
           strcmp(r->id, "generic-env-secret") == 0 ||
           strcmp(r->id, "generic-connection-string-password") == 0;
}

/* A value that spells "password" is a label, a selector or a template ("#add-password",
 * "YourPassword1"), not a password. */
static bool names_password(const char *s, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++) {
        if (strncasecmp(s + i, "password", 8) == 0) {
            return true;
        }
    }
    return false;
}

/* A snake_case name of three words or more ("openssl_x509_checkpurpose"): code, not a secret. */
static bool snake_case(const char *s, size_t n)
{
    size_t words = 1;
    if (n == 0 || !islower((unsigned char)s[0])) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '_') {
            if (i + 1 == n || s[i + 1] == '_') {
                return false;
            }
            words++;
        } else if (!islower(ch) && !isdigit(ch)) {
            return false;
        }
    }
    return words >= 3;
}

/* A mail address, or a name and an @ (the anonymous FTP password "busybox@"): who, not a secret.
 * "P@ssw0rd" is no address: after the @ comes nothing or a dotted domain. */
static bool email_like(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (at == NULL || at == s) {
        return false;
    }
    bool dot = false;
    for (const char *p = s; p < s + n; p++) {
        unsigned char ch = (unsigned char)*p;
        if (p != at && !isalnum(ch) && strchr("._-", ch) == NULL) {
            return false;
        }
        dot = dot || (p > at && ch == '.');
    }
    return at + 1 == s + n || dot;
}

/* An expression, not a literal: `cfg.db_pass`, `self.secret`. */
static bool dotted_name(const char *s, size_t n)
{
    bool dot = false, start = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '.' && !start) {
            dot = start = true;
        } else if (isalpha(ch) || ch == '_' || (!start && isdigit(ch))) {
            start = false;
        } else {
            return false;
        }
    }
    return dot && !start;
}

/* HTTP Basic credentials are the base64 of "user:password"; anything else after "Basic " (a
 * JWT, which the jwt rule reports as such; a variable's name) is not. Decodes them into `out`
 * (at least n bytes) as a C string. */
static bool basic_credentials(const char *s, size_t n, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    bool colon = false;
    size_t i = 0, o = 0;
    for (; i < n && s[i] != '='; i++) {
        const char *p = memchr(b64, s[i], 64);
        if (p == NULL) {
            return false;
        }
        acc = (acc << 6) | (uint32_t)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            unsigned char ch = (unsigned char)(acc >> bits);
            if (ch < ' ' || ch == 0x7f) { /* a password may hold UTF-8, never control bytes */
                return false;
            }
            colon = colon || ch == ':';
            out[o++] = (char)ch;
        }
    }
    while (i < n && s[i] == '=') {
        i++;
    }
    out[o] = '\0';
    return i == n && colon && out[0] != '{'; /* {"alg":...: a JWT's header */
}

/* Find the rule's match that ends where Vectorscan said, extract the secret and judge it. */
static int confirm(const struct customs_secret_scanner *s, struct candidate *c)
{
    struct customs_secret_rule *r = &s->e->rules[c->rule];
    regmatch_t m[11];
    size_t off = 0;
    unsigned group = r->group;
    bool found = false;
    if (c->len == 0 || (s->binary && !r->binary)) {
        return 0;
    }
    int compiled = rule_regex(s->e, r);
    if (compiled <= 0) {
        return compiled;
    }
    /* most matches are short: look in the last WINDOW bytes, then in all of the text; the
     * pattern anchored at the end finds the match in one pass (group 1 is then the whole) */
    for (size_t first = c->len > WINDOW ? c->len - WINDOW : 0;; first = 0) {
        off = first;
        if (regexec(&r->re_end, c->text + off, 11, m, off > 0 ? REG_NOTBOL : 0) == 0 &&
            off + (size_t)m[0].rm_eo == c->len) {
            found = true;
            group = r->group + 1;
            break;
        }
        /* with REG_NEWLINE, $ also matches before a newline: then step match by match */
        while (r->multiline && off < c->len &&
               regexec(&r->re, c->text + off, 10, m, off > 0 ? REG_NOTBOL : 0) == 0) {
            if (off + (size_t)m[0].rm_eo == c->len) {
                found = true;
                break;
            }
            off += (size_t)m[0].rm_so + 1;
        }
        if (found || first == 0) {
            break;
        }
    }
    if (!found || m[group].rm_so < 0) {
        return 0;
    }
    const char *start = c->text + off + m[0].rm_so;
    c->from = c->to - (uint64_t)(c->text + c->len - start);
    c->line = c->line_to - count_nl((const uint8_t *)start, (size_t)(c->text + c->len - start));
    c->secret = c->text + off + m[group].rm_so;
    c->secret_len = (size_t)(m[group].rm_eo - m[group].rm_so);
    if (c->secret_len == 0) {
        return 0;
    }
    /* A weak value (below the floor, letters only, a dictionary word) is dropped, but by a rule for
     * a credential structure (weak: true): a database URL, a connection string, a user name and
     * password side by side. There the value is a credential whatever it looks like, and it is
     * reported as weak (LOW); a repeated filler ("aaaa", "abab") still is not. */
    bool weak = false;
    double h = r->entropy > 0 ? customs_secret_entropy(c->secret, c->secret_len) : 0;
    if (r->entropy > 0 && h < entropy_floor(r, c)) {
        if (!r->weak || h < 1.5) {
            return 0;
        }
        weak = true;
    }
    if (!checksum_ok(r->checksum, c->secret, c->secret_len)) {
        c->invalid = true;
        return 0;
    }
    if (r->mixed) {
        bool alpha = false, digit = false;
        for (size_t i = 0; i < c->secret_len; i++) {
            unsigned char ch = (unsigned char)c->secret[i];
            alpha = alpha || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
            digit = digit || (ch >= '0' && ch <= '9') ||
                    (r->mixed_punct && ch > ' ' && ch < 0x7f && !isalnum(ch) &&
                     strchr("-_./:", ch) == NULL);
        }
        if (!alpha || (!digit && !r->weak)) {
            return 0;
        }
        weak = weak || !digit;
    }
    /* the byte before the value: a quote when it is a quoted literal */
    char before = c->secret > c->text ? c->secret[-1] : '\0';
    bool quoted = before == '"' || before == '\'';
    if (r->quoted_in_code && s->code && !quoted) {
        return 0;
    }
    char decoded[MAX_TEXT + 1];
    if (c->secret - start >= 6 && strncasecmp(c->secret - 6, "Basic ", 6) == 0 &&
        (!basic_credentials(c->secret, c->secret_len, decoded) ||
         judge_value(decoded, strlen(decoded), true) != VALUE_REAL)) {
        return 0;
    }
    if (customs_str_has_prefix(r->id, "generic-") &&
        ((!quoted && dotted_name(c->secret, c->secret_len)) ||
         (name_before_value(r) && !secret_name(start, c->secret)) ||
         snake_case(c->secret, c->secret_len) || email_like(c->secret, c->secret_len))) {
        return 0;
    }
    if (customs_str_has_prefix(r->id, "generic-") && names_password(c->secret, c->secret_len)) {
        if (!r->weak) {
            return 0;
        }
        weak = true;
    }
    for (size_t i = 0; i < s->e->allow.nvalues; i++) {
        if (strlen(s->e->allow.values[i]) == c->secret_len &&
            memcmp(s->e->allow.values[i], c->secret, c->secret_len) == 0) {
            return 0;
        }
    }
    /* A provider-specific rule (a prefix or the provider's name, then the token's exact format)
     * reports a made-up-looking value ("12345678-ABCD-...") that passes its entropy floor and
     * checksum: such slots are rare in real images, and a value in one is worth a reviewer's
     * look. The catch-all rules, where the noise of real files is, drop it. */
    enum value_kind kind = judge_value(c->secret, c->secret_len, r->catch_all);
    if (kind == VALUE_NOT_REAL || (kind == VALUE_WEAK && !r->weak)) {
        return 0;
    }
    c->weak = weak || kind == VALUE_WEAK;
    return 1;
}

int customs_secret_end(struct customs_secret_scanner *s, customs_secret_emit_fn emit, void *ctx)
{
    int r = 0;
    if (s->stream == NULL) {
        return 0;
    }
    s->chunk = NULL;
    hs_close_stream(s->stream, s->scratch, on_match, s);
    s->stream = NULL;
    recut(s);
    if (s->error != 0) {
        r = s->error;
        reset(s);
        return r;
    }
    /* confirm, then let specific rules win over catch-alls on the same bytes: a confirmed one
     * takes them, and so does one whose checksum failed (a ghp_ token with a wrong checksum is
     * a made-up example, whatever name it is assigned to) */
    for (size_t i = 0; i < s->cands.len; i++) {
        struct candidate *c = customs_vec_at(&s->cands, i);
        int k = confirm(s, c);
        if (k < 0) {
            reset(s);
            return k;
        }
        c->dropped = k == 0;
    }
    for (size_t i = 0; i < s->cands.len; i++) {
        struct candidate *c = customs_vec_at(&s->cands, i);
        if (c->dropped || !s->e->rules[c->rule].catch_all) {
            continue;
        }
        /* a specific rule on the same bytes wins; between catch-alls, the first listed */
        for (size_t j = 0; j < s->cands.len && !c->dropped; j++) {
            const struct candidate *d = customs_vec_at(&s->cands, j);
            bool d_fallback = s->e->rules[d->rule].catch_all;
            if (j != i && (!d->dropped || d->invalid) && d->from < c->to && c->from < d->to &&
                (!d_fallback || d->rule < c->rule)) {
                c->dropped = true;
            }
        }
    }
    for (size_t i = 0; i < s->cands.len && r == 0; i++) {
        struct candidate *c = customs_vec_at(&s->cands, i);
        if (c->dropped) {
            continue;
        }
        struct customs_secret_match m = {&s->e->rules[c->rule], c->secret, c->secret_len,
                                         c->from, c->line, c->weak};
        r = emit(ctx, &m);
    }
    reset(s);
    return r;
}

int customs_secret_scan_buffer(struct customs_secret_scanner *s, const char *path,
                               const void *buf, size_t len, customs_secret_emit_fn emit,
                               void *ctx)
{
    int r = customs_secret_begin(s, path);
    if (r == 0) {
        r = customs_secret_feed(s, buf, len);
    }
    if (r == 0) {
        r = customs_secret_end(s, emit, ctx);
    }
    return r;
}

void customs_secret_redact(char *out, size_t outsz, const char *secret, size_t len)
{
    size_t keep = len >= 16 ? 4 : len >= 8 ? 2 : 0;
    snprintf(out, outsz, "%.*s\xe2\x80\xa6 (%zu chars)", (int)keep, secret, len);
}
