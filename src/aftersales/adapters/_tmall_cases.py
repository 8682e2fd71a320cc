"""A Tmall dispute record becomes a case, rebuilt by the engine.

Refunds and returns (仅退款, 退货退款) are Taobao refunds under numbered statuses:
each is read as the equivalent :class:`RefundRecord` and rebuilt exactly as a
Taobao refund is (``_taobao_cases``), so a refund gives the same case whichever
API listed it. Exchanges (换货) run the exchange workflow (RET-EXCHANGE): the
adapter writes the steps the status implies, places undated ones as the Taobao
path does, and the engine runs them. A status the library has no faithful
equivalent for is reported on ``status``, never approximated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from ..core._case import Kind, State, Status
from ..core._events import (
    BuyerCancelled,
    BuyerConfirmedReceipt,
    BuyerShippedReturn,
    SellerAgreed,
    SellerResent,
)
from ..core._policy import Policy
from ._taobao_cases import ImportedCase, _Log, _open, _order, _request, case_from_refund
from ._taobao_fields import FieldError
from ._taobao_records import RefundRecord, TradeRecord
from ._tmall_disputes import (
    DISPUTE_STATUS,
    EXCHANGE,
    REFUND_ONLY,
    RETURN_AND_REFUND,
    DisputeRecord,
)

__all__ = ["EXCHANGE_STEPS", "REFUND_STATUSES", "UNMAPPED", "case_from_dispute"]

#: Refund and return statuses -> the Taobao refund status each one is.
REFUND_STATUSES: Mapping[int, Status] = {
    1: Status.WAIT_SELLER_AGREE,
    2: Status.WAIT_BUYER_RETURN_GOODS,
    3: Status.WAIT_SELLER_CONFIRM_GOODS,
    4: Status.CLOSED,
    5: Status.SUCCESS,
    6: Status.SELLER_REFUSE_BUYER,
}

#: Exchange statuses -> the steps after the request, and the state they reach
#: in the exchange workflow (docs/workflows/exchange.md).
EXCHANGE_STEPS: Mapping[int, tuple[tuple[str, ...], State]] = {
    1: ((), State.WAIT_SELLER_AGREE),
    2: (("agreed",), State.WAIT_BUYER_RETURN_GOODS),
    3: (("goods_back",), State.WAIT_SELLER_CONFIRM_GOODS),
    4: (("cancelled",), State.CLOSED),
    5: (("goods_back", "resent", "confirmed"), State.SUCCESS),
    13: (("goods_back", "resent"), State.EXCHANGE_RESENT),
}

_REFUND_UNMAPPED: Mapping[int, str] = {
    7: "the library's refund workflows have no stage in which goods are mailed to the buyer again",
    8: "the library shows the return address when the seller agrees (RET-RESPOND-5D); it "
    "has no stage waiting for the seller to confirm the address",
}
_EXCHANGE_UNMAPPED: Mapping[int, str] = {
    6: "the library's exchange has no stage waiting for the buyer to modify the request, "
    "and the record does not say whether the seller refused (RET-REFUSE)",
    12: "the library's exchange has no step for the seller confirming receipt of the "
    "returned goods: its WAIT_SELLER_CONFIRM_GOODS still runs the seller_confirm_receipt "
    "timer, which refunds the buyer on expiry (RET-CONFIRM-10D)",
    14: "the exchange turned into a refund request; a case cannot move from the exchange "
    "workflow to a refund one: import the refund's own record",
}
#: Documented statuses with no faithful equivalent in the library, and why.
UNMAPPED: Mapping[str, Mapping[int, str]] = {
    REFUND_ONLY: _REFUND_UNMAPPED,
    RETURN_AND_REFUND: _REFUND_UNMAPPED,
    EXCHANGE: _EXCHANGE_UNMAPPED,
}


def _mapped(request: str) -> str:
    texts = DISPUTE_STATUS[request]
    if request == EXCHANGE:
        found = {n: state.value for n, (_, state) in EXCHANGE_STEPS.items()}
    else:
        found = {n: status.value for n, status in REFUND_STATUSES.items()}
    return ", ".join(f"{n} {texts[n]} ({found[n]})" for n in sorted(found))


def _unmapped(record: DisputeRecord) -> FieldError:
    why = UNMAPPED[record.dispute_request].get(record.status, "not mapped")
    return FieldError(
        "status",
        f"{record.status} ({record.status_text}) on a {record.dispute_request} record: {why}",
        f"for {record.dispute_request}: {_mapped(record.dispute_request)}",
    )


_PAID_NOTE = (
    "paid: refund_fee (a dispute record has no total_fee and the trade is not in the import)"
)


def _as_refund(record: DisputeRecord, status: Status, trade: TradeRecord | None) -> RefundRecord:
    """The Taobao refund record a dispute is, for the refund path and the order facts."""
    defaults = record.defaults
    total_fee = None
    if trade is None:
        total_fee = record.refund_fee
        defaults += (_PAID_NOTE,)
    return RefundRecord(
        refund_id=record.refund_id,
        tid=record.tid,
        oid=record.oid,
        status=status,
        # an exchange is of goods the buyer has (RET-EXCHANGE); parse_dispute
        # requires good_status on refunds and returns
        good_status=record.good_status or "BUYER_RECEIVED",
        has_good_return=record.dispute_request != REFUND_ONLY,
        refund_fee=record.refund_fee,
        created=record.created,
        modified=record.modified,
        refund_phase=record.refund_phase,
        total_fee=total_fee,
        order_status=record.order_status,
        good_return_time=record.good_return_time,
        company_name=record.buyer_logistic_name,
        sid=record.buyer_logistic_no,
        reason=record.reason,
        desc=record.desc,
        title=record.title,
        num=record.num,
        refund_version=record.refund_version,
        timeout=record.timeout,
        defaults=defaults,
    )


_RETURN_SHIPMENT = (
    "the buyer's shipment back: buyer_logistic_name and buyer_logistic_no "
    "(request show_return_logistic / show_exchange_logistic)"
)
#: Taobao refund fields named in a problem -> the dispute record's field, and what it allows.
_RENAMED: Mapping[str, tuple[str, str | None]] = {
    "sid": ("buyer_logistic_no", _RETURN_SHIPMENT),
    "company_name": ("buyer_logistic_name", _RETURN_SHIPMENT),
    "tid": ("biz_order_id", None),
}


def _renamed(error: FieldError, record: DisputeRecord) -> FieldError:
    if error.field == "has_good_return":  # taken from dispute_request
        return FieldError(
            "dispute_request",
            f"{record.dispute_request}, but status {record.status} ({record.status_text}) "
            "waits for goods to come back",
            f"{RETURN_AND_REFUND} for a return",
        )
    field, allowed = _RENAMED.get(error.field, (error.field, None))
    return FieldError(field, error.problem, allowed or error.allowed)


def _refund(record: DisputeRecord, policy: Policy, trade: TradeRecord | None) -> ImportedCase:
    status = REFUND_STATUSES.get(record.status)
    if status is None:
        raise _unmapped(record)
    refund = _as_refund(record, status, trade)
    try:
        imported = case_from_refund(refund, policy, trade=trade)
    except FieldError as exc:
        raise _renamed(exc, record) from None
    return attrs.evolve(imported, record=record)


# -- exchanges ---------------------------------------------------------------------------------


def _event_id(record: DisputeRecord, step: str) -> str:
    return f"{record.refund_id}:{step}"


def _agreed(log: _Log, record: DisputeRecord, notes: list[str]) -> None:
    agreed = _event_id(record, "agreed")
    log.latest(lambda t: SellerAgreed(id=agreed, at=t), record.modified, "modified")


def _returned(record: DisputeRecord) -> bool:
    return bool(record.buyer_logistic_no) or record.good_return_time is not None


def _goods_back(log: _Log, record: DisputeRecord, notes: list[str]) -> None:
    """Agreed, then the buyer shipped the goods back (RET-RESPOND-5D, RET-BUYER-SHIPS)."""
    if not record.buyer_logistic_name or not record.buyer_logistic_no:
        missing = "buyer_logistic_name" if not record.buyer_logistic_name else "buyer_logistic_no"
        raise FieldError(
            missing, "missing on an exchange whose goods were sent back", _RETURN_SHIPMENT
        )
    at = record.good_return_time
    if at is None:
        at = record.modified
        notes.append("good_return_time: modified (not in the record)")
    agreed = _event_id(record, "agreed")
    log.latest(lambda t: SellerAgreed(id=agreed, at=t), at, "modified")
    shipped = BuyerShippedReturn(
        id=_event_id(record, "returned"),
        at=at,
        carrier=record.buyer_logistic_name,
        tracking=record.buyer_logistic_no,
    )
    log.fixed(shipped, "good_return_time")


def _resent(log: _Log, record: DisputeRecord, notes: list[str]) -> None:
    """The seller sent the replacement (RET-EXCHANGE); the record does not date it."""
    if not record.seller_logistic_name or not record.seller_logistic_no:
        named = bool(record.seller_logistic_name)
        missing = "seller_logistic_no" if named else "seller_logistic_name"
        raise FieldError(
            missing,
            "missing on an exchange whose replacement was sent",
            "the replacement's shipment: seller_logistic_name and seller_logistic_no "
            "(request show_exchange_logistic)",
        )
    resent = _event_id(record, "resent")
    carrier, tracking = record.seller_logistic_name, record.seller_logistic_no
    log.latest(
        lambda t: SellerResent(id=resent, at=t, carrier=carrier, tracking=tracking),
        record.modified,
        "modified",
    )
    notes.append("seller_resent: not dated in the record; placed as late as it allows")


def _confirmed(log: _Log, record: DisputeRecord, notes: list[str]) -> None:
    confirmed = _event_id(record, "confirmed")
    log.latest(lambda t: BuyerConfirmedReceipt(id=confirmed, at=t), record.modified, "modified")


def _cancelled(log: _Log, record: DisputeRecord, notes: list[str]) -> None:
    if _returned(record):
        _goods_back(log, record, notes)
    cancelled = _event_id(record, "cancelled")
    log.latest(lambda t: BuyerCancelled(id=cancelled, at=t), record.modified, "modified")
    notes.append("closed: taken as withdrawn by the buyer (the record does not say who closed it)")


_Step = Callable[[_Log, DisputeRecord, list[str]], None]
_STEPS: Mapping[str, _Step] = {
    "agreed": _agreed,
    "goods_back": _goods_back,
    "resent": _resent,
    "confirmed": _confirmed,
    "cancelled": _cancelled,
}


def _exchange(record: DisputeRecord, policy: Policy, trade: TradeRecord | None) -> ImportedCase:
    found = EXCHANGE_STEPS.get(record.status)
    if found is None:
        raise _unmapped(record)
    steps, state = found
    # the refund record stands in for the order facts only; its status is not read
    facts = _as_refund(record, Status.WAIT_SELLER_AGREE, trade)
    notes = list(facts.defaults)
    order = _order(facts, Kind.EXCHANGE, trade, notes)
    log = _Log(_open(_request(facts, Kind.EXCHANGE, order), policy)[0], policy, notes)
    for name in steps:
        _STEPS[name](log, record, notes)
    case = log.case
    if case.state is not state:
        raise FieldError(
            "status",
            f"{record.status} ({record.status_text}), but the library's rules put the exchange "
            f"in {case.state.value} by {case.changed_at.isoformat()}",
            "a status the library's exchange workflow reaches from the record's facts",
        )
    return ImportedCase(case=case, record=record, notes=tuple(notes))


def case_from_dispute(
    record: DisputeRecord, policy: Policy, *, trade: TradeRecord | None = None
) -> ImportedCase:
    """Rebuild the case a dispute record describes; :class:`FieldError` names the field
    that cannot be mapped or reconciled with the library's rules."""
    if record.is_exchange:
        return _exchange(record, policy, trade)
    return _refund(record, policy, trade)
