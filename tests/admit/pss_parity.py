#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Pod Security parity of the webhook and `customs audit`: every v1.37 AdmissionReview fixture
(../shared/corpus/k8s/admission), its pod also wrapped in every workload kind (Deployment,
ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate), is judged
by `customs admit --review` and by `customs audit` at the same level and version. Every object
must get the same verdict and the same reasons (check and message) from both, and the webhook's
answers must be what Kubernetes expects: allowed as the fixture says, the uid echoed, and a
denial with code 403 whose message carries Pod Security admission's reason for the check.
Skips when ../shared is absent. TAP output."""
import copy
import json
import os
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ["CUSTOMS"]
SRC = os.environ["CUSTOMS_SOURCE_ROOT"]
CORPUS = os.path.join(SRC, "..", "shared", "corpus", "k8s")
FIXTURES = os.path.join(CORPUS, "admission", "requests-pss-v1.37.jsonl")
CHECKS = os.path.join(CORPUS, "pod-security", "checks.tsv")

# kind -> (group, resource, where the pod template goes)
KINDS = {
    "Pod": ("", "pods", None),
    "Deployment": ("apps", "deployments", ["spec", "template"]),
    "ReplicaSet": ("apps", "replicasets", ["spec", "template"]),
    "StatefulSet": ("apps", "statefulsets", ["spec", "template"]),
    "DaemonSet": ("apps", "daemonsets", ["spec", "template"]),
    "Job": ("batch", "jobs", ["spec", "template"]),
    "CronJob": ("batch", "cronjobs", ["spec", "jobTemplate", "spec", "template"]),
    "ReplicationController": ("", "replicationcontrollers", ["spec", "template"]),
    "PodTemplate": ("", "podtemplates", ["template"]),
}


def wrap(review, kind, prefix):
    """The fixture's review with its pod as the template of `kind`, named prefix-NAME (a pass
    and a fail fixture may share a name)."""
    r = copy.deepcopy(review)
    req = r["request"]
    pod = req["object"]
    group, resource, where = KINDS[kind]
    name = prefix + "-" + pod["metadata"]["name"]
    pod["metadata"]["name"] = name
    ns = pod["metadata"].get("namespace", req.get("namespace", "default"))
    if where is not None:
        meta = {k: v for k, v in pod["metadata"].items() if k not in ("name", "namespace")}
        obj = {"apiVersion": (group + "/v1") if group else "v1", "kind": kind,
               "metadata": {"name": name, "namespace": ns}}
        node = obj
        for key in where[:-1]:
            node = node.setdefault(key, {})
        node[where[-1]] = {"metadata": meta, "spec": pod["spec"]}
        req["object"] = obj
    gvk = {"group": group, "version": "v1", "kind": kind}
    gvr = {"group": group, "version": "v1", "resource": resource}
    req.update(kind=gvk, requestKind=gvk, resource=gvr, requestResource=gvr, name=name,
               uid=str(uuid.uuid5(uuid.NAMESPACE_URL, kind + "/" + req["uid"])))
    return r


def main():
    if not os.path.exists(FIXTURES):
        print(f"1..0 # SKIP {FIXTURES} not found (clone 'shared' next to the repository)")
        return 0
    reasons, overridden_by = {}, {}
    with open(CHECKS) as f:
        for line in f:
            if line.startswith("#"):
                continue
            row = line.rstrip("\n").split("\t")
            reasons[row[0]] = row[4]
            if row[3]:
                overridden_by.setdefault(row[3], []).append(row[0])
    rows = [json.loads(line) for line in open(FIXTURES)]
    with tempfile.TemporaryDirectory() as tmp:
        for level in ("baseline", "restricted"):
            cases = [r for r in rows if r["level"] == level]
            reviews, objects = [], []
            for kind in KINDS:
                for c in cases:
                    w = wrap(c["review"], kind, "pass" if c["expect_allowed"] else "fail")
                    reviews.append((kind, c, w))
                    objects.append(w["request"]["object"])
            rpath = os.path.join(tmp, level + "-reviews.json")
            mpath = os.path.join(tmp, level + "-manifests.yaml")
            lpath = os.path.join(tmp, level + "-decisions.jsonl")
            with open(rpath, "w") as f:
                f.writelines(json.dumps(w) + "\n" for _, _, w in reviews)
            with open(mpath, "w") as f:
                f.write("---\n".join(json.dumps(o) + "\n" for o in objects))
            common = ["-l", level, "--pss-version", "v1.37", "--checks", "pss"]
            adm = subprocess.run([CUSTOMS, "admit", "--review", rpath, "--audit-log", lpath,
                                  *common], capture_output=True, text=True)
            aud = subprocess.run([CUSTOMS, "audit", "-f", "json", *common, mpath],
                                 capture_output=True, text=True)
            ok(adm.returncode in (0, 1) and aud.returncode in (0, 1),
               f"{level}: admit --review and audit both run", adm.stderr + aud.stderr)
            responses = [json.loads(l) for l in adm.stdout.splitlines()]
            log = [json.loads(l) for l in open(lpath)] if os.path.exists(lpath) else []
            ok(len(responses) == len(reviews) and len(log) == len(reviews),
               f"{level}: one response and one audit-log line per review ({len(reviews)})",
               f"{len(responses)} responses, {len(log)} log lines")
            by_object = {}
            for f in json.loads(aud.stdout or '{"findings": []}')["findings"]:
                by_object.setdefault(f["object"], []).append((f["check"], f["message"]))
            for kind in KINDS:
                bad_parity, bad_expect = [], []
                for i, (k, c, w) in enumerate(reviews):
                    if k != kind or i >= len(responses) or i >= len(log):
                        continue
                    req = w["request"]
                    resp = responses[i].get("response", {})
                    rec = log[i]
                    key = f"{kind}/{req['namespace']}/{req['name']}"
                    mine = sorted((x["rule"].removeprefix("podSecurity."), x["message"])
                                  for x in rec["reasons"])
                    theirs = sorted(by_object.get(key, []))
                    if mine != theirs or (rec["verdict"] == "deny") != bool(theirs):
                        bad_parity.append(f"{key}: admit {mine} audit {theirs}")
                    if resp.get("uid") != req["uid"] or resp.get("allowed") != c["expect_allowed"]:
                        bad_expect.append(f"{c['fixture']}: {json.dumps(resp)[:300]}")
                    elif not c["expect_allowed"]:
                        st = resp.get("status", {})
                        names = [c["check"]] + overridden_by.get(c["check"], [])
                        if st.get("code") != 403 or not any(
                                reasons[n] in st.get("message", "") for n in names):
                            bad_expect.append(f"{c['fixture']}: status {json.dumps(st)[:300]}")
                n = sum(1 for k, _, _ in reviews if k == kind)
                ok(not bad_parity, f"{level} {kind}: the same reasons as customs audit for all "
                   f"{n} fixtures", "\n".join(bad_parity))
                ok(not bad_expect, f"{level} {kind}: allowed as Kubernetes expects, uid echoed, "
                   f"denials 403 with Pod Security admission's reason", "\n".join(bad_expect))
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
