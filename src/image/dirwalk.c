/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A root filesystem directory walked like a layer: every entry handed to the visitor once,
 * file data streamed on request. Symlinks are reported, never followed; kernel pseudo
 * filesystems (/proc, /sys, cgroups, ...) are skipped by their filesystem type, not by name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "image/blob.h"

#include "core/banned.h"

#define READ_CHUNK (256u * 1024)

static bool pseudo_fs(int fd)
{
    static const unsigned long magics[] = {
        0x9fa0,     /* proc */
        0x62656572, /* sysfs */
        0x27e0eb,   /* cgroup */
        0x63677270, /* cgroup2 */
        0x1cd1,     /* devpts */
        0x64626720, /* debugfs */
        0x74726163, /* tracefs */
        0x73636673, /* securityfs */
        0x6e736673, /* nsfs */
        0xcafe4a11, /* bpf */
        0x42494e4d, /* binfmt_misc */
        0x19800202, /* mqueue */
        0x50495045, /* pipefs */
        0x534f434b, /* sockfs */
        0x6165676c, /* pstorefs */
        0xde5e81e4, /* efivarfs */
        0x73727279, /* rpc_pipefs */
        0x65735546, /* fuse control */
    };
    struct statfs sf;
    if (fstatfs(fd, &sf) != 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
        if ((unsigned long)sf.f_type == magics[i]) {
            return true;
        }
    }
    return false;
}

/* The file the walk saw (`st`), if it is still that regular file: one replaced by a FIFO,
 * a device or a symlink since is not read. */
static int feed_file(int dirfd, const char *name, const struct stat *st,
                     const struct customs_walk_visitor *v, uint8_t *buf)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    int r = 0;
    struct stat now;
    if (fd >= 0 && (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino ||
                    now.st_dev != st->st_dev)) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0) {
        for (;;) {
            ssize_t n = read(fd, buf, READ_CHUNK);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break; /* unreadable: the analyzers see what could be read */
            }
            r = v->data(v->ctx, buf, (size_t)n);
            if (r < 0) {
                break;
            }
        }
        close(fd);
    }
    return r < 0 ? r : v->end(v->ctx);
}

int customs_dir_walk(int rootfd, const char *root, const struct customs_limits *limits,
                     const struct customs_walk_visitor *v, struct customs_error *err)
{
    struct customs_vec stack; /* char *: image paths of directories still to read */
    struct customs_buf shown; /* root + image path */
    uint64_t entries = 0;
    int r = 0;
    uint8_t *buf = customs_malloc(READ_CHUNK);
    char *link = customs_malloc((size_t)limits->max_path + 1);
    customs_vec_init(&stack, sizeof(char *));
    customs_buf_init(&shown, 0);
    char **top = customs_vec_push(&stack);
    if (buf == NULL || link == NULL || top == NULL || (*top = customs_strdup("/")) == NULL) {
        r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        if (top != NULL) {
            *top = NULL;
        }
    }
    while (r == 0 && stack.len > 0) {
        char *dir = *(char **)customs_vec_at(&stack, --stack.len);
        customs_buf_reset(&shown);
        if (customs_buf_printf(&shown, "%s%s", root, dir) < 0) {
            customs_free(dir);
            r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            break;
        }
        /* by its path under the root: a directory swapped for a symlink since is not entered */
        struct customs_error derr = {0};
        int dfd = -1;
        int dr = customs_open_checked(&dfd, rootfd, dir[1] != '\0' ? dir + 1 : ".",
                                      customs_buf_cstr(&shown), true, &derr);
        if (dr < 0) {
            if (strcmp(dir, "/") == 0) {
                *err = derr;
                r = dr;
            }
            customs_free(dir);
            continue; /* unreadable directory: skipped */
        }
        if (strcmp(dir, "/") != 0 && pseudo_fs(dfd)) {
            close(dfd);
            customs_free(dir);
            continue;
        }
        DIR *d = fdopendir(dfd);
        if (d == NULL) {
            close(dfd);
            customs_free(dir);
            continue;
        }
        struct dirent *de;
        while (r == 0 && (de = readdir(d)) != NULL) {
            struct stat st;
            struct customs_entry e;
            char *path;
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
                continue;
            }
            if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                continue;
            }
            if (++entries > limits->max_entries) {
                r = customs_error_set(err, CUSTOMS_ELIMIT,
                                      "%s: too many entries (over %llu, --max-entries)", root,
                                      (unsigned long long)limits->max_entries);
                break;
            }
            size_t plen = strlen(dir) + strlen(de->d_name) + 2;
            if (plen > limits->max_path) {
                continue; /* the kernel allows what an image may not; not an attack here */
            }
            path = customs_malloc(plen);
            if (path == NULL) {
                r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
                break;
            }
            snprintf(path, plen, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", de->d_name);
            memset(&e, 0, sizeof(e));
            e.path = path;
            e.layer = -1;
            e.mode = (uint32_t)(st.st_mode & 07777);
            e.size = (uint64_t)st.st_size;
            if (S_ISREG(st.st_mode)) {
                e.type = CUSTOMS_ENTRY_FILE;
            } else if (S_ISDIR(st.st_mode)) {
                e.type = CUSTOMS_ENTRY_DIR;
            } else if (S_ISLNK(st.st_mode)) {
                ssize_t n = readlinkat(dfd, de->d_name, link, limits->max_path);
                if (n < 0) {
                    n = 0;
                }
                link[n] = '\0';
                e.type = CUSTOMS_ENTRY_SYMLINK;
                e.link = link;
            } else {
                e.type = CUSTOMS_ENTRY_OTHER;
            }
            r = v->entry(v->ctx, &e);
            if (r == 1 && e.type == CUSTOMS_ENTRY_FILE) {
                r = feed_file(dfd, de->d_name, &st, v, buf);
            }
            if (r >= 0 && e.type == CUSTOMS_ENTRY_DIR) {
                char **slot = customs_vec_push(&stack);
                if (slot == NULL) {
                    r = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
                } else {
                    *slot = path;
                    path = NULL;
                }
            }
            customs_free(path);
            if (r > 0) {
                r = 0;
            }
        }
        closedir(d);
        customs_free(dir);
    }
    for (size_t i = 0; i < stack.len; i++) {
        customs_free(*(char **)customs_vec_at(&stack, i));
    }
    customs_vec_release(&stack);
    customs_buf_release(&shown);
    customs_free(buf);
    customs_free(link);
    return r;
}
