#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The registry gate under `images.signatures: {required: true, keys: [cosign.pub]}` (TAP), on
loopback: Debian's docker-registry as the upstream, `customs registry` in front of it, skopeo as
the client (the helpers of gate.py).

Two images are pushed through the gate with skopeo; one of them has a cosign signature (built by
tests/support/cosign_format.py from cosign's published format, Debian's skopeo having its
sigstore signing disabled) pushed to the upstream under its sha256-<hex>.sig tag first. On push
the gate verifies the pushed image's signature from the upstream with the policy's key and
records which key verified which digest with the verdict. Pulling the signed image through the
gate works; the unsigned one is refused with 403 DENIED and "no signature by a policy key
recorded for sha256:..."; the store holds the key's fingerprint for the signed digest only. The
signed identity must name the repository pulled: the signed digest pulled from another
repository, and the image pushed to another repository with its signature, are refused.
Then a second gate whose policy names an OpenPGP key and a lookaside directory (relative to the
policy file's directory, the gate running elsewhere): an image signed
by `skopeo standalone-sign` (a key made by gpg in a temporary home) is recorded with gpg's
fingerprint of the key and served, an unsigned one refused (skipped without gpg).
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import base64
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
import gate as G  # noqa: E402  (the upstream, gate and skopeo helpers)
import policy as P  # noqa: E402

try:
    import cosign_format as cf  # needs python3-cryptography and python3-nacl
    from cryptography.hazmat.primitives import serialization
except ImportError:
    cf = None


def openpgp_checks(work, up, uport, db):
    """A gate whose policy takes OpenPGP signatures from a lookaside directory."""
    if shutil.which("gpg") is None:
        for _ in range(2):
            ok(True, "# SKIP gpg missing")
        return
    from signatures import gpg_key
    home = tempfile.mkdtemp(dir=work, prefix="signer-")
    fpr, pub = gpg_key(home, "Signer <signer@example.test>")
    P.write(os.path.join(work, "signer.asc"), pub.decode())
    img = G.oci_image(work, "pgpimg", {"app/VERSION": "openpgp\n"})
    bare = G.oci_image(work, "bare", {"app/VERSION": "no signature\n"})
    digest, bdigest = G.manifest_digest(img), G.manifest_digest(bare)
    lookaside = os.path.join(work, "lookaside")
    sigdir = os.path.join(lookaside, f"pgp@sha256={digest[7:]}")
    os.makedirs(sigdir)
    p = G.run("skopeo", "standalone-sign", os.path.join(img, "blobs", "sha256", digest[7:]),
              f"{up}/pgp:1", fpr, "--output", os.path.join(sigdir, "signature-1"),
              env=dict(os.environ, GNUPGHOME=home))
    policy = os.path.join(work, "pgp-policy.yaml")
    P.write(policy, P.POLICY_HEAD + "images:\n  unknown: deny\n"
                    "  vulnerabilities: {deny: [CRITICAL, HIGH]}\n"
                    # relative to the policy file's directory, not to the gate's working directory
                    "  signatures: {required: true, keys: [signer.asc], lookaside: lookaside}\n")
    store = os.path.join(work, "pgp-verdicts.db")
    G.run(G.CUSTOMS, "store", "refresh", "--store", store, "--db", db)
    gate, gport = G.start_gate(work, uport, policy, store, db, log_name="gate-pgp.log")
    try:
        g = f"127.0.0.1:{gport}"
        p1 = G.skopeo_copy(f"oci:{img}:1", f"docker://{g}/pgp:1")
        p2 = G.skopeo_copy(f"oci:{bare}:1", f"docker://{g}/bare:1")
        con = sqlite3.connect(store)
        rows = [list(r) for r in con.execute("SELECT digest, fingerprint, format FROM signatures")]
        con.close()
        pulled = os.path.join(work, "pulled-pgp")
        p3 = G.skopeo_copy(f"docker://{g}/pgp:1", f"oci:{pulled}:1")
        ok(p.returncode == 0 and p1.returncode == 0 and rows == [[digest, fpr, "openpgp"]]
           and p3.returncode == 0 and G.manifest_digest(pulled) == digest,
           "OpenPGP from the policy's lookaside: verified on push, gpg's fingerprint recorded, "
           "the image served", p.stderr + p1.stderr + p3.stderr + f"{rows} {fpr}\n" + gate.text())
        p4 = G.skopeo_copy(f"docker://{g}/bare:1", f"oci:{work}/pulled-bare:1")
        ok(p2.returncode == 0 and p4.returncode != 0
           and f"no signature by a policy key recorded for {bdigest}" in p4.stderr,
           "OpenPGP policy: an image with no signature in the lookaside is refused",
           p2.stderr + p4.stderr)
    finally:
        gate.stop()


def main():
    if not os.access(G.REGISTRY, os.X_OK) or shutil.which("skopeo") is None or cf is None:
        print("1..0 # SKIP needs docker-registry, skopeo, python3-cryptography and python3-nacl")
        return 77
    print("1..9")
    with tempfile.TemporaryDirectory() as work:
        osv = os.path.join(work, "osv")
        P.write(os.path.join(osv, "a.json"), json.dumps(P.OSV[1]))
        db = os.path.join(work, "vuln.db")
        p = G.run(G.CUSTOMS, "db", "build", "-o", db, osv)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        signed = G.oci_image(work, "signed", {"app/VERSION": "signed\n"})
        unsigned = G.oci_image(work, "unsigned", {"app/VERSION": "unsigned\n"})
        sdigest, udigest = G.manifest_digest(signed), G.manifest_digest(unsigned)
        key = cf.new_key("ecdsa")
        P.write(os.path.join(work, "cosign.pub"), cf.public_pem(key).decode())
        der = key.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        fpr = "sha256:" + hashlib.sha256(der).hexdigest()
        policy = os.path.join(work, "policy.yaml")
        P.write(policy, P.POLICY_HEAD + "images:\n  unknown: deny\n"
                        "  vulnerabilities: {deny: [CRITICAL, HIGH]}\n"
                        "  signatures: {required: true, keys: [cosign.pub]}\n")
        store = os.path.join(work, "verdicts.db")
        G.run(G.CUSTOMS, "store", "refresh", "--store", store, "--db", db)  # an empty store
        upstream, uport = G.start_upstream(work)
        gate = None
        try:
            up = f"127.0.0.1:{uport}"
            # the signature goes to the upstream first, as `cosign sign` would put it there
            pl = cf.payload(sdigest, f"{up}/signed")
            cf.attach(signed, sdigest, [(pl, base64.b64encode(cf.sign(key, pl)).decode())])
            tag = "sha256-" + sdigest[7:] + ".sig"
            p = G.skopeo_copy(f"oci:{signed}:{tag}", f"docker://{up}/signed:{tag}")
            if p.returncode != 0:
                raise RuntimeError(p.stderr)
            gate, gport = G.start_gate(work, uport, policy, store, db)
            g = f"127.0.0.1:{gport}"
            p1 = G.skopeo_copy(f"oci:{signed}:1", f"docker://{g}/signed:1")
            p2 = G.skopeo_copy(f"oci:{unsigned}:1", f"docker://{g}/unsigned:1")
            con = sqlite3.connect(store)
            rows = [list(r) for r in con.execute(
                "SELECT digest, fingerprint, format, signed_digest FROM signatures")]
            verdicts = dict(con.execute("SELECT digest, verdict FROM images"))
            con.close()
            ok(p1.returncode == 0 and p2.returncode == 0
               and rows == [[sdigest, fpr, "cosign", sdigest]],
               "pushes through the gate: the signed image's signature verified from the upstream "
               "and recorded (digest, the key's fingerprint)",
               p1.stderr + p2.stderr + f"{rows} {fpr}\n" + gate.text())
            ok(verdicts.get(sdigest) == "allow" and verdicts.get(udigest) == "deny",
               "recorded verdicts: the signed image allowed, the unsigned one denied",
               f"{verdicts}\n" + gate.text())
            out = os.path.join(work, "pulled-signed")
            p = G.skopeo_copy(f"docker://{g}/signed:1", f"oci:{out}:1")
            ok(p.returncode == 0 and G.manifest_digest(out) == sdigest,
               "the signed image is served through the gate", p.stderr + gate.text())
            p = G.skopeo_copy(f"docker://{g}/unsigned:1", f"oci:{work}/pulled-unsigned:1")
            ok(p.returncode != 0 and "images.signatures.required" in p.stderr
               and f"no signature by a policy key recorded for {udigest}" in p.stderr,
               "the unsigned image is refused: images.signatures.required, 'no signature by a "
               "policy key recorded for sha256:...'", p.stderr)
            status, _, body = G.http("GET", f"http://{g}/v2/unsigned/manifests/{udigest}",
                                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
            err = json.loads(body or b"{}").get("errors", [{}])[0]
            ok(status == 403 and err.get("code") == "DENIED",
               "by digest: 403 DENIED", f"{status} {body[:300]!r}")
            # the signed digest under another repository, straight to the upstream: its record
            # (by digest) carries a signature for {up}/signed, which does not name "other"
            p = G.skopeo_copy(f"oci:{signed}:1", f"docker://{up}/other:1")
            p2 = G.skopeo_copy(f"docker://{g}/other@{sdigest}", f"oci:{work}/pulled-other:1")
            ok(p.returncode == 0 and p2.returncode != 0 and "wrong identity" in p2.stderr
               and f"is for {up}/signed, not for" in p2.stderr,
               "the signed digest pulled from another repository: refused, the recorded "
               "signature names another repository (wrong identity)", p.stderr + p2.stderr)
            # the signature moved too: its sha256-<hex>.sig tag copied to "moved", the image
            # pushed there through the gate; verified by the key, but for {up}/signed
            p = G.skopeo_copy(f"oci:{signed}:{tag}", f"docker://{up}/moved:{tag}")
            p1 = G.skopeo_copy(f"oci:{signed}:1", f"docker://{g}/moved:1")
            p2 = G.skopeo_copy(f"docker://{g}/moved:1", f"oci:{work}/pulled-moved:1")
            ok(p.returncode == 0 and p1.returncode == 0 and p2.returncode != 0
               and "wrong identity" in p2.stderr and "moved" in p2.stderr,
               "a signature moved to another repository with its image: the push recorded, the "
               "pull refused (wrong identity)", p.stderr + p1.stderr + p2.stderr + gate.text())
            openpgp_checks(work, up, uport, db)
        finally:
            if gate is not None:
                gate.stop()
            upstream.stop()
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
