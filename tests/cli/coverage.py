#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""No silent "clean" (TAP): a scan compares the image with what the vulnerability database
covers, and an incomplete result fails --exit-code unless --allow-uncovered accepts it.

- a Debian 12 image (tests/data/recipes/debian-like.json) against a database built from the real
  Debian tracker JSON in ../shared, which has no bookworm data: `no-data` for debian:bookworm
  (naming the releases the database has), and for npm and pypi; exit N; the table never says
  "0 vulnerabilities"; the JSON validates against docs/report.schema.json;
- --allow-uncovered: exit 0, the same problems still reported (JSON and stderr);
- a tracker file whose modification time is 30 days old is data 30 days old (never the build
  time): `stale` under the default --max-db-age 7, covered under --max-db-age 60;
- the same image against fixture data covering all three ecosystems, --max-db-age 0: complete,
  exit 0;
- a Debian 10 root filesystem (past its end of life, 2024-06-30): an `eol` problem, exit N;
- a dpkg status over --max-file-size: the scan is `incomplete` (path and reason), exit N.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
DATA = os.path.join(ROOT, "tests", "data", "vulndb")
TRACKER = os.path.join(ROOT, "..", "shared", "corpus", "vulndb", "upstream", "debian-tracker.json")
SCHEMA = os.path.join(ROOT, "docs", "report.schema.json")
TESTS = 13


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True)


def build_db(path, *sources):
    p = run("db", "build", "-o", path, *sources)
    if p.returncode != 0:
        raise SystemExit(f"Bail out! db build failed: {p.stderr}")


def scan(db, target, *extra, fmt="json"):
    p = run("scan", "-q", "--db", db, "--scanners", "package,vuln", "--format", fmt, *extra,
            target)
    report = json.loads(p.stdout) if fmt == "json" and p.stdout.startswith("{") else None
    return p, report


def problems(report):
    return {(x["kind"], x["subject"]) for x in ((report or {}).get("coverage") or {})
            .get("problems", [])}


def schema_errors(doc, d):
    path = os.path.join(d, "report.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "validate_json.py"),
                        "--schema", SCHEMA, path], capture_output=True, text=True)
    return p.returncode, p.stderr


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    print(f"1..{TESTS}")
    with tempfile.TemporaryDirectory() as d:
        image = os.path.join(d, "debian-like.tar")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                        os.path.join(ROOT, "tests", "data", "recipes", "debian-like.json"),
                        "--format", "docker-archive", "--out", image], check=True,
                       stdout=subprocess.DEVNULL)

        # ---- the real tracker JSON has no bookworm: a Debian 12 image is not covered ----
        if not os.path.exists(TRACKER):
            for _ in range(4):
                ok(True, "# SKIP ../shared/corpus/vulndb/upstream/debian-tracker.json is missing")
        else:
            real = os.path.join(d, "real.db")
            build_db(real, TRACKER)
            p, rep = scan(real, image, "--exit-code", "4")
            want = {("no-data", "debian:bookworm"), ("no-data", "npm"), ("no-data", "pypi")}
            msg = next((x["message"] for x in rep["coverage"]["problems"]
                        if x["subject"] == "debian:bookworm"), "") if rep else ""
            ok(p.returncode == 4 and rep is not None and problems(rep) == want
               and rep["coverage"]["complete"] is False and "debian:bullseye" in msg
               and rep["vulnerabilities"] == [] and rep["summary"]["coverage_problems"] == 3,
               "Debian 12 image, database without bookworm: no-data for debian:bookworm, npm and"
               " pypi; --exit-code 4 exits 4", f"rc {p.returncode}\n{p.stderr}\n"
               f"{json.dumps((rep or {}).get('coverage'), indent=1)}")
            rc, errors = schema_errors(rep, d)
            ok(rc == 0, "the report with its coverage section validates against"
               " docs/report.schema.json", errors)
            t, _ = scan(real, image, "--exit-code", "4", fmt="table")
            ok(t.returncode == 4 and "0 vulnerabilities" not in t.stdout
               and "not every package could be checked" in t.stdout
               and "INCOMPLETE: 3 coverage problems" in t.stdout
               and "no-data: 6 debian:bookworm packages not checked" in t.stdout
               and "coverage: no-data: 6 debian:bookworm packages not checked" in t.stderr,
               "the table never says 0 vulnerabilities for it; table and stderr name what was"
               " not checked", t.stdout + t.stderr)
            a, arep = scan(real, image, "--exit-code", "4", "--allow-uncovered")
            ok(a.returncode == 0 and problems(arep) == want
               and "accepted by --allow-uncovered" in a.stderr,
               "--allow-uncovered: exit 0, the problems still reported", a.stderr)

        # ---- a feed without dates is as old as its file, not as the build ----
        old = os.path.join(d, "old", "tracker.json")
        os.makedirs(os.path.dirname(old))
        shutil.copyfile(os.path.join(DATA, "tracker.json"), old)
        thirty_days_ago = time.time() - 30 * 86400
        os.utime(old, (thirty_days_ago, thirty_days_ago))
        stale_db = os.path.join(d, "stale.db")
        build_db(stale_db, old, os.path.join(DATA, "osv", "ghsa.json"))
        info = run("db", "info", "--db", stale_db)
        day = time.strftime("%Y-%m-%d", time.gmtime(thirty_days_ago))
        ok(info.returncode == 0 and f"data {day}" in info.stdout and "(file-mtime)" in info.stdout
           and any(line.split()[:1] == ["debian:bookworm"] and f"data {day}" in line
                   for line in info.stdout.splitlines()),
           "db info dates the tracker (and its debian:bookworm coverage) by its file, 30 days old",
           info.stdout)
        p, rep = scan(stale_db, image, "--exit-code", "5")
        items = {c["ecosystem"]: c for c in (rep or {}).get("coverage", {}).get("ecosystems", [])}
        deb = items.get("debian:bookworm", {})
        ok(p.returncode == 5 and deb.get("status") == "stale" and deb.get("age_days") in (29, 30, 31)
           and ("stale", "debian:bookworm") in problems(rep),
           "data 30 days old is stale under the default --max-db-age 7: exit 5",
           json.dumps(items, indent=1))
        p, rep = scan(stale_db, image, "--exit-code", "5", "--max-db-age", "60")
        deb = {c["ecosystem"]: c for c in rep["coverage"]["ecosystems"]}.get("debian:bookworm", {})
        ok(deb.get("status") == "covered" and ("stale", "debian:bookworm") not in problems(rep),
           "--max-db-age 60 accepts it", json.dumps(rep["coverage"], indent=1))

        # ---- covered: every ecosystem of the image has data; no age limit ----
        fresh = os.path.join(d, "fixtures.db")
        build_db(fresh, os.path.join(DATA, "tracker.json"), os.path.join(DATA, "osv", "ghsa.json"))
        p, rep = scan(fresh, image, "--exit-code", "6", "--max-db-age", "0")
        ok(p.returncode == 0 and rep["coverage"]["complete"] is True
           and rep["coverage"]["problems"] == []
           and sorted(c["ecosystem"] for c in rep["coverage"]["ecosystems"]
                      if c["status"] == "covered") == ["debian:bookworm", "npm", "pypi"]
           and p.stderr == "",
           "every ecosystem covered, --max-db-age 0: complete, exit 0, nothing on stderr",
           p.stderr + json.dumps(rep["coverage"], indent=1))
        t, _ = scan(fresh, image, "--max-db-age", "0", fmt="table")
        ok("every package was checked (no limit on the data's age)" in t.stdout
           and "0 vulnerabilities" in t.stdout,
           "then the table may say 0 vulnerabilities", t.stdout)

        # ---- a release past its end of life ----
        root = os.path.join(d, "buster")
        write(f"{root}/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nID=debian\n'
              'VERSION_ID="10"\nVERSION_CODENAME=buster\n')
        write(f"{root}/var/lib/dpkg/status", "Package: zlib1g\nStatus: install ok installed\n"
              "Version: 1:1.2.11.dfsg-1+deb10u2\nArchitecture: amd64\n\n")
        p, rep = scan(fresh, "dir:" + root, "--exit-code", "7", "--max-db-age", "0")
        eol = [x for x in (rep or {}).get("coverage", {}).get("problems", []) if x["kind"] == "eol"]
        ok(p.returncode == 7 and len(eol) == 1 and eol[0]["subject"] == "debian 10"
           and "2024-06-30" in eol[0]["message"] and rep["os"]["eol_reached"] is True,
           "Debian 10 (end of life 2024-06-30): an eol problem, exit 7",
           f"rc {p.returncode}\n{p.stderr}\n{json.dumps((rep or {}).get('coverage'), indent=1)}")
        p, rep = scan(fresh, "dir:" + root, "--exit-code", "7", "--max-db-age", "0",
                      "--allow-uncovered")
        ok(p.returncode == 0 and "coverage: eol: debian 10 reached the end" in p.stderr,
           "--allow-uncovered accepts it and still says so on stderr", p.stderr)

        # ---- incomplete: a package database over --max-file-size (exit 0 before) ----
        big = os.path.join(d, "big")
        write(f"{big}/etc/os-release", 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
        write(f"{big}/var/lib/dpkg/status", "".join(
            f"Package: pkg{i}\nStatus: install ok installed\nVersion: 1.{i}\n"
            "Architecture: amd64\n\n" for i in range(100)))
        p = run("scan", "-q", "--scanners", "package", "--format", "json", "--max-file-size",
                "1024", "--exit-code", "3", "dir:" + big)
        rep = json.loads(p.stdout) if p.stdout.startswith("{") else {}
        inc = [x for x in (rep.get("coverage") or {}).get("problems", [])
               if x["kind"] == "incomplete"]
        ok(p.returncode == 3 and len(inc) == 1 and "var/lib/dpkg/status" in inc[0]["subject"]
           and "--max-file-size" in inc[0]["message"] and rep["coverage"]["complete"] is False
           and "coverage: incomplete:" in p.stderr,
           "a dpkg status over --max-file-size makes the scan incomplete: exit 3 with what was"
           " skipped and why", f"rc {p.returncode}\n{p.stderr}\n{json.dumps(rep.get('coverage'))}")
        p = run("scan", "-q", "--scanners", "package", "--format", "json", "--max-file-size",
                "1024", "--exit-code", "3", "--allow-uncovered", "dir:" + big)
        ok(p.returncode == 0, "--allow-uncovered accepts it", p.stderr)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
