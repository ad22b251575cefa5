/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_INVENTORY_INVENTORY_H
#define CUSTOMS_INVENTORY_INVENTORY_H

/*
 * What is installed: package records read from package databases and binaries.
 *
 * A parser is a pure function from the bytes of one file (already read from the final
 * filesystem view of an image, or from a directory) to package records appended to a
 * `struct customs_inventory`. Records and their strings live in the inventory's arena.
 * Parsers never do I/O and never see more than the one file they are given (the rpm parser
 * opens its SQLite bytes in memory). Bad input returns CUSTOMS_EMALFORMED with
 * "PATH:LINE: what" (or "PATH: offset N: what") in `err`; records appended before the error
 * stay. The table `customs_pkgdb_kinds` says which paths each parser wants.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/** One installed package. Strings are borrowed from the inventory's arena; NULL = absent. */
struct customs_package {
    const char *type;           /* "deb", "apk", "rpm", "npm", "pypi", "golang" */
    const char *name;           /* as the ecosystem spells it (PyPI: PEP 503 normalised) */
    const char *version;        /* the full comparable version: deb "1:2.3-4", apk "1.2-r0",
                                   rpm "2.3-4.el9" (epoch in `epoch`), golang "v1.2.3" */
    const char *epoch;          /* rpm only, when present */
    const char *source_name;    /* deb Source, apk origin, rpm source rpm name */
    const char *source_version; /* deb source version, rpm source version-release */
    const char *arch;
    const char *license;
    const char *purl;           /* set by customs_purl_fill() once the OS is known */
    const char *path;           /* absolute path of the file it was found in */
    const char *install_path;   /* npm: directory of the installed package, for de-duplication */
    const char *os_package;     /* pypi: the OS package that installed it (dpkg, apk or rpm
                                   file lists), which alone is matched; NULL otherwise */
    int layer;                  /* index of the layer that added that file; -1 for directories */
    bool dev;                   /* npm: a development dependency */
    bool indirect;              /* golang: a dependency (not the main module), npm: not top */
};

/** The operating system of the final filesystem. Strings borrowed from the arena. */
struct customs_os {
    const char *id;        /* os-release ID: "debian", "alpine", "ubuntu", "rhel", ... */
    const char *version;   /* VERSION_ID, or alpine-release/debian_version contents */
    const char *codename;  /* VERSION_CODENAME, or NULL */
    const char *pretty;    /* PRETTY_NAME, or NULL */
};

/** A Python metadata directory (".../NAME-VER.dist-info", ".../NAME.egg-info") that an OS
 * package's file list names. */
struct customs_owned_path {
    const char *path;  /* absolute, no trailing '/' */
    const char *owner; /* the OS package's name */
};

struct customs_inventory {
    struct customs_arena *arena;  /* borrowed: owns every string of every record */
    struct customs_vec packages;  /* struct customs_package */
    struct customs_vec owned;     /* struct customs_owned_path, from the OS file lists */
};

void customs_inventory_init(struct customs_inventory *inv, struct customs_arena *arena);
void customs_inventory_release(struct customs_inventory *inv);
/** Append a zeroed record (layer = -1) or NULL on OOM; valid until the next append. */
CUSTOMS_MUST_USE struct customs_package *customs_inventory_add(struct customs_inventory *inv);

/** The file handed to a parser. */
struct customs_pkgdb_file {
    const char *path;       /* absolute path inside the image, cleaned */
    const uint8_t *data;
    size_t len;
    int layer;
};

typedef int (*customs_pkgdb_parse_fn)(struct customs_inventory *inv,
                                      const struct customs_pkgdb_file *file,
                                      struct customs_error *err);

/** A package-database parser and the paths it wants. */
struct customs_pkgdb_kind {
    const char *name;                 /* "dpkg", "apk", "rpm", "npm-lock", ... */
    bool (*wants)(const char *path);  /* path is absolute and cleaned */
    customs_pkgdb_parse_fn parse;
};

/** The parsers, ending with an entry whose name is NULL. */
extern const struct customs_pkgdb_kind customs_pkgdb_kinds[];

/* The parsers, one per file format (each in its own .c). */
CUSTOMS_MUST_USE
int customs_dpkg_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                       struct customs_error *err);
CUSTOMS_MUST_USE
int customs_apk_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                      struct customs_error *err);
/** rpmdb.sqlite: SQLite opened in memory (sqlite3_deserialize), header blobs parsed. Packages
 * and Packages.db (BerkeleyDB, NDB): CUSTOMS_EUNSUPPORTED "unsupported rpmdb format". */
CUSTOMS_MUST_USE
int customs_rpm_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                      struct customs_error *err);
/** One rpm header blob as stored in rpmdb.sqlite's Packages table. */
CUSTOMS_MUST_USE
int customs_rpm_parse_header(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                             struct customs_error *err);
CUSTOMS_MUST_USE
int customs_npm_parse_lock(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                           struct customs_error *err);
CUSTOMS_MUST_USE int customs_npm_parse_package_json(struct customs_inventory *inv,
                                                    const struct customs_pkgdb_file *file,
                                                    struct customs_error *err);
CUSTOMS_MUST_USE int customs_python_parse_metadata(struct customs_inventory *inv,
                                                   const struct customs_pkgdb_file *file,
                                                   struct customs_error *err);
/**
 * Go build info. `file->data` starts at the 14-byte magic "\xff Go buildinf:" and holds what
 * follows it in the binary (the caller captures up to 64 KiB). Go >= 1.18 inline format only;
 * the older pointer format returns CUSTOMS_EUNSUPPORTED. Adds the main module, every `dep`
 * (after `=>` replacements) and the toolchain as package "stdlib".
 */
CUSTOMS_MUST_USE int customs_gobin_parse_buildinfo(struct customs_inventory *inv,
                                                   const struct customs_pkgdb_file *file,
                                                   struct customs_error *err);

/** The Go build-info magic and the size a caller should capture after it. */
#define CUSTOMS_GOBIN_MAGIC "\xff Go buildinf:"
#define CUSTOMS_GOBIN_MAGIC_LEN 14
#define CUSTOMS_GOBIN_CAPTURE (64 * 1024)

/** dpkg's file list of one package, /var/lib/dpkg/info/NAME[:ARCH].list: records the Python
 * metadata directories it installs (no package records). */
CUSTOMS_MUST_USE
int customs_dpkg_parse_list(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                            struct customs_error *err);
/** Does this path (n bytes) name a Python metadata directory, "*.dist-info" or "*.egg-info"? */
bool customs_owned_is_python_dir(const char *path, size_t n);
/** Record that OS package `owner` installed the Python metadata directory `path` (n bytes,
 * leading '/' added when missing); both are copied into the arena. */
CUSTOMS_MUST_USE int customs_owned_add(struct customs_inventory *inv, const char *path, size_t n,
                                       const char *owner);
/**
 * After all files are parsed: every PyPI record whose metadata directory an OS package
 * installed gets that package in `os_package` (it is the OS package, matched against the
 * distribution's advisories only), and one distribution installed twice in one directory
 * (NAME-VER.dist-info and NAME.egg-info of the same name and version) becomes one record,
 * the .dist-info one.
 */
CUSTOMS_MUST_USE int customs_python_settle(struct customs_inventory *inv);

/** After all files are parsed: drop npm records that describe the same install path twice,
 * preferring the installed package.json over a lockfile entry (keeping the lockfile's `dev`). */
CUSTOMS_MUST_USE int customs_npm_dedupe(struct customs_inventory *inv);

/* ---- OS detection ---- */

/** The files customs_os_detect() reads, in order of preference. */
extern const char *const customs_os_files[];

/** Fill `os` from one OS file (os-release, alpine-release, debian_version, redhat-release);
 * fields already set by a more authoritative file are kept. */
CUSTOMS_MUST_USE
int customs_os_parse(struct customs_os *os, struct customs_arena *arena,
                     const struct customs_pkgdb_file *file, struct customs_error *err);

/* ---- package URLs (purl spec) ---- */

/** Set `purl` on every record, using the OS for deb/apk/rpm namespaces and distro qualifiers. */
CUSTOMS_MUST_USE int customs_purl_fill(struct customs_inventory *inv, const struct customs_os *os);

#endif /* CUSTOMS_INVENTORY_INVENTORY_H */
