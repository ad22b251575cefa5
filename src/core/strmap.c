/* SPDX-License-Identifier: Apache-2.0 */
/* A string-keyed hash map with open addressing (linear probing) and tombstones. */
#include "core/core.h"

#include <string.h>

#include "core/banned.h"

struct customs_strmap_slot {
    const char *key; /* NULL: empty; TOMBSTONE: deleted */
    void *value;
    uint64_t hash;
};

static const char tombstone_key[1];
#define TOMBSTONE (tombstone_key)

static uint64_t strmap_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

void customs_strmap_init(struct customs_strmap *m)
{
    memset(m, 0, sizeof(*m));
}

void customs_strmap_release(struct customs_strmap *m)
{
    customs_free(m->slots);
    memset(m, 0, sizeof(*m));
}

static struct customs_strmap_slot *strmap_find(const struct customs_strmap *m, const char *key,
                                               uint64_t h, bool for_insert)
{
    struct customs_strmap_slot *first_free = NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct customs_strmap_slot *s = &m->slots[i];
        if (s->key == NULL) {
            return for_insert ? (first_free ? first_free : s) : NULL;
        }
        if (s->key == TOMBSTONE) {
            if (first_free == NULL) {
                first_free = s;
            }
            continue;
        }
        if (s->hash == h && strcmp(s->key, key) == 0) {
            return s;
        }
    }
}

static int strmap_grow(struct customs_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    if (m->len * 4 < m->cap) {
        cap = m->cap; /* mostly tombstones: rehash in place */
    }
    struct customs_strmap_slot *old = m->slots;
    size_t oldcap = m->cap;
    struct customs_strmap_slot *slots = customs_calloc(cap, sizeof(*slots));
    if (slots == NULL) {
        return CUSTOMS_ENOMEM;
    }
    m->slots = slots;
    m->cap = cap;
    m->len = 0;
    m->used = 0;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key != NULL && old[i].key != TOMBSTONE) {
            struct customs_strmap_slot *s = strmap_find(m, old[i].key, old[i].hash, true);
            *s = old[i];
            m->len++;
            m->used++;
        }
    }
    customs_free(old);
    return 0;
}

int customs_strmap_put(struct customs_strmap *m, const char *key, void *value)
{
    if ((m->used + 1) * 4 >= m->cap * 3) {
        int err = strmap_grow(m);
        if (err < 0) {
            return err;
        }
    }
    uint64_t h = strmap_hash(key);
    struct customs_strmap_slot *s = strmap_find(m, key, h, true);
    if (s->key == NULL || s->key == TOMBSTONE) {
        if (s->key == NULL) {
            m->used++;
        }
        m->len++;
        s->key = key;
        s->hash = h;
    }
    s->value = value;
    return 0;
}

void *customs_strmap_get(const struct customs_strmap *m, const char *key)
{
    if (m->cap == 0) {
        return NULL;
    }
    struct customs_strmap_slot *s = strmap_find(m, key, strmap_hash(key), false);
    return s != NULL ? s->value : NULL;
}

bool customs_strmap_del(struct customs_strmap *m, const char *key)
{
    if (m->cap == 0) {
        return false;
    }
    struct customs_strmap_slot *s = strmap_find(m, key, strmap_hash(key), false);
    if (s == NULL) {
        return false;
    }
    s->key = TOMBSTONE;
    s->value = NULL;
    m->len--;
    return true;
}

bool customs_strmap_next(const struct customs_strmap *m, size_t *iter, const char **key,
                         void **value)
{
    while (*iter < m->cap) {
        struct customs_strmap_slot *s = &m->slots[(*iter)++];
        if (s->key != NULL && s->key != TOMBSTONE) {
            *key = s->key;
            *value = s->value;
            return true;
        }
    }
    return false;
}
