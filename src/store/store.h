/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_STORE_STORE_H
#define CUSTOMS_STORE_STORE_H

/*
 * The verdict store: for every image scanned with --record, its inventory (the packages and
 * the OS, enough to match them again), its findings, the policy it was judged by and the
 * verdict, keyed by manifest digest, with the config digest as an alias and every reference
 * name pointing at the last image recorded under it. Readers (the webhook, the gate, audit)
 * look images up by reference and judge them with their own policy; `refresh` re-matches every
 * stored inventory against a newer vulnerability database and re-judges.
 *
 * Backends sit behind a small vtable of text queries (store_backend in backend.h): SQLite (a
 * file, WAL, so readers never wait for a refresh) and PostgreSQL (libpq; MVCC, many webhook
 * replicas on one database), with one schema and one set of queries. The schema is versioned;
 * migrations run in order on open (on PostgreSQL under an advisory lock, so replicas starting
 * together migrate once). One handle per thread.
 */

#include <stdbool.h>
#include <time.h>

#include "core/core.h"
#include "model/verdict.h"
#include "policy/policy.h"

struct customs_report;
struct customs_vulndb;
struct customs_store;

#define CUSTOMS_STORE_SCHEMA_VERSION 2

/**
 * Open (creating and migrating when needed) the store at `uri`: a "postgresql://" or
 * "postgres://" URI (libpq's URI syntax; connect_timeout 5 s unless it says otherwise), else a
 * SQLite file path. Messages name the store by its URI with any password replaced by "***".
 * A PostgreSQL connection sets a statement timeout of 5 s and, when the server went away
 * between statements, reconnects once and retries (never inside a transaction).
 * @return 0, CUSTOMS_EIO, CUSTOMS_EMALFORMED (not a store, or a newer schema),
 *         CUSTOMS_ETIMEOUT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_store_open(struct customs_store **out, const char *uri, struct customs_error *err);
void customs_store_close(struct customs_store *s);

/** True when `uri` names a PostgreSQL store. */
bool customs_store_is_postgres(const char *uri);

/** The store as messages name it (no password). Valid until the store is closed. */
const char *customs_store_name(const struct customs_store *s);

/**
 * A cheap round trip (the schema version): is the store answering? (A lost PostgreSQL
 * connection is re-established here when it can be.)
 * @return 0, CUSTOMS_EIO, CUSTOMS_ETIMEOUT
 */
CUSTOMS_MUST_USE int customs_store_check(struct customs_store *s, struct customs_error *err);

/**
 * Record a scanned image: inventory, findings, and (when `policy` is not NULL) the policy (its
 * name, text and the fingerprints of its top-level signature keys) and the verdict `v` it
 * gave. Names are the report's repo tags plus `extra_names` (NULL-terminated, may be NULL).
 * The index digest of a multi-platform image is recorded as an alias of the manifest's. A
 * signature the report carries (customs_report_set_signature) is recorded for the manifest
 * digest: which key (fingerprint, name), format, signed digest and identity, when.
 * Vulnerabilities keep the time they were first seen on this image (for graceDays).
 * @return 0, CUSTOMS_EINVAL (the image has no digest: a directory), CUSTOMS_EIO, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_store_record(struct customs_store *s, const struct customs_report *r,
                         const char *const *extra_names, const struct customs_policy *policy,
                         const struct customs_verdict *v, time_t now, struct customs_error *err);

/**
 * Begin a read: the lookups until customs_store_read_end see one state of the store, and on
 * SQLite share one read transaction (its locks are taken once, not once per statement). The
 * next read sees whatever was recorded before it began.
 * @return 0, CUSTOMS_EIO, CUSTOMS_ETIMEOUT
 */
CUSTOMS_MUST_USE int customs_store_read_begin(struct customs_store *s, struct customs_error *err);

/**
 * End the read begun by customs_store_read_begin (nothing when none is open).
 * @return 0, CUSTOMS_EIO (the handle is best closed)
 */
CUSTOMS_MUST_USE int customs_store_read_end(struct customs_store *s, struct customs_error *err);

/**
 * The image recorded for a reference: by digest when it has one ("...@sha256:...": a manifest,
 * config or index digest), else by its normalised name, with the signatures recorded for it. *out is NULL when nothing is recorded; otherwise it stays valid until
 * the next lookup or refresh on `s`. A customs_policy_lookup_fn (payload: the store).
 * @return 0, CUSTOMS_EIO, CUSTOMS_EMALFORMED (a stored row does not parse), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_store_lookup(const struct customs_policy_image **out, const char *ref, void *store,
                         struct customs_error *err);

/**
 * The findings column of a stored image (JSON {vulns, secrets, malware}, as a row read back from
 * either backend gives it) into `im`, allocated in `arena`; `im->known` set, names, digest and
 * times left empty; *vulns (when not NULL) is im->vulns, writable (first_seen). A store is
 * input like any other: a row that does not parse is an error.
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_store_findings_parse(struct customs_policy_image *im,
                                 struct customs_policy_vuln **vulns, struct customs_arena *arena,
                                 const char *text, size_t len);

/**
 * The key fingerprints stored with a policy (policies.key_fingerprints: a JSON array of
 * strings) given to the policy read back with them (customs_policy_set_fingerprints). A store is
 * input like any other: anything else is an error.
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_store_policy_keys_apply(struct customs_policy *p, const char *text, size_t len);

/** One image whose verdict a refresh changed. Strings valid during the callback. */
struct customs_store_change {
    const char *digest;
    const char *names;       /* comma-separated, or "" */
    enum customs_effect old_effect;
    enum customs_effect new_effect;
    const struct customs_verdict *verdict; /* the new one */
};

typedef void (*customs_store_change_fn)(const struct customs_store_change *c, void *payload);

/** What a refresh did. */
struct customs_store_refresh_stats {
    size_t images;
    size_t changed;
    size_t packages;       /* packages of all images */
    size_t matched;        /* distinct packages matched against the database */
};

/**
 * Re-match every stored inventory against `db` and re-judge it with `policy` (NULL: the policy
 * each image was recorded with; images recorded without one keep no verdict). Findings,
 * first-seen times and verdicts are updated; `changed` is called for each image whose verdict
 * changed. A package seen in several images is matched once.
 * @return 0, CUSTOMS_EIO, CUSTOMS_EMALFORMED, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_store_refresh(struct customs_store *s, struct customs_vulndb *db,
                          const struct customs_policy *policy, time_t now,
                          uint32_t max_db_age_days, customs_store_change_fn changed, void *payload,
                          struct customs_store_refresh_stats *stats, struct customs_error *err);

#endif /* CUSTOMS_STORE_STORE_H */
