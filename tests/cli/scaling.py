#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Work that must grow linearly with hostile input (TAP), measured in instructions executed
(valgrind's cachegrind, deterministic), never in seconds: the same shape at two or three sizes,
and the instructions of the larger over those of the smaller must stay near the size ratio.

- layer attribution: a dpkg status of N packages over L layers, each layer adding N/L packages
  (the status rewritten whole in every layer). Each package must be attributed to the layer that
  added it, and 4x the packages must cost about 4x (it cost their square).

Skips (as TAP skips) when valgrind is missing.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402
import mkimage  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
# A linear cost quadruples when the input does; a quadratic one goes 16x. Allow linear plus
# the fixed start-up cost's share and noise, nowhere near quadratic.
MAX_RATIO_4X = 6.0


def instructions(args):
    """Instructions executed by `customs ARGS` (cachegrind), and its exit code and stdout."""
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                            "--cachegrind-out-file=" + os.path.join(d, "cg.out"), CUSTOMS] + args,
                           capture_output=True, text=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", p.stderr)
    return (int(m.group(1).replace(",", "")) if m else None), p.returncode, p.stdout, p.stderr


def status_recipe(n, layers):
    """n packages over `layers` layers; package k is added by layer k // (n // layers)."""
    per = n // layers

    def stanza(k):
        return [f"Package: pkg{k:06d}", "Status: install ok installed", "Architecture: amd64",
                f"Version: 1.{k}", ""]

    out = []
    for l in range(layers):
        lines = [line for k in range((l + 1) * per) for line in stanza(k)]
        entries = [{"path": "var/lib/dpkg/status", "content": lines}]
        if l == 0:
            entries.append({"path": "etc/os-release", "content": ["ID=debian", 'VERSION_ID="12"']})
        out.append({"compression": "gzip", "created_by": f"layer {l}", "entries": entries})
    return {"repo_tag": "customs-test/scaling:latest",
            "config": {"os": "linux", "architecture": "amd64"}, "layers": out}


def attribution(work):
    layers = 10
    counts = {}
    for n in (1000, 4000):
        rpath = os.path.join(work, f"status-{n}.json")
        with open(rpath, "w") as f:
            json.dump(status_recipe(n, layers), f)
        img = os.path.join(work, f"status-{n}")
        mkimage.build(rpath, "oci-dir", img)
        ins, rc, out, err = instructions(["sbom", "-q", "--threads", "1", "--format", "json",
                                          "oci:" + img])
        if not ok(rc == 0 and ins is not None, f"{n} packages over {layers} layers scanned",
                  f"exit {rc}: {err[-800:]}"):
            return
        counts[n] = ins
        pkgs = json.loads(out)["packages"]
        per = n // layers
        wrong = [(p["name"], p.get("layer", {}).get("index")) for p in pkgs
                 if p.get("layer", {}).get("index") != int(p["name"][3:]) // per]
        ok(len(pkgs) == n and not wrong,
           f"{n} packages: each attributed to the layer that added it",
           f"{len(pkgs)} packages; wrong: {wrong[:5]}")
    ratio = counts[4000] / counts[1000]
    ok(ratio < MAX_RATIO_4X,
       f"attribution is linear: 4x the packages cost {ratio:.2f}x the instructions "
       f"(at most {MAX_RATIO_4X})", f"1000: {counts[1000]}, 4000: {counts[4000]}")


def main():
    if shutil.which("valgrind") is None:
        print("1..0 # SKIP valgrind is missing (Debian package valgrind)")
        return 0
    if os.environ.get("CUSTOMS_SANITIZED"):
        # valgrind cannot run an AddressSanitizer binary; the normal build counts instructions
        print("1..0 # SKIP valgrind cannot run the sanitizer build (the normal build runs this)")
        return 0
    with tempfile.TemporaryDirectory(prefix="customs-scaling.") as work:
        attribution(work)
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
