#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make-demo.sh OUT: build the demo image (demo/recipe.json, from the text files under
# demo/rootfs-layers/) as OUT/ledger-oci (OCI image layout) and OUT/ledger.tar (docker save).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: make-demo.sh OUT}
py=/usr/bin/python3
[ -x "$py" ] || py=python3
mkdir -p "$out"
rm -rf "$out/ledger-oci" "$out/ledger.tar"
"$py" "$root/tests/support/mkimage.py" "$root/demo/recipe.json" --format oci-dir \
    --out "$out/ledger-oci"
"$py" "$root/tests/support/mkimage.py" "$root/demo/recipe.json" --format docker-archive \
    --out "$out/ledger.tar"
echo "demo image: $out/ledger.tar (docker-archive) and oci:$out/ledger-oci (OCI layout)"
