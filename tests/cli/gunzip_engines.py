#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ISA-L and zlib give the same bytes and the same verdict on every gzip layer of every test
image (each recipe of tests/data/recipes, and the hostile variants of the minimal one that
damage gzip), on the fuzz
corpora, on the same layers cut into several members with trailing bytes, and on the bench images
(../bench-images, when present; not under sanitizers, where inflating them is too slow).

    gunzip_engines.py TEST_GUNZIP   (the test_image_gunzip binary; its --files mode compares)
Environment: CUSTOMS_SOURCE_ROOT. TAP.
"""
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.environ["CUSTOMS_SOURCE_ROOT"]
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

COMPARE = sys.argv[1]
MKIMAGE = os.path.join(ROOT, "tests", "support", "mkimage.py")
HOSTILE = ["truncated-gzip", "gzip-bomb", "bad-digest"]


def compare(paths, what):
    """Run the comparison over paths; one TAP line for the lot, details on failure."""
    p = subprocess.run([COMPARE, "--files", *paths], capture_output=True, text=True)
    if p.stdout.startswith("1..0 # SKIP"):
        return None
    lines = [x for x in p.stdout.splitlines() if x.startswith(("ok", "not ok"))]
    bad = [x for x in p.stdout.splitlines() if x.startswith(("not ok", "#"))]
    ok(p.returncode == 0 and lines and not bad,
       f"{what}: {len(lines)} gzip streams, the same bytes and verdicts from both engines",
       "\n".join(bad) or p.stderr or "no gzip stream found")
    return len(lines)


def gzip_blobs(layout):
    out = []
    for b in glob.glob(os.path.join(layout, "blobs", "sha256", "*")):
        with open(b, "rb") as f:
            if f.read(2) == b"\x1f\x8b":
                out.append(b)
    return sorted(out)


def main():
    with tempfile.TemporaryDirectory(prefix="customs-gunzip.") as w:
        layouts = []
        for recipe in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "recipes", "*.json"))):
            if recipe.endswith(".expected.json"):
                continue
            name = os.path.basename(recipe)[:-5]
            for hostile in [None] + (HOSTILE if name == "minimal" else []):
                out = os.path.join(w, name + ("-" + hostile if hostile else ""))
                cmd = [sys.executable, MKIMAGE, recipe, "--format", "oci-dir", "--out", out]
                if hostile:
                    cmd += ["--hostile", hostile, "--bomb-mib", "8"]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    ok(False, f"mkimage {name} {hostile or ''}", p.stderr)
                    continue
                layouts.append(out)
        blobs = [b for lay in layouts for b in gzip_blobs(lay)]
        if compare(blobs, "every gzip layer of every test image") is None:
            print("1..0 # SKIP ISA-L is not built in (meson option isal)")
            return 0

        # The same layers as multi-member streams: each blob twice, then trailing bytes.
        multi = []
        for i, b in enumerate(blobs):
            if os.path.getsize(b) > (1 << 20):
                continue
            with open(b, "rb") as f:
                data = f.read()
            for j, tail in enumerate([b"", b"\0" * 512, b"trailing\x1f\x8b"]):
                m = os.path.join(w, f"multi-{i}-{j}.gz")
                with open(m, "wb") as f:
                    f.write(data + data + tail)
                multi.append(m)
        compare(multi, "test image layers as multi-member streams with trailing bytes")

        compare([os.path.join(ROOT, "tests", "fuzz", "corpus")], "the fuzz corpora")

    bench = os.path.join(os.path.dirname(os.path.abspath(ROOT)), "bench-images", "oci")
    if os.environ.get("CUSTOMS_SANITIZED"):
        print("# skipping the bench images under sanitizers (too slow to inflate there)")
    elif not os.path.isdir(bench):
        print(f"# skipping the bench images: {bench} is absent (scripts/bench-images.sh builds it)")
    else:
        blobs = [b for lay in sorted(glob.glob(os.path.join(bench, "*"))) for b in gzip_blobs(lay)]
        compare(blobs, f"every gzip layer of the bench images ({bench})")
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
