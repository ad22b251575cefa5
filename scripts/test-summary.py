#!/usr/bin/env python3
"""Print the totals of every test in the given Meson build directories as the last line
`N passed, N failed`. TAP tests count each of their `ok`/`not ok` lines; other tests count
once. Skipped tests (and TAP `# SKIP` lines) are reported apart. Exit 1 on any failure."""
import json
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def count(builddir):
    passed = failed = skipped = 0
    with open(f"{builddir}/meson-logs/testlog.json", encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            res = t.get("result")
            lines = [m for m in (TAP.match(l) for l in (t.get("stdout") or "").splitlines()) if m]
            if res == "SKIP" and not lines:
                skipped += 1
                continue
            if lines and t.get("protocol", "").lower() == "tap" or lines and res in ("OK", "FAIL", "ERROR"):
                for m in lines:
                    if "# SKIP" in m.group(2).upper():
                        skipped += 1
                    elif m.group(1) == "ok":
                        passed += 1
                    else:
                        failed += 1
                if res not in ("OK", "SKIP", "EXPECTEDFAIL") and not any(m.group(1) == "not ok" for m in lines):
                    failed += 1  # crashed or exited non-zero after its last line
            elif res in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
                print(f"failed: {builddir}: {t.get('name')} ({res})", file=sys.stderr)
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
