#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An OCI layout of one gzip layer holding N small files, for the scale bench (make bench).

    manyfiles.py N OUTDIR

The tar is generated as a stream straight into gzip (never written uncompressed): a Debian-like
/etc/os-release, then N files of 16 bytes each, 1,000 per directory (/data/dNNNN/fNNNNNNN.txt).
Deterministic: the same N gives the same digests.
"""
import gzip
import hashlib
import json
import os
import sys


def header(name, size, typeflag, mode):
    h = bytearray(512)
    n = name.encode()
    h[0:len(n)] = n
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"00000000000\0"
    h[148:156] = b" " * 8
    h[156:157] = typeflag
    h[257:265] = b"ustar\x0000"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def pad(data):
    return data + b"\0" * (-len(data) % 512)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    tmp = os.path.join(blobs, "layer.tmp")
    diff = hashlib.sha256()
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
        def put(b):
            diff.update(b)
            gz.write(b)
        osr = b'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
        put(header("etc/", 0, b"5", 0o755))
        put(header("etc/os-release", len(osr), b"0", 0o644) + pad(osr))
        put(header("data/", 0, b"5", 0o755))
        batch = []
        for i in range(n):
            if i % 1000 == 0:
                batch.append(header("data/d%04d/" % (i // 1000), 0, b"5", 0o755))
            body = b"file %010d\n" % i
            batch.append(header("data/d%04d/f%07d.txt" % (i // 1000, i), len(body), b"0", 0o644))
            batch.append(pad(body))
            if len(batch) >= 3000:
                put(b"".join(batch))
                batch = []
        put(b"".join(batch) + b"\0" * 1024)
    layer = hashlib.sha256(open(tmp, "rb").read()).hexdigest()
    os.rename(tmp, os.path.join(blobs, layer))

    def blob(doc):
        data = json.dumps(doc, separators=(",", ":")).encode()
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, d), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + d, "size": len(data)}

    config = blob({"architecture": "amd64", "os": "linux", "config": {},
                   "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff.hexdigest()]}})
    manifest = blob({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                     "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                     "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                 "digest": "sha256:" + layer,
                                 "size": os.path.getsize(os.path.join(blobs, layer))}]})
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [dict(manifest, mediaType="application/vnd.oci.image.manifest.v1+json")]}, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


if __name__ == "__main__":
    main()
