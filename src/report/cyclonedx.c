/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CycloneDX 1.5 JSON. The serial number is a UUID derived from the target's digests, so one
 * image always yields the same document; the timestamp honours SOURCE_DATE_EPOCH.
 * bom-refs: "customs:target", "customs:os", and for package N (its index in the report)
 * PURL + "?package-id=N" ("&package-id=N" when the purl has qualifiers) or
 * "customs:package?package-id=N" without a purl. N is the maximal run of digits that ends
 * every package ref, after "=", so refs are unique even when purls repeat.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "customs/customs.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "core/banned.h"

static void cdx_property(struct customs_jsonw *w, const char *name, const char *value)
{
    if (value == NULL) {
        return;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "name", name);
    customs_jsonw_kv_string(w, "value", value);
    customs_jsonw_object_end(w);
}

static void cdx_licenses(struct customs_jsonw *w, struct customs_buf *scratch,
                         const char *license)
{
    if (license == NULL || license[0] == '\0') {
        return;
    }
    customs_jsonw_key(w, "licenses");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    const char *id = customs_license_spdx_id(license, strlen(license));
    if (id != NULL) {
        customs_jsonw_key(w, "license");
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "id", id);
        customs_jsonw_object_end(w);
    } else if (customs_license_expression(scratch, license)) {
        customs_jsonw_kv_string(w, "expression", customs_buf_cstr(scratch));
    } else {
        customs_jsonw_key(w, "license");
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "name", license);
        customs_jsonw_object_end(w);
    }
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);
}

static int cdx_package_ref(struct customs_buf *ref, const struct customs_package *p, size_t n)
{
    customs_buf_reset(ref);
    if (p->purl != NULL && p->purl[0] != '\0') {
        return customs_buf_printf(ref, "%s%cpackage-id=%zu", p->purl,
                                  strchr(p->purl, '?') != NULL ? '&' : '?', n);
    }
    return customs_buf_printf(ref, "customs:package?package-id=%zu", n);
}

static int cdx_component(struct customs_jsonw *w, struct customs_buf *ref,
                         struct customs_buf *scratch, const struct customs_report *r, size_t n)
{
    const struct customs_package *p = customs_vec_at(&r->inventory.packages, n);
    char num[24];

    int rc = cdx_package_ref(ref, p, n);
    if (rc < 0) {
        return rc;
    }
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", "library");
    customs_jsonw_kv_string(w, "bom-ref", customs_buf_cstr(ref));
    customs_jsonw_kv_string(w, "name", p->name != NULL ? p->name : "");
    if (p->version != NULL) {
        customs_jsonw_kv_string(w, "version", p->version);
    }
    cdx_licenses(w, scratch, p->license);
    if (p->purl != NULL) {
        customs_jsonw_kv_string(w, "purl", p->purl);
    }
    customs_jsonw_key(w, "properties");
    customs_jsonw_array_begin(w);
    cdx_property(w, "customs:type", p->type);
    cdx_property(w, "customs:epoch", p->epoch);
    cdx_property(w, "customs:source_name", p->source_name);
    cdx_property(w, "customs:source_version", p->source_version);
    cdx_property(w, "customs:arch", p->arch);
    cdx_property(w, "customs:path", p->path);
    if (p->layer >= 0) {
        snprintf(num, sizeof(num), "%d", p->layer);
        cdx_property(w, "customs:layer:index", num);
        cdx_property(w, "customs:layer:diff_id", customs_report_layer_diff_id(r, p->layer));
    }
    if (p->dev) {
        cdx_property(w, "customs:dev", "true");
    }
    if (p->indirect) {
        cdx_property(w, "customs:indirect", "true");
    }
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    return 0;
}

static void cdx_metadata(struct customs_jsonw *w, const struct customs_report *r)
{
    char ts[CUSTOMS_TIMESTAMP_LEN];
    const struct customs_target_info *t = &r->target;
    bool is_dir = t->kind != NULL && strcmp(t->kind, "dir") == 0;
    const char *digest = t->manifest_digest != NULL ? t->manifest_digest : t->config_digest;

    customs_report_timestamp(ts);
    customs_jsonw_key(w, "metadata");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "timestamp", ts);
    customs_jsonw_key(w, "tools");
    customs_jsonw_object_begin(w);
    customs_jsonw_key(w, "components");
    customs_jsonw_array_begin(w);
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", "application");
    customs_jsonw_kv_string(w, "name", "customs");
    customs_jsonw_kv_string(w, "version", customs_version());
    customs_jsonw_object_end(w);
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    customs_jsonw_key(w, "component");
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", is_dir ? "file" : "container");
    customs_jsonw_kv_string(w, "bom-ref", "customs:target");
    customs_jsonw_kv_string(w, "name", t->name != NULL ? t->name : "");
    if (digest != NULL) {
        customs_jsonw_kv_string(w, "version", digest);
    }
    customs_jsonw_key(w, "properties");
    customs_jsonw_array_begin(w);
    cdx_property(w, "customs:target:kind", t->kind);
    cdx_property(w, "customs:target:manifest_digest", t->manifest_digest);
    cdx_property(w, "customs:target:config_digest", t->config_digest);
    cdx_property(w, "customs:target:platform", t->platform);
    cdx_property(w, "customs:target:repo_tags", t->repo_tags);
    customs_jsonw_array_end(w);
    customs_jsonw_object_end(w);
    customs_jsonw_object_end(w);
}

static void cdx_os(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "type", "operating-system");
    customs_jsonw_kv_string(w, "bom-ref", "customs:os");
    customs_jsonw_kv_string(w, "name", r->os.id != NULL ? r->os.id : "unknown");
    if (r->os.version != NULL) {
        customs_jsonw_kv_string(w, "version", r->os.version);
    }
    if (r->os.pretty != NULL) {
        customs_jsonw_kv_string(w, "description", r->os.pretty);
    }
    if (r->os.codename != NULL) {
        customs_jsonw_key(w, "properties");
        customs_jsonw_array_begin(w);
        cdx_property(w, "customs:os:codename", r->os.codename);
        customs_jsonw_array_end(w);
    }
    customs_jsonw_object_end(w);
}

int customs_report_write_cyclonedx(const struct customs_report *r, FILE *out,
                                   struct customs_error *err)
{
    char uuid[CUSTOMS_UUID_LEN];
    char serial[CUSTOMS_UUID_LEN + 16];
    struct customs_buf ref;
    struct customs_buf scratch;
    struct customs_jsonw w;

    int rc = customs_report_uuid(uuid, r, "customs/cyclonedx");
    if (rc < 0) {
        return customs_error_set(err, rc, "writing CycloneDX: cannot derive the serial number");
    }
    snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
    customs_buf_init(&ref, 0);
    customs_buf_init(&scratch, 4096);
    customs_jsonw_init(&w, out, true);
    customs_jsonw_object_begin(&w);
    customs_jsonw_kv_string(&w, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
    customs_jsonw_kv_string(&w, "bomFormat", "CycloneDX");
    customs_jsonw_kv_string(&w, "specVersion", "1.5");
    customs_jsonw_kv_string(&w, "serialNumber", serial);
    customs_jsonw_kv_u64(&w, "version", 1);
    cdx_metadata(&w, r);
    customs_jsonw_key(&w, "components");
    customs_jsonw_array_begin(&w);
    if (r->has_os) {
        cdx_os(&w, r);
    }
    for (size_t i = 0; i < r->inventory.packages.len && rc == 0; i++) {
        rc = cdx_component(&w, &ref, &scratch, r, i);
    }
    customs_jsonw_array_end(&w);
    customs_jsonw_object_end(&w);
    if (rc < 0) {
        customs_error_set(err, rc, "writing CycloneDX: out of memory");
    } else {
        rc = customs_jsonw_finish(&w, err);
    }
    customs_buf_release(&ref);
    customs_buf_release(&scratch);
    return rc;
}
