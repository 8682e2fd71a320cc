"""The casebook: an event-sourced store of cases, in SQLite or PostgreSQL.

Each case is kept as its event log and a snapshot of its current value;
every change goes through the pure engine and is written in one transaction
with the effects it produced (the outbox). See ``docs/casebook.md``.

>>> from aftersales.casebook import Casebook
>>> book = Casebook.open(":memory:")      # or "shop.sqlite", or "postgresql://..."
>>> book.backend
'sqlite'
"""

from ._casebook import Casebook
from ._db import SCHEMA_VERSION
from ._errors import (
    CasebookError,
    ConcurrencyConflict,
    DatabaseDamaged,
    DatabaseFailure,
    DatabaseGone,
    EffectNotSent,
    NotACasebook,
    OutcomeUnknown,
    PolicyMismatch,
    SchemaError,
    UnknownCase,
)
from ._ingest import IngestReport, Outcome
from ._store import Due, OutboxEntry, OutboxStatus, Recount, Stored, Written
from ._worker import WorkerStats, run_worker

__all__ = [
    "SCHEMA_VERSION",
    "Casebook",
    "CasebookError",
    "ConcurrencyConflict",
    "DatabaseDamaged",
    "DatabaseFailure",
    "DatabaseGone",
    "Due",
    "EffectNotSent",
    "IngestReport",
    "NotACasebook",
    "OutboxEntry",
    "OutboxStatus",
    "Outcome",
    "OutcomeUnknown",
    "PolicyMismatch",
    "Recount",
    "SchemaError",
    "Stored",
    "UnknownCase",
    "WorkerStats",
    "Written",
    "run_worker",
]
