/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Installed Python distributions: *.dist-info/METADATA and *.egg-info/PKG-INFO, the core
 * metadata in email-header form. Only the header block is read (it ends at the first blank
 * line; the body is the long description). The name is normalised as PEP 503 says; the
 * license comes from License-Expression, else License (its first line), else the first
 * "Classifier: License :: ..." (its last segment).
 */
#include "inventory/inventory.h"

#include <string.h>
#include <strings.h>

#include "inventory/text.h"

#include "core/banned.h"

struct python_value {
    const char *ptr;
    size_t len;
    bool seen;
};

struct python_meta {
    struct python_value name;
    struct python_value version;
    struct python_value license;
    struct python_value license_expr;
    struct python_value classifier;
};

/* Lowercase, and every run of '-', '_' and '.' becomes one '-' (PEP 503). */
static char *python_normalise(struct customs_arena *arena, const char *s, size_t n)
{
    char *out = customs_arena_alloc(arena, n + 1);
    size_t o = 0;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '-' || ch == '_' || ch == '.') {
            if (o == 0 || out[o - 1] != '-') {
                out[o++] = '-';
            }
            continue;
        }
        out[o++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    out[o] = '\0';
    return out;
}

static bool python_key_is(const char *key, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(key, lit, n) == 0;
}

/* "License :: OSI Approved :: MIT License" -> "MIT License". */
static void python_classifier_license(const char *v, size_t n, struct python_value *out)
{
    static const char prefix[] = "License ::";
    if (out->seen || n < sizeof(prefix) - 1 || memcmp(v, prefix, sizeof(prefix) - 1) != 0) {
        return;
    }
    const char *last = v;
    for (size_t i = 0; i + 1 < n; i++) {
        if (v[i] == ':' && v[i + 1] == ':') {
            last = v + i + 2;
        }
    }
    size_t len = n - (size_t)(last - v);
    customs_text_trim(&last, &len);
    if (len > 0) {
        out->seen = true;
        out->ptr = last;
        out->len = len;
    }
}

static bool python_license_is_useful(const struct python_value *v)
{
    return v->seen && v->len > 0 && !customs_text_eq(v->ptr, v->len, "UNKNOWN");
}

int customs_python_parse_metadata(struct customs_inventory *inv,
                                  const struct customs_pkgdb_file *file, struct customs_error *err)
{
    struct python_meta m;
    struct customs_lines lines;
    const char *line;
    size_t n;
    size_t nul = customs_text_nul_line(file->data, file->len);
    if (nul != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: NUL byte", file->path, nul);
    }
    memset(&m, 0, sizeof(m));
    customs_lines_init(&lines, file->data, file->len);
    while (customs_lines_next(&lines, &line, &n)) {
        if (n == 0) {
            break; /* the body starts */
        }
        if (line[0] == ' ' || line[0] == '\t') {
            continue; /* continuation of a multi-line value */
        }
        const char *colon = memchr(line, ':', n);
        if (colon == NULL || colon == line) {
            break; /* not a header: like Python's email parser, the body starts here */
        }
        size_t klen = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vn = n - klen - 1;
        customs_text_trim(&v, &vn);
        struct python_value *field = NULL;
        if (python_key_is(line, klen, "Name")) {
            field = &m.name;
        } else if (python_key_is(line, klen, "Version")) {
            field = &m.version;
        } else if (python_key_is(line, klen, "License")) {
            field = &m.license;
        } else if (python_key_is(line, klen, "License-Expression")) {
            field = &m.license_expr;
        } else if (python_key_is(line, klen, "Classifier")) {
            python_classifier_license(v, vn, &m.classifier);
        }
        if (field != NULL && !field->seen) {
            field->seen = true;
            field->ptr = v;
            field->len = vn;
        }
    }
    if (!m.name.seen || m.name.len == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:1: no Name field", file->path);
    }
    if (!m.version.seen || m.version.len == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:1: no Version field", file->path);
    }
    const struct python_value *lic = NULL;
    if (python_license_is_useful(&m.license_expr)) {
        lic = &m.license_expr;
    } else if (python_license_is_useful(&m.license)) {
        lic = &m.license;
    } else if (m.classifier.seen) {
        lic = &m.classifier;
    }
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    p->type = "pypi";
    p->layer = file->layer;
    p->path = customs_arena_strdup(inv->arena, file->path);
    p->name = python_normalise(inv->arena, m.name.ptr, m.name.len);
    p->version = customs_arena_strndup(inv->arena, m.version.ptr, m.version.len);
    if (p->path == NULL || p->name == NULL || p->version == NULL) {
        return CUSTOMS_ENOMEM;
    }
    if (lic != NULL) {
        p->license = customs_arena_strndup(inv->arena, lic->ptr, lic->len);
        if (p->license == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    return 0;
}
