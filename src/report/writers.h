/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_REPORT_WRITERS_H
#define CUSTOMS_REPORT_WRITERS_H

/* One writer per format; each returns 0 or CUSTOMS_EIO. */

#include <stdio.h>

struct customs_report;

int customs_report_write_json(const struct customs_report *rep, FILE *out);
int customs_report_write_table(const struct customs_report *rep, FILE *out);
int customs_report_write_cyclonedx(const struct customs_report *rep, FILE *out);
int customs_report_write_spdx(const struct customs_report *rep, FILE *out);

#endif /* CUSTOMS_REPORT_WRITERS_H */
