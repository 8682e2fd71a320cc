"""The casebook's errors: whose fault a failed write was.

- :class:`ConcurrencyConflict`: another writer changed the case first; re-read
  and try again (ingestion does so by itself);
- :class:`UnknownCase`: no case with that ID is stored;
- :class:`SchemaError`: the database holds a newer schema than this library knows;
- :class:`NotACasebook`: the path names no usable casebook (a folder, a missing
  folder, a read-only file, an empty, damaged or foreign file); found on open;
- :class:`DatabaseFailure`: the database failed under a running operation (the
  server went away: :class:`DatabaseGone`; the file is damaged:
  :class:`DatabaseDamaged`); the operation's transaction did not happen;
- :class:`OutcomeUnknown`: raised by a shop's effect handler when it cannot tell
  whether the effect happened (a refund call timed out); the effect is parked for
  a person and never retried automatically.
"""

from __future__ import annotations

from ..core._errors import AfterSalesError

__all__ = [
    "CasebookError",
    "ConcurrencyConflict",
    "DatabaseDamaged",
    "DatabaseFailure",
    "DatabaseGone",
    "NotACasebook",
    "OutcomeUnknown",
    "PolicyMismatch",
    "SchemaError",
    "UnknownCase",
]


class CasebookError(AfterSalesError):
    """Base of the casebook's own errors."""


class PolicyMismatch(CasebookError):
    """The casebook was written under another policy: its stored cases would not replay."""


class ConcurrencyConflict(CasebookError):
    """The case's stored version is not the one the writer read: someone wrote first."""

    def __init__(self, case_id: str, *, expected: int | None, found: int | None) -> None:
        self.case_id = case_id
        self.expected = expected
        self.found = found
        have = "absent" if found is None else f"at version {found}"
        want = "absent" if expected is None else f"version {expected}"
        super().__init__(
            f"case {case_id}: expected {want} but it is {have}; another writer changed it "
            "first (re-read the case and try again)"
        )


class UnknownCase(CasebookError, KeyError):
    """No case with this ID is stored."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"case {case_id}: not in the casebook")


class SchemaError(CasebookError):
    """The database's schema is newer than this library, or not a casebook at all."""


class NotACasebook(CasebookError):
    """The path names nothing a casebook can be kept in: a folder, a file in a missing or
    read-only folder, a read-only file, an empty file, a damaged SQLite file, or
    another program's file. Nothing was created or changed in it."""


class DatabaseFailure(Exception):
    """The database failed under a running operation; its transaction did not happen.

    Deliberately not a :class:`CasebookError` (nor an ``AfterSalesError``): code that
    turns the library's refusals into rejected records must not take a lost server
    for a rejected record. The message never shows a password.
    """


class DatabaseGone(DatabaseFailure):
    """The connection to the PostgreSQL server was lost (the server stopped or restarted)."""


class DatabaseDamaged(DatabaseFailure):
    """SQLite found a damaged page (``database disk image is malformed``) while reading."""


class OutcomeUnknown(CasebookError):
    """Raised by an effect handler that cannot tell whether the effect happened.

    The worker parks the effect (status ``unknown``) for a person to settle with
    :meth:`Casebook.resolve`; it is never handed over again by itself, because
    doing a refund twice is worse than doing it late.
    """


class EffectNotSent(CasebookError):
    """Raised by an effect handler when the effect was certainly not carried out and
    must not be handed over again by itself (the platform refused it, with a reason).

    The worker parks the effect (``failed``) with the reason at once, without the
    retries an unexpected exception gets; a person may hand it over again with
    :meth:`Casebook.resolve` (``happened=False``).
    """
