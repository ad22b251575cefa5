/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_MODEL_FINDING_H
#define CUSTOMS_MODEL_FINDING_H

/*
 * The findings every analyzer produces and every consumer reads: a severity, and one struct per
 * kind (misconfiguration, secret, malware, vulnerability). Strings are borrowed from the arena
 * of the report (or finding set) that holds the finding. Layer indexes refer to the report's
 * `target.layers`; -1 means "not from a layer" (directory sources, the image config).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "customs/error.h"

enum customs_severity {
    CUSTOMS_SEVERITY_UNKNOWN = 0,
    CUSTOMS_SEVERITY_LOW,
    CUSTOMS_SEVERITY_MEDIUM,
    CUSTOMS_SEVERITY_HIGH,
    CUSTOMS_SEVERITY_CRITICAL,
};

/** "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL". */
const char *customs_severity_name(enum customs_severity s);
/** The severity named by the `n` bytes at `s`, case-insensitively; CUSTOMS_EINVAL if none. */
CUSTOMS_MUST_USE int customs_severity_parse(const char *s, size_t n, enum customs_severity *out);

/**
 * One misconfiguration finding: a check that failed on one object (a Kubernetes workload, a
 * Dockerfile instruction, a Compose service, an image config), pointing at the offending field.
 */
struct customs_misconfig {
    const char *check;      /* PSS: the pod-security-admission check id ("allowPrivilegeEscalation");
                               others: our id ("CUSTOMS-K8S-001", "CUSTOMS-DF-003", ...) */
    const char *source;     /* "kubernetes", "dockerfile", "compose", "image-config" */
    const char *level;      /* PSS level "baseline" / "restricted", else NULL */
    enum customs_severity severity;
    const char *title;      /* one line: what the check is about */
    const char *message;    /* what is wrong here, in the wording users know */
    const char *fix;        /* a concrete fix */
    const char *object;     /* "Kind/namespace/name", "stage builder", "service web", NULL */
    const char *file;       /* the file as the user named it, or NULL (image config) */
    const char *path;       /* field path: "spec.containers[0].securityContext.privileged" */
    int line;               /* 1-based; 0 = unknown */
    int column;             /* 1-based; 0 = unknown */
    const char *reference;  /* CIS recommendation or doc URL, or NULL */
};

/** A secret found in the image. The secret itself is kept only with --show-secrets. */
struct customs_secret_finding {
    const char *rule;
    const char *title;
    enum customs_severity severity;
    const char *location;  /* "file", "env", "label", "history" */
    const char *path;      /* file path, variable, label key or "history[N].created_by" */
    uint64_t line;         /* 1-based; 0 when not in a file */
    int layer;             /* the layer that added the file (or history entry); -1: config */
    int removed_in_layer;  /* the layer that removed or replaced the file; -1: still there */
    const char *redacted;
    const char *secret;    /* NULL unless show_secrets */
};

/** Malware found in a file of a layer. */
struct customs_malware_finding {
    const char *engine;      /* "yara", "clamav" */
    const char *rule;        /* "namespace:rule" or the ClamAV signature name */
    enum customs_severity severity;
    const char *category;
    const char *description;
    const char *path;
    const char *sha256;      /* of the file: "sha256:..." */
    int layer;
    int removed_in_layer;    /* -1: still in the final filesystem */
};

/** One CVSS entry of a vulnerability, as stored under one of its names. */
struct customs_vuln_cvss {
    const char *id;      /* the record it is stored under: the CVE, or the advisory */
    const char *source;  /* "nvd@nist.gov", a CNA's address, "osv" (the advisory's own) */
    const char *type;    /* NVD's "Primary" / "Secondary", or NULL */
    const char *version; /* "2.0", "3.0", "3.1", "4.0" */
    const char *vector;
    double score;        /* computed by customs from the vector */
};

/** One vulnerability of one package. Strings live in the arena given to the matcher. */
struct customs_vuln_finding {
    const char *id;          /* the CVE when there is one, else the advisory id */
    const char **aliases;    /* every other name (GHSA, DSA, OSV id...), sorted */
    size_t naliases;
    size_t package;          /* index into the inventory's packages */
    const char *name;        /* the package name as installed */
    const char *type;        /* the package type */
    const char *installed;   /* the version compared (Debian: the source version) */
    const char *fixed;       /* the smallest fixed version above the installed one, or NULL */
    const char *status;      /* "fixed", "unfixed", "will_not_fix", "end_of_life" */
    enum customs_severity severity;
    /* who said so (docs/db.md, "Severity precedence"): "debian", "ubuntu", "alpine", "ghsa",
     * "osv", "osv-cvss", "nvd", "cna:<source>"; NULL when nothing rated it (UNKNOWN) */
    const char *severity_source;
    double cvss;             /* the score of the entry severity came from (else the first by
                              * precedence), < 0 when there is none */
    const char *cvss_vector;
    const struct customs_vuln_cvss *cvss_entries; /* every entry under every name */
    size_t ncvss;
    const char *known_exploited; /* CISA KEV date added (NVD cisaExploitAdd), or NULL */
    const char *nvd_status;      /* NVD vulnStatus of its CVE, or NULL */
    /* as the database's records date it (ISO 8601 as stored, over the id and its aliases):
     * the earliest publication and the latest modification, or NULL */
    const char *published;
    const char *modified;
    int layer;
    const char *title;
    const char *source;      /* the database source that said so */
};

#endif /* CUSTOMS_MODEL_FINDING_H */
