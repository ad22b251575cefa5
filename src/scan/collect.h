/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SCAN_COLLECT_H
#define CUSTOMS_SCAN_COLLECT_H

/*
 * The walker's visitor for one layer (or one directory): it records every entry for the final
 * filesystem view (in a compact list, src/image/entries.c: entries are referred to by their
 * index in it) and keeps the bytes of the files the analyzers asked for — package
 * databases (by path, from customs_pkgdb_kinds), OS release files, and the build-info window
 * of Go executables (found by content as the bytes stream past). Each layer has its own
 * collector, so layers are read in parallel without locks.
 */

#include "image/image.h"
#include "inventory/inventory.h"
#include "malware/malware.h"
#include "secrets/secrets.h"

enum {
    CUSTOMS_CAPTURE_OS = -1,
    CUSTOMS_CAPTURE_GOBIN = -2,
};

/**
 * The bytes of captured files one scan holds in memory (limits->max_captured_bytes), shared by
 * its collectors: charged as a wanted file streams in (so one that would pass the budget stops
 * the scan before it is held whole), handed over to the capture kept, returned when a capture
 * is dropped or freed. Bytes borrowed from another layer's reading cost nothing.
 */
struct customs_capture_budget {
    _Atomic uint64_t used;
    uint64_t max;
};

/** Charge `n` bytes to `b`: false, and nothing charged, if that would pass b->max. */
bool customs_capture_charge(struct customs_capture_budget *b, uint64_t n);
/** Return `n` bytes charged to `b`. */
void customs_capture_refund(struct customs_capture_budget *b, uint64_t n);

/** A file kept for an analyzer. */
struct customs_capture {
    const char *path;  /* in the collector's arena */
    int kind;          /* index into customs_pkgdb_kinds, or CUSTOMS_CAPTURE_* */
    size_t entry;      /* index of its entry in the collector's entries */
    uint8_t *data;     /* owned unless `borrowed`; NULL if dropped */
    bool borrowed;     /* a repeated layer's: the bytes belong to the first reading's */
    size_t len;
};

/** A file the collector could not keep (over --max-file-size). */
struct customs_collect_problem {
    const char *path;
    const char *message;
    bool inventory; /* a package database left unread: the scan is incomplete */
    size_t entry;   /* its index in `entries` (when `inventory`) */
};

/** A secret found in one of this layer's files (strings in the collector's arena). */
struct customs_collect_secret {
    const struct customs_secret_rule *rule;
    const char *path;
    size_t entry;      /* index of the file's entry */
    uint64_t line;
    const char *redacted;
    const char *secret; /* only with show_secrets */
    bool weak;          /* a weak value of a credential structure */
};

/** Malware found in one of this layer's files (strings in the collector's arena). */
struct customs_collect_malware {
    const char *engine;
    const char *rule;
    enum customs_severity severity;
    const char *category;
    const char *description;
    const char *path;
    const char *sha256;    /* of the whole file */
    size_t entry;
};

/** A file whose malware gates opened but whose bytes were not held (over the scanner's hold
 * size): scanned in a second walk of the layer (customs_collector_malware_again). */
struct customs_collect_again {
    const char *path;
    size_t entry;
    uint64_t size;
};

/** A wanted path that is a hardlink: its bytes are the target's, read after the walk. */
struct customs_collect_link {
    const char *path;
    const char *target;
    int kind;
    size_t entry;
};

struct customs_collector {
    int layer;
    const struct customs_limits *limits;
    struct customs_arena arena;       /* paths of captures, hits, problems and links */
    struct customs_entries list;      /* the entries this layer's reading recorded */
    const struct customs_entries *entries; /* the layer's entries: `list`, or for a layer
                                            * repeating an earlier one's blob, its list */
    struct customs_vec captures;      /* struct customs_capture */
    struct customs_vec problems;      /* struct customs_collect_problem */
    struct customs_vec links;         /* struct customs_collect_link */
    struct customs_vec secret_hits;   /* struct customs_collect_secret */
    struct customs_secret_scanner *secrets; /* NULL: no secret scanning (owned, or lent by
                                               * the reading thread for one layer's walk) */
    bool show_secrets;
    bool sec_active;
    struct customs_malware_scanner *malware; /* NULL: no malware scanning (as above) */
    bool mal_active;
    struct customs_vec malware_hits;  /* struct customs_collect_malware */
    struct customs_vec malware_again; /* struct customs_collect_again, in entry order */
    struct customs_layer_stats stats;
    const struct customs_skip *skip;  /* --skip-dirs, --skip-files: listed, not analyzed; NULL */
    struct customs_capture_budget *captured; /* the scan's; NULL: captures are not counted */
    bool over_budget;                 /* `code` is the captured bytes passing their budget */
    int code;                         /* the walk's result */
    struct customs_error err;

    /* the file being streamed */
    int cur_kind;                     /* capture kind, or 0 with cur_active false */
    bool cur_active;
    bool cur_too_big;
    struct customs_buf cur;
    uint64_t cur_charged;             /* bytes of `cur` charged to `captured` */
    struct customs_buf cur_name;      /* its path */
    const char *cur_path;             /* the same in the arena, once a record needs it */
    size_t cur_entry;
    uint64_t cur_size;
    /* Go build-info search in an executable */
    bool go_active;
    bool go_found;
    uint64_t go_off;
    uint8_t go_tail[16];
    size_t go_tail_len;
};

void customs_collector_init(struct customs_collector *c, int layer,
                            const struct customs_limits *limits);
void customs_collector_release(struct customs_collector *c);
/** Add a capture of `kind` for `path` (entry `entry`) with a copy of `data`; CUSTOMS_ELIMIT
 * (with c->err naming `path` and c->over_budget set) when it would pass c->captured. */
CUSTOMS_MUST_USE
int customs_collector_add_capture(struct customs_collector *c, const char *path, int kind,
                                  size_t entry, const void *data, size_t len);
/**
 * Make `dst` (initialised for its own layer, empty) hold what reading `src`'s blob recorded,
 * as if that blob had been read again as `dst`'s layer: the same entries (src's list, shared),
 * captures, hits, problems and statistics. Strings, entries and captured bytes are borrowed
 * from `src`, which must outlive `dst`. Costs the captures and hits, never the entries nor the
 * blob's bytes.
 * @return 0 or CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
int customs_collector_clone(struct customs_collector *dst, const struct customs_collector *src);
/** Does a package analyzer (*kind: an index of customs_pkgdb_kinds) or the OS detection
 * (CUSTOMS_CAPTURE_OS) read the file at `path`? */
bool customs_collector_wanted_kind(const char *path, int *kind);
/** Will the visitor of collector `ctx` ask for the data of `e`? (customs_walk_wants_fn: reads
 * only what a walk does not change, so it may run on another thread during the walk.) */
bool customs_collector_wants(void *ctx, const struct customs_entry *e);
/** The visitor that fills `c`. */
void customs_collector_visitor(struct customs_collector *c, struct customs_walk_visitor *v);
/**
 * The second walk of a layer for `c->malware_again`: `blob` is the layer's blob opened again,
 * `digest` and `diff_id` those of the first walk (checked again, so the bytes scanned are the
 * bytes verified). Only those files are held and scanned; their detections and problems join
 * the collector's. c->malware must be set.
 */
CUSTOMS_MUST_USE
int customs_collector_malware_again(struct customs_collector *c, struct customs_blob_stream *blob,
                                    const char *name, const char *digest, const char *diff_id,
                                    struct customs_error *err);

#endif /* CUSTOMS_SCAN_COLLECT_H */
