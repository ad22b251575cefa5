/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table report, for people: a header block, a summary of the findings by kind and
 * severity, then the packages (those with vulnerabilities, or all of them), vulnerabilities,
 * coverage, misconfigurations, secrets, malware and errors in aligned columns, then a summary
 * line. Every string from the image is made safe for a terminal: C0/C1 controls and DEL are
 * written as \xNN or \u{NN}, bidirectional overrides (U+202A..U+202E, U+2066..U+2069) as
 * \u{NNNN}, invalid UTF-8 as U+FFFD. Long cells are cut with "…". Widths count code points
 * (wide East Asian characters count as one). Colours (when asked for) are SGR sequences chosen
 * here by severity, wrapped around a cell after it was made safe: never taken from the image.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "customs/customs.h"
#include "report/audit.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "version/version.h"

#include "core/banned.h"

#define TABLE_COLUMNS_MAX 7
#define TABLE_LOCATION_MAX 4096
#define TABLE_CELL_BUF 4096
#define TABLE_HEADER_WIDTH 200
#define ELLIPSIS "\xe2\x80\xa6"
#define SGR_RESET "\x1b[0m"
#define SGR_BOLD "\x1b[1m"

struct table {
    FILE *fp;
    struct customs_buf cell;
    int error;
    bool color;         /* wrap severity cells and counts in SGR colours */
    bool list_all_pkgs; /* every package, not only those with vulnerabilities */
};

/* The colour of a severity: CRITICAL bold red, HIGH red, MEDIUM yellow, LOW blue, UNKNOWN
 * none. */
static const char *table_sgr(enum customs_severity s)
{
    switch (s) {
    case CUSTOMS_SEVERITY_CRITICAL:
        return "\x1b[1;31m";
    case CUSTOMS_SEVERITY_HIGH:
        return "\x1b[31m";
    case CUSTOMS_SEVERITY_MEDIUM:
        return "\x1b[33m";
    case CUSTOMS_SEVERITY_LOW:
        return "\x1b[34m";
    case CUSTOMS_SEVERITY_UNKNOWN:
    default:
        return NULL;
    }
}

/* A line of our own text, in bold on a colour table. */
static void table_title(struct table *t, const char *text)
{
    fprintf(t->fp, "\n%s%s%s\n", t->color ? SGR_BOLD : "", text, t->color ? SGR_RESET : "");
}

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

/* One row: pass `widths` NULL-free; measure-only when `measure` is set. `sgr` (NULL, or one
 * entry per column, NULL for none) colours cells on a colour table. */
static void table_row(struct table *t, const char *const *cells, size_t ncols,
                      const size_t *maxw, size_t *widths, bool measure, const char *const *sgr)
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
        const char *on = t->color && sgr != NULL ? sgr[c] : NULL;
        if (on != NULL) {
            fputs(on, t->fp);
        }
        fputs(customs_buf_cstr(&t->cell), t->fp);
        if (on != NULL) {
            fputs(SGR_RESET, t->fp);
        }
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

/* Packages with vulnerabilities (all of them with --list-all-pkgs, or when vulnerabilities
 * were not scanned: there is nothing else to choose by), with an ARCH column when any listed
 * package has an architecture. */
static void table_packages(struct table *t, const struct customs_report *r)
{
    static const char *const head_arch[] = {"TYPE",   "NAME",   "VERSION", "ARCH",
                                            "SOURCE", "LAYER", "VULNS"};
    static const size_t maxw_arch[] = {10, 48, 32, 16, 32, 5, 5};
    static const char *const head[] = {"TYPE", "NAME", "VERSION", "SOURCE", "LAYER", "VULNS"};
    static const size_t maxw[] = {10, 48, 32, 32, 5, 5};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    char layer[16];
    char nvulns[24];
    const char *cells[TABLE_COLUMNS_MAX];
    size_t npkgs = r->inventory.packages.len;
    size_t *counts = NULL;
    size_t listed = 0;
    bool all = t->list_all_pkgs || !r->vulns_scanned;
    bool arch = false;

    if (npkgs > 0) {
        counts = customs_calloc(npkgs, sizeof(*counts));
        if (counts == NULL) {
            t->error = CUSTOMS_ENOMEM;
            return;
        }
    }
    for (size_t i = 0; i < r->vulns.len; i++) {
        const struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
        if (v->package < npkgs) {
            counts[v->package]++;
        }
    }
    for (size_t i = 0; i < npkgs; i++) {
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        if (all || counts[i] > 0) {
            listed++;
            arch = arch || (p->arch != NULL && p->arch[0] != '\0');
        }
    }
    if (all) {
        table_title(t, "Packages");
    } else {
        char title[160];
        snprintf(title, sizeof(title), "Packages with vulnerabilities (%zu of %zu;"
                                       " --list-all-pkgs lists every package)", listed, npkgs);
        table_title(t, title);
    }
    if (listed == 0) {
        fputs(npkgs > 0 && r->coverage_problems.len > 0
                  ? "(none found, but not every package could be checked: see Coverage)\n"
                  : "(none)\n",
              t->fp);
        customs_free(counts);
        return;
    }
    const char *const *hd = arch ? head_arch : head;
    const size_t *mw = arch ? maxw_arch : maxw;
    size_t ncols = (arch ? 7 : 6) - (r->vulns_scanned ? 0 : 1); /* VULNS: when scanned */
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        table_row(t, hd, ncols, mw, widths, pass == 0, NULL);
        for (size_t i = 0; i < npkgs && t->error == 0; i++) {
            const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
            if (!all && counts[i] == 0) {
                continue;
            }
            if (p->layer >= 0) {
                snprintf(layer, sizeof(layer), "%d", p->layer);
            } else {
                snprintf(layer, sizeof(layer), "-");
            }
            snprintf(nvulns, sizeof(nvulns), "%zu", counts[i]);
            size_t c = 0;
            cells[c++] = p->type;
            cells[c++] = p->name;
            cells[c++] = p->version;
            if (arch) {
                cells[c++] = p->arch != NULL && p->arch[0] != '\0' ? p->arch : NULL;
            }
            cells[c++] = p->source_name;
            cells[c++] = layer;
            cells[c] = nvulns;
            table_row(t, cells, ncols, mw, widths, pass == 0, NULL);
        }
    }
    customs_free(counts);
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
    table_title(t, "Misconfigurations");
    table_row(t, h, n, mw, widths, true, NULL);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, h, n, mw, widths, false, NULL);
        }
        for (size_t i = 0; i < r->misconfigs.len && t->error == 0; i++) {
            const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
            const char *sgr[TABLE_COLUMNS_MAX] = {table_sgr(m->severity)};
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
            table_row(t, cells, n, mw, widths, pass == 0, sgr);
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
            table_title(t, "Vulnerabilities");
            fputs("(none found, but not every package could be checked: see Coverage)\n", t->fp);
        } else if (r->vulns_scanned) {
            table_title(t, "Vulnerabilities");
            fputs("(none)\n", t->fp);
        }
        return;
    }
    table_title(t, "Vulnerabilities");
    table_row(t, head, 6, maxw, widths, true, NULL);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 6, maxw, widths, false, NULL);
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
                const char *sgr[TABLE_COLUMNS_MAX] = {table_sgr(v->severity)};
                cells[0] = customs_severity_name(v->severity);
                cells[1] = id;
                cells[2] = v->name;
                cells[3] = v->installed;
                cells[4] = v->fixed != NULL ? v->fixed : v->status;
                cells[5] = v->title != NULL ? v->title : "";
                table_row(t, cells, 6, maxw, widths, pass == 0, sgr);
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
    table_title(t, "Secrets");
    table_row(t, head, 6, maxw, widths, true, NULL);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 6, maxw, widths, false, NULL);
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
            const char *sgr[TABLE_COLUMNS_MAX] = {table_sgr(f->severity)};
            cells[0] = customs_severity_name(f->severity);
            cells[1] = f->rule;
            cells[2] = where;
            cells[3] = f->layer >= 0 ? layer : "-";
            cells[4] = f->removed_in_layer >= 0 ? removed : "-";
            cells[5] = f->secret != NULL ? f->secret : f->redacted;
            table_row(t, cells, 6, maxw, widths, pass == 0, sgr);
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
    table_title(t, "Malware");
    table_row(t, head, 6, maxw, widths, true, NULL);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 6, maxw, widths, false, NULL);
        }
        for (size_t i = 0; i < r->malware.len && t->error == 0; i++) {
            const struct customs_malware_finding *f = customs_vec_at(&r->malware, i);
            snprintf(layer, sizeof(layer), "%d", f->layer);
            snprintf(removed, sizeof(removed), "%d", f->removed_in_layer);
            const char *sgr[TABLE_COLUMNS_MAX] = {table_sgr(f->severity)};
            cells[0] = customs_severity_name(f->severity);
            cells[1] = f->rule;
            cells[2] = f->path;
            cells[3] = f->layer >= 0 ? layer : "-";
            cells[4] = f->removed_in_layer >= 0 ? removed : "-";
            cells[5] = f->description != NULL ? f->description : f->category;
            table_row(t, cells, 6, maxw, widths, pass == 0, sgr);
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
    table_title(t, "Errors");
    table_row(t, head, 4, maxw, widths, true, NULL);
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        if (pass == 1) {
            table_row(t, head, 4, maxw, widths, false, NULL);
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
            table_row(t, cells, 4, maxw, widths, pass == 0, NULL);
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
    table_title(t, "Coverage");
    for (int pass = 0; pass < 2 && t->error == 0 && r->coverage.len > 0; pass++) {
        table_row(t, head, 6, maxw, widths, pass == 0, NULL);
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
            table_row(t, cells, 6, maxw, widths, pass == 0, NULL);
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

enum { OVERVIEW_VULNS, OVERVIEW_SECRETS, OVERVIEW_MALWARE, OVERVIEW_MISCONFIGS, OVERVIEW_KINDS };

/* A severity as an index of a count array: one out of range (never written by customs, but
 * the model does not forbid it) counts as UNKNOWN. */
static size_t sev_index(enum customs_severity s)
{
    return (unsigned)s <= CUSTOMS_SEVERITY_CRITICAL ? (size_t)s : CUSTOMS_SEVERITY_UNKNOWN;
}

/* The findings of each kind by severity (index: enum customs_severity). */
static void overview_count(size_t counts[OVERVIEW_KINDS][CUSTOMS_SEVERITY_CRITICAL + 1],
                           const struct customs_report *r)
{
    for (size_t i = 0; i < r->vulns.len; i++) {
        const struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
        counts[OVERVIEW_VULNS][sev_index(v->severity)]++;
    }
    for (size_t i = 0; i < r->secrets.len; i++) {
        const struct customs_secret_finding *f = customs_vec_at(&r->secrets, i);
        counts[OVERVIEW_SECRETS][sev_index(f->severity)]++;
    }
    for (size_t i = 0; i < r->malware.len; i++) {
        const struct customs_malware_finding *f = customs_vec_at(&r->malware, i);
        counts[OVERVIEW_MALWARE][sev_index(f->severity)]++;
    }
    for (size_t i = 0; i < r->misconfigs.len; i++) {
        const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        counts[OVERVIEW_MISCONFIGS][sev_index(m->severity)]++;
    }
}

/* Why a kind's row has no counts: not looked for, or (vulnerabilities) not every package could
 * be checked and none was found, which is never "0". NULL when the counts stand. */
static const char *overview_gap(const struct customs_report *r, int kind)
{
    static const uint32_t scanner[] = {CUSTOMS_SCAN_VULNS, CUSTOMS_SCAN_SECRETS,
                                       CUSTOMS_SCAN_MALWARE, CUSTOMS_SCAN_CONFIG};
    static const size_t nkinds = OVERVIEW_KINDS;
    bool found = (kind == OVERVIEW_VULNS && r->vulns.len > 0) ||
                 (kind == OVERVIEW_SECRETS && r->secrets.len > 0) ||
                 (kind == OVERVIEW_MALWARE && r->malware.len > 0) ||
                 (kind == OVERVIEW_MISCONFIGS && r->misconfigs.len > 0);
    if (kind == OVERVIEW_VULNS) {
        if (!r->vulns_scanned) {
            return "not scanned";
        }
        return !found && r->coverage_problems.len > 0 ? "not all checked" : NULL;
    }
    if ((size_t)kind < nkinds && !found && (r->scanners & scanner[kind]) == 0) {
        return "not scanned";
    }
    return NULL;
}

/* What the ignore file and VEX suppressed (by kind and by whom), the ignore file's entries,
 * and what --severity hid: one line each, when there is something to say. */
static void overview_filters(struct table *t, const struct customs_report *r)
{
    static const char *const kinds[] = {"vulnerability", "secret", "malware",
                                        "misconfiguration"};
    size_t by_kind[4] = {0};
    size_t by_vex = 0;
    size_t expired = 0;
    size_t applied = 0;
    char hidden[200];

    for (size_t i = 0; i < r->suppressed.len; i++) {
        const struct customs_suppressed *s = customs_vec_at(&r->suppressed, i);
        for (size_t k = 0; k < 4; k++) {
            if (s->kind != NULL && strcmp(s->kind, kinds[k]) == 0) {
                by_kind[k]++;
            }
        }
        by_vex += s->by != NULL && strcmp(s->by, "vex") == 0;
    }
    if (r->suppressed.len > 0) {
        fprintf(t->fp, "Suppressed: %zu (vulnerabilities %zu, secrets %zu, malware %zu, "
                       "misconfigurations %zu), %zu by the ignore file, %zu by VEX\n",
                r->suppressed.len, by_kind[0], by_kind[1], by_kind[2], by_kind[3],
                r->suppressed.len - by_vex, by_vex);
    }
    for (size_t i = 0; i < r->ignored.len; i++) {
        const struct customs_ignore_use *u = customs_vec_at(&r->ignored, i);
        expired += u->expired;
        applied += u->suppressed > 0;
    }
    if (r->ignored.len > 0) {
        fprintf(t->fp, "Ignore file: %zu entries, %zu applied, %zu expired\n", r->ignored.len,
                applied, expired);
    }
    if (customs_report_hidden_text(r, hidden, sizeof(hidden)) > 0) {
        fprintf(t->fp, "Hidden by --severity: %s\n", hidden);
    }
}

/* The findings by kind and severity, first, so that the verdict is read before the detail. */
static void table_overview(struct table *t, const struct customs_report *r)
{
    static const char *const head[] = {"KIND", "CRITICAL", "HIGH", "MEDIUM",
                                       "LOW",  "UNKNOWN",  "TOTAL"};
    static const size_t maxw[] = {17, 8, 8, 8, 8, 8, 16};
    static const char *const names[] = {"vulnerabilities", "secrets", "malware",
                                        "misconfigurations"};
    static const enum customs_severity order[] = {
        CUSTOMS_SEVERITY_CRITICAL, CUSTOMS_SEVERITY_HIGH, CUSTOMS_SEVERITY_MEDIUM,
        CUSTOMS_SEVERITY_LOW, CUSTOMS_SEVERITY_UNKNOWN};
    size_t counts[OVERVIEW_KINDS][CUSTOMS_SEVERITY_CRITICAL + 1] = {{0}};
    size_t widths[TABLE_COLUMNS_MAX] = {0};
    char nums[TABLE_COLUMNS_MAX][24];
    const char *cells[TABLE_COLUMNS_MAX];
    const char *head_sgr[TABLE_COLUMNS_MAX] = {NULL};

    overview_count(counts, r);
    for (size_t i = 0; i < 5; i++) {
        head_sgr[1 + i] = table_sgr(order[i]);
    }
    table_title(t, "Summary");
    for (int pass = 0; pass < 2 && t->error == 0; pass++) {
        table_row(t, head, 7, maxw, widths, pass == 0, head_sgr);
        for (int k = 0; k < OVERVIEW_KINDS && t->error == 0; k++) {
            const char *sgr[TABLE_COLUMNS_MAX] = {NULL};
            const char *gap = overview_gap(r, k);
            size_t total = 0;
            cells[0] = names[k];
            for (size_t i = 0; i < 5; i++) {
                size_t n = counts[k][order[i]];
                snprintf(nums[1 + i], sizeof(nums[1 + i]), "%zu", n);
                cells[1 + i] = gap != NULL ? "-" : nums[1 + i];
                sgr[1 + i] = gap == NULL && n > 0 ? table_sgr(order[i]) : NULL;
                total += n;
            }
            snprintf(nums[6], sizeof(nums[6]), "%zu", total);
            cells[6] = gap != NULL ? gap : nums[6];
            table_row(t, cells, 7, maxw, widths, pass == 0, sgr);
        }
    }
    if (t->error == 0) {
        overview_filters(t, r);
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
        fprintf(t->fp, "; %sINCOMPLETE%s: %zu coverage problems", t->color ? "\x1b[1;31m" : "",
                t->color ? SGR_RESET : "", r->coverage_problems.len);
    }
    fputc('\n', t->fp);
}

int customs_report_write_table(const struct customs_report *r,
                               const struct customs_report_write_options *opt, FILE *out,
                               struct customs_error *err)
{
    struct customs_vec types;
    struct table t = {.fp = out, .color = opt->color, .list_all_pkgs = opt->list_all_pkgs};

    int rc = customs_report_type_counts(&types, r);
    if (rc < 0) {
        return customs_error_set(err, rc, "writing table report: out of memory");
    }
    customs_buf_init(&t.cell, TABLE_CELL_BUF);
    table_header(&t, r);
    table_overview(&t, r);
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

/* The terminal-safe form of `s` (NULL: "-"), uncut up to TABLE_LOCATION_MAX columns. */
static void table_text(struct table *t, const char *s)
{
    if (table_cell(t, s, TABLE_LOCATION_MAX) != SIZE_MAX) {
        fputs(customs_buf_cstr(&t->cell), t->fp);
    }
}

int customs_report_write_audit_table(FILE *out, const struct customs_misconfig_set *set,
                                     const char *footer, bool color, struct customs_error *err)
{
    struct table t = {.fp = out, .color = color};
    size_t counts[CUSTOMS_SEVERITY_CRITICAL + 1] = {0};
    size_t n = customs_misconfig_set_count(set);
    customs_buf_init(&t.cell, TABLE_CELL_BUF);
    for (size_t i = 0; i < n && t.error == 0; i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(set, i);
        const char *sgr = color ? table_sgr(m->severity) : NULL;
        if ((unsigned)m->severity <= CUSTOMS_SEVERITY_CRITICAL) {
            counts[m->severity]++;
        }
        table_text(&t, m->file);
        fprintf(out, ":%d:%d: %s%s%s ", m->line, m->column, sgr != NULL ? sgr : "",
                customs_severity_name(m->severity), sgr != NULL ? SGR_RESET : "");
        fputs(color ? SGR_BOLD : "", out);
        table_text(&t, m->check);
        fputs(color ? SGR_RESET : "", out);
        fputs(" [", out);
        table_text(&t, m->level != NULL ? m->level : "hardening");
        fputs("] ", out);
        table_text(&t, m->object != NULL ? m->object : "");
        fputs("\n    ", out);
        table_text(&t, m->message);
        fputs("\n    field: ", out);
        table_text(&t, m->path);
        fputs("\n    fix: ", out);
        table_text(&t, m->fix);
        fputc('\n', out);
    }
    if (t.error == 0) {
        /* "3 findings (1 CRITICAL, 2 HIGH) in ...": by severity, highest first, coloured */
        fprintf(out, "%zu finding%s", n, n == 1 ? "" : "s");
        for (int s = CUSTOMS_SEVERITY_CRITICAL, k = 0; s >= 0; s--) {
            const char *sgr = color ? table_sgr((enum customs_severity)s) : NULL;
            if (counts[s] > 0) {
                fprintf(out, "%s%s%zu %s%s", k++ == 0 ? " (" : ", ", sgr != NULL ? sgr : "",
                        counts[s], customs_severity_name((enum customs_severity)s),
                        sgr != NULL ? SGR_RESET : "");
            }
        }
        fprintf(out, "%s %s\n", n > 0 ? ")" : "", footer);
    }
    customs_buf_release(&t.cell);
    if (t.error != 0) {
        return customs_error_set(err, t.error, "writing table report: out of memory");
    }
    if (fflush(out) != 0 || ferror(out)) {
        return customs_error_set(err, CUSTOMS_EIO, "writing table report: I/O error");
    }
    return 0;
}
