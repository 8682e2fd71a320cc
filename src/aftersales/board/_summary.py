"""The board's view of one case (:class:`CaseSummary`), apart from the board itself.

The casebook keeps a summary per open case in the transaction of every write
(``casebook._projection``): it reads this module alone, not the board's tables of
advice, review follow-ups and order watches.
"""

from __future__ import annotations

from typing import NamedTuple

import pendulum

from ..core._case import Case, Party, State
from ..core._money import Money

__all__ = ["CaseSummary", "summarize"]

_FINAL_VALUES = frozenset({State.CLOSED.value, State.SUCCESS.value})


class CaseSummary(NamedTuple):
    """What the board needs of a case, in one small tuple.

    A store keeps one per open case beside the full snapshot, so a board over a
    million cases reads a million of these, not a million cases.
    ``summarize(case)`` makes one; ``board`` takes either.
    """

    case_id: str
    workflow: str
    state: str
    #: The running timer's name (``ADVICE`` key); ``overdue_ruling`` for a ruling the
    #: platform owes; None when nobody's timer runs.
    timer: str | None
    due: pendulum.DateTime | None
    due_ts: float | None
    who: str
    rule: str
    #: What the buyer asked for and has not been refunded yet.
    outstanding: Money
    #: The deadline was counted over a year without its holiday notice.
    provisional: bool = False


_OVERDUE_TIMER = "overdue_ruling"


def summarize(case: Case) -> CaseSummary | None:
    """The board's view of ``case``; None once the case is final."""
    state = case.state._value_
    if state in _FINAL_VALUES:
        return None
    outstanding = case.requested - case.refunded if case.refunded else case.requested
    deadline = case.deadline
    if deadline is not None:
        return CaseSummary(
            case.id,
            case.kind._value_,
            state,
            deadline.name,
            deadline.due,
            deadline.due_timestamp,
            deadline.waits_for._value_,
            deadline.rule,
            outstanding,
            deadline.provisional,
        )
    overdue = case.overdue
    if case.state is State.INTERVENTION_OVERDUE and overdue is not None:
        return CaseSummary(
            case.id,
            case.kind._value_,
            state,
            _OVERDUE_TIMER,
            overdue.due,
            overdue.due_timestamp,
            Party.PLATFORM.value,
            overdue.rule,
            outstanding,
        )
    return CaseSummary(
        case.id, case.kind._value_, state, None, None, None, case.status.value, "", outstanding
    )
