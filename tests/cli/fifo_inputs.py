#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Files the user names (TAP): a FIFO, a socket or a device given where a file is expected is
refused at once with exit 2 and a message naming it, never waited on. A FIFO nobody writes blocks
a plain open(2) for ever, and /dev/zero never ends: planted at a path a CI job passes (a policy
in a shared checkout, a VEX file in a workspace), either would hang the gate, and a hung gate
is a bypass.

Each option below (policy, ignore file, VEX, secret rules, config, key, the vulnerability
database, the verdict store; and `db info --db`, a `db build` source) is given (a) a FIFO nobody writes, (b) /dev/zero; --ignorefile /dev/null
(an empty ignore file, a common way to disable the default one) still works, and so does a
policy through the process's own stdin (`/dev/stdin`). A hang shows as the test's timeout.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402
from mkimage import write_tree  # noqa: E402
from planted import plant  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/src/cli/customs")
ENV = dict(os.environ, CUSTOMS_NO_CACHE="1")
ENV.pop("CUSTOMS_CONFIG", None)

OPTIONS = [
    ("scan --policy", ["scan", "-q", "--scanners", "secret", "--policy", "{}"]),
    ("scan --ignorefile", ["scan", "-q", "--scanners", "secret", "--ignorefile", "{}"]),
    ("scan --vex", ["scan", "-q", "--scanners", "secret", "--vex", "{}"]),
    ("scan --secret-rules", ["scan", "-q", "--scanners", "secret", "--secret-rules", "{}"]),
    ("scan --config", ["scan", "-q", "--scanners", "secret", "--config", "{}"]),
    ("scan --verify-key", ["scan", "-q", "--scanners", "secret", "--verify-key", "{}"]),
    ("scan --db", ["scan", "-q", "--scanners", "vuln", "--db", "{}"]),
    ("scan --record", ["scan", "-q", "--scanners", "secret", "--record", "{}"]),
]


def run(args, root, cwd, stdin=subprocess.DEVNULL):
    return subprocess.run([CUSTOMS, *args, "dir:" + root], capture_output=True, text=True,
                          env=ENV, cwd=cwd, stdin=stdin)


def main():
    print(f"1..{2 * len(OPTIONS) + 4}")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        write_tree(root, {"etc/hostname": b"box\n"})
        _, fifo = plant(d, "planted-fifo")
        for what, args in OPTIONS:
            for bad, label in ((fifo, "a FIFO nobody writes"), ("/dev/zero", "/dev/zero")):
                p = run([a.replace("{}", bad) for a in args], root, d)
                ok(p.returncode == 2 and os.path.basename(bad) in p.stderr,
                   f"{what} {label}: refused with exit 2, naming it",
                   f"exit {p.returncode}: {p.stderr}")
        p = subprocess.run([CUSTOMS, "db", "info", "--db", fifo], capture_output=True, text=True,
                           env=ENV, stdin=subprocess.DEVNULL)
        ok(p.returncode == 2 and "planted-fifo" in p.stderr, "db info --db a FIFO: refused",
           f"exit {p.returncode}: {p.stderr}")
        p = subprocess.run([CUSTOMS, "db", "build", "-o", os.path.join(d, "out.db"), fifo],
                           capture_output=True, text=True, env=ENV, stdin=subprocess.DEVNULL)
        ok(p.returncode == 2 and "planted-fifo" in p.stderr, "db build SOURCE a FIFO: refused",
           f"exit {p.returncode}: {p.stderr}")
        p = run(["scan", "-q", "--scanners", "secret", "--ignorefile", "/dev/null"], root, d)
        ok(p.returncode == 0, "--ignorefile /dev/null: an empty ignore file", p.stderr)
        policy = b"apiVersion: customs/v1\nkind: Policy\n"
        with tempfile.TemporaryFile() as f:
            f.write(policy)
            f.seek(0)
            p = run(["scan", "-q", "--scanners", "secret", "--policy", "/dev/stdin"], root, d,
                    stdin=f)
        ok(p.returncode in (0, 1) and "not a regular file" not in p.stderr,
           "--policy /dev/stdin: the process's own input is read", p.stderr)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
