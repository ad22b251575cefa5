/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_FORMATS_YAML_H
#define CUSTOMS_FORMATS_YAML_H

/*
 * YAML streams from untrusted bytes, through libyaml's event parser, into jansson values the
 * way Kubernetes reads manifests (YAML 1.1 scalars: quoted -> string; plain: null/~, booleans
 * including yes/no/on/off, integers in decimal/0x/0o/0b/leading-0 octal, floats, else string).
 *
 * Every node keeps its line and column in a side table keyed by its field path within its
 * document ("spec.containers[0].securityContext.privileged", keys that are not plain words as
 * "metadata.annotations['a.b/c']"), so a finding can name FILE:LINE:COL.
 *
 * Hostile input is bounded: a byte cap, a nesting depth cap, and a cap on the number of nodes
 * after alias expansion (a "billion laughs" document trips it at once: an alias counts the size
 * of the subtree it names, but shares it instead of copying it). Errors read
 * "NAME:LINE:COL: what".
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct customs_yaml_limits {
    uint64_t max_bytes;       /* input size; default 64 MiB */
    uint64_t max_nodes;       /* nodes per stream after alias expansion; default 1,000,000 */
    unsigned max_depth;       /* nesting of collections; default 256 */
    uint64_t max_index_bytes; /* bytes of the position table; default 64 MiB */
};

void customs_yaml_limits_default(struct customs_yaml_limits *l);

struct customs_yaml_stream;

/**
 * Load every document of a YAML stream of `len` bytes (need not be NUL-terminated), named
 * `name` in messages. `limits` NULL means the defaults.
 * @return 0 (*out owned by the caller: customs_yaml_stream_free), CUSTOMS_EMALFORMED (not YAML,
 *         duplicate key, undefined alias, non-scalar key), CUSTOMS_ELIMIT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_yaml_load(struct customs_yaml_stream **out, const char *name,
                                       const void *data, size_t len,
                                       const struct customs_yaml_limits *limits,
                                       struct customs_error *err);

void customs_yaml_stream_free(struct customs_yaml_stream *s);

/** Number of documents (an empty stream has none; an empty document is a JSON null). */
size_t customs_yaml_stream_count(const struct customs_yaml_stream *s);

/** Document `i`'s root, borrowed until the stream is freed. */
json_t *customs_yaml_stream_doc(const struct customs_yaml_stream *s, size_t i);

/**
 * Line and column (1-based) of the node at `path` in document `i`, or of its nearest ancestor
 * that has one (a field that is absent points at its parent). False if nothing matches.
 */
bool customs_yaml_stream_position(const struct customs_yaml_stream *s, size_t i,
                                  const char *path, int *line, int *column);

/** Append the key segment for `key` to a field path: ".key", "key" at the start, or "['k.y']". */
CUSTOMS_MUST_USE int customs_yaml_path_key(struct customs_buf *path, const char *key);
/** Append "[i]". */
CUSTOMS_MUST_USE int customs_yaml_path_index(struct customs_buf *path, size_t i);

#endif /* CUSTOMS_FORMATS_YAML_H */
