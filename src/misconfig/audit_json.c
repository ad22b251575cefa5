/* SPDX-License-Identifier: Apache-2.0 */
/* Misconfiguration findings as the customs.audit/v1 JSON document (SARIF: src/report/sarif.c). */
#include <stdio.h>
#include <string.h>

#include "misconfig/misconfig.h"

#include "core/banned.h"

/* Put a string, or nothing when it is NULL; false on OOM. */
static bool put_str(json_t *o, const char *key, const char *v)
{
    return v == NULL || json_object_set_new(o, key, json_string(v)) == 0;
}

json_t *customs_misconfig_to_json(const struct customs_misconfig_set *set,
                                  const struct customs_pss_options *opt)
{
    char version[16];
    json_t *doc = json_object();
    json_t *arr = json_array();
    bool ok = doc != NULL && arr != NULL;
    snprintf(version, sizeof(version), "v1.%d", opt->minor);
    ok = ok && put_str(doc, "schema", "customs.audit/v1");
    ok = ok && put_str(doc, "level", customs_pss_level_name(opt->level));
    ok = ok && put_str(doc, "version", version);
    for (size_t i = 0; ok && i < customs_misconfig_set_count(set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(set, i);
        json_t *f = json_object();
        ok = f != NULL && json_array_append_new(arr, f) == 0;
        ok = ok && put_str(f, "check", m->check) && put_str(f, "source", m->source) &&
             put_str(f, "level", m->level) &&
             put_str(f, "severity", customs_severity_name(m->severity)) &&
             put_str(f, "title", m->title) && put_str(f, "message", m->message) &&
             put_str(f, "fix", m->fix) && put_str(f, "object", m->object) &&
             put_str(f, "file", m->file) && put_str(f, "path", m->path) &&
             json_object_set_new(f, "line", json_integer(m->line)) == 0 &&
             json_object_set_new(f, "column", json_integer(m->column)) == 0 &&
             put_str(f, "reference", m->reference);
    }
    ok = ok && json_object_set(doc, "findings", arr) == 0;
    json_decref(arr);
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
