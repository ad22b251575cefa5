#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""deploy/: `customs audit deploy/` at restricted finds nothing; the webhook configurations fail
closed, time out, never send the webhook's own namespace, and give each tier its entry and path
(validating and mutating); the policy in the ConfigMap is valid and defines those tiers; the
Deployment has two spread replicas, probes on /healthz and /readyz over HTTPS, resources, and
runs with that policy; and the command line it runs starts a server that gets ready (with a
certificate made by openssl; that part skips without it). TAP output."""
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.request

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from tap import TAP, ok  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from webhook import make_cert, start  # noqa: E402

CUSTOMS = os.environ["CUSTOMS"]
SRC = os.environ["CUSTOMS_SOURCE_ROOT"]
DEPLOY = os.path.join(SRC, "deploy")

WORKLOADS = {("", "pods"), ("", "pods/ephemeralcontainers"), ("", "replicationcontrollers"),
             ("", "podtemplates"), ("apps", "deployments"), ("apps", "replicasets"),
             ("apps", "statefulsets"), ("apps", "daemonsets"), ("batch", "jobs"),
             ("batch", "cronjobs")}


def load():
    objs = {}
    for name in sorted(os.listdir(DEPLOY)):
        if name.endswith(".yaml"):
            for doc in yaml.safe_load_all(open(os.path.join(DEPLOY, name))):
                objs[doc["kind"]] = doc
    return objs


def covered(hook):
    got = set()
    for rule in hook["rules"]:
        for g in rule["apiGroups"]:
            for r in rule["resources"]:
                got.add((g, r))
    return got


def excludes_own_namespace(hook):
    return any(e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "NotIn"
               and "customs-system" in e["values"]
               for e in hook.get("namespaceSelector", {}).get("matchExpressions", []))


def main():
    p = subprocess.run([CUSTOMS, "audit", "-l", "restricted", DEPLOY], capture_output=True,
                       text=True)
    nfiles = len([n for n in os.listdir(DEPLOY) if n.endswith(".yaml")])
    ok(p.returncode == 0 and p.stdout.startswith(f"0 findings in {nfiles} files"),
       "customs audit deploy/ at restricted: no findings (Pod Security and hardening)",
       p.stdout + p.stderr)
    objs = load()
    want = {"Namespace", "ServiceAccount", "Deployment", "Service", "PodDisruptionBudget",
            "NetworkPolicy", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "ConfigMap"}
    ok(want <= set(objs), "deploy/ has every object", sorted(set(objs)))
    vhooks = objs["ValidatingWebhookConfiguration"]["webhooks"]
    mhooks = objs["MutatingWebhookConfiguration"]["webhooks"]
    bad = [h["name"] for h in vhooks + mhooks
           if h.get("failurePolicy") != "Fail" or not 1 <= h.get("timeoutSeconds", 0) <= 10
           or h.get("admissionReviewVersions") != ["v1"] or h.get("sideEffects") != "None"
           or not excludes_own_namespace(h) or covered(h) != WORKLOADS - (
               {("", "pods/ephemeralcontainers")} if h in mhooks else set())]
    ok(not bad, "every webhook entry fails closed, times out, covers every workload kind and "
       "excludes customs-system", bad)
    with tempfile.TemporaryDirectory() as tmp:
        policy = os.path.join(tmp, "policy.yaml")
        with open(policy, "w") as f:
            f.write(objs["ConfigMap"]["data"]["policy.yaml"])
        p = subprocess.run([CUSTOMS, "policy", "check", policy], capture_output=True, text=True)
        ok(p.returncode == 0, "the ConfigMap's policy passes customs policy check", p.stderr)
    policy_tiers = {t["name"] for t in yaml.safe_load(
        objs["ConfigMap"]["data"]["policy.yaml"]).get("tiers", [])}
    for hooks, base in ((vhooks, "/validate"), (mhooks, "/mutate")):
        tiers_ok = True
        untiered = 0
        labelled = set()
        for h in hooks:
            exprs = h["namespaceSelector"]["matchExpressions"]
            tier = [e for e in exprs if e["key"] == "customs/tier"]
            path = h["clientConfig"]["service"]["path"]
            if tier and tier[0]["operator"] == "DoesNotExist":
                untiered += 1
                tiers_ok &= path == base
            elif tier and tier[0]["operator"] == "In" and len(tier[0]["values"]) == 1:
                tiers_ok &= path == base + "/" + tier[0]["values"][0]
                labelled.add(tier[0]["values"][0])
            else:
                tiers_ok = False
        ok(tiers_ok and untiered == 1 and labelled == policy_tiers,
           f"one {base} entry for untiered namespaces, one {base}/<tier> per customs/tier label "
           "for each tier of the policy", (labelled, policy_tiers))
    dep = objs["Deployment"]
    spec = dep["spec"]["template"]["spec"]
    ctr = spec["containers"][0]
    ok(dep["spec"]["replicas"] == 2 and "podAntiAffinity" in spec.get("affinity", {})
       and ctr["readinessProbe"]["httpGet"]["path"] == "/readyz"
       and ctr["livenessProbe"]["httpGet"]["path"] == "/healthz"
       and ctr["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
       and "limits" in ctr["resources"] and "requests" in ctr["resources"]
       and objs["PodDisruptionBudget"]["spec"].get("minAvailable") == 1,
       "2 replicas, anti-affinity, HTTPS probes, resources, a PodDisruptionBudget")
    mounts = {m["name"]: m["mountPath"] for m in ctr["volumeMounts"]}
    vols = {v["name"]: v for v in spec["volumes"]}
    ok("--policy=/etc/customs/policy.yaml" in ctr["args"] and mounts.get("policy") == "/etc/customs"
       and vols["policy"]["configMap"]["name"] == objs["ConfigMap"]["metadata"]["name"],
       "the webhook runs with the ConfigMap's policy", ctr["args"])
    if shutil.which("openssl") is None:
        print("ok {} - # SKIP openssl not found".format(TAP.n + 1))
        TAP.n += 1
    else:
        with tempfile.TemporaryDirectory() as tmp:
            make_cert(tmp)
            with open(os.path.join(tmp, "policy.yaml"), "w") as f:
                f.write(objs["ConfigMap"]["data"]["policy.yaml"])
            args = [a.replace("/tls/", tmp + "/").replace("0.0.0.0:8443", "127.0.0.1:0")
                    .replace("/dev/stdout", os.path.join(tmp, "log"))
                    .replace("/etc/customs/", tmp + "/")
                    for a in ctr["args"]]
            proc, err, port = start([CUSTOMS, *args], os.path.join(tmp, "err"))
            status = None
            if port is not None:
                ctx = ssl.create_default_context(cafile=os.path.join(tmp, "tls.crt"))
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/readyz",
                                            context=ctx) as r:
                    status = r.status
            proc.terminate()
            proc.wait()
            ok(status == 200, "the Deployment's command line starts a webhook that gets ready",
               open(err.name).read())
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
