/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table report, for people: a header block, then packages, misconfigurations and errors
 * in aligned columns, then a summary line. Every string from the image is made safe for a
 * terminal: C0/C1 controls and DEL are written as \xNN or \u{NN}, bidirectional overrides
 * (U+202A..U+202E, U+2066..U+2069) as \u{NNNN}, invalid UTF-8 as U+FFFD. Long cells are cut
 * with "…". Widths count code points (wide East Asian characters count as one).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "customs/customs.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "version/version.h"

#include "core/banned.h"

#define TABLE_COLUMNS_MAX 6
#define TABLE_LOCATION_MAX 4096
#define TABLE_CELL_BUF 4096
#define TABLE_HEADER_WIDTH 200
#define ELLIPSIS "\xe2\x80\xa6"

struct table {
    FILE *fp;
    struct customs_buf cell;
    int error;
};

/*
 * Append the terminal-safe form of `s` to `out`, stopping once it is wider than `maxw` (the
 * caller then cuts it). @return the width in columns, or SIZE_MAX when the buffer failed.
 */
static size_t table_sanitize(struct customs_buf *out, const char *s, size_t maxw)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s);
    size_t width = 0;
    char esc[16];

    for (size_t i = 0; i < len && width <= maxw;) {
        uint32_t cp;
        size_t n = customs_utf8_decode(p + i, len - i, &cp);
        int rc;
        if (cp < 0x20 || cp == 0x7f) {
            snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
            rc = customs_buf_puts(out, esc);
            width += 4;
        } else if ((cp >= 0x80 && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
                   (cp >= 0x2066 && cp <= 0x2069)) {
            snprintf(esc, sizeof(esc), "\\u{%" PRIx32 "}", cp);
            rc = customs_buf_puts(out, esc);
            width += strlen(esc);
        } else if (cp == 0xfffd) {
            rc = customs_buf_puts(out, "\xef\xbf\xbd");
            width++;
        } else {
            rc = customs_buf_append(out, p + i, n);
            width++;
        }
        if (rc < 0) {
            return SIZE_MAX;
        }
        i += n;
    }
    return width;
}

/* Cut the (valid UTF-8) contents of `b` to `cols` code points and add an ellipsis. */
static int table_cut(struct customs_buf *b, size_t cols)
{
    size_t i = 0;
    for (size_t c = 0; c < cols && i < b->len; c++) {
        uint32_t cp;
        i += customs_utf8_decode((const uint8_t *)b->ptr + i, b->len - i, &cp);
    }
    b->len = i;
    return customs_buf_puts(b, ELLIPSIS);
}

/* The safe, cut form of `s` in t->cell; returns its width or SIZE_MAX on failure. */
static size_t table_cell(struct table *t, const char *s, size_t maxw)
{
    customs_buf_reset(&t->cell);
    size_t w = table_sanitize(&t->cell, s != NULL ? s : "-", maxw);
    if (w == SIZE_MAX) {
        t->error = CUSTOMS_ENOMEM;
        return SIZE_MAX;
    }
    if (w > maxw) {
        if (table_cut(&t->cell, maxw - 1) < 0) {
            t->error = CUSTOMS_ENOMEM;
            return SIZE_MAX;
        }
        w = maxw;
    }
    return w;
}

static void table_pad(FILE *fp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputc(' ', fp);
    }
}

/* One row: pass `widths` NULL-free; measure-only when `measure` is set. */
static void table_row(struct table *t, const char *const *cells, size_t ncols,
                      const size_t *maxw, size_t *widths, bool measure)
{
    for (size_t c = 0; c < ncols && t->error == 0; c++) {
        size_t w = table_cell(t, cells[c], maxw[c]);
        if (w == SIZE_MAX) {
            return;
        }
        if (measure) {
            if (w > widths[c]) {
                widths[c] = w;
            }
            continue;
        }
        fputs(customs_buf_cstr(&t->cell), t->fp);
        if (c + 1 < ncols) {
            table_pad(t->fp, widths[c] - w + 2);
        }
    }
    if (!measure) {
        fputc('\n', t->fp);
    }
}

static void table_header_line(struct table *t, const char *label, const char *value)
{
    if (table_cell(t, value, TABLE_HEADER_WIDTH) == SIZE_MAX) {
        return;
    }
    fprintf(t->fp, "%-10s%s\n", label, customs_buf_cstr(&t->cell));
}

static void table_header(struct table *t, const struct customs_report *r)
{
    const struct customs_target_info *ti = &r->target;
    char os[512];
    char layers[32];

    table_header_line(t, "Target:", ti->name);
    table_header_line(t, "Kind:", ti->kind);
    if (ti->manifest_digest != NULL) {
        table_header_line(t, "Manifest:", ti->manifest_digest);
    }
    if (ti->config_digest != NULL) {
        table_header_line(t, "Config:", ti->config_digest);
    }
    if (ti->platform != NULL) {
        table_header_line(t, "Platform:", ti->platform);
    }
    if (!r->has_os) {
        table_header_line(t, "OS:", "unknown");
    } else if (r->os.pretty != NULL) {
        table_header_line(t, "OS:", r->os.pretty);
    } else {
        snprintf(os, sizeof(os), "%s %s", r->os.id != NULL ? r->os.id : "unknown",
                 r->os.version != NULL ? r->os.version : "");
        table_header_line(t, "OS:", os);
    }
    if (r->os_eol != NULL) {
        char support[96];
        snprintf(support, sizeof(support), r->os_eol_reached ? "ended %s: no more security fixes"
                                                             : "until %s",
                 r->os_eol);
        table_header_line(t, "Support:", support);
    }
    snprintf(layers, sizeof(layers), "%zu", ti->layers.len);
    table_header_line(t, "Layers:", layers);
    if (r->vulns_scanned) {
        char data[4200];
        char built[16];
        time_t b = (time_t)r->db_built_at;
        struct tm tm;
        gmtime_r(&b, &tm);
        strftime(built, sizeof(built), "%Y-%m-%d", &tm);
        snprintf(data, sizeof(data), "vulnerabilities as of %s (%lld days old), %s", built,
                 (long long)((time(NULL) - b) / 86400), r->db_path != NULL ? r->db_path : "");
        table_header_line(t, "Data:", data);
    }
}

static void table_packages(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"TYPE", "NAME", "VERSION", "SOURCE", "LAYER"};
    static const size_t maxw[] = {10, 48, 32, 32, 5};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    char layer[16];
    const char *cells[5];

    fputs("\nPackages\n", t->fp);
    if (r->inventory.packages.len == 0) {
        fputs("(none)\n", t->fp);
        return;
    }
    table_row(t, head, 5, maxw, widths, true);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 5, maxw, widths, false);
        }
        for (size_t i = 0; i < r->inventory.packages.len && t->error == 0; i++) {
            const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
            if (p->layer >= 0) {
                snprintf(layer, sizeof(layer), "%d", p->layer);
            } else {
                snprintf(layer, sizeof(layer), "-");
            }
            cells[0] = p->type;
            cells[1] = p->name;
            cells[2] = p->version;
            cells[3] = p->source_name;
            cells[4] = layer;
            table_row(t, cells, 5, maxw, widths, pass == 0);
        }
    }
}

/* Misconfigurations; a LOCATION column (FILE:LINE) when any comes from a file (Dockerfiles,
 * Compose files and manifests of `scan --scanners config DIR`). */
static void table_misconfigs(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"SEVERITY", "CHECK", "OBJECT", "LOCATION", "TITLE"};
    static const size_t maxw[] = {8, 32, 48, 64, 80};
    static const char *const head4[] = {"SEVERITY", "CHECK", "OBJECT", "TITLE"};
    static const size_t maxw4[] = {8, 32, 48, 80};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    const char *cells[5];
    char where[TABLE_LOCATION_MAX];
    bool located = false;

    if (r->misconfigs.len == 0) {
        return;
    }
    for (size_t i = 0; i < r->misconfigs.len && !located; i++) {
        located = ((const struct customs_misconfig *)customs_vec_at(&r->misconfigs, i))->file !=
                  NULL;
    }
    size_t n = located ? 5 : 4;
    const char *const *h = located ? head : head4;
    const size_t *mw = located ? maxw : maxw4;
    fputs("\nMisconfigurations\n", t->fp);
    table_row(t, h, n, mw, widths, true);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, h, n, mw, widths, false);
        }
        for (size_t i = 0; i < r->misconfigs.len && t->error == 0; i++) {
            const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
            size_t c = 0;
            cells[c++] = customs_severity_name(m->severity);
            cells[c++] = m->check;
            cells[c++] = m->object;
            if (located) {
                if (m->file != NULL && m->line > 0) {
                    customs_fmt_clip(where, sizeof(where), "%s:%d", m->file, m->line);
                } else {
                    customs_fmt_clip(where, sizeof(where), "%s", m->file != NULL ? m->file : "");
                }
                cells[c++] = where;
            }
            cells[c++] = m->title;
            table_row(t, cells, n, mw, widths, pass == 0);
        }
    }
}

static enum customs_version_scheme scheme_of(const char *type)
{
    static const struct {
        const char *type;
        const char *scheme;
    } map[] = {{"deb", "dpkg"}, {"apk", "apk"},    {"rpm", "rpm"},
               {"npm", "npm"},  {"pypi", "pep440"}, {"golang", "go"}};
    for (size_t i = 0; type != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(type, map[i].type) == 0) {
            return customs_version_scheme_parse(map[i].scheme);
        }
    }
    return CUSTOMS_VERSION_UNKNOWN;
}

/* Go modules and the Go standard library live inside an executable: name it (and, for the
 * standard library, the Go release it was built with). */
static void table_vuln_where(char *out, size_t outsz, const struct customs_report *r,
                             const struct customs_vuln_finding *v)
{
    const struct customs_package *p = customs_vec_at(&r->inventory.packages, v->package);
    out[0] = '\0';
    if (strcmp(v->type, "golang") != 0 || p->path == NULL) {
        return;
    }
    if (strcmp(v->name, "stdlib") == 0) {
        snprintf(out, outsz, " in %.200s (built with Go %.40s)", p->path, v->installed);
    } else {
        snprintf(out, outsz, " in %.200s", p->path);
    }
}

/* Vulnerabilities grouped by package, each group ending with the one upgrade that fixes all. */
static void table_vulns(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED", "TITLE"};
    static const size_t maxw[] = {8, 20, 32, 24, 24, 60};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    const char *cells[6];
    char line[512];

    if (r->vulns.len == 0) {
        if (r->vulns_scanned && r->coverage_problems.len > 0) {
            fputs("\nVulnerabilities\n(none found, but not every package could be checked:"
                  " see Coverage)\n", t->fp);
        } else if (r->vulns_scanned) {
            fputs("\nVulnerabilities\n(none)\n", t->fp);
        }
        return;
    }
    fputs("\nVulnerabilities\n", t->fp);
    table_row(t, head, 6, maxw, widths, true);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 6, maxw, widths, false);
        }
        for (size_t i = 0; i < r->vulns.len && t->error == 0;) {
            const struct customs_vuln_finding *first = customs_vec_at(&r->vulns, i);
            enum customs_version_scheme scheme = scheme_of(first->type);
            const char *fix_all = NULL;
            size_t unfixed = 0, n = 0;
            for (; i < r->vulns.len; i++, n++) {
                const struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
                if (v->package != first->package) {
                    break;
                }
                if (v->fixed == NULL) {
                    unfixed++;
                } else if (fix_all == NULL ||
                           customs_version_cmp(scheme, v->fixed, fix_all) > 0) {
                    fix_all = v->fixed;
                }
                char id[160];
                snprintf(id, sizeof(id), "%s%s", v->id,
                         v->known_exploited != NULL ? " (known exploited)" : "");
                cells[0] = customs_severity_name(v->severity);
                cells[1] = id;
                cells[2] = v->name;
                cells[3] = v->installed;
                cells[4] = v->fixed != NULL ? v->fixed : v->status;
                cells[5] = v->title != NULL ? v->title : "";
                table_row(t, cells, 6, maxw, widths, pass == 0);
            }
            if (pass == 1) {
                char where[320];
                table_vuln_where(where, sizeof(where), r, first);
                if (unfixed == 0) {
                    snprintf(line, sizeof(line), "  -> %s %s fixes all %zu%s\n", first->name,
                             fix_all, n, where);
                } else if (fix_all != NULL) {
                    snprintf(line, sizeof(line),
                             "  -> %s %s fixes %zu of %zu; no fix yet for %zu%s\n", first->name,
                             fix_all, n - unfixed, n, unfixed, where);
                } else {
                    snprintf(line, sizeof(line), "  -> %s: no fix yet for %zu%s\n", first->name,
                             n, where);
                }
                line[strcspn(line, "\n")] = '\0';
                if (table_cell(t, line, sizeof(line)) != SIZE_MAX) {
                    fputs(customs_buf_cstr(&t->cell), t->fp);
                    fputc('\n', t->fp);
                }
            }
        }
    }
}

static void table_secrets(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"SEVERITY", "RULE", "WHERE", "LAYER", "REMOVED", "SECRET"};
    static const size_t maxw[] = {8, 30, 60, 5, 7, 40};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    char where[600], layer[16], removed[16];
    const char *cells[6];

    if (r->secrets.len == 0) {
        return;
    }
    fputs("\nSecrets\n", t->fp);
    table_row(t, head, 6, maxw, widths, true);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 6, maxw, widths, false);
        }
        for (size_t i = 0; i < r->secrets.len && t->error == 0; i++) {
            const struct customs_secret_finding *f = customs_vec_at(&r->secrets, i);
            if (f->line > 0) {
                snprintf(where, sizeof(where), "%s:%llu", f->path, (unsigned long long)f->line);
            } else {
                snprintf(where, sizeof(where), "%s %s", f->location, f->path);
            }
            snprintf(layer, sizeof(layer), "%d", f->layer);
            snprintf(removed, sizeof(removed), "%d", f->removed_in_layer);
            cells[0] = customs_severity_name(f->severity);
            cells[1] = f->rule;
            cells[2] = where;
            cells[3] = f->layer >= 0 ? layer : "-";
            cells[4] = f->removed_in_layer >= 0 ? removed : "-";
            cells[5] = f->secret != NULL ? f->secret : f->redacted;
            table_row(t, cells, 6, maxw, widths, pass == 0);
        }
    }
}

static void table_malware(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"SEVERITY", "RULE", "PATH", "LAYER", "REMOVED", "WHAT"};
    static const size_t maxw[] = {8, 40, 60, 5, 7, 60};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    char layer[16], removed[16];
    const char *cells[6];

    if (r->malware.len == 0) {
        return;
    }
    fputs("\nMalware\n", t->fp);
    table_row(t, head, 6, maxw, widths, true);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 6, maxw, widths, false);
        }
        for (size_t i = 0; i < r->malware.len && t->error == 0; i++) {
            const struct customs_malware_finding *f = customs_vec_at(&r->malware, i);
            snprintf(layer, sizeof(layer), "%d", f->layer);
            snprintf(removed, sizeof(removed), "%d", f->removed_in_layer);
            cells[0] = customs_severity_name(f->severity);
            cells[1] = f->rule;
            cells[2] = f->path;
            cells[3] = f->layer >= 0 ? layer : "-";
            cells[4] = f->removed_in_layer >= 0 ? removed : "-";
            cells[5] = f->description != NULL ? f->description : f->category;
            table_row(t, cells, 6, maxw, widths, pass == 0);
        }
    }
}

static void table_errors(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"CODE", "LAYER", "PATH", "MESSAGE"};
    static const size_t maxw[] = {12, 5, 48, 120};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    char layer[16];
    const char *cells[4];

    if (r->errors.len == 0) {
        return;
    }
    fputs("\nErrors\n", t->fp);
    table_row(t, head, 4, maxw, widths, true);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 4, maxw, widths, false);
        }
        for (size_t i = 0; i < r->errors.len && t->error == 0; i++) {
            const struct customs_report_error *e = customs_vec_at(&r->errors, i);
            if (e->layer >= 0) {
                snprintf(layer, sizeof(layer), "%d", e->layer);
            } else {
                snprintf(layer, sizeof(layer), "-");
            }
            cells[0] = e->code;
            cells[1] = layer;
            cells[2] = e->path;
            cells[3] = e->message;
            table_row(t, cells, 4, maxw, widths, pass == 0);
        }
    }
}

/* Each ecosystem of the image against the database, then why the result may be incomplete. */
static void table_coverage(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"ECOSYSTEM", "STATUS", "PACKAGES", "ADVISORIES",
                                       "DATA", "SOURCES"};
    static const size_t maxw[] = {24, 16, 8, 10, 10, 60};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    char packages[24], advisories[24], date[16];
    const char *cells[6];

    if (!r->coverage_checked && r->coverage_problems.len == 0) {
        return;
    }
    fputs("\nCoverage\n", t->fp);
    for (int pass = 0; pass < 2 && t->error == 0 && r->coverage.len > 0; pass++) {
        table_row(t, head, 6, maxw, widths, pass == 0);
        for (size_t i = 0; i < r->coverage.len && t->error == 0; i++) {
            const struct customs_coverage_item *c = customs_vec_at(&r->coverage, i);
            snprintf(packages, sizeof(packages), "%zu", c->packages);
            snprintf(advisories, sizeof(advisories), "%llu", (unsigned long long)c->advisories);
            snprintf(date, sizeof(date), "%.10s", c->data_date != NULL ? c->data_date : "-");
            cells[0] = c->ecosystem;
            cells[1] = c->status;
            cells[2] = packages;
            cells[3] = advisories;
            cells[4] = date;
            cells[5] = c->sources != NULL ? c->sources : "-";
            table_row(t, cells, 6, maxw, widths, pass == 0);
        }
    }
    for (size_t i = 0; i < r->coverage_problems.len && t->error == 0; i++) {
        const struct customs_coverage_problem *p = customs_vec_at(&r->coverage_problems, i);
        if (table_cell(t, p->message, 400) != SIZE_MAX) {
            fprintf(t->fp, "%s: %s\n", p->kind, customs_buf_cstr(&t->cell));
        }
    }
    if (r->coverage_problems.len == 0 && r->max_db_age_days > 0) {
        fprintf(t->fp, "every package was checked, against data at most %u days old\n",
                r->max_db_age_days);
    } else if (r->coverage_problems.len == 0) {
        fputs("every package was checked (no limit on the data's age)\n", t->fp);
    }
}

static void table_summary(struct table *t, const struct customs_report *r,
                          const struct customs_vec *types)
{
    fprintf(t->fp, "\n%zu packages", r->inventory.packages.len);
    for (size_t i = 0; i < types->len; i++) {
        const struct customs_type_count *tc = customs_vec_at(types, i);
        if (table_cell(t, tc->type, 16) == SIZE_MAX) {
            return;
        }
        fprintf(t->fp, "%s%s %zu", i == 0 ? " (" : ", ", customs_buf_cstr(&t->cell), tc->count);
    }
    fprintf(t->fp, "%s, ", types->len > 0 ? ")" : "");
    if (r->vulns_scanned && r->vulns.len == 0 && r->coverage_problems.len > 0) {
        fputs("vulnerabilities not all checked, ", t->fp); /* never "0" when not all checked */
    } else if (r->vulns_scanned) {
        fprintf(t->fp, "%zu vulnerabilities, ", r->vulns.len);
    }
    fprintf(t->fp, "%zu misconfigurations, %zu secrets, %zu malware, %zu errors",
            r->misconfigs.len, r->secrets.len, r->malware.len, r->errors.len);
    if (r->coverage_problems.len > 0) {
        fprintf(t->fp, "; INCOMPLETE: %zu coverage problems", r->coverage_problems.len);
    }
    fputc('\n', t->fp);
}

int customs_report_write_table(const struct customs_report *r, FILE *out,
                               struct customs_error *err)
{
    struct customs_vec types;
    struct table t = {.fp = out};

    int rc = customs_report_type_counts(&types, r);
    if (rc < 0) {
        return customs_error_set(err, rc, "writing table report: out of memory");
    }
    customs_buf_init(&t.cell, TABLE_CELL_BUF);
    table_header(&t, r);
    table_packages(&t, r);
    table_vulns(&t, r);
    table_coverage(&t, r);
    table_misconfigs(&t, r);
    table_secrets(&t, r);
    table_malware(&t, r);
    table_errors(&t, r);
    if (t.error == 0) {
        table_summary(&t, r, &types);
    }
    customs_buf_release(&t.cell);
    customs_vec_release(&types);
    if (t.error != 0) {
        return customs_error_set(err, t.error, "writing table report: out of memory");
    }
    if (fflush(out) != 0 || ferror(out)) {
        return customs_error_set(err, CUSTOMS_EIO, "writing table report: I/O error");
    }
    return 0;
}
