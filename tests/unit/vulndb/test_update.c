/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The database build and update through the public API (include/customs/vulndb.h): what
 * happens is said through the caller's message function, and nothing is written but at the
 * paths given. The downloads themselves are tested end to end in tests/cli/db_update*.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "customs/vulndb.h"

struct said {
    char text[8192];
    unsigned notes, warnings, errors;
};

static void collect(enum customs_db_message level, const char *text, void *payload)
{
    struct said *s = payload;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof(s->text) - n, "%d %s\n", (int)level, text);
    s->notes += level == CUSTOMS_DB_NOTE;
    s->warnings += level == CUSTOMS_DB_WARNING;
    s->errors += level == CUSTOMS_DB_ERROR;
}

struct tmp {
    char dir[64];
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    snprintf(t->dir, sizeof(t->dir), "/tmp/customs-update-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmp *t = *state;
    char cmd[128];
    if (customs_fmt(cmd, sizeof(cmd), "rm -rf '%s'", t->dir) == 0 && system(cmd) != 0) {
        fprintf(stderr, "# could not remove %s\n", t->dir);
    }
    free(t);
    return 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void db_build__says_what_it_imported_and_wrote(void **state)
{
    const struct tmp *t = *state;
    char src[128], db[128];
    struct said said = {0};
    struct customs_error err = {0};
    size_t failed = 99;
    assert_int_equal(customs_fmt(src, sizeof(src), "%s/main.json", t->dir), 0);
    assert_int_equal(customs_fmt(db, sizeof(db), "%s/customs.db", t->dir), 0);
    write_text(src, "{\"distroversion\": \"v3.19\", \"packages\": [\n"
                    " {\"pkg\": {\"name\": \"a\", \"secfixes\": {\"1-r0\": [\"CVE-1\"]}}}]}");
    const char *const paths[] = {src};
    struct customs_db_build_options o = {0};
    o.message = collect;
    o.payload = &said;
    assert_int_equal(customs_db_build(&failed, db, paths, 1, &o, &err), 0);
    assert_int_equal(failed, 1);
    assert_true(exists(db));
    assert_int_equal(said.errors, 0);
    assert_int_equal(said.notes, 2);
    assert_non_null(strstr(said.text, "1 records"));
    assert_non_null(strstr(said.text, "wrote "));
}

static void db_build__a_bad_source_leaves_no_database(void **state)
{
    const struct tmp *t = *state;
    char src[128], db[128];
    struct customs_error err = {0};
    size_t failed = 99;
    assert_int_equal(customs_fmt(db, sizeof(db), "%s/bad.db", t->dir), 0);
    assert_int_equal(customs_fmt(src, sizeof(src), "%s/other.json", t->dir), 0);
    write_text(src, "{\"distroversion\": \"v3.19\", \"packages\": [{\"pkg\": {\"name\": 1}}]}");
    const char *const paths[] = {src};
    assert_true(customs_db_build(&failed, db, paths, 1, NULL, &err) < 0);
    assert_int_equal(failed, 0);
    assert_false(exists(db));
    assert_non_null(strstr(err.message, "other.json"));
}

static void db_update__a_bad_sources_file_is_said_and_nothing_is_written(void **state)
{
    const struct tmp *t = *state;
    char list[128], db[128], cache[128];
    struct said said = {0};
    struct customs_error err = {0};
    struct customs_db_update_result result;
    struct customs_db_update_options o;
    assert_int_equal(customs_fmt(list, sizeof(list), "%s/sources", t->dir), 0);
    assert_int_equal(customs_fmt(db, sizeof(db), "%s/u.db", t->dir), 0);
    assert_int_equal(customs_fmt(cache, sizeof(cache), "%s/u.db.d/sources", t->dir), 0);
    write_text(list, "# sources\nok https://example.invalid/a.json\nbad!name https://x.invalid/\n");
    customs_db_update_options_default(&o);
    o.db_path = db;
    o.cache_dir = cache;
    o.sources_file = list;
    o.message = collect;
    o.payload = &said;
    assert_int_equal(customs_db_update(&result, &o, &err), CUSTOMS_EINVAL);
    assert_false(result.rebuilt);
    assert_int_equal(said.errors, 1);
    assert_non_null(strstr(said.text, "/sources:3: bad source name 'bad!name'"));
    assert_false(exists(cache));
    assert_false(exists(db));
}

static void db_update__never_sends_the_key_over_plain_http(void **state)
{
    const struct tmp *t = *state;
    char db[128], cache[128];
    struct said said = {0};
    struct customs_error err = {0};
    struct customs_db_update_options o;
    const char *const urls[] = {"nvd=http://nvd.example.invalid/rest/json/cves/2.0"};
    assert_int_equal(customs_fmt(db, sizeof(db), "%s/k.db", t->dir), 0);
    assert_int_equal(customs_fmt(cache, sizeof(cache), "%s/k.db.d/sources", t->dir), 0);
    customs_db_update_options_default(&o);
    o.db_path = db;
    o.cache_dir = cache;
    o.urls = urls;
    o.n_urls = 1;
    o.nvd_api_key = "a-secret-key-0123456789";
    o.message = collect;
    o.payload = &said;
    assert_int_equal(customs_db_update(NULL, &o, &err), CUSTOMS_EINVAL);
    assert_non_null(strstr(said.text, "NVD_API_KEY is not sent over plain http"));
    assert_null(strstr(said.text, "a-secret-key"));
    assert_null(strstr(err.message, "a-secret-key"));
    assert_false(exists(cache));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(db_build__says_what_it_imported_and_wrote),
        cmocka_unit_test(db_build__a_bad_source_leaves_no_database),
        cmocka_unit_test(db_update__a_bad_sources_file_is_said_and_nothing_is_written),
        cmocka_unit_test(db_update__never_sends_the_key_over_plain_http),
    };
    return cmocka_run_group_tests(tests, tmp_setup, tmp_teardown);
}
