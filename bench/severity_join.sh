#!/bin/sh
# make bench, issue 13: the severity join's share of a full scan of the big bench image
# (packages, vulnerabilities against the full corpus database, secrets, malware), from perf's
# samples: the share of samples with match_severity_join() on their stack (perf's "children"
# column), against the goal of 2 %.
#   sh bench/severity_join.sh CUSTOMS IMAGES RESULTS   (called by bench/run.sh after it built
#   RESULTS/full.db)
set -eu
CUSTOMS=$1 IMAGES=$2 RES=$3
L="$IMAGES/oci/big"
[ -d "$L" ] || L=$(ls -d "$IMAGES"/oci/* | head -n1)
DB="$RES/full.db"
echo
if ! command -v perf >/dev/null 2>&1 || [ ! -f "$DB" ]; then
    echo "severity join, ${L##*/}: not measured (perf or $DB absent)"
    exit 0
fi
data="$RES/severity-join.perf"
if ! perf record -q -F 999 --call-graph dwarf,8192 -o "$data" -- "$CUSTOMS" scan -q --no-cache \
        --db "$DB" --max-db-age 0 --format json -o /dev/null "oci:$L" >/dev/null 2>&1; then
    # exit 1 or N is a finding, not a failure; perf itself refused (perf_event_paranoid)?
    [ -s "$data" ] || { echo "severity join, ${L##*/}: not measured (perf record failed)"; exit 0; }
fi
perf report -i "$data" --children --stdio --sort symbol -g none 2>/dev/null | awk -v n="${L##*/}" '
    /^# Samples:/ { samples = $3 }
    $NF == "match_severity_join" && share == "" { share = $1 }
    END {
        what = share
        if (share == "") { share = "0"; what = "on none" }
        v = share; sub(/%/, "", v)
        printf "severity join, %s: %s of %s samples of a full scan (goal < 2 %%: %s)\n",
               n, what, samples, v + 0 < 2 ? "met" : "missed" }' | tee "$RES/severity-join.txt"
rm -f "$data"
