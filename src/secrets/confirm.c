/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confirming candidates: the rule's POSIX regex extracts the secret group, then entropy,
 * checksum, binary-file and allowlist checks decide, and a catch-all rule gives way to a
 * specific rule on the same bytes.
 */
#include "secrets/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/banned.h"

double customs_secret_entropy(const char *str, size_t n)
{
    size_t counts[256] = {0};
    double h = 0;
    if (n == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        counts[(unsigned char)str[i]]++;
    }
    for (int i = 0; i < 256; i++) {
        if (counts[i] > 0) {
            double p = (double)counts[i] / (double)n;
            h -= p * log2(p);
        }
    }
    return h;
}

static bool checksum_ok(enum customs_secret_checksum kind, const char *s, size_t n)
{
    static const char a62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (kind != CUSTOMS_CHECKSUM_GITHUB_CRC32) {
        return true;
    }
    const char *us = memchr(s, '_', n);
    if (us == NULL || n - (size_t)(us + 1 - s) != 36) {
        return false;
    }
    const char *body = us + 1;
    unsigned long crc = crc32(0L, (const Bytef *)body, 30);
    char want[7];
    for (int i = 5; i >= 0; i--) {
        want[i] = a62[crc % 62];
        crc /= 62;
    }
    want[6] = '\0';
    return memcmp(body + 30, want, 6) == 0;
}

/* A template's slot: a name in braces ("{password}", "{api_key}", "{0}"). A random value that
 * someone wrapped in braces holds digits among its letters ("{ZqL5kVrX1n8tA2}"). */
static bool brace_slot(const char *s)
{
    for (const char *b = strchr(s, '{'); b != NULL; b = strchr(b + 1, '{')) {
        size_t n = strspn(b + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.-");
        size_t d = n == 0 ? strspn(b + 1, "0123456789") : 0;
        if ((n > 0 && b[1 + n] == '}') || (d > 0 && d <= 2 && b[1 + d] == '}')) {
            return true;
        }
    }
    return false;
}

enum value_kind {
    VALUE_REAL,
    VALUE_WEAK,     /* a dictionary word or a made-up sequence: a weak value, or a placeholder */
    VALUE_NOT_REAL, /* says it is not a value */
};

/*
 * Values that say they are not real: a provider's documented example (AKIAIOSFODNN7EXAMPLE, the
 * token kubeadm prints by default), filler and redaction marks (xxxxxxxx, 00000000, ****, ...),
 * words that say "replace me", template openers and slots, the name of the slot itself
 * ("password", "user:password") and non-values (null, true). Weak: the dictionary words people
 * type as passwords ("secret", "admin:admin") and, for the catch-all rules, values that merely
 * look made up (sequences such as 12345678 or abcdef, which people type and random tokens rarely
 * hold) or hold format and interpolation marks (%s, %(, $(, #{): in a provider's own format
 * whose alphabet has those characters (a Django key) they are chance, not a template.
 */
static enum value_kind judge_value(const char *s, size_t n, bool catch_all)
{
    static const char *const parts[] = {"EXAMPLE", "example", "XXXXXXXX", "xxxxxxxx", "00000000",
                                        "changeme", "CHANGEME", "your_", "your-", "YOUR_",
                                        "placeholder", "PLACEHOLDER", "dummy", "DUMMY", "${",
                                        "{{", "<", "&lt;", "****", "####", "...",
                                        "abcdef.0123456789abcdef"};
    static const char *const made_up[] = {"abcdef", "ABCDEF", "12345678", "qwerty", "QWERTY",
                                          "%s", "%(", "$(", "#{", "process.env", "anonymous"};
    static const char *const slot[] = {"password", "passwd", "pass", "pwd", "token", "null",
                                       "none", "true", "false", "undefined", "user", "username",
                                       "login", "apikey", "api_key", "key"};
    static const char *const weak[] = {"secret", "admin", "root", "test", "password123"};
    char buf[MAX_TEXT + 1];
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (strstr(buf, parts[i]) != NULL) {
            return VALUE_NOT_REAL;
        }
    }
    if (brace_slot(buf)) {
        return VALUE_NOT_REAL;
    }
    bool made = false;
    for (size_t i = 0; catch_all && i < sizeof(made_up) / sizeof(made_up[0]); i++) {
        made = made || strstr(buf, made_up[i]) != NULL;
    }
    /* user:password, or each side of a colon a placeholder word ("username:token", with the
     * quotes of `curl -u "user":"pass"`) */
    bool all_words = true, all_slots = true;
    for (char *part = buf, *next; part != NULL && all_words; part = next) {
        next = strchr(part, ':');
        if (next != NULL) {
            *next++ = '\0';
        }
        part += strspn(part, "\"'");
        for (size_t len = strlen(part); len > 0 && strchr("\"'", part[len - 1]) != NULL; len--) {
            part[len - 1] = '\0';
        }
        bool is_slot = part[0] == '\0';
        for (size_t i = 0; i < sizeof(slot) / sizeof(slot[0]) && !is_slot; i++) {
            is_slot = strcasecmp(part, slot[i]) == 0;
        }
        bool word = is_slot;
        for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]) && !word; i++) {
            word = strcasecmp(part, weak[i]) == 0;
        }
        all_words = word;
        all_slots = all_slots && is_slot;
    }
    return all_words && all_slots ? VALUE_NOT_REAL : all_words || made ? VALUE_WEAK : VALUE_REAL;
}

/* The floor of the rule, lowered for hexadecimal secrets: sixteen symbols give at most four bits
 * a character, and a random 32-digit hex key measures about 3.7. */
static double entropy_floor(const struct customs_secret_rule *r, const struct candidate *c)
{
    for (size_t i = 0; i < c->secret_len; i++) {
        if (!isxdigit((unsigned char)c->secret[i])) {
            return r->entropy;
        }
    }
    return r->entropy > 3.0 ? 3.0 : r->entropy;
}

/*
 * For the catch-all assignment rules: does the name the value is assigned to (the text of the
 * match before the secret) name a secret? Not when it says the thing is public (a public key,
 * a publishable token) or when its last word says the value is about a secret, not the secret
 * itself: SECRET_NAME, token_type, apiKeyHeader, PASSWORD_FILE.
 */
static bool secret_name(const char *from, const char *secret)
{
    static const char *const about[] = {
        "name", "names", "id", "ids", "file", "path", "dir", "url", "uri", "header", "type",
        "length", "len", "size", "field", "param", "var", "env", "label", "prefix", "suffix",
        "format", "version", "endpoint", "hint", "policy", "ttl", "expiry", "count", "arn",
        "ref", "regex", "pattern", "prompt", "placeholder", "hash", "digest", "salt", "mode"};
    size_t n = (size_t)(secret - from);
    char low[MAX_TEXT + 1];
    for (size_t i = 0; i < n; i++) {
        low[i] = (char)tolower((unsigned char)from[i]);
    }
    low[n] = '\0';
    if (strstr(low, "public") != NULL || strstr(low, "publishable") != NULL) {
        return false;
    }
    /* the last identifier before the value, then its last word (by _ - . or camel case) */
    const unsigned char *u = (const unsigned char *)from;
    size_t e = n;
    while (e > 0 && !isalnum(u[e - 1])) {
        e--;
    }
    size_t b = e;
    while (b > 0 && (islower(u[b - 1]) || isdigit(u[b - 1]))) {
        b--;
    }
    if (b > 0 && isupper(u[b - 1])) {
        b--;
    }
    if (b == e || (b > 0 && isupper(u[b]) && b + 1 == e)) {
        while (b > 0 && (isupper(u[b - 1]) || isdigit(u[b - 1]))) {
            b--;
        }
    }
    for (size_t i = 0; i < sizeof(about) / sizeof(about[0]); i++) {
        if (strlen(about[i]) == e - b && strncmp(low + b, about[i], e - b) == 0) {
            return false;
        }
    }
    return true;
}

/* The catch-all rules whose value follows the name it is assigned to (in the others, a user
 * name or the word "value" stands there). */
static bool name_before_value(const struct customs_secret_rule *r)
{
    return customs_str_has_suffix(r->id, "-assignment") ||
           strcmp(r->id, "generic-password-comparison") == 0 ||
           strcmp(r->id, "generic-env-secret") == 0 ||
           strcmp(r->id, "generic-connection-string-password") == 0;
}

/* A value that spells "password" is a label, a selector or a template ("#add-password",
 * "YourPassword1"), not a password. */
static bool names_password(const char *s, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++) {
        if (strncasecmp(s + i, "password", 8) == 0) {
            return true;
        }
    }
    return false;
}

/* A snake_case name of three words or more ("openssl_x509_checkpurpose"): code, not a secret. */
static bool snake_case(const char *s, size_t n)
{
    size_t words = 1;
    if (n == 0 || !islower((unsigned char)s[0])) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '_') {
            if (i + 1 == n || s[i + 1] == '_') {
                return false;
            }
            words++;
        } else if (!islower(ch) && !isdigit(ch)) {
            return false;
        }
    }
    return words >= 3;
}

/* A mail address, or a name and an @ (the anonymous FTP password "busybox@"): who, not a secret.
 * "P@ssw0rd" is no address: after the @ comes nothing or a dotted domain. */
static bool email_like(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    if (at == NULL || at == s) {
        return false;
    }
    bool dot = false;
    for (const char *p = s; p < s + n; p++) {
        unsigned char ch = (unsigned char)*p;
        if (p != at && !isalnum(ch) && strchr("._-", ch) == NULL) {
            return false;
        }
        dot = dot || (p > at && ch == '.');
    }
    return at + 1 == s + n || dot;
}

/* An expression, not a literal: `cfg.db_pass`, `self.secret`. */
static bool dotted_name(const char *s, size_t n)
{
    bool dot = false, start = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '.' && !start) {
            dot = start = true;
        } else if (isalpha(ch) || ch == '_' || (!start && isdigit(ch))) {
            start = false;
        } else {
            return false;
        }
    }
    return dot && !start;
}

/* HTTP Basic credentials are the base64 of "user:password"; anything else after "Basic " (a
 * JWT, which the jwt rule reports as such; a variable's name) is not. Decodes them into `out`
 * (at least n bytes) as a C string. */
static bool basic_credentials(const char *s, size_t n, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    bool colon = false;
    size_t i = 0, o = 0;
    for (; i < n && s[i] != '='; i++) {
        const char *p = memchr(b64, s[i], 64);
        if (p == NULL) {
            return false;
        }
        acc = (acc << 6) | (uint32_t)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            unsigned char ch = (unsigned char)(acc >> bits);
            if (ch < ' ' || ch == 0x7f) { /* a password may hold UTF-8, never control bytes */
                return false;
            }
            colon = colon || ch == ':';
            out[o++] = (char)ch;
        }
    }
    while (i < n && s[i] == '=') {
        i++;
    }
    out[o] = '\0';
    return i == n && colon && out[0] != '{'; /* {"alg":...: a JWT's header */
}

/* Find the rule's match that ends where Vectorscan said, extract the secret and judge it. */
static int confirm(const struct customs_secret_scanner *s, struct candidate *c)
{
    struct customs_secret_rule *r = &s->e->rules[c->rule];
    regmatch_t m[11];
    size_t off = 0;
    unsigned group = r->group;
    bool found = false;
    if (c->len == 0 || (s->binary && !r->binary)) {
        return 0;
    }
    int compiled = customs_secret_rule_regex(s->e, r);
    if (compiled <= 0) {
        return compiled;
    }
    /* most matches are short: look in the last WINDOW bytes, then in all of the text; the
     * pattern anchored at the end finds the match in one pass (group 1 is then the whole) */
    for (size_t first = c->len > WINDOW ? c->len - WINDOW : 0;; first = 0) {
        off = first;
        if (regexec(&r->re_end, c->text + off, 11, m, off > 0 ? REG_NOTBOL : 0) == 0 &&
            off + (size_t)m[0].rm_eo == c->len) {
            found = true;
            group = r->group + 1;
            break;
        }
        /* with REG_NEWLINE, $ also matches before a newline: then step match by match */
        while (r->multiline && off < c->len &&
               regexec(&r->re, c->text + off, 10, m, off > 0 ? REG_NOTBOL : 0) == 0) {
            if (off + (size_t)m[0].rm_eo == c->len) {
                found = true;
                break;
            }
            off += (size_t)m[0].rm_so + 1;
        }
        if (found || first == 0) {
            break;
        }
    }
    if (!found || m[group].rm_so < 0) {
        return 0;
    }
    const char *start = c->text + off + m[0].rm_so;
    c->from = c->to - (uint64_t)(c->text + c->len - start);
    c->line = c->line_to - customs_secret_count_nl((const uint8_t *)start, (size_t)(c->text + c->len - start));
    c->secret = c->text + off + m[group].rm_so;
    c->secret_len = (size_t)(m[group].rm_eo - m[group].rm_so);
    if (c->secret_len == 0) {
        return 0;
    }
    /* A weak value (below the floor, letters only, a dictionary word) is dropped, but by a rule for
     * a credential structure (weak: true): a database URL, a connection string, a user name and
     * password side by side. There the value is a credential whatever it looks like, and it is
     * reported as weak (LOW); a repeated filler ("aaaa", "abab") still is not. */
    bool weak = false;
    double h = r->entropy > 0 ? customs_secret_entropy(c->secret, c->secret_len) : 0;
    if (r->entropy > 0 && h < entropy_floor(r, c)) {
        if (!r->weak || h < 1.5) {
            return 0;
        }
        weak = true;
    }
    if (!checksum_ok(r->checksum, c->secret, c->secret_len)) {
        c->invalid = true;
        return 0;
    }
    if (r->mixed) {
        bool alpha = false, digit = false;
        for (size_t i = 0; i < c->secret_len; i++) {
            unsigned char ch = (unsigned char)c->secret[i];
            alpha = alpha || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
            digit = digit || (ch >= '0' && ch <= '9') ||
                    (r->mixed_punct && ch > ' ' && ch < 0x7f && !isalnum(ch) &&
                     strchr("-_./:", ch) == NULL);
        }
        if (!alpha || (!digit && !r->weak)) {
            return 0;
        }
        weak = weak || !digit;
    }
    /* the byte before the value: a quote when it is a quoted literal */
    char before = c->secret > c->text ? c->secret[-1] : '\0';
    bool quoted = before == '"' || before == '\'';
    if (r->quoted_in_code && s->code && !quoted) {
        return 0;
    }
    char decoded[MAX_TEXT + 1];
    if (c->secret - start >= 6 && strncasecmp(c->secret - 6, "Basic ", 6) == 0 &&
        (!basic_credentials(c->secret, c->secret_len, decoded) ||
         judge_value(decoded, strlen(decoded), true) != VALUE_REAL)) {
        return 0;
    }
    if (customs_str_has_prefix(r->id, "generic-") &&
        ((!quoted && dotted_name(c->secret, c->secret_len)) ||
         (name_before_value(r) && !secret_name(start, c->secret)) ||
         snake_case(c->secret, c->secret_len) || email_like(c->secret, c->secret_len))) {
        return 0;
    }
    if (customs_str_has_prefix(r->id, "generic-") && names_password(c->secret, c->secret_len)) {
        if (!r->weak) {
            return 0;
        }
        weak = true;
    }
    for (size_t i = 0; i < s->e->allow.nvalues; i++) {
        if (strlen(s->e->allow.values[i]) == c->secret_len &&
            memcmp(s->e->allow.values[i], c->secret, c->secret_len) == 0) {
            return 0;
        }
    }
    /* A provider-specific rule (a prefix or the provider's name, then the token's exact format)
     * reports a made-up-looking value ("12345678-ABCD-...") that passes its entropy floor and
     * checksum: such slots are rare in real images, and a value in one is worth a reviewer's
     * look. The catch-all rules, where the noise of real files is, drop it. */
    enum value_kind kind = judge_value(c->secret, c->secret_len, r->catch_all);
    if (kind == VALUE_NOT_REAL || (kind == VALUE_WEAK && !r->weak)) {
        return 0;
    }
    c->weak = weak || kind == VALUE_WEAK;
    return 1;
}

int customs_secret_confirm_all(struct customs_secret_scanner *s, customs_secret_emit_fn emit,
                               void *ctx)
{
    int r = 0;
    /* confirm, then let specific rules win over catch-alls on the same bytes: a confirmed one
     * takes them, and so does one whose checksum failed (a ghp_ token with a wrong checksum is
     * a made-up example, whatever name it is assigned to) */
    for (size_t i = 0; i < s->cands.len; i++) {
        struct candidate *c = customs_vec_at(&s->cands, i);
        int k = confirm(s, c);
        if (k < 0) {
            return k;
        }
        c->dropped = k == 0;
    }
    for (size_t i = 0; i < s->cands.len; i++) {
        struct candidate *c = customs_vec_at(&s->cands, i);
        if (c->dropped || !s->e->rules[c->rule].catch_all) {
            continue;
        }
        /* a specific rule on the same bytes wins; between catch-alls, the first listed */
        for (size_t j = 0; j < s->cands.len && !c->dropped; j++) {
            const struct candidate *d = customs_vec_at(&s->cands, j);
            bool d_fallback = s->e->rules[d->rule].catch_all;
            if (j != i && (!d->dropped || d->invalid) && d->from < c->to && c->from < d->to &&
                (!d_fallback || d->rule < c->rule)) {
                c->dropped = true;
            }
        }
    }
    for (size_t i = 0; i < s->cands.len && r == 0; i++) {
        struct candidate *c = customs_vec_at(&s->cands, i);
        if (c->dropped) {
            continue;
        }
        struct customs_secret_match m = {&s->e->rules[c->rule], c->secret, c->secret_len,
                                         c->from, c->line, c->weak};
        r = emit(ctx, &m);
    }
    return r;
}

void customs_secret_redact(char *out, size_t outsz, const char *secret, size_t len)
{
    size_t keep = len >= 16 ? 4 : len >= 8 ? 2 : 0;
    snprintf(out, outsz, "%.*s\xe2\x80\xa6 (%zu chars)", (int)keep, secret, len);
}

