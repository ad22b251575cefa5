/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every file customs creates, and every file it reads by a name it was given, is opened here
 * (core.h says how); scripts/check-file-creation.py fails the tests on any other fopen,
 * O_CREAT, creat or mkstemp in src/.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

#include "core/banned.h"

#define NEWFILE_ATTEMPTS 16

int customs_newfile_open(struct customs_newfile *f, int dfd, const char *path, unsigned flags)
{
    memset(f, 0, sizeof(*f));
    f->fd = -1;
    f->dfd = dfd;
    f->flags = flags;
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    size_t n = strlen(path) + 32;
    if (*base == '\0') {
        errno = EISDIR;
        return CUSTOMS_EINVAL;
    }
    f->path = customs_strdup(path);
    f->tmp = customs_malloc(n);
    if (f->path == NULL || f->tmp == NULL) {
        customs_newfile_abort(f);
        errno = ENOMEM;
        return CUSTOMS_ENOMEM;
    }
    mode_t mode = (flags & CUSTOMS_NEWFILE_PRIVATE) != 0 ? 0600 : 0666;
    int e = EEXIST;
    for (int attempt = 0; f->fd < 0 && attempt < NEWFILE_ATTEMPTS; attempt++) {
        uint64_t rnd = 0;
        if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
            e = errno;
            break;
        }
        /* hidden, beside the target (same filesystem: rename is atomic), never guessable */
        snprintf(f->tmp, n, "%.*s.%s.%016llx.tmp", (int)dirlen, path, base,
                 (unsigned long long)rnd);
        f->fd = openat(dfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                       mode);
        e = errno;
        if (f->fd < 0 && e != EEXIST) {
            break;
        }
    }
    if (f->fd < 0) {
        customs_free(f->tmp);
        f->tmp = NULL; /* nothing of ours to remove */
        customs_newfile_abort(f);
        errno = e;
        return CUSTOMS_EIO;
    }
    if ((flags & CUSTOMS_NEWFILE_PRIVATE) != 0 && fchmod(f->fd, 0600) != 0) {
        e = errno;
        customs_newfile_abort(f);
        errno = e;
        return CUSTOMS_EIO;
    }
    return 0;
}

int customs_newfile_commit(struct customs_newfile *f)
{
    int r = 0;
    int e = 0;
    if (f->fd < 0 || f->tmp == NULL) {
        customs_newfile_abort(f);
        errno = EBADF;
        return CUSTOMS_EIO;
    }
    if ((f->flags & CUSTOMS_NEWFILE_DURABLE) != 0 && fsync(f->fd) != 0) {
        e = errno;
        r = CUSTOMS_EIO;
    }
    if (close(f->fd) != 0 && r == 0) {
        e = errno;
        r = CUSTOMS_EIO;
    }
    f->fd = -1;
    if (r == 0 && renameat(f->dfd, f->tmp, f->dfd, f->path) != 0) {
        e = errno;
        r = CUSTOMS_EIO;
    }
    if (r == 0) {
        customs_free(f->tmp);
        f->tmp = NULL;
    }
    customs_newfile_abort(f);
    errno = e;
    return r;
}

void customs_newfile_abort(struct customs_newfile *f)
{
    int e = errno;
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    if (f->tmp != NULL) {
        unlinkat(f->dfd, f->tmp, 0);
    }
    customs_free(f->tmp);
    customs_free(f->path);
    f->tmp = NULL;
    f->path = NULL;
    errno = e;
}

/*
 * `fd`, opened O_NONBLOCK so that opening it waited for nothing, must be a regular file (or, when
 * `chr_ok`, a character device such as /dev/null): a directory is EISDIR, anything else (a FIFO,
 * a socket) EINVAL. Its status flags become `fl` (O_NONBLOCK cleared). @return fd, or -1 with
 * errno set and fd closed
 */
static int file_settle(int fd, int fl, bool chr_ok)
{
    struct stat st;
    int e = 0;
    if (fstat(fd, &st) != 0) {
        e = errno;
    } else if (S_ISDIR(st.st_mode)) {
        e = EISDIR;
    } else if (!S_ISREG(st.st_mode) && !(chr_ok && S_ISCHR(st.st_mode))) {
        e = EINVAL;
    } else if (fcntl(fd, F_SETFL, fl) != 0) {
        e = errno;
    }
    if (e != 0) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int customs_file_open_read(const char *path)
{
    /* the process's own input is whatever the caller made it (a pipe, a terminal) */
    bool own_stdin = strcmp(path, "/dev/stdin") == 0;
    /* O_NONBLOCK: opening a FIFO with no writer, or a device, must not wait */
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | (own_stdin ? 0 : O_NONBLOCK));
    if (fd < 0 || own_stdin) {
        return fd;
    }
    /* a FIFO, socket or device: it could wait for ever or never end */
    return file_settle(fd, O_RDONLY, strcmp(path, "/dev/null") == 0);
}

FILE *customs_file_fdopen(int fd, const char *mode)
{
    FILE *f = fd >= 0 ? fdopen(fd, mode) : NULL;
    if (f == NULL && fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

FILE *customs_fopen_read(const char *path)
{
    return customs_file_fdopen(customs_file_open_read(path), "rb");
}

int customs_tmpfile_open(char *path, size_t suffix_len, unsigned flags)
{
    size_t n = strlen(path);
    if (n < 6 + suffix_len) {
        errno = EINVAL;
        return -1;
    }
    char *x = path + n - suffix_len - 6;
    if (memcmp(x, "XXXXXX", 6) != 0) {
        errno = EINVAL;
        return -1;
    }
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int attempt = 0; attempt < NEWFILE_ATTEMPTS; attempt++) {
        uint8_t rnd[6];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
            return -1;
        }
        for (size_t i = 0; i < 6; i++) {
            x[i] = digits[rnd[i] % (sizeof(digits) - 1)];
        }
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                      (flags & CUSTOMS_NEWFILE_PRIVATE) != 0 ? 0600 : 0666);
        if (fd >= 0 || errno != EEXIST) {
            return fd;
        }
    }
    return -1;
}

int customs_file_open_append(const char *path, unsigned flags)
{
    /* O_NONBLOCK: opening a FIFO for writing with no reader would wait for ever */
    int fd = open(path,
                  O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                  (flags & CUSTOMS_NEWFILE_PRIVATE) != 0 ? 0600 : 0666);
    if (fd < 0) {
        return errno == ENXIO ? (errno = EINVAL, -1) : -1; /* a FIFO nobody reads */
    }
    /* a FIFO, socket or device: not a file to append to */
    return file_settle(fd, O_WRONLY | O_APPEND, false);
}
