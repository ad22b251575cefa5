#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench, the vetted-registry gate: on loopback, Debian's docker-registry as the upstream and
`customs registry` (plain HTTP) in front of it, measured in the same run:
  - manifest GET of an allowed image by digest: wrk against the upstream directly (the floor)
    and through the gate, alternating ROUNDS times, with CONNS connections (saturating the
    cores) and with one (requests one at a time); latency p50/p99, the p99 the gate adds (the
    gate fetches the manifest from the upstream, hashes it and judges it) and the gate's own
    CPU time per request;
  - a blob of BLOB_MB MiB (random bytes) read with curl into /dev/null, directly and through
    the gate; throughput and the gate's share of the direct one (goal >= 0.90), and the CPU time
    per GiB of the upstream, curl and the gate: where the cores are the limit, the ratio cannot
    exceed (upstream + curl) / (upstream + curl + gate).
    python3 bench/gate.py BUILD_DIR     (ROUNDS=3, BENCH_SECONDS=10, CONNS=8, BLOB_MB=1024)"""
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from measure import children_cpu, cpu_seconds, ms  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "tests", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))
import gate as G  # noqa: E402  (the end-to-end test's servers and images)
import policy as P  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNS = int(os.environ.get("CONNS", "8"))
BLOB_MB = int(os.environ.get("BLOB_MB", "1024"))


def wrk(url, lua, conns=CONNS):
    out = subprocess.run(["wrk", f"-t{min(2, conns)}", f"-c{conns}", "--latency", "-d", f"{SECONDS}s",
                          "-s", lua, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(bad.group(1)) if bad else 0


def push_blob(port, name, mb):
    """Upload MB MiB of random bytes as one blob (monolithic POST + PUT), streamed."""
    h = hashlib.sha256()
    chunk = os.urandom(1 << 20)
    for i in range(mb):
        h.update(chunk)
    digest = "sha256:" + h.hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v2/{name}/blobs/uploads/", method="POST",
                                 data=b"")
    with urllib.request.urlopen(req) as r:
        loc = r.headers["Location"]
    if loc.startswith("/"):
        loc = f"http://127.0.0.1:{port}{loc}"
    sep = "&" if "?" in loc else "?"

    def body():
        for i in range(mb):
            yield chunk
    req = urllib.request.Request(f"{loc}{sep}digest={digest}", method="PUT", data=body(),
                                 headers={"Content-Length": str(mb << 20),
                                          "Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req) as r:
        assert r.status == 201, r.status
    return digest


def curl_mbps(url):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download} %{http_code}", url],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "200", out
    return float(out[0]) / (1 << 20)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    G.CUSTOMS = os.path.realpath(os.path.join(build, "customs"))
    with tempfile.TemporaryDirectory() as work:
        osv = os.path.join(work, "osv")
        for rec in P.OSV:
            P.write(os.path.join(osv, rec["id"] + ".json"), json.dumps(rec))
        db = os.path.join(work, "vuln.db")
        subprocess.run([G.CUSTOMS, "db", "build", "-o", db, osv], check=True, capture_output=True)
        clean = G.oci_image(work, "clean", {"app/node_modules/leftpad/package.json": P.leftpad("1.3.1")})
        policy = os.path.join(work, "policy.yaml")
        P.write(policy, P.POLICY_HEAD + "images: {unknown: deny, vulnerabilities: {deny: [CRITICAL]}}\n")
        store = os.path.join(work, "verdicts.db")
        subprocess.run([G.CUSTOMS, "scan", "-q", "-f", "json", "-o", os.devnull, "--db", db,
                        "--policy", policy, "--record", store, f"oci:{clean}"], capture_output=True)
        upstream, uport = G.start_upstream(work)
        gate = None
        try:
            p = G.skopeo_copy(f"oci:{clean}:1", f"docker://127.0.0.1:{uport}/clean:1")
            assert p.returncode == 0, p.stderr
            gate, gport = G.start_gate(work, uport, policy, store, db)
            digest = G.manifest_digest(clean)
            lua = os.path.join(work, "accept.lua")
            P.write(lua, 'wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"\n')
            path = f"/v2/clean/manifests/{digest}"
            runs = {}  # (label, connections) -> [(req/s, p50, p99, non-2xx, gate CPU us/req)]
            for _ in range(ROUNDS):
                for conns in (CONNS, 1):
                    for label, port in (("upstream", uport), ("gate", gport)):
                        c0 = cpu_seconds(gate.proc.pid)
                        r = wrk(f"http://127.0.0.1:{port}{path}", lua, conns)
                        us = (cpu_seconds(gate.proc.pid) - c0) / max(r[0] * SECONDS, 1) * 1e6
                        runs.setdefault((label, conns), []).append(r + (us,))
            med = lambda key, i: statistics.median(r[i] for r in runs[key])  # noqa: E731
            print(f"manifest GET by digest, {ROUNDS} rounds of {SECONDS} s (medians), "
                  f"load average {os.getloadavg()[0]:.1f}:")
            print(f"  {'':16} {'req/s':>9} {'p50_ms':>8} {'p99_ms':>8} {'non-2xx':>8}")
            for conns in (CONNS, 1):
                for label in ("upstream", "gate"):
                    key = (label, conns)
                    print(f"  {label:8} {conns:2} conn {med(key, 0):9.0f} {med(key, 1):8.2f} "
                          f"{med(key, 2):8.2f} {sum(r[3] for r in runs[key]):8d}")
                print(f"  {conns} connection(s): p99 added by the gate "
                      f"{med(('gate', conns), 2) - med(('upstream', conns), 2):.2f} ms (goal <= 2 ms); "
                      f"throughput ratio {med(('gate', conns), 0) / med(('upstream', conns), 0):.2f}")
            print(f"  gate CPU per manifest GET: {med(('gate', CONNS), 4):.0f} us "
                  f"({med(('gate', 1), 4):.0f} us one at a time)")
            blob = push_blob(uport, "big", BLOB_MB)
            d, t, cpu = [], [], {"upstream": 0.0, "curl": 0.0, "gate": 0.0}
            for _ in range(ROUNDS):
                for out, port in ((d, uport), (t, gport)):
                    u0, g0 = cpu_seconds(upstream.proc.pid), cpu_seconds(gate.proc.pid)
                    k0 = children_cpu()
                    out.append(curl_mbps(f"http://127.0.0.1:{port}/v2/big/blobs/{blob}"))
                    cpu["upstream"] += cpu_seconds(upstream.proc.pid) - u0
                    cpu["curl"] += children_cpu() - k0
                    cpu["gate"] += cpu_seconds(gate.proc.pid) - g0
            gib = lambda k, n: cpu[k] / n / (BLOB_MB / 1024)  # noqa: E731
            up, cu, ga = gib("upstream", 2 * ROUNDS), gib("curl", 2 * ROUNDS), gib("gate", ROUNDS)
            print(f"blob of {BLOB_MB} MiB, curl to /dev/null (medians of {ROUNDS}), load average "
                  f"{os.getloadavg()[0]:.1f}: upstream {statistics.median(d):.0f} MiB/s, gate "
                  f"{statistics.median(t):.0f} MiB/s, ratio "
                  f"{statistics.median(t) / statistics.median(d):.2f} (goal >= 0.90)")
            print(f"  CPU per GiB: upstream {up:.2f} s, curl {cu:.2f} s, gate {ga:.2f} s; with the "
                  f"cores the limit, the ratio is at most {(up + cu) / (up + cu + ga):.2f}")
        finally:
            if gate is not None:
                gate.stop()
            upstream.stop()


if __name__ == "__main__":
    main()
