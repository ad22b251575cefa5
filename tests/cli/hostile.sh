#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end tests of the customs binary (TAP): hostile images built by tests/support/mkimage.py
# must each end with exit code 2 (never a signal) and one stderr line saying what is wrong; image
# content is never written anywhere (customs runs in an empty directory with an empty TMPDIR and
# both must stay empty); plus the basics of the command line (--help, --version, usage errors,
# formats, -o FILE written atomically).
# Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout).
set -u
: "${CUSTOMS:?CUSTOMS must name the customs binary}"
: "${CUSTOMS_SOURCE_ROOT:?CUSTOMS_SOURCE_ROOT must name the checkout}"
PY=/usr/bin/python3
MKIMAGE="$CUSTOMS_SOURCE_ROOT/tests/support/mkimage.py"
RECIPE="$CUSTOMS_SOURCE_ROOT/tests/data/recipes/minimal.json"
W=$(mktemp -d "${TMPDIR:-/tmp}/customs-cli.XXXXXX")
trap 'rm -rf "$W"' EXIT
RUN="$W/run/a/b/c"    # deep, so that ../../x from here would still land inside $W/run
EMPTY_TMP="$W/tmpdir"
IMG="$W/img"
mkdir -p "$RUN" "$EMPTY_TMP" "$IMG"
ESCAPE_ABS=/tmp/customs-absolute-escape

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1))
    echo "not ok $n - $1"; shift
    local line
    for line in "$@"; do echo "#   $line"; done
}

# customs ARGS...: run in $RUN with TMPDIR=$EMPTY_TMP; sets rc, OUT and ERR (files)
OUT="$W/stdout"
ERR="$W/stderr"
customs() {
    (cd "$RUN" && TMPDIR="$EMPTY_TMP" "$CUSTOMS" "$@" >"$OUT" 2>"$ERR")
    rc=$?
}

# listing DIR: what is in DIR, on one line
listing() { find "$1" -mindepth 1 -printf '%P ' | head -c 300; }

# Problems common to every run: a signal, files left in the run directory or TMPDIR.
run_problems() {
    local p=() stray
    [ "$rc" -ge 128 ] && p+=("killed by signal $((rc - 128)) (exit $rc)")
    stray=$(find "$W/run" -mindepth 1 -not -path "$W/run/a" -not -path "$W/run/a/b" \
                 -not -path "$RUN" -printf '%P ' | head -c 300)
    [ -n "$stray" ] && p+=("files appeared in the working directory: $stray")
    [ -n "$(listing "$EMPTY_TMP")" ] && p+=("files appeared in TMPDIR: $(listing "$EMPTY_TMP")")
    [ ${#p[@]} -eq 0 ] || printf '%s\n' "${p[@]}"
}

show() { echo "stderr: $(head -c 600 "$ERR" | tr '\n' '|')"; }

# mk NAME FORMAT [--hostile VARIANT]: build $IMG/NAME(.tar) from the minimal recipe; prints the path
# (files get neutral names so that no expected message can match the path of the image)
mk() {
    local name fmt=$2 out
    name=i$(printf '%s' "$1" | sha256sum | cut -c1-10); shift 2
    case $fmt in oci-dir | rootfs) out="$IMG/$name" ;; *) out="$IMG/$name.tar" ;; esac
    if [ ! -e "$out" ]; then
        if ! "$PY" "$MKIMAGE" "$RECIPE" --format "$fmt" --out "$out" --info "$out.info" "$@" \
                >"$W/mk.log" 2>&1; then
            echo "mkimage failed: $(tr '\n' '|' <"$W/mk.log")" >&2
            return 1
        fi
    fi
    echo "$out"
}

# info_get PATH EXPR: a value from an image's info JSON (EXPR in Python over `i`)
info_get() {
    "$PY" -c 'import json,sys; i=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$1.info" "$2"
}

# expect_error DESC PATTERN ARGS...: exit 2, exactly one stderr line matching PATTERN
# (grep -E, case-sensitive unless PATTERN starts with "(?i)"), nothing written.
# expect_usage: the same for usage errors, where the usage may follow the line.
expect_error() { ONE_LINE=1 expect_exit2 "$@"; }
expect_usage() { ONE_LINE=0 expect_exit2 "$@"; }
expect_exit2() {
    local desc=$1 pat=$2 flags=(-E); shift 2
    case $pat in "(?i)"*) pat=${pat#"(?i)"}; flags+=(-i) ;; esac
    customs "$@"
    local p=()
    mapfile -t p < <(run_problems)
    [ "$rc" -eq 2 ] || p+=("exit code $rc, want 2")
    grep -q "${flags[@]}" -- "$pat" "$ERR" || p+=("stderr does not match /$pat/")
    local lines
    lines=$(wc -l <"$ERR")
    [ "$ONE_LINE" = 0 ] || [ "$lines" -eq 1 ] || p+=("stderr has $lines lines, want 1")
    [ -s "$OUT" ] && p+=("stdout is not empty")
    if [ ${#p[@]} -eq 0 ]; then ok "$desc"; else not_ok "$desc" "${p[@]}" "$(show)"; fi
}

# hostile DESC VARIANT FORMAT PATTERN [EXTRA-ARGS...]
hostile() {
    local desc=$1 variant=$2 fmt=$3 pat=$4 img; shift 4
    if ! img=$(mk "$variant-$fmt" "$fmt" --hostile "$variant" 2>"$W/mkerr"); then
        not_ok "$desc" "$(cat "$W/mkerr")"; return
    fi
    expect_error "$desc" "$pat" sbom --format json "$@" "$img"
}

# ---------------------------------------------------------------- hostile images
for fmt in oci-dir oci-tar; do
    img=$(mk "bad-digest-$fmt" "$fmt" --hostile bad-digest) || true
    want=$(info_get "$img" 'i["layers"][0]["digest"]' 2>/dev/null | cut -c8-19)
    hostile "blob digest mismatch names the blob ($fmt)" bad-digest "$fmt" \
        "digest mismatch.*${want:-MISSING}|${want:-MISSING}.*digest mismatch"
done
hostile "diff_id mismatch (docker-archive)" bad-diffid docker-archive "diff_id mismatch"
hostile "diff_id mismatch (oci-dir)" bad-diffid oci-dir "diff_id mismatch"
hostile "gzip bomb trips the compression ratio limit" gzip-bomb oci-dir "compression ratio"
hostile "zstd bomb trips the compression ratio limit" zstd-bomb oci-dir "compression ratio"
hostile "100k entries trip --max-entries 1000" many-entries oci-dir "too many entries" \
    --max-entries 1000
hostile "a path longer than 4096 bytes" long-path oci-dir "path too long"
hostile "a damaged tar header after a sparse entry names its position" sparse-damaged oci-dir \
    "bad tar entry near byte [0-9]+ of the tar"
hostile "/etc/os-release symlink loop" symlink-loop oci-dir "symlink"
hostile "truncated gzip layer" truncated-gzip oci-dir "(?i)truncated"
hostile "manifest.json that is not JSON (docker-archive)" manifest-not-json docker-archive \
    "not valid JSON"
hostile "index.json that is not JSON (oci-dir)" manifest-not-json oci-dir "not valid JSON"
hostile "missing config (docker-archive)" missing-config docker-archive "not found"
hostile "missing config blob (oci-dir)" missing-config oci-dir "not found"
hostile "index.json names a missing blob" missing-blob oci-dir "not found"
hostile "config nested 100000 deep" deep-json oci-dir "(?i)depth|nest|not valid JSON"

# The files of an OCI layout directory are the attacker's as much as their content: nothing
# under the layout is followed through a symlink, and only regular files are read.
hostile "a layer blob that is a FIFO is refused, not waited on" blob-fifo oci-dir \
    "blobs/sha256/[0-9a-f]{64}: a FIFO, not a regular file"
hostile "a layer blob symlinked to /dev/zero is refused" blob-devzero oci-dir \
    "blobs/sha256/[0-9a-f]{64}: is or passes through a symlink"
hostile "a layer blob symlinked to a file outside the layout is not read" blob-symlink oci-dir \
    "blobs/sha256/[0-9a-f]{64}: is or passes through a symlink"
hostile "blobs/sha256 symlinked outside the layout is not followed" blobs-dir-symlink oci-dir \
    "blobs/sha256/[0-9a-f]{64}: is or passes through a symlink"
hostile "index.json symlinked outside the layout is not read" index-symlink oci-dir \
    "index.json: is or passes through a symlink"
mkfifo "$W/fifo.tar"
expect_error "a FIFO named as the target is refused, not waited on" "not a file or directory" \
    sbom --format json "$W/fifo.tar"
expect_error "docker-archive:/dev/zero is refused" "not a file or directory" \
    sbom --format json docker-archive:/dev/zero
# dir: a FIFO or device where a package database should be is not read (the walk goes on)
root=$(mk fifo-root rootfs) || root="$IMG/missing"
if [ -d "$root" ]; then
    rm -f "$root/var/lib/dpkg/status" && mkfifo "$root/var/lib/dpkg/status"
    ln -sf /dev/zero "$root/etc/customs-zero"
fi
customs sbom --format json "dir:$root"
if [ "$rc" -eq 0 ] && grep -q '"packages": *\[\]' "$OUT"; then
    ok "dir: a FIFO at var/lib/dpkg/status is skipped, not waited on"
else
    not_ok "dir: a FIFO at var/lib/dpkg/status is skipped, not waited on" "exit code $rc" \
        "$(show)" "stdout: $(head -c 300 "$OUT" | tr '\n' '|')"
fi

# Nested indexes naming the same child many times: each index and manifest is read once, so
# the blobs opened do not grow with the fan-out (they grew as fan-out^depth); depth and the
# descriptors read are limits.
# blob_opens IMAGE ARGS...: how many times customs opens a blob (by its digest) scanning IMAGE
blob_opens() {
    local img=$1; shift
    (cd "$RUN" && TMPDIR="$EMPTY_TMP" strace -f -qq -e trace=open,openat,openat2 -o "$W/strace" \
        "$CUSTOMS" sbom -q --format json "$@" "$img" >"$OUT" 2>"$ERR")
    rc=$?
    grep -cE '"[^"]*[0-9a-f]{64}"' "$W/strace"
}
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
    fan2=$(mk fanout-2 oci-dir --hostile index-fanout --fanout 2 --depth 4) || fan2=missing
    fan8=$(mk fanout-8 oci-dir --hostile index-fanout --fanout 8 --depth 4) || fan8=missing
    n2=$(blob_opens "$fan2"); rc2=$rc
    n8=$(blob_opens "$fan8"); rc8=$rc
    if [ "$rc2" -eq 0 ] && [ "$rc8" -eq 0 ] && [ "$n2" -eq "$n8" ] && [ "$n8" -le 8 ]; then
        ok "nested indexes: blobs opened do not grow with the fan-out (2: $n2, 8: $n8)"
    else
        not_ok "nested indexes: blobs opened do not grow with the fan-out" \
            "fan-out 2: exit $rc2, $n2 opens; fan-out 8: exit $rc8, $n8 opens" "$(show)"
    fi
else
    ok "nested indexes: blobs opened do not grow with the fan-out # SKIP strace is missing"
fi
hostile "indexes nested 4 deep trip --max-index-depth 3" index-fanout oci-dir \
    "nested deeper than 3 \(--max-index-depth\)" --max-index-depth 3
expect_error "an index of 8 descriptors trips --max-manifests 7" "more than 7 descriptors" \
    sbom --format json --max-manifests 7 "$(mk fanout-8-1 oci-dir --hostile index-fanout \
    --fanout 8 --depth 1)"

# ../../etc/passwd, /tmp/... and app/../../../x entries: an error naming the entry, and nothing
# created outside (or inside) the working directory, nor at the absolute path
rm -f "$ESCAPE_ABS"
hostile "entries with .. and absolute paths are refused" dotdot docker-archive "etc/passwd"
if [ -e "$ESCAPE_ABS" ] || [ -e "$W/run/etc/passwd" ] || [ -e "$W/run/a/etc/passwd" ] ||
   [ -e "$W/customs-dotdot-escape" ] || [ -e "$W/run/customs-dotdot-escape" ]; then
    not_ok "no file escaped from the .. entries" "found $ESCAPE_ABS or a customs-dotdot-* file"
else
    ok "no file escaped from the .. entries"
fi

good=$(mk good docker-archive) || good="$IMG/missing"
# A member name held twice (a second manifest.json, index.json or blob): customs read the first,
# docker load keeps the last. Refused, naming it.
for dup in docker-archive:manifest.json oci-tar:index.json; do
    fmt=${dup%%:*} member=${dup#*:}
    src=$(mk "dup-$fmt" "$fmt") || src="$IMG/missing"
    "$PY" - "$src" "$IMG/dup-$fmt.tar" "$member" <<'PYEOF'
import io, sys, tarfile
src, out, member = sys.argv[1:]
with tarfile.open(src) as t, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as o:
    for m in t.getmembers():
        o.addfile(m, t.extractfile(m) if m.isreg() else None)
    data = b"[]" if member == "manifest.json" else b'{"manifests": []}'
    ti = tarfile.TarInfo(member); ti.size = len(data)
    o.addfile(ti, io.BytesIO(data))
PYEOF
    expect_error "a second $member in a $fmt is refused, naming it" \
        "'$member' appears twice" sbom --format json "$IMG/dup-$fmt.tar"
done
expect_error "--max-total-bytes 4096 trips on a 10 KiB layer" "total uncompressed" \
    sbom --format json --max-total-bytes 4096 "$good"
expect_error "a target that does not exist" "(?i)not found|no such file" \
    sbom --format json "$W/nothing-here.tar"

# ---------------------------------------------------------------- the command line
# expect_ok DESC PATTERN ARGS...: exit 0 and stdout matching PATTERN (grep -E)
expect_ok() {
    local desc=$1 pat=$2; shift 2
    customs "$@"
    local p=()
    mapfile -t p < <(run_problems)
    [ "$rc" -eq 0 ] || p+=("exit code $rc, want 0")
    grep -qE -- "$pat" "$OUT" ||
        p+=("stdout does not match /$pat/: $(head -c 300 "$OUT" | tr '\n' '|')")
    if [ ${#p[@]} -eq 0 ]; then ok "$desc"; else not_ok "$desc" "${p[@]}" "$(show)"; fi
}

expect_ok "customs --help names sbom" "^ +sbom " --help
expect_ok "customs --help names scan" "^ +scan " --help
expect_ok "customs --version" "^customs [0-9]+\.[0-9]+\.[0-9]+" --version
expect_ok "customs sbom --help lists --format" "--format" sbom --help
expect_ok "customs scan --help lists --format" "--format" scan --help
expect_usage "an unknown command" "frobnicate" frobnicate
expect_usage "no command at all" "(?i)usage"
expect_usage "an unknown format" "yaml" sbom --format yaml "$good"
expect_usage "an unknown option" "(?i)unrecognized|unknown|invalid" sbom --frobnicate "$good"
expect_usage "two targets" "(?i)target" sbom --format json "$good" "$good"
expect_usage "a limit that is not a number" "max-entries" sbom --max-entries lots "$good"

# json_check DESC PYTHON-EXPR FILE: FILE is JSON and EXPR (over `r`) is true
json_check() {
    if "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not eval(sys.argv[2]))' \
            "$3" "$2" 2>"$W/py.err"; then
        ok "$1"
    else
        not_ok "$1" "not true: $2" "$(tail -n 1 "$W/py.err")" \
            "output: $(head -c 300 "$3" | tr '\n' '|')"
    fi
}

customs sbom --format json "$good"
if [ "$rc" -eq 0 ]; then
    json_check "sbom --format json: the report's top level" \
        'r["schema"] == "customs.report/v1" and r["os"]["id"] == "debian" and all(
            isinstance(r[k], list) for k in ("packages", "secrets", "malware",
                                             "misconfigurations", "errors"))' "$OUT"
else
    not_ok "sbom --format json: the report's top level" "exit code $rc" "$(show)"
fi
customs scan --format json "$good"
if [ "$rc" -eq 0 ]; then
    json_check "scan --format json lists the package" \
        '[(p["type"], p["name"]) for p in r["packages"]] == [("deb", "base-files")]' "$OUT"
else
    not_ok "scan --format json lists the package" "exit code $rc" "$(show)"
fi
customs sbom --format cyclonedx "$good"
json_check "sbom --format cyclonedx is CycloneDX 1.5" \
    'r["bomFormat"] == "CycloneDX" and r["specVersion"] == "1.5"' "$OUT"
customs sbom --format spdx "$good"
json_check "sbom --format spdx is SPDX 2.3" 'r["spdxVersion"] == "SPDX-2.3"' "$OUT"

# -o FILE: written whole on success, untouched on failure, no temporary left behind
report="$W/out/report.json"
mkdir -p "$W/out"
customs sbom --format json -o "$report" "$good"
if [ "$rc" -eq 0 ] && [ ! -s "$OUT" ] && [ "$(listing "$W/out")" = "report.json " ]; then
    json_check "-o FILE writes the report to FILE only" 'r["schema"] == "customs.report/v1"' \
        "$report"
else
    not_ok "-o FILE writes the report to FILE only" "exit code $rc" \
        "stdout: $(wc -c <"$OUT") bytes, directory: $(listing "$W/out")" "$(show)"
fi
bad=$(mk bad-digest-oci-dir oci-dir --hostile bad-digest) || bad="$IMG/missing"
echo previous >"$report"
customs sbom --format json -o "$report" "$bad"
if [ "$rc" -eq 2 ] && [ "$(cat "$report")" = previous ] &&
   [ "$(listing "$W/out")" = "report.json " ]; then
    ok "-o FILE on failure leaves an existing FILE as it was and no temporary"
else
    not_ok "-o FILE on failure leaves an existing FILE as it was and no temporary" \
        "exit code $rc, FILE: $(head -c 100 "$report"), directory: $(listing "$W/out")"
fi
rm -f "$report"
customs sbom --format json -o "$report" "$bad"
if [ "$rc" -eq 2 ] && [ -z "$(listing "$W/out")" ]; then
    ok "-o FILE on failure creates no FILE"
else
    not_ok "-o FILE on failure creates no FILE" "exit code $rc, directory: $(listing "$W/out")"
fi
expect_error "-o into a directory that does not exist" "no-such-dir" \
    sbom --format json -o "$W/no-such-dir/r.json" "$good"

echo "1..$n"
[ "$failed" -eq 0 ]
