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
