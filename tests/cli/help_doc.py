#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The manual in docs/ matches the binary (TAP).
- every command's --help (top level, scan, sbom, audit, policy check, admit, registry, store
  refresh, db, db update, cache) exits 0 and prints its help on stdout;
- docs/cli.md is exactly what scripts/cli-doc.py writes from those helps (a flag added,
  renamed or removed without the manual fails here);
- the top-level help names every command it dispatches and promises no feature "to come";
- the exit codes: the top-level help states 0, N, 1 and 2, the N as set by --exit-code, and
  scan's help has its own "Exit codes:" naming --exit-code, --policy and --verify-key.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import difflib
import os
import subprocess
import sys

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))


def main():
    import importlib.util
    spec = importlib.util.spec_from_file_location("cli_doc", os.path.join(ROOT, "scripts",
                                                                          "cli-doc.py"))
    cli_doc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli_doc)
    print("1..4")
    try:
        helps = cli_doc.helps(CUSTOMS)
        err = ""
    except RuntimeError as e:
        helps, err = [], str(e)
    ok(err == "" and len(helps) == len(cli_doc.COMMANDS),
       "every command's --help exits 0 with its help on stdout", err)
    with open(os.path.join(ROOT, "docs", "cli.md"), encoding="utf-8") as f:
        doc = f.read()
    want = cli_doc.render(CUSTOMS) if err == "" else ""
    diff = "".join(difflib.unified_diff(doc.splitlines(True), want.splitlines(True),
                                        "docs/cli.md", "customs --help"))
    ok(err == "" and doc == want,
       "docs/cli.md is the binary's help (scripts/cli-doc.py build/src/cli/customs > "
       "docs/cli.md)", diff)
    top = helps[0][1] if helps else ""
    missing = [c for c in ("db", "sbom", "scan", "audit", "policy", "admit", "store",
                           "registry", "cache") if f"\n  {c} " not in top]
    ok(top != "" and not missing and "to come" not in top,
       "the top-level help names every command and promises nothing 'to come'",
       f"missing: {missing}\n{top}")
    codes = top[top.find("\nExit codes"):] if "\nExit codes" in top else ""
    rows = [c for c in ("0", "N", "1", "2") if f"\n  {c}  " not in codes]
    scan = helps[1][1] if len(helps) > 1 else ""
    scan_codes = scan[scan.find("\nExit codes:"):] if "\nExit codes:" in scan else ""
    scan_missing = [w for w in ("--exit-code N", "--policy", "--verify-key", "--allow-uncovered")
                    if w not in scan_codes]
    ok(codes != "" and not rows and "--exit-code N" in codes and scan_codes != "" and
       not scan_missing,
       "the top-level help states exit codes 0, N (--exit-code N), 1 and 2; scan's help its own",
       f"rows missing: {rows}; scan's exit codes lack: {scan_missing}\n{codes}\n{scan_codes}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
