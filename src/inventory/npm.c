/* SPDX-License-Identifier: Apache-2.0 */
/*
 * npm: package-lock.json (lockfileVersion 1, 2, 3; also npm-shrinkwrap.json and the hidden
 * node_modules/.package-lock.json) and the package.json of every installed package.
 *
 * Both describe packages by their install path (/app/node_modules/a/node_modules/b). After all
 * files are read, customs_npm_dedupe() keeps one record per install path: the installed
 * package.json is the truth, the lockfile adds what only it knows (dev, direct or not). Lockfile
 * entries with nothing installed at their path are dropped when the project's node_modules is
 * in the image (`npm ci --omit=dev` leaves dev dependencies out), and kept when it is not (a
 * source tree: the lockfile is all there is).
 */
#include <stdio.h>
#include <string.h>

#include "formats/json.h"
#include "inventory/inventory.h"

#include "core/banned.h"

#define NPM_JSON_MAX (64u << 20)
#define V1_DEPTH_MAX 256

static const char *dup(struct customs_inventory *inv, const char *s)
{
    return s != NULL ? customs_arena_strdup(inv->arena, s) : NULL;
}

static const char *license_of(const json_t *pkg)
{
    const json_t *l = json_object_get(pkg, "license");
    if (json_is_string(l)) {
        return json_string_value(l);
    }
    if (json_is_object(l)) {
        return customs_json_str(l, "type");
    }
    return NULL;
}

/* The legacy "licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}] as "MIT OR Apache-2.0". */
static const char *legacy_licenses(struct customs_inventory *inv, const json_t *pkg)
{
    const json_t *ls = json_object_get(pkg, "licenses");
    struct customs_buf b;
    size_t i;
    const json_t *l;
    customs_buf_init(&b, 4096);
    json_array_foreach(ls, i, l) {
        const char *t = json_is_object(l) ? customs_json_str(l, "type") : json_string_value(l);
        if (t != NULL && customs_buf_printf(&b, "%s%s", b.len ? " OR " : "", t) < 0) {
            break;
        }
    }
    const char *out = b.len > 0 ? customs_arena_strdup(inv->arena, customs_buf_cstr(&b)) : NULL;
    customs_buf_release(&b);
    return out;
}

/* The directory a lockfile's paths are relative to. */
static void project_dir(char *out, size_t outsz, const char *lock_path)
{
    snprintf(out, outsz, "%s", lock_path);
    char *slash = strrchr(out, '/');
    if (slash != NULL) {
        *slash = '\0';
    }
    if (customs_str_has_suffix(out, "/node_modules")) { /* node_modules/.package-lock.json */
        out[strlen(out) - strlen("/node_modules")] = '\0';
    }
}

static int add(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
               const char *name, const char *version, const char *license, const char *install,
               bool dev, bool indirect)
{
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    p->type = "npm";
    p->name = dup(inv, name);
    p->version = dup(inv, version);
    p->license = dup(inv, license);
    p->install_path = dup(inv, install);
    p->path = file->path;
    p->layer = file->layer;
    p->dev = dev;
    p->indirect = indirect;
    return p->name == NULL || p->version == NULL || (install != NULL && p->install_path == NULL)
               ? CUSTOMS_ENOMEM
               : 0;
}

static bool is_direct(const json_t *root, const char *name)
{
    static const char *const kinds[] = {"dependencies", "devDependencies",
                                        "optionalDependencies", "peerDependencies"};
    for (size_t i = 0; i < 4; i++) {
        if (json_object_get(json_object_get(root, kinds[i]), name) != NULL) {
            return true;
        }
    }
    return false;
}

/* lockfileVersion 2 and 3: "packages" keyed by install path. */
static int lock_packages(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                         const json_t *packages, const char *dir)
{
    const json_t *root = json_object_get(packages, "");
    const char *key;
    const json_t *v;
    char install[8192];
    json_object_foreach((json_t *)(uintptr_t)packages, key, v) {
        if (key[0] == '\0' || !json_is_object(v) || json_is_true(json_object_get(v, "link"))) {
            continue;
        }
        const char *version = customs_json_str(v, "version");
        const char *nm = strstr(key, "node_modules/") == key ? key : strstr(key, "/node_modules/");
        if (version == NULL || nm == NULL) {
            continue; /* workspace folders and entries without a version */
        }
        const char *last = key;
        for (const char *p = strstr(key, "node_modules/"); p != NULL;
             p = strstr(p + 1, "node_modules/")) {
            last = p + strlen("node_modules/");
        }
        const char *name = customs_json_str(v, "name");
        if (name == NULL) {
            name = last;
        }
        bool nested = strstr(key, "/node_modules/") != NULL;
        bool dev = json_is_true(json_object_get(v, "dev")) ||
                   json_is_true(json_object_get(v, "devOptional"));
        snprintf(install, sizeof(install), "%s/%s", dir, key);
        int r = add(inv, file, name, version, license_of(v), install, dev,
                    nested || !is_direct(root, name));
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

/* lockfileVersion 1: nested "dependencies". */
static int lock_dependencies(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                             const json_t *deps, const char *base, int depth,
                             struct customs_error *err)
{
    const char *name;
    const json_t *v;
    char install[8192];
    if (depth > V1_DEPTH_MAX) {
        return customs_error_set(err, CUSTOMS_ELIMIT, "%s: dependencies nested deeper than %d",
                                 file->path, V1_DEPTH_MAX);
    }
    json_object_foreach((json_t *)(uintptr_t)deps, name, v) {
        const char *version = customs_json_str(v, "version");
        if (!json_is_object(v) || version == NULL) {
            continue;
        }
        snprintf(install, sizeof(install), "%s/node_modules/%s", base, name);
        /* "file:" and git versions are not registry versions, but still what is installed */
        int r = add(inv, file, name, version, NULL, install,
                    json_is_true(json_object_get(v, "dev")), depth > 0);
        if (r == 0 && json_is_object(json_object_get(v, "dependencies"))) {
            r = lock_dependencies(inv, file, json_object_get(v, "dependencies"), install,
                                  depth + 1, err);
        }
        if (r < 0) {
            return r == CUSTOMS_ENOMEM ? customs_error_set(err, r, "out of memory") : r;
        }
    }
    return 0;
}

int customs_npm_parse_lock(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                           struct customs_error *err)
{
    json_t *doc = NULL;
    char dir[4096];
    int r = customs_json_parse_lenient(&doc, file->path, file->data, file->len, NPM_JSON_MAX, err);
    if (r < 0) {
        return r;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: not a JSON object", file->path);
    }
    project_dir(dir, sizeof(dir), file->path);
    const json_t *packages = json_object_get(doc, "packages");
    const json_t *deps = json_object_get(doc, "dependencies");
    if (json_is_object(packages)) {
        r = lock_packages(inv, file, packages, dir);
        if (r < 0) {
            r = customs_error_set(err, r, "out of memory");
        }
    } else if (json_is_object(deps)) {
        r = lock_dependencies(inv, file, deps, dir, 0, err);
    }
    json_decref(doc);
    return r;
}

int customs_npm_parse_package_json(struct customs_inventory *inv,
                                   const struct customs_pkgdb_file *file,
                                   struct customs_error *err)
{
    json_t *doc = NULL;
    char dir[4096];
    int r = customs_json_parse_lenient(&doc, file->path, file->data, file->len, NPM_JSON_MAX, err);
    if (r < 0) {
        return r;
    }
    const char *name = customs_json_str(doc, "name");
    const char *version = customs_json_str(doc, "version");
    if (name != NULL && version != NULL && name[0] != '\0' && version[0] != '\0') {
        snprintf(dir, sizeof(dir), "%s", file->path);
        char *slash = strrchr(dir, '/');
        if (slash != NULL) {
            *slash = '\0';
        }
        /* nested below another package's node_modules: a transitive dependency */
        const char *first = strstr(dir, "/node_modules/");
        bool nested = first != NULL && strstr(first + 1, "/node_modules/") != NULL;
        const char *license = license_of(doc);
        r = add(inv, file, name, version, license != NULL ? license : legacy_licenses(inv, doc),
                dir, false, nested);
        if (r < 0) {
            r = customs_error_set(err, r, "out of memory");
        }
    }
    json_decref(doc);
    return r;
}

/* The project an install path belongs to: what comes before its first /node_modules/. */
static size_t project_len(const char *install)
{
    const char *nm = strstr(install, "/node_modules/");
    return nm != NULL ? (size_t)(nm - install) : strlen(install);
}

static bool from_lockfile(const struct customs_package *p)
{
    return !customs_str_has_suffix(p->path, "/package.json");
}

int customs_npm_dedupe(struct customs_inventory *inv)
{
    struct customs_strmap installed; /* install path -> package.json record */
    struct customs_strmap projects;  /* project dir with an installed node_modules -> 1 */
    struct customs_strmap seen;      /* lockfile install paths kept */
    struct customs_arena tmp;
    int r = 0;
    customs_strmap_init(&installed);
    customs_strmap_init(&projects);
    customs_strmap_init(&seen);
    customs_arena_init(&tmp);
    for (size_t i = 0; i < inv->packages.len && r == 0; i++) {
        struct customs_package *p = customs_vec_at(&inv->packages, i);
        if (strcmp(p->type, "npm") != 0 || p->install_path == NULL || from_lockfile(p)) {
            continue;
        }
        r = customs_strmap_put(&installed, p->install_path, p);
        const char *proj = customs_arena_strndup(&tmp, p->install_path,
                                                 project_len(p->install_path));
        if (r == 0) {
            r = proj == NULL ? CUSTOMS_ENOMEM : customs_strmap_put(&projects, proj, p);
        }
    }
    /* first decide (records do not move), then compact */
    bool *drop = customs_calloc(inv->packages.len + 1, sizeof(bool));
    if (drop == NULL) {
        r = CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; i < inv->packages.len && r == 0; i++) {
        struct customs_package *p = customs_vec_at(&inv->packages, i);
        if (strcmp(p->type, "npm") != 0 || p->install_path == NULL || !from_lockfile(p)) {
            continue;
        }
        struct customs_package *pj = customs_strmap_get(&installed, p->install_path);
        char proj[8192];
        snprintf(proj, sizeof(proj), "%.*s", (int)project_len(p->install_path), p->install_path);
        if (pj != NULL) {
            pj->dev = pj->dev || p->dev;
            pj->indirect = p->indirect;
            drop[i] = true;
        } else if (customs_strmap_get(&projects, proj) != NULL ||
                   customs_strmap_get(&seen, p->install_path) != NULL) {
            drop[i] = true; /* not installed, or already listed by another lockfile */
        } else {
            r = customs_strmap_put(&seen, p->install_path, p);
        }
    }
    size_t out = 0;
    for (size_t i = 0; i < inv->packages.len && r == 0; i++) {
        if (!drop[i]) {
            if (out != i) {
                memcpy(customs_vec_at(&inv->packages, out), customs_vec_at(&inv->packages, i),
                       inv->packages.elem);
            }
            out++;
        }
    }
    customs_free(drop);
    if (r == 0) {
        inv->packages.len = out;
    }
    customs_strmap_release(&installed);
    customs_strmap_release(&projects);
    customs_strmap_release(&seen);
    customs_arena_release(&tmp);
    return r;
}
