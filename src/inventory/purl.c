/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Package URLs (github.com/package-url/purl-spec): pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS.
 * Every component is percent-encoded except A-Z a-z 0-9 - . _ ~ and the colon, which the spec
 * says is never encoded (so '+' -> %2B, '@' -> %40, ' ' -> %20, but a deb epoch "1:2.3-4"
 * stays "1:2.3-4"); qualifiers are sorted by key. OS packages take the
 * OS id as namespace and "ID-VERSION" as the distro qualifier.
 */
#include "inventory/inventory.h"

#include <string.h>

#include "core/banned.h"

#define PURL_MAX (64 * 1024)

/* purl-spec "Character encoding": alphanumerics, punctuation and ':' are never encoded. */
static bool purl_is_unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == ':';
}

/* Append `n` bytes of s percent-encoded. */
static int purl_encode(struct customs_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int rc;
        if (purl_is_unreserved(ch)) {
            rc = customs_buf_append(b, &s[i], 1);
        } else {
            char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            rc = customs_buf_append(b, esc, sizeof(esc));
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Append a '/'-separated path, each segment encoded on its own (golang module paths). */
static int purl_encode_segments(struct customs_buf *b, const char *s)
{
    int rc = 0;
    while (rc == 0) {
        size_t seg = strcspn(s, "/");
        rc = purl_encode(b, s, seg);
        if (rc < 0 || s[seg] == '\0') {
            break;
        }
        rc = customs_buf_append(b, "/", 1);
        s += seg + 1;
    }
    return rc;
}

struct purl_qualifiers {
    const char *arch;
    const char *distro_id;
    const char *distro_version;
    const char *epoch;
};

/* Qualifiers in key order: arch, distro, epoch. */
static int purl_append_qualifiers(struct customs_buf *b, const struct purl_qualifiers *q)
{
    char sep = '?';
    int rc = 0;
    if (q->arch != NULL && q->arch[0] != '\0') {
        rc = customs_buf_printf(b, "%carch=", sep);
        rc = rc < 0 ? rc : purl_encode(b, q->arch, strlen(q->arch));
        sep = '&';
    }
    if (rc == 0 && q->distro_id != NULL && q->distro_version != NULL) {
        rc = customs_buf_printf(b, "%cdistro=", sep);
        rc = rc < 0 ? rc : purl_encode(b, q->distro_id, strlen(q->distro_id));
        rc = rc < 0 ? rc : customs_buf_append(b, "-", 1);
        rc = rc < 0 ? rc : purl_encode(b, q->distro_version, strlen(q->distro_version));
        sep = '&';
    }
    if (rc == 0 && q->epoch != NULL && q->epoch[0] != '\0') {
        rc = customs_buf_printf(b, "%cepoch=", sep);
        rc = rc < 0 ? rc : purl_encode(b, q->epoch, strlen(q->epoch));
    }
    return rc;
}

/* The OS namespace for a deb/apk/rpm record, or NULL (rpm with an unknown OS). */
static const char *purl_os_namespace(const char *type, const struct customs_os *os)
{
    if (os != NULL && os->id != NULL && os->id[0] != '\0') {
        return os->id;
    }
    if (strcmp(type, "deb") == 0) {
        return "debian";
    }
    if (strcmp(type, "apk") == 0) {
        return "alpine";
    }
    return NULL;
}

static int purl_build(struct customs_buf *b, const struct customs_package *p,
                      const struct customs_os *os)
{
    struct purl_qualifiers q = {0};
    bool is_os =
        strcmp(p->type, "deb") == 0 || strcmp(p->type, "apk") == 0 || strcmp(p->type, "rpm") == 0;
    int rc = customs_buf_puts(b, "pkg:");
    rc = rc < 0 ? rc : purl_encode(b, p->type, strlen(p->type));
    rc = rc < 0 ? rc : customs_buf_append(b, "/", 1);
    if (rc < 0) {
        return rc;
    }
    if (is_os) {
        const char *ns = purl_os_namespace(p->type, os);
        if (ns != NULL) {
            rc = purl_encode(b, ns, strlen(ns));
            rc = rc < 0 ? rc : customs_buf_append(b, "/", 1);
        }
        rc = rc < 0 ? rc : purl_encode(b, p->name, strlen(p->name));
        q.arch = p->arch;
        q.epoch = strcmp(p->type, "rpm") == 0 ? p->epoch : NULL;
        if (os != NULL && os->id != NULL && os->version != NULL) {
            q.distro_id = os->id;
            q.distro_version = os->version;
        }
    } else if (strcmp(p->type, "golang") == 0) {
        rc = purl_encode_segments(b, p->name);
    } else if (strcmp(p->type, "npm") == 0 && p->name[0] == '@' && strchr(p->name, '/') != NULL) {
        size_t scope = strcspn(p->name, "/");
        rc = purl_encode(b, p->name, scope);
        rc = rc < 0 ? rc : customs_buf_append(b, "/", 1);
        rc = rc < 0 ? rc : purl_encode(b, p->name + scope + 1, strlen(p->name + scope + 1));
    } else {
        rc = purl_encode(b, p->name, strlen(p->name));
    }
    if (rc == 0 && p->version != NULL && p->version[0] != '\0') {
        rc = customs_buf_append(b, "@", 1);
        rc = rc < 0 ? rc : purl_encode(b, p->version, strlen(p->version));
    }
    if (rc == 0) {
        rc = purl_append_qualifiers(b, &q);
    }
    return rc;
}

int customs_purl_fill(struct customs_inventory *inv, const struct customs_os *os)
{
    struct customs_buf b;
    int rc = 0;
    customs_buf_init(&b, PURL_MAX);
    for (size_t i = 0; i < inv->packages.len; i++) {
        struct customs_package *p = customs_vec_at(&inv->packages, i);
        if (p->type == NULL || p->name == NULL || p->name[0] == '\0') {
            continue;
        }
        customs_buf_reset(&b);
        rc = purl_build(&b, p, os);
        if (rc == CUSTOMS_ELIMIT) {
            rc = 0; /* an absurdly long name: leave this record without a purl */
            continue;
        }
        if (rc < 0) {
            break;
        }
        p->purl = customs_arena_strndup(inv->arena, customs_buf_cstr(&b), b.len);
        if (p->purl == NULL) {
            rc = CUSTOMS_ENOMEM;
            break;
        }
    }
    customs_buf_release(&b);
    return rc;
}
