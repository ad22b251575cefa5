#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""--mirror HOST=URL end to end (TAP): two docker-registry instances on loopback, an origin and
its mirror, hold different images under the same names. A scan of ORIGIN/REPO:TAG with the
mirror reads the mirror's image when it has one, and the origin's when the mirror lacks it or
cannot be reached; a config or layer the mirror lacks under a manifest it serves comes from the
origin; a digest reference is verified whichever answers. A mirror that lies (a
manifest whose Docker-Content-Digest is not its content's, a layer that does not hash) ends
the scan with exit 2 naming the mirror, never a silent fallback and never a pass. A mirror
that wants credentials gets those stored for its own host, never the origin's.
Skips (77) without /usr/bin/docker-registry or skopeo.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import shutil
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
from registry import REGISTRY, SRC, Registry, free_port, mkimage  # noqa: E402
from registry_auth import Env, b64, bcrypt_hash  # noqa: E402
from lying_registry import load_layout, make_server  # noqa: E402

MIRROR_USER = "mirror-ci"
MIRROR_PASSWORD = "Mirror-Pw-6e1d04-never-printed"


def tiny_recipe(work, name, os_id, version):
    path = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        json.dump({"config": {"os": "linux", "architecture": "amd64"}, "layers": [
            {"compression": "gzip", "entries": [
                {"path": "etc/os-release", "type": "file",
                 "content": f"ID={os_id}\nVERSION_ID={version}\n"},
                {"path": "blob/data", "type": "file", "content": "y" * 100000}]}]}, f)
    return mkimage(work, path, "oci-dir", os.path.join(work, name))


def os_of(p):
    try:
        doc = json.loads(p.stdout)
        return f'{doc["os"]["id"]} {doc["os"]["version"]}'
    except (ValueError, KeyError):
        return None


def main():
    if not os.access(REGISTRY, os.X_OK) or shutil.which("skopeo") is None:
        print("1..0 # SKIP needs docker-registry (Debian package docker-registry) and skopeo")
        sys.exit(77)
    print("1..10")
    with tempfile.TemporaryDirectory() as work:
        at_origin = tiny_recipe(work, "at-origin", "alpine", "3.19.1")
        at_mirror = tiny_recipe(work, "at-mirror", "alpine", "3.18.6")
        origin = Registry(work, "origin")
        mirror = Registry(work, "mirror")
        htpasswd = os.path.join(work, "htpasswd")
        with open(htpasswd, "w") as f:
            f.write(f"{MIRROR_USER}:{bcrypt_hash(MIRROR_PASSWORD)}\n")
        locked = Registry(work, "locked", f"auth:\n  htpasswd:\n    realm: mirror\n"
                                          f"    path: {htpasswd}\n")
        liar, _ = make_server(*load_layout(at_mirror))
        try:
            origin.push(f"oci:{at_origin}", "team/app:1")
            origin.push(f"oci:{at_origin}", "team/only-origin:1")
            origin.push(f"oci:{at_origin}", "tagdigest:1")
            origin.push(f"oci:{at_origin}", "wrongdigest:1")
            mirror.push(f"oci:{at_mirror}", "team/app:1")
            locked.push(f"oci:{at_mirror}", "team/only-mirror:1",
                        f"--dest-creds={MIRROR_USER}:{MIRROR_PASSWORD}")
            sbom = ["sbom", "-q", "-f", "json", "--insecure", "--timeout", "30"]
            via = ["--mirror", f"{origin.host}=http://{mirror.host}"]
            e = Env(work, "plain")

            p = e.run(*sbom, *via, f"{origin.host}/team/app:1")
            ok(p.returncode == 0 and os_of(p) == "alpine 3.18.6",
               "the mirror is asked first: its image under the name is the one read", p.stderr)
            p = e.run(*sbom, f"{origin.host}/team/app:1")
            ok(p.returncode == 0 and os_of(p) == "alpine 3.19.1",
               "without --mirror the origin's image (the two differ)", p.stderr)

            p = e.run(*sbom, *via, f"{origin.host}/team/only-origin:1")
            ok(p.returncode == 0 and os_of(p) == "alpine 3.19.1",
               "an image the mirror lacks (404) is read from the origin", p.stderr)

            digest = json.loads(e.run(*sbom, f"{origin.host}/team/app:1").stdout
                                )["target"]["manifest_digest"]
            p = e.run(*sbom, *via, f"{origin.host}/team/app@{digest}")
            ok(p.returncode == 0 and os_of(p) == "alpine 3.19.1"
               and json.loads(p.stdout)["target"]["manifest_digest"] == digest,
               "a digest the mirror does not hold: the origin's bytes, verified by digest",
               p.stderr)

            p = e.run(*sbom, "--mirror", f"{origin.host}=http://127.0.0.1:{free_port()}",
                      f"{origin.host}/team/app:1")
            ok(p.returncode == 0 and os_of(p) == "alpine 3.19.1",
               "a mirror that cannot be reached: the origin", p.stderr)

            liar_via = ["--mirror", f"{origin.host}=http://127.0.0.1:{liar.server_port}"]
            p = e.run(*sbom, *liar_via, f"{origin.host}/tagdigest:1")
            ok(p.returncode == 2 and p.stdout == "" and "digest mismatch" in p.stderr
               and f"127.0.0.1:{liar.server_port}/v2/tagdigest/manifests/1" in p.stderr,
               "a mirror whose manifest does not match its digest: exit 2 naming the mirror, no "
               "fallback", p.stderr)
            p = e.run(*sbom, *liar_via, f"{origin.host}/wrongdigest:1")
            ok(p.returncode == 2 and p.stdout == "" and "digest mismatch" in p.stderr
               and f"127.0.0.1:{liar.server_port}/v2/wrongdigest/blobs/" in p.stderr,
               "a mirror whose layer does not hash to its digest: exit 2 naming the mirror",
               p.stderr)

            # the mirror holds the manifest but lost its config and layer: they come from the
            # origin (the same image there), each verified by its digest
            origin.push(f"oci:{at_origin}", "team/partial:1")
            mirror.push(f"oci:{at_origin}", "team/partial:1")
            top = json.load(open(os.path.join(at_origin, "index.json")))["manifests"][0]["digest"]
            m = json.load(open(os.path.join(at_origin, "blobs", "sha256", top[7:])))
            gone = [m["config"]["digest"]] + [layer["digest"] for layer in m["layers"]]
            codes = []
            for d in gone:
                req = urllib.request.Request(f"http://{mirror.host}/v2/team/partial/blobs/{d}",
                                             method="DELETE")
                with urllib.request.urlopen(req, timeout=30) as r:
                    codes.append(r.status)
            p = e.run(*sbom, *via, f"{origin.host}/team/partial:1")
            ok(codes == [202] * len(gone) and p.returncode == 0 and os_of(p) == "alpine 3.19.1",
               "the mirror serves the manifest but lacks its config and layer (404): those come "
               "from the origin", p.stderr + repr(codes))

            locked_via = ["--mirror", f"{origin.host}=http://{locked.host}"]
            e = Env(work, "mirror-creds")
            e.vars["REGISTRY_AUTH_FILE"] = e.write("auth.json", {"auths": {
                locked.host: {"auth": b64(f"{MIRROR_USER}:{MIRROR_PASSWORD}")}}})
            p = e.run(*sbom, *locked_via, f"{origin.host}/team/only-mirror:1")
            ok(p.returncode == 0 and os_of(p) == "alpine 3.18.6"
               and MIRROR_PASSWORD not in p.stderr,
               "a mirror that wants credentials gets those stored for its own host", p.stderr)

            e = Env(work, "origin-creds")
            e.vars["REGISTRY_AUTH_FILE"] = e.write("auth.json", {"auths": {
                origin.host: {"auth": b64(f"{MIRROR_USER}:{MIRROR_PASSWORD}")}}})
            p = e.run(*sbom, *locked_via, f"{origin.host}/team/only-mirror:1")
            ok(p.returncode == 2 and "the mirror failed" in p.stderr and "401" in p.stderr
               and "404" in p.stderr and MIRROR_PASSWORD not in p.stderr,
               "the origin's credentials never go to its mirror (the mirror's 401, then the "
               "origin's 404, both told)", p.stderr)
        finally:
            for r in (origin, mirror, locked):
                r.stop()
            liar.shutdown()
    sys.exit(1 if TAP.failed else 0)


if __name__ == "__main__":
    main()
