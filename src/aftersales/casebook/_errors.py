"""The casebook's errors: whose fault a failed write was.

- :class:`ConcurrencyConflict`: another writer changed the case first; re-read
  and try again (ingestion does so by itself);
- :class:`UnknownCase`: no case with that ID is stored;
- :class:`SchemaError`: the database holds a newer schema than this library knows;
- :class:`OutcomeUnknown`: raised by a shop's effect handler when it cannot tell
  whether the effect happened (a refund call timed out); the effect is parked for
  a person and never retried automatically.
"""

from __future__ import annotations

from ..core._errors import AfterSalesError

__all__ = [
    "CasebookError",
    "ConcurrencyConflict",
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


class OutcomeUnknown(CasebookError):
    """Raised by an effect handler that cannot tell whether the effect happened.

    The worker parks the effect (status ``unknown``) for a person to settle with
    :meth:`Casebook.resolve`; it is never handed over again by itself, because
    doing a refund twice is worse than doing it late.
    """
