#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""--skip-dirs and --skip-files (TAP), on an image (OCI layout) and on the same files as a
dir: target:

- a skipped directory's files, and skipped files, are not analyzed: their secrets and packages
  are not reported; patterns are globs relative to the image root ("/app/test", "app/**/keys",
  "**/config.env"), repeatable or comma lists;
- a skipped package database is named in the report's errors (code "skipped"), so that a scan
  that found nothing in it does not read as clean;
- the layer cache keeps skipped and unskipped readings apart (the skip is part of its key);
- a pattern that cannot be one is refused (exit 2, named);
- dir: targets: a kernel pseudo filesystem mounted inside (proc) is not walked, a real one
  (tmpfs) is, and a skipped directory is not read at all (needs root and mount(8): skipped
  otherwise).
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402
import mkimage  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
TOKEN = "aws_access_key_id = AKIAQX7ZV5MB2LRTW4KE"
SCAN = ["scan", "-q", "--scanners", "package,secret", "--format", "json"]

RECIPE = {
    "repo_tag": "customs-test/skip:latest",
    "config": {"os": "linux", "architecture": "amd64"},
    "layers": [{
        "compression": "gzip",
        "entries": [
            {"path": "etc/os-release", "content": ["ID=debian", "VERSION_ID=\"12\""]},
            {"path": "var/lib/dpkg/status", "content": [
                "Package: zlib1g", "Status: install ok installed", "Version: 1:1.2.13.dfsg-1",
                "Architecture: amd64", ""]},
            {"path": "app/node_modules/left-pad/package.json",
             "json": {"name": "left-pad", "version": "1.3.0"}},
            {"path": "app/config.env", "content": [TOKEN]},
            {"path": "app/test/fixture.env", "content": [TOKEN]},
            {"path": "app/test/keys/id.env", "content": [TOKEN]},
        ],
    }],
}
ALL = ["/app/config.env", "/app/test/fixture.env", "/app/test/keys/id.env"]


def run(target, *extra, cache=None):
    cache_args = ["--no-cache"] if cache is None else ["--cache-dir", cache]
    p = subprocess.run([CUSTOMS, SCAN[0], *cache_args, *SCAN[1:], *extra, target],
                       capture_output=True, text=True)
    try:
        report = json.loads(p.stdout) if p.stdout else None
    except ValueError:
        report = None
    return p, report


def secrets(report):
    return sorted({s["path"] for s in (report or {}).get("secrets", [])})


def packages(report):
    return sorted(p["name"] for p in (report or {}).get("packages", []))


def skipped(report):
    return [(e.get("path"), e["message"]) for e in (report or {}).get("errors", [])
            if e.get("code") == "skipped"]


def check_target(kind, target, cache):
    p, r = run(target)
    ok(p.returncode == 0 and secrets(r) == ALL and packages(r) == ["left-pad", "zlib1g"],
       f"{kind}: without a skip, every secret and package",
       f"exit {p.returncode}: {p.stderr}\n{secrets(r)} {packages(r)}")
    p, r = run(target, "--skip-dirs", "/app/test")
    ok(p.returncode == 0 and secrets(r) == ["/app/config.env"] and
       packages(r) == ["left-pad", "zlib1g"],
       f"{kind}: --skip-dirs /app/test: nothing under it is analyzed",
       f"exit {p.returncode}: {p.stderr}\n{secrets(r)} {packages(r)}")
    p, r = run(target, "--skip-dirs", "app/**/keys", "--skip-files", "**/config.env")
    ok(p.returncode == 0 and secrets(r) == ["/app/test/fixture.env"],
       f"{kind}: 'app/**/keys' and '**/config.env' (doublestar globs, both flags)",
       f"exit {p.returncode}: {p.stderr}\n{secrets(r)}")
    p, r = run(target, "--skip-files", "./app/config.env,app/test/*.env", "--skip-files",
               "{nothing,app/test/keys/id.env}")
    ok(p.returncode == 0 and secrets(r) == [],
       f"{kind}: --skip-files as a comma list, repeated, with {{a,b}}",
       f"exit {p.returncode}: {p.stderr}\n{secrets(r)}")
    p, r = run(target, "--skip-files", "**/status")
    notes = skipped(r)
    ok(p.returncode == 0 and packages(r) == ["left-pad"] and len(notes) == 1 and
       notes[0][0] == "/var/lib/dpkg/status" and "dpkg" in notes[0][1],
       f"{kind}: a skipped package database is named in the errors (code skipped)",
       f"exit {p.returncode}: {p.stderr}\n{packages(r)} {notes}")
    p, r = run(target, "--skip-dirs", "app/node_modules")
    notes = skipped(r)
    ok(p.returncode == 0 and packages(r) == ["zlib1g"] and
       (kind == "dir" or any("npm" in m or "node" in m for _, m in notes)),
       f"{kind}: --skip-dirs app/node_modules: its packages are left out"
       + ("" if kind == "dir" else ", and noted"),
       f"exit {p.returncode}: {p.stderr}\n{packages(r)} {notes}")
    p1, r1 = run(target, "--skip-dirs", "/app/test", cache=cache)
    p2, r2 = run(target, cache=cache)
    ok(p1.returncode == 0 and p2.returncode == 0 and secrets(r1) == ["/app/config.env"] and
       secrets(r2) == ALL,
       f"{kind}: the layer cache does not serve a skipped reading to a scan without the skip",
       f"exits {p1.returncode} {p2.returncode}: {p1.stderr}{p2.stderr}\n"
       f"{secrets(r1)} {secrets(r2)}")


def mount(*args):
    return subprocess.run(["mount", *args], capture_output=True, text=True)


def check_mounts(d):
    root = os.path.join(d, "mounts")
    os.makedirs(os.path.join(root, "proc"))
    os.makedirs(os.path.join(root, "shm"))
    os.makedirs(os.path.join(root, "big"))
    mounted = []
    try:
        if os.geteuid() != 0:
            raise OSError("not root")
        for args, where in ((["-t", "proc", "proc"], "proc"), (["-t", "tmpfs", "tmpfs"], "shm")):
            m = mount(*args, os.path.join(root, where))
            if m.returncode != 0:
                raise OSError(m.stderr.strip())
            mounted.append(os.path.join(root, where))
    except OSError as e:
        for what in ("a proc mounted inside a dir: target is not walked",
                     "a tmpfs mounted inside is (a real filesystem)",
                     "a skipped directory of a dir: target is not read"):
            TAP.n += 1
            print(f"ok {TAP.n} # SKIP {what}: mounting proc and tmpfs needs root and mount(8)"
                  f" ({e})")
        return
    try:
        with open(os.path.join(root, "shm", "dropped.env"), "w") as f:
            f.write(TOKEN + "\n")
        # a few hundred entries of our own; the proc mounted here has thousands
        for i in range(300):
            open(os.path.join(root, "big", f"f{i}"), "w").close()
        p, r = run("dir:" + root, "--max-entries", "1000")
        ok(p.returncode == 0, "a proc mounted inside a dir: target is not walked "
           "(--max-entries 1000 holds)", f"exit {p.returncode}: {p.stderr}")
        ok(secrets(r) == ["/shm/dropped.env"], "a tmpfs mounted inside is (a real filesystem)",
           f"exit {p.returncode}: {p.stderr}\n{secrets(r)}")
        p, r = run("dir:" + root, "--max-entries", "100", "--skip-dirs", "big")
        ok(p.returncode == 0 and secrets(r) == ["/shm/dropped.env"],
           "a skipped directory of a dir: target is not read (its 300 entries do not count "
           "against --max-entries 100)", f"exit {p.returncode}: {p.stderr}\n{secrets(r)}")
    finally:
        for m in reversed(mounted):
            subprocess.run(["umount", "-l", m], capture_output=True)


def main():
    print("1..19")
    with tempfile.TemporaryDirectory(prefix="skip_paths.") as d:
        recipe = os.path.join(d, "recipe.json")
        with open(recipe, "w") as f:
            json.dump(RECIPE, f)
        image = os.path.join(d, "oci")
        rootfs = os.path.join(d, "rootfs")
        mkimage.build(recipe, "oci-dir", image)
        mkimage.build(recipe, "rootfs", rootfs)
        check_target("image", "oci:" + image, os.path.join(d, "cache-image"))
        check_target("dir", "dir:" + rootfs, os.path.join(d, "cache-dir"))
        p, _ = run("oci:" + image, "--skip-dirs", "usr/[lib")
        ok(p.returncode == 2 and "--skip-dirs 'usr/[lib'" in p.stderr and "not closed" in
           p.stderr, "a pattern that is none is refused, named (exit 2)",
           f"exit {p.returncode}: {p.stderr}")
        p, _ = run("oci:" + image, "--skip-files", "/")
        ok(p.returncode == 2 and "root" in p.stderr, "so is the root (exit 2)",
           f"exit {p.returncode}: {p.stderr}")
        check_mounts(d)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(1 if TAP.failed else 0)
