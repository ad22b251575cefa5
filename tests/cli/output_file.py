#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`-o FILE` (TAP): written beside FILE and renamed, never through what is already there.

- the report gets 0666 less the umask (0644 under 022, 0600 under 077), as any tool's output;
  with --show-secrets (unredacted secrets) it is 0600 whatever the umask;
- a symlink at FILE (to a file, to a FIFO nobody reads) is replaced by the report: the file it
  named is untouched and nothing blocks on the FIFO;
- a FIFO at FILE is refused with exit 2 and a message, not waited on;
- /dev/null is written in place; no temporary file is left behind.
Environment: CUSTOMS (the binary)."""
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

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")


def scan(root, out, *extra, umask=0o022):
    def pre():
        os.umask(umask)
    return subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--scanners", "secret", *extra,
                           "-o", out, "dir:" + root], capture_output=True, text=True,
                          preexec_fn=pre, env=dict(os.environ, CUSTOMS_NO_CACHE="1"))


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def is_report(path):
    try:
        with open(path) as f:
            return "secrets" in json.load(f)
    except (OSError, ValueError):
        return False


def main():
    print("1..10")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        write_tree(root, {"etc/keys.env": b"aws_access_key_id = AKIA7KLFYYLBEG3RHDSV\n"})
        victim, fifo = plant(d)
        out = os.path.join(d, "out")
        os.makedirs(out)

        p = scan(root, os.path.join(out, "a.json"))
        ok(p.returncode == 0 and mode(os.path.join(out, "a.json")) == 0o644,
           "umask 022: the report is 0644", f"{p.stderr} {oct(mode(os.path.join(out, 'a.json')))}")
        p = scan(root, os.path.join(out, "b.json"), umask=0o077)
        ok(p.returncode == 0 and mode(os.path.join(out, "b.json")) == 0o600, "umask 077: 0600",
           p.stderr)
        p = scan(root, os.path.join(out, "c.json"), "--show-secrets")
        ok(p.returncode == 0 and mode(os.path.join(out, "c.json")) == 0o600,
           "--show-secrets: 0600 even under umask 022", f"{p.stderr} {oct(mode(os.path.join(out, 'c.json')))}")

        link = os.path.join(out, "link.json")
        os.symlink(victim, link)
        p = scan(root, link)
        with open(victim) as f:
            intact = f.read() == PRECIOUS
        ok(p.returncode == 0 and intact and not os.path.islink(link) and is_report(link),
           "a symlink at FILE is replaced, the file it named untouched", p.stderr)

        link = os.path.join(out, "to-fifo.json")
        os.symlink(fifo, link)
        p = scan(root, link)  # on a FIFO nobody reads, following the link would block for ever
        ok(p.returncode == 0 and not os.path.islink(link) and is_report(link) and
           stat.S_ISFIFO(os.lstat(fifo).st_mode),
           "a symlink to a FIFO at FILE is replaced, the FIFO not opened", p.stderr)

        p = scan(root, fifo)
        ok(p.returncode == 2 and "not a regular file" in p.stderr and fifo in p.stderr,
           "a FIFO at FILE: exit 2 and a message, no wait", f"exit {p.returncode} {p.stderr}")

        p = scan(root, "/dev/null")
        ok(p.returncode == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode),
           "/dev/null is written in place", p.stderr)

        existing = os.path.join(out, "existing.json")
        with open(existing, "w") as f:
            f.write("old\n")
        os.chmod(existing, 0o640)
        p = scan(root, existing)
        ok(p.returncode == 0 and is_report(existing), "an existing report is replaced", p.stderr)

        p = scan(root, os.path.join(d, "missing-dir", "x.json"))
        ok(p.returncode == 2 and "missing-dir" in p.stderr, "an unwritable place: exit 2, named",
           p.stderr)

        left = [n for n in os.listdir(out) if ".tmp" in n]
        ok(not left, "no temporary file left behind", repr(left))
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
