#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Options from a configuration file and the environment, for every command (TAP).

A root filesystem with libssl3 3.0.7-1 (two vulnerabilities in the fixture tracker: CVE-2023-0286
UNKNOWN and CVE-2024-0001 LOW). Checked:
- customs.yaml in the working directory sets options by their long names (said on stderr); a
  command's section overrides the top level for that command only;
- precedence: a flag beats CUSTOMS_<FLAG>, which beats the file (--format, --severity);
- a list in the file and a comma list in the environment (--severity); a repeatable option's
  comma list is several values (CUSTOMS_SOURCE: two sources served on loopback);
- a boolean option: true in the file, turned off by CUSTOMS_<FLAG>=false (--ignore-unfixed);
- --config FILE and $CUSTOMS_CONFIG name the file; a missing --config file is an error;
- an unknown key, a key of another command in a section, a wrong value kind, a malformed file:
  exit 2 with FILE:LINE:COL; --help still works;
- a value the option refuses names where it was set: the file's FILE:LINE:COL and key
  (`customs.yaml:3:13: severity: ...`, a list's item by its own position), the
  variable (`CUSTOMS_SEVERITY: ...`), the flag only when typed; also a value the library
  checks later (a malformed --skip-dirs/--skip-files glob, --platform);
- a repeatable option's variable is split on commas outside braces (CUSTOMS_SKIP_DIRS with a
  `{a,b}` glob);
- CUSTOMS_DB keeps its meaning (the default database: sbom does not start matching), and beats
  the file's db; stray CUSTOMS_* variables that are no option are ignored.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))
DATA = os.path.join(ROOT, "tests", "data", "vulndb")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CUSTOMS_") or k in ("CUSTOMS_NO_LAYER_CACHE", "CUSTOMS_SANITIZED")}
    env.update(extra)
    return env


def run(cwd, *args, **env):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, cwd=cwd,
                          env=clean_env(**env))


def doc_kind(out):
    try:
        d = json.loads(out)
    except ValueError:
        return None
    if "bomFormat" in d:
        return "cyclonedx"
    if "spdxVersion" in d:
        return "spdx"
    return "json" if d.get("schema") == "customs.report/v1" else None


def vulns(p):
    try:
        return sorted(v["id"] for v in json.loads(p.stdout)["vulnerabilities"])
    except (ValueError, KeyError):
        return f"no report: {p.stdout[:200]} {p.stderr}"


def main():
    print("1..33")
    with tempfile.TemporaryDirectory() as w:
        root = os.path.join(w, "root")
        write(f"{root}/etc/os-release", 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
        write(f"{root}/var/lib/dpkg/status", "Package: libssl3\nStatus: install ok installed\n"
              "Source: openssl\nVersion: 3.0.7-1\nArchitecture: amd64\n\n")
        db = os.path.join(w, "f.db")
        subprocess.run([CUSTOMS, "db", "build", "-o", db, os.path.join(DATA, "tracker.json"),
                        os.path.join(DATA, "osv", "ghsa.json")], check=True, capture_output=True,
                       env=clean_env())
        target = "dir:" + root
        cwd = os.path.join(w, "cwd")
        cfg = os.path.join(cwd, "customs.yaml")

        # ---- the file, sections, precedence ----
        write(cfg, "# team defaults\nformat: spdx\nquiet: true\nsbom:\n  format: cyclonedx\n")
        p = run(cwd, "sbom", target)
        ok(p.returncode == 0 and doc_kind(p.stdout) == "cyclonedx"
           and "customs.yaml" in p.stderr,
           "customs.yaml in the working directory: sbom's section wins over the top level",
           f"{p.returncode} {p.stdout[:100]} {p.stderr}")
        p = run(cwd, "scan", "--scanners", "package", target)
        ok(doc_kind(p.stdout) == "spdx", "scan takes the top-level format (sbom's section is not its)",
           p.stdout[:200] + p.stderr)
        p = run(cwd, "sbom", target, CUSTOMS_FORMAT="json")
        ok(doc_kind(p.stdout) == "json", "CUSTOMS_FORMAT beats the file", p.stdout[:200] + p.stderr)
        p = run(cwd, "sbom", "-f", "spdx", target, CUSTOMS_FORMAT="json")
        ok(doc_kind(p.stdout) == "spdx", "a flag (-f) beats CUSTOMS_FORMAT and the file",
           p.stdout[:200] + p.stderr)

        # ---- lists ----
        scan = ["scan", "-q", "--db", db, "--max-db-age", "0", "-f", "json", target]
        write(cfg, "scan:\n  severity: [LOW]\n")
        p = run(cwd, *scan)
        ok(vulns(p) == ["CVE-2024-0001"], "a list in the file (severity: [LOW])", vulns(p))
        p = run(cwd, *scan, CUSTOMS_SEVERITY="UNKNOWN,LOW")
        ok(vulns(p) == ["CVE-2023-0286", "CVE-2024-0001"],
           "a comma list in CUSTOMS_SEVERITY beats the file's list", vulns(p))
        p = run(cwd, *scan, "--severity", "UNKNOWN", CUSTOMS_SEVERITY="LOW")
        ok(vulns(p) == ["CVE-2023-0286"], "--severity beats CUSTOMS_SEVERITY", vulns(p))

        # ---- booleans ----
        write(cfg, "ignore-unfixed: true\n")
        p = run(cwd, *scan)
        q = run(cwd, *scan, CUSTOMS_IGNORE_UNFIXED="false")
        ok(vulns(p) == ["CVE-2023-0286"] and vulns(q) == ["CVE-2023-0286", "CVE-2024-0001"],
           "ignore-unfixed: true in the file; CUSTOMS_IGNORE_UNFIXED=false turns it off",
           f"{vulns(p)} {vulns(q)}")

        # ---- naming the file ----
        os.remove(cfg)
        other = os.path.join(w, "team.yaml")
        write(other, "format: cyclonedx\n")
        p = run(cwd, "sbom", "-q", "--config", other, target)
        q = run(cwd, "sbom", "-q", target, CUSTOMS_CONFIG=other)
        ok(doc_kind(p.stdout) == "cyclonedx" and doc_kind(q.stdout) == "cyclonedx",
           "--config FILE and CUSTOMS_CONFIG name the file", p.stderr + q.stderr)
        p = run(cwd, "sbom", "-q", "--config", os.path.join(w, "absent.yaml"), target)
        ok(p.returncode == 2 and "absent.yaml" in p.stderr, "a missing --config file: exit 2",
           f"{p.returncode} {p.stderr}")

        # ---- bad files ----
        for name, text, want in [
                ("an unknown key is an error at its position",
                 "format: json\n\nseverty: HIGH\n", "customs.yaml:3:10: unknown key 'severty'"),
                ("a key that is not an option of that section's command",
                 "audit:\n  scanners: vuln\n", "customs.yaml:2:13: unknown key 'scanners'"),
                ("a section that names no command", "policy:\n  level: x\n",
                 "customs.yaml:2:3: 'policy' is not a section"),
                ("a boolean option with a string value", "sbom:\n  quiet: sometimes\n",
                 "customs.yaml:2:10: quiet: expects true or false"),
                ("a malformed file", "format: [json\nquiet: true\n", "customs.yaml:2:6: "),
                ("a file that is not a mapping", "- format\n", "customs.yaml:1:1: expected a mapping")]:
            write(cfg, text)
            p = run(cwd, "sbom", target)
            ok(p.returncode == 2 and want in p.stderr and p.stdout == "",
               f"{name}: exit 2 with FILE:LINE:COL", f"{p.returncode} {p.stderr}")
        p = run(cwd, "sbom", "--help")
        ok(p.returncode == 0 and "--format" in p.stdout, "--help works whatever the file says",
           p.stderr)
        os.remove(cfg)

        # ---- CUSTOMS_DB and stray variables ----
        p = run(cwd, "sbom", "-q", "-f", "json", target, CUSTOMS_DB=db)
        ok(p.returncode == 0 and vulns(p) == [],
           "CUSTOMS_DB keeps its meaning: sbom does not start matching vulnerabilities", vulns(p))
        write(cfg, f"db: {os.path.join(w, 'absent.db')}\n")
        p = run(cwd, "scan", "-q", "--max-db-age", "0", "-f", "json", target, CUSTOMS_DB=db)
        ok(vulns(p) == ["CVE-2023-0286", "CVE-2024-0001"], "CUSTOMS_DB beats the file's db",
           vulns(p))
        os.remove(cfg)
        p = run(cwd, *scan, CUSTOMS_NO_LAYER_CACHE="1", CUSTOMS_NOT_AN_OPTION="x",
                CUSTOMS_ALLOC_COUNT="0", CUSTOMS_TEST_TIME_SCALE="1")
        ok(p.returncode == 0 and vulns(p) == ["CVE-2023-0286", "CVE-2024-0001"],
           "CUSTOMS_* variables that are no option are ignored", vulns(p))

        # ---- a bad value names where it was set ----
        write(cfg, "scan:\n  quiet: true\n  severity: HIHG\n")
        p = run(cwd, *scan)
        ok(p.returncode == 2 and "customs.yaml:3:13: severity: 'HIHG' is not one of" in p.stderr
           and "--severity" not in p.stderr,
           "a bad value in the file: FILE:LINE:COL and the key", p.stderr)
        write(cfg, "")
        p = run(cwd, *scan, CUSTOMS_SEVERITY="HIGH,HIHG")
        ok(p.returncode == 2 and "CUSTOMS_SEVERITY: 'HIHG' is not one of" in p.stderr,
           "a bad value in CUSTOMS_SEVERITY names the variable", p.stderr)
        p = run(cwd, *scan, "--severity", "HIHG")
        ok(p.returncode == 2 and "--severity: 'HIHG' is not one of" in p.stderr,
           "on the command line, the flag is named", p.stderr)
        write(cfg, "audit:\n  exit-code: lots\n")
        p = run(cwd, "audit", cwd)
        r = run(cwd, "scan", "-q", target, CUSTOMS_COLOR="sometimes")
        ok(p.returncode == 2 and "customs.yaml:2:14: exit-code: 'lots' is not an exit code"
           in p.stderr and r.returncode == 2
           and "CUSTOMS_COLOR: 'sometimes' is not auto" in r.stderr,
           "audit's file value and scan's CUSTOMS_COLOR: the place named",
           p.stderr + r.stderr)
        write(cfg, "scan:\n  severity: [HIGH, HIHG]\n")
        p = run(cwd, *scan)
        ok(p.returncode == 2 and "customs.yaml:2:20: severity: 'HIHG' is not one of" in p.stderr,
           "a list value in the file: the bad item's own position and the key", p.stderr)
        write(cfg, "scan:\n  severity:\n    - HIGH\n    - HIHG\n")
        p = run(cwd, *scan)
        ok(p.returncode == 2 and "customs.yaml:4:7: severity: 'HIHG' is not one of" in p.stderr,
           "a block list in the file: the bad item's line, not the list's", p.stderr)

        # ---- a bad value the library checks later still names where it was set ----
        write(cfg, "scan:\n  skip-dirs:\n    - /ok\n    - '/a{b'\n")
        p = run(cwd, *scan)
        ok(p.returncode == 2 and "customs.yaml:4:7: skip-dirs '/a{b': '{' at 3 is not closed"
           in p.stderr and "--skip-dirs" not in p.stderr,
           "a malformed --skip-dirs glob from the file: FILE:LINE:COL of the item", p.stderr)
        write(cfg, "skip-files: '/ok,/a['\n")
        p = run(cwd, *scan)
        ok(p.returncode == 2 and "customs.yaml:1:13: skip-files '/a[': '[' at 3 is not closed"
           in p.stderr, "a malformed glob in a comma list of the file: the value's place",
           p.stderr)
        write(cfg, "")
        p = run(cwd, *scan, CUSTOMS_SKIP_FILES="x,/a[")
        q = run(cwd, *scan, "--skip-files", "x,/a[")
        ok(p.returncode == 2 and "CUSTOMS_SKIP_FILES '/a[': '[' at 3 is not closed" in p.stderr
           and "--skip-files" not in p.stderr and q.returncode == 2 and
           "--skip-files '/a[': '[' at 3 is not closed" in q.stderr,
           "a malformed glob from CUSTOMS_SKIP_FILES names the variable; typed, the flag",
           p.stderr + q.stderr)
        p = run(cwd, *scan, CUSTOMS_PLATFORM="linux")
        ok(p.returncode == 2 and "CUSTOMS_PLATFORM 'linux': expected OS/ARCH" in p.stderr,
           "a malformed --platform from CUSTOMS_PLATFORM names the variable", p.stderr)

        # ---- list variables split on commas outside braces ----
        write(cfg, "")
        write(f"{root}/srv/a/key.pem", "x\n")
        skip = ["scan", "-q", "--scanners", "package", "-f", "json", target]
        p = run(cwd, *skip, CUSTOMS_SKIP_DIRS="/var/{lib,cache},/nowhere")
        q = run(cwd, *skip, "--skip-dirs", "/var/{lib,cache},/nowhere")
        pk = json.loads(p.stdout)["packages"] if p.returncode == 0 else p.stderr
        ok(p.returncode == 0 and pk == [] and q.returncode == 0 and
           json.loads(q.stdout)["packages"] == [],
           "CUSTOMS_SKIP_DIRS='/var/{lib,cache},/nowhere': two globs, as the flag takes them", pk)

        # ---- a repeatable option from a comma list: two sources ----
        served = os.path.join(w, "served")
        os.makedirs(served)
        for src in ("tracker.json", "osv/ghsa.json"):
            with open(os.path.join(DATA, src), "rb") as f, \
                    open(os.path.join(served, os.path.basename(src)), "wb") as g:
                g.write(f.read())

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **k):
                super().__init__(*a, directory=served, **k)

            def log_message(self, *a):
                pass

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{srv.server_address[1]}"
        up = os.path.join(w, "up.db")
        p = run(cwd, "db", "update", "--db", up,
                CUSTOMS_SOURCE=f"tracker={url}/tracker.json,ghsa={url}/ghsa.json")
        info = run(cwd, "db", "info", "--db", up)
        ok(p.returncode == 0 and "sources/tracker.json " in info.stdout and "sources/ghsa.json " in info.stdout,
           "CUSTOMS_SOURCE=a,b is two --source values", p.stderr + info.stdout)
        write(cfg, f"db:\n  update:\n    source:\n      - tracker={url}/tracker.json\n")
        up2 = os.path.join(w, "up2.db")
        p = run(cwd, "db", "update", "--db", up2)
        info = run(cwd, "db", "info", "--db", up2)
        ok(p.returncode == 0 and "sources/tracker.json " in info.stdout and "sources/ghsa.json " not in info.stdout,
           "a repeatable option as a list in db's update section", p.stderr + info.stdout)
        srv.shutdown()
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
