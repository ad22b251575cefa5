/* SPDX-License-Identifier: Apache-2.0 */
/* The Compose checks on arbitrary YAML (every document, Compose-shaped or not), then the JSON
 * and SARIF writers over the findings. */
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
    customs_yaml_limits_default(&lim);
    lim.max_nodes = 100000;
    if (customs_yaml_load(&s, "compose.yaml", data, size, &lim, &err) != 0) {
        return 0;
    }
    struct customs_misconfig_set set;
    struct customs_pss_options pss = {CUSTOMS_PSS_RESTRICTED, CUSTOMS_PSS_LATEST_MINOR};
    customs_misconfig_set_init(&set);
    set.max = 10000;
    for (size_t i = 0; i < customs_yaml_stream_count(s); i++) {
        (void)customs_compose_document_is_compose(customs_yaml_stream_doc(s, i));
        if (customs_compose_audit_document(&set, s, i, "compose.yaml", &err) != 0) {
            break;
        }
    }
    {
        static FILE *sink;
        sink = sink != NULL ? sink : fopen("/dev/null", "w");
        if (sink != NULL) {
            fuzz_result(customs_report_write_audit_sarif(sink, &set, "fuzz", NULL, 0, NULL, &err));
            fuzz_result(customs_report_write_audit_json(sink, &set, &pss, NULL, 0, &err));
        }
    }
    customs_misconfig_set_release(&set);
    customs_yaml_stream_free(s);
    return 0;
}
