#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Bearer-token authentication end to end (TAP): a token server written here (python, loopback)
signs JWTs with an ECDSA P-256 key made at test time, and Debian's docker-registry is started
with `auth: token` trusting that key (realm, service, issuer, rootcertbundle), so it verifies
every token itself. An image is pushed with skopeo through the same token dance. `customs sbom`
must then read it with credentials from an auth.json, a Docker config (an identitytoken,
exchanged as an OAuth2 refresh token by POST; a registrytoken, sent as the bearer token itself)
or a credential helper; one token serves every
request of a scope while it lives, a token that expires within the safety margin serves one
request; a refused login, a token the registry does not accept and a token without access to
the repository are each exit 2 without a loop, and no secret appears in customs' output.
Skips (77) without /usr/bin/docker-registry, skopeo or python3-cryptography.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import base64
import datetime
import hashlib
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
from registry import REGISTRY, SRC, Registry, mkimage  # noqa: E402
from registry_auth import Env, b64  # noqa: E402

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography.x509.oid import NameOID
except ImportError:
    x509 = None

USER = "ci"
PASSWORD = "Tok-Pw-91c3e0d7-never-printed"
IDENTITY = "Idt-4be2a9f0-refresh-never-printed"
SERVICE = "customs-test-registry"
ISSUER = "customs-test-issuer"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_kid(pub):
    """The key id docker-registry derives from a trusted key (libtrust's format)."""
    der = pub.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, len(s), 4))


class Signer:
    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = libtrust_kid(self.key.public_key())

    def cert_pem(self):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "customs test token signer")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=1))
                .sign(self.key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM)

    def jwt(self, claims):
        header = {"typ": "JWT", "alg": "ES256", "kid": self.kid}
        signing = (b64url(json.dumps(header).encode()) + "." +
                   b64url(json.dumps(claims).encode())).encode()
        r, s = decode_dss_signature(self.key.sign(signing, ec.ECDSA(hashes.SHA256())))
        return signing.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class TokenServer:
    """GET /token with Basic credentials, or POST /token with a refresh token (OAuth2). Users:
    `ci` (everything), `reader` (pull on other/* only). `mode`: "normal", "short" (expires_in
    3: below the client's safety margin), "forged" (signed by a key the registry does not
    trust). Every request is logged as (method, who, scopes)."""

    def __init__(self, signer):
        self.signer = signer
        self.forger = Signer()
        self.mode = "normal"
        self.log = []
        srv = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self, code, doc):
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def grant(self, who, query):
                scopes = query.get("scope", [])
                srv.log.append((self.command, who, scopes))
                if who is None:
                    return self.answer(401, {"errors": [{"code": "UNAUTHORIZED"}]})
                access = []
                for sc in scopes:
                    for one in sc.split(" "):
                        typ, name, actions = one.split(":")
                        if who == "ci" or (who == "reader" and name.startswith("other/")):
                            access.append({"type": typ, "name": name,
                                           "actions": actions.split(",")})
                now = int(time.time())
                claims = {"iss": ISSUER, "sub": who, "aud": query.get("service", [""])[0],
                          "exp": now + 600, "nbf": now - 10, "iat": now,
                          "jti": b64url(os.urandom(12)), "access": access}
                signer = srv.forger if srv.mode == "forged" else srv.signer
                token = signer.jwt(claims)
                expires = 3 if srv.mode == "short" else 300
                self.answer(200, {"token": token, "access_token": token, "expires_in": expires})

            def do_GET(self):
                u = urllib.parse.urlparse(self.path)
                who = None
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                    if (user, pw) in ((USER, PASSWORD), ("reader", PASSWORD)):
                        who = user
                self.grant(who, urllib.parse.parse_qs(u.query))

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                ok_ = (form.get("grant_type") == ["refresh_token"]
                       and form.get("refresh_token") == [IDENTITY]
                       and form.get("client_id", [""])[0] != "")
                self.grant("ci" if ok_ else None, form)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


def clean(p):
    out = p.stdout + p.stderr
    return PASSWORD not in out and IDENTITY not in out


def main():
    if not os.access(REGISTRY, os.X_OK) or shutil.which("skopeo") is None or x509 is None:
        print("1..0 # SKIP needs docker-registry, skopeo and python3-cryptography")
        sys.exit(77)
    print("1..12")
    with tempfile.TemporaryDirectory() as work:
        layout = mkimage(work, os.path.join(SRC, "demo", "recipe.json"), "oci-dir",
                         os.path.join(work, "ledger"))
        top = json.load(open(os.path.join(layout, "index.json")))["manifests"][0]["digest"]
        manifest = json.load(open(os.path.join(layout, "blobs", "sha256", top[7:])))
        nlayers = len(manifest["layers"])
        signer = Signer()
        bundle = os.path.join(work, "token-signer.pem")
        with open(bundle, "wb") as f:
            f.write(signer.cert_pem())
        ts = TokenServer(signer)
        reg = Registry(work, "token",
                       f"auth:\n  token:\n    realm: http://127.0.0.1:{ts.port}/token\n"
                       f"    service: {SERVICE}\n    issuer: {ISSUER}\n"
                       f"    rootcertbundle: {bundle}\n")
        try:
            reg.push(f"oci:{layout}", "team/ledger:1", f"--dest-creds={USER}:{PASSWORD}")
            ok(any(m == "GET" and who == "ci" and any("push" in s for s in sc)
                   for m, who, sc in ts.log),
               "skopeo pushed through the token server (the registry trusts its key)", ts.log)
            ref = f"{reg.host}/team/ledger:1"
            sbom = ["sbom", "-q", "-f", "json", "--insecure", "--timeout", "30"]
            pull = [f"repository:team/ledger:pull"]

            e = Env(work, "anon")
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "token server refused anonymous access" in p.stderr
               and len(ts.log) == 1 and p.stderr.count("\n") == 1,
               "no credentials: the token server's refusal is exit 2 in one line, asked once",
               p.stderr + repr(ts.log))

            e = Env(work, "authjson")
            e.vars["REGISTRY_AUTH_FILE"] = e.write(
                "auth.json", {"auths": {reg.host: {"auth": b64(f"{USER}:{PASSWORD}")}}})
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and len(json.loads(p.stdout or "{}").get("packages", [])) > 10
               and clean(p), "auth.json credentials: a token for the scope, the image read",
               p.stderr)
            ok(ts.log == [("GET", "ci", pull)],
               f"one token (GET, scope {pull[0]}) served the manifest, the config and "
               f"{nlayers} layer(s)", repr(ts.log))

            ts.mode = "short"
            ts.log.clear()
            p = e.run(*sbom, ref)
            ts.mode = "normal"
            ok(p.returncode == 0 and ts.log == [("GET", "ci", pull)] * (2 + nlayers),
               "a token living 3 s (under the 5 s margin) serves one request: one per request",
               p.stderr + repr(ts.log))

            e = Env(work, "identity")
            e.write("home/.docker/config.json", {"auths": {reg.host: {"identitytoken": IDENTITY}}})
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and ts.log == [("POST", "ci", pull)] and clean(p),
               "an identitytoken in ~/.docker/config.json is POSTed as an OAuth2 refresh token",
               p.stderr + repr(ts.log))

            e = Env(work, "registrytoken")
            now = int(time.time())
            token = signer.jwt({"iss": ISSUER, "sub": "ci", "aud": SERVICE, "exp": now + 600,
                                "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)),
                                "access": [{"type": "repository", "name": "team/ledger",
                                            "actions": ["pull"]}]})
            e.vars["REGISTRY_AUTH_FILE"] = e.write(
                "auth.json", {"auths": {reg.host: {"registrytoken": token}}})
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and ts.log == [] and token not in p.stdout + p.stderr,
               "a registrytoken is sent as the bearer token itself: the image read, the token "
               "server never asked", p.stderr + repr(ts.log))

            e = Env(work, "helper-idt")
            e.helper("vault", f"print(json.dumps({{'ServerURL': server, 'Username': '<token>', "
                              f"'Secret': {IDENTITY!r}}}))\n")
            e.write("run/containers/auth.json", {"credHelpers": {reg.host: "vault"}})
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and ts.log == [("POST", "ci", pull)] and clean(p)
               and e.asked("vault") == f"get {reg.host}\n",
               "a credential helper answering <token>: the identity token exchange",
               p.stderr + repr(ts.log))

            e = Env(work, "helper-pw")
            e.helper("vault", f"print(json.dumps({{'ServerURL': server, 'Username': {USER!r}, "
                              f"'Secret': {PASSWORD!r}}}))\n")
            e.write("home/.docker/config.json", {"credsStore": "vault"})
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and ts.log == [("GET", "ci", pull)] and clean(p),
               "a credsStore helper's user and password go to the token server", p.stderr)

            e = Env(work, "wrong")
            e.vars["REGISTRY_AUTH_FILE"] = e.write(
                "auth.json", {"auths": {reg.host: {"auth": b64(f"{USER}:not-{PASSWORD}")}}})
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "token server refused the credentials" in p.stderr
               and len(ts.log) == 1 and clean(p),
               "a wrong password: exit 2, the token server asked once, nothing printed",
               p.stderr + repr(ts.log))

            e = Env(work, "forged")
            e.vars["REGISTRY_AUTH_FILE"] = e.write(
                "auth.json", {"auths": {reg.host: {"auth": b64(f"{USER}:{PASSWORD}")}}})
            ts.mode = "forged"
            ts.log.clear()
            p = e.run(*sbom, ref)
            ts.mode = "normal"
            ok(p.returncode == 2 and "401" in p.stderr and len(ts.log) == 1 and clean(p)
               and "/v2/team/ledger/manifests/1" in p.stderr,
               "a token signed by an untrusted key: the registry's 401 is exit 2, no loop",
               p.stderr + repr(ts.log))

            e = Env(work, "reader")
            e.vars["REGISTRY_AUTH_FILE"] = e.write(
                "auth.json", {"auths": {reg.host: {"auth": b64(f"reader:{PASSWORD}")}}})
            ts.log.clear()
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "401" in p.stderr and len(ts.log) == 1 and clean(p),
               "a token without access to the repository: exit 2, no loop",
               p.stderr + repr(ts.log))
        finally:
            reg.stop()
            ts.stop()
    sys.exit(1 if TAP.failed else 0)


if __name__ == "__main__":
    main()
