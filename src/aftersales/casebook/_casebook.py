"""The casebook as a shop opens it: the store, plus ingestion of platform records and files.

Ingestion sits above the store (it writes through it), so the class that offers
both is defined here, above each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..adapters.taobao import ImportResult
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

    def ingest_files(self, paths: Sequence[str | Path]) -> IngestReport:
        """Platform exports and event JSON files (or folders of ``.json``)."""
        return ingest_files(self, paths)
