#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Fail if src/ creates a file other than through core.h's customs_newfile, customs_tmpfile_open
or customs_file_open_append (src/core/newfile.c): no O_CREAT, no creat or mk*temp, no freopen;
and every SQLite file opened with SQLITE_OPEN_CREATE is opened with SQLITE_OPEN_NOFOLLOW too
(SQLite creates its own files; a symlink there must be refused). A new file written any other
way can be a symlink or a FIFO planted at its path or at a guessable temporary path: the report,
cache or database would be written through it. No fopen at all either: a file read by name goes
through customs_file_open_read, customs_fopen_read or customs_read_file, which refuse a FIFO or
a device instead of waiting on it for ever (a FIFO given as a policy hung the program).
src/malware/yarac.c is a build-time tool that compiles the project's own rules."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ALLOWED = {os.path.join("src", "core", "newfile.c"), os.path.join("src", "malware", "yarac.c")}
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
RAW = [
    (re.compile(r"\bfopen\s*\("), "fopen (for writing: customs_newfile; for reading: customs_fopen_read)"),
    (re.compile(r"\bfreopen\s*\("), "freopen"),
    (re.compile(r"\bO_CREAT\b"), "O_CREAT"),
    (re.compile(r"\bcreat\s*\("), "creat"),
    (re.compile(r"\bmk[os]?s?temps?\s*\("), "mkstemp and kin"),
    (re.compile(r"\b(?:tmpnam|tempnam|tmpfile)\s*\("), "tmpnam/tempnam/tmpfile"),
]
SQLITE_OPEN = re.compile(r"\bsqlite3_open_v2\s*\(([^;]*?)\)\s*(?:!=|==|;)", re.S)


def blank_comments(text):
    # keep line numbers: a comment becomes as many newlines as it had
    return COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def main():
    bad = 0
    for top, _dirs, files in os.walk(os.path.join(ROOT, "src")):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(top, name)
            rel = os.path.relpath(path, ROOT)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = blank_comments(f.read())
            if rel not in ALLOWED:
                for rx, what in RAW:
                    for m in rx.finditer(text):
                        line = text.count("\n", 0, m.start()) + 1
                        print(f"file-creation: {rel}:{line}: {what}: create files through "
                              "customs_newfile (src/core/core.h)")
                        bad = 1
            for m in SQLITE_OPEN.finditer(text):
                args = m.group(1)
                if ":memory:" in args:
                    continue
                if "SQLITE_OPEN_CREATE" in args and "SQLITE_OPEN_NOFOLLOW" not in args:
                    line = text.count("\n", 0, m.start()) + 1
                    print(f"file-creation: {rel}:{line}: sqlite3_open_v2 with SQLITE_OPEN_CREATE "
                          "but without SQLITE_OPEN_NOFOLLOW")
                    bad = 1
    if not bad:
        print("file-creation: ok")
    return bad


if __name__ == "__main__":
    sys.exit(main())
