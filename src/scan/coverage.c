/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Coverage: the image's OS release and package ecosystems against what the vulnerability
 * database covers. "No vulnerabilities" is only worth something where the database has current
 * data for the packages: every ecosystem of the image gets a coverage item, and every one that
 * is not covered (no data, data too old, a release or package type customs cannot look up), an
 * OS release past its end of life, becomes a coverage problem that fails the gate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scan/coverage.h"

#include "core/banned.h"

struct db_row {
    const char *ecosystem;
    const char *source;
    uint64_t records;
    const char *data_date;
};

struct rows_loader {
    struct customs_coverage_rows *rows;
    int error;
};

static int rows_add(const struct customs_vulndb_coverage *c, void *payload)
{
    struct rows_loader *ld = payload;
    struct customs_arena *a = &ld->rows->arena;
    struct db_row *row = customs_vec_push(&ld->rows->v);
    if (row == NULL) {
        ld->error = CUSTOMS_ENOMEM;
        return 1;
    }
    row->ecosystem = customs_arena_strdup(a, c->ecosystem);
    row->source = customs_arena_strdup(a, c->source != NULL ? c->source : "?");
    row->records = c->records;
    row->data_date = c->data_date != NULL ? customs_arena_strdup(a, c->data_date) : NULL;
    if (row->ecosystem == NULL || row->source == NULL ||
        (c->data_date != NULL && row->data_date == NULL)) {
        ld->error = CUSTOMS_ENOMEM;
        return 1;
    }
    return 0;
}

int customs_coverage_rows_load(struct customs_coverage_rows *rows, struct customs_vulndb *db,
                               struct customs_error *err)
{
    struct rows_loader ld = {.rows = rows};
    customs_arena_init(&rows->arena);
    customs_vec_init(&rows->v, sizeof(struct db_row));
    int rc = customs_vulndb_coverage(db, rows_add, &ld, err);
    if (ld.error != 0 || rc != 0) {
        customs_coverage_rows_release(rows);
        return ld.error != 0 ? customs_error_set(err, ld.error, "out of memory") : rc;
    }
    return 0;
}

void customs_coverage_rows_release(struct customs_coverage_rows *rows)
{
    customs_vec_release(&rows->v);
    customs_arena_release(&rows->arena);
    customs_arena_init(&rows->arena);
    customs_vec_init(&rows->v, sizeof(struct db_row));
}

/* Days between an ISO 8601 date ("2024-05-01T...") and `now`; -1 if it is not a date. */
static int64_t age_in_days(const char *date, time_t now)
{
    struct tm tm;
    int y, m, d;
    if (date == NULL || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31) {
        return -1;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm);
    return t > now ? 0 : (int64_t)((now - t) / 86400);
}

static struct customs_coverage_item *item_for(struct customs_report *r, const char *ecosystem,
                                              const char *status)
{
    for (size_t i = 0; i < r->coverage.len; i++) {
        struct customs_coverage_item *it = customs_vec_at(&r->coverage, i);
        if (strcmp(it->ecosystem, ecosystem) == 0 && strcmp(it->status, status) == 0) {
            return it;
        }
    }
    struct customs_coverage_item *it = customs_vec_push(&r->coverage);
    if (it == NULL) {
        return NULL;
    }
    memset(it, 0, sizeof(*it));
    it->ecosystem = customs_arena_strdup(&r->arena, ecosystem);
    it->status = status;
    it->age_days = -1;
    return it->ecosystem != NULL ? it : NULL;
}

/* The database keys of the same distribution as `key` ("debian:"), ", "-joined, for a message. */
static void same_family(struct customs_buf *b, int *rc, const struct customs_coverage_rows *rs,
                        const char *key)
{
    const char *colon = strchr(key, ':');
    size_t n = colon != NULL ? (size_t)(colon - key) + 1 : 0;
    const char *last = NULL;
    for (size_t i = 0; n > 0 && i < rs->v.len; i++) {
        const struct db_row *row = customs_vec_at(&rs->v, i);
        if (strncmp(row->ecosystem, key, n) == 0 &&
            (last == NULL || strcmp(last, row->ecosystem) != 0)) {
            customs_buf_addf(b, rc, "%s%s", last == NULL ? "" : ", ", row->ecosystem);
            last = row->ecosystem;
        }
    }
}

/* Fill an item of a key the database was asked about: its sources, advisories and age. */
static int item_measure(struct customs_coverage_item *it, struct customs_report *r,
                        const struct customs_coverage_rows *rs, time_t now)
{
    struct customs_buf names;
    size_t n = 0;
    int rc = 0;
    customs_buf_init(&names, 4096);
    for (size_t i = 0; i < rs->v.len; i++) {
        const struct db_row *row = customs_vec_at(&rs->v, i);
        if (strcmp(row->ecosystem, it->ecosystem) != 0) {
            continue;
        }
        customs_buf_addf(&names, &rc, "%s%s", n > 0 ? ", " : "", row->source);
        it->advisories += row->records;
        int64_t age = age_in_days(row->data_date, now);
        /* the oldest source decides; an undated one is as old as can be */
        if (n == 0 || age < 0 || (it->age_days >= 0 && age > it->age_days)) {
            it->age_days = age;
            it->data_date = row->data_date;
        }
        n++;
    }
    if (n > 0 && rc == 0) {
        it->sources = customs_arena_strdup(&r->arena, customs_buf_cstr(&names));
        rc = it->sources == NULL ? CUSTOMS_ENOMEM : 0;
    }
    if (rc == 0 && it->data_date != NULL) {
        it->data_date = customs_arena_strdup(&r->arena, it->data_date); /* nothing borrowed */
        rc = it->data_date == NULL ? CUSTOMS_ENOMEM : 0;
    }
    customs_buf_release(&names);
    return rc;
}

static int item_problem(struct customs_report *r, struct customs_coverage_item *it,
                        const struct customs_coverage_rows *rs)
{
    struct customs_buf msg;
    int rc = 0;
    customs_buf_init(&msg, 8192);
    if (strcmp(it->status, "no-data") == 0) {
        customs_buf_addf(&msg, &rc, "%zu %s packages not checked: the vulnerability database has"
                                 " no advisories for %s", it->packages, it->ecosystem,
                           it->ecosystem);
        size_t before = msg.len;
        customs_buf_addf(&msg, &rc, " (it has ");
        size_t mark = msg.len;
        same_family(&msg, &rc, rs, it->ecosystem);
        if (rc == 0 && msg.len == mark) {
            msg.len = before;
            msg.ptr[before] = '\0';
        } else {
            customs_buf_addf(&msg, &rc, ")");
        }
    } else if (strcmp(it->status, "stale") == 0 && it->data_date == NULL) {
        customs_buf_addf(&msg, &rc, "%zu %s packages checked against data of unknown date", it->packages,
                           it->ecosystem);
    } else if (strcmp(it->status, "stale") == 0) {
        customs_buf_addf(&msg, &rc, "%zu %s packages checked against data of %.10s, %lld days old"
                                 " (more than --max-db-age %u)", it->packages, it->ecosystem,
                           it->data_date, (long long)it->age_days, r->max_db_age_days);
    } else if (strcmp(it->status, "unknown-release") == 0) {
        customs_buf_addf(&msg, &rc, "%zu %s packages not checked: the OS release (%s %s) is not one"
                                 " the database can name", it->packages, it->ecosystem,
                           r->has_os && r->os.id != NULL ? r->os.id : "unknown",
                           r->has_os && r->os.version != NULL ? r->os.version : "");
    } else {
        customs_buf_addf(&msg, &rc, "%zu %s packages not checked: customs has no advisories for"
                                 " this package type", it->packages, it->ecosystem);
    }
    if (rc == 0) {
        rc = customs_report_add_problem(r, it->status, it->ecosystem, customs_buf_cstr(&msg));
    }
    customs_buf_release(&msg);
    return rc;
}

static int item_order(const void *a, const void *b)
{
    const struct customs_coverage_item *x = a;
    const struct customs_coverage_item *y = b;
    int c = strcmp(x->ecosystem, y->ecosystem);
    return c != 0 ? c : strcmp(x->status, y->status);
}

int customs_coverage_check_rows(struct customs_report *r, const struct customs_coverage_rows *rs,
                                uint32_t max_age_days, time_t now, struct customs_error *err)
{
    char os_key[96];
    char key[96];
    int rc = 0;
    r->coverage_checked = true;
    r->max_db_age_days = max_age_days;
    if (customs_match_os_key(os_key, sizeof(os_key), r->has_os ? &r->os : NULL) < 0) {
        os_key[0] = '\0'; /* too long for any key: the release is reported as unknown */
    }
    for (size_t i = 0; rc == 0 && i < r->inventory.packages.len; i++) {
        const struct customs_package *p = customs_vec_at(&r->inventory.packages, i);
        enum customs_match_reach reach = customs_match_package_key(key, sizeof(key), p, os_key);
        struct customs_coverage_item *it = NULL;
        if (reach == CUSTOMS_MATCH_CHECKED) {
            it = item_for(r, key, "covered");
        } else if (reach == CUSTOMS_MATCH_UNKNOWN_RELEASE) {
            it = item_for(r, p->type, "unknown-release");
        } else if (reach == CUSTOMS_MATCH_UNSUPPORTED) {
            it = item_for(r, p->type != NULL ? p->type : "unknown", "unsupported");
        } else {
            continue;
        }
        if (it == NULL) {
            rc = customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
            break;
        }
        it->packages++;
    }
    if (r->coverage.len > 1) {
        qsort(r->coverage.items, r->coverage.len, r->coverage.elem, item_order);
    }
    for (size_t i = 0; rc == 0 && i < r->coverage.len; i++) {
        struct customs_coverage_item *it = customs_vec_at(&r->coverage, i);
        if (strcmp(it->status, "covered") == 0) {
            rc = item_measure(it, r, rs, now);
            if (it->sources == NULL) {
                it->status = "no-data";
            } else if (max_age_days > 0 &&
                       (it->age_days < 0 || it->age_days > (int64_t)max_age_days)) {
                it->status = "stale";
            }
        }
        if (rc == 0 && strcmp(it->status, "covered") != 0) {
            rc = item_problem(r, it, rs);
        }
    }
    if (rc == 0 && r->os_eol_reached) {
        char subject[256], msg[512];
        snprintf(subject, sizeof(subject), "%s %s", r->os.id, r->os.version);
        snprintf(msg, sizeof(msg), "%s reached the end of its security support on %s: its"
                                   " vulnerabilities are no longer fixed, nor all of them"
                                   " published", subject, r->os_eol);
        rc = customs_report_add_problem(r, "eol", subject, msg);
    }
    return rc < 0 && err->message[0] == '\0' ? customs_error_set(err, rc, "out of memory") : rc;
}

int customs_coverage_check(struct customs_report *r, struct customs_vulndb *db,
                           uint32_t max_age_days, time_t now, struct customs_error *err)
{
    struct customs_coverage_rows rows;
    int rc = customs_coverage_rows_load(&rows, db, err);
    if (rc == 0) {
        rc = customs_coverage_check_rows(r, &rows, max_age_days, now, err);
    }
    customs_coverage_rows_release(&rows);
    return rc;
}

struct skipped_kind {
    size_t count;
    const char *first; /* in the report's arena */
    int layer;
};

int customs_coverage_note_skipped(struct customs_report *r,
                                  const struct customs_collector *layers, size_t nlayers,
                                  struct customs_fsview *fs, const struct customs_skip *skip)
{
    size_t nkinds = 0;
    int rc = 0;
    if (customs_skip_is_empty(skip)) {
        return 0;
    }
    while (customs_pkgdb_kinds[nkinds].name != NULL) {
        nkinds++;
    }
    /* slot 0: the OS release files; slot k + 1: customs_pkgdb_kinds[k] */
    struct skipped_kind *seen = customs_calloc(nkinds + 1, sizeof(*seen));
    if (seen == NULL) {
        return CUSTOMS_ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < nlayers; i++) {
        struct customs_entries_reader rd;
        struct customs_entry e;
        if (customs_entries_reader_init(&rd, layers[i].entries) < 0) {
            rc = CUSTOMS_ENOMEM;
            break;
        }
        for (size_t j = 0; rc == 0 && customs_entries_next(&rd, &e); j++) {
            int kind = 0;
            if ((e.type != CUSTOMS_ENTRY_FILE && e.type != CUSTOMS_ENTRY_HARDLINK) ||
                !customs_skip_path(skip, e.path, false) ||
                !customs_collector_wanted_kind(e.path, &kind)) {
                continue;
            }
            struct customs_fsview_ref ref = {(uint32_t)i, (uint32_t)j};
            if (!customs_fsview_is_final(fs, ref, e.path)) {
                continue;
            }
            struct skipped_kind *k = &seen[kind == CUSTOMS_CAPTURE_OS ? 0 : (size_t)kind + 1];
            if (k->count++ == 0) {
                k->first = customs_arena_strdup(&r->arena, e.path);
                k->layer = layers[i].layer;
                rc = k->first == NULL ? CUSTOMS_ENOMEM : 0;
            }
        }
        customs_entries_reader_release(&rd);
    }
    for (size_t k = 0; rc == 0 && k <= nkinds; k++) {
        if (seen[k].count == 0) {
            continue;
        }
        char msg[CUSTOMS_ERROR_MESSAGE_MAX];
        if (k == 0) {
            snprintf(msg, sizeof(msg), "%s: the OS release file is skipped (--skip-dirs, "
                     "--skip-files): the OS is not known, its packages are not checked for "
                     "vulnerabilities", seen[k].first);
        } else {
            snprintf(msg, sizeof(msg), "%s: %zu %s package database%s skipped (--skip-dirs, "
                     "--skip-files): %s packages are not in the inventory nor checked for "
                     "vulnerabilities", seen[k].first, seen[k].count,
                     customs_pkgdb_kinds[k - 1].name, seen[k].count == 1 ? "" : "s",
                     seen[k].count == 1 ? "its" : "their");
        }
        struct customs_report_error *e = customs_vec_push(&r->errors);
        if (e == NULL) {
            rc = CUSTOMS_ENOMEM;
            break;
        }
        e->code = "skipped";
        e->path = seen[k].first;
        e->layer = seen[k].layer;
        e->message = customs_arena_strdup(&r->arena, msg);
        rc = e->message == NULL ? CUSTOMS_ENOMEM : 0;
    }
    customs_free(seen);
    return rc;
}
