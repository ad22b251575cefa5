/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#define PARSE(p, text) parse_with(p, customs_dpkg_parse, "/var/lib/dpkg/status", text, strlen(text))

static void dpkg__reads_source_version_in_parentheses(void **state)
{
    struct parsed p;
    (void)state;
    PARSE(&p, "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n"
              "Source: glibc (2.36-9+deb12u4)\nVersion: 2.36-9+deb12u4+b1\n"
              "Description: GNU C Library\n multi-line\n .\n continued\n\n"
              "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n"
              "Source: bash\nArchitecture: amd64\n");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 2);
    assert_string_equal(pkg(&p, 0)->name, "libc6");
    assert_string_equal(pkg(&p, 0)->version, "2.36-9+deb12u4+b1");
    assert_string_equal(pkg(&p, 0)->source_name, "glibc");
    assert_string_equal(pkg(&p, 0)->source_version, "2.36-9+deb12u4");
    assert_string_equal(pkg(&p, 0)->arch, "amd64");
    assert_string_equal(pkg(&p, 0)->type, "deb");
    assert_int_equal(pkg(&p, 0)->layer, 3);
    /* Source without a version: the binary's version is the source version */
    assert_string_equal(pkg(&p, 1)->source_name, "bash");
    assert_string_equal(pkg(&p, 1)->source_version, "5.2.15-2+b2");
    parsed_free(&p);
}

static void dpkg__keeps_only_installed_packages(void **state)
{
    struct parsed p;
    (void)state;
    PARSE(&p, "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
              "Package: held\nStatus: hold ok installed\nVersion: 2\n\n"
              "Package: half\nStatus: install ok half-installed\nVersion: 3\n\n"
              "Package: here\nStatus: install ok installed\nVersion: 4\n");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 2);
    assert_string_equal(pkg(&p, 0)->name, "held");
    assert_string_equal(pkg(&p, 1)->name, "here");
    /* no Source: the package is its own source */
    assert_string_equal(pkg(&p, 1)->source_name, "here");
    parsed_free(&p);
}

static void dpkg__accepts_distroless_status_d_without_status(void **state)
{
    struct parsed p;
    (void)state;
    parse_with(&p, customs_dpkg_parse, "/var/lib/dpkg/status.d/tzdata",
               "Package: tzdata\r\nVersion: 2024a-0+deb12u1\r\nArchitecture: all\r\n",
               strlen("Package: tzdata\r\nVersion: 2024a-0+deb12u1\r\nArchitecture: all\r\n"));
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.inv.packages.len, 1);
    assert_string_equal(pkg(&p, 0)->version, "2024a-0+deb12u1");
    assert_string_equal(pkg(&p, 0)->arch, "all");
    parsed_free(&p);
}

static void dpkg__rejects_nul_bytes_and_garbage_with_position(void **state)
{
    struct parsed p;
    (void)state;
    parse_with(&p, customs_dpkg_parse, "/s", "Package: a\0\nVersion: 1\n", 23);
    assert_int_equal(p.rc, CUSTOMS_EMALFORMED);
    assert_non_null(strstr(p.err.message, "/s: offset 10"));
    parsed_free(&p);
    PARSE(&p, "Package: a\nVersion: 1\nthis line has no colon\n");
    assert_int_equal(p.rc, CUSTOMS_EMALFORMED);
    assert_non_null(strstr(p.err.message, "/var/lib/dpkg/status:3:"));
    parsed_free(&p);
    PARSE(&p, "Package: a\nStatus: install ok installed\n\n");
    assert_int_equal(p.rc, CUSTOMS_EMALFORMED);
    assert_non_null(strstr(p.err.message, ":1: stanza without Version"));
    parsed_free(&p);
}

/* Every installed package of a real Debian 12 status file, as dpkg-query counts them. */
static void dpkg__agrees_with_dpkg_query_on_a_real_status_file(void **state)
{
    (void)state;
    const char *src = getenv("CUSTOMS_SOURCE_ROOT");
    static const char *const where[] = {"build/bench-images", "../bench-images"};
    char path[4096], cmd[8192], status[4200];
    FILE *f = NULL;
    for (size_t i = 0; i < 2 && f == NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s/rootfs/bookworm-minbase/var/lib/dpkg",
                 src != NULL ? src : ".", where[i]);
        snprintf(status, sizeof(status), "%s/status", path);
        f = fopen(status, "rb");
    }
    if (f == NULL) {
        skip(); /* the bench rootfs is built by scripts/bench-images.sh */
    }
    static char buf[4 << 20];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "dpkg-query --admindir=%s -W -f '${db:Status-Abbrev}\\n' | grep -c '^.i'", path);
    FILE *q = popen(cmd, "r");
    assert_non_null(q);
    unsigned long want = 0;
    assert_int_equal(fscanf(q, "%lu", &want), 1);
    pclose(q);
    struct parsed p;
    parse_with(&p, customs_dpkg_parse, "/var/lib/dpkg/status", buf, n);
    assert_int_equal(p.rc, 0);
    assert_true(want > 50);
    assert_int_equal(p.inv.packages.len, want);
    parsed_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dpkg__reads_source_version_in_parentheses),
        cmocka_unit_test(dpkg__keeps_only_installed_packages),
        cmocka_unit_test(dpkg__accepts_distroless_status_d_without_status),
        cmocka_unit_test(dpkg__rejects_nul_bytes_and_garbage_with_position),
        cmocka_unit_test(dpkg__agrees_with_dpkg_query_on_a_real_status_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
