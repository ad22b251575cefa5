#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs db update` with an NVD CVE API 2.0 source (TAP), against a loopback server in this
test that serves the real records of ../shared/corpus/vulndb/upstream/nvd/ the way the API
does: filtered by lastModStartDate/lastModEndDate (both or neither; a range over 120 days is a
404, as NVD answers), sorted, in pages of 10 whatever resultsPerPage asks (the client must
follow startIndex/totalResults), with a "timestamp" that is the server's clock.

1. First update, no key: the whole listing, undated, of what the server holds at T0; on the
   way a 429 and a 503 with Retry-After and a page cut off mid-transfer, each retried; more than
   5 requests, so the client waits for the rate limit (CUSTOMS_TEST_TIME_SCALE=0: the client's
   clock is simulated, moving only by the sleeps it asks for, so the counts are exact and no
   test time is spent waiting); the database records
   "synced until T0".
2. Second update, NVD_API_KEY set, every record visible: windows from T0 to now, none over 120
   days, each starting where the previous ended, several pages in one; the apiKey header on
   every request, never in the output, the cache or the database; no rate-limit wait (50 per
   30 s); all 169 records in the database.
3. Third update: resumes from the recorded end; nothing new: the database is kept.
4. A window that keeps failing (a truncated page body, every time) after others completed: exit
   2 naming the URL and the JSON position; the completed windows are in the database with
   where they end; the next update resumes there and completes.
5. A first listing that fails: exit 2, no database, no temporary files.
6. A key over plain http to a non-loopback host is refused without being printed.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import datetime
import http.server
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SAMPLE = os.path.join(ROOT, "..", "shared", "corpus", "vulndb", "upstream", "nvd",
                      "nvd-cves-2.0-sample.json")
KEY = "k3y-Sekrit-0123456789abcdef"
PAGE = 10
T0 = "2025-06-01T00:00:00.000"
FMT = "%Y-%m-%dT%H:%M:%S.%f"


def parse_time(text):
    text = text.replace("+00:00", "").rstrip("Z")
    return datetime.datetime.strptime(text if "." in text else text + ".000", FMT)


class NVD:
    """The server's state: what it holds, scripted faults, and every request it saw."""

    def __init__(self, records):
        self.records = sorted(records, key=lambda r: r["cve"]["id"])
        self.now = None            # records modified after this are not there yet (None: all)
        self.faults = {}           # request ordinal -> fault
        self.always = None         # (lastModStartDate prefix, fault) applied every time
        self.requests = []         # (query dict, apiKey header or None)
        self.lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=(), cut=False):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(body)

    def do_GET(self):
        nvd = self.server.nvd
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        with nvd.lock:
            nvd.requests.append((q, self.headers.get("apiKey")))
            ordinal = len(nvd.requests)
            fault = nvd.faults.pop(ordinal, None)
            if nvd.always and q.get("lastModStartDate", "").startswith(nvd.always[0]):
                fault = nvd.always[1]
        if url.path != "/rest/json/cves/2.0":
            return self.send(404)
        if fault == "429":
            return self.send(429, b"", [("Retry-After", "2")])
        if fault == "503":
            return self.send(503, b"", [("Retry-After", "1")])
        start, end = q.get("lastModStartDate"), q.get("lastModEndDate")
        if (start is None) != (end is None):
            return self.send(404, b"", [("message", "both dates are required")])
        visible = [r for r in nvd.records
                   if nvd.now is None or parse_time(r["cve"]["lastModified"]) <= nvd.now]
        if start is not None:
            a, b = parse_time(start), parse_time(end)
            if b < a or b - a > datetime.timedelta(days=120):
                return self.send(404, b"", [("message", "the date range exceeds 120 days")])
            visible = [r for r in visible if a <= parse_time(r["cve"]["lastModified"]) <= b]
        index = int(q.get("startIndex", "0"))
        size = min(int(q.get("resultsPerPage", "2000")), PAGE)
        page = visible[index:index + size]
        stamp = (nvd.now or datetime.datetime(2026, 10, 9)).strftime(FMT)[:-3]
        body = json.dumps({"resultsPerPage": len(page), "startIndex": index,
                           "totalResults": len(visible), "format": "NVD_CVE", "version": "2.0",
                           "timestamp": stamp, "vulnerabilities": page},
                          indent=1).encode()
        if fault == "cut":
            return self.send(200, body, cut=True)
        if fault == "truncated":
            body = body[: len(body) // 2]
        return self.send(200, body)


def start_server(nvd):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.nvd = nvd
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def update(db, url, key=None):
    env = dict(os.environ, CUSTOMS_TEST_TIME_SCALE="0")
    env.pop("NVD_API_KEY", None)
    if key is not None:
        env["NVD_API_KEY"] = key
    return subprocess.run([CUSTOMS, "db", "update", "--db", db, "--source", f"nvd={url}"],
                          capture_output=True, text=True, env=env)


def db_state(db):
    """(NVD records, synced-until meta, cvss rows) of a database file."""
    if not os.path.exists(db):
        return None, None, None
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = c.execute("SELECT count(*) FROM nvd").fetchone()[0]
    meta = c.execute("SELECT value FROM meta WHERE key = 'nvd-sync:nvd'").fetchone()
    cvss = c.execute("SELECT count(*) FROM cvss").fetchone()[0]
    c.close()
    return n, meta[0] if meta else None, cvss


def summary(p):
    """The counts of the source's report line."""
    for line in p.stdout.splitlines():
        if line.startswith("nvd "):
            words = line.replace(",", " ").replace(";", " ").split()
            out = {}
            for i, w in enumerate(words):
                if w in ("rate-limit", "Retry-After", "retries", "request", "requests",
                         "window", "windows", "records"):
                    out.setdefault(w.rstrip("s") if w != "Retry-After" else w,
                                   int(words[i - 1]))
            return out
    return {}


def strays(d):
    return [f for _, _, fs in os.walk(d) for f in fs if ".part-" in f or ".tmp" in f]


def windows_of(requests):
    return [(parse_time(q["lastModStartDate"]), parse_time(q["lastModEndDate"]))
            for q, _ in requests if "lastModStartDate" in q]


def check_windows(wins, first_start):
    """Problems with a run's windows: over 120 days, gaps, wrong first start."""
    problems = []
    distinct = sorted(set(wins))
    if not distinct:
        return ["no dated request"]
    if distinct[0][0] != first_start:
        problems.append(f"first window starts at {distinct[0][0]}, expected {first_start}")
    for (a, b), nxt in zip(distinct, distinct[1:] + [None]):
        if b - a > datetime.timedelta(days=120):
            problems.append(f"window {a}..{b} over 120 days")
        if nxt is not None and nxt[0] != b:
            problems.append(f"gap between {a}..{b} and {nxt[0]}")
    return problems


def main():
    print("1..19")
    if not os.path.exists(SAMPLE):
        print(f"1..0 # SKIP {SAMPLE} not found (../shared corpus)")
        return 0
    with open(SAMPLE, encoding="utf-8") as f:
        records = json.load(f)["vulnerabilities"]
    t0 = parse_time(T0)
    before = sum(1 for r in records if parse_time(r["cve"]["lastModified"]) <= t0)
    work = tempfile.mkdtemp(prefix="customs-nvd.")
    nvd = NVD(records)
    srv = start_server(nvd)
    url = f"http://127.0.0.1:{srv.server_address[1]}/rest/json/cves/2.0"
    try:
        db = os.path.join(work, "a", "customs.db")
        # ---- 1. the first listing ----
        nvd.now = t0
        nvd.faults = {2: "429", 4: "503", 5: "cut"}
        p = update(db, url)
        n, meta, _ = db_state(db)
        s = summary(p)
        ok(p.returncode == 0 and n == before,
           f"first update: the whole listing at T0 ({before} records) despite a 429, a 503 and"
           " a cut page", f"exit {p.returncode}, {n} records\n{p.stdout}\n{p.stderr}")
        ok(all("lastModStartDate" not in q for q, _ in nvd.requests)
           and all(q.get("resultsPerPage") == "2000" for q, _ in nvd.requests),
           "the first listing is undated, asking 2000 per page", nvd.requests)
        ok(s.get("Retry-After") == 2 and s.get("retrie") == 3,
           "two Retry-After answers and three retries are counted", p.stdout)
        # 11 requests (8 pages, 3 faults) at simulated times 0 0 2 2 3 | 30 30 32 32 33 | 60
        # (Retry-After 2 and 1, a back-off of 12): four waits keep every 30 s to 5 requests
        ok(s.get("request") == 11 and s.get("rate-limit") == 4,
           "11 requests without a key: four waits for the rate limit of 5 per 30 s",
           p.stdout)
        ok(meta == f"{T0} {url}", "the database records the sync until T0", meta)
        ok(all(k is None for _, k in nvd.requests), "no apiKey header without NVD_API_KEY")
        # ---- 2. windows up to now, with a key ----
        nvd.now = None
        nvd.requests.clear()
        p = update(db, url, KEY)
        n, meta, cvss = db_state(db)
        s = summary(p)
        wins = windows_of(nvd.requests)
        ok(p.returncode == 0 and n == len(records),
           f"second update: all {len(records)} records", f"exit {p.returncode}, {n}\n{p.stderr}")
        problems = check_windows(wins, t0)
        ok(len(set(wins)) >= 5 and not problems,
           "windows of at most 120 days from T0, contiguous (the server refuses longer ones)",
           problems or wins)
        ok(any(int(q.get("startIndex", 0)) > 0 and "lastModStartDate" in q
               for q, _ in nvd.requests), "a window of several pages is followed by startIndex")
        ok(all(k == KEY for _, k in nvd.requests), "the apiKey header on every request")
        ok(s.get("rate-limit") == 0, "with a key (50 per 30 s) no rate-limit wait", p.stdout)
        leaked = [f for f in (p.stdout, p.stderr) if KEY in f]
        for dirpath, _, files in os.walk(os.path.dirname(db)):
            for name in files:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    if KEY.encode() in fh.read():
                        leaked.append(name)
        ok(not leaked, "the key is in no output, cache file or database", leaked)
        until = meta.split(" ")[0] if meta else ""
        ok(until > "2026-10-08" and meta.endswith(url), "the sync is recorded up to now", meta)
        # ---- 3. nothing new ----
        # the recorded end is the second update's clock, in whole seconds: let one pass, so that
        # there is a window to ask for (the test asserts what is asked, never how long it took)
        time.sleep(1.1)
        nvd.requests.clear()
        with open(db, "rb") as fh:
            old = fh.read()
        p = update(db, url, KEY)
        wins = windows_of(nvd.requests)
        with open(db, "rb") as fh:
            same = fh.read() == old
        ok(p.returncode == 0 and same and wins and wins[0][0] == parse_time(until),
           "third update resumes from the recorded end, finds nothing and keeps the database",
           f"exit {p.returncode}, same {same}, {wins[:1]} vs {until}\n{p.stdout}{p.stderr}")
        # ---- 4. a window failing after others completed ----
        db2 = os.path.join(work, "b", "customs.db")
        nvd.now = t0
        nvd.faults = {}
        p = update(db2, url)
        nvd.now = None
        nvd.requests.clear()
        nvd.always = ("2026-01", "truncated")   # the third window from T0 starts in 2026-01
        p = update(db2, url)
        n2, meta2, _ = db_state(db2)
        until2 = parse_time(meta2.split(" ")[0]) if meta2 else None
        failed = [q for q, _ in nvd.requests if q.get("lastModStartDate", "").startswith("2026-01")]
        ok(p.returncode == 2 and len(failed) == 5 and f"({url}?lastModStartDate=2026-01" in p.stderr
           and re.search(r"\): response:\d+:\d+: not valid JSON", p.stderr),
           "a page truncated every time: five attempts, exit 2 naming the URL and position",
           p.stderr)
        ok(until2 is not None and until2.strftime("%Y-%m") == "2026-01" and
           before < n2 < len(records) and not strays(os.path.dirname(db2)),
           "the two windows that completed are in the database, with where they end",
           f"{meta2}, {n2} records, strays {strays(os.path.dirname(db2))}")
        nvd.always = None
        nvd.requests.clear()
        p = update(db2, url)
        n2, meta2, _ = db_state(db2)
        wins = windows_of(nvd.requests)
        ok(p.returncode == 0 and n2 == len(records) and wins and wins[0][0] == until2,
           "the next update resumes at that window and completes",
           f"exit {p.returncode}, {n2}, {wins[:1]}\n{p.stderr}")
        # ---- 5. a first listing that fails ----
        db3 = os.path.join(work, "c", "customs.db")
        nvd.now = t0
        nvd.faults = {i: "truncated" for i in range(len(nvd.requests) + 1,
                                                    len(nvd.requests) + 6)}
        p = update(db3, url)
        ok(p.returncode == 2 and not os.path.exists(db3) and not strays(os.path.dirname(db3))
           and url in p.stderr, "a first listing that fails: exit 2, nothing written",
           f"exit {p.returncode}\n{p.stderr}")
        # ---- 6. the key stays off plain http ----
        p = update(os.path.join(work, "d", "customs.db"),
                   "http://nvd.example/rest/json/cves/2.0", KEY)
        ok(p.returncode == 2 and "plain http" in p.stderr and KEY not in p.stderr + p.stdout,
           "a key is not sent over plain http to another host, nor printed", p.stderr)
    finally:
        srv.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
