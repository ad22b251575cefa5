/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dpkg's database: /var/lib/dpkg/status (all packages, one stanza each) and distroless images'
 * /var/lib/dpkg/status.d/NAME files. A package counts when its Status says it is installed
 * ("install ok installed", or "hold ok installed"); status.d stanzas have no Status and are
 * installed by construction. "Source: name (version)" gives the source version when it
 * differs from the binary's.
 */
#include <string.h>

#include "inventory/inventory.h"
#include "inventory/stanza.h"

#include "core/banned.h"

struct field {
    const char *p;
    size_t n;
};

struct stanza {
    struct field package, version, arch, source, status;
    size_t line; /* where it starts */
};

static bool key_is(const char *s, size_t n, const char *key, struct field *value)
{
    size_t k = strlen(key);
    if (n <= k || memcmp(s, key, k) != 0 || s[k] != ':') {
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
    value->p = s;
    value->n = n;
    return true;
}

static bool installed(const struct field *status)
{
    static const char *const ok[] = {"install ok installed", "hold ok installed"};
    if (status->p == NULL) {
        return true; /* status.d */
    }
    for (size_t i = 0; i < 2; i++) {
        if (status->n == strlen(ok[i]) && memcmp(status->p, ok[i], status->n) == 0) {
            return true;
        }
    }
    return false;
}

static const char *dup(struct customs_inventory *inv, const struct field *f)
{
    return f->p != NULL ? customs_arena_strndup(inv->arena, f->p, f->n) : NULL;
}

static int emit(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                const struct stanza *st, struct customs_error *err)
{
    if (st->package.p == NULL && st->version.p == NULL) {
        return 0;
    }
    if (!installed(&st->status)) {
        return 0;
    }
    if (st->package.n == 0 || st->version.n == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: stanza without %s",
                                 file->path, st->line,
                                 st->package.n == 0 ? "Package" : "Version");
    }
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    p->type = "deb";
    p->name = dup(inv, &st->package);
    p->version = dup(inv, &st->version);
    p->arch = dup(inv, &st->arch);
    p->path = file->path;
    p->layer = file->layer;
    /* Source: NAME [(VERSION)] */
    struct field sname = st->source;
    struct field sver = st->version;
    if (sname.p != NULL) {
        const char *paren = memchr(sname.p, '(', sname.n);
        if (paren != NULL) {
            const char *close = memchr(paren, ')', sname.n - (size_t)(paren - sname.p));
            if (close != NULL && close > paren + 1) {
                sver.p = paren + 1;
                sver.n = (size_t)(close - paren - 1);
            }
            sname.n = (size_t)(paren - sname.p);
            while (sname.n > 0 && sname.p[sname.n - 1] == ' ') {
                sname.n--;
            }
        }
    }
    if (sname.p == NULL || sname.n == 0) {
        sname = st->package;
    }
    p->source_name = dup(inv, &sname);
    p->source_version = dup(inv, &sver);
    if (p->name == NULL || p->version == NULL || p->source_name == NULL ||
        p->source_version == NULL || (st->arch.p != NULL && p->arch == NULL)) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}

int customs_dpkg_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                       struct customs_error *err)
{
    struct customs_lines lines;
    struct stanza st;
    const char *s;
    size_t n;
    int r;
    if (memchr(file->data, '\0', file->len) != NULL) {
        const uint8_t *nul = memchr(file->data, '\0', file->len);
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: offset %zu: NUL byte in a text "
                                 "database", file->path, (size_t)(nul - file->data));
    }
    memset(&st, 0, sizeof(st));
    customs_lines_init(&lines, file->data, file->len);
    while (customs_lines_next(&lines, &s, &n)) {
        if (n == 0) {
            r = emit(inv, file, &st, err);
            if (r < 0) {
                return r;
            }
            memset(&st, 0, sizeof(st));
            continue;
        }
        if (st.line == 0) {
            st.line = lines.line;
        }
        if (s[0] == ' ' || s[0] == '\t') {
            continue; /* continuation of a multi-line field we do not keep */
        }
        if (!key_is(s, n, "Package", &st.package) && !key_is(s, n, "Version", &st.version) &&
            !key_is(s, n, "Architecture", &st.arch) && !key_is(s, n, "Source", &st.source) &&
            !key_is(s, n, "Status", &st.status) && memchr(s, ':', n) == NULL) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s:%zu: not a 'Field: value' line", file->path,
                                     lines.line);
        }
    }
    return emit(inv, file, &st, err);
}
