#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Every finding in every format (TAP): `scan --format sarif` and `--format cyclonedx` carry
what the JSON report holds, valid against the official schemas in ../shared/schemas.

A root filesystem made here (Debian 12: libssl3 from openssl 3.0.7-1, an npm example-lib 1.0.0,
an AWS key in a file, the EICAR test file) scanned against the vulnerability fixtures of
tests/data/vulndb:
- SARIF: one result per vulnerability, secret and malware finding of the JSON report, each
  pointing at a rule with the same id; the CVSS score as the rule's security-severity; the
  secret redacted (shown with --show-secrets); executionSuccessful true when complete;
- against a database without npm data: executionSuccessful false and the no-data problem as a
  tool execution notification;
- audit --format sarif / json with a manifest that does not parse: the file, line, column and
  message as a notification (and in "errors"), exit 2;
- the SARIF schema check can fail;
- SARIF with an ignore file and a VEX document: the suppressed vulnerability and secret are
  still results, each with one `suppressions` entry (kind external, status accepted, the
  entry's statement or the VEX justification as justification), the same fingerprint as when
  not suppressed; the others carry none; valid against the schema, and a suppression of an
  unknown kind is not;
- CycloneDX: one vulnerability per id of the JSON report, each `affects` ref a component's
  bom-ref with the installed version, valid against bom-1.5.schema.json;
- CycloneDX with the VEX document: the GHSA's dates as `published`/`updated` (RFC 3339), the
  VEX-suppressed vulnerability with its ratings, `analysis` (not_affected, code_not_reachable)
  and `affects` the bom-ref of the package it was found in (unaffected); valid;
- CycloneDX with the ignore file: the vulnerability it suppressed stays, as an accepted risk
  (`analysis` with response will_not_fix and the statement as detail, no state claimed;
  its package still affected), as SARIF keeps it marked suppressed; valid.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import functools
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
DATA = os.path.join(ROOT, "tests", "data", "vulndb")
SCHEMAS = os.path.join(ROOT, "..", "shared", "schemas")
SARIF_SCHEMA = os.path.join(SCHEMAS, "sarif-schema-2.1.0.json")
CDX_SCHEMA = os.path.join(SCHEMAS, "cyclonedx", "bom-1.5.schema.json")
AWS_KEY = "AKIA7KLFYYLBEG3RHDSV"
EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
TESTS = 14


def run(*args, env=None):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, env=env)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def have_jsonschema():
    try:
        import jsonschema  # noqa: F401
        return True
    except ImportError:
        return False


def schema_errors(schema, doc, d):
    """(returncode, stderr) of tests/support/validate_json.py; None when it cannot run."""
    if not os.path.exists(schema) or not have_jsonschema():
        return None
    path = os.path.join(d, "doc.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "support", "validate_json.py"),
                        "--schema", schema, path], capture_output=True, text=True)
    return p.returncode, p.stderr


def make_root(root):
    write(f"{root}/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'
          'VERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
    write(f"{root}/var/lib/dpkg/status", "Package: libssl3\nStatus: install ok installed\n"
          "Source: openssl\nVersion: 3.0.7-1\nArchitecture: amd64\n\n")
    write(f"{root}/app/node_modules/example-lib/package.json",
          '{"name": "example-lib", "version": "1.0.0", "license": "MIT"}\n')
    write(f"{root}/app/config/settings.ini", "[aws]\nregion = eu-west-1\n"
          f"aws_access_key_id = {AWS_KEY}\n")
    write(f"{root}/app/eicar.com", EICAR)


def main():
    print(f"1..{TESTS}")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        make_root(root)
        db = os.path.join(d, "fixtures.db")
        p = run("db", "build", "-o", db, os.path.join(DATA, "tracker.json"),
                os.path.join(DATA, "osv", "ghsa.json"), os.path.join(DATA, "nvd", "page.json"))
        if p.returncode != 0:
            raise SystemExit(f"Bail out! db build failed: {p.stderr}")
        common = ["scan", "-q", "--db", db, "--max-db-age", "0", "--scanners",
                  "package,vuln,secret,malware"]
        j = run(*common, "--format", "json", "dir:" + root)
        rep = json.loads(j.stdout)
        s = run(*common, "--format", "sarif", "dir:" + root)
        sarif = json.loads(s.stdout) if s.stdout.startswith("{") else {}
        srun = (sarif.get("runs") or [{}])[0]
        rules = (srun.get("tool") or {}).get("driver", {}).get("rules", [])
        results = srun.get("results", [])

        def kind(k):
            return [r for r in results if r.get("properties", {}).get("kind") == k]

        linked = all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
        want_v = sorted((v["id"], v["package"]) for v in rep["vulnerabilities"])
        got_v = sorted((r["ruleId"], r["properties"]["package"]) for r in kind("vulnerability"))
        ok(s.returncode == 0 and len(want_v) >= 3 and got_v == want_v and linked
           and len(kind("secret")) == len(rep["secrets"]) == 1
           and len(kind("malware")) == len(rep["malware"]) == 1,
           "SARIF: a result per vulnerability, secret and malware finding of the JSON report,"
           " each linked to its rule", f"rc {s.returncode} {s.stderr}\n{want_v}\n{got_v}")

        ghsa = next((r for r in rules if r["id"] in ("CVE-2023-11111", "GHSA-aaaa-bbbb-cccc")), {})
        vj = next((v for v in rep["vulnerabilities"] if v["package"] == "example-lib"), {})
        res = next((r for r in kind("vulnerability")
                    if r["properties"]["package"] == "example-lib"), {})
        ok(vj.get("cvss") and ghsa.get("properties", {}).get("security-severity")
           == f'{vj["cvss"]["score"]:.1f}'
           and res.get("properties", {}).get("fixed") == vj.get("fixed")
           and res.get("properties", {}).get("severity_source") == vj.get("severity_source")
           and res.get("locations", [{}])[0].get("physicalLocation", {})
           .get("artifactLocation", {}).get("uri") == "app/node_modules/example-lib/package.json"
           and res.get("partialFingerprints", {}).get("customs/v1"),
           "SARIF: the CVSS score is the rule's security-severity; fixed version, severity"
           " source, the package file as location, a fingerprint",
           json.dumps(ghsa, indent=1) + json.dumps(res, indent=1) + json.dumps(vj, indent=1))

        sec = (kind("secret") or [{}])[0]
        region = sec.get("locations", [{}])[0].get("physicalLocation", {}).get("region", {})
        shown = run(*common, "--format", "sarif", "--show-secrets", "dir:" + root)
        ok(AWS_KEY not in s.stdout and region.get("startLine") == 3
           and AWS_KEY in shown.stdout
           and srun.get("invocations", [{}])[0].get("executionSuccessful") is True,
           "SARIF: the secret redacted, with its file and line (shown only with"
           " --show-secrets); a complete scan is a successful execution", json.dumps(sec))

        v = schema_errors(SARIF_SCHEMA, sarif, d)
        if v is None:
            ok(True, "# SKIP the SARIF schema or python3-jsonschema is missing")
            ok(True, "# SKIP the SARIF schema or python3-jsonschema is missing")
        else:
            ok(v[0] == 0, "the scan's SARIF validates against sarif-schema-2.1.0.json", v[1])
            broken = json.loads(json.dumps(sarif))
            del broken["runs"][0]["results"][0]["message"]
            ok(schema_errors(SARIF_SCHEMA, broken, d)[0] == 1,
               "the SARIF schema check can fail (a result without a message)")

        # ---- suppressed findings stay in SARIF, marked ----
        ign = os.path.join(d, "accepted.yaml")
        write(ign, "vulnerabilities:\n  - id: CVE-2024-0001\n    statement: not reachable here\n"
              "secrets:\n  - id: aws-access-key-id\n    statement: a documented example key\n")
        vex = os.path.join(d, "vex.json")
        write(vex, json.dumps({
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "customs tests", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2023-11111"},
                            "products": [{"@id": "pkg:npm/example-lib"}],
                            "status": "not_affected",
                            "justification": "vulnerable_code_not_in_execute_path"}]}))
        q = run(*common, "--format", "sarif", "--ignorefile", ign, "--vex", vex, "dir:" + root)
        qrun = (json.loads(q.stdout)["runs"] if q.stdout.startswith("{") else [{}])[0]
        qres = qrun.get("results", [])
        qrules = qrun.get("tool", {}).get("driver", {}).get("rules", [])
        sup = {r["ruleId"]: r for r in qres if r.get("suppressions")}
        fp = {(r["ruleId"], r["partialFingerprints"]["customs/v1"]) for r in results}
        want_sup = {"CVE-2024-0001": "not reachable here",
                    "aws-access-key-id": "a documented example key",
                    "CVE-2023-11111": "not_affected: vulnerable_code_not_in_execute_path"}
        ok(q.returncode == 0 and len(qres) == len(results)
           and {k: [(x["kind"], x["status"], x["justification"]) for x in v["suppressions"]]
                for k, v in sup.items()}
           == {k: [("external", "accepted", j)] for k, j in want_sup.items()}
           and all((k, v["partialFingerprints"]["customs/v1"]) in fp for k, v in sup.items())
           and all(qrules[r["ruleIndex"]]["id"] == r["ruleId"] for r in qres)
           and sup.get("CVE-2023-11111", {}).get("suppressions", [{}])[0]
           .get("properties", {}).get("by") == "vex",
           "SARIF: findings the ignore file and VEX suppressed stay results, each marked with a"
           " suppression (external, accepted, its statement) and its usual fingerprint",
           f"rc {q.returncode} {q.stderr}\n" + json.dumps(list(sup.values()), indent=1)[:3000])
        v = schema_errors(SARIF_SCHEMA, json.loads(q.stdout) if q.stdout.startswith("{") else {},
                          d)
        if v is None:
            ok(True, "# SKIP the SARIF schema or python3-jsonschema is missing")
        else:
            bogus = json.loads(q.stdout)
            next(r for r in bogus["runs"][0]["results"]
                 if r.get("suppressions"))["suppressions"][0]["kind"] = "ignored"
            ok(v[0] == 0 and schema_errors(SARIF_SCHEMA, bogus, d)[0] == 1,
               "SARIF with suppressions validates against sarif-schema-2.1.0.json (and a"
               " suppression of kind \"ignored\" does not)", v[1])

        c = run(*common, "--format", "cyclonedx", "dir:" + root)
        bom = json.loads(c.stdout) if c.stdout.startswith("{") else {}
        refs = {x.get("bom-ref") for x in bom.get("components", [])}
        vulns = bom.get("vulnerabilities", [])
        affects = [(a["ref"], a["versions"][0]["version"]) for x in vulns for a in x["affects"]]
        want_a = sorted((next(x["bom-ref"] for x in bom["components"] if x.get("purl") == v["purl"]),
                         v["installed"]) for v in rep["vulnerabilities"]) if vulns else []
        v = schema_errors(CDX_SCHEMA, bom, d)
        ok(c.returncode == 0 and sorted(x["id"] for x in vulns)
           == sorted({x["id"] for x in rep["vulnerabilities"]})
           and all(r in refs for r, _ in affects) and sorted(affects) == want_a
           and all(x["ratings"] for x in vulns) and (v is None or v[0] == 0),
           "CycloneDX: a vulnerability per id, affects by bom-ref with the installed version,"
           " valid against bom-1.5.schema.json",
           f"{(v or ('', ''))[1]}\n{affects}\n{want_a}")

        cv = run(*common, "--format", "cyclonedx", "--vex", vex, "dir:" + root)
        vbom = json.loads(cv.stdout) if cv.stdout.startswith("{") else {}
        byid = {}
        for x in vbom.get("vulnerabilities", []):
            byid.setdefault(x["id"], []).append(x)
        dated = next((x for x in bom.get("vulnerabilities", []) if x["id"] == "CVE-2023-11111"),
                     {})
        vexed = (byid.get("CVE-2023-11111") or [{}])[0]
        lib_ref = next((x["bom-ref"] for x in vbom.get("components", [])
                        if x.get("name") == "example-lib"), None)
        v = schema_errors(CDX_SCHEMA, vbom, d)
        ok(cv.returncode == 0 and dated.get("published") == "2023-05-01T10:00:00Z"
           and dated.get("updated") == "2024-02-01T10:00:00Z"
           and len(byid.get("CVE-2023-11111", [])) == 1
           and vexed.get("analysis", {}).get("state") == "not_affected"
           and vexed.get("analysis", {}).get("justification") == "code_not_reachable"
           and vexed.get("ratings") and vexed.get("published") == "2023-05-01T10:00:00Z"
           and [(a["ref"], a["versions"][0]["status"]) for a in vexed.get("affects", [])]
           == [(lib_ref, "unaffected")] and (v is None or v[0] == 0),
           "CycloneDX: published/updated dates from the database; a VEX-suppressed"
           " vulnerability keeps its ratings and dates, analysis not_affected, affects its"
           " package's bom-ref; valid against bom-1.5.schema.json",
           (v or ("", ""))[1] + json.dumps(vexed, indent=1) + json.dumps(dated, indent=1))

        ci = run(*common, "--format", "cyclonedx", "--ignorefile", ign, "dir:" + root)
        ibom = json.loads(ci.stdout) if ci.stdout.startswith("{") else {}
        acc = [x for x in ibom.get("vulnerabilities", []) if x["id"] == "CVE-2024-0001"]
        an = (acc or [{}])[0].get("analysis", {})
        v = schema_errors(CDX_SCHEMA, ibom, d)
        ok(ci.returncode == 0 and len(acc) == 1 and "state" not in an
           and an.get("response") == ["will_not_fix"]
           and an.get("detail", "").startswith("accepted in the ignore file: not reachable here (")
           and acc[0].get("ratings") and acc[0]["bom-ref"].startswith("customs:ignored:")
           and [a["versions"][0]["status"] for a in acc[0].get("affects", [])] == ["affected"]
           and (v is None or v[0] == 0),
           "CycloneDX: a vulnerability the ignore file suppressed stays, as an accepted risk"
           " (response will_not_fix, the statement as detail, its package still affected);"
           " valid against bom-1.5.schema.json",
           (v or ("", ""))[1] + json.dumps(acc, indent=1))

        # ---- SOURCE_DATE_EPOCH: reproducible documents (the CLI reads it, the library not) ----
        sde = dict(os.environ, SOURCE_DATE_EPOCH="86400")
        docs = [run("sbom", "-q", "--format", f, "dir:" + root, env=sde).stdout
                for f in ("cyclonedx", "spdx") for _ in range(2)]
        bad = run("sbom", "-q", "--format", "cyclonedx", "dir:" + root,
                  env=dict(os.environ, SOURCE_DATE_EPOCH="12x"))
        now = run("sbom", "-q", "--format", "cyclonedx", "dir:" + root,
                  env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
        stamp = lambda doc, *keys: functools.reduce(lambda o, k: o.get(k, {}), keys,  # noqa: E731
                                                    json.loads(doc) if doc else {})
        ok(docs[0] == docs[1] and docs[2] == docs[3]
           and stamp(docs[0], "metadata", "timestamp") == "1970-01-02T00:00:00Z"
           and stamp(docs[2], "creationInfo", "created") == "1970-01-02T00:00:00Z"
           and "SOURCE_DATE_EPOCH" in bad.stderr
           and stamp(bad.stdout, "metadata", "timestamp") not in ("1970-01-02T00:00:00Z", {})
           and stamp(now.stdout, "metadata", "timestamp")[:2] in ("20", "21"),
           "SOURCE_DATE_EPOCH pins CycloneDX and SPDX creation times (byte-identical runs); "
           "an invalid one is named and ignored", bad.stderr)

        # ---- incomplete: no npm data ----
        partial = os.path.join(d, "tracker-only.db")
        run("db", "build", "-o", partial, os.path.join(DATA, "tracker.json"))
        p = run("scan", "-q", "--db", partial, "--max-db-age", "0", "--scanners", "package,vuln",
                "--format", "sarif", "--exit-code", "3", "dir:" + root)
        inv = (json.loads(p.stdout)["runs"][0]["invocations"] or [{}])[0] \
            if p.stdout.startswith("{") else {}
        notes = inv.get("toolExecutionNotifications", [])
        ok(p.returncode == 3 and inv.get("executionSuccessful") is False
           and any(n.get("descriptor", {}).get("id") == "no-data" and n["level"] == "error"
                   and "npm" in n["message"]["text"] for n in notes),
           "SARIF of an incomplete scan: executionSuccessful false, the no-data problem as a"
           " notification; --exit-code 3 exits 3", f"rc {p.returncode}\n{json.dumps(inv)}")

        # ---- audit: a manifest that does not parse ----
        manifests = os.path.join(d, "k8s")
        write(f"{manifests}/good.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
              "spec:\n  containers:\n  - name: web\n    image: nginx:1.25\n"
              "    securityContext:\n      privileged: true\n")
        write(f"{manifests}/broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
        a = run("audit", "--format", "sarif", manifests)
        audit = json.loads(a.stdout) if a.stdout.startswith("{") else {}
        arun = (audit.get("runs") or [{}])[0]
        ainv = (arun.get("invocations") or [{}])[0]
        anote = (ainv.get("toolExecutionNotifications") or [{}])[0]
        aloc = (anote.get("locations") or [{}])[0].get("physicalLocation", {})
        ok(a.returncode == 2 and ainv.get("executionSuccessful") is False
           and aloc.get("artifactLocation", {}).get("uri", "").endswith("broken.yaml")
           and aloc.get("region", {}).get("startLine", 0) >= 3
           and aloc.get("region", {}).get("startColumn", 0) >= 1
           and any(r["ruleId"] == "privileged" for r in arun.get("results", [])),
           "audit SARIF: the file that does not parse is a notification with its line and column; the"
           " other file's findings are still there; exit 2",
           f"rc {a.returncode}\n{a.stderr}\n{json.dumps(ainv)}")
        v = schema_errors(SARIF_SCHEMA, audit, d)
        aj = run("audit", "--format", "json", manifests)
        errs = json.loads(aj.stdout).get("errors", []) if aj.stdout.startswith("{") else []
        ok((v is None or v[0] == 0) and aj.returncode == 2 and len(errs) == 1
           and errs[0]["file"].endswith("broken.yaml") and errs[0]["line"] >= 3
           and (errs[0]["column"] or 0) >= 1
           and errs[0]["message"],
           "audit SARIF validates; audit JSON lists the file in errors (file, line, column, message)",
           (v or ("", ""))[1] + aj.stdout[-600:])
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
