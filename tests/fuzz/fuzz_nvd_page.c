/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz what `db update` reads from the NVD CVE API: a response page checked against the
 * startIndex asked for (the first byte chooses it), and the same bytes as a Retry-After value
 * and as an NVD time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "vulndb/vulndb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct customs_nvd_page page;
    struct customs_error err;
    uint64_t start = size > 0 ? data[0] % 4 : 0;
    fuzz_result(customs_nvd_page_check(&page, "fuzz", data, size, start, &err));
    fuzz_result(customs_nvd_page_check(&page, "fuzz", data, size, 0, &err));
    char *text = malloc(size + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    double wait = 0;
    int64_t t = 0;
    char out[CUSTOMS_NVD_TIME_MAX];
    fuzz_result(customs_nvd_retry_after(&wait, text, 784111777));
    if (customs_nvd_time_parse(&t, text) == 0) {
        customs_nvd_time_format(out, t);
        customs_nvd_window_end(t, t + 500LL * 86400);
    }
    free(text);
    return 0;
}
