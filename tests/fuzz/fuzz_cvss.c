/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the CVSS vector reader and scorers: any input is either refused with a message or
 * scored within 0.0 .. 10.0 with a known version. A "CVSS:4.0/", "CVSS:3.1/" or v2 base is
 * prepended to half the inputs so that the fuzzer reaches the scorers quickly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb.h"

static void fuzz_score(const char *vector)
{
    struct customs_cvss c;
    struct customs_error err = {0};
    int rc = customs_cvss_score(&c, vector, &err);
    if (rc == 0 && (c.score < 0 || c.score > 10 || c.version == CUSTOMS_CVSS_UNKNOWN)) {
        abort();
    }
    if (rc != 0 && (err.message[0] == '\0' || c.score != -1)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const bases[] = {
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P/",
    };
    if (size > 4096) {
        return 0;
    }
    char *s = malloc(size + 80);
    if (s == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    fuzz_score(s);
    if (size > 0 && (data[0] & 1)) {
        const char *base = bases[(data[0] >> 1) % 3];
        size_t blen = strlen(base);
        memcpy(s, base, blen);
        memcpy(s + blen, data + 1, size - 1);
        s[blen + size - 1] = '\0';
        fuzz_score(s);
    }
    free(s);
    return 0;
}
