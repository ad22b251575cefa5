#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Signatures and index digests in the verdict store (TAP), on SQLite and on a real PostgreSQL
15 server started on loopback (tests/support/pgserver.py; skipped, saying why, without it).

On each backend: `scan --verify-key KEY --record STORE` records which key verified which digest
(the SHA-256 of the cosign key's DER SubjectPublicKeyInfo, computed here with
python3-cryptography; for an OpenPGP key made by gpg and a signature by `skopeo
standalone-sign`, the primary key's fingerprint as gpg lists it); a multi-platform image's
record keeps its index digest. `audit --store` with `images.signatures: {required: true, keys:
[...]}` allows the signed image by digest, denies an unsigned one with "no signature by a policy
key recorded for sha256:...", judges a Pod naming the index digest by the platform image's
record, denies the signed digest named under another repository (the recorded signed identity
names the first), and denies the signed image under a policy naming another key. A verdict
recorded by a signature-requiring policy survives `store refresh` with that stored policy (its key
fingerprints are stored with it). Two keys' verifications of one digest are both kept. A store
at schema version 1 is migrated to version 2 on open. Then both backends gave the same verdicts.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402
import pgserver  # noqa: E402
sys.path.insert(0, HERE)
import policy as P  # noqa: E402  (the fixtures of the policy test)
from signatures import gpg_key  # noqa: E402
from store import PgStore, SqliteStore  # noqa: E402  (the two backends of the store test)

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
NAME = "registry.test:5000/team/app"
CHECKS = 13

try:
    import cosign_format as cf  # needs python3-cryptography and python3-nacl
    from cryptography.hazmat.primitives import serialization
except ImportError as e:
    print(f"1..0 # SKIP python3-cryptography or python3-nacl missing: {e}")
    sys.exit(77)


def run(work, *args):
    env = dict(os.environ, CUSTOMS_NO_CACHE="1", TMPDIR=work)
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, env=env)


def scan(work, target, *args):
    return run(work, "scan", "-q", "--format", "json", "-o", os.devnull, "--scanners", "package",
               *args, target)


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def mkimage(work, name, fmt, recipe="minimal"):
    out = os.path.join(work, name)
    subprocess.run([sys.executable, os.path.join(SRC, "tests/support/mkimage.py"),
                    os.path.join(SRC, f"tests/data/recipes/{recipe}.json"), "--format", fmt,
                    "--out", out], check=True, capture_output=True)
    with open(os.path.join(out, "index.json")) as f:
        return out, json.load(f)["manifests"][0]["digest"]


def policy(work, name, keys):
    return write(os.path.join(work, name),
                 "apiVersion: customs/v1\nkind: Policy\nimages:\n  unknown: deny\n"
                 "  vulnerabilities: {deny: [], knownExploited: allow}\n"
                 "  secrets: allow\n  malware: allow\n"
                 f"  signatures: {{required: true, keys: {json.dumps(keys)}}}\n")


class Fixture:
    """The images and keys both backends use (made once)."""

    def __init__(self, work):
        self.work = work
        self.img, self.digest = mkimage(work, "signed", "oci-dir")
        key = cf.new_key("ecdsa")
        self.pub = write(os.path.join(work, "cosign.pub"), cf.public_pem(key))
        der = key.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        self.fpr = "sha256:" + hashlib.sha256(der).hexdigest()
        other = cf.new_key("ecdsa")
        self.other = write(os.path.join(work, "other.pub"), cf.public_pem(other))
        der = other.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        self.other_fpr = "sha256:" + hashlib.sha256(der).hexdigest()
        pl = cf.payload(self.digest, NAME)
        # signed by both keys (two layers of one signature manifest); verified with one at a time
        cf.attach(self.img, self.digest, [(pl, base64.b64encode(cf.sign(key, pl)).decode()),
                                          (pl, base64.b64encode(cf.sign(other, pl)).decode())])
        # a multi-platform image, unsigned: the arm64 image recorded under its index
        self.multi, self.index = mkimage(work, "multi", "oci-multi")
        self.good = policy(work, "signed.yaml", ["cosign.pub"])
        self.bad = policy(work, "other.yaml", ["other.pub"])
        osv = os.path.join(work, "osv")
        os.makedirs(osv)
        write(os.path.join(osv, "a.json"), json.dumps(P.OSV[1]))
        self.db = os.path.join(work, "vulns.db")
        subprocess.run([CUSTOMS, "db", "build", "-o", self.db, osv], check=True,
                       capture_output=True)
        self.pgp = None
        if shutil.which("gpg") and shutil.which("skopeo"):
            self.pgp = self.openpgp()

    def openpgp(self):
        """An image signed by `skopeo standalone-sign` in a lookaside directory."""
        img, digest = mkimage(self.work, "pgp", "oci-dir", "alpine-like")
        home = tempfile.mkdtemp(dir=self.work, prefix="signer-")
        fpr, pub = gpg_key(home, "Signer <signer@example.test>")
        pubf = write(os.path.join(self.work, "signer.asc"), pub)
        store = os.path.join(self.work, "lookaside")
        sigdir = os.path.join(store, f"team/app@sha256={digest[7:]}")
        os.makedirs(sigdir, exist_ok=True)
        manifest = os.path.join(img, "blobs", "sha256", digest[7:])
        p = subprocess.run(["skopeo", "standalone-sign", manifest, NAME + ":1.0", fpr, "--output",
                            os.path.join(sigdir, "signature-1")], capture_output=True, text=True,
                           env=dict(os.environ, GNUPGHOME=home))
        if p.returncode != 0:
            return None
        return {"img": img, "digest": digest, "fpr": fpr, "pub": pubf, "store": store,
                "policy": policy(self.work, "pgp.yaml", ["signer.asc"])}


def pod(work, name, refs):
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
    for i, ref in enumerate(refs):
        text += f"    - {{name: c{i}, image: \"{ref}\"}}\n"
    return write(os.path.join(work, name), text)


def audit(work, store, pol, podfile):
    out = os.path.join(work, "verdict.json")
    if os.path.exists(out):
        os.unlink(out)
    p = run(work, "audit", "-o", os.devnull, "--policy", pol, "--store", store,
            "--verdict-output", out, podfile)
    verdict = json.load(open(out)) if os.path.exists(out) else {"subjects": [{}]}
    reasons = verdict["subjects"][0].get("reasons", [])
    by = {}
    for r in reasons:
        by.setdefault(r["subject"].split(" ")[1], []).append(r)
    return p, by, verdict


def checks(B, F):
    tag = f"[{B.name}]"
    work = F.work
    store = B.uri
    p = scan(work, F.img, "--verify-key", F.pub, "--record", store)
    rows = B.sql("SELECT digest, fingerprint, format, key_name, signed_digest, identity, "
                 "verified_at FROM signatures")
    version = B.sql("SELECT max(version) FROM schema_migrations")[0][0]
    ok(p.returncode == 0 and str(version) == "2" and len(rows) == 1
       and rows[0][:6] == [F.digest, F.fpr, "cosign", F.pub, F.digest, NAME]
       and int(rows[0][6]) > 0,
       f"{tag} scan --verify-key --record: the digest, the key's SPKI SHA-256, cosign, the "
       f"identity and the time recorded (schema version 2)", f"{p.stderr} {version} {rows} {F.fpr}")
    p = scan(work, F.multi, "--platform", "linux/arm64/v8", "--record", store)
    arm = B.sql(f"SELECT digest, index_digest FROM images WHERE digest <> '{F.digest}'")
    alias = B.sql(f"SELECT digest FROM aliases WHERE alias = '{F.index}'")
    ok(p.returncode == 0 and len(arm) == 1 and arm[0][1] == F.index and alias == [[arm[0][0]]],
       f"{tag} a multi-platform image: its index digest recorded with the platform image",
       f"{p.stderr} {arm} {alias} {F.index}")
    arm_digest = arm[0][0] if arm else "?"
    # c3: the signed digest under another repository (its signature names team/app)
    podfile = pod(work, "pod.yaml", [f"{NAME}@{F.digest}", f"{NAME}@{arm_digest}",
                                     f"{NAME}@{F.index}",
                                     f"registry.test:5000/team/moved@{F.digest}"])
    p, by, verdict = audit(work, store, F.good, podfile)
    msgs = {k: " | ".join(r["rule"] + ": " + r["message"] for r in v) for k, v in by.items()}
    ok("c0" not in by and any(F.fpr in n for n in verdict["subjects"][0].get("notes", [])),
       f"{tag} audit --store, signatures required: the signed image allowed by its recorded "
       f"signature (the key's fingerprint in the note)", json.dumps(verdict)[:2000] + p.stderr)
    want = f"no signature by a policy key recorded for {arm_digest}"
    ok(p.returncode == 1 and "images.signatures.required" in msgs.get("c1", "")
       and want in msgs.get("c1", ""),
       f"{tag} an unsigned image: denied, 'no signature by a policy key recorded for sha256:...'",
       json.dumps(msgs)[:1500] + p.stderr)
    ok(want in msgs.get("c2", "") and "images.unknown" not in msgs.get("c2", ""),
       f"{tag} a Pod naming the index digest: judged by the platform image's record",
       json.dumps(msgs)[:1500])
    ok("wrong identity" in msgs.get("c3", "") and f"is for {NAME}, not for" in msgs.get("c3", ""),
       f"{tag} the signed digest named under another repository: denied, its recorded signature "
       f"names {NAME} (wrong identity)", json.dumps(msgs)[:1500])
    p, by, _ = audit(work, store, F.bad, podfile)
    ok(p.returncode == 1 and "c0" in by
       and f"no signature by a policy key recorded for {F.digest}" in by["c0"][0]["message"],
       f"{tag} a policy naming another key: the signed image denied", json.dumps(by)[:1500])
    # recorded with a signature-requiring policy: refresh keeps the verdict with the stored policy
    p = scan(work, F.img, "--policy", F.good, "--record", store)
    verdict_row = B.sql(f"SELECT verdict FROM images WHERE digest = '{F.digest}'")
    keys = B.sql("SELECT key_fingerprints FROM policies")
    ok(p.returncode == 0 and verdict_row == [["allow"]] and [json.dumps([F.fpr])] in
       [[json.dumps(json.loads(k[0]))] for k in keys if k[0]],
       f"{tag} scan --policy (keys from the policy) --record: allow, the policy's key "
       f"fingerprints stored with it", f"{p.stderr} {verdict_row} {keys}")
    p = run(work, "store", "refresh", "--store", store, "--db", F.db)
    verdict_row = B.sql(f"SELECT verdict FROM images WHERE digest = '{F.digest}'")
    ok(p.returncode == 0 and p.stdout == "" and verdict_row == [["allow"]],
       f"{tag} store refresh with the stored policy: the signed image stays allowed",
       p.stdout + p.stderr + str(verdict_row))
    # verified by the other key too: two signatures recorded for one digest, either policy allows
    p = scan(work, F.img, "--verify-key", F.other, "--record", store)
    fprs = sorted(r[0] for r in B.sql(f"SELECT fingerprint FROM signatures "
                                      f"WHERE digest = '{F.digest}'"))
    p2, by_bad, _ = audit(work, store, F.bad, podfile)
    p3, by_good, _ = audit(work, store, F.good, podfile)
    ok(p.returncode == 0 and fprs == sorted([F.fpr, F.other_fpr]) and "c0" not in by_bad
       and "c0" not in by_good,
       f"{tag} a second key's verification recorded for the same digest: both rows kept, each "
       f"key's policy allows the image", f"{p.stderr} {fprs} {json.dumps(by_bad)[:800]}")
    # a store of schema version 1 (what customs wrote before signatures): migrated on open
    images_before = B.sql("SELECT count(*) FROM images")[0][0]
    B.sql("DROP TABLE signatures")
    B.sql("ALTER TABLE policies DROP COLUMN key_fingerprints")
    B.sql("DELETE FROM schema_migrations WHERE version = 2")
    p = scan(work, F.img, "--verify-key", F.pub, "--record", store)
    version = B.sql("SELECT max(version) FROM schema_migrations")[0][0]
    rows = B.sql("SELECT digest, fingerprint FROM signatures")
    images_after = B.sql("SELECT count(*) FROM images")[0][0]
    ok(p.returncode == 0 and str(version) == "2" and rows == [[F.digest, F.fpr]]
       and str(images_before) == str(images_after),
       f"{tag} a version-1 store is migrated to version 2 on open, its records kept",
       f"{p.stderr} {version} {rows} {images_before} {images_after}")
    if F.pgp is None:
        for what in ("OpenPGP recorded", "OpenPGP judged"):
            ok(True, f"# SKIP {what}: gpg or skopeo (or skopeo standalone-sign) missing")
        return verdict
    G = F.pgp
    p = scan(work, G["img"], "--verify-key", G["pub"], "--signatures", G["store"],
             "--signed-identity", NAME + ":1.0", "--record", store)
    rows = B.sql(f"SELECT fingerprint, format, identity FROM signatures "
                 f"WHERE digest = '{G['digest']}'")
    ok(p.returncode == 0 and rows == [[G["fpr"], "openpgp", NAME + ":1.0"]],
       f"{tag} OpenPGP (skopeo standalone-sign): gpg's fingerprint of the key recorded",
       f"{p.stderr} {rows} {G['fpr']}")
    p, by, _ = audit(work, store, G["policy"], pod(work, "pgp-pod.yaml",
                                                    [f"{NAME}@{G['digest']}", f"{NAME}@{F.digest}"]))
    ok(p.returncode == 1 and "c0" not in by and "c1" in by,
       f"{tag} a policy with the OpenPGP key (fingerprint read from the armored key): that image "
       f"allowed, the cosign-signed one denied", json.dumps(by)[:1500] + p.stderr)
    return verdict


def main():
    print("1..%d" % (2 * CHECKS + 1))
    with tempfile.TemporaryDirectory() as work:
        F = Fixture(work)
        results = {"sqlite": checks(SqliteStore(work), F)}
        srv = pgserver.start_or_skip(work, CHECKS + 1)
        if srv is None:
            return 1 if TAP.failed else 0
        try:
            results["postgresql"] = checks(PgStore(work, srv), F)
        finally:
            srv.close()
        ok(results["sqlite"] == results["postgresql"],
           "SQLite and PostgreSQL: the same verdicts", json.dumps(results)[:3000])
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
