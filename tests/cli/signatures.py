#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs scan --verify-key` (TAP) with signatures made by independent tools.

cosign: signatures built from cosign's published format by tests/support/cosign_format.py (an
encrypted cosign key decrypted to sign; ECDSA P-256, Ed25519, RSA PKCS#1 v1.5 and PSS) and
stored in a small OCI layout as the tag sha256-<hex>.sig. OpenPGP: `skopeo standalone-sign`
with a key made in a temporary GNUPGHOME, in a lookaside directory and served over http, and
`skopeo copy --sign-by` pushing to a docker-registry on loopback whose lookaside is configured in
a temporary registries.d (skipped without docker-registry).
Each way to fail is refused with exit 1 and its reason: unsigned, wrong key, altered payload,
a signature for another image, another name, malformed payloads, a symlink in the store.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import base64
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
NAME = "registry.test:5000/team/app"

try:
    import cosign_format as cf  # needs python3-cryptography and python3-nacl
except ImportError as e:
    print(f"1..0 # SKIP python3-cryptography or python3-nacl missing: {e}")
    sys.exit(77)


def run(tmp, target, *args):
    env = dict(os.environ, CUSTOMS_NO_CACHE="1", TMPDIR=tmp)
    p = subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--scanners", "package",
                        *args, target], capture_output=True, text=True, env=env)
    return p


def layout(d, name):
    out = os.path.join(d, name)
    subprocess.run([sys.executable, os.path.join(SRC, "tests/support/mkimage.py"),
                    os.path.join(SRC, "tests/data/recipes/minimal.json"), "--format", "oci-dir",
                    "--out", out], check=True, capture_output=True)
    with open(os.path.join(out, "index.json")) as f:
        digest = json.load(f)["manifests"][0]["digest"]
    return out, digest


def keyfile(d, name, data):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def b64(sig):
    return base64.b64encode(sig).decode()


def cosign_cases(d):
    img, digest = layout(d, "cosign")
    pristine = os.path.join(d, "pristine")
    shutil.copytree(img, pristine)

    def reset():
        shutil.rmtree(img)
        shutil.copytree(pristine, img)

    keys = {k: cf.new_key(k) for k in ("ecdsa", "ed25519", "rsa")}
    pubs = {k: keyfile(d, f"{k}.pub", cf.public_pem(v)) for k, v in keys.items()}
    # the ECDSA key goes through cosign's encrypted key format and back
    enc = cf.encrypt_key(keys["ecdsa"], b"test-password")
    keys["ecdsa"] = cf.decrypt_key(enc, b"test-password")
    other = keyfile(d, "other.pub", cf.public_pem(cf.new_key("ecdsa")))
    pl = cf.payload(digest, NAME)

    p = run(d, img, "--verify-key", pubs["ecdsa"])
    ok(p.returncode == 1 and "unsigned" in p.stderr and digest in p.stderr,
       "an unsigned image: exit 1, 'unsigned', the digest named", p.stderr)

    for kind, pss in (("ecdsa", False), ("ed25519", False), ("rsa", False), ("rsa", True)):
        reset()
        cf.attach(img, digest, [(pl, b64(cf.sign(keys[kind], pl, pss)))])
        p = run(d, img, "--verify-key", pubs[kind])
        rep = json.loads(p.stdout) if p.returncode == 0 else {}
        sig = rep.get("signature", {})
        ok(p.returncode == 0 and f"signature verified by {pubs[kind]}" in p.stderr and
           sig.get("key") == pubs[kind] and sig.get("digest") == digest and
           sig.get("format") == "cosign" and sig.get("identity") == NAME,
           f"cosign {kind}{' PSS' if pss else ''}: verified, the key and digest in the report",
           p.stderr + p.stdout[:300])

    # several keys: the one that verifies is named
    reset()
    cf.attach(img, digest, [(pl, b64(cf.sign(keys["ed25519"], pl)))])
    p = run(d, img, "--verify-key", other, "--verify-key", pubs["ed25519"])
    ok(p.returncode == 0 and f"verified by {pubs['ed25519']}" in p.stderr,
       "two keys: verified by the second, which is named", p.stderr)
    p = run(d, img, "--verify-key", other)
    ok(p.returncode == 1 and "does not verify" in p.stderr, "the wrong key: exit 1, does not verify",
       p.stderr)
    p = run(d, img, "--verify-key", pubs["ed25519"], "--signed-identity", NAME + ":1.0")
    ok(p.returncode == 0, "the expected name (a tag of the signed repository) matches", p.stderr)
    p = run(d, img, "--verify-key", pubs["ed25519"], "--signed-identity",
            "registry.test:5000/team/other")
    ok(p.returncode == 1 and "wrong identity" in p.stderr and "team/other" in p.stderr,
       "another name expected: exit 1, wrong identity", p.stderr)

    # a payload altered after signing, the layout's digests made consistent again
    reset()
    sig = b64(cf.sign(keys["ecdsa"], pl))
    cf.attach(img, digest, [(pl.replace(b"team/app", b"team/apq"), sig)])
    p = run(d, img, "--verify-key", pubs["ecdsa"])
    ok(p.returncode == 1 and "does not verify" in p.stderr and "altered" in p.stderr,
       "an altered payload: exit 1, does not verify", p.stderr)
    # the payload blob changed in place: its digest no longer matches
    reset()
    cf.attach(img, digest, [(pl, sig)])
    blob = os.path.join(img, "blobs", "sha256", hashlib.sha256(pl).hexdigest())
    with open(blob, "wb") as f:
        f.write(pl.replace(b"team/app", b"team/apq"))
    p = run(d, img, "--verify-key", pubs["ecdsa"])
    ok(p.returncode == 1 and "bad signature" in p.stderr and "altered" in p.stderr,
       "a payload blob changed in place: exit 1, altered (digest mismatch)", p.stderr)

    # a valid signature of another image moved to this one's tag
    reset()
    other_digest = "sha256:" + "ab" * 32
    pl2 = cf.payload(other_digest, NAME)
    cf.attach(img, digest, [(pl2, b64(cf.sign(keys["ecdsa"], pl2)))])
    p = run(d, img, "--verify-key", pubs["ecdsa"])
    ok(p.returncode == 1 and "another image" in p.stderr and other_digest in p.stderr,
       "a signature for another digest: exit 1, for another image", p.stderr)

    # signed, but not a cosign payload
    for what, body in (("not JSON", b"hello"),
                       ("an unknown critical key", pl.replace(b'"type"', b'"extra":1,"type"')),
                       ("a duplicate key", pl.replace(b'{"identity"',
                                                      b'{"type":"x","identity"')),
                       ("OpenPGP's type", cf.payload(digest, NAME, "atomic container signature"))):
        reset()
        cf.attach(img, digest, [(body, b64(cf.sign(keys["ecdsa"], body)))])
        p = run(d, img, "--verify-key", pubs["ecdsa"])
        ok(p.returncode == 1 and "malformed" in p.stderr, f"a signed payload with {what}: "
           "exit 1, malformed", p.stderr)
    reset()
    cf.attach(img, digest, [(pl, "not base64!")])
    p = run(d, img, "--verify-key", pubs["ecdsa"])
    ok(p.returncode == 1 and "base64" in p.stderr, "a signature that is not base64: exit 1",
       p.stderr)
    # one bad and one good layer: the good one verifies
    reset()
    cf.attach(img, digest, [(pl, b64(cf.sign(cf.new_key("ecdsa"), pl))),
                            (pl, b64(cf.sign(keys["ecdsa"], pl)))])
    p = run(d, img, "--verify-key", pubs["ecdsa"])
    ok(p.returncode == 0, "a layer by another key beside a good one: verified", p.stderr)
    # the image is still scanned normally: the signature tag is not taken for the image
    p = run(d, img)
    ok(p.returncode == 0 and json.loads(p.stdout)["target"]["manifest_digest"] == digest,
       "the layout with a signature scans as the image (the .sig tag skipped)", p.stderr)
    ok(not [n for n in os.listdir(d) if n.startswith("customs-gnupg-")],
       "no temporary GnuPG home left behind", os.listdir(d))
    # the policy key images.signatures (keys relative to the policy file)
    def policy(keys, name):
        path = keyfile(d, name, ("apiVersion: customs/v1\nkind: Policy\nimages:\n"
                                 "  unknown: deny\n  vulnerabilities: {deny: [], knownExploited: allow}\n"
                                 "  secrets: allow\n  malware: allow\n"
                                 f"  signatures: {{required: true, keys: {keys}}}\n").encode())
        return path
    good = policy(json.dumps([os.path.basename(pubs["ecdsa"])]), "signed.yaml")
    p = run(d, img, "--policy", good)
    ok(p.returncode == 0 and "signature verified by" in p.stderr,
       "images.signatures with the signer's key: allowed", p.stderr)
    bad = policy(json.dumps([os.path.basename(other)]), "other.yaml")
    p = run(d, img, "--policy", bad)
    ok(p.returncode == 1 and "images.signatures.required" in p.stderr,
       "images.signatures with another key: denied by images.signatures.required", p.stderr)
    broken = policy('"ecdsa.pub"', "broken.yaml")
    p = subprocess.run([CUSTOMS, "policy", "check", broken], capture_output=True, text=True)
    ok(p.returncode == 2 and "images.signatures.keys" in p.stderr,
       "images.signatures.keys not a list: the policy is refused, the key named", p.stderr)
    # a multi-platform layout: a signature for the index's digest is for each of its images
    multi = os.path.join(d, "multi")
    subprocess.run([sys.executable, os.path.join(SRC, "tests/support/mkimage.py"),
                    os.path.join(SRC, "tests/data/recipes/minimal.json"), "--format",
                    "oci-multi", "--out", multi], check=True, capture_output=True)
    with open(os.path.join(multi, "index.json")) as f:
        top = json.load(f)["manifests"][0]["digest"]
    plm = cf.payload(top, NAME)
    cf.attach(multi, top, [(plm, b64(cf.sign(keys["ecdsa"], plm)))])
    p = run(d, multi, "--platform", "linux/arm64/v8", "--verify-key", pubs["ecdsa"])
    ok(p.returncode == 0 and top in p.stderr,
       "a signature for a multi-platform index's digest verifies its arm64 image", p.stderr)
    p = run(d, img, "--verify-key", enc and keyfile(d, "private.key", enc))
    ok(p.returncode == 2 and "private key" in p.stderr, "a private key given: exit 2, said so",
       p.stderr)


def gpg_key(home, uid):
    env = dict(os.environ, GNUPGHOME=home)
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519",
                    "sign", "never"], check=True, capture_output=True, env=env)
    out = subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys", uid], check=True,
                         capture_output=True, text=True, env=env).stdout
    fpr = [line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:")][0]
    pub = subprocess.run(["gpg", "--batch", "--armor", "--export", fpr], check=True,
                         capture_output=True, env=env).stdout
    return fpr, pub


def standalone_sign(home, manifest, ref, fpr, out):
    return subprocess.run(["skopeo", "standalone-sign", manifest, ref, fpr, "--output", out],
                          capture_output=True, text=True, env=dict(os.environ, GNUPGHOME=home))


def openpgp_cases(d):
    if shutil.which("gpg") is None or shutil.which("skopeo") is None:
        ok(True, "# SKIP gpg or skopeo missing")
        return
    img, digest = layout(d, "pgp")
    manifest = os.path.join(img, "blobs", "sha256", digest[7:])
    home = tempfile.mkdtemp(dir=d, prefix="signer-")
    fpr, pub = gpg_key(home, "Signer <signer@example.test>")
    ofpr, opub = gpg_key(home, "Other <other@example.test>")
    pubf = keyfile(d, "signer.asc", pub)
    opubf = keyfile(d, "other.asc", opub)
    store = os.path.join(d, "lookaside")
    sigdir = os.path.join(store, f"team/app@sha256={digest[7:]}")
    os.makedirs(sigdir)
    sig1 = os.path.join(sigdir, "signature-1")
    p = standalone_sign(home, manifest, NAME + ":1.0", fpr, sig1)
    if not ok(p.returncode == 0, "skopeo standalone-sign signs the manifest", p.stderr):
        return
    args = ["--signatures", store, "--signed-identity", NAME + ":1.0"]
    p = run(d, img, "--verify-key", pubf, *args)
    rep = json.loads(p.stdout) if p.returncode == 0 else {}
    ok(p.returncode == 0 and f"signature verified by {pubf}" in p.stderr and
       rep.get("signature", {}).get("format") == "openpgp",
       "OpenPGP (skopeo standalone-sign) in a lookaside directory: verified", p.stderr)
    p = run(d, img, "--verify-key", opubf, *args)
    ok(p.returncode == 1 and "wrong key" in p.stderr and fpr in p.stderr,
       "the other OpenPGP key: exit 1, wrong key, the signer's fingerprint named", p.stderr)
    p = run(d, img, "--verify-key", pubf, "--signatures", store, "--signed-identity",
            NAME + ":2.0")
    ok(p.returncode == 1 and "wrong identity" in p.stderr, "another tag expected: wrong identity",
       p.stderr)
    # the user's own keyring is never consulted: the signer's home holds both keys
    p = subprocess.run([CUSTOMS, "scan", "-q", "--scanners", "package", "--format", "json",
                        "--verify-key", opubf, *args, img], capture_output=True, text=True,
                       env=dict(os.environ, GNUPGHOME=home, TMPDIR=d, CUSTOMS_NO_CACHE="1"))
    ok(p.returncode == 1, "GNUPGHOME holding the signer's key changes nothing", p.stderr)
    # served over http
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass
    handler = functools.partial(Quiet, directory=store)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/"
    p = run(d, img, "--verify-key", pubf, "--signatures", url, "--signed-identity", NAME)
    ok(p.returncode == 0 and "verified by" in p.stderr, "the same store over http: verified",
       p.stderr)
    # a signature of another image moved here
    other_img, other_digest = layout(d, "pgp-other")
    with open(os.path.join(other_img, "blobs", "sha256", other_digest[7:]), "ab") as f:
        f.write(b"\n")
    moved = os.path.join(d, "moved-manifest")
    with open(moved, "wb") as f:
        f.write(open(manifest, "rb").read() + b" ")
    os.replace(sig1, sig1 + ".good")
    p = standalone_sign(home, moved, NAME, fpr, sig1)
    p = run(d, img, "--verify-key", pubf, *args)
    ok(p.returncode == 1 and "another image" in p.stderr,
       "an OpenPGP signature for another digest: exit 1, another image", p.stderr)
    # altered: a byte of the signed message flipped
    data = bytearray(open(sig1 + ".good", "rb").read())
    data[len(data) // 2] ^= 0x01
    with open(sig1, "wb") as f:
        f.write(bytes(data))
    p = run(d, img, "--verify-key", pubf, *args)
    ok(p.returncode == 1 and ("bad signature" in p.stderr or "malformed" in p.stderr),
       "an altered OpenPGP message: exit 1", p.stderr)
    # a symlink in the store is not followed
    os.remove(sig1)
    os.symlink(sig1 + ".good", sig1)
    p = run(d, img, "--verify-key", pubf, *args)
    ok(p.returncode == 1 and "symlink" in p.stderr.lower(),
       "signature-1 a symlink: not followed, exit 1", p.stderr)
    os.remove(sig1)
    os.replace(sig1 + ".good", sig1)
    p = run(d, img, "--verify-key", pubf, "--signatures", store)
    ok(p.returncode == 2 and "name" in p.stderr, "a lookaside store without the image's name: "
       "exit 2, said why", p.stderr)
    ok(not [n for n in os.listdir(d) if n.startswith("customs-gnupg-")],
       "no temporary GnuPG home left behind", os.listdir(d))
    srv.shutdown()


def free_port():
    import socket
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def sign_by_cases(d):
    """skopeo copy --sign-by into a registry whose lookaside is set in a temporary registries.d."""
    if shutil.which("docker-registry") is None or shutil.which("skopeo") is None:
        ok(True, "# SKIP docker-registry or skopeo missing")
        return
    import time
    img, digest = layout(d, "signby")
    home = tempfile.mkdtemp(dir=d, prefix="signer2-")
    fpr, pub = gpg_key(home, "Pusher <pusher@example.test>")
    pubf = keyfile(d, "pusher.asc", pub)
    port = free_port()
    cfg = keyfile(d, "registry.yml", (
        "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + os.path.join(d, "regdata") +
        f"\nhttp:\n  addr: 127.0.0.1:{port}\n").encode())
    reg = subprocess.Popen(["docker-registry", "serve", cfg], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        import urllib.request
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        store = os.path.join(d, "sigstore")
        regd = os.path.join(d, "registries.d")
        os.makedirs(regd)
        keyfile(regd, "test.yaml", (f"docker:\n  127.0.0.1:{port}:\n"
                                    f"    lookaside-staging: file://{store}\n").encode())
        ref = f"127.0.0.1:{port}/team/app:1.0"
        p = subprocess.run(["skopeo", "--registries.d", regd, "copy", "--dest-tls-verify=false",
                            "--sign-by", fpr, "oci:" + img, "docker://" + ref],
                           capture_output=True, text=True, env=dict(os.environ, GNUPGHOME=home))
        if not ok(p.returncode == 0, "skopeo copy --sign-by pushes and signs", p.stderr):
            return
        p = run(d, img, "--verify-key", pubf, "--signatures", store, "--signed-identity", ref)
        ok(p.returncode == 0 and f"verified by {pubf}" in p.stderr,
           "a signature written by skopeo copy --sign-by into the lookaside: verified", p.stderr)
    finally:
        reg.terminate()
        reg.wait()


def main():
    with tempfile.TemporaryDirectory() as d:
        cosign_cases(d)
        openpgp_cases(d)
        sign_by_cases(d)
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
