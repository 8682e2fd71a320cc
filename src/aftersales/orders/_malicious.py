"""Malicious orders: a risk assessment that explains itself, and the handling workflow.

Peers and disputing buyers place orders they mean to turn into "out of stock" or
"late shipment" claims, mostly on cheap promoted items (MAL-KINDS). The risk
assessment says which signals fired and why, so staff judge each case on its
facts (MAL-CIVIL). The handling workflow is a small table like the refund
workflows: unpaid orders are left for the platform to close (MAL-UNPAID); paid
ones are put on record, the buyer contacted, the goods shipped in time, and an
appeal filed and tracked to its working-day deadline (MAL-APPEAL), with an
evidence log that exports as CSV for the platform's complaint form.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs
import pendulum

from ..core._duration import deadline_after
from ..core._errors import IllegalEvent, InvalidInput, OutOfOrderEvent, RequestNotAllowed
from ..core._instant import instant, optional_instant
from ..core._money import Money, to_money
from ..core._policy import Policy
from ..core._serialize import parse_instant

__all__ = [
    "MAL_EVENT_TYPES",
    "MAL_ROWS",
    "MAL_TIMEOUTS",
    "AppealDecided",
    "AppealFiled",
    "BuyerContacted",
    "EvidenceAdded",
    "EvidenceEntry",
    "MalDeadline",
    "MalEvent",
    "MalState",
    "MaliciousCase",
    "OrderPaid",
    "OrderRecord",
    "OrderShipped",
    "RecordedWithPlatform",
    "RiskAssessment",
    "SellerClosedOrder",
    "Signal",
    "advance_malicious",
    "assess_risk",
    "evidence_csv",
    "mal_event_from_dict",
    "malicious_case_from_dict",
    "open_malicious_case",
    "step_malicious",
]


# -- the risk assessment -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrderRecord:
    """One order as the shop's history knows it (one item line)."""

    order_id: str
    buyer: str
    item_id: str
    unit_price: Money = attrs.field(converter=to_money)
    quantity: int
    created_at: pendulum.DateTime = attrs.field(converter=instant)
    paid_at: pendulum.DateTime | None = attrs.field(default=None, converter=optional_instant)
    promoted: bool = False
    address: str = ""
    phone: str = ""
    account_created_at: pendulum.DateTime | None = attrs.field(
        default=None, converter=optional_instant
    )
    past_claims: int = 0

    def __attrs_post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidInput(f"order {self.order_id}: quantity must be at least 1")
        if self.past_claims < 0:
            raise InvalidInput(f"order {self.order_id}: past_claims cannot be negative")


@attrs.frozen
class Signal:
    name: str
    points: int
    rule: str
    explanation: str


@attrs.frozen
class RiskAssessment:
    order_id: str
    score: int
    malicious: bool
    signals: tuple[Signal, ...]


def assess_risk(
    order: OrderRecord, history: Iterable[OrderRecord], policy: Policy
) -> RiskAssessment:
    """Score an order against the shop's history; every signal says why it fired.

    ``history`` may include ``order`` itself; it is counted once.
    """
    others = [h for h in history if h.order_id != order.order_id]
    same_buyer_item = [h for h in others if h.buyer == order.buyer and h.item_id == order.item_id]
    signals: list[Signal] = []

    units = order.quantity + sum(h.quantity for h in same_buyer_item)
    if units > policy.mal_max_qty_per_buyer:
        signals.append(
            Signal(
                "over_purchase_limit",
                policy.mal_weight_quantity,
                "MAL-LIMITS",
                f"{order.buyer} holds {units} units of item {order.item_id}, more than the "
                f"limit of {policy.mal_max_qty_per_buyer} per buyer",
            )
        )

    cheap_promo = order.promoted and order.unit_price <= policy.mal_low_price
    orders_of_item = 1 + len(same_buyer_item)
    if cheap_promo and orders_of_item >= policy.mal_repeat_orders:
        signals.append(
            Signal(
                "repeated_promoted_item",
                policy.mal_weight_repeat,
                "MAL-KINDS",
                f"{orders_of_item} orders of promoted item {order.item_id} at "
                f"{order.unit_price} by {order.buyer}",
            )
        )

    sharing = sorted(
        {
            h.buyer
            for h in others
            if h.buyer != order.buyer
            and (
                (order.address and h.address == order.address)
                or (order.phone and h.phone == order.phone)
            )
        }
    )
    if sharing:
        signals.append(
            Signal(
                "shared_contact",
                policy.mal_weight_shared,
                "MAL-LIMITS",
                f"address or phone shared with other accounts: {', '.join(sharing)}",
            )
        )

    created = order.account_created_at
    if created is not None and cheap_promo:
        age = (order.created_at - created).in_days()
        if age < policy.mal_new_account_days:
            signals.append(
                Signal(
                    "new_account",
                    policy.mal_weight_new_account,
                    "MAL-LIMITS",
                    f"account {age} days old buying a promoted item at {order.unit_price}",
                )
            )

    if order.past_claims >= policy.mal_claim_history:
        signals.append(
            Signal(
                "claim_history",
                policy.mal_weight_claims,
                "MAL-RETURN-CLAIM",
                f"{order.buyer} has {order.past_claims} earlier refund or complaint claims",
            )
        )

    score = sum(s.points for s in signals)
    return RiskAssessment(order.order_id, score, score >= policy.mal_risk_threshold, tuple(signals))


# -- the handling workflow -----------------------------------------------------------------


class MalState(enum.Enum):
    UNPAID_WATCH = "UNPAID_WATCH"  # leave it: the platform closes it (MAL-UNPAID)
    PAID_HANDLING = "PAID_HANDLING"  # record, contact, ship in time
    SHIPPED = "SHIPPED"  # shipped in time; the appeal may still run
    APPEAL_REVIEW = "APPEAL_REVIEW"  # the platform verifies (MAL-APPEAL)
    APPEAL_OVERDUE = "APPEAL_OVERDUE"  # no answer by the working-day deadline
    CLOSED_BY_PLATFORM = "CLOSED_BY_PLATFORM"
    APPEAL_UPHELD = "APPEAL_UPHELD"
    APPEAL_REJECTED = "APPEAL_REJECTED"
    DONE = "DONE"


_FINAL = frozenset(
    {MalState.CLOSED_BY_PLATFORM, MalState.APPEAL_UPHELD, MalState.APPEAL_REJECTED, MalState.DONE}
)


def _nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be non-empty text, got {value!r}")


@attrs.frozen(kw_only=True)
class MalEvent:
    type: ClassVar[str] = "event"
    id: str = attrs.field(validator=_nonempty)
    at: pendulum.DateTime = attrs.field(converter=instant)


@attrs.frozen(kw_only=True)
class OrderPaid(MalEvent):
    type: ClassVar[str] = "paid"


@attrs.frozen(kw_only=True)
class SellerClosedOrder(MalEvent):
    """Refused: a seller-closed order lets the complaint succeed (MAL-UNPAID)."""

    type: ClassVar[str] = "seller_closed_order"


@attrs.frozen(kw_only=True)
class RecordedWithPlatform(MalEvent):
    """Phoned platform service; the case is on record (MAL-PAID-RECORD)."""

    type: ClassVar[str] = "recorded_with_platform"
    handler: str = ""
    reference: str = ""


@attrs.frozen(kw_only=True)
class BuyerContacted(MalEvent):
    """Wangwang or phone contact that leaves evidence of trying (MAL-CONTACT)."""

    type: ClassVar[str] = "buyer_contacted"
    channel: str = "wangwang"
    note: str = ""


@attrs.frozen(kw_only=True)
class OrderShipped(MalEvent):
    """Shipped within the deadline: the scam relies on a miss (MAL-SHIP-IN-TIME)."""

    type: ClassVar[str] = "shipped"
    carrier: str = attrs.field(validator=_nonempty)
    tracking: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class AppealFiled(MalEvent):
    """Filed as 'abnormal purchase' in the complaint centre (MAL-APPEAL)."""

    type: ClassVar[str] = "appeal_filed"
    reference: str = ""


@attrs.frozen(kw_only=True)
class AppealDecided(MalEvent):
    type: ClassVar[str] = "appeal_decided"
    upheld: bool


@attrs.frozen(kw_only=True)
class EvidenceAdded(MalEvent):
    type: ClassVar[str] = "evidence_added"
    kind: str = attrs.field(validator=_nonempty)
    note: str = ""


MAL_EVENT_TYPES: Mapping[str, type[MalEvent]] = MappingProxyType(
    {
        cls.type: cls
        for cls in (
            OrderPaid,
            SellerClosedOrder,
            RecordedWithPlatform,
            BuyerContacted,
            OrderShipped,
            AppealFiled,
            AppealDecided,
            EvidenceAdded,
        )
    }
)


@attrs.frozen
class EvidenceEntry:
    at: pendulum.DateTime
    kind: str
    note: str
    rule: str


@attrs.frozen
class MalDeadline:
    name: str
    due: pendulum.DateTime
    rule: str
    waits_for: str


@attrs.frozen(kw_only=True)
class MaliciousCase:
    order: OrderRecord
    risk: RiskAssessment
    state: MalState
    changed_at: pendulum.DateTime
    deadline: MalDeadline | None = None
    overdue: MalDeadline | None = None
    ship_by: pendulum.DateTime | None = None
    shipped_late: bool | None = None
    evidence: tuple[EvidenceEntry, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def is_final(self) -> bool:
        return self.state in _FINAL


Action = Callable[[MaliciousCase, MalEvent, Policy], dict[str, Any]]


def _log(kind: str, rule: str, note: Callable[[MalEvent], str]) -> Action:
    def action(case: MaliciousCase, event: MalEvent, _p: Policy) -> dict[str, Any]:
        entry = EvidenceEntry(event.at, kind, note(event), rule)
        return {"evidence": (*case.evidence, entry)}

    return action


def _paid(_c: MaliciousCase, event: MalEvent, policy: Policy) -> dict[str, Any]:
    due = deadline_after(event.at, policy.ship_within, policy.calendar, policy.tz)
    return {"ship_by": due}


def _shipped(case: MaliciousCase, event: MalEvent, _p: Policy) -> dict[str, Any]:
    assert isinstance(event, OrderShipped)
    late = case.ship_by is not None and event.at >= case.ship_by  # at the instant: run out
    entry = EvidenceEntry(
        event.at, "shipment", f"{event.carrier} {event.tracking}", "MAL-SHIP-IN-TIME"
    )
    return {"shipped_late": late, "evidence": (*case.evidence, entry)}


def _record_note(event: MalEvent) -> str:
    assert isinstance(event, RecordedWithPlatform)
    return f"handler {event.handler}, reference {event.reference}"


def _contact_note(event: MalEvent) -> str:
    assert isinstance(event, BuyerContacted)
    return f"{event.channel}: {event.note}"


def _appeal_note(event: MalEvent) -> str:
    assert isinstance(event, AppealFiled)
    return f"abnormal purchase appeal {event.reference}"


_RECORD = _log("platform_record", "MAL-PAID-RECORD", _record_note)
_CONTACT = _log("buyer_contact", "MAL-CONTACT", _contact_note)
_APPEAL = _log("appeal", "MAL-APPEAL", _appeal_note)

_S = MalState
#: (state, event type) -> (target, rule, action)
_ROWS: Mapping[tuple[MalState, str], tuple[MalState, str, Action | None]] = {
    (_S.UNPAID_WATCH, "paid"): (_S.PAID_HANDLING, "MAL-PAID-RECORD", _paid),
    (_S.PAID_HANDLING, "recorded_with_platform"): (_S.PAID_HANDLING, "MAL-PAID-RECORD", _RECORD),
    (_S.PAID_HANDLING, "buyer_contacted"): (_S.PAID_HANDLING, "MAL-CONTACT", _CONTACT),
    (_S.PAID_HANDLING, "shipped"): (_S.SHIPPED, "MAL-SHIP-IN-TIME", _shipped),
    (_S.PAID_HANDLING, "appeal_filed"): (_S.APPEAL_REVIEW, "MAL-APPEAL", _APPEAL),
    (_S.SHIPPED, "recorded_with_platform"): (_S.SHIPPED, "MAL-PAID-RECORD", _RECORD),
    (_S.SHIPPED, "buyer_contacted"): (_S.SHIPPED, "MAL-CONTACT", _CONTACT),
    (_S.SHIPPED, "appeal_filed"): (_S.APPEAL_REVIEW, "MAL-APPEAL", _APPEAL),
    # upheld or rejected: decided by the event's ``upheld``
    (_S.APPEAL_REVIEW, "appeal_decided"): (_S.APPEAL_UPHELD, "MAL-APPEAL", None),
    (_S.APPEAL_OVERDUE, "appeal_decided"): (_S.APPEAL_UPHELD, "MAL-APPEAL", None),
}
#: A waiting state's timer: its name, rule, and the state it leads to when it runs out
#: (the state itself when the case is only flagged). ``advance_malicious`` follows it.
MAL_TIMEOUTS: Mapping[MalState, tuple[str, str, MalState]] = MappingProxyType(
    {
        _S.UNPAID_WATCH: ("platform_closes_unpaid", "MAL-UNPAID", _S.CLOSED_BY_PLATFORM),
        _S.PAID_HANDLING: ("ship_by", "MAL-SHIP-IN-TIME", _S.PAID_HANDLING),
        _S.APPEAL_REVIEW: ("appeal_verification", "MAL-APPEAL", _S.APPEAL_OVERDUE),
    }
)
#: ``appeal_decided`` goes to UPHELD, or to REJECTED when the event says ``upheld: false``.
MAL_ROWS = MappingProxyType(_ROWS)
_EVIDENCE_STATES = (
    _S.UNPAID_WATCH,
    _S.PAID_HANDLING,
    _S.SHIPPED,
    _S.APPEAL_REVIEW,
    _S.APPEAL_OVERDUE,
)


def _timer(
    case: MaliciousCase, state: MalState, start: pendulum.DateTime, policy: Policy
) -> MalDeadline | None:
    if state is _S.UNPAID_WATCH:
        due = deadline_after(start, policy.unpaid_close_after, policy.calendar, policy.tz)
        return MalDeadline("platform_closes_unpaid", due, "MAL-UNPAID", "platform")
    if state is _S.PAID_HANDLING and case.ship_by is not None:
        return MalDeadline("ship_by", case.ship_by, "MAL-SHIP-IN-TIME", "seller")
    if state is _S.APPEAL_REVIEW:
        due = deadline_after(start, policy.mal_appeal_review, policy.calendar, policy.tz)
        return MalDeadline("appeal_verification", due, "MAL-APPEAL", "platform")
    return None


def open_malicious_case(
    order: OrderRecord, history: Iterable[OrderRecord], policy: Policy, *, at: pendulum.DateTime
) -> MaliciousCase:
    """Open the handling case for an order flagged (or suspected) as malicious."""
    at = instant(at)
    if at < order.created_at:
        raise InvalidInput(f"order {order.order_id}: the case opens before the order existed")
    risk = assess_risk(order, history, policy)
    state = _S.UNPAID_WATCH if order.paid_at is None else _S.PAID_HANDLING
    case = MaliciousCase(order=order, risk=risk, state=state, changed_at=at)
    if order.paid_at is not None:
        ship_by = deadline_after(order.paid_at, policy.ship_within, policy.calendar, policy.tz)
        case = attrs.evolve(case, ship_by=ship_by)
    start = order.created_at if state is _S.UNPAID_WATCH else at
    return attrs.evolve(case, deadline=_timer(case, state, start, policy))


def step_malicious(case: MaliciousCase, event: MalEvent, policy: Policy) -> MaliciousCase:
    """Apply one handling event; the platform's timers due by then fire first."""
    if event.id in case.seen:
        return case
    if event.at < case.changed_at:
        raise OutOfOrderEvent(
            case_id=case.order.order_id,
            event_id=event.id,
            at=event.at.isoformat(),
            last_change=case.changed_at.isoformat(),
        )
    case = advance_malicious(case, event.at, policy)
    if isinstance(event, SellerClosedOrder) and case.state is _S.UNPAID_WATCH:
        raise RequestNotAllowed(
            f"order {case.order.order_id}: never close an unpaid malicious order yourself; a "
            "seller-closed order lets the buyer's complaint succeed and costs "
            f"{policy.mal_seller_close_points} points. Relist with stock reduced on payment "
            "and let the platform close it",
            rule="MAL-UNPAID",
        )
    changes: dict[str, Any]
    if isinstance(event, EvidenceAdded) and case.state in _EVIDENCE_STATES:
        target = case.state
        entry = EvidenceEntry(event.at, event.kind, event.note, "MAL-APPEAL")
        changes = {"evidence": (*case.evidence, entry)}
    else:
        row = _ROWS.get((case.state, event.type))
        if row is None:
            allowed = [t for (s, t) in _ROWS if s is case.state]
            if case.state in _EVIDENCE_STATES:
                allowed.append(EvidenceAdded.type)
            raise IllegalEvent(
                case_id=case.order.order_id,
                state=case.state.value,
                event_type=event.type,
                allowed=allowed,
            )
        target, _rule, action = row
        if isinstance(event, AppealDecided) and not event.upheld:
            target = _S.APPEAL_REJECTED
        changes = {} if action is None else action(case, event, policy)
    moved = attrs.evolve(case, **changes)
    deadline = case.deadline
    if target is not case.state or isinstance(event, OrderPaid):
        deadline = _timer(moved, target, event.at, policy)
    overdue = None if target is not _S.APPEAL_OVERDUE else case.overdue
    return attrs.evolve(
        moved,
        state=target,
        changed_at=event.at,
        deadline=deadline,
        overdue=overdue,
        seen=case.seen | {event.id},
    )


def advance_malicious(case: MaliciousCase, now: pendulum.DateTime, policy: Policy) -> MaliciousCase:
    """Let the platform's timers run: unpaid orders close, appeals go overdue."""
    now = instant(now)
    deadline = case.deadline
    if deadline is None or deadline.due > now:
        return case
    if case.state is _S.UNPAID_WATCH:
        return attrs.evolve(
            case, state=_S.CLOSED_BY_PLATFORM, changed_at=deadline.due, deadline=None
        )
    if case.state is _S.APPEAL_REVIEW:
        return attrs.evolve(
            case, state=_S.APPEAL_OVERDUE, changed_at=deadline.due, deadline=None, overdue=deadline
        )
    if case.state is _S.PAID_HANDLING:
        # the ship-by passed unshipped: the late-shipment claim the scam waits for
        return attrs.evolve(case, deadline=None, overdue=deadline, shipped_late=True)
    return case


def evidence_csv(case: MaliciousCase) -> str:
    """The evidence log as CSV for the platform's complaint form (MAL-APPEAL)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order_id", "buyer", "time", "kind", "note", "rule"])
    for entry in case.evidence:
        writer.writerow(
            [
                case.order.order_id,
                case.order.buyer,
                entry.at.in_timezone("Asia/Shanghai").format("YYYY-MM-DD HH:mm:ss"),
                entry.kind,
                entry.note,
                entry.rule,
            ]
        )
    return out.getvalue()


# -- files ------------------------------------------------------------------------------

_RECORD_FIELDS = frozenset(a.name for a in attrs.fields(OrderRecord))


def _record(value: object, where: str) -> OrderRecord:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{where} is an object with the order's fields")
    unknown = sorted(set(value) - _RECORD_FIELDS)
    if unknown:
        raise InvalidInput(
            f"{where}: unknown field(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(_RECORD_FIELDS))}"
        )
    try:
        return OrderRecord(**_instants(value))
    except TypeError as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from None


#: The fields a malicious-order file gives as ISO 8601 text with an offset.
_INSTANT_FIELDS = frozenset({"at", "created_at", "paid_at", "account_created_at", "opened_at"})


def _instants(value: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        str(k): parse_instant(v) if k in _INSTANT_FIELDS and isinstance(v, str) else v
        for k, v in value.items()
    }


def mal_event_from_dict(value: object) -> MalEvent:
    """One handling event from JSON: ``{"type": "buyer_contacted", "id", "at", ...}``."""
    if not isinstance(value, Mapping):
        raise InvalidInput("an event is an object with type, id and at")
    kind = value.get("type")
    cls = MAL_EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidInput(
            f"unknown malicious-order event type {kind!r}; known: {', '.join(MAL_EVENT_TYPES)}"
        )
    fields = {a.name for a in attrs.fields(cls)}
    body = {k: v for k, v in _instants(value).items() if k != "type"}
    unknown = sorted(set(body) - fields)
    if unknown:
        raise InvalidInput(f"{kind}: unknown field(s) {', '.join(unknown)}")
    try:
        return cls(**body)
    except TypeError as exc:
        raise InvalidInput(f"{kind}: {exc}") from None


def malicious_case_from_dict(
    value: Mapping[str, Any], policy: Policy, *, until: pendulum.DateTime | None = None
) -> MaliciousCase:
    """A malicious-order file: ``malicious_order`` (the order record), ``history`` (the
    shop's other orders, for the risk assessment), ``opened_at`` and ``events``;
    advanced to ``until`` when given."""
    order = _record(value.get("malicious_order"), "malicious_order")
    raw_history = value.get("history", [])
    if not isinstance(raw_history, list):
        raise InvalidInput("history is a list of order records")
    history = [_record(h, f"history[{i}]") for i, h in enumerate(raw_history)]
    opened = _instants(value).get("opened_at")
    at = opened if opened is not None else order.paid_at or order.created_at
    case = open_malicious_case(order, history, policy, at=instant(at))
    raw_events = value.get("events", [])
    if not isinstance(raw_events, list):
        raise InvalidInput("events is a list of event objects")
    for i, raw in enumerate(raw_events):
        try:
            case = step_malicious(case, mal_event_from_dict(raw), policy)
        except InvalidInput as exc:
            raise InvalidInput(f"events[{i}]: {exc}") from None
    if until is not None and until > case.changed_at:
        case = advance_malicious(case, until, policy)
    return case
