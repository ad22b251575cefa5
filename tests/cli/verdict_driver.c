/* SPDX-License-Identifier: Apache-2.0 */
/* The library as an entry point of the verdict, for tests/cli/policy_verdicts.py: the calls a
 * program embedding libcustoms (the admission webhook, the registry gate) makes, printing the
 * verdicts in the shape `--verdict-output` writes.
 *
 *   verdict_driver image POLICY TARGET DB      scan TARGET, judge the image
 *   verdict_driver workloads POLICY FILE       judge every workload of a manifest file */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "customs/customs.h"
#include "formats/yaml.h"
#include "policy/policy.h"

static int print_subjects(json_t *subjects, enum customs_effect effect)
{
    json_t *doc = json_pack("{s:s, s:o}", "verdict", customs_effect_name(effect), "subjects",
                            subjects);
    int rc = doc != NULL && json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0
                 ? 0
                 : 2;
    json_decref(doc);
    return rc;
}

static int judge_image(const struct customs_policy *p, const char *target, const char *db)
{
    struct customs_scan_options opts;
    struct customs_report *report = NULL;
    struct customs_error err = {0};
    struct customs_arena arena;
    struct customs_policy_image image;
    struct customs_verdict v;
    customs_scan_options_default(&opts);
    opts.scanners = CUSTOMS_SCAN_PACKAGES | CUSTOMS_SCAN_SECRETS | CUSTOMS_SCAN_MALWARE |
                    CUSTOMS_SCAN_CONFIG | CUSTOMS_SCAN_VULNS;
    opts.vuln_db = db;
    if (customs_scan(&report, target, &opts, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    customs_arena_init(&arena);
    customs_verdict_init(&v);
    int rc = customs_policy_image_from_report(&image, &arena, report);
    if (rc == 0) {
        rc = customs_policy_judge_image(&v, p, NULL, &image, NULL, time(NULL), &err);
    }
    json_t *subjects = json_array();
    if (rc == 0) {
        json_array_append_new(subjects, customs_verdict_to_json(&v, target));
        rc = print_subjects(subjects, v.effect);
    } else {
        json_decref(subjects);
    }
    customs_verdict_release(&v);
    customs_arena_release(&arena);
    customs_report_free(report);
    return rc == 0 ? 0 : 2;
}

static int judge_workloads(const struct customs_policy *p, const char *file)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct customs_yaml_stream *ys = NULL;
    struct customs_error err = {0};
    struct customs_policy_batch b;
    enum customs_effect effect = CUSTOMS_EFFECT_ALLOW;
    if (customs_read_file(file, 64u << 20, &data, &len, &err) != 0 ||
        customs_yaml_load(&ys, file, data, len, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        customs_free(data);
        return 2;
    }
    customs_policy_batch_init(&b);
    for (size_t i = 0; i < customs_yaml_stream_count(ys); i++) {
        if (customs_policy_batch_add(&b, customs_yaml_stream_doc(ys, i)) != 0) {
            fprintf(stderr, "%s: document %zu: cannot be added\n", file, i + 1);
            customs_policy_batch_release(&b);
            customs_yaml_stream_free(ys);
            customs_free(data);
            return 2;
        }
    }
    json_t *subjects = json_array();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(b.workloads); i++) {
        const json_t *obj = json_array_get(b.workloads, i);
        const char *ns = customs_policy_namespace_of(obj);
        struct customs_policy_workload w = {.object = obj, .ns = ns,
                                            .tier = customs_policy_batch_tier(&b, ns)};
        struct customs_verdict v;
        char name[512];
        customs_policy_workload_name(name, sizeof(name), obj);
        customs_verdict_init(&v);
        rc = customs_policy_judge_workload(&v, p, &w, time(NULL), &err);
        if (rc == 0) {
            json_array_append_new(subjects, customs_verdict_to_json(&v, name));
            effect = v.effect > effect ? v.effect : effect;
        }
        customs_verdict_release(&v);
    }
    customs_policy_batch_release(&b);
    customs_yaml_stream_free(ys);
    customs_free(data);
    if (rc != 0) {
        json_decref(subjects);
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    return print_subjects(subjects, effect);
}

int main(int argc, char **argv)
{
    struct customs_policy *p = NULL;
    struct customs_error err = {0};
    if (argc < 4) {
        fprintf(stderr, "usage: verdict_driver image POLICY TARGET DB | workloads POLICY FILE\n");
        return 2;
    }
    if (customs_policy_load_file(&p, argv[2], NULL, NULL, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    int rc = strcmp(argv[1], "image") == 0 && argc == 5 ? judge_image(p, argv[3], argv[4])
             : strcmp(argv[1], "workloads") == 0        ? judge_workloads(p, argv[3])
                                                        : 2;
    customs_policy_free(p);
    return rc;
}
