/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "fixture.h"

#include <setjmp.h>
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
    assert_int_equal(setenv("SOURCE_DATE_EPOCH", "1700000000", 1), 0);
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

struct customs_report *fixture_empty_dir_report(void)
{
    struct customs_report *r = customs_report_new();
    assert_non_null(r);
    assert_int_equal(setenv("SOURCE_DATE_EPOCH", "0", 1), 0);
    r->target.name = "./rootfs";
    r->target.kind = "dir";
    return r;
}

char *fixture_write(const struct customs_report *r, enum customs_format format,
                    char **path_out)
{
    char tmpl[] = "/tmp/customs-report-XXXXXX";
    struct customs_error err = {0};
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w+");
    assert_non_null(fp);
    int rc = customs_report_write(r, format, fp, &err);
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
