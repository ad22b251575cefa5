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

/* A literal as a pattern: every byte written \xHH. */
static char *literal_pattern(const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *p = len < SIZE_MAX / 4 ? customs_malloc(len * 4 + 1) : NULL;
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

/* The caller's literals as patterns at pats[at..], ids nrules.. (in both databases). */
static int add_literals(const struct customs_secret_engine *e,
                        const struct customs_secret_literals *lits, char **litpats,
                        const char **pats, unsigned *flags, unsigned *ids, size_t at)
{
    for (size_t k = 0; k < e->nlits; k++) {
        litpats[k] = literal_pattern(lits->texts[k], lits->lens[k]);
        pats[at + k] = litpats[k];
        if (litpats[k] == NULL) {
            return CUSTOMS_ENOMEM;
        }
        flags[at + k] = HS_FLAG_SINGLEMATCH | (lits->flags[k] & HS_FLAG_CASELESS);
        ids[at + k] = (unsigned)(e->nrules + k);
    }
    return 0;
}

static int compile(struct customs_secret_engine *e, const struct customs_secret_literals *lits,
                   struct customs_error *err)
{
    size_t n = e->nrules + e->nlits;
    const char **pats = customs_calloc(n, sizeof(char *));
    unsigned *flags = customs_calloc(n, sizeof(unsigned));
    unsigned *ids = customs_calloc(n, sizeof(unsigned));
    char **litpats = customs_calloc(e->nlits ? e->nlits : 1, sizeof(char *));
    int r = 0;
    if (pats == NULL || flags == NULL || ids == NULL || litpats == NULL ||
        add_literals(e, lits, litpats, pats, flags, ids, e->nrules) < 0) {
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
        r = build_db(e, pats, flags, ids, n, &e->db, err);
    }
    /* binary files: the key-material rules only, in a database of their own (with the
     * literals, which binary files need as much as text ones) */
    size_t nbin = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i >= e->nrules || e->rules[i].binary) {
            pats[nbin] = pats[i];
            flags[nbin] = flags[i];
            ids[nbin++] = ids[i];
        }
    }
    if (r == 0 && nbin > 0) {
        r = build_db(e, pats, flags, ids, nbin, &e->db_bin, err);
    }
out:
    for (size_t k = 0; litpats != NULL && k < e->nlits; k++) {
        customs_free(litpats[k]);
    }
    customs_free(litpats);
    customs_free(pats);
    customs_free(flags);
    customs_free(ids);
    return r;
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

