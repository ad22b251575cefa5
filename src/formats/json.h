/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_FORMATS_JSON_H
#define CUSTOMS_FORMATS_JSON_H

/*
 * JSON documents from untrusted bytes, through jansson: a size cap, duplicate keys rejected,
 * and errors that name the document and the line and column. Small typed getters keep the
 * readers of manifests and configs short and strict.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/**
 * Parse `len` bytes of `data` (need not be NUL-terminated) named `name` in messages.
 * @return 0 (caller owns *out, json_decref), CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT (over max_bytes)
 */
int customs_json_parse(json_t **out, const char *name, const void *data, size_t len,
                       uint64_t max_bytes, struct customs_error *err);

/** The same, keeping the last of duplicate keys, as JavaScript's JSON.parse does: for npm's
 * files, where real published package.json files repeat keys. */
int customs_json_parse_lenient(json_t **out, const char *name, const void *data, size_t len,
                               uint64_t max_bytes, struct customs_error *err);

/** What kind of error jansson reported, in words that never quote the input (jansson's own
 * text does: "near '...'", the duplicate key). Report it with the line and column. */
const char *customs_json_error_reason(const json_error_t *e);

/** obj[key] as a string, or NULL if absent or not a string. */
const char *customs_json_str(const json_t *obj, const char *key);
/** obj[key] as a non-negative integer into *out; false if absent, negative or not an integer. */
bool customs_json_u64(const json_t *obj, const char *key, uint64_t *out);

#endif /* CUSTOMS_FORMATS_JSON_H */
