#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Where the wall time of a directory scan goes (make bench's `scan dir:` line, or by hand):

    python3 bench/dirwalk.py [--drop-caches] -- CUSTOMS scan ... dir:/

Runs the command once and prints its wall time, user and system CPU (all threads), and for its
main thread, the one that walks and reads (src/image/dirwalk.c), the time it ran, the time it
waited for a CPU (run queue: a loaded machine) and the rest, the time it was blocked (waiting on
the disk, mostly), from /proc/PID/task/PID/schedstat sampled until it exits. --drop-caches
empties the page cache first (root; it slows every other process on the machine for a while)."""
import os
import resource
import subprocess
import sys
import time


def schedstat(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
            run, wait, _ = f.read().split()
            return int(run) / 1e9, int(wait) / 1e9
    except (OSError, ValueError):
        return None


def main(argv):
    drop = "--drop-caches" in argv
    cmd = argv[argv.index("--") + 1:]
    if drop:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    load = open("/proc/loadavg").read().split()[0]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    last = (0.0, 0.0)
    while p.poll() is None:
        s = schedstat(p.pid)
        if s is not None:
            last = s
        time.sleep(0.05)
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    run, wait = last
    blocked = max(0.0, wall - run - wait)
    print(f"wall {wall:.1f} s  user {ru.ru_utime:.1f} s  sys {ru.ru_stime:.1f} s  "
          f"(user+sys)/wall {(ru.ru_utime + ru.ru_stime) / wall:.2f}  main thread: ran "
          f"{run:.1f} s, waited for a CPU {wait:.1f} s, blocked {blocked:.1f} s  "
          f"read {ru.ru_inblock * 512 / 1e9:.2f} GB  load {load}  exit {p.returncode}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
