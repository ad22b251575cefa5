/* SPDX-License-Identifier: Apache-2.0 */
/* AdmissionReview requests from arbitrary bytes: decode, then (when it decodes) judge at a
 * level and version chosen by the last byte, and build every answer: the response, the
 * /mutate patch and the audit-log record. */
#include <stddef.h>
#include <stdint.h>

#include "admit/admit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_admit_review r;
    struct customs_admit_decision d;
    struct customs_admit_options opt;
    struct customs_error err = {0};
    if (customs_admit_review_decode(&r, data, size, 1u << 20, &err) != 0) {
        return 0;
    }
    customs_admit_options_default(&opt);
    if (size > 0) {
        opt.pss.level = data[size - 1] & 1 ? CUSTOMS_PSS_BASELINE : CUSTOMS_PSS_RESTRICTED;
        opt.pss.minor = (data[size - 1] >> 1) % (CUSTOMS_PSS_LATEST_MINOR + 1);
        opt.audit_only = (data[size - 1] & 0x80) != 0;
    }
    customs_admit_decision_init(&d);
    if (customs_admit_judge(&d, &r, &opt, &err) == 0) {
        json_decref(customs_admit_response(&r, &d, &opt));
        json_decref(customs_admit_log_record(&r, &d, &opt, 0));
    } else {
        json_decref(customs_admit_response_error(&r, 500, err.message));
    }
    json_decref(customs_admit_mutate(&r));
    customs_admit_decision_release(&d);
    customs_admit_review_release(&r);
    return 0;
}
