# SPDX-License-Identifier: Apache-2.0
"""Helpers of the webhook tests: a self-signed certificate made by openssl, and `customs admit`
started on a free loopback port."""
import os
import subprocess
import time


def make_cert(tmp):
    """tls.key and tls.crt for localhost / 127.0.0.1 in `tmp`; returns (key, crt)."""
    key, crt = os.path.join(tmp, "tls.key"), os.path.join(tmp, "tls.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt, "-days",
                    "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True,
                   capture_output=True)
    return key, crt


def start(cmd, err_path):
    """Run `cmd` (a `customs admit` listening on 127.0.0.1:0) with stderr to `err_path`; returns
    (process, stderr file, port), port None when it exits before listening."""
    err = open(err_path, "w+")
    proc = subprocess.Popen(cmd, stderr=err)
    port = None
    while port is None and proc.poll() is None:
        time.sleep(0.05)
        for line in open(err_path):
            if "listening on https://127.0.0.1:" in line:
                port = int(line.split("127.0.0.1:")[1].split()[0])
    return proc, err, port
