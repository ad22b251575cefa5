/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_IMAGE_IMAGE_H
#define CUSTOMS_IMAGE_IMAGE_H

/*
 * Images, read without ever touching the disk beyond the input.
 *
 * An image is a list of layer descriptors plus a config, found through a source (a
 * docker-archive tar, an OCI layout directory or tar, or a plain root-filesystem directory).
 * Each layer is a blob read as one stream: blob bytes -> sha256 (checked against the manifest)
 * -> decompressor chosen by magic bytes -> sha256 (checked against the config's diff_id) and
 * size/ratio limits -> libarchive's tar reader -> a visitor that sees every entry once, with
 * its data if it asks for it. The final filesystem is assembled afterwards from per-layer
 * compact entry lists (src/image/entries.c) into an index over them (src/image/fsview.c),
 * applying whiteouts and opaque directories.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "customs/limits.h"

/* ---- blob streams: the one narrow interface between image readers and bytes ---- */

struct customs_blob_stream {
    /* Next chunk of bytes (borrowed until the next call): 0 with *len > 0, 0 with *len == 0
     * at the end, or a negative code with `err` set. */
    int (*read)(void *ctx, const void **buf, size_t *len, struct customs_error *err);
    void (*close)(void *ctx);
    void *ctx;
    bool verified; /* the stream checks the blob's digest itself and fails at its end when the
                      bytes do not hash to it (a registry's): the layer reader need not hash
                      them again */
};

/** A stream over memory the caller keeps alive (tests, fuzzers). */
CUSTOMS_MUST_USE int customs_blob_stream_memory(struct customs_blob_stream *out, const void *data,
                                                size_t len);

/* ---- the opened image ---- */

enum customs_source_kind {
    CUSTOMS_SOURCE_DOCKER_ARCHIVE,
    CUSTOMS_SOURCE_OCI,
    CUSTOMS_SOURCE_DIR,
    CUSTOMS_SOURCE_REGISTRY,
};

/*
 * A source that is not a file: the registry client (src/registry) opens an image through this
 * table, so that the index walking, platform choice and config checks below are the same for
 * every source. `ctx` belongs to the image once customs_image_open_remote() is called (even on
 * failure), and `release` frees it with the image.
 */
struct customs_image_remote {
    /* Fetch a document by digest: `what` is "index" or "manifest" (a manifest endpoint) or
     * "config" (a blob), at most `max` bytes; *data is the caller's (customs_free). */
    int (*fetch)(void *ctx, const char *what, const char *digest, uint64_t max, uint8_t **data,
                 size_t *len, struct customs_error *err);
    /* Open a layer blob of `size` bytes as a stream that verifies digest and size itself. */
    int (*open_blob)(void *ctx, struct customs_blob_stream *out, const char *digest,
                     uint64_t size, struct customs_error *err);
    void (*release)(void *ctx);
};

struct customs_image_layer {
    char digest[CUSTOMS_DIGEST_MAX];  /* blob digest; for docker-archive without one, "" */
    char diff_id[CUSTOMS_DIGEST_MAX]; /* from the config's rootfs.diff_ids */
    char *media_type;                 /* may be NULL */
    char *member;                     /* docker-archive: the member name inside the tar */
    uint64_t size;                    /* from the manifest; 0 if unknown */
    bool has_size;
};

struct customs_image {
    enum customs_source_kind kind;
    char *path;         /* filesystem path of the archive, layout directory or rootfs; the
                         * reference of a registry image */
    int fd;             /* that tar or directory, opened once and checked (every read of the
                         * source goes through it; -1 when not open) */
    bool is_tar;        /* the layout or archive is a tar file */
    char manifest_digest[CUSTOMS_DIGEST_MAX];
    char top_digest[CUSTOMS_DIGEST_MAX]; /* OCI: the index.json entry the manifest was reached
                                          * from (an index for a multi-platform image, else the
                                          * manifest itself); "" otherwise */
    char config_digest[CUSTOMS_DIGEST_MAX];
    char *platform;     /* "linux/amd64" when known */
    char *repo_tags;    /* comma-separated, or NULL */
    json_t *config;     /* the image config document */
    struct customs_image_layer *layers;
    size_t nlayers;
    const struct customs_image_remote *remote; /* registry images: where bytes come from */
    void *remote_ctx;
    bool blobs_verified; /* layer streams check digest and size themselves */
};

/* ---- one image of several (src/image/selector.c) ---- */

enum customs_selector_kind {
    CUSTOMS_SELECT_NONE,
    CUSTOMS_SELECT_INDEX,  /* "@N": the N-th entry (from 0) of index.json or manifest.json */
    CUSTOMS_SELECT_DIGEST, /* OCI "sha256:HEX": an index.json entry, or a platform's manifest */
    CUSTOMS_SELECT_NAME,   /* OCI: org.opencontainers.image.ref.name; docker-archive: a RepoTag */
};

struct customs_image_selector {
    enum customs_selector_kind kind;
    uint64_t index;   /* CUSTOMS_SELECT_INDEX */
    const char *text; /* the selector as written (borrowed) */
};

/** Parse the selector after "oci:PATH:" (a ref name, sha256:HEX or @N) or, with `docker`,
 * after "docker-archive:PATH:" (REPO[:TAG] without a digest, or @N). `text` is borrowed.
 * @return 0, CUSTOMS_EINVAL */
CUSTOMS_MUST_USE int customs_image_selector_parse(struct customs_image_selector *out,
                                                  const char *text, bool docker,
                                                  struct customs_error *err);
/** Do two Docker references name the same image, once expanded as Docker does ("nginx" is
 * "docker.io/library/nginx:latest")? */
bool customs_docker_ref_equal(const char *a, const char *b);

/** An image a layout or archive holds (customs_image_list). */
struct customs_held_image {
    char digest[CUSTOMS_DIGEST_MAX]; /* OCI: the index.json entry; docker-archive: the config
                                      * (the image id) when its member name gives it; or "" */
    char *names;     /* ref names or RepoTags, comma-separated, or NULL */
    char *selector;  /* what follows "PATH:" to name it: a name, a digest or @N */
};

/**
 * The distinct images the layout or archive `target` holds (its selector, if any, is ignored),
 * in the order of index.json or manifest.json, into `out` (a vec of struct customs_held_image,
 * initialised by the caller; release with customs_image_held_release). The platforms of one
 * multi-platform index are one image; cosign artifacts are none. `*kind_out` says which
 * source it is (a directory gives CUSTOMS_EUNSUPPORTED), `*path_out` its path without the
 * selector (caller frees; NULL on failure), `*has_selector` whether `target` named one image.
 * @return 0, CUSTOMS_ENOTFOUND, CUSTOMS_EIO, CUSTOMS_EMALFORMED, CUSTOMS_EUNSUPPORTED,
 *         CUSTOMS_ELIMIT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_image_list(struct customs_vec *out, enum customs_source_kind *kind_out,
                       char **path_out, bool *has_selector, const char *target,
                       const struct customs_limits *limits, struct customs_error *err);
void customs_image_held_release(struct customs_vec *held);

/**
 * Open `target` ("docker-archive:P", "oci:P", "dir:P" or a bare path, detected), read and
 * verify its manifest and config, and pick the platform (`platform` "os/arch[/variant]", or
 * NULL: linux/amd64, else the only one). "oci:P:SEL" and "docker-archive:P:SEL" name one image
 * of several (see customs_image_selector_parse; a path that exists is a path, whatever its
 * ':'s). A layout or archive holding several images is refused without a selector
 * (CUSTOMS_EINVAL, the images listed in the message), never read "first one wins".
 * @return 0, CUSTOMS_ENOTFOUND, CUSTOMS_EIO, CUSTOMS_EMALFORMED, CUSTOMS_EUNSUPPORTED,
 *         CUSTOMS_ELIMIT, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_image_open(struct customs_image **out, const char *target,
                                        const char *platform, const struct customs_limits *limits,
                                        struct customs_error *err);
/**
 * Open an image whose documents come from `remote` (see struct customs_image_remote):
 * `top` (`top_len` bytes of media type `top_type`, already verified against `top_digest`) is
 * the manifest or index the reference named; `name` names the image in messages and reports.
 * Platforms are chosen as by customs_image_open. `ctx` is owned by the image from here on.
 * @return as customs_image_open
 */
CUSTOMS_MUST_USE int customs_image_open_remote(struct customs_image **out, const char *name,
                              const struct customs_image_remote *remote, void *ctx,
                              const uint8_t *top, size_t top_len, const char *top_type,
                              const char *top_digest, const char *platform,
                              const struct customs_limits *limits, struct customs_error *err);
void customs_image_free(struct customs_image *img);
const char *customs_source_kind_name(enum customs_source_kind kind);

/** Open layer `i`'s blob as a stream (one per caller; safe from several threads at once). */
CUSTOMS_MUST_USE int customs_image_open_layer(struct customs_blob_stream *out,
                                              const struct customs_image *img, size_t i,
                                              struct customs_error *err);

/* ---- documents beside the image in an OCI layout (signatures) ---- */

/** True if an index.json descriptor is one of cosign's artifacts stored beside an image: the
 * tag "sha256-<hex>.sig" / ".att" / ".sbom" as ref name, or cosign's "kind" annotation for
 * signatures, attestations and SBOMs. The image reader skips them. */
bool customs_image_is_cosign_artifact(const json_t *descriptor);

/** Parse the OCI layout's index.json (at most limits->max_json_bytes) into *out (caller
 * json_decrefs). @return 0, CUSTOMS_EUNSUPPORTED (not a layout), CUSTOMS_ENOTFOUND,
 *         CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT, CUSTOMS_EIO, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_image_read_index(json_t **out, const struct customs_image *img,
                             const struct customs_limits *limits, struct customs_error *err);

/** Read the blob `digest` of an OCI layout (at most `max` bytes) into *out (caller frees with
 * customs_free) and check that it hashes to `digest`.
 * @return 0, CUSTOMS_EUNSUPPORTED, CUSTOMS_ENOTFOUND, CUSTOMS_EMALFORMED (digest mismatch),
 *         CUSTOMS_ELIMIT, CUSTOMS_EIO, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_image_read_blob(uint8_t **out, size_t *len,
                                             const struct customs_image *img, const char *digest,
                                             uint64_t max, struct customs_error *err);

/**
 * Read the regular file `rel` under the directory `dirfd` without leaving it and without
 * following any symlink (the rule every layout read follows), at most `max` bytes, into *out
 * (NUL-terminated; caller frees with customs_free). `shown` names it in messages.
 * @return 0, CUSTOMS_ENOTFOUND, CUSTOMS_EUNSUPPORTED (a symlink, an escape, a FIFO or device),
 *         CUSTOMS_ELIMIT, CUSTOMS_EIO, CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_file_read_beneath(uint8_t **out, size_t *len, int dirfd,
                                               const char *rel, const char *shown, uint64_t max,
                                               struct customs_error *err);

/* ---- walking entries ---- */

enum customs_entry_type {
    CUSTOMS_ENTRY_FILE,
    CUSTOMS_ENTRY_DIR,
    CUSTOMS_ENTRY_SYMLINK,
    CUSTOMS_ENTRY_HARDLINK,
    CUSTOMS_ENTRY_OTHER,    /* devices, fifos, sockets */
    CUSTOMS_ENTRY_WHITEOUT, /* path is the whited-out path (".wh." stripped) */
    CUSTOMS_ENTRY_OPAQUE,   /* path is the opaque directory */
};

struct customs_entry {
    const char *path;   /* absolute, cleaned (see customs_path_clean) */
    enum customs_entry_type type;
    uint64_t size;
    uint32_t mode;
    const char *link;   /* symlink: target as stored; hardlink: cleaned absolute target */
    int layer;          /* -1 for directory sources */
};

/* What a walker hands its visitor. entry() returns 1 to receive the file's data through
 * data() (then end()), 0 to skip it, or a negative code to stop the walk. */
struct customs_walk_visitor {
    int (*entry)(void *ctx, const struct customs_entry *e);
    int (*data)(void *ctx, const void *buf, size_t len);
    int (*end)(void *ctx);
    void *ctx;
};

/** What reading one layer measured. */
struct customs_layer_stats {
    const char *compression;  /* "gzip", "zstd", "none" */
    uint64_t bytes_in;        /* compressed */
    uint64_t bytes_out;       /* uncompressed */
    uint64_t entries;
    char digest[CUSTOMS_DIGEST_MAX];
    char diff_id[CUSTOMS_DIGEST_MAX];
};

/** A counter of uncompressed bytes shared by the layers of one scan (max_total_bytes). */
struct customs_byte_budget {
    _Atomic uint64_t used;
    _Atomic int stop; /* set by one layer's failure: the others stop early */
};

/**
 * Stream one layer blob through its decompressor and tar reader, calling `v` for each entry.
 * Checks the blob against `want_digest` and the tar against `want_diff_id` when non-empty,
 * and every limit. `name` names the layer in messages ("layer 2 (sha256:ab12...)").
 * `pipelined`: decompress and hash on a second thread while this one reads the tar and calls
 * `v` (worth it for layers of a megabyte or more; the same results either way).
 * @return 0, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT, CUSTOMS_EIO, CUSTOMS_ENOMEM, or the visitor's
 */
CUSTOMS_MUST_USE int
customs_layer_walk(struct customs_layer_stats *stats, struct customs_blob_stream *blob,
                   const char *name, int layer, const char *want_digest, const char *want_diff_id,
                   const struct customs_limits *limits, struct customs_byte_budget *budget,
                   bool pipelined, const struct customs_walk_visitor *v, struct customs_error *err);

/* ---- paths the user skips: --skip-dirs, --skip-files (src/image/skip.c) ---- */

/* Glob patterns ("doublestar": `*`, `?`, `[...]` within a segment, `**` across segments,
 * `{a,b}`) over paths relative to the image root; "/usr/lib", "./usr/lib" and "usr/lib" are
 * one pattern. Compiled once, then read by any number of threads. */
struct customs_skip {
    struct customs_vec dirs;  /* char *: patterns, braces expanded */
    struct customs_vec files;
};

/** Compile NULL-terminated pattern lists (either may be NULL). @return 0, CUSTOMS_EINVAL (a
 * pattern that names the root, an unclosed '[' or '{', too many alternatives: `err` names
 * it), CUSTOMS_ENOMEM. Nothing to release on failure. */
CUSTOMS_MUST_USE int customs_skip_init(struct customs_skip *s, const char *const *dirs,
                                       const char *const *files, struct customs_error *err);
void customs_skip_release(struct customs_skip *s);
bool customs_skip_is_empty(const struct customs_skip *s); /* also true for NULL */
/** One pattern (braces already expanded, no leading "/") against a path (leading "/" ignored). */
bool customs_glob_match(const char *pattern, const char *path);
/** Is the directory at `path` skipped by a --skip-dirs pattern (not looking at its parents)? */
bool customs_skip_dir(const struct customs_skip *s, const char *path);
/** Is the entry at `path` skipped: under a skipped directory, a skipped directory itself
 * (`is_dir`), or a skipped file? */
bool customs_skip_path(const struct customs_skip *s, const char *path, bool is_dir);
/** Feed what the patterns are to `field`, one string at a time (for cache keys). */
void customs_skip_fingerprint(const struct customs_skip *s,
                              void (*field)(void *ctx, const char *s), void *ctx);

/* Would the visitor ask for the data of the file `e` (entry() returning 1)? Called on another
 * thread while the walk runs, with the visitor's ctx: it may only read what does not change. */
typedef bool (*customs_walk_wants_fn)(void *ctx, const struct customs_entry *e);

/** Walk the root-filesystem directory open at `rootfd` (`root` names it in messages), never
 * following symlinks nor leaving it, skipping /proc-like mounts (by filesystem type) and the
 * directories `skip` names (may be NULL); only regular files are read, on this
 * thread. With `read_ahead` (may be NULL), a second thread walks ahead and has the kernel read
 * the files it says the visitor wants into the page cache. */
CUSTOMS_MUST_USE int
customs_dir_walk(int rootfd, const char *root, const struct customs_limits *limits,
                 const struct customs_skip *skip, customs_walk_wants_fn read_ahead,
                 const struct customs_walk_visitor *v, struct customs_error *err);

/* ---- a layer's entries, kept compactly (src/image/entries.c) ---- */

/*
 * The entries of one layer (or one directory walk) in the order they were added, about ten
 * bytes each: paths front-coded against the previous entry's, in blocks of
 * CUSTOMS_ENTRIES_BLOCK entries whose first entry is stored whole. Kept: path, type, mode (the
 * permission bits) and link; not size nor layer (a list does not know which layer it is; the
 * same list may serve several layers that repeat one blob). Entry i is the i-th added.
 * Read through a reader: in order with customs_entries_next(), or any one with
 * customs_entries_get() (decodes at most a block). A list is filled by one thread; once
 * complete, any number of readers may read it at once.
 */
#define CUSTOMS_ENTRIES_BLOCK 16
#define CUSTOMS_ENTRIES_MAX (UINT32_MAX - 2u)

struct customs_entries {
    struct customs_vec chunks; /* uint8_t *: storage, never moved */
    struct customs_vec blocks; /* const uint8_t *: where block k's first entry starts */
    uint8_t *cur;              /* the chunk being filled */
    size_t used;
    size_t size;
    size_t n;                  /* entries */
    struct customs_buf prev;   /* the last entry's path */
    uint32_t prev_mode;
    size_t max_path;           /* the longest path and link (readers size their buffers) */
    size_t max_link;
};

struct customs_entries_reader {
    const struct customs_entries *l;
    size_t n;          /* the list's entries when the reader was made: what it reads */
    size_t i;          /* the next entry to decode */
    const uint8_t *p;  /* its bytes (within a block) */
    char *path;
    size_t len;
    char *link;
    uint32_t mode;
    enum customs_entry_type type;
};

void customs_entries_init(struct customs_entries *l);
void customs_entries_release(struct customs_entries *l);
/** Append a copy of `e`'s path, type, mode and link (the only fields kept).
 * @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT (more than CUSTOMS_ENTRIES_MAX entries) */
CUSTOMS_MUST_USE int customs_entries_add(struct customs_entries *l, const struct customs_entry *e);
static inline size_t customs_entries_count(const struct customs_entries *l)
{
    return l->n;
}
/** A reader of the entries `l` holds now (it must not be released before the reader).
 * @return 0 or CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_entries_reader_init(struct customs_entries_reader *rd,
                                                 const struct customs_entries *l);
void customs_entries_reader_release(struct customs_entries_reader *rd);
/** The next entry in order into *out (path and link borrowed from the reader until its next
 * call; layer -1, size 0); false at the end. */
bool customs_entries_next(struct customs_entries_reader *rd, struct customs_entry *out);
/** Entry `i` into *out, as customs_entries_next; the next customs_entries_next() continues
 * after it. false if there is no entry `i`. */
bool customs_entries_get(struct customs_entries_reader *rd, size_t i, struct customs_entry *out);

/* ---- the final filesystem view (src/image/fsview.c) ---- */

/*
 * Layers' entry lists are merged in layer order into the final filesystem: whiteouts and
 * opaque markers of layer N hide what layers < N put there, a non-directory replacing a
 * directory hides the directory's contents, and a later entry at a path replaces an earlier
 * one. The view borrows the lists and keeps only an index: a hash table of 32-bit entry ids
 * (layer k's entry i) with an 8-bit tag each, five bytes a slot; paths are compared by decoding
 * the entries. Layers are numbered by the order they were applied. Not thread-safe: lookups
 * decode into the view's own buffers.
 */
struct customs_fsview_ref {
    uint32_t layer; /* the customs_fsview_apply() call that added the list, from 0 */
    uint32_t index; /* the entry's index in that list */
};

/* Open addressing with linear probing over ids. */
struct customs_fsview_table {
    uint32_t *slots; /* 0 empty, 1 deleted, else id + 2 */
    uint8_t *tags;   /* 8 bits of the path's hash, compared before decoding an entry */
    size_t cap;
    size_t used;     /* slots not empty (live or deleted) */
    size_t live;
};

struct customs_fsview_layer;
struct customs_fsview {
    struct customs_fsview_layer *layers;
    size_t nlayers;
    size_t alloc;
    size_t total;  /* entries of all applied lists: the next layer's first id */
    struct customs_fsview_table index; /* path -> the id of the entry there */
    uint64_t seed; /* of the path hash */
    uint32_t max_symlink_hops;
};

/** Start an empty view (nothing allocated yet: it cannot fail). */
void customs_fsview_init(struct customs_fsview *fs, uint32_t max_symlink_hops);
void customs_fsview_release(struct customs_fsview *fs);
/** Size the index for `entries` more entries (optional: apply grows it as needed).
 * @return 0, CUSTOMS_ENOMEM */
CUSTOMS_MUST_USE int customs_fsview_reserve(struct customs_fsview *fs, size_t entries);
/**
 * Apply the next layer's entries (borrowed: `l` must outlive the view and not change). A list
 * may be applied several times (a blob repeated in the manifest): each is its own layer.
 * @return 0, CUSTOMS_ENOMEM, CUSTOMS_ELIMIT (more than CUSTOMS_ENTRIES_MAX entries in all)
 */
CUSTOMS_MUST_USE int customs_fsview_apply(struct customs_fsview *fs,
                                          const struct customs_entries *l);
/** The entry at `path` exactly (no symlink resolution): true and *out, or false. */
bool customs_fsview_get(struct customs_fsview *fs, const char *path,
                        struct customs_fsview_ref *out);
/** Is `ref` the entry the final filesystem has at `path` (its path)? */
bool customs_fsview_is_final(struct customs_fsview *fs, struct customs_fsview_ref ref,
                             const char *path);
/** Decode `ref` into *out (path and link valid until the next call on the view; `layer` is
 * ref.layer). */
void customs_fsview_entry(struct customs_fsview *fs, struct customs_fsview_ref ref,
                          struct customs_entry *out);
/**
 * Resolve `path` following symlinks in every component and hardlinks at the end, as the
 * kernel would inside the image root. *found is false when nothing is there.
 * @return 0, or CUSTOMS_ELIMIT (more than max_symlink_hops: a loop) with `err` set,
 *         CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_fsview_resolve(struct customs_fsview_ref *out, bool *found,
                                            struct customs_fsview *fs, const char *path,
                                            struct customs_error *err);
/**
 * Does layer `layer` remove or replace `path`: an entry there (of any kind), or a whiteout,
 * an opaque marker or a non-directory at one of its parents? The first call for a layer
 * indexes its entries (kept until the view is released).
 * @return 0 with *out set, or CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE int customs_fsview_touches(struct customs_fsview *fs, size_t layer,
                                            const char *path, bool *out);
/**
 * Call `fn` for every entry of the final filesystem, layer by layer, each layer's in the order
 * they were added (e->layer is the layer); a negative return stops the walk and is returned.
 * @return 0, CUSTOMS_ENOMEM, or `fn`'s negative code
 */
CUSTOMS_MUST_USE int customs_fsview_walk(struct customs_fsview *fs,
                        int (*fn)(void *ctx, const struct customs_entry *e), void *ctx);

#endif /* CUSTOMS_IMAGE_IMAGE_H */
