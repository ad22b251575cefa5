/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"

struct dir {
    char path[64];
};

static void dir_make(struct dir *d)
{
    snprintf(d->path, sizeof(d->path), "/tmp/customs-newfile-XXXXXX");
    assert_non_null(mkdtemp(d->path));
}

static void dir_remove(struct dir *d)
{
    DIR *dd = opendir(d->path);
    struct dirent *e;
    while (dd != NULL && (e = readdir(dd)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            char p[512];
            snprintf(p, sizeof(p), "%s/%s", d->path, e->d_name);
            unlink(p);
        }
    }
    if (dd != NULL) {
        closedir(dd);
    }
    rmdir(d->path);
}

static size_t dir_count(const struct dir *d)
{
    size_t n = 0;
    DIR *dd = opendir(d->path);
    struct dirent *e;
    while (dd != NULL && (e = readdir(dd)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    if (dd != NULL) {
        closedir(dd);
    }
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void expect_text(const char *path, const char *text)
{
    char buf[64] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, text);
}

static int put(const char *path, unsigned flags, const char *text)
{
    struct customs_newfile f;
    int r = customs_newfile_open(&f, AT_FDCWD, path, flags);
    if (r != 0) {
        return r;
    }
    assert_int_equal(write(f.fd, text, strlen(text)), (ssize_t)strlen(text));
    return customs_newfile_commit(&f);
}

static void newfile__replaces_what_stands_at_the_target_never_writes_through_it(void **state)
{
    (void)state;
    /* what may stand at the name a new file is committed to: it is replaced, never opened */
    static const struct planted {
        const char *what;
        bool fifo;     /* a FIFO nobody reads: opening it would wait for ever */
        bool via_link; /* the target is a symlink to it, not the thing itself */
    } cases[] = {
        {"a symlink to a file", false, true},
        {"a FIFO", true, false},
        {"a symlink to a FIFO", true, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct planted *c = &cases[i];
        struct dir d;
        char victim[128], target[128];
        struct stat st;
        print_message("# %s\n", c->what);
        dir_make(&d);
        snprintf(victim, sizeof(victim), "%s/victim", d.path);
        snprintf(target, sizeof(target), "%s/%s", d.path, c->via_link ? "link" : "victim");
        if (c->fifo) {
            assert_int_equal(mkfifo(victim, 0600), 0);
        } else {
            write_file(victim, "precious");
        }
        if (c->via_link) {
            assert_int_equal(symlink(victim, target), 0);
        }
        assert_int_equal(put(target, CUSTOMS_NEWFILE_DURABLE, "report"), 0);
        assert_int_equal(lstat(target, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        expect_text(target, "report");
        if (c->via_link) {
            /* what the link pointed to is as it was */
            assert_int_equal(lstat(victim, &st), 0);
            assert_true(c->fifo ? S_ISFIFO(st.st_mode) : S_ISREG(st.st_mode));
            if (!c->fifo) {
                expect_text(victim, "precious");
            }
        }
        assert_int_equal(dir_count(&d), c->via_link ? 2 : 1); /* no temporary file left */
        dir_remove(&d);
    }
}

static void newfile__modes_follow_the_umask_except_private_files(void **state)
{
    (void)state;
    struct dir d;
    char a[128], b[128], c[128];
    struct stat st;
    dir_make(&d);
    snprintf(a, sizeof(a), "%s/a", d.path);
    snprintf(b, sizeof(b), "%s/b", d.path);
    snprintf(c, sizeof(c), "%s/c", d.path);
    mode_t old = umask(022);
    assert_int_equal(put(a, 0, "x"), 0);
    assert_int_equal(put(b, CUSTOMS_NEWFILE_PRIVATE, "x"), 0);
    umask(0);
    assert_int_equal(put(c, CUSTOMS_NEWFILE_PRIVATE, "x"), 0);
    umask(old);
    assert_int_equal(stat(a, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(stat(b, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(c, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    dir_remove(&d);
}

static void newfile__abort_leaves_the_target_as_it_was(void **state)
{
    (void)state;
    struct dir d;
    char target[128];
    struct customs_newfile f;
    dir_make(&d);
    snprintf(target, sizeof(target), "%s/db", d.path);
    write_file(target, "old");
    assert_int_equal(customs_newfile_open(&f, AT_FDCWD, target, 0), 0);
    assert_int_equal(write(f.fd, "new", 3), 3);
    customs_newfile_abort(&f);
    expect_text(target, "old");
    assert_int_equal(dir_count(&d), 1);
    dir_remove(&d);
}

static void newfile__relative_to_a_directory_descriptor(void **state)
{
    (void)state;
    struct dir d;
    char victim[128], link[128];
    dir_make(&d);
    snprintf(victim, sizeof(victim), "%s/victim", d.path);
    snprintf(link, sizeof(link), "%s/entry", d.path);
    write_file(victim, "precious");
    assert_int_equal(symlink(victim, link), 0);
    int dfd = open(d.path, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    struct customs_newfile f;
    assert_int_equal(customs_newfile_open(&f, dfd, "entry", CUSTOMS_NEWFILE_PRIVATE), 0);
    assert_int_equal(write(f.fd, "sealed", 6), 6);
    assert_int_equal(customs_newfile_commit(&f), 0);
    close(dfd);
    expect_text(victim, "precious");
    expect_text(link, "sealed");
    dir_remove(&d);
}

static void tmpfile__never_opens_what_is_already_there(void **state)
{
    (void)state;
    struct dir d;
    char tmpl[128];
    struct stat st;
    dir_make(&d);
    snprintf(tmpl, sizeof(tmpl), "%s/.part-XXXXXX.json", d.path);
    int fd = customs_tmpfile_open(tmpl, 5, 0);
    assert_true(fd >= 0);
    assert_null(strstr(tmpl, "XXXXXX"));
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    close(fd);
    /* a template without its X's is refused, not used as a fixed name */
    char fixed[128];
    snprintf(fixed, sizeof(fixed), "%s/fixed", d.path);
    assert_int_equal(customs_tmpfile_open(fixed, 0, 0), -1);
    dir_remove(&d);
}

static void append__refuses_symlinks_fifos_and_devices(void **state)
{
    (void)state;
    struct dir d;
    char victim[128], link[128], fifo[128], log[128];
    dir_make(&d);
    snprintf(victim, sizeof(victim), "%s/victim", d.path);
    snprintf(link, sizeof(link), "%s/link", d.path);
    snprintf(fifo, sizeof(fifo), "%s/fifo", d.path);
    snprintf(log, sizeof(log), "%s/log", d.path);
    write_file(victim, "precious");
    assert_int_equal(symlink(victim, link), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(customs_file_open_append(link, 0), -1);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(customs_file_open_append(fifo, 0), -1); /* and returns: nobody reads it */
    assert_int_equal(customs_file_open_append("/dev/null", 0), -1);
    expect_text(victim, "precious");
    for (int i = 0; i < 2; i++) {
        int fd = customs_file_open_append(log, 0);
        assert_true(fd >= 0);
        assert_int_equal(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_APPEND), O_APPEND);
        assert_int_equal(write(fd, "line\n", 5), 5);
        close(fd);
    }
    expect_text(log, "line\nline\n");
    dir_remove(&d);
}

static void read__refuses_fifos_directories_and_devices(void **state)
{
    (void)state;
    struct dir d;
    char file[128], fifo[128];
    dir_make(&d);
    snprintf(file, sizeof(file), "%s/file", d.path);
    snprintf(fifo, sizeof(fifo), "%s/fifo", d.path);
    write_file(file, "text");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int fd = customs_file_open_read(file);
    assert_true(fd >= 0);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* reads wait as reads of files do */
    close(fd);
    fd = customs_file_open_read("/dev/null");
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(customs_file_open_read(d.path), -1);
    assert_int_equal(errno, EISDIR);
    assert_int_equal(customs_file_open_read(fifo), -1); /* and returns: nobody writes it */
    assert_int_equal(errno, EINVAL);
    assert_int_equal(customs_file_open_read("/dev/zero"), -1);
    assert_int_equal(errno, EINVAL);
    FILE *f = customs_fopen_read(file);
    assert_non_null(f);
    fclose(f);
    assert_null(customs_fopen_read(fifo));
    assert_int_equal(errno, EINVAL);
    /* a stream that cannot be made closes the descriptor it was given, keeping errno */
    fd = open(file, O_WRONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_null(customs_file_fdopen(fd, "r"));
    assert_int_equal(errno, EINVAL);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    assert_null(customs_file_fdopen(-1, "r"));
    dir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(newfile__replaces_what_stands_at_the_target_never_writes_through_it),
        cmocka_unit_test(newfile__modes_follow_the_umask_except_private_files),
        cmocka_unit_test(newfile__abort_leaves_the_target_as_it_was),
        cmocka_unit_test(newfile__relative_to_a_directory_descriptor),
        cmocka_unit_test(tmpfile__never_opens_what_is_already_there),
        cmocka_unit_test(append__refuses_symlinks_fifos_and_devices),
        cmocka_unit_test(read__refuses_fifos_directories_and_devices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
