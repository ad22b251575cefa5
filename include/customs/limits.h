/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_LIMITS_H
#define CUSTOMS_LIMITS_H

/*
 * Limits against hostile input. Every reader of untrusted bytes takes these; tripping one
 * stops that piece of work with CUSTOMS_ELIMIT and a message naming the limit, the input and
 * the value that tripped it. customs_limits_default() fills in the documented defaults; a
 * value of 0 means "no limit" only where the field says so.
 */

#include <stddef.h>
#include <stdint.h>

#include "customs/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct customs_limits {
    uint64_t max_total_bytes;   /* uncompressed bytes over all layers (default 64 GiB) */
    uint32_t max_ratio;         /* uncompressed/compressed bytes of one layer (default 200) */
    uint64_t ratio_grace_bytes; /* the ratio is enforced past this many output bytes (64 MiB) */
    uint64_t max_entries;       /* tar entries in one layer (default 2,000,000) */
    uint32_t max_path;          /* bytes in one path inside an image (default 4096) */
    uint64_t max_file_bytes;    /* bytes of one file handed whole to an analyzer (64 MiB) */
    uint32_t max_symlink_hops;  /* symlinks followed resolving one path (default 40) */
    uint64_t max_json_bytes;    /* one manifest, index or config document (default 16 MiB) */
    uint32_t max_index_depth;   /* image indexes nested in one another (default 4) */
    uint64_t max_manifests;     /* descriptors read from the indexes of one source (1024) */
    uint32_t max_layers;        /* layers of one image, a repeated blob counted each time
                                 * (default 512) */
    uint64_t max_captured_bytes; /* bytes of the files captured for the analyzers (package
                                  * databases, OS release files, Go build info) held in
                                  * memory by one scan, all layers together (256 MiB) */
};

/** Fill `out` with the default limits. */
CUSTOMS_API void customs_limits_default(struct customs_limits *out);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_LIMITS_H */
