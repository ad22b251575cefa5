/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration file (customs.yaml): YAML keys named like long options, into one value per
 * option of a command (see options.h). It reads no environment and no file: the bytes come in,
 * so the fuzz target can drive it. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "formats/yaml.h"

#define CONFIG_MAX_BYTES (1u << 20)
#define CONFIG_MAX_VALUES 64
#define CONFIG_MAX_VALUE 4096

struct config_reader {
    const char *name;
    const struct customs_yaml_stream *s;
    const struct cli_options *cmd;
    const struct cli_options *const *all;
    size_t nall;
    struct cli_optval *out;
    char *msg;
    size_t msgsz;
};

/* "NAME:LINE:COL: " + message, the position of the node at `path`. */
static int config_fail(struct config_reader *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int config_fail(struct config_reader *r, const char *path, const char *fmt, ...)
{
    int line = 1;
    int column = 1;
    char what[512];
    va_list ap;
    (void)customs_yaml_stream_position(r->s, 0, path, &line, &column);
    va_start(ap, fmt);
    customs_vfmt_clip(what, sizeof(what), fmt, ap);
    va_end(ap);
    customs_fmt_clip(r->msg, r->msgsz, "%s:%d:%d: %s", r->name, line, column, what);
    return -1;
}

void cli_optvals_release(struct cli_optval *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < v[i].n; j++) {
            free(v[i].values[j]);
            free(v[i].where != NULL ? v[i].where[j] : NULL);
            free(v[i].items != NULL ? v[i].items[j] : NULL);
        }
        free(v[i].values);
        free(v[i].where);
        free(v[i].items);
        v[i] = (struct cli_optval){0};
    }
}

/* The word `i` (0-based) of a command path such as "db update" into buf; false if none. */
static bool command_word(char *buf, size_t bufsz, const char *command, size_t i)
{
    const char *p = command;
    for (; i > 0; i--) {
        p = strchr(p, ' ');
        if (p == NULL) {
            return false;
        }
        p++;
    }
    size_t n = strcspn(p, " ");
    if (n == 0 || n >= bufsz) {
        return false;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

/* Whether the command `o` lies under the section path `sect` (words, `depth` of them). */
static bool command_under(const struct cli_options *o, const char *const *sect, size_t depth)
{
    char w[64];
    for (size_t i = 0; i < depth; i++) {
        if (!command_word(w, sizeof(w), o->command, i) || strcmp(w, sect[i]) != 0) {
            return false;
        }
    }
    return true;
}

static int option_index(const struct cli_options *o, const char *key)
{
    if (strcmp(key, "help") == 0 || strcmp(key, "config") == 0) {
        return -1;
    }
    for (int i = 0; o->longopts[i].name != NULL; i++) {
        if (strcmp(o->longopts[i].name, key) == 0) {
            return i;
        }
    }
    return -1;
}

static bool option_repeatable(const struct cli_options *o, const char *key)
{
    for (size_t i = 0; o->repeatable != NULL && o->repeatable[i] != NULL; i++) {
        if (strcmp(o->repeatable[i], key) == 0) {
            return true;
        }
    }
    return false;
}

/* A scalar as option text into buf: a string or an integer. */
static bool scalar_text(char *buf, size_t bufsz, const json_t *v)
{
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        if (n >= bufsz || memchr(json_string_value(v), '\0', n) != NULL) {
            return false;
        }
        memcpy(buf, json_string_value(v), n + 1);
        return true;
    }
    if (json_is_integer(v)) {
        snprintf(buf, bufsz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return true;
    }
    return false;
}

/* "NAME:LINE:COL: key" for the node at `path` of the file into buf. */
static void value_place(char *buf, size_t bufsz, const struct config_reader *r, const char *path,
                        const char *key)
{
    int line = 1;
    int column = 1;
    (void)customs_yaml_stream_position(r->s, 0, path, &line, &column);
    customs_fmt_clip(buf, bufsz, "%s:%d:%d: %s", r->name, line, column, key);
}

/* Append `text`, set at `path` of the file for option `key`; `items`, when not NULL, the
 * places of its comma items (a list joined), '\n'-separated. */
static int value_push(struct config_reader *r, struct cli_optval *ov, const char *text,
                      const char *path, const char *key, const char *items)
{
    char where[512];
    char **grown = realloc(ov->values, (ov->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    ov->values = grown;
    grown = realloc(ov->where, (ov->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    ov->where = grown;
    grown = realloc(ov->items, (ov->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        return -1;
    }
    ov->items = grown;
    value_place(where, sizeof(where), r, path, key);
    ov->values[ov->n] = strdup(text);
    ov->where[ov->n] = strdup(where);
    ov->items[ov->n] = items != NULL ? strdup(items) : NULL;
    if (ov->values[ov->n] == NULL || ov->where[ov->n] == NULL ||
        (items != NULL && ov->items[ov->n] == NULL)) {
        free(ov->values[ov->n]);
        free(ov->where[ov->n]);
        free(ov->items[ov->n]);
        return -1;
    }
    ov->n++;
    return 0;
}

/* The value `v` of option `idx` of the command, at `path`: replaces what a less specific place
 * of the file said. */
static int config_value(struct config_reader *r, const char *path, const char *key, int idx,
                        const json_t *v)
{
    struct cli_optval *ov = &r->out[idx];
    char text[CONFIG_MAX_VALUE];
    cli_optvals_release(ov, 1);
    ov->set = true;
    if (r->cmd->longopts[idx].has_arg == no_argument) {
        if (!json_is_boolean(v)) {
            return config_fail(r, path, "%s: expects true or false", key);
        }
        ov->off = json_is_false(v);
        return 0;
    }
    if (json_is_array(v)) {
        bool repeatable = option_repeatable(r->cmd, key);
        size_t i;
        const json_t *item;
        struct customs_buf joined;
        if (json_array_size(v) > CONFIG_MAX_VALUES) {
            return config_fail(r, path, "%s: more than %d values", key, CONFIG_MAX_VALUES);
        }
        struct customs_buf item_path;
        struct customs_buf places; /* a joined list: each item's place */
        customs_buf_init(&joined, CONFIG_MAX_VALUE);
        customs_buf_init(&item_path, CONFIG_MAX_VALUE);
        customs_buf_init(&places, CONFIG_MAX_VALUES * 520); /* 512 a place */
        int rc = 0;
        json_array_foreach(v, i, item) {
            if (!scalar_text(text, sizeof(text), item)) {
                customs_buf_release(&joined);
                customs_buf_release(&item_path);
                customs_buf_release(&places);
                return config_fail(r, path, "%s: item %zu is not a string or a number", key,
                                   i + 1);
            }
            /* each item named by its own position */
            customs_buf_reset(&item_path);
            rc = customs_buf_puts(&item_path, path);
            rc = rc == 0 ? customs_yaml_path_index(&item_path, i) : rc;
            if (repeatable) {
                rc = rc == 0 ? value_push(r, ov, text, customs_buf_cstr(&item_path), key, NULL)
                             : rc;
            } else if (rc == 0) {
                char place[512];
                value_place(place, sizeof(place), r, customs_buf_cstr(&item_path), key);
                customs_buf_addf(&joined, &rc, "%s%s", i > 0 ? "," : "", text);
                customs_buf_addf(&places, &rc, "%s%s", i > 0 ? "\n" : "", place);
            }
            if (rc != 0) {
                customs_buf_release(&joined);
                customs_buf_release(&item_path);
                customs_buf_release(&places);
                return config_fail(r, path, "%s: the list is too long", key);
            }
        }
        if (!repeatable) {
            rc = value_push(r, ov, customs_buf_cstr(&joined), path, key,
                            customs_buf_cstr(&places));
        }
        customs_buf_release(&joined);
        customs_buf_release(&item_path);
        customs_buf_release(&places);
        return rc == 0 ? 0 : config_fail(r, path, "%s: out of memory", key);
    }
    if (!scalar_text(text, sizeof(text), v)) {
        return config_fail(r, path, "%s: expects a string, a number or a list of them%s", key,
                           json_is_boolean(v) ? " (quote yes/no/on/off/true/false)" : "");
    }
    return value_push(r, ov, text, path, key, NULL) == 0 ? 0
                                                   : config_fail(r, path, "%s: out of memory", key);
}

/* The section names possible under `sect` ("scan, sbom, ...") into buf. */
static void section_names(char *buf, size_t bufsz, const struct config_reader *r,
                          const char *const *sect, size_t depth)
{
    char w[64];
    size_t len = 0;
    for (size_t i = 0; i < r->nall; i++) {
        if (!command_under(r->all[i], sect, depth) ||
            !command_word(w, sizeof(w), r->all[i]->command, depth)) {
            continue;
        }
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            char w2[64];
            seen = command_under(r->all[j], sect, depth) &&
                   command_word(w2, sizeof(w2), r->all[j]->command, depth) &&
                   strcmp(w, w2) == 0;
        }
        if (!seen && len < bufsz) {
            len += (size_t)snprintf(buf + len, bufsz - len, "%s%s", len > 0 ? ", " : "", w);
        }
    }
    if (len == 0) {
        snprintf(buf, bufsz, "none here");
    }
}

static void path_truncate(struct customs_buf *b, size_t n)
{
    b->len = n;
    if (b->ptr != NULL) {
        b->ptr[n] = '\0';
    }
}

/* A mapping at section path `sect` (`depth` words; the top level has none). */
static int config_section(struct config_reader *r, const json_t *map, const char *const *sect,
                          size_t depth, struct customs_buf *path)
{
    const char *key;
    json_t *v;
    size_t base = path->len;
    bool mine = command_under(r->cmd, sect, depth);
    /* flags first, then sub-sections: a sub-section's keys win whatever the order */
    for (int pass = 0; pass < 2; pass++) {
        json_object_foreach((json_t *)(uintptr_t)map, key, v) {
            path_truncate(path, base);
            if (customs_yaml_path_key(path, key) != 0) {
                return config_fail(r, "", "out of memory");
            }
            const char *here = customs_buf_cstr(path);
            if (json_is_object(v)) {
                if (pass == 0) {
                    continue;
                }
                const char *sub[4];
                bool known = false;
                if (depth + 1 >= sizeof(sub) / sizeof(sub[0])) {
                    return config_fail(r, here, "'%s': sections nest two deep at most", key);
                }
                if (depth > 0) {
                    memcpy(sub, sect, depth * sizeof(*sub)); /* sect is NULL at the top */
                }
                sub[depth] = key;
                for (size_t i = 0; i < r->nall && !known; i++) {
                    known = command_under(r->all[i], sub, depth + 1);
                }
                if (!known) {
                    char names[256] = "";
                    section_names(names, sizeof(names), r, sect, depth);
                    return config_fail(r, here, "'%s' is not a section (%s)", key, names);
                }
                if (config_section(r, v, sub, depth + 1, path) != 0) {
                    return -1;
                }
                continue;
            }
            if (pass == 1) {
                continue;
            }
            bool known = false;
            for (size_t i = 0; i < r->nall && !known; i++) {
                known = command_under(r->all[i], sect, depth) && option_index(r->all[i], key) >= 0;
            }
            if (!known) {
                return config_fail(r, here, "unknown key '%s' (not an option of %s)", key,
                                   depth == 0 ? "any command" : "this section's commands");
            }
            int idx = option_index(r->cmd, key);
            if (mine && idx >= 0 && config_value(r, here, key, idx, v) != 0) {
                return -1;
            }
        }
    }
    path_truncate(path, base);
    return 0;
}

int cli_config_parse(struct cli_optval *out, const char *name, const void *data, size_t len,
                     const struct cli_options *cmd, const struct cli_options *const *all,
                     size_t nall, char *msg, size_t msgsz)
{
    struct customs_yaml_stream *s = NULL;
    struct customs_yaml_limits lim;
    struct customs_error err = {0};
    struct customs_buf path;
    size_t nopts = 0;
    int rc = -1;
    while (cmd->longopts[nopts].name != NULL) {
        nopts++;
    }
    customs_yaml_limits_default(&lim);
    lim.max_bytes = CONFIG_MAX_BYTES;
    lim.max_nodes = 100000;
    lim.max_depth = 16;
    lim.max_index_bytes = 4u << 20;
    customs_buf_init(&path, CONFIG_MAX_VALUE);
    if (customs_yaml_load(&s, name, data, len, &lim, &err) != 0) {
        customs_fmt_clip(msg, msgsz, "%s", err.message);
        goto out;
    }
    struct config_reader r = {name, s, cmd, all, nall, out, msg, msgsz};
    if (customs_yaml_stream_count(s) > 1) {
        config_fail(&r, "", "one YAML document expected, not %zu", customs_yaml_stream_count(s));
        goto out;
    }
    json_t *root = customs_yaml_stream_count(s) == 1 ? customs_yaml_stream_doc(s, 0) : NULL;
    if (root == NULL || json_is_null(root)) {
        rc = 0; /* an empty file sets nothing */
        goto out;
    }
    if (!json_is_object(root)) {
        config_fail(&r, "", "expected a mapping of option names to values");
        goto out;
    }
    rc = config_section(&r, root, NULL, 0, &path);
out:
    if (rc != 0) {
        cli_optvals_release(out, nopts);
    }
    customs_buf_release(&path);
    customs_yaml_stream_free(s);
    return rc;
}
