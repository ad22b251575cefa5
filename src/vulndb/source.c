/* SPDX-License-Identifier: Apache-2.0 */
/* Sources on disk: detecting their kind, reading files, directories, zips and JSON Lines, and
 * recording each source with its checksum and counts. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vulndb/import.h"

#include "core/banned.h"

#define DIR_MAX_DEPTH 32
#define DIR_MAX_FILES 2000000

int import_skip_or_fail(const struct customs_vulndb_import_options *opt,
                        struct customs_vulndb_counts *counts, struct customs_error *err)
{
    int code = err != NULL && err->code != 0 ? err->code : CUSTOMS_EMALFORMED;
    if (opt == NULL || !opt->keep_going || code == CUSTOMS_ENOMEM || code == CUSTOMS_EIO) {
        return code;
    }
    if (opt->warn != NULL && err != NULL) {
        opt->warn(err->message, opt->payload);
    }
    counts->skipped++;
    customs_error_clear(err);
    return 0;
}

void import_bad_vector(const struct customs_vulndb_import_options *opt, const char *name,
                       struct customs_vulndb_counts *counts, struct customs_error *err)
{
    counts->bad_vectors++;
    if (opt != NULL && opt->warn != NULL && err != NULL) {
        char message[CUSTOMS_ERROR_MESSAGE_MAX + 64];
        snprintf(message, sizeof(message), "%s: %s (vector not used)", name, err->message);
        opt->warn(message, opt->payload);
    }
    customs_error_clear(err);
}

size_t import_line_of(const uint8_t *data, size_t len, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        line += data[i] == '\n';
    }
    return line;
}

const char *import_severity_word(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    if (strcasecmp(s, "critical") == 0) {
        return "CRITICAL";
    }
    if (strcasecmp(s, "high") == 0 || strcasecmp(s, "important") == 0) {
        return "HIGH";
    }
    if (strcasecmp(s, "moderate") == 0 || strcasecmp(s, "medium") == 0) {
        return "MEDIUM";
    }
    if (strcasecmp(s, "low") == 0 || strcasecmp(s, "negligible") == 0 ||
        strcasecmp(s, "unimportant") == 0) {
        return "LOW";
    }
    return NULL;
}

const char *customs_vulndb_kind_name(enum customs_vulndb_kind kind)
{
    switch (kind) {
    case CUSTOMS_VULNDB_KIND_DEBIAN_TRACKER:
        return "debian-tracker";
    case CUSTOMS_VULNDB_KIND_ALPINE_SECDB:
        return "alpine-secdb";
    case CUSTOMS_VULNDB_KIND_OSV:
        return "osv";
    case CUSTOMS_VULNDB_KIND_NVD:
        return "nvd";
    default:
        return "unknown";
    }
}

/* ---- reading files ---- */

static int read_file(struct customs_buf *out, const char *path, uint64_t max,
                     struct customs_error *err)
{
    char chunk[65536];
    int fd = customs_file_open_read(path); /* a FIFO or device: refused, not waited on */
    if (fd < 0) {
        return customs_error_set(err,
                                 errno == ENOENT   ? CUSTOMS_ENOTFOUND
                                 : errno == EINVAL ? CUSTOMS_EUNSUPPORTED
                                                   : CUSTOMS_EIO,
                                 "%s: %s", path,
                                 errno == EINVAL ? "not a regular file" : strerror(errno));
    }
    customs_buf_init(out, max > SIZE_MAX ? SIZE_MAX : (size_t)max);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int rc = customs_error_set(err, CUSTOMS_EIO, "%s: %s", path, strerror(errno));
            close(fd);
            customs_buf_release(out);
            return rc;
        }
        if (n == 0) {
            break;
        }
        int rc = customs_buf_append(out, chunk, (size_t)n);
        if (rc != 0) {
            close(fd);
            customs_buf_release(out);
            return customs_error_set(err, rc, "%s: %s", path,
                                     rc == CUSTOMS_ELIMIT ? "larger than the size limit"
                                                          : "out of memory");
        }
    }
    close(fd);
    return 0;
}

static bool has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path);
    size_t e = strlen(ext);
    return n >= e && strcasecmp(path + n - e, ext) == 0;
}

static bool is_compressed(const char *path)
{
    return has_ext(path, ".gz") || has_ext(path, ".xz");
}

/* The decompressed bytes of a .gz or .xz file in `in`, at most `max` of them (or only the
 * first `max` when `head` is set, for detection). */
static int decompress(struct customs_buf *out, const char *path, const struct customs_buf *in,
                      uint64_t max, bool head, struct customs_error *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    char chunk[65536];
    la_ssize_t n = 0;
    int rc = 0;
    if (a == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_xz(a);
    archive_read_support_format_raw(a);
    customs_buf_init(out, max > SIZE_MAX ? SIZE_MAX : (size_t)max);
    if (archive_read_open_memory(a, in->ptr, in->len) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: cannot decompress: %s", path,
                               archive_error_string(a));
    }
    while (rc == 0 && (n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
        size_t take = (size_t)n;
        if (head && out->len + take > max) {
            take = (size_t)max - out->len;
        }
        if ((rc = customs_buf_append(out, chunk, take)) != 0) {
            customs_error_set(err, rc, "%s: %s", path,
                              rc == CUSTOMS_ELIMIT ? "larger than the size limit once decompressed"
                                                   : "out of memory");
        } else if (head && out->len >= max) {
            break;
        }
    }
    if (rc == 0 && n < 0) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: cannot decompress: %s", path,
                               archive_error_string(a));
    }
    archive_read_free(a);
    if (rc != 0) {
        customs_buf_release(out);
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All regular files under `dir` (recursively) whose names end in one of exts, sorted. */
static int list_dir(struct customs_vec *files, const char *dir, int depth,
                    const char *const *exts, struct customs_error *err)
{
    if (depth > DIR_MAX_DEPTH) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: directories nested too deeply", dir);
    }
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;
    if (d == NULL) {
        return customs_error_set(err, CUSTOMS_EIO, "%s: %s", dir, strerror(errno));
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct customs_buf p;
        struct stat st;
        if (e->d_name[0] == '.') {
            continue;
        }
        customs_buf_init(&p, 8192);
        rc = customs_buf_printf(&p, "%s/%s", dir, e->d_name);
        if (rc != 0) {
            customs_buf_release(&p);
            rc = rc == CUSTOMS_ENOMEM ? customs_error_set(err, rc, "out of memory")
                                      : customs_error_set(err, CUSTOMS_ELIMIT, "%s: path too long",
                                                          dir);
            break;
        }
        if (lstat(customs_buf_cstr(&p), &st) != 0) {
            rc = customs_error_set(err, CUSTOMS_EIO, "%s: %s", customs_buf_cstr(&p),
                                   strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = list_dir(files, customs_buf_cstr(&p), depth + 1, exts, err);
        } else if (S_ISREG(st.st_mode)) {
            for (size_t i = 0; exts[i] != NULL; i++) {
                if (has_ext(e->d_name, exts[i])) {
                    char **slot = NULL;
                    if (files->len >= DIR_MAX_FILES) {
                        rc = customs_error_set(err, CUSTOMS_ELIMIT, "%s: too many files", dir);
                    } else if ((slot = customs_vec_push(files)) == NULL) {
                        rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
                    } else {
                        *slot = customs_buf_detach(&p);
                    }
                    break;
                }
            }
        }
        customs_buf_release(&p);
    }
    closedir(d);
    if (rc == 0 && depth == 0 && files->len > 1) {
        qsort(files->items, files->len, sizeof(char *), cmp_str);
    }
    return rc;
}

static void free_list(struct customs_vec *files)
{
    for (size_t i = 0; i < files->len; i++) {
        customs_free(*(char **)customs_vec_at(files, i));
    }
    customs_vec_release(files);
}

/* ---- detection ---- */

static enum customs_vulndb_kind detect_bytes(const char *path, const char *head)
{
    if (strstr(head, "\"NVD_CVE\"") != NULL ||
        (strstr(head, "\"vulnStatus\"") != NULL && strstr(head, "\"sourceIdentifier\"") != NULL) ||
        (strstr(head, "\"vulnerabilities\"") != NULL && strstr(head, "\"cve\"") != NULL)) {
        return CUSTOMS_VULNDB_KIND_NVD;
    }
    if (strstr(head, "\"distroversion\"") != NULL || strstr(head, "\"secfixes\"") != NULL) {
        return CUSTOMS_VULNDB_KIND_ALPINE_SECDB;
    }
    if (strstr(head, "\"affected\"") != NULL || strstr(head, "\"schema_version\"") != NULL ||
        strstr(head, "\"modified\"") != NULL || has_ext(path, ".jsonl") ||
        has_ext(path, ".ndjson")) {
        return CUSTOMS_VULNDB_KIND_OSV;
    }
    if (strstr(head, "\"releases\"") != NULL) {
        return CUSTOMS_VULNDB_KIND_DEBIAN_TRACKER;
    }
    return CUSTOMS_VULNDB_KIND_UNKNOWN;
}

/* The kind of advisory file at `path`, from its name and first bytes; *rc: CUSTOMS_ENOMEM when
 * memory ran out looking (the kind is then unknown), else untouched. */
static enum customs_vulndb_kind detect_file(const char *path, int *rc)
{
    char head[8192];
    if (has_ext(path, ".zip")) {
        return CUSTOMS_VULNDB_KIND_OSV;
    }
    if (is_compressed(path)) {
        struct customs_buf in, out;
        enum customs_vulndb_kind kind = CUSTOMS_VULNDB_KIND_UNKNOWN;
        int r = read_file(&in, path, IMPORT_MAX_FILE_BYTES, NULL);
        if (r == 0) {
            r = decompress(&out, path, &in, sizeof(head) - 1, true, NULL);
            customs_buf_release(&in);
        }
        if (r == 0) {
            memcpy(head, out.ptr, out.len);
            head[out.len] = '\0';
            kind = detect_bytes(path, head);
            customs_buf_release(&out);
        }
        if (r == CUSTOMS_ENOMEM) {
            *rc = r;
        }
        return kind;
    }
    FILE *f = customs_fopen_read(path);
    if (f == NULL) {
        return CUSTOMS_VULNDB_KIND_UNKNOWN;
    }
    size_t n = fread(head, 1, sizeof(head) - 1, f);
    fclose(f);
    head[n] = '\0';
    return detect_bytes(path, head);
}

enum customs_vulndb_kind customs_vulndb_detect(const char *path, struct customs_error *err)
{
    static const char *const exts[] = {".json", ".jsonl", ".zip", ".json.gz", ".json.xz", NULL};
    struct stat st;
    if (stat(path, &st) != 0) {
        customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: %s", path, strerror(errno));
        return CUSTOMS_VULNDB_KIND_UNKNOWN;
    }
    enum customs_vulndb_kind kind = CUSTOMS_VULNDB_KIND_UNKNOWN;
    int rc = 0;
    if (S_ISDIR(st.st_mode)) {
        struct customs_vec files;
        customs_vec_init(&files, sizeof(char *));
        rc = list_dir(&files, path, 0, exts, err);
        if (rc == 0 && files.len > 0) {
            kind = detect_file(*(char **)customs_vec_at(&files, 0), &rc);
        }
        free_list(&files);
    } else {
        kind = detect_file(path, &rc);
    }
    if (rc == CUSTOMS_ENOMEM) {
        customs_error_set(err, rc, "out of memory");
    } else if (rc == 0 && kind == CUSTOMS_VULNDB_KIND_UNKNOWN) {
        customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                          "%s: not a recognised advisory source (Debian tracker JSON, Alpine"
                          " secdb JSON, OSV .json/.jsonl/.zip, NVD CVE API 2.0 .json/.json.gz/"
                          ".json.xz or a directory of them)", path);
    }
    return kind;
}

/* ---- importing ---- */

struct import_state {
    struct customs_vulndb_writer *w;
    enum customs_vulndb_kind kind;
    const struct customs_vulndb_import_options *opt;
    struct customs_vulndb_counts *counts;
    struct customs_sha256 sha;
    uint64_t max;
    time_t newest_mtime; /* of the files read: the data's date when its records have none */
};

static int import_zip(struct import_state *s, const char *path, const uint8_t *data, size_t len,
                      struct customs_error *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int rc = 0;
    uint64_t member = 0;
    if (a == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: not a zip archive: %s", path,
                               archive_error_string(a));
        archive_read_free(a);
        return rc;
    }
    int r;
    while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        member++;
        if (archive_entry_filetype(e) != AE_IFREG || name == NULL ||
            !(has_ext(name, ".json") || has_ext(name, ".jsonl"))) {
            continue;
        }
        if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > s->max) {
            rc = customs_error_set(err, CUSTOMS_ELIMIT, "%s: %s: member larger than the limit",
                                   path, name);
            break;
        }
        struct customs_buf b;
        char chunk[65536];
        la_ssize_t n;
        customs_buf_init(&b, (size_t)s->max);
        while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
            if ((rc = customs_buf_append(&b, chunk, (size_t)n)) != 0) {
                customs_error_set(err, rc, "%s: %s: member larger than the limit", path, name);
                break;
            }
        }
        if (rc == 0 && n < 0) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: %s: %s", path, name,
                                   archive_error_string(a));
        }
        if (rc == 0) {
            struct customs_buf label;
            customs_buf_init(&label, 8192);
            rc = customs_buf_printf(&label, "%.4000s:%.4000s", path, name);
            if (rc < 0) {
                rc = customs_error_set(err, rc, "out of memory");
            } else if (has_ext(name, ".jsonl")) {
                rc = customs_vulndb_import_osv_lines(s->w, customs_buf_cstr(&label),
                                                     (const uint8_t *)b.ptr, b.len, s->opt,
                                                     s->counts, err);
            } else {
                rc = customs_vulndb_import_osv(s->w, customs_buf_cstr(&label),
                                               (const uint8_t *)b.ptr, b.len, s->opt, s->counts,
                                               err);
            }
            customs_buf_release(&label);
        }
        customs_buf_release(&b);
    }
    if (rc == 0 && r != ARCHIVE_EOF) {
        rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: member %llu: %s", path,
                               (unsigned long long)member, archive_error_string(a));
    }
    archive_read_free(a);
    return rc;
}

static int import_file(struct import_state *s, const char *path, const char *rel,
                       struct customs_error *err)
{
    struct customs_buf b;
    struct stat st;
    int rc = read_file(&b, path, s->max, err);
    if (rc != 0) {
        return rc;
    }
    if (stat(path, &st) == 0 && st.st_mtime > s->newest_mtime) {
        s->newest_mtime = st.st_mtime;
    }
    if (rel != NULL) {
        customs_sha256_update(&s->sha, rel, strlen(rel) + 1);
    }
    customs_sha256_update(&s->sha, b.ptr, b.len);
    if (is_compressed(path)) {
        struct customs_buf plain;
        rc = decompress(&plain, path, &b, s->max, false, err);
        customs_buf_release(&b);
        if (rc != 0) {
            return rc;
        }
        b = plain;
    }
    const uint8_t *data = (const uint8_t *)b.ptr;
    if (s->kind == CUSTOMS_VULNDB_KIND_DEBIAN_TRACKER) {
        rc = customs_vulndb_import_debian(s->w, path, data, b.len, s->opt, s->counts, err);
    } else if (s->kind == CUSTOMS_VULNDB_KIND_ALPINE_SECDB) {
        rc = customs_vulndb_import_alpine(s->w, path, data, b.len, s->opt, s->counts, err);
    } else if (s->kind == CUSTOMS_VULNDB_KIND_NVD) {
        rc = customs_vulndb_import_nvd(s->w, path, data, b.len, s->opt, s->counts, err);
    } else if (has_ext(path, ".zip")) {
        rc = import_zip(s, path, data, b.len, err);
    } else if (has_ext(path, ".jsonl") || has_ext(path, ".ndjson")) {
        rc = customs_vulndb_import_osv_lines(s->w, path, data, b.len, s->opt, s->counts, err);
    } else {
        rc = customs_vulndb_import_osv(s->w, path, data, b.len, s->opt, s->counts, err);
    }
    customs_buf_release(&b);
    return rc;
}

/* "PyPI/all.zip" from ".../osv/PyPI/all.zip": the last two components name a source. */
static const char *source_name(const char *path, char *out, size_t outsz)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') {
        n--;
    }
    size_t start = n;
    int slashes = 0;
    while (start > 0) {
        if (path[start - 1] == '/' && ++slashes == 2) {
            break;
        }
        start--;
    }
    snprintf(out, outsz, "%.*s", (int)(n - start), path + start);
    return out;
}

int customs_vulndb_import_path(struct customs_vulndb_writer *w, enum customs_vulndb_kind kind,
                               const char *path, const struct customs_vulndb_import_options *opt,
                               struct customs_vulndb_counts *counts, struct customs_error *err)
{
    static const char *const exts[] = {".json", ".jsonl", ".ndjson", ".zip", ".json.gz",
                                       ".json.xz", NULL};
    struct import_state s;
    struct customs_vulndb_counts mine = {0};
    struct stat st;
    char digest[CUSTOMS_DIGEST_MAX];
    char name[512];
    int rc;
    if (kind == CUSTOMS_VULNDB_KIND_UNKNOWN) {
        kind = customs_vulndb_detect(path, err);
        if (kind == CUSTOMS_VULNDB_KIND_UNKNOWN) {
            return err != NULL ? err->code : CUSTOMS_EUNSUPPORTED;
        }
    }
    if (stat(path, &st) != 0) {
        return customs_error_set(err, CUSTOMS_ENOTFOUND, "%s: %s", path, strerror(errno));
    }
    memset(&s, 0, sizeof(s));
    s.w = w;
    s.kind = kind;
    s.opt = opt;
    s.counts = &mine;
    s.max = opt != NULL && opt->max_file_bytes != 0 ? opt->max_file_bytes : IMPORT_MAX_FILE_BYTES;
    if (customs_sha256_init(&s.sha) != 0) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "sha256: out of memory");
    }
    if (S_ISDIR(st.st_mode)) {
        if (kind == CUSTOMS_VULNDB_KIND_DEBIAN_TRACKER) {
            customs_sha256_release(&s.sha);
            return customs_error_set(err, CUSTOMS_EINVAL,
                                     "%s: the Debian tracker source is one file", path);
        }
        struct customs_vec files;
        customs_vec_init(&files, sizeof(char *));
        rc = list_dir(&files, path, 0, exts, err);
        size_t plen = strlen(path);
        for (size_t i = 0; rc == 0 && i < files.len; i++) {
            const char *f = *(char **)customs_vec_at(&files, i);
            rc = import_file(&s, f, f + plen, err);
        }
        free_list(&files);
    } else {
        rc = import_file(&s, path, NULL, err);
    }
    if (rc != 0) {
        customs_sha256_release(&s.sha);
        return rc;
    }
    if ((rc = customs_sha256_final(&s.sha, digest)) != 0) {
        return customs_error_set(err, rc, "sha256 failed");
    }
    char file_date[32] = "";
    struct tm tm;
    if (s.newest_mtime > 0 && gmtime_r(&s.newest_mtime, &tm) != NULL) {
        strftime(file_date, sizeof(file_date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    rc = customs_vulndb_writer_source(w, source_name(path, name, sizeof(name)),
                                      customs_vulndb_kind_name(kind), path, &mine, digest,
                                      file_date[0] != '\0' ? file_date : NULL, err);
    if (rc == 0) {
        counts->records += mine.records;
        counts->affected += mine.affected;
        counts->files += mine.files;
        counts->skipped += mine.skipped;
        counts->withdrawn += mine.withdrawn;
        counts->bad_vectors += mine.bad_vectors;
    }
    return rc;
}
