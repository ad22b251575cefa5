/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pod Security conformance: every fixture of kubernetes/pod-security-admission's test data
 * (../shared/corpus/k8s/pod-security) evaluated at its level and version. A "pass" fixture must
 * give no finding; a "fail" fixture must give a finding of its check (or of the restricted
 * check that replaces it at that level and version). The v1.37 rows are read from the
 * upstream-layout files on disk, the others from the inline YAML of fixtures-all-versions.jsonl.
 * TAP output, one line per fixture; any disagreement fails the suite.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "misconfig/misconfig.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n = 0;
    size_t r;
    while (buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Does a finding of `got` count for the fixture's `want` at this level and version? */
static bool check_matches(const char *got, const char *want)
{
    if (strcmp(got, want) == 0) {
        return true;
    }
    for (size_t i = 0; i < customs_pss_check_count(); i++) {
        const struct customs_check_info *t = customs_pss_check_at(i);
        if (strcmp(t->id, got) == 0 && t->overrides != NULL && strcmp(t->overrides, want) == 0) {
            return true;
        }
    }
    return false;
}

int main(void)
{
    const char *src = getenv("CUSTOMS_SOURCE_ROOT");
    char dir[4096];
    char path[8192];
    struct stat st;
    snprintf(dir, sizeof(dir), "%s/../shared/corpus/k8s/pod-security", src != NULL ? src : ".");
    snprintf(path, sizeof(path), "%s/fixtures-all-versions.jsonl", dir);
    if (stat(path, &st) != 0) {
        printf("1..0 # SKIP %s not found (clone 'shared' next to the repository)\n", path);
        return 0;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        printf("Bail out! cannot open %s\n", path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    int total = 0, agree = 0, files = 0, files_agree = 0;
    int pass_total = 0, fail_total = 0, extra = 0;
    while (getline(&line, &cap, f) > 0) {
        json_error_t jerr;
        json_t *row = json_loads(line, 0, &jerr);
        const char *level = json_string_value(json_object_get(row, "level"));
        const char *version = json_string_value(json_object_get(row, "version"));
        const char *expect = json_string_value(json_object_get(row, "expect"));
        const char *check = json_string_value(json_object_get(row, "check"));
        const char *rel = json_string_value(json_object_get(row, "path"));
        const char *inline_yaml = json_string_value(json_object_get(row, "yaml"));
        if (level == NULL || version == NULL || expect == NULL || check == NULL ||
            rel == NULL || inline_yaml == NULL) {
            printf("Bail out! malformed row: %s", line);
            return 1;
        }
        total++;
        struct customs_k8s_options opt;
        struct customs_error err = {0};
        struct customs_yaml_stream *ys = NULL;
        struct customs_misconfig_set set;
        char *data = NULL;
        size_t len = strlen(inline_yaml);
        bool from_file = strcmp(version, "v1.37") == 0;
        const char *why = NULL;
        char whybuf[sizeof(((struct customs_error *)0)->message) + 16];
        customs_misconfig_set_init(&set);
        customs_k8s_options_default(&opt);
        opt.hardening = false; /* PSS only */
        if (customs_pss_level_parse(&opt.pss.level, level) != 0 ||
            customs_pss_version_parse(&opt.pss.minor, version) != 0) {
            why = "unknown level or version";
        }
        if (why == NULL && from_file) {
            snprintf(path, sizeof(path), "%s/%s", dir, rel);
            data = read_file(path, &len);
            files++;
            if (data == NULL) {
                why = "fixture file missing";
            }
        }
        if (why == NULL && customs_yaml_load(&ys, rel, from_file ? data : inline_yaml, len, NULL,
                                             &err) != 0) {
            snprintf(whybuf, sizeof(whybuf), "load: %s", err.message);
            why = whybuf;
        }
        if (why == NULL && customs_k8s_audit_stream(&set, ys, rel, &opt, &err) != 0) {
            snprintf(whybuf, sizeof(whybuf), "audit: %s", err.message);
            why = whybuf;
        }
        if (why == NULL) {
            size_t n = customs_misconfig_set_count(&set);
            if (strcmp(expect, "pass") == 0) {
                pass_total++;
                if (n != 0) {
                    const struct customs_misconfig *m = customs_misconfig_set_at(&set, 0);
                    snprintf(whybuf, sizeof(whybuf), "expected no finding, got %zu: %s: %s", n,
                             m->check, m->message);
                    why = whybuf;
                }
            } else {
                bool found = false;
                const struct customs_misconfig *other = NULL;
                fail_total++;
                for (size_t i = 0; i < n; i++) {
                    const struct customs_misconfig *m = customs_misconfig_set_at(&set, i);
                    if (check_matches(m->check, check)) {
                        found = true;
                    } else if (other == NULL) {
                        other = m;
                    }
                }
                /* some fixtures also trip a second check on purpose (hostProcess needs
                 * hostNetwork, privileged implies escalation): those are counted, not failed */
                extra += found && other != NULL;
                if (!found) {
                    snprintf(whybuf, sizeof(whybuf), "expected a %s finding, got %zu%s%s", check,
                             n, n ? ", first: " : "",
                             n ? customs_misconfig_set_at(&set, 0)->message : "");
                    why = whybuf;
                }
            }
        }
        if (why == NULL) {
            agree++;
            files_agree += from_file;
            printf("ok %d - %s %s %s %s\n", total, level, version, expect, rel);
        } else {
            printf("not ok %d - %s %s %s %s: %s\n", total, level, version, expect, rel, why);
        }
        customs_misconfig_set_release(&set);
        customs_yaml_stream_free(ys);
        free(data);
        json_decref(row);
    }
    free(line);
    fclose(f);
    printf("1..%d\n", total);
    printf("# Pod Security conformance: %d/%d fixtures agree (%d pass, %d fail fixtures); "
           "v1.37 files %d/%d; %d fail fixtures also trip another check\n", agree, total,
           pass_total, fail_total, files_agree, files, extra);
    fprintf(stderr, "conformance: %d/%d fixtures agree; v1.37 files %d/%d\n", agree, total,
            files_agree, files);
    return agree == total && total > 0 ? 0 : 1;
}
