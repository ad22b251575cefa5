/* SPDX-License-Identifier: Apache-2.0 */
/* Judging a decoded AdmissionReview and writing the answers: the review response (in Pod
 * Security admission's words), the audit-log record. */
#include "admit/admit.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

/* At most this many warnings in a response (the API server caps the header they travel in). */
#define ADMIT_MAX_WARNINGS 40

void customs_admit_options_default(struct customs_admit_options *o)
{
    memset(o, 0, sizeof(*o));
    o->pss.level = CUSTOMS_PSS_RESTRICTED;
    o->pss.minor = CUSTOMS_PSS_LATEST_MINOR;
    o->pss_version = "latest";
    o->hardening = true;
}

void customs_admit_decision_init(struct customs_admit_decision *d)
{
    customs_arena_init(&d->arena);
    customs_vec_init(&d->reasons, sizeof(struct customs_admit_reason));
    d->ndeny = 0;
    d->note = NULL;
    d->notes = NULL;
    d->nnotes = 0;
}

void customs_admit_decision_release(struct customs_admit_decision *d)
{
    customs_vec_release(&d->reasons);
    customs_arena_release(&d->arena);
}

static int decision_add_full(struct customs_admit_decision *d, const char *rule, bool deny,
                             const char *message, const char *severity, const char *subject,
                             struct customs_error *err)
{
    struct customs_admit_reason *r = customs_vec_push(&d->reasons);
    if (r == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    r->rule = customs_arena_strdup(&d->arena, rule);
    r->message = customs_arena_strdup(&d->arena, message);
    r->severity = severity != NULL ? customs_arena_strdup(&d->arena, severity) : NULL;
    r->subject = subject != NULL ? customs_arena_strdup(&d->arena, subject) : NULL;
    r->deny = deny;
    if (r->rule == NULL || r->message == NULL || (severity != NULL && r->severity == NULL) ||
        (subject != NULL && r->subject == NULL)) {
        d->reasons.len--;
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    d->ndeny += deny ? 1 : 0;
    return 0;
}

static int decision_add(struct customs_admit_decision *d, const char *rule, bool deny,
                        const char *message, struct customs_error *err)
{
    return decision_add_full(d, rule, deny, message, NULL, NULL, err);
}

int customs_admit_judge(struct customs_admit_decision *d, const struct customs_admit_review *r,
                        const struct customs_admit_options *opt, struct customs_error *err)
{
    if (r->problem[0] != '\0') {
        return decision_add(d, "request", true, r->problem, err);
    }
    if (r->pod_spec == NULL) {
        d->note = r->skip != NULL ? r->skip : "not judged";
        return 0;
    }
    struct customs_k8s_options k8s;
    struct customs_misconfig_set set;
    char rule[160];
    customs_k8s_options_default(&k8s);
    k8s.pss = opt->pss;
    k8s.hardening = opt->hardening;
    customs_misconfig_set_init(&set);
    int rc = customs_k8s_audit_document(&set, r->object, NULL, 0, NULL, &k8s, err);
    for (size_t i = 0; rc == 0 && i < customs_misconfig_set_count(&set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(&set, i);
        bool pss = m->level != NULL;
        snprintf(rule, sizeof(rule), "%s%s", pss ? "podSecurity." : "", m->check);
        if (pss) {
            rc = decision_add(d, rule, true, m->message, err);
        } else {
            char *msg = customs_arena_printf(&d->arena, "%s %s: %s", m->check, m->title,
                                             m->message);
            rc = msg != NULL ? decision_add(d, rule, false, msg, err)
                             : customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
    }
    customs_misconfig_set_release(&set);
    return rc;
}

int customs_admit_judge_policy(struct customs_admit_decision *d,
                               struct customs_pss_options *pss,
                               const struct customs_admit_review *r,
                               const struct customs_policy *p, const char *tier,
                               customs_policy_lookup_fn lookup, void *payload, time_t now,
                               struct customs_error *err)
{
    const char *ns = r->ns[0] != '\0' ? r->ns : "default";
    const struct customs_policy_rules *rules = customs_policy_rules_for(p, ns, tier);
    if (rules == NULL) {
        rules = &p->base; /* no such tier: the verdict function denies it (rule "tiers") */
    }
    *pss = rules->pss;
    if (r->problem[0] != '\0') {
        return decision_add(d, "request", true, r->problem, err);
    }
    if (r->pod_spec == NULL) {
        d->note = r->skip != NULL ? r->skip : "not judged";
        return 0;
    }
    struct customs_verdict v;
    struct customs_policy_workload w = {.object = r->object, .ns = ns, .tier = tier,
                                        .lookup = lookup, .payload = payload};
    char suffix[96];
    /* the verdict function's Pod Security reasons end in this; the response names the level once */
    snprintf(suffix, sizeof(suffix), " (Pod Security %s v1.%d)",
             customs_pss_level_name(rules->pss.level), rules->pss.minor);
    customs_verdict_init(&v);
    int rc = customs_policy_judge_workload(&v, p, &w, now, err);
    for (size_t i = 0; rc == 0 && i < customs_verdict_count(&v); i++) {
        const struct customs_reason *x = customs_verdict_at(&v, i);
        if (x->effect == CUSTOMS_EFFECT_ALLOW) {
            continue;
        }
        const char *msg = x->message;
        size_t n = strlen(msg);
        size_t sn = strlen(suffix);
        if (strncmp(x->rule, "podSecurity.", 12) == 0 && n > sn &&
            strcmp(msg + n - sn, suffix) == 0) {
            msg = customs_arena_strndup(&d->arena, msg, n - sn);
        } else if (x->subject != NULL) {
            msg = customs_arena_printf(&d->arena, "%s: %s", x->subject, msg);
        }
        rc = msg != NULL ? decision_add_full(d, x->rule, x->effect == CUSTOMS_EFFECT_DENY, msg,
                                             x->severity, x->subject, err)
                         : customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    if (rc == 0 && v.notes.len > 0) {
        d->notes = customs_arena_alloc(&d->arena, v.notes.len * sizeof(*d->notes));
        rc = d->notes != NULL ? 0 : customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < v.notes.len; i++) {
            d->notes[i] = customs_arena_strdup(&d->arena,
                                               *(const char *const *)customs_vec_at(&v.notes, i));
            rc = d->notes[i] != NULL ? 0 : customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            d->nnotes += rc == 0 ? 1 : 0;
        }
        d->note = d->nnotes > 0 ? d->notes[0] : NULL;
    }
    customs_verdict_release(&v);
    return rc;
}

const char *customs_admit_verdict_name(const struct customs_admit_decision *d)
{
    if (d->ndeny > 0) {
        return "deny";
    }
    return customs_admit_decision_count(d) > 0 ? "warn" : "allow";
}

/* The review's apiVersion/kind and a response echoing the uid; NULL on OOM. */
static json_t *response_envelope(const struct customs_admit_review *r, bool allowed,
                                 json_t **response)
{
    json_t *out = json_pack("{s:s, s:s, s:{s:s, s:b}}", "apiVersion", CUSTOMS_ADMIT_API_VERSION,
                            "kind", "AdmissionReview", "response", "uid", r->uid, "allowed",
                            allowed);
    *response = out != NULL ? json_object_get(out, "response") : NULL;
    return out;
}

static int set_status(json_t *response, int code, const char *reason, const char *message,
                      const struct customs_admit_review *r)
{
    json_t *st = json_pack("{s:{}, s:s, s:i, s:s, s:s}", "metadata", "status", "Failure", "code",
                           code, "reason", reason, "message", message);
    if (st != NULL && r->name[0] != '\0') {
        json_object_set_new(st, "details", json_pack("{s:s, s:s}", "name", r->name, "kind",
                                                     r->resource));
    }
    return st != NULL ? json_object_set_new(response, "status", st) : -1;
}

/* "violates PodSecurity "restricted:latest": a (...), b (...)" and the other denials. */
static int deny_message(struct customs_buf *b, const struct customs_admit_decision *d,
                        const struct customs_admit_options *opt, const char *verb)
{
    int rc = 0;
    bool first = true;
    for (size_t i = 0; rc == 0 && i < customs_admit_decision_count(d); i++) {
        const struct customs_admit_reason *x = customs_admit_decision_at(d, i);
        if (!x->deny || strncmp(x->rule, "podSecurity.", 12) != 0) {
            continue;
        }
        if (first) {
            rc = customs_buf_printf(b, "%s PodSecurity \"%s:%s\": ", verb,
                                    customs_pss_level_name(opt->pss.level), opt->pss_version);
        } else {
            rc = customs_buf_puts(b, ", ");
        }
        rc = rc == 0 ? customs_buf_puts(b, x->message) : rc;
        first = false;
    }
    for (size_t i = 0; rc == 0 && i < customs_admit_decision_count(d); i++) {
        const struct customs_admit_reason *x = customs_admit_decision_at(d, i);
        if (!x->deny || strncmp(x->rule, "podSecurity.", 12) == 0) {
            continue;
        }
        rc = customs_buf_printf(b, "%s%s: %s", first ? "" : "; ", x->rule, x->message);
        first = false;
    }
    return rc;
}

static int add_warnings(json_t *response, const struct customs_admit_decision *d,
                        const char *would_deny)
{
    json_t *w = json_array();
    size_t n = 0;
    size_t total = 0;
    int rc = w != NULL ? 0 : -1;
    if (rc == 0 && would_deny != NULL) {
        rc = json_array_append_new(w, json_string(would_deny));
        n++;
    }
    for (size_t i = 0; rc == 0 && i < customs_admit_decision_count(d); i++) {
        const struct customs_admit_reason *x = customs_admit_decision_at(d, i);
        if (x->deny) {
            continue;
        }
        total++;
        if (n < ADMIT_MAX_WARNINGS) {
            rc = json_array_append_new(w, json_string(x->message));
            n++;
        }
    }
    if (rc == 0 && n < total + (would_deny != NULL ? 1 : 0)) {
        char more[64];
        snprintf(more, sizeof(more), "and %zu more warnings",
                 total + (would_deny != NULL ? 1 : 0) - n);
        rc = json_array_append_new(w, json_string(more));
    }
    if (rc == 0 && json_array_size(w) > 0) {
        rc = json_object_set(response, "warnings", w);
    }
    json_decref(w);
    return rc;
}

json_t *customs_admit_response(const struct customs_admit_review *r,
                               const struct customs_admit_decision *d,
                               const struct customs_admit_options *opt)
{
    struct customs_buf msg;
    json_t *response = NULL;
    bool deny = d->ndeny > 0;
    json_t *out = response_envelope(r, !deny || opt->audit_only, &response);
    int rc = out != NULL ? 0 : -1;
    customs_buf_init(&msg, 0);
    if (rc == 0 && deny) {
        if (!opt->audit_only) {
            rc = customs_buf_printf(&msg, "%s \"%s\" is forbidden: ", r->resource, r->name);
        }
        rc = rc == 0 ? deny_message(&msg, d, opt, opt->audit_only ? "would violate" : "violates")
                     : rc;
    }
    if (rc == 0 && deny && !opt->audit_only) {
        rc = set_status(response, 403, "Forbidden", customs_buf_cstr(&msg), r);
    }
    if (rc == 0) {
        rc = add_warnings(response, d, deny && opt->audit_only ? customs_buf_cstr(&msg) : NULL);
    }
    customs_buf_release(&msg);
    if (rc != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *customs_admit_response_error(const struct customs_admit_review *r, int code,
                                     const char *message)
{
    json_t *response = NULL;
    json_t *out = response_envelope(r, false, &response);
    if (out != NULL && set_status(response, code, code >= 500 ? "InternalError" : "BadRequest",
                                  message, r) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *customs_admit_log_record(const struct customs_admit_review *r,
                                 const struct customs_admit_decision *d,
                                 const struct customs_admit_options *opt, time_t now)
{
    char when[32];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *reasons = json_array();
    json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "time", when, "uid",
                            r->uid, "kind", r->kind, "namespace", r->ns, "name", r->name,
                            "operation", r->operation, "verdict", customs_admit_verdict_name(d),
                            "enforced", !opt->audit_only, "dryRun", r->dry_run);
    bool ok = reasons != NULL && rec != NULL;
    for (size_t i = 0; ok && i < customs_admit_decision_count(d); i++) {
        const struct customs_admit_reason *x = customs_admit_decision_at(d, i);
        ok = json_array_append_new(reasons, json_pack("{s:s, s:s, s:s, s:s*, s:s*}", "rule",
                                                      x->rule, "effect",
                                                      x->deny ? "deny" : "warn", "message",
                                                      x->message, "severity", x->severity,
                                                      "subject", x->subject)) == 0;
    }
    ok = ok && json_object_set(rec, "reasons", reasons) == 0;
    if (ok && d->note != NULL) {
        ok = json_object_set_new(rec, "note", json_string(d->note)) == 0;
    }
    if (ok && d->nnotes > 0) {
        json_t *notes = json_array();
        for (size_t i = 0; notes != NULL && i < d->nnotes; i++) {
            json_array_append_new(notes, json_string(d->notes[i]));
        }
        ok = notes != NULL && json_array_size(notes) == d->nnotes &&
             json_object_set_new(rec, "notes", notes) == 0;
    }
    json_decref(reasons);
    if (!ok) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}
