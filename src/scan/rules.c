/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled rules with their own lifetime: compile once, scan many (include/customs/rules.h). */
#include "scan/rules.h"

#include <stdatomic.h>

#include "customs/scan.h"

#include "core/banned.h"

struct customs_rules {
    atomic_uint refs;
    struct customs_secret_engine *secrets;  /* NULL unless compiled */
    struct customs_malware_engine *malware; /* NULL unless compiled */
};

int customs_rules_new(struct customs_rules **out, const struct customs_scan_options *opts,
                      struct customs_error *err)
{
    struct customs_scan_options defaults;
    int r = 0;
    if (out == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL, "customs_rules_new: no out");
    }
    *out = NULL;
    if (opts == NULL) {
        customs_scan_options_default(&defaults);
        opts = &defaults;
    }
    struct customs_rules *rules = customs_calloc(1, sizeof(*rules));
    if (rules == NULL) {
        return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    atomic_init(&rules->refs, 1);
    if (opts->scanners & CUSTOMS_SCAN_MALWARE) {
        r = customs_malware_engine_new(&rules->malware, opts->malware_rules, opts->clamav_db,
                                       err);
    }
    if (r == 0 && (opts->scanners & CUSTOMS_SCAN_SECRETS)) {
        /* the malware gates ride in the secret scanner's Vectorscan pass (collect.c) */
        struct customs_secret_literals lits = {0};
        if (rules->malware != NULL) {
            lits.n = customs_malware_gate_texts(rules->malware, &lits.texts, &lits.lens,
                                                &lits.flags);
        }
        r = customs_secret_engine_new_with(&rules->secrets, opts->secret_rules,
                                           opts->secret_cache_dir, &lits, err);
    }
    if (r < 0) {
        customs_rules_free(rules);
        return r;
    }
    *out = rules;
    return 0;
}

struct customs_rules *customs_rules_ref(struct customs_rules *rules)
{
    if (rules != NULL) {
        atomic_fetch_add_explicit(&rules->refs, 1, memory_order_relaxed);
    }
    return rules;
}

void customs_rules_free(struct customs_rules *rules)
{
    if (rules == NULL || atomic_fetch_sub_explicit(&rules->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    customs_secret_engine_free(rules->secrets);
    customs_malware_engine_free(rules->malware);
    customs_free(rules);
}

int customs_rules_for_scan(struct customs_rules **out, const struct customs_scan_options *opts,
                           struct customs_error *err)
{
    struct customs_rules *given = opts->rules;
    if (given == NULL) {
        return customs_rules_new(out, opts, err);
    }
    *out = NULL;
    if ((opts->scanners & CUSTOMS_SCAN_SECRETS) && given->secrets == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "the compiled rules hold no secret rules (scanners of"
                                 " customs_rules_new lacked CUSTOMS_SCAN_SECRETS)");
    }
    if ((opts->scanners & CUSTOMS_SCAN_MALWARE) && given->malware == NULL) {
        return customs_error_set(err, CUSTOMS_EINVAL,
                                 "the compiled rules hold no malware rules (scanners of"
                                 " customs_rules_new lacked CUSTOMS_SCAN_MALWARE)");
    }
    *out = customs_rules_ref(given);
    return 0;
}

const struct customs_secret_engine *customs_rules_secrets(const struct customs_rules *rules)
{
    return rules != NULL ? rules->secrets : NULL;
}

const struct customs_malware_engine *customs_rules_malware(const struct customs_rules *rules)
{
    return rules != NULL ? rules->malware : NULL;
}
