/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `customs scan -` / `customs sbom -`: an image archive on stdin. The archive reader needs random
 * access (it indexes the outer tar first, then reads members by offset, several layers at once),
 * so a pipe is spooled, bounded by --max-total-bytes, into an unnamed file: O_TMPFILE in
 * $TMPDIR (else /var/tmp), opened O_EXCL so it can never be linked into the filesystem and
 * disappears with the process. That is a copy of the archive itself, never of image content:
 * nothing is extracted. A stdin that is already a regular file (`< image.tar`) is read in place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#define SPOOL_CHUNK (1u << 20)

static const char *const stdin_prefixes[] = {"", "docker-archive:", "oci:"};

bool cli_target_is_stdin(const char *target)
{
    for (size_t i = 0; i < sizeof(stdin_prefixes) / sizeof(stdin_prefixes[0]); i++) {
        size_t n = strlen(stdin_prefixes[i]);
        if (strncmp(target, stdin_prefixes[i], n) == 0 && strcmp(target + n, "-") == 0) {
            return true;
        }
    }
    return false;
}

/* Copy stdin into fd, at most `max` bytes. @return 0 or -1 (message printed) */
static int spool_copy(int fd, const char *dir, uint64_t max)
{
    char *buf = malloc(SPOOL_CHUNK);
    uint64_t total = 0;
    int rc = 0;
    if (buf == NULL) {
        cli_error("stdin: out of memory");
        return -1;
    }
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, SPOOL_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            cli_error("stdin: read error: %s", strerror(errno));
            rc = -1;
            break;
        }
        if (n == 0) {
            break;
        }
        if ((uint64_t)n > max - total) {
            cli_error("stdin: larger than %" PRIu64 " bytes (--max-total-bytes)", max);
            rc = -1;
            break;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w <= 0) {
                cli_error("stdin: cannot spool into %s: %s", dir, strerror(errno));
                rc = -1;
                break;
            }
            done += w;
        }
        if (rc != 0) {
            break;
        }
        total += (uint64_t)n;
    }
    free(buf);
    if (rc == 0 && total == 0) {
        cli_error("stdin: empty (expected an image archive: docker save IMAGE | customs scan -)");
        rc = -1;
    }
    return rc;
}

int cli_stdin_spool(char *target_out, size_t outsz, const char *target, uint64_t max, int *fd_out)
{
    struct stat st;
    const char *prefix = "";
    *fd_out = -1;
    for (size_t i = 1; i < sizeof(stdin_prefixes) / sizeof(stdin_prefixes[0]); i++) {
        if (strncmp(target, stdin_prefixes[i], strlen(stdin_prefixes[i])) == 0) {
            prefix = stdin_prefixes[i];
        }
    }
    if (isatty(STDIN_FILENO)) {
        cli_error("stdin is a terminal: pipe an image archive into it"
                  " (docker save IMAGE | customs scan -)");
        return -1;
    }
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && lseek(STDIN_FILENO, 0, SEEK_CUR) == 0) {
        snprintf(target_out, outsz, "%s/proc/self/fd/%d", prefix, STDIN_FILENO);
        return 0;
    }
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] != '/') {
        dir = "/var/tmp";
    }
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        cli_error("stdin: cannot create an unnamed spool file in %s: %s", dir, strerror(errno));
        return -1;
    }
    if (spool_copy(fd, dir, max) != 0) {
        close(fd);
        return -1;
    }
    *fd_out = fd;
    snprintf(target_out, outsz, "%s/proc/self/fd/%d", prefix, fd);
    return 0;
}
