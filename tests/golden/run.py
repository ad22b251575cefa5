#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Golden tests: build every recipe in every image format, run `customs sbom --format json` on
it and compare what it reports with tests/data/recipes/NAME.expected.json. Prints TAP.

Compared exactly: os id/version/codename; the multiset of packages as (type, name, version,
source_name, layer.index), plus source_version and dev where the expected entry names them;
target.layers[i].diff_id (and digest, for OCI sources) against what mkimage wrote; errors == [].
The rootfs case writes the final filesystem to a directory and reads it as dir:PATH, where
every package's layer is null and target.layers is empty.
The demo image (demo/recipe.json, demo/expected.json) is one more case, named "demo".
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout); optional arguments
restrict the recipes run (names without .json).
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
import mkimage  # noqa: E402

RECIPES = os.path.join(ROOT, "tests", "data", "recipes")
# format -> how the target is named on the command line: bare paths are auto-detected
CASES = [
    ("docker-archive", "image.tar", "{}", None),
    ("docker-oci", "image.tar", "docker-archive:{}", None),
    ("oci-dir", "layout", "{}", None),
    ("oci-tar", "layout.tar", "oci:{}", None),
    ("oci-multi", "multi", "oci:{}", None),
    ("oci-multi", "multi", "oci:{}", "linux/arm64/v8"),
    ("rootfs", "rootfs", "dir:{}", None),
]
KEYS = ("type", "name", "version", "source_name", "layer")
OPTIONAL = ("source_version", "dev")


def package_key(p, optional):
    layer = p.get("layer")
    if isinstance(layer, dict):
        layer = layer.get("index")
    row = [p.get(k) for k in KEYS[:-1]] + [layer]
    row += [p.get(k) for k in optional]
    return tuple(row)


def compare_packages(want, got):
    """Lines describing the difference between two package lists (empty when equal)."""
    problems = []
    for optional in [()] + [(k,) for k in OPTIONAL]:
        subset = [w for w in want if all(k in w for k in optional)]
        names = {(w["type"], w["name"], w["version"]) for w in subset}
        w_rows = sorted(map(lambda p: package_key(p, optional), subset), key=repr)
        g_rows = sorted((package_key(p, optional) for p in got
                         if (p.get("type"), p.get("name"), p.get("version")) in names
                         or not optional), key=repr)
        missing = [r for r in w_rows if w_rows.count(r) > g_rows.count(r)]
        extra = [r for r in g_rows if g_rows.count(r) > w_rows.count(r)]
        cols = ",".join(KEYS + optional)
        problems += [f"missing ({cols}): {r}" for r in dict.fromkeys(missing)]
        problems += [f"unexpected ({cols}): {r}" for r in dict.fromkeys(extra)]
        if problems:
            break
    return problems


def check(report, expected, info):
    problems = []
    os_ = report.get("os") or {}
    for k, v in expected["os"].items():
        if os_.get(k) != v:
            problems.append(f"os.{k}: want {v!r}, got {os_.get(k)!r}")
    problems += compare_packages(expected["packages"], report.get("packages", []))
    layers = (report.get("target") or {}).get("layers", [])
    want_ids = [l["diff_id"] for l in info["layers"]]
    got_ids = [l.get("diff_id") for l in layers]
    if got_ids != want_ids:
        problems.append(f"target.layers diff_ids: want {want_ids}, got {got_ids}")
    if info["format"].startswith("oci"):
        want_d = [l["digest"] for l in info["layers"]]
        got_d = [l.get("digest") for l in layers]
        if got_d != want_d:
            problems.append(f"target.layers digests: want {want_d}, got {got_d}")
    if [l.get("index") for l in layers] != list(range(len(layers))):
        problems.append("target.layers[i].index is not i")
    if report.get("errors"):
        problems.append(f"errors: want [], got {report['errors']}")
    return problems


def validate_schema(report):
    schema_path = os.path.join(ROOT, "docs", "report.schema.json")
    if not os.path.exists(schema_path):
        return []
    try:
        import jsonschema
    except ImportError:
        return []
    with open(schema_path) as f:
        schema = json.load(f)
    v = jsonschema.Draft202012Validator(schema)
    return [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in v.iter_errors(report)][:10]


def run_case(customs, recipe, expected, fmt, out_name, spec, platform, tmp):
    out = os.path.join(tmp, out_name)
    if not os.path.exists(out):
        info = mkimage.build(recipe, fmt, out)
        with open(out + ".info.json", "w") as f:
            json.dump(info, f)
    with open(out + ".info.json") as f:
        info = json.load(f)
    if platform:
        info = dict(info, layers=info["arm64"]["layers"])
    if fmt == "rootfs":  # a directory has no layers: every package has layer null
        expected = dict(expected, packages=[dict(p, layer=None) for p in expected["packages"]])
    argv = [customs, "sbom", "--format", "json", "--quiet"]
    if platform:
        argv += ["--platform", platform]
    argv.append(spec.format(out))
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        return [f"exit code {p.returncode}, stderr: {p.stderr.decode(errors='replace').strip()}"]
    try:
        report = json.loads(p.stdout)
    except ValueError as e:
        return [f"stdout is not JSON: {e}"]
    return check(report, expected, info) + validate_schema(report)


def recipe_files(name):
    """(recipe, expected) paths of a golden case."""
    if name == "demo":
        return (os.path.join(ROOT, "demo", "recipe.json"),
                os.path.join(ROOT, "demo", "expected.json"))
    return os.path.join(RECIPES, name + ".json"), os.path.join(RECIPES, name + ".expected.json")


def main(argv):
    customs = os.environ.get("CUSTOMS")
    names = argv or sorted(f[:-len(".expected.json")] for f in os.listdir(RECIPES)
                           if f.endswith(".expected.json")) + ["demo"]
    cases = [(n, c) for n in names for c in CASES]
    print(f"1..{len(cases)}")
    if not customs:
        for i, (n, c) in enumerate(cases, 1):
            print(f"not ok {i} - {n}/{c[0]} # CUSTOMS is not set")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="customs-golden.") as tmp:
        for i, (name, (fmt, out_name, spec, platform)) in enumerate(cases, 1):
            recipe, expected_path = recipe_files(name)
            with open(expected_path) as f:
                expected = json.load(f)
            d = os.path.join(tmp, name)
            os.makedirs(d, exist_ok=True)
            label = f"{name}/{fmt}" + (f" --platform {platform}" if platform else "")
            try:
                problems = run_case(customs, recipe, expected, fmt, out_name, spec, platform, d)
            except (OSError, subprocess.SubprocessError, SystemExit) as e:
                problems = [f"could not run: {e}"]
            print(f"{'not ok' if problems else 'ok'} {i} - {label}")
            for line in problems:
                print(f"#   {line}")
            failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
