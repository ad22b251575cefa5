/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_CUSTOMS_H
#define CUSTOMS_CUSTOMS_H

/*
 * libcustoms: a container security gate.
 *
 * Ownership, stated once for the whole API: an object returned through `**out` belongs to the
 * caller, who frees it with its `_free` function (`_free(NULL)` is a no-op); a pointer
 * returned as a value is borrowed, for as long as the object it came from lives.
 */

#include "customs/error.h"
#include "customs/limits.h"
#include "customs/registry.h"
#include "customs/report.h"
#include "customs/rules.h"
#include "customs/scan.h"
#include "customs/vulndb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version, "MAJOR.MINOR.PATCH". */
CUSTOMS_API const char *customs_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_CUSTOMS_H */
