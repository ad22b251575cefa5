/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_VERSION_VERSION_H
#define CUSTOMS_VERSION_VERSION_H

/*
 * Version semantics: one comparator per versioning scheme, each a pure function of two
 * NUL-terminated strings returning <0, 0 or >0 like strcmp. Comparators never fail: every
 * string has a place in each scheme's order (invalid strings are ordered by the scheme's own
 * rules where upstream has them, else as documented per function). They keep no state, do not
 * allocate (PEP 440 and npm ranges walk the strings in place), are thread-safe, and compare
 * numbers of any length as digit strings, so nothing overflows.
 *
 * Basic outline:
 *   1. enum customs_version_scheme s = customs_version_scheme_parse("Debian");
 *   2. customs_version_cmp(s, installed, fixed) < 0  => installed is older than the fix.
 *   3. npm ranges: customs_version_npm_satisfies("1.2.3", "^1.0.0 || 2.x").
 *
 * Rules and the upstream test vectors each comparator agrees with: docs/version.md.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum customs_version_scheme {
    CUSTOMS_VERSION_UNKNOWN = 0,
    CUSTOMS_VERSION_DPKG,     /* Debian, Ubuntu */
    CUSTOMS_VERSION_APK,      /* Alpine */
    CUSTOMS_VERSION_RPM,      /* Red Hat, SUSE, ... */
    CUSTOMS_VERSION_NPM,      /* node-semver (also SemVer 2.0 ecosystems such as crates.io) */
    CUSTOMS_VERSION_PEP440,   /* PyPI */
    CUSTOMS_VERSION_MAVEN,    /* Maven ComparableVersion */
    CUSTOMS_VERSION_GO,       /* Go module versions */
    CUSTOMS_VERSION_RUBYGEMS, /* Gem::Version */
};

/* ---- dispatch ---- */

/**
 * Map a scheme or ecosystem name to a scheme, case-insensitively: "dpkg", "deb", "debian",
 * "ubuntu"; "apk", "alpine"; "rpm"; "npm", "semver", "crates.io"; "pep440", "pypi",
 * "python"; "maven"; "go", "golang"; "rubygems", "gem".
 * @return the scheme, or CUSTOMS_VERSION_UNKNOWN for NULL or an unknown name.
 */
enum customs_version_scheme customs_version_scheme_parse(const char *name);
/** The canonical name of a scheme ("dpkg", "apk", ...); "unknown" for anything else. */
const char *customs_version_scheme_name(enum customs_version_scheme scheme);
/**
 * Compare a and b under `scheme`. An unknown scheme compares bytewise (strcmp).
 * NULL sorts before every string.
 */
int customs_version_cmp(enum customs_version_scheme scheme, const char *a, const char *b);
/** Whether v is a valid version of `scheme` (false for NULL and an unknown scheme). */
bool customs_version_valid(enum customs_version_scheme scheme, const char *v);

/* ---- dpkg: [epoch:]upstream[-revision] ---- */

int customs_version_cmp_dpkg(const char *a, const char *b);
/** dpkg's parse errors: empty, spaces, bad epoch, empty upstream or revision, bad chars. */
bool customs_version_valid_dpkg(const char *v);

/* ---- apk (apk-tools): digits{.digits}[letter]{_suffix[N]}[~hash][-rN] ---- */

int customs_version_cmp_apk(const char *a, const char *b);
bool customs_version_valid_apk(const char *v);
/**
 * apk's fuzzy match `a ~ b`: a equals b in every token b has (b's end ends the comparison).
 */
bool customs_version_apk_fuzzy_match(const char *a, const char *b);

/* ---- rpm: [epoch:]version[-release], rpmvercmp on each part ---- */

int customs_version_cmp_rpm(const char *a, const char *b);
/** rpmvercmp on one bare string (no epoch or release split), as rpm's own tests use it. */
int customs_version_rpmvercmp(const char *a, const char *b);

/* ---- npm (node-semver) ---- */

#define CUSTOMS_VERSION_NPM_LOOSE 0x1u               /* node-semver `loose` */
#define CUSTOMS_VERSION_NPM_INCLUDE_PRERELEASE 0x2u  /* node-semver `includePrerelease` */

/**
 * semver.compare with default options; build metadata is ignored. Invalid versions sort
 * before valid ones and among themselves bytewise.
 */
int customs_version_cmp_npm(const char *a, const char *b);
int customs_version_npm_cmp_opts(const char *a, const char *b, uint32_t flags);
bool customs_version_valid_npm(const char *v);
bool customs_version_npm_valid_opts(const char *v, uint32_t flags);
/** semver.satisfies(version, range) with default options; false for invalid input. */
bool customs_version_npm_satisfies(const char *version, const char *range);
bool customs_version_npm_satisfies_opts(const char *version, const char *range, uint32_t flags);
/**
 * semver.gtr (hilo '>') or semver.ltr (hilo '<'): version is above (below) every version the
 * range could match. False for invalid input.
 */
bool customs_version_npm_outside(const char *version, const char *range, char hilo,
                                 uint32_t flags);

/* ---- PEP 440 ---- */

/** Invalid versions sort before valid ones and among themselves bytewise. */
int customs_version_cmp_pep440(const char *a, const char *b);
bool customs_version_valid_pep440(const char *v);

/* ---- Maven ComparableVersion ---- */

/**
 * Every string up to 256 bytes (upstream's bound) is a version; longer ones sort after all
 * of those and among themselves bytewise.
 */
int customs_version_cmp_maven(const char *a, const char *b);
bool customs_version_valid_maven(const char *v);

/* ---- Go module versions: vMAJOR.MINOR.PATCH[-pre][+build] ---- */

/**
 * golang.org/x/mod/semver's Compare: invalid versions sort before valid ones and all invalid
 * strings compare equal. A missing leading 'v' is tolerated (OSV omits it).
 */
int customs_version_cmp_go(const char *a, const char *b);
bool customs_version_valid_go(const char *v);

/* ---- RubyGems Gem::Version ---- */

/** Invalid versions sort before valid ones and among themselves bytewise. */
int customs_version_cmp_rubygems(const char *a, const char *b);
bool customs_version_valid_rubygems(const char *v);

/* ---- shared helper ---- */

/**
 * Compare two runs of ASCII digits as unsigned numbers of any length (leading zeros ignored).
 */
int customs_version_digits_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif /* CUSTOMS_VERSION_VERSION_H */
