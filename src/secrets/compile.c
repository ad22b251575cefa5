/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiling the secret engine: the built-in rules plus the user's, one Vectorscan streaming
 * database for every rule (start-of-match on, so a candidate's bytes can be cut out of the
 * stream) and one of the key-material rules for binary files, each from the private cache when
 * it holds exactly these patterns. A rule's POSIX regexes, which confirm its candidates, are
 * compiled at its first candidate (the user's rules at once, so a bad one fails early).
 */
#include "secrets/internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "secrets/cache.h"
#include "secrets/rules.h"

#include "core/banned.h"

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
            cerr->expression >= 0 && ids[cerr->expression] < e->nrules
                ? &e->rules[ids[cerr->expression]]
                : NULL;
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
int customs_secret_rule_regex(const struct customs_secret_engine *e,
                              struct customs_secret_rule *rule)
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

/* A literal as a pattern: every byte written \xHH (in the engine's arena). */
static char *literal_pattern(struct customs_arena *a, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *p = len < SIZE_MAX / 4 ? customs_arena_alloc(a, len * 4 + 1) : NULL;
    for (size_t i = 0; p != NULL && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        p[4 * i] = '\\';
        p[4 * i + 1] = 'x';
        p[4 * i + 2] = hex[c >> 4];
        p[4 * i + 3] = hex[c & 15];
    }
    if (p != NULL) {
        p[len * 4] = '\0';
    }
    return p;
}

/* The caller's literals as patterns at p->pats[at..], ids nrules.. (in both databases). */
static int add_literals(struct customs_secret_engine *e, const struct customs_secret_literals *lits,
                        struct customs_secret_patterns *p, size_t at)
{
    for (size_t k = 0; k < e->nlits; k++) {
        p->pats[at + k] = literal_pattern(&e->arena, lits->texts[k], lits->lens[k]);
        if (p->pats[at + k] == NULL) {
            return CUSTOMS_ENOMEM;
        }
        p->flags[at + k] = HS_FLAG_SINGLEMATCH | (lits->flags[k] & HS_FLAG_CASELESS);
        p->ids[at + k] = (unsigned)(e->nrules + k);
    }
    return 0;
}

static int patterns_alloc(struct customs_arena *a, struct customs_secret_patterns *p, size_t n)
{
    p->pats = customs_arena_alloc(a, (n ? n : 1) * sizeof(char *));
    p->flags = customs_arena_alloc(a, (n ? n : 1) * sizeof(unsigned));
    p->ids = customs_arena_alloc(a, (n ? n : 1) * sizeof(unsigned));
    p->n = 0;
    return p->pats == NULL || p->flags == NULL || p->ids == NULL ? CUSTOMS_ENOMEM : 0;
}

/* Both databases, from the cache or compiled. */
static int build_dbs(const struct customs_secret_engine *e, struct customs_error *err)
{
    struct customs_secret_dbs *d = e->dbs;
    const struct customs_secret_patterns *t = &d->text, *b = &d->bin;
    int r = build_db(e, t->pats, t->flags, t->ids, t->n, &d->db, err);
    if (r == 0 && b->n > 0) {
        r = build_db(e, b->pats, b->flags, b->ids, b->n, &d->db_bin, err);
    }
    return r;
}

/* Does the private cache hold the database of `p`? */
static bool cached(const struct customs_secret_engine *e, const struct customs_secret_patterns *p)
{
    char key[CUSTOMS_SECRET_CACHE_KEY_LEN];
    return p->n == 0 ||
           (e->cache_dir != NULL &&
            customs_secret_cache_key(key, p->pats, p->flags, p->ids, p->n, HS_MODE_STREAM) == 0 &&
            customs_secret_cache_has(e->cache_dir, key));
}

static int compile(struct customs_secret_engine *e, const struct customs_secret_literals *lits,
                   struct customs_error *err)
{
    struct customs_secret_dbs *d = e->dbs;
    struct customs_secret_patterns *t = &d->text, *b = &d->bin;
    size_t n = e->nrules + e->nlits;
    int r = 0;
    if (patterns_alloc(&e->arena, t, n) < 0 || patterns_alloc(&e->arena, b, n) < 0 ||
        add_literals(e, lits, t, e->nrules) < 0) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    t->n = n;
    for (size_t i = 0; i < e->nrules && r == 0; i++) {
        struct customs_secret_rule *rule = &e->rules[i];
        t->pats[i] = rule->pattern;
        t->ids[i] = (unsigned)i;
        t->flags[i] = customs_secret_rule_hs_flags(rule);
        /* the user's rules now, so that a bad pattern is an error before the scan starts;
         * the built-in ones (checked by the unit tests) at their first candidate */
        if (strcmp(rule->origin, BUILTIN) != 0) {
            r = compile_regex(rule, err);
        }
    }
    /* binary files: the key-material rules only, in a database of their own (with the
     * literals, which binary files need as much as text ones) */
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i >= e->nrules || e->rules[i].binary) {
            b->pats[b->n] = t->pats[i];
            b->flags[b->n] = t->flags[i];
            b->ids[b->n++] = t->ids[i];
        }
    }
    /* Both in the cache: they compiled before, so a bad pattern cannot be waiting there; they
     * are loaded by the first scanner. Otherwise compiled now, where an error is reported. */
    if (r == 0 && !(cached(e, t) && cached(e, b))) {
        r = build_dbs(e, err);
        atomic_store_explicit(&d->state, r == 0 ? 1 : r, memory_order_release);
    }
    return r;
}

int customs_secret_engine_ready(const struct customs_secret_engine *e, struct customs_error *err)
{
    struct customs_secret_dbs *d = e->dbs;
    int st = atomic_load_explicit(&d->state, memory_order_acquire);
    if (st == 0) {
        pthread_mutex_lock(&d->lock);
        st = atomic_load_explicit(&d->state, memory_order_relaxed);
        if (st == 0) {
            int r = build_dbs(e, &d->err);
            st = r == 0 ? 1 : r;
            atomic_store_explicit(&d->state, st, memory_order_release);
        }
        pthread_mutex_unlock(&d->lock);
    }
    if (st < 0 && err != NULL) {
        *err = d->err; /* written once, before the state that published it */
    }
    return st > 0 ? 0 : st;
}

bool customs_secret_engine_loaded(const struct customs_secret_engine *e)
{
    return atomic_load_explicit(&e->dbs->state, memory_order_acquire) == 1;
}

int customs_secret_engine_new(struct customs_secret_engine **out, const char *extra_path,
                              const char *cache_dir, struct customs_error *err)
{
    return customs_secret_engine_new_with(out, extra_path, cache_dir, NULL, err);
}

int customs_secret_engine_new_with(struct customs_secret_engine **out, const char *extra_path,
                                   const char *cache_dir, const struct customs_secret_literals *lits,
                                   struct customs_error *err)
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
        e->dbs = customs_calloc(1, sizeof(*e->dbs));
        if (e->dbs == NULL || pthread_mutex_init(&e->dbs->lock, NULL) != 0) {
            customs_free(e->dbs);
            e->dbs = NULL;
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    if (r == 0) {
        e->nlits = lits != NULL ? lits->n : 0;
        r = compile(e, lits, err);
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
    if (e->dbs != NULL) {
        if (e->dbs->db != NULL) {
            hs_free_database(e->dbs->db);
        }
        if (e->dbs->db_bin != NULL) {
            hs_free_database(e->dbs->db_bin);
        }
        pthread_mutex_destroy(&e->dbs->lock);
        customs_free(e->dbs);
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

