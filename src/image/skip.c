/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --skip-dirs and --skip-files: glob patterns over paths relative to the image root, with the
 * "doublestar" syntax Trivy's users know: `*` and `?` stay within one path segment, a segment
 * that is exactly `**` matches any number of segments (none too), `[abc]`, `[a-z]`, `[!x]` or
 * `[^x]` match one character of a class, `{a,b}` either alternative, and `\` quotes the
 * character after it. A leading "/" or "./" is dropped, so "/usr/lib", "./usr/lib" and
 * "usr/lib" are the same pattern.
 */
#include <string.h>

#include "image/image.h"

#include "core/banned.h"

#define SKIP_MAX_EXPANSIONS 256 /* alternatives one pattern may expand to ({a,b}{c,d}...) */

/* The end of the bracket class starting at p ('['), or NULL when it is not closed. */
static const char *class_end(const char *p)
{
    const char *q = p + 1;
    if (*q == '!' || *q == '^') {
        q++;
    }
    if (*q == ']') {
        q++; /* a ']' first is a member */
    }
    for (; *q != '\0' && *q != '/'; q++) {
        if (*q == '\\' && q[1] != '\0') {
            q++;
        } else if (*q == ']') {
            return q;
        }
    }
    return NULL;
}

/* Does character c belong to the class [p, end]? */
static bool class_has(const char *p, const char *end, unsigned char c)
{
    bool neg = false;
    bool hit = false;
    const char *q = p + 1;
    if (*q == '!' || *q == '^') {
        neg = true;
        q++;
    }
    bool first = true;
    while (q < end && (first || *q != ']')) {
        first = false;
        unsigned char lo = (unsigned char)*q;
        if (*q == '\\' && q + 1 < end) {
            lo = (unsigned char)*++q;
        }
        q++;
        unsigned char hi = lo;
        if (*q == '-' && q + 1 < end) {
            q++;
            hi = (unsigned char)*q;
            if (*q == '\\' && q + 1 < end) {
                hi = (unsigned char)*++q;
            }
            q++;
        }
        if (c >= lo && c <= hi) {
            hit = true;
        }
    }
    return hit != neg;
}

/* One segment: pattern [p, pe) against text [t, te), neither containing '/'. Backtracks only
 * to the last '*', so it is linear in practice and quadratic at worst. */
static bool segment_match(const char *p, const char *pe, const char *t, const char *te)
{
    const char *star_p = NULL;
    const char *star_t = NULL;
    while (t < te) {
        if (p < pe && *p == '*') {
            star_p = ++p;
            star_t = t;
            continue;
        }
        if (p < pe) {
            if (*p == '?') {
                p++;
                t++;
                continue;
            }
            if (*p == '[') {
                const char *ce = class_end(p);
                if (ce != NULL && ce < pe && class_has(p, ce, (unsigned char)*t)) {
                    p = ce + 1;
                    t++;
                    continue;
                }
            } else {
                const char *lit = p;
                if (*lit == '\\' && lit + 1 < pe) {
                    lit++;
                }
                if (*lit == *t) {
                    p = lit + 1;
                    t++;
                    continue;
                }
            }
        }
        if (star_p == NULL) {
            return false;
        }
        p = star_p;
        t = ++star_t;
    }
    while (p < pe && *p == '*') {
        p++;
    }
    return p == pe;
}

static const char *seg_end(const char *s)
{
    const char *e = strchr(s, '/');
    return e != NULL ? e : s + strlen(s);
}

static bool is_globstar(const char *p, const char *pe)
{
    return pe - p == 2 && p[0] == '*' && p[1] == '*';
}

/* The segment after the one ending at e ("" at the end). */
static const char *seg_next(const char *e)
{
    return *e == '/' ? e + 1 : e;
}

/* Pattern p (no braces left) against path t, both relative ("a/b"). Segments are matched as
 * the characters of a wildcard match, `**` being the star: backtracking only to the last `**`
 * seen keeps it at (pattern segments x path segments) whatever the pattern. */
static bool path_match(const char *p, const char *t)
{
    const char *star_p = NULL; /* the pattern after the last `**` */
    const char *star_t = NULL; /* where that `**` has matched up to */
    while (*t != '\0') {
        const char *pe = seg_end(p);
        const char *te = seg_end(t);
        if (*p != '\0' && is_globstar(p, pe)) {
            star_p = seg_next(pe);
            star_t = t;
            p = star_p;
            continue;
        }
        if (*p != '\0' && segment_match(p, pe, t, te)) {
            p = seg_next(pe);
            t = seg_next(te);
            continue;
        }
        if (star_p == NULL) {
            return false;
        }
        /* the `**` takes one more segment */
        p = star_p;
        star_t = seg_next(seg_end(star_t));
        t = star_t;
    }
    while (*p != '\0' && is_globstar(p, seg_end(p))) {
        p = seg_next(seg_end(p));
    }
    return *p == '\0';
}

/* Where the '{' at p closes, or NULL. */
static const char *brace_end(const char *p)
{
    int depth = 0;
    for (const char *q = p; *q != '\0'; q++) {
        if (*q == '\\' && q[1] != '\0') {
            q++;
        } else if (*q == '{') {
            depth++;
        } else if (*q == '}' && --depth == 0) {
            return q;
        }
    }
    return NULL;
}

static int skip_add(struct customs_vec *v, const char *s, size_t n)
{
    char **slot = customs_vec_push(v);
    if (slot == NULL) {
        return CUSTOMS_ENOMEM;
    }
    *slot = customs_strndup(s, n);
    if (*slot == NULL) {
        v->len--;
        return CUSTOMS_ENOMEM;
    }
    return 0;
}

/* Expand the first brace group of `pat` into `out`, recursively; `budget` bounds the count. */
static int expand(struct customs_vec *out, const char *pat, size_t *budget)
{
    const char *open = NULL;
    for (const char *q = pat; *q != '\0'; q++) {
        if (*q == '\\' && q[1] != '\0') {
            q++;
        } else if (*q == '{') {
            open = q;
            break;
        }
    }
    const char *close = open != NULL ? brace_end(open) : NULL;
    if (close == NULL) {
        if (*budget == 0) {
            return CUSTOMS_ELIMIT;
        }
        (*budget)--;
        return skip_add(out, pat, strlen(pat));
    }
    struct customs_buf b;
    int r = 0;
    customs_buf_init(&b, 0);
    const char *alt = open + 1;
    int depth = 0;
    for (const char *q = open + 1; r == 0 && q <= close; q++) {
        if (*q == '\\' && q + 1 < close) {
            q++;
            continue;
        }
        if (*q == '{') {
            depth++;
        } else if (*q == '}' && depth > 0) {
            depth--;
        } else if ((*q == ',' && depth == 0) || q == close) {
            customs_buf_reset(&b);
            if (customs_buf_append(&b, pat, (size_t)(open - pat)) < 0 ||
                customs_buf_append(&b, alt, (size_t)(q - alt)) < 0 ||
                customs_buf_puts(&b, close + 1) < 0) {
                r = CUSTOMS_ENOMEM;
                break;
            }
            r = expand(out, customs_buf_cstr(&b), budget);
            alt = q + 1;
        }
    }
    customs_buf_release(&b);
    return r;
}

/* "/usr/lib/", "./usr/lib" -> "usr/lib"; "" when nothing is left. */
static const char *pattern_trim(const char *p, size_t *len)
{
    for (;;) {
        if (p[0] == '/') {
            p++;
        } else if (p[0] == '.' && p[1] == '/') {
            p += 2;
        } else {
            break;
        }
    }
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '/') {
        n--;
    }
    *len = n;
    return p;
}

static int compile_list(struct customs_vec *out, const char *const *list, const char *flag,
                        struct customs_error *err)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
        size_t n;
        const char *p = pattern_trim(list[i], &n);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            return customs_error_set(err, CUSTOMS_EINVAL, "%s '%s': the root is not a pattern "
                                     "to skip", flag, list[i]);
        }
        for (size_t k = 0; k < n; k++) {
            if (p[k] == '\\' && k + 1 < n) {
                k++;
            } else if (p[k] == '[' && class_end(p + k) == NULL) {
                return customs_error_set(err, CUSTOMS_EINVAL, "%s '%s': '[' at %zu is not "
                                         "closed", flag, list[i], (size_t)(p - list[i]) + k + 1);
            } else if (p[k] == '{' && (brace_end(p + k) == NULL ||
                                       brace_end(p + k) >= p + n)) {
                return customs_error_set(err, CUSTOMS_EINVAL, "%s '%s': '{' at %zu is not "
                                         "closed", flag, list[i], (size_t)(p - list[i]) + k + 1);
            }
        }
        char *trimmed = customs_strndup(p, n);
        size_t budget = SKIP_MAX_EXPANSIONS;
        int r = trimmed != NULL ? expand(out, trimmed, &budget) : CUSTOMS_ENOMEM;
        customs_free(trimmed);
        if (r == CUSTOMS_ELIMIT) {
            return customs_error_set(err, CUSTOMS_EINVAL, "%s '%s': more than %d alternatives",
                                     flag, list[i], SKIP_MAX_EXPANSIONS);
        }
        if (r < 0) {
            return customs_error_set(err, r, "out of memory");
        }
    }
    return 0;
}

int customs_skip_init(struct customs_skip *s, const char *const *dirs, const char *const *files,
                      struct customs_error *err)
{
    customs_vec_init(&s->dirs, sizeof(char *));
    customs_vec_init(&s->files, sizeof(char *));
    int r = compile_list(&s->dirs, dirs, "--skip-dirs", err);
    if (r == 0) {
        r = compile_list(&s->files, files, "--skip-files", err);
    }
    if (r < 0) {
        customs_skip_release(s);
    }
    return r;
}

void customs_skip_release(struct customs_skip *s)
{
    for (size_t i = 0; i < s->dirs.len; i++) {
        customs_free(*(char **)customs_vec_at(&s->dirs, i));
    }
    for (size_t i = 0; i < s->files.len; i++) {
        customs_free(*(char **)customs_vec_at(&s->files, i));
    }
    customs_vec_release(&s->dirs);
    customs_vec_release(&s->files);
}

bool customs_skip_is_empty(const struct customs_skip *s)
{
    return s == NULL || (s->dirs.len == 0 && s->files.len == 0);
}

bool customs_glob_match(const char *pattern, const char *path)
{
    while (*path == '/') {
        path++;
    }
    return path_match(pattern, path);
}

static bool any_match(const struct customs_vec *v, const char *rel)
{
    for (size_t i = 0; i < v->len; i++) {
        if (path_match(*(char *const *)customs_vec_at(v, i), rel)) {
            return true;
        }
    }
    return false;
}

bool customs_skip_dir(const struct customs_skip *s, const char *path)
{
    while (*path == '/') {
        path++;
    }
    return s != NULL && *path != '\0' && any_match(&s->dirs, path);
}

bool customs_skip_path(const struct customs_skip *s, const char *path, bool is_dir)
{
    if (customs_skip_is_empty(s)) {
        return false;
    }
    while (*path == '/') {
        path++;
    }
    if (*path == '\0') {
        return false;
    }
    if (is_dir ? any_match(&s->dirs, path) : any_match(&s->files, path)) {
        return true;
    }
    if (s->dirs.len == 0) {
        return false;
    }
    /* under a skipped directory: each ancestor, shortest first */
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof(buf)) {
        n = sizeof(buf) - 1; /* longer than --max-path allows: its first 4 KiB decide */
    }
    memcpy(buf, path, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '/') {
            buf[i] = '\0';
            bool hit = any_match(&s->dirs, buf);
            buf[i] = '/';
            if (hit) {
                return true;
            }
        }
    }
    return false;
}

void customs_skip_fingerprint(const struct customs_skip *s,
                              void (*field)(void *ctx, const char *s), void *ctx)
{
    field(ctx, "skip-dirs");
    for (size_t i = 0; s != NULL && i < s->dirs.len; i++) {
        field(ctx, *(char *const *)customs_vec_at(&s->dirs, i));
    }
    field(ctx, "skip-files");
    for (size_t i = 0; s != NULL && i < s->files.len; i++) {
        field(ctx, *(char *const *)customs_vec_at(&s->files, i));
    }
}
