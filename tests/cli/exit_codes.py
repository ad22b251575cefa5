#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The exit-code table of the README, case by case (TAP): each row runs one command and checks
its exit code. Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
DATA = os.path.join(ROOT, "tests", "data", "vulndb")
AWS_KEY = "AKIA7KLFYYLBEG3RHDSV"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    with tempfile.TemporaryDirectory() as d:
        clean = os.path.join(d, "clean")
        write(f"{clean}/etc/os-release", 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
        write(f"{clean}/var/lib/dpkg/status", "Package: zlib1g\nStatus: install ok installed\n"
              "Version: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\n")
        old = os.path.join(d, "buster")
        write(f"{old}/etc/os-release", 'ID=debian\nVERSION_ID="10"\nVERSION_CODENAME=buster\n')
        write(f"{old}/var/lib/dpkg/status", "Package: zlib1g\nStatus: install ok installed\n"
              "Version: 1:1.2.11.dfsg-1\nArchitecture: amd64\n\n")
        dirty = os.path.join(d, "dirty")
        write(f"{dirty}/etc/os-release", 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
        write(f"{dirty}/var/lib/dpkg/status", "Package: libssl3\nStatus: install ok installed\n"
              "Source: openssl\nVersion: 3.0.7-1\nArchitecture: amd64\n\n")
        write(f"{dirty}/app/settings.ini", f"aws_access_key_id = {AWS_KEY}\n")
        db = os.path.join(d, "f.db")
        subprocess.run([CUSTOMS, "db", "build", "-o", db, os.path.join(DATA, "tracker.json"),
                        os.path.join(DATA, "osv", "ghsa.json")], check=True, capture_output=True)
        image = os.path.join(d, "ledger")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                        os.path.join(ROOT, "demo", "recipe.json"), "--format", "oci-dir",
                        "--out", image], check=True, capture_output=True)
        key = os.path.join(ROOT, "tests", "fuzz", "corpus", "pubkey", "pem-ecdsa.pub")
        policy = os.path.join(d, "policy.yaml")
        write(policy, "apiVersion: customs/v1\nkind: Policy\nimages:\n  secrets: deny\n")
        good = os.path.join(d, "good.yaml")
        write(good, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n  namespace: a\nspec:\n"
              "  automountServiceAccountToken: false\n  securityContext:\n    runAsNonRoot: true\n"
              "    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: c\n"
              "    image: registry.example/app@sha256:" + "a" * 64 + "\n"
              "    resources: {limits: {cpu: 1, memory: 1Gi}, requests: {cpu: 1, memory: 1Gi}}\n"
              "    securityContext:\n      allowPrivilegeEscalation: false\n"
              "      readOnlyRootFilesystem: true\n      capabilities: {drop: [ALL]}\n")
        bad = os.path.join(d, "bad.yaml")
        write(bad, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
              "  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n")
        broken = os.path.join(d, "broken.yaml")
        write(broken, "kind: Pod\nmetadata: {name: [\n")
        scan = ["scan", "-q", "--db", db, "--max-db-age", "0", "--scanners",
                "package,vuln,secret", "--format", "json"]
        cases = [
            # (what, argv, expected exit code)
            ("scan: clean image, --exit-code 3", scan + ["--exit-code", "3", "dir:" + clean], 0),
            ("scan: findings, no --exit-code", scan + ["dir:" + dirty], 0),
            ("scan: findings, --exit-code 3", scan + ["--exit-code", "3", "dir:" + dirty], 3),
            ("scan: findings hidden by --severity CRITICAL", scan + [
                "--exit-code", "3", "--scanners", "package,vuln", "--severity", "CRITICAL",
                "dir:" + dirty], 0),
            ("scan: incomplete (a release past its end of life), --exit-code 4",
             ["scan", "-q", "--db", db, "--scanners", "package,vuln", "--max-db-age", "0",
              "--exit-code", "4", "--format", "json", "dir:" + old], 4),
            ("scan: incomplete accepted by --allow-uncovered",
             ["scan", "-q", "--db", db, "--scanners", "package,vuln", "--max-db-age", "0",
              "--exit-code", "4", "--allow-uncovered", "--format", "json", "dir:" + old], 0),
            ("scan: --policy deny", ["scan", "-q", "--scanners", "package,secret", "--format",
                                     "json", "--policy", policy, "dir:" + dirty], 1),
            ("scan: --verify-key and the image is unsigned",
             ["scan", "-q", "--scanners", "package", "--format", "json", "--verify-key", key,
              "oci:" + image], 1),
            ("scan: usage error (unknown format)", ["scan", "--format", "xml", "dir:" + clean], 2),
            ("scan: input error (no such target)", ["scan", "-q", d + "/nothing.tar"], 2),
            ("scan: --exit-code with --policy", scan + ["--exit-code", "3", "--policy", policy,
                                                        "dir:" + clean], 2),
            ("audit: no findings", ["audit", "--checks", "pss", good], 0),
            ("audit: findings", ["audit", bad], 1),
            ("audit: findings, --exit-code 5", ["audit", "--exit-code", "5", bad], 5),
            ("audit: findings, --exit-code 0", ["audit", "--exit-code", "0", bad], 0),
            ("audit: below --severity CRITICAL", ["audit", "--checks", "pss", "--severity",
                                                  "CRITICAL", "--exit-code", "5", good], 0),
            ("audit: a file that does not parse", ["audit", "--exit-code", "5", bad, broken], 2),
            ("audit: usage error (bad --exit-code)", ["audit", "--exit-code", "x", bad], 2),
            ("audit: --exit-code with --policy", ["audit", "--exit-code", "5", "--policy",
                                                  policy, bad], 2),
            ("sbom: any inventory", ["sbom", "-q", "--format", "json", "dir:" + dirty], 0),
            ("sbom: inventory only, --exit-code 3", ["sbom", "-q", "--format", "json",
                                                     "--exit-code", "3", "dir:" + dirty], 0),
            ("sbom: a secret found by --scanners package,secret, --exit-code 3",
             ["sbom", "-q", "--format", "json", "--scanners", "package,secret", "--exit-code",
              "3", "dir:" + dirty], 3),
            ("policy check: invalid", ["policy", "check", broken], 2),
            ("unknown command", ["frobnicate"], 2),
            ("no command", [], 2),
        ]
        print(f"1..{len(cases)}")
        for what, argv, want in cases:
            p = subprocess.run([CUSTOMS, *argv], capture_output=True, text=True)
            ok(p.returncode == want, f"{what}: exit {want}",
               f"exit {p.returncode}\n{p.stderr[-800:]}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
