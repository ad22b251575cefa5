/* SPDX-License-Identifier: Apache-2.0 */
/* audit's JSON document (customs.audit/v1), streamed: 10,000 manifests' findings never sit in
 * memory as a second, JSON-shaped copy (building that tree and dumping it was half of what
 * `audit` cost). SARIF: sarif.c. */
#include "report/audit.h"

#include <stdio.h>

#include "core/banned.h"

/* A member whose value is a string, left out when the string is NULL. */
static void kv_opt(struct customs_jsonw *w, const char *key, const char *v)
{
    if (v != NULL) {
        customs_jsonw_kv_string(w, key, v);
    }
}

/* A positive position, else null. */
static void kv_pos(struct customs_jsonw *w, const char *key, int v)
{
    customs_jsonw_key(w, key);
    if (v > 0) {
        customs_jsonw_i64(w, v);
    } else {
        customs_jsonw_null(w);
    }
}

static void write_findings(struct customs_jsonw *w, const char *key,
                           const struct customs_misconfig *items, size_t n)
{
    customs_jsonw_key(w, key);
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        const struct customs_misconfig *m = &items[i];
        customs_jsonw_object_begin(w);
        kv_opt(w, "check", m->check);
        kv_opt(w, "source", m->source);
        kv_opt(w, "level", m->level);
        kv_opt(w, "severity", customs_severity_name(m->severity));
        kv_opt(w, "title", m->title);
        kv_opt(w, "message", m->message);
        kv_opt(w, "fix", m->fix);
        kv_opt(w, "object", m->object);
        kv_opt(w, "file", m->file);
        kv_opt(w, "path", m->path);
        customs_jsonw_kv_i64(w, "line", m->line);
        customs_jsonw_kv_i64(w, "column", m->column);
        kv_opt(w, "reference", m->reference);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void write_ignored(struct customs_jsonw *w, const struct customs_audit_ignore *ig)
{
    write_findings(w, "suppressed", ig->suppressed, ig->nsuppressed);
    customs_jsonw_key(w, "ignored");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < ig->nentries; i++) {
        const struct customs_report_ignore *e = &ig->entries[i];
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "id", e->id);
        customs_jsonw_kv_string(w, "kind", e->kind);
        customs_jsonw_kv_string(w, "where", e->where);
        customs_jsonw_kv_string(w, "expires", e->expires);
        customs_jsonw_kv_bool(w, "expired", e->expired);
        customs_jsonw_kv_u64(w, "suppressed", e->suppressed);
        customs_jsonw_kv_string(w, "statement", e->statement);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

int customs_report_write_audit_json_ignore(FILE *out, const struct customs_misconfig_set *set,
                                           const struct customs_pss_options *opt,
                                           const struct customs_sarif_notification *notes,
                                           size_t nnotes, const struct customs_audit_ignore *ignore,
                                           struct customs_error *err)
{
    struct customs_jsonw w;
    char version[16];
    snprintf(version, sizeof(version), "v1.%d", opt->minor);
    customs_jsonw_init(&w, out, true);
    customs_jsonw_object_begin(&w);
    customs_jsonw_kv_string(&w, "schema", "customs.audit/v1");
    customs_jsonw_kv_string(&w, "level", customs_pss_level_name(opt->level));
    customs_jsonw_kv_string(&w, "version", version);
    write_findings(&w, "findings", set->items.items, customs_misconfig_set_count(set));
    customs_jsonw_key(&w, "errors");
    customs_jsonw_array_begin(&w);
    for (size_t i = 0; i < nnotes; i++) {
        customs_jsonw_object_begin(&w);
        customs_jsonw_kv_string(&w, "file", notes[i].uri);
        kv_pos(&w, "line", notes[i].line);
        kv_pos(&w, "column", notes[i].column);
        customs_jsonw_kv_string(&w, "message", notes[i].message);
        customs_jsonw_object_end(&w);
    }
    customs_jsonw_array_end(&w);
    if (ignore != NULL) {
        write_ignored(&w, ignore);
    }
    customs_jsonw_object_end(&w);
    return customs_jsonw_finish(&w, err);
}

int customs_report_write_audit_json(FILE *out, const struct customs_misconfig_set *set,
                                    const struct customs_pss_options *opt,
                                    const struct customs_sarif_notification *notes,
                                    size_t nnotes, struct customs_error *err)
{
    return customs_report_write_audit_json_ignore(out, set, opt, notes, nnotes, NULL, err);
}
