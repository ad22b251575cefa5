#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Out of memory is an error, not a wrong answer (TAP). For a scan of the demo image, an audit of
Kubernetes manifests, a Dockerfile and a Compose file, and a `db build`, fail the Nth allocation
of the library's allocator for every N the command makes (CUSTOMS_ALLOC_FAIL=N; the binary counts
them with CUSTOMS_ALLOC_COUNT=1). Each run must either give the identical output (ages in days
aside: they step at midnight UTC) with the same exit code, or exit 2 saying "out of memory": never
a crash, never a sanitizer report, never a smaller report, never a misleading message.
Needs a build with -Dalloc_fail=true (the default); skips otherwise.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout),
ALLOC_SWEEP_STRIDE (test every Kth N only; default 1: every N)."""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
STRIDE = max(1, int(os.environ.get("ALLOC_SWEEP_STRIDE", "1")))
COUNT = re.compile(r"^customs: (\d+) allocations$", re.M)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def read_db(path):
    """A database's rows, with the build time (it differs from run to run) taken out."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        built = con.execute("SELECT value FROM meta WHERE key = 'built_at'").fetchone()[0]
        return [line.replace(str(built), "BUILT") for line in con.iterdump()]
    finally:
        con.close()


AGE = re.compile(rb'("age_days": )\d+|\b\d+( days old)')


def read_report(path):
    """A JSON report with its ages in days taken out: an advisory's date is a calendar day, so
    its age steps at midnight UTC, and a sweep running across midnight would see two ages."""
    return AGE.sub(lambda m: (m.group(1) or b"") + b"AGE" + (m.group(2) or b""), read_bytes(path))


def run(args, out, fail_at=None, count=False, read=read_bytes):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    env.pop("CUSTOMS_ALLOC_FAIL", None)
    if fail_at is not None:
        env["CUSTOMS_ALLOC_FAIL"] = str(fail_at)
    if count:
        env["CUSTOMS_ALLOC_COUNT"] = "1"
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([CUSTOMS] + args, env=env, capture_output=True, timeout=120)
    body = None
    if p.returncode in (0, 1) and os.path.exists(out):
        body = read(out)
    return p.returncode, body, p.stderr.decode("utf-8", "replace")


def sweep(name, args_for, out_of, read=read_bytes):
    """args_for(k): the command line of worker k; out_of(k): the file it writes, read(path) its
    comparable contents."""
    rc0, base, err0 = run(args_for(0), out_of(0), count=True, read=read)
    m = COUNT.search(err0)
    if not ok(m is not None and base is not None and rc0 in (0, 1),
              f"{name}: a normal run counts its allocations", f"exit {rc0}\n{err0}"):
        return
    total = int(m.group(1))
    problems = []

    def one(n):
        k = n  # a file of its own: two runs at once never share an output
        rc, body, err = run(args_for(k), out_of(k), fail_at=n, read=read)
        if os.path.exists(out_of(k)):
            os.unlink(out_of(k))
        if rc < 0 or rc > 2 or "Sanitizer" in err or "runtime error" in err:
            return f"N={n}: exit {rc}: {err.strip()[-300:]}"
        if rc == 2:
            if "out of memory" not in err:
                return f"N={n}: exit 2 without 'out of memory': {err.strip()[-300:]}"
            return None
        if rc != rc0 or body != base:
            return f"N={n}: exit {rc} (normally {rc0}) and a different output"
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        for res in pool.map(one, range(1, total + 2, STRIDE)):
            if res is not None:
                problems.append(res)
    ok(total > 20, f"{name}: the sweep has allocations to fail ({total})")
    ok(not problems, f"{name}: each of {total} failed allocations gives the same output or "
       "exits 2 with 'out of memory'", "\n".join(problems[:20]))


def main():
    probe = subprocess.run([CUSTOMS, "--version"], env=dict(os.environ, CUSTOMS_ALLOC_COUNT="1"),
                           capture_output=True, text=True)
    if COUNT.search(probe.stderr) is None or "-1 allocations" in probe.stderr:
        print("1..0 # SKIP built without the allocation-failure hook (-Dalloc_fail=false)")
        return 77
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "mkimage.py"),
                        os.path.join(ROOT, "demo", "recipe.json"), "--format", "oci-dir",
                        "--out", os.path.join(d, "ledger")], check=True, capture_output=True)
        db = os.path.join(d, "demo.db")
        subprocess.run([CUSTOMS, "db", "build", "-o", db, os.path.join(ROOT, "demo", "vulndb",
                                                                          "osv")],
                       check=True, capture_output=True)
        sweep("scan", lambda k: ["scan", "-q", "--threads", "1", "--format", "json", "--db", db,
                                 "-o", f"{d}/scan{k}.json", f"oci:{d}/ledger"],
              lambda k: f"{d}/scan{k}.json", read=read_report)
        data = os.path.join(ROOT, "tests", "misconfig", "data")
        sweep("audit", lambda k: ["audit", "--format", "json", "-o", f"{d}/audit{k}.json",
                                  f"{data}/bad-deployment.yaml", f"{data}/hardening.yaml",
                                  f"{data}/docker/Dockerfile", f"{data}/docker/docker-compose.yml"],
              lambda k: f"{d}/audit{k}.json")
        vdata = os.path.join(ROOT, "tests", "data", "vulndb")
        sweep("db build", lambda k: ["db", "build", "-o", f"{d}/b{k}.db",
                                     os.path.join(ROOT, "demo", "vulndb", "osv"),
                                     f"{vdata}/tracker.json"],
              lambda k: f"{d}/b{k}.db", read=read_db)
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
