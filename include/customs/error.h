/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_ERROR_H
#define CUSTOMS_ERROR_H

/*
 * Error codes and the error record.
 *
 * Every function of libcustoms that can fail returns an int: 0 on success or one of the
 * negative CUSTOMS_E* codes below. Functions that take a `struct customs_error *` also store a
 * bounded, human-readable message there naming the input (file, blob digest, path inside a
 * layer, line or byte offset). The record is caller-provided storage: there is no thread-local
 * or global "last error", so concurrent scans never see each other's errors.
 */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CUSTOMS_BUILDING)
#define CUSTOMS_API __attribute__((visibility("default")))
#else
#define CUSTOMS_API
#endif

/* A function whose result must be used: one that can fail (its error code is the only news of
 * the failure), or that returns what the caller owns. Dropping it is a compile-time warning. */
#if defined(__GNUC__) || defined(__clang__)
#define CUSTOMS_MUST_USE __attribute__((warn_unused_result))
#else
#define CUSTOMS_MUST_USE
#endif

enum customs_status {
    CUSTOMS_OK = 0,
    CUSTOMS_ERROR = -1,       /* internal error */
    CUSTOMS_ENOMEM = -2,      /* an allocation failed */
    CUSTOMS_EINVAL = -3,      /* the caller passed an invalid argument */
    CUSTOMS_EMALFORMED = -4,  /* the input is not valid for its format (or a digest mismatches) */
    CUSTOMS_EUNSUPPORTED = -5, /* valid input we do not handle (yet) */
    CUSTOMS_ELIMIT = -6,      /* a configured limit tripped (see limits.h) */
    CUSTOMS_EIO = -7,         /* reading or writing a file failed */
    CUSTOMS_ENOTFOUND = -8,   /* a named thing does not exist (file, blob, platform) */
    CUSTOMS_ETIMEOUT = -9,    /* a time budget ran out */
    CUSTOMS_EAGAIN = -10,     /* streaming: feed more input */
};

#define CUSTOMS_ERROR_MESSAGE_MAX 1024

/** A failure's code and a one-line message (no trailing newline). */
struct customs_error {
    int code;
    char message[CUSTOMS_ERROR_MESSAGE_MAX];
};

/** A static, lower-case name of an error code ("malformed input"). */
CUSTOMS_API const char *customs_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_ERROR_H */
