#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The table report of `customs scan` (TAP): a summary by kind and severity first, then only
the packages with vulnerabilities (all of them with --list-all-pkgs, and always for `sbom`),
an ARCH column from the package database, colours on a terminal as NO_COLOR and --color say.

A root filesystem made here (Debian 12: libssl3 3.0.7-1 (amd64) and two packages without
vulnerabilities, one named with an escape sequence; npm example-lib 1.0.0, which has no
architecture; an AWS key in a file) scanned against tests/data/vulndb:
- the Summary comes before the packages and counts what the JSON report holds, per kind and
  severity; malware and misconfigurations scanned and 0; with --scanners package,vuln the
  other kinds say "not scanned";
- the Packages section lists libssl3 and example-lib only, with their vulnerability counts,
  and names how many were left out; --list-all-pkgs and `sbom` list every package;
- ARCH shows amd64 for the dpkg packages and "-" for npm;
- colour: none in a pipe (auto), SGR severities on a pseudo-terminal, none there with
  NO_COLOR=1, some with NO_COLOR set but empty (no-color.org: only a non-empty value disables),
  forced by --color always even with NO_COLOR (and by CUSTOMS_COLOR=always, as every option
  has its variable), none with --color never on a terminal; the
  image's own escape sequence is shown escaped in a colour table; --color bogus is a usage
  error (exit 2).
- `customs audit`'s table the same way: no colour in a pipe, severities in colour on a terminal,
  none with NO_COLOR=1 or --color never, forced by --color always and CUSTOMS_COLOR=always; no
  escape but customs' own from a manifest's name; the closing line counts by severity; --color
  bogus is exit 2.
Environment: CUSTOMS (the binary), CUSTOMS_SOURCE_ROOT (the checkout)."""
import json
import os
import pty
import re
import subprocess
import sys
import tempfile

ROOT = os.environ.get("CUSTOMS_SOURCE_ROOT") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from tap import TAP, ok  # noqa: E402

CUSTOMS = os.environ.get("CUSTOMS", "build/customs")
DATA = os.path.join(ROOT, "tests", "data", "vulndb")
AWS_KEY = "AKIA7KLFYYLBEG3RHDSV"
SGR = re.compile(r"\x1b\[[0-9;]*m")
TESTS = 16


def env_without(*names, **extra):
    e = {k: v for k, v in os.environ.items() if k not in names}
    e.update(extra)
    return e


def run(*args, env=None):
    return subprocess.run([CUSTOMS, *args], capture_output=True, text=True,
                          env=env if env is not None else env_without("NO_COLOR"))


def run_on_tty(*args, env):
    """Run with stdout on a pseudo-terminal (stderr a pipe); returns (exit code, output)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([CUSTOMS, *args], stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    p.stderr.read()
    p.stderr.close()
    return p.wait(), b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_root(root):
    write(f"{root}/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'
          'VERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
    write(f"{root}/var/lib/dpkg/status",
          "Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.7-1\n"
          "Architecture: amd64\n\n"
          "Package: zlib1g\nStatus: install ok installed\nSource: zlib\n"
          "Version: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\n"
          "Package: evil\x1b[31mred\nStatus: install ok installed\nVersion: 1.0\n"
          "Architecture: all\n\n")
    write(f"{root}/app/node_modules/example-lib/package.json",
          '{"name": "example-lib", "version": "1.0.0", "license": "MIT"}\n')
    write(f"{root}/app/config/settings.ini", "[aws]\nregion = eu-west-1\n"
          f"aws_access_key_id = {AWS_KEY}\n")


def section(text, title):
    """The lines of a section: from its title line to the next blank line."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if SGR.sub("", line).startswith(title):
            out = []
            for rest in lines[i + 1:]:
                if rest == "":
                    break
                out.append(rest)
            return out
    return None


def main():
    print(f"1..{TESTS}")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "root")
        make_root(root)
        db = os.path.join(d, "fixtures.db")
        p = run("db", "build", "-o", db, os.path.join(DATA, "tracker.json"),
                os.path.join(DATA, "osv", "ghsa.json"), os.path.join(DATA, "nvd", "page.json"))
        if p.returncode != 0:
            raise SystemExit(f"Bail out! db build failed: {p.stderr}")
        common = ["scan", "-q", "--db", db, "--max-db-age", "0", "--no-cache"]
        rep = json.loads(run(*common, "-f", "json", "dir:" + root).stdout)
        t = run(*common, "-f", "table", "dir:" + root)
        text = t.stdout

        # ---- the summary ----
        summary = section(text, "Summary")
        rows = {r.split()[0]: r.split()[1:] for r in (summary or [])[1:] if r.split()}
        order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
        want_v = [str(sum(v["severity"] == s for v in rep["vulnerabilities"])) for s in order]
        want_s = [str(sum(x["severity"] == s for x in rep["secrets"])) for s in order]
        ok(t.returncode == 0 and summary is not None
           and summary[0].split() == ["KIND", *order, "TOTAL"]
           and rows.get("vulnerabilities") == want_v + [str(len(rep["vulnerabilities"]))]
           and rows.get("secrets") == want_s + ["1"]
           and rows.get("malware") == ["0"] * 6 and rows.get("misconfigurations") == ["0"] * 6
           and len(rep["vulnerabilities"]) >= 3
           and text.index("\nSummary\n") < text.index("\nPackages"),
           "the summary comes first: vulnerabilities and secrets by severity as the JSON report"
           " counts them, malware and misconfigurations 0", text)
        only = run("scan", "-q", "--db", db, "--max-db-age", "0", "--no-cache", "--scanners",
                   "package,vuln", "-f", "table", "dir:" + root).stdout
        rows2 = {r.split()[0]: r.split()[1:] for r in (section(only, "Summary") or [])[1:]}
        ok(rows2.get("secrets") == ["-"] * 5 + ["not", "scanned"]
           and rows2.get("malware") == ["-"] * 5 + ["not", "scanned"]
           and rows2.get("vulnerabilities") == want_v + [str(len(rep["vulnerabilities"]))],
           "--scanners package,vuln: secrets and malware say \"not scanned\", never 0", only)
        ign = os.path.join(d, "ignore")
        write(ign, "CVE-2024-0001\n")
        hid = run(*common, "-f", "table", "--ignorefile", ign, "--severity",
                  "CRITICAL,HIGH,MEDIUM,LOW", "dir:" + root).stdout
        ok("\nSuppressed: 1 (vulnerabilities 1, secrets 0, malware 0, misconfigurations 0),"
           " 1 by the ignore file, 0 by VEX\n" in hid
           and "\nIgnore file: 1 entries, 1 applied, 0 expired\n" in hid
           and "\nHidden by --severity: 1 UNKNOWN\n" in hid,
           "the summary says what the ignore file suppressed and what --severity hid", hid)

        # ---- packages: only those with vulnerabilities, unless asked ----
        pk = section(text, "Packages") or []
        names = [r.split()[1] for r in pk[1:]]
        total = len(rep["packages"])
        title = next((line for line in text.split("\n") if line.startswith("Packages")), "")
        libssl = next((r.split() for r in pk if r.split()[1:2] == ["libssl3"]), [])
        ok(sorted(names) == ["example-lib", "libssl3"]
           and title == f"Packages with vulnerabilities (2 of {total}; --list-all-pkgs lists"
                        " every package)"
           and libssl[-1:] == [str(sum(v["package"] == "libssl3"
                                       for v in rep["vulnerabilities"]))],
           "the packages with vulnerabilities only, each with its count, the rest counted",
           "\n".join(pk) + "\n" + title)
        every = run(*common, "-f", "table", "--list-all-pkgs", "dir:" + root).stdout
        sbom = run("sbom", "-q", "--no-cache", "-f", "table", "dir:" + root).stdout
        ok(len(section(every, "Packages")) == total + 1 and total == 4
           and len(section(sbom, "Packages")) == total + 1,
           "--list-all-pkgs lists every package; so does sbom", every + sbom)

        # ---- the architecture column ----
        head = pk[0].split() if pk else []
        npm = next((r.split() for r in pk if r.split()[1:2] == ["example-lib"]), [])
        ok(head[:4] == ["TYPE", "NAME", "VERSION", "ARCH"] and libssl[3:4] == ["amd64"]
           and npm[3:4] == ["-"],
           "ARCH: amd64 from dpkg's status file, '-' for an npm package", "\n".join(pk))

        # ---- colour ----
        e = env_without("NO_COLOR", TERM="xterm")
        ok(SGR.search(text) is None and "\x1b" not in text,
           "auto in a pipe: no escape sequence at all", repr(text[:300]))
        rc, tty = run_on_tty(*common, "-f", "table", "dir:" + root, env=e)
        ok(rc == 0 and re.search(r"\x1b\[33mMEDIUM\x1b\[0m", tty)
           and "\x1b[1mSummary\x1b[0m" in tty,
           "auto on a terminal: severities in colour, titles in bold", repr(tty[:400]))
        rc, nc = run_on_tty(*common, "-f", "table", "dir:" + root,
                            env=env_without("NO_COLOR", TERM="xterm", NO_COLOR="1"))
        rc2, empty = run_on_tty(*common, "-f", "table", "dir:" + root,
                                env=env_without("NO_COLOR", TERM="xterm", NO_COLOR=""))
        ok(rc == 0 and "\x1b" not in nc and "MEDIUM" in nc and SGR.search(empty),
           "NO_COLOR=1 on a terminal: no colour; NO_COLOR set but empty: colour",
           repr(nc[:300]) + repr(empty[:300]))
        forced = run(*common, "-f", "table", "--color", "always", "--list-all-pkgs",
                     "dir:" + root, env=env_without("NO_COLOR", NO_COLOR="1")).stdout
        rc, never = run_on_tty(*common, "-f", "table", "--color", "never", "dir:" + root, env=e)
        ours = {"\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[34m"}
        ok(re.search(r"\x1b\[31mHIGH\x1b\[0m +aws-access-key-id", forced)
           and set(SGR.findall(forced)) <= ours and forced.count("\x1b") == len(SGR.findall(forced))
           and "evil\\x1b[31mred" in forced and "\x1b" not in never,
           "--color always colours a pipe despite NO_COLOR (only customs' own SGR codes; the"
           " image's escape shown as \\x1b); --color never on a terminal: none",
           repr(forced[:600]) + repr(never[:200]))
        env_on = run(*common, "-f", "table", "dir:" + root,
                     env=env_without("NO_COLOR", CUSTOMS_COLOR="always",
                                     CUSTOMS_LIST_ALL_PKGS="1")).stdout
        ok(SGR.search(env_on) and len(section(env_on, "Packages")) == total + 1,
           "CUSTOMS_COLOR=always and CUSTOMS_LIST_ALL_PKGS=1 act as the flags do",
           repr(env_on[:400]))
        bad = run(*common, "-f", "table", "--color", "sometimes", "dir:" + root)
        ok(bad.returncode == 2 and "--color" in bad.stderr and bad.stdout == "",
           "--color sometimes: a usage error, exit 2", bad.stderr)
        audit_colour(os.path.join(d, "k8s"))
    return 1 if TAP.failed else 0


POD = """apiVersion: v1
kind: Pod
metadata:
  name: "evil\\e[31mred"
spec:
  containers:
    - name: app
      image: registry.internal/app:1.0
      securityContext:
        privileged: true
"""


def audit_colour(d):
    write(os.path.join(d, "pod.yaml"), POD)
    audit = ["audit", "--exit-code", "0", d]
    e = env_without("NO_COLOR", TERM="xterm")
    plain = run(*audit)
    rc, tty = run_on_tty(*audit, env=e)
    last = plain.stdout.strip().splitlines()[-1] if plain.stdout.strip() else ""
    ok(plain.returncode == 0 and "\x1b" not in plain.stdout and "CRITICAL" in plain.stdout
       and re.match(r"\d+ findings \(1 CRITICAL, .*\) in 1 file \(1 document\)", last)
       and rc == 0 and re.search(r"\x1b\[1;31mCRITICAL\x1b\[0m", tty),
       "audit: no colour in a pipe, severities in colour on a terminal; counts by severity",
       repr(plain.stdout[-300:]) + repr(tty[:300]))
    rc, nc = run_on_tty(*audit, env=env_without("NO_COLOR", TERM="xterm", NO_COLOR="1"))
    rc2, never = run_on_tty("audit", "--color", "never", "--exit-code", "0", d, env=e)
    ok("\x1b" not in nc and "CRITICAL" in nc and "\x1b" not in never and "CRITICAL" in never,
       "audit: NO_COLOR=1 and --color never on a terminal: no colour", repr(nc[:200]))
    forced = run("audit", "--color", "always", "--exit-code", "0", d,
                 env=env_without("NO_COLOR", NO_COLOR="1")).stdout
    by_env = run(*audit, env=env_without("NO_COLOR", CUSTOMS_COLOR="always")).stdout
    ours = {"\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[34m"}
    ok(re.search(r"\x1b\[1;31mCRITICAL\x1b\[0m", forced) and set(SGR.findall(forced)) <= ours
       and forced.count("\x1b") == len(SGR.findall(forced)) and "evil" in forced
       and SGR.search(by_env),
       "audit --color always (and CUSTOMS_COLOR=always) colours a pipe; only customs' own SGR"
       " codes (the manifest's escape never reaches the terminal)", repr(forced[:400]))
    bad = run("audit", "--color", "sometimes", d)
    ok(bad.returncode == 2 and "--color" in bad.stderr and bad.stdout == "",
       "audit --color sometimes: a usage error, exit 2", bad.stderr)


if __name__ == "__main__":
    sys.exit(main())
