/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CLI_CLI_H
#define CUSTOMS_CLI_CLI_H

/*
 * The command-line tool: one file per command, each a `struct cli_command` in main.c's table.
 * The CLI owns the edges the library does not: arguments, the terminal, output files and exit
 * codes (0 clean, 1 findings over the threshold, 2 usage or input error).
 */

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "customs/customs.h"

enum {
    CLI_EXIT_CLEAN = 0,
    CLI_EXIT_FINDINGS = 1,
    CLI_EXIT_ERROR = 2,
};

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

CUSTOMS_MUST_USE int cli_cmd_db(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_sbom(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_scan(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_audit(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_policy(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_admit(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_store(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_registry(int argc, char **argv);
CUSTOMS_MUST_USE int cli_cmd_cache(int argc, char **argv);

/** Every command's --help: where options come from besides the command line (options.c). */
#define CLI_HELP_CONFIG                                                                        \
    "      --config FILE       options from a YAML file (default: ./customs.yaml when\n"      \
    "                          present); each option is also read from CUSTOMS_<OPTION>\n"    \
    "                          (--max-db-age: CUSTOMS_MAX_DB_AGE); flags > environment >\n"  \
    "                          file (see 'customs --help')\n"

/** An output destination: stdout, or a temporary file renamed over FILE on success. */
struct customs_newfile;
struct cli_output {
    FILE *fp;
    struct customs_newfile *file; /* a report written to a file: renamed into place on close */
};

/** Open `path` for a report ("-" or NULL: stdout); `private_`: it holds unredacted secrets
 * (mode 0600 instead of 0666 less the umask). Errors are printed. @return 0 or -1 */
CUSTOMS_MUST_USE int cli_output_open(struct cli_output *o, const char *path, bool private_);
/** Flush and (for files) rename into place; on `ok == false` the temporary file is removed. */
CUSTOMS_MUST_USE int cli_output_close(struct cli_output *o, bool ok);
/** Open `path` for appending (an audit log) through customs_file_open_append: created 0666
 * less the umask when missing; a symlink, FIFO or device there is refused (errno), never waited
 * on or written through. @return the stream or NULL */
FILE *cli_append_open(const char *path);
/** Give up on the output: close it, remove the temporary file; nothing is reported. */
void cli_output_discard(struct cli_output *o);

/* The ignore file (output.c): `.customsignore` in the working directory when present. */
#define CLI_DEFAULT_IGNOREFILE ".customsignore"
/** `given` (--ignorefile), else CLI_DEFAULT_IGNOREFILE when it exists (said on stderr), else NULL. */
const char *cli_default_ignorefile(const char *given);
struct customs_report_ignore;
/** On stderr: each entry that suppressed findings (with how many), each expired entry, a total. */
void cli_ignore_warn(const struct customs_report_ignore *entries, size_t n);

/* `-` as the target of scan and sbom (stdin_spool.c). */
/** True for "-", "docker-archive:-" and "oci:-", the last two also with ":SELECTOR". */
bool cli_target_is_stdin(const char *target);
struct customs_limits;
/** The archive on stdin as a target the scan can open ("[PREFIX]/proc/self/fd/N[:SEL]") into
 * target_out: stdin itself when it is a regular file, else an unnamed O_TMPFILE spool of at most
 * limits->max_total_bytes (*fd_out, closed by the caller; -1 when none).
 * @return 0 or -1 (message printed) */
CUSTOMS_MUST_USE
int cli_stdin_spool(char *target_out, size_t outsz, const char *target,
                    const struct customs_limits *limits, int *fd_out);
/** `text` with the spool's path ("/proc/self/fd/N") shown as "-", in buf when it changes;
 * `text` itself when there is no spool or it is not named. */
const char *cli_stdin_rename(char *buf, size_t bufsz, const char *text);

/* The vulnerability database commands (cmd_db.c, db_update.c). */
CUSTOMS_MUST_USE int cli_db_update(int argc, char **argv);
/** The default database path ($CUSTOMS_DB, $XDG_CACHE_HOME, ~/.cache) into out. */
CUSTOMS_MUST_USE bool cli_db_default_path(char *out, size_t outsz);
/** The cache directory NAME ($XDG_CACHE_HOME/customs/NAME, else ~/.cache/customs/NAME) into
 * out; false with CUSTOMS_NO_CACHE set or no home. */
CUSTOMS_MUST_USE bool cli_cache_dir(char *out, size_t outsz, const char *name);
/** The cache directory NAME under `root` (--cache-dir) when given, else as cli_cache_dir;
 * its parents are made. */
CUSTOMS_MUST_USE bool cli_cache_path(char *out, size_t outsz, const char *root, const char *name);
/** Whether scans use the layer cache: always under --cache-dir, else unless
 * CUSTOMS_NO_LAYER_CACHE is set (the test suite sets it, so that tests of the readers read). */
bool cli_layer_cache_wanted(const char *root);
/** What scans prune the layer cache to (--cache-max-size) and `customs cache prune` keeps. */
#define CLI_CACHE_MAX_SIZE_DEFAULT "5G"
/** A size: bytes, or a number with K, M, G, T (powers of 1024; "Ki", "KB", "KiB" too).
 * @return 0 or -1 */
CUSTOMS_MUST_USE int cli_parse_size(const char *s, uint64_t *out);
struct customs_cache_usage;
/** Prune the cache `name` ("layers", "secrets") under `root` (NULL: the default cache root)
 * to `max_bytes` and `max_age` seconds (customs_sealed_prune). */
CUSTOMS_MUST_USE
int cli_cache_prune(const char *root, const char *name, uint64_t max_bytes, int64_t max_age,
                    struct customs_cache_usage *usage, struct customs_error *err);
/** A scan's warn callback: "warning: MESSAGE" on stderr. */
void cli_scan_warn(const char *message, void *payload);
/** mkdir -p of the directory holding path. */
void cli_db_make_parent(const char *path);
/** customs_db_build's and customs_db_update's messages: progress lines on stdout, warnings
 * and errors on stderr (escaped: they quote servers and files). */
void cli_db_message(enum customs_db_message level, const char *text, void *payload);

/** A scan's options.config_audit (cmd_audit.c): the Dockerfiles, Compose files and Kubernetes
 * manifests under `root`, audited as `customs audit ROOT` does with its defaults; a file that
 * cannot be read or parsed is a warning on stderr. */
struct customs_misconfig_set;
CUSTOMS_MUST_USE
int cli_audit_config_dir(struct customs_misconfig_set *set, const char *root, void *payload);

/* Verdicts (verdict.c): --policy for scan and audit. */
struct customs_policy;
struct customs_verdict;
struct cli_verdicts {
    void *subjects;   /* json_t array of verdicts */
    int effect;       /* enum customs_effect: the strongest so far */
    size_t count;
};
/** Load a policy, its errors on stderr; NULL when invalid. */
CUSTOMS_MUST_USE struct customs_policy *cli_policy_load(const char *path);
void cli_policy_free(struct customs_policy *p);
void cli_verdicts_init(struct cli_verdicts *vs);
/** Drop the verdicts kept (when cli_verdicts_finish is not called). */
void cli_verdicts_release(struct cli_verdicts *vs);
/** Print one subject's verdict and reasons on stderr and keep it for the JSON file. */
CUSTOMS_MUST_USE
int cli_verdicts_add(struct cli_verdicts *vs, const char *subject, const struct customs_verdict *v);
/** Print the overall verdict, write the JSON file (if any); the exit code: 1 deny, 0 else, 2
 * when the file could not be written. */
CUSTOMS_MUST_USE
int cli_verdicts_finish(struct cli_verdicts *vs, const char *policy, const char *json_path);
struct customs_store;
/** Open a verdict store (errors printed); NULL on failure. */
CUSTOMS_MUST_USE struct customs_store *cli_store_open(const char *uri);
void cli_store_close(struct customs_store *s);
/** Judge a scanned image, add its verdict, and record it in `store` when not NULL.
 * @return 0 or a negative code (printed) */
CUSTOMS_MUST_USE int cli_scan_verdict(struct cli_verdicts *vs, const struct customs_policy *p,
                                      const struct customs_report *report, const char *target,
                                      struct customs_store *store);
/** Record a scanned image without a verdict. @return 0 or -1 (printed) */
CUSTOMS_MUST_USE int cli_scan_record(struct customs_store *s, const struct customs_report *report);

struct customs_policy_batch;
/** Judge every workload of an audit's batch (images from `store`, may be NULL) and add the
 * verdicts. @return 0 or -1 (printed) */
CUSTOMS_MUST_USE
int cli_audit_verdicts(struct cli_verdicts *vs, const struct customs_policy *p,
                       const struct customs_policy_batch *b, struct customs_store *store);

/* Signatures (verify.c): --verify-key, --signatures, --signed-identity. */
#define CLI_VERIFY_KEYS_MAX 16
struct cli_verify {
    const char *keys[CLI_VERIFY_KEYS_MAX];
    size_t nkeys;
    const char *lookaside; /* --signatures DIR|URL */
    const char *identity;  /* --signed-identity NAME */
    char lookaside_buf[4096]; /* the policy's lookaside directory, resolved */
};
struct customs_sig_result;
struct customs_limits;
/** Judge the signatures of `target` with the keys of `cv` (a private temporary GnuPG home for
 * OpenPGP keys, removed afterwards); print the outcome. @return 0 verified, 1 not, 2 error */
CUSTOMS_MUST_USE
int cli_verify_signatures(struct cli_verify *cv, const char *target, const char *platform,
                          const struct customs_registry_options *registry,
                          const struct customs_limits *limits, struct customs_sig_result *res);
struct customs_policy;
/** images.signatures of the policy (read from `policy_path`), when `cv` has no key yet: its
 * keys (relative to the policy file's directory, into `keybuf`) and lookaside (a directory
 * relative to the policy file's directory, into `cv->lookaside_buf`, or a URL).
 * @return true when the policy asks for a signature */
bool cli_verify_from_policy(struct cli_verify *cv, char keybuf[][4096],
                            const struct customs_policy *p, const char *policy_path);

/* Registry credentials (registry_auth.c). */
#define CLI_AUTH_FILES_MAX 3
struct cli_registry_auth {
    char paths[CLI_AUTH_FILES_MAX][4096]; /* in order of precedence */
    size_t npaths;
};
/** The auth files to consult: `authfile` (--authfile) or $REGISTRY_AUTH_FILE alone; else
 * ${XDG_RUNTIME_DIR}/containers/auth.json, then $DOCKER_CONFIG/config.json (default
 * ~/.docker/config.json). Nothing is read yet. */
void cli_registry_auth_init(struct cli_registry_auth *a, const char *authfile);
/** A customs_registry_credentials_fn (payload: a struct cli_registry_auth): the first file
 * that names the repository or its host decides; a credential helper it names is run (30 s,
 * 64 KiB at most). */
CUSTOMS_MUST_USE
int cli_registry_credentials(char user[CUSTOMS_REGISTRY_USER_MAX],
                             char secret[CUSTOMS_REGISTRY_SECRET_MAX], const char *host,
                             const char *repo, void *payload, struct customs_error *err);

/* Servers (admit, registry). */
#define CLI_MAX_PEM (1u << 20)
struct sockaddr_storage;
/** The PEM file at `path` as a string (malloc'ed); `what` names the option in errors. */
CUSTOMS_MUST_USE char *cli_read_pem(const char *path, const char *what);
/** "ADDRESS:PORT" (numeric; "[::1]:PORT" for IPv6) into `ss`. @return 0 or -1 */
CUSTOMS_MUST_USE int cli_parse_listen(struct sockaddr_storage *ss, const char *listen, bool *v6);

/** Write `s` for a terminal: control characters (ESC, CR, BEL, C1...) as \xNN or \u{NN}, as
 * ls and git do. Every untrusted string printed for a human goes through it. */
void cli_put_escaped(FILE *fp, const char *s);
/** Print one line to stderr, escaped (cli_put_escaped): for lines that carry names, reasons or
 * values from images, databases, policies or requests; the newline is added. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Print "customs: " + message (escaped: cli_put_escaped) to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** --color WHEN into *out: auto, always or never. @return 0 or -1 (message printed) */
int cli_color_option(const char **out, const char *when);
/** Colours for a table written to `output` (NULL: stdout): `when` is always, never, or auto (a
 * terminal on stdout, NO_COLOR unset or empty, TERM not "dumb"). */
bool cli_color_wanted(const char *when, const char *output);

/** A progress callback for customs_scan that draws on stderr when it is a terminal. */
void cli_progress(unsigned done, unsigned total, unsigned long long bytes_in,
                  unsigned long long bytes_out, void *payload);

#endif /* CUSTOMS_CLI_CLI_H */
