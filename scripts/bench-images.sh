#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench-images.sh [OUT]: make sure the real benchmark images from ../shared/bench/make-images.sh
# exist in OUT (default: $CUSTOMS_BENCH_IMAGES, else bench-images/ next to the checkout), and
# print OUT on stdout. Builds only what is missing; by default the CI subset
# IMAGES="debian-bookworm-minbase node-app" (set IMAGES to build others, e.g. "... big").
# Building needs root, debootstrap, umoci, skopeo, npm and the network (about a minute for the
# Debian rootfs); finished images are never rebuilt.
# Exit: 0 ready, 1 failed, 77 ../shared/bench is not there (callers treat it as "skip").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${CUSTOMS_SHARED:-$root/../shared}
out=$(realpath -m "${1:-${CUSTOMS_BENCH_IMAGES:-$root/../bench-images}}")
images=${IMAGES:-debian-bookworm-minbase node-app}

missing=()
for name in $images; do
    if [ ! -f "$out/oci/$name/index.json" ] || [ ! -f "$out/docker-archive/$name.tar" ]; then
        missing+=("$name")
    fi
done
case " $images " in
    *" node-app "*) [ -f "$out/oci/node-app-zstd/index.json" ] || missing+=(node-app-zstd) ;;
esac
if [ ${#missing[@]} -eq 0 ]; then
    echo "$out"
    exit 0
fi

script=$shared/bench/make-images.sh
if [ ! -f "$script" ]; then
    echo "bench-images: $script not found; cannot build ${missing[*]}" >&2
    exit 77
fi
if [ "$(id -u)" != 0 ]; then
    echo "bench-images: building ${missing[*]} needs root; run:" >&2
    echo "  sudo IMAGES=\"$images\" bash $script $out" >&2
    exit 1
fi
echo "bench-images: building ${missing[*]} in $out" >&2
IMAGES="$images" bash "$script" "$out" >&2
echo "$out"
