/* SPDX-License-Identifier: Apache-2.0 */
/* Formatting into fixed buffers: either truncation is an error (names, paths, URLs), or it is
 * deliberate and visible (messages end in "..." at a character boundary). */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

int customs_vfmt(char *out, size_t outsz, const char *fmt, va_list ap)
{
    if (out == NULL || outsz == 0) {
        return CUSTOMS_EINVAL;
    }
    int n = vsnprintf(out, outsz, fmt, ap);
    if (n < 0) {
        out[0] = '\0';
        return CUSTOMS_EINVAL;
    }
    return (size_t)n >= outsz ? CUSTOMS_ELIMIT : 0;
}

int customs_fmt(char *out, size_t outsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = customs_vfmt(out, outsz, fmt, ap);
    va_end(ap);
    return rc;
}

void customs_clip_mark(char *out, size_t outsz)
{
    static const char mark[] = "...";
    if (outsz < sizeof(mark)) {
        return;
    }
    size_t at = strlen(out);
    if (at + sizeof(mark) > outsz) {
        at = outsz - sizeof(mark);
    }
    /* never leave half of a UTF-8 sequence before the mark */
    while (at > 0 && ((unsigned char)out[at] & 0xC0) == 0x80) {
        at--;
    }
    memcpy(out + at, mark, sizeof(mark));
}

void customs_vfmt_clip(char *out, size_t outsz, const char *fmt, va_list ap)
{
    if (customs_vfmt(out, outsz, fmt, ap) == CUSTOMS_ELIMIT) {
        customs_clip_mark(out, outsz);
    }
}

void customs_fmt_clip(char *out, size_t outsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    customs_vfmt_clip(out, outsz, fmt, ap);
    va_end(ap);
}
