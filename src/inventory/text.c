/* SPDX-License-Identifier: Apache-2.0 */
/* Line windows over untrusted text, shared by the text package-database parsers. */
#include "inventory/text.h"

#include <string.h>

#include "core/banned.h"

void customs_lines_init(struct customs_lines *l, const uint8_t *data, size_t len)
{
    l->data = data;
    l->len = data != NULL ? len : 0;
    l->pos = 0;
    l->lineno = 0;
}

bool customs_lines_next(struct customs_lines *l, const char **line, size_t *n)
{
    if (l->pos >= l->len) {
        return false;
    }
    const uint8_t *start = l->data + l->pos;
    size_t left = l->len - l->pos;
    const uint8_t *nl = memchr(start, '\n', left);
    size_t len = nl != NULL ? (size_t)(nl - start) : left;
    l->pos += nl != NULL ? len + 1 : len;
    if (len > 0 && start[len - 1] == '\r') {
        len--;
    }
    l->lineno++;
    *line = (const char *)start;
    *n = len;
    return true;
}

size_t customs_text_nul_line(const uint8_t *data, size_t len)
{
    const uint8_t *nul = data != NULL ? memchr(data, '\0', len) : NULL;
    size_t line = 1;
    if (nul == NULL) {
        return 0;
    }
    for (const uint8_t *p = data; p < nul; p++) {
        line += *p == '\n';
    }
    return line;
}

void customs_text_trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) {
        (*n)--;
    }
}

bool customs_text_eq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n == m && memcmp(s, lit, n) == 0;
}
