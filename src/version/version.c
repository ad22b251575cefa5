/* SPDX-License-Identifier: Apache-2.0 */
/* Dispatch by scheme, and the digit-string comparison every scheme shares. */
#include "version/version.h"

#include <string.h>
#include <strings.h>

#include "core/banned.h"

int customs_version_digits_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    while (alen > 0 && *a == '0') {
        a++;
        alen--;
    }
    while (blen > 0 && *b == '0') {
        b++;
        blen--;
    }
    if (alen != blen) {
        return alen < blen ? -1 : 1;
    }
    if (alen == 0) {
        return 0; /* both zero; a and b may be NULL here */
    }
    int c = memcmp(a, b, alen);
    return (c > 0) - (c < 0);
}

static const struct {
    const char *name;
    enum customs_version_scheme scheme;
} scheme_names[] = {
    {"dpkg", CUSTOMS_VERSION_DPKG},        {"deb", CUSTOMS_VERSION_DPKG},
    {"debian", CUSTOMS_VERSION_DPKG},      {"ubuntu", CUSTOMS_VERSION_DPKG},
    {"apk", CUSTOMS_VERSION_APK},          {"alpine", CUSTOMS_VERSION_APK},
    {"rpm", CUSTOMS_VERSION_RPM},          {"npm", CUSTOMS_VERSION_NPM},
    {"semver", CUSTOMS_VERSION_NPM},       {"crates.io", CUSTOMS_VERSION_NPM},
    {"pep440", CUSTOMS_VERSION_PEP440},    {"pypi", CUSTOMS_VERSION_PEP440},
    {"python", CUSTOMS_VERSION_PEP440},    {"maven", CUSTOMS_VERSION_MAVEN},
    {"go", CUSTOMS_VERSION_GO},            {"golang", CUSTOMS_VERSION_GO},
    {"rubygems", CUSTOMS_VERSION_RUBYGEMS}, {"gem", CUSTOMS_VERSION_RUBYGEMS},
};

enum customs_version_scheme customs_version_scheme_parse(const char *name)
{
    if (name == NULL) {
        return CUSTOMS_VERSION_UNKNOWN;
    }
    for (size_t i = 0; i < sizeof(scheme_names) / sizeof(scheme_names[0]); i++) {
        if (strcasecmp(name, scheme_names[i].name) == 0) {
            return scheme_names[i].scheme;
        }
    }
    return CUSTOMS_VERSION_UNKNOWN;
}

const char *customs_version_scheme_name(enum customs_version_scheme scheme)
{
    switch (scheme) {
    case CUSTOMS_VERSION_DPKG:
        return "dpkg";
    case CUSTOMS_VERSION_APK:
        return "apk";
    case CUSTOMS_VERSION_RPM:
        return "rpm";
    case CUSTOMS_VERSION_NPM:
        return "npm";
    case CUSTOMS_VERSION_PEP440:
        return "pep440";
    case CUSTOMS_VERSION_MAVEN:
        return "maven";
    case CUSTOMS_VERSION_GO:
        return "go";
    case CUSTOMS_VERSION_RUBYGEMS:
        return "rubygems";
    case CUSTOMS_VERSION_UNKNOWN:
    default:
        return "unknown";
    }
}

int customs_version_cmp(enum customs_version_scheme scheme, const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return (a != NULL) - (b != NULL);
    }
    switch (scheme) {
    case CUSTOMS_VERSION_DPKG:
        return customs_version_cmp_dpkg(a, b);
    case CUSTOMS_VERSION_APK:
        return customs_version_cmp_apk(a, b);
    case CUSTOMS_VERSION_RPM:
        return customs_version_cmp_rpm(a, b);
    case CUSTOMS_VERSION_NPM:
        return customs_version_cmp_npm(a, b);
    case CUSTOMS_VERSION_PEP440:
        return customs_version_cmp_pep440(a, b);
    case CUSTOMS_VERSION_MAVEN:
        return customs_version_cmp_maven(a, b);
    case CUSTOMS_VERSION_GO:
        return customs_version_cmp_go(a, b);
    case CUSTOMS_VERSION_RUBYGEMS:
        return customs_version_cmp_rubygems(a, b);
    case CUSTOMS_VERSION_UNKNOWN:
    default: {
        int c = strcmp(a, b);
        return (c > 0) - (c < 0);
    }
    }
}

bool customs_version_valid(enum customs_version_scheme scheme, const char *v)
{
    if (v == NULL) {
        return false;
    }
    switch (scheme) {
    case CUSTOMS_VERSION_DPKG:
        return customs_version_valid_dpkg(v);
    case CUSTOMS_VERSION_APK:
        return customs_version_valid_apk(v);
    case CUSTOMS_VERSION_RPM:
        return true;
    case CUSTOMS_VERSION_MAVEN:
        return customs_version_valid_maven(v);
    case CUSTOMS_VERSION_NPM:
        return customs_version_valid_npm(v);
    case CUSTOMS_VERSION_PEP440:
        return customs_version_valid_pep440(v);
    case CUSTOMS_VERSION_GO:
        return customs_version_valid_go(v);
    case CUSTOMS_VERSION_RUBYGEMS:
        return customs_version_valid_rubygems(v);
    case CUSTOMS_VERSION_UNKNOWN:
    default:
        return false;
    }
}
