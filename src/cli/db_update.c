/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `customs db update`: the arguments, the environment and the signals; the work is the
 * library's customs_db_update (src/vulndb/update.c). The cache lives beside the database
 * (FILE.d/sources/, locked through FILE.d/lock); docs/db.md, "Updating".
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "customs/vulndb.h"

#define UPDATE_MAX_URLS 256

/* SIGINT/SIGTERM during an update: stop the transfer, clean up, leave the database alone. */
static volatile sig_atomic_t update_interrupted;

static void update_on_signal(int sig)
{
    if (sig == SIGALRM) {
        if (update_interrupted == 0) {
            update_interrupted = CUSTOMS_DB_STOP_DEADLINE; /* --timeout */
        }
        return;
    }
    update_interrupted = 1;
}

static const char update_usage[] = "usage: customs db update [--db FILE] [--sources FILE]"
                                   " [--source [NAME=]URL]... [--max-bytes N] [--timeout SECONDS]"
                                   " [--keep-going]\n";

static const struct option db_update_longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"sources", required_argument, NULL, 'c'},
    {"source", required_argument, NULL, 's'},
    {"max-bytes", required_argument, NULL, 'm'},
    {"timeout", required_argument, NULL, 't'},
    {"keep-going", no_argument, NULL, 'k'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const char *const db_update_longopts_repeatable[] = {"source", NULL};
const struct cli_options cli_options_db_update = {"db update", "h", db_update_longopts,
                                                  db_update_longopts_repeatable};

int cli_db_update(int argc, char **argv)
{
    struct customs_db_update_options o;
    struct customs_db_update_result result;
    struct customs_error err = {0};
    const char *urls[UPDATE_MAX_URLS];
    char path_default[4096];
    char *cache_dir = NULL;
    char *lock_path = NULL;
    int c;
    int exit_code = CLI_EXIT_ERROR;
    unsigned timeout = 600; /* the whole update: every source, every page, the build */
    customs_db_update_options_default(&o);
    if (cli_options_apply(&cli_options_db_update, &argc, &argv) != 0) {
        return CLI_EXIT_ERROR;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", db_update_longopts)) != -1) {
        if (c == 'd') {
            o.db_path = optarg;
        } else if (c == 'c') {
            o.sources_file = optarg;
        } else if (c == 's') {
            if (o.n_urls >= UPDATE_MAX_URLS) {
                cli_error("--source: more than %d sources", UPDATE_MAX_URLS);
                return CLI_EXIT_ERROR;
            }
            urls[o.n_urls++] = optarg;
        } else if (c == 'm') {
            if (cli_parse_size(optarg, &o.max_bytes) != 0 || o.max_bytes == 0) {
                cli_error("db update: --max-bytes: not a size: '%s'", optarg);
                return CLI_EXIT_ERROR;
            }
        } else if (c == 't') {
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || errno != 0 || v == 0 ||
                v > 7 * 24 * 3600) {
                cli_error("db update: --timeout: not a number of seconds from 1 to 604800: '%s'",
                          optarg);
                return CLI_EXIT_ERROR;
            }
            timeout = (unsigned)v;
        } else if (c == 'k') {
            o.keep_going = true;
        } else if (c == 'h') {
            fprintf(stdout, "%s(see 'customs db --help')\n", update_usage);
            return CLI_EXIT_CLEAN;
        } else {
            fputs(update_usage, stderr);
            return CLI_EXIT_ERROR;
        }
    }
    o.urls = urls;
    if (optind < argc) {
        cli_error("db update: unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_ERROR;
    }
    if (o.db_path == NULL) {
        if (!cli_db_default_path(path_default, sizeof(path_default))) {
            cli_error("db update: no --db FILE and no default location ($CUSTOMS_DB, $HOME)");
            return CLI_EXIT_ERROR;
        }
        o.db_path = path_default;
    }
    if (o.n_urls == 0 && o.sources_file == NULL) {
        const char *env = getenv("CUSTOMS_DB_SOURCES");
        o.sources_file = env != NULL && env[0] != '\0' ? env : NULL;
    }
    const char *api_key = getenv("NVD_API_KEY");
    o.nvd_api_key = api_key != NULL && api_key[0] != '\0' ? api_key : NULL;
    const char *scale = getenv("CUSTOMS_TEST_TIME_SCALE");
    if (scale != NULL && scale[0] != '\0') {
        char *end = NULL;
        o.time_scale = strtod(scale, &end);
        if (end == scale || *end != '\0' || !(o.time_scale >= 0 && o.time_scale <= 1)) {
            cli_error("db update: CUSTOMS_TEST_TIME_SCALE: not a number in [0, 1]: '%s'", scale);
            return CLI_EXIT_ERROR;
        }
    }
    o.now = (int64_t)time(NULL);
    o.message = cli_db_message;
    cli_db_make_parent(o.db_path);
    /* FILE.d/sources, and a lock so that two updates do not interleave */
    size_t dlen = strlen(o.db_path) + 16;
    cache_dir = malloc(dlen);
    lock_path = malloc(dlen);
    if (cache_dir == NULL || lock_path == NULL) {
        cli_error("out of memory");
        goto done;
    }
    snprintf(cache_dir, dlen, "%s.d/sources", o.db_path);
    snprintf(lock_path, dlen, "%s.d/lock", o.db_path);
    o.cache_dir = cache_dir;
    o.lock_path = lock_path;

    struct sigaction sa, old_int, old_term, old_alrm;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = update_on_signal;
    sigemptyset(&sa.sa_mask);
    update_interrupted = 0;
    o.stop = &update_interrupted;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGALRM, &sa, &old_alrm);
    alarm(timeout);
    int rc = customs_db_update(&result, &o, &err);
    alarm(0);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGALRM, &old_alrm, NULL);
    if (rc != 0 && update_interrupted == CUSTOMS_DB_STOP_DEADLINE) {
        cli_error("db update: stopped after --timeout %u seconds; the database was left as it "
                  "was", timeout);
    }
    exit_code = rc == 0 ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR; /* the messages said why */
done:
    free(cache_dir);
    free(lock_path);
    return exit_code;
}
