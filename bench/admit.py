#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench, the admission webhook: wrk over TLS on loopback against `/validate` with a
realistic Deployment review (bench/data/deployment-review.json: an Argo CD UPDATE of a
two-container Deployment with an init container, managedFields and oldObject, 9 KB) and against
`/healthz` (the floor: the same HTTP + TLS stack doing no work), in the same run, alternating
ROUNDS times; prints requests/s, latency p50/p99/max, errors and the ratio validate/healthz
(medians over the rounds); then /validate paced at RATE requests/s (bench/admit.lua sends on
a fixed schedule over CONNS connections, whatever the latency) for p99 at a fixed load. wrk runs
on the same machine as the server and takes its share of the cores.
    python3 bench/admit.py BUILD_DIR     (ROUNDS=3, BENCH_SECONDS=10, RATE=2000, CONNS=32)"""
import json
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from measure import children_cpu, cpu_seconds, ms  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
RATE = int(os.environ.get("RATE", "2000"))
CONNS = int(os.environ.get("CONNS", "32"))
REVIEW = os.path.join(HERE, "data", "deployment-review.json")


def wrk(url, *extra, env=None, pid=None):
    """One wrk run: requests/s, p50, p99, max (ms), errors (socket errors + non-2xx), (with
    pid) the server's CPU time per request and wrk's own, in microseconds."""
    before = cpu_seconds(pid) if pid else 0
    client = children_cpu()
    out = subprocess.run(["wrk", "-t2", "--latency", "-d", f"{SECONDS}s", *extra, url],
                         capture_output=True, text=True, env=env, check=True).stdout
    used = cpu_seconds(pid) - before if pid else 0
    client = children_cpu() - client
    total = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    lmax = ms(re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", out, re.M).group(1))
    errors = 0
    se = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if se:
        errors += sum(int(x) for x in se.groups())
    nx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if nx:
        errors += int(nx.group(1))
    return rps, p50, p99, lmax, errors, used * 1e6 / max(total, 1), client * 1e6 / max(total, 1)


STORE_POLICY = """apiVersion: customs/v1
kind: Policy
podSecurity: {level: restricted, version: latest}
images:
  unknown: deny
  vulnerabilities: {deny: [CRITICAL], warn: [MEDIUM]}
"""
OSV_MEDIUM = ('{"schema_version": "1.6.0", "id": "GHSA-med0-0000-0002", "aliases": ["CVE-2031-0002"], '
              '"modified": "2031-01-01T00:00:00Z", "summary": "moderate in leftpad, no fix", '
              '"affected": [{"package": {"ecosystem": "npm", "name": "leftpad"}, "ranges": '
              '[{"type": "SEMVER", "events": [{"introduced": "0"}]}]}], '
              '"database_specific": {"severity": "MODERATE"}}')


def store_review(customs, tmp):
    """A store holding the review's two images (api and envoy, each a tiny image with one npm
    package that has a MEDIUM vulnerability) and the review naming them by their recorded
    digests: (policy, store, review path)."""
    osv = os.path.join(tmp, "osv")
    os.mkdir(osv)
    with open(os.path.join(osv, "a.json"), "w") as f:
        f.write(OSV_MEDIUM)
    db, store = os.path.join(tmp, "vuln.db"), os.path.join(tmp, "verdicts.db")
    policy = os.path.join(tmp, "policy.yaml")
    with open(policy, "w") as f:
        f.write(STORE_POLICY)
    subprocess.run([customs, "db", "build", "-o", db, osv], check=True, capture_output=True)
    text = open(REVIEW).read()
    mkimage = os.path.join(HERE, "..", "tests", "support", "mkimage.py")
    for ref in re.findall(r'"image":"([^"@]+@sha256:[0-9a-f]{64})"', text):
        name, old = ref.split("@")
        if old not in text or name.endswith(":2.14.2"):
            continue  # the oldObject's image is not judged
        recipe = {"repo_tag": name, "config": {"os": "linux", "architecture": "amd64",
                                               "Labels": {"name": name}},
                  "layers": [{"compression": "gzip", "entries": [
                      {"path": "app/node_modules/leftpad/package.json", "type": "file",
                       "content": '{"name": "leftpad", "version": "1.3.0", "license": "MIT"}'}]}]}
        rpath, image = os.path.join(tmp, "recipe.json"), os.path.join(tmp, "image.tar")
        with open(rpath, "w") as f:
            json.dump(recipe, f)
        subprocess.run([sys.executable, mkimage, rpath, "--format", "docker-archive", "--out",
                        image], check=True, capture_output=True)
        out = os.path.join(tmp, "scan.json")
        p = subprocess.run([customs, "scan", "-q", "-f", "json", "-o", out, "--db", db,
                            "--policy", policy, "--record", store, image], capture_output=True)
        assert p.returncode in (0, 1), p.stderr
        digest = json.load(open(out))["target"]["config_digest"]
        text = text.replace(old, digest)
    path = os.path.join(tmp, "store-review.json")
    with open(path, "w") as f:
        f.write(text)
    return policy, store, path


def start_server(args, log):
    """The server's process and port (read from its log)."""
    err = open(log, "w+")
    server = subprocess.Popen(args, stderr=err)
    port = None
    while port is None and server.poll() is None:
        time.sleep(0.05)
        m = re.search(r"127\.0\.0\.1:(\d+)", open(log).read())
        port = int(m.group(1)) if m else None
    return server, port


def admitted(base, crt, review, needle):
    """POST the review once: it must be admitted, and the answer must hold `needle`."""
    ctx = ssl.create_default_context(cafile=crt)
    req = urllib.request.Request(base + "/validate", data=open(review, "rb").read(),
                                 headers={"Content-Type": "application/json"})
    answer = urllib.request.urlopen(req, context=ctx).read()
    assert b'"allowed":true' in answer and needle in answer, answer


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    customs = os.path.abspath(os.path.join(build, "src", "cli", "customs"))
    for tool in ("wrk", "openssl"):
        if shutil.which(tool) is None:
            print(f"admit bench: skipped ({tool} not found)")
            return 0
    with tempfile.TemporaryDirectory() as tmp:
        key, crt = os.path.join(tmp, "tls.key"), os.path.join(tmp, "tls.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        server, port = start_server([customs, "admit", "--listen", "127.0.0.1:0", "--tls-cert",
                                     crt, "--tls-key", key, "-l", "restricted",
                                     "--max-connections", "4096"],
                                    os.path.join(tmp, "server.log"))
        try:
            base = f"https://127.0.0.1:{port}"
            admitted(base, crt, REVIEW, b"0d4f8c2a")
            env = dict(os.environ, REVIEW=REVIEW)
            lua = os.path.join(HERE, "admit.lua")
            wrk(base + "/healthz", "-c32", "-d2s")  # warm-up
            runs = {"/healthz": [], "/validate": []}
            for _ in range(ROUNDS):
                runs["/healthz"].append(wrk(base + "/healthz", "-c32", pid=server.pid))
                runs["/validate"].append(wrk(base + "/validate", "-c32", "-s", lua, env=env,
                                             pid=server.pid))
            print(f"admission webhook, wrk -t2 -c32 over TLS on loopback, {ROUNDS} x {SECONDS} s "
                  "each (medians)")
            print(f"{'endpoint':<12} {'req/s':>9} {'p50_ms':>8} {'p99_ms':>8} {'max_ms':>8} "
                  f"{'errors':>7} {'server_cpu_us/req':>18} {'wrk_cpu_us/req':>15}")
            med = {}
            for ep, rs in runs.items():
                med[ep] = [statistics.median(r[i] for r in rs) for i in range(7)]
                errors = sum(r[4] for r in rs)
                print(f"{ep:<12} {med[ep][0]:9.0f} {med[ep][1]:8.3f} {med[ep][2]:8.3f} "
                      f"{max(r[3] for r in rs):8.3f} {errors:7d} {med[ep][5]:18.1f} "
                      f"{med[ep][6]:15.1f}")
            print(f"ratio /validate / /healthz throughput: {med['/validate'][0] / med['/healthz'][0]:.2f}")
            print("ratio /healthz / /validate server CPU per request: "
                  f"{med['/healthz'][5] / med['/validate'][5]:.2f}; server + wrk: "
                  f"{(med['/healthz'][5] + med['/healthz'][6]) / (med['/validate'][5] + med['/validate'][6]):.2f}")
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
            paced = wrk(base + "/validate", f"-c{CONNS}", "-s", lua,
                        env=dict(env, RATE=str(RATE)), pid=server.pid)
            print(f"/validate paced at {RATE} req/s ({CONNS} connections): {paced[0]:.0f} req/s, "
                  f"p50 {paced[1]:.3f} ms, p99 {paced[2]:.3f} ms, max {paced[3]:.3f} ms, "
                  f"{paced[4]} errors, server CPU {paced[5]:.1f} us/request")
        finally:
            server.terminate()
            server.wait()
        policy, store, review = store_review(customs, tmp)
        server, port = start_server([customs, "admit", "--listen", "127.0.0.1:0", "--tls-cert",
                                     crt, "--tls-key", key, "--policy", policy, "--store", store,
                                     "--max-connections", "4096"],
                                    os.path.join(tmp, "server-store.log"))
        try:
            base = f"https://127.0.0.1:{port}"
            admitted(base, crt, review, b"CVE-2031-0002")
            env = dict(os.environ, REVIEW=review)
            lua = os.path.join(HERE, "admit.lua")
            rs = [wrk(base + "/validate", "-c32", "-s", lua, env=env, pid=server.pid)
                  for _ in range(ROUNDS)]
            med = [statistics.median(r[i] for r in rs) for i in range(6)]
            print(f"/validate with --policy and --store (SQLite; the review's 3 containers' "
                  f"images recorded), wrk -t2 -c32, {ROUNDS} x {SECONDS} s (medians): "
                  f"{med[0]:.0f} req/s, p50 {med[1]:.3f} ms, p99 {med[2]:.3f} ms, "
                  f"{sum(r[4] for r in rs)} errors, server CPU {med[5]:.1f} us/request")
            paced = wrk(base + "/validate", f"-c{CONNS}", "-s", lua,
                        env=dict(env, RATE=str(RATE)), pid=server.pid)
            print(f"/validate with --store paced at {RATE} req/s: {paced[0]:.0f} req/s, p50 "
                  f"{paced[1]:.3f} ms, p99 {paced[2]:.3f} ms, max {paced[3]:.3f} ms, "
                  f"{paced[4]} errors, server CPU {paced[5]:.1f} us/request")
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        finally:
            server.terminate()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
