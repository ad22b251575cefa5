# SPDX-License-Identifier: Apache-2.0
"""What the benchmarks' scripts read off the machine and off wrk: CPU time of a process and of
the finished children, and wrk's durations ("850.12us", "1.20ms") in milliseconds."""
import os
import re
import resource

UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNIT[m.group(2)]


def cpu_seconds(pid):
    """CPU time (user + system) the process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    """CPU time (user + system) of the finished child processes so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime
