#!/bin/sh
# make bench, the verdict store: `customs store refresh` over 1,000 recorded images against the
# full vulnerability corpus, next to the baseline of scanning one of those images for packages
# and vulnerabilities in the same run. The 1,000 records are the bench images recorded with
# `scan --record`, cloned with new digests and 1-3 packages per clone rebuilt at another
# version (as a fleet built from a few bases looks), so the refresh matches ~3,000 distinct
# packages it has not seen. Goal: well under a second per 1,000 images. Then the same store on
# PostgreSQL 15 (bench/store_pg.py).
#   sh bench/store.sh BUILD_DIR IMAGES_DIR RESULTS_DIR
set -eu
BUILD=$1
IMAGES=$2
RES=$3
RUNS=${RUNS:-5}
CUSTOMS=$(realpath "$BUILD/customs")
UP=$(realpath -m ../shared/corpus/vulndb/upstream)
. "$(dirname "$0")/lib.sh"
if [ ! -d "$UP" ]; then
    echo "store refresh: skipped (../shared/corpus/vulndb/upstream is absent)"
    exit 0
fi
DB="$RES/full.db"
[ -f "$DB" ] || "$CUSTOMS" db build -o "$DB" "$UP/debian-tracker.json" "$UP/alpine-secdb" "$UP/osv" >/dev/null
POLICY=docs/customs-policy.yaml
STORE="$RES/verdicts.db"
rm -f "$STORE" "$STORE-wal" "$STORE-shm"
n=0
for L in "$IMAGES"/docker-archive/*.tar; do
    "$CUSTOMS" scan -q --scanners package,vuln --db "$DB" --policy "$POLICY" --record "$STORE" \
        -f json -o /dev/null "$L" 2>/dev/null || true
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "store refresh: skipped (no bench images)"; exit 0; }
python3 - "$STORE" 1000 <<'EOP'
import json, random, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute("SELECT * FROM images").fetchall()
cols = [d[0] for d in con.execute("SELECT * FROM images").description]
rnd = random.Random(15)
have = len(rows)
for i in range(int(sys.argv[2]) - have):
    r = dict(zip(cols, rows[i % have]))
    pk = json.loads(r["packages"])
    for p in rnd.sample(pk, min(len(pk), rnd.randint(1, 3))):
        p[2] = (p[2] or "0") + f"+b{i}"   # [type, name, version, epoch, source_name, source_version, ...]
        if p[5]:
            p[5] += f"+b{i}"
    r["packages"] = json.dumps(pk)
    r["digest"] = "sha256:%064x" % (i + 1)
    con.execute(f"INSERT INTO images ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                [r[c] for c in cols])
con.commit()
print(f"store: {con.execute('SELECT count(*) FROM images').fetchone()[0]} images, "
      f"{sum(len(json.loads(p)) for (p,) in con.execute('SELECT packages FROM images'))} packages")
EOP
cp "$STORE" "$RES/verdicts-base.db"
refresh() {
    cp "$RES/verdicts-base.db" "$STORE"
    rm -f "$STORE-wal" "$STORE-shm"
    "$CUSTOMS" store refresh -q --store "$STORE" --db "$DB" >/dev/null || true
}
total=0
for i in $(seq "$RUNS"); do
    t0=$(date +%s.%N)
    refresh
    t1=$(date +%s.%N)
    total=$(echo "$total + $t1 - $t0" | bc -l)
done
L=$(ls "$IMAGES"/docker-archive/*.tar | head -n1)
scan=$(median "$CUSTOMS scan -q --no-cache --scanners package,vuln --db $DB -f json -o /dev/null $L")
awk -v t="$total" -v r="$RUNS" -v s="$scan" -v n="${L##*/}" 'BEGIN {
    m = t / r; printf "store refresh, 1,000 images: %.3f s (%.2f ms/image); scan of %s (package,vuln): %.3f s; refresh of 1,000 / one scan: %.2f\n", m, m, n, s, m / s }'
# the same store on PostgreSQL 15 (started on loopback; skipped where it is not installed)
python3 "$(dirname "$0")/store_pg.py" "$CUSTOMS" "$RES/verdicts-base.db" "$DB" "$RES" "$RUNS"
