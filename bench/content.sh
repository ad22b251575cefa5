#!/bin/sh
# make bench, issue 4: what content scanning (secrets in every file of every layer, malware)
# costs, against customs' own `sbom` of the same image in the same run, and against secretlint.
#   sh bench/content.sh CUSTOMS IMAGES RESULTS   (called by bench/run.sh; median() from there)
#
# 1. For each bench image: `scan --scanners secret,malware` / `sbom` wall time (target on the
#    ~1 GB image: <= 1.25), and the content scanners' throughput in MB/s of uncompressed
#    content per core: uncompressed bytes / (single-threaded scan - single-threaded sbom).
# 2. Hostile content (tests/support/mkimage.py content-junk: a 24 MiB line, random bytes,
#    near-misses of key formats): scan / sbom of the same image: bounded, linear time.
# 3. secretlint (npm, recommended preset) over the files of the node-app image's layers above
#    the Debian base, extracted to a directory by this script, against `customs scan --scanners
#    secret dir:` of the same directory (target: customs >= 20x faster), and whether customs
#    flags every file that secretlint flags. secretlint skips node_modules by default, with or
#    without globbing, so the extracted node_modules directories are renamed node_modules.d.
set -eu
CUSTOMS=$1 IMAGES=$2 RES=$3
: "${RUNS:=5}"
. "$(dirname "$0")/lib.sh"

echo
printf '%-24s %9s %9s %9s %6s %10s %10s\n' image MB_out sbom_s content_s ratio 1thr_MB/s scan_MB/s
for L in "$IMAGES"/oci/*; do
    name=${L##*/}
    case $name in *zstd) dec="zstd -dcq" ;; *) dec="gzip -dc" ;; esac
    out=0
    for b in $(layers_of "$L"); do out=$((out + $($dec "$b" | wc -c))); done
    set -- $(paired "$CUSTOMS sbom -q --no-cache --format json -o /dev/null oci:$L" \
        "$CUSTOMS scan -q --no-cache --scanners secret,malware --format json -o /dev/null oci:$L")
    sbom=$1 scan=$2 ratio=$3
    sbom1=$(median "$CUSTOMS sbom -q --no-cache --threads 1 --format json -o /dev/null oci:$L")
    scan1=$(median "$CUSTOMS scan -q --no-cache --threads 1 --scanners secret,malware --format json -o /dev/null oci:$L")
    awk -v n="$name" -v o="$out" -v a="$sbom" -v b="$scan" -v r="$ratio" -v a1="$sbom1" -v b1="$scan1" 'BEGIN {
        mb = o / 1048576; extra = b1 - a1
        per = (extra > 0.01) ? sprintf("%.0f", mb / extra) : "n/a"
        printf "%-24s %9.0f %9.3f %9.3f %6.2f %10s %10.0f\n", n, mb, a, b, r, per, mb / b1 }'
done | tee "$RES/content.txt"
echo "content_s = scan --scanners secret,malware; ratio = median of content_s / sbom_s over runs of the"
echo "two back to back (target <= 1.25 on big); sbom_s, content_s: their medians;"
echo "1thr_MB/s = uncompressed MB / (scan - sbom, one thread): the content scanners alone, per core;"
echo "scan_MB/s = uncompressed MB / whole single-threaded scan (decompression, digests, tar, scanners)."

# ---- hostile content ----
JUNK="$RES/content-junk"
if [ ! -d "$JUNK" ]; then
    python3 tests/support/mkimage.py tests/data/recipes/minimal.json --format oci-dir \
        --out "$JUNK" --hostile content-junk
fi
js=$(median "$CUSTOMS sbom -q --no-cache --format json -o /dev/null oci:$JUNK")
jc=$(median "$CUSTOMS scan -q --no-cache --scanners secret,malware --format json -o /dev/null oci:$JUNK")
awk -v a="$js" -v b="$jc" 'BEGIN { printf "\nhostile content (24 MiB line, random bytes, near-miss keys): sbom %.3f s, scan %.3f s, ratio %.2f\n", a, b, b / a }'

# ---- secretlint ----
SL="$RES/secretlint"
NODE="$IMAGES/oci/node-app"
[ -d "$NODE" ] || { echo "secretlint: $NODE is absent; skipped"; exit 0; }
if [ ! -x "$SL/node_modules/.bin/secretlint" ]; then
    mkdir -p "$SL"
    (cd "$SL" && npm install --no-audit --no-fund --silent secretlint@12 \
        @secretlint/secretlint-rule-preset-recommend@12 >/dev/null 2>&1) ||
        { echo "secretlint: npm install failed; skipped"; exit 0; }
fi
TREE="$SL/tree"
if [ ! -d "$TREE" ]; then
    i=0
    for b in $(layers_of "$NODE"); do
        if [ $i -gt 0 ]; then  # layer 0 is the Debian base
            mkdir -p "$TREE/layer-$i"
            tar -xzf "$b" -C "$TREE/layer-$i" --no-same-owner --no-same-permissions 2>/dev/null || true
        fi
        i=$((i + 1))
    done
    find "$TREE" -depth -type d -name node_modules -exec sh -c 'mv "$1" "$1.d"' _ {} \;
fi
(cd "$TREE" && find . -type f | sed 's,^\./,,' | sort) >"$SL/files.txt"
nfiles=$(wc -l <"$SL/files.txt")
mb=$(du -sm "$TREE" | cut -f1)
cat >"$SL/run.sh" <<EOS
cd "$TREE" && exec "$SL/node_modules/.bin/secretlint" --no-glob --format json --output "$SL/out.json" \
  --secretlintrcJSON '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' \$(cat "$SL/files.txt")
EOS
sl=$(RUNS=1 median "sh -c 'sh $SL/run.sh; true'")  # ~100 s a run: once, after a warm-up
cu=$(median "$CUSTOMS scan -q --no-cache --scanners secret --format json -o /dev/null dir:$TREE")
"$CUSTOMS" scan -q --no-cache --scanners secret --format json -o "$SL/customs.json" "dir:$TREE"
missed=$(python3 - "$SL/out.json" "$SL/customs.json" "$TREE" <<'EOP'
import json, sys
sl = {r["filePath"][len(sys.argv[3]):] for r in json.load(open(sys.argv[1])) if r["messages"]}
cu = {s["path"] for s in json.load(open(sys.argv[2]))["secrets"]}
print(f"{len(sl)} files flagged by secretlint, {len(cu)} by customs, {len(cu - sl)} only by customs;",
      "missed by customs:", " ".join(sorted(sl - cu)) or "none")
EOP
)
awk -v s="$sl" -v c="$cu" -v n="$nfiles" -v m="$mb" 'BEGIN {
    printf "\nsecretlint vs customs, node-app layers 1-5 extracted (%d files, %d MB): secretlint %.2f s, customs %.3f s: customs %.0fx faster (target >= 20x)\n", n, m, s, c, s / c }'
echo "findings: $missed"
