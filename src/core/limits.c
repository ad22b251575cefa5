/* SPDX-License-Identifier: Apache-2.0 */
/* The documented defaults of struct customs_limits, and the library version. */
#include "customs/customs.h"

#include "config.h"
#include "core/banned.h"

void customs_limits_default(struct customs_limits *out)
{
    out->max_total_bytes = (uint64_t)64 << 30;
    out->max_ratio = 200;
    out->ratio_grace_bytes = (uint64_t)64 << 20;
    out->max_entries = 2000000;
    out->max_path = 4096;
    out->max_file_bytes = (uint64_t)64 << 20;
    out->max_symlink_hops = 40;
    out->max_json_bytes = (uint64_t)16 << 20;
    out->max_index_depth = 4;
    out->max_manifests = 1024;
    out->max_layers = 512;
    out->max_captured_bytes = (uint64_t)256 << 20;
}

const char *customs_version(void)
{
    return CUSTOMS_VERSION;
}
