/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Package URLs (github.com/package-url/purl-spec): pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS.
 * Every component is percent-encoded except the unreserved characters; OS packages carry their
 * distribution as namespace and `distro` qualifier ("debian-12"), npm scopes become an encoded
 * "%40scope" namespace, Go module paths keep their slashes between encoded segments.
 */
#include <stdio.h>
#include <string.h>

#include "inventory/inventory.h"

#include "core/banned.h"

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* Append `s` percent-encoded; '/' kept when keep_slash. */
static int enc(struct customs_buf *b, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        int r = unreserved(*p) || (keep_slash && *p == '/') ? customs_buf_append(b, p, 1)
                                                            : customs_buf_append(b, e, 3);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

static int qualifier(struct customs_buf *b, bool *first, const char *key, const char *value)
{
    if (value == NULL || value[0] == '\0') {
        return 0;
    }
    int r = customs_buf_printf(b, "%c%s=", *first ? '?' : '&', key);
    *first = false;
    return r < 0 ? r : enc(b, value, false);
}

static int os_purl(struct customs_buf *b, const struct customs_package *p,
                   const struct customs_os *os, const char *fallback_ns)
{
    const char *ns = os != NULL && os->id != NULL ? os->id : fallback_ns;
    char distro[160] = "";
    bool first = true;
    if (os != NULL && os->id != NULL && os->version != NULL) {
        snprintf(distro, sizeof(distro), "%s-%s", os->id, os->version);
    }
    int r = customs_buf_printf(b, "pkg:%s/", p->type);
    r = r < 0 ? r : enc(b, ns, false);
    r = r < 0 ? r : customs_buf_puts(b, "/");
    r = r < 0 ? r : enc(b, p->name, false);
    if (r == 0 && p->version != NULL) {
        r = customs_buf_puts(b, "@");
        r = r < 0 ? r : enc(b, p->version, false);
    }
    r = r < 0 ? r : qualifier(b, &first, "arch", p->arch);
    r = r < 0 ? r : qualifier(b, &first, "distro", distro[0] ? distro : NULL);
    r = r < 0 ? r : qualifier(b, &first, "epoch", p->epoch);
    return r;
}

static int lang_purl(struct customs_buf *b, const struct customs_package *p)
{
    int r = customs_buf_printf(b, "pkg:%s/", p->type);
    if (r == 0 && strcmp(p->type, "npm") == 0 && p->name[0] == '@' && strchr(p->name, '/')) {
        const char *slash = strchr(p->name, '/');
        char scope[256];
        size_t n = (size_t)(slash - p->name);
        snprintf(scope, sizeof(scope), "%.*s", (int)(n < 255 ? n : 255), p->name);
        r = enc(b, scope, false);
        r = r < 0 ? r : customs_buf_puts(b, "/");
        r = r < 0 ? r : enc(b, slash + 1, false);
    } else if (r == 0) {
        r = enc(b, p->name, strcmp(p->type, "golang") == 0);
    }
    if (r == 0 && p->version != NULL) {
        r = customs_buf_puts(b, "@");
        r = r < 0 ? r : enc(b, p->version, false);
    }
    return r;
}

int customs_purl_fill(struct customs_inventory *inv, const struct customs_os *os)
{
    struct customs_buf b;
    int r = 0;
    customs_buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < inv->packages.len && r == 0; i++) {
        struct customs_package *p = customs_vec_at(&inv->packages, i);
        if (p->name == NULL || p->type == NULL) {
            continue;
        }
        customs_buf_reset(&b);
        if (strcmp(p->type, "deb") == 0) {
            r = os_purl(&b, p, os, "debian");
        } else if (strcmp(p->type, "apk") == 0) {
            r = os_purl(&b, p, os, "alpine");
        } else if (strcmp(p->type, "rpm") == 0) {
            r = os_purl(&b, p, os, "redhat");
        } else {
            r = lang_purl(&b, p);
        }
        if (r == CUSTOMS_ELIMIT) {
            r = 0; /* a name too long for a purl: left without one */
            continue;
        }
        if (r == 0 && (p->purl = customs_arena_strdup(inv->arena, customs_buf_cstr(&b))) == NULL) {
            r = CUSTOMS_ENOMEM;
        }
    }
    customs_buf_release(&b);
    return r;
}
