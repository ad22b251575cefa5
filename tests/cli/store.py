#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The verdict store, end to end (TAP), run twice: on SQLite and on a real PostgreSQL 15 server
the test starts on loopback (tests/support/pgserver.py; those checks skip, saying why, where
postgresql-15 is not installed). On each: `scan --record` keeps an image's inventory, findings
and verdict (schema version 2 in schema_migrations; SQLite in WAL mode); `store refresh`
against a database that has learnt a new CVE prints one line for the image (digest, names,
old -> new, the new reasons) and exits 1, a second refresh finds nothing new and exits 0;
`audit --store` judges a Pod's image from the record, by name and by digest; a row that does not
parse is an error naming it; one refresh of three images judges each on its own coverage
(images.uncovered); a store that cannot
be opened (a file that is not a store; a wrong password or no server), a store from a newer
customs and a directory target are clear errors (exit 2) that never show the password. Then:
both backends printed the same refresh lines and the same audit verdicts.
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
import pgserver  # noqa: E402
import policy as P  # noqa: E402  (the fixtures of the policy test)

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
CHECKS = 15


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True)


class SqliteStore:
    name = "sqlite"

    def __init__(self, work, srv=None):
        self.path = os.path.join(work, "verdicts.db")
        self.uri = self.path

    def sql(self, query):
        con = sqlite3.connect(self.path)
        try:
            rows = [list(r) for r in con.execute(query)]
            con.commit()
            return rows
        finally:
            con.close()

    def mode_ok(self):
        mode = self.sql("PRAGMA journal_mode")[0][0]
        return mode == "wal", f"journal_mode {mode}"

    def bad_store(self, work):
        junk = os.path.join(work, "junk.db")
        with open(junk, "wb") as f:
            f.write(b"this is not a database" * 100)
        return junk, "junk.db", None


class PgStore:
    name = "postgresql"

    def __init__(self, work, srv):
        self.srv = srv
        self.uri = srv.create_db("verdicts")

    def sql(self, query):
        return self.srv.sql("verdicts", query)

    def mode_ok(self):
        tables = {r[0] for r in self.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        want = {"schema_migrations", "policies", "images", "names", "aliases", "first_seen",
                "signatures"}
        return tables == want, f"tables {sorted(tables)}"

    def bad_store(self, work):
        wrong = "wrong-" + self.srv.password
        return self.srv.uri("verdicts", wrong), "password authentication failed", wrong


def store_checks(B, work, image, old_db, new_db, policy, pypi_db):
    """The checks on one backend; returns what both backends must agree on."""
    tag = f"[{B.name}]"
    store = B.uri
    p = run("scan", "-q", "-f", "json", "-o", os.devnull, "--db", old_db, "--policy", policy,
            "--record", store, image)
    ok(p.returncode == 0 and "verdict: warn" in p.stderr, f"{tag} scan --record: judged warn, recorded", p.stderr)
    version = B.sql("SELECT max(version) FROM schema_migrations")[0][0]
    mode_ok, mode = B.mode_ok()
    row = (B.sql("SELECT digest, config_digest, verdict, packages FROM images") or [None])[0]
    names = [r[0] for r in B.sql("SELECT name FROM names")]
    ok(mode_ok and str(version) == "2", f"{tag} the store is at schema version 2 ({B.name} layout)",
       f"{mode} {version}")
    ok(row is not None and row[0].startswith("sha256:") and row[2] == "warn"
       and "leftpad" in row[3] and names == ["docker.io/example/ledger:1"],
       f"{tag} keyed by digest, with the inventory, the verdict and the normalised name", f"{row} {names}")
    row = row or ["?"]
    p = run("store", "refresh", "--store", store, "--db", old_db)
    ok(p.returncode == 0 and p.stdout == "", f"{tag} refresh against the same database: nothing changed, exit 0",
       p.stdout + p.stderr)
    p = run("store", "refresh", "--store", store, "--db", new_db)
    refresh_out = p.stdout
    line = p.stdout.strip()
    ok(p.returncode == 1 and len(p.stdout.splitlines()) == 1 and line.startswith(row[0])
       and "docker.io/example/ledger:1: warn -> deny" in line and "CVE-2031-0001" in line,
       f"{tag} refresh after a new CVE: one line (digest, name, warn -> deny, the reason), exit 1",
       p.stdout + p.stderr)
    p = run("store", "refresh", "--store", store, "--db", new_db)
    ok(p.returncode == 0 and p.stdout == "", f"{tag} a second refresh finds nothing new", p.stdout + p.stderr)
    pod = os.path.join(work, "pod.yaml")
    P.write(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                 "    - {name: a, image: \"example/ledger:1\"}\n"
                 f"    - {{name: b, image: \"registry.example/ledger@{row[0]}\"}}\n"
                 "    - {name: c, image: \"example/unknown:1\"}\n")
    out = os.path.join(work, f"v-{B.name}.json")
    p = run("audit", "-o", os.devnull, "--policy", policy, "--store", store,
            "--verdict-output", out, pod)
    verdict = json.load(open(out)) if os.path.exists(out) else {}
    reasons = verdict["subjects"][0]["reasons"] if verdict else []
    by = {(r["subject"].split(" ")[1], r["rule"]) for r in reasons}
    ok(p.returncode == 1 and ("a", "images.vulnerabilities.deny") in by
       and ("b", "images.vulnerabilities.deny") in by and ("c", "images.unknown") in by,
       f"{tag} audit --store: the refreshed record judged by name and by digest; an unknown image denied",
       json.dumps(reasons)[:1500] + p.stderr)
    # a database without npm advisories: "nothing found" is no pass (images.uncovered), in the
    # record too; a refresh against a database that covers npm judges the image again
    p = run("scan", "-q", "-f", "json", "-o", os.devnull, "--db", pypi_db, "--policy", policy,
            "--record", store, image)
    ok(p.returncode == 1 and "images.uncovered" in p.stderr and "npm" in p.stderr
       and B.sql("SELECT verdict FROM images") == [["deny"]],
       f"{tag} scan --policy against a database with no npm data: denied by images.uncovered, "
       f"recorded deny", p.stderr)
    p = run("audit", "-o", os.devnull, "--policy", policy, "--store", store,
            "--verdict-output", out, pod)
    reasons = json.load(open(out))["subjects"][0]["reasons"] if os.path.exists(out) else []
    by = {(r["subject"].split(" ")[1], r["rule"]) for r in reasons}
    ok(p.returncode == 1 and ("a", "images.uncovered") in by and ("b", "images.uncovered") in by,
       f"{tag} audit --store: the recorded coverage gap denies the image by name and by digest",
       json.dumps(reasons)[:1500] + p.stderr)
    p = run("store", "refresh", "--store", store, "--db", old_db)
    ok(p.returncode == 1 and "docker.io/example/ledger:1: deny -> warn" in p.stdout
       and "uncovered" not in p.stdout,
       f"{tag} refresh against a database covering npm: the gap is gone, deny -> warn, exit 1",
       p.stdout + p.stderr)
    # one refresh, three images, the database's coverage read once for all: two copies of the
    # record holding a PyPI package instead (one sorting before the npm image, one after) are
    # each denied for PyPI; the npm image between them keeps its verdict
    pypi_pkgs = '[["pypi", "requests", "1.0", null, null, null, null, null, "/app/requirements.txt"]]'
    clones = ["sha256:" + "0" * 63 + "1", "sha256:" + "f" * 64]
    for d in clones:
        B.sql("INSERT INTO images (digest, config_digest, index_digest, target, os, packages,"
              " findings, vulns_scanned, errors, policy, verdict, reasons, scanned_at, checked_at)"
              f" SELECT '{d}', config_digest, index_digest, target, os, '{pypi_pkgs}', findings,"
              " vulns_scanned, errors, policy, verdict, reasons, scanned_at, checked_at FROM images"
              f" WHERE digest = '{row[0]}'")
    p = run("store", "refresh", "--store", store, "--db", old_db)
    lines = p.stdout.splitlines()
    ok(p.returncode == 1 and len(lines) == 2
       and all(l.startswith(d) and "warn -> deny" in l and "images.uncovered" in l
               and "pypi" in l and "npm" not in l for l, d in zip(lines, clones))
       and B.sql(f"SELECT verdict FROM images WHERE digest = '{row[0]}'") == [["warn"]],
       f"{tag} refresh of three images: each judged on its own coverage (two PyPI copies denied, "
       f"the npm image unchanged)", p.stdout + p.stderr)
    B.sql(f"DELETE FROM images WHERE digest IN ('{clones[0]}', '{clones[1]}')")
    # a hostile row: a malware finding without its rule (the judge needs one)
    B.sql("UPDATE images SET findings = '{\"malware\": [{\"path\": \"/x\"}]}'")
    p = run("audit", "-o", os.devnull, "--policy", policy, "--store", store, pod)
    ok(p.returncode == 2 and "does not parse" in p.stderr,
       f"{tag} a stored row that does not parse: exit 2, named (never a crash or a pass)", p.stderr)
    bad, named, secret = B.bad_store(work)
    p = run("store", "refresh", "--store", bad, "--db", new_db)
    ok(p.returncode == 2 and named in p.stderr and (secret is None or secret not in p.stderr + p.stdout),
       f"{tag} a store that cannot be opened: exit 2, named" + (", the password not shown" if secret else ""),
       p.stderr)
    B.sql("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)")
    p = run("store", "refresh", "--store", store, "--db", new_db)
    ok(p.returncode == 2 and "newer" in p.stderr, f"{tag} a store from a newer customs: exit 2", p.stderr)
    B.sql("DELETE FROM schema_migrations WHERE version = 99")
    p = run("scan", "-q", "-f", "json", "-o", os.devnull, "--scanners", "package",
            "--record", store, "dir:" + work)
    ok(p.returncode == 2 and "no digest" in p.stderr, f"{tag} a directory cannot be recorded", p.stderr)
    return refresh_out, verdict


def main():
    print("1..%d" % (2 * CHECKS + 2))
    with tempfile.TemporaryDirectory() as work:
        image, old_db, new_db = P.ledger_fixture(work)
        pypi_dir, pypi_db = os.path.join(work, "osv-pypi"), os.path.join(work, "pypi.db")
        P.write(os.path.join(pypi_dir, "p.json"), json.dumps({
            "schema_version": "1.6.0", "id": "PYSEC-2031-1", "modified": "2031-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                          "ranges": [{"type": "ECOSYSTEM",
                                      "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}))
        p = run("db", "build", "-o", pypi_db, pypi_dir)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        policy = os.path.join(work, "policy.yaml")
        P.write(policy, P.POLICY_HEAD + "images: {vulnerabilities: {deny: [CRITICAL], warn: [MEDIUM]}}\n")
        results = {"sqlite": store_checks(SqliteStore(work), work, image, old_db, new_db, policy,
                                             pypi_db)}
        # no server at all: refused, named, the password not shown
        p = run("store", "refresh", "--store",
                f"postgresql://customs:hunter2secret@127.0.0.1:{pgserver.free_port()}/x", "--db", new_db)
        ok(p.returncode == 2 and "127.0.0.1" in p.stderr and "***" in p.stderr
           and "hunter2secret" not in p.stderr + p.stdout,
           "a PostgreSQL store with no server: exit 2, the URI named with its password hidden", p.stderr)
        srv = pgserver.start_or_skip(work, CHECKS + 1)
        if srv is None:
            return 1 if TAP.failed else 0
        try:
            results["postgresql"] = store_checks(PgStore(work, srv), work, image, old_db, new_db,
                                                 policy, pypi_db)
        finally:
            srv.close()
        ok(results["sqlite"] == results["postgresql"],
           "SQLite and PostgreSQL: the same refresh lines and the same audit verdicts",
           json.dumps(results)[:3000])
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
