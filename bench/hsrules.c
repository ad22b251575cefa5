/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What each secret rule costs Vectorscan (issue 4): a measuring tool, not part of the CLI.
 *
 *   find ROOT -type f | build/bench/hsrules [-m MB] [-r REPS] [-w] [-a] [-p PATTERN]
 *
 * Reads the text files named on stdin (no NUL in the first 8000 bytes, as the engine decides)
 * into memory, up to MB megabytes, and times hs_scan_stream over them, one stream per file in
 * 64 KiB chunks, with the text database the engine builds (every built-in rule, its flags).
 * -w: also without each rule in turn (the rule's cost: full minus without, measured in turns);
 * -a: also each rule alone (its cost on its own, over an empty scan);
 * -p: also a database of the given pattern alone (to try a rewrite before editing rules.yaml);
 * -o ID PATTERN: rule ID with this pattern instead (its flags kept; repeatable);
 * -b: the binary files instead, with the database of the binary: true rules (db_bin).
 * Times are thread CPU seconds, the least of REPS runs.
 */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "secrets/secrets.h"

#define CHUNK 65536

struct corpus {
    char *buf;
    size_t len;
    size_t *starts; /* file i: buf[starts[i] .. starts[i + 1]) */
    size_t nfiles;
};

struct counts {
    unsigned long long *per_rule;
    size_t nrules;
};

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void load_corpus(struct corpus *c, size_t limit, bool binary)
{
    char path[4096];
    size_t cap = 0, fcap = 0;
    memset(c, 0, sizeof(*c));
    while (fgets(path, sizeof(path), stdin) != NULL && c->len < limit) {
        path[strcspn(path, "\n")] = '\0';
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            continue;
        }
        if (fseek(f, 0, SEEK_END) != 0) {
            fclose(f);
            continue;
        }
        long n = ftell(f);
        if (n <= 0 || fseek(f, 0, SEEK_SET) != 0) {
            fclose(f);
            continue;
        }
        if (c->len + (size_t)n > cap) {
            cap = (c->len + (size_t)n) * 2;
            c->buf = realloc(c->buf, cap);
        }
        if (c->nfiles + 2 > fcap) {
            fcap = fcap * 2 + 1024;
            c->starts = realloc(c->starts, fcap * sizeof(size_t));
        }
        if (c->buf == NULL || c->starts == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        size_t got = fread(c->buf + c->len, 1, (size_t)n, f);
        fclose(f);
        size_t probe = got < CUSTOMS_SECRET_BINARY_PROBE ? got : CUSTOMS_SECRET_BINARY_PROBE;
        if (got == 0 || (memchr(c->buf + c->len, '\0', probe) != NULL) != binary) {
            continue; /* the engine gives it the other database */
        }
        c->starts[c->nfiles++] = c->len;
        c->len += got;
    }
    if (c->starts != NULL) {
        c->starts[c->nfiles] = c->len;
    }
}

static hs_database_t *compile(const char **pats, const unsigned *flags, const unsigned *ids,
                              size_t n)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi(pats, flags, ids, (unsigned)n, HS_MODE_STREAM, NULL, &db, &err) !=
        HS_SUCCESS) {
        fprintf(stderr, "compile: %s\n", err->message);
        hs_free_compile_error(err);
        return NULL;
    }
    return db;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    struct counts *k = ctx;
    (void)from;
    (void)to;
    (void)flags;
    if (id < k->nrules) {
        k->per_rule[id]++;
    }
    return 0;
}

/* The least CPU time of `reps` scans of the corpus; match counts of the last into `k`. */
static double scan(const hs_database_t *db, const struct corpus *c, int reps, struct counts *k)
{
    hs_scratch_t *scratch = NULL;
    double best = 1e9;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
        return -1;
    }
    for (int r = 0; r < reps; r++) {
        memset(k->per_rule, 0, k->nrules * sizeof(k->per_rule[0]));
        double t0 = cpu_now();
        for (size_t i = 0; i < c->nfiles; i++) {
            hs_stream_t *st = NULL;
            if (hs_open_stream(db, 0, &st) != HS_SUCCESS) {
                return -1;
            }
            for (size_t p = c->starts[i]; p < c->starts[i + 1]; p += CHUNK) {
                size_t n = c->starts[i + 1] - p < CHUNK ? c->starts[i + 1] - p : CHUNK;
                hs_scan_stream(st, c->buf + p, (unsigned)n, 0, scratch, on_match, k);
            }
            hs_close_stream(st, scratch, on_match, k);
        }
        double t = cpu_now() - t0;
        best = t < best ? t : best;
    }
    hs_free_scratch(scratch);
    return best;
}

int main(int argc, char **argv)
{
    size_t limit = 200u << 20;
    int reps = 3;
    bool without = false, alone = false, binary = false;
    const char *try_pat = NULL;
    const char *over_id[16], *over_pat[16];
    size_t nover = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
            limit = (size_t)strtoul(argv[++i], NULL, 10) << 20;
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-w") == 0) {
            without = true;
        } else if (strcmp(argv[i], "-b") == 0) {
            binary = true;
        } else if (strcmp(argv[i], "-a") == 0) {
            alone = true;
        } else if (strcmp(argv[i], "-o") == 0 && i + 2 < argc && nover < 16) {
            over_id[nover] = argv[++i];
            over_pat[nover++] = argv[++i];
        } else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            try_pat = argv[++i];
        } else {
            fprintf(stderr, "usage: hsrules [-m MB] [-r REPS] [-w] [-a] [-p PATTERN] "
                            "[-o ID PATTERN] < files\n");
            return 2;
        }
    }
    struct customs_secret_engine *e = NULL;
    struct customs_error err;
    if (customs_secret_engine_new(&e, NULL, NULL, &err) != 0) {
        fprintf(stderr, "rules: %s\n", err.message);
        return 1;
    }
    size_t n = customs_secret_rule_count(e);
    const char **pats = calloc(n + 1, sizeof(char *));
    unsigned *flags = calloc(n + 1, sizeof(unsigned));
    unsigned *ids = calloc(n + 1, sizeof(unsigned));
    struct counts k = {calloc(n + 1, sizeof(unsigned long long)), n + 1};
    const char **sp = calloc(n + 1, sizeof(char *));
    unsigned *sf = calloc(n + 1, sizeof(unsigned));
    unsigned *si = calloc(n + 1, sizeof(unsigned));
    if (pats == NULL || flags == NULL || ids == NULL || k.per_rule == NULL || sp == NULL ||
        sf == NULL || si == NULL) {
        return 1;
    }
    size_t *rule_of = calloc(n + 1, sizeof(size_t)); /* database slot -> rule index */
    size_t m = 0;
    if (rule_of == NULL) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct customs_secret_rule *r = customs_secret_rule_at(e, i);
        if (binary && !r->binary) {
            continue;
        }
        rule_of[m] = i;
        pats[m] = r->pattern;
        flags[m] = customs_secret_rule_hs_flags(r);
        ids[m] = (unsigned)m;
        for (size_t o = 0; o < nover; o++) {
            if (strcmp(r->id, over_id[o]) == 0) {
                pats[m] = over_pat[o];
            }
        }
        m++;
    }
    n = m;
    struct corpus c;
    load_corpus(&c, limit, binary);
    printf("corpus: %zu %s files, %.1f MB; %zu rules\n", c.nfiles, binary ? "binary" : "text",
           (double)c.len / 1e6, n);

    hs_database_t *full_db = compile(pats, flags, ids, n);
    if (full_db == NULL) {
        return 1;
    }
    double full = scan(full_db, &c, reps, &k);
    hs_database_t *db = NULL;
    unsigned long long *matches = calloc(n, sizeof(unsigned long long));
    if (matches == NULL) {
        return 1;
    }
    memcpy(matches, k.per_rule, n * sizeof(unsigned long long));
    printf("full: %.3f s CPU, %.0f MB/s\n", full, (double)c.len / 1e6 / full);

    /* the floor: a database of one literal that never occurs */
    const char *none = "\x01\x02\x03zz\x04";
    unsigned zero = 0;
    db = compile(&none, &zero, &zero, 1);
    double floor = db != NULL ? scan(db, &c, reps, &k) : 0;
    if (db != NULL) {
        hs_free_database(db);
    }
    printf("floor (one absent literal): %.3f s CPU\n", floor);

    if (try_pat != NULL) {
        db = compile(&try_pat, &zero, &zero, 1);
        if (db != NULL) {
            double t = scan(db, &c, reps, &k);
            printf("pattern alone: %.3f s (%+.3f over floor), %llu ends\n", t, t - floor,
                   k.per_rule[0]);
            hs_free_database(db);
        }
    }

    printf("%-36s %10s %10s %10s\n", "rule", "without-Δs", "alone-Δs", "ends");
    for (size_t i = 0; i < n && (without || alone); i++) {
        double dw = 0, da = 0;
        if (without) {
            m = 0;
            for (size_t j = 0; j < n; j++) {
                if (j != i) {
                    sp[m] = pats[j];
                    sf[m] = flags[j];
                    si[m++] = ids[j];
                }
            }
            /* the machine is shared: full and without, interleaved, the least of each */
            db = compile(sp, sf, si, m);
            double f = 1e9, w = 1e9;
            for (int r = 0; db != NULL && r < reps; r++) {
                double t = scan(full_db, &c, 1, &k);
                f = t < f ? t : f;
                t = scan(db, &c, 1, &k);
                w = t < w ? t : w;
            }
            dw = db != NULL ? f - w : 0;
            if (db != NULL) {
                hs_free_database(db);
            }
        }
        if (alone) {
            db = compile(&pats[i], &flags[i], &ids[i], 1);
            da = db != NULL ? scan(db, &c, reps, &k) - floor : 0;
            if (db != NULL) {
                hs_free_database(db);
            }
        }
        printf("%-36s %10.3f %10.3f %10llu\n", customs_secret_rule_at(e, rule_of[i])->id, dw, da,
               matches[i]);
        fflush(stdout);
    }
    hs_free_database(full_db);
    customs_secret_engine_free(e);
    return 0;
}
