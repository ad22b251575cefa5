#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""customs never prints what it must not (TAP):

- a malformed JSON file inside an image is reported by file, line and column, without quoting
  its content: a short secret next to the syntax error (jansson's own text would say
  "near '<secret>'") appears nowhere in the report or on stderr;
- control characters from images and databases never reach the terminal raw: stderr messages
  (a path holding ESC) and `db info` (a source name holding ESC, BEL, CR) show them as \\x1b,
  \\x07, \\x0d; the JSON report escapes them as JSON does.
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
SECRET = "hunter2Zq9xK4"  # short: 13 characters, within jansson's quoted context


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True)


def main():
    print("1..6")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        pkg = os.path.join(root, "app", "node_modules", "leaky")
        os.makedirs(pkg)
        with open(os.path.join(pkg, "package.json"), "w") as f:
            # an invalid escape: jansson's text would be "invalid escape near '"<secret>\\q'"
            f.write('{"name": "leaky", "version": "1.0.0",\n "token": "%s\\q"}\n' % SECRET)
        p = run("sbom", "-q", "--format", "json", "dir:" + root)
        out = p.stdout.decode(errors="replace")
        errors = json.loads(out).get("errors", []) if p.returncode == 0 else []
        msg = " ".join(e.get("message", "") for e in errors)
        ok(p.returncode == 0 and "package.json:2:" in msg,
           "a malformed package.json is reported by file, line and column", msg + p.stderr.decode())
        ok(SECRET not in out and SECRET.encode() not in p.stderr,
           "its content (a short secret) is quoted nowhere", msg)

        evil = os.path.join(d, "evil\x1b]0;owned\x07dir")
        p = run("sbom", "-q", "dir:" + evil)
        ok(p.returncode == 2 and b"\x1b" not in p.stderr and b"\x07" not in p.stderr and
           b"\\x1b]0;owned\\x07dir" in p.stderr,
           "stderr: a path holding ESC and BEL is printed escaped", repr(p.stderr))

        if not os.path.exists(GHSA):
            for what in ("db info", "table", "json"):
                TAP.n += 1
                print(f"ok {TAP.n} - {what} # SKIP tests/data/vulndb/osv/ghsa.json not found")
            return 1 if TAP.failed else 0
        db = os.path.join(d, "evil.db")
        p = run("db", "build", "-o", db, GHSA)
        con = sqlite3.connect(db, isolation_level=None)
        con.execute("UPDATE sources SET name = ?, kind = ?",
                    ("osv\x1b[2J\x1b]0;owned\x07", "osv\r\x1b[31mfake"))
        con.close()
        p = run("db", "info", "--db", db)
        ok(p.returncode == 0 and not any(c in p.stdout for c in b"\x1b\x07\r") and
           b"osv\\x1b[2J\\x1b]0;owned\\x07" in p.stdout and b"osv\\x0d\\x1b[31mfake" in p.stdout,
           "db info: control characters in the database are printed escaped", repr(p.stdout))

        shutil.copytree(root, os.path.join(d, "root2"))
        name = os.path.join(d, "root2", "etc\x1b[31m")
        os.makedirs(name)
        with open(os.path.join(name, "keys.env"), "w") as f:
            f.write("aws_access_key_id = AKIA7KLFYYLBEG3RHDSV\n")
        p = run("scan", "-q", "--format", "table", "--scanners", "secret", "dir:" + os.path.join(d, "root2"))
        ok(p.returncode == 0 and b"\x1b" not in p.stdout and b"\\x1b[31m" in p.stdout,
           "the table report escapes a path holding ESC", repr(p.stdout[-600:]))
        p = run("scan", "-q", "--format", "json", "--scanners", "secret", "dir:" + os.path.join(d, "root2"))
        ok(p.returncode == 0 and b"\x1b" not in p.stdout and b"\\u001b[31m" in p.stdout,
           "the JSON report escapes it as JSON does", repr(p.stdout[-600:]))
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
