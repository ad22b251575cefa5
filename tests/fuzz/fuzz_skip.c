/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes --skip-dirs/--skip-files patterns (src/image/skip.c): the input is patterns and paths,
 * one a line; a line starting with "D " or "F " is a directory or file pattern, any other a
 * path. Every pattern either compiles or is refused with a message; every path is matched
 * against them (in time bounded by pattern x path segments, not exponential in the `**`s), and
 * a path under a skipped directory is skipped whatever follows it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

#define MAX_LINES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    const char *dirs[MAX_LINES + 1];
    const char *files[MAX_LINES + 1];
    const char *paths[MAX_LINES];
    size_t nd = 0, nf = 0, np = 0;
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    for (char *line = text, *next; line != NULL && nd + nf + np < MAX_LINES; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        if (strncmp(line, "D ", 2) == 0) {
            dirs[nd++] = line + 2;
        } else if (strncmp(line, "F ", 2) == 0) {
            files[nf++] = line + 2;
        } else {
            paths[np++] = line;
        }
    }
    dirs[nd] = NULL;
    files[nf] = NULL;
    struct customs_skip s;
    struct customs_error err = {0};
    int r = customs_skip_init(&s, dirs, files, &err);
    if (r < 0) {
        if (r != CUSTOMS_ENOMEM && err.message[0] == '\0') {
            abort();
        }
        free(text);
        return 0;
    }
    for (size_t i = 0; i < np; i++) {
        bool dir = customs_skip_path(&s, paths[i], true);
        (void)customs_skip_path(&s, paths[i], false);
        (void)customs_skip_dir(&s, paths[i]);
        if (dir && strlen(paths[i]) < 2000 && paths[i][0] != '\0') {
            char below[2100];
            snprintf(below, sizeof(below), "%s/x", paths[i]);
            if (!customs_skip_path(&s, below, false)) {
                abort(); /* a file in a skipped directory is skipped */
            }
        }
    }
    customs_skip_release(&s);
    free(text);
    return 0;
}
