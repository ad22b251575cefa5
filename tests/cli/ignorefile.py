#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""One ignore file for every finding kind, in scan and audit (TAP).

A root filesystem with one finding of each kind: vulnerabilities of libssl3 (the fixture
tracker), an AWS key (secret), the EICAR file (malware) and a world-writable file (an image
configuration check). Checked:
- without an ignore file, every kind is reported (so the cases below can fail);
- `.customsignore` in the working directory, YAML by kind (id, packages as purls, paths as globs,
  expires, statement): each matching finding leaves its list for `suppressed` (with its kind and
  path), every entry is listed in `ignored` with what it suppressed, the expired entry stops
  applying and is reported as expired, stderr says which file was used, what each entry
  suppressed and which expired; the JSON validates against docs/report.schema.json;
  `--exit-code` counts only what is left;
- a path glob that does not match suppresses nothing;
- the plain form (`--ignorefile`), one ID per line, applies to every kind;
- `audit`: `.customsignore` in the working directory suppresses a misconfiguration by check id
  and file, listed under `suppressed` and `ignored` in its JSON, and in its SARIF kept as a
  result with a `suppressions` entry (the statement, the entry's place); `--ignorefile` too;
- a bad YAML ignore file is an error naming FILE:LINE:COL (exit 2).
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import stat
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))
DATA = os.path.join(ROOT, "tests", "data", "vulndb")
SCHEMA = os.path.join(ROOT, "docs", "report.schema.json")
VALIDATE = os.path.join(ROOT, "tests", "support", "validate_json.py")
EICAR = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

YAML = """\
# accepted risks, reviewed quarterly
vulnerabilities:
  - id: CVE-2023-0286
    packages: [pkg:deb/debian/libssl3]
    statement: not reachable in our build
  - id: CVE-2024-0001
    expires: 2020-01-01
secrets:
  - id: aws-access-key-id
    paths: ["app/*.ini"]
    statement: a documented example key
malware:
  - id: EICAR_Test_File
    paths: [/srv/*]
misconfigurations:
  - id: CUSTOMS-IMG-005
    paths: [/app/open.sh]
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run(cwd, *args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, cwd=cwd)


def kinds(d):
    return {"vulnerabilities": sorted(v["id"] for v in d["vulnerabilities"]),
            "secrets": [s["rule"] for s in d["secrets"]],
            "malware": [m["rule"] for m in d["malware"]],
            "misconfigurations": [m["check"] for m in d["misconfigurations"]]}


def main():
    print("1..14")
    with tempfile.TemporaryDirectory() as w:
        root = os.path.join(w, "root")
        write(f"{root}/etc/os-release", 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
        write(f"{root}/var/lib/dpkg/status", "Package: libssl3\nStatus: install ok installed\n"
              "Source: openssl\nVersion: 3.0.7-1\nArchitecture: amd64\n\n")
        write(f"{root}/app/settings.ini", "aws_access_key_id = AKIA7KLFYYLBEG3RHDSV\n")
        write(f"{root}/srv/eicar.com", EICAR)
        write(f"{root}/app/open.sh", "#!/bin/sh\n")
        os.chmod(f"{root}/app/open.sh", 0o777)
        db = os.path.join(w, "f.db")
        subprocess.run([CUSTOMS, "db", "build", "-o", db, os.path.join(DATA, "tracker.json"),
                        os.path.join(DATA, "osv", "ghsa.json")], check=True, capture_output=True)
        scan = ["scan", "-q", "--db", db, "--max-db-age", "0", "--format", "json"]
        plain_dir = os.path.join(w, "plain")
        os.makedirs(plain_dir)

        # ---- without an ignore file ----
        p = run(plain_dir, *scan, "dir:" + root)
        d = json.loads(p.stdout)
        base = kinds(d)
        ok(base == {"vulnerabilities": ["CVE-2023-0286", "CVE-2024-0001"],
                    "secrets": ["aws-access-key-id"], "malware": ["customs:EICAR_Test_File"],
                    "misconfigurations": ["CUSTOMS-IMG-005"]} and d["ignored"] == [],
           "without an ignore file every kind is reported", base)

        # ---- .customsignore (YAML) in the working directory ----
        yaml_dir = os.path.join(w, "yaml")
        write(os.path.join(yaml_dir, ".customsignore"), YAML)
        p = run(yaml_dir, *scan, "--exit-code", "3", "dir:" + root)
        d = json.loads(p.stdout) if p.stdout.startswith("{") else {}
        ok(d and kinds(d) == {"vulnerabilities": ["CVE-2024-0001"], "secrets": [], "malware": [],
                              "misconfigurations": []},
           ".customsignore suppresses a finding of each kind; the expired entry no longer applies",
           f"{kinds(d) if d else p.stdout}\n{p.stderr}")
        sup = sorted((s["kind"], s["id"], s["path"] or "", s["by"]) for s in d.get("suppressed", []))
        ok(sup == [("malware", "customs:EICAR_Test_File", "/srv/eicar.com", "ignorefile"),
                   ("misconfiguration", "CUSTOMS-IMG-005", "/app/open.sh", "ignorefile"),
                   ("secret", "aws-access-key-id", "/app/settings.ini", "ignorefile"),
                   ("vulnerability", "CVE-2023-0286", "/var/lib/dpkg/status", "ignorefile")],
           "each suppressed finding is listed with its kind and path", sup)
        ign = [(e["id"], e["kind"], e["suppressed"], e["expired"], e["expires"], e["where"])
               for e in d.get("ignored", [])]
        ok(ign == [("CVE-2023-0286", "vulnerability", 1, False, None, ".customsignore:3"),
                   ("CVE-2024-0001", "vulnerability", 0, True, "2020-01-01", ".customsignore:6"),
                   ("aws-access-key-id", "secret", 1, False, None, ".customsignore:9"),
                   ("EICAR_Test_File", "malware", 1, False, None, ".customsignore:13"),
                   ("CUSTOMS-IMG-005", "misconfiguration", 1, False, None, ".customsignore:16")],
           "every entry is in `ignored` with what it suppressed, the expired one marked", ign)
        ok("using the ignore file .customsignore" in p.stderr
           and ".customsignore:6: CVE-2024-0001 expired on 2020-01-01" in p.stderr
           and ".customsignore:9: aws-access-key-id suppressed 1 finding" in p.stderr
           and "4 findings suppressed by 4 of 5 entries (1 expired)" in p.stderr,
           "stderr names the file, what each entry suppressed and the expired entry", p.stderr)
        ok(p.returncode == 3, "--exit-code counts what is left (the expired entry's CVE)",
           f"exit {p.returncode}")
        report = os.path.join(w, "report.json")
        write(report, p.stdout)
        v = subprocess.run([sys.executable, VALIDATE, "--schema", SCHEMA, report],
                           capture_output=True, text=True)
        ok(v.returncode == 0, "the report validates against docs/report.schema.json", v.stderr)

        # ---- a glob that does not match ----
        nomatch = os.path.join(w, "nomatch.yaml")
        write(nomatch, "secrets:\n  - id: aws-access-key-id\n    paths: [other/*]\n")
        p = run(plain_dir, *scan, "--ignorefile", nomatch, "dir:" + root)
        d = json.loads(p.stdout)
        ok(kinds(d)["secrets"] == ["aws-access-key-id"] and d["ignored"][0]["suppressed"] == 0,
           "an entry whose paths do not match suppresses nothing", kinds(d))

        # ---- the plain form, for every kind ----
        plain = os.path.join(w, "ignore.txt")
        write(plain, "aws-access-key-id   # example\ncustoms:EICAR_Test_File\nCUSTOMS-IMG-005\n"
              "CVE-2023-0286 package=openssl\nCVE-2024-0001 expires=2099-12-31\n")
        p = run(plain_dir, *scan, "--ignorefile", plain, "--exit-code", "3", "dir:" + root)
        d = json.loads(p.stdout)
        ok(kinds(d) == {"vulnerabilities": [], "secrets": [], "malware": [],
                        "misconfigurations": []} and p.returncode == 0
           and len(d["suppressed"]) == 5,
           "plain lines apply to every kind; nothing left, exit 0",
           f"{kinds(d)} exit {p.returncode}")

        # ---- audit ----
        audit_dir = os.path.join(w, "audit")
        manifest = os.path.join(audit_dir, "pod.yaml")
        write(manifest, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n"
              "  containers:\n  - name: c\n    image: nginx\n"
              "    securityContext: {privileged: true}\n")
        p = run(audit_dir, "audit", "--checks", "pss", "-f", "json", "pod.yaml")
        before = [f["check"] for f in json.loads(p.stdout)["findings"]]
        write(os.path.join(audit_dir, ".customsignore"),
              "misconfigurations:\n  - id: privileged\n    paths: [pod.yaml]\n"
              "    statement: a node agent\n")
        p = run(audit_dir, "audit", "--checks", "pss", "-f", "json", "pod.yaml")
        d = json.loads(p.stdout) if p.stdout.startswith("{") else {}
        after = [f["check"] for f in d.get("findings", [])]
        ok("privileged" in before and "privileged" not in after
           and [f["check"] for f in d.get("suppressed", [])] == ["privileged"]
           and d.get("ignored", [{}])[0].get("suppressed") == 1
           and "privileged suppressed 1 finding" in p.stderr,
           "audit: .customsignore suppresses a misconfiguration by check and file",
           f"{before} -> {after}\n{p.stderr}")
        p = run(audit_dir, "audit", "--checks", "pss", "-f", "sarif", "pod.yaml")
        res = json.loads(p.stdout)["runs"][0]["results"] if p.stdout.startswith("{") else []
        sup = [r for r in res if r.get("suppressions")]
        ok([r["ruleId"] for r in sup] == ["privileged"]
           and sup[0]["suppressions"] == [{"kind": "external", "status": "accepted",
                                           "justification": "a node agent",
                                           "properties": {"by": "ignorefile",
                                                          "where": ".customsignore:2"}}]
           and all(not r.get("suppressions") for r in res if r["ruleId"] != "privileged"),
           "audit SARIF: the suppressed finding stays a result, marked suppressed with the"
           " entry's statement and place", json.dumps(sup, indent=1) + p.stderr)
        elsewhere = os.path.join(w, "elsewhere")
        os.makedirs(elsewhere)
        write(os.path.join(elsewhere, "i.txt"), "privileged\n")
        p = run(elsewhere, "audit", "--checks", "pss", "-f", "json", "--ignorefile", "i.txt",
                manifest)
        d = json.loads(p.stdout)
        ok("privileged" not in [f["check"] for f in d["findings"]],
           "audit --ignorefile with a plain line", p.stderr)

        # ---- a bad YAML file ----
        bad = os.path.join(w, "bad.yaml")
        write(bad, "secrets:\n  - id: x\n    path: [a]\n")
        p = run(plain_dir, *scan, "--ignorefile", bad, "dir:" + root)
        ok(p.returncode == 2 and f"{bad}:3:11: unknown key 'path'" in p.stderr,
           "scan: a bad ignore file is an error naming FILE:LINE:COL", p.stderr)
        p = run(plain_dir, "audit", "--ignorefile", bad, manifest)
        ok(p.returncode == 2 and f"{bad}:3:11: unknown key 'path'" in p.stderr,
           "audit: the same error, exit 2", p.stderr)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
