/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening files of an image source on the host: everything under an OCI layout or a root
 * filesystem directory is opened relative to the directory's descriptor with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a path can neither leave the directory
 * nor pass through a symlink (the layout is the attacker's: a symlinked blob would read the
 * host's files). Where the kernel has no openat2 (ENOSYS, before Linux 5.6, or a seccomp
 * filter that refuses it), the same is done one component at a time with O_NOFOLLOW.
 * O_NONBLOCK keeps a FIFO from hanging the open; fstat then accepts only the expected type,
 * so neither a FIFO nor a device (/dev/zero) is ever read.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image/blob.h"

#include "core/banned.h"

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

static int beneath_openat2(int dirfd, const char *rel, int flags)
{
#ifdef SYS_openat2
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)flags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
    return (int)fd;
#else
    (void)dirfd;
    (void)rel;
    (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

int customs_beneath_walk(int dirfd, const char *rel, int flags)
{
    char comp[256];
    int cur = dirfd;
    const char *p = rel;
    for (;;) {
        while (*p == '/') {
            p++;
        }
        size_t n = strcspn(p, "/");
        const char *next = p + n;
        while (*next == '/') {
            next++;
        }
        bool last = *next == '\0';
        if (n == 0 || (n == 1 && p[0] == '.' && !last)) {
            if (n == 0) {
                /* "" or a path ending in "/": the directory itself */
                int fd = openat(cur, ".", flags | O_NOFOLLOW);
                if (cur != dirfd) {
                    close(cur);
                }
                return fd;
            }
            p = next;
            continue;
        }
        if (n >= sizeof(comp) || (n == 2 && p[0] == '.' && p[1] == '.')) {
            if (cur != dirfd) {
                close(cur);
            }
            errno = n >= sizeof(comp) ? ENAMETOOLONG : EXDEV;
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        int fd = openat(cur, comp,
                        last ? flags | O_NOFOLLOW
                             : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        int e = errno;
        if (cur != dirfd) {
            close(cur);
        }
        if (fd < 0) {
            /* a symlink where a directory was expected fails ENOTDIR with O_NOFOLLOW */
            struct stat st;
            errno = e == ENOTDIR && !last && fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0
                        ? ELOOP
                        : e;
            return -1;
        }
        if (last) {
            return fd;
        }
        cur = fd;
        p = next;
    }
}

static const char *type_name(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFIFO:
        return "a FIFO";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFSOCK:
        return "a socket";
    case S_IFDIR:
        return "a directory";
    case S_IFLNK:
        return "a symlink";
    default:
        return "not a regular file";
    }
}

int customs_open_checked(int *out, int dirfd, const char *rel, const char *shown, bool want_dir,
                         struct customs_error *err)
{
    int flags = OPEN_FLAGS | (want_dir ? O_DIRECTORY : 0);
    int fd;
    *out = -1;
    if (dirfd == AT_FDCWD) {
        fd = open(rel, flags); /* the path the user named: symlinks there are the user's */
    } else {
        fd = beneath_openat2(dirfd, rel, flags);
        if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
            fd = customs_beneath_walk(dirfd, rel, flags);
        }
    }
    if (fd < 0) {
        int e = errno;
        switch (e) {
        case ENOENT:
            return customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: not found", shown);
        case ELOOP:
            return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                     "%s: is or passes through a symlink, which customs does not "
                                     "follow inside an image",
                                     shown);
        case EXDEV:
            return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                     "%s: resolves outside the image directory", shown);
        case ENOTDIR:
            if (want_dir) {
                return customs_error_set(err, CUSTOMS_EINVAL, "%s: not a directory", shown);
            }
            return customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: not found (%s)", shown,
                                     strerror(e));
        default:
            return customs_error_set(err, CUSTOMS_EIO, "%s: cannot open: %s", shown,
                                     strerror(e));
        }
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return customs_error_set(err, CUSTOMS_EIO, "%s: cannot stat: %s", shown, strerror(e));
    }
    if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
        close(fd);
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "%s: %s, not a %s", shown,
                                 type_name(st.st_mode), want_dir ? "directory" : "regular file");
    }
    if (!want_dir) {
        /* a regular file: blocking reads from here on (O_NONBLOCK is moot there anyway) */
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0) {
            (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        }
    }
    *out = fd;
    return 0;
}
