"""The casebook as a shop opens it: the store, plus ingestion of platform records and files.

Ingestion sits above the store (it writes through it), so the class that offers
both is defined here, above each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..adapters.taobao import ImportResult
from ..core._errors import InvalidInput
from ..core._events import Event
from ._ingest import IngestReport, ingest_events, ingest_files, ingest_platform
from ._store import Store

__all__ = ["Casebook"]


class Casebook(Store):
    """An event-sourced store of cases. Open one per process or thread.

    >>> with Casebook.open(":memory:") as book:
    ...     book.count()
    0
    """

    def ingest_platform(self, result: ImportResult) -> IngestReport:
        """Store what a Taobao adapter import found (``import_exports``, ``load_exports``):
        per refund record, the events of its synthesised log the store lacks."""
        return ingest_platform(self, result)

    def ingest_events(self, events: Iterable[tuple[str, Event]]) -> IngestReport:
        """Store ``(case_id, event)`` pairs in order, each through the engine."""
        return ingest_events(self, events)

    def ingest_files(self, paths: Sequence[str | Path], *, jobs: int = 1) -> IngestReport:
        """Platform exports and event JSON files (or folders of ``.json``). ``jobs``: the
        processes that work a big refund export's pages (outcomes alike whatever it is)."""
        return ingest_files(self, paths, jobs=jobs)

    # -- named cursors (a sync's progress) ----------------------------------------------------

    def read_cursor(self, name: str) -> str | None:
        """The value of the named cursor (e.g. where a platform sync got to), or None."""
        key = _cursor_key(name)
        with self._db.transaction(write=False) as tx:
            row = tx.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def write_cursor(self, name: str, value: str) -> None:
        """Set the named cursor, in its own transaction: called after the records it
        covers are stored, so a crash between the two only repeats work (a duplicate)."""
        key = _cursor_key(name)
        with self._db.transaction(write=True) as tx:
            tx.run(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- seller actions written back to the platform (``aftersales.platform``) ---------------

    def write_action(self, action_id: str, record: Mapping[str, object]) -> None:
        """Store (or replace) the record of a seller action, in its own transaction:
        written before the platform is called, and again with the platform's answer."""
        key = _action_key(action_id)
        text = json.dumps(dict(record), sort_keys=True, ensure_ascii=False)
        with self._db.transaction(write=True) as tx:
            tx.run(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, text),
            )

    def actions(self, *statuses: str, refund_id: str | None = None) -> list[dict[str, object]]:
        """Seller actions' records (all, or those in ``statuses``), oldest first."""
        with self._db.transaction(write=False) as tx:
            rows = tx.all("SELECT value FROM meta WHERE key LIKE 'action:%' ORDER BY key")
        found = [json.loads(str(row[0])) for row in rows]
        return [
            r
            for r in found
            if (not statuses or r.get("status") in statuses)
            and (refund_id is None or r.get("refund_id") == refund_id)
        ]


_ACTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}")


def _action_key(action_id: str) -> str:
    if not _ACTION_ID.fullmatch(action_id):
        raise InvalidInput(f"action ID {action_id!r}: letters, digits and _.:- only")
    return f"action:{action_id}"


_CURSOR_NAME = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,99}")


def _cursor_key(name: str) -> str:
    if not _CURSOR_NAME.fullmatch(name):
        raise InvalidInput(f"cursor name {name!r}: lower-case letters, digits and _.:- only")
    return f"cursor:{name}"
