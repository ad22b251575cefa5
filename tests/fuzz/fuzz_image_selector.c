/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the image selector after "oci:PATH:" and "docker-archive:PATH:" and the comparison
 * of Docker references: any input either fails with a message or parses into the kind its
 * first characters say; the comparison is reflexive and symmetric. The input is two strings
 * separated by the first newline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

static void selector_check(const char *text, bool docker)
{
    struct customs_image_selector sel;
    struct customs_error err = {0};
    if (customs_image_selector_parse(&sel, text, docker, &err) < 0) {
        if (err.message[0] == '\0') {
            abort();
        }
        return;
    }
    if (sel.text != text || (sel.kind == CUSTOMS_SELECT_INDEX) != (text[0] == '@') ||
        (sel.kind == CUSTOMS_SELECT_DIGEST && (docker || !customs_digest_is_valid(text))) ||
        sel.kind == CUSTOMS_SELECT_NONE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a = calloc(1, size + 1);
    if (a == NULL || size > 4096) {
        free(a);
        return 0;
    }
    memcpy(a, data, size);
    char *b = strchr(a, '\n');
    if (b != NULL) {
        *b++ = '\0';
    } else {
        b = a + strlen(a);
    }
    selector_check(a, false);
    selector_check(a, true);
    if (!customs_docker_ref_equal(a, a) ||
        customs_docker_ref_equal(a, b) != customs_docker_ref_equal(b, a)) {
        abort();
    }
    free(a);
    return 0;
}
