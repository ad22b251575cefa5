/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The webhook's reader (customs_admit_review_decode: only the judged members built) against
 * the full jansson tree (customs_admit_review_decode_full) on every review fixture: the
 * fuzz corpus of tests/fuzz/corpus/admission (malformed ones included), the bench review,
 * and, when ../shared is there, Kubernetes' Pod Security fixtures (each pod also wrapped in
 * every workload kind, and sent as an UPDATE with managedFields, status and an oldObject) and
 * the admission edge cases. Both must decode to the same result or the same error message,
 * and give the same response, /mutate patch and audit record at baseline and restricted.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admit/admit.h"

static size_t compared;

static char *dump(json_t *j)
{
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    assert_non_null(s);
    return s;
}

static void same_text(char *a, char *b, const char *what, const char *name)
{
    if (strcmp(a, b) != 0) {
        fail_msg("%s: %s differs:\n  pruned %s\n  full   %s", name, what, a, b);
    }
    free(a);
    free(b);
}

static void same_answers(const struct customs_admit_review *a, const struct customs_admit_review *b,
                         const char *name)
{
    static const enum customs_pss_level levels[] = {CUSTOMS_PSS_BASELINE, CUSTOMS_PSS_RESTRICTED};
    for (size_t l = 0; l < 2; l++) {
        struct customs_admit_options opt;
        struct customs_admit_decision da;
        struct customs_admit_decision db;
        struct customs_error ea = {0};
        struct customs_error eb = {0};
        customs_admit_options_default(&opt);
        opt.pss.level = levels[l];
        customs_admit_decision_init(&da);
        customs_admit_decision_init(&db);
        int ra = customs_admit_judge(&da, a, &opt, &ea);
        int rb = customs_admit_judge(&db, b, &opt, &eb);
        assert_int_equal(ra, rb);
        same_text(dump(customs_admit_response(a, &da, &opt)),
                  dump(customs_admit_response(b, &db, &opt)), "response", name);
        same_text(dump(customs_admit_log_record(a, &da, &opt, 0)),
                  dump(customs_admit_log_record(b, &db, &opt, 0)), "audit record", name);
        customs_admit_decision_release(&da);
        customs_admit_decision_release(&db);
    }
    same_text(dump(customs_admit_mutate(a, &customs_admit_mutate_all)), dump(customs_admit_mutate(b, &customs_admit_mutate_all)), "patch", name);
}

static void differential(const char *text, size_t len, const char *name)
{
    struct customs_admit_review a;
    struct customs_admit_review b;
    struct customs_error ea = {0};
    struct customs_error eb = {0};
    int ra = customs_admit_review_decode(&a, text, len, 1u << 20, &ea);
    int rb = customs_admit_review_decode_full(&b, text, len, 1u << 20, &eb);
    if (ra != rb || (ra != 0 && strcmp(ea.message, eb.message) != 0)) {
        fail_msg("%s: pruned %d '%s', full %d '%s'", name, ra, ea.message, rb, eb.message);
    }
    if (ra == 0) {
        assert_string_equal(a.problem, b.problem);
        assert_true((a.skip == NULL) == (b.skip == NULL));
        assert_true((a.pod_spec == NULL) == (b.pod_spec == NULL));
        same_answers(&a, &b, name);
        customs_admit_review_release(&a);
        customs_admit_review_release(&b);
    }
    compared++;
}

static void differential_json(json_t *review, const char *name)
{
    char *s = json_dumps(review, JSON_COMPACT);
    assert_non_null(s);
    differential(s, strlen(s), name);
    free(s);
}

static char *slurp(const char *path, size_t *len)
{
    uint8_t *data = NULL;
    return customs_read_file(path, 64u << 20, &data, len, NULL) == 0 ? (char *)data : NULL;
}

static const char *root(void)
{
    const char *r = getenv("CUSTOMS_SOURCE_ROOT");
    return r != NULL ? r : "..";
}

/* Every file of a directory; false when it is absent. */
static bool each_file(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL) {
        return false;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        size_t len;
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        char *text = slurp(path, &len);
        if (text != NULL) {
            differential(text, len, path);
            customs_free(text);
        }
    }
    closedir(d);
    return true;
}

static void reader__fuzz_corpus_and_bench_review(void **state)
{
    (void)state;
    char path[4096];
    size_t len;
    snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/admission", root());
    assert_true(each_file(path));
    snprintf(path, sizeof(path), "%s/bench/data/deployment-review.json", root());
    char *text = slurp(path, &len);
    assert_non_null(text);
    differential(text, len, path);
    customs_free(text);
    assert_true(compared > 30);
}

/* The pod of a fixture as the template of `kind` (group, template path). */
static json_t *wrap(const json_t *review, const char *kind, const char *group, const char *path)
{
    json_t *r = json_deep_copy(review);
    json_t *req = json_object_get(r, "request");
    json_t *pod = json_object_get(req, "object");
    json_t *obj = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", group[0] ? "apps/v1" : "v1",
                            "kind", kind, "metadata", "name", "wrapped");
    json_t *node = obj;
    char seg[64];
    while (*path != '\0') {
        size_t n = strcspn(path, ".");
        snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
        json_t *next = json_object();
        json_object_set_new(node, seg, next);
        node = next;
        path += n + (path[n] == '.');
    }
    json_object_set(node, "metadata", json_object_get(pod, "metadata"));
    json_object_set(node, "spec", json_object_get(pod, "spec"));
    json_object_set_new(req, "object", obj);
    json_object_set_new(json_object_get(req, "kind"), "kind", json_string(kind));
    json_object_set_new(json_object_get(req, "kind"), "group", json_string(group));
    return r;
}

/* The fixture as an UPDATE carrying what the reader skips: managedFields, status, and an
 * oldObject (with the same images, or one changed). */
static json_t *as_update(const json_t *review, bool same_images)
{
    json_t *r = json_deep_copy(review);
    json_t *req = json_object_get(r, "request");
    json_t *obj = json_object_get(req, "object");
    json_t *old = json_deep_copy(obj);
    json_object_set_new(req, "operation", json_string("UPDATE"));
    json_object_set_new(json_object_get(obj, "metadata"), "managedFields",
                        json_pack("[{s:s, s:{s:{s:{}}}}]", "manager", "kubectl",
                                  "fieldsV1", "f:spec", "k:{\"name\":\"app\"}"));
    json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Running"));
    json_object_set_new(old, "status", json_pack("{s:s, s:[i]}", "phase", "Pending", "x", 1));
    json_t *ctrs = json_object_get(json_object_get(old, "spec"), "containers");
    json_t *first = json_array_get(ctrs, 0);
    if (!same_images && first != NULL) {
        json_object_set_new(first, "image", json_string("registry.example/other:2"));
    }
    json_object_set_new(req, "oldObject", old);
    return r;
}

static void reader__pod_security_fixtures_in_every_kind(void **state)
{
    (void)state;
    static const struct {
        const char *kind, *group, *path;
    } kinds[] = {
        {"Deployment", "apps", "spec.template"},
        {"StatefulSet", "apps", "spec.template"},
        {"DaemonSet", "apps", "spec.template"},
        {"ReplicaSet", "apps", "spec.template"},
        {"Job", "batch", "spec.template"},
        {"CronJob", "batch", "spec.jobTemplate.spec.template"},
        {"ReplicationController", "", "spec.template"},
        {"PodTemplate", "", "template"},
    };
    char path[4096];
    size_t len;
    snprintf(path, sizeof(path), "%s/../shared/corpus/k8s/admission/requests-pss-v1.37.jsonl",
             root());
    char *text = slurp(path, &len);
    if (text == NULL) {
        skip(); /* ../shared is absent */
    }
    size_t before = compared;
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t n = nl != NULL ? (size_t)(nl - line) : (size_t)(text + len - line);
        json_error_t je;
        json_t *fx = json_loadb(line, n, 0, &je);
        json_t *review = json_object_get(fx, "review");
        if (review != NULL) {
            const char *name = json_string_value(json_object_get(fx, "fixture"));
            differential(line, n, name); /* the line itself: the review as a member */
            differential_json(review, name);
            for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
                json_t *w = wrap(review, kinds[k].kind, kinds[k].group, kinds[k].path);
                differential_json(w, name);
                json_t *u = as_update(w, false);
                differential_json(u, name);
                json_decref(u);
                json_decref(w);
            }
            for (int same = 0; same < 2; same++) {
                json_t *u = as_update(review, same);
                differential_json(u, name);
                json_decref(u);
            }
        }
        json_decref(fx);
        line += n + 1;
    }
    customs_free(text);
    assert_true(compared - before > 148 * 10);
    snprintf(path, sizeof(path), "%s/../shared/corpus/k8s/admission/edge-cases", root());
    assert_true(each_file(path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader__fuzz_corpus_and_bench_review),
        cmocka_unit_test(reader__pod_security_fixtures_in_every_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
