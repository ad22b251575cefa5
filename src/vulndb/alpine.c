/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alpine secdb JSON (secdb.alpinelinux.org/<branch>/<repo>.json):
 *   {"distroversion": "v3.19", "reponame": "main",
 *    "packages": [{"pkg": {"name": "...", "secfixes": {"1.2-r0": ["CVE-..."], "0": [...]}}}]}
 * One `affected` row per (package, fixed version, id); "0" means never affected in the branch.
 * An id entry may hold several ids separated by spaces ("CVE-2019-1 CVE-2019-2").
 */
#include <stdio.h>
#include <string.h>

#include "formats/json.h"
#include "vulndb/import.h"

#include "core/banned.h"

static int alpine_ids(struct customs_vulndb_writer *w, const char *eco, const char *pkg,
                      const char *version, const char *ids, struct customs_vulndb_counts *counts,
                      struct customs_error *err)
{
    char id[IMPORT_MAX_KEY];
    const char *p = ids;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        size_t n = strcspn(p, " \t");
        if (n == 0) {
            break;
        }
        if (n >= sizeof(id)) {
            return customs_error_set(err, CUSTOMS_ELIMIT, "%s %s: id too long", pkg, version);
        }
        memcpy(id, p, n);
        id[n] = '\0';
        p += n;
        struct customs_vulndb_vuln v = {0};
        struct customs_vulndb_range r = {0};
        v.id = id;
        r.vuln_id = id;
        r.ecosystem = eco;
        r.package = pkg;
        r.range_type = "DISTRO";
        if (strcmp(version, "0") == 0) {
            r.status = "not_affected";
        } else {
            r.status = "fixed";
            r.fixed = version;
        }
        int rc = customs_vulndb_writer_vuln(w, &v, err);
        if (rc == 0) {
            rc = customs_vulndb_writer_affected(w, &r, err);
        }
        if (rc != 0) {
            return rc;
        }
        counts->affected++;
    }
    return 0;
}

static int alpine_package(struct customs_vulndb_writer *w, const char *eco, json_t *entry,
                          struct customs_vulndb_counts *counts, struct customs_error *err)
{
    json_t *pkg = json_object_get(entry, "pkg");
    const char *name = customs_json_str(pkg, "name");
    json_t *secfixes = json_object_get(pkg, "secfixes");
    const char *version;
    json_t *ids;
    if (name == NULL || name[0] == '\0') {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "a package without pkg.name");
    }
    if (secfixes == NULL) {
        return 0;
    }
    if (!json_is_object(secfixes)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: secfixes is not an object", name);
    }
    json_object_foreach(secfixes, version, ids) {
        size_t i;
        json_t *one;
        if (!json_is_array(ids)) {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s %s: ids are not a list", name,
                                     version);
        }
        json_array_foreach(ids, i, one) {
            if (!json_is_string(one)) {
                return customs_error_set(err, CUSTOMS_EMALFORMED, "%s %s: id %zu is not a string",
                                         name, version, i);
            }
            int rc = alpine_ids(w, eco, name, version, json_string_value(one), counts, err);
            if (rc != 0) {
                return rc;
            }
        }
        counts->records++;
    }
    return 0;
}

int customs_vulndb_import_alpine(struct customs_vulndb_writer *w, const char *name,
                                 const uint8_t *data, size_t len,
                                 const struct customs_vulndb_import_options *opt,
                                 struct customs_vulndb_counts *counts, struct customs_error *err)
{
    json_t *doc = NULL;
    char eco[64];
    counts->files++;
    int rc = customs_json_parse(&doc, name, data, len, IMPORT_MAX_FILE_BYTES, err);
    if (rc != 0) {
        return rc;
    }
    const char *branch = customs_json_str(doc, "distroversion");
    json_t *packages = json_object_get(doc, "packages");
    if (branch == NULL || !json_is_array(packages)) {
        json_decref(doc);
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: not Alpine secdb JSON (no distroversion or packages)", name);
    }
    if (snprintf(eco, sizeof(eco), "alpine:%s", branch[0] == 'v' ? branch + 1 : branch) >=
            (int)sizeof(eco)) {
        json_decref(doc);
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: distroversion too long", name);
    }
    size_t i;
    json_t *entry;
    json_array_foreach(packages, i, entry) {
        rc = alpine_package(w, eco, entry, counts, err);
        if (rc != 0) {
            customs_error_prefix(err, "%s: record %zu", name, i + 1);
            if ((rc = import_skip_or_fail(opt, counts, err)) != 0) {
                break;
            }
        }
    }
    json_decref(doc);
    return rc;
}
