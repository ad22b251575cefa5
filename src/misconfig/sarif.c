/* SPDX-License-Identifier: Apache-2.0 */
/* Misconfiguration findings as the customs.audit/v1 JSON document and as SARIF 2.1.0. */
#include <stdio.h>
#include <string.h>

#include "misconfig/misconfig.h"

#include "core/banned.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

const char *customs_severity_score(enum customs_severity s)
{
    switch (s) {
    case CUSTOMS_SEVERITY_CRITICAL:
        return "9.5";
    case CUSTOMS_SEVERITY_HIGH:
        return "8.0";
    case CUSTOMS_SEVERITY_MEDIUM:
        return "5.5";
    case CUSTOMS_SEVERITY_LOW:
        return "3.0";
    case CUSTOMS_SEVERITY_UNKNOWN:
    default:
        return "0.0";
    }
}

static const char *sarif_level(enum customs_severity s)
{
    switch (s) {
    case CUSTOMS_SEVERITY_CRITICAL:
    case CUSTOMS_SEVERITY_HIGH:
        return "error";
    case CUSTOMS_SEVERITY_MEDIUM:
        return "warning";
    case CUSTOMS_SEVERITY_LOW:
    case CUSTOMS_SEVERITY_UNKNOWN:
    default:
        return "note";
    }
}

/* Put a string, or nothing when it is NULL; false on OOM. */
static bool put_str(json_t *o, const char *key, const char *v)
{
    return v == NULL || json_object_set_new(o, key, json_string(v)) == 0;
}

json_t *customs_misconfig_to_json(const struct customs_misconfig_set *set,
                                  const struct customs_pss_options *opt)
{
    char version[16];
    json_t *doc = json_object();
    json_t *arr = json_array();
    bool ok = doc != NULL && arr != NULL;
    snprintf(version, sizeof(version), "v1.%d", opt->minor);
    ok = ok && put_str(doc, "schema", "customs.audit/v1");
    ok = ok && put_str(doc, "level", customs_pss_level_name(opt->level));
    ok = ok && put_str(doc, "version", version);
    for (size_t i = 0; ok && i < customs_misconfig_set_count(set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(set, i);
        json_t *f = json_object();
        ok = f != NULL && json_array_append_new(arr, f) == 0;
        ok = ok && put_str(f, "check", m->check) && put_str(f, "source", m->source) &&
             put_str(f, "level", m->level) &&
             put_str(f, "severity", customs_severity_name(m->severity)) &&
             put_str(f, "title", m->title) && put_str(f, "message", m->message) &&
             put_str(f, "fix", m->fix) && put_str(f, "object", m->object) &&
             put_str(f, "file", m->file) && put_str(f, "path", m->path) &&
             json_object_set_new(f, "line", json_integer(m->line)) == 0 &&
             json_object_set_new(f, "column", json_integer(m->column)) == 0 &&
             put_str(f, "reference", m->reference);
    }
    ok = ok && json_object_set(doc, "findings", arr) == 0;
    json_decref(arr);
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* A file name as a relative URI reference: unreserved characters and '/' kept, the rest
 * percent-encoded. */
static json_t *file_uri(const char *file)
{
    static const char hex[] = "0123456789ABCDEF";
    struct customs_buf b;
    customs_buf_init(&b, 16384);
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)file; rc == 0 && *p != '\0'; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            rc = customs_buf_append(&b, p, 1);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = customs_buf_append(&b, enc, 3);
        }
    }
    json_t *s = rc == 0 ? json_string(customs_buf_cstr(&b)) : NULL;
    customs_buf_release(&b);
    return s;
}

/* Rule i: the PSS checks, the Kubernetes checks beyond PSS, Dockerfile, Compose; `source`
 * gets the tag of the rule's input ("kubernetes", "dockerfile", "compose"). */
static const struct customs_check_info *rule_at(size_t i, const char **source)
{
    size_t npss = customs_pss_check_count();
    size_t nk8s = customs_k8s_check_count();
    size_t ndf = customs_dockerfile_check_count();
    const char *src = "kubernetes";
    const struct customs_check_info *c;
    if (i < npss) {
        c = customs_pss_check_at(i);
    } else if (i < npss + nk8s) {
        c = customs_k8s_check_at(i - npss);
    } else if (i < npss + nk8s + ndf) {
        c = customs_dockerfile_check_at(i - npss - nk8s);
        src = "dockerfile";
    } else {
        c = customs_compose_check_at(i - npss - nk8s - ndf);
        src = "compose";
    }
    if (source != NULL) {
        *source = src;
    }
    return c;
}

static json_t *sarif_rules(void)
{
    json_t *rules = json_array();
    bool ok = rules != NULL;
    const struct customs_check_info *c;
    const char *source = NULL;
    for (size_t i = 0; ok && (c = rule_at(i, &source)) != NULL; i++) {
        const char *tag = c->level == NULL                     ? "hardening"
                          : strcmp(c->level, "baseline") == 0 ? "pss-baseline"
                                                               : "pss-restricted";
        json_t *props = json_pack("{s:s, s:[s, s, s]}", "security-severity",
                                  customs_severity_score(c->severity), "tags", "security",
                                  source, tag);
        json_t *rule = props == NULL ? NULL
                                     : json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:s, s:{s:s}, s:o}",
                                                 "id", c->id, "name", c->id,
                                                 "shortDescription", "text", c->title, "help",
                                                 "text", c->fix, "helpUri", c->reference,
                                                 "defaultConfiguration", "level",
                                                 sarif_level(c->severity), "properties", props);
        ok = rule != NULL && json_array_append_new(rules, rule) == 0;
    }
    if (!ok) {
        json_decref(rules);
        return NULL;
    }
    return rules;
}

static long rule_index(const char *check)
{
    const struct customs_check_info *c;
    for (size_t i = 0; (c = rule_at(i, NULL)) != NULL; i++) {
        if (strcmp(c->id, check) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static json_t *sarif_result(const struct customs_misconfig *m)
{
    json_t *uri = file_uri(m->file != NULL ? m->file : "stdin");
    json_t *artifact = uri != NULL ? json_pack("{s:o}", "uri", uri) : NULL;
    json_t *phys = artifact != NULL ? json_pack("{s:o}", "artifactLocation", artifact) : NULL;
    bool ok = phys != NULL;
    if (ok && m->line > 0) {
        json_t *region = json_pack("{s:i}", "startLine", m->line);
        ok = region != NULL &&
             (m->column <= 0 ||
              json_object_set_new(region, "startColumn", json_integer(m->column)) == 0);
        ok = ok && json_object_set_new(phys, "region", region) == 0;
    }
    char fqn[1024];
    snprintf(fqn, sizeof(fqn), "%s:%s", m->object != NULL ? m->object : "", m->path);
    json_t *loc = ok ? json_pack("{s:O, s:[{s:s, s:s}]}", "physicalLocation", phys,
                                 "logicalLocations", "fullyQualifiedName", fqn, "kind", "object")
                     : NULL;
    json_decref(phys);
    if (loc == NULL) {
        return NULL;
    }
    long idx = rule_index(m->check);
    json_t *res = json_pack("{s:s, s:s, s:{s:s}, s:[o]}", "ruleId", m->check, "level",
                            sarif_level(m->severity), "message", "text", m->message,
                            "locations", loc);
    if (res != NULL && idx >= 0 &&
        json_object_set_new(res, "ruleIndex", json_integer(idx)) != 0) {
        json_decref(res);
        return NULL;
    }
    return res;
}

json_t *customs_misconfig_to_sarif(const struct customs_misconfig_set *set,
                                   const char *tool_version)
{
    json_t *rules = sarif_rules();
    json_t *results = json_array();
    bool ok = rules != NULL && results != NULL;
    for (size_t i = 0; ok && i < customs_misconfig_set_count(set); i++) {
        json_t *r = sarif_result(customs_misconfig_set_at(set, i));
        ok = r != NULL && json_array_append_new(results, r) == 0;
    }
    if (!ok) {
        json_decref(rules);
        json_decref(results);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:o}]}", "$schema", SARIF_SCHEMA,
                     "version", "2.1.0", "runs", "tool", "driver", "name", "customs", "version",
                     tool_version, "rules", rules, "results", results);
}
