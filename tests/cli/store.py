#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The verdict store, end to end (TAP): `scan --record` keeps an image's inventory, findings
and verdict (SQLite in WAL mode, schema version 1 in schema_migrations); `store refresh`
against a database that has learnt a new CVE prints one line for the image (digest, names,
old -> new, the new reasons) and exits 1, a second refresh finds nothing new and exits 0;
`audit --store` judges a Pod's image from the record, by name and by digest; a file that is not
a store, a store from a newer customs, a directory target and a PostgreSQL URI (not in this
build) are clear errors (exit 2).
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
import policy as P  # noqa: E402  (the fixtures of the policy test)

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True)


def main():
    print("1..11")
    with tempfile.TemporaryDirectory() as work:
        image = P.build_image(work, "ledger", {"app/node_modules/leftpad/package.json": P.leftpad("1.3.0")})
        old_dir, new_dir = os.path.join(work, "osv-old"), os.path.join(work, "osv-new")
        P.write(os.path.join(old_dir, "a.json"), json.dumps(P.OSV[1]))
        for rec in P.OSV:
            P.write(os.path.join(new_dir, rec["id"] + ".json"), json.dumps(rec))
        old_db, new_db = os.path.join(work, "old.db"), os.path.join(work, "new.db")
        run("db", "build", "-o", old_db, old_dir)
        run("db", "build", "-o", new_db, new_dir)
        policy = os.path.join(work, "policy.yaml")
        P.write(policy, P.POLICY_HEAD + "images: {vulnerabilities: {deny: [CRITICAL], warn: [MEDIUM]}}\n")
        store = os.path.join(work, "verdicts.db")
        p = run("scan", "-q", "-f", "json", "-o", os.devnull, "--db", old_db, "--policy", policy,
                "--record", store, image)
        ok(p.returncode == 0 and "verdict: warn" in p.stderr, "scan --record: judged warn, recorded", p.stderr)
        con = sqlite3.connect(store)
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        row = con.execute("SELECT digest, config_digest, verdict, packages FROM images").fetchone()
        names = [r[0] for r in con.execute("SELECT name FROM names")]
        con.close()
        ok(mode == "wal" and version == 1, "the store is SQLite in WAL mode at schema version 1",
           f"{mode} {version}")
        ok(row is not None and row[0].startswith("sha256:") and row[2] == "warn"
           and "leftpad" in row[3] and names == ["docker.io/example/ledger:1"],
           "keyed by digest, with the inventory, the verdict and the normalised name", f"{row} {names}")
        p = run("store", "refresh", "--store", store, "--db", old_db)
        ok(p.returncode == 0 and p.stdout == "", "refresh against the same database: nothing changed, exit 0",
           p.stdout + p.stderr)
        p = run("store", "refresh", "--store", store, "--db", new_db)
        line = p.stdout.strip()
        ok(p.returncode == 1 and len(p.stdout.splitlines()) == 1 and line.startswith(row[0])
           and "docker.io/example/ledger:1: warn -> deny" in line and "CVE-2031-0001" in line,
           "refresh after a new CVE: one line (digest, name, warn -> deny, the reason), exit 1",
           p.stdout + p.stderr)
        p = run("store", "refresh", "--store", store, "--db", new_db)
        ok(p.returncode == 0 and p.stdout == "", "a second refresh finds nothing new", p.stdout + p.stderr)
        pod = os.path.join(work, "pod.yaml")
        P.write(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                     "    - {name: a, image: \"example/ledger:1\"}\n"
                     f"    - {{name: b, image: \"registry.example/ledger@{row[0]}\"}}\n"
                     "    - {name: c, image: \"example/unknown:1\"}\n")
        out = os.path.join(work, "v.json")
        p = run("audit", "-o", os.devnull, "--policy", policy, "--store", store,
                "--verdict-output", out, pod)
        reasons = json.load(open(out))["subjects"][0]["reasons"] if os.path.exists(out) else []
        by = {(r["subject"].split(" ")[1], r["rule"]) for r in reasons}
        ok(p.returncode == 1 and ("a", "images.vulnerabilities.deny") in by
           and ("b", "images.vulnerabilities.deny") in by and ("c", "images.unknown") in by,
           "audit --store: the refreshed record judged by name and by digest; an unknown image denied",
           json.dumps(reasons)[:1500] + p.stderr)
        junk = os.path.join(work, "junk.db")
        with open(junk, "wb") as f:
            f.write(b"this is not a database" * 100)
        p = run("store", "refresh", "--store", junk, "--db", new_db)
        ok(p.returncode == 2 and "junk.db" in p.stderr, "a file that is not a store: exit 2, named", p.stderr)
        con = sqlite3.connect(store)
        con.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)")
        con.commit()
        con.close()
        p = run("store", "refresh", "--store", store, "--db", new_db)
        ok(p.returncode == 2 and "newer" in p.stderr, "a store from a newer customs: exit 2", p.stderr)
        p = run("scan", "-q", "-f", "json", "-o", os.devnull, "--scanners", "package",
                "--record", os.path.join(work, "d.db"), "dir:" + work)
        ok(p.returncode == 2 and "no digest" in p.stderr, "a directory cannot be recorded", p.stderr)
        p = run("store", "refresh", "--store", "postgresql://127.0.0.1/x", "--db", new_db)
        ok(p.returncode == 2 and "PostgreSQL" in p.stderr, "a postgresql:// store: a clear error", p.stderr)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
