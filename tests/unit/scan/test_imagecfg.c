/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scan/imagecfg.h"

#define F(p, m) {p, CUSTOMS_ENTRY_FILE, 10, m, NULL, 0}
#define D(p, m) {p, CUSTOMS_ENTRY_DIR, 0, m, NULL, 0}

static const struct customs_entry entries[] = {
    F("/usr/bin/passwd", 04755), F("/usr/bin/wall", 02755), F("/usr/bin/ls", 0755),
    F("/etc/app.conf", 0666), D("/srv/upload", 0777), D("/tmp", 01777), F("/tmp/x", 0666),
    D("/var/shared", 01777), F("/var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", 0644),
    F("/var/lib/apt/lists/lock", 0640), F("/var/cache/apk/APKINDEX.tar.gz", 0644),
};

static const struct customs_misconfig *find(const struct customs_report *r, const char *check)
{
    static const struct customs_misconfig none = {.check = "", .message = "", .path = ""};
    for (size_t i = 0; i < r->misconfigs.len; i++) {
        const struct customs_misconfig *m = customs_vec_at(&r->misconfigs, i);
        if (strcmp(m->check, check) == 0) {
            return m;
        }
    }
    return &none;
}

static void imagecfg__config_and_filesystem_least_privilege(void **state)
{
    struct customs_fsview fs;
    struct customs_report *r = customs_report_new();
    json_t *cfg = json_loads("{\"config\": {\"User\": \"0:0\", \"ExposedPorts\": {\"22/tcp\": {}}}}",
                             0, NULL);
    (void)state;
    r->target.name = "demo";
    struct customs_package *p = customs_inventory_add(&r->inventory);
    p->type = "deb";
    p->name = "openssh-server";
    p->version = "1:9.2p1-2";
    struct customs_entries l;
    customs_entries_init(&l);
    for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
        assert_int_equal(customs_entries_add(&l, &entries[i]), 0);
    }
    customs_fsview_init(&fs, 40);
    assert_int_equal(customs_fsview_apply(&fs, &l), 0);
    assert_int_equal(customs_imagecfg_check(r, cfg, &fs), 0);
    assert_string_equal(find(r, "CUSTOMS-IMG-001")->reference, "CIS Docker Benchmark 4.1");
    assert_non_null(strstr(find(r, "CUSTOMS-IMG-001")->message, "\"0:0\""));
    assert_string_equal(find(r, "CUSTOMS-IMG-002")->check, "CUSTOMS-IMG-002"); /* no HEALTHCHECK */
    assert_string_equal(find(r, "CUSTOMS-IMG-003")->check, "CUSTOMS-IMG-003"); /* port 22 */
    /* examples in byte order, whatever order the layers hold them in */
    assert_non_null(strstr(find(r, "CUSTOMS-IMG-004")->message,
                            "2 setuid/setgid files: /usr/bin/passwd, /usr/bin/wall"));
    assert_string_equal(find(r, "CUSTOMS-IMG-004")->path, "/usr/bin/passwd");
    const char *ww = find(r, "CUSTOMS-IMG-005")->message;
    assert_non_null(strstr(ww, "2 world-writable paths outside /tmp: /etc/app.conf, /srv/upload"));
    assert_null(strstr(ww, "/tmp/x"));
    assert_null(strstr(ww, "/var/shared")); /* sticky directory */
    assert_non_null(strstr(find(r, "CUSTOMS-IMG-006")->message, "2 package-manager cache files"));
    assert_non_null(strstr(find(r, "CUSTOMS-IMG-007")->message, "openssh-server"));
    assert_int_equal(r->misconfigs.len, 7);
    customs_fsview_release(&fs);
    customs_entries_release(&l);
    json_decref(cfg);
    customs_report_free(r);
}

static void imagecfg__a_clean_image_passes(void **state)
{
    static const struct customs_entry clean[] = {F("/app/server", 0755), D("/tmp", 01777)};
    struct customs_fsview fs;
    struct customs_report *r = customs_report_new();
    json_t *cfg = json_loads("{\"config\": {\"User\": \"app\", \"Healthcheck\": {\"Test\": "
                             "[\"CMD\", \"/app/server\", \"-check\"]}}}",
                             0, NULL);
    (void)state;
    struct customs_entries l;
    customs_entries_init(&l);
    assert_int_equal(customs_entries_add(&l, &clean[0]), 0);
    assert_int_equal(customs_entries_add(&l, &clean[1]), 0);
    customs_fsview_init(&fs, 40);
    assert_int_equal(customs_fsview_apply(&fs, &l), 0);
    assert_int_equal(customs_imagecfg_check(r, cfg, &fs), 0);
    assert_int_equal(r->misconfigs.len, 0);
    customs_fsview_release(&fs);
    customs_entries_release(&l);
    json_decref(cfg);
    customs_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imagecfg__config_and_filesystem_least_privilege),
        cmocka_unit_test(imagecfg__a_clean_image_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
