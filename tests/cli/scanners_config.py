#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`scan --scanners config DIR` audits the configuration files in DIR; `audit --severity` takes a
list (TAP).

A project directory holding a Dockerfile, a Compose file and a Kubernetes Deployment (the
fixtures of tests/misconfig/data), a README, and a YAML file that does not parse. Checked:
- `customs audit DIR -f json` finds misconfigurations in all three files (so the cases below
  can fail);
- `customs scan --scanners config -f json dir:DIR` reports the same findings (check, file, line,
  column, severity) among its misconfigurations, in scan's report format; the file that does
  not parse is a warning, not a failure;
- `--exit-code 3` exits 3 on them; `.customsignore` suppresses one by check id (it is listed
  under `suppressed`), as for every finding kind of scan; SARIF carries them as results;
- `audit --severity HIGH,CRITICAL` reports exactly those severities, `--severity LOW,CRITICAL`
  leaves MEDIUM and HIGH out, a single severity stays a threshold;
- `audit --severity HIGH,BOGUS` is a usage error.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))
FIXTURES = os.path.join(ROOT, "tests", "misconfig", "data")


def run(cwd, *args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, cwd=cwd)


def load(p):
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {}


def main():
    print("1..12")
    with tempfile.TemporaryDirectory() as w:
        proj = os.path.join(w, "proj")
        os.makedirs(os.path.join(proj, "deploy"))
        shutil.copy(os.path.join(FIXTURES, "docker", "Dockerfile"), proj)
        shutil.copy(os.path.join(FIXTURES, "docker", "docker-compose.yml"), proj)
        shutil.copy(os.path.join(FIXTURES, "bad-deployment.yaml"), os.path.join(proj, "deploy"))
        with open(os.path.join(proj, "README.md"), "w", encoding="utf-8") as f:
            f.write("# a project\n")
        with open(os.path.join(proj, "deploy", "broken.yaml"), "w", encoding="utf-8") as f:
            f.write("a: [\n")
        cwd = os.path.join(w, "cwd")
        os.makedirs(cwd)

        a = run(cwd, "audit", "-f", "json", "--exit-code", "0", proj)
        audit = sorted((f["check"], f["file"], f["line"], f["column"], f["severity"])
                       for f in load(a).get("findings", []))
        files = {os.path.relpath(f[1], proj) for f in audit}
        ok(files == {"Dockerfile", "docker-compose.yml", "deploy/bad-deployment.yaml"},
           "audit finds misconfigurations in the Dockerfile, the Compose file and the manifest",
           f"{files}\n{a.stderr}")

        s = run(cwd, "scan", "-q", "--scanners", "config", "-f", "json", "dir:" + proj)
        d = load(s)
        mine = sorted((m["check"], m["file"], m["line"], m["column"], m["severity"])
                      for m in d.get("misconfigurations", []) if m.get("file"))
        ok(s.returncode == 0 and mine == audit,
           "scan --scanners config DIR reports audit's findings (check, file, line, column,"
           " severity)", f"{s.returncode}\nscan:  {mine}\naudit: {audit}\n{s.stderr}")
        ok("broken.yaml" in s.stderr and "warning" in s.stderr and "not audited" in s.stderr,
           "a file that does not parse is a warning naming it", s.stderr)

        s = run(cwd, "scan", "-q", "--scanners", "config", "-f", "json", "--exit-code", "3",
                "dir:" + proj)
        ok(s.returncode == 3, "--exit-code 3 exits 3 on them", f"{s.returncode} {s.stderr}")

        first = audit[0][0]
        with open(os.path.join(cwd, ".customsignore"), "w", encoding="utf-8") as f:
            f.write(first + "\n")
        s = run(cwd, "scan", "-q", "--scanners", "config", "-f", "json", "dir:" + proj)
        d = load(s)
        left = [m["check"] for m in d.get("misconfigurations", []) if m.get("file")]
        sup = [x["id"] for x in d.get("suppressed", []) if x.get("kind") == "misconfiguration"]
        ok(first not in left and first in sup and len(left) == len(
            [f for f in audit if f[0] != first]),
           f".customsignore suppresses {first} (listed under suppressed)", f"{left} {sup}")
        os.remove(os.path.join(cwd, ".customsignore"))

        s = run(cwd, "scan", "-q", "--scanners", "config", "-f", "sarif", "dir:" + proj)
        results = load(s).get("runs", [{}])[0].get("results", [])
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in results if r.get("locations")}
        ok(any(u.endswith("Dockerfile") for u in uris)
           and any(u.endswith("bad-deployment.yaml") for u in uris),
           "SARIF carries them as results with their files", uris)

        s = run(cwd, "scan", "-q", "--scanners", "config", "-f", "table", "dir:" + proj)
        where = f"{audit[0][1]}:{audit[0][2]}"
        ok("LOCATION" in s.stdout and where in s.stdout,
           f"the table shows each finding's FILE:LINE ({where})", s.stdout[-800:])

        sevs = sorted({f[4] for f in audit})
        ok(len(sevs) >= 3, "the fixtures have findings of at least three severities", sevs)
        a = run(cwd, "audit", "-f", "json", "--severity", "HIGH,CRITICAL", proj)
        got = sorted({f["severity"] for f in load(a).get("findings", [])})
        ok(got == [s for s in sevs if s in ("HIGH", "CRITICAL")],
           "audit --severity HIGH,CRITICAL: exactly those", f"{got} {a.returncode} {a.stderr}")
        a = run(cwd, "audit", "-f", "json", "--severity", "LOW,CRITICAL", proj)
        got = sorted({f["severity"] for f in load(a).get("findings", [])})
        ok(got == [s for s in sevs if s in ("LOW", "CRITICAL")],
           "audit --severity LOW,CRITICAL leaves MEDIUM and HIGH out", got)
        a = run(cwd, "audit", "-f", "json", "--severity", "MEDIUM", proj)
        got = sorted({f["severity"] for f in load(a).get("findings", [])})
        ok(got == [s for s in sevs if s in ("MEDIUM", "HIGH", "CRITICAL")],
           "a single severity stays a threshold (MEDIUM and above)", got)
        a = run(cwd, "audit", "--severity", "HIGH,BOGUS", proj)
        ok(a.returncode == 2 and "'BOGUS'" in a.stderr, "an unknown severity in a list: exit 2",
           f"{a.returncode} {a.stderr}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
