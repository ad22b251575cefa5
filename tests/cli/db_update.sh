#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `customs db update` against a real HTTP server (TAP): a private nginx instance (Debian's nginx,
# own prefix and config in a temporary directory, `daemon off;`, loopback, a random port) serves
# copies of the written fixtures in tests/data/vulndb. Checked: the first update builds the
# database; the second sends If-None-Match / If-Modified-Since, gets 304 (nginx's access log
# says so) and keeps the database; a changed source is downloaded again and the database
# rebuilt; a garbage file, a 404 and a checksum mismatch fail with exit 2 naming the source and
# leave the old database byte-identical; a server that closes the connection halfway, and a
# SIGINT while a download stalls halfway (a small Python stub), leave it intact with no
# temporary files behind.
# Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout).
set -u
: "${CUSTOMS:?CUSTOMS must name the customs binary}"
: "${CUSTOMS_SOURCE_ROOT:?CUSTOMS_SOURCE_ROOT must name the checkout}"
PY=/usr/bin/python3
DATA="$CUSTOMS_SOURCE_ROOT/tests/data/vulndb"

NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; })
if [ -z "$NGINX" ]; then
    echo "1..0 # SKIP nginx is not installed (Debian package nginx: apt-get install nginx)"
    exit 0
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/customs-dbupdate.XXXXXX")
NGINX_PID=""
STUB_PID=""
cleanup() {
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    [ -n "$STUB_PID" ] && kill "$STUB_PID" 2>/dev/null && wait "$STUB_PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
# nginx's worker runs as nobody when the tests run as root: it must be able to read the files.
chmod 755 "$W"
WWW="$W/www"
DB="$W/db/customs.db"
OUT="$W/stdout"
ERR="$W/stderr"
mkdir -p "$WWW/osv" "$WWW/v3.19" "$W/nginx/logs" "$W/nginx/tmp" "$W/db"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); failed=$((failed + 1))
    echo "not ok $n - $1"; shift
    local line
    for line in "$@"; do echo "#   $line"; done
}
check() { # check DESCRIPTION PROBLEM... (no problems: ok)
    local what=$1; shift
    if [ $# -eq 0 ]; then ok "$what"; else not_ok "$what" "$@"; fi
}
customs() {
    "$CUSTOMS" "$@" >"$OUT" 2>"$ERR"
    rc=$?
}
show() { echo "stdout: $(head -c 600 "$OUT" | tr "\n" "|") stderr: $(head -c 600 "$ERR" | tr "\n" "|")"; }
dbsum() { sha256sum "$DB" 2>/dev/null | cut -d' ' -f1; }
# Temporary files an update may create and must remove: DB.tmp-*, sources/.NAME.part-*, *.meta.tmp
strays() {
    find "$W/db" \( -name '*.tmp-*' -o -name '.*.part-*' -o -name '*.tmp' \) -printf '%P ' | head -c 300
}
free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() { # wait_port PORT: until something accepts on 127.0.0.1:PORT (at most ~10 s)
    "$PY" - "$1" <<'EOF'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

cp "$DATA/tracker.json" "$WWW/tracker.json"
cp "$DATA/osv/ghsa.json" "$WWW/osv/ghsa.json"
cp "$DATA/secdb/v3.19/main.json" "$WWW/v3.19/main.json"
chmod -R a+rX "$WWW"

# ---- a private nginx ----
start_nginx() {
    PORT=$(free_port)
    cat >"$W/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/logs/error.log;
events { worker_connections 64; }
http {
    log_format update '\$status "\$request" inm="\$http_if_none_match" ims="\$http_if_modified_since" ua="\$http_user_agent"';
    access_log $W/nginx/logs/access.log update;
    client_body_temp_path $W/nginx/tmp/body;
    proxy_temp_path $W/nginx/tmp/proxy;
    fastcgi_temp_path $W/nginx/tmp/fastcgi;
    uwsgi_temp_path $W/nginx/tmp/uwsgi;
    scgi_temp_path $W/nginx/tmp/scgi;
    types { application/json json; application/zip zip; }
    server {
        listen 127.0.0.1:$PORT;
        root $WWW;
    }
}
EOF
    "$NGINX" -p "$W/nginx/" -c "$W/nginx/nginx.conf" -e "$W/nginx/logs/error.log" \
        >"$W/nginx/logs/stdout" 2>&1 &
    NGINX_PID=$!
    if wait_port "$PORT" && kill -0 "$NGINX_PID" 2>/dev/null; then
        return 0
    fi
    kill "$NGINX_PID" 2>/dev/null
    wait "$NGINX_PID" 2>/dev/null
    NGINX_PID=""
    return 1
}
started=false
for _ in 1 2 3; do
    if start_nginx; then started=true; break; fi
done
if ! $started; then
    echo "1..0 # SKIP nginx could not be started: $(tail -c 300 "$W/nginx/logs/error.log" "$W/nginx/logs/stdout" 2>/dev/null | tr '\n' ' ')"
    exit 0
fi
echo "# nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$PORT"
URL="http://127.0.0.1:$PORT"
LOG="$W/nginx/logs/access.log"
cat >"$W/sources.conf" <<EOF
# sources for the test (NAME URL [sha256=HEX])
tracker  $URL/tracker.json
ghsa     $URL/osv/ghsa.json   # GitHub advisory layout
alpine   $URL/v3.19/main.json
EOF

# ---- 1. the first update builds the database ----
customs db update --db "$DB" --sources "$W/sources.conf"
p=()
[ "$rc" -eq 0 ] || p+=("exit $rc, expected 0" "$(show)")
[ -f "$DB" ] || p+=("no database written")
grep -q 'wrote ' "$OUT" || p+=("no 'wrote' line" "$(show)")
for f in tracker.json tracker.meta ghsa.json ghsa.meta alpine.json alpine.meta; do
    [ -f "$W/db/customs.db.d/sources/$f" ] || p+=("cache file $f missing")
done
[ -z "$(strays)" ] || p+=("temporary files left: $(strays)")
check "first update downloads the three sources and builds the database" "${p[@]}"

customs db info --db "$DB"
cp "$OUT" "$W/info1"
p=()
[ "$rc" -eq 0 ] || p+=("db info: exit $rc" "$(show)")
grep -Eq 'sources/tracker\.json +debian-tracker +3 records +8 rows' "$OUT" || p+=("tracker line")
grep -Eq 'sources/ghsa\.json +osv +1 records +6 rows' "$OUT" || p+=("ghsa line")
grep -Eq 'sources/alpine\.json +alpine-secdb +3 records +5 rows' "$OUT" || p+=("alpine line")
grep -Eq '^affected: +19 rows' "$OUT" || p+=("affected count")
[ ${#p[@]} -eq 0 ] || p+=("$(show)")
check "db info shows the three sources with their counts" "${p[@]}"

p=()
[ "$(grep -c '^200 "GET ' "$LOG")" -eq 3 ] || p+=("expected three 200 lines in the access log:" "$(tr '\n' '|' <"$LOG")")
grep -q 'ua="customs/' "$LOG" || p+=("user agent is not customs/VERSION: $(head -1 "$LOG")")
grep -q '^200 .*inm="-"' "$LOG" || p+=("the first download should be unconditional")
check "first requests are unconditional, 200, user agent customs/VERSION" "${p[@]}"

# ---- 2. the second update gets 304 and keeps the database ----
sum1=$(dbsum)
lines_before=$(wc -l <"$LOG")
customs db update --db "$DB" --sources "$W/sources.conf"
tail -n +"$((lines_before + 1))" "$LOG" >"$W/log2"
cp "$OUT" "$W/out2"
p=()
[ "$rc" -eq 0 ] || p+=("exit $rc, expected 0" "$(show)")
[ "$(grep -c '^304 "GET ' "$W/log2")" -eq 3 ] || p+=("expected three 304 lines:" "$(tr '\n' '|' <"$W/log2")")
[ "$(grep -c 'inm="[^-"]' "$W/log2")" -eq 3 ] || p+=("If-None-Match not sent on every request")
[ "$(grep -c 'ims="[^-"]' "$W/log2")" -eq 3 ] || p+=("If-Modified-Since not sent on every request")
check "second update sends If-None-Match and If-Modified-Since and gets 304 (nginx access log)" "${p[@]}"

customs db info --db "$DB"
p=()
grep -q 'up to date (no source changed), kept' "$W/out2" || p+=("no 'kept' message: $(tr '\n' '|' <"$W/out2")")
[ "$(dbsum)" = "$sum1" ] || p+=("the database changed although no source did")
diff <(grep -v '^built:' "$W/info1") <(grep -v '^built:' "$OUT") >/dev/null ||
    p+=("db info differs from the first update's")
check "when every source answers 304 the database is kept (byte-identical, same counts)" "${p[@]}"

# CUSTOMS_DB_SOURCES names the list when --sources is not given
CUSTOMS_DB_SOURCES="$W/sources.conf" customs db update --db "$DB"
p=()
[ "$rc" -eq 0 ] || p+=("exit $rc" "$(show)")
grep -q 'up to date' "$OUT" || p+=("not kept" "$(show)")
check "\$CUSTOMS_DB_SOURCES is read when --sources is not given" "${p[@]}"

# ---- 3. a changed source is downloaded again and the database rebuilt ----
cp "$DATA/secdb/v3.19/main.json" "$WWW/v3.19/main.json.new"
printf '\n' >>"$WWW/v3.19/main.json.new"
chmod a+r "$WWW/v3.19/main.json.new"
mv "$WWW/v3.19/main.json.new" "$WWW/v3.19/main.json"
touch -d '2030-01-01 00:00:00 UTC' "$WWW/v3.19/main.json" # a new Last-Modified and ETag
lines_before=$(wc -l <"$LOG")
customs db update --db "$DB" --sources "$W/sources.conf"
tail -n +"$((lines_before + 1))" "$LOG" >"$W/log3"
p=()
[ "$rc" -eq 0 ] || p+=("exit $rc" "$(show)")
grep -q '^200 "GET /v3.19/main.json' "$W/log3" || p+=("the changed file was not downloaded: $(tr '\n' '|' <"$W/log3")")
[ "$(grep -c '^304 ' "$W/log3")" -eq 2 ] || p+=("the other two should be 304: $(tr '\n' '|' <"$W/log3")")
grep -q 'wrote ' "$OUT" || p+=("database not rebuilt" "$(show)")
grep -q 'last-modified .*2030' "$W/db/customs.db.d/sources/alpine.meta" || p+=("alpine.meta not updated")
check "a changed source is downloaded again (others 304) and the database rebuilt" "${p[@]}"
customs db info --db "$DB"
p=()
grep -Eq 'alpine-secdb +3 records +5 rows' "$OUT" || p+=("alpine counts changed")
grep -Eq '^affected: +19 rows' "$OUT" || p+=("affected count changed")
[ ${#p[@]} -eq 0 ] || p+=("$(tr '\n' '|' <"$OUT")")
check "the rebuilt database has the same counts" "${p[@]}"
p=()
# the secdb feed has no dates inside: its date is the server's Last-Modified, not the download's
grep -Eq 'sources/alpine\.json +alpine-secdb .* data 2030-01-01T00:00:00Z \(file-mtime\)' "$OUT" ||
    p+=("alpine source not dated by Last-Modified" "$(tr '\n' '|' <"$OUT")")
grep -Eq '^  alpine:3\.19 +sources/alpine\.json +5 advisories +5 rows +data 2030-01-01T00:00:00Z' "$OUT" ||
    p+=("no alpine:3.19 coverage dated 2030-01-01" "$(tr '\n' '|' <"$OUT")")
check "a feed without dates is dated by its Last-Modified (db info: sources and coverage)" "${p[@]}"

# ---- 4. failures leave the old database byte-identical ----
sum=$(dbsum)
fail_case() { # fail_case DESCRIPTION EXPECTED-STDERR-REGEX ARGS...
    local what=$1 re=$2; shift 2
    customs db update --db "$DB" "$@"
    local p=()
    [ "$rc" -eq 2 ] || p+=("exit $rc, expected 2")
    grep -Eq "$re" "$ERR" || p+=("stderr does not match /$re/")
    [ "$(dbsum)" = "$sum" ] || p+=("the database changed")
    [ -z "$(strays)" ] || p+=("temporary files left: $(strays)")
    [ ${#p[@]} -eq 0 ] || p+=("$(show)")
    check "$what" "${p[@]}"
    echo "#   stderr: $(tr "\n" "|" <"$ERR" | head -c 300)"
}
cp "$WWW/osv/ghsa.json" "$W/ghsa.good"
printf 'this is not an advisory file\n' >"$WWW/osv/ghsa.json"
fail_case "a source replaced by garbage: exit 2 naming it, old database byte-identical" \
    "source ghsa \\($URL/osv/ghsa.json\\): not a recognised advisory file" --sources "$W/sources.conf"
printf '{"id": "GHSA-xxxx", "modified": "2024-01-01T00:00:00Z", "affected": [' >"$WWW/osv/ghsa.json"
fail_case "a truncated OSV record (detected, fails to import): exit 2 naming the source" \
    "source ghsa \\($URL/osv/ghsa.json\\): import failed" --sources "$W/sources.conf"
p=()
[ -f "$W/db/customs.db.d/sources/ghsa.meta" ] && p+=("ghsa.meta kept although its new copy failed to import")
check "a copy that failed to import has no validators (it is downloaded again next time)" "${p[@]}"
cp "$W/ghsa.good" "$WWW/osv/ghsa.json"
touch -d '2031-01-01 00:00:00' "$WWW/osv/ghsa.json"

rm "$WWW/tracker.json"
fail_case "a 404: exit 2 naming the source and the status" \
    "source tracker \\($URL/tracker.json\\): HTTP status 404" --sources "$W/sources.conf"
cp "$DATA/tracker.json" "$WWW/tracker.json"
chmod a+r "$WWW/tracker.json"

wrong=0000000000000000000000000000000000000000000000000000000000000000
printf 'tracker %s/tracker.json sha256=%s\n' "$URL" "$wrong" >"$W/sha.conf"
fail_case "a sha256= mismatch: exit 2 naming the source" \
    "source tracker .*checksum mismatch" --sources "$W/sha.conf"
good=$(sha256sum "$WWW/tracker.json" | cut -d' ' -f1)
printf 'tracker %s/tracker.json sha256=%s\n' "$URL" "$good" >"$W/sha.conf"
customs db update --db "$W/db/sha.db" --sources "$W/sha.conf"
p=()
[ "$rc" -eq 0 ] || p+=("exit $rc" "$(show)")
check "a matching sha256= is accepted" "${p[@]}"
rm -rf "$W/db/sha.db" "$W/db/sha.db.d"

printf 'tracker %s/tracker.json extra\n' "$URL" >"$W/bad.conf"
fail_case "a malformed sources line: exit 2 with FILE:LINE" "bad\\.conf:1: " --sources "$W/bad.conf"
bad_list() { # bad_list DESCRIPTION REGEX LINE
    printf '%s\n' "# a comment" "$3" >"$W/bad.conf"
    fail_case "sources list: $1: exit 2 with FILE:LINE" "bad\\.conf:2: $2" --sources "$W/bad.conf"
}
bad_list "a name with a slash" "bad source name" "../x $URL/tracker.json"
bad_list "a name starting with a dot" "bad source name" ".x $URL/tracker.json"
bad_list "a file:// URL" "source x: bad URL" "x file:///etc/passwd"
bad_list "a short sha256" "source x: sha256= needs 64 hex digits" "x $URL/tracker.json sha256=abc"
bad_list "a name without a URL" "expected 'NAME URL" "x"
printf 'x %s/tracker.json\nx %s/osv/ghsa.json\n' "$URL" "$URL" >"$W/bad.conf"
fail_case "sources list: a name given twice: exit 2 with FILE:LINE" "bad\\.conf:2: source name 'x' given twice" \
    --sources "$W/bad.conf"
: >"$W/bad.conf"
fail_case "sources list: empty: exit 2" "bad\\.conf: no sources" --sources "$W/bad.conf"
fail_case "a connection refused: exit 2 naming the source" "source down \\(http://127.0.0.1:1/x.json\\)" \
    --source "down=http://127.0.0.1:1/x.json"
fail_case "--max-bytes below the file size: exit 2" "source tracker .*larger than 100 bytes" \
    --sources "$W/sources.conf" --max-bytes 100

# ---- 5. a server that stops halfway ----
cat >"$W/stub.py" <<'EOF'
import http.server, os, sys, time
body = open(sys.argv[1], "rb").read()
flag = sys.argv[2]
class Half(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        open(flag, "w").close()
        if self.path.startswith("/stall"):
            time.sleep(120)
        self.close_connection = True
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Half)
print(srv.server_address[1], flush=True)
srv.serve_forever()
EOF
"$PY" "$W/stub.py" "$DATA/tracker.json" "$W/flag" >"$W/stub.port" 2>"$W/stub.err" &
STUB_PID=$!
for _ in $(seq 50); do [ -s "$W/stub.port" ] && break; sleep 0.1; done
SPORT=$(head -1 "$W/stub.port")
fail_case "a server that closes the connection halfway: exit 2, old database intact, no temporary files" \
    "source half \\(http://127.0.0.1:$SPORT/half.json\\)" --source "half=http://127.0.0.1:$SPORT/half.json"

rm -f "$W/flag"
"$CUSTOMS" db update --db "$DB" --source "stall=http://127.0.0.1:$SPORT/stall.json" >"$OUT" 2>"$ERR" &
cpid=$!
for _ in $(seq 100); do [ -e "$W/flag" ] && break; sleep 0.1; done
sleep 0.3
kill -INT "$cpid"
wait "$cpid"
rc=$?
p=()
[ -e "$W/flag" ] || p+=("the stub never sent half of the file")
[ "$rc" -eq 2 ] || p+=("exit $rc, expected 2")
grep -q 'source stall .*interrupted' "$ERR" || p+=("no 'interrupted' message naming the source")
[ "$(dbsum)" = "$sum" ] || p+=("the database changed")
[ -z "$(strays)" ] || p+=("temporary files left: $(strays)")
[ ${#p[@]} -eq 0 ] || p+=("$(show)")
check "SIGINT while a download stalls halfway: exit 2, old database intact, no temporary files" "${p[@]}"

# --timeout bounds the whole update: the stalled download is stopped when it passes
fail_case "--timeout while a download stalls halfway: exit 2 naming the source and URL, old database intact" \
    "source stall \\(http://127.0.0.1:$SPORT/stall2.json\\): stopped: the update's deadline passed \\(--timeout\\)" \
    --source "stall=http://127.0.0.1:$SPORT/stall2.json" --timeout 2
grep -q "stopped after --timeout 2 seconds; the database was left as it was" "$ERR" &&
    ok "--timeout: the command says the deadline passed" ||
    not_ok "--timeout: the command says the deadline passed" "$(show)"
fail_case "--timeout 0 is refused" "db update: --timeout: not a number of seconds" --timeout 0 --source "x=http://127.0.0.1:1/x"

# --source URL without NAME= names the source from the URL's path
customs db update --db "$W/db/one.db" --source "$URL/osv/ghsa.json"
p=()
[ "$rc" -eq 0 ] || p+=("exit $rc" "$(show)")
[ -f "$W/db/one.db.d/sources/osv-ghsa.json" ] || p+=("no cache file osv-ghsa.json: $(ls "$W/db/one.db.d/sources" | tr '\n' ' ')")
"$CUSTOMS" db info --db "$W/db/one.db" >"$OUT" 2>&1
grep -Eq 'sources/osv-ghsa\.json +osv +1 records +6 rows' "$OUT" || p+=("db info: $(tr '\n' '|' <"$OUT")")
check "--source URL replaces the list, named from the URL (osv-ghsa)" "${p[@]}"
rm -rf "$W/db/one.db" "$W/db/one.db.d"

# ---- 6. after all that, the good sources still update ----
customs db update --db "$DB" --sources "$W/sources.conf"
p=()
[ "$rc" -eq 0 ] || p+=("exit $rc" "$(show)")
"$CUSTOMS" db info --db "$DB" >"$OUT" 2>&1
grep -Eq '^affected: +19 rows' "$OUT" || p+=("counts: $(tr '\n' '|' <"$OUT")")
check "the next good update succeeds with the full counts" "${p[@]}"

echo "1..$n"
[ "$failed" -eq 0 ]
