/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "misconfig/misconfig.h"

/* A service that passes every check except what a test adds. */
#define SVC(extra)                                                                             \
    "services:\n  web:\n    image: nginx:1.27\n    user: \"101:101\"\n"                        \
    "    deploy: {resources: {limits: {cpus: '0.5', memory: 256M}}}\n" extra

/* "ID@path:line:column" of every finding, joined by spaces; "" when clean. */
static const char *audit(const char *text)
{
    static char buf[4096];
    struct customs_yaml_stream *ys = NULL;
    struct customs_misconfig_set set;
    struct customs_error err = {0};
    size_t n = 0;
    buf[0] = '\0';
    if (customs_yaml_load(&ys, "compose.yaml", text, strlen(text), NULL, &err) != 0) {
        fail_msg("%s", err.message);
    }
    customs_misconfig_set_init(&set);
    for (size_t d = 0; d < customs_yaml_stream_count(ys); d++) {
        assert_true(customs_compose_document_is_compose(customs_yaml_stream_doc(ys, d)));
        assert_int_equal(customs_compose_audit_document(&set, ys, d, "compose.yaml", &err), 0);
    }
    for (size_t i = 0; i < customs_misconfig_set_count(&set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(&set, i);
        assert_string_equal(m->source, "compose");
        assert_string_equal(m->file, "compose.yaml");
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s@%s:%d:%d", i ? " " : "",
                              m->check + strlen("CUSTOMS-"), m->path, m->line, m->column);
    }
    customs_misconfig_set_release(&set);
    customs_yaml_stream_free(ys);
    return buf;
}

static void compose__a_hardened_service_is_clean(void **state)
{
    (void)state;
    assert_string_equal(audit(SVC("")), "");
    assert_string_equal(audit("services:\n  a:\n    image: x\n    user: app\n    mem_limit: 1g\n"),
                        "");
}

static void compose__flags_privileged_and_added_capabilities(void **state)
{
    (void)state;
    assert_string_equal(audit(SVC("    privileged: true\n")),
                        "DC-001@services.web.privileged:6:17");
    assert_string_equal(audit(SVC("    privileged: false\n")), "");
    assert_string_equal(audit(SVC("    cap_add: [NET_ADMIN, SYS_TIME]\n")),
                        "DC-002@services.web.cap_add:6:14");
    assert_string_equal(audit(SVC("    cap_add: []\n")), "");
}

static void compose__flags_host_namespaces(void **state)
{
    (void)state;
    assert_string_equal(audit(SVC("    network_mode: host\n    pid: host\n    ipc: host\n")),
                        "DC-003@services.web.network_mode:6:19 DC-004@services.web.pid:7:10 "
                        "DC-004@services.web.ipc:8:10");
    assert_string_equal(audit(SVC("    network_mode: bridge\n    pid: \"service:db\"\n")), "");
}

static void compose__flags_the_docker_socket_in_short_and_long_syntax(void **state)
{
    (void)state;
    assert_string_equal(audit(SVC("    volumes:\n      - ./data:/data\n"
                                  "      - /var/run/docker.sock:/var/run/docker.sock:ro\n"
                                  "      - type: bind\n        source: /run/docker.sock\n"
                                  "        target: /var/run/docker.sock\n")),
                        "DC-005@services.web.volumes[1]:8:9 DC-005@services.web.volumes[2]:9:9");
    assert_string_equal(audit(SVC("    volumes: [\"/var/run/docker.sock.bak:/x\"]\n")), "");
}

static void compose__flags_root_and_missing_user_and_limits(void **state)
{
    (void)state;
    assert_string_equal(audit("services:\n  db:\n    image: postgres:16\n"),
                        "DC-006@services.db:3:5 DC-007@services.db:3:5");
    assert_string_equal(audit("services:\n  db:\n    image: p\n    user: root\n    cpus: 1\n"),
                        "DC-006@services.db.user:4:11");
    assert_string_equal(audit("services:\n  db:\n    image: p\n    user: 0\n    cpus: 1\n"),
                        "DC-006@services.db.user:4:11");
    assert_string_equal(audit("services:\n  db:\n    image: p\n    user: \"0:0\"\n"
                              "    deploy: {resources: {reservations: {memory: 1g}}}\n"),
                        "DC-006@services.db.user:4:11 DC-007@services.db:3:5");
}

static void compose__names_services_with_odd_keys_in_paths(void **state)
{
    (void)state;
    assert_string_equal(audit("services:\n  web.v2:\n    image: x\n    user: app\n"
                              "    cpus: 1\n    privileged: true\n"),
                        "DC-001@services['web.v2'].privileged:6:17");
}

static void compose__tells_compose_from_kubernetes(void **state)
{
    (void)state;
    json_t *k8s = json_pack("{s:s, s:s, s:{}}", "apiVersion", "v1", "kind", "Pod", "services");
    json_t *comp = json_pack("{s:{}}", "services");
    json_t *list = json_pack("{s:[]}", "services");
    assert_false(customs_compose_document_is_compose(k8s));
    assert_true(customs_compose_document_is_compose(comp));
    assert_false(customs_compose_document_is_compose(list));
    json_decref(k8s);
    json_decref(comp);
    json_decref(list);
}

static void compose__lists_its_checks(void **state)
{
    (void)state;
    assert_int_equal(customs_compose_check_count(), 7);
    assert_string_equal(customs_compose_check_at(0)->id, "CUSTOMS-DC-001");
    assert_string_equal(customs_compose_check_at(6)->id, "CUSTOMS-DC-007");
    assert_null(customs_compose_check_at(7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compose__a_hardened_service_is_clean),
        cmocka_unit_test(compose__flags_privileged_and_added_capabilities),
        cmocka_unit_test(compose__flags_host_namespaces),
        cmocka_unit_test(compose__flags_the_docker_socket_in_short_and_long_syntax),
        cmocka_unit_test(compose__flags_root_and_missing_user_and_limits),
        cmocka_unit_test(compose__names_services_with_odd_keys_in_paths),
        cmocka_unit_test(compose__tells_compose_from_kubernetes),
        cmocka_unit_test(compose__lists_its_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
