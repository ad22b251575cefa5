#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Scanning straight from a registry (TAP): Debian's docker-registry is started on loopback
with filesystem storage in a temporary directory, images built by mkimage.py are pushed with
skopeo, and `customs scan REF` must give the same report (packages, vulnerabilities with the
demo database, misconfigurations, secrets) as scanning the OCI layout itself; an OCI index is
read with platform selection; a digest reference works; plain http is refused without
--insecure; a missing tag, repository or registry is a clear exit 2 naming the URL; an
existing path that looks like a reference is still read as a path.
Skips (77) without /usr/bin/docker-registry or skopeo.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.path.abspath(os.environ.get("CUSTOMS", "build/customs"))
SRC = os.environ.get("CUSTOMS_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
MKIMAGE = os.path.join(SRC, "tests", "support", "mkimage.py")
REGISTRY = "/usr/bin/docker-registry"


def run(*args, cwd=None):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, cwd=cwd)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """docker-registry on a loopback port; `extra` is YAML appended to its config."""

    def __init__(self, work, name, extra=""):
        self.dir = os.path.join(work, name)
        os.makedirs(os.path.join(self.dir, "store"))
        self.port = free_port()
        cfg = os.path.join(self.dir, "config.yml")
        with open(cfg, "w") as f:
            f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                    f"    rootdirectory: {self.dir}/store\n  delete:\n    enabled: true\n"
                    f"http:\n  addr: 127.0.0.1:{self.port}\n{extra}")
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen([REGISTRY, "serve", cfg], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError("docker-registry did not start: " + open(self.log.name).read())

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def push(self, src, ref, *extra):
        p = subprocess.run(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", *extra, src,
                            f"docker://{self.host}/{ref}"], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


def mkimage(work, recipe, fmt, out):
    p = subprocess.run([sys.executable, MKIMAGE, recipe, "--format", fmt, "--out", out],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return out


def report(p):
    """The report without what names the source."""
    doc = json.loads(p.stdout)
    for k in ("name", "kind"):
        doc["target"].pop(k, None)
    doc.pop("database", None)
    for m in doc.get("misconfigurations", []):
        m.pop("object", None)  # the target's name
    return doc


def main():
    if not os.access(REGISTRY, os.X_OK) or shutil.which("skopeo") is None:
        print("1..0 # SKIP needs docker-registry (Debian package docker-registry) and skopeo")
        sys.exit(77)
    print("1..9")
    with tempfile.TemporaryDirectory() as work:
        db = os.path.join(work, "demo.db")
        p = run("db", "build", "-o", db, os.path.join(SRC, "demo", "vulndb", "osv"))
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        layout = mkimage(work, os.path.join(SRC, "demo", "recipe.json"), "oci-dir",
                         os.path.join(work, "ledger"))
        multi_recipe = os.path.join(work, "multi.json")
        with open(multi_recipe, "w") as f:
            json.dump({"config": {"os": "linux", "architecture": "amd64"}, "layers": [
                {"compression": "gzip", "entries": [
                    {"path": "etc/os-release", "type": "file",
                     "content": "ID=alpine\nVERSION_ID=3.19.1\n"}]}]}, f)
        multi = mkimage(work, multi_recipe, "oci-multi", os.path.join(work, "multi"))
        reg = Registry(work, "anon")
        try:
            reg.push(f"oci:{layout}", "team/ledger:0.3.0")
            reg.push(f"oci:{multi}", "multi:1", "--multi-arch", "all")
            common = ["-q", "-f", "json", "--db", db, "--max-db-age", "0"]
            want = run("scan", *common, layout)
            got = run("scan", *common, "--insecure", f"{reg.host}/team/ledger:0.3.0")
            same = (want.returncode == got.returncode == 0 and report(want) == report(got))
            ok(same and len(report(got)["vulnerabilities"]) > 0 and len(report(got)["packages"]) > 10,
               "scan from the registry: the same report as from the OCI layout (packages, vulnerabilities)",
               got.stderr or want.stderr)
            doc = json.loads(got.stdout) if got.returncode == 0 else {}
            digest = doc.get("target", {}).get("manifest_digest", "")
            ok(doc.get("target", {}).get("kind") == "registry" and digest.startswith("sha256:"),
               "the report names the registry source and the manifest digest", got.stdout[:300])
            byd = run("sbom", "-q", "-f", "json", "--insecure",
                      f"registry:{reg.host}/team/ledger@{digest}")
            ok(byd.returncode == 0 and report(byd)["packages"] == report(got)["packages"],
               "a digest reference with the registry: prefix", byd.stderr)
            arm_l = run("sbom", "-q", "-f", "json", "--platform", "linux/arm64", multi)
            arm_r = run("sbom", "-q", "-f", "json", "--platform", "linux/arm64", "--insecure",
                        f"{reg.host}/multi:1")
            ok(arm_r.returncode == 0 and report(arm_l) == report(arm_r)
               and json.loads(arm_r.stdout)["target"]["platform"].startswith("linux/arm64"),
               "an index: --platform picks the same image as from the layout", arm_r.stderr)
            p = run("sbom", "-q", f"{reg.host}/team/ledger:0.3.0")
            ok(p.returncode == 2 and "--insecure" in p.stderr and f"https://{reg.host}" in p.stderr,
               "plain http without --insecure: exit 2 naming the URL and the option", p.stderr)
            p = run("sbom", "-q", "--insecure", f"{reg.host}/team/ledger:9.9")
            ok(p.returncode == 2 and "404" in p.stderr and "/v2/team/ledger/manifests/9.9" in p.stderr
               and p.stderr.count("\n") == 1,
               "a missing tag: exit 2, one line naming the URL", p.stderr)
            p = run("sbom", "-q", "--insecure", "--timeout", "5", f"127.0.0.1:{free_port()}/x:1")
            ok(p.returncode == 2 and "/v2/x/manifests/1" in p.stderr,
               "nothing listening: exit 2 naming the URL", p.stderr)
            # an existing path wins over a reference of the same spelling
            os.makedirs(os.path.join(work, "reg.example"))
            shutil.copytree(layout, os.path.join(work, "reg.example", "ledger:1"))
            p = run("sbom", "-q", "-f", "json", "reg.example/ledger:1", cwd=work)
            ok(p.returncode == 0 and json.loads(p.stdout)["target"]["kind"] == "oci",
               "an existing path that reads like a reference is a path", p.stderr)
            p = run("sbom", "-q", "no-such-image.tar", cwd=work)
            ok(p.returncode == 2 and "no-such-image.tar" in p.stderr and "http" not in p.stderr,
               "a missing .tar is a missing file, not a registry request", p.stderr)
        finally:
            reg.stop()
    sys.exit(1 if TAP.failed else 0)


if __name__ == "__main__":
    main()
