/* SPDX-License-Identifier: Apache-2.0 */
/* Verdicts on the command line: loading the policy, printing verdicts and their reasons,
 * the JSON verdict file, and the exit code they mean. */
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "policy/policy.h"
#include "store/store.h"

static void verdict_diag(bool is_error, const char *message, void *payload)
{
    (void)payload;
    cli_say("%s%s", is_error ? "" : "warning: ", message);
}

struct customs_policy *cli_policy_load(const char *path)
{
    struct customs_policy *p = NULL;
    struct customs_error err = {0};
    if (customs_policy_load_file(&p, path, verdict_diag, NULL, &err) != 0) {
        cli_error("%s: invalid policy (see 'customs policy check')", path);
        return NULL;
    }
    return p;
}

void cli_policy_free(struct customs_policy *p)
{
    customs_policy_free(p);
}

void cli_verdicts_init(struct cli_verdicts *vs)
{
    memset(vs, 0, sizeof(*vs));
    vs->subjects = json_array();
}

void cli_verdicts_release(struct cli_verdicts *vs)
{
    json_decref(vs->subjects);
    vs->subjects = NULL;
}

int cli_verdicts_add(struct cli_verdicts *vs, const char *subject,
                     const struct customs_verdict *v)
{
    json_t *j = customs_verdict_to_json(v, subject);
    if (j == NULL || vs->subjects == NULL || json_array_append_new(vs->subjects, j) != 0) {
        cli_error("out of memory");
        return -1;
    }
    if ((int)v->effect > vs->effect) {
        vs->effect = v->effect;
    }
    vs->count++;
    /* subjects, reasons and notes carry image names, package names and versions, advisory ids */
    cli_say("%s: %s", subject, customs_effect_name(v->effect));
    for (size_t i = 0; i < customs_verdict_count(v); i++) {
        const struct customs_reason *r = customs_verdict_at(v, i);
        cli_say("  %-5s %s %s: %s%s%s", customs_effect_name(r->effect), r->severity, r->rule,
                r->subject != NULL ? r->subject : "", r->subject != NULL ? ": " : "", r->message);
    }
    for (size_t i = 0; i < v->notes.len; i++) {
        cli_say("  note: %s", *(const char *const *)customs_vec_at(&v->notes, i));
    }
    return 0;
}

int cli_verdicts_finish(struct cli_verdicts *vs, const char *policy, const char *json_path)
{
    int rc = vs->effect == CUSTOMS_EFFECT_DENY ? CLI_EXIT_FINDINGS : CLI_EXIT_CLEAN;
    cli_say("verdict: %s (policy %s, %zu subject%s)", customs_effect_name(vs->effect), policy,
            vs->count, vs->count == 1 ? "" : "s");
    if (json_path != NULL) {
        struct cli_output out;
        json_t *doc = json_pack("{s:s, s:s, s:s, s:O}", "apiVersion", "customs.verdict/v1",
                                "policy", policy, "verdict", customs_effect_name(vs->effect),
                                "subjects", vs->subjects);
        bool ok = doc != NULL && cli_output_open(&out, json_path, false) == 0;
        if (ok) {
            ok = json_dumpf(doc, out.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
                 fputc('\n', out.fp) != EOF;
            ok = cli_output_close(&out, ok) == 0 && ok;
        }
        if (!ok) {
            cli_error("%s: cannot write the verdict", json_path);
            rc = CLI_EXIT_ERROR;
        }
        json_decref(doc);
    }
    json_decref(vs->subjects);
    vs->subjects = NULL;
    return rc;
}

int cli_scan_verdict(struct cli_verdicts *vs, const struct customs_policy *p,
                     const struct customs_report *report, const char *target,
                     struct customs_store *store)
{
    struct customs_arena arena;
    struct customs_policy_image image;
    struct customs_verdict v;
    struct customs_error err = {0};
    int rc;
    customs_arena_init(&arena);
    customs_verdict_init(&v);
    rc = customs_policy_image_from_report(&image, &arena, report);
    if (rc == 0) {
        rc = customs_policy_judge_image(&v, p, NULL, &image, NULL, time(NULL), &err);
    }
    if (rc == 0 && store != NULL) {
        rc = customs_store_record(store, report, NULL, p, &v, time(NULL), &err);
    }
    if (rc == 0) {
        rc = cli_verdicts_add(vs, target, &v);
    } else {
        cli_error("%s", rc == CUSTOMS_ENOMEM ? "out of memory" : err.message);
    }
    customs_verdict_release(&v);
    customs_arena_release(&arena);
    return rc;
}

struct customs_store *cli_store_open(const char *uri)
{
    struct customs_store *s = NULL;
    struct customs_error err = {0};
    if (customs_store_open(&s, uri, &err) != 0) {
        cli_error("%s", err.message);
        return NULL;
    }
    return s;
}

void cli_store_close(struct customs_store *s)
{
    customs_store_close(s);
}

int cli_scan_record(struct customs_store *s, const struct customs_report *report)
{
    struct customs_error err = {0};
    if (customs_store_record(s, report, NULL, NULL, NULL, time(NULL), &err) != 0) {
        cli_error("%s", err.message);
        return -1;
    }
    return 0;
}

int cli_audit_verdicts(struct cli_verdicts *vs, const struct customs_policy *p,
                       const struct customs_policy_batch *b, struct customs_store *store)
{
    time_t now = time(NULL);
    for (size_t i = 0; i < json_array_size(b->workloads); i++) {
        const json_t *obj = json_array_get(b->workloads, i);
        char name[512];
        struct customs_verdict v;
        struct customs_error err = {0};
        const char *ns = customs_policy_namespace_of(obj);
        struct customs_policy_workload w = {.object = obj, .ns = ns,
                                            .tier = customs_policy_batch_tier(b, ns),
                                            .lookup = store != NULL ? customs_store_lookup : NULL,
                                            .payload = store};
        customs_policy_workload_name(name, sizeof(name), obj);
        customs_verdict_init(&v);
        int rc = customs_policy_judge_workload(&v, p, &w, now, &err);
        if (rc == 0) {
            rc = cli_verdicts_add(vs, name, &v);
        } else {
            cli_error("%s: %s", name, err.message);
        }
        customs_verdict_release(&v);
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}
