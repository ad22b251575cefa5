/* SPDX-License-Identifier: Apache-2.0 */
#include "customs/scan.h"

#include "scan/result.h"
#include "core/banned.h"

void customs_scan_options_default(struct customs_scan_options *out)
{
    customs_limits_default(&out->limits);
    out->platform = NULL;
    out->threads = 0;
    out->scanners = CUSTOMS_SCAN_PACKAGES;
    out->progress = NULL;
    out->progress_payload = NULL;
}

int customs_scan(struct customs_report **out, const char *target,
                 const struct customs_scan_options *opts, struct customs_error *err)
{
    (void)opts;
    *out = NULL;
    return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "%s: not implemented yet", target);
}
