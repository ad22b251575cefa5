#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs scan -` and `customs sbom -`: an image archive read from stdin (TAP).

The debian-like recipe built as a `docker save` archive (classic and Docker 25+) and as an OCI
layout tar, each piped (a pipe, not a seekable file) into `sbom -` and `oci:-` / `docker-archive:-`:
the report equals the one of the file itself (packages, target kind), with "-" as the target's
name; `scan -` gives the same report as the file (a pipe, and `< FILE` read in place); the spool is an unnamed file in $TMPDIR, so nothing is
left there (nor ever named); an archive over --max-total-bytes, empty input, and a terminal as
stdin are clear errors (exit 2). An archive of several images on stdin (debian-like and
alpine-like merged, as `docker save A B` and as an OCI layout tar) takes the selectors a file
takes, after the `-`: `docker-archive:-:REPO:TAG`, `docker-archive:-:@N`, `oci:-:REF`,
`oci:-:@N`, `oci:-:sha256:HEX`; without one it is listed (exit 2) naming each image as
`docker-archive:-:SEL`, never by the spool's /proc path; a selector naming nothing is refused
listing the images; `--all-images` scans each, named `-:SEL`, and refuses a selector.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
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


def os_id(p):
    return json.loads(p.stdout)["os"]["id"] if p.returncode == 0 else p.stderr.decode()


def multi_image(w, env):
    """Selectors and --all-images on an archive of two images piped into stdin."""
    two = {}
    for fmt in ("docker-archive", "oci-tar"):
        parts = []
        for recipe in ("debian-like", "alpine-like"):
            path = os.path.join(w, f"{recipe}-{fmt}.tar")
            subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                            os.path.join(ROOT, "tests", "data", "recipes", recipe + ".json"),
                            "--format", fmt, "--out", path], check=True,
                           stdout=subprocess.DEVNULL)
            parts.append(path)
        two[fmt] = os.path.join(w, f"two-{fmt}.tar")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                        "--merge", two[fmt], *parts], check=True, stdout=subprocess.DEVNULL)
        with open(two[fmt], "rb") as f:
            two[fmt] = f.read()
    da, oci = two["docker-archive"], two["oci-tar"]
    sbom = ["sbom", "-q", "--format", "json"]
    p = run(sbom + ["-"], da, env)
    err = p.stderr.decode()
    ok(p.returncode == 2 and "docker-archive:-:customs-test/alpine-like:3.19" in err and
       "docker-archive:-:customs-test/debian-like:latest" in err and "/proc/" not in err
       and p.stdout == b"", "- of two images: listed by their selectors after '-', exit 2", err)
    got = [os_id(run(sbom + [t], da, env)) for t in
           ("docker-archive:-:@1", "docker-archive:-:customs-test/alpine-like:3.19",
            "docker-archive:-:@0", "docker-archive:-:customs-test/debian-like")]
    ok(got == ["alpine", "alpine", "debian", "debian"],
       "docker-archive:-:@N and docker-archive:-:REPO[:TAG] pick one image (Docker's expansion)",
       got)
    p = run(sbom + ["docker-archive:-:@1"], da, env)
    ok(p.returncode == 0 and json.loads(p.stdout)["target"]["name"] == "docker-archive:-:@1",
       "the report names the target as given", p.stderr.decode())
    with tempfile.TemporaryFile() as f:
        f.write(da)
        f.seek(0)
        p = subprocess.run([CUSTOMS, *sbom, "docker-archive:-:@1"], stdin=f, capture_output=True,
                           env=env)
    ok(os_id(p) == "alpine", "a selector on stdin read in place (< FILE)", os_id(p))
    digest = None
    p = run(sbom + ["oci:-"], oci, env)
    err = p.stderr.decode()
    for line in err.splitlines():
        if line.strip().startswith("oci:-:3.19"):
            digest = line.split(", ")[-1].rstrip(")")
    got = [os_id(run(sbom + [t], oci, env)) for t in
           ("oci:-:3.19", "oci:-:@1", "oci:-:" + str(digest), "oci:-:latest")]
    ok(p.returncode == 2 and "oci:-:latest" in err and "/proc/" not in err and
       got == ["alpine", "alpine", "alpine", "debian"],
       "oci:- of two images listed; oci:-:REF, oci:-:@N and oci:-:sha256:HEX pick one",
       f"{got}\n{err}")
    p = run(sbom + ["docker-archive:-:nginx"], da, env)
    err = p.stderr.decode()
    ok(p.returncode == 2 and "no image named 'nginx'" in err and
       "docker-archive:-:customs-test/alpine-like:3.19" in err and "/proc/" not in err,
       "a selector naming nothing: refused, the images listed as '-'", err)
    p = run(["scan", "-q", "--scanners", "package", "--all-images", "-f", "json", "-"], da, env)
    d = json.loads(p.stdout) if p.returncode == 0 else {}
    ok(d.get("source") == "docker-archive:-" and
       [i["target"]["name"] for i in d.get("images", [])] ==
       ["docker-archive:-:customs-test/debian-like:latest",
        "docker-archive:-:customs-test/alpine-like:3.19"] and
       [i["os"]["id"] for i in d["images"]] == ["debian", "alpine"],
       "scan --all-images -: each image, named by its selector after '-'", p.stderr.decode())
    p = run(["scan", "-q", "--scanners", "package", "--all-images", "-f", "json", "oci:-:@0"],
            oci, env)
    ok(p.returncode == 2 and b"give it without a selector" in p.stderr and
       b"oci:-" in p.stderr and b"/proc/" not in p.stderr,
       "--all-images with a selector on stdin: refused", p.stderr.decode())


def main():
    print("1..19")
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
        multi_image(w, env)
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
