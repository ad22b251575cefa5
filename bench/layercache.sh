#!/bin/sh
# make bench, issue 17 target 3: the layer cache. For each bench image, a warm re-scan (every
# layer served from the cache, nothing read) against a cold scan (--no-cache: every layer read),
# the two back to back RUNS times after a warm-up of each (which fills the cache), medians.
# Target: warm / cold <= 0.05. Also the cache's size for the image.
#   sh bench/layercache.sh CUSTOMS IMAGES RESULTS   (called by bench/run.sh)
set -eu
CUSTOMS=$1 IMAGES=$2 RES=$3
: "${RUNS:=5}"
. "$(dirname "$0")/lib.sh"

echo
printf '%-24s %8s %8s %7s %9s %9s\n' image cold_s warm_s ratio cache_MB warm_RSS
for L in "$IMAGES"/oci/*; do
    name=${L##*/}
    C="$RES/layercache-$name"
    rm -rf "$C"
    set -- $(paired "$CUSTOMS scan -q --no-cache --format json -o /dev/null oci:$L" \
        "$CUSTOMS scan -q --cache-dir $C --format json -o /dev/null oci:$L")
    rss=$(/usr/bin/time -f %M "$CUSTOMS" scan -q --cache-dir "$C" --format json -o /dev/null \
        "oci:$L" 2>&1 >/dev/null | tail -n1)
    size=$(du -sk "$C/layers" | cut -f1)
    awk -v n="$name" -v c="$1" -v w="$2" -v r="$3" -v s="$size" -v m="$rss" 'BEGIN {
        printf "%-24s %8.3f %8.3f %7.3f %9.1f %9.1f\n", n, c, w, r, s / 1024, m / 1024 }'
    rm -rf "$C"
done | tee "$RES/layercache.txt"
echo "cold = customs scan --no-cache (every layer read); warm = the same scan served from the layer"
echo "cache (no layer read; vulnerabilities matched anew); ratio = median of warm / cold over pairs"
echo "run back to back (target <= 0.05); cache_MB = the image's entries; warm_RSS = peak MB, warm."
