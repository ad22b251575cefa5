/* SPDX-License-Identifier: Apache-2.0 */
/* The YAML loader on arbitrary bytes: load, then look up the position of every node. */
#include <stddef.h>
#include <stdint.h>

#include "formats/yaml.h"

static void walk(const struct customs_yaml_stream *s, size_t doc, json_t *node,
                 struct customs_buf *path, unsigned depth)
{
    int line, col;
    size_t keep = path->len;
    customs_yaml_stream_position(s, doc, customs_buf_cstr(path), &line, &col);
    if (depth > 300) {
        return;
    }
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v) {
            if (customs_yaml_path_key(path, k) == 0) {
                walk(s, doc, v, path, depth + 1);
            }
            path->len = keep;
            if (path->ptr != NULL) {
                path->ptr[keep] = '\0';
            }
        }
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node) && i < 1000; i++) {
            if (customs_yaml_path_index(path, i) == 0) {
                walk(s, doc, json_array_get(node, i), path, depth + 1);
            }
            path->len = keep;
            if (path->ptr != NULL) {
                path->ptr[keep] = '\0';
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_yaml_stream *s = NULL;
    struct customs_error err = {0};
    struct customs_yaml_limits lim;
    customs_yaml_limits_default(&lim);
    lim.max_nodes = 100000; /* keep each run fast; the cap itself is what is under test */
    if (customs_yaml_load(&s, "fuzz", data, size, &lim, &err) != 0) {
        return 0;
    }
    struct customs_buf path;
    customs_buf_init(&path, 4096);
    for (size_t i = 0; i < customs_yaml_stream_count(s) && i < 100; i++) {
        customs_buf_reset(&path);
        walk(s, i, customs_yaml_stream_doc(s, i), &path, 0);
    }
    customs_buf_release(&path);
    customs_yaml_stream_free(s);
    return 0;
}
