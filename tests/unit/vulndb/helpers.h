/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the vulndb unit tests: build a database from fixture sources into a temporary
 * file, open it, and render lookups as text lines for exact comparison. */
#ifndef CUSTOMS_TESTS_VULNDB_HELPERS_H
#define CUSTOMS_TESTS_VULNDB_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vulndb/vulndb.h"

/* The fixture path data/vulndb/<rel> under $CUSTOMS_SOURCE_ROOT/tests (or ./ when unset). */
static inline const char *fixture(char *buf, size_t n, const char *rel)
{
    const char *root = getenv("CUSTOMS_SOURCE_ROOT");
    snprintf(buf, n, "%s%sdata/vulndb/%s", root != NULL ? root : "",
             root != NULL ? "/tests/" : "", rel);
    return buf;
}

struct built {
    char path[256];
    struct customs_vulndb *db;
    struct customs_vulndb_counts counts;
    struct customs_error err;
};

/* Build from NULL-terminated fixture names; returns the first failing code or 0. */
static inline int build_from(struct built *b, bool keep_going, const char *const *rels)
{
    struct customs_vulndb_writer *w = NULL;
    struct customs_vulndb_import_options opt = {0};
    char path[1024];
    int rc;
    memset(b, 0, sizeof(*b));
    opt.keep_going = keep_going;
    snprintf(b->path, sizeof(b->path), "/tmp/customs-vulndb-test-XXXXXX");
    int fd = mkstemp(b->path);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    if ((rc = customs_vulndb_writer_open(&w, b->path, &b->err)) != 0) {
        return rc;
    }
    for (size_t i = 0; rels[i] != NULL; i++) {
        const char *p = rels[i][0] == '/' ? rels[i] : fixture(path, sizeof(path), rels[i]);
        if ((rc = customs_vulndb_import_path(w, CUSTOMS_VULNDB_KIND_UNKNOWN, p, &opt,
                                             &b->counts, &b->err)) != 0) {
            customs_vulndb_writer_close(w);
            return rc;
        }
    }
    rc = customs_vulndb_writer_finish(w, &b->err);
    customs_vulndb_writer_close(w);
    return rc != 0 ? rc : customs_vulndb_open(&b->db, b->path, &b->err);
}

static inline void built_release(struct built *b)
{
    customs_vulndb_close(b->db);
    unlink(b->path);
}

/* One line per match: "vuln range intro/fixed/last/limit versions status sev note [aliases]". */
static inline int render_match(const struct customs_vulndb_match *m, void *payload)
{
    struct customs_buf *out = payload;
    const struct customs_vulndb_range *r = &m->range;
#define S(x) ((x) != NULL ? (x) : "-")
    int rc = customs_buf_printf(out, "%s %s %s/%s/%s/%s %s %s %s %s [", r->vuln_id,
                                r->range_type, S(r->introduced), S(r->fixed),
                                S(r->last_affected), S(r->limit), S(r->versions), r->status,
                                S(r->severity), S(r->note));
    assert_int_equal(rc, 0);
#undef S
    for (size_t i = 0; i < m->n_aliases; i++) {
        assert_int_equal(customs_buf_printf(out, "%s%s", i ? " " : "", m->aliases[i]), 0);
    }
    assert_int_equal(customs_buf_puts(out, "]\n"), 0);
    return 0;
}

static inline char *lookup_text(struct customs_vulndb *db, const char *eco, const char *pkg)
{
    struct customs_buf out;
    struct customs_error err;
    customs_buf_init(&out, 0);
    if (customs_vulndb_lookup(db, eco, pkg, render_match, &out, &err) != 0) {
        assert_int_equal(customs_buf_puts(&out, "ERROR"), 0);
    }
    char *s = customs_buf_detach(&out);
    return s != NULL ? s : customs_strdup("");
}

#endif /* CUSTOMS_TESTS_VULNDB_HELPERS_H */
