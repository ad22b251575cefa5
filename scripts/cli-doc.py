#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write docs/cli.md, the manual of every command, from the binary's own --help:
    scripts/cli-doc.py build/src/cli/customs > docs/cli.md
tests/cli/help_doc.py fails when docs/cli.md is not what this prints."""
import subprocess
import sys

# (what the reader types, the arguments that print its help)
COMMANDS = [
    ("customs", ["--help"]),
    ("customs scan", ["scan", "--help"]),
    ("customs sbom", ["sbom", "--help"]),
    ("customs audit", ["audit", "--help"]),
    ("customs policy check", ["policy", "check", "--help"]),
    ("customs admit", ["admit", "--help"]),
    ("customs registry", ["registry", "--help"]),
    ("customs store refresh", ["store", "refresh", "--help"]),
    ("customs db", ["db", "--help"]),
    ("customs db update", ["db", "update", "--help"]),
    ("customs cache", ["cache", "--help"]),
]

HEAD = """# customs(1): every command and option

The help each command prints (`customs COMMAND --help`), here in one place. Every option can
also come from `CUSTOMS_<OPTION>` or a `customs.yaml` ([config.md](config.md)); the exit codes
are the README's table. This file is written by `scripts/cli-doc.py build/src/cli/customs >
docs/cli.md`, and `tests/cli/help_doc.py` fails when it differs from the binary's help.
"""


def helps(customs):
    """[(title, help text)], or raises on a command whose --help fails."""
    out = []
    for title, args in COMMANDS:
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        p = subprocess.run([customs, *args], capture_output=True, text=True, env=env,
                           check=False)
        if p.returncode != 0 or p.stdout == "":
            raise RuntimeError(f"{title} --help: exit {p.returncode}: {p.stderr.strip()}")
        out.append((title, p.stdout))
    return out


def render(customs):
    parts = [HEAD]
    for title, text in helps(customs):
        parts.append(f"\n## {title}\n\n```text\n{text.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render(sys.argv[1] if len(sys.argv) > 1 else "build/src/cli/customs"))
