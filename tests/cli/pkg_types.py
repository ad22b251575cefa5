#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""--pkg-types os,library: which packages are inventoried and matched (TAP).

- The debian-like recipe image (tests/data/recipes, built by tests/support/mkimage.py as a
  `docker save` archive): `sbom` lists deb and npm packages; `--pkg-types os` only the debs,
  `--pkg-types library` only the npm ones, `os,library` both, exactly as many as the default;
- the node application bench image (build/bench-images/docker-archive/node-app.tar, a
  debootstrapped Debian 12 with a node app; skipped when not built) the same way;
- matching: a root filesystem with libssl3 3.0.7-1 (two fixture tracker CVEs) and npm
  example-lib 1.0.0 (a fixture GHSA): `scan --pkg-types os` reports only the deb's
  vulnerabilities, `library` only the GHSA; CUSTOMS_PKG_TYPES does the same;
- an unknown type is a usage error (exit 2).
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT, CUSTOMS_BUILD_ROOT."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("CUSTOMS_BUILD_ROOT") or os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))
DATA = os.path.join(ROOT, "tests", "data", "vulndb")
OS_TYPES = {"deb", "apk", "rpm"}


def run(*args, **env):
    e = dict(os.environ)
    e.update(env)
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, env=e)


def types(p):
    try:
        pk = json.loads(p.stdout)["packages"]
    except (ValueError, KeyError):
        return None
    counts = {}
    for x in pk:
        counts[x["type"]] = counts.get(x["type"], 0) + 1
    return counts


def check_image(label, target):
    everything = types(run("sbom", "-q", "-f", "json", target))
    osonly = types(run("sbom", "-q", "-f", "json", "--pkg-types", "os", target))
    lib = types(run("sbom", "-q", "-f", "json", "--pkg-types", "library", target))
    both = types(run("sbom", "-q", "-f", "json", "--pkg-types", "os,library", target))
    ok(everything is not None and any(t in OS_TYPES for t in everything)
       and any(t not in OS_TYPES for t in everything),
       f"{label}: the default inventory holds OS packages and libraries", everything)
    ok(osonly == {t: n for t, n in (everything or {}).items() if t in OS_TYPES},
       f"{label}: --pkg-types os lists exactly the OS packages", f"{osonly} of {everything}")
    ok(lib == {t: n for t, n in (everything or {}).items() if t not in OS_TYPES},
       f"{label}: --pkg-types library lists exactly the libraries", f"{lib} of {everything}")
    ok(both == everything, f"{label}: os,library is the default", both)


def main():
    print("1..13")
    with tempfile.TemporaryDirectory() as w:
        image = os.path.join(w, "debian-like.tar")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                        os.path.join(ROOT, "tests", "data", "recipes", "debian-like.json"),
                        "--format", "docker-archive", "--out", image], check=True)
        check_image("debian-like recipe", "docker-archive:" + image)
        bench = os.path.join(BUILD, "bench-images", "docker-archive", "node-app.tar")
        if os.path.exists(bench):
            check_image("node-app bench image", "docker-archive:" + bench)
        else:
            for _ in range(4):
                TAP.n += 1
                print(f"ok {TAP.n} # SKIP {bench} not built (../shared/bench/make-images.sh)")

        root = os.path.join(w, "root")
        for path, text in [
                ("etc/os-release", 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'),
                ("var/lib/dpkg/status", "Package: libssl3\nStatus: install ok installed\n"
                 "Source: openssl\nVersion: 3.0.7-1\nArchitecture: amd64\n\n"),
                ("app/node_modules/example-lib/package.json",
                 '{"name": "example-lib", "version": "1.0.0"}\n')]:
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                f.write(text)
        db = os.path.join(w, "f.db")
        subprocess.run([CUSTOMS, "db", "build", "-o", db, os.path.join(DATA, "tracker.json"),
                        os.path.join(DATA, "osv", "ghsa.json")], check=True, capture_output=True)
        scan = ["scan", "-q", "--db", db, "--max-db-age", "0", "-f", "json", "dir:" + root]

        def vulns(p):
            try:
                return sorted(v["id"] for v in json.loads(p.stdout)["vulnerabilities"])
            except (ValueError, KeyError):
                return f"no report: {p.stdout[:200]} {p.stderr}"

        deb = ["CVE-2023-0286", "CVE-2024-0001"]
        ghsa = ["CVE-2023-11111"]  # GHSA-aaaa-bbbb-cccc, named by its CVE alias
        p = run(*scan)
        ok(vulns(p) == sorted(deb + ghsa), "the default matches both kinds", vulns(p))
        p = run(*scan, "--pkg-types", "os")
        ok(vulns(p) == deb, "--pkg-types os: only the deb's vulnerabilities", vulns(p))
        p = run(*scan, "--pkg-types", "library")
        ok(vulns(p) == ghsa, "--pkg-types library: only the npm library's", vulns(p))
        p = run(*scan, CUSTOMS_PKG_TYPES="library")
        ok(vulns(p) == ghsa, "CUSTOMS_PKG_TYPES=library does the same", vulns(p))
        p = run(*scan, "--pkg-types", "os,gems")
        ok(p.returncode == 2 and "unknown package type 'gems'" in p.stderr,
           "an unknown type: exit 2", f"{p.returncode} {p.stderr}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
