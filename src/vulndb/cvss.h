/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/vulndb: the CVSS vector reader cvss.c and cvss4.c share. */
#ifndef CUSTOMS_VULNDB_CVSS_H
#define CUSTOMS_VULNDB_CVSS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

/* One metric a version allows: its abbreviation, its values separated by spaces, and whether
 * a vector must give it (the base metrics). */
struct cvss_metric {
    const char *name;
    const char *values;
    bool required;
};

#define CVSS_MAX_METRICS 32
#define CVSS_MAX_VALUE 8

/* What a vector said: value[i] is metric i's value as written ("" when absent). */
struct cvss_values {
    char value[CVSS_MAX_METRICS][CVSS_MAX_VALUE];
};

/**
 * Read the "NAME:VALUE/NAME:VALUE..." part of `vector` (starting at `p`) against `table`:
 * every metric known, given at most once, with one of its values; every required metric given.
 * @return 0 or CUSTOMS_EMALFORMED with the reason in err
 */
int cvss_read(struct cvss_values *out, const struct cvss_metric *table, size_t n,
              const char *vector, const char *p, struct customs_error *err);

/** The CVSS v4.0 score of the metrics read against cvss4_metrics (in its order). */
double cvss4_score(const struct cvss_values *v);
extern const struct cvss_metric cvss4_metrics[];
extern const size_t cvss4_nmetrics;

#endif /* CUSTOMS_VULNDB_CVSS_H */
