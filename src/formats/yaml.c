/* SPDX-License-Identifier: Apache-2.0 */
/* YAML streams into jansson values with a position for every node (see yaml.h). */
#include "formats/yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/banned.h"

#define YAML_MAX_PATH 65536

struct yaml_pos {
    int line;
    int column;
};

struct yaml_doc {
    json_t *root;
    struct customs_strmap pos; /* path -> struct yaml_pos (keys and values in the arena) */
};

struct customs_yaml_stream {
    struct customs_arena arena;
    struct customs_vec docs; /* struct yaml_doc */
};

/* an anchored node, shared by its aliases */
struct yaml_anchor {
    json_t *node;
    uint64_t weight; /* nodes in its subtree, counted once per alias use */
};

struct yaml_frame {
    json_t *node;      /* object or array under construction */
    bool is_map;
    char *key;         /* pending mapping key (customs_malloc), NULL when a key is expected */
    int key_line;
    int key_column;
    bool key_is_merge; /* a plain "<<" key: YAML 1.1 merge */
    size_t path_len;   /* length of the path of this node */
    size_t index;      /* next sequence index */
    char *anchor;      /* to register when the node ends (customs_malloc) */
    uint64_t nodes_at_start;
    json_t *merged;    /* keys that came in through "<<", which explicit keys may override */
};

struct yaml_loader {
    const char *name;
    struct customs_yaml_limits lim;
    struct customs_yaml_stream *s;
    struct yaml_doc *doc;
    struct customs_strmap anchors; /* name (arena) -> struct yaml_anchor (arena) */
    struct yaml_frame *stack;
    size_t depth;
    size_t stack_cap;
    struct customs_buf path;
    uint64_t nodes;
    uint64_t index_bytes;
    json_t *doc_root;
    struct customs_error *err;
};

void customs_yaml_limits_default(struct customs_yaml_limits *l)
{
    l->max_bytes = 64u << 20;
    l->max_nodes = 1000000;
    l->max_depth = 256;
    l->max_index_bytes = 64u << 20;
}

/* ---- paths ---- */

static bool key_is_word(const char *key)
{
    if (key[0] == '\0') {
        return false;
    }
    for (const char *p = key; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '$')) {
            return false;
        }
    }
    return true;
}

int customs_yaml_path_key(struct customs_buf *path, const char *key)
{
    if (key_is_word(key)) {
        int rc = path->len > 0 ? customs_buf_puts(path, ".") : 0;
        if (rc != 0) {
            return rc;
        }
        return customs_buf_puts(path, key);
    }
    int rc = customs_buf_puts(path, "['");
    for (const char *p = key; rc == 0 && *p != '\0'; p++) {
        if (*p == '\'' || *p == '\\') {
            rc = customs_buf_append(path, "\\", 1);
        }
        if (rc == 0) {
            rc = customs_buf_append(path, p, 1);
        }
    }
    if (rc == 0) {
        rc = customs_buf_puts(path, "']");
    }
    return rc;
}

int customs_yaml_path_index(struct customs_buf *path, size_t i)
{
    return customs_buf_printf(path, "[%zu]", i);
}

/* Length of the parent path of `path` (its last segment removed). */
static size_t path_parent_len(const char *path, size_t len)
{
    if (len == 0) {
        return 0;
    }
    if (path[len - 1] == ']') {
        /* "[N]" or "['...']": find the opening bracket that starts this segment */
        if (len >= 2 && path[len - 2] == '\'') {
            for (size_t i = len - 2; i >= 2; i--) {
                if (path[i - 1] == '\'' && path[i - 2] == '[' &&
                    (i < 3 || path[i - 3] != '\\')) {
                    return i - 2;
                }
            }
            return 0;
        }
        for (size_t i = len - 1; i > 0; i--) {
            if (path[i - 1] == '[') {
                return i - 1;
            }
        }
        return 0;
    }
    for (size_t i = len; i > 0; i--) {
        if (path[i - 1] == '.' || path[i - 1] == ']') {
            return path[i - 1] == '.' ? i - 1 : i;
        }
    }
    return 0;
}

/* ---- errors ---- */

static int loader_fail(struct yaml_loader *ld, int code, int line, int column, const char *what)
{
    return customs_error_set(ld->err, code, "%s:%d:%d: %s", ld->name, line, column, what);
}

/* ---- scalars, as Kubernetes (go-yaml v2, YAML 1.1) resolves them ---- */

static bool str_in(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++) {
        if (strcmp(s, set[i]) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_float_syntax(const char *s)
{
    /* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
    const char *p = s;
    size_t digits = 0;
    if (*p == '-' || *p == '+') {
        p++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
        if (digits == 0) {
            return false;
        }
    } else {
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
        if (digits == 0) {
            return false;
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                p++;
            }
        }
    }
    if (*p == 'e' || *p == 'E') {
        size_t exp = 0;
        p++;
        if (*p == '-' || *p == '+') {
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
            exp++;
        }
        if (exp == 0) {
            return false;
        }
    }
    return *p == '\0';
}

/* Integer syntax after removing '_': [-+]?(0b[01]+|0o?[0-7]+|0x[0-9a-fA-F]+|[0-9]+). */
static bool parse_int(const char *s, json_int_t *out)
{
    char clean[80];
    size_t n = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '_') {
            continue;
        }
        if (n + 1 >= sizeof(clean)) {
            return false;
        }
        clean[n++] = *p;
    }
    clean[n] = '\0';
    const char *p = clean;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
        base = 8;
        p += 2;
    } else if (p[0] == '0' && p[1] != '\0') {
        base = 8;
        p += 1;
    }
    if (*p == '\0' || *p == '-' || *p == '+') {
        return false;
    }
    for (const char *q = p; *q != '\0'; q++) {
        int d = (*q >= '0' && *q <= '9')   ? *q - '0'
                : (*q >= 'a' && *q <= 'f') ? *q - 'a' + 10
                : (*q >= 'A' && *q <= 'F') ? *q - 'A' + 10
                                           : 99;
        if (d >= base) {
            return false;
        }
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(p, &end, base);
    if (errno != 0 || end == NULL || *end != '\0') {
        return false;
    }
    if (neg) {
        if (v > (unsigned long long)INT64_MAX + 1) {
            return false;
        }
        *out = v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)v;
    } else {
        if (v > (unsigned long long)INT64_MAX) {
            return false;
        }
        *out = (json_int_t)v;
    }
    return true;
}

static json_t *scalar_plain(const char *v, size_t len)
{
    static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                        "on", "On", "ON", NULL};
    static const char *const falses[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                         "off", "Off", "OFF", NULL};
    if (len == 0 || str_in(v, nulls)) {
        return json_null();
    }
    if (str_in(v, trues)) {
        return json_true();
    }
    if (str_in(v, falses)) {
        return json_false();
    }
    char c = v[0];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
        json_int_t i;
        if (parse_int(v, &i)) {
            return json_integer(i);
        }
        if (is_float_syntax(v)) {
            errno = 0;
            double d = strtod(v, NULL);
            if (errno == 0) {
                json_t *r = json_real(d);
                if (r != NULL) {
                    return r;
                }
            }
        }
        /* .inf / .nan and out-of-range numbers have no JSON form: keep the text */
    }
    return json_stringn(v, len);
}

static json_t *scalar_to_json(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (tag != NULL && strcmp(tag, "!") != 0) {
        if (strcmp(tag, YAML_STR_TAG) == 0) {
            return json_stringn(v, len);
        }
        if (strlen(v) == len && (strcmp(tag, YAML_INT_TAG) == 0 ||
                                 strcmp(tag, YAML_FLOAT_TAG) == 0 ||
                                 strcmp(tag, YAML_BOOL_TAG) == 0 ||
                                 strcmp(tag, YAML_NULL_TAG) == 0)) {
            return scalar_plain(v, len);
        }
    }
    if (plain && tag == NULL && strlen(v) == len) {
        return scalar_plain(v, len);
    }
    return json_stringn(v, len);
}

/* ---- the position table ---- */

static int record_pos(struct yaml_loader *ld, const yaml_mark_t *mark)
{
    size_t n = ld->path.len;
    char *key = NULL;
    struct yaml_pos *p = NULL;
    ld->index_bytes += n + 1 + sizeof(*p) + 32;
    if (ld->index_bytes > ld->lim.max_index_bytes) {
        return loader_fail(ld, CUSTOMS_ELIMIT, (int)mark->line + 1, (int)mark->column + 1,
                           "position table over its byte limit (too many or too long keys)");
    }
    if (customs_strmap_get(&ld->doc->pos, customs_buf_cstr(&ld->path)) != NULL) {
        return 0; /* a merge key re-entering a path keeps the first position */
    }
    key = customs_arena_strndup(&ld->s->arena, customs_buf_cstr(&ld->path), n);
    p = customs_arena_alloc(&ld->s->arena, sizeof(*p));
    if (key == NULL || p == NULL || customs_strmap_put(&ld->doc->pos, key, p) != 0) {
        return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
    }
    p->line = (int)mark->line + 1;
    p->column = (int)mark->column + 1;
    return 0;
}

/* ---- building ---- */

static int count_nodes(struct yaml_loader *ld, uint64_t n, const yaml_mark_t *mark)
{
    if (n > ld->lim.max_nodes || ld->nodes > ld->lim.max_nodes - n) {
        return customs_error_set(ld->err, CUSTOMS_ELIMIT,
                                 "%s:%d:%d: more than %llu nodes after alias expansion "
                                 "(a YAML bomb?)",
                                 ld->name, (int)mark->line + 1, (int)mark->column + 1,
                                 (unsigned long long)ld->lim.max_nodes);
    }
    ld->nodes += n;
    return 0;
}

static int register_anchor(struct yaml_loader *ld, const char *name, json_t *node,
                           uint64_t weight)
{
    struct yaml_anchor *a = customs_strmap_get(&ld->anchors, name);
    if (a == NULL) {
        char *key = customs_arena_strdup(&ld->s->arena, name);
        a = customs_arena_alloc(&ld->s->arena, sizeof(*a));
        if (key == NULL || a == NULL || customs_strmap_put(&ld->anchors, key, a) != 0) {
            return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
        }
    }
    json_decref(a->node); /* a redefined anchor replaces the old one */
    a->node = json_incref(node);
    a->weight = weight;
    return 0;
}

/* Merge the mapping `src` into the frame's mapping: keys already there win. */
static int merge_into(struct yaml_loader *ld, struct yaml_frame *f, json_t *src,
                      const yaml_mark_t *mark)
{
    const char *k;
    json_t *v;
    if (json_is_array(src)) {
        size_t i;
        json_t *item;
        json_array_foreach(src, i, item) {
            int rc = merge_into(ld, f, item, mark);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    }
    if (!json_is_object(src)) {
        return loader_fail(ld, CUSTOMS_EMALFORMED, (int)mark->line + 1, (int)mark->column + 1,
                           "the value of a merge key '<<' must be a mapping or a list of them");
    }
    if (f->merged == NULL && (f->merged = json_object()) == NULL) {
        return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
    }
    json_object_foreach(src, k, v) {
        if (json_object_get(f->node, k) != NULL) {
            continue;
        }
        if (json_object_set(f->node, k, v) != 0 || json_object_set(f->merged, k, json_true())) {
            return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
        }
    }
    return 0;
}

/* Attach a finished node (reference stolen) to the current parent or the document. */
static int attach(struct yaml_loader *ld, json_t *node, const yaml_mark_t *mark)
{
    if (ld->depth == 0) {
        json_decref(ld->doc_root);
        ld->doc_root = node;
        return 0;
    }
    struct yaml_frame *f = &ld->stack[ld->depth - 1];
    if (!f->is_map) {
        if (json_array_append_new(f->node, node) != 0) {
            return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
        }
        f->index++;
        return 0;
    }
    char *key = f->key;
    bool merge = f->key_is_merge;
    f->key = NULL;
    f->key_is_merge = false;
    int rc = 0;
    if (merge) {
        rc = merge_into(ld, f, node, mark);
        json_decref(node);
    } else if (json_object_get(f->node, key) != NULL &&
               (f->merged == NULL || json_object_get(f->merged, key) == NULL)) {
        json_decref(node);
        /* the key is the file's content (a file in an image may hold a secret): never quoted */
        rc = customs_error_set(ld->err, CUSTOMS_EMALFORMED, "%s:%d:%d: duplicate key",
                               ld->name, f->key_line, f->key_column);
    } else {
        if (f->merged != NULL) {
            json_object_del(f->merged, key);
        }
        if (json_object_set_new(f->node, key, node) != 0) {
            rc = customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
        }
    }
    customs_free(key);
    return rc;
}

/* Before a value node in a collection: extend the path with its key or index. */
static int enter_child(struct yaml_loader *ld)
{
    if (ld->depth == 0) {
        return 0;
    }
    struct yaml_frame *f = &ld->stack[ld->depth - 1];
    ld->path.len = f->path_len;
    if (ld->path.ptr != NULL) {
        ld->path.ptr[ld->path.len] = '\0';
    }
    int rc = f->is_map ? customs_yaml_path_key(&ld->path, f->key)
                       : customs_yaml_path_index(&ld->path, f->index);
    if (rc == CUSTOMS_ENOMEM) {
        return customs_error_set(ld->err, rc, "out of memory");
    }
    if (rc != 0) {
        return customs_error_set(ld->err, rc, "%s: a field path is longer than %d bytes",
                                 ld->name, YAML_MAX_PATH);
    }
    return 0;
}

static void frame_release(struct yaml_frame *f)
{
    json_decref(f->node);
    json_decref(f->merged);
    customs_free(f->key);
    customs_free(f->anchor);
    memset(f, 0, sizeof(*f));
}

static int on_scalar(struct yaml_loader *ld, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    struct yaml_frame *f = ld->depth > 0 ? &ld->stack[ld->depth - 1] : NULL;
    if (f != NULL && f->is_map && f->key == NULL) {
        /* a mapping key: kept as its text, as Kubernetes' YAML-to-JSON step does */
        const char *v = (const char *)ev->data.scalar.value;
        if (strlen(v) != ev->data.scalar.length) {
            return loader_fail(ld, CUSTOMS_EMALFORMED, (int)m->line + 1, (int)m->column + 1,
                               "a mapping key contains a NUL character");
        }
        f->key = customs_strdup(v);
        if (f->key == NULL) {
            return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
        }
        f->key_line = (int)m->line + 1;
        f->key_column = (int)m->column + 1;
        f->key_is_merge = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                          strcmp(f->key, "<<") == 0;
        return 0;
    }
    int rc = count_nodes(ld, 1, m);
    if (rc == 0) {
        rc = enter_child(ld);
    }
    if (rc == 0) {
        rc = record_pos(ld, m);
    }
    if (rc != 0) {
        return rc;
    }
    json_t *node = scalar_to_json(ev);
    if (node == NULL) {
        return loader_fail(ld, CUSTOMS_EMALFORMED, (int)m->line + 1, (int)m->column + 1,
                           "scalar is not valid UTF-8 text");
    }
    if (ev->data.scalar.anchor != NULL) {
        rc = register_anchor(ld, (const char *)ev->data.scalar.anchor, node, 1);
        if (rc != 0) {
            json_decref(node);
            return rc;
        }
    }
    return attach(ld, node, m);
}

static int on_alias(struct yaml_loader *ld, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    struct yaml_frame *f = ld->depth > 0 ? &ld->stack[ld->depth - 1] : NULL;
    if (f != NULL && f->is_map && f->key == NULL) {
        return loader_fail(ld, CUSTOMS_EUNSUPPORTED, (int)m->line + 1, (int)m->column + 1,
                           "an alias as a mapping key is not supported");
    }
    struct yaml_anchor *a = customs_strmap_get(&ld->anchors, (const char *)ev->data.alias.anchor);
    if (a == NULL) {
        return customs_error_set(ld->err, CUSTOMS_EMALFORMED,
                                 "%s:%d:%d: the alias names no complete anchor", ld->name,
                                 (int)m->line + 1, (int)m->column + 1);
    }
    int rc = count_nodes(ld, a->weight, m);
    if (rc == 0) {
        rc = enter_child(ld);
    }
    if (rc == 0) {
        rc = record_pos(ld, m);
    }
    if (rc != 0) {
        return rc;
    }
    return attach(ld, json_incref(a->node), m);
}

static int on_start(struct yaml_loader *ld, const yaml_event_t *ev, bool is_map)
{
    const yaml_mark_t *m = &ev->start_mark;
    struct yaml_frame *f = ld->depth > 0 ? &ld->stack[ld->depth - 1] : NULL;
    if (f != NULL && f->is_map && f->key == NULL) {
        return loader_fail(ld, CUSTOMS_EUNSUPPORTED, (int)m->line + 1, (int)m->column + 1,
                           "a mapping or sequence as a mapping key is not supported");
    }
    if (ld->depth >= ld->lim.max_depth) {
        return customs_error_set(ld->err, CUSTOMS_ELIMIT,
                                 "%s:%d:%d: nesting deeper than %u levels", ld->name,
                                 (int)m->line + 1, (int)m->column + 1, ld->lim.max_depth);
    }
    int rc = count_nodes(ld, 1, m);
    if (rc == 0) {
        rc = enter_child(ld);
    }
    if (rc == 0) {
        rc = record_pos(ld, m);
    }
    if (rc != 0) {
        return rc;
    }
    if (ld->depth == ld->stack_cap) {
        size_t cap = ld->stack_cap ? ld->stack_cap * 2 : 16;
        struct yaml_frame *ns = customs_reallocarray(ld->stack, cap, sizeof(*ns));
        if (ns == NULL) {
            return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
        }
        ld->stack = ns;
        ld->stack_cap = cap;
    }
    struct yaml_frame *nf = &ld->stack[ld->depth];
    memset(nf, 0, sizeof(*nf));
    nf->is_map = is_map;
    nf->node = is_map ? json_object() : json_array();
    nf->path_len = ld->path.len;
    nf->nodes_at_start = ld->nodes;
    const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
                                       : ev->data.sequence_start.anchor;
    if (anchor != NULL) {
        nf->anchor = customs_strdup((const char *)anchor);
    }
    if (nf->node == NULL || (anchor != NULL && nf->anchor == NULL)) {
        frame_release(nf);
        return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
    }
    ld->depth++;
    return 0;
}

static int on_end(struct yaml_loader *ld, const yaml_event_t *ev)
{
    struct yaml_frame *f = &ld->stack[ld->depth - 1];
    json_t *node = f->node;
    char *anchor = f->anchor;
    uint64_t weight = ld->nodes - f->nodes_at_start + 1;
    f->node = NULL;
    f->anchor = NULL;
    frame_release(f);
    ld->depth--;
    int rc = 0;
    if (anchor != NULL) {
        rc = register_anchor(ld, anchor, node, weight);
        customs_free(anchor);
    }
    if (rc != 0) {
        json_decref(node);
        return rc;
    }
    return attach(ld, node, &ev->start_mark);
}

static void anchors_reset(struct yaml_loader *ld)
{
    size_t iter = 0;
    const char *k;
    void *v;
    while (customs_strmap_next(&ld->anchors, &iter, &k, &v)) {
        json_decref(((struct yaml_anchor *)v)->node);
    }
    customs_strmap_release(&ld->anchors);
    customs_strmap_init(&ld->anchors);
}

static int begin_document(struct yaml_loader *ld)
{
    struct yaml_doc *d = customs_vec_push(&ld->s->docs);
    if (d == NULL) {
        return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
    }
    customs_strmap_init(&d->pos);
    ld->doc = d;
    ld->doc_root = NULL;
    customs_buf_reset(&ld->path);
    anchors_reset(ld);
    return 0;
}

static void end_document(struct yaml_loader *ld)
{
    ld->doc->root = ld->doc_root != NULL ? ld->doc_root : json_null();
    ld->doc_root = NULL;
    ld->doc = NULL;
}

static int parser_error(struct yaml_loader *ld, const yaml_parser_t *p)
{
    int line = (int)p->problem_mark.line + 1;
    int col = (int)p->problem_mark.column + 1;
    const char *problem = p->problem != NULL ? p->problem : "not valid YAML";
    if (p->error == YAML_MEMORY_ERROR) {
        return customs_error_set(ld->err, CUSTOMS_ENOMEM, "%s: out of memory", ld->name);
    }
    if (p->context != NULL) {
        return customs_error_set(ld->err, CUSTOMS_EMALFORMED, "%s:%d:%d: %s %s", ld->name, line,
                                 col, problem, p->context);
    }
    return customs_error_set(ld->err, CUSTOMS_EMALFORMED, "%s:%d:%d: %s", ld->name, line, col,
                             problem);
}

void customs_yaml_stream_free(struct customs_yaml_stream *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->docs.len; i++) {
        struct yaml_doc *d = customs_vec_at(&s->docs, i);
        json_decref(d->root);
        customs_strmap_release(&d->pos);
    }
    customs_vec_release(&s->docs);
    customs_arena_release(&s->arena);
    customs_free(s);
}

int customs_yaml_load(struct customs_yaml_stream **out, const char *name, const void *data,
                      size_t len, const struct customs_yaml_limits *limits,
                      struct customs_error *err)
{
    struct yaml_loader ld;
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = 0;
    bool done = false;
    *out = NULL;
    memset(&ld, 0, sizeof(ld));
    ld.name = name;
    ld.err = err;
    if (limits != NULL) {
        ld.lim = *limits;
    } else {
        customs_yaml_limits_default(&ld.lim);
    }
    if (ld.lim.max_bytes != 0 && len > ld.lim.max_bytes) {
        return customs_error_set(err, CUSTOMS_ELIMIT,
                                 "%s: %zu bytes is over the %llu-byte limit for a YAML stream",
                                 name, len, (unsigned long long)ld.lim.max_bytes);
    }
    ld.s = customs_calloc(1, sizeof(*ld.s));
    if (ld.s == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "%s: out of memory", name);
    }
    customs_arena_init(&ld.s->arena);
    customs_vec_init(&ld.s->docs, sizeof(struct yaml_doc));
    customs_strmap_init(&ld.anchors);
    customs_buf_init(&ld.path, YAML_MAX_PATH);
    if (yaml_parser_initialize(&parser) == 0) {
        customs_yaml_stream_free(ld.s);
        return customs_error_set(err, CUSTOMS_ENOMEM, "%s: out of memory", name);
    }
    yaml_parser_set_input_string(&parser, data, len);
    while (!done && rc == 0) {
        if (yaml_parser_parse(&parser, &ev) == 0) {
            rc = parser_error(&ld, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            rc = begin_document(&ld);
            break;
        case YAML_DOCUMENT_END_EVENT:
            end_document(&ld);
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(&ld, &ev);
            break;
        case YAML_ALIAS_EVENT:
            rc = on_alias(&ld, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = on_start(&ld, &ev, false);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_start(&ld, &ev, true);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = on_end(&ld, &ev);
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    for (size_t i = ld.depth; i > 0; i--) {
        frame_release(&ld.stack[i - 1]);
    }
    customs_free(ld.stack);
    if (ld.doc != NULL) {
        end_document(&ld); /* an error mid-document: keep it freeable */
    }
    json_decref(ld.doc_root);
    anchors_reset(&ld);
    customs_strmap_release(&ld.anchors);
    customs_buf_release(&ld.path);
    if (rc != 0) {
        customs_yaml_stream_free(ld.s);
        return rc;
    }
    *out = ld.s;
    return 0;
}

size_t customs_yaml_stream_count(const struct customs_yaml_stream *s)
{
    return s->docs.len;
}

json_t *customs_yaml_stream_doc(const struct customs_yaml_stream *s, size_t i)
{
    if (i >= s->docs.len) {
        return NULL;
    }
    return ((struct yaml_doc *)customs_vec_at(&s->docs, i))->root;
}

bool customs_yaml_stream_position(const struct customs_yaml_stream *s, size_t i,
                                  const char *path, int *line, int *column)
{
    char tmp[1024];
    if (i >= s->docs.len) {
        return false;
    }
    const struct yaml_doc *d = customs_vec_at(&s->docs, i);
    size_t len = strlen(path);
    if (len >= sizeof(tmp)) {
        return false;
    }
    memcpy(tmp, path, len + 1);
    for (;;) {
        const struct yaml_pos *p = customs_strmap_get(&d->pos, tmp);
        if (p != NULL) {
            *line = p->line;
            *column = p->column;
            return true;
        }
        if (len == 0) {
            return false;
        }
        len = path_parent_len(tmp, len);
        tmp[len] = '\0';
    }
}
