#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Scanning from a loopback docker-registry vs the same image as an OCI layout (sbom, wall time,
# hyperfine): prints both means and their ratio (goal <= 1.1). Needs docker-registry, skopeo,
# hyperfine and the bench images (build/bench-images). Usage: bench/registry.sh [BUILD] [IMAGE]
set -eu
BUILD=${1:-build}
IMAGE=${2:-debian-bookworm-minbase}
LAYOUT=$BUILD/bench-images/oci/$IMAGE
CUSTOMS=$BUILD/src/cli/customs
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/store\nhttp:\n  addr: 127.0.0.1:%s\n' "$WORK" "$PORT" > "$WORK/config.yml"
/usr/bin/docker-registry serve "$WORK/config.yml" > "$WORK/log" 2>&1 &
REG=$!
trap 'kill $REG; rm -rf "$WORK"' EXIT
sleep 1
skopeo copy --quiet --dest-tls-verify=false "oci:$LAYOUT" "docker://127.0.0.1:$PORT/bench:1"
hyperfine -N -w 2 -r 10 --export-json "$WORK/h.json" \
    "$CUSTOMS sbom -q --no-cache -f json -o /dev/null oci:$LAYOUT" \
    "$CUSTOMS sbom -q --no-cache -f json -o /dev/null --insecure 127.0.0.1:$PORT/bench:1" > /dev/null
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; a,b=r[0]["mean"],r[1]["mean"]; print(f"registry vs layout ({sys.argv[2]}): layout {a:.3f} s, registry {b:.3f} s, ratio {b/a:.2f}")' "$WORK/h.json" "$IMAGE"
