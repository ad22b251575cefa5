#!/bin/sh
# make bench, issue 17: one line per target, each a ratio against its baseline measured in this
# run (the two commands back to back, RUNS pairs, median of the per-pair ratios: a shared
# machine's drifting speed slows both sides alike), with the target beside it.
#   sh bench/targets.sh CUSTOMS IMAGES RESULTS   (called last by bench/run.sh; it reads the
#   layer cache's and the scale table's results, $RES/layercache.txt and $RES/scale.txt)
set -eu
CUSTOMS=$1 IMAGES=$2 RES=$3
: "${RUNS:=5}"
. "$(dirname "$0")/lib.sh"

line() { # line NAME VALUE TARGET_TEXT VERDICT
    printf '%-58s %-22s %-16s %s\n' "$1" "$2" "$3" "$4"
}
verdict() { # verdict VALUE OP LIMIT: "met" or "missed"
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "<=" ? v <= l : v >= l; print ok ? "met" : "missed" }'
}

echo
echo "issue 17 targets (load average at start: $(cut -d' ' -f1-3 /proc/loadavg))"
line target measured target ""

# 1. sbom against zcat of the same layers, and sbom's peak RSS, on the ~1 GB image
BIG="$IMAGES/oci/big"
[ -d "$BIG" ] || BIG=$(ls -d "$IMAGES"/oci/* | head -n1)
blobs=$(layers_of "$BIG" | tr "\n" " ")
set -- $(paired "sh -c 'gzip -dc $blobs >/dev/null'" "$CUSTOMS sbom -q --no-cache --format json -o /dev/null oci:$BIG")
line "1. sbom / zcat, ${BIG##*/}" "$3 ($2 s / $1 s)" "<= 0.20" "$(verdict "$3" "<=" 0.20)"
rss=$(/usr/bin/time -f %M "$CUSTOMS" sbom -q --no-cache --format json -o /dev/null "oci:$BIG" 2>&1 >/dev/null | tail -n1)
mb=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
line "1. sbom peak RSS, ${BIG##*/}" "$mb MB" "<= 64 MB" "$(verdict "$mb" "<=" 64)"

# 2. a full scan (packages, vulnerabilities, secrets, malware, config) against sbom
DB="$RES/full.db"
dbarg=""
[ -f "$DB" ] && dbarg="--db $DB"
for name in big node-app; do
    L="$IMAGES/oci/$name"
    [ -d "$L" ] || { line "2. scan / sbom, $name" "image absent" "<= 1.10" ""; continue; }
    set -- $(paired "$CUSTOMS sbom -q --no-cache --format json -o /dev/null oci:$L" \
        "$CUSTOMS scan -q --no-cache $dbarg --format json -o /dev/null oci:$L")
    line "2. scan (all scanners${dbarg:+, vulns}) / sbom, $name" "$3 ($2 s / $1 s)" "<= 1.10" "$(verdict "$3" "<=" 1.10)"
done

# 3. the layer cache: a warm re-scan against a cold one (bench/layercache.sh's table)
if [ -f "$RES/layercache.txt" ]; then
    while read -r n cold warm ratio _; do
        line "3. warm re-scan / cold scan, $n" "$ratio ($warm s / $cold s)" "<= 0.05" "$(verdict "$ratio" "<=" 0.05)"
    done <"$RES/layercache.txt"
else
    line "3. warm re-scan / cold scan" "not measured" "<= 0.05" ""
fi

# 4. scale: scan time per file flat from the smallest to the largest layer, peak RSS
if [ -s "$RES/scale.txt" ]; then
    awk 'NR == 1 { n0 = $1; us0 = $5 } { n = $1; us = $5; rss = $7 }
        END { printf "%s %s %s %s %s %.2f\n", n0, us0, n, us, rss, us / us0 }' "$RES/scale.txt" |
        while read -r n0 us0 n us rss flat; do
            line "4. scan time per file, $n files / $n0 files" "$flat ($us / $us0 us)" "~1 (linear)" ""
            line "4. scan peak RSS, $n files" "$rss MB" "<= 100 MB" "$(verdict "$rss" "<=" 100)"
        done
else
    line "4. scale" "not measured" "" ""
fi

# 5. audit of 10,000 manifests against yq parsing them; db build of the whole corpus
K8S="$RES/k8s"
if [ -d "$K8S" ] && command -v yq >/dev/null 2>&1; then
    set -- $(paired "sh -c 'yq . $K8S/*.yaml >/dev/null'" \
        "sh -c '$CUSTOMS audit --format json -o /dev/null $K8S; true'")
    speed=$(awk -v r="$3" 'BEGIN { printf "%.2f", 1 / r }')
    line "5. audit speed / yq's, 10,000 manifests" "${speed}x ($2 s / $1 s)" ">= 1.5x" "$(verdict "$speed" ">=" 1.5)"
else
    line "5. audit speed / yq's" "yq or manifests absent" ">= 1.5x" ""
fi
UP=$(realpath -m ../shared/corpus/vulndb/upstream)
if [ -d "$UP" ]; then
    t=$(median "$CUSTOMS db build -o $RES/targets.db $UP/debian-tracker.json $UP/alpine-secdb $UP/osv")
    line "5. db build, whole corpus" "$(printf '%.2f' "$t") s" "< 1 s" "$(verdict "$t" "<=" 0.999)"
fi

# 4. scan dir:/ of this machine: the walking thread's time blocked on the disk, without and with
# the read-ahead thread (--threads 1: none), each after the page cache is dropped. Ten minutes
# or more on a loaded machine, and dropping the cache slows everyone: only with BENCH_DIRWALK=1.
if [ "${BENCH_DIRWALK:-0}" = 1 ] && [ "$(id -u)" = 0 ]; then
    for t in 1 0; do
        out=$(python3 "$(dirname "$0")/dirwalk.py" --drop-caches -- "$CUSTOMS" scan -q --no-cache \
            --threads "$t" ${BENCH_DIRWALK_SKIP:+--skip-dirs "$BENCH_DIRWALK_SKIP"} \
            --format json -o /dev/null dir:/)
        what=$([ "$t" = 1 ] && echo "no read-ahead" || echo "read-ahead")
        line "4. scan dir:/ ($what): main thread blocked" \
            "$(echo "$out" | sed -n 's/.*blocked \([0-9.]*\) s.*/\1 s/p')" "<< wall" \
            "$(echo "$out" | sed -n 's/^wall \([0-9.]*\) s.*(user+sys)\/wall \([0-9.]*\).*/wall \1 s, cpu\/wall \2/p')"
    done
else
    line "4. scan dir:/ blocked on the disk" "BENCH_DIRWALK=1 (root)" "" ""
fi
