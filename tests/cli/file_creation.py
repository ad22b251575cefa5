#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Every file customs writes (TAP), beyond `-o` (output_file.py): a symlink or FIFO planted at
the final path is replaced or refused, never written through or waited on.

- `db build -o FILE`: a symlink at FILE (to a victim file, to a FIFO nobody reads) is replaced
  by the database, the victim untouched; the database gets 0666 less the umask; no temporary
  file is left beside it;
- `admit --review --audit-log FILE`: a symlink at FILE or a FIFO there is refused with exit 2
  and a message naming FILE (the victim untouched, nothing waits on the FIFO); a regular file
  is appended to;
- `scan --record FILE`: a symlink at the store is refused (SQLite creates the store
  itself, with SQLITE_OPEN_NOFOLLOW).
A hang shows as the test's timeout. Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402
from mkimage import write_tree  # noqa: E402
from planted import PRECIOUS, plant  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/src/cli/customs")
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TRACKER = os.path.join(SRC, "tests", "data", "vulndb", "tracker.json")
ENV = dict(os.environ, CUSTOMS_NO_CACHE="1")


def run(*args, umask=0o022):
    def pre():
        os.umask(umask)
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, preexec_fn=pre,
                          env=ENV, stdin=subprocess.DEVNULL)


def is_sqlite(path):
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\0"
    except OSError:
        return False


def text(path):
    with open(path) as f:
        return f.read()


def review(uid):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "example.org/app@sha256:" + "a" * 64}]}}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "resource": {"group": "", "version": "v1", "resource": "pods"},
                        "name": "p", "namespace": "default", "operation": "CREATE",
                        "object": pod}}


def main():
    print("1..9")
    with tempfile.TemporaryDirectory() as d:
        victim, fifo = plant(d)
        out = os.path.join(d, "out")
        os.makedirs(out)

        # db build -o
        link = os.path.join(out, "to-victim.db")
        os.symlink(victim, link)
        p = run("db", "build", "-o", link, TRACKER)
        ok(p.returncode == 0 and text(victim) == PRECIOUS and not os.path.islink(link)
           and is_sqlite(link), "db build: a symlink at FILE is replaced, the victim untouched",
           p.stderr)
        link = os.path.join(out, "to-fifo.db")
        os.symlink(fifo, link)
        p = run("db", "build", "-o", link, TRACKER)
        ok(p.returncode == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode) and is_sqlite(link),
           "db build: a symlink to a FIFO at FILE is replaced, nothing waits on the FIFO",
           p.stderr)
        plain = os.path.join(out, "plain.db")
        p = run("db", "build", "-o", plain, TRACKER, umask=0o027)
        mode = stat.S_IMODE(os.lstat(plain).st_mode) if os.path.exists(plain) else None
        ok(p.returncode == 0 and mode == 0o640, "db build: the database is 0666 less the umask",
           f"{p.stderr} {oct(mode) if mode is not None else 'missing'}")
        left = [n for n in os.listdir(out) if "tmp" in n]
        ok(left == [], "db build: no temporary file left", repr(left))

        # admit --audit-log
        reviews = os.path.join(d, "reviews.json")
        with open(reviews, "w") as f:
            f.write(json.dumps(review("u-1")) + "\n")
        link = os.path.join(d, "log-link")
        os.symlink(victim, link)
        p = run("admit", "--review", reviews, "--audit-log", link)
        ok(p.returncode == 2 and text(victim) == PRECIOUS and "log-link" in p.stderr,
           "admit: a symlink at the audit log is refused, the victim untouched",
           f"exit {p.returncode}: {p.stderr}")
        p = run("admit", "--review", reviews, "--audit-log", fifo)
        ok(p.returncode == 2 and "fifo" in p.stderr,
           "admit: a FIFO as the audit log is refused, not waited on",
           f"exit {p.returncode}: {p.stderr}")
        log = os.path.join(d, "audit.jsonl")
        for _ in range(2):
            p = run("admit", "--review", reviews, "--audit-log", log)
        lines = text(log).splitlines() if os.path.exists(log) else []
        ok(p.returncode in (0, 1) and len(lines) == 2, "admit: a regular audit log is appended to",
           f"exit {p.returncode}: {p.stderr} {len(lines)} lines")

        # the verdict store
        root = os.path.join(d, "root")
        write_tree(root, {"etc/hostname": b"box\n"})
        link = os.path.join(d, "store-link.db")
        os.symlink(victim, link)
        p = run("scan", "-q", "--scanners", "secret", "--record", link, "dir:" + root)
        ok(p.returncode == 2 and text(victim) == PRECIOUS,
           "store: a symlink at the store is refused, the victim untouched",
           f"exit {p.returncode}: {p.stderr}")
        link = os.path.join(d, "store-fifo.db")
        os.symlink(fifo, link)
        p = run("scan", "-q", "--scanners", "secret", "--record", link, "dir:" + root)
        ok(p.returncode == 2, "store: a symlink to a FIFO at the store is refused, not waited on",
           f"exit {p.returncode}: {p.stderr}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
