#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Memory per file of an image with many small files (TAP): peak RSS must grow by a bounded
number of bytes per tar entry, so that millions of files fit in bounded memory.

Two OCI layouts of one gzip layer of small files (bench/manyfiles.py, generated as a stream),
SMALL and LARGE files; `sbom` and `scan` of each, peak RSS from the kernel (wait4's ru_maxrss,
never a clock). The slope (RSS(LARGE) - RSS(SMALL)) / (LARGE - SMALL) must stay under
MAX_BYTES_PER_ENTRY: a struct and a copy of its path per entry plus a hash slot (the shape
before the compact lists) measured 115-160 bytes, the compact lists about 17.

A second image of two layers checks that the bound holds when an upper layer rewrites and
deletes files of the lower one (the view's index across layers).

Skips (as TAP skips) in sanitizer builds, where RSS measures the sanitizer.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from manyfiles import header  # noqa: E402
SMALL = 20_000
LARGE = 400_000
MAX_BYTES_PER_ENTRY = 40


def peak_rss(args):
    """Peak RSS in bytes of `customs ARGS`, its exit code and stderr."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([CUSTOMS] + args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return usage.ru_maxrss * 1024, p.returncode, err.read().decode(errors="replace")


def manyfiles(n, out):
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "manyfiles.py"), str(n), out],
                   check=True)


# ---- two layers: the lower one's files, half of them rewritten and a tenth deleted above ----

def layer(blobs, members):
    diff = hashlib.sha256()
    tmp = os.path.join(blobs, "tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1,
                                               mtime=0) as gz:
        batch = []
        for name, body in members:
            if body is None:
                batch.append(header(name, 0, b"5", 0o755))
            else:
                batch.append(header(name, len(body), b"0", 0o644) + body +
                             b"\0" * (-len(body) % 512))
            if len(batch) >= 2000:
                chunk = b"".join(batch)
                diff.update(chunk)
                gz.write(chunk)
                batch = []
        chunk = b"".join(batch) + b"\0" * 1024
        diff.update(chunk)
        gz.write(chunk)
    digest = hashlib.sha256(open(tmp, "rb").read()).hexdigest()
    os.rename(tmp, os.path.join(blobs, digest))
    return digest, "sha256:" + diff.hexdigest()


def two_layers(n, out):
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs)

    def files(lo, hi, tag):
        for i in range(lo, hi):
            if i % 1000 == 0:
                yield "data/d%04d/" % (i // 1000), None
            yield "data/d%04d/f%07d.txt" % (i // 1000, i), b"%s %010d\n" % (tag, i)

    def lower():
        yield "etc/", None
        yield "etc/os-release", b'ID=debian\nVERSION_ID="12"\n'
        yield from files(0, n, b"v1")

    def upper():
        yield from files(0, n // 2, b"v2")
        for i in range(n // 2, n, 10):
            yield "data/d%04d/.wh.f%07d.txt" % (i // 1000, i), b""

    layers = [layer(blobs, lower()), layer(blobs, upper())]

    def blob(doc):
        data = json.dumps(doc).encode()
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, d), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + d, "size": len(data)}

    config = blob({"architecture": "amd64", "os": "linux", "config": {},
                   "rootfs": {"type": "layers", "diff_ids": [d for _, d in layers]}})
    manifest = blob({"schemaVersion": 2,
                     "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                     "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                 "digest": "sha256:" + b,
                                 "size": os.path.getsize(os.path.join(blobs, b))}
                                for b, _ in layers]})
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            dict(manifest, mediaType="application/vnd.oci.image.manifest.v1+json")]}, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


def slope(work, make, what, cmd, entries_per_file):
    rss = {}
    for n in (SMALL, LARGE):
        d = os.path.join(work, f"{make.__name__}-{n}")
        if not os.path.isdir(d):
            make(n, d)
        limit = ["--max-entries", str(3 * n + 10_000)]
        rss[n], code, err = peak_rss([cmd, "-q"] + limit + ["--format", "json", "-o",
                                                            os.path.join(work, "out.json"),
                                                            "oci:" + d])
        if not ok(code == 0, f"{what}: {cmd} of {n} files exits 0", err):
            return
        with open(os.path.join(work, "out.json")) as f:
            layers = json.load(f)["target"]["layers"]
        got = sum(l["entries"] for l in layers)
        ok(got >= entries_per_file * n, f"{what}: {cmd} read every entry of {n} files ({got})")
    per = (rss[LARGE] - rss[SMALL]) / ((LARGE - SMALL) * entries_per_file)
    ok(per <= MAX_BYTES_PER_ENTRY,
       f"{what}: {cmd} peak RSS grows {per:.1f} bytes per entry (at most {MAX_BYTES_PER_ENTRY}; "
       f"{rss[SMALL] / 1e6:.1f} MB at {SMALL} files, {rss[LARGE] / 1e6:.1f} MB at {LARGE})",
       f"{rss}")


def main():
    if os.environ.get("CUSTOMS_SANITIZED"):
        print("1..0 # SKIP sanitizer build: peak RSS measures the sanitizer, not customs")
        return 0
    with tempfile.TemporaryDirectory() as work:
        for cmd in ("sbom", "scan"):
            slope(work, manyfiles, "one layer", cmd, 1)
        # two layers: n + n/2 + n/20 entries for n files (the rewrite and the whiteouts)
        slope(work, two_layers, "two layers", "sbom", 1.5)
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
