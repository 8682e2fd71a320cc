"""A throwaway PostgreSQL server for the casebook tests: initdb, start, yield a URL, stop.

Self-sufficient: it needs the server binaries (``initdb``, ``pg_ctl``) on PATH or
under /usr/lib/postgresql/*/bin. As root it runs the server as the ``postgres``
user (or ``nobody``), since PostgreSQL refuses to run as root. The server
listens on loopback, on a free port, with its unix socket in its own folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresUnavailable", "find_binaries", "postgres_server"]


class PostgresUnavailable(RuntimeError):
    """No server could be started here; the message says why."""


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable("running as root and there is no postgres or nobody user")


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server in a temporary folder; yield ``postgresql://`` URL of a fresh database."""
    binaries = find_binaries()
    if binaries is None:
        raise PostgresUnavailable("initdb and pg_ctl not found (apt-get install postgresql)")
    user = _server_user()
    base = Path(tempfile.mkdtemp(prefix="aftersales-pg-"))  # short: a socket path is <108 bytes
    data, log = base / "data", base / "server.log"
    uid = gid = None
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
        uid, gid = user.pw_uid, user.pw_gid
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run(
            [str(binaries / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=False,
            cwd=base,
            user=uid,
            group=gid,
            extra_groups=None if uid is None else [],
        )
        if done.returncode != 0:
            more = log.read_text() if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {done.stderr}{more}")

    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", "aftersales", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        run("pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        try:
            import psycopg

            admin = f"postgresql://aftersales@127.0.0.1:{port}/postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("CREATE DATABASE casebook")
            yield f"postgresql://aftersales@127.0.0.1:{port}/casebook"
        finally:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def reset(url: str) -> None:
    """Drop the casebook's tables, so each test starts from an empty schema."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS cases, events, outbox, meta, schema_version")
