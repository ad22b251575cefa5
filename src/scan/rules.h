/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SCAN_RULES_H
#define CUSTOMS_SCAN_RULES_H

/*
 * The compiled rules (include/customs/rules.h): a secret engine and a malware engine, either
 * NULL, behind one atomic reference count. A scan either borrows the caller's (one more
 * reference for its duration) or compiles its own.
 */

#include <stdint.h>

#include "customs/rules.h"
#include "malware/malware.h"
#include "secrets/secrets.h"

/** The rules a scan with `opts` uses: opts->rules (another reference, checked to hold the
 * engines opts->scanners needs: else CUSTOMS_EINVAL), or rules compiled for it now. */
CUSTOMS_MUST_USE int customs_rules_for_scan(struct customs_rules **out,
                                            const struct customs_scan_options *opts,
                                            struct customs_error *err);
/** The engines (borrowed, for the life of the rules); NULL when not compiled. */
const struct customs_secret_engine *customs_rules_secrets(const struct customs_rules *rules);
const struct customs_malware_engine *customs_rules_malware(const struct customs_rules *rules);

#endif /* CUSTOMS_SCAN_RULES_H */
