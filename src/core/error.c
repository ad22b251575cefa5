/* SPDX-License-Identifier: Apache-2.0 */
/* Error records: a code plus a bounded message, stored where the caller says. */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

int customs_error_set(struct customs_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        customs_vfmt_clip(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

void customs_error_prefix(struct customs_error *err, const char *fmt, ...)
{
    char prefix[CUSTOMS_ERROR_MESSAGE_MAX];
    char old[CUSTOMS_ERROR_MESSAGE_MAX];
    va_list ap;
    if (err == NULL) {
        return;
    }
    va_start(ap, fmt);
    customs_vfmt_clip(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof(old));
    old[sizeof(old) - 1] = '\0';
    customs_fmt_clip(err->message, sizeof(err->message), "%s: %s", prefix, old);
}

void customs_error_clear(struct customs_error *err)
{
    if (err != NULL) {
        err->code = 0;
        err->message[0] = '\0';
    }
}

const char *customs_strerror(int code)
{
    switch (code) {
    case CUSTOMS_OK:
        return "success";
    case CUSTOMS_ENOMEM:
        return "out of memory";
    case CUSTOMS_EINVAL:
        return "invalid argument";
    case CUSTOMS_EMALFORMED:
        return "malformed input";
    case CUSTOMS_EUNSUPPORTED:
        return "unsupported input";
    case CUSTOMS_ELIMIT:
        return "limit exceeded";
    case CUSTOMS_EIO:
        return "input/output error";
    case CUSTOMS_ENOTFOUND:
        return "not found";
    case CUSTOMS_ETIMEOUT:
        return "timed out";
    case CUSTOMS_EAGAIN:
        return "more input needed";
    default:
        return "internal error";
    }
}
