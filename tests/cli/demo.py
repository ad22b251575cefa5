#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""What `make demo` shows (TAP): the demo image (demo/recipe.json) scanned with the database
built from demo/vulndb/osv, as the Makefile does.
- every language ecosystem of the image has data (no "no-data" coverage line for npm or pypi);
- the npm packages known vulnerable are found so: lodash 4.17.20, axios 0.21.1, minimist
  1.2.5, follow-redirects 1.14.0, each with its advisory's own severity (GHSA);
- with --severity HIGH,CRITICAL the UNKNOWN findings left out are counted on stderr
  ("N UNKNOWN hidden by --severity") and in JSON (summary.hidden_by_severity);
- the Debian packages, for which the demo has no data, are a coverage problem that fails the
  gate with --exit-code (and --allow-uncovered accepts it).
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))
NPM = {"lodash": ("4.17.20", "GHSA-35jh-r3h4-6jhm", "HIGH"),
       "axios": ("0.21.1", "GHSA-cph5-m8f7-6c5x", "HIGH"),
       "minimist": ("1.2.5", "GHSA-xvch-5gv4-984h", "CRITICAL"),
       "follow-redirects": ("1.14.0", "GHSA-74fj-2j2h-c42q", "HIGH")}


def scan(d, *args):
    return subprocess.run([CUSTOMS, "scan", "--max-db-age", "0", "--db", f"{d}/demo.db",
                           *args, f"oci:{d}/ledger"], capture_output=True, text=True)


def main():
    print("1..5")
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                        os.path.join(ROOT, "demo", "recipe.json"), "--format", "oci-dir",
                        "--out", os.path.join(d, "ledger")], check=True, capture_output=True)
        subprocess.run([CUSTOMS, "db", "build", "-o", f"{d}/demo.db",
                        os.path.join(ROOT, "demo", "vulndb", "osv")], check=True,
                       capture_output=True)
        p = scan(d, "-q", "-f", "json")
        rep = json.loads(p.stdout) if p.stdout else {}
        eco = {c["ecosystem"]: c["status"]
               for c in rep.get("coverage", {}).get("ecosystems", [])}
        ok(p.returncode == 0 and eco.get("npm") == "covered" and eco.get("pypi") == "covered",
           "every language ecosystem of the demo image has data", eco)
        found = {}
        for v in rep.get("vulnerabilities", []):
            ids = [v["id"], *(v.get("aliases") or [])]
            for name, (ver, ghsa, sev) in NPM.items():
                if v.get("package") == name and v.get("installed") == ver and ghsa in ids:
                    found[name] = v.get("severity")
        want = {n: s for n, (_, _, s) in NPM.items()}
        ok(found == want, "lodash, axios, minimist and follow-redirects are found vulnerable, "
           "each with the advisory's severity", f"found {found}, want {want}")
        unknown = sum(1 for v in rep.get("vulnerabilities", []) if v["severity"] == "UNKNOWN")
        g = scan(d, "-f", "json", "--severity", "HIGH,CRITICAL")
        gr = json.loads(g.stdout) if g.stdout else {}
        hidden = gr.get("summary", {}).get("hidden_by_severity", {})
        ok(unknown > 0 and hidden.get("UNKNOWN") == unknown and
           f"{unknown} UNKNOWN" in g.stderr and "hidden by --severity" in g.stderr,
           "--severity HIGH,CRITICAL: the UNKNOWN left out counted on stderr and in JSON",
           f"{unknown} UNKNOWN; JSON {hidden}; stderr {g.stderr}")
        ok(all(v["severity"] in ("HIGH", "CRITICAL") for v in gr.get("vulnerabilities", []))
           and gr.get("vulnerabilities"), "what --severity keeps is only HIGH and CRITICAL",
           [v["severity"] for v in gr.get("vulnerabilities", [])])
        e = scan(d, "-q", "--scanners", "vuln", "--severity", "CRITICAL", "--ignore-unfixed",
                 "-f", "json", "--exit-code", "3")
        a = scan(d, "-q", "--scanners", "vuln", "--severity", "LOW", "-f", "json",
                 "--exit-code", "3", "--allow-uncovered")
        ok(e.returncode == 3 and a.returncode == 0,
           "no Debian data: --exit-code 3 fails on the coverage problem; --allow-uncovered "
           "accepts it when nothing else is left", f"{e.returncode} {a.returncode} "
           f"{e.stderr} {a.stderr}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
