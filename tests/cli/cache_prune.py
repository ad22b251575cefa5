#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs cache info|prune|clean` and scan's --cache-max-size (TAP):

- info counts the entries of layers/ and secrets/ and their bytes, and removes nothing;
- prune --max-age removes the entries unused for that long (by modification time, which a
  cache hit renews), --max-size the least recently used first until the rest fits;
- a scan served from the cache renews its entries: they outlive older ones in a size prune;
- scan --cache-max-size prunes after the scan (and its report is unchanged);
- only the cache's own regular files go: a symlink named like an entry, its target, and files
  of other names stay; a temporary file of a killed writer goes once it is an hour old;
- clean removes every entry; a cache directory that is not private is refused (exit 2), as
  are bad sizes and ages.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import glob
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402
import mkimage  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
SCAN = ["scan", "-q", "--scanners", "package,secret", "--format", "json"]


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True)


def entries(cache):
    return sorted(glob.glob(os.path.join(cache, "layers", "layer-*")))


def size(paths):
    return sum(os.path.getsize(p) for p in paths)


def main():
    with tempfile.TemporaryDirectory() as work:
        cache = os.path.join(work, "cache")
        images = []
        recipes = sorted(p for p in glob.glob(os.path.join(ROOT, "tests", "data", "recipes",
                                                           "*.json"))
                         if not p.endswith(".expected.json"))[:3]
        for i, rp in enumerate(recipes):
            target = os.path.join(work, f"image{i}.tar")
            mkimage.build(rp, "docker-archive", target)
            images.append(target)
        reports = []
        for img in images:
            p = run(*SCAN, "--cache-dir", cache, img)
            reports.append(p.stdout)
            ok(p.returncode == 0, f"{os.path.basename(img)} scanned into the cache", p.stderr)
        layers = entries(cache)
        p = run("cache", "info", "--cache-dir", cache)
        ok(p.returncode == 0 and f"layers   {len(layers)} entries" in p.stdout
           and len(layers) >= 3 and entries(cache) == layers
           and os.path.exists(os.path.join(cache, "secrets")),
           "info counts the entries and removes nothing", p.stdout + p.stderr)

        # ages: the first image's entries a year old, the others fresh
        old = time.time() - 365 * 86400
        subprocess.run([CUSTOMS, *SCAN, "--cache-dir", os.path.join(work, "solo"), images[0]],
                       capture_output=True)
        first = {os.path.join(cache, "layers", os.path.basename(e))
                 for e in entries(os.path.join(work, "solo"))}
        for e in entries(cache):
            os.utime(e, (old, old) if e in first else None)
        p = run("cache", "prune", "--cache-dir", cache, "--max-age", "30")
        ok(p.returncode == 0 and set(entries(cache)) == set(layers) - first
           and f"removed {len(first)} entries" in p.stdout,
           "prune --max-age removes exactly the entries unused for that long", p.stdout + p.stderr)

        # a hit renews: scan image 0 again (refills), make everything old, then hit image 1
        run(*SCAN, "--cache-dir", cache, images[0])
        for e in entries(cache):
            os.utime(e, (old, old))
        p = run(*SCAN, "--cache-dir", cache, images[1])
        ok(p.returncode == 0 and p.stdout == reports[1], "a warm scan gives the same report",
           p.stderr)
        solo1 = os.path.join(work, "solo1")
        subprocess.run([CUSTOMS, *SCAN, "--cache-dir", solo1, images[1]], capture_output=True)
        hit = {os.path.join(cache, "layers", os.path.basename(e)) for e in entries(solo1)}
        keep = size(hit)
        p = run("cache", "prune", "--cache-dir", cache, "--max-size", str(keep))
        ok(p.returncode == 0 and set(entries(cache)) == hit,
           "a size prune removes the least recently used first: the entries a hit renewed stay",
           p.stdout + p.stderr)

        # what is not the cache's own stays
        outside = os.path.join(work, "precious")
        with open(outside, "w") as f:
            f.write("keep me")
        link = os.path.join(cache, "layers", "layer-" + "0" * 64)
        os.symlink(outside, link)
        other = os.path.join(cache, "layers", "notes.txt")
        with open(other, "w") as f:
            f.write("x")
        stale = os.path.join(cache, "layers", ".layer-" + "1" * 64 + ".0123456789abcdef.tmp")
        fresh = os.path.join(cache, "layers", ".layer-" + "2" * 64 + ".0123456789abcdef.tmp")
        for t in (stale, fresh):
            with open(t, "w") as f:
                f.write("partial")
        os.utime(stale, (time.time() - 7200, time.time() - 7200))
        p = run("cache", "clean", "--cache-dir", cache)
        ok(p.returncode == 0 and entries(cache) == [link] and os.path.islink(link)
           and open(outside).read() == "keep me" and os.path.exists(other)
           and not os.path.exists(stale) and os.path.exists(fresh)
           and not glob.glob(os.path.join(cache, "secrets", "secrets-*")),
           "clean removes the entries and a stale temporary file; a symlink, its target, other "
           "files and a fresh temporary file stay", p.stdout + p.stderr)
        os.unlink(link)

        # scan --cache-max-size prunes after the scan
        p = run(*SCAN, "--cache-dir", cache, "--cache-max-size", "1", images[2])
        ok(p.returncode == 0 and p.stdout == reports[2] and entries(cache) == [],
           "scan --cache-max-size prunes the layer cache after the scan, report unchanged",
           p.stderr)
        p = run(*SCAN, "--cache-dir", cache, "--cache-max-size", "1G", images[2])
        ok(p.returncode == 0 and len(entries(cache)) > 0,
           "under the limit the new entries stay", p.stderr)

        os.chmod(os.path.join(cache, "layers"), 0o755)
        p = run("cache", "prune", "--cache-dir", cache)
        ok(p.returncode == 2 and "not pruned" in p.stderr and len(entries(cache)) > 0,
           "a cache directory others can read is refused, nothing removed", p.stderr)
        bad = [run("cache", "prune", "--cache-dir", cache, "--max-size", "12X"),
               run("cache", "prune", "--cache-dir", cache, "--max-age", "0"),
               run(*SCAN, "--cache-dir", cache, "--cache-max-size", "-1", images[2]),
               run("cache", "shrink", "--cache-dir", cache)]
        ok(all(b.returncode == 2 for b in bad),
           "bad sizes, ages and verbs are usage errors (exit 2)",
           [b.stderr for b in bad])
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
