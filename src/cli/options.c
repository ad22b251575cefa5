/* SPDX-License-Identifier: Apache-2.0 */
/* Options from the environment and the configuration file, before the command line's (see
 * options.h): one pass of getopt_long over a copy of the arguments finds what the command line
 * sets; the rest comes from CUSTOMS_<FLAG>, then the file, as "--name=value" arguments. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/core.h"

#define OPTIONS_CONFIG_DEFAULT "customs.yaml"
#define OPTIONS_CONFIG_MAX (1u << 20)
#define OPTIONS_VAL_CONFIG 0x7ffff001

const struct cli_options *const cli_options_all[] = {
    &cli_options_scan,         &cli_options_sbom,          &cli_options_audit,
    &cli_options_admit,        &cli_options_registry,      &cli_options_store_refresh,
    &cli_options_db_build,     &cli_options_db_info,       &cli_options_db_update,
    &cli_options_cache,
};
const size_t cli_options_count = sizeof(cli_options_all) / sizeof(cli_options_all[0]);

/* The argument vector handed to the command: it lives until exit (optarg points into it, and
 * the servers' threads read their options until the process ends), so it is never freed but
 * when a second command's options replace it (tests). */
static char **options_argv;
/* Parallel to options_argv: where an argument put there from the environment or the file was
 * set, and its option's long name (NULL for the command line's own). */
static char **options_where;
static const char **options_names;
/* Parallel too: for a value joined from a list of the file, each comma item's place. */
static char **options_items;
static ptrdiff_t options_current = -1; /* the injected argument cli_getopt returned last */

static void options_free(void)
{
    if (options_argv != NULL) {
        for (size_t i = 0; options_argv[i] != NULL; i++) {
            free(options_argv[i]);
            free(options_where[i]);
            free(options_items[i]);
        }
        free(options_argv);
        free(options_where);
        free(options_names);
        free(options_items);
        options_argv = NULL;
        options_where = NULL;
        options_names = NULL;
        options_items = NULL;
    }
    options_current = -1;
}

int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts)
{
    int c = getopt_long(argc, argv, optstring, longopts, NULL);
    options_current = -1;
    if (c == -1 || c == '?' || c == ':' || options_argv == NULL || optind < 1) {
        return c;
    }
    /* an injected argument is one "--name=value" element: the one just consumed */
    const char *arg = argv[optind - 1];
    for (size_t i = 0; options_argv[i] != NULL; i++) {
        if (options_argv[i] != arg || options_where[i] == NULL) {
            continue;
        }
        for (size_t j = 0; longopts[j].name != NULL; j++) {
            if (longopts[j].val == c && longopts[j].flag == NULL &&
                strcmp(longopts[j].name, options_names[i]) == 0) {
                options_current = (ptrdiff_t)i;
            }
        }
    }
    return c;
}

#define OPTIONS_NO_ITEM ((size_t)-1)
#define OPTIONS_WHOLE ((size_t)-2)

/* Which comma item of injected argument i ("--name=value") the quote at q ('...') is:
 * its index, OPTIONS_WHOLE for the whole value, or OPTIONS_NO_ITEM. */
static size_t options_quoted_item(size_t i, const char *q)
{
    const char *v = strchr(options_argv[i], '=');
    if (v == NULL || *q != '\'') {
        return OPTIONS_NO_ITEM;
    }
    v++;
    q++;
    size_t n = strlen(v);
    if (strncmp(q, v, n) == 0 && q[n] == '\'') {
        return OPTIONS_WHOLE;
    }
    size_t k = 0;
    for (const char *p = v;; k++) {
        n = cli_list_item_len(p);
        if (strncmp(q, p, n) == 0 && q[n] == '\'') {
            return k;
        }
        if (p[n] == '\0') {
            return OPTIONS_NO_ITEM;
        }
        p += n + 1;
    }
}

/* The place of item k (see options_quoted_item) of injected argument i into buf. */
static const char *options_item_place(size_t i, size_t k, char *buf, size_t bufsz)
{
    const char *items = options_items[i];
    for (size_t j = 0; items != NULL && k != OPTIONS_WHOLE && k != OPTIONS_NO_ITEM; j++) {
        const char *nl = strchr(items, '\n');
        if (j == k) {
            size_t n = nl != NULL ? (size_t)(nl - items) : strlen(items);
            customs_fmt_clip(buf, bufsz, "%.*s", (int)n, items);
            return buf;
        }
        items = nl != NULL ? nl + 1 : NULL;
    }
    return options_where[i];
}

/* Whether injected argument i is option `name` (nl bytes) from the environment or the file. */
static bool options_is(size_t i, const char *name, size_t nl)
{
    return options_where[i] != NULL && options_names[i] != NULL &&
           strlen(options_names[i]) == nl && strncmp(options_names[i], name, nl) == 0;
}

bool cli_options_place(const char *msg, char *out, size_t outsz)
{
    char item[512];
    if (options_argv == NULL) {
        return false;
    }
    /* "--NAME" at the start of msg, or after a space: the first whose value came from the
     * environment or the file, quoted after it (the option being parsed needs no quote) */
    for (const char *t = msg; (t = strstr(t, "--")) != NULL; t += 2) {
        size_t nl = strspn(t + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
        const char *after = t + 2 + nl;
        if ((t != msg && t[-1] != ' ') || nl == 0 ||
            (*after != '\0' && *after != ':' && *after != ' ')) {
            continue;
        }
        const char *q = after + strspn(after, ": ");
        size_t found = OPTIONS_NO_ITEM;
        size_t k = OPTIONS_NO_ITEM;
        for (size_t i = 0; options_argv[i] != NULL && found == OPTIONS_NO_ITEM; i++) {
            if (!options_is(i, t + 2, nl)) {
                continue;
            }
            k = options_quoted_item(i, q);
            if (k != OPTIONS_NO_ITEM || (ptrdiff_t)i == options_current) {
                found = i;
            }
        }
        if (found == OPTIONS_NO_ITEM) {
            continue;
        }
        customs_fmt_clip(out, outsz, "%.*s%s%s", (int)(t - msg), msg,
                         options_item_place(found, k, item, sizeof(item)), after);
        return true;
    }
    if (options_current >= 0) {
        /* a message of the option being parsed that does not name the flag */
        customs_fmt_clip(out, outsz, "%s: %s", options_where[options_current], msg);
        return true;
    }
    return false;
}

size_t cli_list_item_len(const char *p)
{
    int depth = 0;
    size_t i = 0;
    for (; p[i] != '\0'; i++) {
        if (p[i] == '\\' && p[i + 1] != '\0') {
            i++;
        } else if (p[i] == '{') {
            depth++;
        } else if (p[i] == '}' && depth > 0) {
            depth--;
        } else if (p[i] == ',' && depth == 0) {
            break;
        }
    }
    return i;
}

bool cli_env_bool(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0 && strcasecmp(v, "false") != 0 &&
           strcasecmp(v, "no") != 0 && strcasecmp(v, "off") != 0;
}

/* CUSTOMS_<NAME> with '-' as '_', upper case. */
static void options_env_name(char *buf, size_t bufsz, const char *name)
{
    if (customs_fmt(buf, bufsz, "CUSTOMS_%s", name) != 0) {
        buf[0] = '\0'; /* no option name is that long; nothing is looked up */
        return;
    }
    for (char *p = buf + 8; *p != '\0'; p++) {
        *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    }
}

/* The environment's value of one option into ov: a repeatable option's comma list split. */
static int options_from_env(struct cli_optval *ov, const struct option *o, bool repeatable)
{
    char name[128];
    options_env_name(name, sizeof(name), o->name);
    const char *v = name[0] != '\0' ? getenv(name) : NULL;
    if (v == NULL || v[0] == '\0') {
        return 0;
    }
    ov->set = true;
    if (o->has_arg == no_argument) {
        ov->off = !cli_env_bool(name);
        return 0;
    }
    size_t count = 1;
    for (const char *p = v; repeatable && p[cli_list_item_len(p)] != '\0';) {
        p += cli_list_item_len(p) + 1;
        count++;
    }
    ov->values = calloc(count, sizeof(*ov->values));
    ov->where = calloc(count, sizeof(*ov->where));
    if (ov->values == NULL || ov->where == NULL) {
        return -1;
    }
    for (const char *p = v; ov->n < count;) {
        size_t len = repeatable ? cli_list_item_len(p) : strlen(p);
        if (len > 0) {
            ov->values[ov->n] = strndup(p, len);
            ov->where[ov->n] = strdup(name);
            if (ov->values[ov->n] == NULL || ov->where[ov->n] == NULL) {
                free(ov->values[ov->n]);
                free(ov->where[ov->n]);
                return -1;
            }
            ov->n++;
        } else {
            count--;
        }
        p += len + (p[len] == ',');
    }
    return 0;
}

static bool options_repeatable(const struct cli_options *cmd, const char *name)
{
    for (size_t i = 0; cmd->repeatable != NULL && cmd->repeatable[i] != NULL; i++) {
        if (strcmp(cmd->repeatable[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* The configuration file: `given` (--config), else $CUSTOMS_CONFIG, else customs.yaml when it
 * exists. Errors printed. @return 0 (nothing to read is fine) or -1 */
static int options_from_file(struct cli_optval *out, const struct cli_options *cmd,
                             const char *given)
{
    struct customs_error err = {0};
    struct stat st;
    uint8_t *data = NULL;
    size_t len = 0;
    char msg[768];
    const char *path = given;
    if (path == NULL) {
        path = getenv("CUSTOMS_CONFIG");
        path = path != NULL && path[0] != '\0' ? path : NULL;
    }
    if (path == NULL) {
        if (stat(OPTIONS_CONFIG_DEFAULT, &st) != 0 && errno == ENOENT) {
            return 0;
        }
        path = OPTIONS_CONFIG_DEFAULT;
        fprintf(stderr, "customs: options from %s in the working directory\n", path);
    }
    if (customs_read_file(path, OPTIONS_CONFIG_MAX, &data, &len, &err) != 0) {
        cli_error("--config: %s", err.message);
        return -1;
    }
    int rc = cli_config_parse(out, path, data, len, cmd, cli_options_all, cli_options_count, msg,
                              sizeof(msg));
    customs_free(data);
    if (rc != 0) {
        cli_error("%s", msg);
    }
    return rc;
}

static int options_emit_args(char **argv, int *argc, const struct option *o,
                             const struct cli_optval *ov)
{
    if (o->has_arg == no_argument) {
        if (!ov->off) {
            size_t n = strlen(o->name) + 3;
            char *a = malloc(n);
            if (a == NULL) {
                return -1;
            }
            snprintf(a, n, "--%s", o->name);
            argv[(*argc)++] = a;
        }
        return 0;
    }
    for (size_t j = 0; j < ov->n; j++) {
        size_t n = strlen(o->name) + strlen(ov->values[j]) + 4;
        char *a = malloc(n);
        if (a == NULL) {
            return -1;
        }
        snprintf(a, n, "--%s=%s", o->name, ov->values[j]);
        argv[(*argc)++] = a;
    }
    return 0;
}

/* Append "--name[=value]" for what `ov` sets, with where it was set. */
static int options_emit(char **argv, int *argc, const struct option *o, const struct cli_optval *ov)
{
    int first = *argc;
    int rc = options_emit_args(argv, argc, o, ov);
    for (int i = first; i < *argc && ov->where != NULL; i++) {
        size_t j = (size_t)(i - first);
        if (ov->where[j] != NULL) {
            options_where[i] = strdup(ov->where[j]);
            if (options_where[i] == NULL) {
                return -1;
            }
        }
        if (ov->items != NULL && ov->items[j] != NULL) {
            options_items[i] = strdup(ov->items[j]);
            if (options_items[i] == NULL) {
                return -1;
            }
        }
        options_names[i] = o->name;
    }
    return rc;
}

int cli_options_apply(const struct cli_options *cmd, int *argc, char ***argv)
{
    size_t nopts = 0;
    int rc = -1;
    while (cmd->longopts[nopts].name != NULL) {
        nopts++;
    }
    struct option *ext = calloc(nopts + 2, sizeof(*ext));
    char **copy = calloc((size_t)*argc + 1, sizeof(*copy));
    char **drop = calloc((size_t)*argc + 1, sizeof(*drop));
    bool *given = calloc(nopts + 1, sizeof(*given));
    struct cli_optval *file = calloc(nopts + 1, sizeof(*file));
    struct cli_optval *env = calloc(nopts + 1, sizeof(*env));
    size_t ndrop = 0;
    const char *config = NULL;
    bool help = false;
    if (ext == NULL || copy == NULL || drop == NULL || given == NULL || file == NULL ||
        env == NULL) {
        cli_error("out of memory");
        goto out;
    }
    memcpy(ext, cmd->longopts, nopts * sizeof(*ext));
    ext[nopts] = (struct option){"config", required_argument, NULL, OPTIONS_VAL_CONFIG};
    memcpy(copy, *argv, (size_t)*argc * sizeof(*copy));

    /* What the command line sets (errors are left to the command's own parse). */
    int c;
    int saved_opterr = opterr;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(*argc, copy, cmd->optstring, ext, NULL)) != -1) {
        if (c == OPTIONS_VAL_CONFIG) {
            config = optarg;
            drop[ndrop++] = copy[optind - 1];
            if (optarg == copy[optind - 1] && optind >= 3) {
                drop[ndrop++] = copy[optind - 2];
            }
            continue;
        }
        for (size_t i = 0; i < nopts; i++) {
            if (cmd->longopts[i].val == c && cmd->longopts[i].flag == NULL) {
                given[i] = true;
                help = help || strcmp(cmd->longopts[i].name, "help") == 0;
            }
        }
    }
    opterr = saved_opterr;
    optind = 1;

    if (!help) {
        if (options_from_file(file, cmd, config) != 0) {
            goto out;
        }
        for (size_t i = 0; i < nopts; i++) {
            const struct option *o = &cmd->longopts[i];
            if (strcmp(o->name, "help") == 0) {
                continue;
            }
            if (strcmp(o->name, "db") == 0) {
                /* $CUSTOMS_DB keeps its meaning, the default database: set, it overrides the
                 * file's db without asking for vulnerabilities as --db does */
                const char *d = getenv("CUSTOMS_DB");
                if (d != NULL && d[0] != '\0') {
                    cli_optvals_release(&file[i], 1);
                }
                continue;
            }
            if (options_from_env(&env[i], o, options_repeatable(cmd, o->name)) != 0) {
                cli_error("out of memory");
                goto out;
            }
        }
    }

    /* The new vector: argv[0], the environment's and the file's options, the command line's. */
    size_t cap = (size_t)*argc + 2;
    for (size_t i = 0; i < nopts; i++) {
        cap += file[i].n + env[i].n + 2;
    }
    char **nv = calloc(cap, sizeof(*nv));
    int nc = 0;
    options_free();
    options_where = calloc(cap, sizeof(*options_where));
    options_names = calloc(cap, sizeof(*options_names));
    options_items = calloc(cap, sizeof(*options_items));
    if (nv == NULL || options_where == NULL || options_names == NULL || options_items == NULL) {
        free(nv);
        free(options_where);
        free(options_names);
        free(options_items);
        options_where = NULL;
        options_names = NULL;
        options_items = NULL;
        cli_error("out of memory");
        goto out;
    }
    options_argv = nv;
    nv[nc++] = strdup((*argv)[0]);
    for (size_t i = 0; i < nopts; i++) {
        bool skip = false;
        bool env_wins = false;
        for (size_t j = 0; j < nopts; j++) {
            if (cmd->longopts[j].val == cmd->longopts[i].val) {
                skip = skip || given[j];
                env_wins = env_wins || env[j].set;
            }
        }
        const struct cli_optval *ov = env[i].set ? &env[i] : env_wins ? NULL : &file[i];
        if (skip || ov == NULL || !ov->set) {
            continue;
        }
        if (options_emit(nv, &nc, &cmd->longopts[i], ov) != 0) {
            cli_error("out of memory");
            goto out;
        }
    }
    for (int i = 1; i < *argc; i++) {
        bool dropped = false;
        for (size_t j = 0; j < ndrop; j++) {
            dropped = dropped || drop[j] == (*argv)[i];
        }
        if (!dropped) {
            nv[nc] = strdup((*argv)[i]);
            if (nv[nc++] == NULL) {
                cli_error("out of memory");
                goto out;
            }
        }
    }
    if (nv[0] == NULL) {
        cli_error("out of memory");
        goto out;
    }
    *argc = nc;
    *argv = nv;
    rc = 0;
out:
    if (file != NULL) {
        cli_optvals_release(file, nopts);
    }
    if (env != NULL) {
        cli_optvals_release(env, nopts);
    }
    free(env);
    free(file);
    free(given);
    free(drop);
    free(copy);
    free(ext);
    return rc;
}
