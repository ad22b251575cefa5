/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vulndb/vulndb.h"

/* Published vector/score pairs: the CVSS v3.1 specification's examples document (FIRST) and
 * NVD's scores for well-known CVEs. */
static const struct {
    const char *vector;
    double score;
} published[] = {
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},  /* CVE-2013-1937 phpMyAdmin */
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},  /* CVE-2013-0375 MySQL */
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1},  /* CVE-2014-3566 POODLE */
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},  /* CVE-2012-1516 VMware */
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8},  /* CVE-2015-1098 iWork */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},  /* CVE-2014-0160 Heartbleed */
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4},  /* CVE-2014-0224 OpenSSL CCS */
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H", 9.3},  /* CVE-2013-6014 Juniper */
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8},  /* CVE-2014-2005 Sophos */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8},  /* CVE-2010-0467 Joomla */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0}, /* CVE-2021-44228 Log4Shell */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},  /* CVE-2014-6271 Shellshock */
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},  /* CVE-2021-3156 sudo */
    {"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:N/A:N", 5.6},  /* CVE-2017-5753 Spectre v1 */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8},  /* CVE-2015-0970 SearchBlox */
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5},  /* NSWG-ECO-1 bassmaster */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},  /* no impact at all */
};

static void cvss__scores_match_published_pairs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(published) / sizeof(published[0]); i++) {
        double score = -2;
        assert_int_equal(customs_cvss3_base_score(&score, published[i].vector), 0);
        if ((long)(score * 10 + 0.5) != (long)(published[i].score * 10 + 0.5)) {
            fail_msg("%s: computed %.1f, published %.1f", published[i].vector, score,
                     published[i].score);
        }
    }
    print_message("# %zu published CVSS pairs agree\n", sizeof(published) / sizeof(published[0]));
}

static void cvss__ignores_temporal_metrics_and_order(void **state)
{
    double score;
    (void)state;
    assert_int_equal(customs_cvss3_base_score(
                         &score, "CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:U/RL:O/RC:C"),
                     0);
    assert_true(score > 9.79 && score < 9.81);
}

static void cvss__rejects_incomplete_or_foreign_vectors(void **state)
{
    static const char *const bad[] = {
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",            /* no prefix */
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",            /* v2 */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",       /* no A */
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",   /* bad value */
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:H/I:H/A:H",   /* bad scope */
        "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /* twice */
        "CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  /* long value */
        "CVSS:3.1/",
        "",
    };
    double score;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(customs_cvss3_base_score(&score, bad[i]), CUSTOMS_EMALFORMED);
    }
    assert_int_equal(customs_cvss3_base_score(&score, NULL), CUSTOMS_EMALFORMED);
}

static void cvss__rates_scores_by_the_spec_bands(void **state)
{
    (void)state;
    assert_string_equal(customs_cvss3_rating(0.0), "NONE");
    assert_string_equal(customs_cvss3_rating(0.1), "LOW");
    assert_string_equal(customs_cvss3_rating(3.9), "LOW");
    assert_string_equal(customs_cvss3_rating(4.0), "MEDIUM");
    assert_string_equal(customs_cvss3_rating(6.9), "MEDIUM");
    assert_string_equal(customs_cvss3_rating(7.0), "HIGH");
    assert_string_equal(customs_cvss3_rating(9.0), "CRITICAL");
}

static void keys__normalise_osv_ecosystems(void **state)
{
    static const char *const pairs[][2] = {
        {"npm", "npm"},           {"PyPI", "pypi"},           {"Go", "go"},
        {"Maven", "maven"},       {"crates.io", "crates.io"}, {"RubyGems", "rubygems"},
        {"Debian:12", "debian:bookworm"}, {"Debian:11", "debian:bullseye"},
        {"Debian:3.1", "debian:sarge"},   {"Debian:bookworm", "debian:bookworm"},
        {"Alpine:v3.19", "alpine:3.19"},  {"Ubuntu:22.04:LTS", "ubuntu:22.04"},
        {"Ubuntu:Pro:18.04:LTS", "ubuntu:pro:18.04"}, {"Ubuntu:23.10", "ubuntu:23.10"},
    };
    char out[64];
    (void)state;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        assert_int_equal(customs_vulndb_ecosystem_key(out, sizeof(out), pairs[i][0]), 0);
        assert_string_equal(out, pairs[i][1]);
    }
    assert_int_equal(customs_vulndb_ecosystem_key(out, 4, "crates.io"), CUSTOMS_ELIMIT);
}

static void keys__normalise_pypi_names_only(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(customs_vulndb_package_key(out, sizeof(out), "pypi", "Zope.Interface__x-"),
                     0);
    assert_string_equal(out, "zope-interface-x-");
    assert_int_equal(customs_vulndb_package_key(out, sizeof(out), "npm", "@Scope/Pkg_x"), 0);
    assert_string_equal(out, "@Scope/Pkg_x");
    assert_int_equal(customs_vulndb_package_key(out, 3, "npm", "abc"), CUSTOMS_ELIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cvss__scores_match_published_pairs),
        cmocka_unit_test(cvss__ignores_temporal_metrics_and_order),
        cmocka_unit_test(cvss__rejects_incomplete_or_foreign_vectors),
        cmocka_unit_test(cvss__rates_scores_by_the_spec_bands),
        cmocka_unit_test(keys__normalise_osv_ecosystems),
        cmocka_unit_test(keys__normalise_pypi_names_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
