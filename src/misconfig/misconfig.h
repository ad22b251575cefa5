/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_MISCONFIG_MISCONFIG_H
#define CUSTOMS_MISCONFIG_MISCONFIG_H

/*
 * The misconfiguration module: Kubernetes workloads checked against the Pod Security Standards
 * (baseline and restricted, versioned as pod-security-admission versions them). Findings go
 * into a set that owns their strings.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "formats/yaml.h"
#include "model/finding.h"

struct customs_k8s_network;

/* Findings per set unless `max` says otherwise (bounds memory on hostile input). */
#define CUSTOMS_MISCONFIG_MAX_DEFAULT 250000

/* A growable list of findings and the arena their strings live in. */
struct customs_misconfig_set {
    struct customs_arena arena;
    struct customs_vec items; /* struct customs_misconfig */
    size_t max;               /* more findings fail with CUSTOMS_ELIMIT; 0 = the default */
    struct customs_k8s_network *network; /* private: namespaces seen, for the flat-network check */
};

void customs_misconfig_set_init(struct customs_misconfig_set *s);
void customs_misconfig_set_release(struct customs_misconfig_set *s);
static inline size_t customs_misconfig_set_count(const struct customs_misconfig_set *s)
{
    return s->items.len;
}
static inline const struct customs_misconfig *
customs_misconfig_set_at(const struct customs_misconfig_set *s, size_t i)
{
    return customs_vec_at(&s->items, i);
}

enum customs_pss_level {
    CUSTOMS_PSS_BASELINE = 1,
    CUSTOMS_PSS_RESTRICTED = 2,
};

/** The newest policy version this build knows ("v1.37"). */
#define CUSTOMS_PSS_LATEST_MINOR 37

struct customs_pss_options {
    enum customs_pss_level level;
    int minor; /* policy version v1.<minor>; 0..CUSTOMS_PSS_LATEST_MINOR */
};

/** "baseline" / "restricted". */
const char *customs_pss_level_name(enum customs_pss_level level);
/** Parse "baseline" / "restricted"; CUSTOMS_EINVAL otherwise. */
CUSTOMS_MUST_USE int customs_pss_level_parse(enum customs_pss_level *out, const char *s);
/** Parse "latest", "v1.30" or "1.30" into a minor version; CUSTOMS_EINVAL otherwise. */
CUSTOMS_MUST_USE int customs_pss_version_parse(int *minor, const char *s);

/** One check, as documented in docs/checks.md (PSS and the hardening checks beyond it). */
struct customs_check_info {
    const char *id;        /* PSS: the pod-security-admission check id ("privileged");
                              others: "CUSTOMS-K8S-001" ... */
    const char *level;     /* PSS: "baseline" / "restricted"; others: NULL */
    enum customs_severity severity;
    const char *title;
    const char *fix;
    const char *reference;
    const char *overrides; /* the baseline check it replaces at restricted, or NULL */
};

/** The number of PSS checks, and check `i` in evaluation order (NULL past the end). */
size_t customs_pss_check_count(void);
const struct customs_check_info *customs_pss_check_at(size_t i);

/**
 * Where a Kubernetes object keeps its pod template, by kind: "spec" for a Pod,
 * "spec.template" for Deployment, ReplicaSet, StatefulSet, DaemonSet, Job and
 * ReplicationController, "spec.jobTemplate.spec.template" for a CronJob, "template" for a
 * PodTemplate. NULL for other kinds.
 */
const char *customs_k8s_pod_template_path(const char *kind);

/** The pod spec of a workload object of any kind above, or NULL. */
const json_t *customs_k8s_pod_spec(const json_t *obj);

/** The number of checks beyond PSS, and check `i` (NULL past the end). */
size_t customs_k8s_check_count(void);
const struct customs_check_info *customs_k8s_check_at(size_t i);

struct customs_k8s_options {
    struct customs_pss_options pss;
    bool pss_enabled;                       /* run the PSS checks */
    bool hardening;                         /* run the checks beyond PSS */
    const char *const *allowed_registries;  /* NULL-terminated; NULL = no allowlist check */
};

/** PSS restricted at the latest version, hardening checks on, no registry allowlist. */
void customs_k8s_options_default(struct customs_k8s_options *o);

/**
 * Check every workload in one parsed document (a List's items included) at `opt` and add
 * the findings to `set`. `stream`/`doc` locate nodes for line:column (stream may be NULL),
 * `file` names the file in findings. Documents that are not workloads are skipped.
 * @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT (too many findings)
 */
CUSTOMS_MUST_USE
int customs_k8s_audit_document(struct customs_misconfig_set *set, const json_t *root,
                               const struct customs_yaml_stream *stream, size_t doc,
                               const char *file, const struct customs_k8s_options *opt,
                               struct customs_error *err);

/** customs_k8s_audit_document over every document of a stream. */
CUSTOMS_MUST_USE
int customs_k8s_audit_stream(struct customs_misconfig_set *set,
                             const struct customs_yaml_stream *stream, const char *file,
                             const struct customs_k8s_options *opt, struct customs_error *err);

/**
 * After the last stream of an audit: the checks that need every file (a namespace with
 * workloads and no NetworkPolicy). @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT
 */
CUSTOMS_MUST_USE
int customs_k8s_audit_finish(struct customs_misconfig_set *set,
                             const struct customs_k8s_options *opt, struct customs_error *err);

/* ---- Dockerfiles (dockerfile.c) ---- */

/* Bounds of the Dockerfile parser (hostile input). */
#define CUSTOMS_DOCKERFILE_MAX_BYTES (64u << 20)      /* the whole file */
#define CUSTOMS_DOCKERFILE_MAX_INSTRUCTION (1u << 20) /* one instruction, continuations joined */
#define CUSTOMS_DOCKERFILE_MAX_INSTRUCTIONS 100000
#define CUSTOMS_DOCKERFILE_MAX_HEREDOCS 16            /* heredocs of one instruction */

/** One instruction, continuations joined (the escape character and line break removed). */
struct customs_dockerfile_instr {
    const char *keyword;   /* upper case: "FROM", "RUN", ... */
    const char *args;      /* everything after the keyword, leading blanks trimmed */
    const char *heredoc;   /* the heredoc bodies, each line ending in '\n'; NULL if none */
    const char *const *argv; /* exec (JSON) form: the elements, NULL-terminated; else NULL */
    size_t argc;
    int line;              /* 1-based line of the keyword */
    int end_line;          /* last line, heredoc terminators included */
    int stage;             /* index into stages; -1 for an ARG before the first FROM */
};

/** One build stage: a FROM and the instructions up to the next FROM. */
struct customs_dockerfile_stage {
    const char *name;      /* the AS name in lower case, or NULL */
    const char *image;     /* the base as written ("python:${V}") */
    const char *resolved;  /* the base with global ARGs expanded; NULL if an ARG has no value */
    int base_stage;        /* the earlier stage it builds on (FROM <stage name>), or -1 */
    int line;              /* the FROM line */
    size_t first;          /* index of its FROM in instrs */
    size_t count;          /* instructions, the FROM included */
};

struct customs_dockerfile {
    struct customs_arena arena;
    struct customs_vec instrs; /* struct customs_dockerfile_instr */
    struct customs_vec stages; /* struct customs_dockerfile_stage */
    char escape;               /* '\\' or '`' (the escape parser directive) */
};

/**
 * Parse a Dockerfile of `len` bytes (need not be NUL-terminated), `name` in messages: parser
 * directives (escape), comments, line continuations, heredocs (RUN/COPY/ADD `<<EOF`, `<<-EOF`,
 * quoted words), exec and shell forms, stages and global ARGs in FROM. On failure `df` is
 * released. Errors read "NAME:LINE: what".
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_dockerfile_parse(struct customs_dockerfile *df, const char *name, const void *data,
                             size_t len, struct customs_error *err);
void customs_dockerfile_release(struct customs_dockerfile *df);

static inline const struct customs_dockerfile_instr *
customs_dockerfile_instr_at(const struct customs_dockerfile *df, size_t i)
{
    return customs_vec_at(&df->instrs, i);
}
static inline const struct customs_dockerfile_stage *
customs_dockerfile_stage_at(const struct customs_dockerfile *df, size_t i)
{
    return customs_vec_at(&df->stages, i);
}

/** The Dockerfile checks (CUSTOMS-DF-nnn) and check `i` (NULL past the end). */
size_t customs_dockerfile_check_count(void);
const struct customs_check_info *customs_dockerfile_check_at(size_t i);

/** Run the Dockerfile checks over a parsed file; `file` names it in findings.
 * @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT */
CUSTOMS_MUST_USE int customs_dockerfile_audit(struct customs_misconfig_set *set,
                                              const struct customs_dockerfile *df, const char *file,
                                              struct customs_error *err);

/* ---- Compose files (compose.c) ---- */

/** The Compose checks (CUSTOMS-DC-nnn) and check `i` (NULL past the end). */
size_t customs_compose_check_count(void);
const struct customs_check_info *customs_compose_check_at(size_t i);

/** True if a document looks like a Compose file: a `services` mapping at the top and no
 * Kubernetes `apiVersion` or `kind`. */
bool customs_compose_document_is_compose(const json_t *root);

/** Check every service of document `doc` of `stream`. @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT */
CUSTOMS_MUST_USE
int customs_compose_audit_document(struct customs_misconfig_set *set,
                                   const struct customs_yaml_stream *stream, size_t doc,
                                   const char *file, struct customs_error *err);

#endif /* CUSTOMS_MISCONFIG_MISCONFIG_H */
