/* SPDX-License-Identifier: Apache-2.0 */
/* Format dispatch, the customs JSON report and the table for people. */
#include "customs/report.h"

#include <string.h>

#include "config.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "scan/result.h"

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
    int r;
    switch (format) {
    case CUSTOMS_FORMAT_JSON:
        r = customs_report_write_json(report, out);
        break;
    case CUSTOMS_FORMAT_CYCLONEDX:
        r = customs_report_write_cyclonedx(report, out);
        break;
    case CUSTOMS_FORMAT_SPDX:
        r = customs_report_write_spdx(report, out);
        break;
    case CUSTOMS_FORMAT_TABLE:
        r = customs_report_write_table(report, out);
        break;
    default:
        return customs_error_set(err, CUSTOMS_EINVAL, "unknown report format %d", (int)format);
    }
    if (r < 0) {
        return customs_error_set(err, r, "writing the report failed");
    }
    return 0;
}

/* ---- customs.report/v1 ---- */

static void layer_ref(struct customs_jsonw *w, const struct customs_report *rep, int layer)
{
    if (layer < 0 || (size_t)layer >= rep->target.layers.len) {
        customs_jsonw_null(w);
        return;
    }
    const struct customs_layer_info *l = customs_vec_at(&rep->target.layers, (size_t)layer);
    customs_jsonw_object(w);
    customs_jsonw_ku64(w, "index", l->index);
    customs_jsonw_kstr(w, "diff_id", l->diff_id);
    customs_jsonw_end(w, '}');
}

static void write_tags(struct customs_jsonw *w, const char *tags)
{
    customs_jsonw_array(w);
    for (const char *p = tags; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        customs_jsonw_strn(w, p, n);
        p = comma != NULL ? comma + 1 : NULL;
    }
    customs_jsonw_end(w, ']');
}

static void write_target(struct customs_jsonw *w, const struct customs_report *rep)
{
    const struct customs_target_info *t = &rep->target;
    customs_jsonw_key(w, "target");
    customs_jsonw_object(w);
    customs_jsonw_kstr(w, "name", t->name);
    customs_jsonw_kstr(w, "kind", t->kind);
    customs_jsonw_kstr(w, "manifest_digest", t->manifest_digest);
    customs_jsonw_kstr(w, "config_digest", t->config_digest);
    customs_jsonw_kstr(w, "platform", t->platform);
    customs_jsonw_key(w, "repo_tags");
    write_tags(w, t->repo_tags);
    customs_jsonw_key(w, "layers");
    customs_jsonw_array(w);
    for (size_t i = 0; i < t->layers.len; i++) {
        const struct customs_layer_info *l = customs_vec_at(&t->layers, i);
        customs_jsonw_object(w);
        customs_jsonw_ku64(w, "index", l->index);
        customs_jsonw_kstr(w, "digest", l->digest);
        customs_jsonw_kstr(w, "diff_id", l->diff_id);
        customs_jsonw_kstr(w, "media_type", l->media_type);
        customs_jsonw_kstr(w, "compression", l->compression);
        customs_jsonw_ku64(w, "size", l->size);
        customs_jsonw_ku64(w, "uncompressed_size", l->uncompressed_size);
        customs_jsonw_ku64(w, "entries", l->entries);
        customs_jsonw_end(w, '}');
    }
    customs_jsonw_end(w, ']');
    customs_jsonw_end(w, '}');
}

static void write_os(struct customs_jsonw *w, const struct customs_report *rep)
{
    customs_jsonw_key(w, "os");
    if (!rep->has_os) {
        customs_jsonw_null(w);
        return;
    }
    customs_jsonw_object(w);
    customs_jsonw_kstr(w, "id", rep->os.id);
    customs_jsonw_kstr(w, "version", rep->os.version);
    customs_jsonw_kstr(w, "codename", rep->os.codename);
    customs_jsonw_kstr(w, "pretty", rep->os.pretty);
    customs_jsonw_end(w, '}');
}

static void write_package(struct customs_jsonw *w, const struct customs_report *rep,
                          const struct customs_package *p)
{
    customs_jsonw_object(w);
    customs_jsonw_kstr(w, "type", p->type);
    customs_jsonw_kstr(w, "name", p->name);
    customs_jsonw_kstr(w, "version", p->version);
    customs_jsonw_kstr(w, "epoch", p->epoch);
    customs_jsonw_kstr(w, "source_name", p->source_name);
    customs_jsonw_kstr(w, "source_version", p->source_version);
    customs_jsonw_kstr(w, "arch", p->arch);
    customs_jsonw_kstr(w, "license", p->license);
    customs_jsonw_kstr(w, "purl", p->purl);
    customs_jsonw_kstr(w, "path", p->path);
    customs_jsonw_key(w, "layer");
    layer_ref(w, rep, p->layer);
    customs_jsonw_kbool(w, "dev", p->dev);
    customs_jsonw_kbool(w, "indirect", p->indirect);
    customs_jsonw_end(w, '}');
}

static void write_misconfig(struct customs_jsonw *w, const struct customs_misconfig *m)
{
    customs_jsonw_object(w);
    customs_jsonw_kstr(w, "check", m->check);
    customs_jsonw_kstr(w, "source", m->source);
    customs_jsonw_kstr(w, "level", m->level);
    customs_jsonw_kstr(w, "severity", customs_severity_name(m->severity));
    customs_jsonw_kstr(w, "title", m->title);
    customs_jsonw_kstr(w, "message", m->message);
    customs_jsonw_kstr(w, "fix", m->fix);
    customs_jsonw_kstr(w, "object", m->object);
    customs_jsonw_kstr(w, "file", m->file);
    customs_jsonw_kstr(w, "path", m->path);
    customs_jsonw_ku64(w, "line", m->line > 0 ? (uint64_t)m->line : 0);
    customs_jsonw_ku64(w, "column", m->column > 0 ? (uint64_t)m->column : 0);
    customs_jsonw_kstr(w, "reference", m->reference);
    customs_jsonw_end(w, '}');
}

/* Distinct package types in first-seen order with their counts (at most 16 types). */
struct type_count {
    const char *type;
    uint64_t n;
};

static size_t count_types(const struct customs_report *rep, struct type_count *tc, size_t cap)
{
    size_t nt = 0;
    for (size_t i = 0; i < rep->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&rep->inventory.packages, i);
        size_t j = 0;
        while (j < nt && strcmp(tc[j].type, p->type) != 0) {
            j++;
        }
        if (j == nt && nt < cap) {
            tc[nt].type = p->type;
            tc[nt++].n = 0;
        }
        if (j < nt) {
            tc[j].n++;
        }
    }
    return nt;
}

int customs_report_write_json(const struct customs_report *rep, FILE *out)
{
    struct customs_jsonw w;
    struct type_count tc[16];
    customs_jsonw_init(&w, out);
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "schema", "customs.report/v1");
    customs_jsonw_kstr(&w, "customs_version", CUSTOMS_VERSION);
    write_target(&w, rep);
    write_os(&w, rep);
    customs_jsonw_key(&w, "packages");
    customs_jsonw_array(&w);
    for (size_t i = 0; i < rep->inventory.packages.len; i++) {
        write_package(&w, rep, customs_vec_at(&rep->inventory.packages, i));
    }
    customs_jsonw_end(&w, ']');
    customs_jsonw_key(&w, "misconfigurations");
    customs_jsonw_array(&w);
    for (size_t i = 0; i < rep->misconfigs.len; i++) {
        write_misconfig(&w, customs_vec_at(&rep->misconfigs, i));
    }
    customs_jsonw_end(&w, ']');
    customs_jsonw_key(&w, "secrets");
    customs_jsonw_array(&w);
    for (size_t i = 0; i < rep->secrets.len; i++) {
        const struct customs_secret_finding *f = customs_vec_at(&rep->secrets, i);
        customs_jsonw_object(&w);
        customs_jsonw_kstr(&w, "rule", f->rule);
        customs_jsonw_kstr(&w, "severity", customs_severity_name(f->severity));
        customs_jsonw_kstr(&w, "title", f->title);
        customs_jsonw_kstr(&w, "location", f->location);
        customs_jsonw_kstr(&w, "path", f->path);
        customs_jsonw_key(&w, "line");
        if (f->line > 0) {
            customs_jsonw_u64(&w, f->line);
        } else {
            customs_jsonw_null(&w);
        }
        customs_jsonw_key(&w, "layer");
        layer_ref(&w, rep, f->layer);
        customs_jsonw_key(&w, "removed_in_layer");
        layer_ref(&w, rep, f->removed_in_layer);
        customs_jsonw_kstr(&w, "redacted", f->redacted);
        if (f->secret != NULL) {
            customs_jsonw_kstr(&w, "secret", f->secret);
        }
        customs_jsonw_end(&w, '}');
    }
    customs_jsonw_end(&w, ']');
    customs_jsonw_key(&w, "errors");
    customs_jsonw_array(&w);
    for (size_t i = 0; i < rep->errors.len; i++) {
        const struct customs_report_error *e = customs_vec_at(&rep->errors, i);
        customs_jsonw_object(&w);
        customs_jsonw_kstr(&w, "code", e->code);
        customs_jsonw_kstr(&w, "path", e->path);
        customs_jsonw_key(&w, "layer");
        layer_ref(&w, rep, e->layer);
        customs_jsonw_kstr(&w, "message", e->message);
        customs_jsonw_end(&w, '}');
    }
    customs_jsonw_end(&w, ']');
    customs_jsonw_key(&w, "summary");
    customs_jsonw_object(&w);
    customs_jsonw_ku64(&w, "packages", rep->inventory.packages.len);
    customs_jsonw_key(&w, "by_type");
    customs_jsonw_object(&w);
    size_t nt = count_types(rep, tc, 16);
    for (size_t i = 0; i < nt; i++) {
        customs_jsonw_ku64(&w, tc[i].type, tc[i].n);
    }
    customs_jsonw_end(&w, '}');
    customs_jsonw_ku64(&w, "misconfigurations", rep->misconfigs.len);
    customs_jsonw_ku64(&w, "secrets", rep->secrets.len);
    customs_jsonw_ku64(&w, "errors", rep->errors.len);
    customs_jsonw_end(&w, '}');
    customs_jsonw_end(&w, '}');
    return customs_jsonw_finish(&w);
}

/* ---- table ---- */

/* A cell: control characters shown as '?', cut at `width` columns with "~". */
static void cell(FILE *out, const char *s, int width, bool last)
{
    int used = 0;
    if (s == NULL) {
        s = "-";
    }
    size_t n = strlen(s);
    for (size_t i = 0; i < n && used < width; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xc0) == 0x80) {
            fputc(c, out); /* continuation bytes take no column */
            continue;
        }
        if (used == width - 1 && i + 1 < n && !last) {
            fputc('~', out);
            used++;
            break;
        }
        fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
        used++;
    }
    if (!last) {
        for (; used < width + 2; used++) {
            fputc(' ', out);
        }
    }
}

int customs_report_write_table(const struct customs_report *rep, FILE *out)
{
    struct type_count tc[16];
    const struct customs_target_info *t = &rep->target;
    fputs("Target:   ", out);
    cell(out, t->name, 200, true);
    fprintf(out, "\nKind:     %s", t->kind);
    if (t->platform != NULL) {
        fputs(", ", out);
        cell(out, t->platform, 40, true);
    }
    fprintf(out, ", %zu layer%s\n", t->layers.len, t->layers.len == 1 ? "" : "s");
    fputs("OS:       ", out);
    cell(out, rep->has_os ? (rep->os.pretty ? rep->os.pretty : rep->os.id) : "unknown", 80, true);
    fputs("\n\n", out);
    if (rep->inventory.packages.len > 0) {
        fprintf(out, "%-8s%-42s%-32s%-24s%s\n", "TYPE", "NAME", "VERSION", "SOURCE", "LAYER");
        for (size_t i = 0; i < rep->inventory.packages.len; i++) {
            const struct customs_package *p = customs_vec_at(&rep->inventory.packages, i);
            char layer[16];
            cell(out, p->type, 6, false);
            cell(out, p->name, 40, false);
            cell(out, p->version, 30, false);
            cell(out, p->source_name != NULL && strcmp(p->source_name, p->name) != 0
                          ? p->source_name
                          : NULL,
                 22, false);
            snprintf(layer, sizeof(layer), "%d", p->layer);
            cell(out, p->layer >= 0 ? layer : "-", 6, true);
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    if (rep->misconfigs.len > 0) {
        fprintf(out, "%-10s%-28s%-32s%s\n", "SEVERITY", "CHECK", "OBJECT", "TITLE");
        for (size_t i = 0; i < rep->misconfigs.len; i++) {
            const struct customs_misconfig *m = customs_vec_at(&rep->misconfigs, i);
            cell(out, customs_severity_name(m->severity), 8, false);
            cell(out, m->check, 26, false);
            cell(out, m->object, 30, false);
            cell(out, m->title, 100, true);
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    if (rep->secrets.len > 0) {
        fprintf(out, "%-10s%-30s%-52s%-7s%s\n", "SEVERITY", "SECRET", "WHERE", "LAYER",
                "REMOVED");
        for (size_t i = 0; i < rep->secrets.len; i++) {
            const struct customs_secret_finding *f = customs_vec_at(&rep->secrets, i);
            char where[600], layer[16], removed[16];
            if (f->line > 0) {
                snprintf(where, sizeof(where), "%s:%llu", f->path, (unsigned long long)f->line);
            } else {
                snprintf(where, sizeof(where), "%s %s", f->location, f->path);
            }
            snprintf(layer, sizeof(layer), "%d", f->layer);
            snprintf(removed, sizeof(removed), "%d", f->removed_in_layer);
            cell(out, customs_severity_name(f->severity), 8, false);
            cell(out, f->rule, 28, false);
            cell(out, where, 50, false);
            cell(out, f->layer >= 0 ? layer : "-", 5, false);
            cell(out, f->removed_in_layer >= 0 ? removed : "-", 8, false);
            cell(out, f->secret != NULL ? f->secret : f->redacted, 60, true);
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    for (size_t i = 0; i < rep->errors.len; i++) {
        const struct customs_report_error *e = customs_vec_at(&rep->errors, i);
        fputs("error: ", out);
        cell(out, e->message, 300, true);
        fputc('\n', out);
    }
    fprintf(out, "%zu package%s", rep->inventory.packages.len,
            rep->inventory.packages.len == 1 ? "" : "s");
    size_t nt = count_types(rep, tc, 16);
    for (size_t i = 0; i < nt; i++) {
        fprintf(out, "%s%s %llu", i == 0 ? " (" : ", ", tc[i].type, (unsigned long long)tc[i].n);
    }
    if (rep->secrets.len > 0) {
        fprintf(out, "%s, %zu secret%s", nt ? ")" : "", rep->secrets.len,
                rep->secrets.len == 1 ? "" : "s");
        nt = 0;
    }
    fprintf(out, "%s, %zu error%s\n", nt ? ")" : "", rep->errors.len,
            rep->errors.len == 1 ? "" : "s");
    return fflush(out) != 0 || ferror(out) ? CUSTOMS_EIO : 0;
}
