/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SCAN_LAYERCACHE_H
#define CUSTOMS_SCAN_LAYERCACHE_H

/*
 * The layer cache: what reading one layer produced (its collector: entries, captured files,
 * problems, secret and malware hits, statistics) kept as one sealed file (core.h) per layer in
 * a private directory, under a key that binds it to the layer's content (diff_id, blob digest
 * and size), to the code that read it, to the rules, and to every option that changes one
 * layer's results. A hit fills the collector without opening the blob; everything after it
 * (the filesystem view, inventory, attribution, matching, reports) runs unchanged. Entries
 * are untrusted: a damaged, oversized or inconsistent one is ignored and the layer is read.
 * The codec goes through the collector's vectors only, so a change in how entries are held
 * changes encode/decode and nothing else.
 */

#include "scan/collect.h"

struct customs_layercache;

/** The names of the cache's entries start with this ("layer-<key>"): what pruning keeps to. */
#define CUSTOMS_LAYERCACHE_PREFIX "layer-"

/** What decides a layer's results besides its bytes. */
struct customs_layercache_config {
    const char *dir;                               /* the private directory (created 0700) */
    const struct customs_limits *limits;
    bool show_secrets;
    const struct customs_secret_engine *secrets;   /* NULL: secrets are not scanned */
    const struct customs_malware_engine *malware;  /* NULL: malware is not scanned */
    const struct customs_skip *skip;               /* paths not analyzed, or NULL */
};

/**
 * Open the cache in cfg->dir (NULL: a cache that only encodes and decodes, for tests).
 * @return 0, CUSTOMS_EUNSUPPORTED (the directory cannot be made, is a symlink, someone else's
 *         or not private; `err` says which), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_layercache_open(struct customs_layercache **out,
                                             const struct customs_layercache_config *cfg,
                                             struct customs_error *err);
void customs_layercache_free(struct customs_layercache *lc);

/** The key of layer `l` (false: the layer has no diff_id, it is never cached). */
CUSTOMS_MUST_USE
bool customs_layercache_key(char key[CUSTOMS_SEALED_KEY_LEN], const struct customs_layercache *lc,
                            const struct customs_image_layer *l);

/**
 * Fill `c` (initialised, empty) with the entry stored under `key` for layer `l`.
 * @return 0 (a hit), CUSTOMS_ENOTFOUND (no entry: `c` untouched), CUSTOMS_ENOMEM, or
 *         CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT, CUSTOMS_EUNSUPPORTED, CUSTOMS_EIO: an entry that
 *         cannot be used (`warn` says why; `c` is empty again)
 */
CUSTOMS_MUST_USE
int customs_layercache_load(struct customs_collector *c, const struct customs_layercache *lc,
                            const char *key, const struct customs_image_layer *l,
                            struct customs_error *warn);

/** Store what reading a layer put in `c` under `key` (best effort: a failure only costs the
 * next scan a read). Found secrets' values (show_secrets) are never written: such a layer is
 * not stored. @return 0, CUSTOMS_ELIMIT (too large to keep), CUSTOMS_EIO, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_layercache_store(const struct customs_layercache *lc, const char *key,
                                              const struct customs_collector *c);

/** A secret the image config's own scan found (Env, Labels, history), as the cache keeps it:
 * the config's findings depend only on its bytes and the rules, so a warm scan that reads no
 * layer needs no secret scanner at all (the Vectorscan databases are then never loaded). */
struct customs_layercache_config_secret {
    const struct customs_secret_rule *rule;
    bool weak;
    const char *location; /* "env", "label" or "history" */
    const char *path;
    int layer;            /* -1: none */
    const char *redacted;
};

/** The key of the image config whose digest is `config_digest` (false: not a digest). */
CUSTOMS_MUST_USE
bool customs_layercache_config_key(char key[CUSTOMS_SEALED_KEY_LEN],
                                   const struct customs_layercache *lc, const char *config_digest);
/**
 * Fill `out` (an empty vector of struct customs_layercache_config_secret; strings in `arena`)
 * with the config's secrets stored under `key`. @return as customs_layercache_load (`out` is
 * empty again unless 0)
 */
CUSTOMS_MUST_USE
int customs_layercache_config_load(struct customs_vec *out, struct customs_arena *arena,
                                   const struct customs_layercache *lc, const char *key,
                                   struct customs_error *warn);
/** Store the config's secrets `hits` under `key` (best effort; nothing with --show-secrets).
 * @return 0, CUSTOMS_ELIMIT, CUSTOMS_EIO, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE
int customs_layercache_config_store(const struct customs_layercache *lc, const char *key,
                                    const struct customs_vec *hits);

/** The config entries' payload codec, for the fuzz target and tests: as the layers' below. */
CUSTOMS_MUST_USE
int customs_layercache_config_encode(struct customs_buf *out, const struct customs_vec *hits);
CUSTOMS_MUST_USE
int customs_layercache_config_decode(struct customs_vec *out, struct customs_arena *arena,
                                     const struct customs_layercache *lc, const void *payload,
                                     size_t len, struct customs_error *err);

/** The payload codec, for the fuzz target and tests. encode: 0, CUSTOMS_ELIMIT, CUSTOMS_ENOMEM;
 * decode: 0, CUSTOMS_EMALFORMED (err says where), CUSTOMS_ENOMEM (`c` must be emptied by the
 * caller on failure). */
CUSTOMS_MUST_USE
int customs_layercache_encode(struct customs_buf *out, const struct customs_collector *c);
CUSTOMS_MUST_USE
int customs_layercache_decode(struct customs_collector *c, const struct customs_layercache *lc,
                              const void *payload, size_t len, struct customs_error *err);

#endif /* CUSTOMS_SCAN_LAYERCACHE_H */
