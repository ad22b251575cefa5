/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CLI_OPTIONS_H
#define CUSTOMS_CLI_OPTIONS_H

/*
 * Options from three places, in one layer for every command: the command line, then a
 * CUSTOMS_<FLAG> environment variable per long option (--max-db-age: CUSTOMS_MAX_DB_AGE), then a
 * YAML file (--config FILE, $CUSTOMS_CONFIG, else customs.yaml in the working directory when
 * present) whose keys are the long option names. The first place that sets an option decides
 * it (a repeatable option's values are not merged across places). What the environment and the
 * file set becomes ordinary arguments placed before the real ones, so each command parses and
 * checks its options in one getopt_long loop, as before.
 *
 * The file: top-level keys apply to every command that has the option; a key whose value is a
 * mapping is a command's section (scan:, sbom:, audit:, admit:, registry:, store: with
 * refresh:, db: with build:, info:, update:), whose keys override the top-level ones for that
 * command. A key that is no command's option, a section for no command, and a value of the
 * wrong kind are errors at FILE:LINE:COL. A value is a string or number; a list is a comma
 * list (a repeatable option: one value each); an option without a value takes true or false.
 */

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "customs/error.h"

/** One command's options, as its getopt_long loop reads them. */
struct cli_options {
    const char *command;            /* "scan", "db update": the sections that apply */
    const char *optstring;          /* getopt's short options */
    const struct option *longopts;  /* ends with a NULL name; "help" is never configured */
    const char *const *repeatable;  /* NULL-terminated long names taking several values */
};

/** Every command's table (options.c), for the file's keys that apply to other commands. */
extern const struct cli_options *const cli_options_all[];
extern const size_t cli_options_count;

extern const struct cli_options cli_options_scan, cli_options_sbom, cli_options_audit,
    cli_options_admit, cli_options_registry, cli_options_store_refresh, cli_options_db_build,
    cli_options_db_info, cli_options_db_update, cli_options_cache;

/** A value per long option of one command, from one place (file or environment). */
struct cli_optval {
    bool set;
    char **values; /* malloc'ed strings; for an option without argument, none: true when set */
    char **where;  /* parallel to values: where each was set, for messages ("CUSTOMS_SEVERITY",
                      "customs.yaml:3:11: severity"); malloc'ed, an entry may be NULL */
    char **items;  /* parallel to values, may be NULL: for a value joined from a list of the
                      file, the place of each of its comma items, '\n'-separated; malloc'ed */
    size_t n;
    bool off;      /* an option without argument set to false */
};

/** Release the values of `n` options. */
void cli_optvals_release(struct cli_optval *v, size_t n);

/**
 * Read a configuration file's bytes (named `name` in messages) for the command `cmd`: one
 * value per entry of cmd->longopts into `out` (as many entries as the table has). `all` are the
 * tables of every command, which decide what a top-level key may be. On error, a message
 * "NAME:LINE:COL: what" in `msg`. @return 0 or -1
 */
CUSTOMS_MUST_USE
int cli_config_parse(struct cli_optval *out, const char *name, const void *data, size_t len,
                     const struct cli_options *cmd, const struct cli_options *const *all,
                     size_t nall, char *msg, size_t msgsz);

/**
 * Put the environment's and the configuration file's options before the command line's, for
 * `cmd`: *argc and *argv are replaced (the new vector lives until exit); `--config FILE` is
 * taken out. Nothing is added with --help. Errors are printed. @return 0 or -1
 */
CUSTOMS_MUST_USE int cli_options_apply(const struct cli_options *cmd, int *argc, char ***argv);

/**
 * getopt_long for a command's loop, after cli_options_apply: while the option it returns came
 * from the environment or the file, cli_error names that place instead of the flag
 * ("CUSTOMS_SEVERITY: ...", "customs.yaml:3:11: severity: ..."). */
int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts);

/**
 * `msg` (an error message) with the environment's or the file's place in it instead of the
 * flag, into out: while an option from there is being parsed (see cli_getopt), or when `msg`
 * names a flag whose value came from there, checked later by the library ("--skip-dirs 'a[':
 * ..." is "CUSTOMS_SKIP_DIRS 'a[': ..." or "customs.yaml:4:7: skip-dirs 'a[': ..."). A quoted
 * item of a list the file gave is named by the item's own FILE:LINE:COL. @return false when
 * msg names no such place (out untouched)
 */
bool cli_options_place(const char *msg, char *out, size_t outsz);

/** The length of the first item of a comma list: up to a comma outside `{}` braces (a glob's
 * `{a,b}` is one item), a backslash escaping the character after it. */
size_t cli_list_item_len(const char *p);

/** An environment value as a boolean: unset, empty, 0, false, no, off: false; else true. */
bool cli_env_bool(const char *name);

#endif /* CUSTOMS_CLI_OPTIONS_H */
