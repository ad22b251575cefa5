/* SPDX-License-Identifier: Apache-2.0 */
/* The images a layout or archive holds, each with the target that names it (--all-images, and
 * the list printed when a target of several images names none). */
#include <string.h>

#include "customs/scan.h"
#include "image/image.h"
#include "registry/registry.h"

#include "core/banned.h"

struct customs_image_list {
    struct customs_vec held; /* struct customs_held_image */
    char **targets;          /* per image: "KIND:PATH[:SELECTOR]" */
    char *source;            /* "KIND:PATH" */
    bool has_selector;
};

void customs_image_list_free(struct customs_image_list *l)
{
    if (l == NULL) {
        return;
    }
    for (size_t i = 0; l->targets != NULL && i < l->held.len; i++) {
        customs_free(l->targets[i]);
    }
    customs_free(l->targets);
    customs_free(l->source);
    customs_image_held_release(&l->held);
    customs_free(l);
}

static char *list_target(const char *kind, const char *path, const char *selector)
{
    struct customs_buf b;
    customs_buf_init(&b, 0);
    if (customs_buf_printf(&b, "%s:%s%s%s", kind, path, selector != NULL ? ":" : "",
                           selector != NULL ? selector : "") < 0) {
        customs_buf_release(&b);
        return NULL;
    }
    return customs_buf_detach(&b);
}

int customs_image_list_open(struct customs_image_list **out, const char *target,
                            const struct customs_limits *limits, struct customs_error *err)
{
    struct customs_limits defaults;
    enum customs_source_kind kind = CUSTOMS_SOURCE_DIR;
    char *path = NULL;
    int r = 0;
    *out = NULL;
    if (target == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL, "no target");
    }
    if (limits == NULL) {
        customs_limits_default(&defaults);
        limits = &defaults;
    }
    if (customs_registry_is_reference(target)) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: an image in a registry is one image", target);
    }
    struct customs_image_list *l = customs_calloc(1, sizeof(*l));
    if (l == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    customs_vec_init(&l->held, sizeof(struct customs_held_image));
    r = customs_image_list(&l->held, &kind, &path, &l->has_selector, target, limits, err);
    if (r == 0) {
        l->source = list_target(customs_source_kind_name(kind), path, NULL);
        l->targets = customs_calloc(l->held.len ? l->held.len : 1, sizeof(char *));
        r = l->source == NULL || l->targets == NULL ? CUSTOMS_ENOMEM : 0;
    }
    for (size_t i = 0; r == 0 && i < l->held.len; i++) {
        const struct customs_held_image *h = customs_vec_at(&l->held, i);
        l->targets[i] = list_target(customs_source_kind_name(kind), path, h->selector);
        r = l->targets[i] == NULL ? CUSTOMS_ENOMEM : 0;
    }
    if (r == CUSTOMS_ENOMEM) {
        customs_error_set(err, r, "out of memory");
    }
    customs_free(path);
    if (r < 0) {
        customs_image_list_free(l);
        return r;
    }
    *out = l;
    return 0;
}

size_t customs_image_list_count(const struct customs_image_list *l)
{
    return l->held.len;
}

bool customs_image_list_has_selector(const struct customs_image_list *l)
{
    return l->has_selector;
}

const char *customs_image_list_source(const struct customs_image_list *l)
{
    return l->source;
}

int customs_image_list_get(const struct customs_image_list *l, size_t i,
                           struct customs_image_info *out)
{
    memset(out, 0, sizeof(*out));
    if (i >= l->held.len) {
        return CUSTOMS_EINVAL;
    }
    const struct customs_held_image *h = customs_vec_at(&l->held, i);
    out->target = l->targets[i];
    out->names = h->names;
    out->digest = h->digest[0] != '\0' ? h->digest : NULL;
    return 0;
}
