/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "fixture.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "customs/customs.h"

const char *const fixture_long_name =
    "evil\x1b[31m\"quoted\"\\back\x07"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "\xe2\x80\xaeZZZZZZZZZZZZZZZZZZZ";

static void add_layer(struct customs_report *r, unsigned index, const char *digest,
                      const char *diff_id, uint64_t size)
{
    struct customs_layer_info *l = customs_vec_push(&r->target.layers);
    assert_non_null(l);
    l->index = index;
    l->digest = digest;
    l->diff_id = diff_id;
    l->media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    l->compression = "gzip";
    l->size = size;
    l->uncompressed_size = size * 3;
    l->entries = 100 + index;
}

static struct customs_package *add_package(struct customs_report *r, const char *type,
                                           const char *name, const char *version,
                                           const char *purl, int layer)
{
    struct customs_package *p = customs_inventory_add(&r->inventory);
    assert_non_null(p);
    p->type = type;
    p->name = name;
    p->version = version;
    p->purl = purl;
    p->layer = layer;
    return p;
}

struct customs_report *fixture_report(void)
{
    struct customs_report *r = customs_report_new();
    struct customs_package *p;
    struct customs_misconfig *m;
    struct customs_error e;

    assert_non_null(r);
    r->created = 1700000000;
    r->target.name = "registry.example/app:1.0";
    r->target.kind = "oci";
    r->target.manifest_digest =
        "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    r->target.config_digest =
        "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    r->target.platform = "linux/amd64";
    r->target.repo_tags = "app:1.0, app:latest,";
    add_layer(r, 0, "sha256:aaaa000000000000000000000000000000000000000000000000000000000000",
              "sha256:dddd000000000000000000000000000000000000000000000000000000000000", 1000);
    add_layer(r, 1, "sha256:aaaa111111111111111111111111111111111111111111111111111111111111",
              "sha256:dddd111111111111111111111111111111111111111111111111111111111111", 2000);
    r->has_os = true;
    r->os.id = "debian";
    r->os.version = "12";
    r->os.codename = "bookworm";
    r->os.pretty = "Debian GNU/Linux 12 (bookworm)";

    p = add_package(r, "deb", "libssl3", "3.0.11-1~deb12u2",
                    "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", 0);
    p->source_name = "openssl";
    p->source_version = "3.0.11-1~deb12u2";
    p->arch = "amd64";
    p->license = "Apache-2.0";
    p->path = "/var/lib/dpkg/status";
    p = add_package(r, "deb", "zlib1g", "1:1.2.13.dfsg-1", "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1"
                    "?arch=amd64&distro=debian-12", 0);
    p->source_name = "zlib";
    p->arch = "amd64";
    p->license = "Zlib OR (MIT AND gpl-2.0+ WITH Classpath-exception-2.0)";
    p->path = "/var/lib/dpkg/status";
    p = add_package(r, "npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", 1);
    p->license = "WTFPL";
    p->path = "/app/node_modules/left-pad/package.json";
    p = add_package(r, "npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", 1);
    p->license = "see LICENSE file";
    p->path = "/app/other/node_modules/left-pad/package.json";
    p->dev = true;
    p->indirect = true;
    p = add_package(r, "npm", fixture_long_name, "1.0.0\xff\xfe\xc0\xaf\xed\xa0\x80\xe2\x82", NULL,
                    7);
    p->license = "GPL-2+ \"and\" other\n";
    p->path = "/app/\x1b]0;title\x07/package.json";

    m = customs_vec_push(&r->misconfigs);
    assert_non_null(m);
    m->check = "privileged";
    m->source = "kubernetes";
    m->level = "baseline";
    m->severity = CUSTOMS_SEVERITY_CRITICAL;
    m->title = "Privileged containers";
    m->message = "container \"web\" must not set securityContext.privileged=true";
    m->fix = "Remove securityContext.privileged or set it to false.";
    m->object = "Pod/default/web";
    m->file = "deploy.yaml";
    m->path = "spec.containers[0].securityContext.privileged";
    m->line = 12;
    m->column = 7;
    m->reference = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
    m = customs_vec_push(&r->misconfigs);
    assert_non_null(m);
    m->check = "CUSTOMS-DF-003";
    m->source = "dockerfile";
    m->severity = CUSTOMS_SEVERITY_LOW;
    m->title = "Image runs as \x1b[1mroot\x1b[0m";

    e.code = CUSTOMS_EMALFORMED;
    snprintf(e.message, sizeof(e.message), "/var/lib/dpkg/status:12: bad line \x01\x02");
    assert_int_equal(customs_report_add_error(r, &e, "/var/lib/dpkg/status", 0), 0);
    e.code = CUSTOMS_ELIMIT;
    snprintf(e.message, sizeof(e.message), "layer 1: too many entries");
    assert_int_equal(customs_report_add_error(r, &e, NULL, -1), 0);
    return r;
}

struct customs_report *fixture_findings_report(void)
{
    static const char *aliases[] = {"DSA-5532-1", "GHSA-xxxx-yyyy-zzzz"};
    static const struct customs_vuln_cvss cvss[] = {
        {"CVE-2023-5678", "nvd@nist.gov", "Primary", "3.1",
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3},
        {"CVE-2023-5678", "secalert@redhat.com", "Secondary", "3.1",
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", 3.7},
        {"CVE-2023-5678", "nvd@nist.gov", "Primary", "2.0", "AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0},
        {"CVE-2023-5678", "cna@example.org", "Secondary", "4.0",
         "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N", 6.9},
    };
    struct customs_report *r = fixture_report();
    struct customs_vuln_finding *v = customs_vec_push(&r->vulns);
    assert_non_null(v);
    memset(v, 0, sizeof(*v));
    v->id = "CVE-2023-5678";
    v->aliases = aliases;
    v->naliases = 2;
    v->package = 0;
    v->name = "libssl3";
    v->type = "deb";
    v->installed = "3.0.11-1~deb12u2";
    v->fixed = "3.0.13-1~deb12u1";
    v->status = "fixed";
    v->severity = CUSTOMS_SEVERITY_MEDIUM;
    v->severity_source = "nvd";
    v->cvss = 5.3;
    v->cvss_vector = cvss[0].vector;
    v->cvss_entries = cvss;
    v->ncvss = sizeof(cvss) / sizeof(cvss[0]);
    v->known_exploited = "2024-01-10";
    v->nvd_status = "Analyzed";
    v->published = "2023-11-06T16:15:42.670"; /* as NVD stores it: no zone */
    v->modified = "2024-05-01T17:15:31+00:00";
    v->layer = 0;
    v->title = "openssl: excessive time spent in DH check / generation";
    v->source = "debian";
    struct customs_vuln_finding same = *v; /* the same problem in another package */
    same.package = 1;
    same.name = "zlib1g";
    same.installed = "1:1.2.13.dfsg-1";
    same.fixed = NULL;
    same.status = "unfixed";
    v = customs_vec_push(&r->vulns);
    assert_non_null(v);
    *v = same;
    v = customs_vec_push(&r->vulns);
    assert_non_null(v);
    memset(v, 0, sizeof(*v));
    v->id = "GHSA-p6mc-m468-83gw";
    v->package = 2;
    v->name = "left-pad";
    v->type = "npm";
    v->installed = "1.3.0";
    v->status = "unfixed";
    v->severity = CUSTOMS_SEVERITY_UNKNOWN;
    v->cvss = -1;
    v->layer = 1;
    v->source = "ghsa";

    struct customs_suppressed *sup = customs_vec_push(&r->suppressed);
    assert_non_null(sup);
    sup->kind = "vulnerability";
    sup->id = "CVE-2023-0464";
    sup->package = "libssl3";
    sup->installed = "3.0.11-1~deb12u2";
    sup->by = "vex";
    sup->reason = "not_affected: vulnerable_code_not_in_execute_path";
    sup->where = "vex.json: statement 1";
    struct customs_vuln_finding *sv = customs_arena_alloc(&r->arena, sizeof(*sv));
    assert_non_null(sv);
    memset(sv, 0, sizeof(*sv));
    sv->id = "CVE-2023-0464";
    sv->package = 0;
    sv->name = "libssl3";
    sv->type = "deb";
    sv->installed = "3.0.11-1~deb12u2";
    sv->fixed = "3.0.13-1~deb12u1";
    sv->status = "fixed";
    sv->severity = CUSTOMS_SEVERITY_HIGH;
    sv->severity_source = "debian";
    sv->cvss = -1;
    sv->layer = 0;
    sv->title = "openssl: excessive resource use verifying X.509 policy constraints";
    sv->published = "2023-03-22";
    sv->modified = "not a date";
    sv->source = "debian";
    sup->vuln = sv;

    struct customs_secret_finding *sec = customs_vec_push(&r->secrets);
    assert_non_null(sec);
    memset(sec, 0, sizeof(*sec));
    sec->rule = "github-pat";
    sec->title = "GitHub personal access token";
    sec->severity = CUSTOMS_SEVERITY_CRITICAL;
    sec->location = "file";
    sec->path = "/app/.env";
    sec->line = 3;
    sec->layer = 1;
    sec->removed_in_layer = -1;
    sec->redacted = "ghp_\u2026 (40 chars)";
    sec = customs_vec_push(&r->secrets);
    assert_non_null(sec);
    memset(sec, 0, sizeof(*sec));
    sec->rule = "aws-access-key-id";
    sec->title = "AWS access key ID";
    sec->severity = CUSTOMS_SEVERITY_HIGH;
    sec->location = "env";
    sec->path = "AWS_ACCESS_KEY_ID";
    sec->layer = -1;
    sec->removed_in_layer = -1;
    sec->redacted = "AKIA\u2026 (20 chars)";

    struct customs_malware_finding *mal = customs_vec_push(&r->malware);
    assert_non_null(mal);
    mal->engine = "yara";
    mal->rule = "customs:EICAR_Test_File";
    mal->severity = CUSTOMS_SEVERITY_CRITICAL;
    mal->category = "test";
    mal->description = "The EICAR anti-virus test file";
    mal->path = "/tmp/eicar.com";
    mal->sha256 = "sha256:275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
    mal->layer = 0;
    mal->removed_in_layer = 1;

    r->vulns_scanned = true;
    r->coverage_checked = true;
    assert_int_equal(customs_report_add_problem(r, "no-data", "npm",
                                                "2 npm packages not checked: no source covers npm"),
                     0);
    assert_int_equal(customs_report_add_problem(r, "incomplete", "/var/lib/rpm/rpmdb.sqlite",
                                                "/var/lib/rpm/rpmdb.sqlite not read: over "
                                                "--max-file-size"),
                     0);
    return r;
}

struct customs_report *fixture_empty_dir_report(void)
{
    struct customs_report *r = customs_report_new();
    assert_non_null(r);
    r->created = 0;
    r->target.name = "./rootfs";
    r->target.kind = "dir";
    return r;
}

char *fixture_write(const struct customs_report *r, enum customs_format format,
                    char **path_out)
{
    return fixture_write_with(r, format, NULL, path_out);
}

char *fixture_write_with(const struct customs_report *r, enum customs_format format,
                         const struct customs_report_write_options *opt, char **path_out)
{
    char tmpl[] = "/tmp/customs-report-XXXXXX";
    struct customs_error err = {0};
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w+");
    assert_non_null(fp);
    int rc = customs_report_write_with(r, format, opt, fp, &err);
    if (rc != 0) {
        fail_msg("customs_report_write: %d %s", rc, err.message);
    }
    long n = ftell(fp);
    assert_true(n >= 0);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    rewind(fp);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    text[n] = '\0';
    fclose(fp);
    if (path_out != NULL) {
        *path_out = strdup(tmpl);
    } else {
        unlink(tmpl);
    }
    return text;
}

char *fixture_source_path(const char *rel)
{
    const char *root = getenv("CUSTOMS_SOURCE_ROOT");
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", root != NULL ? root : "..", rel) > 0);
    return p;
}

char *fixture_shared_schema(const char *name)
{
    char *rel = NULL;
    assert_true(asprintf(&rel, "../shared/schemas/%s", name) > 0);
    char *p = fixture_source_path(rel);
    free(rel);
    if (access(p, R_OK) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

int fixture_validate(const char *schema, const char *instance)
{
    if (schema == NULL || access("/usr/bin/python3", X_OK) != 0) {
        return -1;
    }
    char *script = fixture_source_path("tests/support/validate_json.py");
    char *cmd = NULL;
    assert_true(asprintf(&cmd, "/usr/bin/python3 '%s' --schema '%s' '%s'", script, schema,
                         instance) > 0);
    int st = system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null");
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(cmd);
        free(script);
        return -1;
    }
    st = system(cmd);
    free(cmd);
    free(script);
    assert_true(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st) == 0 ? 0 : 1;
}

static bool validation_unavailable;

void fixture_assert_valid(const struct customs_report *r, enum customs_format format,
                          char *schema)
{
    char *path = NULL;
    char *text = fixture_write(r, format, &path);
    int rc = fixture_validate(schema, path);
    unlink(path);
    free(path);
    free(text);
    free(schema);
    if (rc < 0) {
        validation_unavailable = true;
        return;
    }
    assert_int_equal(rc, 0);
}

void fixture_skip_if_unvalidated(void)
{
    if (validation_unavailable) {
        validation_unavailable = false;
        print_message("# SKIP: the schema (../shared/schemas) or /usr/bin/python3 with "
                      "jsonschema not available\n");
        skip();
    }
}

static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t nf = strlen(from);
    size_t nt = strlen(to);
    size_t cap = strlen(text) * (nt > nf ? nt : 1) + 1;
    char *out = malloc(cap + strlen(text) * nt);
    assert_non_null(out);
    size_t o = 0;
    for (const char *p = text; *p != '\0';) {
        if (nf > 0 && strncmp(p, from, nf) == 0) {
            memcpy(out + o, to, nt);
            o += nt;
            p += nf;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

void fixture_golden(const char *name, const char *text)
{
    char *rel = NULL;
    assert_true(asprintf(&rel, "tests/unit/report/golden/%s", name) > 0);
    char *path = fixture_source_path(rel);
    free(rel);
    char *norm = replace_all(text, customs_version(), "@VERSION@");
    const char *update = getenv("CUSTOMS_UPDATE_GOLDEN");
    if (update != NULL && strcmp(update, "1") == 0) {
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(norm, 1, strlen(norm), fp), strlen(norm));
        assert_int_equal(fclose(fp), 0);
    } else {
        FILE *fp = fopen(path, "rb");
        if (fp == NULL) {
            fail_msg("%s: missing golden file (run with CUSTOMS_UPDATE_GOLDEN=1)", path);
        }
        char *want = malloc(1 << 20);
        assert_non_null(want);
        size_t n = fread(want, 1, (1 << 20) - 1, fp);
        want[n] = '\0';
        fclose(fp);
        if (strcmp(want, norm) != 0) {
            size_t i = 0;
            while (want[i] != '\0' && want[i] == norm[i]) {
                i++;
            }
            fail_msg("%s differs from the output at byte %zu", path, i);
        }
        free(want);
    }
    free(norm);
    free(path);
}
