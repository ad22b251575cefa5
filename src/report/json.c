/* SPDX-License-Identifier: Apache-2.0 */
/* The native JSON report, "customs.report/v1" (docs/report.md, docs/report.schema.json). */
#include <string.h>
#include <time.h>

#include "customs/customs.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "core/banned.h"

static void json_repo_tags(struct customs_jsonw *w, const char *tags)
{
    customs_jsonw_key(w, "repo_tags");
    customs_jsonw_array_begin(w);
    while (tags != NULL && *tags != '\0') {
        const char *comma = strchr(tags, ',');
        size_t n = comma != NULL ? (size_t)(comma - tags) : strlen(tags);
        const char *s = tags;
        while (n > 0 && *s == ' ') {
            s++;
            n--;
        }
        while (n > 0 && s[n - 1] == ' ') {
            n--;
        }
        if (n > 0) {
            customs_jsonw_string_n(w, s, n);
        }
        tags = comma != NULL ? comma + 1 : NULL;
    }
    customs_jsonw_array_end(w);
}

static void json_target(struct customs_jsonw *w, const struct customs_target_info *t)
{
    customs_jsonw_key(w, "target");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "name", t->name);
    customs_jsonw_kv_string(w, "kind", t->kind);
    customs_jsonw_kv_string(w, "manifest_digest", t->manifest_digest);
    customs_jsonw_kv_string(w, "config_digest", t->config_digest);
    customs_jsonw_kv_string(w, "platform", t->platform);
    json_repo_tags(w, t->repo_tags);
    customs_jsonw_key(w, "layers");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < t->layers.len; i++) {
        const struct customs_layer_info *l = customs_vec_at(&t->layers, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_u64(w, "index", l->index);
        customs_jsonw_kv_string(w, "digest", l->digest);
        customs_jsonw_kv_string(w, "diff_id", l->diff_id);
        customs_jsonw_kv_string(w, "media_type", l->media_type);
        customs_jsonw_kv_string(w, "compression", l->compression);
        customs_jsonw_kv_u64(w, "size", l->size);
        customs_jsonw_kv_u64(w, "uncompressed_size", l->uncompressed_size);
        customs_jsonw_kv_u64(w, "entries", l->entries);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
}

static void json_os(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "os");
    if (!r->has_os) {
        customs_jsonw_null(w);
        return;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "id", r->os.id);
    customs_jsonw_kv_string(w, "version", r->os.version);
    customs_jsonw_kv_string(w, "codename", r->os.codename);
    customs_jsonw_kv_string(w, "pretty", r->os.pretty);
    customs_jsonw_kv_string(w, "eol", r->os_eol);
    customs_jsonw_kv_bool(w, "eol_reached", r->os_eol_reached);
    customs_jsonw_object_end(w);
}

static void json_layer_ref_as(struct customs_jsonw *w, const struct customs_report *r,
                              const char *key, int layer)
{
    customs_jsonw_key(w, key);
    if (layer < 0) {
        customs_jsonw_null(w);
        return;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_i64(w, "index", layer);
    customs_jsonw_kv_string(w, "diff_id", customs_report_layer_diff_id(r, layer));
    customs_jsonw_object_end(w);
}

static void json_layer_ref(struct customs_jsonw *w, const struct customs_report *r, int layer)
{
    json_layer_ref_as(w, r, "layer", layer);
}

static void json_packages(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "packages");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "type", p->type);
        customs_jsonw_kv_string(w, "name", p->name);
        customs_jsonw_kv_string(w, "version", p->version);
        customs_jsonw_kv_string(w, "epoch", p->epoch);
        customs_jsonw_kv_string(w, "source_name", p->source_name);
        customs_jsonw_kv_string(w, "source_version", p->source_version);
        customs_jsonw_kv_string(w, "arch", p->arch);
        customs_jsonw_kv_string(w, "license", p->license);
        customs_jsonw_kv_string(w, "purl", p->purl);
        customs_jsonw_kv_string(w, "path", p->path);
        customs_jsonw_kv_string(w, "os_package", p->os_package);
        json_layer_ref(w, r, p->layer);
        customs_jsonw_kv_bool(w, "dev", p->dev);
        customs_jsonw_kv_bool(w, "indirect", p->indirect);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_positive_or_null(struct customs_jsonw *w, const char *key, int v)
{
    customs_jsonw_key(w, key);
    if (v > 0) {
        customs_jsonw_i64(w, v);
    } else {
        customs_jsonw_null(w);
    }
}

static void json_misconfigs(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "misconfigurations");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->misconfigs.len; i++) {
        const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "check", m->check);
        customs_jsonw_kv_string(w, "source", m->source);
        customs_jsonw_kv_string(w, "level", m->level);
        customs_jsonw_kv_string(w, "severity", customs_severity_name(m->severity));
        customs_jsonw_kv_string(w, "title", m->title);
        customs_jsonw_kv_string(w, "message", m->message);
        customs_jsonw_kv_string(w, "fix", m->fix);
        customs_jsonw_kv_string(w, "object", m->object);
        customs_jsonw_kv_string(w, "file", m->file);
        customs_jsonw_kv_string(w, "path", m->path);
        json_positive_or_null(w, "line", m->line);
        json_positive_or_null(w, "column", m->column);
        customs_jsonw_kv_string(w, "reference", m->reference);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_vuln_cvss_entries(struct customs_jsonw *w, const struct customs_vuln_finding *v)
{
    customs_jsonw_key(w, "cvss_entries");
    customs_jsonw_array_begin(w);
    for (size_t k = 0; k < v->ncvss; k++) {
        const struct customs_vuln_cvss *e = &v->cvss_entries[k];
        char score[16];
        snprintf(score, sizeof(score), "%.1f", e->score);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "id", e->id);
        customs_jsonw_kv_string(w, "source", e->source);
        customs_jsonw_kv_string(w, "type", e->type);
        customs_jsonw_kv_string(w, "version", e->version);
        customs_jsonw_kv_string(w, "vector", e->vector);
        customs_jsonw_key(w, "score");
        customs_jsonw_raw_number(w, score);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_vulns(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "vulnerabilities");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->vulns.len; i++) {
        const struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, v->package);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "id", v->id);
        customs_jsonw_key(w, "aliases");
        customs_jsonw_array_begin(w);
        for (size_t k = 0; k < v->naliases; k++) {
            customs_jsonw_string(w, v->aliases[k]);
        }
        customs_jsonw_array_end(w);
        customs_jsonw_kv_string(w, "package", v->name);
        customs_jsonw_kv_string(w, "type", v->type);
        customs_jsonw_kv_string(w, "purl", p->purl);
        customs_jsonw_kv_string(w, "path", p->path);
        customs_jsonw_kv_string(w, "installed", v->installed);
        customs_jsonw_kv_string(w, "fixed", v->fixed);
        customs_jsonw_kv_string(w, "status", v->status);
        customs_jsonw_kv_string(w, "severity", customs_severity_name(v->severity));
        customs_jsonw_kv_string(w, "severity_source", v->severity_source);
        customs_jsonw_key(w, "cvss");
        if (v->cvss >= 0) {
            char score[16];
            customs_jsonw_object_begin(w);
            snprintf(score, sizeof(score), "%.1f", v->cvss);
            customs_jsonw_key(w, "score");
            customs_jsonw_raw_number(w, score);
            customs_jsonw_kv_string(w, "vector", v->cvss_vector);
            customs_jsonw_object_end(w);
        } else {
            customs_jsonw_null(w);
        }
        json_vuln_cvss_entries(w, v);
        customs_jsonw_kv_string(w, "known_exploited", v->known_exploited);
        customs_jsonw_kv_string(w, "nvd_status", v->nvd_status);
        json_layer_ref(w, r, v->layer);
        customs_jsonw_kv_string(w, "title", v->title);
        customs_jsonw_kv_string(w, "source", v->source);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_database(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "database");
    if (!r->vulns_scanned) {
        customs_jsonw_null(w);
        return;
    }
    char built[32] = "";
    time_t t = (time_t)r->db_built_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(built, sizeof(built), "%Y-%m-%dT%H:%M:%SZ", &tm);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "path", r->db_path);
    customs_jsonw_kv_string(w, "built_at", built);
    customs_jsonw_kv_i64(w, "age_days", (int64_t)((time(NULL) - t) / 86400));
    customs_jsonw_object_end(w);
}

/* What the findings can be trusted for: docs/report.md, "coverage". */
static void json_coverage(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "coverage");
    if (!r->coverage_checked && r->coverage_problems.len == 0) {
        customs_jsonw_null(w);
        return;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_bool(w, "complete", r->coverage_problems.len == 0);
    customs_jsonw_kv_bool(w, "checked", r->coverage_checked);
    customs_jsonw_kv_u64(w, "max_db_age_days", r->max_db_age_days);
    customs_jsonw_key(w, "ecosystems");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->coverage.len; i++) {
        const struct customs_coverage_item *c = customs_vec_at(&r->coverage, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "ecosystem", c->ecosystem);
        customs_jsonw_kv_string(w, "status", c->status);
        customs_jsonw_kv_u64(w, "packages", c->packages);
        customs_jsonw_kv_u64(w, "advisories", c->advisories);
        customs_jsonw_kv_string(w, "sources", c->sources);
        customs_jsonw_kv_string(w, "data_date", c->data_date);
        customs_jsonw_key(w, "age_days");
        if (c->age_days >= 0) {
            customs_jsonw_i64(w, c->age_days);
        } else {
            customs_jsonw_null(w);
        }
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
    customs_jsonw_key(w, "problems");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->coverage_problems.len; i++) {
        const struct customs_coverage_problem *p = customs_vec_at(&r->coverage_problems, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "kind", p->kind);
        customs_jsonw_kv_string(w, "subject", p->subject);
        customs_jsonw_kv_string(w, "message", p->message);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
}

static void json_suppressed(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "suppressed");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->suppressed.len; i++) {
        const struct customs_suppressed *s = customs_vec_at(&r->suppressed, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "kind", s->kind != NULL ? s->kind : "vulnerability");
        customs_jsonw_kv_string(w, "id", s->id);
        customs_jsonw_kv_string(w, "path", s->path);
        customs_jsonw_kv_string(w, "package", s->package);
        customs_jsonw_kv_string(w, "installed", s->installed);
        customs_jsonw_kv_string(w, "by", s->by);
        customs_jsonw_kv_string(w, "reason", s->reason);
        customs_jsonw_kv_string(w, "where", s->where);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

/* Every ignore-file entry: what it suppressed, or that it expired. */
static void json_ignored(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "ignored");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->ignored.len; i++) {
        const struct customs_ignore_use *u = customs_vec_at(&r->ignored, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "id", u->id);
        customs_jsonw_kv_string(w, "kind", u->kind);
        customs_jsonw_kv_string(w, "where", u->where);
        customs_jsonw_kv_string(w, "expires", u->expires);
        customs_jsonw_kv_bool(w, "expired", u->expired);
        customs_jsonw_kv_u64(w, "suppressed", u->suppressed);
        customs_jsonw_kv_string(w, "statement", u->statement);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_secrets(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "secrets");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->secrets.len; i++) {
        const struct customs_secret_finding *f = customs_vec_at(&r->secrets, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "rule", f->rule);
        customs_jsonw_kv_string(w, "severity", customs_severity_name(f->severity));
        customs_jsonw_kv_string(w, "title", f->title);
        customs_jsonw_kv_string(w, "location", f->location);
        customs_jsonw_kv_string(w, "path", f->path);
        json_positive_or_null(w, "line", f->line > INT32_MAX ? 0 : (int)f->line);
        json_layer_ref(w, r, f->layer);
        json_layer_ref_as(w, r, "removed_in_layer", f->removed_in_layer);
        customs_jsonw_kv_string(w, "redacted", f->redacted);
        if (f->secret != NULL) {
            customs_jsonw_kv_string(w, "secret", f->secret);
        }
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_malware(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "malware");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->malware.len; i++) {
        const struct customs_malware_finding *f = customs_vec_at(&r->malware, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "engine", f->engine);
        customs_jsonw_kv_string(w, "rule", f->rule);
        customs_jsonw_kv_string(w, "severity", customs_severity_name(f->severity));
        customs_jsonw_kv_string(w, "category", f->category);
        customs_jsonw_kv_string(w, "description", f->description);
        customs_jsonw_kv_string(w, "path", f->path);
        customs_jsonw_kv_string(w, "sha256", f->sha256);
        json_layer_ref(w, r, f->layer);
        json_layer_ref_as(w, r, "removed_in_layer", f->removed_in_layer);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_errors(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_key(w, "errors");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->errors.len; i++) {
        const struct customs_report_error *e = customs_vec_at(&r->errors, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "code", e->code);
        customs_jsonw_kv_string(w, "path", e->path);
        customs_jsonw_key(w, "layer");
        if (e->layer >= 0) {
            customs_jsonw_i64(w, e->layer);
        } else {
            customs_jsonw_null(w);
        }
        customs_jsonw_kv_string(w, "message", e->message);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

static void json_summary(struct customs_jsonw *w, const struct customs_report *r,
                         const struct customs_vec *types)
{
    size_t by_severity[CUSTOMS_SEVERITY_CRITICAL + 1] = {0};
    for (size_t i = 0; i < r->misconfigs.len; i++) {
        const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        unsigned s = (unsigned)m->severity;
        by_severity[s <= CUSTOMS_SEVERITY_CRITICAL ? s : CUSTOMS_SEVERITY_UNKNOWN]++;
    }
    customs_jsonw_key(w, "summary");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_u64(w, "packages", r->inventory.packages.len);
    customs_jsonw_key(w, "by_type");
    customs_jsonw_object_begin(w);
    for (size_t i = 0; i < types->len; i++) {
        const struct customs_type_count *tc = customs_vec_at(types, i);
        customs_jsonw_kv_u64(w, tc->type, tc->count);
    }
    customs_jsonw_object_end(w);
    customs_jsonw_key(w, "misconfigurations");
    customs_jsonw_object_begin(w);
    for (int s = CUSTOMS_SEVERITY_CRITICAL; s >= CUSTOMS_SEVERITY_UNKNOWN; s--) {
        customs_jsonw_kv_u64(w, customs_severity_name((enum customs_severity)s), by_severity[s]);
    }
    customs_jsonw_object_end(w);
    size_t vsev[CUSTOMS_SEVERITY_CRITICAL + 1] = {0};
    for (size_t i = 0; i < r->vulns.len; i++) {
        const struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
        vsev[(unsigned)v->severity <= CUSTOMS_SEVERITY_CRITICAL ? v->severity : 0]++;
    }
    customs_jsonw_key(w, "vulnerabilities");
    customs_jsonw_object_begin(w);
    for (int s = CUSTOMS_SEVERITY_CRITICAL; s >= CUSTOMS_SEVERITY_UNKNOWN; s--) {
        customs_jsonw_kv_u64(w, customs_severity_name((enum customs_severity)s), vsev[s]);
    }
    customs_jsonw_object_end(w);
    customs_jsonw_kv_u64(w, "secrets", r->secrets.len);
    customs_jsonw_kv_u64(w, "malware", r->malware.len);
    customs_jsonw_kv_u64(w, "errors", r->errors.len);
    customs_jsonw_kv_u64(w, "coverage_problems", r->coverage_problems.len);
    customs_jsonw_key(w, "hidden_by_severity");
    customs_jsonw_object_begin(w);
    for (int s = CUSTOMS_SEVERITY_CRITICAL; s >= CUSTOMS_SEVERITY_UNKNOWN; s--) {
        customs_jsonw_kv_u64(w, customs_severity_name((enum customs_severity)s),
                             r->hidden_by_severity[s]);
    }
    customs_jsonw_object_end(w);
    customs_jsonw_object_end(w);
}

static void json_signature(struct customs_jsonw *w, const struct customs_report_signature *s)
{
    if (s == NULL) {
        return;
    }
    customs_jsonw_key(w, "signature");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_bool(w, "verified", true);
    customs_jsonw_kv_string(w, "format", s->format);
    customs_jsonw_kv_string(w, "key", s->key);
    customs_jsonw_kv_string(w, "fingerprint", s->fingerprint);
    customs_jsonw_kv_string(w, "digest", s->digest);
    customs_jsonw_kv_string(w, "identity", s->identity);
    customs_jsonw_kv_string(w, "source", s->source);
    customs_jsonw_object_end(w);
}

/* One customs.report/v1 object. @return 0 or CUSTOMS_ENOMEM */
static int json_report(struct customs_jsonw *w, const struct customs_report *r)
{
    struct customs_vec types;
    int rc = customs_report_type_counts(&types, r);
    if (rc < 0) {
        return rc;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "schema", "customs.report/v1");
    customs_jsonw_kv_string(w, "customs_version", customs_version());
    json_target(w, &r->target);
    json_signature(w, r->signature);
    json_os(w, r);
    json_packages(w, r);
    json_database(w, r);
    json_coverage(w, r);
    json_vulns(w, r);
    json_suppressed(w, r);
    json_ignored(w, r);
    json_misconfigs(w, r);
    json_secrets(w, r);
    json_malware(w, r);
    json_errors(w, r);
    json_summary(w, r, &types);
    customs_jsonw_object_end(w);
    customs_vec_release(&types);
    return 0;
}

int customs_report_write_json(const struct customs_report *r, FILE *out,
                              struct customs_error *err)
{
    struct customs_jsonw w;
    customs_jsonw_init(&w, out, true);
    int rc = json_report(&w, r);
    if (rc < 0) {
        return customs_error_set(err, rc, "writing JSON report: out of memory");
    }
    return customs_jsonw_finish(&w, err);
}

int customs_reports_write_json(const struct customs_report *const *rs, size_t n,
                               const char *source, FILE *out, struct customs_error *err)
{
    struct customs_jsonw w;
    int rc = 0;
    customs_jsonw_init(&w, out, true);
    customs_jsonw_object_begin(&w);
    customs_jsonw_kv_string(&w, "schema", "customs.images/v1");
    customs_jsonw_kv_string(&w, "customs_version", customs_version());
    customs_jsonw_kv_string(&w, "source", source);
    customs_jsonw_key(&w, "images");
    customs_jsonw_array_begin(&w);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = json_report(&w, rs[i]);
    }
    customs_jsonw_array_end(&w);
    customs_jsonw_object_end(&w);
    if (rc < 0) {
        return customs_error_set(err, rc, "writing JSON report: out of memory");
    }
    return customs_jsonw_finish(&w, err);
}
