#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The layer cache (TAP): what reading a layer produced, kept by the layer's digests, the
rules and the options, so that a re-scan reads no layer it has seen.

- identity: the JSON report of a scan that fills the cache, and of one served from it, are
  byte for byte the report of a scan with --no-cache, on every test image (each recipe of
  tests/data/recipes and the demo, as docker-archive, OCI directory and OCI tar) and on the
  bench images under build/bench-images when they exist (a skip otherwise);
- a warm scan reads no layer: it succeeds, with the same report, once the layer blobs are
  deleted from the layout; --no-cache then fails (it reads them);
- an image sharing its base layers with a scanned one reads only its new layers (the shared
  blobs deleted, the new one present: the same report as uncached, one entry added);
- damaged entries are ignored with a warning and the layer read (the report unchanged): a byte
  flipped, a truncated file, a file over the size limit (sparse), a symlink to another entry,
  an entry whose checksum is right but whose content is another layer's, a directory that is a
  symlink or not private; the entry is written anew, so the next scan is warm again;
- two scans at once into an empty cache give the reference report, and so does the next;
- secrets shown with --show-secrets are never written to the cache;
- the image config's secrets are kept too (one entry by the config's digest), so a scan served
  whole from the cache loads no compiled secret rules (junk planted in their cache file is left
  as it is; a scan that scans the config replaces it); a damaged config entry is a warning.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT, CUSTOMS_BUILD_ROOT."""
import glob
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402
import mkimage  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("CUSTOMS_BUILD_ROOT") or os.path.join(ROOT, "build")
SCAN = ["scan", "-q", "--scanners", "package,secret,malware,config", "--format", "json"]
TOKEN = "aws_access_key_id = AKIAQX7ZV5MB2LRTW4KE"


def run(args, cache=None, env=None):
    extra = ["--no-cache"] if cache is None else ["--cache-dir", cache]
    p = subprocess.run([CUSTOMS, *SCAN[:1], *extra, *SCAN[1:], *args], capture_output=True,
                       env=env)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def start(args, cache):
    return subprocess.Popen([CUSTOMS, "scan", "--cache-dir", cache, *SCAN[1:], *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def entries(cache, magic=b"customs-layer\0\0\1"):
    """The cache's entries of layers (or of image configs: magic b"customs-config\\0\\1")."""
    return sorted(f for f in glob.glob(os.path.join(cache, "layers", "layer-*"))
                  if open(f, "rb").read(16) == magic)


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"first difference at byte {i}: {a[max(0, i - 80):i + 80]!r} vs " \
                   f"{b[max(0, i - 80):i + 80]!r}"
    return f"lengths {len(a)} and {len(b)}"


def identical(name, target, cache):
    """--no-cache, a cold scan filling `cache` and a warm one: one report."""
    rc0, ref, err0 = run([target])
    if not ok(rc0 == 0, f"{name}: scanned without the cache", err0[-800:]):
        return None
    rc1, cold, err1 = run([target], cache)
    n = len(entries(cache))
    rc2, warm, err2 = run([target], cache)
    ok(rc1 == 0 and cold == ref, f"{name}: the scan filling the cache reports the same bytes",
       err1[-800:] if rc1 else first_diff(ref, cold))
    ok(rc2 == 0 and warm == ref and n > 0,
       f"{name}: the scan served from the cache ({n} entries) reports the same bytes",
       err2[-800:] if rc2 else first_diff(ref, warm))
    ok("warning" not in err1 + err2, f"{name}: no warning", err1 + err2)
    return ref


def recipes(work):
    cache = os.path.join(work, "cache-recipes")
    paths = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "recipes", "*.json")))
    paths = [p for p in paths if not p.endswith(".expected.json")]
    paths.append(os.path.join(ROOT, "demo", "recipe.json"))
    for rp in paths:
        name = os.path.basename(os.path.dirname(rp)) if rp.endswith("recipe.json") else \
            os.path.basename(rp)[:-5]
        for fmt, out in (("docker-archive", "image.tar"), ("oci-dir", "layout"),
                         ("oci-tar", "layout.tar")):
            target = os.path.join(work, f"{name}-{fmt}-{out}")
            try:
                mkimage.build(rp, fmt, target)
            except (Exception, SystemExit) as e:  # noqa: BLE001
                ok(False, f"{name} ({fmt}): built", repr(e))
                continue
            identical(f"{name} ({fmt})", target, cache)


def layer_blobs(layout):
    """The layer blob paths of an OCI layout directory (its one manifest)."""
    index = json.load(open(os.path.join(layout, "index.json")))
    out = []
    for m in index["manifests"]:
        algo, hexd = m["digest"].split(":")
        man = json.load(open(os.path.join(layout, "blobs", algo, hexd)))
        if "layers" not in man:
            continue
        for l in man["layers"]:
            a, h = l["digest"].split(":")
            out.append(os.path.join(layout, "blobs", a, h))
    return out


def link_layout(src, dst):
    """A copy of an OCI layout whose blobs are hard links (copies across filesystems)."""
    for dirpath, _, files in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for f in files:
            s, d = os.path.join(dirpath, f), os.path.join(dst, rel, f)
            try:
                os.link(s, d)
            except OSError:
                shutil.copy2(s, d)


def no_layer_read(name, target, layout, cache, ref):
    for b in layer_blobs(layout):
        os.unlink(b)
    rc, warm, err = run([target], cache)
    ok(rc == 0 and warm == ref, f"{name}: a warm scan reads no layer (blobs deleted, same "
       "report)", err[-800:] if rc else first_diff(ref, warm))
    rc, _, err = run([target])
    ok(rc != 0, f"{name}: --no-cache reads the layers (they are gone: it fails)", err[-300:])


def bench_images(work):
    base = os.path.join(BUILD, "bench-images", "oci")
    found = sorted(glob.glob(os.path.join(base, "*")))
    if not found:
        print(f"ok {TAP.n + 1} # SKIP no bench images at {base} (scripts/bench-images.sh)")
        TAP.n += 1
        return
    for src in found:
        name = "bench " + os.path.basename(src)
        layout = os.path.join(work, "bench-" + os.path.basename(src))
        cache = os.path.join(work, "cache-" + os.path.basename(src))
        link_layout(src, layout)
        target = "oci:" + layout
        # the scan filling the cache reads every layer: it stands for the uncached one here
        # (--no-cache against the cache's own writes is checked on the recipes), which keeps
        # the 1.34 GB image at two reads
        rc1, cold, err1 = run([target], cache)
        if not ok(rc1 == 0, f"{name}: scanned, filling the cache", err1[-800:]):
            continue
        rc2, warm, err2 = run([target], cache)
        ok(rc2 == 0 and warm == cold, f"{name}: the warm scan reports the same bytes",
           err2[-800:] if rc2 else first_diff(cold, warm))
        no_layer_read(name, target, layout, cache, cold)
        shutil.rmtree(layout)
        shutil.rmtree(cache)


RECIPE_BASE = {"repo_tag": "customs-test/cache:latest",
               "config": {"os": "linux", "architecture": "amd64"}}
OS_LAYER = {"compression": "gzip", "created_by": "base",
            "entries": [{"path": "etc/os-release", "content": ["ID=debian", 'VERSION_ID="12"']},
                        {"path": "var/lib/dpkg/status",
                         "content": ["Package: base", "Status: install ok installed",
                                     "Architecture: amd64", "Version: 1.0", ""]}]}
APP_A = {"compression": "gzip", "created_by": "app a",
         "entries": [{"path": "etc/app.conf", "content": [TOKEN]},
                     {"path": "var/lib/dpkg/status", "type": "whiteout"}]}
APP_B = {"compression": "zstd", "created_by": "app b",
         "entries": [{"path": "srv/b/package.json",
                      "content": ['{"name": "b", "version": "2.0.0"}']},
                     {"path": "srv/b/node_modules/left-pad/package.json",
                      "content": ['{"name": "left-pad", "version": "1.3.0"}']}]}


def recipe_image(work, name, layers, fmt="oci-dir", config=None):
    rp = os.path.join(work, name + ".json")
    with open(rp, "w") as f:
        json.dump(dict(RECIPE_BASE, layers=layers, **({"config": config} if config else {})), f)
    out = os.path.join(work, name)
    info = mkimage.build(rp, fmt, out)
    return out, info


def shared_base(work):
    cache = os.path.join(work, "cache-shared")
    a, _ = recipe_image(work, "img-a", [OS_LAYER, APP_A])
    b, _ = recipe_image(work, "img-b", [OS_LAYER, APP_B])
    rc, ref_b, err = run([b])
    if not ok(rc == 0, "image B scanned without the cache", err[-800:]):
        return
    rc, _, err = run([a], cache)
    before = entries(cache)
    ok(rc == 0 and len(before) == 2, "image A scanned into the cache (2 layers)", err[-800:])
    blobs = layer_blobs(b)
    os.unlink(blobs[0])  # the base layer: only in the cache now
    rc, got, err = run([b], cache)
    after = entries(cache)
    ok(rc == 0 and got == ref_b, "image B, sharing A's base layer (its blob deleted), reports "
       "what it reports uncached", err[-800:] if rc else first_diff(ref_b, got))
    ok(len(after) == 3 and set(before) <= set(after),
       "B's new layer was read and added; the base layer was not read again",
       f"{len(before)} -> {len(after)} entries")


def rewrite(path, payload_of):
    """Re-seal an entry: a new payload under the same key, with a correct checksum."""
    data = open(path, "rb").read()
    magic, key = data[:16], data[16:80]
    payload = payload_of(data[160:])
    hdr = magic + key + hashlib.sha256(payload).hexdigest().encode() + \
        f"{len(payload):016x}".encode()
    with open(path, "wb") as f:
        f.write(hdr + payload)


def damaged(work):
    cache = os.path.join(work, "cache-damaged")
    img, _ = recipe_image(work, "img-damaged", [OS_LAYER, APP_A, APP_B])
    rc, ref, err = run([img])
    if not ok(rc == 0, "reference scanned", err[-800:]):
        return
    run([img], cache)
    files = entries(cache)
    if not ok(len(files) == 3, "three entries written", str(files)):
        return
    saved = {f: open(f, "rb").read() for f in files}

    def restore():
        for f, d in saved.items():
            if os.path.islink(f) or os.path.exists(f):
                os.unlink(f)
            with open(f, "wb") as fh:
                fh.write(d)
            os.chmod(f, 0o600)

    def flip(f):
        d = bytearray(saved[f])
        d[len(d) // 2 + 80] ^= 0x40
        open(f, "wb").write(bytes(d))

    def truncate(f):
        open(f, "wb").write(saved[f][:len(saved[f]) - 7])

    def header_only(f):
        open(f, "wb").write(saved[f][:100])

    def oversized(f):
        with open(f, "r+b") as fh:
            fh.truncate(600 << 20)  # sparse

    def symlinked(f):
        other = [g for g in files if g != f][0]
        os.unlink(f)
        os.symlink(other, f)

    def swapped(f):
        other = [g for g in files if g != f][0]
        rewrite(f, lambda _: saved[other][160:])

    def bad_index(f):
        # a valid seal over a payload whose last byte (malware count or a field) is wrong
        rewrite(f, lambda p: p + b"\x07")

    def bad_magic(f):
        open(f, "wb").write(b"customs-layer\0\0\x09" + saved[f][16:])

    for what, how in (("a flipped byte", flip), ("a truncated entry", truncate),
                      ("a header without payload", header_only), ("an entry over 512 MiB", oversized),
                      ("a symlink to another entry", symlinked),
                      ("another layer's entry, sealed right", swapped),
                      ("bytes after the end, sealed right", bad_index),
                      ("another format version", bad_magic)):
        for f in files:
            restore()
            how(f)
            rc, got, err = run([img], cache)
            ok(rc == 0 and got == ref and "warning: layer cache entry" in err,
               f"{what} ({os.path.basename(f)[:14]}...): ignored with a warning, the same report",
               err[-800:] if rc or got == ref else first_diff(ref, got))
            st = os.lstat(f)
            if not stat.S_ISREG(st.st_mode) or st.st_size != len(saved[f]):
                ok(False, f"{what}: the entry is written anew", f"size {st.st_size}")
                continue
            rc, got, err = run([img], cache)
            ok(rc == 0 and got == ref and "warning" not in err,
               f"{what}: the next scan is served cleanly", err[-600:])
    restore()
    # the directory: a symlink, or open to others
    real = os.path.join(work, "cache-real")
    os.makedirs(real)
    os.symlink(os.path.join(real), os.path.join(real, "layers"))
    rc, got, err = run([img], real)
    ok(rc == 0 and got == ref and "not used" in err and not entries(real),
       "a cache directory that is a symlink is not used (a warning, the same report)",
       err[-600:])
    os.unlink(os.path.join(real, "layers"))
    os.makedirs(os.path.join(real, "layers"), mode=0o755)
    os.chmod(os.path.join(real, "layers"), 0o755)
    rc, got, err = run([img], real)
    ok(rc == 0 and got == ref and "not used" in err and not entries(real),
       "a cache directory open to others is not used (a warning, the same report)", err[-600:])
    # --no-cache neither reads nor writes
    fresh = os.path.join(work, "cache-fresh")
    p = subprocess.run([CUSTOMS, "scan", "--no-cache", "--cache-dir", fresh, *SCAN[1:], img],
                       capture_output=True)
    ok(p.returncode == 0 and p.stdout == ref and not entries(fresh),
       "--no-cache writes no layer entry", p.stderr.decode()[-400:])


def concurrent(work):
    img, _ = recipe_image(work, "img-conc", [OS_LAYER, APP_A, APP_B])
    rc, ref, err = run([img])
    if not ok(rc == 0, "reference scanned", err[-800:]):
        return
    for round_ in range(3):
        cache = os.path.join(work, f"cache-conc{round_}")
        procs = [start([img], cache) for _ in range(3)]
        outs = [p.communicate() for p in procs]
        good = all(p.returncode == 0 and o[0] == ref for p, o in zip(procs, outs))
        ok(good, f"three scans at once into an empty cache (round {round_ + 1}): the reference "
           "report each", "\n".join(o[1].decode()[-300:] for o in outs))
        rc, got, err = run([img], cache)
        ok(rc == 0 and got == ref and "warning" not in err and len(entries(cache)) == 3,
           f"round {round_ + 1}: the next scan is served from the cache, unchanged", err[-400:])
        leftovers = [f for f in os.listdir(os.path.join(cache, "layers")) if f.endswith(".tmp")]
        ok(not leftovers, f"round {round_ + 1}: no temporary file left", str(leftovers))


def shown_secrets(work):
    cache = os.path.join(work, "cache-shown")
    img, _ = recipe_image(work, "img-shown", [OS_LAYER, APP_A, APP_B])
    args = ["--show-secrets", img]
    rc, ref, err = run(args)
    if not ok(rc == 0 and TOKEN.split()[-1].encode() in ref, "--show-secrets reports the "
              "secret", err[-600:]):
        return
    rc1, cold, _ = run(args, cache)
    rc2, warm, _ = run(args, cache)
    ok(rc1 == 0 and rc2 == 0 and cold == ref and warm == ref,
       "--show-secrets: the same report cold and warm", first_diff(ref, warm))
    leaked = [f for f in entries(cache) if TOKEN.split()[-1].encode() in open(f, "rb").read()]
    ok(not leaked, "the secret's value is in no cache entry", str(leaked))
    rc, red, _ = run([img], cache)
    ok(rc == 0 and TOKEN.split()[-1].encode() not in red,
       "a scan without --show-secrets after one with it shows no secret")


def config_secrets(work):
    cache = os.path.join(work, "cache-config")
    key = TOKEN.split()[-1]
    config = dict(RECIPE_BASE["config"], Env=["PATH=/usr/bin", "AWS_ACCESS_KEY_ID=" + key],
                  Labels={"deploy.key": key})
    img, _ = recipe_image(work, "img-config", [OS_LAYER, APP_A, APP_B], config=config)
    rc, ref, err = run([img])
    found = json.loads(ref).get("secrets", []) if rc == 0 else []
    where = sorted({f.get("location") for f in found if isinstance(f, dict)})
    if not ok(rc == 0 and "env" in where and "label" in where,
              "the image config's Env and Labels secrets are reported", f"{where} {err[-600:]}"):
        return
    rc1, cold, err1 = run([img], cache)
    kept = entries(cache, b"customs-config\0\1")
    ok(rc1 == 0 and cold == ref and len(kept) == 1,
       "the config's secrets are kept in the layer cache (one entry)", f"{len(kept)} {err1[-400:]}")
    # The compiled secret rules, replaced by junk: a scan that loads them finds the junk, compiles
    # them again and rewrites the file; a scan that needs no secret scanner leaves it alone.
    dbs = glob.glob(os.path.join(cache, "secrets", "secrets-*.hsdb"))
    for f in dbs:
        with open(f, "wb") as h:
            h.write(b"not a database")
    rc2, warm, err2 = run([img], cache)
    ok(rc2 == 0 and warm == ref, "served from the cache, config included: the same report",
       err2[-600:] if rc2 else first_diff(ref, warm))
    ok(dbs and all(open(f, "rb").read() == b"not a database" for f in dbs),
       "a scan served whole from the cache never loads the compiled secret rules", str(dbs))
    if not kept:
        return
    # a damaged config entry: a warning, the config scanned again (the rules loaded), the same report
    with open(kept[0], "r+b") as h:
        h.seek(-3, os.SEEK_END)
        h.write(b"\xff")
    rc3, again, err3 = run([img], cache)
    ok(rc3 == 0 and again == ref and "image config" in err3 and "ignored" in err3,
       "a damaged config entry: a warning and the same report", err3[-600:])
    ok(all(open(f, "rb").read() != b"not a database" for f in dbs),
       "the scan that scanned the config loaded the rules (the junk replaced)")
    rc4, warm, err4 = run([img], cache)
    ok(rc4 == 0 and warm == ref and "warning" not in err4,
       "the config entry written anew serves the next scan", err4[-600:])


def main():
    with tempfile.TemporaryDirectory(prefix="customs-layercache.", dir=BUILD
                                     if os.path.isdir(BUILD) else None) as work:
        recipes(work)
        shared_base(work)
        damaged(work)
        concurrent(work)
        shown_secrets(work)
        config_secrets(work)
        bench_images(work)
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
