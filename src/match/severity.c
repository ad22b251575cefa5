/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The severity precedence of docs/db.md: the distribution's own rating for OS packages (set by
 * the matched rows), then the advisory's own (GHSA/OSV database_specific.severity, then the
 * advisory's CVSS vectors), then NVD's Primary CVSS (3.1 > 3.0 > 4.0 > 2.0), then a CNA's
 * (Secondary, or a CNA's own "Primary"), in the same version order. UNKNOWN only when nothing
 * rates it. Every CVSS entry found is kept on the finding, whichever decided.
 */
#include <string.h>

#include "match/severity.h"

#include "core/banned.h"

#define NVD_SOURCE "nvd@nist.gov"

struct join {
    struct customs_arena *arena;
    struct customs_vuln_cvss *entries;
    size_t n, cap;
    const char *word;    /* an advisory's own severity word */
    const char *word_id; /* and the advisory that gave it */
    const char *kev;
    const char *status;
    const char *published; /* the earliest */
    const char *modified;  /* the latest */
    bool oom;
};

static char *join_dup(struct join *j, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    char *d = customs_arena_strdup(j->arena, s);
    j->oom = j->oom || d == NULL;
    return d;
}

/* Distribution advisories rate distribution packages, which their rows already did. */
static bool is_distro_advisory(const char *id)
{
    static const char *const prefixes[] = {"DSA-", "DLA-", "DTSA-", "USN-", "UBUNTU-",
                                           "DEBIAN-", "ALPINE-", "ALSA-", "RHSA-"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (customs_str_has_prefix(id, prefixes[i])) {
            return true;
        }
    }
    return false;
}

/* Keep the earliest publication and the latest modification. Stored dates are ISO 8601
 * (NVD without a zone, OSV with one), so their text orders them to the second. */
static void join_dates(struct join *j, const char *published, const char *modified)
{
    if (published != NULL && published[0] != '\0' &&
        (j->published == NULL || strcmp(published, j->published) < 0)) {
        j->published = join_dup(j, published);
    }
    if (modified != NULL && modified[0] != '\0' &&
        (j->modified == NULL || strcmp(modified, j->modified) > 0)) {
        j->modified = join_dup(j, modified);
    }
}

static int join_rating(const struct customs_vulndb_rating *r, void *payload)
{
    struct join *j = payload;
    if (r->kind == CUSTOMS_VULNDB_RATING_NVD || r->kind == CUSTOMS_VULNDB_RATING_DATES) {
        join_dates(j, r->published, r->modified);
    }
    if (r->kind == CUSTOMS_VULNDB_RATING_DATES) {
        return j->oom ? CUSTOMS_ENOMEM : 0;
    }
    if (r->kind == CUSTOMS_VULNDB_RATING_NVD) {
        if (j->kev == NULL && r->known_exploited != NULL) {
            j->kev = join_dup(j, r->known_exploited);
        }
        if (j->status == NULL && r->nvd_status != NULL) {
            j->status = join_dup(j, r->nvd_status);
        }
    } else if (r->kind == CUSTOMS_VULNDB_RATING_SEVERITY) {
        bool ghsa = customs_str_has_prefix(r->vuln_id, "GHSA-");
        if (!is_distro_advisory(r->vuln_id) &&
            (j->word == NULL || (ghsa && !customs_str_has_prefix(j->word_id, "GHSA-")))) {
            j->word = join_dup(j, r->severity);
            j->word_id = join_dup(j, r->vuln_id);
        }
    } else {
        for (size_t i = 0; i < j->n; i++) { /* the same vector by the same scorer, once */
            if (strcmp(j->entries[i].source, r->cvss_source) == 0 &&
                strcmp(j->entries[i].vector, r->vector) == 0) {
                return 0;
            }
        }
        if (j->n == j->cap) {
            size_t cap = j->cap == 0 ? 8 : j->cap * 2;
            struct customs_vuln_cvss *grown = customs_arena_alloc(j->arena, cap * sizeof(*grown));
            if (grown == NULL) {
                j->oom = true;
                return CUSTOMS_ENOMEM;
            }
            if (j->n > 0) {
                memcpy(grown, j->entries, j->n * sizeof(*grown));
            }
            j->entries = grown;
            j->cap = cap;
        }
        struct customs_vuln_cvss *e = &j->entries[j->n++];
        e->id = join_dup(j, r->vuln_id);
        e->source = join_dup(j, r->cvss_source);
        e->type = join_dup(j, r->cvss_type);
        e->version = join_dup(j, r->cvss_version);
        e->vector = join_dup(j, r->vector);
        e->score = r->score;
    }
    return j->oom ? CUSTOMS_ENOMEM : 0;
}

enum scorer { SCORER_ADVISORY, SCORER_NVD, SCORER_CNA };

static enum scorer scorer_of(const struct customs_vuln_cvss *e)
{
    if (strcmp(e->source, "osv") == 0) {
        return SCORER_ADVISORY;
    }
    return strcmp(e->source, NVD_SOURCE) == 0 ? SCORER_NVD : SCORER_CNA;
}

/* The scorer's entry of the most preferred version: 3.1 > 3.0 > 4.0 > 2.0. */
static const struct customs_vuln_cvss *join_pick(const struct join *j, enum scorer who)
{
    static const char *const order[] = {"3.1", "3.0", "4.0", "2.0"};
    for (size_t v = 0; v < sizeof(order) / sizeof(order[0]); v++) {
        for (size_t i = 0; i < j->n; i++) {
            if (scorer_of(&j->entries[i]) == who && strcmp(j->entries[i].version, order[v]) == 0) {
                return &j->entries[i];
            }
        }
    }
    return NULL;
}

static enum customs_severity severity_of(const struct customs_vuln_cvss *e)
{
    enum customs_cvss_version v = strcmp(e->version, "2.0") == 0 ? CUSTOMS_CVSS_V2
                                                                 : CUSTOMS_CVSS_V31;
    const char *r = customs_cvss_rating(v, e->score);
    return strcmp(r, "CRITICAL") == 0 ? CUSTOMS_SEVERITY_CRITICAL
           : strcmp(r, "HIGH") == 0   ? CUSTOMS_SEVERITY_HIGH
           : strcmp(r, "MEDIUM") == 0 ? CUSTOMS_SEVERITY_MEDIUM
                                      : CUSTOMS_SEVERITY_LOW; /* 0.0 (NONE) rates LOW */
}

static enum customs_severity severity_of_word(const char *w)
{
    return strcmp(w, "CRITICAL") == 0 ? CUSTOMS_SEVERITY_CRITICAL
           : strcmp(w, "HIGH") == 0   ? CUSTOMS_SEVERITY_HIGH
           : strcmp(w, "MEDIUM") == 0 ? CUSTOMS_SEVERITY_MEDIUM
           : strcmp(w, "LOW") == 0    ? CUSTOMS_SEVERITY_LOW
                                      : CUSTOMS_SEVERITY_UNKNOWN;
}

int match_severity_join(struct customs_vuln_finding *f, struct customs_arena *arena,
                        struct customs_vulndb *db, struct customs_error *err)
{
    struct join j = {0};
    j.arena = arena;
    int rc = customs_vulndb_ratings(db, f->id, join_rating, &j, err);
    for (size_t i = 0; rc == 0 && i < f->naliases; i++) {
        rc = customs_vulndb_ratings(db, f->aliases[i], join_rating, &j, err);
    }
    if (rc != 0 || j.oom) {
        return rc < 0 ? rc : customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
    }
    f->cvss_entries = j.entries;
    f->ncvss = j.n;
    f->known_exploited = j.kev;
    f->nvd_status = j.status;
    f->published = j.published;
    f->modified = j.modified;
    if (f->severity_source == NULL && j.word != NULL &&
        severity_of_word(j.word) != CUSTOMS_SEVERITY_UNKNOWN) {
        f->severity = severity_of_word(j.word);
        f->severity_source = customs_str_has_prefix(j.word_id, "GHSA-") ? "ghsa" : "osv";
    }
    static const char *const labels[] = {"osv-cvss", "nvd", NULL};
    for (int who = SCORER_ADVISORY; who <= SCORER_CNA; who++) {
        const struct customs_vuln_cvss *e = join_pick(&j, (enum scorer)who);
        if (e == NULL) {
            continue;
        }
        f->cvss = e->score;
        f->cvss_vector = e->vector;
        if (f->severity_source == NULL) {
            f->severity = severity_of(e);
            if (labels[who] != NULL) {
                f->severity_source = labels[who];
            } else {
                size_t n = strlen(e->source) + 5;
                char *label = customs_arena_alloc(arena, n);
                if (label == NULL) {
                    return customs_error_set(err, CUSTOMS_ENOMEM, "out of memory");
                }
                memcpy(label, "cna:", 4);
                memcpy(label + 4, e->source, n - 4);
                f->severity_source = label;
            }
        }
        break;
    }
    return 0;
}
