/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_POLICY_POLICY_H
#define CUSTOMS_POLICY_POLICY_H

/*
 * A policy file (docs/policy.md) compiled into an immutable `struct customs_policy`, and the one
 * verdict function that scan, audit, the admission webhook and the registry gate share:
 * policy x subject (an image and its findings, or a workload with its namespace, labels and
 * images) -> verdict (allow / warn / deny) with every reason.
 *
 * The top-level rules and each tier are compiled into complete rule sets (a tier is the
 * top-level rules with the tier's keys laid over them), so judging never merges anything.
 * A compiled policy is read-only: share it between threads freely.
 *
 * Basic outline:
 *   1. customs_policy_load(&p, "customs-policy.yaml", bytes, len, diag, payload, &err)
 *   2. customs_verdict_init(&v); customs_policy_judge_image(&v, p, rules, &image, subj, now, &err)
 *      or customs_policy_judge_workload(&v, p, &workload, now, &err)
 *   3. read v.effect and v.reasons; customs_verdict_release(&v)
 *   4. customs_policy_free(p)
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/core.h"
#include "formats/yaml.h"
#include "misconfig/misconfig.h"
#include "model/verdict.h"

#define CUSTOMS_POLICY_MAX_BYTES (4u << 20)
#define CUSTOMS_POLICY_API_VERSION "customs/v1"

/** What the image rules say; a tier's copy has the tier's overrides applied. */
struct customs_policy_images {
    enum customs_effect unknown;        /* no (fresh enough) recorded verdict */
    enum customs_effect uncovered;      /* the scan could not check everything: an ecosystem
                                           or release without (current) data, an OS past its
                                           end of life, a file it could not read */
    bool unknown_scan;                  /* "unknown: scan": the registry gate scans it first
                                           (unknown is then deny for everyone else) */
    uint32_t vuln_deny;                 /* severities (1 << enum customs_severity) that deny */
    uint32_t vuln_warn;                 /* severities that warn */
    bool ignore_unfixed;                /* vulnerabilities without a fixed version do not count */
    int grace_days;                     /* a denying vulnerability warns for this many days
                                           after it was first seen on the image */
    enum customs_effect known_exploited; /* a vulnerability in a known-exploited catalogue */
    enum customs_effect secrets;
    enum customs_effect malware;
    const char *const *registries;      /* NULL-terminated; empty: any registry */
    size_t nregistries;
    bool forbid_latest;                 /* no tag, or the tag "latest" */
    bool require_digest;                /* the reference must name a digest */
    int max_age_days;                   /* a recorded verdict older than this is unknown; 0: any */
    bool signatures_required;           /* signatures.required: deny without a verified one */
    const char *const *signature_keys;  /* signatures.keys: public key files, NULL-terminated */
    size_t nsignature_keys;
    const char *const *signature_fingerprints; /* those keys' fingerprints (formats/pubkey.h),
                                                  NULL-terminated; read when the policy is
                                                  loaded from a file */
    size_t nsignature_fingerprints;
    const char *signature_lookaside;    /* signatures.lookaside: a directory or URL, or NULL */
};

/** mutate: the least-privilege defaults /mutate fills in where a pod template leaves them
 * unset (never overriding a value it sets). */
struct customs_policy_mutate {
    bool seccomp_runtime_default;       /* pod securityContext.seccompProfile RuntimeDefault */
    bool run_as_non_root;               /* pod securityContext.runAsNonRoot true */
    bool disallow_privilege_escalation; /* each container's allowPrivilegeEscalation false */
    bool drop_all_capabilities;         /* each container's capabilities.drop [ALL] */
};

/** One complete rule set: the top level, or a tier. */
struct customs_policy_rules {
    const char *tier;                   /* NULL at the top level */
    bool pss_enabled;                   /* podSecurity given */
    struct customs_pss_options pss;
    struct customs_policy_images images;
    bool require_limits;                /* resources.requireLimits */
    struct customs_policy_mutate mutate; /* none unless the policy asks */
    const char *const *namespaces;      /* tiers: namespace globs (fnmatch), NULL-terminated */
    size_t nnamespaces;
};

/** An accepted risk: the id (or an alias) does not count until `expires`. */
struct customs_policy_ignore {
    const char *id;
    const char *package;    /* NULL: any package */
    time_t expires;         /* end of that day, UTC; 0: never */
    const char *statement;  /* why, or NULL */
    int line;               /* where it is written */
};

struct customs_policy {
    struct customs_arena arena;
    const char *name;                   /* the file as named by the caller */
    const char *source;                 /* its text, as loaded (recorded with verdicts) */
    struct customs_policy_rules base;
    struct customs_policy_rules *tiers; /* in file order */
    size_t ntiers;
    struct customs_policy_ignore *ignores;
    size_t nignores;
    const char *const *exempt_namespaces; /* globs, NULL-terminated */
    size_t nexempt;
};

/** Called for each problem found while loading; `is_error` false for warnings. */
typedef void (*customs_policy_diag_fn)(bool is_error, const char *message, void *payload);

/**
 * Parse and compile a policy file of `len` bytes named `name` in messages. Every problem is
 * reported through `diag` (may be NULL) as "NAME:LINE:COL: what" before returning; `err`
 * holds the first one (or the count). Unknown keys, wrong types and bad values are errors.
 * The key files of images.signatures.keys are not read (no fingerprints: a policy that
 * requires signatures then denies every image) unless loaded with customs_policy_load_file
 * or given with customs_policy_set_fingerprints.
 * @return 0 (*out owned by the caller: customs_policy_free), CUSTOMS_EMALFORMED,
 *         CUSTOMS_ELIMIT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_policy_load(struct customs_policy **out, const char *name, const void *data,
                        size_t len, customs_policy_diag_fn diag, void *payload,
                        struct customs_error *err);

/** customs_policy_load of the file at `path` (at most CUSTOMS_POLICY_MAX_BYTES), reading the
 * key files images.signatures.keys names (relative to the policy file's directory) into their
 * fingerprints: a key that cannot be read or is not a public key is an error at its position. */
CUSTOMS_MUST_USE int customs_policy_load_file(struct customs_policy **out, const char *path,
                                              customs_policy_diag_fn diag, void *payload,
                                              struct customs_error *err);

void customs_policy_free(struct customs_policy *p);

/**
 * Give the top-level rules the key fingerprints `fprs` (`n` of them, copied): a policy text
 * read back from the verdict store, whose key files were read when it was recorded.
 * @return 0, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_policy_set_fingerprints(struct customs_policy *p, const char *const *fprs, size_t n);

/**
 * The rule set for a namespace: the tier named `tier` when not NULL (a customs/tier label, a
 * webhook path /validate/<tier>), else the first tier whose namespaces match, else the top
 * level. NULL when `tier` names no tier.
 */
const struct customs_policy_rules *customs_policy_rules_for(const struct customs_policy *p,
                                                            const char *ns, const char *tier);

/**
 * An image reference in the form container runtimes resolve it to: "nginx" is
 * "docker.io/library/nginx:latest"; a digest is kept ("...@sha256:..."), the tag then dropped.
 * @return 0, CUSTOMS_EINVAL (not a reference), CUSTOMS_ELIMIT (outsz too small)
 */
CUSTOMS_MUST_USE int customs_policy_reference_normalize(char *out, size_t outsz, const char *ref);

/** True when `ns` matches exemptions.namespaces. */
bool customs_policy_is_exempt(const struct customs_policy *p, const char *ns);

/* ---- subjects ---- */

/** A vulnerability as the policy sees it. */
struct customs_policy_vuln {
    const char *id;
    const char *const *aliases;
    size_t naliases;
    const char *package;
    const char *installed;
    const char *fixed;          /* NULL: no fix yet */
    enum customs_severity severity;
    bool known_exploited;
    time_t first_seen;          /* when first found on this image; 0: now */
};

/** A secret or malware finding as the policy sees it. */
struct customs_policy_finding {
    const char *rule;
    const char *title;
    const char *path;
    enum customs_severity severity;
};

/** A signature verified for an image's digest: by which key (its fingerprint), when. */
struct customs_policy_signature {
    const char *fingerprint;    /* formats/pubkey.h */
    const char *key;            /* the key file as named when verified */
    const char *format;         /* "cosign", "openpgp" */
    const char *identity;       /* the signed docker-reference */
    time_t verified_at;         /* 0: now (a scan's own) */
};

/** Why an image's findings cannot be trusted to be complete (a report's coverage problem). */
struct customs_policy_gap {
    const char *kind;           /* "no-data", "stale", "unknown-release", "unsupported", "eol",
                                   "incomplete" */
    const char *subject;        /* the ecosystem, the OS release, or the path not read */
    const char *message;        /* one sentence for people */
};

/** An image and what was found in it. */
struct customs_policy_image {
    const char *const *names;   /* reference names it carries (repo tags), NULL-terminated */
    const char *digest;         /* manifest digest, or NULL */
    bool known;                 /* scanned (or a verdict recorded) */
    bool vulns_scanned;         /* a vulnerability database was consulted */
    size_t nerrors;             /* problems the scan reported (findings may be incomplete) */
    time_t scanned_at;          /* when; 0: now */
    const struct customs_policy_gap *gaps; /* what the scan could not check */
    size_t ngaps;
    const struct customs_policy_vuln *vulns;
    size_t nvulns;
    const struct customs_policy_finding *secrets;
    size_t nsecrets;
    const struct customs_policy_finding *malware;
    size_t nmalware;
    const struct customs_policy_signature *signatures; /* verified signatures for this digest
                                                          (a scan's own, or those recorded) */
    size_t nsignatures;
};

struct customs_report;

/**
 * The image a scan report describes (its findings after the report's own filtering), for the
 * judge: the arrays are allocated in `arena`, the strings borrowed from the report, which must
 * outlive `out`. @return 0, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_policy_image_from_report(struct customs_policy_image *out, struct customs_arena *arena,
                                     const struct customs_report *r);

/**
 * Find what is recorded for the image reference `ref` (by digest when it has one, else by
 * name): *out NULL when nothing is. The image must stay valid until the next call.
 * @return 0, or a negative code (the judge fails closed: the error is returned)
 */
typedef int (*customs_policy_lookup_fn)(const struct customs_policy_image **out, const char *ref,
                                        void *payload, struct customs_error *err);

/** A Kubernetes object with a pod template, as the webhook receives it or audit reads it. */
struct customs_policy_workload {
    const json_t *object;       /* the whole object (Pod, Deployment, ... , PodTemplate) */
    const char *ns;             /* its namespace ("default" when the object names none) */
    const char *tier;           /* the tier chosen by label or path, or NULL */
    const struct customs_yaml_stream *stream; /* for line:column in messages, or NULL */
    size_t doc;
    const char *file;           /* the file, or NULL */
    customs_policy_lookup_fn lookup; /* NULL: image rules needing a record are skipped */
    void *payload;
};

/**
 * Workloads gathered from manifests (audit): the objects with a pod template (List items
 * included) and the tier each namespace's customs/tier label names, so a workload is judged
 * with its namespace's tier whatever order the files come in.
 */
struct customs_policy_batch {
    json_t *workloads; /* array of objects (references held) */
    json_t *tiers;     /* namespace -> tier name */
};

void customs_policy_batch_init(struct customs_policy_batch *b);
void customs_policy_batch_release(struct customs_policy_batch *b);
/** Add one parsed document. @return 0, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_policy_batch_add(struct customs_policy_batch *b, json_t *root);
/** The namespace of a workload object ("default" when it names none). */
const char *customs_policy_namespace_of(const json_t *obj);
/** The tier the batch's Namespace objects give `ns` by label, or NULL. */
const char *customs_policy_batch_tier(const struct customs_policy_batch *b, const char *ns);
/** "Kind/namespace/name" of an object, into out (truncated to outsz). */
void customs_policy_workload_name(char *out, size_t outsz, const json_t *obj);

/**
 * Judge one image under the rule set `rules` (customs_policy_rules_for; NULL: the top level)
 * at time `now`: unknown, age, ignores, vulnerabilities, secrets and malware.
 * `subject` (may be NULL) names it in the reasons. Reasons are added to `v`; how the image is
 * referenced (registries, tags) is judged where it is referenced (workloads).
 * @return 0, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_policy_judge_image(struct customs_verdict *v, const struct customs_policy *p,
                               const struct customs_policy_rules *rules,
                               const struct customs_policy_image *image, const char *subject,
                               time_t now, struct customs_error *err);

/**
 * customs_policy_judge_image for an image asked for by name: `names` (NULL-terminated; NULL:
 * no name) are the references it is asked for by (a Pod's image; a pull through the gate, under
 * the gate's and the upstream's host). Under images.signatures.required a signature then counts
 * only when its signed identity (critical.identity.docker-reference) names one of them: the
 * same repository (docker.io's aliases and library/ folded), and the same tag when both carry
 * one, so a signature moved to another repository is refused.
 * @return 0, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_policy_judge_image_as(struct customs_verdict *v, const struct customs_policy *p,
                                  const struct customs_policy_rules *rules,
                                  const struct customs_policy_image *image,
                                  const char *const *names, const char *subject, time_t now,
                                  struct customs_error *err);

/**
 * Judge one workload: exemptions, Pod Security at the rule set's level and version, resource
 * limits, and every container's image (init and ephemeral containers too): the reference
 * rules, then the recorded image through `lookup` and customs_policy_judge_image. A tier
 * named that the policy does not define is a deny (rule "tiers").
 * @return 0, CUSTOMS_ENOMEM, or the lookup's error
 */
CUSTOMS_MUST_USE
int customs_policy_judge_workload(struct customs_verdict *v, const struct customs_policy *p,
                                  const struct customs_policy_workload *w, time_t now,
                                  struct customs_error *err);

/**
 * The verdict as JSON: {"verdict":..., "reasons":[{rule, effect, severity, subject, message}],
 * "notes":[...]}; `subject` (may be NULL) is added as "subject". NULL on OOM.
 */
CUSTOMS_MUST_USE
json_t *customs_verdict_to_json(const struct customs_verdict *v, const char *subject);

#endif /* CUSTOMS_POLICY_POLICY_H */
