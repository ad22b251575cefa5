#!/usr/bin/env python3
"""Secret rules against labelled public examples (TAP): the gitleaks and Nosey Parker examples in
../shared/corpus/secrets. Each example becomes one file of a directory scanned once with
`customs scan --scanners secret`; an example labelled to match must give a finding, one labelled
not to match must give none.

Two views of the rule families customs claims (a rule id of ours starts with the family):
- "claimed families": every example of those families, with only the label conflicts set aside.
- "what the rules claim", the issue's target (95 % recall, 95 % precision): also set aside,
  whatever customs reports on them, the examples of upstream rules for values that are not
  secrets (NOT_SECRETS) and the positives that the issue's own confirmation step must reject
  (a GitHub or npm token whose CRC32 is wrong, a provider's EXAMPLE key).
Every example set aside is named in the output."""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SOURCE = os.environ.get("CUSTOMS_SOURCE_ROOT", ".")
CORPUS = os.path.join(SOURCE, "..", "shared", "corpus", "secrets")
# source: (minimum recall, maximum false-positive rate) over all examples, measured 2026-11-23
# with the label conflicts set aside (gitleaks: recall 97.2 %, false positives 6.2 %; Nosey
# Parker: 74.0 %, 5.9 %; most Nosey Parker misses are in families no rule of ours claims).
FLOORS = {"gitleaks": (0.97, 0.07), "noseyparker": (0.73, 0.06)}
# (minimum recall, minimum precision), measured 2026-11-23 (second session): claimed families
# 93.0 % (530/570) and 95.8 % (530/553); what the rules claim 96.0 % (528/550) and 95.8 %
# (528/551), the issue's target being 95 % / 95 % there. The misses left are on purpose (the
# README lists them): values that fill their slot (`aaaa...`, `xoxb-0000...`, `tvly-xxxx...`),
# the slot's own name (`Password=password`), dictionary-word and prose passwords outside a
# credential structure (`"AdminPassword": "thisismypassword"`, "ensure the password is
# 'centipede'"), two unsigned `alg: none` JWTs. 15 of the false positives are Google API keys
# the gitleaks labels treat as known public keys, which look exactly like private ones (a user
# lists such values in the allowlist of --secret-rules).
STRICT_FLOOR = (0.92, 0.95)
CLAIMED_FLOOR = (0.95, 0.95)
TARGET = (0.95, 0.95)
# upstream rules, in families we claim, for values that are not secrets
NOT_SECRETS = {
    "np.age.1": "an age recipient is a public key",
    "np.aws.3": "an AWS account ID names an account",
    "np.shopify.1": "a shop's domain is a host name",
    "np.github.5": "an OAuth client ID is public (the client secret is what our rules claim)",
    "np.google.1": "an OAuth client ID is public (the client secret is what our rules claim)",
    "np.mapbox.1": "a Mapbox public (pk.) token is made to be published",
}
A62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_checksum_ok(body):
    crc, want = zlib.crc32(body[:30].encode()), ""
    for _ in range(6):
        want, crc = A62[crc % 62] + want, crc // 62
    return body[30:] == want


def issue_rejects(text):
    """Why the issue's confirmation step must reject this labelled positive, or None."""
    for prefix, body in re.findall(r"\b(gh[pousr]|npm)_([A-Za-z0-9]{36})\b", text):
        if not github_checksum_ok(body):
            return f"{prefix}_ token with a wrong CRC32 (the issue asks for the checksum)"
    if any("EXAMPLE" in run for run in re.findall(r"[A-Za-z0-9+/=!_-]{20,}", text)):
        return "a provider's EXAMPLE key (the issue asks to recognise them)"
    return None


# Upstream families that rules of ours claim under another name (ours: the first word of the
# rule id). Without these, private keys, database URLs and Vault tokens would count as families
# customs does not cover.
ALIAS = {"pem": "private", "postgres": "database", "mongodb": "database", "odbc": "generic",
         "hashicorp": "vault", "google": "gcp", "dockerhub": "docker", "http": "authorization",
         "cratesio": "crates", "pwhash": "bcrypt", "sonar": "sonarqube"}


def family(rule_id):
    f = (rule_id.split(".")[1] if rule_id.startswith("np.") else rule_id.split("-")[0]).lower()
    return ALIAS.get(f, f)


def main():
    if not os.path.isdir(CORPUS):
        print(f"1..0 # SKIP {CORPUS} is absent")
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for src in FLOORS:
            with open(os.path.join(CORPUS, f"{src}-examples.jsonl"), encoding="utf-8") as f:
                for i, line in enumerate(f):
                    ex = json.loads(line)
                    name = f"{src}-{i:04d}"
                    with open(os.path.join(d, name), "w", encoding="utf-8") as out:
                        out.write(ex["text"])
                    rows.append((name, src, ex["rule_id"], ex["should_match"], ex["text"]))
        # --show-secrets: the values are compared with the labelled texts below (they are the
        # corpora's own strings; nothing is kept)
        p = subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--show-secrets", "--scanners", "secret",
                            "dir:" + d], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"1..1\nnot ok 1 - customs scan\n# {p.stderr.strip()}")
        return 1
    hits = collections.defaultdict(set)
    values = collections.defaultdict(set)
    for f in json.loads(p.stdout)["secrets"]:
        hits[f["path"].lstrip("/")].add(f["rule"])
        values[f["path"].lstrip("/")].add(f["secret"])
    with open(os.path.join(SOURCE, "src", "secrets", "rules.yaml"), encoding="utf-8") as f:
        ours = {i.split("-")[0] for i in re.findall(r"^  - id: (\S+)", f.read(), re.M)}
    # The labels are per upstream rule: one rule's positive is reused as a sibling rule's
    # negative ("an admin key is not an API key", "a quoted password is not the unquoted-password
    # rule's"). A text labelled "must match" by one example and "must not match" by another, or
    # a value we report on a negative that another example labels a secret, cannot count
    # against us: such negatives are set aside, counted and named below.
    positive_texts = {r[4] for r in rows if r[3]}

    def labelled_secret(value):
        return len(value) >= 8 and any(value in t for t in positive_texts)

    conflicts = [r for r in rows if not r[3] and r[4] in positive_texts]
    for r in conflicts:
        print(f"# label conflict, not counted as a negative: {r[0]} ({r[2]}){' (we report it)' if hits[r[0]] else ''}")
    same_value = [r for r in rows if not r[3] and r not in conflicts and values[r[0]] and
                  all(labelled_secret(v) for v in values[r[0]])]
    for r in same_value:
        print(f"# label conflict, not counted as a negative: {r[0]} ({r[2]}): what we report there, "
              f"{sorted(hits[r[0]])}, another example labels a secret")
    # gitleaks names its rules as we name ours: a negative of rule R ("an admin key is not an
    # anthropic-api-key") that we report as another gitleaks rule S (anthropic-admin-api-key)
    # is one we label as its own upstream does.
    gitleaks_ids = {r[2] for r in rows if r[1] == "gitleaks"}
    sibling = [r for r in rows if not r[3] and r[1] == "gitleaks" and hits[r[0]] and
               all(h in gitleaks_ids and h != r[2] for h in hits[r[0]])]
    for r in sibling:
        print(f"# label agrees, not counted as a negative: {r[0]} (not {r[2]}): we report it as "
              f"{', '.join(sorted(hits[r[0]]))}")
    rows = [r for r in rows if r[3] or (r not in conflicts and r not in same_value and r not in sibling)]
    claimed = [r for r in rows if family(r[2]) in ours]
    print(f"# families no rule of ours claims: {' '.join(sorted({family(r[2]) for r in rows} - ours))}")
    fam = collections.defaultdict(lambda: [0, 0, 0, 0])  # positives, found, negatives, found
    for name, _, rule_id, should, _ in claimed:
        st = fam[family(rule_id)]
        st[0 if should else 2] += 1
        st[1 if should else 3] += bool(hits[name])
    for name, (p_, t, n_, f) in sorted(fam.items()):
        print(f"# {name:14} recall {t}/{p_}  false positives {f}/{n_}")
    # What our rules claim, as the issue defines it: set aside, whatever we report on them, the
    # examples of upstream rules for things that are not secrets, and the positives that the
    # issue's own confirmation step rejects.
    set_aside = {}
    for r in claimed:
        why = NOT_SECRETS.get(r[2]) or (r[3] and issue_rejects(r[4]))
        if why:
            set_aside[r[0]] = why
            print(f"# set aside: {r[0]} ({r[2]}{'' if r[3] else ', negative'}): {why}"
                  f"{' (we report it)' if hits[r[0]] else ''}")
    views = (("claimed families", claimed, STRICT_FLOOR),
             ("what the rules claim", [r for r in claimed if r[0] not in set_aside], CLAIMED_FLOOR))
    print(f"1..{2 * len(FLOORS) + 2 * len(views)}")
    for src, (min_recall, max_fp) in FLOORS.items():
        pos = [r for r in rows if r[1] == src and r[3]]
        neg = [r for r in rows if r[1] == src and not r[3]]
        tp = sum(1 for r in pos if hits[r[0]])
        fp = sum(1 for r in neg if hits[r[0]])
        recall, fp_rate = tp / len(pos), fp / len(neg)
        ok(recall >= min_recall, f"{src}: recall {tp}/{len(pos)} = {recall:.1%} (floor {min_recall:.0%})")
        ok(fp_rate <= max_fp, f"{src}: false positives {fp}/{len(neg)} = {fp_rate:.1%} (ceiling {max_fp:.0%})")
    for label, sel, (min_recall, min_precision) in views:
        tp = sum(1 for r in sel if r[3] and hits[r[0]])
        pos = sum(1 for r in sel if r[3])
        fp = sum(1 for r in sel if not r[3] and hits[r[0]])
        recall, precision = tp / pos, tp / max(1, tp + fp)
        asks = label == "what the rules claim"
        ok(recall >= min_recall, f"{label}: recall {tp}/{pos} = {recall:.1%} (floor {min_recall:.0%}"
           f"{f'; the issue asks {TARGET[0]:.0%}' if asks else ''})")
        ok(precision >= min_precision, f"{label}: precision {tp}/{tp + fp} = {precision:.1%} (floor "
           f"{min_precision:.0%}{f'; the issue asks {TARGET[1]:.0%}' if asks else ''})")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
