/* SPDX-License-Identifier: Apache-2.0 */
/* The report model's lifecycle. */
#include "model/report.h"

#include <time.h>

#include "core/banned.h"

struct customs_report *customs_report_new(void)
{
    struct customs_report *r = customs_calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    customs_arena_init(&r->arena);
    r->created = (int64_t)time(NULL);
    customs_vec_init(&r->target.layers, sizeof(struct customs_layer_info));
    customs_inventory_init(&r->inventory, &r->arena);
    customs_vec_init(&r->misconfigs, sizeof(struct customs_misconfig));
    customs_vec_init(&r->secrets, sizeof(struct customs_secret_finding));
    customs_vec_init(&r->malware, sizeof(struct customs_malware_finding));
    customs_vec_init(&r->vulns, sizeof(struct customs_vuln_finding));
    customs_vec_init(&r->suppressed, sizeof(struct customs_suppressed));
    customs_vec_init(&r->ignored, sizeof(struct customs_ignore_use));
    customs_vec_init(&r->errors, sizeof(struct customs_report_error));
    customs_vec_init(&r->coverage, sizeof(struct customs_coverage_item));
    customs_vec_init(&r->coverage_problems, sizeof(struct customs_coverage_problem));
    return r;
}

void customs_report_free(struct customs_report *r)
{
    if (r == NULL) {
        return;
    }
    customs_vec_release(&r->target.layers);
    customs_inventory_release(&r->inventory);
    customs_vec_release(&r->misconfigs);
    customs_vec_release(&r->secrets);
    customs_vec_release(&r->malware);
    customs_vec_release(&r->vulns);
    customs_vec_release(&r->suppressed);
    customs_vec_release(&r->ignored);
    customs_vec_release(&r->errors);
    customs_vec_release(&r->coverage);
    customs_vec_release(&r->coverage_problems);
    customs_arena_release(&r->arena);
    customs_free(r);
}

static const char *error_code_name(int code)
{
    switch (code) {
    case CUSTOMS_EMALFORMED:
        return "malformed";
    case CUSTOMS_EUNSUPPORTED:
        return "unsupported";
    case CUSTOMS_ELIMIT:
        return "limit";
    case CUSTOMS_EIO:
        return "io";
    case CUSTOMS_ENOTFOUND:
        return "not-found";
    default:
        return "error";
    }
}

int customs_report_add_problem(struct customs_report *r, const char *kind, const char *subject,
                               const char *message)
{
    struct customs_coverage_problem *p = customs_vec_push(&r->coverage_problems);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    p->kind = kind;
    p->subject = customs_arena_strdup(&r->arena, subject);
    p->message = customs_arena_strdup(&r->arena, message);
    return p->subject != NULL && p->message != NULL ? 0 : CUSTOMS_ENOMEM;
}

int customs_report_add_error(struct customs_report *r, const struct customs_error *err,
                             const char *path, int layer)
{
    struct customs_report_error *e = customs_vec_push(&r->errors);
    if (e == NULL) {
        return CUSTOMS_ENOMEM;
    }
    e->code = error_code_name(err->code);
    e->path = customs_arena_strdup(&r->arena, path);
    e->layer = layer;
    e->message = customs_arena_strdup(&r->arena, err->message);
    if (e->message == NULL || (path != NULL && e->path == NULL)) {
        return CUSTOMS_ENOMEM;
    }
    return 0;
}

int customs_report_set_signature(struct customs_report *r, const char *format, const char *key,
                                 const char *fingerprint, const char *digest,
                                 const char *identity, const char *source)
{
    struct customs_report_signature *sig = customs_arena_alloc(&r->arena, sizeof(*sig));
    if (sig == NULL || (sig->format = customs_arena_strdup(&r->arena, format)) == NULL ||
        (sig->key = customs_arena_strdup(&r->arena, key)) == NULL ||
        (sig->fingerprint = customs_arena_strdup(&r->arena, fingerprint)) == NULL ||
        (sig->digest = customs_arena_strdup(&r->arena, digest)) == NULL ||
        (sig->identity = customs_arena_strdup(&r->arena, identity)) == NULL ||
        (sig->source = customs_arena_strdup(&r->arena, source)) == NULL) {
        return CUSTOMS_ENOMEM;
    }
    r->signature = sig;
    return 0;
}

const char *customs_report_manifest_digest(const struct customs_report *r)
{
    return r->target.manifest_digest;
}

size_t customs_report_hidden_text(const struct customs_report *r, char *out, size_t outsz)
{
    size_t total = 0;
    size_t used = 0;
    if (outsz > 0) {
        out[0] = '\0';
    }
    for (int s = CUSTOMS_SEVERITY_CRITICAL; s >= CUSTOMS_SEVERITY_UNKNOWN; s--) {
        size_t n = r->hidden_by_severity[s];
        if (n == 0) {
            continue;
        }
        int w = snprintf(out + used, outsz > used ? outsz - used : 0, "%s%zu %s",
                         total > 0 ? ", " : "", n,
                         customs_severity_name((enum customs_severity)s));
        used += w > 0 && (size_t)w < outsz - used ? (size_t)w : 0;
        total += n;
    }
    return total;
}

size_t customs_report_count(const struct customs_report *r, enum customs_report_kind kind)
{
    switch (kind) {
    case CUSTOMS_REPORT_PACKAGES:
        return r->inventory.packages.len;
    case CUSTOMS_REPORT_SECRETS:
        return r->secrets.len;
    case CUSTOMS_REPORT_MALWARE:
        return r->malware.len;
    case CUSTOMS_REPORT_VULNERABILITIES:
        return r->vulns.len;
    case CUSTOMS_REPORT_MISCONFIGURATIONS:
        return r->misconfigs.len;
    case CUSTOMS_REPORT_ERRORS:
        return r->errors.len;
    case CUSTOMS_REPORT_COVERAGE_PROBLEMS:
        return r->coverage_problems.len;
    case CUSTOMS_REPORT_IGNORE_ENTRIES:
        return r->ignored.len;
    case CUSTOMS_REPORT_SUPPRESSED:
        return r->suppressed.len;
    default:
        return 0;
    }
}

int customs_report_ignore_entry(const struct customs_report *r, size_t i,
                                struct customs_report_ignore *out)
{
    if (r == NULL || i >= r->ignored.len) {
        return CUSTOMS_EINVAL;
    }
    const struct customs_ignore_use *u = customs_vec_at(&r->ignored, i);
    out->id = u->id;
    out->kind = u->kind;
    out->where = u->where;
    out->expires = u->expires;
    out->expired = u->expired;
    out->suppressed = u->suppressed;
    out->statement = u->statement;
    return 0;
}

int customs_report_coverage_problem(const struct customs_report *r, size_t i, const char **kind,
                                    const char **message)
{
    if (r == NULL || i >= r->coverage_problems.len) {
        return CUSTOMS_EINVAL;
    }
    const struct customs_coverage_problem *p = customs_vec_at(&r->coverage_problems, i);
    *kind = p->kind;
    *message = p->message;
    return 0;
}
