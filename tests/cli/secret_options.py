#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The secret scanner's user-facing choices, end to end (TAP):

- a weak value in a credential structure (`postgresql://app:secret@...`) is reported at LOW,
  titled as weak, and `--severity MEDIUM,HIGH,CRITICAL` hides it; a strong one keeps its rule's
  severity;
- the allowlist of a `--secret-rules` file: a path glob skips files, a rule id switches the rule
  off, an exact value is never reported; an allowlisted id that names no rule stops the scan
  with exit code 2 and a message naming the file.
Environment: CUSTOMS (the binary)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")


def scan(root, *extra):
    p = subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--scanners", "secret", *extra,
                        "dir:" + root], capture_output=True, text=True)
    return p, (json.loads(p.stdout)["secrets"] if p.returncode == 0 else [])


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    print("1..9")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        write(f"{root}/etc/app/weak.env", "DATABASE_URL=postgresql://app:secret@db.internal/app\n")
        write(f"{root}/etc/app/strong.env", "DATABASE_URL=postgresql://app:Kq8vTz2LmW@db.internal/app\n")
        p, found = scan(root)
        by_path = {f["path"]: f for f in found}
        weak, strong = by_path.get("/etc/app/weak.env"), by_path.get("/etc/app/strong.env")
        ok(weak is not None and weak["severity"] == "LOW" and weak["title"].endswith("(weak or placeholder value)"),
           "a weak value in a database URL: LOW, titled as weak", json.dumps(found))
        ok(strong is not None and strong["severity"] == "HIGH" and "weak" not in strong["title"],
           "a strong one keeps the rule's severity and title", json.dumps(found))
        p, found = scan(root, "--severity", "MEDIUM,HIGH,CRITICAL")
        ok([f["path"] for f in found] == ["/etc/app/strong.env"], "--severity MEDIUM,HIGH,CRITICAL hides the weak one",
           json.dumps(found) + p.stderr)

        write(f"{root}/srv/fixtures/keys.txt", "aws_access_key_id = AKIA7KLFYYLBEG3RHDSV\n")
        write(f"{root}/srv/app/keys.txt", "aws_access_key_id = AKIA7KLFYYLBEG3RHDSV\n")
        write(f"{root}/srv/app/maps.js", 'const key = "AIzaSyA8vQz2LmWx4RpN7cYb3HdJ5fGs1Ae6Wk3";\n')
        rules = os.path.join(d, "allow.yaml")
        write(rules, "allowlist:\n  paths: ['/srv/fixtures/*']\n  rules: [database-url-password]\n"
                     "  values: ['AIzaSyA8vQz2LmWx4RpN7cYb3HdJ5fGs1Ae6Wk3']\n")
        p, before = scan(root)
        p, after = scan(root, "--secret-rules", rules)
        paths = lambda fs: sorted(f["path"] for f in fs)
        ok(p.returncode == 0, "a rule file with only an allowlist is accepted", p.stderr)
        ok("/srv/fixtures/keys.txt" in paths(before) and "/srv/fixtures/keys.txt" not in paths(after)
           and "/srv/app/keys.txt" in paths(after), "a path glob skips only the files it matches",
           f"{paths(before)} -> {paths(after)}")
        ok(not any(f["rule"] == "database-url-password" for f in after)
           and any(f["rule"] == "database-url-password" for f in before), "an allowlisted rule is off",
           json.dumps(after))
        ok("/srv/app/maps.js" in paths(before) and "/srv/app/maps.js" not in paths(after),
           "an allowlisted value is not reported", f"{paths(before)} -> {paths(after)}")
        write(rules, "allowlist:\n  rules: [database-url-pasword]\n")
        p, _ = scan(root, "--secret-rules", rules)
        ok(p.returncode == 2 and rules in p.stderr and "database-url-pasword" in p.stderr,
           "an allowlisted id that names no rule: exit 2, the file and the id named", p.stderr)
        ok(p.stdout == "", "and nothing is written to stdout", p.stdout[:200])
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
