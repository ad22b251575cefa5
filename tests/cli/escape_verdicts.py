#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Verdict lines never put raw control characters on the terminal (TAP): the subjects, reasons
and notes that `audit --policy` prints on stderr carry names from the manifests audited (a
container or image name holding ESC), and `policy check` prints ignore ids from the policy file.
Each control character must come out as \\x1b, \\x07, \\x0d (never the byte itself).
Environment: CUSTOMS (the binary)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/src/cli/customs")
ENV = dict(os.environ, CUSTOMS_NO_CACHE="1")
ENV.pop("CUSTOMS_CONFIG", None)
EVIL = "\\e]0;owned\\a\\e[2J\\rok"  # YAML double-quoted escapes: ESC, BEL, CR


def raw_controls(b):
    return any(c in b for c in (b"\x1b", b"\x07", b"\r"))


def main():
    print("1..3")
    with tempfile.TemporaryDirectory() as d:
        policy = os.path.join(d, "policy.yaml")
        with open(policy, "w") as f:
            f.write("apiVersion: customs/v1\nkind: Policy\n"
                    "podSecurity: {level: restricted, version: latest}\n"
                    "images:\n  unknown: allow\n")
        pod = os.path.join(d, "pod.yaml")
        with open(pod, "w") as f:
            f.write("apiVersion: v1\nkind: Pod\nmetadata: {name: \"p" + EVIL + "\"}\n"
                    "spec:\n  containers:\n  - name: \"c" + EVIL + "\"\n"
                    "    image: \"example.org/app" + EVIL + ":1\"\n"
                    "    securityContext: {privileged: true}\n")
        p = subprocess.run([CUSTOMS, "audit", "--policy", policy, pod], capture_output=True,
                           env=ENV, stdin=subprocess.DEVNULL)
        err = p.stderr
        ok(p.returncode == 1 and b"deny" in err, "audit --policy denies the privileged pod",
           f"exit {p.returncode}: {err!r}")
        ok(not raw_controls(err) and b"\\x1b" in err,
           "audit --policy: names from the manifest are escaped on stderr", repr(err))

        expired = os.path.join(d, "expired.yaml")
        with open(expired, "w") as f:
            f.write("apiVersion: customs/v1\nkind: Policy\n"
                    "ignore:\n  - id: \"CVE-2020-0001" + EVIL + "\"\n"
                    "    statement: accepted\n    expires: 2020-01-01\n")
        p = subprocess.run([CUSTOMS, "policy", "check", expired], capture_output=True, env=ENV,
                           stdin=subprocess.DEVNULL)
        ok(not raw_controls(p.stdout + p.stderr) and b"expired" in p.stderr,
           "policy check: an expired ignore id is escaped", f"exit {p.returncode}: {p.stderr!r}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
