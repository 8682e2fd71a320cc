"""A refund snapshot becomes a case: synthesise the event log, let the engine run it.

A platform record is a snapshot: the status now, when the request was created
and when it last changed. The adapter writes the shortest event log that
reaches that status (the request at ``created``, then the seller's agreement,
the buyer's return shipment, the refusal, the intervention...) and hands it to
the engine, so the deadline comes from the library's rules, not from the
record. The platform's own deadline is kept beside it and compared.

Steps the record does not date are placed as late as the record allows (at
``modified``), but before any of the library's timers that would have moved
the case elsewhere: a seller who "agreed" after the response window finds the
request agreed by the timer, as on the platform. Intervention stages that need
time to have passed (the review) are reached from the earliest instant the rules
allow. Every such placement is written into the case's notes.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import attrs
import pendulum

from ..core._case import Case, Kind, Order, OrderItem, RefundRequested, Status
from ..core._effects import Effect
from ..core._engine import advance, open_case, step
from ..core._errors import AfterSalesError, InvalidInput
from ..core._events import (
    BuyerCancelled,
    BuyerRefusedDelivery,
    BuyerShippedReturn,
    Event,
    InterventionRequested,
    PlatformRuled,
    SellerAgreed,
    SellerConfirmedReceipt,
    SellerRefused,
    SellerShipped,
)
from ..core._policy import Policy
from ..core._workflows import WORKFLOWS
from ._taobao_fields import FieldError
from ._taobao_records import CS_STATUS, SHIPPED_TRADE_STATUSES, RefundRecord, TradeRecord
from ._tmall_disputes import DisputeRecord

__all__ = ["Disagreement", "ImportedCase", "case_from_refund", "compare_deadlines"]

#: cs_status codes: intervention under way, in review, or finished.
_CS_OPEN = frozenset({2, 3, 10})
_CS_REVIEW = frozenset({4, 5, 11})
_CS_FOR_BUYER = frozenset({8})
_CS_FOR_SELLER = frozenset({9})
_CS_DONE = frozenset({6})  # finished: the refund's final status says for whom
_CS_REVOKED = frozenset({7})
_SECOND = pendulum.duration(seconds=1)
#: Workflows that start from goods the buyer signed for (RET-RESPOND-5D, RET-EXCHANGE).
_GOODS_IN_HAND = frozenset({Kind.RETURN_AND_REFUND, Kind.EXCHANGE})


@attrs.frozen(kw_only=True)
class ImportedCase:
    """A case rebuilt from a refund or dispute record, with the record and what was assumed."""

    case: Case
    #: The platform's record as received (parsed): a Taobao refund or a Tmall dispute.
    record: RefundRecord | DisputeRecord
    #: What cs_status says about customer-service intervention, if anything.
    intervention: str | None = None
    #: Facts the record lacked and steps the adapter placed; read them before acting.
    notes: tuple[str, ...] = ()
    #: The engine's effects of building the case, in order (what ``open_case`` and
    #: ``step`` over ``case.log`` give); None when the case was not built that way.
    effects: tuple[Effect, ...] | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Disagreement:
    """The platform's deadline and the library's differ (PLATFORM-TIMEOUT)."""

    case_id: str
    field: str  # the platform field compared: refund_remind_timeout.timeout, modified...
    ours: pendulum.DateTime | None
    theirs: pendulum.DateTime
    #: theirs - ours; None when the library runs no timer.
    difference: _dt.timedelta | None
    rule: str | None  # the rule behind the library's deadline
    note: str

    def __str__(self) -> str:
        ours = "none" if self.ours is None else self.ours.isoformat()
        diff = "" if self.difference is None else f" ({_signed(self.difference)})"
        return (
            f"refund {self.case_id}: {self.field} {self.theirs.isoformat()}, "
            f"library {ours}{diff}: {self.note}"
        )


def _signed(delta: _dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}h{rest // 60:02d}m"


# -- the order the case is about ------------------------------------------------------------


def _shipped_at(record: RefundRecord, trade: TradeRecord | None) -> pendulum.DateTime | None:
    if trade is None:
        return None
    line = trade.line(record.oid)
    if line is not None:
        if line.consign_time is not None:
            return line.consign_time
        if line.status is not None and not line.shipped:
            return None  # a partly shipped trade: this sub-order is still here
    return trade.consign_time


def _shipped_before_request(
    record: RefundRecord, trade: TradeRecord | None, notes: list[str]
) -> bool:
    """Had the goods left when the buyer asked? Decides refund before shipment vs refund only."""
    shipped_at = _shipped_at(record, trade)
    if shipped_at is not None:
        return shipped_at <= record.created
    if trade is not None:
        line = trade.line(record.oid)
        status = line.status if line is not None and line.status else trade.status
        return status in SHIPPED_TRADE_STATUSES
    if record.order_status is not None and record.order_status != "TRADE_CLOSED":
        if record.order_status in SHIPPED_TRADE_STATUSES:
            notes.append(
                f"shipped: order_status {record.order_status} (the trade's status now; "
                "no consign_time without the trade)"
            )
            return True
        return False
    said = "" if record.order_status is None else f" (order_status {record.order_status})"
    notes.append(f"not shipped: nothing in the import says the goods had left{said}")
    return False


def _kind(record: RefundRecord, trade: TradeRecord | None, notes: list[str]) -> Kind:
    if record.has_good_return:
        return Kind.RETURN_AND_REFUND
    if record.good_status != "BUYER_NOT_RECEIVED" or record.refund_phase == "aftersale":
        return Kind.REFUND_ONLY
    if _shipped_before_request(record, trade, notes):
        return Kind.REFUND_ONLY
    return Kind.REFUND_BEFORE_SHIPMENT


def _base_order(record: RefundRecord, trade: TradeRecord | None, notes: list[str]) -> Order:
    if trade is None:
        if record.total_fee is None:
            raise FieldError(
                "total_fee",
                "missing, and the trade is not in the import",
                "the trade's total in yuan, or the trade record itself",
            )
        notes.append("paid_at: created (the trade is not in the import)")
        return Order(
            id=record.tid,
            paid=record.total_fee,
            paid_at=record.created,
            items=(OrderItem(oid=record.oid, paid=record.total_fee, title=record.title),),
        )
    if trade.order is None:
        raise FieldError("tid", f"trade {trade.tid} is unpaid ({trade.status})", "a paid trade")
    order = trade.order
    if not order.items:
        item = OrderItem(oid=record.oid, paid=order.paid, title=record.title)
        order = attrs.evolve(order, items=(item,))
    elif trade.line(record.oid) is None:
        known = ", ".join(line.oid for line in trade.lines)
        raise FieldError("oid", f"trade {trade.tid} has no sub-order {record.oid}", known)
    return order


def _order(record: RefundRecord, kind: Kind, trade: TradeRecord | None, notes: list[str]) -> Order:
    """The order facts the engine's checks need, from the trade where it is known."""
    order = _base_order(record, trade, notes)
    created = record.created
    shipped_at = _shipped_at(record, trade)
    aftersale = record.refund_phase == "aftersale"
    if kind is not Kind.REFUND_BEFORE_SHIPMENT:
        if shipped_at is None:
            shipped_at = created
            notes.append("shipped_at: created (consign_time not in the import)")
        elif shipped_at > created:
            raise FieldError(
                "consign_time",
                f"the goods shipped at {shipped_at}, after the request at {created}, "
                f"but good_status is {record.good_status}",
                "a consign_time before created for a refund on shipped goods",
            )
    signed = kind in _GOODS_IN_HAND or record.good_status == "BUYER_RECEIVED" or aftersale
    signed_at = None
    if signed:
        signed_at = created  # the platform's records do not carry the signing time
        notes.append("signed_at: created (the platform does not report when the parcel was signed)")
    finished = order.finished_at
    if aftersale:
        if finished is None or finished > created:
            finished = created
            notes.append("finished_at: created (refund_phase aftersale; end_time not before it)")
    elif finished is not None and finished <= created:
        if record.refund_phase == "onsale":
            notes.append("finished_at dropped: refund_phase onsale though the trade had ended")
            finished = None
        else:
            notes.append("phase: aftersale (the trade ended before the request)")
    try:
        return attrs.evolve(order, shipped_at=shipped_at, signed_at=signed_at, finished_at=finished)
    except InvalidInput as exc:
        raise FieldError("created", str(exc), "order facts in time order") from None


# -- the event log ---------------------------------------------------------------------------


class _Log:
    """Builds the case one synthetic event at a time, with the engine."""

    def __init__(
        self, case: Case, policy: Policy, notes: list[str], effects: tuple[Effect, ...] = ()
    ) -> None:
        self.case = case
        self.policy = policy
        self.notes = notes
        self.effects = effects  # the engine's, of every change kept in self.case

    def fixed(self, event: Event, field: str) -> None:
        """An event the record dates: it happens then, or the record is reported."""
        try:
            self.case, more = step(self.case, event, self.policy)
            self.effects += more
        except AfterSalesError as exc:
            raise FieldError(field, str(exc), _ALLOWED[field]) from None

    def latest(
        self, make: Callable[[pendulum.DateTime], Event], at: pendulum.DateTime, field: str
    ) -> None:
        """An undated step: at ``at``, or just before a library timer that would move
        the case where the event is no longer accepted. Skipped when a timer already
        did what the event does (the platform acted on the party's behalf)."""
        workflow = WORKFLOWS[self.case.kind]
        kind = make(at).type
        rows = workflow.dispatch.get((self.case.state, kind))
        if rows is None:
            self.fixed(make(at), field)  # raises, naming the state and what it allows
            return
        wanted = rows[0].target
        case = self.case
        fired: tuple[Effect, ...] = ()  # of the timers fired on ``case``, kept if it is
        while case.deadline is not None and case.deadline.due <= at:
            timer = workflow.timers[case.state]
            if timer.target is wanted:
                self.case, more = advance(case, case.deadline.due, self.policy)
                self.effects += fired + more
                self.notes.append(
                    f"{kind} not applied: the {timer.name} timer did it at "
                    f"{case.deadline.due.isoformat()} ({timer.rule})"
                )
                return
            if (timer.target, kind) not in workflow.dispatch:
                moved = case.deadline.due - _SECOND
                self.notes.append(
                    f"{kind} placed at {moved.isoformat()}, before the library's "
                    f"{timer.name} timer ({timer.rule}); the record's time is {at.isoformat()}"
                )
                at = moved
                break
            case, more = advance(case, case.deadline.due, self.policy)
            fired += more
        self.fixed(make(at), field)

    def to_deadline(self) -> None:
        """Let the running timer fire (an intervention's evidence period ends)."""
        if self.case.deadline is not None:
            self.case, more = advance(self.case, self.case.deadline.due, self.policy)
            self.effects += more


_ALLOWED = {
    "created": "a request the library's rules accept for these order facts",
    "refund_fee": "more than 0.00 and at most the sub-order's payment",
    "modified": "a change the library's timers allow at that time",
    "good_return_time": "a return shipped within the library's windows after agreement",
    "cs_status": "an intervention the library's rules allow at that time",
    "consign_time": "shipment before the seller's response window ran out",
    "status": "a status the library's workflow reaches",
}


def _request(record: RefundRecord, kind: Kind, order: Order) -> RefundRequested:
    return RefundRequested(
        id=f"{record.refund_id}:created",
        at=record.created,
        case_id=record.refund_id,
        kind=kind,
        order=order,
        amount=record.refund_fee,
        reason=record.reason,
        oid=record.oid,
        description=record.desc,
    )


def _open(request: RefundRequested, policy: Policy) -> tuple[Case, tuple[Effect, ...]]:
    """The engine opens the case, or the request's amount or time is the problem."""
    try:
        case, effects = open_case(request, policy)
    except InvalidInput as exc:
        amount = "exceeds" in str(exc) or "more than 0.00" in str(exc)
        field = "refund_fee" if amount else "created"
        raise FieldError(field, str(exc), _ALLOWED[field]) from None
    return case, effects


def _event_id(record: RefundRecord, kind: str) -> str:
    return f"{record.refund_id}:{kind}"


def _returned(record: RefundRecord) -> bool:
    return (
        record.good_status == "BUYER_RETURNED_GOODS"
        or record.good_return_time is not None
        or bool(record.sid)
    )


def _goods_back(log: _Log, record: RefundRecord, notes: list[str]) -> None:
    """The goods came back: agreed, then shipped back (returns) or refused at the door."""
    at = record.good_return_time
    if at is None:
        at = record.modified
        notes.append("good_return_time: modified (not in the record)")
    rid = record.refund_id
    if log.case.kind is Kind.REFUND_ONLY:
        if record.good_status == "BUYER_RECEIVED":
            raise FieldError(
                "good_status",
                "BUYER_RECEIVED, but a refund only gets goods back only when delivery is refused",
                "BUYER_NOT_RECEIVED or BUYER_RETURNED_GOODS",
            )
        log.latest(
            lambda t: BuyerRefusedDelivery(id=_event_id(record, "refused_delivery"), at=t),
            at,
            "good_return_time",
        )
        return
    if log.case.kind is not Kind.RETURN_AND_REFUND:
        raise FieldError(
            "status",
            f"{record.status.value} on a refund before shipment",
            "WAIT_SELLER_AGREE, SELLER_REFUSE_BUYER, CLOSED or SUCCESS",
        )
    if not record.company_name or not record.sid:
        missing = "company_name" if not record.company_name else "sid"
        raise FieldError(
            missing,
            "missing on a refund whose goods were returned",
            "the return's carrier (company_name) and waybill number (sid)",
        )
    log.latest(lambda t: SellerAgreed(id=_event_id(record, "agreed"), at=t), at, "modified")
    log.fixed(
        BuyerShippedReturn(
            id=f"{rid}:returned", at=at, carrier=record.company_name, tracking=record.sid
        ),
        "good_return_time",
    )


def _before_refusal(log: _Log, record: RefundRecord, notes: list[str]) -> None:
    if _returned(record) and log.case.kind is not Kind.REFUND_BEFORE_SHIPMENT:
        _goods_back(log, record, notes)


def _refuse(log: _Log, record: RefundRecord, at: pendulum.DateTime) -> None:
    log.latest(lambda t: SellerRefused(id=_event_id(record, "refused"), at=t), at, "modified")


def _intervene_earliest(log: _Log, record: RefundRecord, notes: list[str]) -> None:
    """Refusal and intervention at the earliest instant the rules allow: a stage
    that needs time to have passed (review, a ruling) is reached by ``modified``."""
    _before_refusal(log, record, notes)
    _refuse(log, record, log.case.changed_at)
    opens = log.case.intervention_available_from
    assert opens is not None
    if opens > record.modified:
        raise FieldError(
            "cs_status",
            f"intervention under the library's rules opens at {opens.isoformat()}, after the "
            f"record's last change at {record.modified.isoformat()}",
            _ALLOWED["cs_status"],
        )
    log.fixed(InterventionRequested(id=_event_id(record, "intervention"), at=opens), "cs_status")
    notes.append(
        f"refusal and intervention request not dated in the record: placed at the earliest "
        f"the rules allow ({log.case.history[-2].at.isoformat()}, {opens.isoformat()})"
    )


def _ruled(log: _Log, record: RefundRecord, favours: str) -> None:
    log.fixed(
        PlatformRuled(id=_event_id(record, "ruled"), at=record.modified, favours=favours),
        "modified",
    )


def _cs_problem(record: RefundRecord, allowed: str) -> FieldError:
    cs = record.cs_status
    meaning = "" if cs is None else f" ({CS_STATUS[cs]})"
    return FieldError("cs_status", f"{cs}{meaning} on a {record.status.value} refund", allowed)


def _intervened(record: RefundRecord) -> bool:
    cs = record.cs_status
    return cs is not None and cs != 1 and cs not in _CS_REVOKED


def _waiting(log: _Log, record: RefundRecord, trade: TradeRecord | None, notes: list[str]) -> None:
    """WAIT_SELLER_AGREE, WAIT_BUYER_RETURN_GOODS, WAIT_SELLER_CONFIRM_GOODS."""
    if _intervened(record):
        raise _cs_problem(
            record, "1 (the library's interventions follow a refusal: SELLER_REFUSE_BUYER)"
        )
    if record.status is Status.WAIT_BUYER_RETURN_GOODS:
        if log.case.kind is not Kind.RETURN_AND_REFUND:
            raise FieldError(
                "has_good_return",
                "false, but the refund waits for the buyer to return goods",
                "true for WAIT_BUYER_RETURN_GOODS",
            )
        agreed = _event_id(record, "agreed")
        log.latest(lambda t: SellerAgreed(id=agreed, at=t), record.modified, "modified")
    elif record.status is Status.WAIT_SELLER_CONFIRM_GOODS:
        _goods_back(log, record, notes)


def _refused(log: _Log, record: RefundRecord, trade: TradeRecord | None, notes: list[str]) -> None:
    """SELLER_REFUSE_BUYER, with or without an intervention under way."""
    cs = record.cs_status
    if cs in _CS_REVIEW:
        _intervene_earliest(log, record, notes)
        log.to_deadline()  # the evidence period is over: review
        return
    if _intervened(record) and cs not in _CS_OPEN:
        raise _cs_problem(record, "1, 2, 3, 4, 5, 7, 10 or 11 on a refused refund")
    _before_refusal(log, record, notes)
    _refuse(log, record, record.modified)
    if cs in _CS_OPEN:
        requested = InterventionRequested(id=_event_id(record, "intervention"), at=record.modified)
        log.fixed(requested, "cs_status")


def _ended_in_intervention(log: _Log, record: RefundRecord, notes: list[str]) -> None:
    cs, status, m = record.cs_status, record.status, record.modified
    assert cs is not None
    if cs in (_CS_FOR_SELLER if status is Status.SUCCESS else _CS_FOR_BUYER):
        raise _cs_problem(record, "8 or 6 with SUCCESS; 9 or 6 with CLOSED")
    _intervene_earliest(log, record, notes)
    if cs in _CS_FOR_BUYER | _CS_FOR_SELLER | _CS_DONE:
        _ruled(log, record, "buyer" if status is Status.SUCCESS else "seller")
    elif status is Status.SUCCESS:  # the seller settled during intervention (INT-AVOID)
        log.fixed(SellerAgreed(id=_event_id(record, "agreed"), at=m), "modified")
    else:
        log.fixed(BuyerCancelled(id=_event_id(record, "cancelled"), at=m), "modified")


def _succeeded(
    log: _Log, record: RefundRecord, trade: TradeRecord | None, notes: list[str]
) -> None:
    if _intervened(record):
        _ended_in_intervention(log, record, notes)
        return
    kind, m = log.case.kind, record.modified
    if kind is Kind.RETURN_AND_REFUND and not _returned(record):
        raise FieldError(
            "good_return_time",
            "a return and refund succeeded with no return shipment in the record",
            "good_return_time, company_name and sid of the return",
        )
    if _returned(record) and kind is not Kind.REFUND_BEFORE_SHIPMENT:
        _goods_back(log, record, notes)
        confirmed = _event_id(record, "confirmed")
        log.latest(lambda t: SellerConfirmedReceipt(id=confirmed, at=t), m, "modified")
    else:
        agreed = _event_id(record, "agreed")
        log.latest(lambda t: SellerAgreed(id=agreed, at=t), m, "modified")


def _closed(log: _Log, record: RefundRecord, trade: TradeRecord | None, notes: list[str]) -> None:
    """The seller shipped a refund before shipment (PRE-SHIP-CLOSES), or the buyer withdrew."""
    if _intervened(record):
        _ended_in_intervention(log, record, notes)
        return
    kind, m = log.case.kind, record.modified
    shipped_at = _shipped_at(record, trade)
    if kind is Kind.REFUND_BEFORE_SHIPMENT and shipped_at is not None and shipped_at <= m:
        line = None if trade is None else trade.line(record.oid)
        shipped = SellerShipped(
            id=_event_id(record, "shipped"),
            at=shipped_at,
            carrier="" if line is None else line.logistics_company,
            tracking="" if line is None else line.invoice_no,
        )
        log.fixed(shipped, "consign_time")
        return
    if _returned(record) and kind is not Kind.REFUND_BEFORE_SHIPMENT:
        _goods_back(log, record, notes)
    cancelled = _event_id(record, "cancelled")
    log.latest(lambda t: BuyerCancelled(id=cancelled, at=t), m, "modified")
    notes.append("closed: taken as withdrawn by the buyer (the record does not say who closed it)")


_Handler = Callable[[_Log, RefundRecord, "TradeRecord | None", list[str]], None]
_BY_STATUS: dict[Status, _Handler] = {
    Status.WAIT_SELLER_AGREE: _waiting,
    Status.WAIT_BUYER_RETURN_GOODS: _waiting,
    Status.WAIT_SELLER_CONFIRM_GOODS: _waiting,
    Status.SELLER_REFUSE_BUYER: _refused,
    Status.SUCCESS: _succeeded,
    Status.CLOSED: _closed,
}


def case_from_refund(
    record: RefundRecord, policy: Policy, *, trade: TradeRecord | None = None
) -> ImportedCase:
    """Rebuild the case a refund record describes; :class:`FieldError` names the field
    that cannot be reconciled with the library's rules."""
    notes: list[str] = list(record.defaults)
    kind = _kind(record, trade, notes)
    order = _order(record, kind, trade, notes)
    case, effects = _open(_request(record, kind, order), policy)
    if record.advance_status:
        notes.append(
            f"advance_status {record.advance_status} (先行垫付): imported as an ordinary "
            "refund; the adapter does not map express refunds"
        )
    log = _Log(case, policy, notes, effects)
    _BY_STATUS[record.status](log, record, trade, notes)
    case = log.case
    if case.status is not record.status:
        raise FieldError(
            "status",
            f"{record.status.value}, but the library's rules put the case in "
            f"{case.status.value} ({case.state.value}) by {case.changed_at.isoformat()}",
            _ALLOWED["status"],
        )
    intervention = None if record.cs_status is None else CS_STATUS[record.cs_status]
    return ImportedCase(
        case=case,
        record=record,
        intervention=intervention,
        notes=tuple(notes),
        effects=log.effects,
    )


# -- deadlines -------------------------------------------------------------------------------


def _delta(theirs: pendulum.DateTime, ours: pendulum.DateTime) -> _dt.timedelta:
    return _dt.timedelta(seconds=theirs.int_timestamp - ours.int_timestamp)


def _status_shown(record: RefundRecord | DisputeRecord) -> str:
    if isinstance(record, DisputeRecord):
        return f"{record.status} ({record.status_text})"
    return record.status.value


def compare_deadlines(
    imported: ImportedCase, *, tolerance: _dt.timedelta = _dt.timedelta(0)
) -> tuple[Disagreement, ...]:
    """Where the platform's deadline and the library's differ by more than ``tolerance``."""
    case, record = imported.case, imported.record
    deadline = case.deadline
    found: list[Disagreement] = []
    timeout = record.timeout
    if timeout is not None:
        if deadline is None:
            found.append(
                Disagreement(
                    case_id=case.id,
                    field=timeout.field,
                    ours=None,
                    theirs=timeout.at,
                    difference=None,
                    rule=None,
                    note=f"the platform runs a timer; the library runs none in {case.state.value}",
                )
            )
        elif abs(_delta(timeout.at, deadline.due)) > tolerance:
            found.append(
                Disagreement(
                    case_id=case.id,
                    field=timeout.field,
                    ours=deadline.due,
                    theirs=timeout.at,
                    difference=_delta(timeout.at, deadline.due),
                    rule=deadline.rule,
                    note=f"{deadline.name} in {case.state.value}",
                )
            )
    if deadline is not None and deadline.due < record.modified:
        found.append(
            Disagreement(
                case_id=case.id,
                field="modified",
                ours=deadline.due,
                theirs=record.modified,
                difference=_delta(record.modified, deadline.due),
                rule=deadline.rule,
                note=(
                    f"the platform still showed {_status_shown(record)} at its last change, "
                    f"after the library's {deadline.name} deadline"
                ),
            )
        )
    return tuple(found)
