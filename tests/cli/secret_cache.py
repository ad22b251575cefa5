#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The compiled secret-rule cache is input (TAP):

- it lives in a private directory ($XDG_CACHE_HOME/customs/...): the directory is 0700 and the
  files 0600, whatever the umask;
- a cache file replaced by a hostile Vectorscan database (one that reports pattern id
  0x7fffffff, built here with libhs through ctypes) is not trusted: the scan neither crashes
  nor loses the secret, and still reports it;
- the same hostile database behind a header that matches (the key copied, the payload's length
  and SHA-256 recomputed, as someone able to write the cache could) stops at the id bounds
  check: no crash, exit 2 and a message naming the file, instead of a silent miss;
- a symlink planted at a cache file's name is neither read through nor written through: the
  file it points to is untouched;
- a cache directory that is a symlink, or that others may write, is not used.
Environment: CUSTOMS (the binary). Skips without libhs.so."""
import ctypes
import ctypes.util
import glob
import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import TAP, ok  # noqa: E402
from mkimage import write_tree  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
KEY = "AKIA7KLFYYLBEG3RHDSV"


def hostile_db():
    """A serialized streaming database whose one pattern (the key) reports id 0x7fffffff."""
    name = ctypes.util.find_library("hs") or "libhs.so.5"
    try:
        hs = ctypes.CDLL(name)
    except OSError:
        return None
    db = ctypes.c_void_p()
    cerr = ctypes.c_void_p()
    exprs = (ctypes.c_char_p * 1)(b"AKIA[0-9A-Z]{16}")
    flags = (ctypes.c_uint * 1)(0)
    ids = (ctypes.c_uint * 1)(0x7FFFFFFF)
    HS_MODE_STREAM = 2
    if hs.hs_compile_multi(exprs, flags, ids, 1, HS_MODE_STREAM, None, ctypes.byref(db),
                           ctypes.byref(cerr)) != 0:
        return None
    out = ctypes.POINTER(ctypes.c_char)()
    n = ctypes.c_size_t()
    if hs.hs_serialize_database(db, ctypes.byref(out), ctypes.byref(n)) != 0:
        return None
    return ctypes.string_at(out, n.value)


def scan(root, env):
    p = subprocess.run([CUSTOMS, "scan", "-q", "--format", "json", "--scanners", "secret",
                        "dir:" + root], capture_output=True, text=True, env=env)
    try:
        report = json.loads(p.stdout)
    except ValueError:
        report = None
    return p, report


def found_key(report):
    return report is not None and any(KEY in json.dumps(s) or s.get("rule") == "aws-access-key-id"
                                      for s in report.get("secrets", []))


def cache_files(cache):
    return sorted(glob.glob(os.path.join(cache, "**", "*.hsdb"), recursive=True))


def main():
    evil = hostile_db()
    if evil is None:
        print("1..0 # SKIP libhs.so (Vectorscan) cannot be loaded through ctypes")
        return 0
    print("1..9")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        write_tree(root, {"etc/keys.env": f"aws_access_key_id = {KEY}\n".encode()})
        cache = os.path.join(d, "cache")
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        env.pop("CUSTOMS_NO_CACHE", None)
        old = os.umask(0)  # the cache must not depend on the caller's umask
        try:
            p, report = scan(root, env)
        finally:
            os.umask(old)
        files = cache_files(cache)
        modes = {f: stat.S_IMODE(os.stat(f).st_mode) for f in files}
        dirs = {os.path.dirname(f) for f in files}
        ok(p.returncode == 0 and found_key(report) and files, "a first scan finds the key and fills the cache",
           p.stderr + repr(files))
        ok(all(m == 0o600 for m in modes.values()) and
           all(stat.S_IMODE(os.stat(x).st_mode) == 0o700 for x in dirs),
           "cache files are 0600 in a 0700 directory, even with umask 0",
           repr({k: oct(v) for k, v in modes.items()}) + repr({x: oct(os.stat(x).st_mode) for x in dirs}))

        # 1. the whole file replaced by a hostile database
        for f in files:
            with open(f, "wb") as out:
                out.write(evil)
        p, report = scan(root, env)
        ok(p.returncode == 0 and found_key(report),
           "a cache file replaced by a hostile database: no crash, the key still found",
           f"exit {p.returncode}\n" + p.stderr[-2000:])

        # 2. the hostile database behind a header that matches
        files = cache_files(cache)
        forged = 0
        for f in files:
            with open(f, "rb") as inp:
                data = inp.read()
            if not data.startswith(b"customs-hsdb"):
                continue
            header = data[:16 + 64]
            digest = hashlib.sha256(evil).hexdigest().encode()
            with open(f, "wb") as out:
                out.write(header + digest + b"%016x" % len(evil) + evil)
            forged += 1
        p, report = scan(root, env)
        ok(p.returncode == 2 and "/etc/keys.env" in p.stderr and "rule cache" in p.stderr and forged > 0,
           "a forged header over a hostile database: the id bounds check stops the scan (exit 2, the file named)",
           f"exit {p.returncode} forged {forged}\n" + p.stderr[-2000:])

        # 3. a symlink at a cache file's name
        victim = os.path.join(d, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        for f in cache_files(cache):
            os.unlink(f)
            os.symlink(victim, f)
        p, report = scan(root, env)
        with open(victim) as f:
            intact = f.read() == "precious\n"
        links = [f for f in cache_files(cache) if os.path.islink(f)]
        ok(p.returncode == 0 and found_key(report) and intact,
           "a symlink at a cache file's name: the file it names is untouched", p.stderr)
        ok(not links and all(os.path.isfile(f) for f in cache_files(cache)),
           "the symlink is replaced by a regular file (written beside it and renamed)", repr(links))

        # 4. a cache directory that is not private, or is a symlink
        for x in {os.path.dirname(f) for f in cache_files(cache)}:
            os.chmod(x, 0o777)
            for f in glob.glob(os.path.join(x, "*")):
                os.unlink(f)
        p, report = scan(root, env)
        ok(p.returncode == 0 and found_key(report) and not cache_files(cache),
           "a cache directory others may write is not used", repr(cache_files(cache)))
        cache2 = os.path.join(d, "cache2")
        elsewhere = os.path.join(d, "elsewhere")
        os.makedirs(elsewhere, mode=0o700)
        env2 = dict(env, XDG_CACHE_HOME=cache2)
        scan(root, env2)
        for x in {os.path.dirname(f) for f in cache_files(cache2)}:
            for f in glob.glob(os.path.join(x, "*")):
                os.unlink(f)
            os.rmdir(x)
            os.symlink(elsewhere, x)
        p, report = scan(root, env2)
        ok(p.returncode == 0 and found_key(report) and not os.listdir(elsewhere),
           "a cache directory that is a symlink is not used", repr(os.listdir(elsewhere)))
        env3 = dict(env, XDG_CACHE_HOME=os.path.join(d, "cache3"), CUSTOMS_NO_CACHE="1")
        p, report = scan(root, env3)
        ok(p.returncode == 0 and found_key(report) and not os.path.exists(os.path.join(d, "cache3")),
           "CUSTOMS_NO_CACHE=1: nothing is written", p.stderr)
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
