#!/usr/bin/env python3
"""npm vulnerability reality check (TAP). Real old packages (express 4.0.0, marked 0.3.2,
hoek 4.2.0 and everything they pull in) installed from the npm registry into a fixture
directory; customs builds its database from the OSV npm records in ../shared and scans it. An
independent reference asks the `semver` npm package whether each installed version (from
`npm ls --all`) satisfies each record's original range (`database_specific.vulnerable_versions`).
The sets of (package, version, advisory) must be equal. Skips when npm or the registry is
unreachable."""
import json
import os
import subprocess
import sys
import tempfile
import zipfile

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
SOURCE = os.environ.get("CUSTOMS_SOURCE_ROOT", ".")
OSV_ZIP = os.path.join(SOURCE, "..", "shared", "corpus", "vulndb", "upstream", "osv", "npm", "all.zip")
PACKAGES = ["express@4.0.0", "marked@0.3.2", "hoek@4.2.0"]

REFERENCE_JS = r"""
const semver = require(process.argv[2]);
const records = require(process.argv[3]);
const installed = require(process.argv[4]);
const out = [];
for (const r of records) {
  for (const a of r.affected || []) {
    const range = (a.database_specific || {}).vulnerable_versions;
    if (!range) continue;
    for (const [name, version] of installed) {
      if (name === a.package.name && semver.satisfies(version, range)) out.push([name, version, r.id]);
    }
  }
}
console.log(JSON.stringify(out));
"""


def npm(args, cwd):
    return subprocess.run(["npm", *args, "--no-audit", "--no-fund", "--ignore-scripts",
                           "--loglevel=error"], cwd=cwd, capture_output=True, text=True, timeout=300)


def main():
    if not os.path.exists(OSV_ZIP):
        print(f"1..0 # SKIP {OSV_ZIP} is absent")
        return 0
    with tempfile.TemporaryDirectory() as d:
        app, tool = os.path.join(d, "app"), os.path.join(d, "tool")
        os.makedirs(app)
        os.makedirs(tool)
        try:
            a = npm(["install", *PACKAGES], app)
            t = npm(["install", "semver@7"], tool)
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"1..0 # SKIP npm: {e}")
            return 0
        if a.returncode != 0 or t.returncode != 0:
            print(f"1..0 # SKIP npm install failed: {(a.stderr or t.stderr).strip()[:200]}")
            return 0
        tree = json.loads(subprocess.run(["npm", "ls", "--all", "--json"], cwd=app,
                                         capture_output=True, text=True).stdout)
        installed = set()

        def walk(deps):
            for name, v in (deps or {}).items():
                if "version" in v:
                    installed.add((name, v["version"]))
                walk(v.get("dependencies"))
        walk(tree.get("dependencies"))
        with zipfile.ZipFile(OSV_ZIP) as z:
            records = [json.loads(z.read(n)) for n in z.namelist() if n.endswith(".json")]
        rec_path, inst_path, js = (os.path.join(d, n) for n in ("records.json", "installed.json", "ref.js"))
        with open(rec_path, "w") as f:
            json.dump(records, f)
        with open(inst_path, "w") as f:
            json.dump(sorted(installed), f)
        with open(js, "w") as f:
            f.write(REFERENCE_JS)
        ref = subprocess.run(["node", js, os.path.join(tool, "node_modules", "semver"), rec_path, inst_path],
                             capture_output=True, text=True)
        want = {tuple(x) for x in json.loads(ref.stdout)}
        db = os.path.join(d, "npm.db")
        b = subprocess.run([CUSTOMS, "db", "build", "-o", db, OSV_ZIP], capture_output=True, text=True)
        p = subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--scanners", "package,vuln", "--db", db,
                            "dir:" + app], capture_output=True, text=True)
    if b.returncode != 0 or p.returncode != 0:
        print(f"1..1\nnot ok 1 - customs ran\n# {(b.stderr + p.stderr).strip()[:300]}")
        return 1
    rep = json.loads(p.stdout)
    got = set()
    for v in rep["vulnerabilities"]:
        osv_id = next((n for n in [v["id"], *v["aliases"]] if n.startswith("NSWG-") or n.startswith("GHSA-")), v["id"])
        got.add((v["package"], v["installed"], osv_id))
    mine = {(p_["name"], p_["version"]) for p_ in rep["packages"] if p_["type"] == "npm"}
    print("1..3")
    print(f"{'ok' if mine == installed else 'not ok'} 1 - the inventory equals npm ls --all ({len(installed)} packages)")
    print(f"{'ok' if len(want) >= 5 else 'not ok'} 2 - the reference finds {len(want)} (package, version, advisory)")
    same = got == want
    print(f"{'ok' if same else 'not ok'} 3 - customs reports exactly the reference's set ({len(got)})")
    for row in sorted(want - got)[:20]:
        print(f"# missed: {row}")
    for row in sorted(got - want)[:20]:
        print(f"# extra:  {row}")
    return 0 if same and mine == installed and len(want) >= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
