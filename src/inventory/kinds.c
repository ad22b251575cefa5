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

static bool wants_npm_lock(const char *path)
{
    const char *base = customs_path_base(path);
    if (strcmp(base, "package-lock.json") == 0 || strcmp(base, "npm-shrinkwrap.json") == 0) {
        return strstr(path, "/node_modules/") == NULL; /* bundled lockfiles are not installs */
    }
    const char *hidden = "/node_modules/.package-lock.json";
    return customs_str_has_suffix(path, hidden) &&
           strstr(path, "/node_modules/") == path + strlen(path) - strlen(hidden);
}

/* node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json: an installed
 * package (not a fixture deeper inside one). */
static bool wants_npm_package(const char *path)
{
    if (!customs_str_has_suffix(path, "/package.json")) {
        return false;
    }
    const char *end = path + strlen(path) - strlen("/package.json");
    const char *p = end;
    int seg = 0;
    while (p > path && seg < 3) {
        const char *s = p - 1;
        while (s > path && *s != '/') {
            s--;
        }
        size_t len = (size_t)(p - s - 1);
        seg++;
        if (len == 12 && memcmp(s + 1, "node_modules", 12) == 0) {
            return seg == 2 || (seg == 3 && p[1] == '@');
        }
        p = s;
    }
    return false;
}

const struct customs_pkgdb_kind customs_pkgdb_kinds[] = {
    {"dpkg", wants_dpkg, customs_dpkg_parse},
    {"apk", wants_apk, customs_apk_parse},
    {"python", wants_python, customs_python_parse_metadata},
    {"npm-lock", wants_npm_lock, customs_npm_parse_lock},
    {"npm-package", wants_npm_package, customs_npm_parse_package_json},
    {NULL, NULL, NULL},
};
