/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report writers against hostile strings: the input, split at NUL bytes, fills the string
 * fields of packages, a misconfiguration and an error. Every JSON format must then parse as
 * JSON (jansson rejects invalid UTF-8 too), and the table must hold no control byte but '\n'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "customs/report.h"
#include "formats/json.h"
#include "model/report.h"

static const char *next_field(struct customs_report *r, const uint8_t **p, const uint8_t *end)
{
    if (*p >= end) {
        return NULL;
    }
    const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
    size_t n = nul != NULL ? (size_t)(nul - *p) : (size_t)(end - *p);
    char *s = customs_arena_strndup(&r->arena, (const char *)*p, n);
    *p += n + (nul != NULL ? 1 : 0);
    return s;
}

/* The length of the colour sequence the table writes at `p`, or 0 when it is not one. */
static size_t own_sgr(const char *p, size_t n)
{
    static const char *const ours[] = {"\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[31m",
                                       "\x1b[33m", "\x1b[34m"};
    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
        size_t k = strlen(ours[i]);
        if (k <= n && memcmp(p, ours[i], k) == 0) {
            return k;
        }
    }
    return 0;
}

static void check_format(const struct customs_report *r, enum customs_format format,
                         const struct customs_report_write_options *opt)
{
    char *text = NULL;
    size_t len = 0;
    struct customs_error err = {0};
    FILE *fp = open_memstream(&text, &len);
    if (fp == NULL) {
        return;
    }
    int rc = customs_report_write_with(r, format, opt, fp, &err);
    fclose(fp);
    if (rc == 0) {
        if (format == CUSTOMS_FORMAT_TABLE) {
            for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];
                size_t sgr = opt != NULL && opt->color ? own_sgr(text + i, len - i) : 0;
                if (sgr > 0) {
                    i += sgr - 1; /* a colour of the table's own, never the input's */
                } else if ((c < 0x20 && c != '\n') || c == 0x7f) {
                    abort();
                }
            }
        } else {
            json_t *root = NULL;
            if (customs_json_parse(&root, "report", text, len, 0, &err) != 0) {
                fprintf(stderr, "invalid JSON output: %s\n", err.message);
                abort();
            }
            json_decref(root);
        }
    } else if (rc != CUSTOMS_ENOMEM) {
        abort();
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_report *r = customs_report_new();
    const uint8_t *p = data;
    const uint8_t *end = data + size;
    struct customs_error e = {.code = CUSTOMS_EMALFORMED};

    if (r == NULL) {
        return 0;
    }
    r->target.name = next_field(r, &p, end);
    r->target.kind = next_field(r, &p, end);
    r->target.repo_tags = next_field(r, &p, end);
    r->has_os = true;
    r->os.id = next_field(r, &p, end);
    r->os.pretty = next_field(r, &p, end);
    for (int i = 0; i < 64 && p < end; i++) {
        struct customs_package *pkg = customs_inventory_add(&r->inventory);
        if (pkg == NULL) {
            break;
        }
        pkg->type = next_field(r, &p, end);
        pkg->name = next_field(r, &p, end);
        pkg->version = next_field(r, &p, end);
        pkg->license = next_field(r, &p, end);
        pkg->purl = next_field(r, &p, end);
        pkg->source_name = next_field(r, &p, end);
        pkg->path = next_field(r, &p, end);
        pkg->arch = next_field(r, &p, end);
        pkg->layer = i % 3 - 1;
    }
    struct customs_misconfig *m = customs_vec_push(&r->misconfigs);
    if (m != NULL) {
        m->check = r->target.name;
        m->title = r->os.pretty;
        m->severity = (enum customs_severity)(size % 7);
        m->line = (int)size - 3;
    }
    snprintf(e.message, sizeof(e.message), "%s", r->target.kind != NULL ? r->target.kind : "");
    fuzz_result(customs_report_add_error(r, &e, r->target.repo_tags, -1));

    struct customs_report_write_options colour = {.color = true, .list_all_pkgs = true};
    r->vulns_scanned = size % 2 == 0; /* packages listed by vulnerability, or all */
    check_format(r, CUSTOMS_FORMAT_JSON, NULL);
    check_format(r, CUSTOMS_FORMAT_CYCLONEDX, NULL);
    check_format(r, CUSTOMS_FORMAT_SPDX, NULL);
    check_format(r, CUSTOMS_FORMAT_TABLE, NULL);
    check_format(r, CUSTOMS_FORMAT_TABLE, &colour);
    customs_report_free(r);
    return 0;
}
