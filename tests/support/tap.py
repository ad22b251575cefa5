# SPDX-License-Identifier: Apache-2.0
"""TAP output for the Python tests: ok() prints one test line (and up to 20 lines of detail
when it fails); TAP.n and TAP.failed are the counts so far."""


class TAP:
    n = 0
    failed = 0


def ok(cond, what, detail=""):
    TAP.n += 1
    print(f"{'ok' if cond else 'not ok'} {TAP.n} - {what}")
    if not cond:
        TAP.failed += 1
        for line in str(detail).splitlines()[:20]:
            print(f"# {line}")
    return cond
