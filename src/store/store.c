/* SPDX-License-Identifier: Apache-2.0 */
/* The verdict store: schema and migrations, recording, lookups, refresh (see store.h). */
#include "store/store.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"
#include "model/report.h"
#include "scan/coverage.h"
#include "store/backend.h"
#include "vulndb/vulndb.h"

#include "core/banned.h"

#define STORE_JSON_MAX (256u << 20)
#define STORE_REF_MAX 1024

struct customs_store {
    const struct store_backend *be;
    void *conn;
    char *uri;
    struct customs_arena arena;       /* the last lookup's image */
    struct customs_policy_image image;
    struct customs_policy_vuln *vulns; /* image.vulns, writable (first_seen) */
    struct customs_vec sigs;          /* image.signatures (struct customs_policy_signature) */
    bool reading;                     /* inside customs_store_read_begin/end */
};

/* ---- schema ---- */

/* Migration N takes the schema from version N-1 to N; they run in order, each in its own
 * transaction with its row in schema_migrations. */
static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE policies (sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL);"
    "CREATE TABLE images ("
    "  digest TEXT PRIMARY KEY, config_digest TEXT, index_digest TEXT, target TEXT,"
    "  os TEXT NOT NULL, packages TEXT NOT NULL, findings TEXT NOT NULL,"
    "  vulns_scanned INTEGER NOT NULL, errors INTEGER NOT NULL,"
    "  policy TEXT REFERENCES policies (sha256), verdict TEXT, reasons TEXT,"
    "  scanned_at BIGINT NOT NULL, checked_at BIGINT NOT NULL);"
    "CREATE TABLE names (name TEXT PRIMARY KEY, digest TEXT NOT NULL);"
    "CREATE INDEX names_by_digest ON names (digest);"
    "CREATE TABLE aliases (alias TEXT PRIMARY KEY, digest TEXT NOT NULL);"
    "CREATE TABLE first_seen (digest TEXT NOT NULL, vuln TEXT NOT NULL, package TEXT NOT NULL,"
    "  seen_at BIGINT NOT NULL, PRIMARY KEY (digest, vuln, package));",
    /* 2: which key verified which digest; the fingerprints of a policy's keys */
    "CREATE TABLE signatures ("
    "  digest TEXT NOT NULL, fingerprint TEXT NOT NULL, format TEXT NOT NULL,"
    "  key_name TEXT NOT NULL, signed_digest TEXT NOT NULL, identity TEXT NOT NULL,"
    "  verified_at BIGINT NOT NULL, PRIMARY KEY (digest, fingerprint));"
    "ALTER TABLE policies ADD COLUMN key_fingerprints TEXT;",
};

static const char sql_version[] = "SELECT max(version) FROM schema_migrations";
static const char sql_migrated[] =
    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)";

static int row_int(const char *const *cols, size_t n, void *payload)
{
    *(long long *)payload = n > 0 && cols[0] != NULL ? strtoll(cols[0], NULL, 10) : 0;
    return 0;
}

static int store_migrate_locked(struct customs_store *s, struct customs_error *err)
{
    long long version = 0;
    int rc = s->be->exec(s->conn,
                         "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
                         err);
    if (rc == 0) {
        rc = s->be->query(s->conn, sql_version, NULL, 0, row_int, &version, err);
    }
    if (rc < 0) {
        return rc;
    }
    size_t latest = sizeof(migrations) / sizeof(migrations[0]);
    if (version < 0 || (unsigned long long)version > latest) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: store schema version %lld is newer than this customs "
                                 "reads (%zu)",
                                 s->uri, version, latest);
    }
    for (size_t v = (size_t)version; v < latest && rc == 0; v++) {
        char num[24];
        char now[24];
        const char *params[2] = {num, now};
        snprintf(num, sizeof(num), "%zu", v + 1);
        snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
        rc = s->be->exec(s->conn, "BEGIN", err);
        if (rc == 0) {
            rc = s->be->exec(s->conn, migrations[v], err);
        }
        if (rc == 0) {
            rc = s->be->query(s->conn, sql_migrated, params, 2, NULL, NULL, err);
        }
        if (rc == 0) {
            rc = s->be->exec(s->conn, "COMMIT", err);
        } else {
            s->be->exec(s->conn, "ROLLBACK", NULL);
        }
    }
    return rc;
}

static int store_migrate(struct customs_store *s, struct customs_error *err)
{
    int rc = 0;
    if (s->be->migrate_lock != NULL) {
        rc = s->be->query(s->conn, s->be->migrate_lock, NULL, 0, NULL, NULL, err);
    }
    if (rc == 0) {
        rc = store_migrate_locked(s, err);
    }
    if (s->be->migrate_unlock != NULL) {
        s->be->query(s->conn, s->be->migrate_unlock, NULL, 0, NULL, NULL, NULL);
    }
    return rc;
}

bool customs_store_is_postgres(const char *uri)
{
    return customs_str_has_prefix(uri, "postgresql://") ||
           customs_str_has_prefix(uri, "postgres://");
}

/* The URI as messages show it: the password of the user part and any password=... parameter
 * replaced by "***". */
static char *store_uri_redact(const char *uri)
{
    struct customs_buf b;
    const char *p = uri;
    int rc = 0;
    customs_buf_init(&b, 1u << 16);
    if (customs_store_is_postgres(uri)) {
        const char *start = strstr(uri, "://") + 3;
        size_t auth_len = strcspn(start, "/?#");
        const char *at = NULL;
        for (const char *q = start; q < start + auth_len; q++) {
            at = *q == '@' ? q : at; /* the last '@' ends the user part */
        }
        const char *colon = at != NULL ? memchr(start, ':', (size_t)(at - start)) : NULL;
        if (colon != NULL) {
            rc = customs_buf_append(&b, uri, (size_t)(colon + 1 - uri));
            rc = rc == 0 ? customs_buf_puts(&b, "***") : rc;
            p = at;
        }
        while (rc == 0 && *p != '\0') {
            const char *pw = strstr(p, "password=");
            while (pw != NULL && strchr("?&", pw[-1]) == NULL) {
                pw = strstr(pw + 1, "password=");
            }
            if (pw == NULL) {
                rc = customs_buf_puts(&b, p);
                break;
            }
            rc = customs_buf_append(&b, p, (size_t)(pw + 9 - p));
            rc = rc == 0 ? customs_buf_puts(&b, "***") : rc;
            p = pw + 9 + strcspn(pw + 9, "&#");
        }
    } else {
        rc = customs_buf_puts(&b, uri);
    }
    char *out = rc == 0 ? customs_strdup(customs_buf_cstr(&b)) : NULL;
    customs_buf_release(&b);
    return out;
}

int customs_store_open(struct customs_store **out, const char *uri, struct customs_error *err)
{
    *out = NULL;
    struct customs_store *s = customs_calloc(1, sizeof(*s));
    if (s == NULL || (s->uri = store_uri_redact(uri)) == NULL) {
        customs_free(s);
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    s->be = customs_store_is_postgres(uri) ? &customs_store_postgres : &customs_store_sqlite;
    customs_arena_init(&s->arena);
    customs_vec_init(&s->sigs, sizeof(struct customs_policy_signature));
    int rc = s->be->open(&s->conn, uri, s->uri, err);
    if (rc == 0) {
        rc = store_migrate(s, err);
    }
    if (rc < 0) {
        customs_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

const char *customs_store_name(const struct customs_store *s)
{
    return s->uri;
}

int customs_store_check(struct customs_store *s, struct customs_error *err)
{
    long long version = 0;
    return s->be->query(s->conn, sql_version, NULL, 0, row_int, &version, err);
}

int customs_store_read_begin(struct customs_store *s, struct customs_error *err)
{
    if (s->reading || s->be->read_begin == NULL) {
        return 0;
    }
    int rc = s->be->query(s->conn, s->be->read_begin, NULL, 0, NULL, NULL, err);
    s->reading = rc == 0;
    return rc;
}

int customs_store_read_end(struct customs_store *s, struct customs_error *err)
{
    if (!s->reading) {
        return 0;
    }
    s->reading = false;
    return s->be->query(s->conn, s->be->read_end, NULL, 0, NULL, NULL, err);
}

void customs_store_close(struct customs_store *s)
{
    if (s == NULL) {
        return;
    }
    if (s->conn != NULL) {
        s->be->close(s->conn);
    }
    customs_arena_release(&s->arena);
    customs_vec_release(&s->sigs);
    customs_free(s->uri);
    customs_free(s);
}

/* ---- the stored forms ---- */

static json_t *jstr_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* The packages, as arrays (no per-package object to hash when read back, which a refresh of a
 * large store does for every package): [type, name, version, epoch, source_name,
 * source_version, arch, purl, path], nulls where absent. */
static json_t *packages_json(const struct customs_report *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < r->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        json_t *o = json_pack("[o, o, o, o, o, o, o, o, o]", jstr_or_null(p->type),
                              jstr_or_null(p->name), jstr_or_null(p->version),
                              jstr_or_null(p->epoch), jstr_or_null(p->source_name),
                              jstr_or_null(p->source_version), jstr_or_null(p->arch),
                              jstr_or_null(p->purl), jstr_or_null(p->path));
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *vulns_json(const struct customs_policy_vuln *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *aliases = json_array();
        for (size_t k = 0; aliases != NULL && k < v[i].naliases; k++) {
            json_array_append_new(aliases, json_string(v[i].aliases[k]));
        }
        json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:b}", "id", v[i].id, "aliases",
                              aliases, "package", jstr_or_null(v[i].package), "installed",
                              jstr_or_null(v[i].installed), "fixed", jstr_or_null(v[i].fixed),
                              "severity", customs_severity_name(v[i].severity), "known_exploited",
                              v[i].known_exploited);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *findings_json(const struct customs_policy_finding *f, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *o = json_pack("{s:o, s:o, s:o, s:s}", "rule", jstr_or_null(f[i].rule), "title",
                              jstr_or_null(f[i].title), "path", jstr_or_null(f[i].path),
                              "severity", customs_severity_name(f[i].severity));
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* What the scan could not check, as [kind, subject, message] triples. */
static json_t *gaps_json(const struct customs_policy_gap *g, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *o = json_pack("[s, o, o]", g[i].kind != NULL ? g[i].kind : "incomplete",
                              jstr_or_null(g[i].subject), jstr_or_null(g[i].message));
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static char *dump(json_t *j)
{
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    return s;
}

static json_t *image_findings_json(const struct customs_policy_image *im)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "vulns", vulns_json(im->vulns, im->nvulns),
                     "secrets", findings_json(im->secrets, im->nsecrets), "malware",
                     findings_json(im->malware, im->nmalware), "coverage",
                     gaps_json(im->gaps, im->ngaps));
}

/* A verdict as stored: its reasons without subject, the same JSON the CLI writes. */
static char *reasons_text(const struct customs_verdict *v)
{
    json_t *j = customs_verdict_to_json(v, NULL);
    json_t *reasons = j != NULL ? json_incref(json_object_get(j, "reasons")) : NULL;
    json_decref(j);
    return dump(reasons);
}

/* ---- recording ---- */

static const char sql_policy[] =
    "INSERT INTO policies (sha256, name, body, key_fingerprints) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (sha256) DO UPDATE SET key_fingerprints = excluded.key_fingerprints";
static const char sql_signature[] =
    "INSERT INTO signatures (digest, fingerprint, format, key_name, signed_digest, identity,"
    " verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    " ON CONFLICT (digest, fingerprint) DO UPDATE SET format = excluded.format,"
    " key_name = excluded.key_name, signed_digest = excluded.signed_digest,"
    " identity = excluded.identity, verified_at = excluded.verified_at";
static const char sql_image[] =
    "INSERT INTO images (digest, config_digest, index_digest, target, os, packages, findings,"
    " vulns_scanned, errors, policy, verdict, reasons, scanned_at, checked_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)"
    " ON CONFLICT (digest) DO UPDATE SET config_digest = excluded.config_digest,"
    " index_digest = coalesce(excluded.index_digest, images.index_digest),"
    " target = excluded.target, os = excluded.os, packages = excluded.packages,"
    " findings = excluded.findings, vulns_scanned = excluded.vulns_scanned,"
    " errors = excluded.errors, policy = excluded.policy, verdict = excluded.verdict,"
    " reasons = excluded.reasons, scanned_at = excluded.scanned_at,"
    " checked_at = excluded.checked_at";
static const char sql_name[] =
    "INSERT INTO names (name, digest) VALUES ($1, $2)"
    " ON CONFLICT (name) DO UPDATE SET digest = excluded.digest";
static const char sql_alias[] =
    "INSERT INTO aliases (alias, digest) VALUES ($1, $2)"
    " ON CONFLICT (alias) DO UPDATE SET digest = excluded.digest";
static const char sql_seen[] =
    "INSERT INTO first_seen (digest, vuln, package, seen_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (digest, vuln, package) DO NOTHING";

static int store_names(struct customs_store *s, const char *digest, const char *list,
                       const char *const *extra, struct customs_error *err)
{
    char ref[STORE_REF_MAX];
    int rc = 0;
    for (const char *p = list; rc == 0 && p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        char name[STORE_REF_MAX];
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        if (n > 0 && n < sizeof(name) &&
            customs_policy_reference_normalize(ref, sizeof(ref), name) == 0) {
            const char *params[2] = {ref, digest};
            rc = s->be->query(s->conn, sql_name, params, 2, NULL, NULL, err);
        }
        p += n + (p[n] == ',' ? 1 : 0);
    }
    for (size_t i = 0; rc == 0 && extra != NULL && extra[i] != NULL; i++) {
        if (customs_policy_reference_normalize(ref, sizeof(ref), extra[i]) == 0) {
            const char *params[2] = {ref, digest};
            rc = s->be->query(s->conn, sql_name, params, 2, NULL, NULL, err);
        }
    }
    return rc;
}

static int store_first_seen(struct customs_store *s, const char *digest,
                            const struct customs_policy_image *im, time_t now,
                            struct customs_error *err)
{
    char when[24];
    int rc = 0;
    snprintf(when, sizeof(when), "%lld", (long long)now);
    for (size_t i = 0; rc == 0 && i < im->nvulns; i++) {
        const char *params[4] = {digest, im->vulns[i].id,
                                 im->vulns[i].package != NULL ? im->vulns[i].package : "", when};
        rc = s->be->query(s->conn, sql_seen, params, 4, NULL, NULL, err);
    }
    return rc;
}

/* The fingerprints of a policy's top-level signature keys as stored (a JSON array), or NULL
 * when it has none. */
static char *policy_fingerprints_text(const struct customs_policy *p, bool *oom)
{
    const struct customs_policy_images *im = &p->base.images;
    *oom = false;
    if (im->nsignature_fingerprints == 0) {
        return NULL;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < im->nsignature_fingerprints; i++) {
        if (json_array_append_new(arr, json_string(im->signature_fingerprints[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    char *text = dump(arr);
    *oom = text == NULL;
    return text;
}

int customs_store_record(struct customs_store *s, const struct customs_report *r,
                         const char *const *extra_names, const struct customs_policy *policy,
                         const struct customs_verdict *v, time_t now, struct customs_error *err)
{
    const char *policy_name = policy != NULL ? policy->name : NULL;
    const char *policy_text = policy != NULL ? policy->source : NULL;
    char *policy_keys = NULL;
    const char *digest = r->target.manifest_digest != NULL ? r->target.manifest_digest
                                                           : r->target.config_digest;
    struct customs_arena arena;
    struct customs_policy_image im;
    char sha[CUSTOMS_DIGEST_MAX] = "";
    char when[24];
    char scanned[2];
    char nerr[24];
    char *os = NULL;
    char *packages = NULL;
    char *findings = NULL;
    char *reasons = NULL;
    int rc;
    if (digest == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "%s: only images can be recorded (a directory has no digest)",
                                 r->target.name);
    }
    customs_arena_init(&arena);
    rc = customs_policy_image_from_report(&im, &arena, r);
    if (rc == 0 && policy_text != NULL) {
        struct customs_sha256 h;
        rc = customs_sha256_init(&h);
        if (rc == 0) {
            customs_sha256_update(&h, policy_text, strlen(policy_text));
            rc = customs_sha256_final(&h, sha);
        }
    }
    if (rc < 0) {
        goto out;
    }
    os = dump(json_pack("{s:o, s:o, s:o, s:o}", "id", jstr_or_null(r->has_os ? r->os.id : NULL),
                        "version", jstr_or_null(r->has_os ? r->os.version : NULL), "codename",
                        jstr_or_null(r->has_os ? r->os.codename : NULL), "pretty",
                        jstr_or_null(r->has_os ? r->os.pretty : NULL)));
    packages = dump(packages_json(r));
    findings = dump(image_findings_json(&im));
    reasons = v != NULL && policy_text != NULL ? reasons_text(v) : NULL;
    bool keys_oom = false;
    policy_keys = policy != NULL ? policy_fingerprints_text(policy, &keys_oom) : NULL;
    if (os == NULL || packages == NULL || findings == NULL || keys_oom ||
        (v != NULL && policy_text != NULL && reasons == NULL)) {
        rc = CUSTOMS_ENOMEM;
        goto out;
    }
    snprintf(when, sizeof(when), "%lld", (long long)now);
    snprintf(scanned, sizeof(scanned), "%d", r->vulns_scanned ? 1 : 0);
    snprintf(nerr, sizeof(nerr), "%zu", r->errors.len);
    rc = s->be->exec(s->conn, "BEGIN", err);
    if (rc == 0 && policy_text != NULL) {
        const char *params[4] = {sha, policy_name != NULL ? policy_name : "", policy_text,
                                 policy_keys};
        rc = s->be->query(s->conn, sql_policy, params, 4, NULL, NULL, err);
    }
    if (rc == 0) {
        const char *params[13] = {digest, r->target.config_digest, r->target.index_digest,
                                  r->target.name, os,
                                  packages, findings, scanned, nerr,
                                  policy_text != NULL ? sha : NULL,
                                  reasons != NULL ? customs_effect_name(v->effect) : NULL,
                                  reasons, when};
        rc = s->be->query(s->conn, sql_image, params, 13, NULL, NULL, err);
    }
    if (rc == 0 && r->target.config_digest != NULL && r->target.manifest_digest != NULL) {
        const char *params[2] = {r->target.config_digest, digest};
        rc = s->be->query(s->conn, sql_alias, params, 2, NULL, NULL, err);
    }
    if (rc == 0 && r->target.index_digest != NULL && r->target.manifest_digest != NULL) {
        /* a reference to the index finds the platform image recorded last under it */
        const char *params[2] = {r->target.index_digest, digest};
        rc = s->be->query(s->conn, sql_alias, params, 2, NULL, NULL, err);
    }
    const struct customs_report_signature *sig = r->signature;
    if (rc == 0 && sig != NULL && sig->fingerprint != NULL && r->target.manifest_digest != NULL) {
        const char *params[7] = {digest, sig->fingerprint, sig->format, sig->key, sig->digest,
                                 sig->identity, when};
        rc = s->be->query(s->conn, sql_signature, params, 7, NULL, NULL, err);
    }
    if (rc == 0) {
        rc = store_names(s, digest, r->target.repo_tags, extra_names, err);
    }
    if (rc == 0) {
        rc = store_first_seen(s, digest, &im, now, err);
    }
    if (rc == 0) {
        rc = s->be->exec(s->conn, "COMMIT", err);
    } else {
        s->be->exec(s->conn, "ROLLBACK", NULL);
    }
out:
    if (rc == CUSTOMS_ENOMEM) {
        customs_error_set(err, rc, "out of memory");
    }
    free(os);
    free(packages);
    free(findings);
    free(reasons);
    free(policy_keys);
    customs_arena_release(&arena);
    return rc;
}

/* ---- reading rows back ---- */

static const char *arena_str(struct customs_arena *a, const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? customs_arena_strdup(a, json_string_value(v)) : NULL;
}

static enum customs_severity sev_of(const json_t *o)
{
    enum customs_severity s = CUSTOMS_SEVERITY_UNKNOWN;
    const char *name = json_string_value(json_object_get(o, "severity"));
    if (name != NULL && customs_severity_parse(name, strlen(name), &s) < 0) {
        s = CUSTOMS_SEVERITY_UNKNOWN; /* a stored name customs does not know */
    }
    return s;
}

static int parse_findings(struct customs_policy_finding **out, size_t *n,
                          struct customs_arena *a, const json_t *arr)
{
    size_t len = json_array_size(arr);
    struct customs_policy_finding *f = customs_arena_alloc(a, (len + 1) * sizeof(*f));
    if (f == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        const json_t *o = json_array_get(arr, i);
        if (!json_is_string(json_object_get(o, "rule"))) {
            return CUSTOMS_EMALFORMED; /* every finding customs records names its rule */
        }
        f[i] = (struct customs_policy_finding){arena_str(a, o, "rule"), arena_str(a, o, "title"),
                                               arena_str(a, o, "path"), sev_of(o)};
        if (f[i].rule == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    *out = f;
    *n = len;
    return 0;
}

/* What the scan could not check (absent in records made before it was recorded: none). */
static int parse_gaps(const struct customs_policy_gap **out, size_t *n, struct customs_arena *a,
                      const json_t *arr)
{
    if (arr != NULL && !json_is_array(arr)) {
        return CUSTOMS_EMALFORMED; /* a gap that cannot be read is no "covered" */
    }
    size_t len = json_array_size(arr);
    struct customs_policy_gap *g = customs_arena_alloc(a, (len + 1) * sizeof(*g));
    if (g == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        const json_t *t = json_array_get(arr, i);
        const json_t *kind = json_array_get(t, 0);
        const json_t *subject = json_array_get(t, 1);
        const json_t *message = json_array_get(t, 2);
        if (!json_is_string(kind) || (subject != NULL && !json_is_string(subject) &&
                                      !json_is_null(subject)) ||
            (message != NULL && !json_is_string(message) && !json_is_null(message))) {
            return CUSTOMS_EMALFORMED;
        }
        g[i].kind = customs_arena_strdup(a, json_string_value(kind));
        g[i].subject = json_is_string(subject) ? customs_arena_strdup(a, json_string_value(subject))
                                               : NULL;
        g[i].message = json_is_string(message) ? customs_arena_strdup(a, json_string_value(message))
                                               : NULL;
        if (g[i].kind == NULL || (json_is_string(subject) && g[i].subject == NULL) ||
            (json_is_string(message) && g[i].message == NULL)) {
            return CUSTOMS_ENOMEM;
        }
    }
    *out = g;
    *n = len;
    return 0;
}

/* The vulnerabilities of a findings document; first_seen filled by the caller. */
static int parse_vulns(struct customs_policy_vuln **out, size_t *n, struct customs_arena *a,
                       const json_t *arr)
{
    size_t len = json_array_size(arr);
    struct customs_policy_vuln *v = customs_arena_alloc(a, (len + 1) * sizeof(*v));
    if (v == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        const json_t *o = json_array_get(arr, i);
        const json_t *al = json_object_get(o, "aliases");
        if (!json_is_string(json_object_get(o, "id"))) {
            return CUSTOMS_EMALFORMED; /* every vulnerability customs records has an id */
        }
        const char **aliases = customs_arena_alloc(a, (json_array_size(al) + 1) * sizeof(char *));
        if (aliases == NULL) {
            return CUSTOMS_ENOMEM;
        }
        size_t na = 0;
        for (size_t k = 0; k < json_array_size(al); k++) {
            if (json_is_string(json_array_get(al, k))) {
                aliases[na++] = customs_arena_strdup(a, json_string_value(json_array_get(al, k)));
            }
        }
        v[i] = (struct customs_policy_vuln){
            .id = arena_str(a, o, "id"),
            .aliases = aliases,
            .naliases = na,
            .package = arena_str(a, o, "package"),
            .installed = arena_str(a, o, "installed"),
            .fixed = arena_str(a, o, "fixed"),
            .severity = sev_of(o),
            .known_exploited = json_is_true(json_object_get(o, "known_exploited")),
        };
        if (v[i].id == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    *out = v;
    *n = len;
    return 0;
}

struct seen_ctx {
    struct customs_policy_vuln *vulns;
    size_t n;
};

static int row_seen(const char *const *cols, size_t n, void *payload)
{
    struct seen_ctx *c = payload;
    if (n < 3 || cols[0] == NULL || cols[1] == NULL || cols[2] == NULL) {
        return 0;
    }
    for (size_t i = 0; i < c->n; i++) {
        const char *pkg = c->vulns[i].package != NULL ? c->vulns[i].package : "";
        if (strcmp(c->vulns[i].id, cols[0]) == 0 && strcmp(pkg, cols[1]) == 0) {
            c->vulns[i].first_seen = (time_t)strtoll(cols[2], NULL, 10);
        }
    }
    return 0;
}

static const char sql_seen_of[] =
    "SELECT vuln, package, seen_at FROM first_seen WHERE digest = $1";

static int load_first_seen(struct customs_store *s, const char *digest,
                           struct customs_policy_vuln *v, size_t n, struct customs_error *err)
{
    struct seen_ctx c = {v, n};
    const char *params[1] = {digest};
    return s->be->query(s->conn, sql_seen_of, params, 1, row_seen, &c, err);
}

/* ---- signatures ---- */

struct sig_rows {
    struct customs_vec *out;
    struct customs_arena *arena;
};

static int row_signature(const char *const *cols, size_t n, void *payload)
{
    struct sig_rows *c = payload;
    if (n < 5 || cols[0] == NULL) {
        return 0;
    }
    struct customs_policy_signature *sig = customs_vec_push(c->out);
    if (sig == NULL) {
        return CUSTOMS_ENOMEM;
    }
    const char *const *from[4] = {&cols[0], &cols[1], &cols[2], &cols[3]};
    const char **to[4] = {&sig->fingerprint, &sig->key, &sig->format, &sig->identity};
    for (size_t i = 0; i < 4; i++) {
        *to[i] = *from[i] != NULL ? customs_arena_strdup(c->arena, *from[i]) : NULL;
        if (*from[i] != NULL && *to[i] == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    sig->verified_at = cols[4] != NULL ? (time_t)strtoll(cols[4], NULL, 10) : 0;
    return 0;
}

/* ---- lookups ---- */

struct row_image {
    struct customs_store *s;
    bool found;
    char digest[CUSTOMS_DIGEST_MAX + 8];
    int rc;
};

/* The image and, in the same round trip, the signatures recorded for it (one row each; one
 * row with NULLs in their columns when there is none). */
static const char sql_lookup[] =
    "SELECT i.digest, i.findings, i.vulns_scanned, i.errors, i.checked_at, s.fingerprint,"
    " s.key_name, s.format, s.identity, s.verified_at FROM images i"
    " LEFT JOIN signatures s ON s.digest = i.digest WHERE i.digest = $1"
    " ORDER BY s.verified_at DESC, s.fingerprint";
static const char sql_by_alias[] = "SELECT digest FROM aliases WHERE alias = $1";
static const char sql_by_name[] = "SELECT digest FROM names WHERE name = $1";

int customs_store_findings_parse(struct customs_policy_image *im,
                                 struct customs_policy_vuln **vulns, struct customs_arena *arena,
                                 const char *text, size_t len)
{
    json_error_t jerr;
    memset(im, 0, sizeof(*im));
    json_t *f = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(f)) {
        json_decref(f);
        return CUSTOMS_EMALFORMED;
    }
    struct customs_policy_vuln *v = NULL;
    struct customs_policy_finding *sec = NULL;
    struct customs_policy_finding *mal = NULL;
    int rc = parse_vulns(&v, &im->nvulns, arena, json_object_get(f, "vulns"));
    if (rc == 0) {
        rc = parse_findings(&sec, &im->nsecrets, arena, json_object_get(f, "secrets"));
    }
    if (rc == 0) {
        rc = parse_findings(&mal, &im->nmalware, arena, json_object_get(f, "malware"));
    }
    if (rc == 0) {
        rc = parse_gaps(&im->gaps, &im->ngaps, arena, json_object_get(f, "coverage"));
    }
    json_decref(f);
    if (rc < 0) {
        memset(im, 0, sizeof(*im));
        return rc;
    }
    im->vulns = v;
    im->secrets = sec;
    im->malware = mal;
    im->known = true;
    if (vulns != NULL) {
        *vulns = v;
    }
    return 0;
}

static int row_image(const char *const *cols, size_t n, void *payload)
{
    struct row_image *ri = payload;
    struct customs_store *s = ri->s;
    struct customs_policy_image *im = &s->image;
    if (n < 10 || cols[0] == NULL || cols[1] == NULL) {
        return 0;
    }
    if (!ri->found) { /* the image's columns repeat on each signature's row */
        int rc = customs_store_findings_parse(im, &s->vulns, &s->arena, cols[1],
                                              strlen(cols[1]));
        if (rc < 0) {
            ri->rc = rc;
            return 1;
        }
        im->digest = customs_arena_strdup(&s->arena, cols[0]);
        im->vulns_scanned = cols[2] != NULL && strcmp(cols[2], "1") == 0;
        im->nerrors = cols[3] != NULL ? (size_t)strtoull(cols[3], NULL, 10) : 0;
        im->scanned_at = cols[4] != NULL ? (time_t)strtoll(cols[4], NULL, 10) : 0;
        ri->found = true;
    }
    struct sig_rows sr = {&s->sigs, &s->arena};
    int rc = cols[5] != NULL ? row_signature(cols + 5, n - 5, &sr) : 0;
    if (rc < 0) {
        ri->rc = rc;
        return 1;
    }
    return 0;
}

static int row_digest(const char *const *cols, size_t n, void *payload)
{
    struct row_image *ri = payload;
    if (n > 0 && cols[0] != NULL && strlen(cols[0]) < sizeof(ri->digest)) {
        snprintf(ri->digest, sizeof(ri->digest), "%s", cols[0]);
        ri->found = true;
    }
    return 0;
}

int customs_store_lookup(const struct customs_policy_image **out, const char *ref, void *store,
                         struct customs_error *err)
{
    struct customs_store *s = store;
    struct row_image ri = {.s = s};
    char norm[STORE_REF_MAX];
    int rc;
    *out = NULL;
    customs_arena_reset(&s->arena);
    s->sigs.len = 0;
    const char *at = strchr(ref, '@');
    if (at != NULL) {
        snprintf(ri.digest, sizeof(ri.digest), "%s", at + 1);
        const char *params[1] = {ri.digest};
        rc = s->be->query(s->conn, sql_by_alias, params, 1, row_digest, &ri, err);
        ri.found = false;
    } else if (customs_policy_reference_normalize(norm, sizeof(norm), ref) == 0) {
        const char *params[1] = {norm};
        rc = s->be->query(s->conn, sql_by_name, params, 1, row_digest, &ri, err);
        if (!ri.found) {
            return rc;
        }
        ri.found = false;
    } else {
        return 0; /* not a reference: nothing is recorded for it */
    }
    if (rc == 0) {
        const char *params[1] = {ri.digest};
        rc = s->be->query(s->conn, sql_lookup, params, 1, row_image, &ri, err);
    }
    /* a row callback stops the query by returning 1: that is not success */
    if (rc >= 0 && ri.rc < 0) {
        rc = ri.rc == CUSTOMS_ENOMEM
                 ? customs_error_set(err, ri.rc, "out of memory")
                 : customs_error_set(err, ri.rc, "%s: store: the record of %s does not parse",
                                     s->uri, ri.digest);
    }
    if (rc == 0 && ri.found) {
        rc = load_first_seen(s, ri.digest, s->vulns, s->image.nvulns, err);
        s->image.signatures = s->sigs.items;
        s->image.nsignatures = s->sigs.len;
    }
    if (rc == 0 && ri.found) {
        *out = &s->image;
    }
    return rc;
}

/* ---- refresh ---- */

/* What the database says about one package: cached for the whole refresh, so a package that
 * many images share is matched once. */
struct pkg_result {
    struct customs_policy_vuln *vulns;
    size_t n;
};

/* Images are refreshed in chunks of this many (ordered by digest): each chunk costs four
 * reads (the images, then their first-seen times, signatures and names, by digest range) and
 * its writes go to the backend as one batch (a PostgreSQL pipeline), so the round trips do not
 * grow with the images; memory is bounded by the chunk. */
#define REFRESH_CHUNK 128
#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)

/* One stored image of the chunk being refreshed; strings in the chunk's arena. */
struct refresh_row {
    const char *digest;
    const char *os;
    const char *packages;
    const char *findings;
    const char *policy_sha;
    const char *verdict;
    const char *scanned_at;
    struct customs_vec sigs;  /* struct customs_policy_signature */
    struct customs_buf names; /* ", "-separated */
    struct customs_verdict v; /* the new verdict, kept until the chunk's writes succeeded */
    bool changed;
    enum customs_effect old;
};

struct refresh {
    struct customs_store *s;
    struct customs_vulndb *db;
    const struct customs_policy *policy;
    time_t now;
    uint32_t max_db_age_days;
    struct customs_coverage_rows coverage; /* the database's, read at the first image */
    bool coverage_loaded;
    char when[24];
    struct customs_arena cache_arena;
    struct customs_strmap cache;      /* key -> struct pkg_result */
    struct customs_strmap policies;   /* sha256 -> struct customs_policy * */
    struct customs_store_refresh_stats *stats;
    customs_store_change_fn changed;
    void *payload;
    struct customs_error *err;
    /* the chunk */
    struct customs_arena chunk_arena;
    struct refresh_row rows[REFRESH_CHUNK];
    size_t nrows;
    struct customs_strmap by_digest;  /* digest -> struct refresh_row */
    struct customs_strmap seen;       /* "digest\x1fvuln\x1fpackage" -> time_t */
    int rc;                           /* a row callback's failure */
};

static const char sql_chunk[] =
    "SELECT digest, os, packages, findings, policy, verdict, scanned_at FROM images"
    " WHERE digest > $1 ORDER BY digest LIMIT " STORE_STR(REFRESH_CHUNK);
static const char sql_chunk_seen[] =
    "SELECT digest, vuln, package, seen_at FROM first_seen WHERE digest >= $1 AND digest <= $2";
static const char sql_chunk_signatures[] =
    "SELECT digest, fingerprint, key_name, format, identity, verified_at FROM signatures"
    " WHERE digest >= $1 AND digest <= $2 ORDER BY verified_at DESC, fingerprint";
static const char sql_chunk_names[] =
    "SELECT digest, name FROM names WHERE digest >= $1 AND digest <= $2 ORDER BY name";
/* an image recorded again while the refresh ran (scanned_at moved) keeps its new record */
static const char sql_update[] =
    "UPDATE images SET findings = $2, vulns_scanned = 1, verdict = $3, reasons = $4,"
    " checked_at = $5 WHERE digest = $1 AND scanned_at = $6";
static const char sql_policy_body[] =
    "SELECT name, body, key_fingerprints FROM policies WHERE sha256 = $1";

static const char *chunk_dup(struct refresh *f, const char *s, bool *oom)
{
    const char *d = s != NULL ? customs_arena_strdup(&f->chunk_arena, s) : NULL;
    *oom = *oom || (s != NULL && d == NULL);
    return d;
}

static int row_chunk(const char *const *cols, size_t n, void *payload)
{
    struct refresh *f = payload;
    bool oom = false;
    if (n < 7 || cols[0] == NULL || f->nrows >= REFRESH_CHUNK) {
        return 0;
    }
    struct refresh_row *r = &f->rows[f->nrows];
    r->digest = chunk_dup(f, cols[0], &oom);
    r->os = chunk_dup(f, cols[1], &oom);
    r->packages = chunk_dup(f, cols[2], &oom);
    r->findings = chunk_dup(f, cols[3], &oom);
    r->policy_sha = chunk_dup(f, cols[4], &oom);
    r->verdict = chunk_dup(f, cols[5], &oom);
    r->scanned_at = chunk_dup(f, cols[6] != NULL ? cols[6] : "0", &oom);
    customs_vec_init(&r->sigs, sizeof(struct customs_policy_signature));
    customs_buf_init(&r->names, 1u << 16);
    customs_verdict_init(&r->v);
    r->changed = false;
    f->nrows++;
    if (oom || customs_strmap_put(&f->by_digest, r->digest, r) < 0) {
        return CUSTOMS_ENOMEM;
    }
    return 0;
}

static int row_chunk_seen(const char *const *cols, size_t n, void *payload)
{
    struct refresh *f = payload;
    if (n < 4 || cols[0] == NULL || cols[1] == NULL || cols[2] == NULL || cols[3] == NULL ||
        customs_strmap_get(&f->by_digest, cols[0]) == NULL) {
        return 0;
    }
    const char *key = customs_arena_printf(&f->chunk_arena, "%s\x1f%s\x1f%s", cols[0], cols[1],
                                           cols[2]);
    time_t *t = customs_arena_alloc(&f->chunk_arena, sizeof(*t));
    if (key == NULL || t == NULL) {
        return CUSTOMS_ENOMEM;
    }
    *t = (time_t)strtoll(cols[3], NULL, 10);
    return customs_strmap_put(&f->seen, key, t) < 0 ? CUSTOMS_ENOMEM : 0;
}

static int row_chunk_signature(const char *const *cols, size_t n, void *payload)
{
    struct refresh *f = payload;
    struct refresh_row *r = n >= 6 && cols[0] != NULL ? customs_strmap_get(&f->by_digest, cols[0])
                                                      : NULL;
    struct sig_rows sr = {r != NULL ? &r->sigs : NULL, &f->chunk_arena};
    return r != NULL ? row_signature(cols + 1, n - 1, &sr) : 0;
}

static int row_chunk_name(const char *const *cols, size_t n, void *payload)
{
    struct refresh *f = payload;
    struct refresh_row *r = n >= 2 && cols[0] != NULL && cols[1] != NULL
                                ? customs_strmap_get(&f->by_digest, cols[0])
                                : NULL;
    if (r == NULL) {
        return 0;
    }
    return customs_buf_printf(&r->names, "%s%s", r->names.len > 0 ? ", " : "", cols[1]);
}

static void chunk_release(struct refresh *f)
{
    for (size_t i = 0; i < f->nrows; i++) {
        customs_vec_release(&f->rows[i].sigs);
        customs_buf_release(&f->rows[i].names);
        customs_verdict_release(&f->rows[i].v);
    }
    f->nrows = 0;
    customs_strmap_release(&f->by_digest);
    customs_strmap_release(&f->seen);
    customs_arena_release(&f->chunk_arena);
    customs_strmap_init(&f->by_digest);
    customs_strmap_init(&f->seen);
    customs_arena_init(&f->chunk_arena);
}

/* The next chunk of images after `after` ("" for the first), with their first-seen times,
 * signatures and names. f->nrows is 0 at the end. */
static int chunk_read(struct refresh *f, const char *after)
{
    struct customs_store *s = f->s;
    const char *params[2] = {after, NULL};
    int rc = s->be->query(s->conn, sql_chunk, params, 1, row_chunk, f, f->err);
    if (rc == 0 && f->nrows > 0) {
        params[0] = f->rows[0].digest;
        params[1] = f->rows[f->nrows - 1].digest;
        rc = s->be->query(s->conn, sql_chunk_seen, params, 2, row_chunk_seen, f, f->err);
        if (rc == 0) {
            rc = s->be->query(s->conn, sql_chunk_signatures, params, 2, row_chunk_signature, f,
                              f->err);
        }
        if (rc == 0) {
            rc = s->be->query(s->conn, sql_chunk_names, params, 2, row_chunk_name, f, f->err);
        }
    }
    if (rc == CUSTOMS_ENOMEM) {
        customs_error_set(f->err, rc, "out of memory");
    }
    return rc;
}

static int refresh_policy(struct refresh *f, const char *sha, const struct customs_policy **out);

/* The policies the chunk's images were recorded with, compiled before its batch of writes. */
static int chunk_policies(struct refresh *f)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && f->policy == NULL && i < f->nrows; i++) {
        const struct customs_policy *p = NULL;
        if (f->rows[i].policy_sha != NULL) {
            rc = refresh_policy(f, f->rows[i].policy_sha, &p);
        }
    }
    return rc;
}

struct row_policy {
    char *name;
    char *body;
    char *keys;
};

static int row_policy(const char *const *cols, size_t n, void *payload)
{
    struct row_policy *p = payload;
    if (n >= 3 && cols[0] != NULL && cols[1] != NULL) {
        p->name = customs_strdup(cols[0]);
        p->body = customs_strdup(cols[1]);
        p->keys = cols[2] != NULL ? customs_strdup(cols[2]) : NULL;
    }
    return 0;
}

int customs_store_policy_keys_apply(struct customs_policy *p, const char *text, size_t len)
{
    json_t *arr = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    size_t n = json_array_size(arr);
    const char **fprs = json_is_array(arr) && n <= 4096 ? customs_calloc(n + 1, sizeof(*fprs))
                                                        : NULL;
    int rc = fprs != NULL ? 0 : json_is_array(arr) && n <= 4096 ? CUSTOMS_ENOMEM
                                                                : CUSTOMS_EMALFORMED;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        fprs[i] = json_string_value(json_array_get(arr, i));
        rc = fprs[i] != NULL ? 0 : CUSTOMS_EMALFORMED;
    }
    if (rc == 0) {
        rc = customs_policy_set_fingerprints(p, fprs, n);
    }
    customs_free(fprs);
    json_decref(arr);
    return rc;
}

/* The policy an image was recorded with, compiled once per refresh. */
static int refresh_policy(struct refresh *f, const char *sha, const struct customs_policy **out)
{
    struct customs_policy *p = customs_strmap_get(&f->policies, sha);
    struct row_policy rp = {NULL, NULL, NULL};
    const char *params[1] = {sha};
    *out = p;
    if (p != NULL) {
        return 0;
    }
    int rc = f->s->be->query(f->s->conn, sql_policy_body, params, 1, row_policy, &rp, f->err);
    if (rc == 0 && rp.body == NULL) {
        rc = customs_error_set(f->err, CUSTOMS_EMALFORMED, "%s: store: policy %s is missing",
                               f->s->uri, sha);
    }
    if (rc == 0) {
        rc = customs_policy_load(&p, rp.name, rp.body, strlen(rp.body), NULL, NULL, f->err);
    }
    if (rc == 0 && rp.keys != NULL && (rc = customs_store_policy_keys_apply(p, rp.keys, strlen(rp.keys))) < 0) {
        customs_policy_free(p);
        rc = customs_error_set(f->err, rc, rc == CUSTOMS_ENOMEM ? "out of memory"
                                           : "%s: store: the key fingerprints of policy %s do "
                                             "not parse", f->s->uri, sha);
    }
    const char *key = rc == 0 ? customs_arena_strdup(&f->cache_arena, sha) : NULL;
    if (rc == 0 && (key == NULL || customs_strmap_put(&f->policies, key, p) < 0)) {
        customs_policy_free(p);
        rc = customs_error_set(f->err, CUSTOMS_ENOMEM, "out of memory");
    }
    customs_free(rp.name);
    customs_free(rp.body);
    customs_free(rp.keys);
    *out = rc == 0 ? p : NULL;
    return rc;
}

static const char *jget_str(struct customs_arena *a, const json_t *o, const char *key)
{
    return arena_str(a, o, key);
}

/* The cache key of a package: what matching reads of it, and the OS release. */
static int package_key(struct customs_buf *b, const char *oskey, const struct customs_package *p)
{
    const char *parts[6] = {p->type, p->name, p->version, p->epoch, p->source_name,
                            p->source_version};
    customs_buf_reset(b);
    int rc = customs_buf_puts(b, oskey);
    for (size_t i = 0; rc == 0 && i < 6; i++) {
        rc = customs_buf_append(b, "\x1f", 1);
        if (rc == 0 && parts[i] != NULL) {
            rc = customs_buf_puts(b, parts[i]);
        }
    }
    return rc;
}

static int package_copy(struct customs_package *dst, const struct customs_package *src,
                        struct customs_arena *a)
{
    const char *const *from[] = {&src->type, &src->name, &src->version, &src->epoch,
                                 &src->source_name, &src->source_version, &src->arch,
                                 &src->purl, &src->path};
    const char **to[] = {&dst->type, &dst->name, &dst->version, &dst->epoch, &dst->source_name,
                         &dst->source_version, &dst->arch, &dst->purl, &dst->path};
    *dst = *src;
    for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
        if (*from[i] != NULL && (*to[i] = customs_arena_strdup(a, *from[i])) == NULL) {
            return CUSTOMS_ENOMEM;
        }
    }
    return 0;
}

/* Match the packages of one image, from the cache where it can. Vulnerabilities into *out. */
static int refresh_match(struct refresh *f, struct customs_arena *a, const json_t *osj,
                         const json_t *pkgs, struct customs_policy_vuln **out, size_t *nout)
{
    struct customs_os os = {jget_str(a, osj, "id"), jget_str(a, osj, "version"),
                            jget_str(a, osj, "codename"), jget_str(a, osj, "pretty")};
    struct customs_inventory miss;
    struct customs_vec found;
    struct customs_buf key;
    char oskey[128] = "";
    size_t npk = json_array_size(pkgs);
    /* each package's cache entry, and those of the packages not matched before (in the order
     * of `miss`), which this image's match fills */
    struct pkg_result **prs = customs_arena_alloc(a, (npk + 1) * sizeof(*prs));
    struct pkg_result **miss_prs = customs_arena_alloc(a, (npk + 1) * sizeof(*miss_prs));
    int rc = prs != NULL && miss_prs != NULL ? 0 : CUSTOMS_ENOMEM;
    if (customs_match_os_key(oskey, sizeof(oskey), &os) < 0) {
        oskey[0] = '\0'; /* too long for any key: a release the database does not know */
    }
    customs_inventory_init(&miss, &f->cache_arena);
    customs_vec_init(&found, sizeof(struct customs_vuln_finding));
    customs_buf_init(&key, 1u << 16);
    for (size_t i = 0; rc == 0 && i < npk; i++) {
        const json_t *o = json_array_get(pkgs, i);
        struct customs_package p;
        memset(&p, 0, sizeof(p));
        const char **fields[] = {&p.type, &p.name, &p.version, &p.epoch, &p.source_name,
                                 &p.source_version, &p.arch, &p.purl, &p.path};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            const json_t *x = json_array_get(o, k);
            *fields[k] = json_is_string(x) ? json_string_value(x) : NULL; /* borrowed from pkgs */
        }
        rc = package_key(&key, oskey, &p);
        prs[i] = rc == 0 ? customs_strmap_get(&f->cache, customs_buf_cstr(&key)) : NULL;
        if (rc == 0 && prs[i] == NULL) {
            /* the same package twice in one image finds the entry made for its first */
            struct pkg_result *pr = customs_arena_alloc(&f->cache_arena, sizeof(*pr));
            struct customs_package *m = customs_inventory_add(&miss);
            const char *ckey = customs_arena_strdup(&f->cache_arena, customs_buf_cstr(&key));
            if (pr == NULL || m == NULL || ckey == NULL) {
                rc = CUSTOMS_ENOMEM;
            } else {
                pr->vulns = NULL;
                pr->n = 0;
                /* the findings borrow these strings, and the cache outlives this image */
                rc = package_copy(m, &p, &f->cache_arena);
                if (rc == 0) {
                    rc = customs_strmap_put(&f->cache, ckey, pr);
                }
                miss_prs[miss.packages.len - 1] = pr;
                prs[i] = pr;
            }
        }
    }
    f->stats->packages += npk;
    f->stats->matched += miss.packages.len;
    if (rc == 0 && miss.packages.len > 0) {
        rc = customs_match_inventory(&found, &f->cache_arena, f->db, &miss, &os, f->err);
    }
    /* the new findings go to their packages' cache entries */
    for (size_t k = 0; rc == 0 && k < found.len; k++) {
        const struct customs_vuln_finding *x = customs_vec_at(&found, k);
        miss_prs[x->package]->n++;
    }
    for (size_t i = 0; rc == 0 && i < miss.packages.len; i++) {
        struct pkg_result *pr = miss_prs[i];
        pr->vulns = customs_arena_alloc(&f->cache_arena, (pr->n + 1) * sizeof(*pr->vulns));
        rc = pr->vulns != NULL ? 0 : CUSTOMS_ENOMEM;
        pr->n = 0;
    }
    for (size_t k = 0; rc == 0 && k < found.len; k++) {
        const struct customs_vuln_finding *x = customs_vec_at(&found, k);
        struct pkg_result *pr = miss_prs[x->package];
        pr->vulns[pr->n++] = (struct customs_policy_vuln){
            .id = x->id, .aliases = x->aliases, .naliases = x->naliases,
            .package = x->name, .installed = x->installed, .fixed = x->fixed,
            .severity = x->severity,
        };
    }
    size_t total = 0;
    for (size_t i = 0; rc == 0 && i < npk; i++) {
        total += prs[i]->n;
    }
    struct customs_policy_vuln *v = rc == 0 ? customs_arena_alloc(a, (total + 1) * sizeof(*v)) : NULL;
    if (rc == 0 && v == NULL) {
        rc = CUSTOMS_ENOMEM;
    }
    *nout = 0;
    for (size_t i = 0; rc == 0 && i < npk; i++) {
        for (size_t k = 0; k < prs[i]->n; k++) {
            v[(*nout)++] = prs[i]->vulns[k];
        }
    }
    *out = v;
    customs_buf_release(&key);
    customs_vec_release(&found);
    customs_inventory_release(&miss);
    if (rc == CUSTOMS_ENOMEM) {
        customs_error_set(f->err, rc, "out of memory");
    }
    return rc;
}

/* Each vulnerability's first-seen time from the chunk's rows; one not seen before on this image
 * is seen now, and its row is written (in the chunk's batch). */
static int refresh_first_seen(struct refresh *f, const char *digest,
                              struct customs_policy_vuln *v, size_t n, struct customs_buf *key)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *pkg = v[i].package != NULL ? v[i].package : "";
        customs_buf_reset(key);
        rc = customs_buf_printf(key, "%s\x1f%s\x1f%s", digest, v[i].id, pkg);
        const time_t *t = rc == 0 ? customs_strmap_get(&f->seen, customs_buf_cstr(key)) : NULL;
        v[i].first_seen = t != NULL ? *t : f->now;
        if (rc == 0 && t == NULL) {
            const char *params[4] = {digest, v[i].id, pkg, f->when};
            rc = f->s->be->query(f->s->conn, sql_seen, params, 4, NULL, NULL, f->err);
        }
    }
    if (rc == CUSTOMS_ENOMEM) {
        customs_error_set(f->err, rc, "out of memory");
    }
    return rc;
}

/* What the refreshed image's scan could not check, against the current database: the files it
 * could not read (kept from the record: the inventory is the same) and the coverage of its
 * release and ecosystems, measured again (the database may now cover them, or be stale). */
static int refresh_gaps(struct refresh *f, struct customs_arena *a, const json_t *osj,
                        const json_t *pkgs, const json_t *stored,
                        struct customs_policy_image *im)
{
    const struct customs_policy_gap *old = NULL;
    size_t nold = 0;
    int rc = parse_gaps(&old, &nold, a, stored);
    if (rc < 0) {
        return rc;
    }
    struct customs_report *rep = customs_report_new();
    if (rep == NULL) {
        return CUSTOMS_ENOMEM;
    }
    rep->os = (struct customs_os){jget_str(a, osj, "id"), jget_str(a, osj, "version"),
                                  jget_str(a, osj, "codename"), jget_str(a, osj, "pretty")};
    rep->has_os = rep->os.id != NULL;
    if (rep->has_os && (rep->os_eol = customs_match_os_eol(&rep->os)) != NULL) {
        char today[16];
        struct tm tm;
        gmtime_r(&f->now, &tm);
        strftime(today, sizeof(today), "%Y-%m-%d", &tm);
        rep->os_eol_reached = strcmp(today, rep->os_eol) > 0;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(pkgs); i++) {
        const json_t *o = json_array_get(pkgs, i);
        struct customs_package *p = customs_inventory_add(&rep->inventory);
        if (p == NULL) {
            rc = CUSTOMS_ENOMEM;
            break;
        }
        const char **fields[] = {&p->type, &p->name, &p->version, &p->epoch, &p->source_name,
                                 &p->source_version, &p->arch, &p->purl, &p->path};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            const json_t *x = json_array_get(o, k);
            *fields[k] = json_is_string(x) ? json_string_value(x) : NULL; /* borrowed */
        }
    }
    if (rc == 0 && !f->coverage_loaded) {
        rc = customs_coverage_rows_load(&f->coverage, f->db, f->err);
        f->coverage_loaded = rc == 0;
    }
    if (rc == 0) {
        rc = customs_coverage_check_rows(rep, &f->coverage, f->max_db_age_days, f->now, f->err);
    }
    size_t n = 0;
    struct customs_policy_gap *g =
        rc == 0 ? customs_arena_alloc(a, (nold + rep->coverage_problems.len + 1) * sizeof(*g))
                : NULL;
    if (rc == 0 && g == NULL) {
        rc = CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < rep->coverage_problems.len; i++) {
        const struct customs_coverage_problem *c = customs_vec_at(&rep->coverage_problems, i);
        g[n] = (struct customs_policy_gap){customs_arena_strdup(a, c->kind),
                                           c->subject != NULL ? customs_arena_strdup(a, c->subject)
                                                              : NULL,
                                           customs_arena_strdup(a, c->message)};
        if (g[n].kind == NULL || g[n].message == NULL ||
            (c->subject != NULL && g[n].subject == NULL)) {
            rc = CUSTOMS_ENOMEM;
        }
        n++;
    }
    for (size_t i = 0; rc == 0 && i < nold; i++) {
        if (strcmp(old[i].kind, "incomplete") == 0) {
            g[n++] = old[i];
        }
    }
    customs_report_free(rep);
    if (rc == 0) {
        im->gaps = g;
        im->ngaps = n;
    }
    return rc;
}

static int refresh_image(struct refresh *f, struct refresh_row *r)
{
    struct customs_arena a;
    struct customs_policy_image im;
    struct customs_buf key;
    json_t *osj = NULL;
    json_t *pkgs = NULL;
    json_t *fj = NULL;
    char *findings = NULL;
    char *reasons = NULL;
    const struct customs_policy *policy = f->policy;
    const char *digest = r->digest;
    int rc = 0;
    customs_arena_init(&a);
    customs_buf_init(&key, 1u << 16);
    memset(&im, 0, sizeof(im));
    if (r->packages == NULL) {
        goto out;
    }
    osj = json_loads(r->os != NULL ? r->os : "{}", 0, NULL);
    pkgs = json_loads(r->packages, 0, NULL);
    fj = json_loads(r->findings != NULL ? r->findings : "{}", 0, NULL);
    if (!json_is_object(osj) || !json_is_array(pkgs) || !json_is_object(fj)) {
        rc = customs_error_set(f->err, CUSTOMS_EMALFORMED,
                               "%s: store: the record of %s does not parse", f->s->uri, digest);
        goto out;
    }
    struct customs_policy_vuln *vulns = NULL;
    struct customs_policy_finding *sec = NULL;
    struct customs_policy_finding *mal = NULL;
    rc = refresh_match(f, &a, osj, pkgs, &vulns, &im.nvulns);
    if (rc < 0) {
        goto out; /* the message is set */
    }
    rc = parse_findings(&sec, &im.nsecrets, &a, json_object_get(fj, "secrets"));
    if (rc == 0) {
        rc = parse_findings(&mal, &im.nmalware, &a, json_object_get(fj, "malware"));
    }
    if (rc == 0) {
        rc = refresh_gaps(f, &a, osj, pkgs, json_object_get(fj, "coverage"), &im);
    }
    if (rc == CUSTOMS_EMALFORMED || rc == CUSTOMS_ENOMEM) {
        customs_error_set(f->err, rc, rc == CUSTOMS_ENOMEM ? "out of memory"
                                          : "%s: store: the findings of %s do not parse",
                          f->s->uri, digest);
    }
    if (rc < 0) {
        goto out;
    }
    im.vulns = vulns;
    im.secrets = sec;
    im.malware = mal;
    im.known = true;
    im.vulns_scanned = true;
    im.digest = digest;
    im.signatures = r->sigs.items;
    im.nsignatures = r->sigs.len;
    rc = refresh_first_seen(f, digest, vulns, im.nvulns, &key);
    if (rc == 0 && policy == NULL && r->policy_sha != NULL) {
        rc = refresh_policy(f, r->policy_sha, &policy);
    }
    if (rc == 0 && policy != NULL) {
        rc = customs_policy_judge_image(&r->v, policy, NULL, &im, NULL, f->now, f->err);
    }
    if (rc < 0) {
        goto out;
    }
    findings = dump(image_findings_json(&im));
    reasons = policy != NULL ? reasons_text(&r->v) : NULL;
    if (findings == NULL || (policy != NULL && reasons == NULL)) {
        rc = customs_error_set(f->err, CUSTOMS_ENOMEM, "out of memory");
        goto out;
    }
    const char *effect = policy != NULL ? customs_effect_name(r->v.effect) : r->verdict;
    const char *up[6] = {digest, findings, effect, reasons, f->when, r->scanned_at};
    rc = f->s->be->query(f->s->conn, sql_update, up, 6, NULL, NULL, f->err);
    f->stats->images++;
    if (rc == 0 && policy != NULL && (r->verdict == NULL || strcmp(r->verdict, effect) != 0)) {
        r->old = CUSTOMS_EFFECT_ALLOW;
        if (r->verdict == NULL || customs_effect_parse(&r->old, r->verdict) != 0) {
            r->old = CUSTOMS_EFFECT_ALLOW;
        }
        r->changed = true;
        f->stats->changed++;
    }
out:
    free(findings);
    free(reasons);
    json_decref(osj);
    json_decref(pkgs);
    json_decref(fj);
    customs_buf_release(&key);
    customs_arena_release(&a);
    return rc;
}

/* One chunk: its images matched and judged, the writes as one batch, then (the writes having
 * succeeded) the changes reported. */
static int refresh_chunk(struct refresh *f)
{
    struct customs_store *s = f->s;
    int rc = chunk_policies(f);
    if (rc == 0 && s->be->batch != NULL) {
        rc = s->be->batch(s->conn, true, f->err);
    }
    for (size_t i = 0; rc == 0 && i < f->nrows; i++) {
        rc = refresh_image(f, &f->rows[i]);
    }
    if (s->be->batch != NULL) {
        int end = s->be->batch(s->conn, false, rc == 0 ? f->err : NULL); /* leaves it anyway */
        rc = rc == 0 ? end : rc;
    }
    for (size_t i = 0; rc == 0 && i < f->nrows; i++) {
        struct refresh_row *r = &f->rows[i];
        if (r->changed && f->changed != NULL) {
            struct customs_store_change c = {r->digest, customs_buf_cstr(&r->names), r->old,
                                             r->v.effect, &r->v};
            f->changed(&c, f->payload);
        }
    }
    return rc;
}

int customs_store_refresh(struct customs_store *s, struct customs_vulndb *db,
                          const struct customs_policy *policy, time_t now,
                          uint32_t max_db_age_days, customs_store_change_fn changed, void *payload,
                          struct customs_store_refresh_stats *stats, struct customs_error *err)
{
    struct refresh *f = customs_calloc(1, sizeof(*f));
    memset(stats, 0, sizeof(*stats));
    if (f == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    *f = (struct refresh){.s = s, .db = db, .policy = policy, .now = now,
                          .max_db_age_days = max_db_age_days, .stats = stats,
                          .changed = changed, .payload = payload, .err = err};
    snprintf(f->when, sizeof(f->when), "%lld", (long long)now);
    customs_arena_init(&f->cache_arena);
    customs_arena_init(&f->chunk_arena);
    customs_strmap_init(&f->cache);
    customs_strmap_init(&f->policies);
    customs_strmap_init(&f->by_digest);
    customs_strmap_init(&f->seen);
    char after[CUSTOMS_DIGEST_MAX + 8] = "";
    /* one transaction: readers see the old verdicts until all the new ones are there */
    int rc = s->be->exec(s->conn, "BEGIN", err);
    while (rc == 0) {
        rc = chunk_read(f, after);
        if (rc < 0 || f->nrows == 0) {
            break;
        }
        rc = refresh_chunk(f);
        if (rc == 0 && strlen(f->rows[f->nrows - 1].digest) >= sizeof(after)) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: store: a digest is too long",
                                   s->uri);
        }
        if (rc == 0) {
            snprintf(after, sizeof(after), "%s", f->rows[f->nrows - 1].digest);
        }
        bool last = f->nrows < REFRESH_CHUNK;
        chunk_release(f);
        if (last) {
            break;
        }
    }
    if (rc == 0) {
        rc = s->be->exec(s->conn, "COMMIT", err);
    } else {
        s->be->exec(s->conn, "ROLLBACK", NULL);
    }
    chunk_release(f);
    size_t it = 0;
    const char *k;
    void *val;
    while (customs_strmap_next(&f->policies, &it, &k, &val)) {
        customs_policy_free(val);
    }
    customs_strmap_release(&f->policies);
    customs_strmap_release(&f->cache);
    customs_strmap_release(&f->by_digest);
    customs_strmap_release(&f->seen);
    if (f->coverage_loaded) {
        customs_coverage_rows_release(&f->coverage);
    }
    customs_arena_release(&f->chunk_arena);
    customs_arena_release(&f->cache_arena);
    customs_free(f);
    return rc;
}
