# SPDX-License-Identifier: Apache-2.0
"""A throwaway PostgreSQL 15 server for the tests: initdb into a temporary directory, the server
on a free loopback port with its Unix socket in that directory, password authentication over
TCP (user "customs", a random password), trust over the socket (for the test's own psql).

initdb and postgres refuse to run as root: when the tests run as root (CI), both run as the
`postgres` system user (runuser), with the directory handed to it.

    srv = PgServer.start(workdir)      # None when PostgreSQL 15 is missing: missing() says why
    srv = start_or_skip(workdir, n)    # or None after n TAP skips naming the reason
    uri = srv.create_db("verdicts")    # postgresql://customs:PASSWORD@127.0.0.1:PORT/verdicts
    rows = srv.sql("verdicts", "SELECT 1")
    srv.stop(); srv.start_again()      # the same data directory and port
    srv.close()
"""
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time

PG_BIN = "/usr/lib/postgresql/15/bin"
PSQL = os.path.join(PG_BIN, "psql")


def missing():
    """Why the server cannot be started here, or None."""
    for tool in ("initdb", "pg_ctl", "postgres", "psql"):
        if not os.access(os.path.join(PG_BIN, tool), os.X_OK):
            return f"postgresql-15 is not installed ({PG_BIN}/{tool} is missing)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_or_skip(work, nchecks):
    """The server, or None after printing `nchecks` TAP skips that say why there is none."""
    from tap import TAP
    why = missing()
    srv = None
    try:
        srv = PgServer.start(work) if why is None else None
    except (RuntimeError, OSError) as e:
        why = f"PostgreSQL 15 did not start: {e}"
    if srv is None:
        for _ in range(nchecks):
            TAP.n += 1
            print(f"ok {TAP.n} # SKIP {why}")
    return srv


class PgServer:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.sock = root
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.prefix = []
        if os.geteuid() == 0:
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args, check=True):
        p = subprocess.run(self.prefix + list(args), capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: {p.stderr or p.stdout}")
        return p

    @classmethod
    def start(cls, work):
        if missing() is not None:
            return None
        root = os.path.join(work, "pg")
        os.makedirs(root)
        srv = cls(root)
        pwfile = os.path.join(root, "pw")
        with open(pwfile, "w") as f:
            f.write(srv.password + "\n")
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chmod(work, 0o755)  # postgres must be able to enter the work directory
            for path in (root, pwfile):
                os.chown(path, pw.pw_uid, pw.pw_gid)
        srv._run(os.path.join(PG_BIN, "initdb"), "-D", srv.data, "-U", "customs", "-E", "UTF8",
                 "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
                 "--no-instructions")
        os.unlink(pwfile)
        srv.start_again()
        return srv

    def start_again(self):
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sock} -c fsync=off "
                "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200")
        self._run(os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-o", opts,
                  "-l", os.path.join(self.root, "log"), "-w", "-t", "120", "start")

    def stop(self):
        self._run(os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop",
                  check=False)

    def close(self):
        self.stop()

    def uri(self, db, password=None):
        pw = self.password if password is None else password
        return f"postgresql://customs:{pw}@127.0.0.1:{self.port}/{db}"

    def sql(self, db, query):
        """Rows of a query as lists of strings (None for NULL), through psql on the socket."""
        p = subprocess.run([PSQL, "-h", self.sock, "-p", str(self.port), "-U", "customs",
                            "-d", db, "-X", "-A", "-t", "-F", "\x1f", "-P", "null=@@NULL@@",
                            "-v", "ON_ERROR_STOP=1", "-c", query],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr)
        return [[None if c == "@@NULL@@" else c for c in line.split("\x1f")]
                for line in p.stdout.splitlines() if line != ""]

    def create_db(self, name):
        self.sql("postgres", f'CREATE DATABASE "{name}"')
        return self.uri(name)

    def wait_down(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end and os.path.exists(os.path.join(self.data, "postmaster.pid")):
            time.sleep(0.1)
