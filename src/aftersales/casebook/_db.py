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

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from ._errors import CasebookError, SchemaError

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
        """The rows of a query, fetched ``size`` at a time (a large result never held whole)."""
        self._cursor.execute(self._sql(sql), tuple(params))
        while rows := self._cursor.fetchmany(size):
            yield from rows

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

    def many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if rows:
            self._cursor.executemany(self._sql(sql), [tuple(r) for r in rows])


class Database:
    """A connection and its dialect. Not shared between threads: open one per worker."""

    dialect: str = ""
    #: Appended to a claiming SELECT: PostgreSQL locks the rows and skips locked ones.
    skip_locked: str = ""

    def transaction(self, *, write: bool) -> AbstractContextManager[Tx]:
        """A transaction; a write one holds the write lock from its start (SQLite)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

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


class SQLite(Database):
    """stdlib sqlite3 in WAL mode: readers never wait for the writer."""

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        # autocommit mode: transactions are begun explicitly below
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=60.0)
        self._conn.execute("PRAGMA busy_timeout = 60000")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: a killed process never loses or half-applies a commit
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        cursor = self._conn.cursor()
        cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield Tx(cursor, pg=False)
        except BaseException:
            self._conn.rollback()
            raise
        else:
            self._conn.commit()
        finally:
            cursor.close()

    def close(self) -> None:
        self._conn.close()

    def _id_column(self) -> str:
        return "INTEGER PRIMARY KEY"


class Postgres(Database):
    """psycopg 3; workers lock the rows they claim and skip those another worker holds."""

    dialect = "postgresql"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise CasebookError(
                "a PostgreSQL casebook needs psycopg 3: pip install 'aftersales[postgres]'"
            ) from None
        self.url = url
        try:
            self._conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise CasebookError(f"cannot connect to {_redact(url)}: {exc}") from None

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Tx]:
        with self._conn.transaction(), self._conn.cursor() as cursor:
            yield Tx(cursor, pg=True)

    def close(self) -> None:
        self._conn.close()

    def _id_column(self) -> str:
        return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def _lock_schema(self, tx: Tx) -> None:
        tx.all("SELECT pg_advisory_xact_lock(?)", (0x61667465,))  # "afte"


def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    head, sep, tail = url.rpartition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, creds = head.partition("://")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}@{tail}"


def connect(where: str | Path) -> Database:
    """A SQLite path (or ``":memory:"``) or a ``postgresql://`` URL, migrated."""
    text = str(where)
    db: Database
    if text.startswith(("postgresql://", "postgres://")):
        db = Postgres(text)
    else:
        if text != ":memory:" and text.startswith("file:"):
            raise CasebookError(f"{text}: give a plain path for SQLite, not a file: URI")
        db = SQLite(text)
    try:
        db.migrate()
    except BaseException:
        db.close()
        raise
    return db
