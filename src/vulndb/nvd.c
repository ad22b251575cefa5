/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities): a response page
 * {"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": {...}}, ...]}, or one
 * CVE object on its own (as per-CVE mirrors of the API store them). Of each CVE: id, vulnStatus,
 * published, lastModified, cisaExploitAdd (CISA's Known Exploited Vulnerabilities catalogue),
 * and every entry of metrics.cvssMetricV2 / V30 / V31 / V40 with its source and type
 * (Primary/Secondary), scored from its vector by customs. NVD records add no `affected` rows:
 * they join other sources' advisories by CVE id and aliases.
 */
#include <stdio.h>
#include <string.h>

#include "formats/json.h"
#include "vulndb/import.h"

#include "core/banned.h"

static const struct {
    const char *key;
    enum customs_cvss_version version;
} nvd_metric_keys[] = {
    {"cvssMetricV2", CUSTOMS_CVSS_V2},
    {"cvssMetricV30", CUSTOMS_CVSS_V30},
    {"cvssMetricV31", CUSTOMS_CVSS_V31},
    {"cvssMetricV40", CUSTOMS_CVSS_V40},
};

static int nvd_metrics(struct customs_vulndb_writer *w, const char *id, json_t *metrics,
                       const char *name, const struct customs_vulndb_import_options *opt,
                       struct customs_vulndb_counts *counts, struct customs_error *err)
{
    if (metrics != NULL && !json_is_object(metrics)) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "metrics is not an object");
    }
    for (size_t k = 0; k < sizeof(nvd_metric_keys) / sizeof(nvd_metric_keys[0]); k++) {
        json_t *list = json_object_get(metrics, nvd_metric_keys[k].key);
        size_t i;
        json_t *m;
        if (list != NULL && !json_is_array(list)) {
            return customs_error_set(err, CUSTOMS_EMALFORMED, "%s is not a list",
                                     nvd_metric_keys[k].key);
        }
        json_array_foreach(list, i, m) {
            const char *source = customs_json_str(m, "source");
            const char *type = customs_json_str(m, "type");
            const char *vector = customs_json_str(json_object_get(m, "cvssData"), "vectorString");
            int rc;
            if (source == NULL || vector == NULL) {
                customs_error_set(err, CUSTOMS_EMALFORMED, "%s[%zu]: no source or vectorString",
                                  nvd_metric_keys[k].key, i);
                return CUSTOMS_EMALFORMED;
            }
            rc = customs_vulndb_writer_cvss(w, id, source, type, vector,
                                            nvd_metric_keys[k].version, err);
            if (rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_EUNSUPPORTED) {
                customs_error_prefix(err, "%s: %s[%zu]", id, nvd_metric_keys[k].key, i);
                import_bad_vector(opt, name, counts, err);
            } else if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int nvd_cve(struct customs_vulndb_writer *w, json_t *cve, const char *name,
                   const struct customs_vulndb_import_options *opt,
                   struct customs_vulndb_counts *counts, struct customs_error *err)
{
    struct customs_vulndb_nvd n = {0};
    n.id = customs_json_str(cve, "id");
    if (!json_is_object(cve) || n.id == NULL || strncmp(n.id, "CVE-", 4) != 0 ||
        strlen(n.id) >= IMPORT_MAX_KEY) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "not an NVD CVE record (no CVE id)");
    }
    n.status = customs_json_str(cve, "vulnStatus");
    n.published = customs_json_str(cve, "published");
    n.last_modified = customs_json_str(cve, "lastModified");
    n.known_exploited = customs_json_str(cve, "cisaExploitAdd");
    int rc = customs_vulndb_writer_nvd_supersede(w, n.id, n.last_modified, err);
    if (rc == 1) {
        return 0; /* a newer record of this CVE is stored already */
    }
    if (rc == 0) {
        rc = nvd_metrics(w, n.id, json_object_get(cve, "metrics"), name, opt, counts, err);
    }
    if (rc == 0) {
        rc = customs_vulndb_writer_nvd(w, &n, err);
    }
    if (rc != 0) {
        customs_error_prefix(err, "%s", n.id);
    }
    return rc;
}

int customs_vulndb_import_nvd(struct customs_vulndb_writer *w, const char *name,
                              const uint8_t *data, size_t len,
                              const struct customs_vulndb_import_options *opt,
                              struct customs_vulndb_counts *counts, struct customs_error *err)
{
    json_t *doc = NULL;
    counts->files++;
    int rc = customs_json_parse(&doc, name, data, len, IMPORT_MAX_FILE_BYTES, err);
    if (rc != 0) {
        return import_skip_or_fail(opt, counts, err);
    }
    json_t *list = json_object_get(doc, "vulnerabilities");
    if (list == NULL && customs_json_str(doc, "id") != NULL) { /* one CVE object */
        rc = nvd_cve(w, doc, name, opt, counts, err);
        if (rc == 0) {
            counts->records++;
        } else {
            customs_error_prefix(err, "%s: record 1", name);
            rc = import_skip_or_fail(opt, counts, err);
        }
        json_decref(doc);
        return rc;
    }
    const char *format = customs_json_str(doc, "format");
    if (!json_is_array(list) || (format != NULL && strcmp(format, "NVD_CVE") != 0)) {
        json_decref(doc);
        customs_error_set(err, CUSTOMS_EMALFORMED,
                          "%s: not an NVD CVE API 2.0 page (no \"vulnerabilities\" list)", name);
        return import_skip_or_fail(opt, counts, err);
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        rc = nvd_cve(w, json_object_get(item, "cve"), name, opt, counts, err);
        if (rc == 0) {
            counts->records++;
            continue;
        }
        customs_error_prefix(err, "%s: vulnerabilities[%zu]", name, i);
        if ((rc = import_skip_or_fail(opt, counts, err)) != 0) {
            break;
        }
    }
    json_decref(doc);
    return rc;
}
