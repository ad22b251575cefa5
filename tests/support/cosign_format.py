# SPDX-License-Identifier: Apache-2.0
"""cosign's published formats, built independently for customs' tests: the simple-signing
payload, an encrypted cosign private key (sigstore's "ENCRYPTED SIGSTORE PRIVATE KEY": scrypt +
NaCl secretbox over PKCS#8) decrypted to sign, and the `sha256-<hex>.sig` signature manifest
stored in an OCI layout with its layer annotation, as `cosign save` keeps it."""
import base64
import hashlib
import json
import os

import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"


def payload(digest, reference, typ="cosign container image signature", optional=None):
    return json.dumps({"critical": {"identity": {"docker-reference": reference},
                                    "image": {"docker-manifest-digest": digest},
                                    "type": typ},
                       "optional": optional}, separators=(",", ":")).encode()


def new_key(kind):
    if kind == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def encrypt_key(key, password):
    """The private key as cosign stores it: PEM of a JSON envelope."""
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    salt = os.urandom(32)
    n, r, p = 32768, 8, 1
    k = hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=128 << 20)
    nonce = os.urandom(24)
    ct = nacl.secret.SecretBox(k).encrypt(der, nonce).ciphertext
    env = {"kdf": {"name": "scrypt", "params": {"N": n, "r": r, "p": p},
                   "salt": base64.b64encode(salt).decode()},
           "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
           "ciphertext": base64.b64encode(ct).decode()}
    body = base64.encodebytes(json.dumps(env).encode()).decode()
    return ("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + body +
            "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n").encode()


def decrypt_key(pem, password):
    lines = pem.decode().strip().splitlines()
    assert lines[0] == "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"
    env = json.loads(base64.b64decode("".join(lines[1:-1])))
    assert env["kdf"]["name"] == "scrypt" and env["cipher"]["name"] == "nacl/secretbox"
    prm = env["kdf"]["params"]
    k = hashlib.scrypt(password, salt=base64.b64decode(env["kdf"]["salt"]), n=prm["N"],
                       r=prm["r"], p=prm["p"], dklen=32, maxmem=128 << 20)
    der = nacl.secret.SecretBox(k).decrypt(base64.b64decode(env["ciphertext"]),
                                           base64.b64decode(env["cipher"]["nonce"]))
    return serialization.load_der_private_key(der, password=None)


def sign(key, data, pss=False):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    pad = (padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
           if pss else padding.PKCS1v15())
    return key.sign(data, pad, hashes.SHA256())


def put_blob(layout, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", d[7:])
    with open(path, "wb") as f:
        f.write(data)
    return d


def attach(layout, for_digest, layers):
    """Store a signature manifest in the OCI layout, tagged sha256-<hex>.sig for `for_digest`.
    layers: [(payload bytes, base64 signature or None)]."""
    config = json.dumps({"architecture": "", "os": "", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    cd = put_blob(layout, config)
    descs = []
    for pl, sig in layers:
        ld = put_blob(layout, pl)
        ann = {} if sig is None else {SIG_ANNOTATION: sig}
        descs.append({"mediaType": PAYLOAD_TYPE, "size": len(pl), "digest": ld,
                      "annotations": ann})
    manifest = json.dumps({"schemaVersion": 2,
                           "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "size": len(config), "digest": cd},
                           "layers": descs}).encode()
    md = put_blob(layout, manifest)
    ipath = os.path.join(layout, "index.json")
    with open(ipath) as f:
        index = json.load(f)
    tag = "sha256-" + for_digest[7:] + ".sig"
    index["manifests"] = [m for m in index["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name")
                          != tag]
    index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "size": len(manifest), "digest": md,
                               "annotations": {"org.opencontainers.image.ref.name": tag}})
    with open(ipath, "w") as f:
        json.dump(index, f)
    return md
