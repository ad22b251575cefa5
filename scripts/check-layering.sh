#!/bin/sh
# Fail if a src/ module includes a module above it. The order (low to high):
#   core < formats < image, version < registry, inventory < model
#   < misconfig, vulndb, match, secrets, malware < scan, policy < report, store
#   < admit, signature, gate < cli
# (model: the findings, the report and the verdict that analyzers produce and consumers read;
# the report holds the inventory.)
# A module may include its own headers and those of lower ranks only. One grep and one awk over
# the whole tree (a process per include took 11 s on a quiet machine and timed out on a busy one).
# Also fail if anything outside src/cli reads the environment.
cd "$(dirname "$0")/.." || exit 2
find src -name '*.[ch]' -exec grep -H '^#include "[a-z_]*/' {} + | awk '
function rank(m) {
    if (m == "core") return 0
    if (m == "formats") return 1
    if (m == "image" || m == "version") return 2
    if (m == "registry" || m == "inventory") return 3
    if (m == "model") return 4
    if (m == "misconfig" || m == "vulndb" || m == "match" || m == "secrets" || m == "malware") return 5
    if (m == "scan" || m == "policy") return 6
    if (m == "report" || m == "store") return 7
    if (m == "admit" || m == "signature" || m == "gate") return 8
    if (m == "cli") return 9
    return 99
}
{
    file = substr($0, 1, index($0, ":") - 1)
    split(file, parts, "/"); mod = parts[2]
    inc = $0; sub(/^[^:]*:#include "/, "", inc); sub(/\/.*/, "", inc)
    if (inc == mod || inc == "customs") next
    if (rank(inc) > rank(mod)) {
        printf "layering: %s (%s) includes %s/, which is above it\n", file, mod, inc
        bad = 1
    }
}
END { if (!bad) print "layering: ok"; exit bad }'
status=$?
# The library reads no environment: the CLI (src/cli) passes paths and options in, so the webhook
# and the gate can embed it.
if grep -n 'getenv *(' -r src --include='*.[ch]' | grep -v '^src/cli/'; then
    echo "layering: the library reads the environment (above); only src/cli may"
    status=1
fi
exit $status
