/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CLI_ADMIT_CLI_H
#define CUSTOMS_CLI_ADMIT_CLI_H

/*
 * `customs admit`: what the command's two halves share. A configuration (what is enforced) is
 * immutable once loaded and reference-counted, so SIGHUP can swap in a new one while requests
 * still finish on the old. admit_answer turns one request body into the HTTP answer.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "admit/admit.h"
#include "store/store.h"

struct admit_config {
    struct customs_admit_options opt;
    char pss_version[16];
    struct customs_policy *policy; /* --policy, or NULL: the level and version of the options */
    int refs; /* guarded by the server's config lock */
};

/*
 * Verdict-store handles for the requests in flight: one per request at a time (a handle is not
 * shared between threads), reused, opened on demand, dropped after an error (the next request
 * opens a fresh one: a reconnect) and on SIGHUP (admit_stores_reopen).
 */
struct admit_stores {
    pthread_mutex_t lock;
    const char *uri;
    struct customs_store *idle[64];
    size_t nidle;
    unsigned generation; /* bumped by admit_stores_reopen: older handles are closed when put */
};

struct admit_store {
    struct customs_store *s;
    unsigned generation;
};

void admit_stores_init(struct admit_stores *p, const char *uri);
void admit_stores_release(struct admit_stores *p);
/** A handle for one request. @return 0, or an error in `err` (the store cannot be opened) */
int admit_stores_get(struct admit_store *out, struct admit_stores *p, struct customs_error *err);
/** Give it back; `broken`: it failed, close it. */
void admit_stores_put(struct admit_stores *p, struct admit_store *h, bool broken);
/** Close the idle handles; those in use are closed when given back. */
void admit_stores_reopen(struct admit_stores *p);
/** Is the store answering? 0, or the reason in `err`. */
int admit_stores_check(struct admit_stores *p, struct customs_error *err);

struct admit_args {
    struct customs_admit_options opt;
    char pss_version[16];
    const char *review;     /* --review FILE: decide offline */
    const char *tier;       /* --tier with --review: as /validate/<tier> */
    const char *policy;     /* --policy FILE */
    const char *store;      /* --store STORE: judge images from their recorded verdicts */
    bool mutate;            /* --review: print the /mutate answer */
    const char *listen;
    const char *tls_cert;
    const char *tls_key;
    const char *audit_log;
    size_t max_body;
    unsigned header_timeout; /* seconds to send complete headers */
    unsigned body_timeout;   /* seconds to send the body once the headers are in */
    unsigned threads;
    unsigned max_connections;
};

/** Build a configuration from the arguments. NULL (after a message on stderr) on error. */
struct admit_config *admit_config_load(const struct admit_args *a);
void admit_config_free(struct admit_config *c);

/** The answer to one request. */
struct admit_answer {
    int status;    /* HTTP status */
    char *body;    /* JSON (malloc'ed) */
    size_t len;
    char *log;     /* one audit-log line (malloc'ed, '\n'-terminated), or NULL */
    bool denied;   /* the review was refused */
};

/**
 * Decide `len` bytes of `body` for /validate (mutate false) or /mutate under `cfg` (the tier,
 * from /validate/<tier>, may be NULL), the images judged from `stores` when not NULL. Never
 * fails: an unusable body is a 400 with a JSON error, an internal failure (a store that does
 * not answer among them) a denial (fail closed). The audit-log line (a->log) is written only
 * when `want_log`: without an audit log, building it would be a tenth of the answer's cost.
 */
void admit_answer(struct admit_answer *a, const struct admit_config *cfg,
                  struct admit_stores *stores, bool mutate, const char *tier, const void *body,
                  size_t len, time_t now, bool want_log);
void admit_answer_release(struct admit_answer *a);

/** Route jansson's allocations through the per-request pool of admit_answer (once, at start). */
void admit_json_alloc_install(void);
/** `j` as one compact line ending in '\n' (malloc'ed; its length in *len), or NULL on OOM. */
char *admit_json_line(const json_t *j, size_t *len);

/** Run the HTTPS server until SIGTERM/SIGINT. @return an exit code */
int admit_serve(const struct admit_args *a);

#endif /* CUSTOMS_CLI_ADMIT_CLI_H */
