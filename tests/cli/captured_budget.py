#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""--max-captured-bytes: one budget for the bytes of every file captured for the analyzers
(package databases, OS release files, Go build info) held in memory by one scan (TAP).

An image of many large Python METADATA files (each under --max-file-size, together over a small
budget) must stop `scan` and `sbom` with exit 2, no report, and one error naming the image, the
layer, the path inside the layer that tripped it and the flag; under the default budget the same
image scans clean with every package listed. The budget is exact: the sum of the captured files'
sizes passes, one byte less trips. The same holds for a layer restored from the layer cache, for
a `dir:` root, for copies made for hardlinked package databases, and for the value set by
CUSTOMS_MAX_CAPTURED_BYTES and by the configuration file.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
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
NFILES = 12
BODY = 256 * 1024
OS_RELEASE = 'ID=debian\nVERSION_ID="12"\n'
FLAG = "--max-captured-bytes"


def metadata(i, size):
    head = f"Metadata-Version: 2.1\nName: pkg{i:02d}\nVersion: 1.{i}\n\n"
    line = f"description line of package {i:02d} " + "x" * 60 + "\n"
    body = (line * (size // len(line) + 1))[:size - len(head)]
    return head + body


def meta_path(i):
    return f"usr/lib/python3/dist-packages/pkg{i:02d}-1.{i}.dist-info/METADATA"


def files():
    out = {"etc/os-release": OS_RELEASE}
    for i in range(NFILES):
        out[meta_path(i)] = metadata(i, BODY)
    return out


def build(work, name, entries):
    recipe = os.path.join(work, name + ".json")
    with open(recipe, "w") as f:
        json.dump({"repo_tag": f"test/{name}:1",
                   "config": {"os": "linux", "architecture": "amd64"},
                   "layers": [{"compression": "gzip", "created_by": name,
                               "entries": entries}]}, f)
    out = os.path.join(work, name)
    mkimage.build(recipe, "oci-dir", out)
    return out


def run(args, env=None, cwd=None):
    p = subprocess.run([CUSTOMS, *args], capture_output=True, env=env, cwd=cwd)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def tripped(what, res, target, where):
    """Exit 2, no report, one error naming the image, the path and the flag."""
    rc, out, err = res
    ok(rc == 2 and out == b"" and FLAG in err and target in err and where in err,
       f"{what}: exit 2, no report, the error names the image, {where} and {FLAG}",
       f"exit {rc}, stdout {len(out)} bytes: {err[-600:]}")


def python_names(out):
    return sorted(p["name"] for p in json.loads(out)["packages"] if p["type"] == "pypi")


def main():
    want = [f"pkg{i:02d}" for i in range(NFILES)]
    total = len(OS_RELEASE) + NFILES * BODY  # every captured byte of the image
    with tempfile.TemporaryDirectory() as work:
        img = build(work, "many-metadata",
                    [{"path": p, "type": "file", "content": c} for p, c in files().items()])
        target = "oci:" + img
        scan = ["scan", "-q", "--no-cache", "--scanners", "package", "--format", "json"]

        # ---- the default budget: the image is ordinary ----
        rc, out, err = run([*scan, target])
        ok(rc == 0 and python_names(out) == want,
           f"under the default budget the image scans clean with its {NFILES} packages",
           f"exit {rc}: {err[-400:]}")

        # ---- a small budget trips, in scan and sbom, on a file of layer 0 ----
        res = run([*scan, FLAG, str(1 << 20), target])
        tripped("scan with a 1 MiB budget", res, img, "layer 0")
        ok("/usr/lib/python3/dist-packages/pkg" in res[2] and "/METADATA" in res[2],
           "the error names the path inside the layer that tripped it", res[2][-400:])
        res = run(["sbom", "-q", "--no-cache", "--format", "json", FLAG, str(1 << 20), target])
        tripped("sbom with a 1 MiB budget", res, img, "/METADATA")

        # ---- the budget is exact: what the image captures passes, one byte less trips ----
        rc, out, err = run([*scan, FLAG, str(total), target])
        ok(rc == 0 and python_names(out) == want,
           f"a budget of exactly the captured bytes ({total}) passes", f"exit {rc}: {err[-400:]}")
        tripped(f"a budget of {total - 1} bytes", run([*scan, FLAG, str(total - 1), target]),
                img, "layer 0")

        # ---- the environment and the configuration file set it as the flag does ----
        env = dict(os.environ, CUSTOMS_MAX_CAPTURED_BYTES=str(1 << 20))
        tripped("CUSTOMS_MAX_CAPTURED_BYTES", run([*scan, target], env=env), img, "/METADATA")
        conf = os.path.join(work, "customs.yaml")
        with open(conf, "w") as f:
            f.write(f"scan:\n  max-captured-bytes: {1 << 20}\n")
        tripped("max-captured-bytes in the configuration file",
                run([*scan, "--config", conf, target]), img, "/METADATA")
        rc, _, err = run([*scan, FLAG, "lots", target])
        ok(rc == 2 and FLAG in err, f"{FLAG} with a value that is no number is a usage error",
           f"exit {rc}: {err[-300:]}")

        # ---- a layer restored from the layer cache counts its captures too ----
        cache = os.path.join(work, "cache")
        cached = ["scan", "-q", "--cache-dir", cache, "--scanners", "package", "--format", "json"]
        rc, out, err = run([*cached, target])
        ok(rc == 0 and python_names(out) == want and os.listdir(os.path.join(cache, "layers")),
           "a scan under the default budget stores the layer in the cache", f"exit {rc}: {err}")
        tripped("a cached layer under a 1 MiB budget",
                run([*cached, FLAG, str(1 << 20), target]), img, "/METADATA")
        rc, out, err = run([*cached, target])
        ok(rc == 0 and python_names(out) == want,
           "the cache still serves the layer under the default budget", f"exit {rc}: {err}")

        # ---- a dir: root ----
        root = os.path.join(work, "rootfs")
        for path, content in files().items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(content)
        rc, out, err = run([*scan, "dir:" + root])
        ok(rc == 0 and python_names(out) == want, "dir: under the default budget scans clean",
           f"exit {rc}: {err[-400:]}")
        tripped("dir: with a 1 MiB budget", run([*scan, FLAG, str(1 << 20), "dir:" + root]),
                root, "/METADATA")

        # ---- hardlinked package databases: each link's copy is held, and counted ----
        one = metadata(0, BODY)
        links = build(work, "linked-metadata", [
            {"path": meta_path(0), "type": "file", "content": one},
            *[{"path": meta_path(i), "type": "hardlink", "target": meta_path(0)}
              for i in range(1, 4)]])
        rc, out, err = run([*scan, FLAG, str(4 * BODY), "oci:" + links])
        ok(rc == 0 and set(python_names(out)) == {"pkg00"},
           "a file and three hardlinks to it fit a budget of four copies",
           f"exit {rc}: {err[-400:]}")
        tripped("a file and three hardlinks to it, budget of two copies",
                run([*scan, FLAG, str(2 * BODY), "oci:" + links]), links, "/METADATA")
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
