"""Dispute metrics across a shop's cases (INT-DISPUTE, DISPUTE-RATE, INT-AVOID).

A ruling for the buyer makes a refund a *dispute refund*. The platform counts
them per calendar month (more than ``policy.dispute_campaign_limit`` bars the
shop from campaigns) and over the last 30 days against paid sub-orders (the
dispute refund rate). Months are counted in the policy's zone: a ruling at
2026-03-31 16:30 UTC is 2026-04-01 00:30 in Shanghai, so it counts in April.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import attrs
import pendulum

from ..core._case import Case, Party, State
from ..core._duration import Unit
from ..core._errors import InvalidInput
from ..core._instant import instant
from ..core._money import Money
from ..core._policy import Policy

__all__ = [
    "AvoidIntervention",
    "MonthlyDisputes",
    "avoid_intervention",
    "dispute_months",
    "dispute_rate",
]

#: DISPUTE-RATE: the platform's look-back window, in days.

_RATE_PLACES = Decimal("0.0001")


@attrs.frozen
class MonthlyDisputes:
    """One calendar month of rulings, in the policy's zone (INT-DISPUTE)."""

    month: str  # "2026-03"
    dispute_refunds: int  # rulings for the buyer in the month
    seller_liable: int  # rulings that found the seller liable (shown in the shop's rating)
    case_ids: tuple[str, ...]  # the dispute refunds, sorted
    level: str  # "ok", "warning" or "barred"


@attrs.frozen
class AvoidIntervention:
    """A refused case cheap enough to settle by refund without return (INT-AVOID)."""

    case_id: str
    amount: Money
    rule: str
    why: str


def _unique(cases: Iterable[Case]) -> list[Case]:
    # The same case passed twice (two snapshots of one refund) would be counted
    # twice and could push a month over the campaign limit on its own.
    result: list[Case] = []
    seen: set[str] = set()
    for case in cases:
        if not isinstance(case, Case):
            raise InvalidInput(f"expected Case values, got {type(case).__name__}")
        if case.id in seen:
            raise InvalidInput(f"case {case.id} appears more than once; pass one snapshot per case")
        seen.add(case.id)
        result.append(case)
    return result


def _level(count: int, policy: Policy) -> str:
    # INT-DISPUTE: *more than* the limit bars campaigns; the warning comes earlier.
    if count > policy.dispute_campaign_limit:
        return "barred"
    if count >= policy.dispute_warning_at:
        return "warning"
    return "ok"


def dispute_months(cases: Iterable[Case], policy: Policy) -> list[MonthlyDisputes]:
    """Per calendar month (policy zone), the rulings and dispute refunds (INT-DISPUTE).

    Only months with at least one ruling appear, oldest first. A month's level is
    "barred" above ``policy.dispute_campaign_limit`` dispute refunds, "warning"
    from ``policy.dispute_warning_at``, else "ok".
    """
    refunds: dict[str, list[str]] = {}
    liable: dict[str, int] = {}
    for case in _unique(cases):
        ruling = case.ruling
        if ruling is None:
            continue
        local = instant(ruling.at).in_timezone(policy.tz)
        month = f"{local.year:04d}-{local.month:02d}"
        refunds.setdefault(month, [])
        liable.setdefault(month, 0)
        if ruling.favours is Party.BUYER:
            refunds[month].append(case.id)
        if ruling.seller_liable:
            liable[month] += 1
    return [
        MonthlyDisputes(
            month=month,
            dispute_refunds=len(refunds[month]),
            seller_liable=liable[month],
            case_ids=tuple(sorted(refunds[month])),
            level=_level(len(refunds[month]), policy),
        )
        for month in sorted(refunds)
    ]


def dispute_rate(
    cases: Iterable[Case], *, paid_sub_orders: int, end: pendulum.DateTime, policy: Policy
) -> Decimal:
    """Dispute refunds ruled in the 30 days before ``end`` / paid sub-orders (DISPUTE-RATE).

    The window is ``[end - 30 days, end)``, counted in the policy's zone. The rate
    is a fraction rounded half up to 4 places (``Decimal("0.0150")`` is 1.5 %).
    """
    if isinstance(paid_sub_orders, bool) or not isinstance(paid_sub_orders, int):
        raise InvalidInput(
            f"paid_sub_orders must be a whole number, got {type(paid_sub_orders).__name__}"
        )
    if paid_sub_orders <= 0:
        raise InvalidInput(
            f"paid_sub_orders must be at least 1 to compute a rate, got {paid_sub_orders}"
        )
    stop = instant(end).in_timezone(policy.tz)
    window = policy.dispute_rate_window
    if window.unit is not Unit.DAYS:
        raise InvalidInput(f"dispute_rate_window is counted in calendar days, got {window}")
    start = stop.subtract(days=window.amount)
    count = 0
    for case in _unique(cases):
        ruling = case.ruling
        if (
            ruling is not None
            and ruling.favours is Party.BUYER
            and start <= instant(ruling.at) < stop
        ):
            count += 1
    return (Decimal(count) / Decimal(paid_sub_orders)).quantize(
        _RATE_PLACES, rounding=ROUND_HALF_UP
    )


def avoid_intervention(cases: Iterable[Case], policy: Policy) -> list[AvoidIntervention]:
    """Refused, low-value cases to settle by refund without return (INT-AVOID).

    A case qualifies while the seller's refusal stands and no intervention has
    been asked for or ruled on, and the request is at most
    ``policy.int_avoid_max_value``. Earliest intervention date first, then case ID.
    """
    limit = policy.int_avoid_max_value
    picked = [
        case
        for case in _unique(cases)
        if case.state is State.SELLER_REFUSE_BUYER
        and not case.is_final
        and case.ruling is None
        and case.intervention_requested_at is None
        and case.requested <= limit
    ]
    dated = sorted(
        (c for c in picked if c.intervention_available_from is not None),
        key=lambda c: (c.intervention_available_from, c.id),
    )
    undated = sorted((c for c in picked if c.intervention_available_from is None), key=_id)
    return [_advice(case, policy) for case in dated + undated]


def _id(case: Case) -> str:
    return case.id


def _advice(case: Case, policy: Policy) -> AvoidIntervention:
    opens = case.intervention_available_from
    when = (
        f"the buyer can ask for intervention from {opens.in_timezone(policy.tz):%Y-%m-%d %H:%M}"
        if opens is not None
        else "the buyer can ask for intervention"
    )
    return AvoidIntervention(
        case_id=case.id,
        amount=case.requested,
        rule="INT-AVOID",
        why=(
            f"case {case.id}: {case.requested} yuan is within the {policy.int_avoid_max_value} "
            f"yuan limit and {when}; a refund without return costs less than a dispute refund "
            "and its penalties (INT-AVOID, INT-DISPUTE)."
        ),
    )
