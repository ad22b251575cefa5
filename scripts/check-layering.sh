#!/bin/sh
# Fail if a src/ module includes a module above it. The order (low to high):
#   core < formats, model < image, version < inventory, misconfig < vulndb, match, secrets, malware
#   < scan, policy < report, store < admit, registry < cli
# A module may include its own headers and those of lower ranks only.
cd "$(dirname "$0")/.." || exit 2
rank() {
    case $1 in
    core) echo 0 ;; formats | model) echo 1 ;; image | version) echo 2 ;;
    inventory | misconfig) echo 3 ;; vulndb | match | secrets | malware) echo 4 ;;
    scan | policy) echo 5 ;; report | store) echo 6 ;; admit | registry) echo 7 ;; cli) echo 8 ;;
    *) echo 99 ;;
    esac
}
bad=0
for f in $(find src -name '*.[ch]'); do
    mod=$(echo "$f" | cut -d/ -f2)
    r=$(rank "$mod")
    for inc in $(grep -ho '^#include "[a-z_]*/' "$f" | sed 's/#include "//; s,/,,'); do
        [ "$inc" = "$mod" ] || [ "$inc" = customs ] && continue
        if [ "$(rank "$inc")" -gt "$r" ]; then
            echo "layering: $f ($mod) includes $inc/, which is above it"
            bad=1
        fi
    done
done
[ $bad = 0 ] && echo "layering: ok"
exit $bad
