/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPDX 2.3 JSON. The document namespace is derived from the target's digests (see
 * customs_report_uuid), the creation time honours SOURCE_DATE_EPOCH. Elements:
 * SPDXRef-DOCUMENT DESCRIBES SPDXRef-Target, which CONTAINS SPDXRef-OperatingSystem and
 * every SPDXRef-Package-N (N = the package's index in the report). licenseDeclared holds a
 * license only when it is an SPDX expression of known ids; anything else is NOASSERTION.
 */
#include <stdio.h>
#include <string.h>

#include "customs/customs.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "core/banned.h"

static void spdx_relationship(struct customs_jsonw *w, const char *from, const char *type,
                              const char *to)
{
    customs_jsonw_object_begin(w);
    customs_jsonw_kv_string(w, "spdxElementId", from);
    customs_jsonw_kv_string(w, "relatedSpdxElement", to);
    customs_jsonw_kv_string(w, "relationshipType", type);
    customs_jsonw_object_end(w);
}

static void spdx_common(struct customs_jsonw *w, const char *id, const char *name,
                        const char *version)
{
    customs_jsonw_kv_string(w, "SPDXID", id);
    customs_jsonw_kv_string(w, "name", name != NULL ? name : "");
    if (version != NULL) {
        customs_jsonw_kv_string(w, "versionInfo", version);
    }
    customs_jsonw_kv_string(w, "downloadLocation", "NOASSERTION");
    customs_jsonw_kv_bool(w, "filesAnalyzed", false);
}

static void spdx_target(struct customs_jsonw *w, const struct customs_report *r)
{
    const struct customs_target_info *t = &r->target;
    bool is_dir = t->kind != NULL && strcmp(t->kind, "dir") == 0;
    const char *digest = t->manifest_digest != NULL ? t->manifest_digest : t->config_digest;

    customs_jsonw_object_begin(w);
    spdx_common(w, "SPDXRef-Target", t->name, digest);
    customs_jsonw_kv_string(w, "licenseConcluded", "NOASSERTION");
    customs_jsonw_kv_string(w, "licenseDeclared", "NOASSERTION");
    customs_jsonw_kv_string(w, "copyrightText", "NOASSERTION");
    customs_jsonw_kv_string(w, "primaryPackagePurpose", is_dir ? "FILE" : "CONTAINER");
    customs_jsonw_object_end(w);
}

static void spdx_os(struct customs_jsonw *w, const struct customs_report *r)
{
    customs_jsonw_object_begin(w);
    spdx_common(w, "SPDXRef-OperatingSystem", r->os.id != NULL ? r->os.id : "unknown",
                r->os.version);
    customs_jsonw_kv_string(w, "licenseConcluded", "NOASSERTION");
    customs_jsonw_kv_string(w, "licenseDeclared", "NOASSERTION");
    customs_jsonw_kv_string(w, "copyrightText", "NOASSERTION");
    if (r->os.pretty != NULL) {
        customs_jsonw_kv_string(w, "description", r->os.pretty);
    }
    customs_jsonw_kv_string(w, "primaryPackagePurpose", "OPERATING_SYSTEM");
    customs_jsonw_object_end(w);
}

static void spdx_package(struct customs_jsonw *w, struct customs_buf *scratch,
                         const struct customs_package *p, size_t n)
{
    char id[48];
    snprintf(id, sizeof(id), "SPDXRef-Package-%zu", n);
    customs_jsonw_object_begin(w);
    spdx_common(w, id, p->name, p->version);
    customs_jsonw_kv_string(w, "licenseConcluded", "NOASSERTION");
    customs_jsonw_kv_string(w, "licenseDeclared",
                            customs_license_expression(scratch, p->license)
                                ? customs_buf_cstr(scratch)
                                : "NOASSERTION");
    customs_jsonw_kv_string(w, "copyrightText", "NOASSERTION");
    if (p->source_name != NULL) {
        customs_jsonw_key(w, "sourceInfo");
        customs_buf_reset(scratch);
        if (customs_buf_printf(scratch, "built from source package %s%s%s", p->source_name,
                               p->source_version != NULL ? " " : "",
                               p->source_version != NULL ? p->source_version : "") == 0) {
            customs_jsonw_string(w, customs_buf_cstr(scratch));
        } else {
            customs_jsonw_string(w, p->source_name);
        }
    }
    if (p->path != NULL) {
        customs_jsonw_key(w, "comment");
        customs_buf_reset(scratch);
        if (customs_buf_printf(scratch, "found in %s", p->path) == 0) {
            customs_jsonw_string(w, customs_buf_cstr(scratch));
        } else {
            customs_jsonw_string(w, p->path);
        }
    }
    customs_jsonw_kv_string(w, "primaryPackagePurpose", "LIBRARY");
    if (p->purl != NULL) {
        customs_jsonw_key(w, "externalRefs");
        customs_jsonw_array_begin(w);
        customs_jsonw_object_begin(w);
        customs_jsonw_kv_string(w, "referenceCategory", "PACKAGE-MANAGER");
        customs_jsonw_kv_string(w, "referenceType", "purl");
        customs_jsonw_kv_string(w, "referenceLocator", p->purl);
        customs_jsonw_object_end(w);
        customs_jsonw_array_end(w);
    }
    customs_jsonw_object_end(w);
}

int customs_report_write_spdx(const struct customs_report *r, FILE *out,
                              struct customs_error *err)
{
    char uuid[CUSTOMS_UUID_LEN];
    char ts[CUSTOMS_TIMESTAMP_LEN];
    char tool[64];
    char ns[128];
    char id[48];
    struct customs_buf scratch;
    struct customs_jsonw w;

    int rc = customs_report_uuid(uuid, r, "customs/spdx");
    if (rc < 0) {
        return customs_error_set(err, rc, "writing SPDX: cannot derive the document namespace");
    }
    customs_report_timestamp(ts, r->created);
    snprintf(tool, sizeof(tool), "Tool: customs-%s", customs_version());
    snprintf(ns, sizeof(ns), "https://customs.invalid/spdx/%s", uuid);
    customs_buf_init(&scratch, 4096);
    customs_jsonw_init(&w, out, true);
    customs_jsonw_object_begin(&w);
    customs_jsonw_kv_string(&w, "spdxVersion", "SPDX-2.3");
    customs_jsonw_kv_string(&w, "dataLicense", "CC0-1.0");
    customs_jsonw_kv_string(&w, "SPDXID", "SPDXRef-DOCUMENT");
    customs_jsonw_kv_string(&w, "name", r->target.name != NULL ? r->target.name : "customs");
    customs_jsonw_kv_string(&w, "documentNamespace", ns);
    customs_jsonw_key(&w, "creationInfo");
    customs_jsonw_object_begin(&w);
    customs_jsonw_kv_string(&w, "created", ts);
    customs_jsonw_kv_string(&w, "comment",
                            "An inventory of the image's packages only: vulnerabilities, "
                            "secrets, malware and misconfigurations are in customs' json, "
                            "cyclonedx and sarif formats.");
    customs_jsonw_key(&w, "creators");
    customs_jsonw_array_begin(&w);
    customs_jsonw_string(&w, tool);
    customs_jsonw_array_end(&w);
    customs_jsonw_object_end(&w);
    customs_jsonw_key(&w, "documentDescribes");
    customs_jsonw_array_begin(&w);
    customs_jsonw_string(&w, "SPDXRef-Target");
    customs_jsonw_array_end(&w);

    customs_jsonw_key(&w, "packages");
    customs_jsonw_array_begin(&w);
    spdx_target(&w, r);
    if (r->has_os) {
        spdx_os(&w, r);
    }
    for (size_t i = 0; i < r->inventory.packages.len; i++) {
        spdx_package(&w, &scratch, customs_vec_at(&r->inventory.packages, i), i);
    }
    customs_jsonw_array_end(&w);

    customs_jsonw_key(&w, "relationships");
    customs_jsonw_array_begin(&w);
    spdx_relationship(&w, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Target");
    if (r->has_os) {
        spdx_relationship(&w, "SPDXRef-Target", "CONTAINS", "SPDXRef-OperatingSystem");
    }
    for (size_t i = 0; i < r->inventory.packages.len; i++) {
        snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i);
        spdx_relationship(&w, "SPDXRef-Target", "CONTAINS", id);
    }
    customs_jsonw_array_end(&w);
    customs_jsonw_object_end(&w);
    rc = customs_jsonw_finish(&w, err);
    customs_buf_release(&scratch);
    return rc;
}
