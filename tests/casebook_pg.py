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

__all__ = ["PostgresUnavailable", "Server", "find_binaries", "postgres_server", "reset"]


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


class Server:
    """A server in a temporary folder; ``crash`` and ``start`` it again to test recovery."""

    def __init__(self, *, durable: bool = False) -> None:
        binaries = find_binaries()
        if binaries is None:
            raise PostgresUnavailable("initdb and pg_ctl not found (apt-get install postgresql)")
        self._binaries = binaries
        user = _server_user()
        self._uid = None if user is None else user.pw_uid
        self._gid = None if user is None else user.pw_gid
        # short: a socket path is under 108 bytes
        self._base = Path(tempfile.mkdtemp(prefix="aftersales-pg-"))
        if user is not None:
            os.chown(self._base, user.pw_uid, user.pw_gid)
        self._data, self._log = self._base / "data", self._base / "server.log"
        port = _free_port()
        # fsync stays off either way: these tests kill processes, not the machine. A
        # durable server acknowledges a commit only once it is in the WAL, so a crash
        # of the server keeps every write it acknowledged.
        commit = "on" if durable else "off"
        self._options = (
            f"-p {port} -k {self._base} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit={commit} -c full_page_writes=off -c max_connections=50"
        )
        self.url = f"postgresql://aftersales@127.0.0.1:{port}/casebook"
        self._admin = f"postgresql://aftersales@127.0.0.1:{port}/postgres"
        self._running = False

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self._binaries / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=False,
            cwd=self._base,
            user=self._uid,
            group=self._gid,
            extra_groups=None if self._uid is None else [],
        )
        if done.returncode != 0:
            more = self._log.read_text() if self._log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {done.stderr}{more}")

    def create(self) -> None:
        """initdb, start, and an empty ``casebook`` database."""
        self._run(
            "initdb", "-D", str(self._data), "-A", "trust", "-U", "aftersales", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        self.start()
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE casebook")

    def start(self) -> None:
        """Start (after a crash: PostgreSQL replays its WAL before it takes connections)."""
        self._run(
            "pg_ctl", "-D", str(self._data), "-l", str(self._log), "-o", self._options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self._running = True

    def crash(self) -> None:
        """Every server process ends at once, with no shutdown checkpoint (``-m immediate``)."""
        self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop")
        self._running = False

    def close(self) -> None:
        try:
            if self._running:
                self.crash()
        finally:
            shutil.rmtree(self._base, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[Server]:
    """A started server with an empty ``casebook`` database (``server.url``); removed after."""
    server = Server(durable=durable)
    try:
        server.create()
        yield server
    finally:
        server.close()


def reset(url: str) -> None:
    """Drop the casebook's tables, so each test starts from an empty schema."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS cases, events, outbox, meta, board_rows, schema_version")
