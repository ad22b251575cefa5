/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_MODEL_VERDICT_H
#define CUSTOMS_MODEL_VERDICT_H

/*
 * A verdict: what the policy decided about one subject (an image, a workload) and every reason
 * for it. The verdict is the strongest effect among its reasons (allow < warn < deny); a
 * verdict with no reason is allow. Notes say what was not judged and why (an image rule that
 * needs a recorded verdict when no store was given). Strings live in the verdict's arena.
 * Producers: src/policy (the one verdict function); readers: the CLI, the store, the webhook.
 */

#include <stddef.h>

#include "core/core.h"

enum customs_effect {
    CUSTOMS_EFFECT_ALLOW = 0,
    CUSTOMS_EFFECT_WARN = 1,
    CUSTOMS_EFFECT_DENY = 2,
};

/** "allow", "warn", "deny". */
const char *customs_effect_name(enum customs_effect e);
/** Parse "allow" / "warn" / "deny"; CUSTOMS_EINVAL otherwise. */
CUSTOMS_MUST_USE int customs_effect_parse(enum customs_effect *out, const char *s);

/** One reason: a rule that fired on one thing. */
struct customs_reason {
    const char *rule;      /* the policy key that decided: "images.vulnerabilities.deny",
                              "podSecurity.privileged", "images.unknown", ... */
    enum customs_effect effect;
    const char *severity;  /* "CRITICAL" .. "UNKNOWN" */
    const char *subject;   /* what it is about: "container app", "image sha256:..." or NULL */
    const char *message;   /* one line, in the wording users know */
};

struct customs_verdict {
    enum customs_effect effect;
    struct customs_arena arena;
    struct customs_vec reasons; /* struct customs_reason, in the order the rules ran */
    struct customs_vec notes;   /* const char *: rules not applied, and why */
};

void customs_verdict_init(struct customs_verdict *v);
void customs_verdict_release(struct customs_verdict *v);

/**
 * Add a reason (strings copied into the verdict's arena) and raise the verdict's effect to it.
 * `subject` may be NULL. @return 0 or CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_verdict_add(struct customs_verdict *v, const char *rule, enum customs_effect effect,
                        const char *severity, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/** Add a note (copied). @return 0 or CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_verdict_note(struct customs_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline size_t customs_verdict_count(const struct customs_verdict *v)
{
    return v->reasons.len;
}

static inline const struct customs_reason *customs_verdict_at(const struct customs_verdict *v,
                                                              size_t i)
{
    return customs_vec_at(&v->reasons, i);
}

#endif /* CUSTOMS_MODEL_VERDICT_H */
