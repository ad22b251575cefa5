/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_IMAGE_BLOB_H
#define CUSTOMS_IMAGE_BLOB_H

/* Blob streams over files and outer-tar members (internal to src/image). */

#include "image/image.h"

#define CUSTOMS_MEMBER_MAX 512

/** One entry of an outer tar, as listed once when the image is opened. */
struct customs_tar_member {
    char name[CUSTOMS_MEMBER_MAX]; /* cleaned, relative ("blobs/sha256/ab..") */
    char link[CUSTOMS_MEMBER_MAX]; /* symlink or hardlink target as stored */
    uint64_t size;
    char type; /* 'f' file, 'd' directory, 'l' symlink, 'h' hardlink */
};

/** List the members of the tar at `tar` (caller frees *out with customs_free). */
int customs_tar_members(struct customs_tar_member **out, size_t *n, const char *tar,
                        uint64_t max_members, struct customs_error *err);

/** A stream over the regular file `path`. */
int customs_blob_stream_file(struct customs_blob_stream *out, const char *path,
                             struct customs_error *err);

/** A stream over the regular-file member `member` of the tar at `tar`. */
int customs_blob_stream_member(struct customs_blob_stream *out, const char *tar,
                               const char *member, struct customs_error *err);

/** Read a stream to its end into one buffer of at most `max` bytes (caller frees *out). */
int customs_blob_read_all(uint8_t **out, size_t *len, struct customs_blob_stream *s,
                          const char *name, uint64_t max, struct customs_error *err);

#endif /* CUSTOMS_IMAGE_BLOB_H */
