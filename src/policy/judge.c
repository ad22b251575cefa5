/* SPDX-License-Identifier: Apache-2.0 */
/* The one verdict function: images (findings, age, references) and workloads (exemptions,
 * Pod Security, resource limits, their containers' images). */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

#include "core/banned.h"

#define DAY_SECONDS 86400
#define REF_MAX 1024

/* ---- image references ---- */

/* A reference split the way container runtimes read it: "nginx" is docker.io/library/nginx. */
struct imageref {
    char full[REF_MAX];   /* registry/repository, normalised */
    char registry[256];
    char tag[128];        /* "" when none */
    bool digest;
};

static bool imageref_parse(struct imageref *r, const char *ref)
{
    const char *at = strchr(ref, '@');
    size_t name_len = at != NULL ? (size_t)(at - ref) : strlen(ref);
    const char *slash = memchr(ref, '/', name_len);
    const char *last = slash;
    memset(r, 0, sizeof(*r));
    r->digest = at != NULL;
    for (const char *q = slash; q != NULL;) {
        last = q;
        q = memchr(q + 1, '/', name_len - (size_t)(q + 1 - ref));
    }
    const char *base = last != NULL ? last + 1 : ref;
    const char *colon = memchr(base, ':', name_len - (size_t)(base - ref));
    size_t repo_len = colon != NULL ? (size_t)(colon - ref) : name_len;
    if (colon != NULL) {
        size_t n = name_len - (size_t)(colon + 1 - ref);
        if (n >= sizeof(r->tag)) {
            return false;
        }
        memcpy(r->tag, colon + 1, n);
    }
    size_t host_len = slash != NULL ? (size_t)(slash - ref) : 0;
    bool host = slash != NULL && (memchr(ref, '.', host_len) != NULL ||
                                  memchr(ref, ':', host_len) != NULL ||
                                  (host_len == 9 && strncmp(ref, "localhost", 9) == 0));
    int n;
    if (host) {
        n = snprintf(r->full, sizeof(r->full), "%.*s", (int)repo_len, ref);
        snprintf(r->registry, sizeof(r->registry), "%.*s", (int)host_len, ref);
    } else {
        n = snprintf(r->full, sizeof(r->full), "docker.io/%s%.*s", slash == NULL ? "library/" : "",
                     (int)repo_len, ref);
        snprintf(r->registry, sizeof(r->registry), "docker.io");
    }
    return n > 0 && (size_t)n < sizeof(r->full) && repo_len > 0;
}

int customs_policy_reference_normalize(char *out, size_t outsz, const char *ref)
{
    struct imageref r;
    if (!imageref_parse(&r, ref)) {
        return CUSTOMS_EINVAL;
    }
    const char *at = strchr(ref, '@');
    int n = r.digest ? snprintf(out, outsz, "%s%s", r.full, at)
                     : snprintf(out, outsz, "%s:%s", r.full, r.tag[0] != '\0' ? r.tag : "latest");
    return n > 0 && (size_t)n < outsz ? 0 : CUSTOMS_ELIMIT;
}

static bool registry_allowed(const struct customs_policy_images *im, const struct imageref *r)
{
    if (im->nregistries == 0) {
        return true;
    }
    for (size_t i = 0; i < im->nregistries; i++) {
        const char *a = im->registries[i];
        size_t n = strlen(a);
        if (strcmp(a, r->registry) == 0 ||
            (strncmp(r->full, a, n) == 0 && (r->full[n] == '/' || r->full[n] == '\0'))) {
            return true;
        }
    }
    return false;
}

/* The rules about how an image is referenced: registries, tags. */
static int judge_reference(struct customs_verdict *v, const struct customs_policy_images *im,
                           const char *ref, const char *subject)
{
    struct imageref r;
    int rc = 0;
    if (!imageref_parse(&r, ref)) {
        return customs_verdict_add(v, "images.reference", CUSTOMS_EFFECT_DENY, "HIGH", subject,
                                   "image \"%.200s\" is not a valid image reference", ref);
    }
    if (!registry_allowed(im, &r)) {
        rc = customs_verdict_add(v, "images.registries", CUSTOMS_EFFECT_DENY, "HIGH", subject,
                                 "image \"%.200s\" comes from %s, which images.registries does "
                                 "not allow",
                                 ref, r.registry);
    }
    if (rc == 0 && im->forbid_latest && !r.digest &&
        (r.tag[0] == '\0' || strcmp(r.tag, "latest") == 0)) {
        rc = customs_verdict_add(v, "images.tags.forbidLatest", CUSTOMS_EFFECT_DENY, "MEDIUM",
                                 subject, "image \"%.200s\" %s", ref,
                                 r.tag[0] == '\0' ? "has no tag (means :latest)"
                                                  : "uses the :latest tag");
    }
    if (rc == 0 && im->require_digest && !r.digest) {
        rc = customs_verdict_add(v, "images.tags.requireDigest", CUSTOMS_EFFECT_DENY, "MEDIUM",
                                 subject, "image \"%.200s\" is not pinned by digest (@sha256:...)",
                                 ref);
    }
    return rc;
}

/* ---- images ---- */

static void day_string(char out[16], time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static bool id_matches(const char *want, const char *id, const char *const *aliases,
                       size_t naliases)
{
    if (strcmp(want, id) == 0) {
        return true;
    }
    for (size_t i = 0; i < naliases; i++) {
        if (strcmp(want, aliases[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* The ignore entry that covers this id (and package), or NULL; expired entries never do. */
static const struct customs_policy_ignore *
ignored(const struct customs_policy *p, const char *id, const char *const *aliases,
        size_t naliases, const char *package, time_t now)
{
    for (size_t i = 0; i < p->nignores; i++) {
        const struct customs_policy_ignore *ig = &p->ignores[i];
        if ((ig->expires == 0 || ig->expires >= now) &&
            id_matches(ig->id, id, aliases, naliases) &&
            (ig->package == NULL || (package != NULL && strcmp(ig->package, package) == 0))) {
            return ig;
        }
    }
    return NULL;
}

static int note_ignored(struct customs_verdict *v, const struct customs_policy_ignore *ig,
                        const char *what)
{
    char day[16] = "";
    if (ig->expires != 0) {
        day_string(day, ig->expires);
    }
    return customs_verdict_note(v, "%s ignored (ignore, line %d%s%s)%s%s", what, ig->line,
                                ig->expires != 0 ? ", until " : "", day,
                                ig->statement != NULL ? ": " : "",
                                ig->statement != NULL ? ig->statement : "");
}

static bool sev_in(uint32_t set, enum customs_severity s)
{
    return (set & (1u << (unsigned)s)) != 0;
}

static int judge_vuln(struct customs_verdict *v, const struct customs_policy *p,
                      const struct customs_policy_images *im, const struct customs_policy_vuln *x,
                      const char *subject, time_t now)
{
    char what[512];
    snprintf(what, sizeof(what), "%s in %s%s%s", x->id, x->package != NULL ? x->package : "?",
             x->installed != NULL ? " " : "", x->installed != NULL ? x->installed : "");
    const struct customs_policy_ignore *ig =
        ignored(p, x->id, x->aliases, x->naliases, x->package, now);
    if (ig != NULL) {
        return note_ignored(v, ig, what);
    }
    if (im->ignore_unfixed && x->fixed == NULL) {
        return 0;
    }
    const char *sev = customs_severity_name(x->severity);
    const char *rule = NULL;
    enum customs_effect e = CUSTOMS_EFFECT_ALLOW;
    char grace[128] = "";
    if (sev_in(im->vuln_deny, x->severity)) {
        rule = "images.vulnerabilities.deny";
        e = CUSTOMS_EFFECT_DENY;
        time_t seen = x->first_seen != 0 ? x->first_seen : now;
        if (im->grace_days > 0 && now - seen < (time_t)im->grace_days * DAY_SECONDS) {
            char day[16];
            day_string(day, seen);
            e = CUSTOMS_EFFECT_WARN;
            rule = "images.vulnerabilities.graceDays";
            snprintf(grace, sizeof(grace), "; first seen %s, denied after %d days", day,
                     im->grace_days);
        }
    } else if (sev_in(im->vuln_warn, x->severity)) {
        rule = "images.vulnerabilities.warn";
        e = CUSTOMS_EFFECT_WARN;
    }
    if (x->known_exploited && im->known_exploited > e) {
        rule = "images.vulnerabilities.knownExploited";
        e = im->known_exploited;
        grace[0] = '\0';
    }
    if (e == CUSTOMS_EFFECT_ALLOW) {
        return 0;
    }
    int rc = customs_verdict_add(v, rule, e, sev, subject, "%s%s vulnerability %s (%s%s)", sev,
                                 x->known_exploited ? " known-exploited" : "", what,
                                 x->fixed != NULL ? "fixed in " : "no fix yet",
                                 x->fixed != NULL ? x->fixed : "");
    if (rc == 0 && grace[0] != '\0') {
        rc = customs_verdict_note(v, "%s in %s: a warning only%s", x->id,
                                  x->package != NULL ? x->package : "?", grace);
    }
    return rc;
}

static int judge_findings(struct customs_verdict *v, const struct customs_policy *p,
                          enum customs_effect e, const char *rule, const char *kind,
                          const struct customs_policy_finding *f, size_t n, const char *subject,
                          time_t now)
{
    for (size_t i = 0; i < n; i++) {
        char what[512];
        int rc;
        snprintf(what, sizeof(what), "%s %s at %s", kind, f[i].rule,
                 f[i].path != NULL ? f[i].path : "?");
        const struct customs_policy_ignore *ig = ignored(p, f[i].rule, NULL, 0, NULL, now);
        if (ig != NULL) {
            rc = note_ignored(v, ig, what);
        } else if (e == CUSTOMS_EFFECT_ALLOW) {
            rc = 0;
        } else {
            rc = customs_verdict_add(v, rule, e, customs_severity_name(f[i].severity), subject,
                                     "%s%s%s%s", what, f[i].title != NULL ? " (" : "",
                                     f[i].title != NULL ? f[i].title : "",
                                     f[i].title != NULL ? ")" : "");
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* docker.io's repository path of a normalised "registry/repository" (its other names
 * folded), or NULL for another registry. */
static const char *identity_hub_path(const char *full)
{
    static const char *const hub[] = {"docker.io/", "index.docker.io/", "registry-1.docker.io/"};
    for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++) {
        if (strncmp(full, hub[i], strlen(hub[i])) == 0) {
            return full + strlen(hub[i]);
        }
    }
    return NULL;
}

/* Does the signed identity `signed_ref` name the image asked for as `asked`: the same
 * repository, and the same tag when both carry one (cosign signs the repository alone)? */
static bool identity_names(const char *signed_ref, const char *asked)
{
    struct imageref a;
    struct imageref b;
    if (!imageref_parse(&a, signed_ref) || !imageref_parse(&b, asked)) {
        return false;
    }
    const char *ha = identity_hub_path(a.full);
    const char *hb = identity_hub_path(b.full);
    bool same = ha != NULL && hb != NULL ? strcmp(ha, hb) == 0 : strcmp(a.full, b.full) == 0;
    return same && (a.tag[0] == '\0' || b.tag[0] == '\0' || strcmp(a.tag, b.tag) == 0);
}

/* images.signatures.required: a signature verified by a key whose fingerprint the policy's
 * keys have (a scan's own verification, or one recorded in the store for this digest), for
 * one of the `names` the image is asked for by (NULL: any). */
static int judge_signatures(struct customs_verdict *v, const struct customs_policy_images *im,
                            const struct customs_policy_image *image, const char *const *names,
                            const char *subject)
{
    const char *digest = image->digest != NULL ? image->digest : "the image";
    const char *other = NULL; /* a policy key's signature, for another name */
    for (size_t i = 0; i < image->nsignatures; i++) {
        const struct customs_policy_signature *s = &image->signatures[i];
        for (size_t k = 0; s->fingerprint != NULL && k < im->nsignature_fingerprints; k++) {
            if (strcmp(s->fingerprint, im->signature_fingerprints[k]) != 0) {
                continue;
            }
            bool named = names == NULL || names[0] == NULL;
            for (size_t n = 0; !named && names[n] != NULL; n++) {
                named = s->identity != NULL && identity_names(s->identity, names[n]);
            }
            if (!named) {
                other = s->identity != NULL ? s->identity : "no name";
                break;
            }
            char day[16] = "";
            if (s->verified_at != 0) {
                day_string(day, s->verified_at);
            }
            return customs_verdict_note(v, "signature verified by %s (%s, %s key %s)%s%s",
                                        s->key != NULL ? s->key : "?", digest,
                                        s->format != NULL ? s->format : "?", s->fingerprint,
                                        day[0] != '\0' ? ", recorded " : "", day);
        }
    }
    if (other != NULL) {
        return customs_verdict_add(v, "images.signatures.required", CUSTOMS_EFFECT_DENY, "HIGH",
                                   subject, "the signature by a policy key recorded for %s is "
                                   "for %.200s, not for %.200s (wrong identity)",
                                   digest, other, names[0]);
    }
    if (im->nsignature_keys > 0 && im->nsignature_fingerprints == 0) {
        /* the policy text without its key files (read back from a store that predates them) */
        return customs_verdict_add(v, "images.signatures.required", CUSTOMS_EFFECT_DENY, "HIGH",
                                   subject, "no signature by a policy key recorded for %s: the "
                                   "keys of images.signatures.keys were not read", digest);
    }
    return customs_verdict_add(v, "images.signatures.required", CUSTOMS_EFFECT_DENY, "HIGH",
                               subject, "no signature by a policy key recorded for %s", digest);
}

int customs_policy_judge_image(struct customs_verdict *v, const struct customs_policy *p,
                               const struct customs_policy_rules *rules,
                               const struct customs_policy_image *image, const char *subject,
                               time_t now, struct customs_error *err)
{
    return customs_policy_judge_image_as(v, p, rules, image, NULL, subject, now, err);
}

/* A scan that could not check everything: its "nothing found" is not worth a pass. Gaps in the
 * vulnerability data count where a vulnerability rule is on; a file not read, where any rule on
 * the image's content is. One reason naming the first few (the report lists them all). */
static int judge_gaps(struct customs_verdict *v, const struct customs_policy_images *im,
                      const struct customs_policy_image *image, const char *subject)
{
    enum { SHOWN = 3 };
    bool vulns_on = im->vuln_deny != 0 || im->vuln_warn != 0 ||
                    im->known_exploited != CUSTOMS_EFFECT_ALLOW;
    bool content_on = vulns_on || im->secrets != CUSTOMS_EFFECT_ALLOW ||
                      im->malware != CUSTOMS_EFFECT_ALLOW;
    struct customs_buf b;
    size_t n = 0;
    int rc = 0;
    customs_buf_init(&b, 0);
    for (size_t i = 0; rc == 0 && i < image->ngaps; i++) {
        const struct customs_policy_gap *g = &image->gaps[i];
        bool counts = strcmp(g->kind, "incomplete") == 0 ? content_on : vulns_on;
        if (counts && n++ < SHOWN) {
            rc = customs_buf_printf(&b, "%s%s", n > 1 ? "; " : "",
                                    g->message != NULL && g->message[0] != '\0' ? g->message
                                                                                 : g->kind);
        }
    }
    if (rc == 0 && n > SHOWN) {
        rc = customs_buf_printf(&b, "; and %zu more", n - SHOWN);
    }
    if (rc == 0 && n == 0) {
        /* nothing the policy's rules depend on */
    } else if (rc == 0 && im->uncovered == CUSTOMS_EFFECT_ALLOW) {
        rc = customs_verdict_note(v, "the scan could not check everything (accepted by "
                                     "images.uncovered: allow): %s",
                                  customs_buf_cstr(&b));
    } else if (rc == 0) {
        rc = customs_verdict_add(v, "images.uncovered", im->uncovered, "UNKNOWN", subject,
                                 "the scan could not check everything, so finding nothing proves "
                                 "nothing: %s (images.uncovered: %s)",
                                 customs_buf_cstr(&b), customs_effect_name(im->uncovered));
    }
    customs_buf_release(&b);
    return rc;
}

int customs_policy_judge_image_as(struct customs_verdict *v, const struct customs_policy *p,
                                  const struct customs_policy_rules *rules,
                                  const struct customs_policy_image *image,
                                  const char *const *names, const char *subject, time_t now,
                                  struct customs_error *err)
{
    const struct customs_policy_images *im = &(rules != NULL ? rules : &p->base)->images;
    int rc = 0;
    if (image == NULL || !image->known) {
        rc = customs_verdict_add(v, "images.unknown", im->unknown, "UNKNOWN", subject,
                                 "no recorded verdict for this image (images.unknown: %s)",
                                 customs_effect_name(im->unknown));
        goto out;
    }
    if (im->max_age_days > 0 && image->scanned_at != 0 &&
        now - image->scanned_at > (time_t)im->max_age_days * DAY_SECONDS) {
        char day[16];
        day_string(day, image->scanned_at);
        rc = customs_verdict_add(v, "images.maxAgeDays", im->unknown, "UNKNOWN", subject,
                                 "the recorded verdict (%s) is older than %d days: the image "
                                 "counts as unknown (images.unknown: %s)",
                                 day, im->max_age_days, customs_effect_name(im->unknown));
        goto out;
    }
    if (im->signatures_required) {
        rc = judge_signatures(v, im, image, names, subject);
    }
    if (rc == 0 && !image->vulns_scanned &&
        (im->vuln_deny != 0 || im->vuln_warn != 0 || im->known_exploited != CUSTOMS_EFFECT_ALLOW)) {
        /* no database consulted: no vulnerability found is not "no vulnerability" */
        rc = customs_verdict_add(v, "images.vulnerabilities", im->unknown, "UNKNOWN", subject,
                                 "vulnerabilities were not scanned (no vulnerability database): "
                                 "the image counts as unknown for them (images.unknown: %s)",
                                 customs_effect_name(im->unknown));
    }
    if (rc == 0 && image->ngaps > 0) {
        rc = judge_gaps(v, im, image, subject);
    }
    if (rc == 0 && image->nerrors > 0) {
        rc = customs_verdict_note(v, "the scan reported %zu problem%s (see the report's errors): "
                                     "findings may be incomplete",
                                  image->nerrors, image->nerrors == 1 ? "" : "s");
    }
    for (size_t i = 0; i < image->nvulns && rc == 0; i++) {
        rc = judge_vuln(v, p, im, &image->vulns[i], subject, now);
    }
    if (rc == 0) {
        rc = judge_findings(v, p, im->secrets, "images.secrets", "secret", image->secrets,
                            image->nsecrets, subject, now);
    }
    if (rc == 0) {
        rc = judge_findings(v, p, im->malware, "images.malware", "malware", image->malware,
                            image->nmalware, subject, now);
    }
out:
    if (rc < 0) {
        return customs_error_set(err, rc, "out of memory");
    }
    return 0;
}

/* ---- workloads ---- */

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int judge_pss(struct customs_verdict *v, const struct customs_policy_rules *rules,
                     const struct customs_policy_workload *w, struct customs_error *err)
{
    struct customs_misconfig_set set;
    struct customs_k8s_options opt;
    customs_k8s_options_default(&opt);
    opt.pss = rules->pss;
    opt.pss_enabled = true;
    opt.hardening = false;
    customs_misconfig_set_init(&set);
    int rc = customs_k8s_audit_document(&set, w->object, w->stream, w->doc, w->file, &opt, err);
    for (size_t i = 0; rc == 0 && i < customs_misconfig_set_count(&set); i++) {
        const struct customs_misconfig *m = customs_misconfig_set_at(&set, i);
        char rule[128];
        snprintf(rule, sizeof(rule), "podSecurity.%s", m->check);
        rc = customs_verdict_add(v, rule, CUSTOMS_EFFECT_DENY, customs_severity_name(m->severity),
                                 m->path, "%s (Pod Security %s v1.%d)", m->message,
                                 customs_pss_level_name(rules->pss.level), rules->pss.minor);
        if (rc < 0) {
            customs_error_set(err, rc, "out of memory");
        }
    }
    customs_misconfig_set_release(&set);
    return rc;
}

static bool has_limit(const json_t *ctr, const char *what)
{
    const json_t *res = json_is_object(ctr) ? json_object_get(ctr, "resources") : NULL;
    const json_t *lim = json_is_object(res) ? json_object_get(res, "limits") : NULL;
    const json_t *x = json_is_object(lim) ? json_object_get(lim, what) : NULL;
    return x != NULL && !json_is_null(x);
}

struct workload_ctx {
    struct customs_verdict *v;
    const struct customs_policy *p;
    const struct customs_policy_rules *rules;
    const struct customs_policy_workload *w;
    time_t now;
    bool noted_no_store;
    struct customs_error *err;
};

static int judge_container(struct workload_ctx *c, const json_t *ctr, const char *list,
                           size_t i)
{
    char subject[512];
    const char *name = jstr(ctr, "name");
    const char *image = jstr(ctr, "image");
    int rc = 0;
    snprintf(subject, sizeof(subject), "%s %s", strcmp(list, "initContainers") == 0 ? "init container"
                                                 : strcmp(list, "ephemeralContainers") == 0
                                                     ? "ephemeral container"
                                                     : "container",
             name != NULL ? name : "?");
    (void)i;
    if (c->rules->require_limits && strcmp(list, "ephemeralContainers") != 0) {
        bool cpu = has_limit(ctr, "cpu");
        bool mem = has_limit(ctr, "memory");
        if (!cpu || !mem) {
            rc = customs_verdict_add(c->v, "resources.requireLimits", CUSTOMS_EFFECT_DENY,
                                     "MEDIUM", subject, "no %s limit (resources.limits.%s)",
                                     !cpu && !mem ? "cpu or memory" : !cpu ? "cpu" : "memory",
                                     !cpu && !mem ? "cpu, resources.limits.memory"
                                     : !cpu      ? "cpu"
                                                 : "memory");
        }
    }
    if (rc < 0) {
        return customs_error_set(c->err, rc, "out of memory");
    }
    if (image == NULL || image[0] == '\0') {
        rc = customs_verdict_add(c->v, "images.reference", CUSTOMS_EFFECT_DENY, "HIGH", subject,
                                 "no image");
        return rc < 0 ? customs_error_set(c->err, rc, "out of memory") : 0;
    }
    snprintf(subject + strlen(subject), sizeof(subject) - strlen(subject), " (%.200s)", image);
    rc = judge_reference(c->v, &c->rules->images, image, subject);
    if (rc < 0) {
        return customs_error_set(c->err, rc, "out of memory");
    }
    if (c->w->lookup == NULL) {
        if (!c->noted_no_store) {
            c->noted_no_store = true;
            rc = customs_verdict_note(c->v, "images not judged from a recorded verdict (no "
                                            "store): images.unknown, vulnerabilities, secrets, "
                                            "malware and maxAgeDays skipped");
        }
        return rc < 0 ? customs_error_set(c->err, rc, "out of memory") : 0;
    }
    const struct customs_policy_image *rec = NULL;
    rc = c->w->lookup(&rec, image, c->w->payload, c->err);
    if (rc < 0) {
        return rc;
    }
    const char *names[2] = {image, NULL};
    return customs_policy_judge_image_as(c->v, c->p, c->rules, rec, names, subject, c->now,
                                         c->err);
}

int customs_policy_judge_workload(struct customs_verdict *v, const struct customs_policy *p,
                                  const struct customs_policy_workload *w, time_t now,
                                  struct customs_error *err)
{
    static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};
    const char *ns = w->ns != NULL ? w->ns : "default";
    if (customs_k8s_pod_template_path(jstr(w->object, "kind")) == NULL) {
        return 0; /* not a workload */
    }
    if (customs_policy_is_exempt(p, ns)) {
        int rc = customs_verdict_note(v, "namespace %s is exempt (exemptions.namespaces)", ns);
        return rc < 0 ? customs_error_set(err, rc, "out of memory") : 0;
    }
    const struct customs_policy_rules *rules = customs_policy_rules_for(p, ns, w->tier);
    if (rules == NULL) { /* a label or path names a tier the policy lacks: fail closed */
        int rc = customs_verdict_add(v, "tiers", CUSTOMS_EFFECT_DENY, "HIGH", NULL,
                                     "namespace %s is in tier \"%.100s\" (label customs/tier), "
                                     "which the policy does not define",
                                     ns, w->tier);
        return rc < 0 ? customs_error_set(err, rc, "out of memory") : 0;
    }
    if (rules->tier != NULL) {
        int rc = customs_verdict_note(v, "tier %s", rules->tier);
        if (rc < 0) {
            return customs_error_set(err, rc, "out of memory");
        }
    }
    if (rules->pss_enabled) {
        int rc = judge_pss(v, rules, w, err);
        if (rc < 0) {
            return rc;
        }
    }
    const json_t *spec = customs_k8s_pod_spec(w->object);
    struct workload_ctx c = {.v = v, .p = p, .rules = rules, .w = w, .now = now, .err = err};
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
        const json_t *arr = json_is_object(spec) ? json_object_get(spec, lists[l]) : NULL;
        for (size_t i = 0; i < json_array_size(arr); i++) {
            int rc = judge_container(&c, json_array_get(arr, i), lists[l], i);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* ---- output ---- */

json_t *customs_verdict_to_json(const struct customs_verdict *v, const char *subject)
{
    json_t *o = json_object();
    json_t *reasons = json_array();
    json_t *notes = json_array();
    bool ok = o != NULL && reasons != NULL && notes != NULL;
    if (ok && subject != NULL) {
        ok = json_object_set_new(o, "subject", json_string(subject)) == 0;
    }
    ok = ok && json_object_set_new(o, "verdict", json_string(customs_effect_name(v->effect))) == 0;
    for (size_t i = 0; ok && i < customs_verdict_count(v); i++) {
        const struct customs_reason *r = customs_verdict_at(v, i);
        json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:s}", "rule", r->rule, "effect",
                              customs_effect_name(r->effect), "severity", r->severity, "subject",
                              r->subject, "message", r->message);
        ok = j != NULL && json_array_append_new(reasons, j) == 0;
    }
    for (size_t i = 0; ok && i < v->notes.len; i++) {
        const char *const *n = customs_vec_at(&v->notes, i);
        ok = json_array_append_new(notes, json_string(*n)) == 0;
    }
    ok = ok && json_object_set(o, "reasons", reasons) == 0 &&
         json_object_set(o, "notes", notes) == 0;
    json_decref(reasons);
    json_decref(notes);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
