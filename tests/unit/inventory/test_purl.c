/* SPDX-License-Identifier: Apache-2.0 */
#include "fixture.h"

static struct customs_package *add(struct fixture *f, const char *type, const char *name,
                                   const char *version)
{
    struct customs_package *p = customs_inventory_add(&f->inv);
    assert_non_null(p);
    p->type = type;
    p->name = name;
    p->version = version;
    return p;
}

static const char *purl(struct fixture *f, size_t i)
{
    const char *s = fixture_pkg(f, i)->purl;
    assert_non_null(s);
    return s;
}

/* purl-spec: ':' is never percent-encoded, so a Debian epoch stays as it is. */
static void purl__builds_deb_urls_with_namespace_arch_and_distro(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {"debian", "12", "bookworm", NULL};
    add(f, "deb", "libc6", "2.36-9+deb12u4")->arch = "amd64";
    add(f, "deb", "bsdutils", "1:2.38.1-5+b1")->arch = "amd64";
    add(f, "deb", "tzdata", "2024a-0+deb12u1");
    assert_int_equal(customs_purl_fill(&f->inv, &os), 0);
    assert_string_equal(purl(f, 0),
                        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
    assert_string_equal(purl(f, 1),
                        "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=debian-12");
    assert_string_equal(purl(f, 2), "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?distro=debian-12");
}

static void purl__uses_the_os_id_as_namespace_and_defaults_without_an_os(void **state)
{
    struct fixture *f = *state;
    struct customs_os ubuntu = {"ubuntu", "22.04", "jammy", NULL};
    add(f, "deb", "bash", "5.1-6ubuntu1");
    assert_int_equal(customs_purl_fill(&f->inv, &ubuntu), 0);
    assert_string_equal(purl(f, 0), "pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04");
    assert_int_equal(customs_purl_fill(&f->inv, NULL), 0);
    assert_string_equal(purl(f, 0), "pkg:deb/debian/bash@5.1-6ubuntu1");
}

static void purl__builds_apk_urls(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {"alpine", "3.19.1", NULL, NULL};
    add(f, "apk", "musl", "1.2.4_git20230717-r4")->arch = "x86_64";
    assert_int_equal(customs_purl_fill(&f->inv, &os), 0);
    assert_string_equal(
        purl(f, 0), "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1");
}

static void purl__builds_rpm_urls_with_sorted_qualifiers(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {"rhel", "9.3", NULL, NULL};
    struct customs_package *p = add(f, "rpm", "openssl-libs", "3.0.7-24.el9");
    p->arch = "x86_64";
    p->epoch = "1";
    add(f, "rpm", "bash", "5.1.8-6.el9_1")->arch = "x86_64";
    assert_int_equal(customs_purl_fill(&f->inv, &os), 0);
    assert_string_equal(
        purl(f, 0), "pkg:rpm/rhel/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&epoch=1");
    assert_string_equal(purl(f, 1), "pkg:rpm/rhel/bash@5.1.8-6.el9_1?arch=x86_64&distro=rhel-9.3");
    assert_int_equal(customs_purl_fill(&f->inv, NULL), 0);
    assert_string_equal(purl(f, 0), "pkg:rpm/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1");
}

static void purl__encodes_npm_scopes(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {"debian", "12", NULL, NULL};
    add(f, "npm", "@babel/core", "7.23.0");
    add(f, "npm", "lodash", "4.17.21");
    add(f, "npm", "@weird", "1.0.0-beta+exp.sha.5114f85");
    assert_int_equal(customs_purl_fill(&f->inv, &os), 0);
    assert_string_equal(purl(f, 0), "pkg:npm/%40babel/core@7.23.0");
    assert_string_equal(purl(f, 1), "pkg:npm/lodash@4.17.21");
    assert_string_equal(purl(f, 2), "pkg:npm/%40weird@1.0.0-beta%2Bexp.sha.5114f85");
}

static void purl__builds_pypi_and_golang_urls(void **state)
{
    struct fixture *f = *state;
    add(f, "pypi", "foo-bar-baz", "1.0.post1");
    add(f, "golang", "github.com/sirupsen/logrus", "v1.9.3");
    add(f, "golang", "golang.org/x/net", "v0.0.0-20230101000000-abcdef123456+incompatible");
    add(f, "golang", "stdlib", "v1.21.5");
    add(f, "golang", "example.com/a b/c@d", "v1.0.0");
    assert_int_equal(customs_purl_fill(&f->inv, NULL), 0);
    assert_string_equal(purl(f, 0), "pkg:pypi/foo-bar-baz@1.0.post1");
    assert_string_equal(purl(f, 1), "pkg:golang/github.com/sirupsen/logrus@v1.9.3");
    assert_string_equal(purl(f, 2), "pkg:golang/golang.org/x/net@"
                                    "v0.0.0-20230101000000-abcdef123456%2Bincompatible");
    assert_string_equal(purl(f, 3), "pkg:golang/stdlib@v1.21.5");
    assert_string_equal(purl(f, 4), "pkg:golang/example.com/a%20b/c%40d@v1.0.0");
}

static void purl__percent_encodes_everything_outside_the_unreserved_set(void **state)
{
    struct fixture *f = *state;
    struct customs_os os = {"my os", "1/2", NULL, NULL};
    add(f, "deb", "a+b~c", "1:2~rc1?#&=%")->arch = "x 86";
    add(f, "pypi", "caf\xc3\xa9", NULL);
    assert_int_equal(customs_purl_fill(&f->inv, &os), 0);
    assert_string_equal(purl(f, 0), "pkg:deb/my%20os/a%2Bb~c@1:2~rc1%3F%23%26%3D%25"
                                    "?arch=x%2086&distro=my%20os-1%2F2");
    assert_string_equal(purl(f, 1), "pkg:pypi/caf%C3%A9");
}

static void purl__leaves_records_without_name_or_type_alone(void **state)
{
    struct fixture *f = *state;
    add(f, NULL, "x", "1");
    add(f, "npm", NULL, "1");
    add(f, "npm", "", "1");
    struct customs_package *p = add(f, "pypi", "keep", "2");
    p->license = "MIT";
    assert_int_equal(customs_purl_fill(&f->inv, NULL), 0);
    assert_null(fixture_pkg(f, 0)->purl);
    assert_null(fixture_pkg(f, 1)->purl);
    assert_null(fixture_pkg(f, 2)->purl);
    assert_string_equal(fixture_pkg(f, 3)->purl, "pkg:pypi/keep@2");
    assert_string_equal(fixture_pkg(f, 3)->name, "keep");
    assert_string_equal(fixture_pkg(f, 3)->license, "MIT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(purl__builds_deb_urls_with_namespace_arch_and_distro),
        FIXTURE_TEST(purl__uses_the_os_id_as_namespace_and_defaults_without_an_os),
        FIXTURE_TEST(purl__builds_apk_urls),
        FIXTURE_TEST(purl__builds_rpm_urls_with_sorted_qualifiers),
        FIXTURE_TEST(purl__encodes_npm_scopes),
        FIXTURE_TEST(purl__builds_pypi_and_golang_urls),
        FIXTURE_TEST(purl__percent_encodes_everything_outside_the_unreserved_set),
        FIXTURE_TEST(purl__leaves_records_without_name_or_type_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
