#!/usr/bin/env python3
"""Compile every translation unit of a build with the other compiler, syntax only.

Warnings are fatal, and gcc and clang warn differently; glibc's _FORTIFY_SOURCE headers also
differ between them (clang gets macros where gcc gets inline functions), so a tree that builds
with one can fail with the other. The sanitizer and fuzzing builds are clang without
_FORTIFY_SOURCE; this runs the normal build's exact commands (its -O level and
_FORTIFY_SOURCE included) through the other compiler with -fsyntax-only, which runs all of
clang's and gcc's front-end warnings at a fraction of a build's cost.

Usage: check-other-compiler.py BUILD_DIR. Prints TAP; skips when the other compiler is absent.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def other_compiler(argv0):
    name = os.path.basename(argv0)
    if 'clang' in name:
        return 'gcc'
    return 'clang'


def syntax_only(args):
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ('-o', '-MQ', '-MF', '-MT'):
            skip = True
            continue
        if a in ('-MD', '-MMD', '-c') or a.startswith('-fdiagnostics-color'):
            continue
        out.append(a)
    return out + ['-fsyntax-only']


def main():
    build = sys.argv[1]
    with open(os.path.join(build, 'compile_commands.json')) as f:
        entries = [e for e in json.load(f) if e['file'].endswith('.c')]
    if not entries:
        print('1..0 # SKIP no C translation units in compile_commands.json')
        return 0
    first = shlex.split(entries[0]['command'])[0]
    cc = other_compiler(first)
    if shutil.which(cc) is None:
        print(f'1..0 # SKIP {cc} is not installed')
        return 0
    jobs = []
    for e in entries:
        args = shlex.split(e['command'])
        jobs.append((e['file'], [cc] + syntax_only(args[1:]), e['directory']))

    def run(job):
        name, argv, cwd = job
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
        return name, p.returncode, p.stderr

    print(f'1..{len(jobs)}')
    bad = 0
    with ThreadPoolExecutor(max_workers=2) as ex:
        for i, (name, rc, err) in enumerate(ex.map(run, jobs), 1):
            if rc == 0 and not err.strip():
                print(f'ok {i} {cc} {name}')
            else:
                bad += 1
                print(f'not ok {i} {cc} {name}')
                for line in err.splitlines():
                    print('# ' + line)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
