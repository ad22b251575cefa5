/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret rule files: YAML read with libyaml into a small node tree, then into rules. Every
 * problem names the file and line. Rules live in the engine's arena.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "secrets/rules.h"

#include "core/banned.h"

#define MAX_DEPTH 16
#define MAX_NODES 200000

enum node_kind { NODE_SCALAR, NODE_SEQ, NODE_MAP };

struct node {
    enum node_kind kind;
    const char *value;    /* scalar */
    struct node **items;  /* seq: items; map: key, value, key, value... */
    size_t n;
    size_t line;
};

struct loader {
    yaml_parser_t parser;
    struct customs_arena *arena;
    const char *name;
    size_t nodes;
    struct customs_error *err;
};

static int parse_node(struct loader *l, yaml_event_t *ev, struct node **out, int depth);

static int load_error(struct loader *l, size_t line, const char *what)
{
    return customs_error_set(l->err, CUSTOMS_EMALFORMED, "%s:%zu: %s", l->name, line, what);
}

static int next_event(struct loader *l, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&l->parser, ev)) {
        return customs_error_set(l->err, CUSTOMS_EMALFORMED, "%s:%zu:%zu: %s", l->name,
                                 l->parser.problem_mark.line + 1,
                                 l->parser.problem_mark.column + 1,
                                 l->parser.problem != NULL ? l->parser.problem : "bad YAML");
    }
    return 0;
}

static int parse_children(struct loader *l, struct node *n, yaml_event_type_t end, int depth)
{
    struct customs_vec kids;
    customs_vec_init(&kids, sizeof(struct node *));
    for (;;) {
        yaml_event_t ev;
        int r = next_event(l, &ev);
        if (r < 0) {
            customs_vec_release(&kids);
            return r;
        }
        if (ev.type == end) {
            yaml_event_delete(&ev);
            break;
        }
        struct node *child = NULL;
        r = parse_node(l, &ev, &child, depth + 1);
        yaml_event_delete(&ev);
        struct node **slot = r == 0 ? customs_vec_push(&kids) : NULL;
        if (slot == NULL) {
            customs_vec_release(&kids);
            return r < 0 ? r : customs_error_set(l->err, CUSTOMS_ENOMEM, "out of memory");
        }
        *slot = child;
    }
    n->n = kids.len;
    n->items = customs_arena_alloc(l->arena, (kids.len + 1) * sizeof(struct node *));
    if (n->items == NULL) {
        customs_vec_release(&kids);
        return customs_error_set(l->err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (kids.len > 0) {
        memcpy(n->items, kids.items, kids.len * sizeof(struct node *));
    }
    customs_vec_release(&kids);
    if (n->kind == NODE_MAP && n->n % 2 != 0) {
        return load_error(l, n->line, "mapping with a key and no value");
    }
    return 0;
}

static int parse_node(struct loader *l, yaml_event_t *ev, struct node **out, int depth)
{
    if (depth > MAX_DEPTH || ++l->nodes > MAX_NODES) {
        return load_error(l, ev->start_mark.line + 1, "nested too deep or too many nodes");
    }
    struct node *n = customs_arena_alloc(l->arena, sizeof(*n));
    if (n == NULL) {
        return customs_error_set(l->err, CUSTOMS_ENOMEM, "out of memory");
    }
    memset(n, 0, sizeof(*n));
    n->line = ev->start_mark.line + 1;
    *out = n;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n->kind = NODE_SCALAR;
        n->value = customs_arena_strndup(l->arena, (const char *)ev->data.scalar.value,
                                         ev->data.scalar.length);
        return n->value != NULL ? 0 : customs_error_set(l->err, CUSTOMS_ENOMEM, "out of memory");
    case YAML_SEQUENCE_START_EVENT:
        n->kind = NODE_SEQ;
        return parse_children(l, n, YAML_SEQUENCE_END_EVENT, depth);
    case YAML_MAPPING_START_EVENT:
        n->kind = NODE_MAP;
        return parse_children(l, n, YAML_MAPPING_END_EVENT, depth);
    case YAML_ALIAS_EVENT:
        return load_error(l, n->line, "aliases are not allowed in rule files");
    default:
        return load_error(l, n->line, "unexpected YAML event");
    }
}

static const struct node *map_get(const struct node *m, const char *key)
{
    for (size_t i = 0; m != NULL && m->kind == NODE_MAP && i + 1 < m->n; i += 2) {
        const struct node *k = m->items[i];
        if (k->kind == NODE_SCALAR && strcmp(k->value, key) == 0) {
            return m->items[i + 1];
        }
    }
    return NULL;
}

static const char *scalar(const struct node *m, const char *key)
{
    const struct node *v = map_get(m, key);
    return v != NULL && v->kind == NODE_SCALAR ? v->value : NULL;
}

static bool truthy(const char *s)
{
    return s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0);
}

static int strings(struct loader *l, const struct node *seq, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (seq == NULL) {
        return 0;
    }
    if (seq->kind != NODE_SEQ) {
        return load_error(l, seq->line, "expected a list of strings");
    }
    *out = customs_arena_alloc(l->arena, (seq->n + 1) * sizeof(char *));
    if (*out == NULL) {
        return customs_error_set(l->err, CUSTOMS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < seq->n; i++) {
        if (seq->items[i]->kind != NODE_SCALAR) {
            return load_error(l, seq->items[i]->line, "expected a string");
        }
        (*out)[i] = seq->items[i]->value;
    }
    *n = seq->n;
    return 0;
}

static int take_rule(struct loader *l, const struct node *m, struct customs_vec *rules)
{
    if (m->kind != NODE_MAP) {
        return load_error(l, m->line, "a rule must be a mapping");
    }
    struct customs_secret_rule *r = customs_vec_push(rules);
    if (r == NULL) {
        return customs_error_set(l->err, CUSTOMS_ENOMEM, "out of memory");
    }
    memset(r, 0, sizeof(*r));
    r->id = scalar(m, "id");
    r->title = scalar(m, "title");
    r->pattern = scalar(m, "pattern");
    r->origin = l->name;
    if (r->id == NULL || r->title == NULL || r->pattern == NULL) {
        return load_error(l, m->line, "a rule needs id, title and pattern");
    }
    const char *sev = scalar(m, "severity");
    if (sev == NULL || customs_severity_parse(sev, strlen(sev), &r->severity) < 0) {
        return load_error(l, m->line, "severity must be LOW, MEDIUM, HIGH or CRITICAL");
    }
    const char *g = scalar(m, "group");
    if (g != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(g, &end, 10);
        if (end == g || *end != '\0' || v > 9) {
            return load_error(l, m->line, "group must be 0..9");
        }
        r->group = (unsigned)v;
    }
    const char *e = scalar(m, "entropy");
    if (e != NULL) {
        char *end = NULL;
        r->entropy = strtod(e, &end);
        if (end == e || *end != '\0' || r->entropy < 0 || r->entropy > 8) {
            return load_error(l, m->line, "entropy must be a number of bits per character, 0..8");
        }
    }
    const char *c = scalar(m, "checksum");
    if (c != NULL) {
        if (strcmp(c, "github-crc32") != 0) {
            return load_error(l, m->line, "unknown checksum (known: github-crc32)");
        }
        r->checksum = CUSTOMS_CHECKSUM_GITHUB_CRC32;
    }
    r->caseless = truthy(scalar(m, "caseless"));
    r->multiline = truthy(scalar(m, "multiline"));
    r->binary = truthy(scalar(m, "binary"));
    r->quoted_in_code = truthy(scalar(m, "quoted_in_code"));
    r->weak = truthy(scalar(m, "weak"));
    r->catch_all = truthy(scalar(m, "catch_all")) || customs_str_has_prefix(r->id, "generic-");
    const char *mixed = scalar(m, "mixed");
    r->mixed_punct = mixed != NULL && strcmp(mixed, "punct") == 0;
    r->mixed = truthy(mixed) || r->mixed_punct;
    if (mixed != NULL && !r->mixed && strcmp(mixed, "false") != 0 && strcmp(mixed, "no") != 0) {
        return load_error(l, m->line, "mixed must be true, false or punct");
    }
    const struct node *ex = map_get(m, "examples");
    int rc = strings(l, map_get(ex, "positive"), &r->positive, &r->npositive);
    if (rc == 0) {
        rc = strings(l, map_get(ex, "negative"), &r->negative, &r->nnegative);
    }
    return rc;
}

static int take_allowlist(struct loader *l, const struct node *m,
                          struct customs_secret_allowlist *allow)
{
    static const char *const keys[] = {"paths", "rules", "values"};
    if (m->kind != NODE_MAP) {
        return load_error(l, m->line, "'allowlist:' must be a mapping of paths, rules, values");
    }
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const struct node *k = m->items[i];
        bool known = false;
        for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
            known = known || (k->kind == NODE_SCALAR && strcmp(k->value, keys[j]) == 0);
        }
        if (!known) {
            return load_error(l, k->line, "unknown allowlist key (known: paths, rules, values)");
        }
    }
    int r = strings(l, map_get(m, "paths"), &allow->paths, &allow->npaths);
    if (r == 0) {
        r = strings(l, map_get(m, "rules"), &allow->rules, &allow->nrules);
    }
    if (r == 0) {
        r = strings(l, map_get(m, "values"), &allow->values, &allow->nvalues);
    }
    return r;
}

int customs_secret_rules_load(struct customs_vec *rules, struct customs_secret_allowlist *allow,
                              struct customs_arena *arena, const char *name, const void *data,
                              size_t len, struct customs_error *err)
{
    struct loader l = {.arena = arena, .name = name, .err = err};
    struct node *root = NULL;
    memset(allow, 0, sizeof(*allow));
    yaml_event_t ev;
    int r = 0;
    if (!yaml_parser_initialize(&l.parser)) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&l.parser, data, len);
    /* stream start, document start, the root node */
    for (int i = 0; i < 2 && r == 0; i++) {
        r = next_event(&l, &ev);
        if (r == 0) {
            bool ok = ev.type == (i == 0 ? YAML_STREAM_START_EVENT : YAML_DOCUMENT_START_EVENT);
            yaml_event_delete(&ev);
            if (!ok) {
                r = load_error(&l, 1, "empty rule file");
            }
        }
    }
    if (r == 0 && (r = next_event(&l, &ev)) == 0) {
        r = parse_node(&l, &ev, &root, 0);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&l.parser);
    if (r < 0) {
        return r;
    }
    const struct node *list = map_get(root, "rules");
    const struct node *al = map_get(root, "allowlist");
    if (root->kind != NODE_MAP || ((list == NULL || list->kind != NODE_SEQ) && al == NULL)) {
        return load_error(&l, root->line, "expected a top-level 'rules:' list or 'allowlist:'");
    }
    if (list != NULL && list->kind != NODE_SEQ) {
        return load_error(&l, list->line, "'rules:' must be a list");
    }
    for (size_t i = 0; list != NULL && i < list->n && r == 0; i++) {
        r = take_rule(&l, list->items[i], rules);
    }
    if (r == 0 && al != NULL) {
        r = take_allowlist(&l, al, allow);
    }
    return r;
}
