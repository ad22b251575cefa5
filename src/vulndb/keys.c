/* SPDX-License-Identifier: Apache-2.0 */
/* The normalised ecosystem and package keys of the database (docs/db.md, "Keys"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vulndb/vulndb.h"

#include "core/banned.h"

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
