/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replays the upstream version-comparison vectors of ../shared/corpus/versions/ (format:
 * ../shared/corpus/README.md section 5) through the comparators of src/version and prints
 * TAP: one "ok N - scheme" line per scheme, with "scheme: N/N agree" and every disagreement
 * as diagnostics. Skips when the corpus is absent.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "version/version.h"

#define MAX_FIELDS 6

struct tally {
    const char *scheme;
    size_t total;
    size_t agree;
    bool missing_file;
};

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Undo the corpus escapes (\\ \t \n \r) in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r != '\0'; r++) {
        if (*r == '\\' && r[1] != '\0') {
            r++;
            switch (*r) {
            case 't':
                *w++ = '\t';
                break;
            case 'n':
                *w++ = '\n';
                break;
            case 'r':
                *w++ = '\r';
                break;
            default:
                *w++ = *r;
                break;
            }
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

/* Split a line on TABs into at most MAX_FIELDS unescaped fields; returns the count. */
static size_t split(char *line, char *fields[MAX_FIELDS])
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *tab = strchr(p, '\t');
        if (n < MAX_FIELDS) {
            fields[n++] = p;
        }
        if (tab == NULL) {
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    for (size_t i = 0; i < n; i++) {
        unescape(fields[i]);
    }
    for (size_t i = n; i < MAX_FIELDS; i++) {
        fields[i] = "";
    }
    return n;
}

typedef bool (*row_fn)(struct tally *t, char **f, size_t n, const char *where);

static void disagree(struct tally *t, const char *where, const char *what, const char *a,
                     const char *b, long got, long want)
{
    printf("# %s: DISAGREE %s: %s '%s' '%s' got %ld want %ld\n", t->scheme, where, what, a, b,
           got, want);
}

static void run_file(struct tally *t, const char *dir, const char *file, size_t min_fields,
                     row_fn fn)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        printf("# %s: cannot open %s\n", t->scheme, path);
        t->missing_file = true;
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }
        if (lineno == 1 && line[0] == '#') {
            continue;
        }
        char *f[MAX_FIELDS];
        size_t n = split(line, f);
        char where[4200];
        snprintf(where, sizeof(where), "%s:%zu", file, lineno);
        if (n < min_fields) {
            printf("# %s: %s: expected %zu fields, got %zu\n", t->scheme, where, min_fields, n);
            t->total++;
            continue;
        }
        t->total++;
        if (fn(t, f, n, where)) {
            t->agree++;
        }
    }
    free(line);
    fclose(fp);
}

static bool check_cmp(struct tally *t, const char *where, int (*cmp)(const char *, const char *),
                      const char *a, const char *b, int want)
{
    int got = sign(cmp(a, b));
    int back = sign(cmp(b, a));
    if (got != want || back != -want) {
        disagree(t, where, "cmp", a, b, got != want ? got : -back, want);
        return false;
    }
    return true;
}

/* ---- dpkg, rpm, apk, maven: "a b expected" ---- */

static bool row_dpkg(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    return check_cmp(t, where, customs_version_cmp_dpkg, f[0], f[1], atoi(f[2]));
}

static bool row_rpm(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    return check_cmp(t, where, customs_version_rpmvercmp, f[0], f[1], atoi(f[2]));
}

static bool row_apk(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    return check_cmp(t, where, customs_version_cmp_apk, f[0], f[1], atoi(f[2]));
}

static bool row_apk_ops(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    const char *op = f[1];
    bool negate = false;
    if (*op == '!') {
        negate = true;
        op++;
    }
    int c = sign(customs_version_cmp_apk(f[0], f[2]));
    bool fuzzy = customs_version_apk_fuzzy_match(f[0], f[2]);
    bool got;
    if (strcmp(op, "~") == 0) {
        got = fuzzy;
    } else if (strcmp(op, "<~") == 0) {
        got = fuzzy || c < 0;
    } else if (strcmp(op, ">~") == 0) {
        got = fuzzy || c > 0;
    } else {
        printf("# apk: %s: unknown operator '%s'\n", where, f[1]);
        return false;
    }
    if (negate) {
        got = !got;
    }
    bool want = atoi(f[3]) != 0;
    if (got != want) {
        disagree(t, where, "", f[0], f[2], got, want);
        return false;
    }
    return true;
}

static bool row_apk_valid(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    bool got = customs_version_valid_apk(f[0]);
    bool want = atoi(f[1]) != 0;
    if (got != want) {
        disagree(t, where, "valid", f[0], "", got, want);
        return false;
    }
    return true;
}

static bool row_maven(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    return check_cmp(t, where, customs_version_cmp_maven, f[0], f[1], atoi(f[2]));
}

/* ---- npm ---- */

static uint32_t npm_flags(const char *opts)
{
    uint32_t flags = 0;
    if (strstr(opts, "loose") != NULL) {
        flags |= CUSTOMS_VERSION_NPM_LOOSE;
    }
    if (strstr(opts, "includePrerelease") != NULL) {
        flags |= CUSTOMS_VERSION_NPM_INCLUDE_PRERELEASE;
    }
    return flags;
}

static bool row_semver(struct tally *t, char **f, size_t n, const char *where)
{
    uint32_t flags = npm_flags(n > 3 ? f[3] : "");
    int want = atoi(f[2]);
    int got = sign(customs_version_npm_cmp_opts(f[0], f[1], flags));
    int back = sign(customs_version_npm_cmp_opts(f[1], f[0], flags));
    if (got != want || back != -want) {
        disagree(t, where, "compare", f[0], f[1], got, want);
        return false;
    }
    return true;
}

static bool row_semver_range(struct tally *t, char **f, size_t n, const char *where)
{
    uint32_t flags = npm_flags(n > 3 ? f[3] : "");
    bool want = atoi(f[2]) != 0;
    bool got = customs_version_npm_satisfies_opts(f[1], f[0], flags);
    if (got != want) {
        disagree(t, where, "satisfies", f[0], f[1], got, want);
        return false;
    }
    return true;
}

static bool row_semver_outside(struct tally *t, char **f, size_t n, const char *where)
{
    uint32_t flags = npm_flags(n > 4 ? f[4] : "");
    char hilo = strcmp(f[2], "gtr") == 0 ? '>' : '<';
    bool want = atoi(f[3]) != 0;
    bool got = customs_version_npm_outside(f[1], f[0], hilo, flags);
    if (got != want) {
        disagree(t, where, "outside", f[0], f[1], got, want);
        return false;
    }
    return true;
}

/* ---- PEP 440 ---- */

static bool row_pep440(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    return check_cmp(t, where, customs_version_cmp_pep440, f[0], f[1], atoi(f[2]));
}

static char pep440_prev[1024];

static bool row_pep440_ordered(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    bool ok = customs_version_valid_pep440(f[0]);
    if (!ok) {
        disagree(t, where, "valid", f[0], "", 0, 1);
    } else if (pep440_prev[0] != '\0' && customs_version_cmp_pep440(pep440_prev, f[0]) >= 0) {
        disagree(t, where, "cmp", pep440_prev, f[0],
                 sign(customs_version_cmp_pep440(pep440_prev, f[0])), -1);
        ok = false;
    }
    snprintf(pep440_prev, sizeof(pep440_prev), "%s", f[0]);
    return ok;
}

static bool row_pep440_normalize(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    if (!customs_version_valid_pep440(f[0]) || !customs_version_valid_pep440(f[1])) {
        disagree(t, where, "valid", f[0], f[1], 0, 1);
        return false;
    }
    return check_cmp(t, where, customs_version_cmp_pep440, f[0], f[1], 0);
}

static bool row_pep440_invalid(struct tally *t, char **f, size_t n, const char *where)
{
    (void)n;
    if (customs_version_valid_pep440(f[0])) {
        disagree(t, where, "valid", f[0], "", 1, 0);
        return false;
    }
    return true;
}

int main(void)
{
    const char *root = getenv("CUSTOMS_SOURCE_ROOT");
    char dir[4096];
    struct stat st;
    snprintf(dir, sizeof(dir), "%s/../shared/corpus/versions", root != NULL ? root : ".");
    if (root == NULL || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("1..0 # SKIP version vectors not found at %s (set CUSTOMS_SOURCE_ROOT; the "
               "corpus lives in ../shared next to the repository)\n",
               dir);
        return 0;
    }

    struct tally tallies[] = {
        {"dpkg", 0, 0, false},  {"apk", 0, 0, false},    {"rpm", 0, 0, false},
        {"npm", 0, 0, false},   {"pep440", 0, 0, false}, {"maven", 0, 0, false},
    };
    size_t count = sizeof(tallies) / sizeof(tallies[0]);
    printf("1..%zu\n", count);

    run_file(&tallies[0], dir, "dpkg.tsv", 3, row_dpkg);
    run_file(&tallies[0], dir, "dpkg-real-oracle.tsv", 3, row_dpkg);
    run_file(&tallies[1], dir, "apk.tsv", 3, row_apk);
    run_file(&tallies[1], dir, "apk-ops.tsv", 4, row_apk_ops);
    run_file(&tallies[1], dir, "apk-valid.tsv", 2, row_apk_valid);
    run_file(&tallies[2], dir, "rpm.tsv", 3, row_rpm);
    run_file(&tallies[3], dir, "semver.tsv", 3, row_semver);
    run_file(&tallies[3], dir, "semver-range.tsv", 3, row_semver_range);
    run_file(&tallies[3], dir, "semver-outside.tsv", 4, row_semver_outside);
    run_file(&tallies[4], dir, "pep440.tsv", 3, row_pep440);
    run_file(&tallies[4], dir, "pep440-ordered.tsv", 1, row_pep440_ordered);
    run_file(&tallies[4], dir, "pep440-normalize.tsv", 2, row_pep440_normalize);
    run_file(&tallies[4], dir, "pep440-invalid.tsv", 1, row_pep440_invalid);
    run_file(&tallies[5], dir, "maven.tsv", 3, row_maven);

    int failed = 0;
    for (size_t i = 0; i < count; i++) {
        struct tally *t = &tallies[i];
        bool ok = !t->missing_file && t->total > 0 && t->agree == t->total;
        printf("# %s: %zu/%zu agree\n", t->scheme, t->agree, t->total);
        printf("%s %zu - %s\n", ok ? "ok" : "not ok", i + 1, t->scheme);
        failed += ok ? 0 : 1;
    }
    printf("# go, rubygems: no upstream vectors in the corpus (unit tests only)\n");
    return failed == 0 ? 0 : 1;
}
