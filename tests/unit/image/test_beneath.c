/* SPDX-License-Identifier: Apache-2.0 */
/* Opening files under an image directory: openat2 and the O_NOFOLLOW walk used where the
 * kernel has no openat2 refuse the same things (symlinks anywhere on the path, "..", FIFOs and
 * devices) and open the same regular files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/blob.h"

struct tree {
    char root[64];
    int fd;
};

static void put(const struct tree *t, const char *rel, const char *text)
{
    int fd = openat(t->fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* root/{blobs/sha256/good, blobs/sha256/fifo, blobs/sha256/zero -> /dev/zero,
 *       blobs/sha256/out -> ../../../outside, blobs/up -> sha256, inner-link -> blobs}
 * and root/../outside beside it */
static int setup(void **state)
{
    struct tree *t = calloc(1, sizeof(*t));
    char outside[128];
    snprintf(t->root, sizeof(t->root), "%s", "/tmp/customs-beneath.XXXXXX");
    if (mkdtemp(t->root) == NULL) {
        return -1;
    }
    t->fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (t->fd < 0 || mkdirat(t->fd, "layout", 0755) != 0) {
        return -1;
    }
    int dfd = openat(t->fd, "layout", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    snprintf(outside, sizeof(outside), "%s/outside", t->root);
    int ofd = open(outside, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (ofd < 0) {
        return -1;
    }
    close(ofd);
    close(t->fd);
    t->fd = dfd;
    if (dfd < 0 || mkdirat(t->fd, "blobs", 0755) != 0 ||
        mkdirat(t->fd, "blobs/sha256", 0755) != 0 ||
        mkfifoat(t->fd, "blobs/sha256/fifo", 0644) != 0 ||
        symlinkat("/dev/zero", t->fd, "blobs/sha256/zero") != 0 ||
        symlinkat("../../../outside", t->fd, "blobs/sha256/out") != 0 ||
        symlinkat("sha256", t->fd, "blobs/up") != 0 ||
        symlinkat("blobs", t->fd, "inner-link") != 0) {
        return -1;
    }
    put(t, "blobs/sha256/good", "bytes");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;
    char cmd[128];
    close(t->fd);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
    if (system(cmd) != 0) {
        return -1;
    }
    free(t);
    return 0;
}

static void beneath__opens_regular_files_and_directories(void **state)
{
    struct tree *t = *state;
    struct customs_error err = {0};
    char buf[8] = {0};
    int fd = -1;
    assert_int_equal(customs_open_checked(&fd, t->fd, "blobs/sha256/good", "good", false, &err),
                     0);
    assert_int_equal(read(fd, buf, sizeof(buf) - 1), 5);
    assert_string_equal(buf, "bytes");
    close(fd);
    assert_int_equal(customs_open_checked(&fd, t->fd, "blobs", "blobs", true, &err), 0);
    close(fd);
    fd = customs_beneath_walk(t->fd, "blobs/sha256/good", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    close(fd);
}

static void beneath__refuses_fifos_devices_and_symlinks(void **state)
{
    struct tree *t = *state;
    static const char *const refused[] = {
        "blobs/sha256/fifo", "blobs/sha256/zero", "blobs/sha256/out", "blobs/up/good",
        "inner-link/sha256/good", "blobs/../../outside", "../outside", "/etc/passwd",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct customs_error err = {0};
        int fd = -1;
        int r = customs_open_checked(&fd, t->fd, refused[i], refused[i], false, &err);
        assert_true(r < 0);
        assert_int_equal(fd, -1);
        assert_non_null(strstr(err.message, refused[i]));
    }
}

/* The fallback walk, which openat2 hides on any recent kernel, called directly. */
static void beneath__walk_refuses_what_openat2_refuses(void **state)
{
    struct tree *t = *state;
    static const struct {
        const char *rel;
        int err;
    } refused[] = {
        {"blobs/sha256/zero", ELOOP}, {"blobs/sha256/out", ELOOP}, {"blobs/up/good", ELOOP},
        {"inner-link/sha256/good", ELOOP}, {"blobs/../../outside", EXDEV},
        {"../outside", EXDEV},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        errno = 0;
        int fd = customs_beneath_walk(t->fd, refused[i].rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
            close(fd);
            fail_msg("%s: opened", refused[i].rel);
        }
        if (errno != refused[i].err) {
            fail_msg("%s: errno %d, want %d", refused[i].rel, errno, refused[i].err);
        }
    }
    /* a FIFO opens without blocking; customs_open_checked's fstat then refuses it */
    int fd = customs_beneath_walk(t->fd, "blobs/sha256/fifo", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(beneath__opens_regular_files_and_directories),
        cmocka_unit_test(beneath__refuses_fifos_devices_and_symlinks),
        cmocka_unit_test(beneath__walk_refuses_what_openat2_refuses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
