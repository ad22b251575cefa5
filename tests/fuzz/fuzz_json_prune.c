/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pruning JSON reader (customs_json_parse_pruned) against jansson on arbitrary bytes: it
 * must accept exactly what jansson accepts with duplicate keys rejected, build the same tree
 * when told to keep everything, and, with a rule that drops and selects members at several
 * levels (recursively), build what a reference pruner leaves of jansson's tree. Any difference
 * aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"

/* "s" dropped, "o" selected (only "k", and "a" again selected), "r" the same rule again. */
static const struct customs_json_prune only_rule;
static const struct customs_json_prune_member only_members[] = {
    {"k", &customs_json_prune_keep}, {"a", &only_rule}, {NULL, NULL}};
static const struct customs_json_prune only_rule = {true, only_members};
static const struct customs_json_prune drop_rule;
static const struct customs_json_prune_member drop_members[] = {
    {"s", NULL}, {"o", &only_rule}, {"r", &drop_rule}, {"", NULL}, {NULL, NULL}};
static const struct customs_json_prune drop_rule = {false, drop_members};

/* What the rule keeps of a jansson tree (NULL rule: everything). */
static json_t *reference(json_t *v, const struct customs_json_prune *rule)
{
    if (rule == NULL || rule == &customs_json_prune_keep || json_is_null(v) ||
        json_is_boolean(v) || json_is_number(v) || json_is_string(v)) {
        return json_deep_copy(v);
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_array_append_new(out, reference(json_array_get(v, i), rule));
        }
        return out;
    }
    json_t *out = json_object();
    const char *k;
    size_t kn;
    json_t *x;
    json_object_keylen_foreach(v, k, kn, x) {
        const struct customs_json_prune_member *m = rule->members;
        while (m->key != NULL && (strlen(m->key) != kn || memcmp(m->key, k, kn) != 0)) {
            m++;
        }
        if (m->key != NULL) {
            if (m->prune != NULL) {
                json_object_setn_new(out, k, kn, reference(x, m->prune));
            }
        } else if (!rule->only_listed) {
            json_object_setn_new(out, k, kn, json_deep_copy(x));
        }
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *full = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    json_t *all = NULL;
    json_t *pruned = NULL;
    int ra = customs_json_parse_pruned(&all, data, size, &customs_json_prune_keep);
    int rp = customs_json_parse_pruned(&pruned, data, size, &drop_rule);
    if (ra == CUSTOMS_ENOMEM || rp == CUSTOMS_ENOMEM) {
        abort();
    }
    if ((full != NULL) != (ra == 0) || (full != NULL) != (rp == 0)) {
        abort(); /* accepted by one, refused by the other */
    }
    if (full != NULL) {
        json_t *want = reference(full, &drop_rule);
        if (!json_equal(full, all) || !json_equal(want, pruned)) {
            abort();
        }
        json_decref(want);
    }
    json_decref(pruned);
    json_decref(all);
    json_decref(full);
    return 0;
}
