/* SPDX-License-Identifier: Apache-2.0 */
/* Which files each package-database parser wants, by path (absolute, cleaned). */
#include <string.h>

#include "inventory/inventory.h"

#include "core/banned.h"

static bool wants_dpkg(const char *path)
{
    if (strcmp(path, "/var/lib/dpkg/status") == 0) {
        return true;
    }
    const char *dir = "/var/lib/dpkg/status.d/";
    return customs_str_has_prefix(path, dir) && strchr(path + strlen(dir), '/') == NULL &&
           !customs_str_has_suffix(path, ".md5sums") && path[strlen(dir)] != '\0';
}

static bool wants_apk(const char *path)
{
    return strcmp(path, "/lib/apk/db/installed") == 0;
}

static bool wants_python(const char *path)
{
    return customs_str_has_suffix(path, ".dist-info/METADATA") ||
           customs_str_has_suffix(path, ".egg-info/PKG-INFO");
}

const struct customs_pkgdb_kind customs_pkgdb_kinds[] = {
    {"dpkg", wants_dpkg, customs_dpkg_parse},
    {"apk", wants_apk, customs_apk_parse},
    {"python", wants_python, customs_python_parse_metadata},
    {NULL, NULL, NULL},
};
