#!/usr/bin/env python3
"""Run a cmocka test executable and pass its TAP through, with cmocka's skip lines mended.

cmocka prints a skipped test as `not ok N # SKIP name`. TAP (and Meson's TAP parser) reads a
`not ok` line as a failure whatever its directive, so a skipped test would fail the suite while
scripts/test-summary.py counted it as skipped. Rewritten as `ok N - name # SKIP`, Meson and the
summary agree: a skip is a skip. Every other line, the exit status and stderr are unchanged."""
import re
import subprocess
import sys

SKIP = re.compile(r"^not ok (\d+) # SKIP\b\s*(.*)$")


def main():
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True, errors="replace")
    for line in proc.stdout:
        m = SKIP.match(line.rstrip("\n"))
        if m:
            line = f"ok {m.group(1)} - {m.group(2)} # SKIP\n"
        sys.stdout.write(line)
    sys.stdout.flush()
    return proc.wait()


if __name__ == "__main__":
    rc = main()
    sys.exit(rc if rc >= 0 else 128 - rc)
