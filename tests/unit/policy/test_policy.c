/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"

#define NOW ((time_t)1767225600) /* 2026-01-01T00:00:00Z */
#define DAY 86400

struct diags {
    int errors;
    int warnings;
    char text[8192];
};

static void collect(bool is_error, const char *message, void *payload)
{
    struct diags *d = payload;
    size_t n = strlen(d->text);
    if (is_error) {
        d->errors++;
    } else {
        d->warnings++;
    }
    snprintf(d->text + n, sizeof(d->text) - n, "%s\n", message);
}

static struct customs_policy *load(const char *yaml, struct diags *d)
{
    struct customs_policy *p = NULL;
    struct customs_error err = {0};
    memset(d, 0, sizeof(*d));
    int rc = customs_policy_load(&p, "p.yaml", yaml, strlen(yaml), collect, d, &err);
    assert_true((rc == 0) == (p != NULL)); /* a policy exactly when it loaded */
    return p;
}

#define HEAD "apiVersion: customs/v1\nkind: Policy\n"

static void policy_load__reads_the_documented_example(void **state)
{
    (void)state;
    char path[4096];
    struct customs_policy *p = NULL;
    struct customs_error err = {0};
    struct diags d = {0};
    const char *src = getenv("CUSTOMS_SOURCE_ROOT") != NULL ? getenv("CUSTOMS_SOURCE_ROOT") : ".";
    snprintf(path, sizeof(path), "%s/docs/customs-policy.yaml", src);
    assert_int_equal(customs_policy_load_file(&p, path, collect, &d, &err), 0);
    assert_int_equal(d.errors, 0);
    assert_true(p->base.pss_enabled);
    assert_int_equal(p->base.pss.level, CUSTOMS_PSS_RESTRICTED);
    assert_int_equal(p->base.pss.minor, CUSTOMS_PSS_LATEST_MINOR);
    const struct customs_policy_images *im = &p->base.images;
    assert_int_equal(im->unknown, CUSTOMS_EFFECT_DENY);
    assert_int_equal(im->vuln_deny,
                     (1u << CUSTOMS_SEVERITY_CRITICAL) | (1u << CUSTOMS_SEVERITY_HIGH));
    assert_int_equal(im->vuln_warn, 1u << CUSTOMS_SEVERITY_MEDIUM);
    assert_false(im->ignore_unfixed);
    assert_int_equal(im->grace_days, 0);
    assert_int_equal(im->known_exploited, CUSTOMS_EFFECT_DENY);
    assert_int_equal(im->secrets, CUSTOMS_EFFECT_DENY);
    assert_int_equal(im->malware, CUSTOMS_EFFECT_DENY);
    assert_int_equal(im->nregistries, 2);
    assert_string_equal(im->registries[0], "registry.internal:5000");
    assert_string_equal(im->registries[1], "docker.io/library");
    assert_null(im->registries[2]);
    assert_true(im->forbid_latest);
    assert_false(im->require_digest);
    assert_int_equal(im->max_age_days, 30);
    assert_true(p->base.require_limits);
    assert_int_equal(p->nignores, 1);
    assert_string_equal(p->ignores[0].id, "CVE-2023-1234");
    assert_string_equal(p->ignores[0].package, "openssl");
    assert_int_equal(p->ignores[0].expires, 1801439999); /* 2027-01-31T23:59:59Z */
    assert_non_null(p->ignores[0].statement);
    assert_int_equal(p->nexempt, 1);
    assert_string_equal(p->exempt_namespaces[0], "kube-system");
    assert_int_equal(p->ntiers, 1);
    const struct customs_policy_rules *t = &p->tiers[0];
    assert_string_equal(t->tier, "sandbox");
    assert_int_equal(t->pss.level, CUSTOMS_PSS_BASELINE);
    assert_int_equal(t->images.unknown, CUSTOMS_EFFECT_WARN);
    /* what the tier does not name comes from the top level */
    assert_int_equal(t->images.vuln_deny, im->vuln_deny);
    assert_true(t->images.forbid_latest);
    assert_true(t->require_limits);
    assert_ptr_equal(customs_policy_rules_for(p, "sandbox-42", NULL), t);
    assert_ptr_equal(customs_policy_rules_for(p, "prod", NULL), &p->base);
    assert_ptr_equal(customs_policy_rules_for(p, "prod", "sandbox"), t);
    assert_null(customs_policy_rules_for(p, "prod", "nope"));
    assert_true(customs_policy_is_exempt(p, "kube-system"));
    assert_false(customs_policy_is_exempt(p, "kube-public"));
    customs_policy_free(p);
}

static void policy_load__names_an_unknown_key_with_line_and_column(void **state)
{
    (void)state;
    struct diags d;
    struct customs_policy *p = load(HEAD "images:\n  secrets: deny\n  malwear: deny\n", &d);
    assert_null(p);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.text, "p.yaml:5:12: images.malwear: unknown key \"malwear\""));
}

static void policy_load__reports_every_error_not_only_the_first(void **state)
{
    (void)state;
    struct diags d;
    struct customs_policy *p =
        load("apiVersion: customs/v2\nkind: Policy\n"
             "podSecurity: {level: strict, version: 1.30}\n"
             "images: {unknown: nope, maxAgeDays: -1, tags: {forbidLatest: maybe}}\n"
             "ignore: [{id: CVE-1, expires: 2027-02-29}, {statement: why}]\n"
             "tiers: [{name: a, namespaces: [A_B]}, {name: a}, {namespaces: [x]}]\n"
             "resources: {requireLimits: true, requests: true}\n",
             &d);
    assert_null(p);
    assert_int_equal(d.errors, 12);
    assert_non_null(strstr(d.text, "p.yaml:1:13: apiVersion: must be customs/v1"));
    assert_non_null(strstr(d.text, "p.yaml:3:22: podSecurity.level:"));
    assert_non_null(strstr(d.text, "podSecurity.version: write the version as a string"));
    assert_non_null(strstr(d.text, "images.unknown: must be deny, warn, allow or scan"));
    assert_non_null(strstr(d.text, "images.maxAgeDays:"));
    assert_non_null(strstr(d.text, "images.tags.forbidLatest: must be true or false, not a string"));
    assert_non_null(strstr(d.text, "ignore[0].expires: must be a date")); /* 2027 is no leap year */
    assert_non_null(strstr(d.text, "ignore[1]: needs an id"));
    assert_non_null(strstr(d.text, "tiers[0].namespaces[0]:"));
    assert_non_null(strstr(d.text, "tiers[1].name: tier \"a\" is defined twice"));
    assert_non_null(strstr(d.text, "tiers[2]: needs a name"));
    assert_non_null(strstr(d.text, "resources.requests: unknown key"));
}

static void policy_load__refuses_what_is_not_one_policy_document(void **state)
{
    (void)state;
    struct diags d;
    assert_null(load("", &d));
    assert_non_null(strstr(d.text, "exactly one YAML document, not 0"));
    assert_null(load(HEAD "---\n" HEAD, &d));
    assert_non_null(strstr(d.text, "exactly one YAML document, not 2"));
    assert_null(load("- a\n", &d));
    assert_non_null(strstr(d.text, "a policy is a mapping"));
    assert_null(load("kind: Policy\n", &d));
    assert_non_null(strstr(d.text, "apiVersion: missing"));
    assert_null(load(HEAD "images: {unknown: [deny\n", &d));
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.text, "p.yaml:"));
    assert_null(load(HEAD "images: {unknown: deny, unknown: allow}\n", &d));
    assert_non_null(strstr(d.text, "duplicate"));
}

static void policy_load__defaults_fail_closed(void **state)
{
    (void)state;
    struct diags d;
    struct customs_policy *p = load(HEAD, &d);
    assert_non_null(p);
    assert_false(p->base.pss_enabled);
    assert_int_equal(p->base.images.unknown, CUSTOMS_EFFECT_DENY);
    assert_int_equal(p->base.images.vuln_deny, 1u << CUSTOMS_SEVERITY_CRITICAL);
    assert_int_equal(p->base.images.secrets, CUSTOMS_EFFECT_DENY);
    assert_int_equal(p->base.images.malware, CUSTOMS_EFFECT_DENY);
    assert_int_equal(p->base.images.known_exploited, CUSTOMS_EFFECT_DENY);
    assert_int_equal(p->base.images.nregistries, 0);
    customs_policy_free(p);
    /* a tier can turn Pod Security on, or off with privileged */
    p = load(HEAD "podSecurity: {level: baseline, version: \"v1.25\"}\n"
                  "tiers: [{name: open, podSecurity: {level: privileged}},"
                  " {name: tight, podSecurity: {level: restricted}}]\n",
             &d);
    assert_non_null(p);
    assert_int_equal(p->base.pss.minor, 25);
    assert_false(p->tiers[0].pss_enabled);
    assert_true(p->tiers[1].pss_enabled);
    assert_int_equal(p->tiers[1].pss.level, CUSTOMS_PSS_RESTRICTED);
    assert_int_equal(p->tiers[1].pss.minor, 25);
    customs_policy_free(p);
}

/* ---- judging images ---- */

static const char *const cve_aliases[] = {"GHSA-aaaa-bbbb-cccc"};

static struct customs_policy_vuln vuln(const char *id, enum customs_severity sev,
                                       const char *fixed)
{
    struct customs_policy_vuln v = {.id = id, .package = "openssl", .installed = "3.0.1",
                                    .fixed = fixed, .severity = sev};
    return v;
}

static struct customs_verdict judge(const char *yaml, const struct customs_policy_image *image)
{
    struct diags d;
    struct customs_verdict v;
    struct customs_error err = {0};
    struct customs_policy *p = load(yaml, &d);
    assert_non_null(p);
    customs_verdict_init(&v);
    assert_int_equal(customs_policy_judge_image(&v, p, NULL, image, "image", NOW, &err), 0);
    customs_policy_free(p);
    return v;
}

static bool has_reason(const struct customs_verdict *v, const char *rule,
                       enum customs_effect effect, const char *needle)
{
    for (size_t i = 0; i < customs_verdict_count(v); i++) {
        const struct customs_reason *r = customs_verdict_at(v, i);
        if (strcmp(r->rule, rule) == 0 && r->effect == effect &&
            (needle == NULL || strstr(r->message, needle) != NULL ||
             (r->subject != NULL && strstr(r->subject, needle) != NULL))) {
            return true;
        }
    }
    return false;
}

static bool has_note(const struct customs_verdict *v, const char *needle)
{
    for (size_t i = 0; i < v->notes.len; i++) {
        if (strstr(*(const char *const *)customs_vec_at(&v->notes, i), needle) != NULL) {
            return true;
        }
    }
    return false;
}

static void judge_image__applies_the_vulnerability_rules(void **state)
{
    (void)state;
    struct customs_policy_vuln vulns[5] = {
        vuln("CVE-2024-0001", CUSTOMS_SEVERITY_CRITICAL, "3.0.2"),
        vuln("CVE-2024-0002", CUSTOMS_SEVERITY_MEDIUM, NULL),
        vuln("CVE-2024-0003", CUSTOMS_SEVERITY_LOW, "3.0.2"),
        vuln("CVE-2023-1234", CUSTOMS_SEVERITY_HIGH, "3.0.2"),
        vuln("CVE-2024-0005", CUSTOMS_SEVERITY_LOW, NULL),
    };
    vulns[3].aliases = cve_aliases;
    vulns[3].naliases = 1;
    vulns[4].known_exploited = true;
    struct customs_policy_image image = {.known = true, .vulns_scanned = true, .vulns = vulns, .nvulns = 5};
    struct customs_verdict v =
        judge(HEAD "images: {vulnerabilities: {deny: [CRITICAL, HIGH], warn: [MEDIUM]}}\n"
                   "ignore: [{id: GHSA-aaaa-bbbb-cccc, expires: 2026-06-30, statement: dead code}]\n",
              &image);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "images.vulnerabilities.deny", CUSTOMS_EFFECT_DENY,
                           "CRITICAL vulnerability CVE-2024-0001 in openssl 3.0.1 (fixed in 3.0.2)"));
    assert_true(has_reason(&v, "images.vulnerabilities.warn", CUSTOMS_EFFECT_WARN,
                           "CVE-2024-0002 in openssl 3.0.1 (no fix yet)"));
    assert_true(has_reason(&v, "images.vulnerabilities.knownExploited", CUSTOMS_EFFECT_DENY,
                           "known-exploited vulnerability CVE-2024-0005"));
    assert_false(has_reason(&v, "images.vulnerabilities.deny", CUSTOMS_EFFECT_DENY,
                            "CVE-2023-1234"));
    assert_true(has_note(&v, "CVE-2023-1234 in openssl 3.0.1 ignored (ignore, line 4, until "
                             "2026-06-30): dead code"));
    assert_int_equal(customs_verdict_count(&v), 3); /* the LOW one does not count */
    customs_verdict_release(&v);

    /* ignoreUnfixed drops the unfixed ones; an expired ignore entry stops applying */
    v = judge(HEAD "images: {vulnerabilities: {deny: [HIGH], warn: [MEDIUM], ignoreUnfixed: true,"
                   " knownExploited: allow}}\n"
                   "ignore: [{id: CVE-2023-1234, expires: 2025-12-31}]\n",
              &image);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "images.vulnerabilities.deny", CUSTOMS_EFFECT_DENY,
                           "CVE-2023-1234"));
    assert_false(has_reason(&v, "images.vulnerabilities.warn", CUSTOMS_EFFECT_WARN, NULL));
    assert_int_equal(customs_verdict_count(&v), 1);
    customs_verdict_release(&v);
}

static void judge_image__grace_days_warn_until_they_run_out(void **state)
{
    (void)state;
    struct customs_policy_vuln vulns[2] = {
        vuln("CVE-2024-0001", CUSTOMS_SEVERITY_CRITICAL, "3.0.2"),
        vuln("CVE-2024-0002", CUSTOMS_SEVERITY_CRITICAL, "3.0.2"),
    };
    vulns[0].first_seen = NOW - 2 * DAY;
    vulns[1].first_seen = NOW - 8 * DAY;
    struct customs_policy_image image = {.known = true, .vulns_scanned = true, .vulns = vulns, .nvulns = 2};
    struct customs_verdict v = judge(HEAD "images: {vulnerabilities: {graceDays: 7}}\n", &image);
    assert_true(has_reason(&v, "images.vulnerabilities.graceDays", CUSTOMS_EFFECT_WARN,
                           "CVE-2024-0001"));
    assert_true(has_reason(&v, "images.vulnerabilities.deny", CUSTOMS_EFFECT_DENY,
                           "CVE-2024-0002"));
    assert_true(has_note(&v, "first seen 2025-12-30, denied after 7 days"));
    customs_verdict_release(&v);
}

static void judge_image__secrets_malware_unknown_and_age(void **state)
{
    (void)state;
    const struct customs_policy_finding secrets[] = {
        {"aws-access-key", "AWS access key", "/app/.env", CUSTOMS_SEVERITY_CRITICAL},
        {"generic-password", "Password", "/etc/app.conf", CUSTOMS_SEVERITY_HIGH}};
    const struct customs_policy_finding malware[] = {
        {"customs:eicar", "EICAR test file", "/tmp/eicar.com", CUSTOMS_SEVERITY_CRITICAL}};
    struct customs_policy_image image = {.known = true, .vulns_scanned = true, .scanned_at = NOW - 3 * DAY,
                                         .secrets = secrets, .nsecrets = 2,
                                         .malware = malware, .nmalware = 1};
    struct customs_verdict v = judge(HEAD "images: {secrets: warn, malware: deny}\n"
                                          "ignore: [{id: generic-password}]\n", &image);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "images.secrets", CUSTOMS_EFFECT_WARN,
                           "secret aws-access-key at /app/.env (AWS access key)"));
    assert_true(has_reason(&v, "images.malware", CUSTOMS_EFFECT_DENY, "/tmp/eicar.com"));
    assert_true(has_note(&v, "secret generic-password at /etc/app.conf ignored"));
    assert_int_equal(customs_verdict_count(&v), 2);
    customs_verdict_release(&v);

    v = judge(HEAD "images: {maxAgeDays: 2, unknown: warn}\n", &image);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_WARN);
    assert_true(has_reason(&v, "images.maxAgeDays", CUSTOMS_EFFECT_WARN, "older than 2 days"));
    assert_int_equal(customs_verdict_count(&v), 1);
    customs_verdict_release(&v);

    v = judge(HEAD, NULL);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "images.unknown", CUSTOMS_EFFECT_DENY, NULL));
    customs_verdict_release(&v);

    struct customs_policy_image unscanned = {.known = true, .nerrors = 2};
    v = judge(HEAD "images: {unknown: warn}\n", &unscanned);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_WARN);
    assert_true(has_reason(&v, "images.vulnerabilities", CUSTOMS_EFFECT_WARN, "not scanned"));
    assert_true(has_note(&v, "the scan reported 2 problems"));
    customs_verdict_release(&v);
    v = judge(HEAD "images: {vulnerabilities: {deny: [], knownExploited: allow}}\n", &unscanned);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_ALLOW);
    customs_verdict_release(&v);

    struct customs_policy_image clean = {.known = true, .vulns_scanned = true};
    v = judge(HEAD, &clean);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_ALLOW);
    assert_int_equal(customs_verdict_count(&v), 0);
    customs_verdict_release(&v);
}

/* An image whose scan could not check everything is not clean: the gaps that the policy's
 * rules depend on take images.uncovered's effect (deny by default). */
static void judge_image__coverage_gaps_are_not_a_pass(void **state)
{
    (void)state;
    static const struct customs_policy_gap stale[] = {
        {"stale", "debian:bookworm", "the data for debian:bookworm is 40 days old"},
        {"no-data", "npm", "no advisories for npm"},
        {"eol", "debian 9", "debian 9 reached the end of its security support"},
        {"unsupported", "rpm", "rpm packages cannot be looked up"},
    };
    static const struct customs_policy_gap unread[] = {
        {"incomplete", "/var/lib/dpkg/status", "/var/lib/dpkg/status was not read: too big"},
    };
    struct customs_policy_image gappy = {.known = true, .vulns_scanned = true, .gaps = stale,
                                         .ngaps = 4};
    struct customs_verdict v = judge(HEAD, &gappy);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "images.uncovered", CUSTOMS_EFFECT_DENY, "40 days old"));
    assert_true(has_reason(&v, "images.uncovered", CUSTOMS_EFFECT_DENY, "and 1 more"));
    assert_int_equal(customs_verdict_count(&v), 1);
    customs_verdict_release(&v);

    v = judge(HEAD "images: {uncovered: warn}\n", &gappy);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_WARN);
    assert_true(has_reason(&v, "images.uncovered", CUSTOMS_EFFECT_WARN, "no advisories for npm"));
    customs_verdict_release(&v);

    /* accepted: said in a note, never silently */
    v = judge(HEAD "images: {uncovered: allow}\n", &gappy);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_ALLOW);
    assert_int_equal(customs_verdict_count(&v), 0);
    assert_true(has_note(&v, "could not check everything"));
    customs_verdict_release(&v);

    /* no vulnerability rule: gaps in the vulnerability data do not matter */
    const char *no_vulns = HEAD "images: {vulnerabilities: {deny: [], knownExploited: allow}}\n";
    v = judge(no_vulns, &gappy);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_ALLOW);
    customs_verdict_release(&v);

    /* ... but a file not read does, while secrets or malware are judged */
    struct customs_policy_image unread_image = {.known = true, .vulns_scanned = true,
                                                .gaps = unread, .ngaps = 1};
    v = judge(no_vulns, &unread_image);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "images.uncovered", CUSTOMS_EFFECT_DENY, "dpkg/status"));
    customs_verdict_release(&v);
    v = judge(HEAD "images: {vulnerabilities: {deny: [], knownExploited: allow}, secrets: allow,"
                   " malware: allow}\n",
              &unread_image);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_ALLOW);
    customs_verdict_release(&v);

    struct diags d;
    assert_null(load(HEAD "images: {uncovered: maybe}\n", &d));
    assert_true(d.errors > 0 && strstr(d.text, "images.uncovered") != NULL);
}

/* ---- judging workloads ---- */

static int lookup_known(const struct customs_policy_image **out, const char *ref, void *payload,
                        struct customs_error *err)
{
    (void)err;
    *out = strstr(ref, "registry.internal:5000/") == ref ? payload : NULL;
    return 0;
}

static struct customs_verdict judge_pod(const char *policy, const char *ns, const char *tier,
                                        const char *pod_json, bool with_store)
{
    static const struct customs_policy_image clean = {.known = true, .vulns_scanned = true};
    struct diags d;
    struct customs_verdict v;
    struct customs_error err = {0};
    struct customs_policy *p = load(policy, &d);
    json_t *obj = json_loads(pod_json, 0, NULL);
    assert_non_null(p);
    assert_non_null(obj);
    struct customs_policy_workload w = {.object = obj, .ns = ns, .tier = tier,
                                        .lookup = with_store ? lookup_known : NULL,
                                        .payload = (void *)(uintptr_t)&clean};
    customs_verdict_init(&v);
    assert_int_equal(customs_policy_judge_workload(&v, p, &w, NOW, &err), 0);
    json_decref(obj);
    customs_policy_free(p);
    return v;
}

#define POD(containers)                                                                          \
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\"},\"spec\":{" containers "}}"

static const char pod[] = POD(
    "\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\"}],"
    "\"containers\":[{\"name\":\"app\",\"image\":\"registry.internal:5000/app:1.2\","
    "\"securityContext\":{\"privileged\":true},\"resources\":{\"limits\":{\"cpu\":\"1\","
    "\"memory\":\"1Gi\"}}},{\"name\":\"side\",\"image\":\"quay.io/x/side@sha256:"
    "0000000000000000000000000000000000000000000000000000000000000000\"}]");

static void judge_workload__pod_security_limits_and_references(void **state)
{
    (void)state;
    const char *policy = HEAD "podSecurity: {level: baseline}\n"
                              "resources: {requireLimits: true}\n"
                              "images: {registries: [registry.internal:5000, docker.io/library],"
                              " tags: {forbidLatest: true}}\n";
    struct customs_verdict v = judge_pod(policy, "prod", NULL, pod, false);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "podSecurity.privileged", CUSTOMS_EFFECT_DENY,
                           "Pod Security baseline v1.37"));
    assert_true(has_reason(&v, "resources.requireLimits", CUSTOMS_EFFECT_DENY,
                           "init container init"));
    assert_true(has_reason(&v, "resources.requireLimits", CUSTOMS_EFFECT_DENY,
                           "container side"));
    assert_false(has_reason(&v, "resources.requireLimits", CUSTOMS_EFFECT_DENY,
                            "container app"));
    assert_true(has_reason(&v, "images.tags.forbidLatest", CUSTOMS_EFFECT_DENY,
                           "image \"busybox\" has no tag"));
    assert_true(has_reason(&v, "images.registries", CUSTOMS_EFFECT_DENY,
                           "comes from quay.io"));
    assert_false(has_reason(&v, "images.registries", CUSTOMS_EFFECT_DENY, "busybox"));
    assert_true(has_note(&v, "no store"));
    customs_verdict_release(&v);

    /* with a store: the recorded image is clean, the others are unknown */
    v = judge_pod(policy, "prod", NULL, pod, true);
    assert_true(has_reason(&v, "images.unknown", CUSTOMS_EFFECT_DENY, "container side"));
    assert_true(has_reason(&v, "images.unknown", CUSTOMS_EFFECT_DENY, "init container init"));
    assert_false(has_reason(&v, "images.unknown", CUSTOMS_EFFECT_DENY, "container app"));
    customs_verdict_release(&v);
}

static void judge_workload__tiers_and_exemptions(void **state)
{
    (void)state;
    const char *policy = HEAD "podSecurity: {level: restricted}\n"
                              "exemptions: {namespaces: [kube-*]}\n"
                              "tiers: [{name: sandbox, namespaces: [sandbox-*],"
                              " podSecurity: {level: privileged}, images: {unknown: warn}}]\n";
    struct customs_verdict v = judge_pod(policy, "kube-system", NULL, pod, true);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_ALLOW);
    assert_true(has_note(&v, "namespace kube-system is exempt"));
    customs_verdict_release(&v);

    v = judge_pod(policy, "sandbox-7", NULL, pod, true);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_WARN);
    assert_true(has_note(&v, "tier sandbox"));
    assert_true(has_reason(&v, "images.unknown", CUSTOMS_EFFECT_WARN, "container side"));
    customs_verdict_release(&v);

    /* the same namespace, labelled into no tier: the top level's restricted applies */
    v = judge_pod(policy, "prod", NULL, pod, true);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "podSecurity.runAsNonRoot", CUSTOMS_EFFECT_DENY, NULL));
    customs_verdict_release(&v);

    /* a label names the tier, whatever the namespace is called */
    v = judge_pod(policy, "prod", "sandbox", pod, true);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_WARN);
    customs_verdict_release(&v);

    /* a label naming a tier the policy lacks fails closed */
    v = judge_pod(policy, "prod", "nope", pod, true);
    assert_int_equal(v.effect, CUSTOMS_EFFECT_DENY);
    assert_true(has_reason(&v, "tiers", CUSTOMS_EFFECT_DENY, "tier \"nope\""));
    customs_verdict_release(&v);
}

static void judge_workload__require_digest_and_verdict_json(void **state)
{
    (void)state;
    struct customs_verdict v =
        judge_pod(HEAD "images: {tags: {requireDigest: true}}\n", "prod", NULL, pod, false);
    assert_true(has_reason(&v, "images.tags.requireDigest", CUSTOMS_EFFECT_DENY,
                           "container app"));
    assert_false(has_reason(&v, "images.tags.requireDigest", CUSTOMS_EFFECT_DENY,
                            "container side"));
    json_t *j = customs_verdict_to_json(&v, "Pod/prod/web");
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "deny");
    assert_string_equal(json_string_value(json_object_get(j, "subject")), "Pod/prod/web");
    json_t *r0 = json_array_get(json_object_get(j, "reasons"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "effect")), "deny");
    assert_non_null(json_object_get(r0, "rule"));
    assert_non_null(json_object_get(r0, "severity"));
    assert_non_null(json_object_get(r0, "message"));
    json_decref(j);
    customs_verdict_release(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_load__reads_the_documented_example),
        cmocka_unit_test(policy_load__names_an_unknown_key_with_line_and_column),
        cmocka_unit_test(policy_load__reports_every_error_not_only_the_first),
        cmocka_unit_test(policy_load__refuses_what_is_not_one_policy_document),
        cmocka_unit_test(policy_load__defaults_fail_closed),
        cmocka_unit_test(judge_image__applies_the_vulnerability_rules),
        cmocka_unit_test(judge_image__grace_days_warn_until_they_run_out),
        cmocka_unit_test(judge_image__secrets_malware_unknown_and_age),
        cmocka_unit_test(judge_image__coverage_gaps_are_not_a_pass),
        cmocka_unit_test(judge_workload__pod_security_limits_and_references),
        cmocka_unit_test(judge_workload__tiers_and_exemptions),
        cmocka_unit_test(judge_workload__require_digest_and_verdict_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
