/* SPDX-License-Identifier: Apache-2.0 */
/* JSON documents from untrusted bytes, with positions in every error. */
#include "formats/json.h"

#include "core/banned.h"

const char *customs_json_error_reason(const json_error_t *e)
{
    /* jansson's own text quotes the input ("near '...'", the duplicate key): a secret of the
     * file would reach the message. Only the kind of error is said; the position says where. */
    switch (json_error_code(e)) {
    case json_error_out_of_memory: return "out of memory";
    case json_error_stack_overflow: return "nested too deeply";
    case json_error_premature_end_of_input: return "unexpected end of input";
    case json_error_end_of_input_expected: return "text after the end of the document";
    case json_error_invalid_utf8: return "invalid UTF-8";
    case json_error_invalid_syntax: return "invalid syntax";
    case json_error_invalid_format: return "invalid format";
    case json_error_null_character: return "NUL character";
    case json_error_null_byte_in_key: return "NUL byte in a key";
    case json_error_duplicate_key: return "duplicate key";
    case json_error_numeric_overflow: return "number out of range";
    default: return "not valid JSON";
    }
}

static int parse(json_t **out, const char *name, const void *data, size_t len,
                 uint64_t max_bytes, size_t flags, struct customs_error *err)
{
    json_error_t jerr;
    *out = NULL;
    if (max_bytes != 0 && len > max_bytes) {
        return customs_error_set(err, CUSTOMS_ELIMIT,
                                 "%s: %zu bytes is over the %llu-byte limit for a JSON document",
                                 name, len, (unsigned long long)max_bytes);
    }
    json_t *doc = json_loadb(data, len, flags, &jerr);
    if (doc == NULL) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%d:%d: not valid JSON: %s", name,
                                 jerr.line, jerr.column, customs_json_error_reason(&jerr));
    }
    *out = doc;
    return 0;
}

int customs_json_parse(json_t **out, const char *name, const void *data, size_t len,
                       uint64_t max_bytes, struct customs_error *err)
{
    return parse(out, name, data, len, max_bytes, JSON_REJECT_DUPLICATES, err);
}

int customs_json_parse_lenient(json_t **out, const char *name, const void *data, size_t len,
                               uint64_t max_bytes, struct customs_error *err)
{
    return parse(out, name, data, len, max_bytes, 0, err);
}

const char *customs_json_str(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

bool customs_json_u64(const json_t *obj, const char *key, uint64_t *out)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        return false;
    }
    *out = (uint64_t)json_integer_value(v);
    return true;
}
