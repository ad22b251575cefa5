#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The vetted-registry gate end to end (TAP), on loopback: Debian's docker-registry as the
upstream, `customs registry` in front of it, skopeo as the client.

Pulls: an image whose recorded verdict passes is served (skopeo copies it whole, manifest digest
unchanged); one whose verdict denies gets 403 DENIED with the policy's reasons; one pushed
straight to the upstream and never scanned is refused (images.unknown); a tag that moves to an
unrecorded image is refused although the tag was served before; the gate refuses malformed
API paths itself; one connection serves manifest after manifest (keep-alive); blobs pass
through byte for byte; a store that cannot be read refuses every
pull (fail closed) and /readyz says not ready.
Pushes through the gate (when the scan can read the upstream): the image is scanned from the
upstream, judged and recorded; the clean one is then served, the vulnerable one refused.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
import policy as P  # noqa: E402  (image and OSV fixtures of the policy test)

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
MKIMAGE = os.path.join(HERE, "..", "support", "mkimage.py")
REGISTRY = "/usr/bin/docker-registry"


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False


def oci_image(work, name, files):
    """An OCI layout of one image with `files`, tagged "1"."""
    recipe = {"repo_tag": f"example/{name}:1", "config": {"os": "linux", "architecture": "amd64"},
              "layers": [{"compression": "gzip", "entries": [
                  {"path": p, "type": "file", "content": c} for p, c in files.items()]}]}
    rpath = os.path.join(work, f"{name}.json")
    P.write(rpath, json.dumps(recipe))
    out = os.path.join(work, f"{name}-oci")
    p = run(sys.executable, MKIMAGE, rpath, "--format", "oci-dir", "--out", out)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return out


def manifest_digest(layout):
    with open(os.path.join(layout, "index.json")) as f:
        return json.load(f)["manifests"][0]["digest"]


class Server:
    def __init__(self, argv, log):
        self.log = open(log, "w+")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)

    def text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def start_upstream(work):
    port = free_port()
    cfg = os.path.join(work, "registry.yml")
    P.write(cfg, "version: 0.1\nlog: {level: warn}\nstorage:\n"
                 f"  filesystem: {{rootdirectory: {work}/registry-data}}\n"
                 "  delete: {enabled: true}\n"
                 f"http: {{addr: '127.0.0.1:{port}'}}\n")
    srv = Server([REGISTRY, "serve", cfg], os.path.join(work, "registry.log"))
    if not wait_http(f"http://127.0.0.1:{port}/v2/"):
        raise RuntimeError("docker-registry did not start: " + srv.text())
    return srv, port


def start_gate(work, upstream_port, policy, store, db, log_name="gate.log", tls=None):
    log = os.path.join(work, log_name)
    listen = ["--tls-cert", tls[0], "--tls-key", tls[1]] if tls else ["--plain-http"]
    srv = Server([CUSTOMS, "registry", *listen, "--listen", "127.0.0.1:0",
                  "--upstream", f"http://127.0.0.1:{upstream_port}", "--policy", policy,
                  "--store", store, "--db", db], log)
    scheme = "https" if tls else "http"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        text = srv.text()
        if f"listening on {scheme}://127.0.0.1:" in text:
            port = int(text.split(f"listening on {scheme}://127.0.0.1:")[1].split(",")[0])
            return srv, port
        if srv.proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("customs registry did not start: " + srv.text())


def skopeo_copy(src, dst):
    return run("skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false",
               src, dst, timeout=300)


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def main():
    missing = [t for t in (REGISTRY, shutil.which("skopeo")) if t is None or not os.path.exists(t)]
    if missing or shutil.which("skopeo") is None:
        print("1..0 # SKIP needs Debian's docker-registry and skopeo")
        return 0
    print("1..19")
    with tempfile.TemporaryDirectory() as work:
        osv = os.path.join(work, "osv")
        for rec in P.OSV:
            P.write(os.path.join(osv, rec["id"] + ".json"), json.dumps(rec))
        db = os.path.join(work, "vuln.db")
        p = run(CUSTOMS, "db", "build", "-o", db, osv)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        clean = oci_image(work, "clean", {"app/node_modules/leftpad/package.json": P.leftpad("1.3.1")})
        vulnerable = oci_image(work, "vulnerable", {
            "app/node_modules/leftpad/package.json": P.leftpad("1.3.0"),
            "app/.env": f"AWS_ACCESS_KEY_ID={P.AWS_KEY}\n"})
        unscanned = oci_image(work, "unscanned", {"app/README": "never scanned\n"})
        # pushed through the gate: images no scan has recorded yet
        push_clean = oci_image(work, "push-clean", {"app/node_modules/leftpad/package.json": P.leftpad("1.3.1"),
                                                    "app/VERSION": "2\n"})
        push_vuln = oci_image(work, "push-vuln", {"app/node_modules/leftpad/package.json": P.leftpad("1.3.0"),
                                                  "app/VERSION": "2\n"})
        policy = os.path.join(work, "policy.yaml")
        P.write(policy, P.POLICY_HEAD + "images:\n  unknown: deny\n"
                        "  vulnerabilities: {deny: [CRITICAL, HIGH]}\n  secrets: deny\n")
        store = os.path.join(work, "verdicts.db")
        upstream, uport = start_upstream(work)
        gate = None
        try:
            up = f"127.0.0.1:{uport}"
            for name, layout in (("clean", clean), ("vulnerable", vulnerable), ("unscanned", unscanned)):
                p = skopeo_copy(f"oci:{layout}:1", f"docker://{up}/{name}:1")
                if p.returncode != 0:
                    raise RuntimeError(p.stderr)
            for layout in (clean, vulnerable):
                run(CUSTOMS, "scan", "-q", "-f", "json", "-o", os.devnull, "--db", db,
                    "--policy", policy, "--record", store, f"oci:{layout}")
            gate, gport = start_gate(work, uport, policy, store, db)
            g = f"127.0.0.1:{gport}"

            out = os.path.join(work, "pulled-clean")
            p = skopeo_copy(f"docker://{g}/clean:1", f"oci:{out}:1")
            ok(p.returncode == 0 and manifest_digest(out) == manifest_digest(clean),
               "an image whose recorded verdict passes is served whole (same manifest digest)",
               p.stderr + gate.text())
            p = skopeo_copy(f"docker://{g}/vulnerable:1", f"oci:{work}/pulled-vuln:1")
            ok(p.returncode != 0 and "denied" in p.stderr.lower()
               and "images.vulnerabilities.deny" in p.stderr and "images.secrets" in p.stderr,
               "an image whose verdict denies is refused with the policy's reasons", p.stderr)
            status, headers, body = http("GET", f"http://{g}/v2/vulnerable/manifests/1",
                                         headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
            err = json.loads(body or b"{}").get("errors", [{}])[0]
            ok(status == 403 and err.get("code") == "DENIED" and err.get("detail", {}).get("verdict") == "deny",
               "403 with a Distribution-spec error body: code DENIED, the verdict as detail",
               f"{status} {body[:300]!r}")
            digest = manifest_digest(vulnerable)
            status, _, body = http("GET", f"http://{g}/v2/vulnerable/manifests/{digest}",
                                   headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
            ok(status == 403, "by digest too", f"{status} {body[:200]!r}")
            p = skopeo_copy(f"docker://{g}/unscanned:1", f"oci:{work}/pulled-unscanned:1")
            ok(p.returncode != 0 and "images.unknown" in p.stderr,
               "an image pushed straight to the upstream (never scanned) is refused: images.unknown",
               p.stderr)
            # The tag "clean:1" moves to an unscanned image upstream: the gate judges what the
            # tag points at now.
            p = skopeo_copy(f"oci:{unscanned}:1", f"docker://{up}/clean:1")
            status, _, body = http("GET", f"http://{g}/v2/clean/manifests/1",
                                   headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
            ok(status == 403 and b"images.unknown" in body,
               "a tag moved upstream to an unrecorded image is refused", f"{status} {body[:200]!r}")
            status, headers, body = http("HEAD", f"http://{g}/v2/clean/manifests/{manifest_digest(clean)}",
                                         headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
            ok(status == 200 and headers.get("Docker-Content-Digest") == manifest_digest(clean)
               and int(headers.get("Content-Length", "0")) > 0,
               "HEAD of an allowed manifest: its digest and length, no body", f"{status} {headers}")
            # one connection serves pull after pull (a new connection and thread per manifest
            # request was most of what the gate cost)
            import http.client as httpclient
            hc = httpclient.HTTPConnection("127.0.0.1", gport, timeout=60)
            seen = []
            for path in (f"/v2/clean/manifests/{manifest_digest(clean)}", "/healthz",
                         f"/v2/clean/manifests/{manifest_digest(clean)}"):
                hc.request("GET", path,
                           headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
                resp = hc.getresponse()
                resp.read()
                seen.append((resp.status, resp.getheader("Connection"), hc.sock is not None))
            sock_kept = hc.sock is not None
            hc.close()
            ok(seen == [(200, None, True)] * 3 and sock_kept,
               "manifest GETs and /healthz keep the connection open (keep-alive)", repr(seen))
            # blobs pass through byte for byte
            with open(os.path.join(clean, "blobs", "sha256", manifest_digest(clean)[7:]), "rb") as f:
                layer = json.load(f)["layers"][0]["digest"]
            status, _, body = http("GET", f"http://{g}/v2/clean/blobs/{layer}")
            ok(status == 200 and "sha256:" + hashlib.sha256(body).hexdigest() == layer,
               "a blob passes through byte for byte", str(status))
            bad = [("GET", "/v2/../../etc/passwd/manifests/1"), ("GET", "/v2/Clean/manifests/1"),
                   ("GET", "/v2/clean/manifests/..%2f1"), ("GET", "/v2/clean/blobs/sha256:xyz"),
                   ("GET", "/v2/clean//manifests/1"), ("DELETE", "/v2/clean/things/1")]
            codes = []
            for method, path in bad:
                s = socket.create_connection(("127.0.0.1", gport), timeout=30)
                s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                resp = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    resp += chunk
                s.close()
                codes.append(resp.split(b" ")[1].decode() if resp else "none")
            ok(codes == ["400"] * len(bad), "malformed API paths are refused by the gate itself (400)",
               f"{codes}")
            status, _, body = http("GET", f"http://{g}/readyz")
            ok(status == 200, "/readyz: ready", f"{status} {body!r}")

            # pushes through the gate: scanned from the upstream, judged, recorded
            p = skopeo_copy(f"oci:{push_clean}:1", f"docker://{g}/pushed-clean:1")
            pushed_ok = p.returncode == 0
            p2 = skopeo_copy(f"docker://{g}/pushed-clean:1", f"oci:{work}/pulled-pushed:1")
            ok(pushed_ok and p2.returncode == 0,
               "an image pushed through the gate is scanned, recorded and then served",
               p.stderr + p2.stderr + gate.text()[-2000:])
            p = skopeo_copy(f"oci:{push_vuln}:1", f"docker://{g}/pushed-vuln:1")
            p2 = skopeo_copy(f"docker://{g}/pushed-vuln:1", f"oci:{work}/pulled-pushed-vuln:1")
            ok(p.returncode == 0 and p2.returncode != 0 and "images.vulnerabilities.deny" in p2.stderr,
               "a vulnerable image pushed through the gate is accepted upstream but refused on pull",
               p.stderr + p2.stderr)

            # images.unknown: scan — an unrecorded image is scanned at its first pull
            gate.stop()
            gate = None
            scan_policy = os.path.join(work, "scan-policy.yaml")
            P.write(scan_policy, P.POLICY_HEAD + "images:\n  unknown: scan\n"
                                 "  vulnerabilities: {deny: [CRITICAL, HIGH]}\n  secrets: deny\n")
            gate, gport = start_gate(work, uport, scan_policy, store, db, "gate-scan.log")
            p = skopeo_copy(f"docker://127.0.0.1:{gport}/unscanned:1", f"oci:{work}/pulled-scan:1")
            ok(p.returncode == 0 and "pull unscanned@" in gate.text() and "scanned, allow" in gate.text(),
               "images.unknown: scan: an unrecorded image is scanned at its first pull, then served",
               p.stderr + gate.text()[-1500:])

            # TLS: the gate serves HTTPS with the given certificate
            gate.stop()
            gate = None
            crt, key = os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")
            run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "1", "-keyout", key, "-out", crt, "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1")
            gate, gport = start_gate(work, uport, policy, store, db, "gate-tls.log", tls=(crt, key))
            certs = os.path.join(work, "certs")
            os.makedirs(certs, exist_ok=True)
            shutil.copy(crt, os.path.join(certs, "ca.crt"))
            p = run("skopeo", "copy", "--quiet", "--src-cert-dir", certs,
                    f"docker://127.0.0.1:{gport}/vulnerable:1", f"oci:{work}/pulled-tls-v:1", timeout=300)
            p2 = run("skopeo", "copy", "--quiet", "--src-cert-dir", certs,
                     f"docker://127.0.0.1:{gport}/pushed-clean:1", f"oci:{work}/pulled-tls-c:1", timeout=300)
            ok(p.returncode != 0 and "images.vulnerabilities.deny" in p.stderr and p2.returncode == 0,
               "over TLS (the client verifying the gate's certificate): the same verdicts",
               p.stderr + p2.stderr)

            # fail closed: the store file is replaced by something that is not a store
            gate.stop()
            gate = None
            live = os.path.join(work, "live.db")
            shutil.copy(store, live)
            gate, gport = start_gate(work, uport, policy, live, db, "gate2.log")
            g = f"127.0.0.1:{gport}"
            url = f"http://{g}/v2/clean/manifests/{manifest_digest(clean)}"
            accept = {"Accept": "application/vnd.oci.image.manifest.v1+json"}
            before, _, _ = http("GET", url, headers=accept)
            garbage = os.path.join(work, "garbage.db")
            P.write(garbage, "this is not a database any more\n" * 64)
            os.replace(garbage, live)
            status, _, body = http("GET", url, headers=accept)
            status2, _, _ = http("GET", f"http://{g}/readyz")
            ok(before == 200 and status == 503 and b"verdict store" in body and status2 == 503,
               "a store that cannot be read: pulls refused (fail closed), /readyz not ready",
               f"{before} {status} {body[:200]!r} readyz {status2}")
            good = os.path.join(work, "good.db")
            shutil.copy(store, good)
            os.replace(good, live)
            status, _, body = http("GET", url, headers=accept)
            status2, _, _ = http("GET", f"http://{g}/readyz")
            ok(status == 200 and status2 == 200, "the store back: served again, ready",
               f"{status} {body[:200]!r} readyz {status2}")

            # the verdict cache: a pull judged moments ago skips the store, but a verdict
            # changed in the store (a refresh after a new CVE) is honoured at the next pull
            time.sleep(0.2)  # the cache only keeps verdicts from a store quiet for 50 ms
            pulls = [http("GET", url, headers=accept)[0] for _ in range(3)]
            cached = gate.text().count("(cached verdict)")
            crit = {"schema_version": "1.6.0", "id": "GHSA-crit-0000-0009", "aliases": ["CVE-2031-0009"],
                    "modified": "2031-01-02T00:00:00Z", "summary": "critical in every leftpad",
                    "affected": [{"package": {"ecosystem": "npm", "name": "leftpad"},
                                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}],
                    "database_specific": {"severity": "CRITICAL"}}
            P.write(os.path.join(osv, crit["id"] + ".json"), json.dumps(crit))
            new_db = os.path.join(work, "vuln-new.db")
            run(CUSTOMS, "db", "build", "-o", new_db, osv)
            p = run(CUSTOMS, "store", "refresh", "--store", live, "--db", new_db)
            status, _, body = http("GET", url, headers=accept)
            ok(pulls == [200] * 3 and cached >= 2 and p.returncode == 1 and status == 403
               and b"CVE-2031-0009" in body,
               "verdict cache: repeated pulls served from it; a refresh that denies is honoured "
               "at the next pull", f"{pulls} cached {cached} refresh {p.returncode} {p.stdout} "
               f"{status} {body[:300]!r}")
            run(CUSTOMS, "store", "refresh", "--store", live, "--db", db)  # allowed again
            time.sleep(0.2)
            pulls = [http("GET", url, headers=accept)[0] for _ in range(2)]
            cached2 = gate.text().count("(cached verdict)")
            garbage = os.path.join(work, "garbage2.db")
            P.write(garbage, "this is not a database any more\n" * 64)
            os.replace(garbage, live)
            status, _, _ = http("GET", url, headers=accept)
            ok(pulls == [200] * 2 and cached2 > cached and status == 503,
               "verdict cache: a cached verdict is dropped when the store is replaced (fail closed)",
               f"{pulls} cached {cached}->{cached2} {status}")
        finally:
            if gate is not None:
                gate.stop()
            upstream.stop()
    print(f"# {TAP.n - TAP.failed} passed, {TAP.failed} failed")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
