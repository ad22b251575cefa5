/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dockerfiles (issue 5): a bounded parser over bytes (parser directives, comments, line
 * continuations with the escape character, heredocs, exec and shell forms, stages, global ARGs
 * in FROM) and the CUSTOMS-DF-nnn checks (docs/checks.md).
 */
#include <ctype.h>
#include <stdint.h>
#include <strings.h>

#include "misconfig/internal.h"

#include "core/banned.h"

/* ---- the checks ---- */

#define REF_BP "https://docs.docker.com/build/building/best-practices/"
#define REF_REF "https://docs.docker.com/reference/dockerfile/"
#define REF_SECRETS "https://docs.docker.com/build/building/secrets/"

enum {
    DF_ROOT,
    DF_ADD_URL,
    DF_ADD_LOCAL,
    DF_LATEST,
    DF_DIGEST,
    DF_CURL_SH,
    DF_SECRET,
    DF_PKG_CLEANUP,
    DF_PKG_PIN,
    DF_SUDO,
    DF_HEALTHCHECK,
    DF_SSH_PORT,
    DF_CHMOD,
    DF_COUNT,
};

static const struct customs_check_info df_checks[DF_COUNT] = {
    {"CUSTOMS-DF-001", NULL, CUSTOMS_SEVERITY_HIGH, "Final stage runs as root",
     "add `USER <non-root name or UID>` to the final stage (create the user with useradd/adduser "
     "first if the base image has none)", REF_REF "#user", NULL},
    {"CUSTOMS-DF-002", NULL, CUSTOMS_SEVERITY_MEDIUM, "ADD fetches a URL",
     "download with `RUN curl -fsSLo FILE URL && echo 'SHA256  FILE' | sha256sum -c -` or use "
     "`ADD --checksum=sha256:<digest> URL DEST`", REF_REF "#add", NULL},
    {"CUSTOMS-DF-003", NULL, CUSTOMS_SEVERITY_LOW, "ADD used where COPY fits",
     "use COPY for local files and directories (ADD is only needed to extract a local tar "
     "archive)", REF_BP "#add-or-copy", NULL},
    {"CUSTOMS-DF-004", NULL, CUSTOMS_SEVERITY_MEDIUM, "Base image without a tag or with :latest",
     "pin the base image to a version tag, better a digest: `FROM image:1.2.3@sha256:<digest>`",
     REF_BP "#from", NULL},
    {"CUSTOMS-DF-005", NULL, CUSTOMS_SEVERITY_LOW, "Base image not pinned by digest",
     "add the digest: `FROM image:tag@sha256:<digest>` (`docker buildx imagetools inspect "
     "image:tag` prints it)", REF_BP "#pin-base-image-versions", NULL},
    {"CUSTOMS-DF-006", NULL, CUSTOMS_SEVERITY_HIGH, "Remote script piped into a shell",
     "download the script to a file, verify its checksum or signature, then run it: "
     "`curl -fsSLo install.sh URL && echo 'SHA256  install.sh' | sha256sum -c - && sh "
     "install.sh`", REF_BP "#run", NULL},
    {"CUSTOMS-DF-007", NULL, CUSTOMS_SEVERITY_HIGH, "Secret in ENV or ARG",
     "remove the literal value; pass secrets at build time with `RUN --mount=type=secret,id=NAME` "
     "and at run time through the orchestrator's secrets", REF_SECRETS, NULL},
    {"CUSTOMS-DF-008", NULL, CUSTOMS_SEVERITY_LOW, "Package install without cache cleanup",
     "clean up in the same RUN: `apt-get install ... && rm -rf /var/lib/apt/lists/*`, "
     "`apk add --no-cache ...`, `yum install ... && yum clean all` (or use "
     "`RUN --mount=type=cache`)", REF_BP "#apt-get", NULL},
    {"CUSTOMS-DF-009", NULL, CUSTOMS_SEVERITY_LOW, "Package install without version pinning",
     "pin versions: `apt-get install pkg=1.2.3-1`, `apk add pkg=1.2.3-r0`, `yum install "
     "pkg-1.2.3`", REF_BP "#apt-get", NULL},
    {"CUSTOMS-DF-010", NULL, CUSTOMS_SEVERITY_MEDIUM, "RUN uses sudo",
     "drop sudo: RUN already runs as the current USER; switch with `USER root` for the step and "
     "back to the unprivileged user after it", REF_BP "#user", NULL},
    {"CUSTOMS-DF-011", NULL, CUSTOMS_SEVERITY_LOW, "No HEALTHCHECK",
     "add `HEALTHCHECK CMD <command that fails when the service is unhealthy>` to the final "
     "stage", REF_REF "#healthcheck", NULL},
    {"CUSTOMS-DF-012", NULL, CUSTOMS_SEVERITY_MEDIUM, "Port 22 (SSH) exposed",
     "remove `EXPOSE 22` and the SSH server; use `docker exec` or `kubectl exec` to get a shell",
     REF_REF "#expose", NULL},
    {"CUSTOMS-DF-013", NULL, CUSTOMS_SEVERITY_MEDIUM, "World-writable permissions",
     "grant only what is needed (`chmod 755` for directories, `644` for files, `chown` to the "
     "service user); use 1777 only for shared temporary directories", REF_BP "#user", NULL},
};

size_t customs_dockerfile_check_count(void)
{
    return DF_COUNT;
}

const struct customs_check_info *customs_dockerfile_check_at(size_t i)
{
    return i < DF_COUNT ? &df_checks[i] : NULL;
}

/* ---- the parser ---- */

struct reader {
    const char *data;
    size_t len;
    size_t pos;
    int line;          /* the line last returned */
};

/* The next physical line without its '\n' (and a '\r' before it). */
static bool next_line(struct reader *r, const char **p, size_t *n)
{
    if (r->pos >= r->len) {
        return false;
    }
    const char *start = r->data + r->pos;
    const char *nl = memchr(start, '\n', r->len - r->pos);
    size_t len = nl != NULL ? (size_t)(nl - start) : r->len - r->pos;
    r->pos += len + (nl != NULL ? 1 : 0);
    if (len > 0 && start[len - 1] == '\r') {
        len--;
    }
    if (r->line < INT32_MAX) {
        r->line++;
    }
    *p = start;
    *n = len;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **p, size_t *n)
{
    while (*n > 0 && is_blank(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && is_blank((*p)[*n - 1])) {
        (*n)--;
    }
}

/* Parser directives at the top: "# name=value" lines before anything else. */
static int read_directives(struct customs_dockerfile *df, const char *name, const char *data,
                           size_t len, struct customs_error *err)
{
    struct reader r = {data, len, 0, 0};
    const char *p;
    size_t n;
    while (next_line(&r, &p, &n)) {
        trim(&p, &n);
        if (n == 0 || p[0] != '#') {
            return 0;
        }
        p++;
        n--;
        trim(&p, &n);
        size_t k = 0;
        while (k < n && isalpha((unsigned char)p[k])) {
            k++;
        }
        size_t eq = k;
        while (eq < n && is_blank(p[eq])) {
            eq++;
        }
        if (k == 0 || eq >= n || p[eq] != '=') {
            return 0; /* a comment: directives end */
        }
        const char *v = p + eq + 1;
        size_t vn = n - eq - 1;
        trim(&v, &vn);
        if (k == 6 && strncasecmp(p, "escape", 6) == 0) {
            if (vn != 1 || (v[0] != '\\' && v[0] != '`')) {
                return customs_error_set(err, CUSTOMS_EMALFORMED,
                                         "%s:%d: escape directive must be \\ or `", name, r.line);
            }
            df->escape = v[0];
        }
    }
    return 0;
}

struct parser {
    struct customs_dockerfile *df;
    const char *name;
    struct reader r;
    struct customs_buf text;    /* the logical line */
    struct customs_buf heredoc; /* heredoc bodies */
    struct customs_strmap globals; /* global ARG name -> value (arena), "\x01" for none */
    struct customs_error *err;
    struct customs_strmap stage_names; /* AS name (lower case) -> size_t index (arena) */
};

/* An append to an instruction's text failed (rc): over the limit, or out of memory. */
static int too_long(struct parser *ps, int line, int rc)
{
    if (rc == CUSTOMS_ENOMEM) {
        return customs_error_set(ps->err, rc, "out of memory");
    }
    return customs_error_set(ps->err, CUSTOMS_ELIMIT, "%s:%d: instruction longer than %u bytes",
                             ps->name, line, CUSTOMS_DOCKERFILE_MAX_INSTRUCTION);
}

/* Join continuation lines into ps->text, starting with the line (p, n). */
static int read_logical(struct parser *ps, const char *p, size_t n, int start)
{
    customs_buf_reset(&ps->text);
    for (;;) {
        while (n > 0 && is_blank(p[n - 1])) {
            n--;
        }
        bool cont = n > 0 && p[n - 1] == ps->df->escape;
        int rc = customs_buf_append(&ps->text, p, cont ? n - 1 : n);
        if (rc != 0) {
            return too_long(ps, start, rc);
        }
        if (!cont) {
            return 0;
        }
        /* comment lines and empty lines inside a continuation are skipped */
        for (;;) {
            if (!next_line(&ps->r, &p, &n)) {
                return 0; /* a continuation at the end of the file ends the instruction */
            }
            const char *t = p;
            size_t tn = n;
            trim(&t, &tn);
            if (tn > 0 && t[0] != '#') {
                break;
            }
        }
    }
}

/* Heredoc words in `args` ("<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\""); read their bodies. */
static int read_heredocs(struct parser *ps, const char *args, int line)
{
    size_t len = strlen(args);
    int count = 0;
    customs_buf_reset(&ps->heredoc);
    for (size_t i = 0; i + 2 < len; i++) {
        if (args[i] != '<' || args[i + 1] != '<' || (i > 0 && args[i - 1] == '<')) {
            continue;
        }
        size_t j = i + 2;
        bool chomp = false;
        char quote = 0;
        if (j < len && args[j] == '<') {
            i = j; /* a here-string, "<<<" */
            continue;
        }
        if (j < len && args[j] == '-') {
            chomp = true;
            j++;
        }
        if (j < len && (args[j] == '"' || args[j] == '\'')) {
            quote = args[j++];
        }
        size_t w = j;
        while (j < len && (isalnum((unsigned char)args[j]) || args[j] == '_')) {
            j++;
        }
        if (j == w || (quote != 0 && (j >= len || args[j] != quote))) {
            continue;
        }
        size_t wlen = j - w;
        const char *word = args + w;
        i = j;
        if (++count > CUSTOMS_DOCKERFILE_MAX_HEREDOCS) {
            return customs_error_set(ps->err, CUSTOMS_ELIMIT, "%s:%d: more than %d heredocs",
                                     ps->name, line, CUSTOMS_DOCKERFILE_MAX_HEREDOCS);
        }
        const char *p;
        size_t n;
        for (;;) {
            if (!next_line(&ps->r, &p, &n)) {
                return customs_error_set(ps->err, CUSTOMS_EMALFORMED,
                                         "%s:%d: heredoc <<%.*s is not terminated", ps->name,
                                         line, (int)(wlen > 64 ? 64 : wlen), word);
            }
            const char *t = p;
            size_t tn = n;
            while (chomp && tn > 0 && t[0] == '\t') {
                t++;
                tn--;
            }
            if (tn == wlen && memcmp(t, word, wlen) == 0) {
                break;
            }
            int rc = customs_buf_append(&ps->heredoc, t, tn);
            if (rc != 0 || (rc = customs_buf_append(&ps->heredoc, "\n", 1)) != 0) {
                return too_long(ps, line, rc);
            }
        }
    }
    return 0;
}

/* Exec form: a JSON array of strings. */
static int parse_exec(struct parser *ps, struct customs_dockerfile_instr *in)
{
    const char *a = in->args;
    if (a[0] != '[') {
        return 0;
    }
    json_error_t jerr;
    json_t *v = json_loadb(a, strlen(a), JSON_DECODE_ANY, &jerr);
    if (!json_is_array(v)) {
        json_decref(v);
        return 0;
    }
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n; i++) {
        if (!json_is_string(json_array_get(v, i))) {
            json_decref(v);
            return 0; /* not an array of strings: shell form */
        }
    }
    const char **argv = customs_arena_alloc(&ps->df->arena, (n + 1) * sizeof(*argv));
    for (size_t i = 0; argv != NULL && i < n; i++) {
        argv[i] = customs_arena_strdup(&ps->df->arena,
                                       json_string_value(json_array_get(v, i)));
        if (argv[i] == NULL) {
            argv = NULL;
        }
    }
    json_decref(v);
    if (argv == NULL) {
        return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
    }
    in->argv = argv;
    in->argc = n;
    return 0;
}

/* The next blank-separated word of *s (quotes kept, blanks in quotes do not split), or NULL. */
static const char *next_word(struct customs_arena *a, const char **s)
{
    const char *p = *s;
    while (*p != '\0' && is_blank(*p)) {
        p++;
    }
    if (*p == '\0') {
        *s = p;
        return NULL;
    }
    const char *start = p;
    char quote = 0;
    while (*p != '\0' && (quote != 0 || !is_blank(*p))) {
        if (quote == 0 && (*p == '"' || *p == '\'')) {
            quote = *p;
        } else if (quote != 0 && *p == quote) {
            quote = 0;
        } else if (*p == '\\' && quote != '\'' && p[1] != '\0') {
            p++;
        }
        p++;
    }
    *s = p;
    return customs_arena_strndup(a, start, (size_t)(p - start));
}

/*
 * Expand $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word} with
 * `lookup` (value or NULL); `*unresolved` tells of a variable without a value (or a result over
 * the instruction limit). NULL: out of memory.
 */
typedef const char *(*lookup_fn)(void *ctx, const char *name);

static char *expand_vars(struct customs_arena *a, const char *s, lookup_fn lookup, void *ctx,
                         bool *unresolved)
{
    struct customs_buf out;
    char name[256];
    int rc = 0;
    customs_buf_init(&out, CUSTOMS_DOCKERFILE_MAX_INSTRUCTION);
    *unresolved = false;
    for (size_t i = 0; s[i] != '\0' && rc == 0;) {
        if (s[i] != '$' || (s[i + 1] != '{' && !isalpha((unsigned char)s[i + 1]) &&
                            s[i + 1] != '_')) {
            customs_buf_add(&out, &rc, s + i, 1);
            i++;
            continue;
        }
        bool brace = s[i + 1] == '{';
        size_t j = i + (brace ? 2 : 1);
        size_t k = 0;
        while ((isalnum((unsigned char)s[j]) || s[j] == '_') && k + 1 < sizeof(name)) {
            name[k++] = s[j++];
        }
        name[k] = '\0';
        const char *val = lookup(ctx, name);
        if (brace) {
            char op = 0;
            bool colon = false;
            const char *word = NULL;
            size_t wlen = 0;
            if (s[j] == ':') {
                colon = true;
                j++;
            }
            if (s[j] == '-' || s[j] == '+') {
                op = s[j++];
                word = s + j;
                while (s[j] != '\0' && s[j] != '}') {
                    j++;
                }
                wlen = (size_t)(s + j - word);
            }
            if (s[j] != '}') {
                customs_buf_add(&out, &rc, s + i, 1); /* not a reference: keep the text */
                i++;
                continue;
            }
            j++;
            bool set = val != NULL && (!colon || val[0] != '\0');
            if (op == '-' && !set) {
                customs_buf_add(&out, &rc, word, wlen);
                val = "";
            } else if (op == '+') {
                if (set) {
                    customs_buf_add(&out, &rc, word, wlen);
                }
                val = "";
            }
        }
        if (val == NULL) {
            *unresolved = true;
        } else {
            customs_buf_add(&out, &rc, val, strlen(val));
        }
        i = j;
    }
    /* longer than an instruction may be: what it expands to is not known exactly */
    *unresolved = *unresolved || rc == CUSTOMS_ELIMIT;
    char *r = rc != CUSTOMS_ENOMEM ? customs_arena_strdup(a, customs_buf_cstr(&out)) : NULL;
    customs_buf_release(&out);
    return r;
}

static const char *lookup_global(void *ctx, const char *name)
{
    const char *v = customs_strmap_get(ctx, name);
    return v != NULL && v[0] == '\x01' ? NULL : v;
}

/* "NAME=value" or "NAME" (ARG); the name and value (NULL if none) in the arena. */
static int split_assignment(struct customs_arena *a, const char *w, const char **name,
                            char **value)
{
    const char *eq = strchr(w, '=');
    *name = eq != NULL ? customs_arena_strndup(a, w, (size_t)(eq - w)) : customs_arena_strdup(a, w);
    *value = eq != NULL ? customs_arena_strdup(a, eq + 1) : NULL;
    return *name == NULL || (eq != NULL && *value == NULL) ? CUSTOMS_ENOMEM : 0;
}

/* The value of a variable declared without one ("ARG NAME"). */
static char *unset_marker(struct customs_arena *a)
{
    return customs_arena_strdup(a, "\x01");
}

static int strip_quotes_inplace(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        memmove(s, s + 1, n - 2);
        s[n - 2] = '\0';
    }
    return 0;
}

static int start_stage(struct parser *ps, struct customs_dockerfile_instr *in)
{
    struct customs_dockerfile *df = ps->df;
    struct customs_arena *a = &df->arena;
    const char *s = in->args;
    const char *w;
    const char *image = NULL;
    const char *alias = NULL;
    while ((w = next_word(a, &s)) != NULL) {
        if (image == NULL && customs_str_has_prefix(w, "--")) {
            continue; /* --platform=... */
        }
        if (image == NULL) {
            image = w;
        } else if (strcasecmp(w, "as") == 0) {
            alias = next_word(a, &s);
            break;
        } else {
            break;
        }
    }
    struct customs_dockerfile_stage *st = customs_vec_push(&df->stages);
    if (st == NULL) {
        return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
    }
    st->line = in->line;
    st->first = df->instrs.len - 1;
    st->base_stage = -1;
    st->image = image != NULL ? image : "";
    if (alias != NULL) {
        char *lc = customs_arena_strdup(a, alias);
        for (char *p = lc; p != NULL && *p != '\0'; p++) {
            *p = (char)tolower((unsigned char)*p);
        }
        st->name = lc;
    }
    bool unresolved = false;
    char *res = expand_vars(a, st->image, lookup_global, &ps->globals, &unresolved);
    if (res == NULL) {
        return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
    }
    st->resolved = unresolved ? NULL : res;
    if (st->resolved != NULL) {
        char *lc = customs_arena_strdup(a, st->resolved);
        for (char *p = lc; p != NULL && *p != '\0'; p++) {
            *p = (char)tolower((unsigned char)*p);
        }
        const size_t *idx = lc != NULL ? customs_strmap_get(&ps->stage_names, lc) : NULL;
        if (idx != NULL) {
            st->base_stage = (int)*idx;
        }
    }
    if (st->name != NULL) {
        size_t *idx = customs_arena_alloc(a, sizeof(*idx));
        if (idx == NULL) {
            return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
        }
        *idx = df->stages.len - 1;
        if (customs_strmap_put(&ps->stage_names, st->name, idx) != 0) {
            return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}

static bool dockerfile_known_keyword(const char *kw)
{
    static const char *const known[] = {
        "ADD",   "ARG",     "CMD",        "COPY",   "ENTRYPOINT", "ENV",  "EXPOSE", "FROM",
        "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER",
        "VOLUME", "WORKDIR",
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(kw, known[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int global_arg(struct parser *ps, struct customs_dockerfile_instr *in)
{
    struct customs_arena *a = &ps->df->arena;
    const char *s = in->args;
    const char *w;
    while ((w = next_word(a, &s)) != NULL) {
        const char *name;
        char *value;
        if (split_assignment(a, w, &name, &value) != 0) {
            return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
        }
        if (value != NULL) {
            strip_quotes_inplace(value);
        }
        if (customs_strmap_put(&ps->globals, name, value != NULL ? value : unset_marker(a)) != 0) {
            return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    return 0;
}

static int add_instruction(struct parser *ps, int line)
{
    struct customs_dockerfile *df = ps->df;
    const char *t = customs_buf_cstr(&ps->text);
    size_t n = ps->text.len;
    while (n > 0 && is_blank(*t)) {
        t++;
        n--;
    }
    size_t k = 0;
    while (k < n && !is_blank(t[k])) {
        k++;
    }
    if (df->instrs.len >= CUSTOMS_DOCKERFILE_MAX_INSTRUCTIONS) {
        return customs_error_set(ps->err, CUSTOMS_ELIMIT, "%s:%d: more than %d instructions",
                                 ps->name, line, CUSTOMS_DOCKERFILE_MAX_INSTRUCTIONS);
    }
    char *kw = customs_arena_strndup(&df->arena, t, k);
    const char *rest = t + k;
    while (is_blank(*rest)) {
        rest++;
    }
    char *args = customs_arena_strdup(&df->arena, rest);
    if (kw == NULL || args == NULL) {
        return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
    }
    for (char *p = kw; *p != '\0'; p++) {
        *p = (char)toupper((unsigned char)*p);
    }
    struct customs_dockerfile_instr *in = customs_vec_push(&df->instrs);
    if (in == NULL) {
        return customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
    }
    in->keyword = kw;
    in->args = args;
    in->line = line;
    in->stage = (int)df->stages.len - 1;
    int rc = 0;
    if (args[0] != '[' &&
        (strcmp(kw, "RUN") == 0 || strcmp(kw, "COPY") == 0 || strcmp(kw, "ADD") == 0)) {
        rc = read_heredocs(ps, args, line);
        if (rc == 0 && ps->heredoc.len > 0) {
            in->heredoc = customs_arena_strdup(&df->arena, customs_buf_cstr(&ps->heredoc));
            if (in->heredoc == NULL) {
                rc = customs_error_set(ps->err, CUSTOMS_ENOMEM, "out of memory");
            }
        }
    }
    in->end_line = ps->r.line;
    if (rc == 0) {
        rc = parse_exec(ps, in);
    }
    if (rc != 0) {
        return rc;
    }
    if (strcmp(kw, "FROM") == 0) {
        in->stage = (int)df->stages.len;
        return start_stage(ps, in);
    }
    if (df->stages.len == 0) {
        if (strcmp(kw, "ARG") == 0) {
            return global_arg(ps, in);
        }
        /* an instruction is named; any other word is the file's content, never quoted */
        return customs_error_set(ps->err, CUSTOMS_EMALFORMED,
                                 "%s:%d: %s before the first FROM (only ARG may come first)",
                                 ps->name, line,
                                 dockerfile_known_keyword(kw) ? kw : "a line that is no instruction");
    }
    struct customs_dockerfile_stage *st = customs_vec_at(&df->stages, df->stages.len - 1);
    st->count = df->instrs.len - st->first;
    return 0;
}

void customs_dockerfile_release(struct customs_dockerfile *df)
{
    customs_vec_release(&df->instrs);
    customs_vec_release(&df->stages);
    customs_arena_release(&df->arena);
}

int customs_dockerfile_parse(struct customs_dockerfile *df, const char *name, const void *data,
                             size_t len, struct customs_error *err)
{
    const char *bytes = data;
    memset(df, 0, sizeof(*df));
    customs_arena_init(&df->arena);
    customs_vec_init(&df->instrs, sizeof(struct customs_dockerfile_instr));
    customs_vec_init(&df->stages, sizeof(struct customs_dockerfile_stage));
    df->escape = '\\';
    if (len > CUSTOMS_DOCKERFILE_MAX_BYTES) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: %zu bytes is over the %u-byte limit",
                                 name, len, CUSTOMS_DOCKERFILE_MAX_BYTES);
    }
    const char *nul = len > 0 ? memchr(bytes, '\0', len) : NULL;
    if (nul != NULL) {
        int line = 1;
        for (const char *p = bytes; p < nul; p++) {
            line += *p == '\n';
        }
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%d: NUL byte in a Dockerfile",
                                 name, line);
    }
    if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
        bytes += 3; /* a UTF-8 byte order mark */
        len -= 3;
    }
    int rc = read_directives(df, name, bytes, len, err);
    struct parser ps = {df, name, {bytes, len, 0, 0}, {0}, {0}, {0}, err, {0}};
    customs_buf_init(&ps.text, CUSTOMS_DOCKERFILE_MAX_INSTRUCTION);
    customs_buf_init(&ps.heredoc, CUSTOMS_DOCKERFILE_MAX_INSTRUCTION);
    customs_strmap_init(&ps.globals);
    customs_strmap_init(&ps.stage_names);
    const char *p;
    size_t n;
    while (rc == 0 && next_line(&ps.r, &p, &n)) {
        const char *t = p;
        size_t tn = n;
        trim(&t, &tn);
        if (tn == 0 || t[0] == '#') {
            continue;
        }
        int line = ps.r.line;
        rc = read_logical(&ps, p, n, line);
        if (rc == 0) {
            rc = add_instruction(&ps, line);
        }
    }
    if (rc == 0 && df->stages.len == 0) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%d: no FROM instruction", name,
                               ps.r.line > 0 ? ps.r.line : 1);
    }
    customs_buf_release(&ps.text);
    customs_buf_release(&ps.heredoc);
    customs_strmap_release(&ps.globals);
    customs_strmap_release(&ps.stage_names);
    if (rc != 0) {
        customs_dockerfile_release(df);
    }
    return rc;
}

/* ---- the checks over a parsed file ---- */

#define CMD_MAX_WORDS 256

/* One simple shell command: its words (quotes removed) and what came before it. */
struct shcmd {
    char **w;
    size_t n;
    char before; /* '|' a pipe, ';' anything else (&&, ||, ;, newline, $(, `, parentheses) */
};

struct audit {
    struct customs_misconfig_set *set;
    const struct customs_dockerfile *df;
    const char *file;
    struct customs_arena scratch;
    struct customs_vec cmds; /* struct shcmd of the RUN being checked */
    struct customs_error *err;
    int rc;
};

static void finding(struct audit *au, int id, int stage, const char *path, int line,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void finding(struct audit *au, int id, int stage, const char *path, int line,
                    const char *fmt, ...)
{
    char msg[512];
    char object[300];
    va_list ap;
    if (au->rc != 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (stage < 0) {
        snprintf(object, sizeof(object), "global scope");
    } else {
        const struct customs_dockerfile_stage *st = customs_dockerfile_stage_at(au->df,
                                                                                (size_t)stage);
        if (st->name != NULL) {
            snprintf(object, sizeof(object), "stage %.200s", st->name);
        } else {
            snprintf(object, sizeof(object), "stage %d", stage);
        }
    }
    au->rc = customs_misconfig_add(au->set, &df_checks[id], "dockerfile", object, au->file, path,
                                   line, 1, msg, au->err);
}

static const char *base_name(const char *w)
{
    const char *s = strrchr(w, '/');
    return s != NULL ? s + 1 : w;
}

/* Split shell text into simple commands (au->cmds). Approximate, never reads past the NUL. */
static int tokenize(struct audit *au, const char *s)
{
    struct customs_buf word;
    char *words[CMD_MAX_WORDS];
    size_t n = 0;
    char before = ';';
    bool in_word = false;
    customs_vec_init(&au->cmds, sizeof(struct shcmd));
    customs_buf_init(&word, CUSTOMS_DOCKERFILE_MAX_INSTRUCTION);
    int rc = 0;
    for (size_t i = 0; rc == 0; i++) {
        char c = s[i];
        char sep = 0;
        size_t skip = 0;
        if (c == '\'' || c == '"') {
            char q = c;
            in_word = true;
            for (i++; s[i] != '\0' && s[i] != q; i++) {
                if (q == '"' && s[i] == '\\' && s[i + 1] != '\0') {
                    i++;
                }
                customs_buf_add(&word, &rc, s + i, 1);
            }
            if (s[i] == '\0') {
                i--;
            }
            continue;
        }
        if (c == '\\' && s[i + 1] != '\0') {
            in_word = true;
            customs_buf_add(&word, &rc, s + i + 1, 1);
            i++;
            continue;
        }
        if (c == '#' && !in_word) {
            while (s[i + 1] != '\0' && s[i + 1] != '\n') {
                i++;
            }
            continue;
        }
        if (c == '|' && s[i + 1] != '|') {
            sep = '|';
        } else if (c == '|' || c == '&') {
            sep = ';';
            skip = s[i + 1] == c ? 1 : 0;
        } else if (c == ';' || c == '\n' || c == '(' || c == ')' || c == '`' || c == '\0') {
            sep = ';';
        } else if (c == '$' && s[i + 1] == '(') {
            sep = ';';
            skip = 1;
        }
        if (sep != 0 || is_blank(c)) {
            if (in_word && n < CMD_MAX_WORDS) {
                words[n] = customs_arena_strdup(&au->scratch, customs_buf_cstr(&word));
                if (words[n] == NULL) {
                    rc = CUSTOMS_ENOMEM;
                    break;
                }
                n++;
            }
            customs_buf_reset(&word);
            in_word = false;
        } else {
            in_word = true;
            customs_buf_add(&word, &rc, s + i, 1);
        }
        if (sep != 0) {
            if (n > 0) {
                struct shcmd *cmd = customs_vec_push(&au->cmds);
                char **w = customs_arena_alloc(&au->scratch, n * sizeof(*w));
                if (cmd == NULL || w == NULL) {
                    rc = CUSTOMS_ENOMEM;
                    break;
                }
                memcpy(w, words, n * sizeof(*w));
                cmd->w = w;
                cmd->n = n;
                cmd->before = before;
                before = sep;
            } else if (sep == '|' || before == '|') {
                before = sep; /* "a | (b)" keeps the pipe */
                if (c == '(') {
                    before = '|';
                }
            } else {
                before = sep;
            }
            n = 0;
            i += skip;
            if (c == '\0') {
                break;
            }
        }
    }
    customs_buf_release(&word);
    if (rc != 0) {
        customs_vec_release(&au->cmds);
        return rc == CUSTOMS_ENOMEM
                   ? customs_error_set(au->err, rc, "out of memory")
                   : customs_error_set(au->err, rc, "a shell word longer than an instruction");
    }
    return 0;
}

/* Index of the command word: after VAR=value assignments and wrappers (sudo, env, ...). */
static size_t head(const struct shcmd *c, bool *sudo)
{
    size_t i = 0;
    for (; i < c->n; i++) {
        const char *w = c->w[i];
        const char *b = base_name(w);
        const char *eq = strchr(w, '=');
        if (eq != NULL && eq != w && (isalpha((unsigned char)w[0]) || w[0] == '_') &&
            strcspn(w, "/") > (size_t)(eq - w)) {
            continue; /* NAME=value */
        }
        if (strcmp(b, "sudo") == 0) {
            if (sudo != NULL) {
                *sudo = true;
            }
            while (i + 1 < c->n && c->w[i + 1][0] == '-') {
                i++;
                if ((strcmp(c->w[i], "-u") == 0 || strcmp(c->w[i], "-g") == 0) && i + 1 < c->n) {
                    i++;
                }
            }
            continue;
        }
        if (strcmp(b, "env") == 0 || strcmp(b, "command") == 0 || strcmp(b, "exec") == 0 ||
            strcmp(b, "nohup") == 0 || strcmp(b, "time") == 0) {
            continue;
        }
        break;
    }
    return i;
}

static bool head_is(const struct shcmd *c, const char *const *names)
{
    size_t h = head(c, NULL);
    return h < c->n && str_in(base_name(c->w[h]), names);
}

static const char *const fetchers[] = {"curl", "wget", NULL};
static const char *const shells[] = {"sh",     "bash",    "zsh",  "ash",  "dash", "ksh",
                                     "python", "python3", "perl", "ruby", "node", NULL};

static bool is_mode_world_writable(const char *m)
{
    size_t n = strlen(m);
    if (n > 0 && n <= 4 && strspn(m, "01234567") == n) {
        int others = m[n - 1] - '0';
        bool sticky = n == 4 && ((m[0] - '0') & 1) != 0;
        return (others & 2) != 0 && !sticky;
    }
    /* symbolic: clauses [ugoa]*([-+=][rwxXst]*)+ separated by commas */
    const char *p = m;
    while (*p != '\0') {
        bool all = false;
        bool who = false;
        while (*p == 'u' || *p == 'g' || *p == 'o' || *p == 'a') {
            all = all || *p == 'o' || *p == 'a';
            who = true;
            p++;
        }
        if (*p != '+' && *p != '-' && *p != '=') {
            return false; /* not a mode */
        }
        while (*p == '+' || *p == '-' || *p == '=') {
            char op = *p++;
            while (*p != '\0' && strchr("rwxXstugo", *p) != NULL) {
                if (*p == 'w' && who && all && op != '-') {
                    return true;
                }
                p++;
            }
        }
        if (*p == ',') {
            p++;
        } else if (*p != '\0') {
            return false;
        }
    }
    return false;
}

static bool has_word_prefix(const struct shcmd *c, const char *prefix)
{
    for (size_t i = 0; i < c->n; i++) {
        if (customs_str_has_prefix(c->w[i], prefix)) {
            return true;
        }
    }
    return false;
}

/* Does any command of the RUN remove a path under `dir`? */
static bool run_removes(struct audit *au, const char *dir)
{
    static const char *const rm[] = {"rm", NULL};
    for (size_t i = 0; i < au->cmds.len; i++) {
        const struct shcmd *c = customs_vec_at(&au->cmds, i);
        if (head_is(c, rm) && has_word_prefix(c, dir)) {
            return true;
        }
    }
    return false;
}

static bool run_has_subcommand(struct audit *au, const char *const *tools, const char *sub)
{
    for (size_t i = 0; i < au->cmds.len; i++) {
        const struct shcmd *c = customs_vec_at(&au->cmds, i);
        size_t h = head(c, NULL);
        if (h < c->n && str_in(base_name(c->w[h]), tools)) {
            for (size_t j = h + 1; j < c->n; j++) {
                if (strcmp(c->w[j], sub) == 0) {
                    return true;
                }
            }
        }
    }
    return false;
}

enum pkg_kind { PKG_APT, PKG_APK, PKG_YUM };

static bool pkg_pinned(enum pkg_kind k, const char *p)
{
    switch (k) {
    case PKG_APT:
        return strchr(p, '=') != NULL || strchr(p, '/') != NULL;
    case PKG_APK:
        return strpbrk(p, "=~<>") != NULL;
    case PKG_YUM:
    default:
        for (const char *s = p; *s != '\0'; s++) {
            if (*s == '-' && isdigit((unsigned char)s[1])) {
                return true;
            }
        }
        return strchr(p, '=') != NULL;
    }
}

/* Options of the package managers that take a value. */
static bool option_takes_value(enum pkg_kind k, const char *o)
{
    static const char *const apt[] = {"-o", "-t", "-c", "--target-release", "--option", NULL};
    static const char *const apk[] = {"-t", "--virtual", "-X", "--repository", "-p", "--root",
                                      "--arch", NULL};
    static const char *const yum[] = {"--setopt", "--enablerepo", "--disablerepo",
                                      "--releasever", "--installroot", "-c", "--config", NULL};
    return str_in(o, k == PKG_APT ? apt : k == PKG_APK ? apk : yum);
}

static void check_packages(struct audit *au, const struct customs_dockerfile_instr *in,
                           bool final_image, bool cache_mount)
{
    static const char *const apt[] = {"apt-get", "apt", NULL};
    static const char *const apk[] = {"apk", NULL};
    static const char *const yum[] = {"yum", "dnf", "microdnf", NULL};
    /* cleanup anywhere in the RUN, computed once */
    bool apt_clean = run_removes(au, "/var/lib/apt/lists");
    bool apk_clean = run_removes(au, "/var/cache/apk");
    bool yum_clean = run_has_subcommand(au, yum, "clean") || run_removes(au, "/var/cache/yum") ||
                     run_removes(au, "/var/cache/dnf");
    for (size_t i = 0; i < au->cmds.len; i++) {
        const struct shcmd *c = customs_vec_at(&au->cmds, i);
        size_t h = head(c, NULL);
        if (h >= c->n) {
            continue;
        }
        const char *tool = base_name(c->w[h]);
        enum pkg_kind k;
        const char *sub;
        if (str_in(tool, apt)) {
            k = PKG_APT;
            sub = "install";
        } else if (str_in(tool, apk)) {
            k = PKG_APK;
            sub = "add";
        } else if (str_in(tool, yum)) {
            k = PKG_YUM;
            sub = "install";
        } else {
            continue;
        }
        size_t j = h + 1;
        bool no_cache = false;
        for (; j < c->n && strcmp(c->w[j], sub) != 0; j++) {
            no_cache = no_cache || strcmp(c->w[j], "--no-cache") == 0;
            if (option_takes_value(k, c->w[j])) {
                j++;
            }
        }
        if (j >= c->n) {
            continue;
        }
        char unpinned[256] = "";
        size_t un = 0;
        int count = 0;
        for (j++; j < c->n; j++) {
            const char *w = c->w[j];
            if (w[0] == '-') {
                no_cache = no_cache || strcmp(w, "--no-cache") == 0;
                if (option_takes_value(k, w)) {
                    j++;
                }
                continue;
            }
            if (w[0] == '$' || w[0] == '<' || w[0] == '>' || strchr(w, '*') != NULL ||
                (k != PKG_APT && strchr(w, '/') != NULL) || customs_str_has_suffix(w, ".deb") ||
                customs_str_has_suffix(w, ".rpm") || customs_str_has_suffix(w, ".apk") ||
                strcmp(w, "2") == 0) {
                continue;
            }
            if (!pkg_pinned(k, w)) {
                count++;
                if (un < sizeof(unpinned) - 1) {
                    int r = snprintf(unpinned + un, sizeof(unpinned) - un, "%s%s",
                                     un > 0 ? ", " : "", w);
                    un = r < 0 ? un : un + (size_t)r;
                    if (un >= sizeof(unpinned)) {
                        un = sizeof(unpinned) - 1;
                    }
                }
            }
        }
        if (count > 0) {
            finding(au, DF_PKG_PIN, in->stage, "RUN", in->line,
                    "%s %s without versions: %s", tool, sub, unpinned);
        }
        if (!final_image || cache_mount) {
            continue;
        }
        bool clean;
        const char *how;
        if (k == PKG_APT) {
            clean = apt_clean;
            how = "without `rm -rf /var/lib/apt/lists/*` in the same RUN";
        } else if (k == PKG_APK) {
            clean = no_cache || apk_clean;
            how = "without --no-cache";
        } else {
            clean = yum_clean;
            how = "without `clean all` in the same RUN";
        }
        if (!clean) {
            finding(au, DF_PKG_CLEANUP, in->stage, "RUN", in->line, "%s %s %s", tool, sub, how);
        }
    }
}

/* The RUN's command text: the shell form, the exec form's words, and heredoc bodies. */
static int run_text(struct audit *au, const struct customs_dockerfile_instr *in,
                    struct customs_buf *b, bool *cache_mount)
{
    int rc = 0;
    *cache_mount = false;
    if (in->argv != NULL) {
        /* each element quoted, so `["sh", "-c", "a | b"]` reads as sh -c 'a | b' */
        for (size_t i = 0; rc == 0 && i < in->argc; i++) {
            rc = customs_buf_puts(b, i ? " '" : "'");
            for (const char *p = in->argv[i]; rc == 0 && *p != '\0'; p++) {
                rc = *p == '\'' ? customs_buf_puts(b, "'\\''") : customs_buf_append(b, p, 1);
            }
            rc = rc == 0 ? customs_buf_puts(b, "'") : rc;
        }
    } else {
        const char *s = in->args;
        const char *w;
        const char *mark = s;
        while ((w = next_word(&au->scratch, &s)) != NULL && customs_str_has_prefix(w, "--")) {
            if (customs_str_has_prefix(w, "--mount=") && strstr(w, "type=cache") != NULL) {
                *cache_mount = true;
            }
            mark = s;
        }
        rc = customs_buf_puts(b, mark);
    }
    if (rc == 0 && in->heredoc != NULL) {
        rc = customs_buf_printf(b, "\n%s", in->heredoc);
    }
    return rc;
}

static void check_run(struct audit *au, const struct customs_dockerfile_instr *in,
                      bool final_image)
{
    struct customs_buf text;
    bool cache_mount;
    customs_buf_init(&text, 2 * CUSTOMS_DOCKERFILE_MAX_INSTRUCTION + 16);
    if (run_text(au, in, &text, &cache_mount) != 0 ||
        tokenize(au, customs_buf_cstr(&text)) != 0) {
        customs_buf_release(&text);
        if (au->rc == 0) {
            au->rc = customs_error_set(au->err, CUSTOMS_ENOMEM, "out of memory");
        }
        return;
    }
    /* one level of `sh -c 'script'`: the script's commands are checked too */
    bool nested = false;
    for (size_t i = 0; i < au->cmds.len; i++) {
        const struct shcmd *c = customs_vec_at(&au->cmds, i);
        size_t h = head(c, NULL);
        if (h + 2 < c->n && head_is(c, shells) && c->w[h + 1][0] == '-' &&
            customs_str_has_suffix(c->w[h + 1], "c") &&
            customs_buf_printf(&text, "\n%s", c->w[h + 2]) == 0) {
            nested = true;
        }
    }
    if (nested) {
        customs_vec_release(&au->cmds);
        if (tokenize(au, customs_buf_cstr(&text)) != 0) {
            customs_buf_release(&text);
            au->rc = au->rc != 0 ? au->rc : CUSTOMS_ENOMEM;
            return;
        }
    }
    bool sudo = false;
    bool piped = false;
    bool chmod_done = false;
    static const char *const chmod[] = {"chmod", NULL};
    for (size_t i = 0; i < au->cmds.len; i++) {
        const struct shcmd *c = customs_vec_at(&au->cmds, i);
        size_t h = head(c, &sudo);
        if (!piped && i > 0 && c->before == '|' && head_is(c, shells) &&
            head_is(customs_vec_at(&au->cmds, i - 1), fetchers)) {
            const struct shcmd *p = customs_vec_at(&au->cmds, i - 1);
            finding(au, DF_CURL_SH, in->stage, "RUN", in->line, "%s output piped into %s",
                    base_name(p->w[head(p, NULL)]), base_name(c->w[h]));
            piped = true;
        }
        if (!chmod_done && head_is(c, chmod)) {
            for (size_t j = h + 1; j < c->n; j++) {
                if (is_mode_world_writable(c->w[j])) {
                    finding(au, DF_CHMOD, in->stage, "RUN", in->line,
                            "chmod %s makes files world-writable", c->w[j]);
                    chmod_done = true;
                    break;
                }
                if (c->w[j][0] != '-') {
                    break; /* the mode came and is fine */
                }
            }
        }
    }
    /* sh -c "$(curl ...)", bash <(wget -O- ...) */
    const char *t = customs_buf_cstr(&text);
    static const char *const subst[] = {"$(curl", "$(wget", "<(curl", "<(wget", "`curl", "`wget",
                                        NULL};
    for (size_t k = 0; !piped && subst[k] != NULL; k++) {
        const char *at = strstr(t, subst[k]);
        if (at == NULL) {
            continue;
        }
        for (size_t i = 0; i < au->cmds.len && !piped; i++) {
            const struct shcmd *c = customs_vec_at(&au->cmds, i);
            if (head_is(c, shells) && c->n > 0 && strstr(t, c->w[0]) < at) {
                finding(au, DF_CURL_SH, in->stage, "RUN", in->line,
                        "%s runs a script fetched by %s", base_name(c->w[head(c, NULL)]),
                        subst[k] + 2 - (subst[k][0] == '`'));
                piped = true;
            }
        }
    }
    if (sudo) {
        finding(au, DF_SUDO, in->stage, "RUN", in->line, "RUN uses sudo");
    }
    check_packages(au, in, final_image, cache_mount);
    customs_vec_release(&au->cmds);
    customs_buf_release(&text);
}

static bool is_url(const char *s)
{
    return strstr(s, "://") != NULL || customs_str_has_prefix(s, "git@");
}

static bool is_tar_archive(const char *s)
{
    static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz",
                                      ".tar.xz", ".txz", ".taz", ".tb2", ".tz2", NULL};
    char lower[512];
    size_t n = strlen(s);
    if (n >= sizeof(lower)) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        lower[i] = (char)tolower((unsigned char)s[i]);
    }
    for (size_t i = 0; ext[i] != NULL; i++) {
        if (customs_str_has_suffix(lower, ext[i])) {
            return true;
        }
    }
    return false;
}

/* COPY/ADD: the sources (all but the last word) and the flags. */
static void check_copy_add(struct audit *au, const struct customs_dockerfile_instr *in, bool add)
{
    const char *words[64];
    size_t n = 0;
    bool checksum = false;
    const char *s = in->args;
    const char *w;
    if (in->argv != NULL) {
        for (size_t i = 0; i < in->argc && n < 64; i++) {
            words[n++] = in->argv[i];
        }
    } else {
        while ((w = next_word(&au->scratch, &s)) != NULL && n < 64) {
            if (n == 0 && customs_str_has_prefix(w, "--")) {
                if (customs_str_has_prefix(w, "--chmod=") && is_mode_world_writable(w + 8)) {
                    finding(au, DF_CHMOD, in->stage, in->keyword, in->line,
                            "%s %s makes files world-writable", in->keyword, w);
                }
                checksum = checksum || customs_str_has_prefix(w, "--checksum=");
                continue;
            }
            char *d = customs_arena_strdup(&au->scratch, w);
            if (d == NULL) {
                au->rc = customs_error_set(au->err, CUSTOMS_ENOMEM, "out of memory");
                return;
            }
            strip_quotes_inplace(d);
            words[n++] = d;
        }
    }
    if (!add || n < 2) {
        return;
    }
    bool archive = false;
    bool local = false;
    for (size_t i = 0; i + 1 < n; i++) {
        if (words[i][0] == '<' && words[i][1] == '<') {
            local = true; /* a heredoc */
        } else if (is_url(words[i])) {
            if (!checksum) {
                finding(au, DF_ADD_URL, in->stage, "ADD", in->line,
                        "ADD fetches %.200s without --checksum", words[i]);
            }
        } else if (words[i][0] == '$') {
            archive = true; /* unknown: give it the benefit of the doubt */
        } else if (is_tar_archive(words[i])) {
            archive = true;
        } else {
            local = true;
        }
    }
    if (local && !archive) {
        finding(au, DF_ADD_LOCAL, in->stage, "ADD", in->line,
                "ADD copies local files: COPY does the same without surprises");
    }
}

static void check_expose(struct audit *au, const struct customs_dockerfile_instr *in)
{
    const char *s = in->args;
    const char *w;
    while ((w = next_word(&au->scratch, &s)) != NULL) {
        char *end;
        unsigned long lo = strtoul(w, &end, 10);
        unsigned long hi = lo;
        if (end == w) {
            continue;
        }
        if (*end == '-') {
            const char *h = end + 1;
            hi = strtoul(h, &end, 10);
            if (end == h) {
                continue;
            }
        }
        if (*end != '\0' && *end != '/') {
            continue;
        }
        if (lo <= 22 && 22 <= hi && (*end == '\0' || strcasecmp(end, "/tcp") == 0)) {
            finding(au, DF_SSH_PORT, in->stage, "EXPOSE", in->line, "EXPOSE %.64s", w);
            return;
        }
    }
}

static bool secret_name(const char *name)
{
    static const char *const marks[] = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY",
                                        "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "AUTH_KEY",
                                        "CREDENTIAL", NULL};
    static const char *const not_secret[] = {"_FILE", "_PATH", "_DIR", "_URL", "_ENDPOINT",
                                             NULL};
    char up[256];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof(up)) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        up[i] = (char)toupper((unsigned char)name[i]);
        if (name[i] == '-' || name[i] == '.') {
            up[i] = '_';
        }
    }
    for (size_t i = 0; not_secret[i] != NULL; i++) {
        if (customs_str_has_suffix(up, not_secret[i])) {
            return false;
        }
    }
    /* a mark as whole '_'-separated components: DB_PASSWORD, not TOKENIZERS_PARALLELISM */
    for (size_t i = 0; marks[i] != NULL; i++) {
        size_t ml = strlen(marks[i]);
        for (const char *at = strstr(up, marks[i]); at != NULL; at = strstr(at + 1, marks[i])) {
            if ((at == up || at[-1] == '_') && (at[ml] == '\0' || at[ml] == '_')) {
                return true;
            }
        }
    }
    return false;
}

/* A literal value: non-empty, not a variable reference, not a boolean switch. */
static bool literal_value(const char *v)
{
    if (v == NULL || v[0] == '\0') {
        return false;
    }
    static const char *const flags[] = {"true", "false", "yes", "no", "on", "off", "0", "1",
                                        NULL};
    if (v[0] == '$') {
        return false;
    }
    for (size_t i = 0; flags[i] != NULL; i++) {
        if (strcasecmp(v, flags[i]) == 0) {
            return false; /* a switch, not a secret */
        }
    }
    return true;
}

/* ENV/ARG: name=value pairs (and ENV's legacy "name value"); record stage variables. */
static void check_env_arg(struct audit *au, const struct customs_dockerfile_instr *in,
                          bool env, struct customs_strmap *vars,
                          const struct customs_strmap *globals)
{
    const char *s = in->args;
    const char *w;
    bool first = true;
    while (au->rc == 0 && (w = next_word(&au->scratch, &s)) != NULL) {
        const char *name;
        char *value;
        if (split_assignment(&au->scratch, w, &name, &value) != 0) {
            au->rc = customs_error_set(au->err, CUSTOMS_ENOMEM, "out of memory");
            return;
        }
        if (env && first && value == NULL) {
            while (is_blank(*s)) {
                s++;
            }
            value = customs_arena_strdup(&au->scratch, s); /* ENV name value */
            s += strlen(s);
        }
        first = false;
        if (value != NULL) {
            strip_quotes_inplace(value);
        }
        if (secret_name(name) && literal_value(value)) {
            finding(au, DF_SECRET, in->stage, in->keyword, in->line,
                    "%s %.100s has a literal value", in->keyword, name);
        }
        if (vars != NULL) {
            char *v = value;
            if (v == NULL && globals != NULL) {
                v = customs_strmap_get(globals, name); /* ARG NAME: the global's value */
            }
            if (customs_strmap_put(vars, name, v != NULL ? v : unset_marker(&au->scratch)) != 0) {
                au->rc = customs_error_set(au->err, CUSTOMS_ENOMEM, "out of memory");
            }
        }
    }
}

static bool user_is_root(const char *u)
{
    size_t n = strcspn(u, ":");
    return (n == 4 && strncmp(u, "root", 4) == 0) || (n == 1 && u[0] == '0') || n == 0;
}

struct stage_state {
    const struct customs_dockerfile_instr *user;        /* the last USER, or NULL */
    const char *user_value;                             /* expanded; NULL if unresolved */
    const struct customs_dockerfile_instr *healthcheck; /* the last HEALTHCHECK, or NULL */
};

static void check_from(struct audit *au, const struct customs_dockerfile_stage *st, int stage)
{
    if (st->base_stage >= 0 || st->resolved == NULL || st->resolved[0] == '\0' ||
        strcasecmp(st->resolved, "scratch") == 0) {
        return;
    }
    const char *ref = st->resolved;
    const char *at = strchr(ref, '@');
    size_t name_len = at != NULL ? (size_t)(at - ref) : strlen(ref);
    const char *slash = NULL;
    const char *colon = NULL;
    for (size_t i = 0; i < name_len; i++) {
        if (ref[i] == '/') {
            slash = ref + i;
            colon = NULL;
        } else if (ref[i] == ':') {
            colon = ref + i;
        }
    }
    (void)slash;
    if (at != NULL) {
        return; /* pinned by digest */
    }
    if (colon == NULL) {
        finding(au, DF_LATEST, stage, "FROM", st->line, "base image %.200s has no tag (:latest)",
                ref);
    } else if (strcmp(colon + 1, "latest") == 0) {
        finding(au, DF_LATEST, stage, "FROM", st->line, "base image %.200s uses :latest", ref);
    } else {
        finding(au, DF_DIGEST, stage, "FROM", st->line, "base image %.200s has no digest", ref);
    }
}

static const char *lookup_map(void *ctx, const char *name)
{
    const char *v = customs_strmap_get(ctx, name);
    return v != NULL && v[0] == '\x01' ? NULL : v;
}

int customs_dockerfile_audit(struct customs_misconfig_set *set,
                             const struct customs_dockerfile *df, const char *file,
                             struct customs_error *err)
{
    struct audit au = {set, df, file, {0}, {0}, err, 0};
    size_t nst = df->stages.len;
    struct customs_strmap globals;
    struct customs_strmap vars;
    customs_arena_init(&au.scratch);
    customs_strmap_init(&globals);
    customs_strmap_init(&vars);
    struct stage_state *state = customs_calloc(nst > 0 ? nst : 1, sizeof(*state));
    bool *in_final = customs_calloc(nst > 0 ? nst : 1, sizeof(*in_final));
    if (state == NULL || in_final == NULL) {
        au.rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    /* the final image: the last stage and the stages it builds on */
    for (int s = (int)nst - 1, guard = 0; au.rc == 0 && s >= 0 && guard <= (int)nst; guard++) {
        in_final[s] = true;
        s = customs_dockerfile_stage_at(df, (size_t)s)->base_stage;
    }
    for (size_t i = 0; au.rc == 0 && i < df->instrs.len; i++) {
        const struct customs_dockerfile_instr *in = customs_dockerfile_instr_at(df, i);
        const char *kw = in->keyword;
        if (in->stage < 0) {
            check_env_arg(&au, in, false, &globals, NULL);
            continue;
        }
        struct stage_state *ss = &state[in->stage];
        if (strcmp(kw, "FROM") == 0) {
            customs_strmap_release(&vars);
            customs_strmap_init(&vars);
            const struct customs_dockerfile_stage *st = customs_dockerfile_stage_at(df,
                                                                           (size_t)in->stage);
            check_from(&au, st, in->stage);
            if (st->base_stage >= 0) {
                *ss = state[st->base_stage];
            }
        } else if (strcmp(kw, "RUN") == 0) {
            check_run(&au, in, in_final[in->stage]);
        } else if (strcmp(kw, "ADD") == 0 || strcmp(kw, "COPY") == 0) {
            check_copy_add(&au, in, strcmp(kw, "ADD") == 0);
        } else if (strcmp(kw, "EXPOSE") == 0) {
            check_expose(&au, in);
        } else if (strcmp(kw, "ENV") == 0 || strcmp(kw, "ARG") == 0) {
            check_env_arg(&au, in, strcmp(kw, "ENV") == 0, &vars,
                          strcmp(kw, "ARG") == 0 ? &globals : NULL);
        } else if (strcmp(kw, "USER") == 0) {
            bool unresolved = false;
            char *u = expand_vars(&au.scratch, in->args, lookup_map, &vars, &unresolved);
            if (u == NULL) {
                au.rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
                break;
            }
            strip_quotes_inplace(u);
            ss->user = in;
            ss->user_value = unresolved ? NULL : u;
        } else if (strcmp(kw, "HEALTHCHECK") == 0) {
            ss->healthcheck = in;
        }
    }
    if (au.rc == 0 && nst > 0) {
        int last = (int)nst - 1;
        const struct stage_state *fs = &state[last];
        const struct customs_dockerfile_stage *st = customs_dockerfile_stage_at(df, (size_t)last);
        if (fs->user == NULL) {
            finding(&au, DF_ROOT, last, "USER", st->line,
                    "the final stage has no USER: the container runs as root");
        } else if (fs->user_value != NULL && user_is_root(fs->user_value)) {
            finding(&au, DF_ROOT, last, "USER", fs->user->line,
                    "USER %.100s: the container runs as root", fs->user_value);
        }
        if (fs->healthcheck == NULL) {
            finding(&au, DF_HEALTHCHECK, last, "HEALTHCHECK", st->line,
                    "the final stage has no HEALTHCHECK");
        } else if (strncasecmp(fs->healthcheck->args, "NONE", 4) == 0 &&
                   (fs->healthcheck->args[4] == '\0' || is_blank(fs->healthcheck->args[4]))) {
            finding(&au, DF_HEALTHCHECK, last, "HEALTHCHECK", fs->healthcheck->line,
                    "HEALTHCHECK NONE disables the health check");
        }
    }
    customs_free(state);
    customs_free(in_final);
    customs_strmap_release(&globals);
    customs_strmap_release(&vars);
    customs_arena_release(&au.scratch);
    return au.rc;
}
