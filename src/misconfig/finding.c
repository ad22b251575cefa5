/* SPDX-License-Identifier: Apache-2.0 */
/* Adding a finding to a set: shared by the Kubernetes, Dockerfile and Compose checks. */
#include "misconfig/internal.h"

#include "core/banned.h"

static char *printable_dup(struct customs_arena *a, const char *s)
{
    char *d = customs_arena_strdup(a, s);
    for (char *p = d; p != NULL && *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x7f) {
            *p = '?';
        }
    }
    return d;
}

int customs_misconfig_add(struct customs_misconfig_set *set,
                          const struct customs_check_info *check, const char *source,
                          const char *object, const char *file, const char *path, int line,
                          int column, const char *message, struct customs_error *err)
{
    size_t max = set->max ? set->max : CUSTOMS_MISCONFIG_MAX_DEFAULT;
    if (set->items.len >= max) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: more than %zu findings",
                                 file != NULL ? file : "-", max);
    }
    struct customs_arena *a = &set->arena;
    struct customs_misconfig *m = customs_vec_push(&set->items);
    if (m == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    m->check = check->id;
    m->source = source;
    m->level = check->level;
    m->severity = check->severity;
    m->title = check->title;
    m->fix = check->fix;
    m->reference = check->reference;
    m->message = printable_dup(a, message);
    m->object = object != NULL ? printable_dup(a, object) : NULL;
    m->file = file != NULL ? customs_arena_strdup(a, file) : NULL;
    m->path = customs_arena_strdup(a, path != NULL ? path : "");
    m->line = line;
    m->column = column;
    if (m->message == NULL || m->path == NULL || (object != NULL && m->object == NULL) ||
        (file != NULL && m->file == NULL)) {
        set->items.len--;
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    return 0;
}
