/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_RULES_H
#define CUSTOMS_RULES_H

/*
 * Compiled rules: the secret patterns (the built-in ones plus a user's rule file) and the
 * malware rules (the built-in YARA rules, a directory of the user's, ClamAV databases),
 * compiled once and shared by any number of scans, at once or one after another. A
 * long-running process (the admission webhook, the registry gate) builds them at start-up
 * instead of at every scan.
 *
 * Basic outline:
 *   1. customs_scan_options_default(&opts); set scanners, secret_rules, malware_rules, ...
 *   2. customs_rules_new(&rules, &opts, &err);                 once
 *   3. opts.rules = rules; customs_scan(&report, target, &opts, &err);   per image, any thread
 *   4. customs_rules_free(rules);                              once
 *
 * The object is immutable once built (a rule's confirming regex is compiled at its first
 * candidate, under a lock) and safe to share between threads. Its lifetime is counted:
 * customs_scan holds a reference while it runs, so customs_rules_free drops the caller's
 * reference and the last holder frees it.
 */

#include "customs/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct customs_rules;
struct customs_scan_options;

/**
 * Compile the rules `opts` asks for: the secret rules (opts->secret_rules, cached in
 * opts->secret_cache_dir) if opts->scanners has CUSTOMS_SCAN_SECRETS, the malware rules
 * (opts->malware_rules, opts->clamav_db) if it has CUSTOMS_SCAN_MALWARE.
 *
 * @param out   receives the rules on success (one reference; free with customs_rules_free)
 * @param opts  read during the call only; NULL: the defaults (nothing to compile)
 * @return 0, or CUSTOMS_EMALFORMED (a bad rule, named), CUSTOMS_ENOTFOUND, CUSTOMS_EIO,
 *         CUSTOMS_ENOMEM
 */
CUSTOMS_API CUSTOMS_MUST_USE int customs_rules_new(struct customs_rules **out,
                                                   const struct customs_scan_options *opts,
                                                   struct customs_error *err);

/** Another reference to `rules` (returned), released with customs_rules_free. */
CUSTOMS_API struct customs_rules *customs_rules_ref(struct customs_rules *rules);

/** Drop one reference; the last one frees the rules. NULL is a no-op. */
CUSTOMS_API void customs_rules_free(struct customs_rules *rules);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_RULES_H */
