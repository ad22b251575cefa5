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

/*
 * Open `rel` under the directory `dirfd` without leaving it and without following any symlink
 * (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or customs_beneath_walk where the kernel has
 * no openat2), O_NONBLOCK, then check with fstat that it is a regular file (a directory with
 * `want_dir`). dirfd AT_FDCWD opens `rel` as the user named it (symlinks followed). `shown`
 * names the file in messages.
 * @return 0 with *out an open descriptor, CUSTOMS_ENOTFOUND, CUSTOMS_EUNSUPPORTED (a symlink,
 *         an escape, a FIFO or device), CUSTOMS_EINVAL, CUSTOMS_EIO
 */
CUSTOMS_MUST_USE int customs_open_checked(int *out, int dirfd, const char *rel, const char *shown,
                                          bool want_dir, struct customs_error *err);
/** The fallback of customs_open_checked: one component at a time with O_NOFOLLOW, refusing
 * "..". Returns a descriptor or -1 with errno (ELOOP for a symlink, EXDEV for ".."). */
CUSTOMS_MUST_USE int customs_beneath_walk(int dirfd, const char *rel, int flags);

/** List the members of the tar open at `fd` (`tar` names it; caller frees *out with
 * customs_free). A name held by two members of different content is refused as ambiguous. */
CUSTOMS_MUST_USE int customs_tar_members(struct customs_tar_member **out, size_t *n, int fd,
                                         const char *tar, uint64_t max_members,
                                         struct customs_error *err);

/** A stream over the regular file `rel` under `dirfd` (see customs_open_checked). */
CUSTOMS_MUST_USE int customs_blob_stream_file(struct customs_blob_stream *out, int dirfd,
                                              const char *rel, const char *shown,
                                              struct customs_error *err);

/** A stream over the regular-file member `member` of the tar open at `fd` (read with pread:
 * any number of streams over one descriptor, from any thread). */
CUSTOMS_MUST_USE int customs_blob_stream_member(struct customs_blob_stream *out, int fd,
                                                const char *tar, const char *member,
                                                struct customs_error *err);

/** Read a stream to its end into one buffer of at most `max` bytes (caller frees *out). */
CUSTOMS_MUST_USE int customs_blob_read_all(uint8_t **out, size_t *len,
                                           struct customs_blob_stream *s, const char *name,
                                           uint64_t max, struct customs_error *err);

#endif /* CUSTOMS_IMAGE_BLOB_H */
