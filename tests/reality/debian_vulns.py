#!/usr/bin/env python3
"""Debian vulnerability reality check (TAP). A fixture root filesystem whose dpkg status holds real
bullseye source packages, some under binary names (libssl1.1 from openssl, libcurl4 from curl),
at real earlier fixed versions from the Debian security tracker data in ../shared. customs
builds its database from the tracker JSON and scans the fixture; an independent reference
walks the same JSON with Debian's own comparison (`dpkg --compare-versions`). The two sets of
(package, CVE, status) must be equal; any difference is printed."""
import json
import os
import subprocess
import sys
import tempfile

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SOURCE = os.environ.get("CUSTOMS_SOURCE_ROOT", ".")
TRACKER = os.path.join(SOURCE, "..", "shared", "corpus", "vulndb", "upstream", "debian-tracker.json")

# binary package, source package, installed (binary = source) version: real bullseye versions
INSTALLED = [
    ("libssl1.1", "openssl", "1.1.1n-0+deb11u2"),
    ("openssl", "openssl", "1.1.1n-0+deb11u2"),
    ("libcurl4", "curl", "7.74.0-1.3+deb11u1"),
    ("zlib1g", "zlib", "1:1.2.11.dfsg-2+deb11u1"),
    ("sudo", "sudo", "1.9.5p2-3"),
    ("libexpat1", "expat", "2.2.10-2"),
    ("libxml2", "libxml2", "2.9.10+dfsg-6.7+deb11u2"),
    ("libgnutls30", "gnutls28", "3.7.1-5+deb11u3"),
    ("base-files", "base-files", "11.1+deb11u7"),
]


def dpkg_lt(a, b):
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


def reference(tracker):
    want = set()
    for binary, src, version in INSTALLED:
        for cve, entry in tracker.get(src, {}).items():
            rel = entry.get("releases", {}).get("bullseye")
            if rel is None:
                continue
            status, fixed = rel.get("status"), rel.get("fixed_version")
            if status == "resolved":
                if fixed not in (None, "0") and dpkg_lt(version, fixed):
                    want.add((binary, cve, "fixed"))
            elif status in ("open", "undetermined"):
                if rel.get("urgency", "").rstrip("*") == "end-of-life":
                    want.add((binary, cve, "end_of_life"))
                elif rel.get("nodsa_reason") == "ignored":
                    want.add((binary, cve, "will_not_fix"))
                else:
                    want.add((binary, cve, "unfixed"))
    return want


def main():
    if not os.path.exists(TRACKER):
        print(f"1..0 # SKIP {TRACKER} is absent")
        return 0
    with open(TRACKER, encoding="utf-8") as f:
        tracker = json.load(f)
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        os.makedirs(os.path.join(root, "etc"))
        os.makedirs(os.path.join(root, "var", "lib", "dpkg"))
        with open(os.path.join(root, "etc", "os-release"), "w") as f:
            f.write('ID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n')
        with open(os.path.join(root, "var", "lib", "dpkg", "status"), "w") as f:
            for binary, src, version in INSTALLED:
                f.write(f"Package: {binary}\nStatus: install ok installed\nArchitecture: amd64\n")
                if src != binary:
                    f.write(f"Source: {src}\n")
                f.write(f"Version: {version}\n\n")
        db = os.path.join(d, "tracker.db")
        b = subprocess.run([CUSTOMS, "db", "build", "-o", db, TRACKER], capture_output=True, text=True)
        if b.returncode != 0:
            print(f"1..1\nnot ok 1 - db build\n# {b.stderr.strip()}")
            return 1
        p = subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--scanners", "vuln", "--db", db,
                            "dir:" + root], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"1..1\nnot ok 1 - customs scan\n# {p.stderr.strip()}")
        return 1
    got = {(v["package"], v["id"], v["status"]) for v in json.loads(p.stdout)["vulnerabilities"]}
    want = reference(tracker)
    print("1..3")
    print(f"{'ok' if len(want) > 20 else 'not ok'} 1 - the reference finds {len(want)} (package, CVE, status)")
    same = got == want
    print(f"{'ok' if same else 'not ok'} 2 - customs reports exactly the reference's set ({len(got)})")
    if not same:
        for row in sorted(want - got)[:20]:
            print(f"# missed: {row}")
        for row in sorted(got - want)[:20]:
            print(f"# extra:  {row}")
    fixed_by = {(v["package"], v["id"]): v["fixed"] for v in json.loads(p.stdout)["vulnerabilities"]}
    ok = all(fixed_by.get((b, c)) and dpkg_lt(dict((x[0], x[2]) for x in INSTALLED)[b], fixed_by[(b, c)])
             for b, c, s in want if s == "fixed")
    print(f"{'ok' if ok else 'not ok'} 3 - every fixed version reported is newer than the installed one")
    return 0 if same and ok and len(want) > 20 else 1


if __name__ == "__main__":
    sys.exit(main())
