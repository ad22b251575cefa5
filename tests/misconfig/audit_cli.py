#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end checks of `customs audit`: exit codes, the three formats, and SARIF 2.1.0
validated against the official schema in ../shared/schemas (skipped when absent). TAP output."""
import json
import os
import subprocess
import sys
import tempfile

CUSTOMS = os.environ["CUSTOMS"]
SRC = os.environ["CUSTOMS_SOURCE_ROOT"]
DATA = os.path.join(SRC, "tests", "misconfig", "data")
SCHEMA = os.path.join(SRC, "..", "shared", "schemas", "sarif-schema-2.1.0.json")

results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def skip(name, why):
    results.append((name, None, why))


def audit(*args, stdin=None):
    p = subprocess.run([CUSTOMS, "audit", *args], input=stdin, capture_output=True, text=True,
                       cwd=DATA)
    return p.returncode, p.stdout, p.stderr


rc, out, err = audit("bad-deployment.yaml")
check("audit exits 1 when a workload has findings", rc == 1, f"rc={rc} {err}")
check("table names FILE:LINE:COL of the privileged field",
      "bad-deployment.yaml:24:23: CRITICAL privileged [baseline] Deployment/shop/web" in out,
      out)

rc, out, err = audit("-l", "baseline", "--checks", "pss", "-f", "json", "bad-deployment.yaml")
doc = json.loads(out)
checks = sorted(f["check"] for f in doc["findings"])
check("json document has schema customs.audit/v1", doc.get("schema") == "customs.audit/v1")
check("baseline finds exactly hostNamespaces, hostPathVolumes, privileged",
      checks == ["hostNamespaces", "hostPathVolumes", "privileged"], str(checks))
priv = [f for f in doc["findings"] if f["check"] == "privileged"][0]
check("json finding carries object, path, line and column",
      priv["object"] == "Deployment/shop/web"
      and priv["path"] == "spec.template.spec.containers[0].securityContext.privileged"
      and priv["line"] == 24 and priv["column"] == 23 and priv["severity"] == "CRITICAL"
      and priv["level"] == "baseline", json.dumps(priv))

rc, out, err = audit("-l", "baseline", "dir")
check("directories are searched recursively for .yaml/.yml/.json", rc == 1
      and "dir/sub/job.json:" in out and "capabilities_baseline" in out
      and "2 files" in out, out + err)

rc, out, err = audit("-l", "restricted", "--checks", "pss", "dir/good-pod.yml")
check("a restricted-clean pod exits 0", rc == 0, out + err)

with open(os.path.join(DATA, "dir", "good-pod.yml")) as f:
    rc, out, err = audit("--checks", "pss", "-", stdin=f.read())
check("'-' reads stdin", rc == 0 and "1 file" in out, out + err)

rc, out, err = audit("broken-tab.yaml", "dir/good-pod.yml")
check("a YAML error exits 2 with FILE:LINE:COL", rc == 2
      and "customs: broken-tab.yaml:4:1: found character that cannot start any token" in err,
      err)

with tempfile.TemporaryDirectory() as tmp:
    huge = os.path.join(tmp, "huge.yaml")
    with open(huge, "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing them
    rc, out, err = audit(huge)
check("a 100 MB manifest is refused before reading it", rc == 2
      and "104857600 bytes is over the 67108864-byte limit" in err, err)

with tempfile.TemporaryDirectory() as tmp:
    # a file name that is not UTF-8, with a control character: the JSON stays valid
    name = os.path.join(tmp.encode(), b"bad\xff\x01name.yaml")
    with open(os.path.join(DATA, "bad-deployment.yaml"), "rb") as src, open(name, "wb") as f:
        f.write(src.read())
    p = subprocess.run([CUSTOMS.encode(), b"audit", b"-f", b"json", name], capture_output=True)
    try:
        files = {f["file"] for f in json.loads(p.stdout)["findings"]}
    except ValueError:
        files = set()
    check("json: a file name that is not UTF-8 is written with U+FFFD, its control "
          "character escaped", p.returncode == 1 and b"\\u0001" in p.stdout
          and files == {tmp + "/bad\ufffd\x01name.yaml"}, p.stdout[:300] + p.stderr)

rc, out, err = audit("--level", "strict", "dir")
check("a bad --level is a usage error", rc == 2 and "--level" in err, err)

rc, out, err = audit("--pss-version", "v1.22", "--checks", "pss", "-f", "json",
                     "dir/good-pod.yml")
check("--pss-version is reported in the json document",
      rc == 0 and json.loads(out)["version"] == "v1.22", out + err)

rc, out, err = audit("--checks", "hardening", "-f", "json", "hardening.yaml")
found = sorted((f["check"], f["object"], f["path"]) for f in json.loads(out)["findings"])
want = sorted([
    ("CUSTOMS-K8S-006", "Deployment/open/api", "spec.template.spec.containers[0].image"),
    ("CUSTOMS-K8S-007", "Deployment/open/api", "spec.template.spec.containers[0].image"),
    ("CUSTOMS-K8S-008", "Deployment/open/api", "spec.template.spec.volumes[0].hostPath.path"),
    ("CUSTOMS-K8S-009", "Deployment/open/api",
     "spec.template.spec.containers[0].volumeMounts[0].readOnly"),
    ("CUSTOMS-K8S-011", "Deployment/open/api", "spec.template.spec.containers[0].env[0].value"),
    ("CUSTOMS-K8S-012", "Service/open/api", "spec.type"),
    ("CUSTOMS-K8S-013", "ClusterRole/default/everything", "rules[0].resources[0]"),
    ("CUSTOMS-K8S-014", "ClusterRoleBinding/default/ops-admin", "roleRef.name"),
    ("CUSTOMS-K8S-015", "Deployment/open/api", "metadata"),
])
check("hardening checks find exactly the planted problems", rc == 1 and found == want,
      "\n".join(map(str, found)))

rc, out, err = audit("--checks", "hardening", "--severity", "high", "-f", "json",
                     "hardening.yaml")
sev = sorted({f["severity"] for f in json.loads(out)["findings"]})
check("--severity HIGH keeps only HIGH and CRITICAL", rc == 1 and sev == ["CRITICAL", "HIGH"],
      str(sev))
rc, out, err = audit("--checks", "hardening", "--severity", "CRITICAL", "dir/good-pod.yml")
check("no finding at or above --severity exits 0", rc == 0, out + err)

rc, out, err = audit("--checks", "hardening", "--allowed-registries", "ghcr.io/org, quay.io",
                     "-f", "json", "hardening.yaml")
reg = [f for f in json.loads(out)["findings"] if f["check"] == "CUSTOMS-K8S-016"]
check("--allowed-registries flags images from other registries",
      len(reg) == 1 and reg[0]["object"] == "Deployment/open/api"
      and "registry \"docker.io\"" in reg[0]["message"], json.dumps(reg))

# Dockerfiles and Compose files (detected by name; "docker" holds one of each)
rc, out, err = audit("-f", "json", "docker/Dockerfile", "docker/docker-compose.yml")
found = sorted((f["check"], f["line"]) for f in json.loads(out)["findings"]) if rc == 1 else []
want = sorted([("CUSTOMS-DF-005", 3), ("CUSTOMS-DF-004", 6), ("CUSTOMS-DF-009", 7),
               ("CUSTOMS-DF-008", 7), ("CUSTOMS-DF-006", 9), ("CUSTOMS-DF-007", 10),
               ("CUSTOMS-DF-012", 12), ("CUSTOMS-DF-001", 6), ("CUSTOMS-DF-011", 6),
               ("CUSTOMS-DC-005", 7), ("CUSTOMS-DC-001", 10)])
check("a Dockerfile and a compose file give exactly the planted findings, exit 1",
      rc == 1 and found == want, f"rc={rc} {err}\n" + "\n".join(map(str, found)))
if rc == 1:
    fs = json.loads(out)["findings"]
    sock = [f for f in fs if f["check"] == "CUSTOMS-DC-005"][0]
    pw = [f for f in fs if f["check"] == "CUSTOMS-DF-007"][0]
    check("compose and Dockerfile findings carry source, object, file, path and column",
          sock["source"] == "compose" and sock["object"] == "service web"
          and sock["file"] == "docker/docker-compose.yml"
          and sock["path"] == "services.web.volumes[0]" and sock["column"] == 9
          and pw["source"] == "dockerfile" and pw["object"] == "stage 1"
          and pw["column"] == 1 and pw["file"] == "docker/Dockerfile"
          and "hunter2" not in pw["message"], json.dumps([sock, pw]))
rc, out, err = audit("docker")
check("directories are searched for Dockerfiles and compose files",
      rc == 1 and "docker/Dockerfile:9:1: HIGH CUSTOMS-DF-006" in out
      and "docker/docker-compose.yml:10:17: CRITICAL CUSTOMS-DC-001" in out
      and "in 2 files" in out, out + err)
rc, out, err = audit("-", stdin="services:\n  a:\n    image: x\n    network_mode: host\n"
                     "    user: app\n    cpus: 1\n")
check("a YAML stream with a top-level services mapping is read as Compose",
      rc == 1 and "stdin:4:19: HIGH CUSTOMS-DC-003" in out, out + err)
rc, out, err = audit("-", stdin="FROM a\nRUN <<EOF\necho\n")
check("stdin starting with FROM is read as a Dockerfile; its errors are FILE:LINE: what",
      rc == 2 and "stdin:2: heredoc <<EOF is not terminated" in err, out + err)
with tempfile.TemporaryDirectory() as tmp:
    names = ["api.Dockerfile", "Containerfile", "Dockerfile.prod", "compose.prod.yml",
             "docker-compose.override.yaml", "notes.txt", "Makefile"]
    for n in names:
        with open(os.path.join(tmp, n), "w") as f:
            f.write("services:\n  a:\n    pid: host\n" if "compose" in n
                    else "FROM alpine:3.20\nEXPOSE 22\n")
    p = subprocess.run([CUSTOMS, "audit", "-f", "json", tmp], capture_output=True, text=True)
    fs = json.loads(p.stdout)["findings"] if p.returncode == 1 else []
    got = sorted((os.path.basename(f["file"]), f["check"]) for f in fs
                 if f["check"] in ("CUSTOMS-DF-012", "CUSTOMS-DC-004"))
    check("directories find Dockerfiles and compose files by name, and nothing else",
          got == [("Containerfile", "CUSTOMS-DF-012"), ("Dockerfile.prod", "CUSTOMS-DF-012"),
                  ("api.Dockerfile", "CUSTOMS-DF-012"), ("compose.prod.yml", "CUSTOMS-DC-004"),
                  ("docker-compose.override.yaml", "CUSTOMS-DC-004")], f"{got} {p.stderr}")
with tempfile.TemporaryDirectory() as tmp:
    bad = os.path.join(tmp, "Dockerfile")
    with open(bad, "w") as f:
        f.write("FROM a\nRUN <<EOF\necho\n")
    p = subprocess.run([CUSTOMS, "audit", bad], capture_output=True, text=True)
    check("an unterminated heredoc exits 2 with FILE:LINE",
          p.returncode == 2 and f"{bad}:2: heredoc <<EOF is not terminated" in p.stderr,
          p.stderr)

with tempfile.TemporaryDirectory() as tmp:
    sarif_path = os.path.join(tmp, "audit.sarif")
    rc, out, err = audit("-f", "sarif", "-o", sarif_path, "bad-deployment.yaml", "dir",
                         "docker")
    check("sarif to -o exits 1 and writes nothing to stdout", rc == 1 and out == "", out + err)
    with open(sarif_path) as f:
        sarif = json.load(f)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    res = [r for r in run["results"] if r["ruleId"] == "privileged"][0]
    loc = res["locations"][0]["physicalLocation"]
    check("sarif result points at uri, startLine and startColumn",
          loc["artifactLocation"]["uri"] == "bad-deployment.yaml"
          and loc["region"] == {"startLine": 24, "startColumn": 23}
          and res["level"] == "error", json.dumps(res))
    check("sarif rules carry help and security-severity",
          rules["privileged"]["properties"]["security-severity"] == "9.5"
          and rules["privileged"]["help"]["text"]
          and rules["privileged"]["shortDescription"]["text"] == "Privileged container"
          and run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "privileged",
          json.dumps(rules["privileged"]))
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    if jsonschema is None:
        skip("sarif validates against the SARIF 2.1.0 schema", "python3-jsonschema missing")
    elif not os.path.exists(SCHEMA):
        skip("sarif validates against the SARIF 2.1.0 schema", f"{SCHEMA} not found")
    else:
        with open(SCHEMA) as f:
            schema = json.load(f)
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = [e.message for e in validator.iter_errors(sarif)]
        check("sarif validates against the SARIF 2.1.0 schema", not errors, "; ".join(errors[:3]))
        df = [r for r in run["results"] if r["ruleId"] == "CUSTOMS-DF-006"]
        check("sarif has Dockerfile results with their rule and tag",
              len(df) == 1 and run["tool"]["driver"]["rules"][df[0]["ruleIndex"]]["id"]
              == "CUSTOMS-DF-006" and "dockerfile" in
              rules["CUSTOMS-DF-006"]["properties"]["tags"]
              and df[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 9,
              json.dumps(df))
        broken = json.loads(json.dumps(sarif))
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = {
            "startLine": 0}
        check("the schema check can fail (startLine 0 is rejected)",
              any(True for _ in validator.iter_errors(broken)))

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    if ok is None:
        print(f"ok {i} - {name} # SKIP {detail}")
    elif ok:
        print(f"ok {i} - {name}")
    else:
        failed += 1
        print(f"not ok {i} - {name}")
        for line in detail.splitlines()[:20]:
            print(f"#   {line}")
sys.exit(1 if failed else 0)
