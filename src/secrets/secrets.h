/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SECRETS_SECRETS_H
#define CUSTOMS_SECRETS_SECRETS_H

/*
 * Secret detection. Rules are data (src/secrets/rules.yaml, compiled into the binary; more from
 * --secret-rules FILE). All patterns are compiled into one Vectorscan (Hyperscan) streaming
 * database; a file is scanned as its bytes come out of the decompressor, chunk by chunk, and
 * never held whole. A candidate match is then confirmed by its rule: the POSIX regex of the same
 * pattern extracts the secret group, then the entropy floor, the provider checksum and the
 * allowlists of known example values decide.
 *
 * Basic outline:
 *   customs_secret_engine_new(&engine, extra_rules_path, cache_dir, &err);     once per process
 *   customs_secret_scanner_new(&s, engine);                          once per thread
 *   customs_secret_begin(s, path, size); customs_secret_feed(s, buf, n)...; customs_secret_end(s, emit, ctx);
 */

#include <regex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "model/finding.h"

enum customs_secret_checksum {
    CUSTOMS_CHECKSUM_NONE,
    CUSTOMS_CHECKSUM_GITHUB_CRC32, /* last 6 chars = base62(crc32(the 30 before)) */
};

struct customs_secret_rule {
    const char *id;
    const char *title;
    enum customs_severity severity;
    const char *pattern;
    unsigned group;        /* capture group of the secret; 0 = whole match */
    bool caseless;
    bool multiline;
    bool binary;           /* also looked for in binary files (key material) */
    bool mixed;            /* the secret must hold both letters and digits */
    bool mixed_punct;      /* with mixed: a mark other than - _ . / : may stand for the digit */
    bool quoted_in_code;   /* in a source file an unquoted value is a name, not a literal */
    bool weak;             /* a credential structure: a weak value is reported, as weak */
    bool catch_all;        /* not one provider's format: gives way to a specific rule, drops
                              made-up-looking values (every generic-* rule is one) */
    double entropy;        /* minimum bits per character, 0 = none */
    enum customs_secret_checksum checksum;
    const char **positive; /* examples that must be found */
    size_t npositive;
    const char **negative; /* examples that must not */
    size_t nnegative;
    const char *origin;    /* "builtin" or the file it came from */
    regex_t re;
    regex_t re_end;        /* (pattern)$: the match that ends where the text ends */
    _Atomic int re_state;  /* 0: not compiled yet, 1: compiled, -1: failed to compile */
};

/** A rule file's `allowlist:`: what is never reported. */
struct customs_secret_allowlist {
    const char **paths;  /* fnmatch(3) globs on the file's absolute path; `*` also matches `/` */
    size_t npaths;
    const char **rules;  /* rule ids switched off */
    size_t nrules;
    const char **values; /* exact secret values (a key that is public by design) */
    size_t nvalues;
};

struct customs_secret_engine;

/** Load the built-in rules plus those of `extra_path` (may be NULL) and compile them. The
 * compiled databases are cached in `cache_dir` (NULL: no cache), a private directory (0700,
 * created if missing; one that is a symlink, someone else's or not private is not used). */
CUSTOMS_MUST_USE
int customs_secret_engine_new(struct customs_secret_engine **out, const char *extra_path,
                              const char *cache_dir, struct customs_error *err);
/** Another analyzer's plain texts (bytes, lengths, Vectorscan flags such as HS_FLAG_CASELESS),
 * searched in the same Vectorscan pass as the rules: each file's bytes are then scanned once
 * for both (the malware gates). The texts are only read while the engine compiles. */
struct customs_secret_literals {
    size_t n;
    const char *const *texts;
    const size_t *lens;
    const unsigned *flags;
};
/** customs_secret_engine_new, searching `lits` (may be NULL) too. */
CUSTOMS_MUST_USE
int customs_secret_engine_new_with(struct customs_secret_engine **out, const char *extra_path,
                                   const char *cache_dir, const struct customs_secret_literals *lits,
                                   struct customs_error *err);
void customs_secret_engine_free(struct customs_secret_engine *e);
/** What, beyond the library's own code, decides the engine's matches: the user's rule file
 * (with its allowlist) and the Vectorscan version, as "sha256:<hex>" (borrowed). */
const char *customs_secret_engine_fingerprint(const struct customs_secret_engine *e);
/** Are the engine's Vectorscan databases loaded? Not yet when both were found in the private
 * cache: the first scanner loads them (a scan that needs none, every layer and the image
 * config served from the layer cache, never does). For tests and statistics. */
bool customs_secret_engine_loaded(const struct customs_secret_engine *e);
/** Are the engine's databases built (loaded now, if they were not)? 0, or the failure's code
 * with its message in `err` (may be NULL) — the same at every call. customs_secret_scanner_new
 * calls it; a caller that reports errors calls it first for the message. */
CUSTOMS_MUST_USE int customs_secret_engine_ready(const struct customs_secret_engine *e,
                                                 struct customs_error *err);
/** A file with a NUL byte in its first this-many bytes is binary: only the key-material rules
 * (binary: true) look at it. */
#define CUSTOMS_SECRET_BINARY_PROBE 8000

/** The Vectorscan flags of a rule's pattern (its caseless and multiline settings). */
unsigned customs_secret_rule_hs_flags(const struct customs_secret_rule *r);

/** Compile now every rule's confirmation regexes (the built-in ones are otherwise compiled at
 * their first candidate): an error names the first rule whose pattern POSIX regcomp refuses. */
CUSTOMS_MUST_USE
int customs_secret_engine_check(struct customs_secret_engine *e, struct customs_error *err);
size_t customs_secret_rule_count(const struct customs_secret_engine *e);
const struct customs_secret_rule *customs_secret_rule_at(const struct customs_secret_engine *e,
                                                         size_t i);

/** A confirmed secret, as handed to the caller's emit function (borrowed for the call). */
struct customs_secret_match {
    const struct customs_secret_rule *rule;
    const char *secret; /* the secret itself: redact before it goes anywhere */
    size_t secret_len;
    uint64_t offset;    /* of the whole match in the file */
    uint64_t line;      /* 1-based */
    bool weak;          /* a dictionary word or placeholder in a credential structure: report at
                           LOW severity, titled as weak (CUSTOMS_SECRET_WEAK_TITLE) */
};

/** Appended to a rule's title for a weak value. */
#define CUSTOMS_SECRET_WEAK_TITLE " (weak or placeholder value)"

#define CUSTOMS_SECRET_SIZE_UNKNOWN UINT64_MAX

typedef int (*customs_secret_emit_fn)(void *ctx, const struct customs_secret_match *m);

struct customs_secret_scanner;

CUSTOMS_MUST_USE int customs_secret_scanner_new(struct customs_secret_scanner **out,
                                                const struct customs_secret_engine *e);
void customs_secret_scanner_free(struct customs_secret_scanner *s);
/** Start a file of `size` bytes (its stated size; CUSTOMS_SECRET_SIZE_UNKNOWN if not known):
 * bytes fed past it are not scanned. `path` only decides allowlisting (documentation paths). */
CUSTOMS_MUST_USE
int customs_secret_begin(struct customs_secret_scanner *s, const char *path, uint64_t size);
CUSTOMS_MUST_USE
int customs_secret_feed(struct customs_secret_scanner *s, const void *buf, size_t len);
/** Called with a literal's index (customs_secret_literals) the first time it occurs in a file
 * (at most once per literal and file), while the file streams. */
typedef void (*customs_secret_literal_fn)(void *ctx, size_t literal);
void customs_secret_on_literal(struct customs_secret_scanner *s, customs_secret_literal_fn fn,
                               void *ctx);
/** After customs_secret_begin: will the file's bytes (up to its stated size) be searched for the
 * engine's literals? False without literals and for files that are not streamed (documentation
 * paths, allowlisted paths). */
bool customs_secret_streams_literals(const struct customs_secret_scanner *s);
/** Finish the file and emit its confirmed secrets in file order. */
CUSTOMS_MUST_USE
int customs_secret_end(struct customs_secret_scanner *s, customs_secret_emit_fn emit, void *ctx);
/** Scan one whole buffer (image config values, examples). */
CUSTOMS_MUST_USE
int customs_secret_scan_buffer(struct customs_secret_scanner *s, const char *path,
                               const void *buf, size_t len, customs_secret_emit_fn emit,
                               void *ctx);

/** "AKIA…(20)": the first `keep` characters, an ellipsis and the length. */
void customs_secret_redact(char *out, size_t outsz, const char *secret, size_t len);

/** Shannon entropy in bits per byte. */
double customs_secret_entropy(const char *s, size_t n);

#endif /* CUSTOMS_SECRETS_SECRETS_H */
