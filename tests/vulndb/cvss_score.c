/* SPDX-License-Identifier: Apache-2.0 */
/* Score CVSS vectors with src/vulndb, one per line of stdin, for tests/vulndb/cvss_crosscheck.py:
 * "VECTOR<TAB>VERSION<TAB>SCORE", or "VECTOR<TAB>error<TAB>MESSAGE". */
#include <stdio.h>
#include <string.h>

#include "vulndb/vulndb.h"

int main(void)
{
    char line[1024];
    while (fgets(line, sizeof(line), stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        struct customs_cvss c;
        struct customs_error err = {0};
        if (customs_cvss_score(&c, line, &err) == 0) {
            printf("%s\t%s\t%.1f\n", line, customs_cvss_version_name(c.version), c.score);
        } else {
            printf("%s\terror\t%s\n", line, err.message);
        }
    }
    return 0;
}
