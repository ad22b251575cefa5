#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The registry gate in front of an upstream that wants credentials (TAP): Debian's
docker-registry with `auth: htpasswd` on loopback, `customs registry` in front of it with the
policy `images.unknown: scan`. A client (skopeo) pulls with its own credentials, which the
gate passes through; the gate's own scan of the upstream uses the credentials of its auth file
(`--authfile`, or $REGISTRY_AUTH_FILE). Without them its scan is refused by the upstream and
the image is not served; with them it is scanned, recorded and served; the password never
appears in the gate's log.
Skips (77) without /usr/bin/docker-registry or skopeo.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
import policy as P  # noqa: E402
from gate import CUSTOMS, REGISTRY, Server, oci_image, run  # noqa: E402
from registry import Registry  # noqa: E402
from registry_auth import b64, bcrypt_hash  # noqa: E402

USER = "gate-ci"
PASSWORD = "Gate-Pw-0c7d2b-never-printed"


def start_gate(work, upstream, policy, store, db, log_name, env, *extra):
    """`customs registry` in front of `upstream` with the environment `env` (and nothing of the
    caller's auth variables); its port once it listens."""
    srv_env = {k: v for k, v in os.environ.items()
               if k not in ("REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "DOCKER_CONFIG")}
    srv_env.update(env)
    srv = Server.__new__(Server)
    srv.log = open(os.path.join(work, log_name), "w+")
    srv.proc = subprocess.Popen([CUSTOMS, "registry", "--plain-http", "--listen", "127.0.0.1:0",
                                 "--upstream", f"http://{upstream}", "--policy", policy,
                                 "--store", store, "--db", db, *extra],
                                stdout=srv.log, stderr=subprocess.STDOUT, env=srv_env)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        text = srv.text()
        if "listening on http://127.0.0.1:" in text:
            return srv, int(text.split("listening on http://127.0.0.1:")[1].split(",")[0])
        if srv.proc.poll() is not None:
            break
        time.sleep(0.05)
    text = srv.text()
    srv.stop()
    raise RuntimeError("customs registry did not start: " + text)


def pull(port, repo, dest):
    return run("skopeo", "copy", "--quiet", "--src-tls-verify=false",
               f"--src-creds={USER}:{PASSWORD}", f"docker://127.0.0.1:{port}/{repo}:1",
               f"oci:{dest}:1", timeout=300)


def main():
    if not os.access(REGISTRY, os.X_OK) or shutil.which("skopeo") is None:
        print("1..0 # SKIP needs Debian's docker-registry and skopeo")
        sys.exit(77)
    print("1..4")
    with tempfile.TemporaryDirectory() as work:
        osv = os.path.join(work, "osv")
        for rec in P.OSV:
            P.write(os.path.join(osv, rec["id"] + ".json"), json.dumps(rec))
        db = os.path.join(work, "vuln.db")
        p = run(CUSTOMS, "db", "build", "-o", db, osv)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        image = oci_image(work, "app", {"app/node_modules/leftpad/package.json":
                                        P.leftpad("1.3.1")})
        htpasswd = os.path.join(work, "htpasswd")
        with open(htpasswd, "w") as f:
            f.write(f"{USER}:{bcrypt_hash(PASSWORD)}\n")
        up = Registry(work, "upstream", f"auth:\n  htpasswd:\n    realm: upstream\n"
                                        f"    path: {htpasswd}\n")
        policy = os.path.join(work, "policy.yaml")
        P.write(policy, P.POLICY_HEAD + "images:\n  unknown: scan\n"
                                        "  vulnerabilities: {deny: [CRITICAL, HIGH]}\n")
        # three stores, each holding an unrelated image (the gate opens an existing store)
        seed = oci_image(work, "seed", {"app/README": "another image\n"})
        for name in ("a.db", "b.db", "c.db"):
            p = run(CUSTOMS, "scan", "-q", "-f", "json", "-o", os.devnull, "--db", db,
                    "--policy", policy, "--record", os.path.join(work, name), f"oci:{seed}")
            if p.returncode != 0:
                raise RuntimeError(p.stderr)
        authfile = os.path.join(work, "auth.json")
        with open(authfile, "w") as f:
            json.dump({"auths": {up.host: {"auth": b64(f"{USER}:{PASSWORD}")}}}, f)
        gate = None
        try:
            up.push(f"oci:{image}:1", "team/app:1", f"--dest-creds={USER}:{PASSWORD}")

            gate, port = start_gate(work, up.host, policy, os.path.join(work, "a.db"), db,
                                    "gate-anon.log", {"HOME": work})
            p = pull(port, "team/app", os.path.join(work, "pulled-anon"))
            log = gate.text()
            ok(p.returncode != 0 and "not recorded" in log and "user name and password" in log
               and "scanned, allow" not in log,
               "no credentials for the gate's own scan: the upstream refuses it, the image is "
               "not served", p.stderr + log[-1500:])
            gate.stop()

            gate, port = start_gate(work, up.host, policy, os.path.join(work, "b.db"), db,
                                    "gate-env.log", {"HOME": work, "REGISTRY_AUTH_FILE": authfile})
            p = pull(port, "team/app", os.path.join(work, "pulled-env"))
            log = gate.text()
            ok(p.returncode == 0 and "scanned, allow" in log,
               "credentials from $REGISTRY_AUTH_FILE: scanned from the upstream, recorded, served",
               p.stderr + log[-1500:])
            gate.stop()

            gate, port = start_gate(work, up.host, policy, os.path.join(work, "c.db"), db,
                                    "gate-opt.log", {"HOME": work}, "--authfile", authfile)
            p = pull(port, "team/app", os.path.join(work, "pulled-opt"))
            log = gate.text()
            ok(p.returncode == 0 and "scanned, allow" in log,
               "credentials from --authfile: scanned, recorded, served", p.stderr + log[-1500:])
            logs = "".join(open(os.path.join(work, n)).read()
                           for n in ("gate-anon.log", "gate-env.log", "gate-opt.log"))
            ok(PASSWORD not in logs and b64(f"{USER}:{PASSWORD}") not in logs,
               "the password appears in no gate log", "")
        finally:
            if gate is not None:
                gate.stop()
            up.stop()
    sys.exit(1 if TAP.failed else 0)


if __name__ == "__main__":
    main()
