#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs admit --store` under `images.signatures: {required: true, keys: [cosign.pub]}`: the
running webhook (never restarted) judges a Pod's images by the verifications the verdict store
recorded. An image recorded without a verified signature is denied with "no signature by a
policy key recorded for sha256:..."; once `scan --verify-key cosign.pub --record` has recorded
the cosign signature (built by tests/support/cosign_format.py), the same review is admitted and a
Pod naming a multi-platform index is judged by its platform image's record. TAP output."""
import base64
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
from webhook import make_cert, start  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
from store_signatures import mkimage  # noqa: E402  (OCI layouts from the test recipes)

CUSTOMS = os.environ["CUSTOMS"]
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
NAME = "registry.test:5000/team/app"
POLL_S = 30

try:
    import cosign_format as cf  # needs python3-cryptography and python3-nacl
except ImportError as e:
    print(f"1..0 # SKIP python3-cryptography or python3-nacl missing: {e}")
    sys.exit(77)


def run(tmp, *args):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True,
                          env=dict(os.environ, CUSTOMS_NO_CACHE="1", TMPDIR=tmp))


def review(uid, image):
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop"},
           "spec": {"containers": [{"name": "app", "image": image}]}}
    gvk = {"group": "", "version": "v1", "kind": "Pod"}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": gvk, "resource": dict(gvk, resource="pods"),
                        "name": "app", "namespace": "shop", "operation": "CREATE",
                        "object": obj}}


def main():
    print("1..4")
    with tempfile.TemporaryDirectory() as tmp:
        key, crt = make_cert(tmp)
        img, digest = mkimage(tmp, "signed", "oci-dir")
        multi, index = mkimage(tmp, "multi", "oci-multi")
        ck = cf.new_key("ecdsa")
        with open(os.path.join(tmp, "cosign.pub"), "wb") as f:
            f.write(cf.public_pem(ck))
        pl = cf.payload(digest, NAME)
        cf.attach(img, digest, [(pl, base64.b64encode(cf.sign(ck, pl)).decode())])
        plm = cf.payload(index, NAME)
        cf.attach(multi, index, [(plm, base64.b64encode(cf.sign(ck, plm)).decode())])
        policy = os.path.join(tmp, "policy.yaml")
        with open(policy, "w") as f:
            f.write("apiVersion: customs/v1\nkind: Policy\nimages:\n  unknown: deny\n"
                    "  vulnerabilities: {deny: [], knownExploited: allow}\n"
                    "  secrets: allow\n  malware: allow\n"
                    "  signatures: {required: true, keys: [cosign.pub]}\n")
        store = os.path.join(tmp, "verdicts.db")
        p = run(tmp, "scan", "-q", "-f", "json", "-o", os.devnull, "--scanners", "package",
                "--record", store, img)
        log = os.path.join(tmp, "admit.log")
        proc, _, port = start([CUSTOMS, "admit", "--listen", "127.0.0.1:0", "--tls-cert", crt,
                               "--tls-key", key, "--policy", policy, "--store", store,
                               "--threads", "2"], log)
        if port is None:
            ok(False, "the webhook starts", open(log).read())
            return 1
        ctx = ssl.create_default_context(cafile=crt)
        n = [0]

        def validate(image):
            n[0] += 1
            req = urllib.request.Request(f"https://127.0.0.1:{port}/validate",
                                         data=json.dumps(review(f"u{n[0]}", image)).encode(),
                                         headers={"Content-Type": "application/json"})
            return json.loads(urllib.request.urlopen(req, context=ctx, timeout=30).read())["response"]

        def poll(image, cond):
            end = time.monotonic() + POLL_S
            while True:
                resp = validate(image)
                if cond(resp) or time.monotonic() > end:
                    return resp
                time.sleep(0.2)

        try:
            ref = f"{NAME}@{digest}"
            resp = validate(ref)
            msg = resp.get("status", {}).get("message", "")
            ok(p.returncode == 0 and resp.get("allowed") is False
               and "images.signatures.required" in msg
               and f"no signature by a policy key recorded for {digest}" in msg,
               "recorded without a verified signature: denied, 'no signature by a policy key "
               "recorded for sha256:...'", p.stderr + json.dumps(resp))
            p = run(tmp, "scan", "-q", "-f", "json", "-o", os.devnull, "--scanners", "package",
                    "--verify-key", os.path.join(tmp, "cosign.pub"), "--record", store, img)
            resp = poll(ref, lambda r: r.get("allowed") is True)
            ok(p.returncode == 0 and resp.get("allowed") is True,
               "after scan --verify-key --record, the running webhook admits it",
               p.stderr + json.dumps(resp))
            iref = f"{NAME}@{index}"
            resp = validate(iref)
            ok(resp.get("allowed") is False and "images.unknown" in
               resp.get("status", {}).get("message", ""),
               "a Pod naming a multi-platform index nobody recorded: unknown, denied",
               json.dumps(resp))
            p = run(tmp, "scan", "-q", "-f", "json", "-o", os.devnull, "--scanners", "package",
                    "--platform", "linux/arm64/v8", "--verify-key",
                    os.path.join(tmp, "cosign.pub"), "--record", store, multi)
            resp = poll(iref, lambda r: r.get("allowed") is True)
            ok(p.returncode == 0 and resp.get("allowed") is True,
               "after its arm64 image is recorded with the index's signature, the Pod naming the "
               "index digest is admitted", p.stderr + json.dumps(resp))
        finally:
            proc.terminate()
            proc.wait()
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
