# SPDX-License-Identifier: Apache-2.0
"""What an attacker plants where customs reads or writes a file, for the CLI tests: a file that
must stay untouched (the target of a symlink at an output path) and a FIFO nobody reads or
writes (opening it the plain way would wait for ever)."""
import os

PRECIOUS = "precious\n"


def plant(d, fifo_name="fifo"):
    """In directory d: 'victim', a regular file holding PRECIOUS, and a FIFO named fifo_name.
    Returns (victim, fifo), their paths."""
    victim = os.path.join(d, "victim")
    with open(victim, "w") as f:
        f.write(PRECIOUS)
    fifo = os.path.join(d, fifo_name)
    os.mkfifo(fifo)
    return victim, fifo
