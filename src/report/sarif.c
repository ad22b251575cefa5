/* SPDX-License-Identifier: Apache-2.0 */
/* SARIF 2.1.0 shared by scan and audit (report/sarif.h), and audit's log. */
#include "report/sarif.h"

#include <string.h>

#include "report/audit.h"

#include "core/banned.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_FINGERPRINT "customs/v1"

const char *customs_sarif_severity_score(enum customs_severity s)
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

const char *customs_sarif_level(enum customs_severity s)
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

void customs_sarif_log_begin(struct customs_jsonw *w)
{
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "$schema", SARIF_SCHEMA);
    customs_jsonw_kv_string(w, "version", "2.1.0");
    customs_jsonw_key(w, "runs");
    customs_jsonw_array_begin(w);
}

void customs_sarif_log_end(struct customs_jsonw *w)
{
    customs_jsonw_array_end(w);  /* runs */
    customs_jsonw_object_end(w); /* log */
}

void customs_sarif_begin(struct customs_jsonw *w, const char *tool_version)
{
    customs_sarif_log_begin(w);
    customs_sarif_run_begin(w, tool_version, NULL);
}

void customs_sarif_run_begin(struct customs_jsonw *w, const char *tool_version,
                             const char *automation_id)
{
    customs_jsonw_object_begin(w);
    if (automation_id != NULL) {
        customs_jsonw_key(w, "automationDetails");
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "id", automation_id);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_key(w, "tool");
    customs_jsonw_object_begin(w);
    customs_jsonw_key(w, "driver");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "name", "customs");
    customs_jsonw_kv_string(w, "version", tool_version);
    customs_jsonw_key(w, "rules");
    customs_jsonw_array_begin(w);
}

static void sarif_text(struct customs_jsonw *w, const char *key, const char *text)
{
    customs_jsonw_key(w, key);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "text", text != NULL ? text : "");
    customs_jsonw_object_end(w);
}

void customs_sarif_rule(struct customs_jsonw *w, const struct customs_sarif_rule *rule)
{
    const char *short_text = rule->short_text != NULL ? rule->short_text : rule->id;
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "id", rule->id);
    customs_jsonw_kv_string(w, "name", rule->id);
    sarif_text(w, "shortDescription", short_text);
    if (rule->full_text != NULL) {
        sarif_text(w, "fullDescription", rule->full_text);
    }
    sarif_text(w, "help", rule->help_text != NULL ? rule->help_text : short_text);
    if (rule->help_uri != NULL) {
        customs_jsonw_kv_string(w, "helpUri", rule->help_uri);
    }
    customs_jsonw_key(w, "defaultConfiguration");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "level", customs_sarif_level(rule->severity));
    customs_jsonw_object_end(w);
    customs_jsonw_key(w, "properties");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "security-severity", rule->score != NULL
                                                        ? rule->score
                                                        : customs_sarif_severity_score(
                                                              rule->severity));
    customs_jsonw_key(w, "tags");
    customs_jsonw_array_begin(w);
    customs_jsonw_string(w, "security");
    for (size_t i = 0; i < sizeof(rule->tags) / sizeof(rule->tags[0]) && rule->tags[i] != NULL;
         i++) {
        customs_jsonw_string(w, rule->tags[i]);
    }
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    customs_jsonw_object_end(w);
}

void customs_sarif_results_begin(struct customs_jsonw *w)
{
    customs_jsonw_array_end(w);  /* rules */
    customs_jsonw_object_end(w); /* driver */
    customs_jsonw_object_end(w); /* tool */
    customs_jsonw_key(w, "results");
    customs_jsonw_array_begin(w);
}

void customs_sarif_result_begin(struct customs_jsonw *w, const char *rule_id, long rule_index,
                                enum customs_severity severity, const char *message)
{
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "ruleId", rule_id);
    if (rule_index >= 0) {
        customs_jsonw_kv_i64(w, "ruleIndex", rule_index);
    }
    customs_jsonw_kv_string(w, "level", customs_sarif_level(severity));
    sarif_text(w, "message", message);
}

/* A file name as a relative URI reference: unreserved characters and '/' kept, the rest
 * percent-encoded. */
static void sarif_uri(struct customs_jsonw *w, const char *file)
{
    static const char hex[] = "0123456789ABCDEF";
    char chunk[256];
    size_t n = 0;
    struct customs_buf b;
    customs_buf_init(&b, 0);
    const unsigned char *p = (const unsigned char *)file;
    int rc = 0;
    for (; rc == 0 && *p != '\0'; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            chunk[n++] = (char)c;
        } else {
            chunk[n++] = '%';
            chunk[n++] = hex[c >> 4];
            chunk[n++] = hex[c & 15];
        }
        if (n + 3 > sizeof(chunk)) {
            rc = customs_buf_append(&b, chunk, n);
            n = 0;
        }
    }
    if (rc == 0 && n > 0) {
        rc = customs_buf_append(&b, chunk, n);
    }
    /* an empty path, or an allocation failure: "." still names the root and stays valid */
    customs_jsonw_kv_string(w, "uri", rc == 0 && b.len > 0 ? customs_buf_cstr(&b) : ".");
    customs_buf_release(&b);
}

void customs_sarif_location(struct customs_jsonw *w, const char *uri, int line, int column,
                            const char *const *logical, size_t nlogical)
{
    customs_jsonw_key(w, "locations");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    if (uri != NULL) {
        customs_jsonw_key(w, "physicalLocation");
        customs_jsonw_object_begin(w);
        customs_jsonw_key(w, "artifactLocation");
        customs_jsonw_object_begin(w);
        sarif_uri(w, uri);
        customs_jsonw_object_end(w);
        if (line > 0) {
            customs_jsonw_key(w, "region");
            customs_jsonw_object_begin(w);
            customs_jsonw_kv_i64(w, "startLine", line);
            if (column > 0) {
                customs_jsonw_kv_i64(w, "startColumn", column);
            }
            customs_jsonw_object_end(w);
        }
        customs_jsonw_object_end(w);
    }
    bool any = false;
    for (size_t i = 0; i < nlogical; i++) {
        if (logical[2 * i] == NULL) {
            continue;
        }
        if (!any) {
            customs_jsonw_key(w, "logicalLocations");
            customs_jsonw_array_begin(w);
            any = true;
        }
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "fullyQualifiedName", logical[2 * i]);
        customs_jsonw_kv_string(w, "kind", logical[2 * i + 1]);
        customs_jsonw_object_end(w);
    }
    if (any) {
        customs_jsonw_array_end(w);
    }
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);
}

int customs_sarif_fingerprint(struct customs_jsonw *w, const char *const *parts, size_t nparts)
{
    struct customs_sha256 s;
    char digest[CUSTOMS_DIGEST_MAX];
    int rc = customs_sha256_init(&s);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < nparts; i++) {
        const char *p = parts[i] != NULL ? parts[i] : "";
        customs_sha256_update(&s, p, strlen(p) + 1); /* the NUL separates the parts */
    }
    rc = customs_sha256_final(&s, digest);
    if (rc < 0) {
        return rc;
    }
    customs_jsonw_key(w, "partialFingerprints");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, SARIF_FINGERPRINT, digest + 7); /* after "sha256:" */
    customs_jsonw_object_end(w);
    return 0;
}

void customs_sarif_end(struct customs_jsonw *w, bool successful,
                       const struct customs_sarif_notification *notes, size_t nnotes)
{
    customs_sarif_run_end(w, successful, notes, nnotes);
    customs_sarif_log_end(w);
}

void customs_sarif_run_end(struct customs_jsonw *w, bool successful,
                           const struct customs_sarif_notification *notes, size_t nnotes)
{
    customs_jsonw_array_end(w); /* results */
    customs_jsonw_key(w, "invocations");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_bool(w, "executionSuccessful", successful);
    customs_jsonw_key(w, "toolExecutionNotifications");
    customs_jsonw_array_begin(w);
    for (size_t i = 0; i < nnotes; i++) {
        const struct customs_sarif_notification *n = &notes[i];
        customs_jsonw_object_begin(w);
        if (n->uri != NULL) {
            customs_sarif_location(w, n->uri, n->line, n->column, NULL, 0);
        }
        sarif_text(w, "message", n->message);
        customs_jsonw_kv_string(w, "level", n->level);
        if (n->id != NULL) {
            customs_jsonw_key(w, "descriptor");
            customs_jsonw_object_begin(w);
            customs_jsonw_kv_string(w, "id", n->id);
            customs_jsonw_object_end(w);
        }
        customs_jsonw_object_end(w);
    }
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);  /* invocations */
    customs_jsonw_object_end(w); /* run */
}

void customs_sarif_suppression(struct customs_jsonw *w, const char *by,
                               const char *justification, const char *where)
{
    customs_jsonw_key(w, "suppressions");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "kind", "external");
    customs_jsonw_kv_string(w, "status", "accepted");
    customs_jsonw_kv_string(w, "justification", justification);
    customs_jsonw_key(w, "properties");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "by", by);
    customs_jsonw_kv_string(w, "where", where);
    customs_jsonw_object_end(w);
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);
}

int customs_sarif_misconfig_result(struct customs_jsonw *w, const struct customs_misconfig *m,
                                   long rule_index)
{
    char fqn[1024];
    snprintf(fqn, sizeof(fqn), "%s:%s", m->object != NULL ? m->object : "",
             m->path != NULL ? m->path : "");
    const char *logical[] = {fqn, "object"};
    const char *parts[] = {"misconfiguration", m->check, m->source, m->file, m->object,
                           m->path};
    customs_sarif_result_begin(w, m->check, rule_index, m->severity,
                               m->message != NULL ? m->message : m->title);
    customs_sarif_location(w, m->file, m->line, m->column, logical, 1);
    return customs_sarif_fingerprint(w, parts, sizeof(parts) / sizeof(parts[0]));
}

/* Rule i of audit: the PSS checks, the Kubernetes checks beyond PSS, Dockerfile, Compose;
 * `source` gets the tag of the rule's input ("kubernetes", "dockerfile", "compose"). */
static const struct customs_check_info *audit_rule_at(size_t i, const char **source)
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

static long audit_rule_index(const char *check)
{
    const struct customs_check_info *c;
    for (size_t i = 0; check != NULL && (c = audit_rule_at(i, NULL)) != NULL; i++) {
        if (strcmp(c->id, check) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int customs_report_write_audit_sarif(FILE *out, const struct customs_misconfig_set *set,
                                     const char *tool_version,
                                     const struct customs_sarif_notification *notes,
                                     size_t nnotes, const struct customs_audit_ignore *ignore,
                                     struct customs_error *err)
{
    struct customs_jsonw w;
    const struct customs_check_info *c;
    const char *source = NULL;
    int rc = 0;

    customs_jsonw_init(&w, out, true);
    customs_sarif_begin(&w, tool_version);
    for (size_t i = 0; (c = audit_rule_at(i, &source)) != NULL; i++) {
        struct customs_sarif_rule rule = {
            .id = c->id,
            .short_text = c->title,
            .help_text = c->fix,
            .help_uri = c->reference,
            .severity = c->severity,
            .tags = {source, c->level == NULL                     ? "hardening"
                             : strcmp(c->level, "baseline") == 0 ? "pss-baseline"
                                                                  : "pss-restricted"},
        };
        customs_sarif_rule(&w, &rule);
    }
    customs_sarif_results_begin(&w);
    for (size_t i = 0; rc == 0 && i < customs_misconfig_set_count(set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(set, i);
        rc = customs_sarif_misconfig_result(&w, m, audit_rule_index(m->check));
        customs_jsonw_object_end(&w);
    }
    for (size_t i = 0; rc == 0 && ignore != NULL && i < ignore->nsuppressed; i++) {
        const struct customs_misconfig *m = &ignore->suppressed[i];
        size_t e = ignore->suppressed_by != NULL ? ignore->suppressed_by[i] : SIZE_MAX;
        const struct customs_report_ignore *entry = e < ignore->nentries ? &ignore->entries[e]
                                                                         : NULL;
        rc = customs_sarif_misconfig_result(&w, m, audit_rule_index(m->check));
        customs_sarif_suppression(&w, "ignorefile",
                                  entry != NULL && entry->statement != NULL
                                      ? entry->statement
                                      : "suppressed by an ignore file entry",
                                  entry != NULL ? entry->where : NULL);
        customs_jsonw_object_end(&w);
    }
    customs_sarif_end(&w, nnotes == 0, notes, nnotes);
    if (rc < 0) {
        return customs_error_set(err, rc, "writing SARIF: out of memory");
    }
    return customs_jsonw_finish(&w, err);
}
