#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Build small container images for customs' tests from a JSON recipe, without a Docker engine.

    mkimage.py RECIPE.json --format FMT --out PATH [--hostile VARIANT] [--info INFO.json]

Formats: docker-archive (`docker save` before Docker 25: manifest.json + <id>/layer.tar),
docker-oci (Docker 25+ `docker save`: an OCI layout plus manifest.json in one tar), oci-dir (OCI
image layout directory), oci-tar (the same layout as a tar), oci-multi (OCI layout whose
index.json points to a nested index of a linux/amd64 and a linux/arm64/v8 image; the arm64 one has
one extra layer so a wrong pick is visible), rootfs (the final filesystem written to a directory,
layers applied as the OCI spec says: the input of `customs sbom dir:PATH`; devices are skipped).

Recipe: {"repo_tag": "...", "config": {"os", "architecture", "Env", "User", "Labels", "Cmd",
"WorkingDir"}, "layers": [{"compression": "gzip"|"zstd"|"none", "created_by": "...",
"dir": "files/relative/to/the/recipe", "entries": [ENTRY...]}]}
ENTRY: {"path": "etc/x", "type": "file"|"dir"|"symlink"|"hardlink"|"whiteout"|"opaque"|"chardev"
|"fifo", "content": "text" or ["line", ...] (lines get "\\n" each), "json": {...} (written
indented), "file": "path relative to the recipe", "mode": "0644", "target": "link target",
"major": 1, "minor": 3}.
A whiteout entry names the hidden path ("app/x" writes "app/.wh.x"); an opaque entry names the
directory ("app/old" writes "app/old/.wh..wh..opq"). Parent directories are added as needed.

Hostile variants (--hostile): bad-digest (a layer blob changed after its digest was taken),
bad-diffid (the config's last diff_id is wrong), gzip-bomb / zstd-bomb (an extra layer of
--bomb-mib MiB of zeros, written in O(1 MiB) memory), many-entries (an extra layer of 100,000
empty files), long-path (an entry path of about 5,100 bytes), symlink-loop (/etc/os-release ->
os-release.d -> ../etc/os-release), dotdot (entries ../../etc/passwd, /tmp/..., app/../../../x),
truncated-gzip (the last layer cut in half, digest taken after the cut), sparse-4g (an extra
layer holding a PAX 1.0 sparse file of 4 GiB with a few KiB of data: a shell line at the start
and an AWS key id near the end; sparse-damaged: the same with its data misplaced), content-junk (an extra layer of hostile content for the secret
and malware scanners: a 24 MiB single line, 8 MiB of random bytes, and long runs of text that
almost matches secret patterns), manifest-not-json
(manifest.json, or index.json for OCI), missing-config, missing-blob (index.json names a blob
that is not there), deep-json (a config nested 100,000 arrays deep).
Host-file variants of an oci-dir (the layout itself is hostile): blob-fifo (the first layer blob
is a FIFO), blob-devzero (it is a symlink to /dev/zero), blob-symlink (it is a symlink to a copy
of itself outside the layout, in OUT.outside/: a symlink that reads a host file), blobs-dir-symlink
(blobs/sha256 is a symlink to a copy outside the layout), index-symlink (index.json is a symlink
to a copy outside).
layers-reuse (the recipe's last layer repeated until the image has --layers layers, all one
blob), index-fanout (OCI formats: index.json -> --depth nested indexes, each naming the one below it
--fanout times, the last naming the image's manifest --fanout times).

Several images in one (`mkimage.py --merge OUT IN...`): the images IN, each built by this tool
in one format (oci-dir, oci-tar, oci-multi or docker-archive), as one layout or archive at OUT:
blobs united, index.json entries or manifest.json entries in the order given (what `skopeo copy`
into one layout under several names, or `docker save A B`, writes). --dup-manifest adds a second
manifest.json member to a merged docker-archive (ambiguous: docker load reads the last).

Everything is deterministic: mtime 0, uid/gid 0, gzip without name or time, entries in recipe
order (dir layers sorted). The info JSON lists what was written (digests, diff_ids) for tests.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {"none": "application/vnd.oci.image.layer.v1.tar",
            "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}
FORMATS = ("docker-archive", "docker-oci", "oci-dir", "oci-tar", "oci-multi", "rootfs")
HOSTILE = ("bad-digest", "bad-diffid", "gzip-bomb", "zstd-bomb", "many-entries", "long-path",
           "symlink-loop", "dotdot", "truncated-gzip", "manifest-not-json", "missing-config",
           "missing-blob", "deep-json", "sparse-4g", "sparse-damaged", "content-junk",
           "blob-fifo", "blob-devzero", "blob-symlink", "blobs-dir-symlink", "index-symlink",
           "index-fanout", "layers-reuse")
HOST_FILE = ("blob-fifo", "blob-devzero", "blob-symlink", "blobs-dir-symlink", "index-symlink")
SPARSE_SIZE = 4 << 30
SPARSE_TOKEN = "aws_access_key_id = AKIAQX7ZV5MB2LRTW4KE\n"
BOMB_MIB = 1024
CHUNK = 1 << 20


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def jbytes(obj):
    return (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode()


# ---------------------------------------------------------------- layer tars

def _info(name, kind, size=0, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.type, ti.size, ti.mode, ti.mtime = kind, size, mode, 0
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


def entry_content(e, base):
    if "json" in e:
        return (json.dumps(e["json"], indent=2) + "\n").encode()
    if "file" in e:
        with open(os.path.join(base, e["file"]), "rb") as f:
            return f.read()
    c = e.get("content", "")
    if isinstance(c, list):
        c = "".join(line + "\n" for line in c)
    return c.encode()


def dir_entries(root):
    """Entries for every file, directory and symlink under `root`, sorted by path."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            path = name if rel == "." else rel + "/" + name
            if os.path.islink(full):
                out.append({"path": path, "type": "symlink", "target": os.readlink(full)})
            elif os.path.isdir(full):
                out.append({"path": path, "type": "dir"})
            else:
                out.append({"path": path, "type": "file", "file": full,
                            "mode": format(os.stat(full).st_mode & 0o755 | 0o644, "o")})
    return out


def layer_tar(layer, base):
    """The uncompressed tar of one recipe layer, as bytes."""
    buf = io.BytesIO()
    entries = []
    if "dir" in layer:
        entries += dir_entries(os.path.join(base, layer["dir"]))
    entries += layer.get("entries", [])
    seen = set()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def parents(path):
            parts = path.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in seen and not d.startswith(".") and "/.." not in "/" + d:
                    seen.add(d)
                    tar.addfile(_info(d, tarfile.DIRTYPE, mode=0o755))

        for e in entries:
            kind, path = e.get("type", "file"), e["path"]
            mode = int(e.get("mode", "0755" if kind == "dir" else "0644"), 8)
            if kind == "whiteout":
                head, _, name = path.rpartition("/")
                path = (head + "/" if head else "") + ".wh." + name
            elif kind == "opaque":
                path = path.rstrip("/") + "/.wh..wh..opq"
            if not e.get("raw"):
                parents(path)
            if kind == "dir":
                if path not in seen:
                    seen.add(path)
                    tar.addfile(_info(path, tarfile.DIRTYPE, mode=mode))
            elif kind in ("file", "whiteout", "opaque"):
                data = entry_content(e, base) if kind == "file" else b""
                tar.addfile(_info(path, tarfile.REGTYPE, len(data), mode), io.BytesIO(data))
            elif kind in ("symlink", "hardlink"):
                ti = _info(path, tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE,
                           mode=0o777 if kind == "symlink" else mode)
                ti.linkname = e["target"]
                tar.addfile(ti)
            elif kind in ("chardev", "fifo"):
                ti = _info(path, tarfile.CHRTYPE if kind == "chardev" else tarfile.FIFOTYPE,
                           mode=mode)
                ti.devmajor, ti.devminor = e.get("major", 0), e.get("minor", 0)
                tar.addfile(ti)
            else:
                raise SystemExit(f"mkimage: {path}: unknown entry type {kind!r}")
    return buf.getvalue()


def compress_to(path, chunks, compression):
    """Write the chunks compressed to `path`; return the sha256 of the uncompressed stream."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        if compression == "zstd":
            p = subprocess.Popen(["zstd", "-q", "-c", "-3", "--no-progress"],
                                 stdin=subprocess.PIPE, stdout=f)
            for c in chunks:
                h.update(c)
                p.stdin.write(c)
            p.stdin.close()
            if p.wait() != 0:
                raise SystemExit("mkimage: zstd failed")
        elif compression == "gzip":
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as g:
                for c in chunks:
                    h.update(c)
                    g.write(c)
        else:
            for c in chunks:
                h.update(c)
                f.write(c)
    return "sha256:" + h.hexdigest()


def bomb_tar_parts(mib):
    """Header, one MiB of zeros (repeated `mib` times by the caller), trailer of a one-file tar."""
    head = _info("zeros", tarfile.REGTYPE, mib * CHUNK).tobuf(tarfile.PAX_FORMAT)
    return head, bytes(CHUNK), bytes(1024)


def bomb_diff_id(mib):
    head, zeros, tail = bomb_tar_parts(mib)
    h = hashlib.sha256(head)
    for _ in range(mib):
        h.update(zeros)
    h.update(tail)
    return "sha256:" + h.hexdigest()


def write_bomb(path, compression, mib):
    """A layer of `mib` MiB of zeros, written without ever holding or compressing it whole:
    gzip: one deflate block of a MiB of zeros after a full flush is repeated (a valid single
    stream); zstd: one frame of a MiB of zeros repeated (concatenated frames are one stream)."""
    head, zeros, tail = bomb_tar_parts(mib)
    with open(path, "wb") as f:
        if compression == "gzip":
            f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            f.write(c.compress(head) + c.flush(zlib.Z_FULL_FLUSH))
            block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
            crc = zlib.crc32(head)
            for _ in range(mib):
                f.write(block)
                crc = zlib.crc32(zeros, crc)
            f.write(c.compress(tail) + c.flush(zlib.Z_FINISH))
            crc = zlib.crc32(tail, crc)
            size = len(head) + mib * CHUNK + len(tail)
            f.write(crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little"))
        else:
            def frame(data):
                return subprocess.run(["zstd", "-q", "-c", "-19"], input=data, check=True,
                                      stdout=subprocess.PIPE).stdout
            f.write(frame(head))
            block = frame(zeros)
            for _ in range(mib):
                f.write(block)
            f.write(frame(tail))


def many_entries_tar(n):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for i in range(n):
            tar.addfile(_info(f"f/{i:06d}", tarfile.REGTYPE))
    return buf.getvalue()


def sparse_tar(damaged=False):
    """One PAX 1.0 sparse entry (GNU.sparse.major 1): the stored data begins with the sparse
    map (count, then offset and size of each data segment, one decimal per line, padded to a
    512-byte block), then the segments; the rest of the file's SPARSE_SIZE bytes are holes."""
    head = b"#!/bin/sh\necho sparse\n"
    tail = SPARSE_TOKEN.encode()
    segs = [(0, head), (SPARSE_SIZE - 4096, tail)]
    smap = f"{len(segs)}\n" + "".join(f"{o}\n{len(d)}\n" for o, d in segs)
    smap = smap.encode()
    smap += bytes(-len(smap) % 512)
    # damaged: each segment padded to a block, as no writer does: the stored size then
    # disagrees with the map and the next header is read from the wrong place
    data = smap + b"".join(d + (bytes(-len(d) % 512) if damaged else b"") for _, d in segs)
    info = _info("GNUSparseFile.0/hole", tarfile.REGTYPE, len(data))
    info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                        "GNU.sparse.name": "srv/hole", "GNU.sparse.realsize": str(SPARSE_SIZE)}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def junk_tar():
    """Hostile content, deterministic: what a scanner must get through in bounded time and
    memory without a finding."""
    import random
    rnd = random.Random(4)
    files = {
        "junk/one-line": b"x=" + b"ab" * (12 << 20),
        "junk/random.bin": rnd.randbytes(8 << 20),
        # prefixes of real key formats, each one character short or with a wrong character
        "junk/almost": b"".join(
            b"AKIA%s ghp_%s xoxb-%s sk_live_%s password=%s eyJhbGciOi%s\n" % (
                bytes(rnd.choice(b"ABCDEFGHIJ") for _ in range(15)),
                bytes(rnd.choice(b"abcdef") for _ in range(20)),
                b"1" * 9, b"a" * 10, b"${PASS}", b"." * 5) for _ in range(60000)),
        "junk/begin-keys": b"-----BEGIN RSA PRIVATE KEY-----\n" * 200000,
        "junk/nul-lines": b"\0\n" * (2 << 20),
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            tar.addfile(_info(name, tarfile.REGTYPE, len(data)), io.BytesIO(data))
    return buf.getvalue()


# ---------------------------------------------------------------- the image

HOSTILE_LAYERS = {
    "long-path": [{"path": "deep/" + "d" * 250 + "/" + "/".join(["x" * 200] * 24) + "/file",
                   "content": "long"}],
    "symlink-loop": [
        {"path": "etc/os-release", "type": "symlink", "target": "os-release.d"},
        {"path": "etc/os-release.d", "type": "symlink", "target": "../etc/os-release"}],
    "dotdot": [{"path": "../../etc/passwd", "content": "pwned:x:0:0::/:/bin/sh", "raw": True},
               {"path": "../../customs-dotdot-escape", "content": "escaped", "raw": True},
               {"path": "/tmp/customs-absolute-escape", "content": "escaped", "raw": True},
               {"path": "app/../../../customs-dotdot-inner", "content": "escaped", "raw": True}],
}


def build_layers(recipe, base, stage, hostile, extra_layers=(), bomb_mib=BOMB_MIB, nlayers=0):
    """Write every layer blob into `stage`; return a list of layer dicts."""
    layers = []
    specs = list(recipe["layers"]) + list(extra_layers)
    if hostile in HOSTILE_LAYERS:
        specs.append({"compression": "gzip", "created_by": hostile,
                      "entries": HOSTILE_LAYERS[hostile]})
    for i, spec in enumerate(specs):
        comp = spec.get("compression", "gzip")
        tmp = os.path.join(stage, f"layer{i}")
        diff_id = compress_to(tmp, [layer_tar(spec, base)], comp)
        layers.append({"path": tmp, "compression": comp, "diff_id": diff_id,
                       "created_by": spec.get("created_by", f"layer {i}")})
    if hostile in ("gzip-bomb", "zstd-bomb"):
        comp = hostile.split("-")[0]
        tmp = os.path.join(stage, "bomb")
        write_bomb(tmp, comp, bomb_mib)
        layers.append({"path": tmp, "compression": comp, "diff_id": bomb_diff_id(bomb_mib),
                       "created_by": hostile})
    elif hostile in ("many-entries", "sparse-4g", "sparse-damaged", "content-junk"):
        tmp = os.path.join(stage, hostile)
        data = {"many-entries": lambda: many_entries_tar(100000), "sparse-4g": sparse_tar,
                "sparse-damaged": lambda: sparse_tar(damaged=True),
                "content-junk": junk_tar}[hostile]()
        diff_id = compress_to(tmp, [data], "gzip")
        layers.append({"path": tmp, "compression": "gzip", "diff_id": diff_id,
                       "created_by": hostile})
    elif hostile == "truncated-gzip":
        whole = layers[-1]["path"]
        with open(whole, "rb") as f:
            data = f.read()
        with open(whole, "wb") as f:
            f.write(data[:len(data) // 2])
    if hostile == "layers-reuse":
        layers += [dict(layers[-1]) for _ in range(max(0, nlayers - len(layers)))]
    for l in layers:
        l["digest"] = sha256_file(l["path"])
        l["size"] = os.path.getsize(l["path"])
        l["media_type"] = MT_LAYER[l["compression"]]
    if hostile == "bad-digest":  # the blob changes after its digest was taken
        with open(layers[0]["path"], "ab") as f:
            f.write(b"\0")
        layers[0]["size"] += 1
    return layers


def make_config(recipe, layers, arch=None, variant=None):
    rc = recipe.get("config", {})
    cfg = {k: rc[k] for k in ("Env", "User", "Labels", "Cmd", "Entrypoint", "WorkingDir",
                              "ExposedPorts") if k in rc}
    doc = {"architecture": arch or rc.get("architecture", "amd64"), "os": rc.get("os", "linux"),
           "created": "1970-01-01T00:00:00Z", "config": cfg,
           "rootfs": {"type": "layers", "diff_ids": [l["diff_id"] for l in layers]},
           "history": [{"created": "1970-01-01T00:00:00Z", "created_by": l["created_by"]}
                       for l in layers]}
    if variant or rc.get("variant"):
        doc["variant"] = variant or rc["variant"]
    return doc


class Blobs:
    """Content-addressed blobs staged in a directory: digest -> file."""

    def __init__(self, stage):
        self.dir, self.paths = stage, {}

    def add_bytes(self, data):
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        p = os.path.join(self.dir, d.replace(":", "-"))
        with open(p, "wb") as f:
            f.write(data)
        self.paths[d] = p
        return {"digest": d, "size": len(data)}

    def add_file(self, digest, path):
        self.paths[digest] = path


def build_image(recipe, base, stage, blobs, hostile, arch=None, variant=None, extra=(),
                bomb_mib=BOMB_MIB, nlayers=0):
    layers = build_layers(recipe, base, stage, hostile, extra, bomb_mib, nlayers)
    config = make_config(recipe, layers, arch, variant)
    if hostile == "bad-diffid":
        config["rootfs"]["diff_ids"][-1] = "sha256:" + "0" * 64
    cfg_bytes = jbytes(config)
    if hostile == "deep-json":
        cfg_bytes = b'{"a":' + b"[" * 100000 + b"]" * 100000 + b"}"
    cdesc = blobs.add_bytes(cfg_bytes)
    for l in layers:
        blobs.add_file(l["digest"], l["path"])
    manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
                "config": {"mediaType": MT_CONFIG, **cdesc},
                "layers": [{"mediaType": l["media_type"], "digest": l["digest"],
                            "size": l["size"]} for l in layers]}
    mdesc = blobs.add_bytes(jbytes(manifest))
    if hostile == "missing-config":
        del blobs.paths[cdesc["digest"]]
    return {"config": config, "config_digest": cdesc["digest"], "config_bytes": cfg_bytes,
            "manifest_digest": mdesc["digest"], "manifest_size": mdesc["size"],
            "layers": layers}


def write_tree(out, files):
    """files: name -> bytes or source path; out is a directory (created) or a .tar path."""
    names = sorted(files)
    if not out.endswith(".tar"):
        for n in names:
            p = os.path.join(out, n)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if isinstance(files[n], bytes):
                with open(p, "wb") as f:
                    f.write(files[n])
            else:
                shutil.copyfile(files[n], p)
        return
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        dirs = set()
        for n in names:
            parts = n.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    tar.addfile(_info(d, tarfile.DIRTYPE, mode=0o755))
            v = files[n]
            if isinstance(v, bytes):
                tar.addfile(_info(n, tarfile.REGTYPE, len(v)), io.BytesIO(v))
            else:
                with open(v, "rb") as f:
                    tar.addfile(_info(n, tarfile.REGTYPE, os.path.getsize(v)), f)


def blob_name(digest):
    return "blobs/" + digest.replace(":", "/")


def write_rootfs(recipe, base, out):
    """Apply the layers in order (whiteouts and opaque markers hide what lower layers put there,
    whatever their place in the layer) and write the result under `out`."""
    fs = {}  # path -> (TarInfo, data)

    def hide(path, itself):
        for k in [k for k in fs if k.startswith(path + "/") or (itself and k == path)]:
            del fs[k]

    for spec in recipe["layers"]:
        with tarfile.open(fileobj=io.BytesIO(layer_tar(spec, base))) as tar:
            members = [(m, tar.extractfile(m).read() if m.isreg() else b"")
                       for m in tar.getmembers()]
        for m, _ in members:
            head, _, name = m.name.rpartition("/")
            if name == ".wh..wh..opq":
                hide(head, False)
            elif name.startswith(".wh."):
                hide((head + "/" if head else "") + name[4:], True)
        for m, data in members:
            if m.name.rpartition("/")[2].startswith(".wh."):
                continue
            if not m.isdir():
                hide(m.name, False)
            fs[m.name] = (m, data)
    os.makedirs(out)
    links = []
    for path in sorted(fs):
        m, data = fs[path]
        dest = os.path.join(out, path)
        if m.isdir():
            os.makedirs(dest, exist_ok=True)
        elif m.isreg():
            with open(dest, "wb") as f:
                f.write(data)
            os.chmod(dest, m.mode & 0o777)
        elif m.issym():
            os.symlink(m.linkname, dest)
        elif m.islnk():
            links.append((os.path.join(out, m.linkname), dest))
    for target, dest in links:
        os.link(target, dest)
    return {"format": "rootfs", "manifest_digest": None, "config_digest": None, "layers": []}


def build(recipe_path, fmt, out, hostile=None, bomb_mib=BOMB_MIB, fanout=8, depth=4,
          nlayers=1000, repo_tag=None):
    """Build `recipe_path` as `fmt` at `out`; return info about what was written."""
    if fmt not in FORMATS:
        raise SystemExit(f"mkimage: unknown format {fmt!r} ({', '.join(FORMATS)})")
    if hostile is not None and hostile not in HOSTILE:
        raise SystemExit(f"mkimage: unknown hostile variant {hostile!r} ({', '.join(HOSTILE)})")
    with open(recipe_path) as f:
        recipe = json.load(f)
    base = os.path.dirname(os.path.abspath(recipe_path))
    if fmt == "rootfs":
        if hostile is not None:
            raise SystemExit("mkimage: rootfs has no hostile variants")
        return write_rootfs(recipe, base, out)
    tag = repo_tag or recipe.get("repo_tag", "customs-test/image:latest")
    with tempfile.TemporaryDirectory(prefix="mkimage.") as stage:
        blobs = Blobs(stage)
        img = build_image(recipe, base, stage, blobs, hostile, bomb_mib=bomb_mib, nlayers=nlayers)
        files = {}
        info = {"format": fmt,
                "manifest_digest": None if fmt == "docker-archive" else img["manifest_digest"],
                "config_digest": img["config_digest"],
                "layers": [{k: l[k] for k in ("digest", "diff_id", "size", "compression")}
                           for l in img["layers"]]}
        top = {"digest": img["manifest_digest"], "size": img["manifest_size"],
               "mediaType": MT_MANIFEST,
               "annotations": {"org.opencontainers.image.ref.name": tag.rpartition(":")[2]}}
        if fmt == "oci-multi":
            arm_stage = os.path.join(stage, "arm64")
            os.mkdir(arm_stage)
            marker = {"compression": "gzip", "created_by": "arm64 marker",
                      "entries": [{"path": "etc/customs-platform", "content": "linux/arm64/v8"}]}
            arm = build_image(recipe, base, arm_stage, blobs, None, "arm64", "v8", [marker])
            nested = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [
                {"mediaType": MT_MANIFEST, "digest": img["manifest_digest"],
                 "size": img["manifest_size"],
                 "platform": {"os": "linux", "architecture": "amd64"}},
                {"mediaType": MT_MANIFEST, "digest": arm["manifest_digest"],
                 "size": arm["manifest_size"],
                 "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}]}
            ndesc = blobs.add_bytes(jbytes(nested))
            top = {"mediaType": MT_INDEX, **ndesc, "annotations": top["annotations"]}
            info["arm64"] = {"manifest_digest": arm["manifest_digest"],
                             "layers": [{k: l[k] for k in ("digest", "diff_id", "size",
                                                           "compression")}
                                        for l in arm["layers"]]}
        if hostile == "index-fanout":
            below = dict(top, annotations={})
            for _ in range(depth):
                level = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [below] * fanout}
                below = {"mediaType": MT_INDEX, **blobs.add_bytes(jbytes(level))}
            top = dict(below, annotations=top["annotations"])
        if fmt == "docker-archive":
            layer_names = []
            for l in img["layers"]:
                name = l["diff_id"].split(":")[1] + "/layer.tar"
                layer_names.append(name)
                files[name] = l["path"]
                files[name.replace("layer.tar", "VERSION")] = b"1.0"
            cfg_name = img["config_digest"].split(":")[1] + ".json"
            if hostile != "missing-config":
                files[cfg_name] = img["config_bytes"]
            files["manifest.json"] = jbytes([{"Config": cfg_name, "RepoTags": [tag],
                                              "Layers": layer_names}])
            repo, _, t = tag.rpartition(":")
            files["repositories"] = jbytes({repo: {t: layer_names[-1].split("/")[0]}})
        else:
            for d, p in blobs.paths.items():
                files[blob_name(d)] = p
            files["oci-layout"] = b'{"imageLayoutVersion":"1.0.0"}\n'
            index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [top]}
            if hostile == "missing-blob":
                index["manifests"][0]["digest"] = "sha256:" + hashlib.sha256(b"gone").hexdigest()
            files["index.json"] = jbytes(index)
            if fmt == "docker-oci":
                top["annotations"]["io.containerd.image.name"] = "docker.io/" + tag
                files["index.json"] = jbytes(index)
                files["manifest.json"] = jbytes([{
                    "Config": blob_name(img["config_digest"]), "RepoTags": [tag],
                    "Layers": [blob_name(l["digest"]) for l in img["layers"]]}])
        if hostile == "manifest-not-json":
            files["manifest.json" if fmt.startswith("docker") else "index.json"] = \
                b"this is not { json\n"
        want_tar = {"oci-dir": False, "oci-multi": out.endswith(".tar")}.get(fmt, True)
        if want_tar != out.endswith(".tar"):
            raise SystemExit(f"mkimage: {fmt}: --out must {'' if want_tar else 'not '}end in .tar")
        write_tree(out, files)
        if hostile in HOST_FILE:
            make_host_file_hostile(out, hostile, img["layers"][0]["digest"])
        return info


def make_host_file_hostile(out, hostile, digest):
    """Turn the oci-dir at `out` into one of the HOST_FILE variants."""
    if out.endswith(".tar"):
        raise SystemExit(f"mkimage: {hostile} needs an oci-dir")
    outside = out.rstrip("/") + ".outside"
    os.makedirs(outside, exist_ok=True)
    blob = os.path.join(out, blob_name(digest))
    if hostile == "blob-fifo":
        os.unlink(blob)
        os.mkfifo(blob)
    elif hostile == "blob-devzero":
        os.unlink(blob)
        os.symlink("/dev/zero", blob)
    elif hostile == "blob-symlink":
        copy = os.path.join(outside, digest.split(":")[1])
        shutil.move(blob, copy)
        os.symlink(os.path.abspath(copy), blob)
    elif hostile == "blobs-dir-symlink":
        d = os.path.join(out, "blobs", "sha256")
        shutil.move(d, os.path.join(outside, "sha256"))
        os.symlink(os.path.abspath(os.path.join(outside, "sha256")), d)
    elif hostile == "index-symlink":
        idx = os.path.join(out, "index.json")
        shutil.move(idx, os.path.join(outside, "index.json"))
        os.symlink("../" + os.path.basename(outside) + "/index.json", idx)


def _read_tree(path):
    """name -> bytes of every regular file of a layout directory or tar."""
    files = {}
    if os.path.isdir(path):
        for dirpath, _, names in os.walk(path):
            for n in names:
                full = os.path.join(dirpath, n)
                with open(full, "rb") as f:
                    files[os.path.relpath(full, path)] = f.read()
    else:
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isreg():
                    files[m.name] = t.extractfile(m).read()
    return files


def merge(out, inputs, dup_manifest=False):
    """The images `inputs` (built by this tool, one format) as one layout or archive `out`."""
    files, entries, repos = {}, [], {}
    docker = None
    for path in inputs:
        tree = _read_tree(path)
        is_docker = "manifest.json" in tree and "index.json" not in tree
        if docker is not None and docker != is_docker:
            raise SystemExit("mkimage: --merge: the inputs are not of one format")
        docker = is_docker
        if docker:
            entries += json.loads(tree.pop("manifest.json"))
            for repo, tags in json.loads(tree.pop("repositories", b"{}")).items():
                repos.setdefault(repo, {}).update(tags)
        else:
            entries += json.loads(tree.pop("index.json"))["manifests"]
        files.update(tree)
    if docker:
        files["manifest.json"] = jbytes(entries)
        files["repositories"] = jbytes(repos)
    else:
        files["index.json"] = jbytes({"schemaVersion": 2, "mediaType": MT_INDEX,
                                      "manifests": entries})
    write_tree(out, files)
    if dup_manifest:
        if not docker or not out.endswith(".tar"):
            raise SystemExit("mkimage: --dup-manifest needs a docker-archive")
        with tarfile.open(out, "a", format=tarfile.PAX_FORMAT) as t:
            data = jbytes(entries[-1:])
            t.addfile(_info("manifest.json", tarfile.REGTYPE, len(data)), io.BytesIO(data))


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] == "--merge":
        mp = argparse.ArgumentParser(prog="mkimage.py --merge")
        mp.add_argument("out")
        mp.add_argument("inputs", nargs="+")
        mp.add_argument("--dup-manifest", action="store_true")
        m = mp.parse_args(argv[1:])
        merge(m.out, m.inputs, m.dup_manifest)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("recipe")
    ap.add_argument("--format", required=True, choices=FORMATS)
    ap.add_argument("--out", required=True, help="directory (oci-dir, oci-multi, rootfs) or *.tar")
    ap.add_argument("--hostile", choices=HOSTILE)
    ap.add_argument("--bomb-mib", type=int, default=BOMB_MIB,
                    help="MiB of zeros in a bomb layer (default 1024)")
    ap.add_argument("--fanout", type=int, default=8, help="index-fanout: descriptors per index")
    ap.add_argument("--depth", type=int, default=4, help="index-fanout: nested indexes")
    ap.add_argument("--layers", type=int, default=1000, help="layers-reuse: layers in all")
    ap.add_argument("--info", help="write digests and diff_ids of what was built here (JSON)")
    ap.add_argument("--repo-tag", help="the image's name, instead of the recipe's repo_tag")
    a = ap.parse_args(argv)
    info = build(a.recipe, a.format, a.out, a.hostile, a.bomb_mib, a.fanout, a.depth,
                 a.layers, a.repo_tag)
    if a.info:
        with open(a.info, "w") as f:
            f.write(json.dumps(info, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
