#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile content for the secret and malware scanners (TAP), built by tests/support/mkimage.py:

- sparse-4g: a PAX sparse file of 4 GiB holding a few KiB of data. Holes are not data: only the
  stored bytes are scanned, so the AWS key id planted near the 4 GiB end is found (on line 3,
  the holes having no newline), the file is reported as too large for YARA, and memory stays
  small (peak RSS checked; a scanner that filled the holes would stream 4 GiB of zeros).
- content-junk: a 24 MiB single line, 8 MiB of random bytes, 60,000 lines of near-misses of key
  formats, 200,000 private-key BEGIN lines without a key, 2 M lines of NULs: no finding, no
  error, memory bounded by the file buffer (--max-file-size) and not by the input.

Time is bounded by design (one linear pass; each candidate confirmed on at most 1 KiB) and
measured in `make bench`, not here: tests carry no clock limits.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT", ".")
MKIMAGE = os.path.join(SRC, "tests", "support", "mkimage.py")
RECIPE = os.path.join(SRC, "tests", "data", "recipes", "minimal.json")
# peak RSS allowed: the walker's buffers plus one file buffer for YARA (24 MiB here); far less
# than the content (4 GiB sparse, ~60 MiB junk). Sanitizer builds use more.
RSS_MIB = 400 if os.environ.get("CUSTOMS_SANITIZED") else 200



def scan(image, out):
    """customs scan of the image; returns (exit code, report or None, stderr, peak RSS MiB)."""
    with open(out, "wb") as o, tempfile.TemporaryFile() as e:
        p = subprocess.Popen([CUSTOMS, "scan", "-q", "--scanners", "secret,malware", "--format",
                              "json", "oci:" + image], stdout=o, stderr=e)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        e.seek(0)
        err = e.read().decode(errors="replace")
    try:
        with open(out) as f:
            rep = json.load(f)
    except ValueError:
        rep = None
    return p.returncode, rep, err, usage.ru_maxrss / 1024


def main():
    with tempfile.TemporaryDirectory(prefix="customs-content-") as d:
        imgs = {}
        for v in ("sparse-4g", "content-junk"):
            imgs[v] = os.path.join(d, v)
            subprocess.run([sys.executable, MKIMAGE, RECIPE, "--format", "oci-dir", "--out",
                            imgs[v], "--hostile", v], check=True)
        rc, rep, err, rss = scan(imgs["sparse-4g"], os.path.join(d, "sparse.json"))
        ok(rc == 0 and rep is not None, "sparse 4 GiB entry: scanned", f"exit {rc}: {err}")
        rep = rep or {"secrets": [], "errors": []}
        hits = [(s["rule"], s["path"], s["line"]) for s in rep["secrets"]]
        ok(hits == [("aws-access-key-id", "/srv/hole", 3)],
           "sparse: the key id planted near the 4 GiB end is found, and nothing else", hits)
        errs = [e["message"] for e in rep.get("errors", []) if e.get("path") == "/srv/hole"]
        ok(len(errs) == 1 and "not scanned for malware" in errs[0],
           "sparse: reported as too large for the malware scanner", errs)
        ok(rss < RSS_MIB, f"sparse: peak RSS {rss:.0f} MiB < {RSS_MIB} MiB")

        rc, rep, err, rss = scan(imgs["content-junk"], os.path.join(d, "junk.json"))
        ok(rc == 0 and rep is not None, "junk content: scanned", f"exit {rc}: {err}")
        rep = rep or {"secrets": [], "errors": [], "malware": []}
        junk = [s for s in rep["secrets"] if s["path"].startswith("/junk/")]
        ok(not junk, "junk: no secret in near-misses, one huge line, random bytes, NUL lines",
           json.dumps(junk[:5]))
        ok(not rep["malware"], "junk: no malware", json.dumps(rep["malware"][:5]))
        ok(not rep.get("errors"), "junk: no error", json.dumps(rep.get("errors")))
        ok(rss < RSS_MIB, f"junk: peak RSS {rss:.0f} MiB < {RSS_MIB} MiB")
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
