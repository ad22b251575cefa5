/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Debian security tracker JSON (https://security-tracker.debian.org/tracker/data/json):
 *   {source_package: {CVE: {description, scope, releases: {codename: {status, fixed_version,
 *    urgency, nodsa, nodsa_reason, repositories}}}}}
 * The whole file is big (hundreds of MB unpacked), so the top-level object is split here by a
 * small bounds-checked scanner and each package's value is parsed on its own: memory stays at
 * one package's tree, and errors carry the line in the whole file.
 */
#include <stdio.h>
#include <string.h>

#include "formats/json.h"
#include "vulndb/import.h"

#include "core/banned.h"

#define DEBIAN_MAX_DEPTH 64

struct scan {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

static void scan_ws(struct scan *s)
{
    while (s->pos < s->len && (s->p[s->pos] == ' ' || s->p[s->pos] == '\t' ||
                               s->p[s->pos] == '\n' || s->p[s->pos] == '\r')) {
        s->pos++;
    }
}

/* Skip a JSON string starting at the opening quote; false if unterminated. */
static bool scan_string(struct scan *s)
{
    s->pos++;
    while (s->pos < s->len) {
        uint8_t c = s->p[s->pos++];
        if (c == '\\') {
            s->pos++;
        } else if (c == '"') {
            return s->pos <= s->len;
        }
    }
    return false;
}

/* Skip one JSON value by nesting (syntax inside is left to jansson); false if it runs off
 * the end or nests deeper than DEBIAN_MAX_DEPTH. */
static bool scan_value(struct scan *s)
{
    int depth = 0;
    while (s->pos < s->len) {
        uint8_t c = s->p[s->pos];
        if (c == '"') {
            if (!scan_string(s)) {
                return false;
            }
            if (depth == 0) {
                return true;
            }
            continue;
        }
        if (c == '{' || c == '[') {
            if (++depth > DEBIAN_MAX_DEPTH) {
                return false;
            }
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                return true; /* end of the enclosing object: an empty value, let jansson say */
            }
            depth--;
            if (depth == 0) {
                s->pos++;
                return true;
            }
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
            return true; /* end of a scalar */
        }
        s->pos++;
    }
    return depth == 0;
}

static const char *urgency_clean(char *out, size_t outsz, const char *u)
{
    if (u == NULL) {
        return NULL;
    }
    snprintf(out, outsz, "%s", u);
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '*' || out[n - 1] == ' ')) {
        out[--n] = '\0';
    }
    return n > 0 ? out : NULL;
}

static int debian_release(struct customs_vulndb_writer *w, const char *pkg, const char *cve,
                          const char *codename, const json_t *rel,
                          struct customs_vulndb_counts *counts, struct customs_error *err)
{
    char eco[IMPORT_MAX_KEY];
    char urg[64];
    char note[256];
    const char *status_in = customs_json_str(rel, "status");
    const char *fixed = customs_json_str(rel, "fixed_version");
    const char *urgency = urgency_clean(urg, sizeof(urg), customs_json_str(rel, "urgency"));
    const char *nodsa = customs_json_str(rel, "nodsa");
    const char *reason = customs_json_str(rel, "nodsa_reason");
    struct customs_vulndb_range r = {0};
    if (!json_is_object(rel) || status_in == NULL) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s %s: release '%s' has no status", pkg, cve, codename);
    }
    if (snprintf(eco, sizeof(eco), "debian:%s", codename) >= (int)sizeof(eco)) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s %s: release name too long", pkg, cve);
    }
    r.vuln_id = cve;
    r.ecosystem = eco;
    r.package = pkg;
    r.range_type = "DISTRO";
    r.severity = urgency;
    note[0] = '\0';
    if (strcmp(status_in, "resolved") == 0 && fixed != NULL && strcmp(fixed, "0") == 0) {
        r.status = "not_affected";
    } else if (strcmp(status_in, "resolved") == 0 && fixed != NULL) {
        r.status = "fixed";
        r.fixed = fixed;
    } else if (strcmp(status_in, "resolved") == 0) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s %s: release '%s' is resolved without a fixed_version", pkg,
                                 cve, codename);
    } else if (strcmp(status_in, "open") == 0 || strcmp(status_in, "undetermined") == 0) {
        if (reason != NULL && strcmp(reason, "ignored") == 0) {
            r.status = "will_not_fix";
        } else if (urgency != NULL && strcmp(urgency, "end-of-life") == 0) {
            r.status = "end_of_life";
        } else {
            r.status = "unfixed";
        }
        if (fixed != NULL && strcmp(fixed, "0") != 0) {
            r.fixed = fixed; /* fixed in a later version the release does not have yet */
        }
        /* note: "undetermined", the no-DSA reason and the no-DSA text, joined by "; " */
        const char *parts[] = {strcmp(status_in, "undetermined") == 0 ? "undetermined" : NULL,
                               reason, nodsa};
        size_t used = 0;
        for (size_t i = 0; i < 3; i++) {
            if (parts[i] != NULL && parts[i][0] != '\0' && used < sizeof(note)) {
                int n = snprintf(note + used, sizeof(note) - used, "%s%s", used ? "; " : "",
                                 parts[i]);
                used = n < 0 ? sizeof(note) : used + (size_t)n;
            }
        }
    } else {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s %s: release '%s' has status '%s'",
                                 pkg, cve, codename, status_in);
    }
    r.note = note[0] != '\0' ? note : NULL;
    int rc = customs_vulndb_writer_affected(w, &r, err);
    if (rc == 0) {
        counts->affected++;
    }
    return rc;
}

/* One package: {CVE: {description, scope, releases}} */
static int debian_package(struct customs_vulndb_writer *w, const char *pkg, json_t *cves,
                          struct customs_vulndb_counts *counts, struct customs_error *err)
{
    const char *cve;
    json_t *entry;
    if (!json_is_object(cves)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "package %s is not an object", pkg);
    }
    json_object_foreach(cves, cve, entry) {
        json_t *releases = json_object_get(entry, "releases");
        const char *codename;
        json_t *rel;
        if (!json_is_object(entry) || (releases != NULL && !json_is_object(releases))) {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s %s: not an object", pkg, cve);
        }
        struct customs_vulndb_vuln v = {0};
        v.id = cve;
        v.summary = customs_json_str(entry, "description");
        int rc = customs_vulndb_writer_vuln(w, &v, err);
        json_object_foreach(releases, codename, rel) {
            if (rc == 0) {
                rc = debian_release(w, pkg, cve, codename, rel, counts, err);
            }
        }
        if (rc != 0) {
            return rc;
        }
        counts->records++;
    }
    return 0;
}

int customs_vulndb_import_debian(struct customs_vulndb_writer *w, const char *name,
                                 const uint8_t *data, size_t len,
                                 const struct customs_vulndb_import_options *opt,
                                 struct customs_vulndb_counts *counts, struct customs_error *err)
{
    struct scan s = {data, len, 0};
    size_t line = 1;
    size_t line_pos = 0; /* line counted up to here */
    counts->files++;
    scan_ws(&s);
    if (s.pos >= len || data[s.pos] != '{') {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s:%zu: not Debian tracker JSON (expected '{')", name,
                                 import_line_of(data, len, s.pos));
    }
    s.pos++;
    for (bool first = true;; first = false) {
        scan_ws(&s);
        if (s.pos < len && data[s.pos] == '}') {
            s.pos++;
            scan_ws(&s);
            if (s.pos != len) {
                return customs_error_set(err, CUSTOMS_EMALFORMED,
                                         "%s:%zu: data after the end of the document", name,
                                         import_line_of(data, len, s.pos));
            }
            return 0;
        }
        if (!first) {
            if (s.pos >= len || data[s.pos] != ',') {
                return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: expected ',' or '}'",
                                         name, import_line_of(data, len, s.pos));
            }
            s.pos++;
            scan_ws(&s);
        }
        size_t key_start = s.pos;
        if (s.pos >= len || data[s.pos] != '"' || !scan_string(&s)) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s:%zu: expected a package name in quotes", name,
                                     import_line_of(data, len, key_start));
        }
        size_t key_end = s.pos;
        scan_ws(&s);
        if (s.pos >= len || data[s.pos] != ':') {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: expected ':'", name,
                                     import_line_of(data, len, s.pos));
        }
        s.pos++;
        scan_ws(&s);
        size_t val_start = s.pos;
        if (!scan_value(&s)) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s:%zu: truncated or too deeply nested package entry", name,
                                     import_line_of(data, len, val_start));
        }
        /* the line of this package, counted incrementally */
        for (; line_pos < key_start; line_pos++) {
            line += data[line_pos] == '\n';
        }
        json_error_t jerr;
        json_t *key = json_loadb((const char *)data + key_start, key_end - key_start,
                                 JSON_DECODE_ANY, &jerr);
        json_t *val = key == NULL ? NULL
                                  : json_loadb((const char *)data + val_start,
                                               s.pos - val_start,
                                               JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
        int rc;
        if (key == NULL || val == NULL || !json_is_string(key)) {
            size_t vline = line;
            for (size_t i = key_start; i < val_start && i < len; i++) {
                vline += data[i] == '\n';
            }
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: not valid JSON: %s", name,
                                   (key == NULL ? line : vline) + (size_t)(jerr.line > 0 ?
                                                                           jerr.line - 1 : 0),
                                   key != NULL && !json_is_string(key) ? "bad key"
                                                                   : customs_json_error_reason(&jerr));
        } else if (json_string_length(key) == 0 || strlen(json_string_value(key)) !=
                                                       json_string_length(key)) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s:%zu: bad package name", name,
                                   line);
        } else {
            rc = debian_package(w, json_string_value(key), val, counts, err);
            if (rc != 0) {
                customs_error_prefix(err, "%s:%zu", name, line);
            }
        }
        json_decref(key);
        json_decref(val);
        if (rc != 0 && (rc = import_skip_or_fail(opt, counts, err)) != 0) {
            return rc;
        }
    }
}
