#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A registry that lies (TAP): a python http.server on loopback serves one image built by
mkimage.py, spoiled by the repository name it is asked for: a layer that does not hash to its
digest, a truncated layer, a manifest naming a missing blob, a tag whose Docker-Content-Digest
is not its content's, a layer longer than its descriptor, a redirect loop, a 429 storm, a
connection that stalls after the headers, and a redirect to another port (where the
Authorization header must not arrive). Each must end in exit 2 with one line naming the URL,
never in a report. Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import hashlib
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
MKIMAGE = os.path.join(SRC, "tests", "support", "mkimage.py")
MT = "application/vnd.oci.image.manifest.v1+json"


def load_layout(path):
    blobs = {}
    bdir = os.path.join(path, "blobs", "sha256")
    for name in os.listdir(bdir):
        with open(os.path.join(bdir, name), "rb") as f:
            blobs["sha256:" + name] = f.read()
    index = json.load(open(os.path.join(path, "index.json")))
    return blobs, index["manifests"][0]["digest"]


def make_server(blobs, top):
    manifest = json.loads(blobs[top])
    layer = manifest["layers"][0]["digest"]
    seen_auth = []

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            if not any(k == "Content-Length" for k, _ in headers):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            parts = self.path.split("/")  # '', 'v2', mode, kind, ref
            if self.server.server_port == self.server.other_port:
                seen_auth.append(self.headers.get("Authorization"))
                return self.send(200, blobs[layer])
            if len(parts) != 5 or parts[1] != "v2":
                return self.send(404)
            mode, kind, ref = parts[2], parts[3], parts[4]
            if mode == "storm":
                return self.send(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
                                 [("Retry-After", "1"), ("Content-Length", "61")])
            if mode == "loop":
                return self.send(302, b"", [("Location", self.path)])
            if mode == "stall" and kind == "manifests":
                self.send_response(200)
                self.send_header("Content-Type", MT)
                self.send_header("Content-Length", str(len(blobs[top])))
                self.end_headers()
                self.wfile.write(blobs[top][:10])
                self.wfile.flush()
                time.sleep(30)
                return
            if kind == "manifests":
                body = blobs[top]
                if mode == "missing":
                    m = json.loads(body)
                    m["layers"][0]["digest"] = "sha256:" + "0" * 64
                    body = json.dumps(m).encode()
                hdrs = [("Content-Type", MT)]
                if mode == "tagdigest":
                    hdrs.append(("Docker-Content-Digest", "sha256:" + "1" * 64))
                else:
                    hdrs.append(("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest()))
                return self.send(200, body, hdrs)
            if kind == "blobs" and ref in blobs:
                body = blobs[ref]
                if ref == layer and mode == "wrongdigest":
                    body = body[:-40] + bytes(b ^ 0xFF for b in body[-40:])
                if ref == layer and mode == "truncated":
                    body = body[: len(body) // 2]
                if ref == layer and mode == "longer":
                    body = body + b"\0" * 4096
                if ref == layer and mode == "redirect":
                    return self.send(307, b"", [("Location",
                                                 f"http://127.0.0.1:{self.server.other_port}/storage/{ref}")])
                return self.send(200, body)
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.other_port = other.other_port = other.server_port
    srv.daemon_threads = other.daemon_threads = True
    for s in (srv, other):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    return srv, seen_auth


def run(*args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True)


def main():
    print("1..10")
    with tempfile.TemporaryDirectory() as work:
        recipe = os.path.join(work, "r.json")
        with open(recipe, "w") as f:
            json.dump({"config": {"os": "linux", "architecture": "amd64"}, "layers": [
                {"compression": "gzip", "entries": [
                    {"path": "etc/os-release", "type": "file", "content": "ID=alpine\nVERSION_ID=3.19.1\n"},
                    {"path": "blob/data", "type": "file", "content": "x" * 200000}]}]}, f)
        out = os.path.join(work, "img")
        p = subprocess.run([sys.executable, MKIMAGE, recipe, "--format", "oci-dir", "--out", out],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        blobs, top = load_layout(out)
        srv, seen_auth = make_server(blobs, top)
        host = f"127.0.0.1:{srv.server_port}"

        def scan(mode, *extra):
            return run("sbom", "-q", "-f", "json", "--insecure", *extra, f"{host}/{mode}:1")

        p = scan("honest")
        ok(p.returncode == 0 and json.loads(p.stdout)["os"]["id"] == "alpine",
           "the honest image scans (the server itself works)", p.stderr)
        cases = [
            ("wrongdigest", ["digest mismatch", "/v2/wrongdigest/blobs/sha256:"], [], "a layer that does not hash to its digest"),
            ("truncated", ["truncated", "/v2/truncated/blobs/"], [], "a truncated layer"),
            ("missing", ["404", "/v2/missing/blobs/sha256:0000"], [], "a manifest naming a missing blob"),
            ("tagdigest", ["digest mismatch", "Docker-Content-Digest", "/v2/tagdigest/manifests/1"], [],
             "a tag whose Docker-Content-Digest is not its content's"),
            ("longer", ["larger than", "/v2/longer/blobs/"], [], "a layer longer than its descriptor says"),
            ("loop", ["redirect", "/v2/loop/manifests/1"], [], "a redirect loop"),
            ("storm", ["429", "gave up", "/v2/storm/manifests/1"], ["--timeout", "30"], "a 429 storm"),
            ("stall", ["/v2/stall/manifests/1"], ["--timeout", "4"], "a connection that stalls"),
        ]
        for mode, words, extra, what in cases:
            p = scan(mode, *extra)
            ok(p.returncode == 2 and p.stdout == "" and all(w in p.stderr for w in words)
               and p.stderr.count("\n") == 1,
               f"{what}: exit 2, one line naming the URL", p.stderr)
        p = run("sbom", "-q", "-f", "json", "--insecure", f"{host}/redirect:1")
        ok(p.returncode == 0 and seen_auth and all(a is None for a in seen_auth),
           "a blob redirected to another port is fetched there without Authorization",
           f"{p.stderr} {seen_auth}")
        srv.shutdown()
    sys.exit(1 if TAP.failed else 0)


if __name__ == "__main__":
    main()
