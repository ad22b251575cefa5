#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cosign signatures read from the registry (TAP): images are pushed with skopeo to Debian's
docker-registry on loopback; signature manifests built from cosign's published format by
tests/support/cosign_format.py (signed with an encrypted cosign key, since Debian's skopeo has
its sigstore signing disabled) are pushed by skopeo under the `sha256-<hex>.sig` tag beside
them. `customs scan --verify-key cosign.pub REF` must find and verify them without
--signatures: signed by tag and by digest, a multi-platform index's signature; unsigned, wrong
key, a signature moved to another image's tag, an altered payload and another identity each
refused with their reason (exit 1); the policy's images.signatures; a registry that needs
credentials (htpasswd, from $REGISTRY_AUTH_FILE) for the image and its signature.
Skips (77) without docker-registry, skopeo, python3-cryptography or python3-nacl.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
from registry import CUSTOMS, REGISTRY, SRC, Registry, mkimage  # noqa: E402
from registry_auth import Env, bcrypt_hash  # noqa: E402
from registry_auth import b64 as b64s  # noqa: E402

try:
    import cosign_format as cf  # needs python3-cryptography and python3-nacl
except ImportError:
    cf = None

PASSWORD = "Sig-Pw-3a8e51-never-printed"


def b64(sig):
    return base64.b64encode(sig).decode()


def top_digest(layout):
    with open(os.path.join(layout, "index.json")) as f:
        return json.load(f)["manifests"][0]["digest"]


def push_sig(reg, layout, repo, digest, layers, for_tag=None, creds=()):
    """Attach a signature manifest for `digest` to the layout and push it with skopeo under
    the tag for `for_tag` (default: `digest`)."""
    cf.attach(layout, digest, layers)
    src_tag = "sha256-" + digest[7:] + ".sig"
    dst_tag = "sha256-" + (for_tag or digest)[7:] + ".sig"
    reg.push(f"oci:{layout}:{src_tag}", f"{repo}:{dst_tag}", "--preserve-digests", *creds)


def main():
    if not os.access(REGISTRY, os.X_OK) or shutil.which("skopeo") is None or cf is None:
        print("1..0 # SKIP needs docker-registry, skopeo, python3-cryptography and python3-nacl")
        sys.exit(77)
    print("1..13")
    with tempfile.TemporaryDirectory() as work:
        recipe = os.path.join(SRC, "tests", "data", "recipes", "minimal.json")
        img = mkimage(work, recipe, "oci-dir", os.path.join(work, "img"))
        other = mkimage(work, os.path.join(SRC, "demo", "recipe.json"), "oci-dir",
                        os.path.join(work, "other"))
        multi = mkimage(work, recipe, "oci-multi", os.path.join(work, "multi"))
        digest, other_digest, multi_digest = top_digest(img), top_digest(other), top_digest(multi)
        # the signer's key, kept as cosign keeps it: encrypted, decrypted to sign
        enc = cf.encrypt_key(cf.new_key("ecdsa"), b"sign-pass")
        key = cf.decrypt_key(enc, b"sign-pass")
        pub = os.path.join(work, "cosign.pub")
        with open(pub, "wb") as f:
            f.write(cf.public_pem(key))
        wrong = os.path.join(work, "wrong.pub")
        with open(wrong, "wb") as f:
            f.write(cf.public_pem(cf.new_key("ecdsa")))
        reg = Registry(work, "anon")
        htpasswd = os.path.join(work, "htpasswd")
        with open(htpasswd, "w") as f:
            f.write(f"ci:{bcrypt_hash(PASSWORD)}\n")
        locked = Registry(work, "locked", f"auth:\n  htpasswd:\n    realm: sigs\n"
                                          f"    path: {htpasswd}\n")
        try:
            name = f"{reg.host}/team/app"
            for repo in ("team/app", "team/unsigned", "team/moved", "team/altered"):
                reg.push(f"oci:{img}", f"{repo}:1", "--preserve-digests")
            reg.push(f"oci:{other}", "team/moved:other", "--preserve-digests")
            reg.push(f"oci:{multi}", "team/multi:1", "--multi-arch", "all", "--preserve-digests")
            creds = [f"--dest-creds=ci:{PASSWORD}"]
            locked.push(f"oci:{img}", "team/app:1", "--preserve-digests", *creds)
            pl = cf.payload(digest, name)
            push_sig(reg, img, "team/app", digest, [(pl, b64(cf.sign(key, pl)))])

            def scan(*args):
                return subprocess.run([CUSTOMS, "scan", "-q", "-f", "json", "--scanners",
                                       "package", "--insecure", *args],
                                      capture_output=True, text=True,
                                      env=dict(os.environ, TMPDIR=work))

            p = scan("--verify-key", pub, f"{name}:1")
            sig = json.loads(p.stdout).get("signature", {}) if p.returncode == 0 else {}
            ok(p.returncode == 0 and "signature verified by" in p.stderr
               and sig.get("digest") == digest and sig.get("format") == "cosign"
               and f"/v2/team/app/manifests/sha256-{digest[7:]}.sig" in sig.get("source", ""),
               "the sha256-<hex>.sig tag in the registry: verified, the report names its URL",
               p.stderr + p.stdout[:300])
            p = scan("--verify-key", pub, f"{name}@{digest}")
            ok(p.returncode == 0 and "signature verified by" in p.stderr,
               "by digest reference", p.stderr)
            p = scan("--verify-key", pub, f"{reg.host}/team/unsigned:1")
            ok(p.returncode == 1 and "unsigned" in p.stderr and p.stdout == "",
               "an image without a .sig tag: exit 1, unsigned, not scanned", p.stderr)
            p = scan("--verify-key", wrong, f"{name}:1")
            ok(p.returncode == 1 and "bad signature" in p.stderr,
               "another key: exit 1, bad signature", p.stderr)
            p = scan("--verify-key", pub, "--signed-identity", f"{reg.host}/team/elsewhere",
                     f"{name}:1")
            ok(p.returncode == 1 and "wrong identity" in p.stderr,
               "--signed-identity another name: exit 1, wrong identity", p.stderr)

            # the other image's valid signature, put under this image's .sig tag
            plo = cf.payload(other_digest, f"{reg.host}/team/moved")
            push_sig(reg, other, "team/moved", other_digest, [(plo, b64(cf.sign(key, plo)))],
                     for_tag=digest)
            p = scan("--verify-key", pub, f"{reg.host}/team/moved:1")
            ok(p.returncode == 1 and "another image" in p.stderr and other_digest in p.stderr,
               "a signature moved to another image's tag: exit 1, for another image", p.stderr)

            # the payload altered after signing (the registry stores what it is given, by its
            # new digest): the signature no longer verifies
            alt = cf.payload(digest, f"{reg.host}/team/altered")
            good_sig = b64(cf.sign(key, alt))
            altered = alt.replace(b"cosign container image signature",
                                  b"cosign container image signaturE")
            push_sig(reg, img, "team/altered", digest, [(altered, good_sig)])
            p = scan("--verify-key", pub, f"{reg.host}/team/altered:1")
            ok(p.returncode == 1 and "bad signature" in p.stderr,
               "an altered payload under a valid signature: exit 1, bad signature", p.stderr)

            plm = cf.payload(multi_digest, f"{reg.host}/team/multi")
            push_sig(reg, multi, "team/multi", multi_digest, [(plm, b64(cf.sign(key, plm)))])
            p = scan("--platform", "linux/arm64/v8", "--verify-key", pub,
                     f"{reg.host}/team/multi:1")
            ok(p.returncode == 0 and multi_digest in p.stderr,
               "a multi-platform index's signature verifies the image --platform picks",
               p.stderr)

            def policy(keys, fname):
                path = os.path.join(work, fname)
                with open(path, "w") as f:
                    f.write("apiVersion: customs/v1\nkind: Policy\nimages:\n"
                            "  unknown: deny\n  vulnerabilities: {deny: [], knownExploited: allow}\n"
                            "  secrets: allow\n  malware: allow\n"
                            f"  signatures: {{required: true, keys: {json.dumps(keys)}}}\n")
                return path
            shutil.copy(pub, os.path.join(work, "policy-signer.pub"))
            signed_policy = policy(["policy-signer.pub"], "signed.yaml")
            p = scan("--policy", signed_policy, f"{name}:1")
            ok(p.returncode == 0 and "signature verified by" in p.stderr,
               "images.signatures: the registry's signature satisfies the policy", p.stderr)
            p = scan("--policy", signed_policy, f"{reg.host}/team/unsigned:1")
            ok(p.returncode == 1 and "images.signatures.required" in p.stderr,
               "images.signatures: an unsigned registry image is denied", p.stderr)

            # a registry that wants credentials, for the image and for its signature
            lname = f"{locked.host}/team/app"
            pll = cf.payload(digest, lname)
            push_sig(locked, img, "team/app", digest, [(pll, b64(cf.sign(key, pll)))],
                     creds=creds)
            e = Env(work, "creds")
            e.vars["REGISTRY_AUTH_FILE"] = e.write(
                "auth.json", {"auths": {locked.host: {"auth": b64s(f"ci:{PASSWORD}")}}})
            e.vars["TMPDIR"] = work
            p = e.run("scan", "-q", "-f", "json", "--scanners", "package", "--insecure",
                      "--verify-key", pub, "--signed-identity", lname, f"{lname}:1")
            ok(p.returncode == 0 and "signature verified by" in p.stderr
               and PASSWORD not in p.stderr,
               "a registry with htpasswd: credentials from $REGISTRY_AUTH_FILE for the image and "
               "its signature", p.stderr)
            e = Env(work, "nocreds")
            e.vars["TMPDIR"] = work
            p = e.run("scan", "-q", "--scanners", "package", "--insecure", "--verify-key", pub,
                      f"{lname}:1")
            ok(p.returncode == 2 and "401" in p.stderr,
               "without them: exit 2 (an error, not unsigned)", p.stderr)
            ok(not [n for n in os.listdir(work) if n.startswith("customs-gnupg-")],
               "no temporary GnuPG home left behind", os.listdir(work))
        finally:
            reg.stop()
            locked.stop()
    sys.exit(1 if TAP.failed else 0)


if __name__ == "__main__":
    main()
