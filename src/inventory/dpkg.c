/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Debian's dpkg database: /var/lib/dpkg/status, and the per-package files of distroless images
 * under /var/lib/dpkg/status.d/. Both are deb822 stanzas ("Field: value", continuation lines
 * starting with a space or tab, stanzas separated by blank lines). A package counts when its
 * Status says it is installed ("install ok installed", also on hold or with pending triggers);
 * status.d stanzas of distroless images have no Status and always count.
 */
#include "inventory/inventory.h"

#include <string.h>
#include <strings.h>

#include "inventory/text.h"

#include "core/banned.h"

struct dpkg_field {
    const char *ptr;
    size_t len;
    size_t line;
    bool seen;
};

enum dpkg_field_id {
    DPKG_PACKAGE,
    DPKG_VERSION,
    DPKG_ARCH,
    DPKG_SOURCE,
    DPKG_STATUS,
    DPKG_NFIELDS,
};

static const char *const dpkg_field_names[DPKG_NFIELDS] = {
    "Package", "Version", "Architecture", "Source", "Status",
};

struct dpkg_stanza {
    struct dpkg_field f[DPKG_NFIELDS];
    size_t first_line; /* 0 while no field has been read */
    bool in_field;     /* a continuation line is allowed */
};

struct dpkg_ctx {
    struct customs_inventory *inv;
    const struct customs_pkgdb_file *file;
    const char *path; /* arena copy shared by the records */
    bool status_optional;
    struct customs_error *err;
};

/* Field names compare case-insensitively (deb822). */
static int dpkg_field_lookup(const char *name, size_t n)
{
    for (int i = 0; i < DPKG_NFIELDS; i++) {
        if (strlen(dpkg_field_names[i]) == n && strncasecmp(name, dpkg_field_names[i], n) == 0) {
            return i;
        }
    }
    return -1;
}

static char *dpkg_dup(struct dpkg_ctx *c, const char *s, size_t n)
{
    return customs_arena_strndup(c->inv->arena, s, n);
}

/*
 * True if a Status value ("want flag status") says the package's files are on disk and
 * configured: status "installed", or "triggers-awaited"/"triggers-pending" (configured, with
 * triggers still to run). The want word is not checked: a package on hold or selected for
 * removal is still installed until dpkg acts on it.
 */
static bool dpkg_status_is_installed(const char *s, size_t n)
{
    size_t word = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        if (i == n) {
            break;
        }
        size_t start = i;
        while (i < n && s[i] != ' ' && s[i] != '\t') {
            i++;
        }
        word++;
        if (word == 3) {
            const char *w = s + start;
            size_t wn = i - start;
            return customs_text_eq(w, wn, "installed") ||
                   customs_text_eq(w, wn, "triggers-awaited") ||
                   customs_text_eq(w, wn, "triggers-pending");
        }
    }
    return false;
}

/* "name" or "name (version)". */
static int dpkg_parse_source(struct dpkg_ctx *c, struct customs_package *p, const char *s, size_t n,
                             size_t line)
{
    const char *open = memchr(s, '(', n);
    if (open == NULL) {
        p->source_name = dpkg_dup(c, s, n);
        p->source_version = p->version;
        return p->source_name != NULL ? 0 : CUSTOMS_ENOMEM;
    }
    const char *name = s;
    size_t name_len = (size_t)(open - s);
    const char *ver = open + 1;
    size_t rest = n - name_len - 1;
    const char *close = memchr(ver, ')', rest);
    customs_text_trim(&name, &name_len);
    if (close == NULL || name_len == 0 || close != s + n - 1) {
        return customs_error_set(c->err, CUSTOMS_EMALFORMED, "%s:%zu: malformed Source field",
                                 c->file->path, line);
    }
    size_t ver_len = (size_t)(close - ver);
    customs_text_trim(&ver, &ver_len);
    if (ver_len == 0) {
        return customs_error_set(c->err, CUSTOMS_EMALFORMED,
                                 "%s:%zu: empty version in Source field", c->file->path, line);
    }
    p->source_name = dpkg_dup(c, name, name_len);
    p->source_version = dpkg_dup(c, ver, ver_len);
    return p->source_name != NULL && p->source_version != NULL ? 0 : CUSTOMS_ENOMEM;
}

/* Turn a finished stanza into a record when it describes an installed package. */
static int dpkg_emit(struct dpkg_ctx *c, const struct dpkg_stanza *st)
{
    const struct dpkg_field *f = st->f;
    if (st->first_line == 0) {
        return 0;
    }
    if (!f[DPKG_PACKAGE].seen || f[DPKG_PACKAGE].len == 0) {
        return customs_error_set(c->err, CUSTOMS_EMALFORMED, "%s:%zu: stanza without Package",
                                 c->file->path, st->first_line);
    }
    if (f[DPKG_STATUS].seen) {
        if (!dpkg_status_is_installed(f[DPKG_STATUS].ptr, f[DPKG_STATUS].len)) {
            return 0;
        }
    } else if (!c->status_optional) {
        return 0;
    }
    if (!f[DPKG_VERSION].seen || f[DPKG_VERSION].len == 0) {
        return customs_error_set(c->err, CUSTOMS_EMALFORMED,
                                 "%s:%zu: installed package %.*s has no Version", c->file->path,
                                 st->first_line, (int)f[DPKG_PACKAGE].len, f[DPKG_PACKAGE].ptr);
    }
    struct customs_package *p = customs_inventory_add(c->inv);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    p->type = "deb";
    p->path = c->path;
    p->layer = c->file->layer;
    p->name = dpkg_dup(c, f[DPKG_PACKAGE].ptr, f[DPKG_PACKAGE].len);
    p->version = dpkg_dup(c, f[DPKG_VERSION].ptr, f[DPKG_VERSION].len);
    if (p->name == NULL || p->version == NULL) {
        return CUSTOMS_ENOMEM;
    }
    if (f[DPKG_ARCH].seen && f[DPKG_ARCH].len > 0) {
        p->arch = dpkg_dup(c, f[DPKG_ARCH].ptr, f[DPKG_ARCH].len);
        if (p->arch == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    if (f[DPKG_SOURCE].seen && f[DPKG_SOURCE].len > 0) {
        return dpkg_parse_source(c, p, f[DPKG_SOURCE].ptr, f[DPKG_SOURCE].len, f[DPKG_SOURCE].line);
    }
    p->source_name = p->name;
    p->source_version = p->version;
    return 0;
}

static int dpkg_field_line(struct dpkg_ctx *c, struct dpkg_stanza *st, const char *line, size_t n,
                           size_t lineno)
{
    const char *colon = memchr(line, ':', n);
    if (colon == NULL || colon == line) {
        return customs_error_set(c->err, CUSTOMS_EMALFORMED, "%s:%zu: expected \"Field: value\"",
                                 c->file->path, lineno);
    }
    size_t name_len = (size_t)(colon - line);
    const char *value = colon + 1;
    size_t value_len = n - name_len - 1;
    customs_text_trim(&value, &value_len);
    if (st->first_line == 0) {
        st->first_line = lineno;
    }
    st->in_field = true;
    int id = dpkg_field_lookup(line, name_len);
    if (id < 0) {
        return 0;
    }
    if (st->f[id].seen) {
        return customs_error_set(c->err, CUSTOMS_EMALFORMED, "%s:%zu: duplicate field %s",
                                 c->file->path, lineno, dpkg_field_names[id]);
    }
    st->f[id].seen = true;
    st->f[id].ptr = value;
    st->f[id].len = value_len;
    st->f[id].line = lineno;
    return 0;
}

static bool dpkg_is_blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (line[i] != ' ' && line[i] != '\t') {
            return false;
        }
    }
    return true;
}

int customs_dpkg_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                       struct customs_error *err)
{
    struct dpkg_ctx c = {.inv = inv, .file = file, .err = err};
    struct dpkg_stanza st;
    struct customs_lines lines;
    const char *line;
    size_t n;
    int rc = 0;
    size_t nul = customs_text_nul_line(file->data, file->len);
    if (nul != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: NUL byte", file->path, nul);
    }
    c.status_optional = strstr(file->path, "/status.d/") != NULL;
    c.path = customs_arena_strdup(inv->arena, file->path);
    if (c.path == NULL) {
        return CUSTOMS_ENOMEM;
    }
    memset(&st, 0, sizeof(st));
    customs_lines_init(&lines, file->data, file->len);
    while (rc == 0 && customs_lines_next(&lines, &line, &n)) {
        if (dpkg_is_blank(line, n)) {
            rc = dpkg_emit(&c, &st);
            memset(&st, 0, sizeof(st));
        } else if (line[0] == ' ' || line[0] == '\t') {
            if (!st.in_field) {
                rc = customs_error_set(err, CUSTOMS_EMALFORMED,
                                       "%s:%zu: continuation line outside a field", file->path,
                                       lines.lineno);
            }
        } else if (line[0] == '#' && st.first_line == 0) {
            continue; /* deb822 comment between stanzas */
        } else {
            rc = dpkg_field_line(&c, &st, line, n, lines.lineno);
        }
    }
    if (rc == 0) {
        rc = dpkg_emit(&c, &st);
    }
    return rc;
}
