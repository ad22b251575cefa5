/* SPDX-License-Identifier: Apache-2.0 */
/* The package-database parsers and the paths each one wants (customs_pkgdb_kinds). */
#include "inventory/inventory.h"

#include <string.h>

#include "core/banned.h"

#define DPKG_STATUS_D "/var/lib/dpkg/status.d/"

/* /var/lib/dpkg/status, or a file directly under status.d/ that is not a checksum list. */
static bool dpkg_wants(const char *path)
{
    if (strcmp(path, "/var/lib/dpkg/status") == 0) {
        return true;
    }
    if (!customs_str_has_prefix(path, DPKG_STATUS_D)) {
        return false;
    }
    const char *rest = path + strlen(DPKG_STATUS_D);
    return rest[0] != '\0' && strchr(rest, '/') == NULL &&
           !customs_str_has_suffix(rest, ".md5sums");
}

/* /var/lib/dpkg/info/NAME.list or NAME:ARCH.list: which files each package installed. */
static bool dpkg_list_wants(const char *path)
{
    static const char info[] = "/var/lib/dpkg/info/";
    return customs_str_has_prefix(path, info) && customs_str_has_suffix(path, ".list") &&
           strlen(path) > sizeof(info) - 1 + strlen(".list") &&
           strchr(path + sizeof(info) - 1, '/') == NULL;
}

static bool apk_wants(const char *path)
{
    return strcmp(path, "/lib/apk/db/installed") == 0;
}

static bool rpm_wants(const char *path)
{
    static const char *const paths[] = {
        "/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite", "/var/lib/rpm/Packages",
        "/var/lib/rpm/Packages.db",  "/usr/lib/sysimage/rpm/Packages.db",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (strcmp(path, paths[i]) == 0) {
            return true;
        }
    }
    return false;
}

static bool python_wants(const char *path)
{
    return customs_str_has_suffix(path, ".dist-info/METADATA") ||
           customs_str_has_suffix(path, ".egg-info/PKG-INFO");
}

/* A project lockfile (not one bundled inside an installed package), or npm's hidden lockfile
 * at the top of a project's node_modules. */
static bool npm_lock_wants(const char *path)
{
    const char *base = customs_path_base(path);
    const char *hidden = "/node_modules/.package-lock.json";
    if (strcmp(base, "package-lock.json") == 0 || strcmp(base, "npm-shrinkwrap.json") == 0) {
        return strstr(path, "/node_modules/") == NULL;
    }
    return customs_str_has_suffix(path, hidden) &&
           strstr(path, "/node_modules/") == path + strlen(path) - strlen(hidden);
}

/* node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json: an installed
 * package, not a fixture deeper inside one. */
static bool npm_package_wants(const char *path)
{
    if (!customs_str_has_suffix(path, "/package.json")) {
        return false;
    }
    const char *p = path + strlen(path) - strlen("/package.json");
    for (int seg = 1; p > path && seg <= 3; seg++) {
        const char *s = p - 1;
        while (s > path && *s != '/') {
            s--;
        }
        if ((size_t)(p - s - 1) == 12 && memcmp(s + 1, "node_modules", 12) == 0) {
            return seg == 2 || (seg == 3 && p[1] == '@');
        }
        p = s;
    }
    return false;
}

const struct customs_pkgdb_kind customs_pkgdb_kinds[] = {
    {"dpkg", dpkg_wants, customs_dpkg_parse},
    {"dpkg-list", dpkg_list_wants, customs_dpkg_parse_list},
    {"apk", apk_wants, customs_apk_parse},
    {"rpm", rpm_wants, customs_rpm_parse},
    {"python", python_wants, customs_python_parse_metadata},
    {"npm-lock", npm_lock_wants, customs_npm_parse_lock},
    {"npm-package", npm_package_wants, customs_npm_parse_package_json},
    {NULL, NULL, NULL},
};
