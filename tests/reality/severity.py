#!/usr/bin/env python3
"""Severities from real data (TAP). A fixture root filesystem with real Debian buster source
packages at versions before their security fixes (sudo 1.8.27-1+deb10u2, before the fix of
CVE-2021-3156 "Baron Samedit"), scanned against a database built from the Debian security
tracker JSON and the NVD CVE API 2.0 records in ../shared. An independent reference applies
docs/db.md's severity precedence to the same JSON (tracker urgency, then NVD Primary CVSS
v3.1 > v3.0 > v4.0 > v2.0 with NVD's own baseScore, then a CNA's) and must agree on every
finding's severity and source. Then the gate: `--severity HIGH,CRITICAL --exit-code 1` fails on
CVE-2021-3156, says on stderr and in the JSON how many findings it hid and by severity, and
the same gate over a tracker-only database (no NVD) does not see it as HIGH."""
import json
import os
import subprocess
import sys
import tempfile

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SOURCE = os.environ.get("CUSTOMS_SOURCE_ROOT", ".")
UPSTREAM = os.path.join(SOURCE, "..", "shared", "corpus", "vulndb", "upstream")
TRACKER = os.path.join(UPSTREAM, "debian-tracker.json")
NVD = os.path.join(UPSTREAM, "nvd", "nvd-cves-2.0-sample.json")

# binary package, source package, installed version (buster versions before security fixes)
INSTALLED = [
    ("sudo", "sudo", "1.8.27-1+deb10u2"),
    ("libssl1.1", "openssl", "1.1.1d-0+deb10u3"),
    ("libcurl4", "curl", "7.64.0-4+deb10u1"),
    ("zlib1g", "zlib", "1:1.2.11.dfsg-1"),
    ("libexpat1", "expat", "2.2.6-2+deb10u1"),
    ("libxml2", "libxml2", "2.9.4+dfsg1-7+deb10u1"),
]
URGENCY = {"unimportant": "LOW", "low": "LOW", "medium": "MEDIUM", "high": "HIGH"}
ORDER = ["cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2"]


def band(score, v2):
    if v2:
        return "HIGH" if score >= 7 else "MEDIUM" if score >= 4 else "LOW"
    return ("CRITICAL" if score >= 9 else "HIGH" if score >= 7 else "MEDIUM" if score >= 4
            else "LOW")


def expected(urgency, nvd):
    word = URGENCY.get((urgency or "").rstrip("*"))
    if word:
        return word, "debian"
    metrics = (nvd or {}).get("metrics", {})
    for nvd_only in (True, False):
        for key in ORDER:
            for m in metrics.get(key, []):
                if (m["source"] == "nvd@nist.gov") == nvd_only:
                    label = "nvd" if nvd_only else "cna:" + m["source"]
                    return band(m["cvssData"]["baseScore"], key == "cvssMetricV2"), label
    return "UNKNOWN", None


def scan(db, root, *extra):
    return subprocess.run([CUSTOMS, "scan", "--format", "json", "--scanners", "vuln", "--db", db,
                           *extra, "dir:" + root], capture_output=True, text=True)


def main():
    for p in (TRACKER, NVD):
        if not os.path.exists(p):
            print(f"1..0 # SKIP {p} is absent")
            return 0
    with open(TRACKER, encoding="utf-8") as f:
        tracker = json.load(f)
    with open(NVD, encoding="utf-8") as f:
        nvd = {v["cve"]["id"]: v["cve"] for v in json.load(f)["vulnerabilities"]}
    results = []

    def check(ok, name):
        results.append((ok, name))

    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        os.makedirs(os.path.join(root, "etc"))
        os.makedirs(os.path.join(root, "var", "lib", "dpkg"))
        with open(os.path.join(root, "etc", "os-release"), "w") as f:
            f.write('ID=debian\nVERSION_ID="10"\nVERSION_CODENAME=buster\n')
        with open(os.path.join(root, "var", "lib", "dpkg", "status"), "w") as f:
            for binary, src, version in INSTALLED:
                f.write(f"Package: {binary}\nStatus: install ok installed\nArchitecture: amd64\n")
                if src != binary:
                    f.write(f"Source: {src}\n")
                f.write(f"Version: {version}\n\n")
        both, only = os.path.join(d, "both.db"), os.path.join(d, "tracker.db")
        for db, srcs in ((both, [TRACKER, NVD]), (only, [TRACKER])):
            b = subprocess.run([CUSTOMS, "db", "build", "-o", db, *srcs], capture_output=True,
                               text=True)
            if b.returncode != 0:
                print(f"1..1\nnot ok 1 - db build\n# {b.stderr.strip()}")
                return 1
        full = scan(both, root)
        gate = scan(both, root, "--severity", "HIGH,CRITICAL", "--exit-code", "1")
        bare = scan(only, root, "--severity", "HIGH,CRITICAL", "--exit-code", "1")
        # The policy's knownExploited rule acts on the catalogue the NVD records carry.
        kev = {}
        for effect in ("deny", "allow"):
            pol = os.path.join(d, f"kev-{effect}.yaml")
            with open(pol, "w", encoding="utf-8") as f:
                f.write("apiVersion: customs/v1\nkind: Policy\nimages:\n"
                        f"  vulnerabilities: {{deny: [], knownExploited: {effect}}}\n")
            kev[effect] = scan(both, root, "--policy", pol)
    if full.returncode != 0:
        print(f"1..1\nnot ok 1 - customs scan\n# {full.stderr.strip()}")
        return 1
    vulns = json.loads(full.stdout)["vulnerabilities"]
    src_of = {b: s for b, s, _ in INSTALLED}
    wrong = []
    counts = {}
    for v in vulns:
        rel = tracker.get(src_of[v["package"]], {}).get(v["id"], {}).get("releases", {})
        want = expected(rel.get("buster", {}).get("urgency"), nvd.get(v["id"]))
        got = (v["severity"], v["severity_source"])
        counts[got[1]] = counts.get(got[1], 0) + 1
        if got != want:
            wrong.append((v["package"], v["id"], got, want))
    rated = sum(n for k, n in counts.items() if k is not None)
    check(len(vulns) > 20 and rated >= 10,
          f"{len(vulns)} findings, {rated} rated ({', '.join(f'{k}: {n}' for k, n in sorted(counts.items(), key=str))})")
    for row in wrong[:20]:
        print(f"# {row[0]} {row[1]}: customs {row[2]}, reference {row[3]}")
    check(not wrong, "every finding's severity and source agree with the reference precedence")
    sudo = [v for v in vulns if v["id"] == "CVE-2021-3156"]
    check(len(sudo) == 1 and sudo[0]["severity"] == "HIGH" and sudo[0]["severity_source"] == "nvd"
          and any(e["source"] == "nvd@nist.gov" and e["version"] == "3.1" and e["score"] == 7.8
                  for e in sudo[0]["cvss_entries"])
          and sudo[0]["known_exploited"] == "2022-04-06" and sudo[0]["nvd_status"] == "Modified",
          "sudo CVE-2021-3156: HIGH from NVD (3.1, 7.8), known exploited since 2022-04-06")
    g = json.loads(gate.stdout) if gate.stdout else {"vulnerabilities": [], "summary": {}}
    check(gate.returncode == 1 and any(v["id"] == "CVE-2021-3156" for v in g["vulnerabilities"]),
          f"--severity HIGH,CRITICAL --exit-code 1 fails on it (exit {gate.returncode})")
    hidden = {s: sum(1 for v in vulns if v["severity"] == s)
              for s in ("MEDIUM", "LOW", "UNKNOWN")}
    said = ", ".join(f"{n} {s}" for s, n in hidden.items() if n)
    check(g["summary"].get("hidden_by_severity", {}).get("UNKNOWN") == hidden["UNKNOWN"]
          and g["summary"]["hidden_by_severity"].get("MEDIUM") == hidden["MEDIUM"]
          and f"customs: {said} hidden by --severity" in gate.stderr,
          f"the gate says what it hid: {said}")
    b = json.loads(bare.stdout) if bare.stdout else {"vulnerabilities": []}
    check(not any(v["id"] == "CVE-2021-3156" for v in b["vulnerabilities"]),
          "without NVD records the same gate does not see CVE-2021-3156 (tracker urgency unassigned)")
    check(kev["deny"].returncode == 1 and "knownExploited" in kev["deny"].stderr
          and "CVE-2021-3156" in kev["deny"].stderr,
          f"a policy's knownExploited: deny refuses the image for CVE-2021-3156 (exit {kev['deny'].returncode})")
    check(kev["allow"].returncode == 0,
          f"knownExploited: allow with no severity denied lets it pass (exit {kev['allow'].returncode})")
    print(f"1..{len(results)}")
    for i, (ok, name) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
