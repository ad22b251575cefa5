#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs scan -` and `customs sbom -`: an image archive read from stdin (TAP).

The debian-like recipe built as a `docker save` archive (classic and Docker 25+) and as an OCI
layout tar, each piped (a pipe, not a seekable file) into `sbom -` and `oci:-` / `docker-archive:-`:
the report equals the one of the file itself (packages, target kind), with "-" as the target's
name; `scan -` gives the same report as the file (a pipe, and `< FILE` read in place); the spool is an unnamed file in $TMPDIR, so nothing is
left there (nor ever named); an archive over --max-total-bytes, empty input, and a terminal as
stdin are clear errors (exit 2). Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
RECIPE = os.path.join(ROOT, "tests", "data", "recipes", "debian-like.json")


def run(args, data=None, env=None):
    return subprocess.run([CUSTOMS, *args], input=data, capture_output=True, env=env)


def summary(p):
    d = json.loads(p.stdout)
    return (d["target"]["name"], d["target"]["kind"],
            sorted((x["name"], x["version"]) for x in d["packages"]))


def main():
    print("1..11")
    with tempfile.TemporaryDirectory() as w:
        spool = os.path.join(w, "tmp")
        os.makedirs(spool)
        env = dict(os.environ, TMPDIR=spool)
        images = {}
        for fmt in ("docker-archive", "docker-oci", "oci-tar"):
            path = os.path.join(w, fmt + ".tar")
            subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                            RECIPE, "--format", fmt, "--out", path], check=True,
                           stdout=subprocess.DEVNULL)
            with open(path, "rb") as f:
                images[fmt] = (path, f.read())
        for fmt, (path, data) in images.items():
            want = summary(run(["sbom", "-q", "--format", "json", path]))
            p = run(["sbom", "-q", "--format", "json", "-"], data, env)
            got = summary(p) if p.returncode == 0 else p.stderr.decode()
            ok(p.returncode == 0 and got == ("-",) + want[1:] and len(want[2]) > 0,
               f"sbom - ({fmt} piped): the file's packages and kind, named '-'",
               f"{got}\nwant {want}")
        path, data = images["oci-tar"]
        p = run(["sbom", "-q", "--format", "json", "oci:-"], data, env)
        ok(p.returncode == 0 and summary(p)[1] == "oci", "oci:- reads an OCI layout tar",
           p.stderr.decode())
        path, data = images["docker-archive"]
        p = run(["sbom", "-q", "--format", "json", "docker-archive:-"], data, env)
        ok(p.returncode == 0 and summary(p)[1] == "docker-archive",
           "docker-archive:- reads a docker save archive", p.stderr.decode())
        scan = ["scan", "-q", "--scanners", "package,secret,config", "--format", "json"]
        # the file's report, with the target named "-" as a piped one is (name, config findings)
        a = json.loads(run(scan + [path]).stdout.replace(json.dumps(path).encode(), b'"-"'))
        p = run(scan + ["-"], data, env)
        b = json.loads(p.stdout) if p.returncode == 0 else {}
        ok(b and a == b and a["packages"], "scan - reports exactly what a scan of the file does",
           p.stderr.decode())
        with open(path, "rb") as f:
            p = subprocess.run([CUSTOMS, *scan, "-"], stdin=f, capture_output=True, env=env)
        c = json.loads(p.stdout) if p.returncode == 0 else {}
        ok(c == a, "scan - < FILE (a regular file) is read in place, the same report",
           p.stderr.decode())
        ok(os.listdir(spool) == [], "nothing is left in $TMPDIR (the spool never had a name)",
           os.listdir(spool))
        p = run(["sbom", "-q", "--max-total-bytes", "4096", "-"], data, env)
        ok(p.returncode == 2 and b"stdin: larger than 4096 bytes (--max-total-bytes)" in p.stderr,
           "an archive over --max-total-bytes is refused while it is read", p.stderr.decode())
        p = run(["sbom", "-q", "-"], b"", env)
        ok(p.returncode == 2 and b"stdin: empty" in p.stderr, "empty stdin is an error",
           p.stderr.decode())
        tty = None
        try:
            tty = os.open("/dev/tty", os.O_RDWR)
        except OSError:
            pass
        if tty is None:
            ok(True, "# SKIP no terminal to give as stdin")
        else:
            p = subprocess.run([CUSTOMS, "sbom", "-q", "-"], stdin=tty, capture_output=True,
                               env=env, timeout=60)
            os.close(tty)
            ok(p.returncode == 2 and b"stdin is a terminal" in p.stderr,
               "a terminal as stdin is refused at once", p.stderr.decode())
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
