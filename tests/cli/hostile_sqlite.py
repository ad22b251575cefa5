#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""SQLite files are input (TAP): the vulnerability database (`--db`, `db info`) and rpmdb.sqlite
inside an image. Each hostile variant is made from a good file with Python's sqlite3 and must
give exit 2 and a message naming the file (and the row, for bad rows) before any query can
crash or hang:

- a NULL in a NOT NULL column (the schema text left as customs writes it), a blob where text
  belongs, a NULL source name (`db info`): errors naming the row;
- a recursive view in place of a table, a trigger, a generated column, an extra index, an
  extra table: refused by the schema check, naming the object;
- another schema_version: refused, naming both versions;
- rpmdb.sqlite with a generated `blob` column, a trigger or a Packages view: refused by the
  same schema check (the package list reports the error, the scan goes on);
- the good files still pass the check (an rpmdb's row is read and its header parsed).
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
GHSA = os.path.join(ROOT, "tests", "data", "vulndb", "osv", "ghsa.json")


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True)


def scan(db, root):
    p = run("scan", "-q", "--format", "json", "--scanners", "vuln", "--db", db, "dir:" + root)
    try:
        report = json.loads(p.stdout) if p.returncode == 0 else None
    except ValueError:
        report = None
    return p, report


def mutate(src, dst, *sql, writable_schema=False):
    shutil.copyfile(src, dst)
    con = sqlite3.connect(dst, isolation_level=None)
    if writable_schema:
        con.execute("PRAGMA writable_schema = ON")
    for s in sql:
        con.execute(s)
    con.close()


def schema_sql(db, name):
    con = sqlite3.connect(db)
    (sql,) = con.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (name,)).fetchone()
    con.close()
    return sql


def null_in_not_null(src, dst, table, column, where):
    """Store a NULL in a NOT NULL column, then put the original schema text back: the file then
    claims NOT NULL (as customs writes it) and holds a NULL (as an attacker writes it)."""
    original = schema_sql(src, table)
    relaxed = original.replace(f"{column} TEXT NOT NULL", f"{column} TEXT")
    assert relaxed != original, (table, column)
    mutate(src, dst,
           "UPDATE sqlite_schema SET sql = ? WHERE name = ?".replace("?", "'%s'") %
           (relaxed.replace("'", "''"), table), writable_schema=True)
    con = sqlite3.connect(dst, isolation_level=None)
    con.execute(f"UPDATE {table} SET {column} = NULL WHERE {where}")
    con.close()
    mutate(dst, dst + ".tmp",
           "UPDATE sqlite_schema SET sql = '%s' WHERE name = '%s'" %
           (original.replace("'", "''"), table), writable_schema=True)
    os.replace(dst + ".tmp", dst)


def main():
    if not os.path.exists(GHSA):
        print("1..0 # SKIP tests/data/vulndb/osv/ghsa.json not found")
        return 0
    print("1..15")
    with tempfile.TemporaryDirectory() as d:
        good = os.path.join(d, "good.db")
        p = run("db", "build", "-o", good, GHSA)
        root = os.path.join(d, "root")
        pkg = os.path.join(root, "app", "node_modules", "example-lib")
        os.makedirs(pkg)
        with open(os.path.join(pkg, "package.json"), "w") as f:
            json.dump({"name": "example-lib", "version": "1.0.0"}, f)
        p, report = scan(good, root)
        ids = [v["id"] for v in report["vulnerabilities"]] if report else []
        ok(p.returncode == 0 and ids, "the good database matches example-lib 1.0.0", p.stderr + repr(ids))

        def refused(name, db, *want):
            p, _ = scan(db, root)
            ok(p.returncode == 2 and db in p.stderr and all(w in p.stderr for w in want),
               name, f"exit {p.returncode}\n{p.stderr}")

        bad = os.path.join(d, "null.db")
        null_in_not_null(good, bad, "affected", "vuln_id", "1")
        refused("a NULL vuln_id (schema text intact): an error naming the row and the column", bad,
                "affected row", "vuln_id is NULL")

        bad = os.path.join(d, "blob.db")
        mutate(good, bad, "UPDATE affected SET fixed = x'00ff'")
        refused("a blob where a version belongs: an error naming the row", bad, "affected row",
                "fixed is blob")

        bad = os.path.join(d, "view.db")
        con = sqlite3.connect(good)
        cols = [r[1] for r in con.execute("PRAGMA table_info(affected)")]
        con.close()
        select = ", ".join(f"'x' AS {c}" if c != "id" else "n AS id" for c in cols)
        mutate(good, bad, "DROP TABLE affected",
               "CREATE VIEW affected AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1"
               f" FROM c) SELECT {select} FROM c")
        refused("a recursive view in place of a table: refused before any query", bad, "view",
                "affected")

        bad = os.path.join(d, "trigger.db")
        mutate(good, bad, "CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END")
        refused("a trigger: refused", bad, "trigger")

        bad = os.path.join(d, "generated.db")
        mutate(good, bad, "ALTER TABLE vulns ADD COLUMN x TEXT GENERATED ALWAYS AS"
               " (replace(hex(zeroblob(1000)), '0', 'ab')) VIRTUAL")
        refused("a generated column: refused, naming the table", bad, "vulns")

        bad = os.path.join(d, "index.db")
        mutate(good, bad, "CREATE INDEX evil ON affected (length(hex(package)))")
        refused("an extra index: refused, naming it", bad, "evil")

        bad = os.path.join(d, "table.db")
        mutate(good, bad, "CREATE TABLE extra (x)")
        refused("an extra table: refused, naming it", bad, "extra")

        bad = os.path.join(d, "version.db")
        mutate(good, bad, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        refused("another schema version: refused, naming both", bad, "schema version 99")

        bad = os.path.join(d, "source.db")
        null_in_not_null(good, bad, "sources", "name", "1")
        p = run("db", "info", "--db", bad)
        ok(p.returncode == 2 and "sources row" in p.stderr and "name is NULL" in p.stderr,
           "db info: a NULL source name is an error naming the row", f"exit {p.returncode}\n{p.stderr}")
        p = run("db", "info", "--db", good)
        ok(p.returncode == 0, "db info reads the good database", p.stderr)

        # rpmdb.sqlite inside an image (here a root filesystem directory)
        rpm_schema = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"
        cases = [
            ("good", [rpm_schema, "CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL)",
                      "INSERT INTO Packages (blob) VALUES (x'00000000')"], None),
            ("generated", ["CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " blob BLOB GENERATED ALWAYS AS (zeroblob(16)) VIRTUAL)"], "Packages"),
            ("trigger", [rpm_schema, "CREATE TABLE t (x)",
                         "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END"], "trigger"),
            ("view", ["CREATE VIEW Packages AS SELECT 1 AS hnum, x'00' AS blob"], "view"),
        ]
        for name, sql, want in cases:
            r = os.path.join(d, "rpm-" + name)
            os.makedirs(os.path.join(r, "var", "lib", "rpm"))
            with open(os.path.join(r, "etc-os-release"), "w"):
                pass
            con = sqlite3.connect(os.path.join(r, "var", "lib", "rpm", "rpmdb.sqlite"))
            for s in sql:
                con.execute(s)
            con.commit()
            con.close()
            p = run("sbom", "-q", "--format", "json", "dir:" + r)
            try:
                errors = json.dumps(json.loads(p.stdout).get("errors", []))
            except ValueError:
                errors = ""
            if want is None:
                ok(p.returncode == 0 and "hnum 1" in errors and "schema" not in errors,
                   "rpmdb.sqlite: the rpm schema passes the check (its one row is read)",
                   p.stderr + errors)
            else:
                ok(p.returncode == 0 and "rpmdb.sqlite" in errors and "schema" in errors and want in errors,
                   f"rpmdb.sqlite with a {name}: refused by the schema check, reported", p.stderr + errors)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
