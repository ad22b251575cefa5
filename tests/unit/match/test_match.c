/* SPDX-License-Identifier: Apache-2.0 */
/* Matching against a database built here from the written fixtures in tests/data/vulndb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "match/match.h"

static char db_path[] = "/tmp/customs-match-XXXXXX";
static struct customs_vulndb *db;

static int setup(void **state)
{
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_counts counts;
    struct customs_vulndb_import_options opt = {0};
    struct customs_error err = {0};
    char path[4096];
    const char *src = getenv("CUSTOMS_SOURCE_ROOT") != NULL ? getenv("CUSTOMS_SOURCE_ROOT") : ".";
    (void)state;
    int fd = mkstemp(db_path);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    unlink(db_path);
    if (customs_vulndb_writer_open(&w, db_path, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/tests/data/vulndb/tracker.json", src);
    int r = customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_DEBIAN_TRACKER, path, &opt, &counts,
                                       &err);
    snprintf(path, sizeof(path), "%s/tests/data/vulndb/osv/ghsa.json", src);
    if (r == 0) {
        r = customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_OSV, path, &opt, &counts, &err);
    }
    snprintf(path, sizeof(path), "%s/tests/data/vulndb/osv/dir/nested", src);
    if (r == 0) { /* Ubuntu USN and Alpine OSV records */
        r = customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_OSV, path, &opt, &counts, &err);
    }
    snprintf(path, sizeof(path), "%s/tests/data/vulndb/secdb", src);
    if (r == 0) {
        r = customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_ALPINE_SECDB, path, &opt, &counts,
                                       &err);
    }
    if (r == 0) {
        r = customs_vulndb_writer_finish(w, &err);
    }
    customs_vulndb_writer_close(w);
    if (r == 0) {
        r = customs_vulndb_open(&db, db_path, &err);
    }
    if (r != 0) {
        fprintf(stderr, "%s\n", err.message);
    }
    return r;
}

static int teardown(void **state)
{
    (void)state;
    customs_vulndb_close(db);
    unlink(db_path);
    return 0;
}

struct run {
    struct customs_arena arena;
    struct customs_inventory inv;
    struct customs_vec found;
};

static void run_init(struct run *r)
{
    customs_arena_init(&r->arena);
    customs_inventory_init(&r->inv, &r->arena);
    customs_vec_init(&r->found, sizeof(struct customs_vuln_finding));
}

static void run_free(struct run *r)
{
    customs_vec_release(&r->found);
    customs_inventory_release(&r->inv);
    customs_arena_release(&r->arena);
}

static void add(struct run *r, const char *type, const char *name, const char *version,
                const char *src, const char *srcver)
{
    struct customs_package *p = customs_inventory_add(&r->inv);
    p->type = type;
    p->name = name;
    p->version = version;
    p->source_name = src;
    p->source_version = srcver;
}

static bool has(const struct run *r, const char *id)
{
    for (size_t i = 0; i < r->found.len; i++) {
        const struct customs_vuln_finding *f = customs_vec_at(&r->found, i);
        if (strcmp(f->id, id) == 0) {
            return true;
        }
    }
    return false;
}

/* The finding for `id`, or an empty one (so that the caller's assertions fail clearly). */
static const struct customs_vuln_finding *get(const struct run *r, const char *id)
{
    static const struct customs_vuln_finding none = {.id = "", .name = "", .installed = "",
                                                     .status = ""};
    for (size_t i = 0; i < r->found.len; i++) {
        const struct customs_vuln_finding *f = customs_vec_at(&r->found, i);
        if (strcmp(f->id, id) == 0) {
            return f;
        }
    }
    return &none;
}

static void match__debian_by_source_package_and_release(void **state)
{
    struct run r;
    struct customs_error err = {0};
    struct customs_os bullseye = {"debian", "11", "bullseye", NULL};
    (void)state;
    run_init(&r);
    add(&r, "deb", "libssl1.1", "1.1.1n-0+deb11u3+b1", "openssl", "1.1.1n-0+deb11u3");
    assert_int_equal(customs_match_inventory(&r.found, &r.arena, db, &r.inv, &bullseye, &err), 0);
    assert_true(has(&r, "CVE-2023-0286"));
    const struct customs_vuln_finding *f = get(&r, "CVE-2023-0286");
    assert_string_equal(f->name, "libssl1.1");
    assert_string_equal(f->installed, "1.1.1n-0+deb11u3"); /* the source version */
    assert_string_equal(f->fixed, "1.1.1n-0+deb11u4");
    assert_string_equal(f->status, "fixed");
    assert_int_equal(f->severity, CUSTOMS_SEVERITY_HIGH); /* Debian's urgency */
    assert_true(has(&r, "CVE-2024-0001")); /* open, postponed: no fix yet */
    f = get(&r, "CVE-2024-0001");
    assert_null(f->fixed);
    assert_string_equal(f->status, "unfixed");
    assert_int_equal(r.found.len, 2);
    run_free(&r);
}

static void match__fixed_versions_and_other_releases_do_not_match(void **state)
{
    struct run r;
    struct customs_error err = {0};
    struct customs_os bookworm = {"debian", "12", NULL, NULL}; /* codename from the number */
    struct customs_os buster = {"debian", "10", "buster", NULL};
    (void)state;
    run_init(&r);
    add(&r, "deb", "libssl3", "3.0.11-1", "openssl", "3.0.11-1");
    assert_int_equal(customs_match_inventory(&r.found, &r.arena, db, &r.inv, &bookworm, &err), 0);
    assert_false(has(&r, "CVE-2023-0286"));                 /* 3.0.11-1 > 3.0.8-1 */
    assert_true(has(&r, "CVE-2024-0001"));
    assert_string_equal(get(&r, "CVE-2024-0001")->status, "will_not_fix"); /* nodsa ignored */
    r.found.len = 0;
    assert_int_equal(customs_match_inventory(&r.found, &r.arena, db, &r.inv, &buster, &err), 0);
    assert_int_equal(r.found.len, 0); /* buster: not affected ("0") */
    run_free(&r);
}

static void match__osv_ranges_report_the_cve_with_aliases(void **state)
{
    struct run r;
    struct customs_error err = {0};
    (void)state;
    run_init(&r);
    add(&r, "npm", "example-lib", "1.2.2", NULL, NULL);  /* in [0, 1.2.3) */
    add(&r, "npm", "example-lib", "1.2.3", NULL, NULL);  /* fixed */
    add(&r, "npm", "example-lib", "2.0.0", NULL, NULL);  /* in [2.0.0, 2.0.1) */
    add(&r, "npm", "example-lib", "3.5.0", NULL, NULL);  /* [3.0.0, ...) unfixed */
    add(&r, "pypi", "example-lib-py", "1.3", NULL, NULL); /* [1.0, last_affected 1.4] */
    add(&r, "pypi", "example-lib-py", "2.5", NULL, NULL); /* limit 2.5 is exclusive */
    assert_int_equal(customs_match_inventory(&r.found, &r.arena, db, &r.inv, NULL, &err), 0);
    assert_int_equal(r.found.len, 4);
    const struct customs_vuln_finding *f = customs_vec_at(&r.found, 0);
    assert_string_equal(f->id, "CVE-2023-11111");
    assert_int_equal(f->naliases, 1);
    assert_string_equal(f->aliases[0], "GHSA-aaaa-bbbb-cccc");
    assert_int_equal(f->package, 0);
    assert_string_equal(f->fixed, "1.2.3");
    assert_int_equal(f->severity, CUSTOMS_SEVERITY_MEDIUM); /* GHSA's MODERATE, not CVSS 9.8 */
    assert_true(f->cvss > 9.7 && f->cvss < 9.9);
    f = customs_vec_at(&r.found, 1);
    assert_int_equal(f->package, 2);
    assert_string_equal(f->fixed, "2.0.1");
    f = customs_vec_at(&r.found, 2);
    assert_int_equal(f->package, 3);
    assert_null(f->fixed);
    assert_string_equal(f->status, "unfixed");
    f = customs_vec_at(&r.found, 3);
    assert_int_equal(f->package, 4);
    run_free(&r);
}

static void match__os_keys_follow_the_database(void **state)
{
    char key[64];
    struct customs_os alpine = {"alpine", "3.19.1", NULL, NULL};
    struct customs_os ubuntu = {"ubuntu", "22.04", "jammy", NULL};
    struct customs_os debian = {"debian", "11.9", NULL, NULL};
    (void)state;
    assert_int_equal(customs_match_os_key(key, sizeof(key), &alpine), 0);
    assert_string_equal(key, "alpine:3.19");
    assert_int_equal(customs_match_os_key(key, sizeof(key), &ubuntu), 0);
    assert_string_equal(key, "ubuntu:22.04");
    assert_int_equal(customs_match_os_key(key, sizeof(key), &debian), 0);
    assert_string_equal(key, "debian:bullseye");
}

/* An image's VERSION_ID too long for the key is no key at all, never a clipped one (which
 * could name a release the image is not), and its OS packages are then an unknown release. */
static void match__an_os_key_that_does_not_fit_is_refused_not_clipped(void **state)
{
    char key[16];
    char wide[96];
    struct customs_os ubuntu = {"ubuntu", "22.04.4-long-enough-to-clip", NULL, NULL};
    struct customs_os ok = {"ubuntu", "22.04", NULL, NULL};
    struct customs_package deb = {0};
    (void)state;
    assert_int_equal(customs_match_os_key(key, sizeof(key), &ubuntu), CUSTOMS_ELIMIT);
    assert_string_equal(key, "");
    assert_int_equal(customs_match_os_key(key, sizeof(key), &ok), 0);
    assert_string_equal(key, "ubuntu:22.04");
    deb.type = "deb";
    deb.name = "bash";
    deb.version = "5.1-6";
    char long_key[128];
    memset(long_key, 'x', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    memcpy(long_key, "ubuntu:", 7);
    assert_int_equal(customs_match_package_key(wide, sizeof(wide), &deb, long_key),
                     CUSTOMS_MATCH_UNKNOWN_RELEASE);
    assert_string_equal(wide, "");
    assert_int_equal(customs_match_package_key(wide, sizeof(wide), &deb, "ubuntu:22.04"),
                     CUSTOMS_MATCH_CHECKED);
    assert_string_equal(wide, "ubuntu:22.04");
}

static void match__alpine_by_origin_on_both_sides_of_the_fix(void **state)
{
    struct run r;
    struct customs_error err = {0};
    struct customs_os alpine = {"alpine", "3.19.1", NULL, NULL};
    (void)state;
    run_init(&r);
    add(&r, "apk", "busybox", "1.36.1-r14", "busybox", NULL);       /* before r15's fixes */
    add(&r, "apk", "busybox-binsh", "1.36.1-r15", "busybox", NULL);  /* at the fix */
    add(&r, "apk", "libcrypto3", "3.1.4-r0", "openssl", NULL);       /* origin openssl */
    add(&r, "apk", "libssl3", "3.1.4-r1", "openssl", NULL);
    assert_int_equal(customs_match_inventory(&r.found, &r.arena, db, &r.inv, &alpine, &err), 0);
    assert_true(has(&r, "CVE-2023-42363"));
    assert_true(has(&r, "CVE-2023-42364"));
    assert_true(has(&r, "CVE-2023-42365"));
    assert_false(has(&r, "CVE-2021-28831")); /* "0": never affected in this branch */
    assert_true(has(&r, "CVE-2023-5678"));
    assert_string_equal(get(&r, "CVE-2023-5678")->name, "libcrypto3");
    assert_string_equal(get(&r, "CVE-2023-5678")->fixed, "3.1.4-r1");
    assert_string_equal(get(&r, "CVE-2023-42363")->fixed, "1.36.1-r15");
    for (size_t i = 0; i < r.found.len; i++) {
        const struct customs_vuln_finding *f = customs_vec_at(&r.found, i);
        assert_true(f->package == 0 || f->package == 2); /* never the fixed ones */
    }
    run_free(&r);
}

static void match__ubuntu_by_series_and_source_on_both_sides_of_the_fix(void **state)
{
    struct run r;
    struct customs_error err = {0};
    struct customs_os jammy = {"ubuntu", "22.04", "jammy", NULL};
    (void)state;
    run_init(&r);
    add(&r, "deb", "libssl3", "3.0.2-0ubuntu1.8", "openssl", "3.0.2-0ubuntu1.8");
    add(&r, "deb", "openssl", "3.0.2-0ubuntu1.9", "openssl", "3.0.2-0ubuntu1.9");
    assert_int_equal(customs_match_inventory(&r.found, &r.arena, db, &r.inv, &jammy, &err), 0);
    assert_int_equal(r.found.len, 1);
    const struct customs_vuln_finding *f = customs_vec_at(&r.found, 0);
    assert_string_equal(f->id, "CVE-2023-0286"); /* the USN is an alias of the CVE it fixes */
    assert_int_equal(f->naliases, 1);
    assert_string_equal(f->aliases[0], "USN-6000-1");
    assert_string_equal(f->name, "libssl3");
    assert_string_equal(f->fixed, "3.0.2-0ubuntu1.9");
    run_free(&r);
}

static void match__knows_when_a_release_stops_getting_fixes(void **state)
{
    struct customs_os bullseye = {"debian", "11", "bullseye", NULL};
    struct customs_os alpine = {"alpine", "3.19.1", NULL, NULL};
    struct customs_os unknown = {"plan9", "4", NULL, NULL};
    (void)state;
    assert_string_equal(customs_match_os_eol(&bullseye), "2026-08-31");
    assert_string_equal(customs_match_os_eol(&alpine), "2025-11-01");
    assert_null(customs_match_os_eol(&unknown));
    /* every family of the table, and a prefix that must not match a longer version */
    static const struct {
        const char *id, *version, *eol;
    } rows[] = {
        {"debian", "10", "2024-06-30"},     {"debian", "12", "2028-06-30"},
        {"debian", "3.1", "2008-03-31"},    {"ubuntu", "20.04", "2025-05-31"},
        {"ubuntu", "23.10", "2024-07-11"},  {"alpine", "3.1.4", "2016-11-01"},
        {"alpine", "3.10.9", "2021-05-01"}, {"alpine", "3.18.4", "2025-05-09"},
        {"rhel", "7.9", "2024-06-30"},      {"centos", "7", "2024-06-30"},
        {"rocky", "9.3", "2032-05-31"},     {"almalinux", "8.9", "2029-03-01"},
        {"ol", "8.9", "2029-07-31"},        {"amzn", "2023", "2029-06-30"},
        {"amzn", "2", "2026-06-30"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct customs_os os = {rows[i].id, rows[i].version, NULL, NULL};
        const char *eol = customs_match_os_eol(&os);
        assert_non_null(eol);
        assert_string_equal(eol, rows[i].eol);
    }
    struct customs_os alpine_4 = {"alpine", "3.100", NULL, NULL};
    assert_null(customs_match_os_eol(&alpine_4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(match__debian_by_source_package_and_release),
        cmocka_unit_test(match__fixed_versions_and_other_releases_do_not_match),
        cmocka_unit_test(match__osv_ranges_report_the_cve_with_aliases),
        cmocka_unit_test(match__os_keys_follow_the_database),
        cmocka_unit_test(match__an_os_key_that_does_not_fit_is_refused_not_clipped),
        cmocka_unit_test(match__knows_when_a_release_stops_getting_fixes),
        cmocka_unit_test(match__alpine_by_origin_on_both_sides_of_the_fix),
        cmocka_unit_test(match__ubuntu_by_series_and_source_on_both_sides_of_the_fix),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
