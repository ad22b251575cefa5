#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Layouts and archives holding several images (TAP).

Built with tests/support/mkimage.py (--merge): an OCI layout (directory and tar) and a `docker save`
archive holding the debian-like and alpine-like images. Without a selector customs never reads
"the first one": it lists the images with the selector that names each and exits 2.
`oci:PATH:REF` (ref name or digest, of the index.json entry or of a platform's manifest),
`oci:PATH:@N`, `docker-archive:PATH:REPO:TAG` (Docker's name expansion) and
`docker-archive:PATH:@N` (from 0, as containers-transports(5)) each read the image named, for
sbom and scan; a wrong selector is refused naming the images there; a path containing ':' is a
path when it exists. A multi-platform index is one image (--platform picks in it, also beside
another image); the same image under two tags is one image; cosign's artifacts are none. A
second manifest.json member is refused naming it. --all-images scans each image: one
customs.images/v1 JSON document (valid against docs/report.schema.json), a table section and a
SARIF run per image, the worst exit code; CycloneDX and SPDX are refused. Environment: CUSTOMS, CUSTOMS_SOURCE_ROOT."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
RECIPES = os.path.join(ROOT, "tests", "data", "recipes")
MKIMAGE = os.path.join(ROOT, "tests", "support", "mkimage.py")


def mkimage(*args):
    subprocess.run([sys.executable, MKIMAGE, *args], check=True, stdout=subprocess.DEVNULL)


def run(*args):
    p = subprocess.run([CUSTOMS, *args], capture_output=True)
    p.err = p.stderr.decode(errors="replace")
    return p


def sbom(target, *extra):
    """(exit code, os id or None, stderr)"""
    p = run("sbom", "-q", "--format", "json", *extra, target)
    os_id = json.loads(p.stdout)["os"]["id"] if p.returncode == 0 else None
    return p.returncode, os_id, p.err


def platform(target, *extra):
    p = run("sbom", "-q", "--format", "json", *extra, target)
    return json.loads(p.stdout)["target"]["platform"] if p.returncode == 0 else p.err


def index_digest(layout, name):
    with open(os.path.join(layout, "index.json")) as f:
        for m in json.load(f)["manifests"]:
            if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == name:
                return m["digest"]
    raise SystemExit(f"no {name} in {layout}")


def main():
    print("1..33")
    with tempfile.TemporaryDirectory() as w:
        def build(recipe, fmt, out, *extra):
            path = os.path.join(w, out)
            mkimage(os.path.join(RECIPES, recipe + ".json"), "--format", fmt, "--out", path, *extra)
            return path

        deb = {f: build("debian-like", f, "deb-" + f + (".tar" if f != "oci-dir" else ""))
               for f in ("oci-dir", "oci-tar", "docker-archive")}
        alp = {f: build("alpine-like", f, "alp-" + f + (".tar" if f != "oci-dir" else ""))
               for f in ("oci-dir", "oci-tar", "docker-archive")}
        two = {}
        for f in deb:
            two[f] = os.path.join(w, "two-" + f + (".tar" if f != "oci-dir" else ""))
            mkimage("--merge", two[f], deb[f], alp[f])

        # ---- no selector: a list and exit 2
        for f, kind in (("oci-dir", "oci"), ("oci-tar", "oci"), ("docker-archive",
                                                                  "docker-archive")):
            rc, os_id, err = sbom(two[f])
            names = ("latest", "3.19") if kind == "oci" else (
                "customs-test/debian-like:latest", "customs-test/alpine-like:3.19")
            ok(rc == 2 and "holds 2 images" in err and
               all(f"{kind}:{two[f]}:{n}" in err for n in names) and os_id is None,
               f"{f} of two images, no selector: both listed with their selectors, exit 2", err)
        p = run("scan", "-q", "--format", "json", "--scanners", "package", two["oci-dir"])
        ok(p.returncode == 2 and "holds 2 images" in p.err and not p.stdout,
           "scan refuses the same way (no report)", p.err)

        # ---- selectors
        for f in ("oci-dir", "oci-tar"):
            got = (sbom(f"oci:{two[f]}:latest")[1], sbom(f"oci:{two[f]}:3.19")[1])
            ok(got == ("debian", "alpine"), f"oci:PATH:REF picks by ref name ({f})", got)
        dd = index_digest(two["oci-dir"], "3.19")
        rc, os_id, err = sbom(f"oci:{two['oci-dir']}:{dd}")
        ok(rc == 0 and os_id == "alpine", "oci:PATH:sha256:... picks by digest", err)
        got = (sbom(f"oci:{two['oci-dir']}:@0")[1], sbom(f"oci:{two['oci-dir']}:@1")[1])
        ok(got == ("debian", "alpine"), "oci:PATH:@N picks index.json's N-th entry", got)
        da = two["docker-archive"]
        got = (sbom(f"docker-archive:{da}:customs-test/alpine-like:3.19")[1],
               sbom(f"docker-archive:{da}:docker.io/customs-test/debian-like")[1])
        ok(got == ("alpine", "debian"),
           "docker-archive:PATH:REPO:TAG picks by tag (docker.io/…, :latest implied)", got)
        got = (sbom(f"docker-archive:{da}:@0")[1], sbom(f"docker-archive:{da}:@1")[1])
        ok(got == ("debian", "alpine"), "docker-archive:PATH:@N picks the N-th image, from 0",
           got)
        p = run("scan", "-q", "--format", "json", "--scanners", "package,secret,config",
                f"docker-archive:{da}:@1")
        d = json.loads(p.stdout) if p.returncode == 0 else {}
        ok(d.get("os", {}).get("id") == "alpine" and
           d.get("target", {}).get("name") == f"docker-archive:{da}:@1",
           "scan takes a selector too; the report names the target as given", p.err)

        # ---- wrong selectors name what is there
        rc, _, err = sbom(f"oci:{two['oci-dir']}:nope")
        ok(rc == 2 and "no image named 'nope'" in err and f"oci:{two['oci-dir']}:3.19" in err,
           "a ref name not in the layout: refused, the images listed", err)
        rc, _, err = sbom(f"oci:{two['oci-dir']}:sha256:" + "0" * 64)
        ok(rc == 2 and "no image with digest" in err and f"oci:{two['oci-dir']}:latest" in err,
           "a digest not in the layout: refused, the images listed", err)
        rc, _, err = sbom(f"docker-archive:{da}:@2")
        ok(rc == 2 and "no image at '@2'" in err and f"docker-archive:{da}:@" not in err and
           f"docker-archive:{da}:customs-test/alpine-like:3.19" in err,
           "@N past the end: refused, the images listed", err)
        rc, _, err = sbom(f"docker-archive:{da}:other/name:1")
        ok(rc == 2 and "no image named 'other/name:1'" in err, "a tag not in the archive", err)
        rc, _, err = sbom(f"docker-archive:{da}:@x")
        ok(rc == 2 and "@INDEX" in err, "a malformed @INDEX is a usage error", err)
        rc, _, err = sbom(f"docker-archive:{da}:repo@sha256:" + "0" * 64)
        ok(rc == 2 and "no digest" in err, "docker-archive takes no digest (as skopeo)", err)

        # ---- a path with ':' in it
        colon = os.path.join(w, "a:b")
        shutil.copytree(two["oci-dir"], colon)
        rc, os_id, err = sbom(f"oci:{colon}:3.19")
        rc2, _, err2 = sbom(f"oci:{colon}")
        ok(rc == 0 and os_id == "alpine" and rc2 == 2 and f"oci:{colon}:latest" in err2,
           "a path containing ':' that exists is the path; the selector follows it",
           err + err2)

        # ---- what is one image
        multi = build("minimal", "oci-multi", "multi")
        got = (platform(multi), platform(multi, "--platform", "linux/arm64/v8"))
        ok(got == ("linux/amd64", "linux/arm64/v8"),
           "a multi-platform index is one image (linux/amd64 by default, or --platform)", got)
        mixed = os.path.join(w, "mixed")
        mkimage("--merge", mixed, multi, deb["oci-dir"])
        rc, _, err = sbom(mixed)
        arm = platform(f"oci:{mixed}:{index_digest(multi, 'latest')}", "--platform",
                       "linux/arm64/v8")
        ok(rc == 2 and "holds 2 images" in err and arm == "linux/arm64/v8",
           "a multi-platform image beside another: two images; selected, --platform picks in it",
           f"{err}\n{arm}")
        retag = build("debian-like", "docker-archive", "deb-retag.tar", "--repo-tag",
                      "customs-test/debian-like:again")
        same = os.path.join(w, "same.tar")
        mkimage("--merge", same, deb["docker-archive"], retag)
        rc, os_id, err = sbom(same)
        rc2, _, _ = sbom(f"docker-archive:{same}:customs-test/debian-like:again")
        ok(rc == 0 and os_id == "debian" and rc2 == 0,
           "one image saved under two tags is one image", err)
        signed = os.path.join(w, "signed")
        shutil.copytree(deb["oci-dir"], signed)
        with open(os.path.join(signed, "index.json")) as f:
            idx = json.load(f)
        hexd = idx["manifests"][0]["digest"].split(":")[1]
        art = dict(idx["manifests"][0], annotations={
            "org.opencontainers.image.ref.name": f"sha256-{hexd}.sig"})
        idx["manifests"].append(art)
        with open(os.path.join(signed, "index.json"), "w") as f:
            json.dump(idx, f)
        rc, os_id, err = sbom(signed)
        ok(rc == 0 and os_id == "debian", "a cosign signature beside the image is no image", err)

        # ---- ambiguity is refusal
        dup = os.path.join(w, "dup.tar")
        mkimage("--merge", dup, deb["docker-archive"], alp["docker-archive"], "--dup-manifest")
        rc, _, err = sbom(f"docker-archive:{dup}:@0")
        ok(rc == 2 and "'manifest.json' appears twice" in err,
           "a second manifest.json member is refused, naming it", err)
        twin = os.path.join(w, "twin")
        shutil.copytree(two["oci-dir"], twin)
        with open(os.path.join(twin, "index.json")) as f:
            idx = json.load(f)
        idx["manifests"][1]["annotations"]["org.opencontainers.image.ref.name"] = "latest"
        with open(os.path.join(twin, "index.json"), "w") as f:
            json.dump(idx, f)
        rc, _, err = sbom(f"oci:{twin}:latest")
        ok(rc == 2 and "2 images are named 'latest'" in err and
           f"oci:{twin}:{idx['manifests'][1]['digest']}" in err,
           "two entries of one ref name: refused, each listed by digest", err)

        # ---- --all-images
        leaky_recipe = os.path.join(w, "leaky.json")
        with open(leaky_recipe, "w") as f:
            json.dump({"repo_tag": "customs-test/leaky:1", "layers": [{"entries": [{
                "path": "app/.env", "content": [
                    "AWS_ACCESS_KEY_ID=AKIAQX7ZV5MB2LRTW4KE",
                    "AWS_SECRET_ACCESS_KEY=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"]}]}]}, f)
        leaky = os.path.join(w, "leaky")
        mkimage(leaky_recipe, "--format", "oci-dir", "--out", leaky)
        mix = os.path.join(w, "mix")
        mkimage("--merge", mix, deb["oci-dir"], leaky)
        gate = ["scan", "-q", "--scanners", "package,secret", "--exit-code", "3"]
        each = [run(*gate, "--format", "json", f"oci:{mix}:{n}").returncode
                for n in ("latest", "1")]
        p = run(*gate, "--all-images", "--format", "json", mix)
        d = json.loads(p.stdout) if p.stdout else {}
        imgs = d.get("images", [])
        ok(d.get("schema") == "customs.images/v1" and d.get("source") == f"oci:{mix}" and
           [i["target"]["name"] for i in imgs] == [f"oci:{mix}:latest", f"oci:{mix}:1"] and
           [(i["os"] or {}).get("id") for i in imgs] == ["debian", None] and
           [len(i["secrets"]) for i in imgs] == [0, 2],
           "--all-images json: one customs.images/v1 document, a full report per image, in order",
           p.stdout[:300] + p.stderr[:300])
        ok(each == [0, 3] and p.returncode == 3,
           "--all-images exits with the worst of the images' exit codes", (each, p.returncode))
        try:
            import warnings
            import jsonschema
            warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver, on newer jsonschema
            with open(os.path.join(ROOT, "docs", "report.schema.json")) as f:
                schema = json.load(f)
            v = jsonschema.Draft202012Validator(
                schema["$defs"]["images"], resolver=jsonschema.RefResolver.from_schema(schema))
            errors = [e.message for e in v.iter_errors(d)]
        except (ImportError, KeyError) as e:
            errors = [repr(e)]
        ok(d and not errors, "the document validates against docs/report.schema.json "
           "($defs/images, each image a customs.report/v1)", errors[:5])
        p = run(*gate, "--all-images", "--format", "table", mix)
        out = p.stdout.decode()
        ok(p.returncode == 3 and f"Image 1 of 2: oci:{mix}:latest" in out and
           f"Image 2 of 2: oci:{mix}:1" in out and out.index("Image 2 of 2") > out.index("deb "),
           "--all-images table: one section per image", out[:300])
        p = run(*gate, "--all-images", "--format", "sarif", mix)
        sarif = json.loads(p.stdout) if p.stdout else {}
        runs = sarif.get("runs", [])
        ok(p.returncode == 3 and
           [r.get("automationDetails", {}).get("id") for r in runs] ==
           [f"customs/oci:{mix}:latest/", f"customs/oci:{mix}:1/"] and
           [len(r["results"]) for r in runs] == [0, 2],
           "--all-images sarif: one run per image, told apart by runAutomationDetails.id",
           p.stdout[:300] + p.stderr[:300])
        for fmt in ("cyclonedx", "spdx"):
            p = run(*gate, "--all-images", "--format", fmt, mix)
            ok(p.returncode == 2 and "describes one image" in p.err and not p.stdout,
               f"--all-images --format {fmt}: refused (a document describes one image)", p.err)
        p = run(*gate, "--all-images", "--format", "json", f"oci:{mix}:1")
        ok(p.returncode == 2 and "without a selector" in p.err,
           "--all-images with a selector is a usage error", p.err)
        p = run("sbom", "-q", "--all-images", "--format", "json", deb["docker-archive"])
        d = json.loads(p.stdout) if p.returncode == 0 else {}
        ok(len(d.get("images", [])) == 1 and d["images"][0]["os"]["id"] == "debian",
           "--all-images on an archive of one image: a document of one", p.err)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
