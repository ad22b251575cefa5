/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_INVENTORY_STANZA_H
#define CUSTOMS_INVENTORY_STANZA_H

/*
 * Reading "Key: value" stanzas (dpkg status, Python METADATA) and "K:value" lines (apk) from
 * bytes that need not end in a newline nor be NUL-terminated. Continuation lines (starting
 * with a space or tab) belong to the previous field; a blank line ends a stanza.
 */

#include <stdbool.h>
#include <stddef.h>

struct customs_lines {
    const char *p;
    const char *end;
    size_t line; /* 1-based number of the line last returned */
};

void customs_lines_init(struct customs_lines *l, const void *data, size_t len);
/** Next line without its "\n" (and "\r"); false at the end. */
bool customs_lines_next(struct customs_lines *l, const char **s, size_t *n);

#endif /* CUSTOMS_INVENTORY_STANZA_H */
