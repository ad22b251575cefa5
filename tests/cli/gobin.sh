#!/bin/sh
# A real Go binary, built here with dependencies replaced by local directories (as kubectl's
# k8s.io/client-go v0.0.0 => ./staging/src/k8s.io/client-go), against `go version -m`, and
# matched against Go's real advisories (../shared/corpus) (TAP).
set -u
CUSTOMS=${CUSTOMS:-build/customs}
if ! command -v go >/dev/null 2>&1; then
    echo "1..0 # SKIP go is not installed (Debian: golang-go)"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src/dep" "$T/src/staging/src/k8s.io/client-go" "$T/root/usr/local/bin"
cat >"$T/src/go.mod" <<'MOD'
module example.com/app

go 1.19

require (
	example.com/dep v1.2.3
	k8s.io/client-go v0.0.0
)

replace example.com/dep => ./dep

replace k8s.io/client-go => ./staging/src/k8s.io/client-go
MOD
cat >"$T/src/main.go" <<'GO'
package main

import (
	"example.com/dep"
	"k8s.io/client-go"
)

func main() { dep.Hello(); client.Hello() }
GO
printf 'module example.com/dep\n\ngo 1.19\n' >"$T/src/dep/go.mod"
printf 'package dep\n\nfunc Hello() { println("hello") }\n' >"$T/src/dep/dep.go"
printf 'module k8s.io/client-go\n\ngo 1.19\n' >"$T/src/staging/src/k8s.io/client-go/go.mod"
printf 'package client\n\nfunc Hello() { println("client") }\n' \
    >"$T/src/staging/src/k8s.io/client-go/client.go"
export HOME="$T" GOCACHE="$T/cache" GOPATH="$T/gopath" GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local
(cd "$T/src" && go build -o "$T/root/usr/local/bin/app" .) >"$T/build.log" 2>&1 || {
    echo "1..0 # SKIP go build failed: $(tail -n 1 "$T/build.log")"
    exit 0
}
want_go=$(go version -m "$T/root/usr/local/bin/app" | head -n 1 | awk '{print $2}' | sed 's/^go/v/')
"$CUSTOMS" sbom -q --format json "dir:$T/root" >"$T/out.json" 2>"$T/err" || {
    echo "1..1"; echo "not ok 1 - customs sbom ran"; cat "$T/err" | sed 's/^/# /'; exit 1; }
got() { /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for p in r["packages"]:
    if p["type"] == "golang":
        print(p["name"], p["version"] or "-", p["path"], "indirect" if p["indirect"] else "main")
' "$T/out.json"; }
n=0; fail=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
CORPUS="${CUSTOMS_SOURCE_ROOT:-.}/../shared/corpus/vulndb/upstream/osv/Go/all.zip"
echo "1..9"
got | grep -x "example.com/app (devel) /usr/local/bin/app main" >/dev/null; t $? "the main module, at (devel)"
got | grep -x "example.com/dep - /usr/local/bin/app indirect" >/dev/null; t $? "a dependency replaced by a local directory has no version"
got | grep -x "k8s.io/client-go - /usr/local/bin/app indirect" >/dev/null; t $? "the v0.0.0 placeholder of a local replacement is not a version"
got | grep -x "stdlib $want_go /usr/local/bin/app indirect" >/dev/null; t $? "the toolchain as stdlib $want_go"
[ "$(got | wc -l)" = 4 ]; t $? "nothing else"
if [ ! -f "$CORPUS" ]; then
    for i in 6 7 8 9; do echo "ok $i # SKIP ../shared/corpus/vulndb/upstream/osv/Go/all.zip is absent"; done
    n=9
else
    # Go's real advisories: GO-2021-0064 and GO-2021-0065 open k8s.io/client-go at 0, so the
    # placeholder v0.0.0 used to match them; the toolchain's own advisories must still match.
    "$CUSTOMS" db build -o "$T/go.db" "$CORPUS" >"$T/db.log" 2>&1 || sed 's/^/# /' "$T/db.log"
    "$CUSTOMS" scan -q --format json --scanners vuln --db "$T/go.db" "dir:$T/root" >"$T/scan.json" \
        2>"$T/err" || sed 's/^/# /' "$T/err"
    vulns() { /usr/bin/python3 -c '
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except ValueError:
    print("no report")
    sys.exit(0)
for v in report["vulnerabilities"]:
    print(v["package"], v["installed"], v.get("path"), v["id"])
' "$T/scan.json"; }
    ! vulns | grep "^k8s.io/client-go " >/dev/null; t $? "no finding for a module built from a local directory"
    [ "$(vulns | grep -c "^stdlib $want_go /usr/local/bin/app ")" -gt 0 ]; t $? "standard-library findings name the binary and its Go version"
    [ "$(vulns | grep -vc "^stdlib ")" = 0 ]; t $? "no other finding (and a report)"
    "$CUSTOMS" scan -q --format table --scanners vuln --db "$T/go.db" "dir:$T/root" >"$T/table" 2>&1
    grep -q -- "-> stdlib .* in /usr/local/bin/app (built with Go $want_go)" "$T/table"
    t $? "the table names the binary and its Go version"
    [ $fail = 0 ] || vulns | sed 's/^/# /'
fi
[ $fail = 0 ] || got | sed 's/^/# /'
exit $fail
