/* SPDX-License-Identifier: Apache-2.0 */
/* Severity names, shared by every kind of finding. */
#include <strings.h>

#include "model/finding.h"

#include "core/banned.h"

static const char *const names[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

const char *customs_severity_name(enum customs_severity s)
{
    return (unsigned)s < 5 ? names[s] : "UNKNOWN";
}

int customs_severity_parse(const char *s, size_t n, enum customs_severity *out)
{
    for (int i = 0; s != NULL && i < 5; i++) {
        size_t len = 0;
        while (names[i][len] != '\0') {
            len++;
        }
        if (len == n && strncasecmp(s, names[i], n) == 0) {
            *out = (enum customs_severity)i;
            return 0;
        }
    }
    return CUSTOMS_EINVAL;
}
