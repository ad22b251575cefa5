/* SPDX-License-Identifier: Apache-2.0 */
/* `customs db build` and `customs db info`: the offline vulnerability database. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "customs/vulndb.h"
#include "vulndb/vulndb.h"

static void db_usage(FILE *out)
{
    fprintf(out,
            "usage: customs db build -o FILE [--keep-going] SOURCE...\n"
            "       customs db info [--db FILE]\n"
            "       customs db update [--db FILE] [--sources FILE] [--source [NAME=]URL]...\n"
            "                         [--max-bytes N] [--timeout SECONDS] [--keep-going]\n\n"
            "build   import advisory SOURCEs into a new database FILE (written beside it and\n"
            "        renamed into place only when complete). Each SOURCE is detected:\n"
            "        a Debian security tracker JSON file, an Alpine secdb JSON file or a\n"
            "        directory of them, OSV records (a .json file, a .jsonl file, a .zip\n"
            "        as osv.dev publishes, or a directory of any of those), or NVD CVE\n"
            "        API 2.0 pages (.json, .json.gz, .json.xz, or a directory of them).\n"
            "  -o, --output FILE   the database to write (default: the default database)\n"
            "      --keep-going    skip malformed records (each reported) instead of failing\n"
            "info    print the database's build time, age, sources, and what it covers per OS\n"
            "        release and ecosystem: advisories, rows and the data's own date\n"
            "      --db FILE       the database to read\n"
            "update  download the configured sources (with ETag / If-Modified-Since, into\n"
            "        FILE.d/sources/), verify them and rebuild FILE atomically; on any failure\n"
            "        the old database is left as it was\n"
            "      --db FILE       the database to update\n"
            "      --sources FILE  the sources list (default $CUSTOMS_DB_SOURCES, else built in):\n"
            "                      one 'NAME URL [sha256=HEX | api=nvd]' per line, '#' comments\n"
            "      --source [NAME=]URL  download this instead of the configured list (repeatable)\n"
            "      --max-bytes N   largest download accepted (default 2 GiB; K, M, G suffixes)\n"
            "      --timeout SECONDS  the whole update: every source, page and the build\n"
            "                      (default 600); a transfer below 1 KiB/s for 30 s fails\n"
            "      --keep-going    skip malformed records (each reported) instead of failing\n"
            "        An NVD CVE API 2.0 source (a URL ending in /cves/2.0, or api=nvd) is paged\n"
            "        by lastModified windows from where the database says the last update\n"
            "        stopped, at most 5 requests per 30 s (50 with $NVD_API_KEY, sent as the\n"
            "        apiKey header), honouring Retry-After\n\n"
            CLI_HELP_CONFIG
            "The default database is $CUSTOMS_DB, else $XDG_CACHE_HOME/customs/customs.db,\n"
            "else ~/.cache/customs/customs.db.\n");
}

/* The default database path into out; false if no home can be found. */
bool cli_db_default_path(char *out, size_t outsz)
{
    const char *env = getenv("CUSTOMS_DB");
    if (env != NULL && env[0] != '\0') {
        return (size_t)snprintf(out, outsz, "%s", env) < outsz;
    }
    env = getenv("XDG_CACHE_HOME");
    if (env != NULL && env[0] == '/') {
        return (size_t)snprintf(out, outsz, "%s/customs/customs.db", env) < outsz;
    }
    env = getenv("HOME");
    if (env != NULL && env[0] != '\0') {
        return (size_t)snprintf(out, outsz, "%s/.cache/customs/customs.db", env) < outsz;
    }
    return false;
}

/* The private cache directory NAME: $XDG_CACHE_HOME/customs/NAME, else ~/.cache/customs/NAME;
 * false with CUSTOMS_NO_CACHE set or no home. */
bool cli_cache_dir(char *out, size_t outsz, const char *name)
{
    const char *env = getenv("CUSTOMS_NO_CACHE");
    if (env != NULL && env[0] != '\0') {
        return false;
    }
    env = getenv("XDG_CACHE_HOME");
    if (env != NULL && env[0] == '/') {
        return (size_t)snprintf(out, outsz, "%s/customs/%s", env, name) < outsz;
    }
    env = getenv("HOME");
    if (env != NULL && env[0] != '\0') {
        return (size_t)snprintf(out, outsz, "%s/.cache/customs/%s", env, name) < outsz;
    }
    return false;
}

bool cli_cache_path(char *out, size_t outsz, const char *root, const char *name)
{
    bool ok = root != NULL ? (size_t)snprintf(out, outsz, "%s/%s", root, name) < outsz
                           : cli_cache_dir(out, outsz, name);
    if (ok) {
        cli_db_make_parent(out);
    }
    return ok;
}

bool cli_layer_cache_wanted(const char *root)
{
    const char *env = getenv("CUSTOMS_NO_LAYER_CACHE");
    return root != NULL || env == NULL || env[0] == '\0';
}

void cli_scan_warn(const char *message, void *payload)
{
    (void)payload;
    cli_error("warning: %s", message);
}

/* mkdir -p of the directory holding path (for the default location). */
void cli_db_make_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) {
        return;
    }
    *slash = '\0';
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    }
    mkdir(dir, 0755);
}

void cli_db_message(enum customs_db_message level, const char *text, void *payload)
{
    (void)payload;
    if (level == CUSTOMS_DB_NOTE) {
        printf("%s\n", text);
        fflush(stdout);
    } else if (level == CUSTOMS_DB_WARNING) {
        cli_error("warning: %s", text);
    } else {
        cli_error("%s", text);
    }
}

static const struct option db_build_longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"keep-going", no_argument, NULL, 'k'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const struct cli_options cli_options_db_build = {"db build", "o:h", db_build_longopts, NULL};

static int db_build(int argc, char **argv)
{
    struct customs_db_build_options opt = {0};
    char out_default[4096];
    const char *out = NULL;
    int c;
    if (cli_options_apply(&cli_options_db_build, &argc, &argv) != 0) {
        return CLI_EXIT_ERROR;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", db_build_longopts)) != -1) {
        if (c == 'o') {
            out = optarg;
        } else if (c == 'k') {
            opt.keep_going = true;
        } else if (c == 'h') {
            db_usage(stdout);
            return CLI_EXIT_CLEAN;
        } else {
            db_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    /* libarchive's zip reader converts every entry's DOS time with mktime(3), which without
     * TZ stats /etc/localtime each time (15,000 calls for the OSV corpus); naming the same
     * zone file lets glibc read it once. */
    if (getenv("TZ") == NULL) {
        (void)setenv("TZ", ":/etc/localtime", 0);
    }
    if (optind >= argc) {
        cli_error("db build: no SOURCE given (see 'customs db --help')");
        return CLI_EXIT_ERROR;
    }
    if (out == NULL) {
        if (!cli_db_default_path(out_default, sizeof(out_default))) {
            cli_error("db build: no -o FILE and no default location ($CUSTOMS_DB, $HOME)");
            return CLI_EXIT_ERROR;
        }
        out = out_default;
        cli_db_make_parent(out);
    }
    struct customs_error err = {0};
    opt.message = cli_db_message;
    if (customs_db_build(NULL, out, (const char *const *)(argv + optind),
                         (size_t)(argc - optind), &opt, &err) != 0) {
        cli_error("%s", err.message);
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_CLEAN;
}

/* Print a database value (input: whoever wrote the file) escaped, padded to `width`. */
static void db_put(const char *s, int width)
{
    int n = (int)strlen(s);
    cli_put_escaped(stdout, s);
    for (; n < width; n++) {
        putchar(' ');
    }
}

static int db_print_source(const struct customs_vulndb_source_info *s, void *payload)
{
    (void)payload;
    fputs("  ", stdout);
    db_put(s->name, 28);
    putchar(' ');
    db_put(s->kind, 15);
    printf(" %8" PRIu64 " records %8" PRIu64 " rows  data ", s->records, s->affected);
    db_put(s->data_date != NULL ? s->data_date : "undated", 0);
    fputs(" (", stdout);
    db_put(s->date_basis != NULL ? s->date_basis : "no date", 0);
    fputs(")  ", stdout);
    db_put(s->sha256, 0);
    putchar('\n');
    return 0;
}

static int db_print_coverage(const struct customs_vulndb_coverage *c, void *payload)
{
    (void)payload;
    fputs("  ", stdout);
    db_put(c->ecosystem, 20);
    putchar(' ');
    db_put(c->source, 28);
    printf(" %8" PRIu64 " advisories %8" PRIu64 " rows  data ", c->records, c->affected);
    db_put(c->data_date != NULL ? c->data_date : "undated", 0);
    fputs(" (", stdout);
    db_put(c->date_basis != NULL ? c->date_basis : "no date", 0);
    fputs(")\n", stdout);
    return 0;
}

static const struct option db_info_longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const struct cli_options cli_options_db_info = {"db info", "h", db_info_longopts, NULL};

static int db_info(int argc, char **argv)
{
    char path_default[4096];
    const char *path = NULL;
    struct customs_error err = {0};
    struct customs_vulndb *db = NULL;
    struct customs_vulndb_info info;
    int c;
    if (cli_options_apply(&cli_options_db_info, &argc, &argv) != 0) {
        return CLI_EXIT_ERROR;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", db_info_longopts)) != -1) {
        if (c == 'd') {
            path = optarg;
        } else if (c == 'h') {
            db_usage(stdout);
            return CLI_EXIT_CLEAN;
        } else {
            db_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (path == NULL) {
        if (!cli_db_default_path(path_default, sizeof(path_default))) {
            cli_error("db info: no --db FILE and no default location ($CUSTOMS_DB, $HOME)");
            return CLI_EXIT_ERROR;
        }
        path = path_default;
    }
    if (customs_vulndb_open(&db, path, &err) != 0 || customs_vulndb_info(db, &info, &err) != 0) {
        cli_error("%s", err.message);
        customs_vulndb_close(db);
        return CLI_EXIT_ERROR;
    }
    char when[64] = "?";
    time_t built = (time_t)info.built_at;
    struct tm tm;
    if (gmtime_r(&built, &tm) != NULL) {
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    long long age = ((long long)time(NULL) - (long long)info.built_at) / 86400;
    fputs("database:  ", stdout);
    db_put(path, 0);
    printf("\nschema:    %d (customs ", info.schema_version);
    db_put(info.customs_version, 0);
    printf(")\nbuilt:     %s (%lld days ago)\n"
           "vulns:     %" PRIu64 "\naliases:   %" PRIu64 " pairs\naffected:  %" PRIu64
           " rows\nsources:\n",
           when, age < 0 ? 0 : age, info.vulns, info.aliases, info.affected);
    int rc = customs_vulndb_sources(db, db_print_source, NULL, &err);
    if (rc == 0) {
        printf("coverage (per OS release and ecosystem):\n");
        rc = customs_vulndb_coverage(db, db_print_coverage, NULL, &err);
    }
    if (rc != 0) {
        cli_error("%s", err.message);
    }
    customs_vulndb_close(db);
    return rc == 0 ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
}

int cli_cmd_db(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        db_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_ERROR : CLI_EXIT_CLEAN;
    }
    if (strcmp(argv[1], "build") == 0) {
        return db_build(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "info") == 0) {
        return db_info(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "update") == 0) {
        return cli_db_update(argc - 1, argv + 1);
    }
    cli_error("db: unknown subcommand '%s' (build, info, update)", argv[1]);
    return CLI_EXIT_ERROR;
}
