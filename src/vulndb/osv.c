/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OSV records (https://ossf.github.io/osv-schema/): id, aliases, summary, details, published,
 * modified, withdrawn, severity [{type, score}], database_specific.severity, and affected[]
 * with package {ecosystem, name}, ranges [{type, events}], versions, ecosystem_specific.
 * One `affected` row per interval of a SEMVER/ECOSYSTEM range (GIT ranges are skipped), plus
 * one row holding the explicit `versions` list when there is one.
 */
#include <stdio.h>
#include <string.h>

#include "formats/json.h"
#include "vulndb/import.h"

#include "core/banned.h"

struct osv_ctx {
    struct customs_vulndb_writer *w;
    const char *id;
    char eco[IMPORT_MAX_KEY];
    char pkg[IMPORT_MAX_KEY];
    const char *severity; /* ecosystem_specific / database_specific severity of the entry */
    struct customs_vulndb_counts *counts;
};

static int osv_row(struct osv_ctx *c, const char *type, const char *introduced,
                   const char *fixed, const char *last, const char *limit, const char *versions,
                   struct customs_error *err)
{
    struct customs_vulndb_range r = {0};
    r.vuln_id = c->id;
    r.ecosystem = c->eco;
    r.package = c->pkg;
    r.range_type = type;
    r.introduced = introduced;
    r.fixed = fixed;
    r.last_affected = last;
    r.limit = limit;
    r.versions = versions;
    r.status = fixed != NULL ? "fixed" : "unfixed";
    r.severity = c->severity;
    int rc = customs_vulndb_writer_affected(c->w, &r, err);
    if (rc == 0) {
        c->counts->affected++;
    }
    return rc;
}

/* events in order: each "introduced" opens an interval that the next fixed / last_affected /
 * limit closes; an interval still open at the end has no upper bound. */
static int osv_range(struct osv_ctx *c, json_t *range, size_t ri, struct customs_error *err)
{
    const char *type = customs_json_str(range, "type");
    json_t *events = json_object_get(range, "events");
    const char *intro = NULL;
    bool open = false;
    size_t i;
    json_t *ev;
    if (type == NULL || !json_is_array(events)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "range %zu: no type or events", ri);
    }
    if (strcmp(type, "GIT") == 0) {
        return 0;
    }
    if (strcmp(type, "SEMVER") != 0 && strcmp(type, "ECOSYSTEM") != 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "range %zu: unknown type '%s'", ri,
                                 type);
    }
    json_array_foreach(events, i, ev) {
        const char *v;
        int rc = 0;
        if (!json_is_object(ev) || json_object_size(ev) != 1) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "range %zu event %zu: not a one-key object", ri, i);
        }
        if ((v = customs_json_str(ev, "introduced")) != NULL) {
            if (open) {
                rc = osv_row(c, type, intro, NULL, NULL, NULL, NULL, err);
            }
            intro = v;
            open = true;
        } else if ((v = customs_json_str(ev, "fixed")) != NULL) {
            rc = osv_row(c, type, open ? intro : NULL, v, NULL, NULL, NULL, err);
            open = false;
        } else if ((v = customs_json_str(ev, "last_affected")) != NULL) {
            rc = osv_row(c, type, open ? intro : NULL, NULL, v, NULL, NULL, err);
            open = false;
        } else if ((v = customs_json_str(ev, "limit")) != NULL) {
            rc = osv_row(c, type, open ? intro : NULL, NULL, NULL, v, NULL, err);
            open = false;
        } else {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "range %zu event %zu: unknown event", ri, i);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return open ? osv_row(c, type, intro, NULL, NULL, NULL, NULL, err) : 0;
}

static const char *osv_entry_severity(json_t *entry)
{
    const char *s = customs_json_str(json_object_get(entry, "ecosystem_specific"), "severity");
    if (s == NULL) {
        s = customs_json_str(json_object_get(entry, "database_specific"), "severity");
    }
    return s;
}

static int osv_affected(struct osv_ctx *c, json_t *entry, size_t ai, struct customs_error *err)
{
    json_t *package = json_object_get(entry, "package");
    const char *eco = customs_json_str(package, "ecosystem");
    const char *name = customs_json_str(package, "name");
    json_t *ranges = json_object_get(entry, "ranges");
    json_t *versions = json_object_get(entry, "versions");
    size_t i;
    json_t *range;
    int rc;
    if (eco == NULL || name == NULL || eco[0] == '\0' || name[0] == '\0') {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "affected %zu: no package ecosystem or name", ai);
    }
    if ((ranges != NULL && !json_is_array(ranges)) ||
        (versions != NULL && !json_is_array(versions))) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "affected %zu: ranges or versions is not a list", ai);
    }
    if (customs_vulndb_ecosystem_key(c->eco, sizeof(c->eco), eco) != 0 ||
        customs_vulndb_package_key(c->pkg, sizeof(c->pkg), c->eco, name) != 0) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "affected %zu: name too long", ai);
    }
    c->severity = osv_entry_severity(entry);
    json_array_foreach(ranges, i, range) {
        if ((rc = osv_range(c, range, i, err)) != 0) {
            customs_error_prefix(err, "affected %zu", ai);
            return rc;
        }
    }
    if (json_array_size(versions) > 0) {
        json_t *v;
        json_array_foreach(versions, i, v) {
            if (!json_is_string(v)) {
                return customs_error_set(err, CUSTOMS_EMALFORMED,
                                         "affected %zu: version %zu is not a string", ai, i);
            }
        }
        char *text = json_dumps(versions, JSON_COMPACT);
        if (text == NULL) {
            return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
        }
        rc = osv_row(c, "VERSIONS", NULL, NULL, NULL, NULL, text, err);
        /* json_dumps allocates with jansson's allocator */
        json_free_t jfree;
        json_malloc_t jmalloc;
        json_get_alloc_funcs(&jmalloc, &jfree);
        jfree(text);
        return rc;
    }
    return 0;
}

/* The distribution's own rating where a record carries one: GHSA's database_specific.severity,
 * or a severity entry of type "Ubuntu" (USN records). */
static const char *osv_severity(json_t *doc)
{
    size_t i;
    json_t *s;
    const char *word = customs_json_str(json_object_get(doc, "database_specific"), "severity");
    if (word != NULL) {
        return import_severity_word(word);
    }
    json_array_foreach(json_object_get(doc, "severity"), i, s) {
        const char *type = customs_json_str(s, "type");
        if (type != NULL && strcmp(type, "Ubuntu") == 0) {
            return import_severity_word(customs_json_str(s, "score"));
        }
    }
    return NULL;
}

/* Advisories that bundle CVEs (Debian DSA/DLA, Ubuntu USN) name them in "related" or
 * "upstream" rather than "aliases"; those are linked as aliases too (docs/db.md). */
static int osv_bundle_aliases(struct customs_vulndb_writer *w, json_t *doc, const char *id,
                              struct customs_error *err)
{
    static const char *const prefixes[] = {"DSA-", "DLA-", "DTSA-", "USN-", NULL};
    static const char *const keys[] = {"related", "upstream"};
    bool bundle = false;
    for (size_t i = 0; prefixes[i] != NULL; i++) {
        bundle = bundle || customs_str_has_prefix(id, prefixes[i]);
    }
    if (!bundle) {
        return 0;
    }
    for (size_t k = 0; k < 2; k++) {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(doc, keys[k]), i, x) {
            int rc = json_is_string(x)
                         ? customs_vulndb_writer_alias(w, id, json_string_value(x), err)
                         : 0;
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* Every CVSS entry of the record's `severity` list, scored by customs (source "osv"). */
static int osv_cvss(struct customs_vulndb_writer *w, json_t *doc, const char *id,
                    const char *name, const struct customs_vulndb_import_options *opt,
                    struct customs_vulndb_counts *counts, struct customs_error *err)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "severity"), i, s) {
        const char *type = customs_json_str(s, "type");
        const char *score = customs_json_str(s, "score");
        enum customs_cvss_version expect = CUSTOMS_CVSS_UNKNOWN;
        if (type == NULL || score == NULL) {
            continue;
        }
        if (strcmp(type, "CVSS_V2") == 0) {
            expect = CUSTOMS_CVSS_V2;
        } else if (strcmp(type, "CVSS_V4") == 0) {
            expect = CUSTOMS_CVSS_V40;
        } else if (strcmp(type, "CVSS_V3") != 0) {
            continue; /* "Ubuntu" and future types: not a vector */
        }
        int rc = customs_vulndb_writer_cvss(w, id, "osv", NULL, score, expect, err);
        if (rc == 0 && expect == CUSTOMS_CVSS_UNKNOWN &&
            strncmp(score, "CVSS:3.", 7) != 0) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "CVSS_V3 entry \"%.100s\" is not v3",
                                   score);
        }
        if (rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_EUNSUPPORTED) {
            customs_error_prefix(err, "%s: severity %zu", id, i);
            import_bad_vector(opt, name, counts, err);
        } else if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int osv_record(struct customs_vulndb_writer *w, json_t *doc, const char *name,
                      const struct customs_vulndb_import_options *opt,
                      struct customs_vulndb_counts *counts, struct customs_error *err)
{
    struct osv_ctx c;
    const char *id = customs_json_str(doc, "id");
    json_t *aliases = json_object_get(doc, "aliases");
    json_t *affected = json_object_get(doc, "affected");
    size_t i;
    json_t *x;
    int rc;
    if (!json_is_object(doc) || id == NULL || id[0] == '\0' || strlen(id) >= IMPORT_MAX_KEY) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "not an OSV record (no id)");
    }
    if (customs_json_str(doc, "modified") == NULL) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: no modified date", id);
    }
    if ((aliases != NULL && !json_is_array(aliases)) ||
        (affected != NULL && !json_is_array(affected))) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: aliases or affected not a list",
                                 id);
    }
    struct customs_vulndb_vuln v = {0};
    v.id = id;
    v.title = customs_json_str(doc, "summary");
    v.summary = customs_json_str(doc, "details");
    v.severity = osv_severity(doc);
    v.published = customs_json_str(doc, "published");
    v.modified = customs_json_str(doc, "modified");
    v.withdrawn = customs_json_str(doc, "withdrawn");
    if ((rc = customs_vulndb_writer_vuln(w, &v, err)) != 0 ||
        (rc = osv_cvss(w, doc, id, name, opt, counts, err)) != 0) {
        return rc;
    }
    json_array_foreach(aliases, i, x) {
        if (!json_is_string(x)) {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: alias %zu not a string", id, i);
        }
        if ((rc = customs_vulndb_writer_alias(w, id, json_string_value(x), err)) != 0) {
            return rc;
        }
    }
    if ((rc = osv_bundle_aliases(w, doc, id, err)) != 0) {
        return rc;
    }
    memset(&c, 0, sizeof(c));
    c.w = w;
    c.id = id;
    c.counts = counts;
    json_array_foreach(affected, i, x) {
        if ((rc = osv_affected(&c, x, i, err)) != 0) {
            customs_error_prefix(err, "%s", id);
            return rc;
        }
    }
    counts->records++;
    if (v.withdrawn != NULL) {
        counts->withdrawn++;
    }
    return 0;
}

int customs_vulndb_import_osv(struct customs_vulndb_writer *w, const char *name,
                              const uint8_t *data, size_t len,
                              const struct customs_vulndb_import_options *opt,
                              struct customs_vulndb_counts *counts, struct customs_error *err)
{
    json_t *doc = NULL;
    counts->files++;
    int rc = customs_json_parse(&doc, name, data, len, IMPORT_MAX_RECORD_BYTES, err);
    if (rc == 0) {
        rc = osv_record(w, doc, name, opt, counts, err);
        if (rc != 0) {
            customs_error_prefix(err, "%s: record 1", name);
        }
    }
    json_decref(doc);
    return rc != 0 ? import_skip_or_fail(opt, counts, err) : 0;
}

int customs_vulndb_import_osv_lines(struct customs_vulndb_writer *w, const char *name,
                                    const uint8_t *data, size_t len,
                                    const struct customs_vulndb_import_options *opt,
                                    struct customs_vulndb_counts *counts,
                                    struct customs_error *err)
{
    size_t pos = 0;
    size_t line = 0;
    counts->files++;
    while (pos < len) {
        const uint8_t *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - data) : len;
        size_t start = pos;
        line++;
        pos = nl != NULL ? end + 1 : len;
        while (start < end && (data[start] == ' ' || data[start] == '\t' ||
                               data[start] == '\r')) {
            start++;
        }
        if (start == end) {
            continue;
        }
        json_error_t jerr;
        json_t *doc = end - start > IMPORT_MAX_RECORD_BYTES
                          ? NULL
                          : json_loadb((const char *)data + start, end - start,
                                       JSON_REJECT_DUPLICATES, &jerr);
        int rc;
        if (doc == NULL) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu:%d: not valid JSON: %s", name,
                                   line, end - start > IMPORT_MAX_RECORD_BYTES ? 0 : jerr.column,
                                   end - start > IMPORT_MAX_RECORD_BYTES ? "record too large"
                                                                         : customs_json_error_reason(&jerr));
        } else if ((rc = osv_record(w, doc, name, opt, counts, err)) != 0) {
            customs_error_prefix(err, "%s:%zu", name, line);
        }
        json_decref(doc);
        if (rc != 0 && (rc = import_skip_or_fail(opt, counts, err)) != 0) {
            return rc;
        }
    }
    return 0;
}
