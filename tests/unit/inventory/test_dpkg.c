/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fixture.h"

static int parse_len(struct fixture *f, const char *path, const char *text, size_t len)
{
    struct customs_pkgdb_file file = {path, (const uint8_t *)text, len, 2};
    return customs_dpkg_parse(&f->inv, &file, &f->err);
}

static int parse(struct fixture *f, const char *text)
{
    return parse_len(f, "/var/lib/dpkg/status", text, strlen(text));
}

static void dpkg__reads_name_version_arch_and_defaults_the_source(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: bash\n"
                              "Status: install ok installed\n"
                              "Priority: required\n"
                              "Architecture: amd64\n"
                              "Version: 5.2.15-2+b2\n"
                              "Description: GNU Bourne Again SHell\n"
                              " Bash is an sh-compatible command language interpreter.\n"
                              " .\n"
                              " More text.\n"),
                     0);
    assert_int_equal(f->inv.packages.len, 1);
    const struct customs_package *p = fixture_pkg(f, 0);
    assert_string_equal(p->type, "deb");
    assert_string_equal(p->name, "bash");
    assert_string_equal(p->version, "5.2.15-2+b2");
    assert_string_equal(p->arch, "amd64");
    assert_string_equal(p->source_name, "bash");
    assert_string_equal(p->source_version, "5.2.15-2+b2");
    assert_string_equal(p->path, "/var/lib/dpkg/status");
    assert_int_equal(p->layer, 2);
    assert_null(p->epoch);
    assert_null(p->purl);
}

static void dpkg__reads_source_version_in_parentheses(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: libssl3\n"
                              "Status: install ok installed\n"
                              "Source: openssl (3.0.11-1~deb12u2)\n"
                              "Version: 3.0.11-1~deb12u2+b1\n"
                              "\n"
                              "Package: libc6\n"
                              "Status: install ok installed\n"
                              "Source: glibc\n"
                              "Version: 2.36-9+deb12u4\n"),
                     0);
    assert_int_equal(f->inv.packages.len, 2);
    assert_string_equal(fixture_pkg(f, 0)->source_name, "openssl");
    assert_string_equal(fixture_pkg(f, 0)->source_version, "3.0.11-1~deb12u2");
    assert_string_equal(fixture_pkg(f, 0)->version, "3.0.11-1~deb12u2+b1");
    assert_string_equal(fixture_pkg(f, 1)->source_name, "glibc");
    assert_string_equal(fixture_pkg(f, 1)->source_version, "2.36-9+deb12u4");
}

static void dpkg__keeps_only_packages_that_are_installed(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: gone\n"
                              "Status: deinstall ok config-files\n"
                              "Version: 1.0\n"
                              "\n"
                              "Package: purged\n"
                              "Status: purge ok not-installed\n"
                              "\n"
                              "Package: half\n"
                              "Status: install reinstreq half-installed\n"
                              "Version: 2.0\n"
                              "\n"
                              "Package: unpacked\n"
                              "Status: install ok unpacked\n"
                              "Version: 2.1\n"
                              "\n"
                              "Package: kept\n"
                              "Status: install ok installed\n"
                              "Version: 3.0\n"
                              "\n"
                              "Package: held\n"
                              "Status: hold ok installed\n"
                              "Version: 4.0\n"
                              "\n"
                              "Package: removing\n"
                              "Status: deinstall ok installed\n"
                              "Version: 5.0\n"
                              "\n"
                              "Package: triggered\n"
                              "Status: install ok triggers-pending\n"
                              "Version: 6.0\n"),
                     0);
    assert_int_equal(f->inv.packages.len, 4);
    assert_string_equal(fixture_pkg(f, 0)->name, "kept");
    assert_string_equal(fixture_pkg(f, 1)->name, "held");
    assert_string_equal(fixture_pkg(f, 2)->name, "removing");
    assert_string_equal(fixture_pkg(f, 3)->name, "triggered");
}

static void dpkg__accepts_crlf_blank_lines_with_spaces_and_no_final_newline(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: a\r\nStatus: install ok installed\r\nVersion: 1:1.0-1\r\n"
                              " \t\r\n"
                              "\r\n"
                              "Package: b\r\nStatus:   install ok installed  \r\nVersion: 2"),
                     0);
    assert_int_equal(f->inv.packages.len, 2);
    assert_string_equal(fixture_pkg(f, 0)->version, "1:1.0-1");
    assert_string_equal(fixture_pkg(f, 1)->name, "b");
    assert_string_equal(fixture_pkg(f, 1)->version, "2");
}

static void dpkg__ignores_continuation_lines_of_other_fields(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: x\n"
                              "Conffiles:\n"
                              " /etc/x.conf 0123456789abcdef\n"
                              "\t/etc/y.conf fedcba\n"
                              "Status: install ok installed\n"
                              "Version: 9\n"),
                     0);
    assert_int_equal(f->inv.packages.len, 1);
    assert_string_equal(fixture_pkg(f, 0)->version, "9");
    assert_null(fixture_pkg(f, 0)->arch);
}

static void dpkg__rejects_a_continuation_line_before_any_field(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
                              " orphan\n"),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message,
                        "/var/lib/dpkg/status:5: continuation line outside a field");
    assert_int_equal(f->inv.packages.len, 1); /* records before the error stay */
}

static void dpkg__rejects_a_truncated_stanza_with_its_line(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
                              "Package: b\nStatus: install ok installed\nVers"),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/dpkg/status:7: expected \"Field: value\"");
    assert_int_equal(f->inv.packages.len, 1);
}

static void dpkg__rejects_an_installed_package_without_version(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "\n\nPackage: nov\nStatus: install ok installed\n"),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message,
                        "/var/lib/dpkg/status:3: installed package nov has no Version");
    assert_int_equal(f->inv.packages.len, 0);
}

static void dpkg__rejects_a_stanza_without_package(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Status: install ok installed\nVersion: 1\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/dpkg/status:1: stanza without Package");
}

static void dpkg__rejects_duplicate_fields(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: a\nVersion: 1\nversion: 2\n"), CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/dpkg/status:3: duplicate field Version");
}

static void dpkg__rejects_a_malformed_source_field(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: a\nStatus: install ok installed\nVersion: 1\n"
                              "Source: src (1.0\n"),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/dpkg/status:4: malformed Source field");
}

static void dpkg__rejects_nul_bytes_naming_the_line(void **state)
{
    struct fixture *f = *state;
    static const char text[] = "Package: a\nVersion: 1\0\nStatus: install ok installed\n";
    assert_int_equal(parse_len(f, "/var/lib/dpkg/status", text, sizeof(text) - 1),
                     CUSTOMS_EMALFORMED);
    assert_string_equal(f->err.message, "/var/lib/dpkg/status:2: NUL byte");
    assert_int_equal(f->inv.packages.len, 0);
}

static void dpkg__accepts_distroless_status_d_files_without_status(void **state)
{
    struct fixture *f = *state;
    const char *text = "Package: libc6\n"
                       "Version: 2.36-9+deb12u7\n"
                       "Architecture: amd64\n"
                       "Source: glibc\n"
                       "\n"
                       "Package: base-files\n"
                       "Version: 12.4+deb12u6\n";
    assert_int_equal(parse_len(f, "/var/lib/dpkg/status.d/libc6", text, strlen(text)), 0);
    assert_int_equal(f->inv.packages.len, 2);
    assert_string_equal(fixture_pkg(f, 0)->source_name, "glibc");
    assert_string_equal(fixture_pkg(f, 0)->source_version, "2.36-9+deb12u7");
    assert_string_equal(fixture_pkg(f, 1)->name, "base-files");
    assert_string_equal(fixture_pkg(f, 1)->path, "/var/lib/dpkg/status.d/libc6");
}

static void dpkg__ignores_stanzas_without_status_in_the_main_file(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse(f, "Package: a\nVersion: 1\n"), 0);
    assert_int_equal(f->inv.packages.len, 0);
}

static void dpkg__handles_very_long_lines(void **state)
{
    struct fixture *f = *state;
    size_t big = 1u << 20;
    char *text = malloc(big + 128);
    assert_non_null(text);
    int n = snprintf(text, 128,
                     "Package: long\nStatus: install ok installed\nVersion: 1\n"
                     "Description: ");
    memset(text + n, 'x', big);
    memcpy(text + n + big, "\n", 1);
    int rc = parse_len(f, "/var/lib/dpkg/status", text, (size_t)n + big + 1);
    free(text);
    assert_int_equal(rc, 0);
    assert_int_equal(f->inv.packages.len, 1);
    assert_string_equal(fixture_pkg(f, 0)->name, "long");
}

static void dpkg__accepts_an_empty_file(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(parse_len(f, "/var/lib/dpkg/status", NULL, 0), 0);
    assert_int_equal(parse(f, "\n\n\n"), 0);
    assert_int_equal(f->inv.packages.len, 0);
}

/* The bench images' Debian rootfs (scripts/bench-images.sh), looked up where the reality suite
 * looks: the build tree, the source tree's build/, then beside the source tree. */
static bool dpkg_bench_admindir(char *out, size_t size)
{
    const char *build = getenv("CUSTOMS_BUILD_ROOT");
    const char *source = getenv("CUSTOMS_SOURCE_ROOT");
    const char *bases[][2] = {
        {build, "bench-images"}, {source, "build/bench-images"}, {source, "../bench-images"}};
    for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
        if (bases[i][0] == NULL) {
            continue;
        }
        int n = snprintf(out, size, "%s/%s/rootfs/bookworm-minbase/var/lib/dpkg", bases[i][0],
                         bases[i][1]);
        struct stat st;
        if (n > 0 && (size_t)n < size && stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
            return true;
        }
    }
    return false;
}

/* The real status file of a debootstrap minbase bookworm, compared with dpkg-query itself. */
static void dpkg__matches_dpkg_query_on_a_real_bookworm_status(void **state)
{
    struct fixture *f = *state;
    char dir[1024];
    char cmd[1400];
    char path[1100];
    if (!dpkg_bench_admindir(dir, sizeof(dir))) {
        print_message("# SKIP bench images absent (scripts/bench-images.sh builds them)\n");
        skip();
    }
    snprintf(path, sizeof(path), "%s/status", dir);
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        print_message("# SKIP %s unreadable\n", path);
        skip();
    }
    snprintf(cmd, sizeof(cmd),
             "dpkg-query --admindir='%s' -W -f '${db:Status-Abbrev}\\n' 2>/dev/null | grep -c '^ii'",
             dir);
    FILE *q = popen(cmd, "r");
    long want = -1;
    if (q == NULL || fscanf(q, "%ld", &want) != 1 || pclose(q) != 0 || want <= 0) {
        fclose(in);
        print_message("# SKIP dpkg-query is not installed\n");
        skip();
    }
    static char buf[8 << 20];
    size_t len = fread(buf, 1, sizeof(buf), in);
    fclose(in);
    assert_int_equal(parse_len(f, "/var/lib/dpkg/status", buf, len), 0);
    assert_int_equal(f->inv.packages.len, (size_t)want);
    bool saw_libc = false;
    for (size_t i = 0; i < f->inv.packages.len; i++) {
        const struct customs_package *p = fixture_pkg(f, i);
        if (strcmp(p->name, "libc6") == 0) {
            saw_libc = true;
            assert_string_equal(p->source_name, "glibc");
        }
    }
    assert_true(saw_libc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) FIXTURE_TEST(fn)
        T(dpkg__reads_name_version_arch_and_defaults_the_source),
        T(dpkg__reads_source_version_in_parentheses),
        T(dpkg__keeps_only_packages_that_are_installed),
        T(dpkg__accepts_crlf_blank_lines_with_spaces_and_no_final_newline),
        T(dpkg__ignores_continuation_lines_of_other_fields),
        T(dpkg__rejects_a_continuation_line_before_any_field),
        T(dpkg__rejects_a_truncated_stanza_with_its_line),
        T(dpkg__rejects_an_installed_package_without_version),
        T(dpkg__rejects_a_stanza_without_package),
        T(dpkg__rejects_duplicate_fields),
        T(dpkg__rejects_a_malformed_source_field),
        T(dpkg__rejects_nul_bytes_naming_the_line),
        T(dpkg__accepts_distroless_status_d_files_without_status),
        T(dpkg__ignores_stanzas_without_status_in_the_main_file),
        T(dpkg__handles_very_long_lines),
        T(dpkg__accepts_an_empty_file),
        T(dpkg__matches_dpkg_query_on_a_real_bookworm_status),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
