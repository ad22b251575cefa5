#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""OSV alias merging grows with the input, not faster (TAP). Advisories of one package that
alias each other are one finding, found through a union-find over their names. Measured by the
shape of the CPU time (getrusage of the child), never by a wall-clock limit:

- a chain (record i aliases record i+1), 2,000 then 8,000 records (4x the input): one finding
  carrying every other id; CPU time grows well under 8x (linear: 4x; the pairwise merging it
  replaces grew 14x, quadratically);
- records that all alias each other, 150 then 450 (the input, n squared aliases, grows 9x): one
  finding; CPU time grows well under 16x (linear in the input: 9x; the old merging was cubic,
  27x).
Environment: CUSTOMS (the binary)."""
import json
import os
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")


def name(i):
    return f"GHSA-{i:05d}-aaaa-bbbb"


def records(path, n, shape):
    with open(path, "w") as f:
        for i in range(n):
            if shape == "chain":
                aliases = [name(i + 1)] if i + 1 < n else []
            else:
                aliases = [name(j) for j in range(n) if j != i]
            f.write(json.dumps({
                "schema_version": "1.6.0", "id": name(i), "modified": "2024-01-01T00:00:00Z",
                "aliases": aliases,
                "affected": [{"package": {"ecosystem": "npm", "name": "victim"},
                              "ranges": [{"type": "SEMVER",
                                          "events": [{"introduced": "0"}, {"fixed": "9.0.0"}]}]}],
            }) + "\n")


def cpu_scan(db, root):
    """The findings and the CPU seconds of the scan (the smaller of two runs)."""
    best, vulns = None, None
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--scanners", "vuln", "--db", db,
                            "dir:" + root], capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = cpu if best is None else min(best, cpu)
        vulns = json.loads(p.stdout)["vulnerabilities"] if p.returncode == 0 else None
    return vulns, best


def main():
    print("1..4")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        pkg = os.path.join(root, "app", "node_modules", "victim")
        os.makedirs(pkg)
        with open(os.path.join(pkg, "package.json"), "w") as f:
            json.dump({"name": "victim", "version": "1.0.0"}, f)
        for shape, small, big, bound in (("chain", 2000, 8000, 8.0), ("all", 150, 450, 16.0)):
            cpu = {}
            found = {}
            for n in (small, big):
                src = os.path.join(d, f"{shape}{n}.jsonl")
                db = os.path.join(d, f"{shape}{n}.db")
                records(src, n, shape)
                p = subprocess.run([CUSTOMS, "db", "build", "-o", db, src], capture_output=True, text=True)
                if p.returncode != 0:
                    print(f"# db build: {p.stderr}")
                found[n], cpu[n] = cpu_scan(db, root)
            v = found[big]
            ok(v is not None and len(v) == 1 and len(v[0]["aliases"]) == big - 1,
               f"{shape} of {big}: one finding carrying the other {big - 1} ids",
               repr(None if v is None else (len(v), [len(x["aliases"]) for x in v[:5]])))
            ratio = cpu[big] / max(cpu[small], 1e-3)
            print(f"# {shape}: {small} -> {big} records: CPU {cpu[small]:.3f} s -> {cpu[big]:.3f} s "
                  f"({ratio:.1f}x)")
            ok(ratio < bound, f"{shape}: CPU time grows {ratio:.1f}x (bound {bound:.0f}x)",
               f"{cpu[small]:.3f} s -> {cpu[big]:.3f} s")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
