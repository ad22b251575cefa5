/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which operating system an image is: os-release (KEY=VALUE with shell-like quoting), then the
 * older single-line files alpine-release, debian_version and redhat-release. Each file fills
 * only the fields a more authoritative file (read earlier) left unset.
 */
#include "inventory/inventory.h"

#include <string.h>

#include "inventory/text.h"

#include "core/banned.h"

const char *const customs_os_files[] = {
    "/etc/os-release",     "/usr/lib/os-release", "/etc/alpine-release",
    "/etc/debian_version", "/etc/redhat-release", NULL,
};

static void os_merge(struct customs_os *os, const struct customs_os *found)
{
    if (os->id == NULL) {
        os->id = found->id;
    }
    if (os->version == NULL) {
        os->version = found->version;
    }
    if (os->codename == NULL) {
        os->codename = found->codename;
    }
    if (os->pretty == NULL) {
        os->pretty = found->pretty;
    }
}

/*
 * Unquote an os-release value: "..." (backslash escapes \" \\ \$ \`), '...' (literal), and
 * unquoted text (backslash quotes the next character), concatenated as a shell would. An
 * unterminated quote runs to the end of the line. NULL on OOM.
 */
static char *os_release_unquote(struct customs_arena *arena, const char *s, size_t n)
{
    char *out = customs_arena_alloc(arena, n + 1);
    size_t o = 0;
    size_t i = 0;
    if (out == NULL) {
        return NULL;
    }
    while (i < n) {
        char ch = s[i++];
        if (ch == '"') {
            while (i < n && s[i] != '"') {
                if (s[i] == '\\' && i + 1 < n && strchr("\"\\$`", s[i + 1]) != NULL) {
                    i++;
                }
                out[o++] = s[i++];
            }
            i += i < n; /* the closing quote */
        } else if (ch == '\'') {
            while (i < n && s[i] != '\'') {
                out[o++] = s[i++];
            }
            i += i < n;
        } else if (ch == '\\' && i < n) {
            out[o++] = s[i++];
        } else {
            out[o++] = ch;
        }
    }
    out[o] = '\0';
    return out;
}

static bool os_key_is_valid(const char *k, size_t n)
{
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = k[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) {
            return false;
        }
    }
    return true;
}

static int os_release_parse(struct customs_os *found, struct customs_arena *arena,
                            const struct customs_pkgdb_file *file)
{
    struct customs_lines lines;
    const char *line;
    size_t n;
    customs_lines_init(&lines, file->data, file->len);
    while (customs_lines_next(&lines, &line, &n)) {
        customs_text_trim(&line, &n);
        if (n == 0 || line[0] == '#') {
            continue;
        }
        const char *eq = memchr(line, '=', n);
        if (eq == NULL || !os_key_is_valid(line, (size_t)(eq - line))) {
            continue; /* systemd ignores lines it cannot read; so do we */
        }
        size_t klen = (size_t)(eq - line);
        const char **slot = NULL;
        if (customs_text_eq(line, klen, "ID")) {
            slot = &found->id;
        } else if (customs_text_eq(line, klen, "VERSION_ID")) {
            slot = &found->version;
        } else if (customs_text_eq(line, klen, "VERSION_CODENAME")) {
            slot = &found->codename;
        } else if (customs_text_eq(line, klen, "PRETTY_NAME")) {
            slot = &found->pretty;
        } else {
            continue;
        }
        char *v = os_release_unquote(arena, eq + 1, n - klen - 1);
        if (v == NULL) {
            return CUSTOMS_ENOMEM;
        }
        *slot = v[0] != '\0' ? v : NULL; /* the last assignment wins, as in a shell */
    }
    return 0;
}

/* The first line, trimmed, or NULL when empty. */
static int os_first_line(char **out, struct customs_arena *arena,
                         const struct customs_pkgdb_file *file)
{
    struct customs_lines lines;
    const char *line = NULL;
    size_t n = 0;
    *out = NULL;
    customs_lines_init(&lines, file->data, file->len);
    if (!customs_lines_next(&lines, &line, &n)) {
        return 0;
    }
    customs_text_trim(&line, &n);
    if (n == 0) {
        return 0;
    }
    *out = customs_arena_strndup(arena, line, n);
    return *out != NULL ? 0 : CUSTOMS_ENOMEM;
}

struct os_vendor {
    const char *marker;
    const char *id;
};

/* "Red Hat Enterprise Linux release 9.3 (Plow)", "CentOS Stream release 9", ... */
static int os_redhat_parse(struct customs_os *found, struct customs_arena *arena,
                           const struct customs_pkgdb_file *file)
{
    static const struct os_vendor vendors[] = {
        {"Red Hat", "rhel"},        {"CentOS", "centos"}, {"Fedora", "fedora"}, {"Rocky", "rocky"},
        {"AlmaLinux", "almalinux"}, {"Oracle", "ol"},     {"Amazon", "amzn"},   {NULL, NULL},
    };
    char *line = NULL;
    int rc = os_first_line(&line, arena, file);
    if (rc < 0 || line == NULL) {
        return rc;
    }
    found->pretty = line;
    const char *rel = strstr(line, " release ");
    if (rel == NULL) {
        return 0;
    }
    for (const struct os_vendor *v = vendors; v->marker != NULL; v++) {
        const char *hit = strstr(line, v->marker);
        if (hit != NULL && hit < rel) {
            found->id = v->id;
            break;
        }
    }
    if (found->id == NULL) {
        size_t w = strcspn(line, " ");
        char *id = customs_arena_strndup(arena, line, w);
        if (id == NULL) {
            return CUSTOMS_ENOMEM;
        }
        for (char *p = id; *p != '\0'; p++) {
            *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
        }
        found->id = id;
    }
    const char *ver = rel + strlen(" release ");
    size_t vlen = strcspn(ver, " ");
    if (vlen > 0) {
        found->version = customs_arena_strndup(arena, ver, vlen);
        if (found->version == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    const char *open = strchr(ver, '(');
    const char *close = open != NULL ? strchr(open, ')') : NULL;
    if (close != NULL && close > open + 1) {
        found->codename = customs_arena_strndup(arena, open + 1, (size_t)(close - open - 1));
        if (found->codename == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    return 0;
}

int customs_os_parse(struct customs_os *os, struct customs_arena *arena,
                     const struct customs_pkgdb_file *file, struct customs_error *err)
{
    struct customs_os found = {0};
    const char *base = customs_path_base(file->path);
    char *line = NULL;
    int rc = 0;
    size_t nul = customs_text_nul_line(file->data, file->len);
    if (nul != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: NUL byte", file->path, nul);
    }
    if (strcmp(base, "os-release") == 0) {
        rc = os_release_parse(&found, arena, file);
    } else if (strcmp(base, "alpine-release") == 0 || strcmp(base, "debian_version") == 0) {
        rc = os_first_line(&line, arena, file);
        if (rc == 0 && line != NULL) {
            found.id = base[0] == 'a' ? "alpine" : "debian";
            found.version = line;
        }
    } else if (strcmp(base, "redhat-release") == 0) {
        rc = os_redhat_parse(&found, arena, file);
    } else {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "%s: not an OS release file",
                                 file->path);
    }
    if (rc < 0) {
        return customs_error_set(err, rc, "%s: out of memory", file->path);
    }
    if (base[0] != 'o' && os->id != NULL && found.id != NULL && strcmp(os->id, found.id) != 0) {
        return 0; /* e.g. Ubuntu's debian_version says nothing about Ubuntu's version */
    }
    os_merge(os, &found);
    return 0;
}
