/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vulndb/vulndb.h"

static int score_of(double *score, const char *vector)
{
    struct customs_cvss c;
    struct customs_error err = {0};
    int rc = customs_cvss_score(&c, vector, &err);
    *score = c.score;
    if (rc != 0) {
        assert_true(err.message[0] != '\0'); /* every refusal says why */
    }
    return rc;
}

struct pair {
    const char *vector;
    double score;
};

static void check_pairs(const struct pair *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double score = -2;
        assert_int_equal(score_of(&score, pairs[i].vector), 0);
        if ((long)(score * 10 + 0.5) != (long)(pairs[i].score * 10 + 0.5)) {
            fail_msg("%s: computed %.1f, published %.1f", pairs[i].vector, score, pairs[i].score);
        }
    }
}

static const char *rating31(double score)
{
    return customs_cvss_rating(CUSTOMS_CVSS_V31, score);
}

/* Published vector/score pairs: the CVSS v3.1 specification's examples document (FIRST) and
 * NVD's scores for well-known CVEs. */
static const struct pair published[] = {
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
    check_pairs(published, sizeof(published) / sizeof(published[0]));
    print_message("# %zu published CVSS pairs agree\n", sizeof(published) / sizeof(published[0]));
}

static void cvss__ignores_temporal_metrics_and_order(void **state)
{
    double score;
    (void)state;
    assert_int_equal(score_of(
                         &score, "CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:U/RL:O/RC:C"),
                     0);
    assert_true(score > 9.79 && score < 9.81);
}

static void cvss__rejects_incomplete_or_foreign_vectors(void **state)
{
    static const char *const bad[] = {
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",            /* v3 metrics without prefix */
        "CVSS:3.1/AV:N/AC:L/Au:N/C:P/I:P/A:P",            /* v2 metrics as v3 */
        "AV:N/AC:L/Au:N/C:P/I:P",                         /* v2 without A */
        "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:Q",                 /* v2 bad temporal value */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H", /* v4 without SA */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:S/SA:H", /* S only as MSI */
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/U:Purple",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y", /* unknown metric */
        "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
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
        assert_int_equal(score_of(&score, bad[i]), CUSTOMS_EMALFORMED);
    }
    assert_int_equal(score_of(&score, NULL), CUSTOMS_EMALFORMED);
    assert_int_equal(score_of(&score, "CVSS:5.0/AV:N"), CUSTOMS_EUNSUPPORTED);
}

/* CVSS v2.0 Complete Guide section 3.3's examples, and NVD v2 scores of well-known CVEs. */
static void cvss__scores_v2_examples(void **state)
{
    static const struct pair v2[] = {
        {"AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8},                  /* CVE-2002-0392 (guide) */
        {"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0},                 /* CVE-2003-0818 (guide) */
        {"AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2},                  /* CVE-2003-0062 (guide) */
        {"AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0},                  /* CVE-2014-0160 Heartbleed */
        {"AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2},                  /* CVE-2021-3156 sudo */
        {"AV:N/AC:M/Au:N/C:C/I:C/A:C", 9.3},                  /* CVE-2021-44228 */
        {"CVSS:2.0/AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0},
        {"AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H", 7.8},
    };
    (void)state;
    check_pairs(v2, sizeof(v2) / sizeof(v2[0]));
}

/* CVSS v4.0 scores published by their CNAs in NVD records (../shared/corpus/vulndb/upstream/nvd)
 * and the v4.0 specification's examples. */
static void cvss__scores_v4_examples(void **state)
{
    static const struct pair v4[] = {
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0},
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 6.9},
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U", 7.6},
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0},
        {"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/"
         "MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:N/R:U/V:X/"
         "RE:X/U:X", 7.0}, /* CVE-2024-8572 (VulDB) */
    };
    (void)state;
    check_pairs(v4, sizeof(v4) / sizeof(v4[0]));
}

static void cvss__rates_scores_by_the_spec_bands(void **state)
{
    (void)state;
    assert_string_equal(rating31(0.0), "NONE");
    assert_string_equal(rating31(0.1), "LOW");
    assert_string_equal(rating31(3.9), "LOW");
    assert_string_equal(rating31(4.0), "MEDIUM");
    assert_string_equal(rating31(6.9), "MEDIUM");
    assert_string_equal(rating31(7.0), "HIGH");
    assert_string_equal(rating31(9.0), "CRITICAL");
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
        cmocka_unit_test(cvss__scores_v2_examples),
        cmocka_unit_test(cvss__scores_v4_examples),
        cmocka_unit_test(keys__normalise_osv_ecosystems),
        cmocka_unit_test(keys__normalise_pypi_names_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
