#!/usr/bin/env python3
"""Print the totals of every test in the given Meson build directories as the last line
`N passed, N failed`. TAP tests count each of their `ok`/`not ok` lines; other tests count
once. Skipped tests (and TAP `# SKIP` lines) are reported apart. Exit 1 on any failure."""
import json
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def count(builddir):
    """Count as Meson does: a TAP test counts each of its lines (`ok` passed, `ok # SKIP`
    skipped, `not ok` failed whatever its directive, as Meson's TAP parser reads it), and a test
    Meson failed counts at least one failure (a crash after its last line, a timeout, a bad
    plan); any other test counts once by its result."""
    passed = failed = skipped = 0
    with open(f"{builddir}/meson-logs/testlog.json", encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            res = t.get("result")
            lines = [m for m in (TAP.match(l) for l in (t.get("stdout") or "").splitlines()) if m]
            if not lines or t.get("protocol", "").lower() != "tap" and res not in ("OK", "FAIL", "ERROR"):
                if res in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif res == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    print(f"failed: {builddir}: {t.get('name')} ({res})", file=sys.stderr)
                continue
            test_failed = 0
            for m in lines:
                if m.group(1) == "not ok":
                    test_failed += 1
                elif "# SKIP" in m.group(2).upper():
                    skipped += 1
                else:
                    passed += 1
            if res not in ("OK", "SKIP", "EXPECTEDFAIL") and test_failed == 0:
                test_failed = 1  # crashed, timed out or broke its plan after its last line
            if test_failed:
                print(f"failed: {builddir}: {t.get('name')} ({res})", file=sys.stderr)
            failed += test_failed
    return passed, failed, skipped


def main():
    total_p = total_f = total_s = 0
    for d in sys.argv[1:]:
        p, f, s = count(d)
        print(f"{d}: {p} passed, {f} failed, {s} skipped")
        total_p, total_f, total_s = total_p + p, total_f + f, total_s + s
    print(f"{total_p} passed, {total_f} failed")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
