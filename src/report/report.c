/* SPDX-License-Identifier: Apache-2.0 */
/* Format dispatch for the report writers, and what the writers share. */
#include "customs/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "report/writers.h"
#include "core/banned.h"

int customs_format_parse(enum customs_format *out, const char *name)
{
    static const struct {
        const char *name;
        enum customs_format format;
    } names[] = {
        {"table", CUSTOMS_FORMAT_TABLE},
        {"json", CUSTOMS_FORMAT_JSON},
        {"cyclonedx", CUSTOMS_FORMAT_CYCLONEDX},
        {"spdx", CUSTOMS_FORMAT_SPDX},
        {"sarif", CUSTOMS_FORMAT_SARIF},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].format;
            return 0;
        }
    }
    return CUSTOMS_EINVAL;
}

int customs_report_write(const struct customs_report *report, enum customs_format format,
                         FILE *out, struct customs_error *err)
{
    return customs_report_write_with(report, format, NULL, out, err);
}

int customs_report_write_with(const struct customs_report *report, enum customs_format format,
                              const struct customs_report_write_options *options, FILE *out,
                              struct customs_error *err)
{
    static const struct customs_report_write_options defaults = {0};
    if (report == NULL || out == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL, "customs_report_write: NULL argument");
    }
    switch (format) {
    case CUSTOMS_FORMAT_TABLE:
        return customs_report_write_table(report, options != NULL ? options : &defaults, out,
                                          err);
    case CUSTOMS_FORMAT_JSON:
        return customs_report_write_json(report, out, err);
    case CUSTOMS_FORMAT_CYCLONEDX:
        return customs_report_write_cyclonedx(report, out, err);
    case CUSTOMS_FORMAT_SPDX:
        return customs_report_write_spdx(report, out, err);
    case CUSTOMS_FORMAT_SARIF:
        return customs_report_write_sarif(report, out, err);
    }
    return customs_error_set(err, CUSTOMS_EINVAL, "customs_report_write: unknown format %d",
                             (int)format);
}

int customs_reports_write(const struct customs_report *const *reports, size_t n,
                          const char *source, enum customs_format format, FILE *out,
                          struct customs_error *err)
{
    if ((reports == NULL && n > 0) || source == NULL || out == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL, "customs_reports_write: NULL argument");
    }
    for (size_t i = 0; i < n; i++) {
        if (reports[i] == NULL) {
            return customs_error_set(err, CUSTOMS_EINVAL, "customs_reports_write: NULL report");
        }
    }
    switch (format) {
    case CUSTOMS_FORMAT_JSON:
        return customs_reports_write_json(reports, n, source, out, err);
    case CUSTOMS_FORMAT_SARIF:
        return customs_reports_write_sarif(reports, n, true, out, err);
    case CUSTOMS_FORMAT_TABLE:
        for (size_t i = 0; i < n; i++) {
            const char *name = reports[i]->target.name;
            fprintf(out, "%sImage %zu of %zu: ", i > 0 ? "\n" : "", i + 1, n);
            for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++) {
                fprintf(out, *c < 0x20 || *c == 0x7f ? "\\x%02x" : "%c", *c);
            }
            fprintf(out, "\n\n");
            const struct customs_report_write_options plain = {0};
            int rc = customs_report_write_table(reports[i], &plain, out, err);
            if (rc < 0) {
                return rc;
            }
        }
        return 0;
    case CUSTOMS_FORMAT_CYCLONEDX:
    case CUSTOMS_FORMAT_SPDX:
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: a %s document describes one image: scan each image on its "
                                 "own, or write json, table or sarif",
                                 source, format == CUSTOMS_FORMAT_SPDX ? "SPDX" : "CycloneDX");
    }
    return customs_error_set(err, CUSTOMS_EINVAL, "customs_reports_write: unknown format %d",
                             (int)format);
}

static int type_count_cmp(const void *a, const void *b)
{
    const struct customs_type_count *x = a;
    const struct customs_type_count *y = b;
    return strcmp(x->type, y->type);
}

/* Types become JSON keys: only plain names are kept, so that no two distinct types can collapse
 * into one key once invalid UTF-8 is repaired (found by fuzzing). */
static bool type_is_plain(const char *t)
{
    size_t n = strlen(t);
    return n > 0 && n <= 32 &&
           strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+_-") == n;
}

int customs_report_type_counts(struct customs_vec *out, const struct customs_report *r)
{
    customs_vec_init(out, sizeof(struct customs_type_count));
    for (size_t i = 0; i < r->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        const char *type = p->type != NULL && type_is_plain(p->type) ? p->type : "unknown";
        struct customs_type_count *tc = NULL;
        for (size_t j = 0; j < out->len; j++) { /* a handful of types: a linear scan is fine */
            struct customs_type_count *c = customs_vec_at(out, j);
            if (strcmp(c->type, type) == 0) {
                tc = c;
                break;
            }
        }
        if (tc == NULL) {
            tc = customs_vec_push(out);
            if (tc == NULL) {
                customs_vec_release(out);
                return CUSTOMS_ENOMEM;
            }
            tc->type = type;
        }
        tc->count++;
    }
    if (out->len > 1) {
        qsort(out->items, out->len, out->elem, type_count_cmp);
    }
    return 0;
}

const char *customs_report_layer_diff_id(const struct customs_report *r, int index)
{
    if (index < 0 || (size_t)index >= r->target.layers.len) {
        return NULL;
    }
    const struct customs_layer_info *l = customs_vec_at(&r->target.layers, (size_t)index);
    return l->diff_id;
}

/* A link to the advisory: NVD for CVEs, GitHub for GHSA, OSV for the rest (the id
 * percent-encoded). */
int customs_report_advisory_url(struct customs_buf *b, const char *id)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *base = strncmp(id, "CVE-", 4) == 0    ? "https://nvd.nist.gov/vuln/detail/"
                       : strncmp(id, "GHSA-", 5) == 0 ? "https://github.com/advisories/"
                                                       : "https://osv.dev/vulnerability/";
    int rc = customs_buf_puts(b, base);
    for (const unsigned char *p = (const unsigned char *)id; rc == 0 && *p != '\0'; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            rc = customs_buf_append(b, p, 1);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = customs_buf_append(b, enc, 3);
        }
    }
    return rc;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

int customs_report_uuid(char out[CUSTOMS_UUID_LEN], const struct customs_report *r,
                        const char *salt)
{
    static const char hex[] = "0123456789abcdef";
    const char *parts[] = {salt, r->target.config_digest, r->target.manifest_digest,
                           r->target.name};
    struct customs_sha256 s;
    char digest[CUSTOMS_DIGEST_MAX];
    uint8_t b[16];

    int err = customs_sha256_init(&s);
    if (err < 0) {
        return err;
    }
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        const char *p = parts[i] != NULL ? parts[i] : "";
        customs_sha256_update(&s, p, strlen(p) + 1); /* the NUL separates the parts */
    }
    err = customs_sha256_final(&s, digest);
    if (err < 0) {
        return err;
    }
    const char *h = digest + 7; /* after "sha256:" */
    for (size_t i = 0; i < 16; i++) {
        b[i] = (uint8_t)(hex_value(h[2 * i]) << 4 | hex_value(h[2 * i + 1]));
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x80); /* version 8 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10 (RFC 9562) */
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0xf];
    }
    out[o] = '\0';
    return 0;
}

void customs_report_timestamp(char out[CUSTOMS_TIMESTAMP_LEN], int64_t created)
{
    /* up to 9999-12-31T23:59:59Z */
    time_t t = created >= 0 && created <= 253402300799LL ? (time_t)created : 0;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(out, CUSTOMS_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        memcpy(out, "1970-01-01T00:00:00Z", CUSTOMS_TIMESTAMP_LEN);
    }
}
