/* SPDX-License-Identifier: Apache-2.0 */
/* Output files written atomically, error lines, and the progress line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("customs: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_output_open(struct cli_output *o, const char *path)
{
    memset(o, 0, sizeof(*o));
    if (path == NULL || strcmp(path, "-") == 0) {
        o->fp = stdout;
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* /dev/null, a pipe, a terminal: written in place, never replaced */
        o->fp = fopen(path, "w");
        if (o->fp == NULL) {
            cli_error("%s: cannot open: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    size_t n = strlen(path) + 32;
    o->path = strdup(path);
    o->tmp_path = malloc(n);
    if (o->path == NULL || o->tmp_path == NULL) {
        cli_output_close(o, false);
        return -1;
    }
    snprintf(o->tmp_path, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp_path);
    if (fd < 0) {
        cli_error("%s: cannot create: %s", path, strerror(errno));
        free(o->tmp_path);
        o->tmp_path = NULL;
        cli_output_close(o, false);
        return -1;
    }
    o->fp = fdopen(fd, "w");
    if (o->fp == NULL) {
        close(fd);
        cli_output_close(o, false);
        return -1;
    }
    return 0;
}

int cli_output_close(struct cli_output *o, bool ok)
{
    int rc = 0;
    if (o->fp == stdout) {
        if (fflush(stdout) != 0) {
            rc = -1;
        }
        o->fp = NULL;
        return rc;
    }
    if (o->fp != NULL) {
        if (fflush(o->fp) != 0 || (o->tmp_path != NULL && fsync(fileno(o->fp)) != 0)) {
            ok = false;
            rc = -1;
        }
        if (fclose(o->fp) != 0) {
            ok = false;
            rc = -1;
        }
        o->fp = NULL;
    }
    if (o->tmp_path != NULL) {
        if (ok && rename(o->tmp_path, o->path) != 0) {
            cli_error("%s: cannot write: %s", o->path, strerror(errno));
            rc = -1;
            ok = false;
        }
        if (!ok) {
            unlink(o->tmp_path);
        }
    }
    free(o->tmp_path);
    free(o->path);
    o->tmp_path = NULL;
    o->path = NULL;
    return rc;
}

void cli_progress(unsigned done, unsigned total, unsigned long long bytes_in,
                  unsigned long long bytes_out, void *payload)
{
    (void)bytes_in;
    double *start = payload;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    double secs = now - *start;
    double mb = (double)bytes_out / 1e6;
    fprintf(stderr, "\r\033[Klayers %u/%u  %.0f MB  %.0f MB/s", done, total, mb,
            secs > 0 ? mb / secs : 0.0);
    if (done == total) {
        fputc('\n', stderr);
    }
}
