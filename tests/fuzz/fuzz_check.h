/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_FUZZ_CHECK_H
#define CUSTOMS_FUZZ_CHECK_H

/*
 * What a fuzz target does with a result. Any input may be refused, so a failure is an
 * acceptable outcome, and the target goes on to exercise what follows with whatever the call
 * left (a partial inventory, an empty set): that is the state a caller that reports the error
 * and carries on sees. What is never acceptable is a result outside the contract: a positive
 * value, or a negative one that is no CUSTOMS_E* code. Both stop the target.
 */

#include <stdlib.h>

#include "customs/error.h"

/** A result that is 0, a CUSTOMS_E* code, or a positive status up to `most` (a function that
 * documents such statuses: CUSTOMS_MALWARE_SKIPPED...). */
static inline int fuzz_result_upto(int rc, int most)
{
    if (rc > most || rc < CUSTOMS_EAGAIN) {
        abort();
    }
    return rc;
}

/** A result that is 0 or a CUSTOMS_E* code. */
static inline int fuzz_result(int rc)
{
    return fuzz_result_upto(rc, 0);
}

#endif /* CUSTOMS_FUZZ_CHECK_H */
