/* SPDX-License-Identifier: Apache-2.0 */
/* Lexical path cleaning for paths inside images: never touches the filesystem. */
#include "core/core.h"

#include <string.h>

#include "core/banned.h"

int customs_path_clean(char *out, size_t outsz, const char *in, size_t inlen)
{
    size_t o = 0;
    size_t i = 0;
    if (outsz < 2) {
        return CUSTOMS_ELIMIT;
    }
    out[o++] = '/';
    while (i < inlen) {
        while (i < inlen && in[i] == '/') {
            i++;
        }
        size_t start = i;
        while (i < inlen && in[i] != '/') {
            i++;
        }
        size_t n = i - start;
        if (n == 0 || (n == 1 && in[start] == '.')) {
            continue;
        }
        if (n == 2 && in[start] == '.' && in[start + 1] == '.') {
            /* drop the last component; "/.." stays "/" */
            while (o > 1 && out[o - 1] != '/') {
                o--;
            }
            if (o > 1) {
                o--;
            }
            continue;
        }
        if (memchr(in + start, '\0', n) != NULL) {
            n = strnlen(in + start, n);
            i = inlen;
        }
        size_t need = (o > 1 ? 1 : 0) + n;
        if (o + need + 1 > outsz) {
            return CUSTOMS_ELIMIT;
        }
        if (o > 1) {
            out[o++] = '/';
        }
        memcpy(out + o, in + start, n);
        o += n;
    }
    out[o] = '\0';
    return 0;
}

int customs_path_join(char *out, size_t outsz, const char *dir, const char *rel)
{
    struct customs_buf b;
    int err;
    if (rel[0] == '/') {
        return customs_path_clean(out, outsz, rel, strlen(rel));
    }
    customs_buf_init(&b, 0);
    err = customs_buf_printf(&b, "%s/%s", dir, rel);
    if (err == 0) {
        err = customs_path_clean(out, outsz, b.ptr, b.len);
    }
    customs_buf_release(&b);
    return err;
}

const char *customs_path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

bool customs_str_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool customs_str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}
