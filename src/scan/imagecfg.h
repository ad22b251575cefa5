/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SCAN_IMAGECFG_H
#define CUSTOMS_SCAN_IMAGECFG_H

#include <jansson.h>

#include "image/image.h"
#include "model/report.h"

/**
 * Least-privilege checks of an image (CUSTOMS-IMG-001..007, docs/checks.md): the config (user,
 * HEALTHCHECK, port 22) and the final filesystem (setuid/setgid files, world-writable paths,
 * package-manager caches, an SSH server), appended to r->misconfigs. `config` may be NULL
 * (directories), `fs` the final filesystem view (or NULL). Each filesystem finding names the
 * count and the first eight paths in byte order.
 */
CUSTOMS_MUST_USE int customs_imagecfg_check(struct customs_report *r, const json_t *config,
                                            struct customs_fsview *fs);

#endif /* CUSTOMS_SCAN_IMAGECFG_H */
