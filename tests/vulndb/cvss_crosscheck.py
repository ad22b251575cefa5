#!/usr/bin/env python3
"""CVSS scores (TAP): every CVSS vector found anywhere in ../shared/corpus (NVD records, OSV
and the other advisory files, zips included), every base vector of CVSS 2.0, 3.0 and 3.1, every
CVSS 4.0 base vector, and a fixed pseudo-random sample of 4.0 vectors with threat and
environmental metrics, scored by customs (tests/vulndb/cvss_score.c) and by the independent npm
calculator ae-cvss-calculator, installed into the git-ignored .cache/node of the source tree.
0 differences are allowed. Skips when npm or the registry is unreachable."""
import itertools
import os
import random
import re
import subprocess
import sys
import zipfile

SOURCE = os.environ.get("CUSTOMS_SOURCE_ROOT", ".")
SCORER = os.environ.get("CVSS_SCORE", "build/tests/vulndb/cvss_score")
CORPUS = os.path.join(SOURCE, "..", "shared", "corpus")
NODE_DIR = os.path.join(SOURCE, ".cache", "node")
CALCULATOR = "ae-cvss-calculator@1.0.13"

VECTOR = re.compile(r"CVSS:[0-9.]+/[A-Za-z:/]+|AV:[A-Z]/AC:[A-Z]/Au:[A-Z]/C:[A-Z]/I:[A-Z]/A:[A-Z][A-Za-z:/]*")

REFERENCE_JS = r"""
const c = require(process.argv[2]);
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
const out = [];
for (const v of lines) {
  let s = null;
  try { const x = c.fromVector(v); if (x) s = x.calculateScores().base; } catch (e) { s = null; }
  out.push(v + '\t' + (s === null || s === undefined ? 'error' : s.toFixed(1)));
}
process.stdout.write(out.join('\n') + '\n');
"""


def corpus_vectors():
    found = {}

    def scan(text, origin):
        for v in VECTOR.findall(text):
            found.setdefault(v.rstrip("/"), origin)
    for d, _, files in os.walk(CORPUS):
        for f in sorted(files):
            p = os.path.join(d, f)
            if f.endswith(".zip"):
                with zipfile.ZipFile(p) as z:
                    for n in z.namelist():
                        scan(z.read(n).decode("utf-8", "replace"), p)
            elif f.endswith((".json", ".jsonl", ".yaml", ".md", ".tsv")):
                with open(p, encoding="utf-8", errors="replace") as fh:
                    scan(fh.read(), p)
    return found


def space(prefix, metrics):
    names = [m for m, _ in metrics]
    for combo in itertools.product(*[vals for _, vals in metrics]):
        yield prefix + "/".join(f"{n}:{v}" for n, v in zip(names, combo))


V2 = [("AV", "LAN"), ("AC", "HML"), ("Au", "MSN"), ("C", "NPC"), ("I", "NPC"), ("A", "NPC")]
V3 = [("AV", "NALP"), ("AC", "LH"), ("PR", "NLH"), ("UI", "NR"), ("S", "UC"), ("C", "HLN"),
      ("I", "HLN"), ("A", "HLN")]
V4 = [("AV", "NALP"), ("AC", "LH"), ("AT", "NP"), ("PR", "NLH"), ("UI", "NPA"), ("VC", "HLN"),
      ("VI", "HLN"), ("VA", "HLN"), ("SC", "HLN"), ("SI", "HLN"), ("SA", "HLN")]
V4_MORE = [("E", "XAPU"), ("CR", "XHML"), ("IR", "XHML"), ("AR", "XHML"), ("MAV", "XNALP"),
           ("MAC", "XLH"), ("MAT", "XNP"), ("MPR", "XNLH"), ("MUI", "XNPA"), ("MVC", "XHLN"),
           ("MVI", "XHLN"), ("MVA", "XHLN"), ("MSC", "XHLN"), ("MSI", "XSHLN"), ("MSA", "XSHLN")]


def sampled_v4(n):
    rng = random.Random(13)
    for _ in range(n):
        parts = [f"{m}:{rng.choice(vals)}" for m, vals in V4 + V4_MORE]
        yield "CVSS:4.0/" + "/".join(parts)


def run(cmd, text):
    return subprocess.run(cmd, input=text, capture_output=True, text=True, check=True).stdout


def main():
    if not os.path.isdir(CORPUS):
        print(f"1..0 # SKIP {CORPUS} is absent")
        return 0
    calc = os.path.join(NODE_DIR, "node_modules", "ae-cvss-calculator")
    if not os.path.isdir(calc):
        os.makedirs(NODE_DIR, exist_ok=True)
        try:
            r = subprocess.run(["npm", "install", "--prefix", NODE_DIR, CALCULATOR, "--no-audit",
                                "--no-fund", "--ignore-scripts", "--loglevel=error"],
                               capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"1..0 # SKIP npm: {e}")
            return 0
        if r.returncode != 0:
            print(f"1..0 # SKIP npm install {CALCULATOR} failed: {r.stderr.strip()[:200]}")
            return 0
    js = os.path.join(NODE_DIR, "reference.js")
    with open(js, "w") as f:
        f.write(REFERENCE_JS)

    corpus = corpus_vectors()
    sets = [
        ("corpus", sorted(corpus)),
        ("all CVSS 2.0 base vectors", list(space("", V2))),
        ("all CVSS 3.0 base vectors", list(space("CVSS:3.0/", V3))),
        ("all CVSS 3.1 base vectors", list(space("CVSS:3.1/", V3))),
        ("all CVSS 4.0 base vectors", list(space("CVSS:4.0/", V4))),
        ("CVSS 4.0 vectors with threat and environmental metrics", list(sampled_v4(20000))),
    ]
    print(f"1..{len(sets) + 1}")
    n = 0
    for name, vectors in sets:
        n += 1
        text = "\n".join(vectors) + "\n"
        ours = {}
        versions = {}
        for line in run([SCORER], text).splitlines():
            v, version, score = line.split("\t", 2)
            ours[v] = "error" if version == "error" else score
            versions[version] = versions.get(version, 0) + 1
        theirs = dict(line.split("\t") for line in run(["node", js, calc], text).splitlines())
        diffs = [v for v in vectors if ours.get(v) != theirs.get(v)]
        counts = ", ".join(f"{k} {versions[k]}" for k in sorted(versions))
        for v in diffs[:10]:
            print(f"# {v}: customs {ours.get(v)}, ae-cvss-calculator {theirs.get(v)}"
                  + (f" (from {corpus[v]})" if v in corpus else ""))
        for v in vectors:
            if v in corpus and ours.get(v) == "error":
                print(f"# refused by both: {v} (from {os.path.relpath(corpus[v], SOURCE)})")
        ok = "ok" if not diffs else "not ok"
        print(f"{ok} {n} - {name}: {len(vectors)} vectors ({counts}), {len(diffs)} differences")
    # the corpus must hold every version, so that the comparison above covered them all
    n += 1
    have = {("2.0" if not v.startswith("CVSS:") else v[5:8]) for v in corpus}
    missing = {"2.0", "3.0", "3.1", "4.0"} - have
    print(f"{'ok' if not missing else 'not ok'} {n} - corpus vectors of every version"
          + (f" (missing {sorted(missing)})" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
