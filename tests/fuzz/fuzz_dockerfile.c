/* SPDX-License-Identifier: Apache-2.0 */
/* The Dockerfile parser and checks on arbitrary bytes, then the JSON and SARIF writers over
 * the findings. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_check.h"
#include "misconfig/misconfig.h"
#include "report/audit.h"
#include "report/sarif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_dockerfile df;
    struct customs_error err = {0};
    if (customs_dockerfile_parse(&df, "Dockerfile", data, size, &err) != 0) {
        return 0;
    }
    struct customs_misconfig_set set;
    struct customs_pss_options pss = {CUSTOMS_PSS_RESTRICTED, CUSTOMS_PSS_LATEST_MINOR};
    customs_misconfig_set_init(&set);
    set.max = 10000;
    fuzz_result(customs_dockerfile_audit(&set, &df, "Dockerfile", &err));
    {
        static FILE *sink;
        sink = sink != NULL ? sink : fopen("/dev/null", "w");
        if (sink != NULL) {
            fuzz_result(customs_report_write_audit_sarif(sink, &set, "fuzz", NULL, 0, NULL, &err));
            fuzz_result(customs_report_write_audit_json(sink, &set, &pss, NULL, 0, &err));
        }
    }
    customs_misconfig_set_release(&set);
    customs_dockerfile_release(&df);
    return 0;
}
