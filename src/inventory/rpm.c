/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPM's package database. Modern rpm (4.16+) keeps it in rpmdb.sqlite, a table
 * Packages(hnum, blob) whose blobs are rpm headers: big-endian il (index entries) and dl (data
 * bytes), il 16-byte entries (tag, type, offset, count), then dl bytes of data. The SQLite
 * bytes are opened in memory, read-only (sqlite3_deserialize); nothing touches the filesystem.
 * The older BerkeleyDB "Packages" and the NDB "Packages.db" are recognised and reported as
 * unsupported.
 */
#include "formats/sqlite.h"
#include "inventory/inventory.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/banned.h"

#define RPM_TAG_NAME 1000u
#define RPM_TAG_VERSION 1001u
#define RPM_TAG_RELEASE 1002u
#define RPM_TAG_EPOCH 1003u
#define RPM_TAG_LICENSE 1014u
#define RPM_TAG_ARCH 1022u
#define RPM_TAG_SOURCERPM 1044u

#define RPM_TYPE_INT32 4u
#define RPM_TYPE_STRING 6u
#define RPM_TYPE_STRING_ARRAY 8u
#define RPM_TYPE_I18NSTRING 9u

/* rpm's own caps on a header (HEADER_TAGS_MAX, HEADER_DATA_MAX). */
#define RPM_TAGS_MAX 0xffffu
#define RPM_DATA_MAX 0x0fffffffu

/* SQLite virtual-machine work allowed per database, in units of 1000 instructions. */
#define RPM_SQLITE_PROGRESS_MAX 200000u /* progress calls (of 1000 VM steps) per database */
#define RPM_SQLITE_DEADLINE_MS 10000u    /* and wall-clock time */
#define RPM_SQLITE_BLOB_MAX (64 * 1024 * 1024)

enum rpm_slot {
    RPM_NAME,
    RPM_VERSION,
    RPM_RELEASE,
    RPM_LICENSE,
    RPM_ARCH,
    RPM_SOURCERPM,
    RPM_NSTRINGS,
};

struct rpm_header {
    const char *str[RPM_NSTRINGS]; /* NUL-terminated inside the blob's data */
    bool has_epoch;
    uint32_t epoch;
};

static uint32_t rpm_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int rpm_string_slot(uint32_t tag)
{
    switch (tag) {
    case RPM_TAG_NAME:
        return RPM_NAME;
    case RPM_TAG_VERSION:
        return RPM_VERSION;
    case RPM_TAG_RELEASE:
        return RPM_RELEASE;
    case RPM_TAG_LICENSE:
        return RPM_LICENSE;
    case RPM_TAG_ARCH:
        return RPM_ARCH;
    case RPM_TAG_SOURCERPM:
        return RPM_SOURCERPM;
    default:
        return -1;
    }
}

/* Read the tags we use from one header blob; `where` names it in errors. */
static int rpm_header_read(struct rpm_header *h, const uint8_t *blob, size_t len, const char *where,
                           struct customs_error *err)
{
    memset(h, 0, sizeof(*h));
    if (len < 8) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: offset 0: header shorter than 8 bytes", where);
    }
    uint32_t il = rpm_be32(blob);
    uint32_t dl = rpm_be32(blob + 4);
    if (il == 0 || il > RPM_TAGS_MAX) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: offset 0: bad index count %u", where,
                                 il);
    }
    if (dl > RPM_DATA_MAX) {
        return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: offset 4: bad data length %u", where,
                                 dl);
    }
    size_t data_off = 8 + (size_t)il * 16; /* il <= 0xffff: no overflow */
    if (data_off > len || len - data_off < dl) {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: offset 0: header of %u entries and %u data bytes does not "
                                 "fit in %zu bytes",
                                 where, il, dl, len);
    }
    const uint8_t *data = blob + data_off;
    for (uint32_t i = 0; i < il; i++) {
        const uint8_t *e = blob + 8 + (size_t)i * 16;
        size_t at = 8 + (size_t)i * 16;
        uint32_t tag = rpm_be32(e);
        uint32_t type = rpm_be32(e + 4);
        uint32_t off = rpm_be32(e + 8);
        uint32_t count = rpm_be32(e + 12);
        int slot = rpm_string_slot(tag);
        if (tag == RPM_TAG_EPOCH) {
            if (type != RPM_TYPE_INT32 || count < 1 || off > dl || dl - off < 4) {
                return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: offset %zu: bad EPOCH entry",
                                         where, at);
            }
            if (!h->has_epoch) {
                h->has_epoch = true;
                h->epoch = rpm_be32(data + off);
            }
            continue;
        }
        if (slot < 0) {
            continue;
        }
        if (type != RPM_TYPE_STRING && type != RPM_TYPE_STRING_ARRAY &&
            type != RPM_TYPE_I18NSTRING) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: offset %zu: tag %u has type %u, not a string", where, at,
                                     tag, type);
        }
        if (count < 1 || off >= dl || memchr(data + off, '\0', dl - off) == NULL) {
            return customs_error_set(err, CUSTOMS_EMALFORMED,
                                     "%s: offset %zu: tag %u string outside the data", where, at,
                                     tag);
        }
        if (h->str[slot] == NULL) {
            h->str[slot] = (const char *)(data + off);
        }
    }
    if (h->str[RPM_NAME] == NULL || h->str[RPM_NAME][0] == '\0' || h->str[RPM_VERSION] == NULL ||
        h->str[RPM_VERSION][0] == '\0') {
        return customs_error_set(err, CUSTOMS_EMALFORMED,
                                 "%s: offset 0: header without NAME or VERSION", where);
    }
    return 0;
}

/* "name-ver-rel.src.rpm" -> source name and "ver-rel"; false if it does not have that shape. */
static bool rpm_split_sourcerpm(const char *s, size_t *name_len, const char **ver, size_t *ver_len)
{
    size_t n = strlen(s);
    if (customs_str_has_suffix(s, ".src.rpm")) {
        n -= strlen(".src.rpm");
    } else if (customs_str_has_suffix(s, ".nosrc.rpm")) {
        n -= strlen(".nosrc.rpm");
    } else {
        return false;
    }
    const char *rel = NULL;
    const char *vdash = NULL;
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] != '-') {
            continue;
        }
        if (rel == NULL) {
            rel = s + i - 1;
        } else {
            vdash = s + i - 1;
            break;
        }
    }
    if (vdash == NULL || vdash == s || rel == vdash + 1 || rel + 1 == s + n) {
        return false;
    }
    *name_len = (size_t)(vdash - s);
    *ver = vdash + 1;
    *ver_len = (size_t)(s + n - *ver);
    return true;
}

static int rpm_emit(struct customs_inventory *inv, const struct rpm_header *h, const char *path,
                    int layer)
{
    struct customs_arena *a = inv->arena;
    const char *const *s = h->str;
    if (strcmp(s[RPM_NAME], "gpg-pubkey") == 0) {
        return 0; /* imported signing keys, not software */
    }
    struct customs_package *p = customs_inventory_add(inv);
    if (p == NULL) {
        return CUSTOMS_ENOMEM;
    }
    bool oom = false;
    p->type = "rpm";
    p->path = path;
    p->layer = layer;
    p->name = customs_arena_strdup(a, s[RPM_NAME]);
    if (s[RPM_RELEASE] != NULL && s[RPM_RELEASE][0] != '\0') {
        p->version = customs_arena_printf(a, "%s-%s", s[RPM_VERSION], s[RPM_RELEASE]);
    } else {
        p->version = customs_arena_strdup(a, s[RPM_VERSION]);
    }
    oom |= p->name == NULL || p->version == NULL;
    if (h->has_epoch) {
        p->epoch = customs_arena_printf(a, "%u", h->epoch);
        oom |= p->epoch == NULL;
    }
    if (s[RPM_ARCH] != NULL && s[RPM_ARCH][0] != '\0') {
        p->arch = customs_arena_strdup(a, s[RPM_ARCH]);
        oom |= p->arch == NULL;
    }
    if (s[RPM_LICENSE] != NULL && s[RPM_LICENSE][0] != '\0') {
        p->license = customs_arena_strdup(a, s[RPM_LICENSE]);
        oom |= p->license == NULL;
    }
    size_t name_len;
    const char *ver;
    size_t ver_len;
    if (s[RPM_SOURCERPM] != NULL &&
        rpm_split_sourcerpm(s[RPM_SOURCERPM], &name_len, &ver, &ver_len)) {
        p->source_name = customs_arena_strndup(a, s[RPM_SOURCERPM], name_len);
        p->source_version = customs_arena_strndup(a, ver, ver_len);
        oom |= p->source_name == NULL || p->source_version == NULL;
    } else {
        p->source_name = p->name;
        p->source_version = p->version;
    }
    return oom ? CUSTOMS_ENOMEM : 0;
}

int customs_rpm_parse_header(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                             struct customs_error *err)
{
    struct rpm_header h;
    int rc = rpm_header_read(&h, file->data, file->len, file->path, err);
    if (rc < 0) {
        return rc;
    }
    const char *path = customs_arena_strdup(inv->arena, file->path);
    if (path == NULL) {
        return CUSTOMS_ENOMEM;
    }
    return rpm_emit(inv, &h, path, file->layer);
}

/* ---- the database file ---- */

static bool rpm_is_berkeleydb(const uint8_t *d, size_t len)
{
    static const uint32_t magics[] = {0x00061561u /* hash */, 0x00053162u /* btree */};
    if (len < 16) {
        return false;
    }
    uint32_t be = rpm_be32(d + 12);
    uint32_t le =
        (uint32_t)d[12] | (uint32_t)d[13] << 8 | (uint32_t)d[14] << 16 | (uint32_t)d[15] << 24;
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
        if (be == magics[i] || le == magics[i]) {
            return true;
        }
    }
    return false;
}

static int rpm_sqlite_error(struct customs_error *err, const char *path, sqlite3 *db)
{
    return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: sqlite: %s", path,
                             db != NULL ? sqlite3_errmsg(db) : "cannot open");
}

/* Open a private, read-only, in-memory copy of the database bytes, hardened
 * (formats/sqlite.h): the file came from an image. */
static int rpm_sqlite_open(sqlite3 **out, const struct customs_pkgdb_file *file,
                           struct customs_sqlite_guard *guard, struct customs_error *err)
{
    sqlite3 *db = NULL;
    unsigned char *copy = NULL;
    *out = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return customs_error_set(err, CUSTOMS_ENOMEM, "%s: sqlite: cannot open", file->path);
    }
    copy = sqlite3_malloc64(file->len);
    if (copy == NULL) {
        sqlite3_close(db);
        return customs_error_set(err, CUSTOMS_ENOMEM, "%s: out of memory", file->path);
    }
    memcpy(copy, file->data, file->len);
    /* rpm writes in WAL mode. The copy has no -wal or -shm beside it and an in-memory
     * database has no shared memory, so mark it as a rollback-journal database (header bytes
     * 18 and 19: file format read and write versions) rather than rely on how a given SQLite
     * release treats a WAL header in a deserialized image. */
    if (file->len > 19 && copy[18] == 2 && copy[19] == 2) {
        copy[18] = 1;
        copy[19] = 1;
    }
    customs_sqlite_harden(db, guard, RPM_SQLITE_DEADLINE_MS, RPM_SQLITE_BLOB_MAX);
    guard->max_calls = RPM_SQLITE_PROGRESS_MAX;
    /* with FREEONCLOSE, SQLite owns `copy` from here on, even when this fails */
    if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)file->len, (sqlite3_int64)file->len,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
        SQLITE_OK) {
        int rc = rpm_sqlite_error(err, file->path, db);
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

/* The one table read, as rpm creates it (lib/backend/sqlite.c): compared column by column with
 * the file's, which must also hold no view or trigger (the index tables are not read). */
static const char rpm_schema_sql[] =
    "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);";

static int rpm_parse_sqlite(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                            struct customs_error *err)
{
    struct customs_sqlite_guard guard;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const char *path = NULL;
    char where[1024];
    int rc = rpm_sqlite_open(&db, file, &guard, err);
    if (rc < 0) {
        goto out;
    }
    rc = customs_sqlite_check_schema(db, &guard, file->path, rpm_schema_sql, false, false, err);
    if (rc < 0) {
        goto out;
    }
    if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
        rc = rpm_sqlite_error(err, file->path, db);
        goto out;
    }
    path = customs_arena_strdup(inv->arena, file->path);
    if (path == NULL) {
        rc = CUSTOMS_ENOMEM;
        goto out;
    }
    for (;;) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE) {
            break;
        }
        if (step != SQLITE_ROW) {
            rc = customs_sqlite_fail(err, CUSTOMS_EMALFORMED, db, &guard, file->path);
            goto out;
        }
        struct rpm_header h;
        const uint8_t *blob = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        snprintf(where, sizeof(where), "%s: hnum %lld", file->path,
                 (long long)sqlite3_column_int64(st, 0));
        if (blob == NULL || n <= 0) {
            rc = customs_error_set(err, CUSTOMS_EMALFORMED, "%s: empty blob", where);
            goto out;
        }
        rc = rpm_header_read(&h, blob, (size_t)n, where, err);
        if (rc < 0) {
            goto out;
        }
        rc = rpm_emit(inv, &h, path, file->layer);
        if (rc < 0) {
            goto out;
        }
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int customs_rpm_parse(struct customs_inventory *inv, const struct customs_pkgdb_file *file,
                      struct customs_error *err)
{
    static const char sqlite_magic[16] = "SQLite format 3";
    if (file->len >= sizeof(sqlite_magic) && memcmp(file->data, sqlite_magic, 16) == 0) {
        return rpm_parse_sqlite(inv, file, err);
    }
    if (rpm_is_berkeleydb(file->data, file->len)) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED,
                                 "%s: unsupported rpmdb format (BerkeleyDB)", file->path);
    }
    if (strcmp(customs_path_base(file->path), "Packages.db") == 0 ||
        (file->len >= 4 && memcmp(file->data, "RpmP", 4) == 0)) {
        return customs_error_set(err, CUSTOMS_EUNSUPPORTED, "%s: unsupported rpmdb format (NDB)",
                                 file->path);
    }
    return customs_error_set(err, CUSTOMS_EMALFORMED, "%s: not an rpm database", file->path);
}
