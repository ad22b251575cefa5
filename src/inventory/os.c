/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operating system: os-release (KEY=VALUE, shell-style quoting), then the older files
 * distributions keep: alpine-release, debian_version, redhat-release. Callers pass the files in
 * customs_os_files order; a field set by an earlier file is kept.
 */
#include <ctype.h>
#include <string.h>

#include "inventory/inventory.h"
#include "inventory/stanza.h"

#include "core/banned.h"

const char *const customs_os_files[] = {
    "/etc/os-release", "/usr/lib/os-release", "/etc/alpine-release", "/etc/debian_version",
    "/etc/redhat-release", NULL,
};

/* Unquote an os-release value into the arena: "..." with backslash escapes, '...', or bare. */
static const char *unquote(struct customs_arena *a, const char *s, size_t n)
{
    char buf[512];
    size_t o = 0;
    char q = 0;
    if (n > 0 && (s[0] == '"' || s[0] == '\'')) {
        q = s[0];
        s++;
        n--;
    }
    for (size_t i = 0; i < n && o < sizeof(buf) - 1; i++) {
        if (q != 0 && s[i] == q) {
            break;
        }
        if (q != '\'' && s[i] == '\\' && i + 1 < n) {
            i++;
        }
        buf[o++] = s[i];
    }
    buf[o] = '\0';
    return customs_arena_strdup(a, buf);
}

static const char *trimmed(struct customs_arena *a, const uint8_t *data, size_t len)
{
    size_t start = 0;
    while (start < len && isspace(data[start])) {
        start++;
    }
    while (len > start && isspace(data[len - 1])) {
        len--;
    }
    if (len - start > 200) {
        len = start + 200;
    }
    return customs_arena_strndup(a, (const char *)data + start, len - start);
}

static void set(const char **field, const char *value)
{
    if (*field == NULL && value != NULL && value[0] != '\0') {
        *field = value;
    }
}

static int parse_os_release(struct customs_os *os, struct customs_arena *a,
                            const struct customs_pkgdb_file *file)
{
    struct customs_lines lines;
    const char *s;
    size_t n;
    customs_lines_init(&lines, file->data, file->len);
    while (customs_lines_next(&lines, &s, &n)) {
        const char *eq = memchr(s, '=', n);
        if (n == 0 || s[0] == '#' || eq == NULL) {
            continue;
        }
        size_t k = (size_t)(eq - s);
        const char *v = eq + 1;
        size_t vn = n - k - 1;
        const char **field = NULL;
        if (k == 2 && memcmp(s, "ID", 2) == 0) {
            field = &os->id;
        } else if (k == 10 && memcmp(s, "VERSION_ID", 10) == 0) {
            field = &os->version;
        } else if (k == 16 && memcmp(s, "VERSION_CODENAME", 16) == 0) {
            field = &os->codename;
        } else if (k == 11 && memcmp(s, "PRETTY_NAME", 11) == 0) {
            field = &os->pretty;
        }
        if (field != NULL && *field == NULL) {
            const char *u = unquote(a, v, vn);
            if (u == NULL) {
                return CUSTOMS_ENOMEM;
            }
            set(field, u);
        }
    }
    return 0;
}

int customs_os_parse(struct customs_os *os, struct customs_arena *arena,
                     const struct customs_pkgdb_file *file, struct customs_error *err)
{
    const char *base = customs_path_base(file->path);
    if (memchr(file->data, '\0', file->len) != NULL) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: NUL byte in a text file",
                                 file->path);
    }
    if (strcmp(base, "os-release") == 0) {
        if (parse_os_release(os, arena, file) < 0) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
        return 0;
    }
    const char *text = trimmed(arena, file->data, file->len);
    if (text == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (strcmp(base, "alpine-release") == 0) {
        set(&os->id, "alpine");
        if (os->id != NULL && strcmp(os->id, "alpine") == 0) {
            set(&os->version, text);
        }
    } else if (strcmp(base, "debian_version") == 0) {
        set(&os->id, "debian");
        if (os->id != NULL && strcmp(os->id, "debian") == 0) {
            set(&os->version, text);
        }
    } else if (strcmp(base, "redhat-release") == 0) {
        /* "Red Hat Enterprise Linux release 9.3 (Plow)", "CentOS Linux release 7.9.2009 (Core)" */
        const char *rel = strstr(text, " release ");
        if (rel != NULL && os->id == NULL) {
            const char *id = strncmp(text, "CentOS", 6) == 0   ? "centos"
                             : strncmp(text, "Fedora", 6) == 0 ? "fedora"
                             : strncmp(text, "Rocky", 5) == 0  ? "rocky"
                             : strncmp(text, "Alma", 4) == 0   ? "almalinux"
                                                               : "rhel";
            set(&os->id, id);
            size_t vn = strcspn(rel + 9, " ");
            set(&os->version, customs_arena_strndup(arena, rel + 9, vn));
        }
        set(&os->pretty, text);
    }
    return 0;
}
