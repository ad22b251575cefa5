# Shared by bench/run.sh and bench/content.sh (sourced): RES and RUNS must be set.

# median COMMAND...: hyperfine's median seconds over RUNS runs after a warm-up (without a
# shell when the command allows, else through one).
median() {
    hyperfine -N --style none --warmup 1 --runs "$RUNS" --export-json "$RES/h.json" "$*" \
        >/dev/null 2>&1 || hyperfine --style none --warmup 1 --runs "$RUNS" \
        --export-json "$RES/h.json" "$*" >/dev/null
    jq -r '.results[0].median' "$RES/h.json"
}

# layers_of DIR: the layer blob paths of the OCI layout DIR's first image, one a line
layers_of() {
    m=$(jq -r '.manifests[0].digest' "$1/index.json")
    jq -r '.layers[].digest' "$1/blobs/${m%%:*}/${m#*:}" | sed "s,^sha256:,$1/blobs/sha256/,"
}

# paired "CMD_A" "CMD_B": A and B back to back, RUNS times after a warm-up of each, so that a
# machine whose speed drifts (a shared VM) slows both sides of a ratio alike. Prints the
# median seconds of A, of B, and the median of the per-pair ratios B/A.
paired() {
    python3 - "$RUNS" "$1" "$2" <<'EOP'
import shlex, statistics, subprocess, sys, time
runs, a, b = int(sys.argv[1]), shlex.split(sys.argv[2]), shlex.split(sys.argv[3])
def run(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t
run(a), run(b)
pairs = [(run(a), run(b)) for _ in range(runs)]
print(f"{statistics.median(p[0] for p in pairs):.3f} {statistics.median(p[1] for p in pairs):.3f} "
      f"{statistics.median(p[1] / p[0] for p in pairs):.3f}")
EOP
}
