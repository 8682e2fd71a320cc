"""Two databases behind one small interface: SQLite (stdlib) and PostgreSQL (psycopg 3).

The casebook speaks one SQL dialect, written with ``?`` placeholders; the
PostgreSQL side swaps them for ``%s``. What differs is kept here: how a write
transaction starts (``BEGIN IMMEDIATE`` takes SQLite's one write lock at once,
so two writers queue instead of failing halfway), the row locks PostgreSQL
workers claim with (``FOR UPDATE SKIP LOCKED``), and the schema's few type
words. The schema itself is created and migrated here, recorded in
``schema_version``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from ._errors import CasebookError, DatabaseDamaged, DatabaseGone, NotACasebook, SchemaError
from ._secrets import mask_secrets, url_secrets

__all__ = ["SCHEMA_VERSION", "Database", "Tx", "connect"]

Row = tuple[Any, ...]

#: The schema this library writes; :func:`connect` migrates older databases to it.
SCHEMA_VERSION = 3

# One list per version: the statements that take a database from the version
# before to this one. ``{id}`` is the outbox's auto-numbered key.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE cases (
            case_id TEXT PRIMARY KEY,
            version BIGINT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            status TEXT NOT NULL,
            final SMALLINT NOT NULL,
            due_at BIGINT,
            changed_at BIGINT NOT NULL,
            held TEXT,
            snapshot TEXT NOT NULL
        )""",
        "CREATE INDEX cases_due ON cases (due_at)",
        "CREATE INDEX cases_open ON cases (final, case_id)",
        """CREATE TABLE events (
            case_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event_id TEXT NOT NULL,
            type TEXT NOT NULL,
            at BIGINT NOT NULL,
            version BIGINT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (case_id, seq),
            UNIQUE (case_id, event_id)
        )""",
        """CREATE TABLE outbox (
            id {id},
            case_id TEXT NOT NULL,
            version BIGINT NOT NULL,
            position INTEGER NOT NULL,
            type TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            handed_at BIGINT,
            settled_at BIGINT,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (case_id, version, position)
        )""",
        "CREATE INDEX outbox_status ON outbox (status, id)",
    ),
    # 2: each case's order, for AFTER-ONCE across the store; what the store was
    # written under (the policy's numbers, as text). Existing rows are backfilled
    # from their snapshots (_backfill_orders).
    2: (
        "ALTER TABLE cases ADD COLUMN order_id TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE cases ADD COLUMN aftersale SMALLINT NOT NULL DEFAULT 0",
        "CREATE INDEX cases_order ON cases (order_id)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    # 3: the board's projection, one row per open case (_projection.py), kept in
    # each write's transaction; backfilled from the open cases' snapshots.
    3: (
        """CREATE TABLE board_rows (
            case_id TEXT PRIMARY KEY,
            workflow TEXT NOT NULL,
            state TEXT NOT NULL,
            timer TEXT,
            due_us BIGINT,
            due_tz TEXT,
            due_at BIGINT,
            who TEXT NOT NULL,
            rule TEXT NOT NULL,
            outstanding TEXT NOT NULL,
            provisional SMALLINT NOT NULL
        )""",
    ),
}


class Tx:
    """One transaction's cursor, with the dialect's placeholders."""

    def __init__(self, cursor: Any, *, pg: bool) -> None:
        self._cursor = cursor
        self._pg = pg

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._pg else sql

    def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        self._cursor.execute(self._sql(sql), tuple(params))
        return [tuple(row) for row in self._cursor.fetchall()]

    def stream(self, sql: str, params: Sequence[object] = (), size: int = 10_000) -> Iterator[Row]:
        """The rows of a query, fetched ``size`` at a time (a large result never held whole).

        PostgreSQL: a server-side (named) cursor, so the server sends ``size`` rows per
        round trip instead of the client buffering the whole result first; JIT
        compilation off for the transaction (it costs more than it saves on a scan of
        small rows).
        """
        cursor = self._cursor
        if self._pg:
            cursor.execute("SET LOCAL jit = off")
            cursor = cursor.connection.cursor(name="aftersales_stream")
        try:
            cursor.execute(self._sql(sql), tuple(params))
            while rows := cursor.fetchmany(size):
                yield from rows
        finally:
            if cursor is not self._cursor:
                cursor.close()

    def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def run(self, sql: str, params: Sequence[object] = ()) -> int:
        """Execute a statement; the number of rows it changed."""
        self._cursor.execute(self._sql(sql), tuple(params))
        count: int = self._cursor.rowcount
        return count

    def lock(self, key: str) -> None:
        """Serialise writers of ``key`` until the transaction ends (PostgreSQL); a SQLite
        write transaction already holds the whole database."""
        if self._pg:
            self._cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))

    def many(self, sql: str, rows: Sequence[Sequence[object]]) -> int:
        """Execute a statement once per row; the number of rows changed, summed."""
        if not rows:
            return 0
        if len(rows) == 1:  # psycopg's executemany sets up a pipeline: dearer for one row
            return self.run(sql, rows[0])
        self._cursor.executemany(self._sql(sql), [tuple(r) for r in rows])
        count: int = self._cursor.rowcount
        return count


class Database:
    """A connection and its dialect. Not shared between threads: open one per worker."""

    dialect: str = ""
    #: Appended to a claiming SELECT: PostgreSQL locks the rows and skips locked ones.
    skip_locked: str = ""
    #: ``UPDATE ... RETURNING`` is understood (PostgreSQL; SQLite from 3.35).
    returning: bool = True

    def transaction(self, *, write: bool) -> AbstractContextManager[Tx]:
        """A transaction; a write one holds the write lock from its start (SQLite)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def integrity(self) -> list[str]:
        """What the database's own check of its pages finds; empty when sound."""
        return []

    def reopen(self) -> Database | None:
        """Another connection to the same database, for another process (already migrated
        and checked by this one); None when no other connection can see it."""
        return None

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the file now, waiting for no one
        (SQLite; PostgreSQL checkpoints by itself)."""

    def _id_column(self) -> str:
        raise NotImplementedError

    def _lock_schema(self, tx: Tx) -> None:
        """Serialise migrations between processes opening the same database at once."""

    def migrate(self) -> int:
        """Create or upgrade the schema; the version the database is at afterwards."""
        with self.transaction(write=True) as tx:
            self._lock_schema(tx)
            tx.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = tx.one("SELECT MAX(version) FROM schema_version")
            current = 0 if row is None or row[0] is None else int(row[0])
            if current > SCHEMA_VERSION:
                raise SchemaError(
                    f"the casebook's schema is version {current}; this library knows up to "
                    f"{SCHEMA_VERSION}: upgrade aftersales"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[version]:
                    tx.run(statement.replace("{id}", self._id_column()))
                if version == 2:
                    _backfill_orders(tx)
                if version == 3:
                    from ._projection import backfill

                    backfill(tx)
                tx.run("INSERT INTO schema_version (version) VALUES (?)", (version,))
        return SCHEMA_VERSION


def _backfill_orders(tx: Tx) -> None:
    """Schema 2: fill ``order_id`` and ``aftersale`` of the cases stored before it."""
    from ..core._serialize import case_from_json

    for case_id, snapshot in tx.all("SELECT case_id, snapshot FROM cases"):
        case = case_from_json(snapshot)
        tx.run(
            "UPDATE cases SET order_id = ?, aftersale = ? WHERE case_id = ?",
            (case.order.id, int(case.phase == "aftersale"), case_id),
        )


_HEADER = b"SQLite format 3\x00"
#: SQLite's answers that mean the file is damaged or not a database at all.
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
#: How long an opening process waits for others (creating the same file, writing).
_BUSY_SECONDS = 60.0


def _damaged(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith(_DAMAGED) or "malformed" in str(exc) or "not a database" in str(exc)


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


#: Pages of write-ahead log between checkpoints (SQLite's default is 1,000, 4 MiB). A
#: checkpoint copies each page the log holds once, however many commits changed it: an
#: ingest's commits keep changing the same index pages, and at 1,000 its commits spent
#: 3.3 s of 27 s (100,000 records, one process) against 2.3 s at 16,384 (64 MiB).
_CHECKPOINT_PAGES = 16384


class SQLite(Database):
    """stdlib sqlite3 in WAL mode: readers never wait for the writer.

    A file path is checked before it is opened (:func:`_check_path`) and the file's
    pages after (:meth:`_check_file`): a folder, a file that cannot be written, an
    empty, damaged or foreign file raises :class:`NotACasebook`, and nothing is
    created in it. A new casebook is made under a temporary name next to it and
    linked into place, so a process never sees a half-made one, and of several
    processes creating it at once one wins and the others open its file.
    """

    dialect = "sqlite"
    returning = sqlite3.sqlite_version_info >= (3, 35, 0)

    def __init__(self, path: str, *, check: bool = True, check_only: str | None = None) -> None:
        self.path = path
        # autocommit mode: transactions are begun explicitly below
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_SECONDS)
        try:
            # first, so that everything after waits for another opener
            self._conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_SECONDS * 1000)}")
            if check and path not in (":memory:", ""):
                self._check_file(check_only)  # reads only: a foreign file is left as it was
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if not _damaged(exc):
                raise
            raise NotACasebook(_damaged_message(path, exc)) from None
        except BaseException:
            self._conn.close()
            raise

    def reopen(self) -> Database | None:
        return None if self.path in (":memory:", "") else SQLite(self.path, check=False)

    def _setup(self) -> None:
        deadline = time.monotonic() + _BUSY_SECONDS
        while True:
            try:
                if self.path != ":memory:":
                    self._conn.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL: a killed process never loses or half-applies a commit
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._conn.execute("PRAGMA foreign_keys = ON")
                self._conn.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")
            except sqlite3.OperationalError as exc:
                # changing the journal mode does not always wait on the busy handler
                if _locked(exc) and time.monotonic() < deadline:
                    time.sleep(0.01)
                    continue
                raise
            return

    def _check_file(self, only: str | None = None) -> None:
        """Refuse a damaged file, and a SQLite file that is another program's.

        ``only``: check that table's pages (and its indexes'), not every page: for a
        reader that scans only it (the board, its projection). ``quick_check`` of a
        whole file reads every page (0.35 s at 100,000 cases); a damaged page the
        reader meets elsewhere is still refused when read (:class:`DatabaseDamaged`).
        """
        try:
            tables = {
                str(name)
                for (name,) in self._conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            # a table name as a pragma argument is an identifier: only the schema's own
            scope = only if only is not None and only in tables else "1"
            (ok,) = self._conn.execute(f"PRAGMA quick_check({scope})").fetchone()
            (pages,) = self._conn.execute("PRAGMA page_count").fetchone()
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):
                raise NotACasebook(_damaged_message(self.path, exc)) from None
            raise
        if ok != "ok":
            raise NotACasebook(_damaged_message(self.path, ok))
        if not tables and pages > 1:  # pages but no tables: the schema page is lost
            raise NotACasebook(_damaged_message(self.path, "its pages hold no table"))
        if tables and "schema_version" not in tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise NotACasebook(
                f"{self.path}: a SQLite database of another program (tables: {shown}), "
                "not a casebook; nothing was written to it"
            )

    def integrity(self) -> list[str]:
        """SQLite's full ``PRAGMA integrity_check``: its findings, empty when the file is sound."""
        try:
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):
                return [f"the file is damaged: {exc}"]
            raise
        found = [str(row[0]) for row in rows]
        return [] if found == ["ok"] else [f"the file is damaged: {f}" for f in found]

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        cursor = self._conn.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Tx(cursor, pg=False)
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()
        except sqlite3.DatabaseError as exc:
            if not _damaged(exc):
                raise
            raise DatabaseDamaged(_damaged_message(self.path, exc)) from None
        finally:
            cursor.close()

    def close(self) -> None:
        self._conn.close()

    def checkpoint(self) -> None:
        # PASSIVE: copies what no reader still needs, beside a writer; another
        # connection's checkpoint under way is left to finish the job
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise

    def _id_column(self) -> str:
        return "INTEGER PRIMARY KEY"


def _damaged_message(path: str, why: object) -> str:
    why = " ".join(str(why).split())
    return (
        f"{path}: the file is damaged ({why}); nothing was read from it as a casebook: "
        "restore it from a backup (or recover it with the sqlite3 shell's .recover)"
    )


def _check_path(path: Path) -> bool:
    """Refuse what cannot hold a casebook; True when the file exists (False: create it)."""
    if path.is_dir():
        raise NotACasebook(f"{path}: a folder, not a casebook file")
    folder = path.parent
    if not folder.is_dir():
        raise NotACasebook(
            f"{path}: the folder {folder} does not exist (create it first, or give another path)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        # SQLite keeps its write-ahead log and index next to the file
        raise NotACasebook(f"{path}: the folder {folder} is read-only; a casebook writes there")
    if not path.exists():
        return False
    if not path.is_file():
        raise NotACasebook(f"{path}: not a regular file")
    if not os.access(path, os.R_OK | os.W_OK):
        raise NotACasebook(f"{path}: the file is read-only (or unreadable); a casebook writes it")
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as exc:
        raise NotACasebook(f"{path}: cannot be read ({exc.strerror})") from None
    if not header:
        wal = Path(f"{path}-wal")
        if wal.is_file() and wal.stat().st_size:
            return True  # SQLite keeps its first pages in the log yet
        raise NotACasebook(
            f"{path}: an empty file, not a casebook (remove it and a new casebook is created there)"
        )
    if not header.startswith(_HEADER) or len(header) < 100:
        raise NotACasebook(f"{path}: not a SQLite file, so not a casebook")
    return True


def _create(path: Path) -> None:
    """Make a new casebook at ``path``: under a temporary name, then linked into place.

    The link fails if the path exists, so of several processes creating the same
    casebook one wins; the others find a complete file there and open it.
    """
    made = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    try:
        db = SQLite(str(made), check=False)
        try:
            db.migrate()
        finally:
            db.close()  # the last connection: the log is checkpointed into the file
        try:
            os.link(made, path)
        except FileExistsError:
            pass  # another process created it first: open theirs
        except OSError:  # no hard links here (some network file systems)
            if not path.exists():
                os.replace(made, path)
    except sqlite3.OperationalError as exc:
        raise NotACasebook(f"{path}: cannot be created ({exc})") from None
    finally:
        for leftover in (made, Path(f"{made}-wal"), Path(f"{made}-shm")):
            leftover.unlink(missing_ok=True)


class Postgres(Database):
    """psycopg 3; workers lock the rows they claim and skip those another worker holds.

    Every message about the connection goes through :func:`mask_secrets` with the
    URL's passwords; a connection lost under a running operation raises
    :class:`DatabaseGone` with one line saying so (the server rolled the
    transaction back).
    """

    dialect = "postgresql"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise CasebookError(
                "a PostgreSQL casebook needs psycopg 3: pip install 'aftersales[postgres]'"
            ) from None
        self._psycopg = psycopg
        self._url = url
        self._secrets = url_secrets(url)
        self.shown = mask_secrets(url, *self._secrets)
        message = ""
        try:
            self._conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            message = f"cannot connect to {self.shown}: {self._say(exc)}"
        if message:  # raised here, so the exception keeps no link to psycopg's text
            raise CasebookError(message)

    def _say(self, exc: BaseException) -> str:
        """psycopg's message on one line, with no password in it."""
        text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        return mask_secrets(text or type(exc).__name__, *self._secrets)

    def _gone(self, exc: BaseException) -> bool:
        psycopg = self._psycopg
        if not isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            return False
        state = getattr(exc, "sqlstate", None) or ""
        return bool(self._conn.broken or self._conn.closed or state.startswith(("08", "57P")))

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        message = ""
        try:
            with self._conn.transaction(), self._conn.cursor() as cursor:
                yield Tx(cursor, pg=True)
        except Exception as exc:
            if not self._gone(exc):
                raise
            message = (
                f"lost the connection to {self.shown} ({self._say(exc)}); "
                "the operation under way was rolled back"
            )
        if message:
            raise DatabaseGone(message)

    def reopen(self) -> Database | None:
        return Postgres(self._url)

    def close(self) -> None:
        with contextlib.suppress(self._psycopg.Error):
            self._conn.close()

    def _id_column(self) -> str:
        return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def _lock_schema(self, tx: Tx) -> None:
        tx.all("SELECT pg_advisory_xact_lock(?)", (0x61667465,))  # "afte"


def connect(where: str | Path, *, check_only: str | None = None) -> Database:
    """A SQLite path (or ``":memory:"``) or a ``postgresql://`` URL, migrated.

    ``check_only``: a SQLite file's pages are checked for that table only (see
    :meth:`SQLite._check_file`).
    """
    text = str(where)
    db: Database
    if text.startswith(("postgresql://", "postgres://")):
        db = Postgres(text)
    elif text in (":memory:", ""):  # "": SQLite's temporary database, gone on close
        db = SQLite(text)
    else:
        if text.startswith("file:"):
            raise NotACasebook(f"{text}: give a plain path for SQLite, not a file: URI")
        path = Path(text)
        if not _check_path(path):
            _create(path)
        db = SQLite(text, check_only=check_only)
    try:
        db.migrate()
    except BaseException:
        db.close()
        raise
    return db
