"""The action board: what must be done, by whom, by when, and what a miss costs.

Pure: the instant comes in as ``at``; nothing here reads the clock or renders a
message (the shell does that for the rows it shows). The advice for each timer
is a table, so a shop can read, test and override it.
"""

from __future__ import annotations

import enum
import gc
import operator
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

import attrs
import pendulum

from ..core._case import Case, Party
from ..core._errors import InvalidInput
from ..core._instant import instant
from ..core._money import Money
from ..core._policy import Policy
from ..orders._malicious import MaliciousCase
from ..orders._shipping import LATE_APOLOGY_TEMPLATE, Fulfilment, ShippingWatch, late_compensation
from ..reviews._followup import FollowUp, FollowUpState
from ._summary import CaseSummary, summarize

__all__ = [
    "ADVICE",
    "Action",
    "Advice",
    "Band",
    "Board",
    "CaseSummary",
    "board",
    "summarize",
]


class Band(enum.Enum):
    """How urgent an action is at the board's instant."""

    OVERDUE = "overdue"  # the deadline has passed (the platform may already have acted)
    TODAY = "today"  # due within 24 hours
    SOON = "soon"  # due within 72 hours
    LATER = "later"
    WATCH = "watch"  # no deadline of ours: someone else must act


_DAY = 24 * 3600


def _band(left: int | None) -> Band:
    if left is None:
        return Band.WATCH
    if left <= 0:
        return Band.OVERDUE
    if left <= _DAY:
        return Band.TODAY
    if left <= 3 * _DAY:
        return Band.SOON
    return Band.LATER


@attrs.frozen
class Advice:
    """What to do about one kind of wait, and what happens if nobody does."""

    suggested: str
    on_expiry: str
    template: str | None = None
    #: True when the miss costs the shop money (the amount still at stake).
    costs_money: bool = False


#: Timer name -> advice; ``timer/workflow`` for advice that differs by workflow.
#: The timer names and workflow names are the workflow tables' own.
ADVICE: Mapping[str, Advice] = MappingProxyType(
    {
        "seller_response": Advice(
            "agree, or refuse with a reason and evidence (RET-REFUSE)",
            "the platform agrees for the seller: a refund, or a return with the address shown",
            "refund/agreed.txt",
            costs_money=True,
        ),
        # A return request: agreeing shows the return address; no money moves yet.
        "seller_response/return_and_refund": Advice(
            "agree (the buyer sees the return address), or refuse with a reason and evidence",
            "the platform agrees the return for the seller and shows the return address",
            "return/agreed.txt",
        ),
        "seller_response/exchange": Advice(
            "agree (the buyer sees the return address), or refuse with a reason and evidence",
            "the platform agrees the exchange for the seller and shows the return address",
            "return/agreed.txt",
        ),
        "seller_confirm_receipt": Advice(
            "check the returned parcel and confirm receipt, or refuse with evidence",
            "the platform refunds the buyer automatically",
            # no message before confirming: the engine sends refund/done.txt once refunded
            costs_money=True,
        ),
        "buyer_return_shipment": Advice(
            "remind the buyer to ship the goods back and enter the tracking number",
            "the request closes; the trade goes on",
            "return/reminder_ship.txt",
        ),
        "buyer_response": Advice(
            "nothing required; the buyer may modify the request or ask for intervention",
            "the request closes; the trade goes on",
        ),
        "buyer_confirm_receipt": Advice(
            "nothing required; remind the buyer to confirm the exchanged goods",
            "receipt is confirmed automatically",
        ),
        "buyer_photos": Advice(
            "ask the buyer for photos of the fault (QUAL-3D)",
            "the goods come back for inspection",
            "quality/photos_request.txt",
        ),
        "evidence": Advice(
            "upload evidence to customer service: chat records, photos, tracking (INT-EVIDENCE-3D)",
            "customer service rules on what it has",
            "intervention/evidence_request.txt",
            costs_money=True,
        ),
        "seller_accept_evidence": Advice(
            "answer the buyer's evidence: accept it, or add your own",
            "the case goes to review without your answer",
            costs_money=True,
        ),
        "platform_review": Advice(
            "wait for the ruling; answer customer service at once if asked",
            "the ruling is flagged overdue",
        ),
        "overdue_ruling": Advice(
            "ask customer service for the ruling; keep the evidence at hand",
            "nothing automatic: the platform is late",
        ),
        "seller_appeal": Advice(
            "appeal with proof the goods never came back (RET-EXPRESS)",
            "the advanced refund is charged to the shop",
            costs_money=True,
        ),
    }
)

_DEFAULT = Advice("look at the case", "see the workflow's timer")


class Action(NamedTuple):
    """One row of the board.

    A named tuple rather than an attrs class: a large shop's board builds a
    million of these, and a tuple is built several times faster.
    """

    case_id: str
    workflow: str
    state: str
    who: str
    due: pendulum.DateTime | None
    #: Seconds left at the board's instant; negative when overdue.
    left: int | None
    band: Band
    on_expiry: str
    at_stake: Money
    rule: str
    suggested: str
    template: str | None = None
    assignee: str | None = None
    #: The due instant was counted over a year whose holiday notice is not loaded.
    provisional: bool = False
    #: What the buyer asks for and has not been refunded yet (refund cases). It is
    #: ``at_stake`` too only when a miss moves that money (``Advice.costs_money``): a
    #: return agreed by the platform refunds nothing until the goods are back.
    requested: Money = Money.ZERO

    @property
    def cost(self) -> str:
        """The miss in words, with the money at stake when there is some."""
        if self.at_stake:
            return f"{self.on_expiry} ({self.at_stake} yuan)"
        return self.on_expiry


@attrs.frozen
class Board:
    """Every action due at ``at``, most urgent first."""

    at: pendulum.DateTime
    actions: tuple[Action, ...]

    def by_band(self) -> dict[Band, tuple[Action, ...]]:
        return _group(self.actions, lambda a: a.band)

    def by_workflow(self) -> dict[str, tuple[Action, ...]]:
        return _group(self.actions, lambda a: a.workflow)

    def by_assignee(self) -> dict[str | None, tuple[Action, ...]]:
        return _group(self.actions, lambda a: a.assignee)

    def for_shop(self) -> tuple[Action, ...]:
        """Only what the shop itself must do (the seller's timers and shared ones)."""
        return tuple(a for a in self.actions if a.who in ("seller", "both"))

    @property
    def provisional_years(self) -> tuple[int, ...]:
        """The years whose holiday notice some due date was counted without."""
        return tuple(sorted({a.due.year for a in self.actions if a.provisional and a.due}))

    @property
    def notes(self) -> tuple[str, ...]:
        """What a reader must know to trust the dates: one line each."""
        return tuple(
            f"{year} holiday notice not loaded: provisional (statutory holidays only; "
            "load the notice with `aftersales calendar import`)"
            for year in self.provisional_years
        )


K = TypeVar("K")


def _group(actions: Iterable[Action], key: Callable[[Action], K]) -> dict[K, tuple[Action, ...]]:
    groups: dict[K, list[Action]] = {}
    for action in actions:
        groups.setdefault(key(action), []).append(action)
    return {k: tuple(v) for k, v in groups.items()}


def board(
    items: Iterable[Item],
    at: pendulum.DateTime,
    *,
    assignees: Mapping[str, str] | None = None,
    advice: Mapping[str, Advice] = ADVICE,
    policy: Policy | None = None,
) -> Board:
    """The board at ``at`` over cases, review follow-ups, order watches and malicious orders.

    ``assignees`` maps a case or order ID to the staff member who owns it.
    ``policy`` prices what an order not yet late would owe if it were (``LATE-COMP-*``);
    without it only compensation already owed is shown. Finished items give no row.
    The deadlines are the ones the items already carry: nothing is recomputed
    here, so the board costs one pass and one sort.
    """
    at = instant(at)
    now = at.timestamp()
    # Rows are tuples of values that hold no cycles; on a large shop a garbage
    # collection triggered mid-build would walk every case in memory for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(items, at, now, assignees, advice, policy)
    finally:
        if collecting:
            gc.enable()


def _build(
    items: Iterable[Item],
    at: pendulum.DateTime,
    now: float,
    assignees: Mapping[str, str] | None,
    advice: Mapping[str, Advice],
    policy: Policy | None,
) -> Board:
    by_workflow = frozenset(key.split("/", 1)[0] for key in advice if "/" in key)
    makers: dict[type, Callable[[Any], Action | None]] = {
        Case: lambda case: _summary_action(summarize(case), now, advice, by_workflow),
        CaseSummary: lambda summary: _summary_action(summary, now, advice, by_workflow),
        FollowUp: lambda follow: _review_action(follow, now),
        MaliciousCase: lambda mal: _malicious_action(mal, now),
        ShippingWatch: lambda watch: _order_action(watch, now, policy),
    }
    timed: list[Action] = []
    untimed: list[Action] = []
    for item in items:
        kind = type(item)
        if kind is CaseSummary:  # a casebook's million rows: no lambda in between
            action = _summary_action(item, now, advice, by_workflow)  # type: ignore[arg-type]
        else:
            make = makers.get(kind)
            if make is None:
                raise InvalidInput(
                    "the board takes cases, review follow-ups, order watches and malicious-order "
                    f"cases, not {kind.__name__}"
                )
            action = make(item)
        if action is not None:
            (untimed if action.left is None else timed).append(action)
    # By seconds left (the same order as the deadlines), ties by case ID: two stable
    # sorts on one plain key each, which CPython compares several times faster than
    # a tuple key (2.3 s against 0.3 s for a million rows).
    timed.sort(key=_BY_ID)
    timed.sort(key=_BY_LEFT)
    untimed.sort(key=_BY_ID)
    actions = timed + untimed
    if assignees:
        actions = [
            a._replace(assignee=assignees[a.case_id]) if a.case_id in assignees else a
            for a in actions
        ]
    return Board(at, tuple(actions))


_BY_LEFT = operator.itemgetter(5)
_BY_ID = operator.itemgetter(0)


def _left(due: pendulum.DateTime, now: float) -> int:
    return int(due.timestamp() - now)


def _summary_action(
    summary: CaseSummary | None,
    now: float,
    advice: Mapping[str, Advice],
    by_workflow: frozenset[str] = frozenset(),
) -> Action | None:
    if summary is None:
        return None
    due_ts = summary.due_ts
    if due_ts is None:
        return Action(
            summary.case_id,
            summary.workflow,
            summary.state,
            summary.who,
            None,
            None,
            Band.WATCH,
            _DEFAULT.on_expiry,
            Money.ZERO,
            summary.rule,
            _DEFAULT.suggested,
            requested=summary.outstanding,
        )
    timer = summary.timer
    if timer is None:
        tip = _DEFAULT
    elif timer in by_workflow:  # only a few timers' advice differs by workflow
        tip = advice.get(f"{timer}/{summary.workflow}") or advice.get(timer, _DEFAULT)
    else:
        tip = advice.get(timer, _DEFAULT)
    left = int(due_ts - now)
    outstanding = summary.outstanding
    # tuple.__new__: the named tuple's own __new__ is a second Python call per row
    return _new(
        Action,
        (
            summary.case_id,
            summary.workflow,
            summary.state,
            summary.who,
            summary.due,
            left,
            _band(left),
            tip.on_expiry,
            outstanding if tip.costs_money else Money.ZERO,
            summary.rule,
            tip.suggested,
            tip.template,
            None,
            summary.provisional,
            outstanding,
        ),
    )


_new = tuple.__new__


#: What the board takes.
Item = Case | CaseSummary | FollowUp | MaliciousCase | ShippingWatch


_REVIEW_NEXT = {
    FollowUpState.NEW: (
        "contact_by",
        "REV-FAST",
        "contact the buyer: introduce yourself, name the item and the rating, ask what was wrong",
        "review/contact.txt",
    ),
    FollowUpState.CONTACTED: (
        "revise_by",
        "REV-LISTEN",
        "listen to the buyer and offer a fix",
        "review/listen.txt",
    ),
    FollowUpState.LISTENING: (
        "revise_by",
        "REV-OFFER",
        "offer the fix: apology and repair, then a red packet, then the product free",
        "review/offer_apology_fix.txt",
    ),
    FollowUpState.OFFERED: (
        "revise_by",
        "REV-OFFER",
        "follow the offer through; record when the problem is solved",
        None,
    ),
    FollowUpState.SOLVED: (
        "revise_by",
        "REV-NO-INDUCE",
        "ask whether the buyer would update the review; never as a deal",
        "review/ask_update.txt",
    ),
    FollowUpState.EXPLAINING: (
        "explain_by",
        "REV-WINDOWS",
        "post a factual public reply under the review",
        "review/explanation.txt",
    ),
}


def _review_action(case: FollowUp, now: float) -> Action | None:
    step = _REVIEW_NEXT.get(case.state)
    if step is None:
        return None
    field, rule, suggested, template = step
    # the cause and the words that decided it, so staff open with the right apology
    suggested = f"{suggested} (cause {case.classification.brief})"
    due: pendulum.DateTime = getattr(case, field)
    left = _left(due, now)
    expiry = {
        "contact_by": "the contact is late: buyers answer a quick call far more often",
        "revise_by": "the buyer can no longer revise the review",
        "explain_by": "the review stands with no reply from the shop",
    }[field]
    return Action(
        case.id,
        "review",
        case.state.value,
        Party.SELLER.value,
        due,
        left,
        _band(left),
        expiry,
        Money.ZERO,
        rule,
        suggested,
        template,
    )


_MAL_EXPIRY = {
    "MAL-UNPAID": "the platform closes the unpaid order; do not close it yourself",
    "MAL-SHIP-IN-TIME": "shipping late hands the buyer a late-shipment claim",
    "MAL-APPEAL": "the appeal's verification is overdue; ask customer service",
}


_MAL_NEXT = {
    "platform_closes_unpaid": "leave the unpaid order alone; the platform closes it (MAL-UNPAID)",
    "ship_by": "record the order with the platform, contact the buyer, ship in time "
    "(MAL-PAID-RECORD, MAL-CONTACT, MAL-SHIP-IN-TIME)",
    "appeal_verification": "wait for the verification; add evidence if asked (MAL-APPEAL)",
}


def _malicious_action(case: MaliciousCase, now: float) -> Action | None:
    if case.is_final:
        return None
    deadline = case.deadline or case.overdue
    if deadline is None:
        return None
    left = _left(deadline.due, now)
    return Action(
        case.order.order_id,
        "malicious_order",
        case.state.value,
        deadline.waits_for,
        deadline.due,
        left,
        _band(left),
        _MAL_EXPIRY.get(deadline.rule, deadline.name.replace("_", " ")),
        Money.ZERO,
        deadline.rule,
        _malicious_next(case, deadline.name),
    )


def _malicious_next(case: MaliciousCase, timer: str) -> str:
    if timer != "ship_by":
        return _MAL_NEXT.get(timer, timer.replace("_", " "))
    done = {entry.kind for entry in case.evidence}
    steps = [
        step
        for kind, step in (
            ("platform_record", "record the order with the platform (MAL-PAID-RECORD)"),
            ("buyer_contact", "contact the buyer (MAL-CONTACT)"),
        )
        if kind not in done
    ]
    steps.append("ship in time and keep the proof (MAL-SHIP-IN-TIME)")
    risk = case.risk
    signals = ", ".join(signal.name.replace("_", " ") for signal in risk.signals)
    return ", ".join(steps) + f"; risk {risk.score}" + (f" ({signals})" if signals else "")


_UNSHIPPED = (Fulfilment.PAID, Fulfilment.PARTIALLY_SHIPPED)


def _late_miss(watch: ShippingWatch, policy: Policy | None) -> str:
    """What a late shipment costs, points included (LATE-COMP-TAOBAO, LATE-COMP-TMALL)."""
    points = watch.points_at_risk or (0 if policy is None else policy.late_ship_points)
    if not points:
        return "late shipment: compensation owed and a complaint likely (SHIP-ESCALATION)"
    unit = "point" if points == 1 else "points"
    return (
        "late shipment: compensation owed, a complaint likely (SHIP-ESCALATION) and "
        f"{points} {unit} off if it is upheld before the compensation is paid"
    )


def _order_action(watch: ShippingWatch, now: float, policy: Policy | None) -> Action | None:
    if watch.fake_flags:
        flag = watch.fake_flags[0]
        left = _left(flag.flagged_at, now)
        return Action(
            watch.order_id,
            "shipping",
            watch.state.value,
            Party.SELLER.value,
            flag.flagged_at,
            left,
            _band(left),
            "the buyer can report a fake shipment: a complaint and penalty points",
            watch.compensation,
            flag.rule,
            f"make the parcel real and the tracking right: {flag.explanation}",
        )
    if watch.state not in _UNSHIPPED:
        return None
    due = watch.ship_by.due
    left = _left(due, now)
    if watch.late:
        stake = watch.compensation
        suggested = "ship now, apologise and pay the compensation before the buyer complains"
        template: str | None = LATE_APOLOGY_TEMPLATE
    else:
        unshipped = sum((s.paid for s in watch.sub_orders if s.shipped_at is None), Money.ZERO)
        stake = Money.ZERO if policy is None else late_compensation(unshipped, policy)
        suggested = "ship and enter the tracking number before the deadline"
        template = None
    return Action(
        watch.order_id,
        "shipping",
        watch.state.value,
        Party.SELLER.value,
        due,
        left,
        _band(left),
        _late_miss(watch, policy),
        stake,
        watch.ship_by.rule,
        suggested,
        template,
    )
