#!/bin/sh
# Build the shared bench/test images into OUT (default build/bench-images) unless they are
# there already: a debootstrapped Debian 12 rootfs as a directory, OCI layout and `docker save`
# tar, and the 6-layer Node app (gzip and zstd). Needs root, ../shared, and the network to
# Debian's mirror and the npm registry. The reality suite and `make bench` use them.
set -eu
OUT=$(realpath -m "${1:-build/bench-images}")
SHARED=$(dirname "$0")/../../shared
if [ -f "$OUT/MANIFEST.tsv" ] && [ -d "$OUT/oci/node-app-zstd" ]; then
    exit 0
fi
if [ ! -f "$SHARED/bench/make-images.sh" ]; then
    echo "bench-images: ../shared is absent; cannot build the bench images" >&2
    exit 1
fi
sh "$(dirname "$0")/deps.sh" debootstrap umoci skopeo zstd openssl python3
command -v npm >/dev/null 2>&1 || sh "$(dirname "$0")/deps.sh" npm
mkdir -p "$(dirname "$OUT")"
echo "bench-images: building into $OUT (a few minutes, once)" >&2
IMAGES="debian-bookworm-minbase node-app" bash "$SHARED/bench/make-images.sh" "$OUT" >"$OUT.log" 2>&1 ||
    { tail -n 30 "$OUT.log" >&2; exit 1; }
