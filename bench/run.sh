#!/bin/sh
# make bench: customs against the floor of the same work, measured in the same run.
#
# For each bench image (built by scripts/bench-images.sh from ../shared/bench/make-images.sh),
# time `customs sbom` and the baseline of decompressing the same layers with zcat / zstd -dc
# (single-threaded, to /dev/null), and print their ratio, plus customs' peak RSS against the
# compressed size; for gzip images also ISA-L's `igzip -dc` of the same layers, the floor of
# the inflate customs uses. hyperfine gives medians over RUNS runs with a warm-up.
# BENCH_IMAGES may hold more images than the script builds (the 1.34 GB "big" one).
#   sh bench/run.sh BUILD_DIR        (RUNS=5, BENCH_IMAGES=dir to reuse built images)
# It ends with issue 17's targets, one line each, ratio and target (bench/targets.sh).
set -eu
BUILD=${1:-build}
RUNS=${RUNS:-5}
CUSTOMS=$(realpath "$BUILD/customs")
IMAGES=${BENCH_IMAGES:-}
if [ -z "$IMAGES" ]; then
    IMAGES=$(realpath -m "$BUILD/bench-images")
    sh scripts/bench-images.sh "$IMAGES"
fi
sh scripts/deps.sh hyperfine time jq isal
RES=$(realpath -m "$BUILD/bench-results")
mkdir -p "$RES"

. "$(dirname "$0")/lib.sh"

printf '%-24s %8s %8s %6s %8s %8s %6s %8s %6s %8s %6s\n' image sbom_s floor_s ratio 1thr_s rss_MB rss/in \
    scan_s ratio igzip_s /igzip
for L in "$IMAGES"/oci/*; do
    name=${L##*/}
    blobs=$(layers_of "$L" | tr "\n" " ")
    case $name in *zstd) dec="zstd -dcq" ;; *) dec="gzip -dc" ;; esac
    comp=0
    for b in $blobs; do comp=$((comp + $(stat -c %s "$b"))); done
    ours=$(median "$CUSTOMS sbom -q --no-cache --format json -o /dev/null oci:$L")
    one=$(median "$CUSTOMS sbom -q --no-cache --threads 1 --format json -o /dev/null oci:$L")
    floor=$(median "sh -c '$dec $blobs >/dev/null'")
    rss=$(/usr/bin/time -f %M "$CUSTOMS" sbom -q --no-cache --format json -o /dev/null "oci:$L" 2>&1 >/dev/null | tail -n1)
    scan=$(median "$CUSTOMS scan -q --no-cache --format json -o /dev/null oci:$L")
    igz=0
    case $name in *zstd) ;; *) igz=$(median "sh -c 'igzip -dc $blobs >/dev/null'") ;; esac
    awk -v n="$name" -v o="$ours" -v f="$floor" -v t="$one" -v r="$rss" -v c="$comp" -v s="$scan" -v g="$igz" 'BEGIN {
        printf "%-24s %8.3f %8.3f %6.2f %8.3f %8.1f %6.3f %8.3f %6.2f", n, o, f, o / f, t, r / 1024, r * 1024 / c, s, s / f
        if (g > 0) printf " %8.3f %6.2f\n", g, o / g; else printf " %8s %6s\n", "-", "-" }'
done | tee "$RES/bench.txt"
echo "ratio = customs sbom (all cores) / single-threaded zcat or zstd -dc of the same layers;"
echo "scan = customs scan (packages, secrets in every file of every layer, malware), same floor;"
echo "rss/in = customs peak RSS / compressed image bytes; igzip = ISA-L's igzip -dc of the same"
echo "layers, 1 thread (/igzip = sbom / igzip). Results in $RES/bench.txt"

# ---- vulnerability database and matching (issue 3) ----
UP=$(realpath -m ../shared/corpus/vulndb/upstream)
if [ -d "$UP" ]; then
    DB="$RES/full.db"
    build=$(median "$CUSTOMS db build -o $DB $UP/debian-tracker.json $UP/alpine-secdb $UP/osv $UP/nvd")
    size=$(stat -c %s "$DB")
    echo
    printf 'db build (full corpus): %.2f s, %.1f MB\n' "$build" "$(echo "$size / 1048576" | bc -l)"
    # matching as a share of the scan: the same scan with and without vulnerabilities
    for L in "$IMAGES"/oci/*; do
        [ -d "$L" ] || continue
        base=$(median "$CUSTOMS scan -q --no-cache --scanners package --format json -o /dev/null oci:$L")
        with=$(median "$CUSTOMS scan -q --no-cache --scanners package,vuln --db $DB --format json -o /dev/null oci:$L")
        awk -v n="${L##*/}" -v b="$base" -v w="$with" 'BEGIN { printf "matching, %s: %.3f s of %.3f s (%.1f%%)\n", n, w - b, w, 100 * (w - b) / w }'
    done
    # a synthetic inventory: 20,000 deb packages of real source packages on bullseye
    SYN="$RES/synthetic"
    if [ ! -f "$SYN/var/lib/dpkg/status" ]; then
        mkdir -p "$SYN/etc" "$SYN/var/lib/dpkg"
        printf 'ID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n' >"$SYN/etc/os-release"
        python3 -c '
import json, sys
srcs = sorted(json.load(open(sys.argv[1])))
for i in range(20000):
    s = srcs[i % len(srcs)]
    print(f"Package: {s}-bin{i}\nStatus: install ok installed\nSource: {s}\nVersion: 0.{i % 7}-1\nArchitecture: amd64\n")
' "$UP/debian-tracker.json" >"$SYN/var/lib/dpkg/status"
    fi
    base=$(median "$CUSTOMS scan -q --no-cache --scanners package --format json -o /dev/null dir:$SYN")
    with=$(median "$CUSTOMS scan -q --no-cache --scanners package,vuln --db $DB --format json -o /dev/null dir:$SYN")
    awk -v b="$base" -v w="$with" 'BEGIN { printf "matching, 20,000 packages: %.3f s (%.0f lookups/s)\n", w - b, 20000 / (w - b) }'
    # the severity join's share of a full scan of big (issue 13: under 2 %)
    sh bench/severity_join.sh "$CUSTOMS" "$IMAGES" "$RES"
fi

# ---- Kubernetes audit (issue 5): 10,000 generated workload manifests vs yq merely parsing them ----
sh scripts/deps.sh yq >/dev/null 2>&1 || true
K8S="$RES/k8s"
if [ ! -d "$K8S" ]; then
    mkdir -p "$K8S"
    python3 -c '
import sys
for i in range(10000):
    with open(f"{sys.argv[1]}/w{i:05d}.yaml", "w") as f:
        f.write(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}, namespace: ns{i % 50}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: app{i}}}}}
  template:
    metadata: {{labels: {{app: app{i}}}}}
    spec:
      containers:
      - name: web
        image: registry.example.com/app:{i % 9}.0
        securityContext: {{privileged: {str(i % 3 == 0).lower()}, runAsNonRoot: true}}
        resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}
""")
' "$K8S"
fi
audit=$(median "sh -c '$CUSTOMS audit --format json -o /dev/null $K8S; true'")
arss=$(/usr/bin/time -f %M "$CUSTOMS" audit --format json -o /dev/null "$K8S" 2>&1 >/dev/null | tail -n1)
if command -v yq >/dev/null 2>&1; then
    yqt=$(median "sh -c 'yq . $K8S/*.yaml >/dev/null'")
    awk -v a="$audit" -v y="$yqt" -v r="$arss" 'BEGIN {
        printf "audit, 10,000 manifests: %.2f s (%.0f objects/s, peak %.1f MB); yq parsing them: %.2f s; ratio %.3f\n",
               a, 10000 / a, r / 1024, y, a / y }'
else
    awk -v a="$audit" -v r="$arss" 'BEGIN { printf "audit, 10,000 manifests: %.2f s (%.0f objects/s, peak %.1f MB); yq absent\n", a, 10000 / a, r / 1024 }'
fi

# ---- secrets and malware (issue 4): content scanning against sbom, hostile content, secretlint ----
sh bench/content.sh "$CUSTOMS" "$IMAGES" "$RES"

# ---- the layer cache (issue 17): a warm re-scan against a cold scan ----
sh bench/layercache.sh "$CUSTOMS" "$IMAGES" "$RES"

# ---- the verdict store (issue 15): store refresh of 1,000 recorded images, SQLite and PostgreSQL ----
sh bench/store.sh "$BUILD" "$IMAGES" "$RES"

# ---- the admission webhook (issue 15): wrk over TLS, /validate against /healthz ----
sh scripts/deps.sh wrk openssl
python3 bench/admit.py "$BUILD" | tee "$RES/admit.txt"

# ---- the registry gate: manifest GET and a 1 GiB blob, upstream directly vs through the gate ----
echo
python3 bench/gate.py "$BUILD" | tee "$RES/gate.txt"

# ---- scale (issue 17): one gzip layer of N small files, generated as a stream by
# bench/manyfiles.py (the tar never touches the disk uncompressed); time per file and peak RSS
# of `scan` and `sbom`, against zcat of the same layer. SCALE_FILES overrides the sizes; the
# default --max-entries (2,000,000 per layer) is raised to fit the layer.
echo
printf '%-10s %8s %8s %8s %9s %8s %8s %8s\n' files zcat_s sbom_s scan_s scan_us/f sbom_MB scan_MB ratio
for n in ${SCALE_FILES:-300000 1000000 3000000}; do
    M="$RES/manyfiles-$n"
    [ -f "$M/index.json" ] || python3 "$(dirname "$0")/manyfiles.py" "$n" "$M"
    blob=$(layers_of "$M")
    zc=$(median "sh -c 'zcat $blob >/dev/null'")
    lim="--max-entries $((2 * n + 10000))"
    sb=$(median "$CUSTOMS sbom -q --no-cache $lim --format json -o /dev/null oci:$M")
    sc=$(median "$CUSTOMS scan -q --no-cache $lim --format json -o /dev/null oci:$M")
    srss=$(/usr/bin/time -f %M "$CUSTOMS" sbom -q --no-cache $lim --format json -o /dev/null "oci:$M" 2>&1 >/dev/null | tail -n1)
    crss=$(/usr/bin/time -f %M "$CUSTOMS" scan -q --no-cache $lim --format json -o /dev/null "oci:$M" 2>&1 >/dev/null | tail -n1)
    awk -v n="$n" -v z="$zc" -v b="$sb" -v s="$sc" -v r="$srss" -v c="$crss" 'BEGIN {
        printf "%-10d %8.3f %8.3f %8.3f %9.2f %8.1f %8.1f %8.2f\n", n, z, b, s, s * 1e6 / n, r / 1024, c / 1024, s / z }'
done | tee "$RES/scale.txt"
echo "scan_us/f = scan time per file (linear scaling keeps it flat); ratio = scan / zcat of the layer."

# ---- issue 17: each target's ratio against its baseline in this run, the target beside it ----
sh bench/targets.sh "$CUSTOMS" "$IMAGES" "$RES"
