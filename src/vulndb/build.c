/* SPDX-License-Identifier: Apache-2.0 */
/* customs_db_build: import advisory files into a new database, renamed into place when
 * complete (include/customs/vulndb.h). */
#include "vulndb/update.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

const char *customs_vulndb_stopped(sig_atomic_t stop)
{
    return stop == CUSTOMS_DB_STOP_DEADLINE ? "stopped: the update's deadline passed (--timeout)"
                                            : "interrupted";
}

void customs_vulndb_say(const struct customs_vulndb_say *say, enum customs_db_message level,
                        const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    if (say == NULL || say->fn == NULL) {
        return;
    }
    va_start(ap, fmt);
    customs_vfmt_clip(text, sizeof(text), fmt, ap);
    va_end(ap);
    say->fn(level, text, say->payload);
}

static void build_warn(const char *message, void *payload)
{
    customs_vulndb_say(payload, CUSTOMS_DB_WARNING, "skipped: %s", message);
}

/* "KIND PATH: N records, N affected rows, N files[, N withdrawn][, N SKIPPED]..." */
static void build_note(const struct customs_vulndb_say *say, enum customs_vulndb_kind kind,
                       const char *path, const struct customs_vulndb_counts *cnt)
{
    struct customs_buf b;
    int rc = 0;
    customs_buf_init(&b, 8192);
    customs_buf_addf(&b, &rc,
                     "%-15s %s: %" PRIu64 " records, %" PRIu64 " affected rows, %" PRIu64
                     " files",
                     customs_vulndb_kind_name(kind), path, cnt->records, cnt->affected,
                     cnt->files);
    if (cnt->withdrawn != 0) {
        customs_buf_addf(&b, &rc, ", %" PRIu64 " withdrawn", cnt->withdrawn);
    }
    if (cnt->skipped != 0) {
        customs_buf_addf(&b, &rc, ", %" PRIu64 " SKIPPED", cnt->skipped);
    }
    if (cnt->bad_vectors != 0) {
        customs_buf_addf(&b, &rc, ", %" PRIu64 " CVSS vectors not scorable", cnt->bad_vectors);
    }
    customs_vulndb_say(say, CUSTOMS_DB_NOTE, "%s", customs_buf_cstr(&b));
    customs_buf_release(&b);
}

static bool build_stopped(const struct customs_db_build_options *o)
{
    return o->stop != NULL && *o->stop != 0;
}

int customs_db_build(size_t *failed, const char *out, const char *const *paths, size_t n,
                     const struct customs_db_build_options *opts, struct customs_error *err)
{
    struct customs_db_build_options none = {0};
    const struct customs_db_build_options *o = opts != NULL ? opts : &none;
    struct customs_vulndb_say say = {o->message, o->payload};
    struct customs_vulndb_import_options imp = {o->keep_going, o->max_file_bytes, build_warn,
                                                &say};
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_counts total = {0};
    char *tmp = NULL;
    int rc = 0;
    if (failed != NULL) {
        *failed = n;
    }
    size_t len = strlen(out) + 16;
    tmp = customs_malloc(len);
    if (tmp == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    rc = customs_fmt(tmp, len, "%s.tmp-XXXXXX", out);
    int fd = rc == 0 ? customs_tmpfile_open(tmp, 0, 0) : -1;
    if (fd < 0) {
        rc = customs_error_set(err, CUSTOMS_EIO, "%s: cannot create: %s", out, strerror(errno));
        customs_free(tmp);
        return rc;
    }
    close(fd);
    rc = customs_vulndb_writer_open(&w, tmp, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct customs_vulndb_counts cnt = {0};
        enum customs_vulndb_kind kind = customs_vulndb_detect(paths[i], err);
        if (kind == CUSTOMS_VULNDB_KIND_UNKNOWN) {
            rc = err->code < 0 ? err->code : CUSTOMS_EMALFORMED;
        } else {
            rc = customs_vulndb_import_path(w, kind, paths[i], &imp, &cnt, err);
        }
        if (rc != 0) {
            if (failed != NULL) {
                *failed = i;
            }
            break;
        }
        build_note(&say, kind, paths[i], &cnt);
        total.records += cnt.records;
        total.affected += cnt.affected;
        total.skipped += cnt.skipped;
        if (build_stopped(o)) {
            rc = customs_error_set(err, CUSTOMS_EINVAL,
                                   "%s: interrupted, database left as it was", out);
        }
    }
    for (size_t i = 0; rc == 0 && o->meta != NULL && o->meta[i] != NULL; i += 2) {
        rc = customs_vulndb_writer_meta(w, o->meta[i], o->meta[i + 1], err);
    }
    if (rc == 0) {
        rc = customs_vulndb_writer_finish(w, err);
    }
    if (rc == 0 && build_stopped(o)) {
        rc = customs_error_set(err, CUSTOMS_EINVAL, "%s: interrupted, database left as it was",
                               out);
    }
    customs_vulndb_writer_close(w);
    if (rc == 0 && rename(tmp, out) != 0) {
        rc = customs_error_set(err, CUSTOMS_EIO, "%s: cannot rename into place: %s", out,
                               strerror(errno));
    }
    if (rc != 0) {
        unlink(tmp);
    } else {
        customs_vulndb_say(&say, CUSTOMS_DB_NOTE,
                           "wrote %s: %" PRIu64 " records, %" PRIu64 " affected rows%s", out,
                           total.records, total.affected,
                           total.skipped ? " (some records skipped)" : "");
    }
    customs_free(tmp);
    return rc;
}
