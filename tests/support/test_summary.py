#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/test-summary.py and tests/support/cmocka_tap.py agree with Meson: a skip is a skip,
a `not ok` is a failure whatever its directive, and a test Meson failed is never summed as 0
failed. Runs both on made-up Meson logs and a made-up cmocka executable."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import TAP, ok  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUMMARY = os.path.join(ROOT, "scripts", "test-summary.py")
FILTER = os.path.join(ROOT, "tests", "support", "cmocka_tap.py")


def summary(tests):
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "meson-logs"))
        with open(os.path.join(d, "meson-logs", "testlog.json"), "w", encoding="utf-8") as f:
            for t in tests:
                f.write(json.dumps(t) + "\n")
        p = subprocess.run([sys.executable, SUMMARY, d], capture_output=True, text=True)
        return p.stdout.strip().splitlines()[-1], p.returncode


def tap(name, result, *lines):
    return {"name": name, "result": result, "protocol": "TAP", "stdout": "\n".join(lines)}


def main():
    last, rc = summary([tap("a", "OK", "ok 1 - x", "ok 2 - y # SKIP no server", "1..2")])
    ok(last == "1 passed, 0 failed" and rc == 0, f"a TAP skip is neither passed nor failed: {last}")
    last, rc = summary([tap("b", "FAIL", "ok 1 - x", "not ok 2 # SKIP y", "1..2")])
    ok(last == "1 passed, 1 failed" and rc == 1, f"a not-ok skip line fails, as in Meson: {last}")
    last, rc = summary([tap("c", "FAIL", "ok 1 - x", "ok 2 - y", "1..3")])
    ok(last == "2 passed, 1 failed" and rc == 1, f"a TAP test Meson failed counts a failure: {last}")
    last, rc = summary([{"name": "d", "result": "SKIP", "protocol": "exitcode", "stdout": ""},
                        {"name": "e", "result": "TIMEOUT", "protocol": "exitcode", "stdout": ""},
                        {"name": "f", "result": "OK", "protocol": "exitcode", "stdout": ""}])
    ok(last == "1 passed, 1 failed" and rc == 1, f"exit-code tests by result: {last}")

    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "fake_cmocka")
        with open(exe, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\nprintf '1..2\\nok 1 - a\\nnot ok 2 # SKIP b_test\\n'\nexit 3\n")
        os.chmod(exe, 0o755)
        p = subprocess.run([sys.executable, FILTER, exe], capture_output=True, text=True)
        ok(p.stdout.splitlines() == ["1..2", "ok 1 - a", "ok 2 - b_test # SKIP"],
                f"cmocka's skip line becomes an ok skip line: {p.stdout!r}".replace("#", "%"))
        ok(p.returncode == 3, f"the executable's exit status passes through: {p.returncode}")
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
