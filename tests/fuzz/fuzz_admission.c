/* SPDX-License-Identifier: Apache-2.0 */
/* AdmissionReview requests from arbitrary bytes: decode, then (when it decodes) judge at a
 * level and version chosen by the last byte, and build every answer: the response, the
 * /mutate patch and the audit-log record. Differential: the webhook's reader (only the judged
 * members built) and the full jansson tree must decode alike (the same error message when
 * refused) and give the same answers; any difference aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admit/admit.h"

static char *dump(json_t *j)
{
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return s;
}

static void same(char *a, char *b)
{
    if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0)) {
        abort();
    }
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_admit_review r;
    struct customs_admit_review full;
    struct customs_admit_decision d;
    struct customs_admit_decision dfull;
    struct customs_admit_options opt;
    struct customs_error err = {0};
    struct customs_error err_full = {0};
    int rc = customs_admit_review_decode(&r, data, size, 1u << 20, &err);
    int rc_full = customs_admit_review_decode_full(&full, data, size, 1u << 20, &err_full);
    if (rc != rc_full || (rc != 0 && strcmp(err.message, err_full.message) != 0)) {
        abort();
    }
    if (rc != 0) {
        return 0;
    }
    customs_admit_options_default(&opt);
    if (size > 0) {
        opt.pss.level = data[size - 1] & 1 ? CUSTOMS_PSS_BASELINE : CUSTOMS_PSS_RESTRICTED;
        opt.pss.minor = (data[size - 1] >> 1) % (CUSTOMS_PSS_LATEST_MINOR + 1);
        opt.audit_only = (data[size - 1] & 0x80) != 0;
    }
    customs_admit_decision_init(&d);
    customs_admit_decision_init(&dfull);
    rc = customs_admit_judge(&d, &r, &opt, &err);
    rc_full = customs_admit_judge(&dfull, &full, &opt, &err_full);
    if (rc != rc_full) {
        abort();
    }
    if (rc == 0) {
        same(dump(customs_admit_response(&r, &d, &opt)),
             dump(customs_admit_response(&full, &dfull, &opt)));
        same(dump(customs_admit_log_record(&r, &d, &opt, 0)),
             dump(customs_admit_log_record(&full, &dfull, &opt, 0)));
    } else {
        same(dump(customs_admit_response_error(&r, 500, err.message)),
             dump(customs_admit_response_error(&full, 500, err_full.message)));
    }
    same(dump(customs_admit_mutate(&r, &customs_admit_mutate_all)), dump(customs_admit_mutate(&full, &customs_admit_mutate_all)));
    customs_admit_decision_release(&d);
    customs_admit_decision_release(&dfull);
    customs_admit_review_release(&r);
    customs_admit_review_release(&full);
    return 0;
}
