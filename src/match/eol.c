/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The end of security support of OS releases: data, one row per release, from the
 * distributions' own pages (Debian's LTS pages, Ubuntu's release cycle, Alpine's releases page,
 * Red Hat's life cycle and those of the distributions rebuilt from RHEL, Amazon Linux's FAQ).
 * Debian counts the end of its LTS; Ubuntu the end of standard support (ESM is a subscription);
 * RHEL and its rebuilds the end of maintenance support.
 */
#include <string.h>

#include "match/match.h"

#include "core/banned.h"

static const struct {
    const char *id;      /* os-release ID */
    const char *version; /* VERSION_ID, or its prefix up to a '.' ("11", "3.19", "22.04", "8") */
    const char *eol;
} eol_table[] = {
    {"debian", "3.1", "2008-03-31"},  {"debian", "4", "2010-02-15"},
    {"debian", "5", "2012-02-06"},    {"debian", "6", "2016-02-29"},
    {"debian", "7", "2018-05-31"},    {"debian", "8", "2020-06-30"},
    {"debian", "9", "2022-06-30"},    {"debian", "10", "2024-06-30"},
    {"debian", "11", "2026-08-31"},   {"debian", "12", "2028-06-30"},
    {"debian", "13", "2030-06-30"},

    {"ubuntu", "14.04", "2019-04-25"}, {"ubuntu", "16.04", "2021-04-30"},
    {"ubuntu", "18.04", "2023-05-31"}, {"ubuntu", "18.10", "2019-07-18"},
    {"ubuntu", "19.04", "2020-01-23"}, {"ubuntu", "19.10", "2020-07-06"},
    {"ubuntu", "20.04", "2025-05-31"}, {"ubuntu", "20.10", "2021-07-22"},
    {"ubuntu", "21.04", "2022-01-20"}, {"ubuntu", "21.10", "2022-07-14"},
    {"ubuntu", "22.04", "2027-06-01"}, {"ubuntu", "22.10", "2023-07-20"},
    {"ubuntu", "23.04", "2024-01-25"}, {"ubuntu", "23.10", "2024-07-11"},
    {"ubuntu", "24.04", "2029-05-31"}, {"ubuntu", "24.10", "2025-07-10"},
    {"ubuntu", "25.04", "2026-01-15"}, {"ubuntu", "25.10", "2026-07-09"},
    {"ubuntu", "26.04", "2031-05-31"},

    {"alpine", "3.0", "2016-05-01"},  {"alpine", "3.1", "2016-11-01"},
    {"alpine", "3.2", "2017-05-01"},  {"alpine", "3.3", "2017-11-01"},
    {"alpine", "3.4", "2018-05-01"},  {"alpine", "3.5", "2018-11-01"},
    {"alpine", "3.6", "2019-05-01"},  {"alpine", "3.7", "2019-11-01"},
    {"alpine", "3.8", "2020-05-01"},  {"alpine", "3.9", "2020-11-01"},
    {"alpine", "3.10", "2021-05-01"}, {"alpine", "3.11", "2021-11-01"},
    {"alpine", "3.12", "2022-05-01"}, {"alpine", "3.13", "2022-11-01"},
    {"alpine", "3.14", "2023-05-01"}, {"alpine", "3.15", "2023-11-01"},
    {"alpine", "3.16", "2024-05-23"}, {"alpine", "3.17", "2024-11-22"},
    {"alpine", "3.18", "2025-05-09"}, {"alpine", "3.19", "2025-11-01"},
    {"alpine", "3.20", "2026-04-01"}, {"alpine", "3.21", "2026-11-01"},
    {"alpine", "3.22", "2027-05-01"}, {"alpine", "3.23", "2027-11-01"},

    {"rhel", "6", "2020-11-30"},      {"rhel", "7", "2024-06-30"},
    {"rhel", "8", "2029-05-31"},      {"rhel", "9", "2032-05-31"},
    {"centos", "6", "2020-11-30"},    {"centos", "7", "2024-06-30"},
    {"centos", "8", "2021-12-31"},    {"centos", "9", "2027-05-31"},
    {"rocky", "8", "2029-05-31"},     {"rocky", "9", "2032-05-31"},
    {"almalinux", "8", "2029-03-01"}, {"almalinux", "9", "2032-05-31"},
    {"ol", "6", "2021-03-01"},        {"ol", "7", "2024-12-31"},
    {"ol", "8", "2029-07-31"},        {"ol", "9", "2032-06-30"},
    {"amzn", "2", "2026-06-30"},      {"amzn", "2023", "2029-06-30"},
};

const char *customs_match_os_eol(const struct customs_os *os)
{
    if (os == NULL || os->id == NULL || os->version == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(eol_table) / sizeof(eol_table[0]); i++) {
        size_t n = strlen(eol_table[i].version);
        if (strcmp(os->id, eol_table[i].id) == 0 &&
            strncmp(os->version, eol_table[i].version, n) == 0 &&
            (os->version[n] == '\0' || os->version[n] == '.')) {
            return eol_table[i].eol;
        }
    }
    return NULL;
}
