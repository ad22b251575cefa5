/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A scan's report as SARIF 2.1.0 (docs/report.md, "SARIF"): one rule per distinct id
 * (vulnerability id, misconfiguration check, secret rule, malware rule), sorted by id; one
 * result per finding in the report's order, then one per finding the ignore file or VEX
 * suppressed, marked with a `suppressions` entry (kind external, the statement as its
 * justification) so that code scanning closes its alert instead of seeing it vanish; coverage
 * problems and non-fatal errors as tool execution notifications.
 */
#include <stdlib.h>
#include <string.h>

#include "customs/customs.h"
#include "report/sarif.h"
#include "report/writers.h"
#include "core/banned.h"

enum sarif_kind {
    KIND_VULN,
    KIND_MISCONFIG,
    KIND_SECRET,
    KIND_MALWARE,
};

/* A rule: the first finding of its id, by kind and order (the report's findings, then the
 * suppressed ones). */
struct sarif_rule_ref {
    const char *id;
    enum sarif_kind kind;
    size_t index;
    const void *finding; /* struct customs_vuln_finding, customs_misconfig, ... by kind */
};

static int rule_ref_cmp(const void *a, const void *b)
{
    const struct sarif_rule_ref *x = a;
    const struct sarif_rule_ref *y = b;
    int c = strcmp(x->id, y->id);
    if (c != 0) {
        return c;
    }
    if (x->kind != y->kind) {
        return x->kind < y->kind ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

static int rules_add(struct customs_vec *rules, const char *id, enum sarif_kind kind, size_t i,
                     const void *finding)
{
    struct sarif_rule_ref *ref = customs_vec_push(rules);
    if (ref == NULL) {
        return CUSTOMS_ENOMEM;
    }
    ref->id = id != NULL ? id : "";
    ref->kind = kind;
    ref->index = i;
    ref->finding = finding;
    return 0;
}

/* The rule of a suppressed finding (none when the suppression kept no copy of it). */
static int rules_add_suppressed(struct customs_vec *rules, const struct customs_report *r,
                                size_t i)
{
    const struct customs_suppressed *s = customs_vec_at(&r->suppressed, i);
    size_t order = r->vulns.len + r->misconfigs.len + r->secrets.len + r->malware.len + i;
    if (s->vuln != NULL) {
        return rules_add(rules, s->vuln->id, KIND_VULN, order, s->vuln);
    }
    if (s->misconfig != NULL) {
        return rules_add(rules, s->misconfig->check, KIND_MISCONFIG, order, s->misconfig);
    }
    if (s->secret != NULL) {
        return rules_add(rules, s->secret->rule, KIND_SECRET, order, s->secret);
    }
    if (s->malware != NULL) {
        return rules_add(rules, s->malware->rule, KIND_MALWARE, order, s->malware);
    }
    return 0;
}

/* Every finding's rule id once, sorted; the first finding (by kind, then index) describes it. */
static int rules_collect(struct customs_vec *rules, const struct customs_report *r)
{
    int rc = 0;
    customs_vec_init(rules, sizeof(struct sarif_rule_ref));
    for (size_t i = 0; rc == 0 && i < r->vulns.len; i++) {
        const struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
        rc = rules_add(rules, v->id, KIND_VULN, i, v);
    }
    for (size_t i = 0; rc == 0 && i < r->misconfigs.len; i++) {
        const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        rc = rules_add(rules, m->check, KIND_MISCONFIG, i, m);
    }
    for (size_t i = 0; rc == 0 && i < r->secrets.len; i++) {
        const struct customs_secret_finding *s = customs_vec_at(&r->secrets, i);
        rc = rules_add(rules, s->rule, KIND_SECRET, i, s);
    }
    for (size_t i = 0; rc == 0 && i < r->malware.len; i++) {
        const struct customs_malware_finding *f = customs_vec_at(&r->malware, i);
        rc = rules_add(rules, f->rule, KIND_MALWARE, i, f);
    }
    for (size_t i = 0; rc == 0 && i < r->suppressed.len; i++) {
        rc = rules_add_suppressed(rules, r, i);
    }
    if (rc < 0) {
        customs_vec_release(rules);
        return rc;
    }
    if (rules->len > 1) {
        qsort(rules->items, rules->len, rules->elem, rule_ref_cmp);
    }
    size_t kept = 0;
    for (size_t i = 0; i < rules->len; i++) {
        struct sarif_rule_ref *ref = customs_vec_at(rules, i);
        if (kept > 0 && strcmp(((struct sarif_rule_ref *)customs_vec_at(rules, kept - 1))->id,
                               ref->id) == 0) {
            continue;
        }
        memmove(customs_vec_at(rules, kept++), ref, sizeof(*ref));
    }
    rules->len = kept;
    return 0;
}

static long rules_index(const struct customs_vec *rules, const char *id)
{
    size_t lo = 0;
    size_t hi = rules->len;
    const char *key = id != NULL ? id : "";
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sarif_rule_ref *ref = customs_vec_at(rules, mid);
        int c = strcmp(ref->id, key);
        if (c == 0) {
            return (long)mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -1;
}

static void format_score(char out[16], double score)
{
    snprintf(out, 16, "%.1f", score);
}

static int write_rule(struct customs_jsonw *w, const struct customs_report *r,
                      const struct sarif_rule_ref *ref, struct customs_buf *help,
                      struct customs_buf *uri)
{
    struct customs_sarif_rule rule = {.id = ref->id};
    char score[16];
    int rc = 0;
    customs_buf_reset(help);
    customs_buf_reset(uri);
    if (ref->kind == KIND_VULN) {
        const struct customs_vuln_finding *v = ref->finding;
        rule.short_text = v->title != NULL ? v->title : v->id;
        rule.full_text = v->title;
        rule.severity = v->severity;
        if (v->cvss >= 0) {
            format_score(score, v->cvss);
            rule.score = score;
        }
        rc = customs_buf_printf(help, "Vulnerability %s\nSeverity: %s%s%s%s\n", v->id,
                                customs_severity_name(v->severity),
                                v->severity_source != NULL ? " (" : "",
                                v->severity_source != NULL ? v->severity_source : "",
                                v->severity_source != NULL ? ")" : "");
        if (rc == 0 && v->cvss >= 0) {
            rc = customs_buf_printf(help, "CVSS: %.1f %s\n", v->cvss,
                                    v->cvss_vector != NULL ? v->cvss_vector : "");
        }
        if (rc == 0 && v->known_exploited != NULL) {
            rc = customs_buf_printf(help, "Known exploited (CISA KEV) since %s\n",
                                    v->known_exploited);
        }
        for (size_t k = 0; rc == 0 && k < v->naliases; k++) {
            rc = customs_buf_printf(help, "%s%s%s", k == 0 ? "Aliases: " : ", ", v->aliases[k],
                                    k + 1 == v->naliases ? "\n" : "");
        }
        if (rc == 0) {
            rc = customs_buf_printf(help, "Upgrade the affected package to a fixed version; "
                                          "each result names the package, the installed "
                                          "version and the fixed one.");
        }
        rule.help_text = customs_buf_cstr(help);
        rc = rc == 0 ? customs_report_advisory_url(uri, v->id) : rc;
        rule.help_uri = customs_buf_cstr(uri);
        rule.tags[0] = "vulnerability";
    } else if (ref->kind == KIND_MISCONFIG) {
        const struct customs_misconfig *m = ref->finding;
        rule.short_text = m->title;
        rule.help_text = m->fix;
        rule.help_uri = m->reference != NULL && strstr(m->reference, "://") != NULL
                            ? m->reference
                            : NULL;
        if (m->reference != NULL && rule.help_uri == NULL) {
            rc = customs_buf_printf(help, "%s\nReference: %s", m->fix != NULL ? m->fix : "",
                                    m->reference);
            rule.help_text = customs_buf_cstr(help);
        }
        rule.severity = m->severity;
        rule.tags[0] = "misconfiguration";
        rule.tags[1] = m->source;
    } else if (ref->kind == KIND_SECRET) {
        const struct customs_secret_finding *s = ref->finding;
        rule.short_text = s->title;
        rc = customs_buf_printf(help, "Secret: %s. Remove it from the image (a later layer "
                                      "deleting it does not: every layer is pulled), revoke "
                                      "it and pass it at run time instead.",
                                s->title != NULL ? s->title : s->rule);
        rule.help_text = customs_buf_cstr(help);
        rule.severity = s->severity;
        rule.tags[0] = "secret";
    } else {
        const struct customs_malware_finding *f = ref->finding;
        rule.short_text = f->description != NULL ? f->description : f->rule;
        rc = customs_buf_printf(help, "Malware (%s rule %s%s%s). Rebuild the image from "
                                      "trusted sources; do not run it.",
                                f->engine, f->rule, f->category != NULL ? ", category " : "",
                                f->category != NULL ? f->category : "");
        rule.help_text = customs_buf_cstr(help);
        rule.severity = f->severity;
        rule.tags[0] = "malware";
        rule.tags[1] = f->category;
    }
    if (rc < 0) {
        return rc;
    }
    customs_sarif_rule(w, &rule);
    return 0;
}

/* Properties shared by the findings that come from a layer. */
static void layer_properties(struct customs_jsonw *w, const struct customs_report *r,
                             const char *key, int layer)
{
    if (layer < 0) {
        return;
    }
    customs_jsonw_key(w, key);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_i64(w, "index", layer);
    customs_jsonw_kv_string(w, "diff_id", customs_report_layer_diff_id(r, layer));
    customs_jsonw_object_end(w);
}

/* "suppressions" of a result the user suppressed (nothing for a result that stands): the
 * statement as justification, a generic sentence when the entry gives none. */
static void sarif_suppression(struct customs_jsonw *w, const struct customs_suppressed *sup)
{
    if (sup == NULL) {
        return;
    }
    bool vex = sup->by != NULL && strcmp(sup->by, "vex") == 0;
    const char *why = sup->reason != NULL ? sup->reason
                      : vex               ? "suppressed by a VEX statement"
                                          : "suppressed by an ignore file entry";
    customs_sarif_suppression(w, sup->by, why, sup->where);
}

static const char *image_path(const char *path)
{
    return path != NULL ? path + strspn(path, "/") : NULL;
}

static int vuln_result(struct customs_jsonw *w, const struct customs_report *r,
                       const struct customs_vuln_finding *v, long rule_index,
                       struct customs_buf *msg, const struct customs_suppressed *sup)
{
    const struct customs_package *p = customs_vec_at(&r->inventory.packages, v->package);
    char score[16];
    customs_buf_reset(msg);
    int rc = customs_buf_printf(msg, "%s %s (%s): %s, severity %s", v->name != NULL ? v->name : "-",
                                v->installed != NULL ? v->installed : "-",
                                v->type != NULL ? v->type : "-", v->id,
                                customs_severity_name(v->severity));
    if (rc == 0 && v->cvss >= 0) {
        rc = customs_buf_printf(msg, ", CVSS %.1f", v->cvss);
    }
    if (rc == 0) {
        rc = v->fixed != NULL ? customs_buf_printf(msg, "; fixed in %s", v->fixed)
                              : customs_buf_printf(msg, "; no fixed version (%s)", v->status);
    }
    if (rc < 0) {
        return rc;
    }
    const char *diff_id = customs_report_layer_diff_id(r, v->layer);
    const char *logical[] = {p->purl, "package", diff_id, "layer"};
    const char *parts[] = {"vulnerability", v->id, v->type, v->name, p->path};
    customs_sarif_result_begin(w, v->id, rule_index, v->severity, customs_buf_cstr(msg));
    customs_sarif_location(w, image_path(p->path), 0, 0, logical, 2);
    rc = customs_sarif_fingerprint(w, parts, sizeof(parts) / sizeof(parts[0]));
    customs_jsonw_key(w, "properties");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "kind", "vulnerability");
    customs_jsonw_kv_string(w, "package", v->name);
    customs_jsonw_kv_string(w, "type", v->type);
    customs_jsonw_kv_string(w, "purl", p->purl);
    customs_jsonw_kv_string(w, "path", p->path);
    customs_jsonw_kv_string(w, "installed", v->installed);
    customs_jsonw_kv_string(w, "fixed", v->fixed);
    customs_jsonw_kv_string(w, "status", v->status);
    customs_jsonw_kv_string(w, "severity", customs_severity_name(v->severity));
    customs_jsonw_kv_string(w, "severity_source", v->severity_source);
    if (v->cvss >= 0) {
        format_score(score, v->cvss);
        customs_jsonw_key(w, "cvss_score");
        customs_jsonw_raw_number(w, score);
        customs_jsonw_kv_string(w, "cvss_vector", v->cvss_vector);
    }
    if (v->known_exploited != NULL) {
        customs_jsonw_kv_string(w, "known_exploited", v->known_exploited);
    }
    layer_properties(w, r, "layer", v->layer);
    customs_jsonw_object_end(w);
    sarif_suppression(w, sup);
    customs_jsonw_object_end(w);
    return rc;
}

static int secret_result(struct customs_jsonw *w, const struct customs_report *r,
                         const struct customs_secret_finding *s, long rule_index,
                         struct customs_buf *msg, const struct customs_suppressed *sup)
{
    customs_buf_reset(msg);
    int rc = customs_buf_printf(msg, "%s: %s in %s %s%s", s->title != NULL ? s->title : s->rule,
                                s->redacted != NULL ? s->redacted : "(redacted)",
                                s->location != NULL ? s->location : "-",
                                s->path != NULL ? s->path : "-", s->removed_in_layer >= 0
                                             ? " (removed by a later layer, still in the image)"
                                             : "");
    if (rc < 0) {
        return rc;
    }
    bool in_file = s->location != NULL && strcmp(s->location, "file") == 0;
    int line = s->line > 0 && s->line <= INT32_MAX ? (int)s->line : 0;
    const char *logical[] = {in_file ? NULL : s->path, s->location};
    const char *parts[] = {"secret", s->rule, s->location, s->path, s->redacted};
    customs_sarif_result_begin(w, s->rule, rule_index, s->severity, customs_buf_cstr(msg));
    customs_sarif_location(w, in_file ? image_path(s->path) : NULL, line, 0, logical, 1);
    rc = customs_sarif_fingerprint(w, parts, sizeof(parts) / sizeof(parts[0]));
    customs_jsonw_key(w, "properties");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "kind", "secret");
    customs_jsonw_kv_string(w, "location", s->location);
    customs_jsonw_kv_string(w, "path", s->path);
    customs_jsonw_kv_string(w, "redacted", s->redacted);
    if (s->secret != NULL) {
        customs_jsonw_kv_string(w, "secret", s->secret);
    }
    layer_properties(w, r, "layer", s->layer);
    layer_properties(w, r, "removed_in_layer", s->removed_in_layer);
    customs_jsonw_object_end(w);
    sarif_suppression(w, sup);
    customs_jsonw_object_end(w);
    return rc;
}

static int malware_result(struct customs_jsonw *w, const struct customs_report *r,
                          const struct customs_malware_finding *f, long rule_index,
                          struct customs_buf *msg, const struct customs_suppressed *sup)
{
    customs_buf_reset(msg);
    int rc = customs_buf_printf(msg, "%s: %s rule %s%s", f->path, f->engine, f->rule,
                                f->removed_in_layer >= 0
                                    ? " (removed by a later layer, still in the image)"
                                    : "");
    if (rc < 0) {
        return rc;
    }
    const char *parts[] = {"malware", f->engine, f->rule, f->path, f->sha256};
    customs_sarif_result_begin(w, f->rule, rule_index, f->severity, customs_buf_cstr(msg));
    customs_sarif_location(w, image_path(f->path), 0, 0, NULL, 0);
    rc = customs_sarif_fingerprint(w, parts, sizeof(parts) / sizeof(parts[0]));
    customs_jsonw_key(w, "properties");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "kind", "malware");
    customs_jsonw_kv_string(w, "engine", f->engine);
    customs_jsonw_kv_string(w, "category", f->category);
    customs_jsonw_kv_string(w, "path", f->path);
    customs_jsonw_kv_string(w, "sha256", f->sha256);
    layer_properties(w, r, "layer", f->layer);
    layer_properties(w, r, "removed_in_layer", f->removed_in_layer);
    customs_jsonw_object_end(w);
    sarif_suppression(w, sup);
    customs_jsonw_object_end(w);
    return rc;
}

/* A suppressed finding as the result it would have been, with its suppression. */
static int suppressed_result(struct customs_jsonw *w, const struct customs_report *r,
                             const struct customs_suppressed *sup,
                             const struct customs_vec *rules, struct customs_buf *msg)
{
    int rc = 0;
    if (sup->vuln != NULL) {
        rc = vuln_result(w, r, sup->vuln, rules_index(rules, sup->vuln->id), msg, sup);
    } else if (sup->misconfig != NULL) {
        const struct customs_misconfig *m = sup->misconfig;
        rc = customs_sarif_misconfig_result(w, m, rules_index(rules, m->check));
        sarif_suppression(w, sup);
        customs_jsonw_object_end(w);
    } else if (sup->secret != NULL) {
        rc = secret_result(w, r, sup->secret, rules_index(rules, sup->secret->rule), msg, sup);
    } else if (sup->malware != NULL) {
        rc = malware_result(w, r, sup->malware, rules_index(rules, sup->malware->rule), msg,
                            sup);
    }
    return rc;
}

/* Coverage problems (errors: the result is incomplete), then the report's non-fatal errors
 * (warnings), as notifications. */
static int notifications(struct customs_vec *out, const struct customs_report *r)
{
    customs_vec_init(out, sizeof(struct customs_sarif_notification));
    for (size_t i = 0; i < r->coverage_problems.len; i++) {
        const struct customs_coverage_problem *p = customs_vec_at(&r->coverage_problems, i);
        struct customs_sarif_notification *n = customs_vec_push(out);
        if (n == NULL) {
            customs_vec_release(out);
            return CUSTOMS_ENOMEM;
        }
        memset(n, 0, sizeof(*n));
        n->id = p->kind;
        n->level = "error";
        n->message = p->message;
    }
    for (size_t i = 0; i < r->errors.len; i++) {
        const struct customs_report_error *e = customs_vec_at(&r->errors, i);
        struct customs_sarif_notification *n = customs_vec_push(out);
        if (n == NULL) {
            customs_vec_release(out);
            return CUSTOMS_ENOMEM;
        }
        memset(n, 0, sizeof(*n));
        n->id = e->code;
        n->level = "warning";
        n->message = e->message;
        n->uri = image_path(e->path);
    }
    return 0;
}

/* One run: the report's rules, results and notifications. `automation_id` names the run
 * among several (or NULL). @return 0 or CUSTOMS_ENOMEM */
static int sarif_run(struct customs_jsonw *w, const struct customs_report *r,
                     const char *automation_id)
{
    struct customs_vec rules;
    struct customs_vec notes;
    struct customs_buf a;
    struct customs_buf b;

    int rc = rules_collect(&rules, r);
    if (rc < 0) {
        return rc;
    }
    rc = notifications(&notes, r);
    if (rc < 0) {
        customs_vec_release(&rules);
        return rc;
    }
    customs_buf_init(&a, 0);
    customs_buf_init(&b, 0);
    customs_sarif_run_begin(w, customs_version(), automation_id);
    for (size_t i = 0; rc == 0 && i < rules.len; i++) {
        rc = write_rule(w, r, customs_vec_at(&rules, i), &a, &b);
    }
    customs_sarif_results_begin(w);
    for (size_t i = 0; rc == 0 && i < r->vulns.len; i++) {
        const struct customs_vuln_finding *v = customs_vec_at(&r->vulns, i);
        rc = vuln_result(w, r, v, rules_index(&rules, v->id), &a, NULL);
    }
    for (size_t i = 0; rc == 0 && i < r->misconfigs.len; i++) {
        const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        rc = customs_sarif_misconfig_result(w, m, rules_index(&rules, m->check));
        customs_jsonw_object_end(w);
    }
    for (size_t i = 0; rc == 0 && i < r->secrets.len; i++) {
        const struct customs_secret_finding *s = customs_vec_at(&r->secrets, i);
        rc = secret_result(w, r, s, rules_index(&rules, s->rule), &a, NULL);
    }
    for (size_t i = 0; rc == 0 && i < r->malware.len; i++) {
        const struct customs_malware_finding *f = customs_vec_at(&r->malware, i);
        rc = malware_result(w, r, f, rules_index(&rules, f->rule), &a, NULL);
    }
    for (size_t i = 0; rc == 0 && i < r->suppressed.len; i++) {
        rc = suppressed_result(w, r, customs_vec_at(&r->suppressed, i), &rules, &a);
    }
    customs_sarif_run_end(w, r->coverage_problems.len == 0, notes.items, notes.len);
    customs_buf_release(&a);
    customs_buf_release(&b);
    customs_vec_release(&rules);
    customs_vec_release(&notes);
    return rc;
}

int customs_report_write_sarif(const struct customs_report *r, FILE *out,
                               struct customs_error *err)
{
    const struct customs_report *one[1] = {r};
    return customs_reports_write_sarif(one, 1, false, out, err);
}

int customs_reports_write_sarif(const struct customs_report *const *rs, size_t n, bool named,
                                FILE *out, struct customs_error *err)
{
    struct customs_jsonw w;
    struct customs_buf id;
    int rc = 0;
    customs_buf_init(&id, 0);
    customs_jsonw_init(&w, out, true);
    customs_sarif_log_begin(&w);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        /* runAutomationDetails.id: "customs/<target>/" tells the runs apart (GitHub code
         * scanning keeps one analysis per category) */
        customs_buf_reset(&id);
        rc = named ? customs_buf_printf(&id, "customs/%s/", rs[i]->target.name) : 0;
        if (rc == 0) {
            rc = sarif_run(&w, rs[i], named ? customs_buf_cstr(&id) : NULL);
        }
    }
    customs_sarif_log_end(&w);
    customs_buf_release(&id);
    if (rc < 0) {
        return customs_error_set(err, rc, "writing SARIF: out of memory");
    }
    return customs_jsonw_finish(&w, err);
}
