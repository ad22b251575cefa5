/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDX license ids and expressions, checked conservatively: a package's license field comes
 * from the image and is often free text ("GPL-2+", "see COPYING"). Only expressions made of
 * ids we know (a subset of the SPDX license list, all present in CycloneDX's
 * spdx.schema.json) or LicenseRef-* pass; everything else is written as a license name
 * (CycloneDX) or NOASSERTION (SPDX).
 */
#include "report/writers.h"

#include <string.h>
#include <strings.h>

#include "core/banned.h"

static const char *const known_ids[] = {
    "0BSD", "AFL-2.1", "AFL-3.0", "AGPL-1.0", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later",
    "Apache-1.0", "Apache-1.1", "Apache-2.0", "APSL-2.0", "Artistic-1.0", "Artistic-1.0-Perl",
    "Artistic-2.0", "Beerware", "BlueOak-1.0.0", "BSD-1-Clause", "BSD-2-Clause",
    "BSD-2-Clause-Patent", "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSL-1.0",
    "bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0",
    "CDDL-1.0", "CDDL-1.1", "CPL-1.0", "curl", "ECL-2.0", "EPL-1.0", "EPL-2.0", "EUPL-1.1",
    "EUPL-1.2", "FTL", "GFDL-1.2", "GFDL-1.2-only", "GFDL-1.2-or-later", "GFDL-1.3",
    "GFDL-1.3-only", "GFDL-1.3-or-later", "GPL-1.0", "GPL-1.0+", "GPL-1.0-only",
    "GPL-1.0-or-later", "GPL-2.0", "GPL-2.0+", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0",
    "GPL-3.0+", "GPL-3.0-only", "GPL-3.0-or-later", "HPND", "IJG", "IPL-1.0", "ISC",
    "LGPL-2.0", "LGPL-2.0+", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1+",
    "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0+", "LGPL-3.0-only",
    "LGPL-3.0-or-later", "Libpng", "libtiff", "LPPL-1.3c", "MIT", "MIT-0", "MPL-1.0",
    "MPL-1.1", "MPL-2.0", "MPL-2.0-no-copyleft-exception", "MS-PL", "MS-RL", "NCSA",
    "OFL-1.1", "OLDAP-2.8", "OpenSSL", "OSL-3.0", "PHP-3.0", "PHP-3.01", "PostgreSQL",
    "PSF-2.0", "Python-2.0", "Ruby", "Sleepycat", "Unicode-DFS-2016", "Unicode-3.0",
    "Unlicense", "UPL-1.0", "Vim", "W3C", "WTFPL", "X11", "Zlib", "zlib-acknowledgement",
    "ZPL-2.1",
};

static const char *const known_exceptions[] = {
    "Autoconf-exception-2.0", "Autoconf-exception-3.0", "Bison-exception-2.2",
    "Classpath-exception-2.0", "Font-exception-2.0", "GCC-exception-2.0", "GCC-exception-3.1",
    "Libtool-exception", "LLVM-exception",
};

#define EXPRESSION_MAX 512
#define EXPRESSION_DEPTH_MAX 16

static const char *license_lookup(const char *const *table, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(table[i]) == len && strncasecmp(table[i], s, len) == 0) {
            return table[i];
        }
    }
    return NULL;
}

const char *customs_license_spdx_id(const char *s, size_t len)
{
    return license_lookup(known_ids, sizeof(known_ids) / sizeof(known_ids[0]), s, len);
}

const char *customs_license_spdx_exception(const char *s, size_t len)
{
    return license_lookup(known_exceptions, sizeof(known_exceptions) / sizeof(known_exceptions[0]),
                          s, len);
}

const char *customs_license_known_id(size_t i)
{
    return i < sizeof(known_ids) / sizeof(known_ids[0]) ? known_ids[i] : NULL;
}

/* ---- expressions: a recursive-descent parser with a depth cap ---- */

struct lic_parser {
    const char *s;
    size_t pos;
    const char *tok; /* current token */
    size_t tok_len;
    struct customs_buf *out;
    int depth;
    bool bad;
};

static bool lic_is_idchar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '+';
}

static void lic_next(struct lic_parser *p)
{
    while (p->s[p->pos] == ' ') {
        p->pos++;
    }
    p->tok = p->s + p->pos;
    char c = p->s[p->pos];
    if (c == '\0') {
        p->tok_len = 0;
        return;
    }
    if (c == '(' || c == ')') {
        p->tok_len = 1;
        p->pos++;
        return;
    }
    size_t n = 0;
    while (lic_is_idchar(p->s[p->pos + n])) {
        n++;
    }
    if (n == 0) {
        p->bad = true; /* a character no expression may hold */
    }
    p->tok_len = n;
    p->pos += n;
}

static bool lic_tok_is(const struct lic_parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->tok_len != n) {
        return false;
    }
    if (strncmp(p->tok, word, n) == 0) {
        return true;
    }
    for (size_t i = 0; i < n; i++) { /* the all-lower-case spelling SPDX 2.3 also allows */
        if (p->tok[i] != (char)(word[i] - 'A' + 'a')) {
            return false;
        }
    }
    return true;
}

static void lic_emit(struct lic_parser *p, const char *s, size_t n)
{
    if (customs_buf_append(p->out, s, n) < 0) {
        p->bad = true;
    }
}

static void lic_or(struct lic_parser *p);

static void lic_simple(struct lic_parser *p)
{
    if (p->bad) {
        return;
    }
    if (p->tok_len == 1 && p->tok[0] == '(') {
        if (++p->depth > EXPRESSION_DEPTH_MAX) {
            p->bad = true;
            return;
        }
        lic_emit(p, "(", 1);
        lic_next(p);
        lic_or(p);
        if (p->bad || p->tok_len != 1 || p->tok[0] != ')') {
            p->bad = true;
            return;
        }
        lic_emit(p, ")", 1);
        p->depth--;
        lic_next(p);
        return;
    }
    if (p->tok_len == 0 || p->tok[0] == ')' || lic_tok_is(p, "AND") || lic_tok_is(p, "OR") ||
        lic_tok_is(p, "WITH")) {
        p->bad = true;
        return;
    }
    size_t n = p->tok_len;
    const char *canon = customs_license_spdx_id(p->tok, n);
    if (canon != NULL) {
        lic_emit(p, canon, strlen(canon));
    } else {
        bool plus = p->tok[n - 1] == '+';
        size_t base = plus ? n - 1 : n;
        canon = base > 0 ? customs_license_spdx_id(p->tok, base) : NULL;
        if (canon != NULL && strchr(canon, '+') == NULL) {
            lic_emit(p, canon, strlen(canon));
            lic_emit(p, "+", 1);
        } else if (n > 11 && strncmp(p->tok, "LicenseRef-", 11) == 0 &&
                   memchr(p->tok, '+', n) == NULL) {
            lic_emit(p, p->tok, n);
        } else {
            p->bad = true;
            return;
        }
    }
    lic_next(p);
    if (lic_tok_is(p, "WITH")) {
        lic_next(p);
        const char *exc = customs_license_spdx_exception(p->tok, p->tok_len);
        if (exc == NULL) {
            p->bad = true;
            return;
        }
        lic_emit(p, " WITH ", 6);
        lic_emit(p, exc, strlen(exc));
        lic_next(p);
    }
}

static void lic_and(struct lic_parser *p)
{
    lic_simple(p);
    while (!p->bad && lic_tok_is(p, "AND")) {
        lic_emit(p, " AND ", 5);
        lic_next(p);
        lic_simple(p);
    }
}

static void lic_or(struct lic_parser *p)
{
    lic_and(p);
    while (!p->bad && lic_tok_is(p, "OR")) {
        lic_emit(p, " OR ", 4);
        lic_next(p);
        lic_and(p);
    }
}

bool customs_license_expression(struct customs_buf *out, const char *s)
{
    struct lic_parser p = {.s = s, .out = out};
    if (s == NULL || strlen(s) > EXPRESSION_MAX) {
        return false;
    }
    customs_buf_reset(out);
    lic_next(&p);
    lic_or(&p);
    return !p.bad && p.tok_len == 0 && out->len > 0;
}
