/* SPDX-License-Identifier: Apache-2.0 */
/* Format dispatch for the report writers. */
#include "customs/report.h"

#include <string.h>

#include "core/core.h"
#include "core/banned.h"

int customs_format_parse(enum customs_format *out, const char *name)
{
    static const struct {
        const char *name;
        enum customs_format format;
    } names[] = {
        {"table", CUSTOMS_FORMAT_TABLE},
        {"json", CUSTOMS_FORMAT_JSON},
        {"cyclonedx", CUSTOMS_FORMAT_CYCLONEDX},
        {"spdx", CUSTOMS_FORMAT_SPDX},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].format;
            return 0;
        }
    }
    return CUSTOMS_EINVAL;
}

int customs_report_write(const struct customs_report *report, enum customs_format format,
                         FILE *out, struct customs_error *err)
{
    (void)report;
    (void)format;
    (void)out;
    return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "not implemented yet");
}
