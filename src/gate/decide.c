/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the gate decides about manifests: which kind a manifest is, whether the image a client
 * asks for may be served (its recorded verdict, judged with the policy), the error a refused
 * client sees, and the scan-judge-record of an image pushed through the gate.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "customs/report.h"
#include "customs/scan.h"
#include "gate/gate.h"
#include "signature/signature.h"
#include "store/store.h"

#include "core/banned.h"

static bool media_is_index(const char *mt)
{
    return strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
           strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0;
}

static bool media_is_image(const char *mt)
{
    return strcmp(mt, "application/vnd.oci.image.manifest.v1+json") == 0 ||
           strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json") == 0;
}

enum customs_gate_manifest_kind customs_gate_manifest_kind(const void *body, size_t len,
                                                           const char *content_type)
{
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    enum customs_gate_manifest_kind kind = CUSTOMS_GATE_MANIFEST_OTHER;
    if (!json_is_object(doc)) {
        json_decref(doc);
        return kind;
    }
    const json_t *sv = json_object_get(doc, "schemaVersion");
    const json_t *mt = json_object_get(doc, "mediaType");
    const char *type = json_is_string(mt) ? json_string_value(mt) : NULL;
    if (type == NULL && content_type != NULL) {
        /* an OCI manifest may omit its mediaType: the Content-Type says (parameters dropped) */
        type = content_type;
    }
    if (json_is_integer(sv) && json_integer_value(sv) == 2 && type != NULL) {
        size_t n = strcspn(type, "; \t");
        char buf[128];
        if (n < sizeof(buf)) {
            memcpy(buf, type, n);
            buf[n] = '\0';
            if (media_is_index(buf)) {
                kind = CUSTOMS_GATE_MANIFEST_INDEX;
            } else if (media_is_image(buf)) {
                kind = CUSTOMS_GATE_MANIFEST_IMAGE;
            }
        }
    }
    /* A manifest that says one thing in its body and another in its Content-Type is OTHER:
     * a client might read it as either. */
    if (kind != CUSTOMS_GATE_MANIFEST_OTHER && json_is_string(mt) && content_type != NULL) {
        size_t n = strcspn(content_type, "; \t");
        if (strlen(json_string_value(mt)) != n ||
            strncmp(json_string_value(mt), content_type, n) != 0) {
            kind = CUSTOMS_GATE_MANIFEST_OTHER;
        }
    }
    json_decref(doc);
    return kind;
}

static bool names_host_ok(const char *h)
{
    size_t n = h != NULL ? strlen(h) : 0;
    if (n == 0 || n >= CUSTOMS_GATE_HOST_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
            return false;
        }
    }
    return true;
}

void customs_gate_names_init(struct customs_gate_names *out, const char *gate_host,
                             const char *upstream_host, const char *name, const char *reference,
                             bool by_digest)
{
    const char *hosts[2] = {gate_host, upstream_host};
    size_t n = 0;
    for (size_t i = 0; i < 2; i++) {
        size_t hn = hosts[i] != NULL ? strlen(hosts[i]) : 0;
        if (!names_host_ok(hosts[i]) || (n == 1 && strncasecmp(out->buf[0], hosts[i], hn) == 0 &&
                                         out->buf[0][hn] == '/')) {
            continue; /* the gate named by the upstream's address */
        }
        int w = snprintf(out->buf[n], sizeof(out->buf[n]), "%s/%s%s%s", hosts[i], name,
                         by_digest ? "@" : ":", reference);
        if (w > 0 && (size_t)w < sizeof(out->buf[n])) {
            /* a host is case-insensitive; a reference's host is written in lower case */
            for (char *c = out->buf[n]; *c != '/'; c++) {
                *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
            }
            out->names[n] = out->buf[n];
            n++;
        }
    }
    out->names[n] = NULL;
}

int customs_gate_judge(struct customs_verdict *v, const struct customs_policy *p,
                       customs_policy_lookup_fn lookup, void *payload, const char *name,
                       const char *digest, const char *const *asked, time_t now,
                       struct customs_error *err)
{
    char ref[CUSTOMS_GATE_NAME_MAX + CUSTOMS_GATE_REF_MAX + 2];
    char subject[sizeof(ref) + 8];
    const struct customs_policy_image *rec = NULL;
    int n = snprintf(ref, sizeof(ref), "%s@%s", name, digest);
    if (n < 0 || (size_t)n >= sizeof(ref)) {
        return customs_error_set(err, CUSTOMS_EINVAL, "image reference too long");
    }
    snprintf(subject, sizeof(subject), "image %s", ref);
    int rc = lookup(&rec, ref, payload, err);
    if (rc < 0) {
        return rc;
    }
    return customs_policy_judge_image_as(v, p, NULL, rec, asked, subject, now, err);
}

char *customs_gate_error_body(const char *code, const char *message,
                              const struct customs_verdict *v, size_t *len)
{
    struct customs_buf msg;
    int rc = 0;
    customs_buf_init(&msg, 0);
    if (message == NULL) {
        /* the reasons that refused it, in the order the rules ran */
        rc = customs_buf_puts(&msg, "customs: denied");
        const char *sep = ": ";
        for (size_t i = 0; v != NULL && rc == 0 && i < customs_verdict_count(v); i++) {
            const struct customs_reason *r = customs_verdict_at(v, i);
            if (r->effect == CUSTOMS_EFFECT_DENY) {
                rc = customs_buf_printf(&msg, "%s%s: %s", sep, r->rule, r->message);
                sep = "; ";
            }
        }
        message = customs_buf_cstr(&msg);
    }
    json_t *e = rc == 0 ? json_pack("{s:s, s:s}", "code", code, "message", message) : NULL;
    customs_buf_release(&msg);
    if (e != NULL && v != NULL) {
        json_t *detail = customs_verdict_to_json(v, NULL);
        if (detail == NULL || json_object_set_new(e, "detail", detail) != 0) {
            json_decref(e);
            e = NULL;
        }
    }
    json_t *body = e != NULL ? json_pack("{s:[o]}", "errors", e) : NULL;
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    char *out = text != NULL ? customs_strdup(text) : NULL;
    if (text != NULL) {
        /* json_dumps allocates with jansson's allocator */
        json_malloc_t jmalloc;
        json_free_t jfree;
        json_get_alloc_funcs(&jmalloc, &jfree);
        jfree(text);
    }
    if (out != NULL && len != NULL) {
        *len = strlen(out);
    }
    return out;
}

int customs_gate_record(struct customs_verdict *v, struct customs_store *store,
                        const struct customs_policy *p, const struct customs_scan_options *opts,
                        const char *target, const char *const *names,
                        const char *const *asked, const struct customs_sig_result *sig,
                        time_t now, struct customs_error *err)
{
    struct customs_report *report = NULL;
    struct customs_arena arena;
    struct customs_policy_image image;
    int rc = customs_scan(&report, target, opts, err);
    if (rc != 0) {
        return rc;
    }
    const char *scanned = customs_report_manifest_digest(report);
    if (sig != NULL && sig->status == CUSTOMS_SIG_VERIFIED && scanned != NULL &&
        strcmp(sig->image_digest, scanned) == 0) {
        rc = customs_report_set_signature(report,
                                          sig->format == CUSTOMS_SIG_COSIGN ? "cosign" : "openpgp",
                                          sig->key, sig->fingerprint, sig->digest, sig->identity,
                                          sig->source);
        if (rc != 0) {
            customs_report_free(report);
            return customs_error_set(err, rc, "out of memory");
        }
    }
    customs_arena_init(&arena);
    rc = customs_policy_image_from_report(&image, &arena, report);
    if (rc != 0) {
        rc = customs_error_set(err, rc, "out of memory");
    }
    if (rc == 0) {
        rc = customs_policy_judge_image_as(v, p, NULL, &image, asked, target, now, err);
    }
    if (rc == 0) {
        rc = customs_store_record(store, report, names, p, v, now, err);
    }
    customs_arena_release(&arena);
    customs_report_free(report);
    return rc;
}
