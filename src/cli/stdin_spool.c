/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `customs scan -` / `customs sbom -`: an image archive on stdin. The archive reader needs random
 * access (it indexes the outer tar first, then reads members by offset, several layers at once),
 * so a pipe is spooled, bounded by --max-total-bytes, into an unnamed file: O_TMPFILE in
 * $TMPDIR (else /var/tmp), opened O_EXCL so it can never be linked into the filesystem and
 * disappears with the process. That is a copy of the archive itself, never of image content:
 * nothing is extracted. A stdin that is already a regular file (`< image.tar`) is read in place.
 * One image of several is named as in a file, the selector after the path, here `-`
 * (`docker-archive:-:REPO:TAG`, `docker-archive:-:@1`, `oci:-:REF`): as for a file, a selector
 * needs the transport prefix (a bare `-:@1` would read as options). Messages and lists name the
 * spool `-`, never /proc/self/fd/N.
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
#include "core/core.h"

#define SPOOL_CHUNK (1u << 20)

static const char *const stdin_prefixes[] = {"", "docker-archive:", "oci:"};

/* The spool as the library sees it ("/proc/self/fd/N"), for cli_stdin_rename; empty if none. */
static char stdin_spool_path[32];

/* The transport prefix of a stdin target ("", "docker-archive:", "oci:"), or NULL when `target`
 * is no stdin target; *sel_out: the selector after "-:" (a prefixed target only), or NULL. */
static const char *stdin_prefix(const char *target, const char **sel_out)
{
    const char *found = NULL;
    *sel_out = NULL;
    for (size_t i = 0; i < sizeof(stdin_prefixes) / sizeof(stdin_prefixes[0]); i++) {
        size_t n = strlen(stdin_prefixes[i]);
        if (strncmp(target, stdin_prefixes[i], n) == 0 && target[n] == '-' &&
            (target[n + 1] == '\0' || (n > 0 && target[n + 1] == ':'))) {
            found = stdin_prefixes[i];
            *sel_out = target[n + 1] == ':' ? target + n + 2 : NULL;
        }
    }
    return found;
}

bool cli_target_is_stdin(const char *target)
{
    const char *sel;
    return stdin_prefix(target, &sel) != NULL;
}

const char *cli_stdin_rename(char *buf, size_t bufsz, const char *text)
{
    size_t plen = strlen(stdin_spool_path);
    const char *at = plen > 0 ? strstr(text, stdin_spool_path) : NULL;
    size_t len = 0;
    if (at == NULL) {
        return text;
    }
    for (const char *p = text; *p != '\0' && len + 1 < bufsz;) {
        at = strstr(p, stdin_spool_path);
        if (at != NULL && (at[plen] < '0' || at[plen] > '9')) {
            size_t n = (size_t)(at - p);
            n = n < bufsz - len - 2 ? n : bufsz - len - 2;
            memcpy(buf + len, p, n);
            len += n;
            buf[len++] = '-';
            p = at + plen;
        } else {
            size_t n = strlen(p);
            n = n < bufsz - len - 1 ? n : bufsz - len - 1;
            memcpy(buf + len, p, n);
            len += n;
            p += n;
        }
    }
    buf[len] = '\0';
    return buf;
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

int cli_stdin_spool(char *target_out, size_t outsz, const char *target,
                    const struct customs_limits *limits, int *fd_out)
{
    struct stat st;
    const char *sel = NULL;
    const char *prefix = stdin_prefix(target, &sel);
    int fd = -1;
    *fd_out = -1;
    if (prefix == NULL) {
        prefix = "";
    }
    if (isatty(STDIN_FILENO)) {
        cli_error("stdin is a terminal: pipe an image archive into it"
                  " (docker save IMAGE | customs scan -)");
        return -1;
    }
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && lseek(STDIN_FILENO, 0, SEEK_CUR) == 0) {
        snprintf(stdin_spool_path, sizeof(stdin_spool_path), "/proc/self/fd/%d", STDIN_FILENO);
    } else {
        const char *dir = getenv("TMPDIR");
        if (dir == NULL || dir[0] != '/') {
            dir = "/var/tmp";
        }
        fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            cli_error("stdin: cannot create an unnamed spool file in %s: %s", dir,
                      strerror(errno));
            return -1;
        }
        if (spool_copy(fd, dir, limits->max_total_bytes) != 0) {
            close(fd);
            return -1;
        }
        snprintf(stdin_spool_path, sizeof(stdin_spool_path), "/proc/self/fd/%d", fd);
    }
    if (customs_fmt(target_out, outsz, "%s%s%s%s", prefix, stdin_spool_path,
                    sel != NULL ? ":" : "", sel != NULL ? sel : "") != 0) {
        cli_error("%s: the image selector is too long", target);
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    *fd_out = fd;
    return 0;
}
