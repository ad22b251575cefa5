/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The inventory as CycloneDX 1.5 and SPDX 2.3 JSON. Both are reproducible: the serial number
 * and the document namespace derive from the image's digest, and SOURCE_DATE_EPOCH pins the
 * timestamp.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "report/jsonw.h"
#include "report/writers.h"
#include "scan/result.h"

#include "core/banned.h"

/* Seed for identifiers: the config digest, else the manifest digest, else the target name. */
static const char *identity(const struct customs_report *rep)
{
    const struct customs_target_info *t = &rep->target;
    if (t->config_digest != NULL) {
        return t->config_digest;
    }
    if (t->manifest_digest != NULL) {
        return t->manifest_digest;
    }
    return t->name != NULL ? t->name : "";
}

/* A UUID (version 5 layout, sha256-derived) from the identity. */
static void make_uuid(char out[37], const struct customs_report *rep)
{
    char hex[CUSTOMS_DIGEST_MAX];
    struct customs_sha256 s;
    memset(hex, '0', sizeof(hex));
    if (customs_sha256_init(&s) == 0) {
        const char *id = identity(rep);
        customs_sha256_update(&s, "customs-bom:", 12);
        customs_sha256_update(&s, id, strlen(id));
        customs_sha256_final(&s, hex);
        customs_sha256_release(&s);
    }
    const char *h = hex + 7;
    snprintf(out, 37, "%.8s-%.4s-5%.3s-%c%.3s-%.12s", h, h + 8, h + 13,
             "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3], h + 17, h + 20);
}

static void timestamp(char out[32])
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = sde != NULL ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void property(struct customs_jsonw *w, const char *name, const char *value)
{
    if (value == NULL) {
        return;
    }
    customs_jsonw_object(w);
    customs_jsonw_kstr(w, "name", name);
    customs_jsonw_kstr(w, "value", value);
    customs_jsonw_end(w, '}');
}

static const char *layer_diff_id(const struct customs_report *rep, int layer)
{
    if (layer < 0 || (size_t)layer >= rep->target.layers.len) {
        return NULL;
    }
    return ((const struct customs_layer_info *)customs_vec_at(&rep->target.layers,
                                                              (size_t)layer))->diff_id;
}

int customs_report_write_cyclonedx(const struct customs_report *rep, FILE *out)
{
    struct customs_jsonw w;
    char uuid[37];
    char ts[32];
    char ref[64];
    make_uuid(uuid, rep);
    timestamp(ts);
    customs_jsonw_init(&w, out);
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "$schema", "http://cyclonedx.org/schema/bom-1.5.schema.json");
    customs_jsonw_kstr(&w, "bomFormat", "CycloneDX");
    customs_jsonw_kstr(&w, "specVersion", "1.5");
    snprintf(ref, sizeof(ref), "urn:uuid:%s", uuid);
    customs_jsonw_kstr(&w, "serialNumber", ref);
    customs_jsonw_ku64(&w, "version", 1);
    customs_jsonw_key(&w, "metadata");
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "timestamp", ts);
    customs_jsonw_key(&w, "tools");
    customs_jsonw_object(&w);
    customs_jsonw_key(&w, "components");
    customs_jsonw_array(&w);
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "type", "application");
    customs_jsonw_kstr(&w, "name", "customs");
    customs_jsonw_kstr(&w, "version", CUSTOMS_VERSION);
    customs_jsonw_end(&w, '}');
    customs_jsonw_end(&w, ']');
    customs_jsonw_end(&w, '}');
    customs_jsonw_key(&w, "component");
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "bom-ref", "target");
    bool dir = rep->target.kind != NULL && strcmp(rep->target.kind, "dir") == 0;
    customs_jsonw_kstr(&w, "type", dir ? "file" : "container");
    customs_jsonw_kstr(&w, "name", rep->target.name);
    if (rep->target.config_digest != NULL) {
        customs_jsonw_kstr(&w, "version", rep->target.config_digest);
    }
    customs_jsonw_end(&w, '}');
    customs_jsonw_end(&w, '}');

    customs_jsonw_key(&w, "components");
    customs_jsonw_array(&w);
    if (rep->has_os) {
        customs_jsonw_object(&w);
        customs_jsonw_kstr(&w, "bom-ref", "os");
        customs_jsonw_kstr(&w, "type", "operating-system");
        customs_jsonw_kstr(&w, "name", rep->os.id);
        if (rep->os.version != NULL) {
            customs_jsonw_kstr(&w, "version", rep->os.version);
        }
        if (rep->os.pretty != NULL) {
            customs_jsonw_kstr(&w, "description", rep->os.pretty);
        }
        customs_jsonw_end(&w, '}');
    }
    for (size_t i = 0; i < rep->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&rep->inventory.packages, i);
        customs_jsonw_object(&w);
        snprintf(ref, sizeof(ref), "pkg-%zu", i + 1);
        customs_jsonw_kstr(&w, "bom-ref", ref);
        customs_jsonw_kstr(&w, "type", "library");
        customs_jsonw_kstr(&w, "name", p->name != NULL ? p->name : "");
        if (p->version != NULL) {
            customs_jsonw_kstr(&w, "version", p->version);
        }
        if (p->purl != NULL) {
            customs_jsonw_kstr(&w, "purl", p->purl);
        }
        if (p->license != NULL && p->license[0] != '\0') {
            customs_jsonw_key(&w, "licenses");
            customs_jsonw_array(&w);
            customs_jsonw_object(&w);
            customs_jsonw_key(&w, "license");
            customs_jsonw_object(&w);
            customs_jsonw_kstr(&w, "name", p->license);
            customs_jsonw_end(&w, '}');
            customs_jsonw_end(&w, '}');
            customs_jsonw_end(&w, ']');
        }
        customs_jsonw_key(&w, "properties");
        customs_jsonw_array(&w);
        property(&w, "customs:package:type", p->type);
        property(&w, "customs:path", p->path);
        property(&w, "customs:layer:diff_id", layer_diff_id(rep, p->layer));
        property(&w, "customs:source_name", p->source_name);
        property(&w, "customs:source_version", p->source_version);
        property(&w, "customs:arch", p->arch);
        if (p->dev) {
            property(&w, "customs:dev", "true");
        }
        customs_jsonw_end(&w, ']');
        customs_jsonw_end(&w, '}');
    }
    customs_jsonw_end(&w, ']');
    customs_jsonw_end(&w, '}');
    return customs_jsonw_finish(&w);
}

/* A license string SPDX can carry as an expression: ids joined by AND / OR / WITH. */
static bool spdx_expression_ok(const char *s)
{
    bool want_id = true;
    if (s == NULL || *s == '\0' || strlen(s) > 200) {
        return false;
    }
    while (*s != '\0') {
        const char *start = s;
        while (*s != '\0' && *s != ' ') {
            s++;
        }
        size_t n = (size_t)(s - start);
        if (want_id) {
            for (size_t i = 0; i < n; i++) {
                if (!isalnum((unsigned char)start[i]) && start[i] != '.' && start[i] != '-' &&
                    !(start[i] == '+' && i == n - 1)) {
                    return false;
                }
            }
            if (n == 0) {
                return false;
            }
        } else if (!((n == 3 && memcmp(start, "AND", 3) == 0) ||
                     (n == 2 && memcmp(start, "OR", 2) == 0) ||
                     (n == 4 && memcmp(start, "WITH", 4) == 0))) {
            return false;
        }
        want_id = !want_id;
        if (*s == ' ') {
            s++;
        }
    }
    return !want_id;
}

int customs_report_write_spdx(const struct customs_report *rep, FILE *out)
{
    struct customs_jsonw w;
    char uuid[37];
    char ts[32];
    char id[64];
    make_uuid(uuid, rep);
    timestamp(ts);
    customs_jsonw_init(&w, out);
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "spdxVersion", "SPDX-2.3");
    customs_jsonw_kstr(&w, "dataLicense", "CC0-1.0");
    customs_jsonw_kstr(&w, "SPDXID", "SPDXRef-DOCUMENT");
    customs_jsonw_kstr(&w, "name", rep->target.name != NULL ? rep->target.name : "image");
    snprintf(id, sizeof(id), "https://customs.invalid/spdx/%s", uuid);
    customs_jsonw_kstr(&w, "documentNamespace", id);
    customs_jsonw_key(&w, "creationInfo");
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "created", ts);
    customs_jsonw_key(&w, "creators");
    customs_jsonw_array(&w);
    customs_jsonw_str(&w, "Tool: customs-" CUSTOMS_VERSION);
    customs_jsonw_end(&w, ']');
    customs_jsonw_end(&w, '}');
    customs_jsonw_key(&w, "documentDescribes");
    customs_jsonw_array(&w);
    customs_jsonw_str(&w, "SPDXRef-Target");
    customs_jsonw_end(&w, ']');

    customs_jsonw_key(&w, "packages");
    customs_jsonw_array(&w);
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "SPDXID", "SPDXRef-Target");
    customs_jsonw_kstr(&w, "name", rep->target.name != NULL ? rep->target.name : "image");
    if (rep->target.config_digest != NULL) {
        customs_jsonw_kstr(&w, "versionInfo", rep->target.config_digest);
    }
    customs_jsonw_kstr(&w, "downloadLocation", "NOASSERTION");
    customs_jsonw_kbool(&w, "filesAnalyzed", false);
    customs_jsonw_kstr(&w, "primaryPackagePurpose", "CONTAINER");
    customs_jsonw_end(&w, '}');
    for (size_t i = 0; i < rep->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&rep->inventory.packages, i);
        customs_jsonw_object(&w);
        snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i + 1);
        customs_jsonw_kstr(&w, "SPDXID", id);
        customs_jsonw_kstr(&w, "name", p->name != NULL ? p->name : "");
        if (p->version != NULL) {
            customs_jsonw_kstr(&w, "versionInfo", p->version);
        }
        customs_jsonw_kstr(&w, "downloadLocation", "NOASSERTION");
        customs_jsonw_kbool(&w, "filesAnalyzed", false);
        customs_jsonw_kstr(&w, "licenseConcluded", "NOASSERTION");
        customs_jsonw_kstr(&w, "licenseDeclared",
                           spdx_expression_ok(p->license) ? p->license : "NOASSERTION");
        customs_jsonw_kstr(&w, "copyrightText", "NOASSERTION");
        customs_jsonw_kstr(&w, "primaryPackagePurpose", "LIBRARY");
        if (p->path != NULL) {
            customs_jsonw_kstr(&w, "sourceInfo", p->path);
        }
        if (p->purl != NULL) {
            customs_jsonw_key(&w, "externalRefs");
            customs_jsonw_array(&w);
            customs_jsonw_object(&w);
            customs_jsonw_kstr(&w, "referenceCategory", "PACKAGE-MANAGER");
            customs_jsonw_kstr(&w, "referenceType", "purl");
            customs_jsonw_kstr(&w, "referenceLocator", p->purl);
            customs_jsonw_end(&w, '}');
            customs_jsonw_end(&w, ']');
        }
        customs_jsonw_end(&w, '}');
    }
    customs_jsonw_end(&w, ']');

    customs_jsonw_key(&w, "relationships");
    customs_jsonw_array(&w);
    customs_jsonw_object(&w);
    customs_jsonw_kstr(&w, "spdxElementId", "SPDXRef-DOCUMENT");
    customs_jsonw_kstr(&w, "relationshipType", "DESCRIBES");
    customs_jsonw_kstr(&w, "relatedSpdxElement", "SPDXRef-Target");
    customs_jsonw_end(&w, '}');
    for (size_t i = 0; i < rep->inventory.packages.len; i++) {
        snprintf(id, sizeof(id), "SPDXRef-Package-%zu", i + 1);
        customs_jsonw_object(&w);
        customs_jsonw_kstr(&w, "spdxElementId", "SPDXRef-Target");
        customs_jsonw_kstr(&w, "relationshipType", "CONTAINS");
        customs_jsonw_kstr(&w, "relatedSpdxElement", id);
        customs_jsonw_end(&w, '}');
    }
    customs_jsonw_end(&w, ']');
    customs_jsonw_end(&w, '}');
    return customs_jsonw_finish(&w);
}
