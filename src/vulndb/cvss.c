/* SPDX-License-Identifier: Apache-2.0 */
/* CVSS v3.x base scores (FIRST CVSS 3.1 specification, section 7) and the normalised
 * ecosystem and package keys of the database. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vulndb/vulndb.h"

#include "core/banned.h"

/* Section 7.4's metric values; a zero weight means "letter not valid for this metric". */
static double cvss_weight(char metric, char value, bool scope_changed)
{
    switch (metric) {
    case 'V': /* AV */
        return value == 'N' ? 0.85 : value == 'A' ? 0.62 : value == 'L' ? 0.55
               : value == 'P' ? 0.2 : 0;
    case 'C': /* AC */
        return value == 'L' ? 0.77 : value == 'H' ? 0.44 : 0;
    case 'P': /* PR */
        if (value == 'N') {
            return 0.85;
        }
        if (value == 'L') {
            return scope_changed ? 0.68 : 0.62;
        }
        return value == 'H' ? (scope_changed ? 0.5 : 0.27) : 0;
    case 'U': /* UI */
        return value == 'N' ? 0.85 : value == 'R' ? 0.62 : 0;
    default: /* C, I, A: N is a valid 0, so shift by one and undo at the caller */
        return value == 'H' ? 1.56 : value == 'L' ? 1.22 : value == 'N' ? 1.0 : 0;
    }
}

/* Appendix A's Roundup: the smallest number, to one decimal place, >= input, computed on
 * integers so that 4.000000000000001 does not become 4.1. */
static double cvss_roundup(double x)
{
    long long i = llround(x * 100000.0);
    if (i % 10000 == 0) {
        return (double)i / 100000.0;
    }
    return (double)(i / 10000 + 1) / 10.0;
}

int customs_cvss3_base_score(double *score, const char *vector)
{
    static const char *const names[] = {"AV", "AC", "PR", "UI", "S", "C", "I", "A"};
    char val[8] = {0};
    *score = -1;
    if (vector == NULL || (strncmp(vector, "CVSS:3.0/", 9) != 0 &&
                           strncmp(vector, "CVSS:3.1/", 9) != 0)) {
        return CUSTOMS_EMALFORMED;
    }
    const char *p = vector + 9;
    while (*p != '\0') {
        const char *colon = strchr(p, ':');
        const char *slash = strchr(p, '/');
        const char *end = slash != NULL ? slash : p + strlen(p);
        if (colon == NULL || colon > end || end - colon != 2) {
            return CUSTOMS_EMALFORMED;
        }
        size_t klen = (size_t)(colon - p);
        for (size_t k = 0; k < 8; k++) {
            if (strlen(names[k]) == klen && strncmp(names[k], p, klen) == 0) {
                if (val[k] != 0) {
                    return CUSTOMS_EMALFORMED; /* a metric given twice */
                }
                val[k] = colon[1];
            }
        }
        p = slash != NULL ? slash + 1 : end;
    }
    for (size_t k = 0; k < 8; k++) {
        if (val[k] == 0) {
            return CUSTOMS_EMALFORMED;
        }
    }
    if (val[4] != 'U' && val[4] != 'C') {
        return CUSTOMS_EMALFORMED;
    }
    bool changed = val[4] == 'C';
    double av = cvss_weight('V', val[0], changed);
    double ac = cvss_weight('C', val[1], changed);
    double pr = cvss_weight('P', val[2], changed);
    double ui = cvss_weight('U', val[3], changed);
    double c = cvss_weight('X', val[5], changed);
    double in = cvss_weight('X', val[6], changed);
    double a = cvss_weight('X', val[7], changed);
    if (av == 0 || ac == 0 || pr == 0 || ui == 0 || c == 0 || in == 0 || a == 0) {
        return CUSTOMS_EMALFORMED;
    }
    c -= 1;
    in -= 1;
    a -= 1;
    double iss = 1 - (1 - c) * (1 - in) * (1 - a);
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    double exploitability = 8.22 * av * ac * pr * ui;
    if (impact <= 0) {
        *score = 0;
    } else if (changed) {
        *score = cvss_roundup(fmin(1.08 * (impact + exploitability), 10));
    } else {
        *score = cvss_roundup(fmin(impact + exploitability, 10));
    }
    return 0;
}

const char *customs_cvss3_rating(double score)
{
    if (score >= 9.0) {
        return "CRITICAL";
    }
    if (score >= 7.0) {
        return "HIGH";
    }
    if (score >= 4.0) {
        return "MEDIUM";
    }
    return score > 0 ? "LOW" : "NONE";
}

/* Debian release numbers to codenames, the form os-release's VERSION_CODENAME gives. */
static const char *debian_codename(const char *number)
{
    static const char *const table[][2] = {
        {"3.0", "woody"}, {"3.1", "sarge"}, {"4", "etch"},     {"5", "lenny"},
        {"6", "squeeze"}, {"7", "wheezy"},  {"8", "jessie"},   {"9", "stretch"},
        {"10", "buster"}, {"11", "bullseye"}, {"12", "bookworm"}, {"13", "trixie"},
        {"14", "forky"},  {"15", "duke"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i][0], number) == 0) {
            return table[i][1];
        }
    }
    return NULL;
}

static int key_lower(char *out, size_t outsz, const char *prefix, const char *s)
{
    int n = snprintf(out, outsz, "%s%s", prefix, s);
    if (n < 0 || (size_t)n >= outsz) {
        return CUSTOMS_ELIMIT;
    }
    for (char *q = out; *q != '\0'; q++) {
        *q = (char)tolower((unsigned char)*q);
    }
    return 0;
}

int customs_vulndb_ecosystem_key(char *out, size_t outsz, const char *eco)
{
    const char *colon = strchr(eco, ':');
    if (colon == NULL) {
        return key_lower(out, outsz, "", eco);
    }
    size_t plen = (size_t)(colon - eco);
    const char *rest = colon + 1;
    if (plen == 6 && strncasecmp(eco, "Debian", 6) == 0) {
        const char *code = debian_codename(rest);
        return key_lower(out, outsz, "debian:", code != NULL ? code : rest);
    }
    if (plen == 6 && strncasecmp(eco, "Alpine", 6) == 0) {
        return key_lower(out, outsz, "alpine:", rest[0] == 'v' ? rest + 1 : rest);
    }
    if (plen == 6 && strncasecmp(eco, "Ubuntu", 6) == 0) {
        /* "Ubuntu:22.04:LTS" -> "ubuntu:22.04"; "Ubuntu:Pro:18.04:LTS" -> "ubuntu:pro:18.04" */
        int rc = key_lower(out, outsz, "", eco);
        if (rc == 0 && customs_str_has_suffix(out, ":lts")) {
            out[strlen(out) - 4] = '\0';
        }
        return rc;
    }
    return key_lower(out, outsz, "", eco);
}

int customs_vulndb_package_key(char *out, size_t outsz, const char *ecosystem_key,
                               const char *name)
{
    size_t n = strlen(name);
    if (n >= outsz) {
        return CUSTOMS_ELIMIT;
    }
    if (strcmp(ecosystem_key, "pypi") != 0) {
        memcpy(out, name, n + 1);
        return 0;
    }
    /* PEP 503: lower-case, and each run of '-', '_', '.' becomes one '-' */
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (ch == '-' || ch == '_' || ch == '.') {
            if (o == 0 || out[o - 1] != '-') {
                out[o++] = '-';
            }
            continue;
        }
        out[o++] = (char)tolower((unsigned char)ch);
    }
    out[o] = '\0';
    return 0;
}
