/* SPDX-License-Identifier: Apache-2.0 */
/* Output files written atomically, error lines, and the progress line. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/core.h"
#include "customs/report.h"

void cli_put_escaped(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; p[i] != '\0'; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            fprintf(fp, "\\x%02x", p[i]); /* ESC, CR, BEL...: never a terminal control */
        } else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] < 0xa0) {
            fprintf(fp, "\\u{%x}", p[i + 1]); /* a C1 control in UTF-8 */
            i++;
        } else {
            fputc(p[i], fp);
        }
    }
}

void cli_say(const char *fmt, ...)
{
    char msg[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_put_escaped(stderr, msg);
    fputc('\n', stderr);
}

int cli_color_option(const char **out, const char *when)
{
    if (strcmp(when, "auto") != 0 && strcmp(when, "always") != 0 && strcmp(when, "never") != 0) {
        cli_error("--color: '%s' is not auto, always or never", when);
        return -1;
    }
    *out = when;
    return 0;
}

/* always, never, or auto: the report goes to a terminal (stdout, no -o), NO_COLOR is unset or
 * empty (no-color.org) and TERM is not "dumb". */
bool cli_color_wanted(const char *when, const char *output)
{
    if (strcmp(when, "always") == 0 || strcmp(when, "never") == 0) {
        return strcmp(when, "always") == 0;
    }
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return output == NULL && isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0') &&
           (term == NULL || strcmp(term, "dumb") != 0);
}

void cli_error(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char renamed[sizeof(msg)];
    char placed[sizeof(msg)];
    if (cli_options_place(msg, placed, sizeof(placed))) {
        /* an option from the environment or the file: name that place, not the flag */
        customs_fmt_clip(msg, sizeof(msg), "%s", placed);
    }
    fputs("customs: ", stderr);
    /* messages carry paths and values from images and databases; an archive on stdin is "-" */
    cli_put_escaped(stderr, cli_stdin_rename(renamed, sizeof(renamed), msg));
    fputc('\n', stderr);
}

/*
 * FILE is written through customs_newfile (core.h): a new temporary file beside it, created
 * O_CREAT|O_EXCL|O_NOFOLLOW (so no planted name, symlink or FIFO is ever opened), synced and
 * renamed over FILE when complete: a symlink at FILE is replaced, never written through. The mode
 * is 0666 less the umask, as any tool's output; a report holding unredacted secrets (`private_`)
 * is 0600. A character device (/dev/null, a terminal) is written in place, /dev/stdout and
 * /dev/stderr are the process's own streams, and anything else that is not a regular file (a
 * FIFO, a socket, a directory) is refused.
 */
int cli_output_open(struct cli_output *o, const char *path, bool private_)
{
    memset(o, 0, sizeof(*o));
    if (path == NULL || strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0) {
        o->fp = stdout;
        return 0;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode)) {
        o->fp = customs_file_fdopen(open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC),
                                    "w");
        if (o->fp == NULL) {
            cli_error("%s: cannot open: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (strcmp(path, "/dev/stderr") == 0) {
        o->fp = fdopen(dup(STDERR_FILENO), "w");
        return o->fp != NULL ? 0 : -1;
    }
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
        cli_error("%s: not a regular file (a FIFO, socket or directory is not written to)",
                  path);
        return -1;
    }
    o->file = malloc(sizeof(*o->file));
    if (o->file == NULL) {
        cli_error("%s: out of memory", path);
        return -1;
    }
    int r = customs_newfile_open(o->file, AT_FDCWD, path,
                                 CUSTOMS_NEWFILE_DURABLE |
                                     (private_ ? CUSTOMS_NEWFILE_PRIVATE : 0u));
    if (r != 0) {
        if (r == CUSTOMS_ENOMEM) {
            cli_error("%s: out of memory", path);
        } else {
            cli_error("%s: cannot create: %s", path, strerror(errno));
        }
        free(o->file);
        o->file = NULL;
        return -1;
    }
    /* the stream has its own descriptor; the newfile's is synced and closed by its commit */
    o->fp = customs_file_fdopen(dup(o->file->fd), "w");
    if (o->fp == NULL) {
        cli_error("%s: cannot create: %s", path, strerror(errno));
        cli_output_discard(o);
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
        if (fflush(o->fp) != 0) {
            ok = false;
            rc = -1;
        }
        if (fclose(o->fp) != 0) {
            ok = false;
            rc = -1;
        }
        o->fp = NULL;
    }
    if (o->file != NULL) {
        const char *path = o->file->path;
        char shown[4096];
        snprintf(shown, sizeof(shown), "%s", path != NULL ? path : "");
        if (ok && customs_newfile_commit(o->file) != 0) {
            cli_error("%s: cannot write: %s", shown, strerror(errno));
            rc = -1;
        } else if (!ok) {
            customs_newfile_abort(o->file);
        }
        free(o->file);
        o->file = NULL;
    }
    return rc;
}

FILE *cli_append_open(const char *path)
{
    return customs_file_fdopen(customs_file_open_append(path, 0), "a");
}

void cli_output_discard(struct cli_output *o)
{
    /* The failure that made the caller give up is the one to report; a file that cannot be
     * closed or a temporary that cannot be removed adds nothing to it. */
    int rc = cli_output_close(o, false);
    (void)rc;
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

const char *cli_default_ignorefile(const char *given)
{
    if (given != NULL) {
        return given;
    }
    if (access(CLI_DEFAULT_IGNOREFILE, F_OK) == 0) {
        fprintf(stderr, "customs: using the ignore file %s (working directory)\n",
                CLI_DEFAULT_IGNOREFILE);
        return CLI_DEFAULT_IGNOREFILE;
    }
    return NULL;
}

void cli_ignore_warn(const struct customs_report_ignore *entries, size_t n)
{
    size_t total = 0;
    size_t applied = 0;
    size_t expired = 0;
    for (size_t i = 0; i < n; i++) {
        const struct customs_report_ignore *e = &entries[i];
        if (e->expired) {
            expired++;
            cli_error("ignore file: %s: %s expired on %s and no longer applies", e->where, e->id,
                      e->expires != NULL ? e->expires : "?");
        } else if (e->suppressed > 0) {
            applied++;
            total += e->suppressed;
            cli_error("ignore file: %s: %s suppressed %zu finding%s", e->where, e->id,
                      e->suppressed, e->suppressed == 1 ? "" : "s");
        }
    }
    if (n > 0) {
        cli_error("ignore file: %zu finding%s suppressed by %zu of %zu entr%s (%zu expired)", total,
                  total == 1 ? "" : "s", applied, n, n == 1 ? "y" : "ies", expired);
    }
}
