#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs admit` as an HTTPS server on loopback, with a self-signed certificate made by openssl
in a temporary directory: every endpoint, TLS 1.2+ only, bad requests (malformed JSON, wrong
apiVersion/kind, missing uid, oversized bodies), slow clients closed at their header and body
timeouts while other clients are served, 50 concurrent clients with every answer checked, the
audit log, and SIGHUP (reload and audit-log reopen) under load without a failed request.
With CUSTOMS_SOAK=N (the soak suite) it also sends N reviews and checks that the server's RSS
grows by less than 2 MB. Skips when openssl is missing. TAP output."""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)  # ssl.TLSVersion.TLSv1_1

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from tap import TAP, ok  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from webhook import make_cert, start  # noqa: E402

CUSTOMS = os.environ["CUSTOMS"]
SRC = os.environ["CUSTOMS_SOURCE_ROOT"]
DATA = os.path.join(SRC, "tests", "admit", "data")
SOAK = int(os.environ.get("CUSTOMS_SOAK", "0"))
MAX_BODY = 65536


def review(uid, privileged, kind="Pod"):
    ctr = {"name": "app", "image": "registry.example/app:1.0",
           "securityContext": {"privileged": True} if privileged else {}}
    pod = {"metadata": {"name": "web"}, "spec": {"containers": [ctr]}}
    obj = dict(pod, apiVersion="v1", kind="Pod")
    gvk = {"group": "", "version": "v1", "kind": "Pod"}
    res = "pods"
    if kind == "Deployment":
        obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"template": pod}}
        gvk = {"group": "apps", "version": "v1", "kind": "Deployment"}
        res = "deployments"
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": gvk, "resource": dict(gvk, resource=res),
                        "name": "web", "namespace": "shop", "operation": "CREATE",
                        "object": obj}}


class Server:
    def __init__(self, tmp, *extra):
        self.tmp = tmp
        self.audit = os.path.join(tmp, "decisions.jsonl")
        self.proc, self.err, self.port = start(
            [CUSTOMS, "admit", "--listen", "127.0.0.1:0", "--tls-cert",
             os.path.join(tmp, "tls.crt"), "--tls-key", os.path.join(tmp, "tls.key"),
             "-l", "baseline", "--audit-log", self.audit, "--max-body", str(MAX_BODY),
             "--header-timeout", "3", "--body-timeout", "3", "--threads", "2", *extra],
            os.path.join(tmp, "server.log"))
        self.ctx = ssl.create_default_context(cafile=os.path.join(tmp, "tls.crt"))

    def log(self):
        return open(self.err.name).read()

    def conn(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx)

    def request(self, method, path, body=None, conn=None, headers=None):
        c = conn or self.conn()
        c.request(method, path, body=body,
                  headers=headers or {"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        return r.status, data

    def raw(self):
        """A TLS socket with nothing sent yet."""
        s = socket.create_connection(("127.0.0.1", self.port))
        return self.ctx.wrap_socket(s, server_hostname="localhost")

    def rss_kb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait()
        self.err.close()
        return rc


def closed_by_server(sock):
    """True once the server has closed the connection (blocks until it does)."""
    try:
        sock.settimeout(None)
        while True:
            if sock.recv(4096) == b"":
                return True
    except (ssl.SSLError, OSError):
        return True


def check_endpoints(s):
    st, body = s.request("GET", "/healthz")
    ok(st == 200 and body == b"ok\n", "/healthz answers 200 ok", f"{st} {body!r}")
    st, body = s.request("GET", "/readyz")
    ok(st == 200, "/readyz answers 200 once the configuration is loaded", f"{st} {body!r}")
    st, body = s.request("POST", "/validate", json.dumps(review("u-deny", True)))
    resp = json.loads(body).get("response", {})
    ok(st == 200 and resp.get("uid") == "u-deny" and resp.get("allowed") is False
       and resp.get("status", {}).get("code") == 403
       and 'violates PodSecurity "baseline:latest": privileged (container "app"'
       in resp.get("status", {}).get("message", ""),
       "/validate denies a privileged pod: uid echoed, 403, Pod Security wording", body)
    st, body = s.request("POST", "/validate", json.dumps(review("u-ok", False, "Deployment")))
    resp = json.loads(body).get("response", {})
    ok(st == 200 and resp.get("uid") == "u-ok" and resp.get("allowed") is True,
       "/validate admits a baseline Deployment", body)
    st, body = s.request("POST", "/validate", json.dumps(review("u-dp", True, "Deployment")))
    ok(st == 200 and json.loads(body)["response"]["allowed"] is False,
       "/validate denies a Deployment whose pod template is privileged", body)
    st, body = s.request("POST", "/mutate", json.dumps(review("u-m", False)))
    resp = json.loads(body).get("response", {})
    ok(st == 200 and resp.get("allowed") is True and resp.get("patchType") == "JSONPatch"
       and resp.get("uid") == "u-m", "/mutate answers a JSONPatch", body)
    st, body = s.request("POST", "/validate/sandbox", json.dumps(review("u-t", False)))
    resp = json.loads(body).get("response", {})
    ok(st == 200 and resp.get("allowed") is False and "sandbox" in resp["status"]["message"],
       "/validate/<tier> naming no configured tier is denied (fail closed)", body)
    st, body = s.request("GET", "/validate")
    ok(st == 405, "GET /validate is 405", f"{st} {body!r}")
    st, body = s.request("GET", "/nowhere")
    ok(st == 404, "an unknown path is 404", f"{st} {body!r}")


def check_tls(s):
    for version, want in ((ssl.TLSVersion.TLSv1_1, False), (ssl.TLSVersion.TLSv1_2, True),
                          (ssl.TLSVersion.TLSv1_3, True)):
        ctx = ssl.create_default_context(cafile=os.path.join(s.tmp, "tls.crt"))
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.maximum_version = version
        if version == ssl.TLSVersion.TLSv1_1:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        try:
            with ctx.wrap_socket(socket.create_connection(("127.0.0.1", s.port)),
                                 server_hostname="localhost") as t:
                got = t.version()
        except (ssl.SSLError, OSError) as e:
            got = None
            err = str(e)
        ok((got is not None) == want, f"{version.name} is {'accepted' if want else 'refused'}",
           f"negotiated {got}" if got else err)


def check_bad_requests(s):
    good = review("u-bad", False)
    cases = [
        ("malformed JSON", b'{"apiVersion": "admission.k8s.io/v1", "kind": '),
        ("wrong apiVersion", json.dumps(dict(good, apiVersion="admission.k8s.io/v1beta1"))),
        ("wrong kind", json.dumps(dict(good, kind="AdmissionResponse"))),
        ("missing request.uid",
         json.dumps(dict(good, request={k: v for k, v in good["request"].items()
                                        if k != "uid"}))),
        ("an empty body", b""),
    ]
    for what, body in cases:
        st, data = s.request("POST", "/validate", body)
        try:
            err = json.loads(data).get("error", "")
        except ValueError:
            err = ""
        ok(st == 400 and err.startswith("AdmissionReview"), f"{what} gets a JSON 400",
           f"{st} {data!r}")
    # only the headers are sent: the answer comes before any of the body
    c = s.conn()
    c.putrequest("POST", "/validate")
    c.putheader("Content-Length", str(MAX_BODY + 1))
    c.endheaders()
    r = c.getresponse()
    st, data = r.status, r.read()
    c.close()
    ok(st == 413, "a body over --max-body is refused with 413 before it is read",
       f"{st} {data!r}")
    # no Content-Length (chunked): the server stops reading at the cap and closes
    c = s.conn()
    try:
        c.putrequest("POST", "/validate")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"y" * 16384
        for _ in range(MAX_BODY // len(chunk) + 4):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        got = f"status {r.status}"
    except (OSError, http.client.HTTPException) as e:
        got = f"closed ({type(e).__name__})"
    c.close()
    ok(got.startswith("closed") or got == "status 413",
       "an oversized chunked body is cut off (closed)", got)
    st, _ = s.request("GET", "/healthz")
    ok(st == 200 and s.proc.poll() is None, "the server is still serving after bad requests")


def count_open(socks):
    """How many of `socks` the server has not closed (without blocking)."""
    n = 0
    for t in socks:
        t.setblocking(False)
        try:
            t.recv(1)
        except ssl.SSLWantReadError:
            n += 1
        except (ssl.SSLError, OSError):
            pass
    return n


def check_slow_clients(s):
    slow = []
    for i in range(20):
        t = s.raw()
        t.send(b"POST /validate HTTP/1.1\r\nHost: x\r\n")  # headers never finish
        slow.append(t)
    stall = s.raw()
    stall.send(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\":")
    results = []
    open_now = 0
    for i in range(20):
        st, body = s.request("POST", "/validate", json.dumps(review(f"u-s{i}", False)))
        results.append(st == 200 and json.loads(body)["response"]["uid"] == f"u-s{i}")
        if i == 0:
            open_now = count_open(slow)
    ok(all(results) and open_now == len(slow),
       "requests are answered while 20 slowloris clients hold their connections",
       f"{sum(results)} of 20 answered; {open_now} slow clients open at the first answer")
    ok(all(closed_by_server(t) for t in slow),
       "clients that never finish their headers are closed at --header-timeout")
    ok(closed_by_server(stall), "a client that stalls in its body is closed at --body-timeout")
    # a client that drips its headers a byte at a time is cut as well
    drip = s.raw()
    cut = False
    for b in b"POST /validate HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 200:
        try:
            drip.send(bytes([b]))
        except (ssl.SSLError, OSError):
            cut = True
            break
        time.sleep(0.05)
    ok(cut or closed_by_server(drip), "a client dripping its headers is closed too")
    for t in slow + [stall, drip]:
        t.close()


def client_worker(s, n, wid, failures, stop=None):
    conn = s.conn()
    i = 0
    while (stop is None and i < n) or (stop is not None and not stop.is_set()):
        priv = random.random() < 0.5
        kind = random.choice(["Pod", "Deployment"])
        uid = f"w{wid}-{i}"
        try:
            st, body = s.request("POST", "/validate", json.dumps(review(uid, priv, kind)),
                                 conn=conn)
            resp = json.loads(body)["response"]
            if st != 200 or resp["uid"] != uid or resp["allowed"] == priv:
                failures.append(f"{uid}: {st} {body[:200]!r}")
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failures.append(f"{uid}: {type(e).__name__} {e}")
            conn.close()
            conn = s.conn()
        i += 1
    conn.close()


def check_concurrency(s):
    failures = []
    threads = [threading.Thread(target=client_worker, args=(s, 20, w, failures))
               for w in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok(not failures, "50 concurrent clients x 20 reviews: every answer right (uid, verdict)",
       "\n".join(failures[:20]))


def check_audit_log_and_reload(s):
    lines = [json.loads(l) for l in open(s.audit)]
    rec = next((r for r in lines if r["uid"] == "u-deny"), None)
    ok(rec is not None and rec["verdict"] == "deny" and rec["kind"] == "Pod"
       and rec["namespace"] == "shop" and rec["name"] == "web" and rec["time"].endswith("Z")
       and rec["reasons"][0]["rule"] == "podSecurity.privileged",
       "the audit log has one JSON line per decision (time, uid, kind, namespace, name, "
       "verdict, reasons)", json.dumps(rec))
    ok(len(lines) == len({r["uid"] for r in lines}),
       "one audit-log line per decision, none twice", len(lines))
    failures = []
    stop = threading.Event()
    threads = [threading.Thread(target=client_worker, args=(s, 0, 100 + w, failures, stop))
               for w in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    os.rename(s.audit, s.audit + ".1")
    for _ in range(5):
        s.proc.send_signal(signal.SIGHUP)
        time.sleep(0.1)
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    ok(not failures and s.proc.poll() is None,
       "SIGHUP five times under load: no request failed", "\n".join(failures[:20]))
    ok(s.log().count("configuration reloaded") == 5, "each SIGHUP reloads the configuration",
       s.log())
    ok(os.path.exists(s.audit) and os.path.getsize(s.audit) > 0,
       "SIGHUP reopens the audit log (decisions go to the new file after a rotation)")


def check_soak(s):
    failures = []
    warm = 10000
    per = 4
    threads = [threading.Thread(target=client_worker, args=(s, warm // per, 1000 + w, failures))
               for w in range(per)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    before = s.rss_kb()
    rest = SOAK - warm
    threads = [threading.Thread(target=client_worker, args=(s, rest // per, 2000 + w, failures))
               for w in range(per)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = s.rss_kb()
    ok(not failures, f"soak: {SOAK} reviews, every answer right", "\n".join(failures[:20]))
    ok(after - before < 2048, f"soak: RSS grew by {after - before} kB after the first {warm} "
       f"reviews (limit 2048 kB)", f"{before} -> {after} kB")


def main():
    if SOAK and os.environ.get("CUSTOMS_SANITIZED"):
        print("1..0 # SKIP the soak measures RSS, which means nothing under the sanitizers")
        return 0
    if shutil.which("openssl") is None:
        print("1..0 # SKIP openssl not found (needed to make the test certificate)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        make_cert(tmp)
        s = Server(tmp, *(["--audit-log", os.path.join(tmp, "soak.jsonl")] if SOAK else []))
        if not ok(s.port is not None, "the server starts and prints its port", s.log()):
            print(f"1..{TAP.n}")
            return 1
        try:
            if SOAK:
                check_soak(s)
            else:
                check_endpoints(s)
                check_tls(s)
                check_bad_requests(s)
                check_slow_clients(s)
                check_concurrency(s)
                check_audit_log_and_reload(s)
        finally:
            rc = s.stop()
        ok(rc == 0, "SIGTERM stops the server cleanly (exit 0)", f"rc={rc}\n{s.log()}")
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
