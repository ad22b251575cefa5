/* SPDX-License-Identifier: Apache-2.0 */
/* Verdicts: constructors and lifetimes (the deciding is src/policy's). */
#include "model/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define VERDICT_MESSAGE_MAX 2048

const char *customs_effect_name(enum customs_effect e)
{
    switch (e) {
    case CUSTOMS_EFFECT_ALLOW:
        return "allow";
    case CUSTOMS_EFFECT_WARN:
        return "warn";
    case CUSTOMS_EFFECT_DENY:
        return "deny";
    }
    return "deny";
}

int customs_effect_parse(enum customs_effect *out, const char *s)
{
    static const enum customs_effect all[] = {CUSTOMS_EFFECT_ALLOW, CUSTOMS_EFFECT_WARN,
                                              CUSTOMS_EFFECT_DENY};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(s, customs_effect_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return CUSTOMS_EINVAL;
}

void customs_verdict_init(struct customs_verdict *v)
{
    memset(v, 0, sizeof(*v));
    customs_arena_init(&v->arena);
    customs_vec_init(&v->reasons, sizeof(struct customs_reason));
    customs_vec_init(&v->notes, sizeof(const char *));
}

void customs_verdict_release(struct customs_verdict *v)
{
    customs_vec_release(&v->reasons);
    customs_vec_release(&v->notes);
    customs_arena_release(&v->arena);
}

int customs_verdict_add(struct customs_verdict *v, const char *rule, enum customs_effect effect,
                        const char *severity, const char *subject, const char *fmt, ...)
{
    char msg[VERDICT_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct customs_reason r = {
        .rule = customs_arena_strdup(&v->arena, rule),
        .effect = effect,
        .severity = customs_arena_strdup(&v->arena, severity != NULL ? severity : "UNKNOWN"),
        .subject = subject != NULL ? customs_arena_strdup(&v->arena, subject) : NULL,
        .message = customs_arena_strdup(&v->arena, msg),
    };
    struct customs_reason *slot = customs_vec_push(&v->reasons);
    if (slot == NULL || r.rule == NULL || r.severity == NULL || r.message == NULL ||
        (subject != NULL && r.subject == NULL)) {
        return CUSTOMS_ENOMEM;
    }
    *slot = r;
    if (effect > v->effect) {
        v->effect = effect;
    }
    return 0;
}

int customs_verdict_note(struct customs_verdict *v, const char *fmt, ...)
{
    char msg[VERDICT_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char **slot = customs_vec_push(&v->notes);
    if (slot == NULL || (*slot = customs_arena_strdup(&v->arena, msg)) == NULL) {
        return CUSTOMS_ENOMEM;
    }
    return 0;
}
