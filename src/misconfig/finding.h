/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_MISCONFIG_FINDING_H
#define CUSTOMS_MISCONFIG_FINDING_H

#include <stddef.h>

#include "customs/error.h"

/*
 * One misconfiguration finding: a check that failed on one object (a Kubernetes workload, a
 * Dockerfile instruction, a Compose service, an image config), pointing at the offending field.
 * Strings are borrowed from the arena of the report that holds the finding.
 */

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
int customs_severity_parse(const char *s, size_t n, enum customs_severity *out);

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

#endif /* CUSTOMS_MISCONFIG_FINDING_H */
