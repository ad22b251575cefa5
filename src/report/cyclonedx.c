/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CycloneDX 1.5 JSON. The serial number is a UUID derived from the target's digests, so one
 * image always yields the same document; the timestamp honours SOURCE_DATE_EPOCH.
 * bom-refs: "customs:target", "customs:os", and for package N (its index in the report)
 * PURL + "?package-id=N" ("&package-id=N" when the purl has qualifiers) or
 * "customs:package?package-id=N" without a purl. N is the maximal run of digits that ends
 * every package ref, after "=", so refs are unique even when purls repeat.
 * Vulnerabilities: one entry per id ("customs:vuln:ID"), sorted by id, `affects` naming every
 * package it was found in; the ones VEX or the ignore file suppressed follow with their
 * `analysis` ("customs:vex:N:ID", "customs:ignored:N:ID", N their position in the report's
 * suppressed list).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customs/customs.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "vulndb/vulndb.h"
#include "core/banned.h"

static void cdx_property(struct customs_jsonw *w, const char *name, const char *value)
{
    if (value == NULL) {
        return;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "name", name);
    customs_jsonw_kv_string(w, "value", value);
    customs_jsonw_object_end(w);
}

static void cdx_licenses(struct customs_jsonw *w, struct customs_buf *scratch,
                         const char *license)
{
    if (license == NULL || license[0] == '\0') {
        return;
    }
    customs_jsonw_key(w, "licenses");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    const char *id = customs_license_spdx_id(license, strlen(license));
    if (id != NULL) {
        customs_jsonw_key(w, "license");
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "id", id);
        customs_jsonw_object_end(w);
    } else if (customs_license_expression(scratch, license)) {
        customs_jsonw_kv_string(w, "expression", customs_buf_cstr(scratch));
    } else {
        customs_jsonw_key(w, "license");
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "name", license);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);
}

static int cdx_package_ref(struct customs_buf *ref, const struct customs_package *p, size_t n)
{
    customs_buf_reset(ref);
    if (p->purl != NULL && p->purl[0] != '\0') {
        return customs_buf_printf(ref, "%s%cpackage-id=%zu", p->purl,
                                  strchr(p->purl, '?') != NULL ? '&' : '?', n);
    }
    return customs_buf_printf(ref, "customs:package?package-id=%zu", n);
}

static int cdx_component(struct customs_jsonw *w, struct customs_buf *ref,
                         struct customs_buf *scratch, const struct customs_report *r, size_t n)
{
    const struct customs_package *p = customs_vec_at(&r->inventory.packages, n);
    char num[24];

    int rc = cdx_package_ref(ref, p, n);
    if (rc < 0) {
        return rc;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", "library");
    customs_jsonw_kv_string(w, "bom-ref", customs_buf_cstr(ref));
    customs_jsonw_kv_string(w, "name", p->name != NULL ? p->name : "");
    if (p->version != NULL) {
        customs_jsonw_kv_string(w, "version", p->version);
    }
    cdx_licenses(w, scratch, p->license);
    if (p->purl != NULL) {
        customs_jsonw_kv_string(w, "purl", p->purl);
    }
    customs_jsonw_key(w, "properties");
    customs_jsonw_array_begin(w);
    cdx_property(w, "customs:type", p->type);
    cdx_property(w, "customs:epoch", p->epoch);
    cdx_property(w, "customs:source_name", p->source_name);
    cdx_property(w, "customs:source_version", p->source_version);
    cdx_property(w, "customs:arch", p->arch);
    cdx_property(w, "customs:path", p->path);
    if (p->layer >= 0) {
        snprintf(num, sizeof(num), "%d", p->layer);
        cdx_property(w, "customs:layer:index", num);
        cdx_property(w, "customs:layer:diff_id", customs_report_layer_diff_id(r, p->layer));
    }
    if (p->dev) {
        cdx_property(w, "customs:dev", "true");
    }
    if (p->indirect) {
        cdx_property(w, "customs:indirect", "true");
    }
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    return 0;
}

static void cdx_metadata(struct customs_jsonw *w, const struct customs_report *r)
{
    char ts[CUSTOMS_TIMESTAMP_LEN];
    const struct customs_target_info *t = &r->target;
    bool is_dir = t->kind != NULL && strcmp(t->kind, "dir") == 0;
    const char *digest = t->manifest_digest != NULL ? t->manifest_digest : t->config_digest;

    customs_report_timestamp(ts, r->created);
    customs_jsonw_key(w, "metadata");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "timestamp", ts);
    customs_jsonw_key(w, "tools");
    customs_jsonw_object_begin(w);
    customs_jsonw_key(w, "components");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", "application");
    customs_jsonw_kv_string(w, "name", "customs");
    customs_jsonw_kv_string(w, "version", customs_version());
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    customs_jsonw_key(w, "component");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", is_dir ? "file" : "container");
    customs_jsonw_kv_string(w, "bom-ref", "customs:target");
    customs_jsonw_kv_string(w, "name", t->name != NULL ? t->name : "");
    if (digest != NULL) {
        customs_jsonw_kv_string(w, "version", digest);
    }
    customs_jsonw_key(w, "properties");
    customs_jsonw_array_begin(w);
    cdx_property(w, "customs:target:kind", t->kind);
    cdx_property(w, "customs:target:manifest_digest", t->manifest_digest);
    cdx_property(w, "customs:target:config_digest", t->config_digest);
    cdx_property(w, "customs:target:platform", t->platform);
    cdx_property(w, "customs:target:repo_tags", t->repo_tags);
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    customs_jsonw_object_end(w);
}

static void cdx_os(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", "operating-system");
    customs_jsonw_kv_string(w, "bom-ref", "customs:os");
    customs_jsonw_kv_string(w, "name", r->os.id != NULL ? r->os.id : "unknown");
    if (r->os.version != NULL) {
        customs_jsonw_kv_string(w, "version", r->os.version);
    }
    if (r->os.pretty != NULL) {
        customs_jsonw_kv_string(w, "description", r->os.pretty);
    }
    if (r->os.codename != NULL) {
        customs_jsonw_key(w, "properties");
        customs_jsonw_array_begin(w);
        cdx_property(w, "customs:os:codename", r->os.codename);
        customs_jsonw_array_end(w);
    }
    customs_jsonw_object_end(w);
}

/* CycloneDX's severity words. */
static const char *cdx_severity(enum customs_severity s)
{
    switch (s) {
    case CUSTOMS_SEVERITY_CRITICAL:
        return "critical";
    case CUSTOMS_SEVERITY_HIGH:
        return "high";
    case CUSTOMS_SEVERITY_MEDIUM:
        return "medium";
    case CUSTOMS_SEVERITY_LOW:
        return "low";
    case CUSTOMS_SEVERITY_UNKNOWN:
    default:
        return "unknown";
    }
}

/* A CVSS version as CycloneDX's rating method and as customs' enum (for its rating words). */
static const char *cdx_method(const char *version, enum customs_cvss_version *out)
{
    static const struct {
        const char *version;
        const char *method;
        enum customs_cvss_version v;
    } methods[] = {
        {"2.0", "CVSSv2", CUSTOMS_CVSS_V2},
        {"3.0", "CVSSv3", CUSTOMS_CVSS_V30},
        {"3.1", "CVSSv31", CUSTOMS_CVSS_V31},
        {"4.0", "CVSSv4", CUSTOMS_CVSS_V40},
    };
    for (size_t i = 0; version != NULL && i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(version, methods[i].version) == 0) {
            *out = methods[i].v;
            return methods[i].method;
        }
    }
    *out = CUSTOMS_CVSS_V31;
    return "other";
}

static void cdx_source(struct customs_jsonw *w, const char *name, const char *url)
{
    customs_jsonw_key(w, "source");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "name", name);
    if (url != NULL) {
        customs_jsonw_kv_string(w, "url", url);
    }
    customs_jsonw_object_end(w);
}

/* The severity customs chose (docs/db.md, "Severity precedence"), then every CVSS entry. */
static void cdx_ratings(struct customs_jsonw *w, const struct customs_vuln_finding *v)
{
    char score[16];
    customs_jsonw_key(w, "ratings");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    cdx_source(w, v->severity_source != NULL ? v->severity_source : "customs", NULL);
    if (v->cvss >= 0 && v->severity_source != NULL &&
        (strcmp(v->severity_source, "nvd") == 0 || strncmp(v->severity_source, "cna:", 4) == 0 ||
         strcmp(v->severity_source, "osv-cvss") == 0)) {
        snprintf(score, sizeof(score), "%.1f", v->cvss);
        customs_jsonw_key(w, "score");
        customs_jsonw_raw_number(w, score);
    }
    customs_jsonw_kv_string(w, "severity", cdx_severity(v->severity));
    customs_jsonw_kv_string(w, "method", "other");
    customs_jsonw_kv_string(w, "justification",
                            "the severity customs reports, by its documented precedence: the "
                            "distribution's, the advisory's, NVD Primary CVSS, a CNA's");
    customs_jsonw_object_end(w);
    for (size_t k = 0; k < v->ncvss; k++) {
        const struct customs_vuln_cvss *e = &v->cvss_entries[k];
        enum customs_cvss_version ver;
        const char *method = cdx_method(e->version, &ver);
        const char *word = customs_cvss_rating(ver, e->score);
        char lower[16];
        size_t n = 0;
        for (; word[n] != '\0' && n + 1 < sizeof(lower); n++) {
            lower[n] = (char)(word[n] - 'A' + 'a');
        }
        lower[n] = '\0';
        snprintf(score, sizeof(score), "%.1f", e->score);
        customs_jsonw_object_begin(w);
        cdx_source(w, e->source != NULL ? e->source : "unknown", NULL);
        customs_jsonw_key(w, "score");
        customs_jsonw_raw_number(w, score);
        customs_jsonw_kv_string(w, "severity", lower);
        customs_jsonw_kv_string(w, "method", method);
        customs_jsonw_kv_string(w, "vector", e->vector);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
}

/* An ISO 8601 date as the database stores it ("2021-01-26T14:15:12.297" from NVD, with "Z" or
 * an offset from OSV, or a bare date) as an RFC 3339 date-time for CycloneDX's `published` and
 * `updated` (UTC assumed without a zone, as NVD's are). @return false when it is not one. */
static bool cdx_datetime(char out[48], const char *in)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t n = in != NULL ? strlen(in) : 0;
    size_t i = 0;
    if (n < 10 || n > 40) {
        return false;
    }
    for (; i < sizeof(shape) - 1 && i < n; i++) {
        bool digit = in[i] >= '0' && in[i] <= '9';
        if (shape[i] == 'd' ? !digit : in[i] != shape[i]) {
            return false;
        }
    }
    if (n == 10) {
        snprintf(out, 48, "%sT00:00:00Z", in);
        return true;
    }
    if (i < sizeof(shape) - 1) {
        return false;
    }
    if (i < n && in[i] == '.') { /* a fraction */
        i++;
        size_t digits = strspn(in + i, "0123456789");
        if (digits == 0) {
            return false;
        }
        i += digits;
    }
    const char *zone = in + i;
    bool offset = (zone[0] == '+' || zone[0] == '-') && strlen(zone) == 6 &&
                  strspn(zone + 1, "0123456789") == 2 && zone[3] == ':' &&
                  strspn(zone + 4, "0123456789") == 2;
    if (strcmp(zone, "Z") != 0 && zone[0] != '\0' && !offset) {
        return false;
    }
    snprintf(out, 48, "%s%s", in, zone[0] == '\0' ? "Z" : "");
    return true;
}

/* "published" and "updated", when the database dates the vulnerability. */
static void cdx_dates(struct customs_jsonw *w, const struct customs_vuln_finding *v)
{
    char when[48];
    if (cdx_datetime(when, v->published)) {
        customs_jsonw_kv_string(w, "published", when);
    }
    if (cdx_datetime(when, v->modified)) {
        customs_jsonw_kv_string(w, "updated", when);
    }
}

static int vuln_order_cmp(const void *a, const void *b)
{
    const struct customs_vuln_finding *x = *(const struct customs_vuln_finding *const *)a;
    const struct customs_vuln_finding *y = *(const struct customs_vuln_finding *const *)b;
    int c = strcmp(x->id, y->id);
    if (c != 0) {
        return c;
    }
    return x->package < y->package ? -1 : x->package > y->package;
}

/* One vulnerability: the findings group[0..n) share its id. */
static int cdx_vulnerability(struct customs_jsonw *w, struct customs_buf *ref,
                             struct customs_buf *scratch, const struct customs_report *r,
                             const struct customs_vuln_finding *const *group, size_t n)
{
    const struct customs_vuln_finding *v = group[0];
    int rc = customs_buf_printf(ref, "customs:vuln:%s", v->id);
    if (rc < 0) {
        return rc;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "bom-ref", customs_buf_cstr(ref));
    customs_jsonw_kv_string(w, "id", v->id);
    customs_buf_reset(scratch);
    rc = customs_report_advisory_url(scratch, v->id);
    if (rc < 0) {
        return rc;
    }
    cdx_source(w, v->source != NULL ? v->source : "customs", NULL);
    if (v->naliases > 0) {
        customs_jsonw_key(w, "references");
        customs_jsonw_array_begin(w);
        for (size_t k = 0; k < v->naliases && rc == 0; k++) {
            customs_buf_reset(ref);
            rc = customs_report_advisory_url(ref, v->aliases[k]);
            customs_jsonw_object_begin(w);
            customs_jsonw_kv_string(w, "id", v->aliases[k]);
            cdx_source(w, strncmp(v->aliases[k], "CVE-", 4) == 0    ? "nvd"
                          : strncmp(v->aliases[k], "GHSA-", 5) == 0 ? "ghsa"
                                                                     : "osv",
                       customs_buf_cstr(ref));
            customs_jsonw_object_end(w);
        }
        customs_jsonw_array_end(w);
    }
    cdx_ratings(w, v);
    if (v->title != NULL) {
        customs_jsonw_kv_string(w, "description", v->title);
    }
    customs_buf_reset(ref);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct customs_vuln_finding *g = group[i];
        rc = g->fixed != NULL
                 ? customs_buf_printf(ref, "%sUpgrade %s %s to %s.", ref->len > 0 ? " " : "",
                                      g->name, g->installed, g->fixed)
                 : customs_buf_printf(ref, "%s%s %s: no fixed version (%s).",
                                      ref->len > 0 ? " " : "", g->name, g->installed,
                                      g->status);
    }
    if (rc < 0) {
        return rc;
    }
    customs_jsonw_kv_string(w, "recommendation", customs_buf_cstr(ref));
    customs_jsonw_key(w, "advisories");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "url", customs_buf_cstr(scratch));
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);
    cdx_dates(w, v);
    customs_jsonw_key(w, "affects");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct customs_vuln_finding *g = group[i];
        if (g->package >= r->inventory.packages.len) {
            continue;
        }
        rc = cdx_package_ref(ref, customs_vec_at(&r->inventory.packages, g->package),
                             g->package);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "ref", customs_buf_cstr(ref));
        customs_jsonw_key(w, "versions");
        customs_jsonw_array_begin(w);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "version", g->installed != NULL ? g->installed : "");
        customs_jsonw_kv_string(w, "status", "affected");
        customs_jsonw_object_end(w);
        customs_jsonw_array_end(w);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
    customs_jsonw_key(w, "properties");
    customs_jsonw_array_begin(w);
    cdx_property(w, "customs:severity_source", v->severity_source);
    cdx_property(w, "customs:known_exploited", v->known_exploited);
    cdx_property(w, "customs:nvd_status", v->nvd_status);
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    return rc;
}

/* An OpenVEX justification in CycloneDX's words, or NULL when there is none to give. */
static const char *cdx_vex_justification(const char *reason)
{
    static const char *const map[][2] = {
        {"component_not_present", "code_not_present"},
        {"vulnerable_code_not_present", "code_not_present"},
        {"vulnerable_code_not_in_execute_path", "code_not_reachable"},
        {"vulnerable_code_cannot_be_controlled_by_adversary", "requires_environment"},
        {"inline_mitigations_already_exist", "protected_by_mitigating_control"},
    };
    for (size_t i = 0; reason != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
        if (strstr(reason, map[i][0]) != NULL) {
            return map[i][1];
        }
    }
    return NULL;
}

/* Is suppressed finding `s` a vulnerability, suppressed by VEX or by the ignore file? */
static bool cdx_is_suppressed_vuln(const struct customs_suppressed *s)
{
    return s->by != NULL && (strcmp(s->by, "vex") == 0 ||
                             (strcmp(s->by, "ignorefile") == 0 && s->kind != NULL &&
                              strcmp(s->kind, "vulnerability") == 0));
}

/* A vulnerability VEX or the ignore file suppressed, with its analysis; `affects` the installed
 * packages of that name (none when the name is not in the inventory). VEX: not_affected (with
 * the justification) or resolved, the package unaffected. The ignore file: an accepted risk, as
 * SARIF marks it suppressed rather than dropping it: no state is claimed, the response is
 * will_not_fix, the detail is the entry's statement and place, the package stays affected. */
static int cdx_suppressed(struct customs_jsonw *w, struct customs_buf *ref,
                          const struct customs_report *r, size_t index)
{
    const struct customs_suppressed *s = customs_vec_at(&r->suppressed, index);
    bool vex = strcmp(s->by, "vex") == 0;
    bool fixed = vex && s->reason != NULL && strncmp(s->reason, "fixed", 5) == 0;
    const char *justification = fixed || !vex ? NULL : cdx_vex_justification(s->reason);
    customs_buf_reset(ref);
    int rc = customs_buf_printf(ref, "customs:%s:%zu:%s", vex ? "vex" : "ignored", index, s->id);
    if (rc < 0) {
        return rc;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "bom-ref", customs_buf_cstr(ref));
    customs_jsonw_kv_string(w, "id", s->id);
    if (s->vuln != NULL) {
        cdx_ratings(w, s->vuln);
        if (s->vuln->title != NULL) {
            customs_jsonw_kv_string(w, "description", s->vuln->title);
        }
        cdx_dates(w, s->vuln);
    }
    customs_jsonw_key(w, "analysis");
    customs_jsonw_object_begin(w);
    if (vex) {
        customs_jsonw_kv_string(w, "state", fixed ? "resolved" : "not_affected");
    } else {
        customs_jsonw_key(w, "response");
        customs_jsonw_array_begin(w);
        customs_jsonw_string(w, "will_not_fix");
        customs_jsonw_array_end(w);
    }
    if (justification != NULL) {
        customs_jsonw_kv_string(w, "justification", justification);
    }
    customs_buf_reset(ref);
    rc = customs_buf_printf(ref, "%s%s (%s)", vex ? "" : "accepted in the ignore file: ",
                            s->reason != NULL ? s->reason : vex ? "suppressed" : "no statement",
                            s->where != NULL ? s->where : vex ? "vex" : "ignore file");
    customs_jsonw_kv_string(w, "detail", rc == 0 ? customs_buf_cstr(ref) : "");
    customs_jsonw_object_end(w);
    customs_jsonw_key(w, "affects");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; rc == 0 && s->package != NULL && i < r->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        if (s->vuln != NULL ? i != s->vuln->package
                            : p->name == NULL || strcmp(p->name, s->package) != 0) {
            continue; /* the package it was found in; by name when that is all there is */
        }
        rc = cdx_package_ref(ref, p, i);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "ref", customs_buf_cstr(ref));
        customs_jsonw_key(w, "versions");
        customs_jsonw_array_begin(w);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "version", s->installed != NULL ? s->installed : "");
        customs_jsonw_kv_string(w, "status", vex ? "unaffected" : "affected");
        customs_jsonw_object_end(w);
        customs_jsonw_array_end(w);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    return rc;
}

/* "vulnerabilities": grouped by id; then the ones VEX or the ignore file suppressed. Absent
 * when there are none. */
static int cdx_vulnerabilities(struct customs_jsonw *w, struct customs_buf *ref,
                               struct customs_buf *scratch, const struct customs_report *r)
{
    size_t nvex = 0;
    for (size_t i = 0; i < r->suppressed.len; i++) {
        const struct customs_suppressed *s = customs_vec_at(&r->suppressed, i);
        nvex += cdx_is_suppressed_vuln(s);
    }
    if (r->vulns.len == 0 && nvex == 0) {
        return 0;
    }
    const struct customs_vuln_finding **order = NULL;
    if (r->vulns.len > 0) {
        order = customs_calloc(r->vulns.len, sizeof(*order));
        if (order == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    for (size_t i = 0; i < r->vulns.len; i++) {
        order[i] = customs_vec_at(&r->vulns, i);
    }
    if (r->vulns.len > 1) {
        qsort(order, r->vulns.len, sizeof(*order), vuln_order_cmp);
    }
    int rc = 0;
    customs_jsonw_key(w, "vulnerabilities");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < r->vulns.len && rc == 0;) {
        size_t j = i + 1;
        while (j < r->vulns.len && strcmp(order[j]->id, order[i]->id) == 0) {
            j++;
        }
        customs_buf_reset(ref);
        rc = cdx_vulnerability(w, ref, scratch, r, order + i, j - i);
        i = j;
    }
    for (size_t i = 0; i < r->suppressed.len && rc == 0; i++) {
        const struct customs_suppressed *s = customs_vec_at(&r->suppressed, i);
        if (cdx_is_suppressed_vuln(s)) {
            rc = cdx_suppressed(w, ref, r, i);
        }
    }
    customs_jsonw_array_end(w);
    customs_free(order);
    return rc;
}

int customs_report_write_cyclonedx(const struct customs_report *r, FILE *out,
                                   struct customs_error *err)
{
    char uuid[CUSTOMS_UUID_LEN];
    char serial[CUSTOMS_UUID_LEN + 16];
    struct customs_buf ref;
    struct customs_buf scratch;
    struct customs_jsonw w;

    int rc = customs_report_uuid(uuid, r, "customs/cyclonedx");
    if (rc < 0) {
        return customs_error_set(err, rc, "writing CycloneDX: cannot derive the serial number");
    }
    snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
    customs_buf_init(&ref, 0);
    customs_buf_init(&scratch, 4096);
    customs_jsonw_init(&w, out, true);
    customs_jsonw_object_begin(&w);
    customs_jsonw_kv_string(&w, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
    customs_jsonw_kv_string(&w, "bomFormat", "CycloneDX");
    customs_jsonw_kv_string(&w, "specVersion", "1.5");
    customs_jsonw_kv_string(&w, "serialNumber", serial);
    customs_jsonw_kv_u64(&w, "version", 1);
    cdx_metadata(&w, r);
    customs_jsonw_key(&w, "components");
    customs_jsonw_array_begin(&w);
    if (r->has_os) {
        cdx_os(&w, r);
    }
    for (size_t i = 0; i < r->inventory.packages.len && rc == 0; i++) {
        rc = cdx_component(&w, &ref, &scratch, r, i);
    }
    customs_jsonw_array_end(&w);
    if (rc == 0) {
        rc = cdx_vulnerabilities(&w, &ref, &scratch, r);
    }
    customs_jsonw_object_end(&w);
    if (rc < 0) {
        customs_error_set(err, rc, "writing CycloneDX: out of memory");
    } else {
        rc = customs_jsonw_finish(&w, err);
    }
    customs_buf_release(&ref);
    customs_buf_release(&scratch);
    return rc;
}
