#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Layers that repeat one blob (TAP). A manifest may name the same blob any number of times
(old Docker images repeat the empty layer; an attacker repeats a large one):

- each blob is read once, whatever the number of layers naming it: the instructions executed
  (valgrind's cachegrind, never seconds) for 64 layers of one 4 MiB blob stay near those for 8
  (reading the blob at every layer cost 8x);
- the result is what reading it at every layer gives: whiteouts between two repetitions apply
  in order (a file a later layer deletes and a repetition puts back is in the image, its
  packages attributed to the repetition; its secret reported at both layers, the first one
  removed); every format (docker-archive, OCI directory and tar);
- --max-layers (default 512) caps the layers, a repeated blob counted each time;
- --max-total-bytes counts a repeated blob's bytes once per layer naming it.

The instruction counts skip (as TAP skips) without valgrind or in the sanitizer build.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402
import mkimage  # noqa: E402
sys.path.insert(0, HERE)
from scaling import instructions  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
TOKEN = "aws_access_key_id = AKIAQX7ZV5MB2LRTW4KE"
OS_LAYER = {"compression": "gzip", "created_by": "base",
            "entries": [{"path": "etc/os-release",
                         "content": ["ID=debian", 'VERSION_ID="12"']}]}
# The repeated layer: a package database and a file holding a secret.
REPEATED = {"compression": "gzip", "created_by": "repeated",
            "entries": [{"path": "var/lib/dpkg/status",
                         "content": ["Package: repeated", "Status: install ok installed",
                                     "Architecture: amd64", "Version: 1.0", ""]},
                        {"path": "etc/app.conf", "content": [TOKEN]}]}
DELETE = {"compression": "gzip", "created_by": "delete",
          "entries": [{"path": "var/lib/dpkg/status", "type": "whiteout"},
                      {"path": "etc/app.conf", "type": "whiteout"}]}


def run(*args):
    p = subprocess.run([CUSTOMS, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def build(work, name, layers, fmt, **kw):
    rpath = os.path.join(work, name + ".json")
    with open(rpath, "w") as f:
        json.dump({"repo_tag": "customs-test/reuse:latest",
                   "config": {"os": "linux", "architecture": "amd64"}, "layers": layers}, f)
    out = os.path.join(work, f"{name}-{fmt}" + ("" if fmt == "oci-dir" else ".tar"))
    info = mkimage.build(rpath, fmt, out, **kw)
    return out, info


def idx(ref):
    return ref["index"] if isinstance(ref, dict) else ref


def semantics(work):
    # base, R, delete, R: R's digest twice in the manifest
    for fmt in ("docker-archive", "oci-dir", "oci-tar"):
        img, info = build(work, "order", [OS_LAYER, REPEATED, DELETE, REPEATED], fmt)
        digests = [l["digest"] for l in info["layers"]]
        if not ok(digests[1] == digests[3], f"{fmt}: the manifest names one blob twice",
                  str(digests)):
            continue
        rc, out, err = run("scan", "-q", "--threads", "1", "--scanners", "package,secret",
                           "--format", "json", img)
        if not ok(rc == 0, f"{fmt}: scanned", f"exit {rc}: {err[-600:]}"):
            continue
        r = json.loads(out)
        pk = [(p["name"], p.get("layer", {}).get("index")) for p in r["packages"]]
        ok(pk == [("repeated", 3)],
           f"{fmt}: the package deleted by layer 2 and put back by layer 3 is layer 3's", str(pk))
        se = sorted((idx(s.get("layer")), idx(s.get("removed_in_layer")))
                    for s in r["secrets"] if s.get("path") == "/etc/app.conf")
        ok(se == [(1, 2), (3, None)],
           f"{fmt}: the secret is reported at both layers, layer 1's removed by layer 2",
           json.dumps(r["secrets"])[:800])
        layers = [(l["digest"], l["uncompressed_size"]) for l in r["target"]["layers"]]
        ok(len(layers) == 4 and layers[1] == layers[3] and layers[1][1] > 0,
           f"{fmt}: the report lists every layer, the repetition with its blob's sizes",
           str(layers))
    # base, delete, R, R, R: nothing of R is deleted
    img, _ = build(work, "tail", [OS_LAYER, DELETE, REPEATED, REPEATED, REPEATED], "oci-dir")
    rc, out, err = run("sbom", "-q", "--format", "json", "oci:" + img)
    pk = [(p["name"], p.get("layer", {}).get("index")) for p in json.loads(out)["packages"]] \
        if rc == 0 else err
    ok(pk == [("repeated", 2)], "three repetitions in a row: the package is the first's", str(pk))
    # base, R, R, delete: deleted
    img, _ = build(work, "deleted", [OS_LAYER, REPEATED, REPEATED, DELETE], "oci-dir")
    rc, out, err = run("sbom", "-q", "--format", "json", "oci:" + img)
    pk = json.loads(out)["packages"] if rc == 0 else err
    ok(pk == [], "a repeated layer's files deleted by a later layer are gone", str(pk))


def limits(work):
    img, info = build(work, "many", [OS_LAYER, REPEATED], "oci-dir", hostile="layers-reuse",
                      nlayers=600)
    rc, out, err = run("sbom", "-q", "--format", "json", "oci:" + img)
    ok(rc == 2 and "600 layers, more than 512 (--max-layers)" in err and out == "",
       "600 layers trip the default --max-layers 512", f"exit {rc}: {err[-400:]}")
    rc, out, err = run("sbom", "-q", "--format", "json", "--max-layers", "600", "oci:" + img)
    ok(rc == 0 and len(json.loads(out)["target"]["layers"]) == 600,
       "--max-layers 600 reads them", f"exit {rc}: {err[-400:]}")
    # 600 repetitions of a blob of B uncompressed bytes: a limit of 100 * B passes a blob read
    # once but not the image
    blob = json.loads(out)["target"]["layers"][1]["uncompressed_size"] if rc == 0 else 10240
    limit = str(100 * blob + 10240)
    rc, out, err = run("sbom", "-q", "--format", "json", "--max-layers", "600",
                       "--max-total-bytes", limit, "oci:" + img)
    ok(rc == 2 and "--max-total-bytes" in err and out == "",
       "--max-total-bytes counts a repeated blob once per layer", f"exit {rc}: {err[-400:]}")


def cost(work):
    if shutil.which("valgrind") is None:
        TAP.n += 1
        print(f"ok {TAP.n} - repeated blob read once # SKIP valgrind is missing (Debian package "
              "valgrind)")
        return
    if os.environ.get("CUSTOMS_SANITIZED"):
        TAP.n += 1
        print(f"ok {TAP.n} - repeated blob read once # SKIP valgrind cannot run the sanitizer "
              "build")
        return
    # 4 MiB of distinct lines: reading the blob is most of the work of one layer
    big = {"compression": "gzip", "created_by": "big",
           "entries": [{"path": f"srv/data{k}.txt",
                        "content": [f"{k:03d} line {i:08d} of a large file" for i in range(16384)]}
                       for k in range(8)]}
    counts = {}
    for n in (8, 64):
        img, _ = build(work, f"big{n}", [OS_LAYER, big], "oci-dir", hostile="layers-reuse",
                       nlayers=n)
        ins, rc, _, err = instructions(["sbom", "-q", "--threads", "1", "--format", "json",
                                       "oci:" + img])
        if not ok(rc == 0 and ins is not None, f"{n} layers of one 4 MiB blob scanned",
                  f"exit {rc}: {err[-600:]}"):
            return
        counts[n] = ins
    ratio = counts[64] / counts[8]
    ok(ratio < 2.0, f"a repeated blob is read once: 8x the layers cost {ratio:.2f}x the "
       "instructions (at most 2)", f"8: {counts[8]}, 64: {counts[64]}")


def main():
    with tempfile.TemporaryDirectory(prefix="customs-reuse.") as work:
        semantics(work)
        limits(work)
        cost(work)
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
