#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Registry credentials from the auth files (TAP): Debian's docker-registry is started on
loopback with `auth: htpasswd` (a bcrypt entry made here), an image is pushed with skopeo, and
`customs sbom` reads it with credentials found in $REGISTRY_AUTH_FILE, --authfile,
${XDG_RUNTIME_DIR}/containers/auth.json and ~/.docker/config.json ("auth" in base64,
username/password, credHelpers and credsStore running a docker-credential-* program written
here, which records what it was asked). The order of precedence, wrong and missing
credentials, malformed files, a failing, silent or babbling helper: each is a clear exit 2,
and no secret ever appears in customs' output.
Skips (77) without /usr/bin/docker-registry or skopeo.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from tap import TAP, ok  # noqa: E402
from registry import CUSTOMS, REGISTRY, SRC, Registry, mkimage  # noqa: E402

USER = "ledger-ci"
PASSWORD = "Pw-7f3a9c1e-never-printed"
BAD_PASSWORD = "Wrong-5b2d8e-never-printed"


def bcrypt_hash(password):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))


def b64(s):
    return base64.b64encode(s.encode()).decode()


class Env:
    """A clean environment: HOME, XDG_RUNTIME_DIR and PATH (with the helpers) under `work`."""

    def __init__(self, work, name):
        self.root = os.path.join(work, name)
        self.home = os.path.join(self.root, "home")
        self.runtime = os.path.join(self.root, "run")
        self.bin = os.path.join(self.root, "bin")
        for d in (self.home, self.runtime, self.bin):
            os.makedirs(d)
        self.vars = {"HOME": self.home, "XDG_RUNTIME_DIR": self.runtime,
                     "PATH": self.bin + ":/usr/bin:/bin"}

    def write(self, rel, doc):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return path

    def helper(self, name, body):
        """A docker-credential-NAME program: python, `body` given the server as `server`."""
        path = os.path.join(self.bin, "docker-credential-" + name)
        with open(path, "w") as f:
            f.write("#!/usr/bin/python3\nimport json, sys, time\n"
                    "server = sys.stdin.read()\n"
                    f"open({os.path.join(self.root, name + '.asked')!r}, 'a')"
                    ".write(' '.join(sys.argv[1:]) + ' ' + server + '\\n')\n" + body)
        os.chmod(path, 0o755)

    def asked(self, name):
        try:
            return open(os.path.join(self.root, name + ".asked")).read()
        except OSError:
            return ""

    def run(self, *args):
        env = {k: v for k, v in os.environ.items()
               if k not in ("REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "XDG_RUNTIME_DIR", "HOME")}
        env.update(self.vars)
        return subprocess.run([CUSTOMS, *args], capture_output=True, text=True, env=env)


def clean(p):
    return PASSWORD not in p.stderr + p.stdout and BAD_PASSWORD not in p.stderr + p.stdout


def main():
    if not os.access(REGISTRY, os.X_OK) or shutil.which("skopeo") is None:
        print("1..0 # SKIP needs docker-registry (Debian package docker-registry) and skopeo")
        sys.exit(77)
    print("1..19")
    with tempfile.TemporaryDirectory() as work:
        layout = mkimage(work, os.path.join(SRC, "demo", "recipe.json"), "oci-dir",
                         os.path.join(work, "ledger"))
        htpasswd = os.path.join(work, "htpasswd")
        with open(htpasswd, "w") as f:
            f.write(f"{USER}:{bcrypt_hash(PASSWORD)}\n")
        reg = Registry(work, "basic", f"auth:\n  htpasswd:\n    realm: customs-test\n"
                                      f"    path: {htpasswd}\n")
        try:
            reg.push(f"oci:{layout}", "team/ledger:1", f"--dest-creds={USER}:{PASSWORD}")
            ref = f"{reg.host}/team/ledger:1"
            sbom = ["sbom", "-q", "-f", "json", "--insecure", "--timeout", "20"]
            good = {"auths": {reg.host: {"auth": b64(f"{USER}:{PASSWORD}")}}}
            bad = {"auths": {reg.host: {"auth": b64(f"{USER}:{BAD_PASSWORD}")}}}

            e = Env(work, "anon")
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "401" in p.stderr and "user name and password" in p.stderr
               and p.stderr.count("\n") == 1,
               "no credentials anywhere: exit 2, one line saying the registry wants them", p.stderr)

            e = Env(work, "envfile")
            e.vars["REGISTRY_AUTH_FILE"] = e.write("auth.json", good)
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and len(json.loads(p.stdout or "{}").get("packages", [])) > 10
               and clean(p),
               "$REGISTRY_AUTH_FILE: auths with base64 auth reads the image", p.stderr)

            e = Env(work, "authfile-opt")
            path = e.write("elsewhere.json", good)
            e.vars["REGISTRY_AUTH_FILE"] = e.write("auth.json", bad)
            p = e.run(*sbom, "--authfile", path, ref)
            ok(p.returncode == 0 and clean(p), "--authfile FILE wins over $REGISTRY_AUTH_FILE",
               p.stderr)

            e = Env(work, "xdg")
            e.write("run/containers/auth.json", good)
            e.write("home/.docker/config.json", bad)
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and clean(p),
               "${XDG_RUNTIME_DIR}/containers/auth.json, before ~/.docker/config.json", p.stderr)

            e = Env(work, "envonly")
            e.vars["REGISTRY_AUTH_FILE"] = e.write("auth.json", bad)
            e.write("run/containers/auth.json", good)
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "401" in p.stderr and clean(p),
               "$REGISTRY_AUTH_FILE is the only file read: its wrong password is exit 2, never "
               "printed", p.stderr)

            e = Env(work, "docker-userpass")
            e.write("home/.docker/config.json",
                    {"auths": {f"http://{reg.host}/v2/": {"username": USER, "password": PASSWORD}},
                     "HttpHeaders": {"User-Agent": "x"}})
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and clean(p),
               "~/.docker/config.json: username/password under a URL key", p.stderr)

            e = Env(work, "namespace-key")
            e.vars["REGISTRY_AUTH_FILE"] = e.write("auth.json", {"auths": {
                reg.host: {"auth": b64(f"{USER}:{BAD_PASSWORD}")},
                f"{reg.host}/team": {"auth": b64(f"{USER}:{PASSWORD}")},
                f"{reg.host}/teamwork": {"auth": b64(f"{USER}:{BAD_PASSWORD}")}}})
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and clean(p),
               "a namespace key (HOST/team) is used for its repositories, over the host's",
               p.stderr)
            e.vars["REGISTRY_AUTH_FILE"] = e.write("auth.json", {"auths": {
                reg.host: {"auth": b64(f"{USER}:{PASSWORD}")},
                f"{reg.host}/team/ledger": {"auth": b64(f"{USER}:{BAD_PASSWORD}")}}})
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "401" in p.stderr and clean(p),
               "a repository key (HOST/team/ledger) is more specific than the host's", p.stderr)

            e = Env(work, "docker-config-env")
            e.vars["DOCKER_CONFIG"] = os.path.join(e.root, "dockercfg")
            e.write("dockercfg/config.json", good)
            e.write("home/.docker/config.json", bad)
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and clean(p), "$DOCKER_CONFIG/config.json replaces ~/.docker",
               p.stderr)

            e = Env(work, "helper")
            e.helper("vault", f"print(json.dumps({{'ServerURL': server, 'Username': {USER!r}, "
                              f"'Secret': {PASSWORD!r}}}))\n")
            e.write("home/.docker/config.json",
                    {"auths": {reg.host: {"auth": b64(f"{USER}:{BAD_PASSWORD}")}},
                     "credHelpers": {reg.host: "vault", "other.example": "nope"}})
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and clean(p) and e.asked("vault") == f"get {reg.host}\n",
               "credHelpers: docker-credential-NAME get, the host on stdin, wins over auths",
               p.stderr + e.asked("vault"))

            e = Env(work, "store")
            e.helper("desktop", f"print(json.dumps({{'ServerURL': server, 'Username': {USER!r}, "
                                f"'Secret': {PASSWORD!r}}}))\n")
            e.write("home/.docker/config.json", {"auths": {reg.host: {}}, "credsStore": "desktop"})
            p = e.run(*sbom, ref)
            ok(p.returncode == 0 and clean(p) and e.asked("desktop") == f"get {reg.host}\n",
               "credsStore for a registry whose auths entry is empty", p.stderr)

            e = Env(work, "store-notfound")
            e.helper("desktop", "print('credentials not found in native keychain')\nsys.exit(1)\n")
            e.write("home/.docker/config.json", {"credsStore": "desktop"})
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "user name and password" in p.stderr,
               "a helper that has nothing: anonymous (the registry's 401 is the error)", p.stderr)

            e = Env(work, "helper-fails")
            e.helper("leaky", f"print('cannot reach the vault, token was {PASSWORD}')\n"
                              "sys.stderr.write('" + PASSWORD + "')\nsys.exit(3)\n")
            e.write("home/.docker/config.json", {"credsStore": "leaky"})
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "docker-credential-leaky" in p.stderr
               and "exit status 3" in p.stderr and clean(p),
               "a failing helper: exit 2 naming it and its status, nothing of its output", p.stderr)

            e = Env(work, "helper-babbles")
            e.helper("babble", "sys.stdout.write('x' * (1 << 20))\n")
            e.write("home/.docker/config.json", {"credsStore": "babble"})
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "more than" in p.stderr and "docker-credential-babble"
               in p.stderr, "a helper writing 1 MiB: cut at 64 KiB, exit 2", p.stderr)

            e = Env(work, "helper-missing")
            e.write("home/.docker/config.json", {"credHelpers": {reg.host: "absent"}})
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "docker-credential-absent" in p.stderr,
               "a helper that is not installed: exit 2 naming it", p.stderr)

            e = Env(work, "helper-name")
            e.write("home/.docker/config.json", {"credHelpers": {reg.host: "../../bin/sh"}})
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "not a credential helper name" in p.stderr,
               "a helper name with a path is refused, never run", p.stderr)

            e = Env(work, "malformed")
            path = e.write("run/containers/auth.json",
                           '{"auths": {"%s": {"auth": "%s!!"}}}' % (reg.host, PASSWORD))
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and path in p.stderr and f'auths."{reg.host}".auth' in p.stderr
               and clean(p),
               "auth that is not base64: exit 2 naming the file and the key, not the value",
               p.stderr)

            e = Env(work, "truncated")
            path = e.write("run/containers/auth.json",
                           '{"auths": {"%s": {"auth": "%s' % (reg.host, PASSWORD))
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and path + ":1:" in p.stderr and clean(p),
               "a truncated file: exit 2 with the line and column, not the text", p.stderr)

            e = Env(work, "namespace")
            e.write("run/containers/auth.json",
                    {"auths": {f"{reg.host}/other": {"auth": b64(f'{USER}:{PASSWORD}')}}})
            p = e.run(*sbom, ref)
            ok(p.returncode == 2 and "401" in p.stderr,
               "a namespace-scoped key (HOST/NS) is not the whole host's credentials", p.stderr)
        finally:
            reg.stop()
    sys.exit(1 if TAP.failed else 0)


if __name__ == "__main__":
    main()
