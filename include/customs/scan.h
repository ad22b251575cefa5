/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CUSTOMS_SCAN_H
#define CUSTOMS_SCAN_H

/*
 * Scanning one target: an image (docker-archive tar, OCI layout directory or tar) or a root
 * filesystem directory, into a report.
 *
 * Basic outline:
 *   1. customs_scan_options_default(&opts); adjust limits, platform, threads, progress.
 *   2. customs_scan(&report, "oci:./app", &opts, &err);
 *   3. customs_report_write(report, CUSTOMS_FORMAT_JSON, stdout, &err)   (report.h)
 *   4. customs_report_free(report);
 *
 * Each layer is read once, as a stream, and never extracted to disk; layers are read in
 * parallel. customs_scan() is reentrant: any number may run at once on different threads.
 * A bad image returns an error; a bad file inside a good image (a corrupt package database,
 * say) becomes an entry in the report's `errors` and the scan goes on.
 */

#include <stdbool.h>
#include <stdint.h>

#include "customs/error.h"
#include "customs/limits.h"

#ifdef __cplusplus
extern "C" {
#endif

struct customs_report;
struct customs_registry_options;
struct customs_rules;
struct customs_misconfig_set;

/** Progress of the layer reading, for a terminal display. Called from worker threads, serially. */
typedef void (*customs_progress_fn)(unsigned layers_done, unsigned layers_total,
                                    uint64_t bytes_in, uint64_t bytes_out, void *payload);

/** Scanners: what to look for beyond the package inventory. */
enum customs_scanner_flags {
    CUSTOMS_SCAN_PACKAGES = 1u << 0,
    CUSTOMS_SCAN_SECRETS = 1u << 1, /* every regular file of every layer, config, history */
    CUSTOMS_SCAN_MALWARE = 1u << 2, /* every regular file of every layer: YARA, ClamAV */
    CUSTOMS_SCAN_VULNS = 1u << 3,   /* packages against the vulnerability database */
    CUSTOMS_SCAN_CONFIG = 1u << 4,  /* least privilege: image config and filesystem */
};

/** Package types: which packages are inventoried and matched (Trivy's --pkg-types). */
enum customs_pkg_type_flags {
    CUSTOMS_PKG_OS = 1u << 0,      /* the OS package manager's: deb, apk, rpm */
    CUSTOMS_PKG_LIBRARY = 1u << 1, /* language libraries: npm, pypi, golang, ... */
};

struct customs_scan_options {
    struct customs_limits limits;
    const char *platform;     /* "os/arch[/variant]" or NULL: linux/amd64, else the only one */
    unsigned threads;         /* 0: one per online CPU */
    uint32_t scanners;        /* enum customs_scanner_flags */
    uint32_t pkg_types;       /* enum customs_pkg_type_flags; default both. The other kind's
                                 packages are left out of the inventory and not matched */
    const char *secret_rules; /* a YAML rule file added to the built-in rules, or NULL */
    struct customs_rules *rules; /* rules compiled once with customs_rules_new (rules.h), shared
                                    by many scans (the scan holds a reference while it runs); then
                                    secret_rules, secret_cache_dir, malware_rules and clamav_db
                                    are not read. NULL (default): compiled for this scan */
    bool show_secrets;        /* keep secrets in the report (otherwise only redacted) */
    const char *secret_cache_dir; /* a private directory (0700, created if missing) caching the
                                     compiled secret rules, or NULL: compile at every scan */
    const char *layer_cache_dir; /* a private directory (0700, created if missing) keeping what
                                    reading each layer produced, by the layer's diff_id and
                                    digest, the rules and these options; or NULL: every layer is
                                    read. Vulnerabilities are matched anew at every scan. */
    /* Paths not analyzed (Trivy's --skip-dirs, --skip-files): NULL-terminated lists of glob
     * patterns over paths relative to the image root, such as "usr/share/doc" (a leading
     * slash or "./" is ignored): `*`, `?` and `[...]` match within a path segment, a segment
     * `**` any number of segments, `{a,b}` either text. NULL: none. A skipped directory of a
     * dir: target is not read; in an image its entries stay in the filesystem (whiteouts,
     * links) but no analyzer sees them. A package database or OS release file that is skipped
     * is named in the report's errors (code "skipped"). */
    const char *const *skip_dirs;
    const char *const *skip_files;
    const char *malware_rules; /* a directory of extra YARA rules (*.yar, *.yara), or NULL */
    const char *clamav_db;    /* a directory of ClamAV signature databases, or NULL */
    const char *vuln_db;      /* the vulnerability database (customs db build), for VULNS */
    /* what the user decided (src/policy/filter.h) */
    const char *severities;   /* "CRITICAL,HIGH": only these severities are reported; NULL: all */
    bool ignore_unfixed;      /* drop vulnerabilities without a fixed version */
    const char *ignorefile;   /* ids to suppress, optionally per package and until a date */
    const char *vex;          /* an OpenVEX document: not_affected / fixed statements suppress */
    uint32_t max_db_age_days; /* vulnerability data older than this is a coverage problem
                                 (default 7; 0: no limit) */
    int64_t report_time;      /* the documents' creation time in CycloneDX and SPDX, seconds
                                 since the epoch (the CLI passes SOURCE_DATE_EPOCH, for
                                 reproducible documents); -1 (default): the time of the scan */
    const struct customs_registry_options *registry; /* for image references (registry.h);
                                                        NULL: the defaults, anonymous */
    const char *target_name;  /* the target's name in the report; NULL: `target` as given
                                 (the CLI names a spooled stdin "-") */
    /* The CONFIG scanner on a directory target: the caller audits the configuration files under
     * `root` (Dockerfiles, Compose files, Kubernetes manifests; the CLI walks them as `customs
     * audit` does) into `set`, whose findings join the report's misconfigurations before the
     * ignore file and the other filters apply. NULL: only the filesystem checks. A negative
     * return (CUSTOMS_ENOMEM) fails the scan. */
    int (*config_audit)(struct customs_misconfig_set *set, const char *root, void *payload);
    void *config_audit_payload;
    customs_progress_fn progress; /* may be NULL */
    void *progress_payload;
    /* A problem that changes no result (a damaged layer cache entry, ignored): may be NULL.
     * Called from worker threads, serially. */
    void (*warn)(const char *message, void *payload);
    void *warn_payload;
};

/** Fill `out` with the defaults (default limits, all cores, packages). */
CUSTOMS_API void customs_scan_options_default(struct customs_scan_options *out);

/**
 * Scan `target` into a new report.
 *
 * @param out     receives the report on success; the caller frees it with customs_report_free()
 * @param target  "docker-archive:PATH", "oci:PATH" (directory or tar), "dir:PATH", a bare
 *                path whose kind is detected from its content, or an image reference
 *                ("registry:REF", or a bare one: see customs_registry_is_reference)
 * @param opts    options (copied; may be NULL for the defaults)
 * @param err     receives the message on failure (may be NULL)
 * @return 0, or CUSTOMS_EINVAL, CUSTOMS_ENOTFOUND, CUSTOMS_EIO, CUSTOMS_EMALFORMED,
 *         CUSTOMS_EUNSUPPORTED, CUSTOMS_ELIMIT, CUSTOMS_ENOMEM; from a registry also
 *         CUSTOMS_ETIMEOUT and CUSTOMS_EIO
 */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_scan(struct customs_report **out, const char *target,
                             const struct customs_scan_options *opts, struct customs_error *err);

/*
 * Layouts and archives holding several images. customs_scan() refuses such a target unless it
 * names one image ("oci:PATH:REF", "oci:PATH:sha256:HEX", "oci:PATH:@N",
 * "docker-archive:PATH:REPO:TAG", "docker-archive:PATH:@N"); the list below says what there is,
 * with the target naming each, for a message or to scan each in turn.
 */
struct customs_image_list;

/** One image of a list; strings borrowed until the list is freed. */
struct customs_image_info {
    const char *target; /* the target naming it: "oci:PATH:latest", "docker-archive:PATH:@1";
                           the source itself when it holds one image under no name */
    const char *names;  /* ref names or RepoTags, comma-separated, or NULL */
    const char *digest; /* OCI: its index.json entry's digest; docker-archive: the image id
                           (config digest) when the archive's member names give it; or NULL */
};

/**
 * List the images the OCI layout (directory or tar) or `docker save` archive `target` holds,
 * in the order of its index.json or manifest.json (a selector in `target` is noted, see
 * customs_image_list_has_selector, and otherwise ignored). The platforms of one multi-platform
 * index are one image; cosign's signatures and attestations are none; one image under several
 * tags is one. `limits` may be NULL (the defaults).
 * @return 0; CUSTOMS_EUNSUPPORTED for a directory root filesystem or a registry reference (one
 *         image each); CUSTOMS_ENOTFOUND, CUSTOMS_EIO, CUSTOMS_EMALFORMED, CUSTOMS_ELIMIT,
 *         CUSTOMS_EINVAL (a malformed selector), CUSTOMS_ENOMEM
 */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_image_list_open(struct customs_image_list **out, const char *target,
                                        const struct customs_limits *limits,
                                        struct customs_error *err);
CUSTOMS_API size_t customs_image_list_count(const struct customs_image_list *l);
/** Did the target name one image (a selector after the path)? */
CUSTOMS_API bool customs_image_list_has_selector(const struct customs_image_list *l);
/** The layout or archive as a target without a selector ("oci:PATH"); borrowed. */
CUSTOMS_API const char *customs_image_list_source(const struct customs_image_list *l);
/** Image `i` (i < customs_image_list_count). @return 0, or CUSTOMS_EINVAL past the end */
CUSTOMS_MUST_USE
CUSTOMS_API int customs_image_list_get(const struct customs_image_list *l, size_t i,
                                       struct customs_image_info *out);
/** NULL is a no-op. */
CUSTOMS_API void customs_image_list_free(struct customs_image_list *l);

#ifdef __cplusplus
}
#endif

#endif /* CUSTOMS_SCAN_H */
