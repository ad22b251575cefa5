/* SPDX-License-Identifier: Apache-2.0 */
/* Pod Security evaluation on arbitrary manifests: both levels at a version chosen by the
 * first byte, then the JSON and SARIF writers over the findings. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_check.h"
#include "misconfig/misconfig.h"
#include "report/audit.h"
#include "report/sarif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_yaml_stream *s = NULL;
    struct customs_error err = {0};
    struct customs_yaml_limits lim;
    int minor = size > 0 ? data[0] % (CUSTOMS_PSS_LATEST_MINOR + 1) : CUSTOMS_PSS_LATEST_MINOR;
    customs_yaml_limits_default(&lim);
    lim.max_nodes = 100000;
    if (customs_yaml_load(&s, "fuzz.yaml", data, size, &lim, &err) != 0) {
        return 0;
    }
    for (int level = CUSTOMS_PSS_BASELINE; level <= CUSTOMS_PSS_RESTRICTED; level++) {
        static const char *const allowed[] = {"registry.k8s.io", "ghcr.io/org", NULL};
        struct customs_k8s_options opt;
        customs_k8s_options_default(&opt);
        opt.pss.level = (enum customs_pss_level)level;
        opt.pss.minor = minor;
        opt.allowed_registries = level == CUSTOMS_PSS_RESTRICTED ? allowed : NULL;
        struct customs_misconfig_set set;
        customs_misconfig_set_init(&set);
        set.max = 10000;
        if (customs_k8s_audit_stream(&set, s, "fuzz.yaml", &opt, &err) == 0) {
            fuzz_result(customs_k8s_audit_finish(&set, &opt, &err));
        }
        {
        static FILE *sink;
        sink = sink != NULL ? sink : fopen("/dev/null", "w");
        if (sink != NULL) {
            fuzz_result(customs_report_write_audit_sarif(sink, &set, "fuzz", NULL, 0, NULL, &err));
            fuzz_result(customs_report_write_audit_json(sink, &set, &opt.pss, NULL, 0, &err));
        }
    }
        customs_misconfig_set_release(&set);
    }
    customs_yaml_stream_free(s);
    return 0;
}
