/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Installed Python distributions: *.dist-info/METADATA and *.egg-info/PKG-INFO, both in the
 * e-mail header format of the core metadata spec. Name is normalised as PEP 503 says (lower
 * case, runs of "-", "_", "." become one "-"); the license is License-Expression, else
 * License, else the last "License ::" classifier.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "inventory/inventory.h"
#include "inventory/stanza.h"

#include "core/banned.h"

static bool header(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
    size_t k = strlen(key);
    if (n < k + 1 || strncasecmp(s, key, k) != 0 || s[k] != ':') {
        return false;
    }
    s += k + 1;
    n -= k + 1;
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    *v = s;
    *vn = n;
    return true;
}

static char *normalise(struct customs_arena *a, const char *s, size_t n)
{
    char *out = customs_arena_alloc(a, n + 1);
    size_t o = 0;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-' || c == '_' || c == '.') {
            if (o > 0 && out[o - 1] != '-') {
                out[o++] = '-';
            }
            continue;
        }
        out[o++] = (char)tolower((unsigned char)c);
    }
    while (o > 0 && out[o - 1] == '-') {
        o--;
    }
    out[o] = '\0';
    return out;
}

int customs_python_parse_metadata(struct customs_inventory *inv,
                                  const struct customs_pkgdb_file *file,
                                  struct customs_error *err)
{
    struct customs_lines lines;
    const char *s, *v;
    size_t n, vn;
    const char *name = NULL, *version = NULL, *lic = NULL, *expr = NULL, *classifier = NULL;
    size_t name_n = 0, version_n = 0, lic_n = 0, expr_n = 0, classifier_n = 0;
    customs_lines_init(&lines, file->data, file->len);
    while (customs_lines_next(&lines, &s, &n) && n > 0) {
        if (memchr(s, '\0', n) != NULL) {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: NUL byte", file->path,
                                     lines.line);
        }
        if (header(s, n, "Name", &v, &vn) && name == NULL) {
            name = v;
            name_n = vn;
        } else if (header(s, n, "Version", &v, &vn) && version == NULL) {
            version = v;
            version_n = vn;
        } else if (header(s, n, "License-Expression", &v, &vn)) {
            expr = v;
            expr_n = vn;
        } else if (header(s, n, "License", &v, &vn) && lic == NULL) {
            lic = v;
            lic_n = vn;
        } else if (header(s, n, "Classifier", &v, &vn) && vn > 11 &&
                   memcmp(v, "License :: ", 11) == 0) {
            const char *last = v;
            for (const char *p = v; p + 4 <= v + vn; p++) {
                if (memcmp(p, " :: ", 4) == 0) {
                    last = p + 4;
                }
            }
            classifier = last;
            classifier_n = vn - (size_t)(last - v);
        }
    }
    if (name == NULL || version == NULL || name_n == 0 || version_n == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: no Name or Version header",
                                 file->path);
    }
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    p->type = "pypi";
    p->name = normalise(inv->arena, name, name_n);
    p->version = customs_arena_strndup(inv->arena, version, version_n);
    if (expr != NULL && expr_n > 0) {
        p->license = customs_arena_strndup(inv->arena, expr, expr_n);
    } else if (lic != NULL && lic_n > 0 && lic_n < 200 && !(lic_n == 7 && !memcmp(lic, "UNKNOWN", 7))) {
        p->license = customs_arena_strndup(inv->arena, lic, lic_n);
    } else if (classifier != NULL) {
        p->license = customs_arena_strndup(inv->arena, classifier, classifier_n);
    }
    p->path = file->path;
    p->layer = file->layer;
    if (p->name == NULL || p->version == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}
