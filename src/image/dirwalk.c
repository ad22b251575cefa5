/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A root filesystem directory walked like a layer: every entry handed to the visitor once,
 * file data streamed on request. Symlinks are reported, never followed; kernel pseudo
 * filesystems (/proc, /sys, cgroups, ...) are skipped by their filesystem type wherever they
 * are mounted, not by name (Trivy skips proc, sys and dev by name: but a directory of that
 * name in a root filesystem that is not a live one is ordinary content, and the tmpfs at
 * /dev/shm is where droppers put their miners). Other mounts, ext4 or tmpfs, are crossed.
 *
 * Reading is one file after the other on the visitor's thread (the analyzers keep per-file
 * state), which on a cold page cache waits on the disk for every file and every inode. A
 * second thread walks the same tree in the same order ahead of it, and for each file the
 * visitor will want asks the kernel to read it into the page cache (readahead(2)): the disk
 * gets many requests at once, and the visitor's reads find their bytes in memory. That thread
 * only warms the cache; what the visitor sees is what the walk itself reads. It keeps within
 * READ_AHEAD_BYTES and READ_AHEAD_ENTRIES of the visitor, so that it neither evicts what is
 * about to be read nor keeps the memory.
 */
#define _GNU_SOURCE /* readahead(2) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "image/blob.h"

#include "core/banned.h"

#define READ_CHUNK (256u * 1024)
#define READ_AHEAD_BYTES ((uint64_t)96 << 20) /* asked for and not yet read by the visitor */
#define READ_AHEAD_ENTRIES 20000u             /* entries walked ahead of the visitor */
#define READ_AHEAD_FILES 4096u                /* files asked for, not yet read */

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
 * a device or a symlink since is not read. -1 otherwise. */
static int open_seen(int dirfd, const char *name, const struct stat *st)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat now;
    if (fd >= 0 && (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino ||
                    now.st_dev != st->st_dev)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int feed_file(int dirfd, const char *name, const struct stat *st,
                     const struct customs_walk_visitor *v, uint8_t *buf)
{
    int fd = open_seen(dirfd, name, st);
    int r = 0;
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

/* ---- the walk, shared by the visitor's thread and the read-ahead thread ---- */

struct walk;
/* One entry: `dfd`/`name` where it is, `st` its lstat, `index` its place in the walk (from 0).
 * Returns a negative code to stop the walk, else 0. */
typedef int (*walk_fn)(struct walk *w, int dfd, const char *name, const struct stat *st,
                       const struct customs_entry *e, uint64_t index);

struct walk {
    int rootfd;
    const char *root;
    const struct customs_limits *limits;
    const struct customs_skip *skip;
    walk_fn on_entry;
    bool read_links;          /* symlink targets into the entries (the visitor's walk) */
    struct customs_error *err;
};

static int walk_run(struct walk *w)
{
    const struct customs_limits *limits = w->limits;
    struct customs_vec stack; /* char *: image paths of directories still to read */
    struct customs_buf shown; /* root + image path */
    uint64_t entries = 0;
    int r = 0;
    char *link = customs_malloc((size_t)limits->max_path + 1);
    customs_vec_init(&stack, sizeof(char *));
    customs_buf_init(&shown, 0);
    char **top = customs_vec_push(&stack);
    if (link == NULL || top == NULL || (*top = customs_strdup("/")) == NULL) {
        r = customs_error_set(w->err, CUSTOMS_ENOMEM, "out of memory");
        if (top != NULL) {
            *top = NULL;
        }
    }
    while (r == 0 && stack.len > 0) {
        char *dir = *(char **)customs_vec_at(&stack, --stack.len);
        customs_buf_reset(&shown);
        if (customs_buf_printf(&shown, "%s%s", w->root, dir) < 0) {
            customs_free(dir);
            r = customs_error_set(w->err, CUSTOMS_ENOMEM, "out of memory");
            break;
        }
        /* by its path under the root: a directory swapped for a symlink since is not entered */
        struct customs_error derr = {0};
        int dfd = -1;
        int dr = customs_open_checked(&dfd, w->rootfd, dir[1] != '\0' ? dir + 1 : ".",
                                      customs_buf_cstr(&shown), true, &derr);
        if (dr < 0) {
            if (strcmp(dir, "/") == 0) {
                *w->err = derr;
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
                r = customs_error_set(w->err, CUSTOMS_ELIMIT,
                                      "%s: too many entries (over %llu, --max-entries)", w->root,
                                      (unsigned long long)limits->max_entries);
                break;
            }
            size_t plen = strlen(dir) + strlen(de->d_name) + 2;
            if (plen > limits->max_path) {
                continue; /* the kernel allows what an image may not; not an attack here */
            }
            path = customs_malloc(plen);
            if (path == NULL) {
                r = customs_error_set(w->err, CUSTOMS_ENOMEM, "out of memory");
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
                ssize_t n = w->read_links ? readlinkat(dfd, de->d_name, link, limits->max_path)
                                          : 0;
                if (n < 0) {
                    n = 0;
                }
                link[n] = '\0';
                e.type = CUSTOMS_ENTRY_SYMLINK;
                e.link = link;
            } else {
                e.type = CUSTOMS_ENTRY_OTHER;
            }
            r = w->on_entry(w, dfd, de->d_name, &st, &e, entries - 1);
            if (r >= 0 && e.type == CUSTOMS_ENTRY_DIR && !customs_skip_dir(w->skip, path)) {
                char **slot = customs_vec_push(&stack);
                if (slot == NULL) {
                    r = customs_error_set(w->err, CUSTOMS_ENOMEM, "out of memory");
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
    customs_free(link);
    return r;
}

/* ---- reading ahead ---- */

struct ahead {
    struct walk w;
    customs_walk_wants_fn wants;
    void *ctx;
    _Atomic uint64_t visited; /* entries the visitor's walk has handed over */
    _Atomic int stop;
    /* files asked for and perhaps not yet read: a ring of (entry index, bytes) */
    uint64_t ring_index[READ_AHEAD_FILES];
    uint64_t ring_bytes[READ_AHEAD_FILES];
    size_t head, len;
    uint64_t pending; /* bytes in the ring */
    struct customs_error err; /* the read-ahead walk's own (never reported) */
};

/* Forget the files the visitor has reached. */
static void ahead_drop_read(struct ahead *a, uint64_t visited)
{
    while (a->len > 0 && a->ring_index[a->head] < visited) {
        a->pending -= a->ring_bytes[a->head];
        a->head = (a->head + 1) % READ_AHEAD_FILES;
        a->len--;
    }
}

static int ahead_entry(struct walk *w, int dfd, const char *name, const struct stat *st,
                       const struct customs_entry *e, uint64_t index)
{
    struct ahead *a = (struct ahead *)w;
    for (;;) {
        if (atomic_load_explicit(&a->stop, memory_order_relaxed)) {
            return CUSTOMS_ERROR;
        }
        uint64_t visited = atomic_load_explicit(&a->visited, memory_order_relaxed);
        ahead_drop_read(a, visited);
        if (index < visited) {
            return 0; /* behind the visitor: nothing to win on this one */
        }
        if (index - visited < READ_AHEAD_ENTRIES && a->len < READ_AHEAD_FILES &&
            a->pending < READ_AHEAD_BYTES) {
            break;
        }
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (e->type != CUSTOMS_ENTRY_FILE || e->size == 0 || !a->wants(a->ctx, e)) {
        return 0;
    }
    int fd = open_seen(dfd, name, st);
    if (fd < 0) {
        return 0;
    }
    uint64_t n = e->size < READ_AHEAD_BYTES ? e->size : READ_AHEAD_BYTES;
    (void)readahead(fd, 0, (size_t)n);
    close(fd);
    size_t slot = (a->head + a->len) % READ_AHEAD_FILES;
    a->ring_index[slot] = index;
    a->ring_bytes[slot] = n;
    a->len++;
    a->pending += n;
    return 0;
}

static void *ahead_main(void *arg)
{
    struct ahead *a = arg;
    (void)walk_run(&a->w);
    return NULL;
}

/* ---- the visitor's walk ---- */

struct visit {
    struct walk w;
    const struct customs_walk_visitor *v;
    uint8_t *buf;
    struct ahead *ahead; /* or NULL */
};

static int visit_entry(struct walk *w, int dfd, const char *name, const struct stat *st,
                       const struct customs_entry *e, uint64_t index)
{
    struct visit *vi = (struct visit *)w;
    if (vi->ahead != NULL) {
        atomic_store_explicit(&vi->ahead->visited, index, memory_order_relaxed);
    }
    int r = vi->v->entry(vi->v->ctx, e);
    if (r == 1 && e->type == CUSTOMS_ENTRY_FILE) {
        r = feed_file(dfd, name, st, vi->v, vi->buf);
    }
    return r;
}

int customs_dir_walk(int rootfd, const char *root, const struct customs_limits *limits,
                     const struct customs_skip *skip, customs_walk_wants_fn read_ahead,
                     const struct customs_walk_visitor *v, struct customs_error *err)
{
    struct visit vi = {{rootfd, root, limits, skip, visit_entry, true, err}, v, NULL, NULL};
    struct ahead *a = NULL;
    pthread_t tid;
    bool started = false;
    int r;
    vi.buf = customs_malloc(READ_CHUNK);
    if (vi.buf == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (read_ahead != NULL) {
        a = customs_calloc(1, sizeof(*a)); /* no read-ahead without the memory: not an error */
    }
    if (a != NULL) {
        a->w = (struct walk){rootfd, root, limits, skip, ahead_entry, false, &a->err};
        a->wants = read_ahead;
        a->ctx = v->ctx;
        atomic_init(&a->visited, 0);
        atomic_init(&a->stop, 0);
        started = pthread_create(&tid, NULL, ahead_main, a) == 0;
        vi.ahead = started ? a : NULL;
    }
    r = walk_run(&vi.w);
    if (started) {
        atomic_store(&a->stop, 1);
        pthread_join(tid, NULL);
    }
    customs_free(a);
    customs_free(vi.buf);
    return r;
}
