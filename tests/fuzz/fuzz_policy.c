/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the readers of the user's decisions: the same bytes as a policy file (compiled, then
 * used to judge a fixed workload and image, so every rule a hostile policy can set runs), an
 * ignore file and an OpenVEX document (vendors publish VEX), the last two read from a memfd so
 * nothing touches the disk. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "policy/filter.h"
#include "policy/policy.h"

static const char workload[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"sandbox-1\"},\"spec\":{\"template\":{\"spec\":{\"initContainers\":[{"
    "\"name\":\"init\",\"image\":\"busybox\"}],\"containers\":[{\"name\":\"app\",\"image\":"
    "\"registry.internal:5000/app:1.2@sha256:0123\",\"securityContext\":{\"privileged\":true},"
    "\"resources\":{\"limits\":{\"cpu\":\"1\"}}}]}}}}";

static int fuzz_lookup(const struct customs_policy_image **out, const char *ref, void *payload,
                       struct customs_error *err)
{
    (void)ref;
    (void)err;
    *out = payload;
    return 0;
}

static void fuzz_judge(const struct customs_policy *p)
{
    static const char *const aliases[] = {"GHSA-xxxx-yyyy-zzzz"};
    static const char *const names[] = {"app:1.2", NULL};
    const struct customs_policy_vuln vulns[] = {
        {"CVE-2023-1234", aliases, 1, "openssl", "3.0.1", NULL, CUSTOMS_SEVERITY_CRITICAL, true, 1},
        {"CVE-2024-0001", NULL, 0, "zlib", "1.2", "1.3", CUSTOMS_SEVERITY_MEDIUM, false, 0},
    };
    const struct customs_policy_finding secrets[] = {
        {"aws-access-key", "AWS key", "/app/.env", CUSTOMS_SEVERITY_CRITICAL}};
    const struct customs_policy_gap gaps[] = {
        {"stale", "debian:12", "the data for debian:12 is 40 days old"}};
    struct customs_policy_image image = {
        .names = names, .digest = "sha256:0123", .known = true, .nerrors = 1, .scanned_at = 1,
        .gaps = gaps, .ngaps = 1, .vulns = vulns, .nvulns = 2, .secrets = secrets, .nsecrets = 1,
        .malware = secrets, .nmalware = 1};
    json_t *obj = json_loads(workload, 0, NULL);
    struct customs_policy_workload w = {.object = obj, .ns = "sandbox-1", .lookup = fuzz_lookup,
                                        .payload = &image};
    struct customs_verdict v;
    struct customs_error err;
    customs_verdict_init(&v);
    fuzz_result(customs_policy_judge_workload(&v, p, &w, 1700000000, &err));
    fuzz_result(customs_policy_judge_image(&v, p, NULL, &image, "image", 1700000000, &err));
    json_decref(customs_verdict_to_json(&v, "fuzz"));
    customs_verdict_release(&v);
    json_decref(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    struct customs_filter f;
    struct customs_error err;
    struct customs_policy *p = NULL;
    if (customs_policy_load(&p, "fuzz.yaml", data, size, NULL, NULL, &err) == 0) {
        fuzz_judge(p);
        customs_policy_free(p);
    }
    int fd = memfd_create("customs-fuzz-policy", MFD_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        customs_filter_init(&f);
        fuzz_result(customs_filter_load_ignorefile(&f, path, &err));
        fuzz_result(customs_filter_load_vex(&f, path, &err));
        customs_filter_release(&f);
    }
    close(fd);
    return 0;
}
