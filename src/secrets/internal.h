/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SECRETS_INTERNAL_H
#define CUSTOMS_SECRETS_INTERNAL_H

/*
 * The secret engine's parts: compile.c builds the engine (an immutable set of rules and their
 * Vectorscan databases, shared by every scanner), stream.c feeds a file's bytes through a
 * scanner's stream and cuts each candidate's text out as it goes, and confirm.c judges the
 * candidates when the file ends. Only these three files include this header.
 */

#include <hs/hs.h>
#include <pthread.h>

#include "secrets/secrets.h"

#define TAIL 8192
#define MAX_TEXT 4096   /* the longest match confirmed (a JWT with many claims runs past 1 KiB) */
#define WINDOW 1024     /* confirmation looks at the last WINDOW bytes first */
#define MAX_CANDIDATES 4096

#define BUILTIN "builtin rules.yaml" /* the origin of the rules compiled into the binary */

/* One Vectorscan database's patterns, flags and ids (in the engine's arena). */
struct customs_secret_patterns {
    const char **pats;
    unsigned *flags;
    unsigned *ids;
    size_t n;
};

/* The engine's Vectorscan databases. Built with the engine, except when the private cache holds
 * both: then they are loaded by the first scanner (customs_secret_engine_ready), so a scan that
 * creates none (every layer and the image config served from the layer cache) never loads them. */
struct customs_secret_dbs {
    pthread_mutex_t lock;
    _Atomic int state;     /* 0: not built yet, 1: built, < 0: building failed (its code) */
    hs_database_t *db;     /* every rule: text files */
    hs_database_t *db_bin; /* the key-material rules (binary: true): binary files; or NULL */
    struct customs_secret_patterns text, bin;
    struct customs_error err; /* why building failed, when state < 0 */
};

struct customs_secret_engine {
    struct customs_arena arena;
    struct customs_secret_rule *rules;
    size_t nrules;
    struct customs_secret_dbs *dbs; /* never NULL in an engine that was made */
    size_t nlits;          /* the caller's literals, ids nrules.. in both databases */
    pthread_mutex_t *re_lock; /* taken to compile a built-in rule's regexes at first use */
    struct customs_secret_allowlist allow; /* from the user's rule file */
    const char *cache_dir; /* compiled databases cached here (cache.c), or NULL */
    char fingerprint[CUSTOMS_DIGEST_MAX]; /* customs_secret_engine_fingerprint */
};

struct candidate {
    unsigned rule;
    uint64_t to;       /* end of the match in the file */
    uint64_t line_to;  /* 1-based line at `to` */
    char *text;        /* the MAX_TEXT bytes before `to` (fewer at the start), NUL-terminated */
    size_t len;
    uint64_t from;     /* set by confirmation */
    uint64_t line;
    const char *secret;
    size_t secret_len;
    bool stale;        /* `to` moved on since `text` was cut */
    bool dropped;
    bool invalid;      /* the provider's exact format with a wrong checksum: no token at all */
    bool weak;         /* confirmed as a weak value of a credential structure */
};

struct customs_secret_scanner {
    const struct customs_secret_engine *e;
    hs_scratch_t *scratch;
    hs_stream_t *stream;
    bool docs;                 /* a documentation path: nothing is reported, nothing scanned */
    bool code;                 /* a source file: names stand unquoted, literals are quoted */
    bool binary;
    bool probed;
    bool closed;               /* the stream ended with the file's last stated byte */
    uint64_t off;              /* offset of the current chunk */
    uint64_t size;             /* the file's stated size: no byte past it is scanned */
    uint64_t lines;            /* newlines before the current chunk */
    const uint8_t *chunk;      /* during a scan: the current chunk */
    size_t chunk_len;
    uint64_t nl_at;            /* newlines of the chunk before offset nl_at: nl_lines */
    uint64_t nl_lines;
    uint8_t tail[TAIL];        /* the last bytes before the current chunk */
    size_t tail_len;
    struct customs_vec cands;  /* struct candidate */
    long *last;                /* per rule: index of its latest candidate, or -1 */
    customs_secret_literal_fn on_literal;
    void *literal_ctx;
    int error;
};


/* compile.c: are the rule's regexes compiled (now, if they were not)? 1 yes, 0 the rule was
 * refused, CUSTOMS_ENOMEM. */
CUSTOMS_MUST_USE int customs_secret_rule_regex(const struct customs_secret_engine *e,
                                               struct customs_secret_rule *rule);
/* stream.c: newlines in p[0..n). */
size_t customs_secret_count_nl(const uint8_t *p, size_t n);
/* confirm.c: confirm the file's candidates, let specific rules win over catch-alls and emit
 * what stands, in file order. */
CUSTOMS_MUST_USE int customs_secret_confirm_all(struct customs_secret_scanner *s,
                                                customs_secret_emit_fn emit, void *ctx);

#endif /* CUSTOMS_SECRETS_INTERNAL_H */
