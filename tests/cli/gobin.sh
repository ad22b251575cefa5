#!/bin/sh
# A real Go binary, built here with a replaced dependency, against `go version -m` (TAP).
set -u
CUSTOMS=${CUSTOMS:-build/customs}
if ! command -v go >/dev/null 2>&1; then
    echo "1..0 # SKIP go is not installed (Debian: golang-go)"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src/dep" "$T/root/usr/local/bin"
cat >"$T/src/go.mod" <<'MOD'
module example.com/app

go 1.19

require example.com/dep v1.2.3

replace example.com/dep => ./dep
MOD
cat >"$T/src/main.go" <<'GO'
package main

import "example.com/dep"

func main() { dep.Hello() }
GO
printf 'module example.com/dep\n\ngo 1.19\n' >"$T/src/dep/go.mod"
printf 'package dep\n\nfunc Hello() { println("hello") }\n' >"$T/src/dep/dep.go"
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
        print(p["name"], p["version"], p["path"], "indirect" if p["indirect"] else "main")
' "$T/out.json"; }
n=0; fail=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
echo "1..4"
got | grep -qx "example.com/app (devel) /usr/local/bin/app main"; t $? "the main module, at (devel)"
got | grep -qx "example.com/dep v1.2.3 /usr/local/bin/app indirect"; t $? "a dependency replaced by a local directory keeps its path and version"
got | grep -qx "stdlib $want_go /usr/local/bin/app indirect"; t $? "the toolchain as stdlib $want_go"
[ "$(got | wc -l)" = 3 ]; t $? "nothing else"
[ $fail = 0 ] || got | sed 's/^/# /'
exit $fail
