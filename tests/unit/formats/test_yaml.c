/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/yaml.h"

static struct customs_yaml_stream *load_ok(const char *text)
{
    struct customs_yaml_stream *s = NULL;
    struct customs_error err = {0};
    int rc = customs_yaml_load(&s, "t.yaml", text, strlen(text), NULL, &err);
    if (rc != 0) {
        fail_msg("load failed: %s", err.message);
    }
    return s;
}

static int load_err(const char *text, size_t len, const struct customs_yaml_limits *lim,
                    char *msg, size_t msgsz)
{
    struct customs_yaml_stream *s = NULL;
    struct customs_error err = {0};
    int rc = customs_yaml_load(&s, "t.yaml", text, len, lim, &err);
    assert_null(s);
    snprintf(msg, msgsz, "%s", err.message);
    return rc;
}

static void yaml__resolves_plain_scalars_as_kubernetes_yaml_1_1_does(void **state)
{
    (void)state;
    struct customs_yaml_stream *s = load_ok(
        "a: yes\nb: off\nc: ~\nd:\ne: 0x1F\nf: 010\ng: -12_000\nh: 1.5e3\ni: \"true\"\n"
        "j: 'null'\nk: .inf\nl: 0o17\nm: 1.2.3\nn: !!str 42\no: 99999999999999999999\n"
        "p: |\n  block\n");
    json_t *d = customs_yaml_stream_doc(s, 0);
    assert_true(json_is_true(json_object_get(d, "a")));
    assert_true(json_is_false(json_object_get(d, "b")));
    assert_true(json_is_null(json_object_get(d, "c")));
    assert_true(json_is_null(json_object_get(d, "d")));
    assert_int_equal(json_integer_value(json_object_get(d, "e")), 31);
    assert_int_equal(json_integer_value(json_object_get(d, "f")), 8);
    assert_int_equal(json_integer_value(json_object_get(d, "g")), -12000);
    assert_true(json_is_real(json_object_get(d, "h")));
    assert_true(json_real_value(json_object_get(d, "h")) == 1500.0);
    assert_string_equal(json_string_value(json_object_get(d, "i")), "true");
    assert_string_equal(json_string_value(json_object_get(d, "j")), "null");
    assert_string_equal(json_string_value(json_object_get(d, "k")), ".inf");
    assert_int_equal(json_integer_value(json_object_get(d, "l")), 15);
    assert_string_equal(json_string_value(json_object_get(d, "m")), "1.2.3");
    assert_string_equal(json_string_value(json_object_get(d, "n")), "42");
    assert_true(json_is_real(json_object_get(d, "o")));
    assert_string_equal(json_string_value(json_object_get(d, "p")), "block\n");
    customs_yaml_stream_free(s);
}

static void yaml__records_line_and_column_of_every_node_by_field_path(void **state)
{
    (void)state;
    struct customs_yaml_stream *s = load_ok(
        "kind: Pod\nmetadata:\n  annotations:\n    a.b/c: x\nspec:\n  containers:\n"
        "  - name: c1\n    securityContext:\n      privileged: true\n");
    int line = 0, col = 0;
    assert_true(customs_yaml_stream_position(
        s, 0, "spec.containers[0].securityContext.privileged", &line, &col));
    assert_int_equal(line, 9);
    assert_int_equal(col, 19);
    assert_true(customs_yaml_stream_position(s, 0, "metadata.annotations['a.b/c']", &line, &col));
    assert_int_equal(line, 4);
    assert_int_equal(col, 12);
    /* an absent field points at its nearest present ancestor */
    assert_true(customs_yaml_stream_position(
        s, 0, "spec.containers[0].securityContext.runAsNonRoot", &line, &col));
    assert_int_equal(line, 9);
    assert_int_equal(col, 7);
    assert_false(customs_yaml_stream_position(s, 1, "spec", &line, &col));
    customs_yaml_stream_free(s);
}

static void yaml__loads_every_document_of_a_stream(void **state)
{
    (void)state;
    struct customs_yaml_stream *s = load_ok("a: 1\n---\n# only a comment\n---\n- x\n...\n");
    assert_int_equal(customs_yaml_stream_count(s), 3);
    assert_int_equal(json_integer_value(json_object_get(customs_yaml_stream_doc(s, 0), "a")), 1);
    assert_true(json_is_null(customs_yaml_stream_doc(s, 1)));
    assert_string_equal(json_string_value(json_array_get(customs_yaml_stream_doc(s, 2), 0)),
                        "x");
    assert_null(customs_yaml_stream_doc(s, 3));
    customs_yaml_stream_free(s);
    s = load_ok("");
    assert_int_equal(customs_yaml_stream_count(s), 0);
    customs_yaml_stream_free(s);
}

static void yaml__shares_aliases_and_applies_merge_keys(void **state)
{
    (void)state;
    struct customs_yaml_stream *s = load_ok(
        "base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\n  z: 4\n"
        "quoted: {'<<': *b}\n");
    json_t *d = customs_yaml_stream_doc(s, 0);
    assert_ptr_equal(json_object_get(d, "base"), json_object_get(d, "use"));
    json_t *m = json_object_get(d, "merged");
    assert_int_equal(json_integer_value(json_object_get(m, "x")), 1);
    assert_int_equal(json_integer_value(json_object_get(m, "y")), 3);
    assert_int_equal(json_integer_value(json_object_get(m, "z")), 4);
    assert_int_equal(json_object_size(m), 3);
    /* a quoted "<<" is an ordinary key */
    json_t *q = json_object_get(d, "quoted");
    assert_ptr_equal(json_object_get(q, "<<"), json_object_get(d, "base"));
    customs_yaml_stream_free(s);
}

static void yaml__stops_a_billion_laughs_at_the_node_cap(void **state)
{
    (void)state;
    char msg[CUSTOMS_ERROR_MESSAGE_MAX];
    static const char bomb[] =
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
        "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
        "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    assert_int_equal(load_err(bomb, strlen(bomb), NULL, msg, sizeof(msg)), CUSTOMS_ELIMIT);
    assert_string_equal(msg, "t.yaml:6:36: more than 1000000 nodes after alias expansion "
                             "(a YAML bomb?)");
}

static void yaml__refuses_nesting_deeper_than_the_depth_cap(void **state)
{
    (void)state;
    char msg[CUSTOMS_ERROR_MESSAGE_MAX];
    size_t n = 10000;
    char *deep = malloc(2 * n);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    assert_int_equal(load_err(deep, 2 * n, NULL, msg, sizeof(msg)), CUSTOMS_ELIMIT);
    assert_string_equal(msg, "t.yaml:1:257: nesting deeper than 256 levels");
    free(deep);
}

static void yaml__rejects_duplicate_keys_with_their_position(void **state)
{
    (void)state;
    char msg[CUSTOMS_ERROR_MESSAGE_MAX];
    static const char dup[] = "a: 1\nb:\n  c: 1\n  c: 2\n";
    assert_int_equal(load_err(dup, strlen(dup), NULL, msg, sizeof(msg)), CUSTOMS_EMALFORMED);
    assert_string_equal(msg, "t.yaml:4:3: duplicate key");
    /* a key is the file's content (a short secret in a file inside an image): never quoted */
    static const char secret[] = "hunter2Zq9xK4: 1\nhunter2Zq9xK4: 2\n";
    assert_int_equal(load_err(secret, strlen(secret), NULL, msg, sizeof(msg)), CUSTOMS_EMALFORMED);
    assert_null(strstr(msg, "hunter2"));
    static const char alias[] = "a: *hunter2Zq9xK4\n";
    assert_int_equal(load_err(alias, strlen(alias), NULL, msg, sizeof(msg)), CUSTOMS_EMALFORMED);
    assert_null(strstr(msg, "hunter2"));
}

static void yaml__names_file_line_and_column_of_syntax_errors(void **state)
{
    (void)state;
    char msg[CUSTOMS_ERROR_MESSAGE_MAX];
    static const char tabs[] = "a:\n\tb: 1\n";
    assert_int_equal(load_err(tabs, strlen(tabs), NULL, msg, sizeof(msg)), CUSTOMS_EMALFORMED);
    assert_string_equal(msg, "t.yaml:2:1: found character that cannot start any token "
                             "while scanning for the next token");
    static const char bad_utf8[] = "a: \xff\xfe\n";
    assert_int_equal(load_err(bad_utf8, strlen(bad_utf8), NULL, msg, sizeof(msg)),
                     CUSTOMS_EMALFORMED);
    assert_true(strncmp(msg, "t.yaml:1:", 9) == 0);
    static const char undef[] = "a: *nope\n";
    assert_int_equal(load_err(undef, strlen(undef), NULL, msg, sizeof(msg)), CUSTOMS_EMALFORMED);
    assert_string_equal(msg, "t.yaml:1:4: the alias names no complete anchor");
    static const char self[] = "a: &s [1, *s]\n";
    assert_int_equal(load_err(self, strlen(self), NULL, msg, sizeof(msg)), CUSTOMS_EMALFORMED);
}

static void yaml__enforces_the_byte_cap_before_parsing(void **state)
{
    (void)state;
    char msg[CUSTOMS_ERROR_MESSAGE_MAX];
    struct customs_yaml_limits lim;
    customs_yaml_limits_default(&lim);
    lim.max_bytes = 4;
    assert_int_equal(load_err("a: 12345\n", 9, &lim, msg, sizeof(msg)), CUSTOMS_ELIMIT);
    assert_string_equal(msg, "t.yaml: 9 bytes is over the 4-byte limit for a YAML stream");
}

static void yaml__reads_input_without_a_terminating_nul(void **state)
{
    (void)state;
    struct customs_yaml_stream *s = NULL;
    struct customs_error err = {0};
    char *buf = malloc(6);
    memcpy(buf, "k: abc", 6);
    assert_int_equal(customs_yaml_load(&s, "t.yaml", buf, 6, NULL, &err), 0);
    assert_string_equal(json_string_value(json_object_get(customs_yaml_stream_doc(s, 0), "k")),
                        "abc");
    customs_yaml_stream_free(s);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml__resolves_plain_scalars_as_kubernetes_yaml_1_1_does),
        cmocka_unit_test(yaml__records_line_and_column_of_every_node_by_field_path),
        cmocka_unit_test(yaml__loads_every_document_of_a_stream),
        cmocka_unit_test(yaml__shares_aliases_and_applies_merge_keys),
        cmocka_unit_test(yaml__stops_a_billion_laughs_at_the_node_cap),
        cmocka_unit_test(yaml__refuses_nesting_deeper_than_the_depth_cap),
        cmocka_unit_test(yaml__rejects_duplicate_keys_with_their_position),
        cmocka_unit_test(yaml__names_file_line_and_column_of_syntax_errors),
        cmocka_unit_test(yaml__enforces_the_byte_cap_before_parsing),
        cmocka_unit_test(yaml__reads_input_without_a_terminating_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
