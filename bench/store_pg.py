#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench/store.sh, the PostgreSQL row: the same 1,000-image store (copied row for row from the
SQLite one the script built) on a PostgreSQL 15 started on loopback (tests/support/pgserver.py),
`customs store refresh` timed RUNS times, each on a fresh copy of the store (CREATE DATABASE ...
TEMPLATE). Prints one line, or why it was skipped.
    python3 bench/store_pg.py CUSTOMS SQLITE_STORE VULN_DB RESULTS_DIR RUNS"""
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))
import pgserver  # noqa: E402

TABLES = ["policies", "images", "names", "aliases", "first_seen", "signatures"]


def main():
    customs, base, db, res, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    why = pgserver.missing()
    if why is not None:
        print(f"store refresh on PostgreSQL: skipped ({why})")
        return 0
    with tempfile.TemporaryDirectory(dir=res) as work:
        srv = pgserver.PgServer.start(work)
        try:
            uri = srv.create_db("base")
            # the schema, by customs itself: a refresh of the empty store
            subprocess.run([customs, "store", "refresh", "-q", "--store", uri, "--db", db],
                           check=True, capture_output=True)
            con = sqlite3.connect(base)
            for t in TABLES:
                path = os.path.join(work, t + ".csv")
                cur = con.execute(f"SELECT * FROM {t}")
                cols = [d[0] for d in cur.description]
                with open(path, "w", newline="") as f:
                    w = csv.writer(f)
                    for row in cur:
                        w.writerow(["\\N" if v is None else v for v in row])
                srv.sql("base", f"\\copy {t} ({','.join(cols)}) FROM '{path}' WITH (FORMAT csv, NULL '\\N')")
            con.close()
            n = srv.sql("base", "SELECT count(*) FROM images")[0][0]
            total = 0.0
            for i in range(runs):
                name = f"run{i}"
                srv.sql("postgres", f'CREATE DATABASE "{name}" TEMPLATE base')
                t0 = time.monotonic()
                p = subprocess.run([customs, "store", "refresh", "-q", "--store", srv.uri(name),
                                    "--db", db], capture_output=True, text=True)
                total += time.monotonic() - t0
                if p.returncode not in (0, 1):
                    print(f"store refresh on PostgreSQL: failed: {p.stderr.strip()}")
                    return 1
            m = total / runs
            print(f"store refresh on PostgreSQL 15 (loopback), {n} images: {m:.3f} s "
                  f"({m * 1000 / int(n):.2f} ms/image)")
        finally:
            srv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
