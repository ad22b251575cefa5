/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_INVENTORY_TEXT_H
#define CUSTOMS_INVENTORY_TEXT_H

/*
 * Private to the inventory module: a line reader for the text package databases (dpkg status,
 * apk installed, Python METADATA, os-release). Lines end at '\n'; a '\r' before it is dropped;
 * the last line needs no newline. Nothing is copied: a line is a window into the input.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct customs_lines {
    const uint8_t *data;
    size_t len;
    size_t pos;
    size_t lineno; /* 1-based number of the line last returned */
};

void customs_lines_init(struct customs_lines *l, const uint8_t *data, size_t len);
/** The next line (without its end) in `*line` and `*n`; false at the end of the input. */
bool customs_lines_next(struct customs_lines *l, const char **line, size_t *n);
/** The 1-based line of the first NUL byte in data, or 0 when there is none. */
size_t customs_text_nul_line(const uint8_t *data, size_t len);
/** Trim spaces and tabs at both ends of the window. */
void customs_text_trim(const char **s, size_t *n);
/** True if the window equals the C string exactly. */
bool customs_text_eq(const char *s, size_t n, const char *lit);

#endif /* CUSTOMS_INVENTORY_TEXT_H */
