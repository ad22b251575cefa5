/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

/* Everything rated about one id, as text: "[source type version vector score]..." and
 * "{status kev}" for the NVD record. */
static int render_rating(const struct customs_vulndb_rating *r, void *payload)
{
    struct customs_buf *out = payload;
#define S(x) ((x) != NULL ? (x) : "-")
    int rc;
    if (r->kind == CUSTOMS_VULNDB_RATING_CVSS) {
        rc = customs_buf_printf(out, "[%s %s %s %s %.1f]", r->cvss_source, S(r->cvss_type),
                                r->cvss_version, r->vector, r->score);
    } else if (r->kind == CUSTOMS_VULNDB_RATING_NVD) {
        rc = customs_buf_printf(out, "{%s %s}", S(r->nvd_status), S(r->known_exploited));
    } else if (r->kind == CUSTOMS_VULNDB_RATING_DATES) {
        rc = 0; /* the dates: nvd__keeps_publication_dates */
    } else {
        rc = customs_buf_printf(out, "<%s>", r->severity);
    }
    assert_int_equal(rc, 0);
#undef S
    return 0;
}

static char *ratings_text(struct customs_vulndb *db, const char *id)
{
    struct customs_buf out;
    struct customs_error err;
    customs_buf_init(&out, 0);
    if (customs_vulndb_ratings(db, id, render_rating, &out, &err) != 0) {
        assert_int_equal(customs_buf_puts(&out, "ERROR"), 0);
    }
    char *s = customs_buf_detach(&out);
    return s != NULL ? s : customs_strdup("");
}

static const char sudo[] =
    "[134c704f-9b21-4f2e-91b3-4a467353bcc0 Secondary 3.1 "
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H 7.8]"
    "[nvd@nist.gov Primary 2.0 AV:L/AC:L/Au:N/C:C/I:C/A:C 7.2]"
    "[nvd@nist.gov Primary 3.1 CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H 7.8]"
    "{Modified 2022-04-06}";

static void nvd__reads_a_page_gz_and_xz_alike(void **state)
{
    static const char *const names[] = {"nvd/page.json", "nvd/page.json.gz", "nvd/page.json.xz"};
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        const char *src[] = {names[i], NULL};
        struct built b;
        if (build_from(&b, false, src) != 0) {
            fail_msg("%s: %s", names[i], b.err.message);
        }
        assert_int_equal(b.counts.records, 2);
        assert_int_equal(b.counts.affected, 0);
        char *t = ratings_text(b.db, "CVE-2021-3156");
        assert_string_equal(t, sudo);
        customs_free(t);
        t = ratings_text(b.db, "CVE-2021-44228");
        assert_non_null(strstr(t, "[nvd@nist.gov Primary 3.1 "
                                  "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H 10.0]"));
        assert_non_null(strstr(t, "{Analyzed 2021-12-10}"));
        customs_free(t);
        built_release(&b);
    }
}

static void nvd__reads_a_directory_of_pages_and_cve_files(void **state)
{
    static const char *const src[] = {"nvd/dir", NULL};
    struct built b;
    (void)state;
    assert_int_equal(build_from(&b, false, src), 0);
    assert_int_equal(b.counts.records, 3);
    assert_int_equal(b.counts.files, 2);
    char *t = ratings_text(b.db, "CVE-2024-8572"); /* v4.0 names of the newer layout */
    assert_string_equal(t, "[cna@vuldb.com Secondary 2.0 AV:N/AC:L/Au:S/C:N/I:P/A:N 4.0]"
                           "[cna@vuldb.com Secondary 3.1 "
                           "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:L/A:N 3.5]"
                           "[cna@vuldb.com Secondary 4.0 CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/"
                           "VI:L/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/"
                           "MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X"
                           " 5.3]{Received -}");
    customs_free(t);
    t = ratings_text(b.db, "CVE-2026-56867"); /* a rejected CVE: a record, no metrics */
    assert_string_equal(t, "{Rejected -}");
    customs_free(t);
    t = ratings_text(b.db, "CVE-2015-8855");
    assert_non_null(strstr(t, "[nvd@nist.gov Primary 3.0 "
                              "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H 7.5]"));
    customs_free(t);
    built_release(&b);
}

static void warn_into(const char *message, void *payload)
{
    assert_int_equal(customs_buf_printf(payload, "%s\n", message), 0);
}

static void nvd__bad_vector_is_an_error_on_that_vector(void **state)
{
    static const char page[] =
        "{\"format\": \"NVD_CVE\", \"version\": \"2.0\", \"vulnerabilities\": ["
        "{\"cve\": {\"id\": \"CVE-2000-0001\", \"vulnStatus\": \"Analyzed\", \"metrics\": {"
        "\"cvssMetricV31\": [{\"source\": \"nvd@nist.gov\", \"type\": \"Primary\", \"cvssData\":"
        " {\"vectorString\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}}]}}},"
        "{\"cve\": {\"id\": \"CVE-2000-0002\", \"metrics\": {\"cvssMetricV31\": [{\"source\":"
        " \"nvd@nist.gov\", \"type\": \"Primary\", \"cvssData\": {\"vectorString\":"
        " \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U\"}}]}}},"
        "{\"cve\": {\"id\": \"CVE-2000-0003\", \"metrics\": {\"cvssMetricV31\": [{\"source\":"
        " \"nvd@nist.gov\", \"type\": \"Primary\", \"cvssData\": {\"vectorString\":"
        " \"AV:N/AC:L/Au:N/C:P/I:P/A:P\"}}]}}},"
        "{\"cve\": {\"id\": 7}}]}";
    char path[] = "/tmp/customs-nvd-bad-XXXXXX.json";
    int fd = mkstemps(path, 5);
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_import_options opt = {0};
    struct customs_vulndb_counts c = {0};
    struct customs_error err;
    struct customs_buf warnings;
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, page, sizeof(page) - 1), (ssize_t)(sizeof(page) - 1));
    close(fd);
    customs_buf_init(&warnings, 0);
    opt.warn = warn_into;
    opt.payload = &warnings;
    assert_int_equal(customs_vulndb_writer_open(&w, ":memory:", &err), 0);
    /* a record without a CVE id fails the import, naming the file and position */
    assert_int_equal(customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_NVD, path, &opt, &c, &err),
                     CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "vulnerabilities[3]: not an NVD CVE record"));
    /* the vectors that cannot be scored are left out of their records, each reported */
    assert_non_null(strstr(customs_buf_cstr(&warnings),
                           ": CVE-2000-0002: cvssMetricV31[0]: CVSS vector \"CVSS:3.1/AV:N/AC:L/PR:N/"
                           "UI:N/S:U/C:H/I:U/A:U\": I has no value \"U\" (vector not used)"));
    assert_non_null(strstr(customs_buf_cstr(&warnings),
                           "CVE-2000-0003: cvssMetricV31[0]: CVSS vector \"AV:N/AC:L/Au:N/C:P/I:P/"
                           "A:P\" is version 2.0 where 3.1 was expected"));
    customs_vulndb_writer_close(w);
    customs_buf_release(&warnings);
    /* with --keep-going the record without an id is skipped and the others kept */
    const char *src[] = {path, NULL};
    struct built b;
    assert_int_equal(build_from(&b, true, src), 0);
    assert_int_equal(b.counts.records, 3);
    assert_int_equal(b.counts.skipped, 1);
    assert_int_equal(b.counts.bad_vectors, 2);
    char *t = ratings_text(b.db, "CVE-2000-0001");
    assert_string_equal(t, "[nvd@nist.gov Primary 3.1 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
                           " 9.8]{Analyzed -}");
    customs_free(t);
    t = ratings_text(b.db, "CVE-2000-0002");
    assert_string_equal(t, "{- -}");
    customs_free(t);
    built_release(&b);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nvd__reads_a_page_gz_and_xz_alike),
        cmocka_unit_test(nvd__reads_a_directory_of_pages_and_cve_files),
        cmocka_unit_test(nvd__bad_vector_is_an_error_on_that_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
