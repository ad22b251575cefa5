#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-check of the checks beyond PSS against Trivy's KSV examples in
../shared/corpus/k8s (trivy-testdata/KSVnnn/{allowed,denied}.yaml and the good/bad documents
of trivy-checks-examples.jsonl): for each Trivy check that a customs check covers, the denied
or bad document must produce that customs finding and the allowed or good one must not.
Trivy's opinions are a yardstick, not ground truth. TAP output; skips without ../shared."""
import json
import os
import subprocess
import sys
import tempfile

CUSTOMS = os.environ["CUSTOMS"]
K8S = os.path.join(os.environ["CUSTOMS_SOURCE_ROOT"], "..", "shared", "corpus", "k8s")

# Trivy check -> customs check
MAPPING = {
    "KSV011": "CUSTOMS-K8S-001",  # CPU not limited
    "KSV018": "CUSTOMS-K8S-002",  # memory not limited
    "KSV015": "CUSTOMS-K8S-003",  # CPU requests not specified
    "KSV016": "CUSTOMS-K8S-004",  # memory requests not specified
    "KSV014": "CUSTOMS-K8S-005",  # root file system is not read-only
    "KSV013": "CUSTOMS-K8S-006",  # image tag ":latest" used
    "KSV006": "CUSTOMS-K8S-008",  # hostPath volume mounted with docker.sock
}

if not os.path.isdir(K8S):
    print(f"1..0 # SKIP {K8S} not found (clone 'shared' next to the repository)")
    sys.exit(0)


def checks_of(text, name):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        p = subprocess.run([CUSTOMS, "audit", "--checks", "hardening", "-f", "json", path],
                           capture_output=True, text=True)
    finally:
        os.unlink(path)
    if p.returncode not in (0, 1):
        return None, p.stderr.strip()
    return {f["check"] for f in json.loads(p.stdout)["findings"]}, ""


cases = []
for ksv, ours in sorted(MAPPING.items()):
    for kind, want in (("denied", True), ("allowed", False)):
        path = os.path.join(K8S, "trivy-testdata", ksv, kind + ".yaml")
        if os.path.exists(path):
            with open(path) as f:
                cases.append((f"trivy-testdata/{ksv}/{kind}.yaml", f.read(), ours, want))
long_ids = {"KSV-0" + k[3:]: v for k, v in MAPPING.items()}
with open(os.path.join(K8S, "trivy-checks-examples.jsonl")) as f:
    for line in f:
        row = json.loads(line)
        ours = long_ids.get(row["check_id"])
        if ours is not None:
            cases.append((f"trivy-checks-examples {row['check_id']} {row['expect']} #{row['n']}",
                          row["text"], ours, row["expect"] == "bad"))

print(f"1..{len(cases)}")
failed = 0
for i, (name, text, ours, want) in enumerate(cases, 1):
    got, err = checks_of(text, name)
    ok = got is not None and (ours in got) == want
    failed += not ok
    verdict = "finds" if want else "does not find"
    print(f"{'ok' if ok else 'not ok'} {i} - {name}: {verdict} {ours}")
    if not ok:
        print(f"#   got {sorted(got) if got is not None else err}")
print(f"# Trivy cross-check: {len(cases) - failed}/{len(cases)} agree")
sys.exit(1 if failed else 0)
