/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_ADMIT_ADMIT_H
#define CUSTOMS_ADMIT_ADMIT_H

/*
 * The admission webhook's decisions, without sockets: an AdmissionReview
 * (admission.k8s.io/v1) decoded and validated strictly into one request with its pod template,
 * judged into a decision (reasons that deny, reasons that warn), and encoded back as the
 * AdmissionReview response the API server expects (uid echoed, 403 with every violated rule,
 * warnings), a JSONPatch of least-privilege defaults for /mutate, and one audit-log record.
 * The HTTPS server that feeds it lives in the CLI (src/cli/cmd_admit.c).
 *
 * Basic outline:
 *   1. customs_admit_review_decode(&r, body, len, max_bytes, &err)   (400 on failure)
 *   2. customs_admit_decision_init(&d); customs_admit_judge(&d, &r, &opt, &err)
 *   3. customs_admit_response(&r, &d, &opt) (or customs_admit_mutate for /mutate)
 *   4. customs_admit_log_record(&r, &d, &opt, time) for the audit log
 *   5. customs_admit_decision_release(&d); customs_admit_review_release(&r)
 *
 * Everything is per request: concurrent requests share only the (read-only) options.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/core.h"
#include "misconfig/misconfig.h"
#include "policy/policy.h"

#define CUSTOMS_ADMIT_API_VERSION "admission.k8s.io/v1"
#define CUSTOMS_ADMIT_MAX_BODY_DEFAULT (3u << 20) /* 3 MiB, like the API server's own cap */

/** One AdmissionReview request, decoded and validated. Strings are borrowed from `root`. */
struct customs_admit_review {
    json_t *root;             /* the review (owned): every member but the object's
                                 managedFields and status, and of oldObject only its
                                 containers' names and images (see review.c) */
    const char *uid;          /* request.uid: non-empty */
    const char *group;        /* request.kind.group ("" for the core group) */
    const char *version;      /* request.kind.version */
    const char *kind;         /* request.kind.kind: "Pod", "Deployment", ... */
    const char *resource;     /* request.resource.resource: "pods", "deployments", ... */
    const char *sub_resource; /* request.subResource, "" when none */
    const char *operation;    /* CREATE, UPDATE, DELETE, CONNECT */
    const char *ns;           /* request.namespace, "" for cluster-scoped objects */
    const char *name;         /* request.name, else object.metadata.name or generateName */
    bool dry_run;
    json_t *object;           /* request.object, NULL when null or absent */
    const json_t *old_object; /* request.oldObject, NULL when null or absent */
    const char *template_path; /* customs_k8s_pod_template_path(kind), NULL: not a workload */
    const json_t *pod_spec;   /* the pod (template) spec, NULL when not judged */
    const char *skip;         /* non-NULL: why this request is admitted without judging */
    char problem[256];        /* non-empty: the object is unusable (denied, naming this) */
};

/**
 * Decode `len` bytes of `body` (need not be NUL-terminated) as an AdmissionReview
 * admission.k8s.io/v1 request: JSON (duplicate keys rejected, at most `max_bytes`), apiVersion
 * and kind exact, request.uid a non-empty string, request.kind/resource/operation present and
 * typed. For a workload kind (Pod and every kind with a pod template) whose operation is judged
 * (CREATE, UPDATE; not DELETE, CONNECT or a Pod subresource Pod Security ignores), the object
 * must be an object of that kind with a pod spec; an UPDATE of a Pod that changes no container
 * image is admitted without judging, as Pod Security admission does. An envelope that is
 * valid around an unusable object decodes with `problem` set (the judge denies it, naming the
 * problem). On failure `r` holds nothing and the message names the field (and line:column for
 * JSON syntax).
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT (too big or too deep), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_admit_review_decode(struct customs_admit_review *r, const void *body, size_t len,
                                size_t max_bytes, struct customs_error *err);
/**
 * The same answer from a full jansson tree of the body (root then holds every member): the
 * reference customs_admit_review_decode is tested against (it builds only the members that are
 * judged, customs_json_parse_pruned, and falls back to this for a body it refuses, for the
 * message). Slower: a 9 KB review costs several times as much.
 */
CUSTOMS_MUST_USE
int customs_admit_review_decode_full(struct customs_admit_review *r, const void *body, size_t len,
                                     size_t max_bytes, struct customs_error *err);
void customs_admit_review_release(struct customs_admit_review *r);

/** What the webhook enforces. Read-only while requests are judged. */
struct customs_admit_options {
    struct customs_pss_options pss; /* Pod Security level and version */
    const char *pss_version;         /* the version as configured ("latest", "v1.30") */
    bool hardening;                  /* the checks beyond Pod Security, as warnings */
    bool audit_only;                 /* admit everything, report what would be denied */
};

/** Pod Security restricted at latest, hardening warnings on, enforcing. */
void customs_admit_options_default(struct customs_admit_options *o);

/** One reason of a decision. */
struct customs_admit_reason {
    const char *rule;    /* "podSecurity.privileged", "CUSTOMS-K8S-004", "request" */
    bool deny;           /* false: a warning */
    const char *message; /* in Pod Security admission's words where it has them */
    const char *severity; /* the verdict function's severity, or NULL */
    const char *subject;  /* what the verdict function's reason is about, or NULL */
};

/** A decision: every reason, in the order the rules ran. Strings live in `arena`. */
struct customs_admit_decision {
    struct customs_arena arena;
    struct customs_vec reasons; /* struct customs_admit_reason */
    size_t ndeny;
    const char *note;           /* why the request was not judged (or the first note), or NULL */
    const char **notes;         /* every note of the verdict function (in `arena`) */
    size_t nnotes;
};

void customs_admit_decision_init(struct customs_admit_decision *d);
void customs_admit_decision_release(struct customs_admit_decision *d);

static inline size_t customs_admit_decision_count(const struct customs_admit_decision *d)
{
    return d->reasons.len;
}
static inline const struct customs_admit_reason *
customs_admit_decision_at(const struct customs_admit_decision *d, size_t i)
{
    return customs_vec_at(&d->reasons, i);
}

/**
 * Judge a decoded review at `opt`: Pod Security on the pod template (the same evaluation as
 * `customs audit` at that level and version) denies; the checks beyond it warn.
 * @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT (the caller then denies: fail closed)
 */
CUSTOMS_MUST_USE
int customs_admit_judge(struct customs_admit_decision *d, const struct customs_admit_review *r,
                        const struct customs_admit_options *opt, struct customs_error *err);

/**
 * Judge a decoded review with the policy's one verdict function (customs_policy_judge_workload):
 * the rule set of `tier` (from /validate/<tier>; NULL: the tiers by namespace name), its Pod
 * Security level and version (into *pss, for the response's wording), exemptions, limits, image
 * references, and (when `lookup` is not NULL: the verdict store) every container's recorded
 * image: unknown, age, vulnerabilities, secrets, malware. Reasons that deny or warn become the
 * decision's; notes its notes. A tier the policy does not define is a deny (rule "tiers"), as
 * for a customs/tier label in `customs audit`.
 * @return 0, CUSTOMS_ENOMEM, or the lookup's error (the caller denies: fail closed)
 */
CUSTOMS_MUST_USE
int customs_admit_judge_policy(struct customs_admit_decision *d,
                               struct customs_pss_options *pss,
                               const struct customs_admit_review *r,
                               const struct customs_policy *p, const char *tier,
                               customs_policy_lookup_fn lookup, void *payload, time_t now,
                               struct customs_error *err);

/** "deny", "warn" or "allow": what the decision says before --audit-only. */
const char *customs_admit_verdict_name(const struct customs_admit_decision *d);

/**
 * The AdmissionReview response: apiVersion/kind copied, response.uid echoed, allowed, and
 * when denied status {code 403, reason Forbidden, message naming every violated rule};
 * warnings carry the non-blocking reasons (and, with audit_only, what would have been denied).
 * NULL on OOM. The caller owns the result.
 */
CUSTOMS_MUST_USE json_t *customs_admit_response(const struct customs_admit_review *r,
                                                const struct customs_admit_decision *d,
                                                const struct customs_admit_options *opt);

/**
 * A response that refuses the review for an internal reason (fail closed): allowed false,
 * status.code `code` and `message`. NULL on OOM.
 */
CUSTOMS_MUST_USE
json_t *customs_admit_response_error(const struct customs_admit_review *r, int code,
                                     const char *message);

/** Every default /mutate knows (the webhook without a policy applies them all). */
extern const struct customs_policy_mutate customs_admit_mutate_all;

/**
 * The /mutate response: allowed, with a JSONPatch (base64, patchType JSONPatch) that sets the
 * least-privilege defaults `m` asks for where the pod template leaves them unset, never
 * overriding a value it sets: pod seccompProfile RuntimeDefault and runAsNonRoot true, and on
 * every container allowPrivilegeEscalation false (unless privileged or adding SYS_ADMIN) and
 * capabilities drop ALL (unless privileged). No patch when nothing is missing. NULL on OOM.
 */
CUSTOMS_MUST_USE json_t *customs_admit_mutate(const struct customs_admit_review *r,
                                              const struct customs_policy_mutate *m);

/**
 * One audit-log record: {time, uid, kind, namespace, name, operation, verdict, enforced,
 * reasons[{rule, effect, message, severity?, subject?}], note?, notes?[]} with `time` formatted
 * as RFC 3339 UTC. NULL on OOM.
 */
CUSTOMS_MUST_USE
json_t *customs_admit_log_record(const struct customs_admit_review *r,
                                 const struct customs_admit_decision *d,
                                 const struct customs_admit_options *opt, time_t now);

#endif /* CUSTOMS_ADMIT_ADMIT_H */
