#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`customs admit --policy`: the webhook judges with the policy's verdict function: the top-level
Pod Security level, a tier by path (--tier, as /validate/<tier>) and by namespace name, exempt
namespaces, an unknown tier denied; /mutate sets the defaults the policy's (or the tier's)
`mutate` section asks for; and on a running server SIGHUP swaps in a new policy while a bad one
keeps the old (and says why). TAP output."""
import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from tap import TAP, ok  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from webhook import make_cert, start  # noqa: E402

CUSTOMS = os.environ["CUSTOMS"]

POLICY = """apiVersion: customs/v1
kind: Policy
podSecurity: {level: %s, version: latest}
exemptions: {namespaces: [kube-system]}
tiers:
  - name: sandbox
    podSecurity: {level: baseline}
    namespaces: [sandbox-*]
"""


def review(ns, uid="u-1"):
    """A Deployment that passes baseline but not restricted."""
    pod = {"metadata": {"labels": {"app": "web"}},
           "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}
    gvk = {"group": "apps", "version": "v1", "kind": "Deployment"}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": gvk, "resource": dict(gvk, resource="deployments"),
                        "name": "web", "namespace": ns, "operation": "CREATE",
                        "object": {"apiVersion": "apps/v1", "kind": "Deployment",
                                   "metadata": {"name": "web", "namespace": ns},
                                   "spec": {"template": pod}}}}


def decide(tmp, policy, ns, *extra):
    path = os.path.join(tmp, "review.json")
    with open(path, "w") as f:
        json.dump(review(ns), f)
    p = subprocess.run([CUSTOMS, "admit", "--review", path, "--policy", policy, *extra],
                       capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout)["response"] if p.stdout else {}, p.stderr


MUTATE_POLICY = """apiVersion: customs/v1
kind: Policy
podSecurity: {level: baseline}
mutate: {seccompRuntimeDefault: true, runAsNonRoot: true}
exemptions: {namespaces: [kube-system]}
tiers:
  - name: sandbox
    namespaces: [sandbox-*]
    mutate: {runAsNonRoot: false, dropAllCapabilities: true}
"""


def patch_paths(resp):
    """The (path, value) pairs of a /mutate answer's JSONPatch."""
    if "patch" not in resp:
        return []
    return [(op["path"], op["value"]) for op in json.loads(base64.b64decode(resp["patch"]))]


def check_mutate(tmp):
    policy = os.path.join(tmp, "mutate.yaml")
    with open(policy, "w") as f:
        f.write(MUTATE_POLICY)
    rc, resp, err = decide(tmp, policy, "shop", "--mutate")
    ok(rc == 0 and resp.get("allowed") is True and patch_paths(resp) == [
        ("/spec/template/spec/securityContext",
         {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}})],
       "/mutate sets only the defaults the policy's mutate section asks for",
       json.dumps(resp) + err)
    rc, resp, err = decide(tmp, policy, "sandbox-1", "--mutate")
    ok(rc == 0 and patch_paths(resp) == [
        ("/spec/template/spec/securityContext", {"seccompProfile": {"type": "RuntimeDefault"}}),
        ("/spec/template/spec/containers/0/securityContext",
         {"capabilities": {"drop": ["ALL"]}})],
       "a tier's mutate section is laid over the top level's", json.dumps(resp) + err)
    rc, resp, err = decide(tmp, policy, "kube-system", "--mutate")
    ok(rc == 0 and resp.get("allowed") is True and patch_paths(resp) == [],
       "an exempt namespace is not mutated", json.dumps(resp) + err)
    rc, resp, err = decide(tmp, policy, "shop", "--mutate", "--tier", "nope")
    ok(rc == 1 and resp.get("allowed") is False and resp["status"]["code"] == 404
       and "nope" in resp["status"]["message"],
       "/mutate/<tier> with a tier the policy does not define is refused", json.dumps(resp))
    plain = os.path.join(tmp, "plain.yaml")
    with open(plain, "w") as f:
        f.write(POLICY % "restricted")
    rc, resp, err = decide(tmp, plain, "shop", "--mutate")
    ok(rc == 0 and patch_paths(resp) == [],
       "a policy without a mutate section mutates nothing", json.dumps(resp) + err)
    with open(plain, "a") as f:
        f.write("mutate: {dropAll: true}\n")
    p = subprocess.run([CUSTOMS, "policy", "check", plain], capture_output=True, text=True)
    ok(p.returncode == 2 and "plain.yaml:9:" in p.stderr and "dropAllCapabilities" in p.stderr,
       "an unknown mutate key is an error with its position and the keys allowed", p.stderr)
    return policy


def main():
    with tempfile.TemporaryDirectory() as tmp:
        policy = os.path.join(tmp, "policy.yaml")
        with open(policy, "w") as f:
            f.write(POLICY % "restricted")
        rc, resp, err = decide(tmp, policy, "shop")
        msg = resp.get("status", {}).get("message", "")
        ok(rc == 1 and resp.get("allowed") is False
           and 'violates PodSecurity "restricted:v1.37": allowPrivilegeEscalation != false' in msg
           and "(Pod Security restricted" not in msg,
           "the policy's top level (restricted) denies, in Pod Security admission's words", msg)
        rc, resp, err = decide(tmp, policy, "shop", "--tier", "sandbox")
        ok(rc == 0 and resp.get("allowed") is True, "the tier named by path (baseline) admits",
           json.dumps(resp) + err)
        rc, resp, err = decide(tmp, policy, "sandbox-42")
        ok(rc == 0 and resp.get("allowed") is True,
           "a namespace matching a tier's names gets that tier", json.dumps(resp) + err)
        log = os.path.join(tmp, "log.jsonl")
        rc, resp, err = decide(tmp, policy, "kube-system", "--audit-log", log)
        rec = json.loads(open(log).read().splitlines()[-1])
        ok(rc == 0 and resp.get("allowed") is True and "exempt" in rec.get("note", ""),
           "an exempt namespace is admitted, and the audit log says why", json.dumps(rec))
        rc, resp, err = decide(tmp, policy, "shop", "--tier", "nope")
        ok(rc == 1 and resp.get("allowed") is False and "nope" in resp["status"]["message"],
           "a tier the policy does not define is denied (fail closed)", json.dumps(resp))
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("apiVersion: customs/v1\nkind: Policy\npodSecurty: {level: baseline}\n")
        p = subprocess.run([CUSTOMS, "admit", "--review", os.path.join(tmp, "review.json"),
                            "--policy", bad], capture_output=True, text=True)
        ok(p.returncode == 2 and "bad.yaml:3:1" in p.stderr,
           "a bad policy is refused at start with FILE:LINE:COL", p.stderr)

        mutate_policy = check_mutate(tmp)

        if shutil.which("openssl") is None:
            print(f"ok {TAP.n + 1} - # SKIP openssl not found (SIGHUP reload on a server)")
            TAP.n += 1
        else:
            key, crt = make_cert(tmp)
            srv, errf, port = start([CUSTOMS, "admit", "--listen", "127.0.0.1:0", "--tls-cert",
                                     crt, "--tls-key", key, "--policy", policy],
                                    os.path.join(tmp, "server.log"))
            ctx = ssl.create_default_context(cafile=crt)

            def allowed():
                req = urllib.request.Request(f"https://127.0.0.1:{port}/validate",
                                             data=json.dumps(review("shop")).encode(),
                                             headers={"Content-Type": "application/json"})
                return json.loads(urllib.request.urlopen(req, context=ctx).read())[
                    "response"]["allowed"]

            def reload_and_wait(n):
                srv.send_signal(signal.SIGHUP)
                while open(errf.name).read().count("reload") < n:
                    time.sleep(0.05)

            first = allowed()
            shutil.copy(bad, policy)
            reload_and_wait(1)
            kept = allowed()
            with open(policy, "w") as f:
                f.write(POLICY % "baseline")
            reload_and_wait(2)
            swapped = allowed()
            srv.send_signal(signal.SIGTERM)
            srv.wait()
            log = open(errf.name).read()
            srv2, errf2, port2 = start([CUSTOMS, "admit", "--listen", "127.0.0.1:0", "--tls-cert",
                                        crt, "--tls-key", key, "--policy", mutate_policy],
                                       os.path.join(tmp, "server2.log"))
            answers = {}
            for path in ("/mutate", "/mutate/sandbox", "/mutate/nope"):
                req = urllib.request.Request(f"https://127.0.0.1:{port2}{path}",
                                             data=json.dumps(review("shop")).encode(),
                                             headers={"Content-Type": "application/json"})
                answers[path] = json.loads(urllib.request.urlopen(req, context=ctx).read())[
                    "response"]
            srv2.send_signal(signal.SIGTERM)
            srv2.wait()
            ok(len(patch_paths(answers["/mutate"])) == 1
               and len(patch_paths(answers["/mutate/sandbox"])) == 2
               and answers["/mutate/nope"].get("allowed") is False,
               "the server's /mutate/<tier> applies that tier's defaults", json.dumps(answers))
            ok(first is False and kept is False and "keeping the configuration in force" in log
               and "policy.yaml:3:1" in log,
               "SIGHUP with a bad policy keeps the old one and logs why", log)
            ok(swapped is True and "configuration reloaded" in log,
               "SIGHUP with a good policy swaps it in", log)
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
