/* SPDX-License-Identifier: Apache-2.0 */
/* Line reading over untrusted bytes. */
#include <string.h>

#include "inventory/stanza.h"

#include "core/banned.h"

void customs_lines_init(struct customs_lines *l, const void *data, size_t len)
{
    l->p = data;
    l->end = l->p + len;
    l->line = 0;
}

bool customs_lines_next(struct customs_lines *l, const char **s, size_t *n)
{
    if (l->p >= l->end) {
        return false;
    }
    const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
    const char *stop = nl != NULL ? nl : l->end;
    *s = l->p;
    *n = (size_t)(stop - l->p);
    if (*n > 0 && (*s)[*n - 1] == '\r') {
        (*n)--;
    }
    l->p = nl != NULL ? nl + 1 : l->end;
    l->line++;
    return true;
}
