#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Policy files and verdicts, end to end (TAP):

- `customs policy check`: the shipped example (docs/customs-policy.yaml, also the complete
  example of docs/policy.md) is valid (exit 0); a broken policy exits 2 with every error as
  FILE:LINE:COL; an expired ignore entry is a warning;
- one verdict, every entry point: each case runs through every entry point that can judge its
  subject (the library, as the webhook will call it, through verdict_driver; `customs scan
  --policy`; `customs audit --policy`; for images also `scan --record` then `audit --store` on a
  Pod naming the image; the admission webhook's decisions, `customs admit --review` with and
  without `--store`, the function its HTTPS server calls for every request) and all of them
  must give the same verdicts and reasons, which must also be the ones the case expects;
  `scan`/`audit`/`admit` exit 1 exactly on deny. The webhook words a reason for its response
  (the subject before the message; Pod Security's level and version once, not per reason):
  its audit-log records are compared with the library's reasons in that wording.
  ENTRY_POINTS is the table to extend when another entry point (the registry gate) lands.
Argument: the verdict_driver binary. Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
DRIVER = sys.argv[1] if len(sys.argv) > 1 else "build/tests/cli/verdict_driver"
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
MKIMAGE = os.path.join(SRC, "tests", "support", "mkimage.py")

AWS_KEY = "AKIA7KLFYYLBEG3RHDSV"
EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# ---- the entry points: each returns (exit code, the list of subject verdicts, stderr) ----

def subjects_of(path_or_text, is_text=False):
    try:
        doc = json.loads(path_or_text) if is_text else json.load(open(path_or_text, encoding="utf-8"))
        return doc["subjects"]
    except (OSError, ValueError, KeyError):
        return None


def library_image(work, policy, case):
    p = run(DRIVER, "image", policy, case["target"], case["db"])
    return p.returncode, subjects_of(p.stdout, True), p.stderr


def scan_image(work, policy, case):
    out = os.path.join(work, "verdict-scan.json")
    p = run(CUSTOMS, "scan", "-q", "--format", "json", "-o", os.path.join(work, "report.json"),
            "--db", case["db"], "--policy", policy, "--verdict-output", out, case["target"])
    return p.returncode, subjects_of(out), p.stderr


def library_workloads(work, policy, case):
    p = run(DRIVER, "workloads", policy, case["target"])
    return p.returncode, subjects_of(p.stdout, True), p.stderr


def audit_workloads(work, policy, case):
    out = os.path.join(work, "verdict-audit.json")
    p = run(CUSTOMS, "audit", "-f", "json", "-o", os.path.join(work, "audit.json"), "--policy",
            policy, "--verdict-output", out, case["target"])
    return p.returncode, subjects_of(out), p.stderr


def record_image(work, policy, case):
    """`scan --record` of the case's image into a fresh SQLite store: (store, failed run or None)."""
    store = os.path.join(work, "verdicts.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.unlink(store + suffix)
    p = run(CUSTOMS, "scan", "-q", "--format", "json", "-o", os.devnull, "--db", case["db"],
            "--policy", policy, "--record", store, case["target"])
    return store, (p if p.returncode not in (0, 1) else None)


def image_view(case, reasons, notes, prefix):
    """The reasons of the container that names the image, as the image's own (no subject)."""
    reasons = [dict(r, subject=None) for r in reasons
               if r.get("subject") == prefix and r["rule"].startswith("images.")
               and not r["rule"].startswith(("images.tags.", "images.registries"))]
    effects = {r["effect"] for r in reasons}
    verdict = "deny" if "deny" in effects else "warn" if "warn" in effects else "allow"
    notes = [n for n in notes if not n.startswith("tier ")]
    return 1 if verdict == "deny" else 0, [{"subject": case["target"], "verdict": verdict,
                                            "reasons": reasons, "notes": notes}]


def audit_store_image(work, policy, case):
    """The image recorded by `scan --record`, judged where a Pod names it: `audit --store`. The
    container's image reasons must be the image's own."""
    store, failed = record_image(work, policy, case)
    if failed is not None:
        return failed.returncode, None, failed.stderr
    pod = os.path.join(work, "pod.yaml")
    write(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: app, namespace: prod}\n"
               f"spec:\n  containers: [{{name: app, image: \"{case['ref']}\"}}]\n")
    out = os.path.join(work, "verdict-audit-store.json")
    p = run(CUSTOMS, "audit", "-o", os.devnull, "--policy", policy, "--store", store,
            "--verdict-output", out, pod)
    subjects = subjects_of(out)
    if subjects is None:
        return p.returncode, None, p.stderr
    rc, view = image_view(case, subjects[0]["reasons"], subjects[0]["notes"],
                          f"container app ({case['ref']})")
    return rc, view, p.stderr


# ---- the admission webhook ----

WORKLOAD_RESOURCES = {"Pod": "pods", "Deployment": "deployments", "ReplicaSet": "replicasets",
                      "StatefulSet": "statefulsets", "DaemonSet": "daemonsets", "Job": "jobs",
                      "CronJob": "cronjobs", "ReplicationController": "replicationcontrollers",
                      "PodTemplate": "podtemplates"}
PSS_SUFFIX = re.compile(r" \(Pod Security [a-z]+ v1\.\d+\)$")


def review_of(obj, uid):
    group, _, version = obj["apiVersion"].rpartition("/")
    gvk = {"group": group, "version": version, "kind": obj["kind"]}
    md = obj.get("metadata", {})
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": gvk,
                        "resource": dict(gvk, resource=WORKLOAD_RESOURCES[obj["kind"]]),
                        "name": md.get("name", ""), "namespace": md.get("namespace", "default"),
                        "operation": "CREATE", "object": obj}}


def admit_decide(work, policy, reviews, *extra):
    """The reviews through `customs admit --review`: (exit code, audit-log records, stderr)."""
    path = os.path.join(work, "reviews.json")
    log = os.path.join(work, "admit-log.jsonl")
    write(path, "\n".join(json.dumps(r) for r in reviews))
    if os.path.exists(log):
        os.unlink(log)
    p = run(CUSTOMS, "admit", "--review", path, "--policy", policy, "--audit-log", log, *extra)
    recs = [json.loads(line) for line in open(log)] if os.path.exists(log) else []
    return p.returncode, recs, p.stderr


def as_webhook_words(subjects):
    """The library's verdicts in the webhook's wording: the reasons that deny or warn, each
    message after its subject, a Pod Security message without the level and version."""
    out = []
    for s in subjects or []:
        reasons = []
        for r in s["reasons"]:
            if r["effect"] == "allow":
                continue
            msg = r["message"]
            if r["rule"].startswith("podSecurity.") and PSS_SUFFIX.search(msg):
                msg = PSS_SUFFIX.sub("", msg)
            elif r.get("subject"):
                msg = f"{r['subject']}: {msg}"
            x = {"rule": r["rule"], "effect": r["effect"], "message": msg,
                 "severity": r["severity"]}
            if r.get("subject"):
                x["subject"] = r["subject"]
            reasons.append(x)
        out.append({"subject": s["subject"], "verdict": s["verdict"], "reasons": reasons,
                    "notes": s["notes"]})
    return out


def admit_workloads(work, policy, case):
    """Every workload of the manifests as an AdmissionReview; a namespace labelled
    customs/tier=T is sent as /validate/T would be (--tier T), as deploy/ registers it."""
    docs = []
    for d in yaml.safe_load_all(open(case["target"], encoding="utf-8")):
        docs.extend(d.get("items", []) if d and d.get("kind") == "List" else [d] if d else [])
    tiers = {d["metadata"]["name"]: d["metadata"].get("labels", {}).get("customs/tier")
             for d in docs if d["kind"] == "Namespace"}
    workloads = [d for d in docs if d["kind"] in WORKLOAD_RESOURCES]
    groups = {}
    for i, w in enumerate(workloads):
        groups.setdefault(tiers.get(w["metadata"].get("namespace", "default")), []).append(i)
    by_index, rc, err = {}, 0, ""
    for tier, idx in groups.items():
        code, recs, e = admit_decide(work, policy, [review_of(workloads[i], f"w{i}") for i in idx],
                                     *(["--tier", tier] if tier else []))
        rc, err = max(rc, code), err + e
        for rec in recs:
            by_index[int(rec["uid"][1:])] = {
                "subject": f"{rec['kind']}/{rec['namespace']}/{rec['name']}",
                "verdict": rec["verdict"], "reasons": rec["reasons"],
                "notes": rec.get("notes", [])}
    if len(by_index) != len(workloads):
        return rc, None, err
    return rc, [by_index[i] for i in range(len(workloads))], err


def admit_store_image(work, policy, case):
    """The image recorded by `scan --record`, judged by the webhook (`admit --store`) where a
    Pod names it: the container's image reasons must be the image's own."""
    store, failed = record_image(work, policy, case)
    if failed is not None:
        return failed.returncode, None, failed.stderr
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "prod"},
           "spec": {"containers": [{"name": "app", "image": case["ref"]}]}}
    code, recs, err = admit_decide(work, policy, [review_of(pod, "img")], "--store", store)
    if len(recs) != 1:
        return code, None, err
    prefix = f"container app ({case['ref']})"
    reasons = [dict(r, message=r["message"][len(prefix) + 2:]) for r in recs[0]["reasons"]
               if r.get("subject") == prefix and r["message"].startswith(prefix + ": ")]
    for r in reasons:
        r.setdefault("severity", None)
    rc, view = image_view(case, reasons, recs[0].get("notes", []), prefix)
    return rc, view, err


# The entry points that can judge each kind of subject. The library is always first: the others
# are compared with it, in the wording the third element names (None: the library's own).
ENTRY_POINTS = {
    "image": [("library", library_image, None), ("scan", scan_image, None),
              ("audit --store", audit_store_image, None),
              ("admit --store (the webhook)", admit_store_image, None)],
    "workloads": [("library", library_workloads, None), ("audit", audit_workloads, None),
                  ("admit (the webhook)", admit_workloads, as_webhook_words)],
}

# ---- fixtures ----

OSV = [
    {"schema_version": "1.6.0", "id": "GHSA-crit-0000-0001", "aliases": ["CVE-2031-0001"],
     "modified": "2031-01-01T00:00:00Z", "summary": "critical in leftpad",
     "affected": [{"package": {"ecosystem": "npm", "name": "leftpad"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}],
     "database_specific": {"severity": "CRITICAL"}},
    {"schema_version": "1.6.0", "id": "GHSA-med0-0000-0002", "aliases": ["CVE-2031-0002"],
     "modified": "2031-01-01T00:00:00Z", "summary": "moderate in leftpad, no fix",
     "affected": [{"package": {"ecosystem": "npm", "name": "leftpad"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}],
     "database_specific": {"severity": "MODERATE"}},
]


def build_image(work, name, files):
    recipe = {"repo_tag": f"example/{name}:1", "config": {"os": "linux", "architecture": "amd64"},
              "layers": [{"compression": "gzip", "entries": [
                  {"path": p, "type": "file", "content": c} for p, c in files.items()]}]}
    rpath = os.path.join(work, f"{name}.json")
    write(rpath, json.dumps(recipe))
    out = os.path.join(work, f"{name}.tar")
    p = run(sys.executable, MKIMAGE, rpath, "--format", "docker-archive", "--out", out)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return out


def leftpad(version):
    return json.dumps({"name": "leftpad", "version": version, "license": "MIT"})


POLICY_HEAD = "apiVersion: customs/v1\nkind: Policy\n"


def ledger_fixture(work):
    """The store tests' fixture: example/ledger:1 with leftpad 1.3.0, a database that knows its
    MEDIUM only and one that also knows its CRITICAL. Returns (image, old_db, new_db)."""
    image = build_image(work, "ledger", {"app/node_modules/leftpad/package.json": leftpad("1.3.0")})
    old_dir, new_dir = os.path.join(work, "osv-old"), os.path.join(work, "osv-new")
    write(os.path.join(old_dir, "a.json"), json.dumps(OSV[1]))
    for rec in OSV:
        write(os.path.join(new_dir, rec["id"] + ".json"), json.dumps(rec))
    old_db, new_db = os.path.join(work, "old.db"), os.path.join(work, "new.db")
    for d, src in ((old_db, old_dir), (new_db, new_dir)):
        p = run(CUSTOMS, "db", "build", "-o", d, src)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
    return image, old_db, new_db


def cases(work, db):
    vulnerable = build_image(work, "vulnerable", {
        "app/node_modules/leftpad/package.json": leftpad("1.3.0"),
        "app/.env": f"AWS_ACCESS_KEY_ID={AWS_KEY}\n",
        "app/eicar.com": EICAR,
    })
    clean = build_image(work, "clean", {"app/node_modules/rightpad/package.json":
                                        leftpad("1.3.1").replace("leftpad", "rightpad")})
    manifests = os.path.join(work, "k8s.yaml")
    write(manifests, """apiVersion: v1
kind: Namespace
metadata: {name: playground, labels: {customs/tier: sandbox}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec:
      initContainers: [{name: init, image: busybox}]
      containers:
        - name: app
          image: registry.internal:5000/web:1.2
          securityContext: {privileged: true}
          resources: {limits: {cpu: "1", memory: 1Gi}}
---
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly, namespace: playground}
    spec:
      schedule: "0 0 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              containers: [{name: job, image: "quay.io/x/job:latest", resources: {limits: {cpu: "1", memory: 1Gi}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: kube-system}
spec:
  hostNetwork: true
  containers: [{name: agent, image: agent}]
---
apiVersion: v1
kind: Pod
metadata: {name: safe, namespace: prod}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: registry.internal:5000/safe@sha256:0000000000000000000000000000000000000000000000000000000000000000
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      resources: {limits: {cpu: "1", memory: 1Gi}}
""")
    strict = POLICY_HEAD + """podSecurity: {level: restricted, version: latest}
images:
  unknown: deny
  vulnerabilities: {deny: [CRITICAL, HIGH], warn: [MEDIUM]}
  secrets: deny
  malware: deny
  registries: [registry.internal:5000, docker.io/library]
  tags: {forbidLatest: true}
resources: {requireLimits: true}
exemptions: {namespaces: [kube-*]}
tiers:
  - name: sandbox
    podSecurity: {level: baseline}
    images: {registries: []}
    resources: {requireLimits: false}
"""
    lenient = POLICY_HEAD + """images:
  vulnerabilities: {deny: [CRITICAL], warn: [MEDIUM], ignoreUnfixed: true}
  secrets: warn
  malware: warn
ignore:
  - {id: CVE-2031-0001, package: leftpad, expires: 2099-12-31, statement: "not reachable"}
"""
    return [
        {"name": "a vulnerable image under a strict policy", "kind": "image", "target": vulnerable,
         "db": db, "ref": "example/vulnerable:1", "policy": strict, "verdict": "deny",
         "rules": {"images.vulnerabilities.deny", "images.vulnerabilities.warn", "images.secrets",
                   "images.malware"}},
        {"name": "the same image, its critical ignored and the rest warned", "kind": "image",
         "target": vulnerable, "db": db, "ref": "docker.io/example/vulnerable:1",
         "policy": lenient, "verdict": "warn",
         "rules": {"images.secrets", "images.malware"}},
        {"name": "a clean image", "kind": "image", "target": clean, "db": db,
         "ref": "example/clean:1", "policy": strict,
         "verdict": "allow", "rules": set()},
        {"name": "workloads: Pod Security, limits, tags, registries, tiers, exemptions",
         "kind": "workloads", "target": manifests, "policy": strict, "verdict": "deny",
         "rules": {"podSecurity.privileged", "podSecurity.runAsNonRoot", "resources.requireLimits",
                   "images.tags.forbidLatest"},
         "subjects": {"Deployment/prod/web": "deny", "CronJob/playground/nightly": "deny",
                      "Pod/kube-system/agent": "allow", "Pod/prod/safe": "allow"}},
        {"name": "workloads under a policy without Pod Security or the labelled tier",
         "kind": "workloads", "target": manifests, "policy": lenient, "verdict": "deny",
         "rules": {"tiers"},
         "subjects": {"Deployment/prod/web": "allow", "CronJob/playground/nightly": "deny",
                      "Pod/kube-system/agent": "allow", "Pod/prod/safe": "allow"}},
    ]


def strip_volatile(subjects):
    """Nothing in a verdict is volatile today (no times, no paths of temporary files): kept as
    the one place to say so if that changes."""
    return subjects


def check_policy_command(work):
    example = os.path.join(SRC, "docs", "customs-policy.yaml")
    p = run(CUSTOMS, "policy", "check", example)
    ok(p.returncode == 0 and "valid" in p.stdout, "policy check: the shipped example is valid",
       p.stdout + p.stderr)
    doc = open(os.path.join(SRC, "docs", "policy.md"), encoding="utf-8").read()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    ok(open(example, encoding="utf-8").read() in blocks,
       "docs/policy.md shows docs/customs-policy.yaml as its complete example")
    bad = os.path.join(work, "bad.yaml")
    write(bad, POLICY_HEAD + "images:\n  unknwon: deny\n  vulnerabilities: {deny: [SEVERE]}\n"
          "tiers: [{name: x, podSecurity: {level: strict}}]\n")
    p = run(CUSTOMS, "policy", "check", bad)
    lines = [l for l in p.stderr.splitlines() if re.match(re.escape(bad) + r":\d+:\d+: ", l)]
    ok(p.returncode == 2 and len(lines) == 3
       and lines[0].startswith(f"{bad}:4:12: images.unknwon: unknown key")
       and lines[1].startswith(f"{bad}:5:28: images.vulnerabilities.deny[0]:")
       and lines[2].startswith(f"{bad}:6:40: tiers[0].podSecurity.level:"),
       "policy check: exit 2, every error as FILE:LINE:COL in file order", p.stderr)
    p = run(CUSTOMS, "scan", "-q", "--policy", bad, "dir:" + work)
    ok(p.returncode == 2 and "unknown key" in p.stderr and p.stdout == "",
       "scan --policy with an invalid policy: exit 2 before scanning", p.stderr)
    old = os.path.join(work, "old.yaml")
    write(old, POLICY_HEAD + "ignore: [{id: CVE-2020-1, expires: 2020-01-31}]\n")
    p = run(CUSTOMS, "policy", "check", old)
    ok(p.returncode == 0 and "expired on 2020-01-31" in p.stderr,
       "policy check: an expired ignore entry is a warning, not an error", p.stderr)
    p = run(CUSTOMS, "policy", "check", os.path.join(work, "missing.yaml"))
    ok(p.returncode == 2 and "missing.yaml" in p.stderr, "policy check: a missing file exits 2",
       p.stderr)


def main():
    print("1..%d" % (6 + 5 * 3 + 1))
    with tempfile.TemporaryDirectory() as work:
        check_policy_command(work)
        osv = os.path.join(work, "osv")
        for rec in OSV:
            write(os.path.join(osv, rec["id"] + ".json"), json.dumps(rec))
        db = os.path.join(work, "vulns.db")
        p = run(CUSTOMS, "db", "build", "-o", db, osv)
        ok(p.returncode == 0, "the test's vulnerability database builds", p.stderr)
        for n, case in enumerate(cases(work, db)):
            policy = os.path.join(work, f"policy-{n}.yaml")
            write(policy, case["policy"])
            results = []
            for entry, fn, words in ENTRY_POINTS[case["kind"]]:
                rc, subjects, err = fn(work, policy, case)
                results.append((entry, rc, strip_volatile(subjects), err, words))
            base_entry, _, base, base_err, _ = results[0]
            same = base is not None and all(
                r[2] == (r[4](base) if r[4] is not None else base) for r in results[1:])
            ok(same, f"{case['name']}: identical verdicts and reasons from "
               + ", ".join(r[0] for r in results),
               "\n".join(f"{r[0]} rc={r[1]}: {json.dumps(r[2])[:1500]} {r[3][-300:]}" for r in results))
            effects = [s["verdict"] for s in base or []]
            overall = "deny" if "deny" in effects else "warn" if "warn" in effects else "allow"
            rules = {r["rule"] for s in base or [] for r in s["reasons"]}
            want_subjects = case.get("subjects")
            got_subjects = {s["subject"]: s["verdict"] for s in base or []}
            ok(overall == case["verdict"] and case["rules"] <= rules
               and (want_subjects is None or got_subjects == want_subjects),
               f"{case['name']}: {case['verdict']}, with the expected reasons",
               f"verdict {overall}, rules {sorted(rules)}, subjects {got_subjects}\n{base_err}")
            cli_rcs = [r[1] for r in results[1:]]
            ok(all(rc == (1 if case["verdict"] == "deny" else 0) for rc in cli_rcs),
               f"{case['name']}: the commands exit {1 if case['verdict'] == 'deny' else 0}",
               "\n".join(f"{r[0]} rc={r[1]} {r[3][-500:]}" for r in results))
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
