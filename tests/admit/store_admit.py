#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs admit --store`: the running webhook judges every container's image from the verdict
store, on SQLite and on a PostgreSQL 15 the test starts (tests/support/pgserver.py; skipped,
saying why, where postgresql-15 is missing). On each backend, against one server that is never
restarted: an image nobody recorded is denied (images.unknown); after `scan --record` the same
review is admitted with the recorded vulnerability as a warning; after `store refresh` against a
database that learnt a critical CVE it is denied naming that CVE. A change must be seen within
the webhook's design bound (every request reads the store, so at once; the test polls for up to
30 s so that a loaded machine does not fail it). Failure modes: a store that cannot be opened at
start, and (PostgreSQL) a server stopped under a running webhook, deny every judged review with
a clear reason and make /readyz not ready, without the password anywhere; when the server is
back the webhook reconnects and judges again. Readers never wait for a writer: while another
session holds a write transaction that has rewritten the image's verdict and findings (as a
`store refresh` does until it commits; on SQLite an exclusive one, which without WAL would lock
every reader out), the webhook answers at once with the committed record (a blocked reader would
answer with the store's 5 s timeout as a failure). How long each change took to reach the
webhook is printed as a diagnostic. TAP output."""
import json
import os
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
import pgserver  # noqa: E402
import policy as P  # noqa: E402  (the image and vulnerability fixtures of the policy test)
from webhook import make_cert, start  # noqa: E402

CUSTOMS = os.environ["CUSTOMS"]
POLL_S = 30  # generous: the design bound is 5 s (in fact every request reads the store)
CHECKS = 7

POLICY = P.POLICY_HEAD + """images:
  unknown: deny
  vulnerabilities: {deny: [CRITICAL], warn: [MEDIUM]}
exemptions: {namespaces: [kube-system]}
"""


def review(uid, ns="shop"):
    """A Pod whose container and init container run the image the test records."""
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ledger", "namespace": ns},
           "spec": {"containers": [{"name": "app", "image": "example/ledger:1"}],
                    "initContainers": [{"name": "init", "image": "example/ledger:1"}]}}
    gvk = {"group": "", "version": "v1", "kind": "Pod"}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": gvk, "resource": dict(gvk, resource="pods"),
                        "name": "ledger", "namespace": ns, "operation": "CREATE",
                        "object": obj}}


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True)


class Webhook:
    def __init__(self, tmp, name, store, policy, crt, key):
        self.log = os.path.join(tmp, f"server-{name}.log")
        self.proc, self.err, self.port = start(
            [CUSTOMS, "admit", "--listen", "127.0.0.1:0", "--tls-cert", crt, "--tls-key", key,
             "--policy", policy, "--store", store, "--threads", "2"], self.log)
        self.ctx = ssl.create_default_context(cafile=crt)
        self.n = 0

    def validate(self, ns="shop"):
        self.n += 1
        req = urllib.request.Request(f"https://127.0.0.1:{self.port}/validate",
                                     data=json.dumps(review(f"u{self.n}", ns)).encode(),
                                     headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req, context=self.ctx, timeout=30).read())["response"]

    def readyz(self):
        try:
            r = urllib.request.urlopen(f"https://127.0.0.1:{self.port}/readyz", context=self.ctx,
                                       timeout=30)
            return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def poll(self, cond):
        """The first response for which cond holds within POLL_S, else the last one."""
        end = time.monotonic() + POLL_S
        while True:
            resp = self.validate()
            if cond(resp) or time.monotonic() > end:
                return resp
            time.sleep(0.2)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        return open(self.log).read()


def message(resp):
    return resp.get("status", {}).get("message", "")


class HeldWriter:
    """Another session in the middle of a write transaction on the store, as a refresh is before
    it commits: every image's verdict and findings rewritten, not committed."""
    SQL = "UPDATE images SET verdict = 'deny', findings = '{\"vulns\": []}'"

    def __init__(self, store, srv):
        self.con = self.proc = None
        if srv is None:
            self.con = sqlite3.connect(store, isolation_level=None, timeout=30)
            self.con.execute("BEGIN EXCLUSIVE")
            self.con.execute(self.SQL)
        else:
            self.proc = subprocess.Popen(
                [pgserver.PSQL, "-h", srv.sock, "-p", str(srv.port), "-U", "customs", "-d",
                 "verdicts", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.proc.stdin.write(f"BEGIN; {self.SQL}; SELECT 'held';\n")
            self.proc.stdin.flush()
            while self.proc.stdout.readline().strip() != "held":
                pass

    def release(self):
        if self.con is not None:
            self.con.execute("ROLLBACK")
            self.con.close()
        else:
            self.proc.stdin.write("ROLLBACK;\n")
            self.proc.stdin.close()
            self.proc.wait()


def backend_checks(tmp, name, store, secret, crt, key, policy, image, old_db, new_db, srv=None):
    tag = f"[{name}]"
    wh = Webhook(tmp, name, store, policy, crt, key)
    if wh.port is None:
        ok(False, f"{tag} the webhook starts", open(wh.log).read())
        return
    status, body = wh.readyz()
    first = wh.validate()
    ok(status == 200 and first.get("allowed") is False and "images.unknown" in message(first)
       and "init container init (example/ledger:1)" in message(first),
       f"{tag} ready; an image nobody recorded is denied (images.unknown), init containers too",
       f"{status} {body} {json.dumps(first)}")
    p = run("scan", "-q", "-f", "json", "-o", os.devnull, "--db", old_db, "--policy", policy,
            "--record", store, image)
    t0 = time.monotonic()
    resp = wh.poll(lambda r: r.get("allowed") is True)
    print(f"# {tag} the new record reached the webhook after {time.monotonic() - t0:.2f} s")
    warnings = " ".join(resp.get("warnings", []))
    ok(p.returncode == 0 and resp.get("allowed") is True
       and ("CVE-2031-0002" in warnings or "GHSA-med0-0000-0002" in warnings),
       f"{tag} after scan --record, the running webhook admits it with the recorded MEDIUM as a warning",
       p.stderr + json.dumps(resp))
    held = HeldWriter(store, srv)
    try:
        t0 = time.monotonic()
        resp = wh.validate()
        print(f"# {tag} answered in {time.monotonic() - t0:.3f} s during the held write")
    finally:
        held.release()
    warnings = " ".join(resp.get("warnings", []))
    ok(resp.get("allowed") is True and ("CVE-2031-0002" in warnings or "GHSA-med0-0000-0002" in warnings),
       f"{tag} while another session holds a write transaction rewriting the verdicts, the webhook "
       "answers from the committed record (readers never wait for the writer)", json.dumps(resp))
    p = run("store", "refresh", "-q", "--store", store, "--db", new_db)
    t0 = time.monotonic()
    resp = wh.poll(lambda r: r.get("allowed") is False)
    print(f"# {tag} the refreshed verdict reached the webhook after {time.monotonic() - t0:.2f} s")
    ok(p.returncode == 1 and resp.get("allowed") is False
       and "images.vulnerabilities.deny" in message(resp) and "CVE-2031-0001" in message(resp),
       f"{tag} after store refresh learns a critical CVE, the running webhook denies it, naming it",
       p.stdout + p.stderr + json.dumps(resp))
    if srv is None:
        log = wh.stop()
        return log
    # the server goes away under the running webhook
    srv.stop()
    srv.wait_down()
    resp = wh.validate()
    status, body = wh.readyz()
    seen = json.dumps(resp) + body
    ok(resp.get("allowed") is False and "verdict store" in message(resp) and status == 503
       and "not ready" in body and secret not in seen,
       f"{tag} the store's server stopped: reviews denied with the reason, /readyz not ready, no password",
       seen)
    srv.start_again()
    end = time.monotonic() + POLL_S
    while wh.readyz()[0] != 200 and time.monotonic() < end:
        time.sleep(0.2)
    status, body = wh.readyz()
    resp = wh.poll(lambda r: "CVE-2031-0001" in message(r))
    ok(status == 200 and resp.get("allowed") is False and "CVE-2031-0001" in message(resp),
       f"{tag} the server is back: ready again, images judged from the store again (reconnected)",
       f"{status} {body} {json.dumps(resp)}")
    return wh.stop()


def main():
    print("1..%d" % (5 + CHECKS))
    with tempfile.TemporaryDirectory() as tmp:
        key, crt = make_cert(tmp)
        image, old_db, new_db = P.ledger_fixture(tmp)
        policy = os.path.join(tmp, "policy.yaml")
        P.write(policy, POLICY)

        backend_checks(tmp, "sqlite", os.path.join(tmp, "verdicts.db"), None, crt, key, policy,
                       image, old_db, new_db)

        # a store that cannot be opened at start: the webhook serves, denies, is not ready
        wh = Webhook(tmp, "missing", os.path.join(tmp, "no", "such", "dir", "v.db"), policy, crt, key)
        resp = wh.validate() if wh.port else {}
        exempt = wh.validate("kube-system") if wh.port else {}
        status, body = wh.readyz() if wh.port else (None, "")
        log = wh.stop() if wh.port else open(wh.log).read()
        ok(resp.get("allowed") is False and resp.get("status", {}).get("code") == 500
           and "verdict store does not answer" in message(resp) and status == 503
           and "not ready" in body and "does not answer" in log and exempt.get("allowed") is True,
           "a store that cannot be opened: every review that needs it denied (fail closed) with the "
           "reason, an exempt namespace still admitted, /readyz 503, the log says why",
           json.dumps(resp) + json.dumps(exempt) + f" {status} {body}\n{log}")

        srv = pgserver.start_or_skip(tmp, CHECKS)
        if srv is None:
            return 1 if TAP.failed else 0
        try:
            uri = srv.create_db("verdicts")
            log = backend_checks(tmp, "postgresql", uri, srv.password, crt, key, policy, image,
                                 old_db, new_db, srv)
            ok(log is not None and srv.password not in log and "***" in log,
               "[postgresql] the webhook's log names the store without its password", log)
        finally:
            srv.close()
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
