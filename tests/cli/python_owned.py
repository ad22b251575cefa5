#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Python distributions the OS package manager installed are OS packages (TAP).

tests/data/debian-python is an excerpt of a real Debian 12 root: dpkg's status stanzas and file
lists of python3-cryptography and python3-six, and the metadata they installed under
/usr/lib/python3/dist-packages (python3-cryptography ships both cryptography-38.0.4.dist-info and
cryptography.egg-info). The same METADATA pip-installed under /usr/local is not Debian's.
Against PyPI's real advisories (../shared/corpus/vulndb/upstream/osv/PyPI/all.zip), only the
pip-installed copy is matched: Debian's is matched against Debian's advisories, as its deb.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SOURCE = os.environ.get("CUSTOMS_SOURCE_ROOT", ".")
ROOT = os.path.join(SOURCE, "tests", "data", "debian-python")
PYPI = os.path.join(SOURCE, "..", "shared", "corpus", "vulndb", "upstream", "osv", "PyPI",
                    "all.zip")
DEBIAN_SITE = "/usr/lib/python3/dist-packages/"
LOCAL_SITE = "/usr/local/lib/python3.11/dist-packages/"


def run(*args):
    p = subprocess.run([CUSTOMS, *args], capture_output=True, text=True)
    try:
        report = json.loads(p.stdout) if p.stdout else None
    except ValueError:
        report = None
    return p, report


def main():
    print("1..6")
    p, report = run("sbom", "-q", "--format", "json", "dir:" + ROOT)
    pkgs = report["packages"] if report else []
    pypi = [(x["name"], x["path"], x["os_package"]) for x in pkgs if x["type"] == "pypi"]
    detail = f"exit {p.returncode}: {p.stderr}\n{pypi}"
    crypto = [x for x in pypi if x[0] == "cryptography" and x[1].startswith(DEBIAN_SITE)]
    ok(len(crypto) == 1, "cryptography's .dist-info and .egg-info are one package", detail)
    ok(crypto and crypto[0][1].endswith(".dist-info/METADATA")
       and crypto[0][2] == "python3-cryptography",
       "it is python3-cryptography's (dpkg's file list), recorded from its .dist-info", detail)
    ok(("six", DEBIAN_SITE + "six-1.16.0.egg-info/PKG-INFO", "python3-six") in pypi,
       "an .egg-info directory a deb installed is that deb's", detail)
    ok(("cryptography", LOCAL_SITE + "cryptography-38.0.4.dist-info/METADATA", None) in pypi,
       "the pip-installed copy under /usr/local is no OS package's", detail)
    if not os.path.isfile(PYPI):
        for what in ("PyPI advisories match the pip-installed copy",
                     "and never the distributions dpkg installed"):
            TAP.n += 1
            print(f"ok {TAP.n} # SKIP {what}: ../shared/corpus/vulndb/upstream/osv/PyPI/all.zip "
                  "is absent")
        return 0
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "pypi.db")
        b = subprocess.run([CUSTOMS, "db", "build", "-o", db, PYPI], capture_output=True,
                           text=True)
        p, report = run("scan", "-q", "--format", "json", "--scanners", "vuln", "--db", db,
                        "dir:" + ROOT)
        vulns = report["vulnerabilities"] if report else []
        where = sorted({(v["package"], v["path"]) for v in vulns})
        detail = f"db build exit {b.returncode}: {b.stderr[-500:]}\nscan exit {p.returncode}: " \
                 f"{p.stderr}\n{where}"
        ok(("cryptography", LOCAL_SITE + "cryptography-38.0.4.dist-info/METADATA") in where,
           "PyPI advisories match the pip-installed copy", detail)
        ok(report is not None and not any(path.startswith(DEBIAN_SITE) for _, path in where),
           "and never the distributions dpkg installed", detail)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(1 if TAP.failed else 0)
