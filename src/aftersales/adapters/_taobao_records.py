"""Taobao Open Platform records as frozen values, and the API envelopes around them.

A record value keeps the platform's facts under the platform's names (``tid``,
``good_status``, ``consign_time``), parsed: IDs as text, money as
:class:`~aftersales.Money`, times timezone-aware. What they mean for a case is
decided in ``_taobao_cases``; here a record is only read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pendulum

from ..core._case import Order, OrderItem, Status
from ..core._errors import InvalidInput
from ..core._money import Money
from ._taobao_fields import (
    FieldError,
    read_bool,
    read_choice,
    read_id,
    read_int,
    read_money,
    read_text,
    read_time,
)

__all__ = [
    "CS_STATUS",
    "DISPUTE_TYPES",
    "ENVELOPES",
    "EXCHANGE_DISPUTE_TYPES",
    "EXCHANGE_REFUND_STATUSES",
    "GOOD_STATUSES",
    "REFUND_STATUSES",
    "TRADE_STATUSES",
    "PayloadError",
    "PlatformTimeout",
    "RefundRecord",
    "TradeLine",
    "TradeRecord",
    "classify",
    "is_exchange_refund",
    "parse_refund",
    "parse_trade",
    "read_dates",
    "refund_status",
    "unwrap",
]

REFUND_STATUSES = (
    "WAIT_SELLER_AGREE",
    "WAIT_BUYER_RETURN_GOODS",
    "WAIT_SELLER_CONFIRM_GOODS",
    "SELLER_REFUSE_BUYER",
    "CLOSED",
    "SUCCESS",
)
#: The refund list's statuses of an exchange only (TOP's status list for
#: ``taobao.refunds.receive.get``): the seller resent the goods, the exchange became a
#: refund, the seller confirmed the returned goods and has yet to send the new ones.
EXCHANGE_REFUND_STATUSES = (
    "WAIT_BUYER_CONFIRM_EXCHANGE_SELLER_SEND_GOODS",
    "EXCHANGE_TRANSFORM_TO_REFUND",
    "WAIT_SELLER_CONSIGN_GOODS",
)
#: ``dispute_type``: what the buyer asked for (TOP's Refund model: 退款类型).
DISPUTE_TYPES = (
    "REFUND",
    "REFUND_AND_RETURN",
    "TMALL_EXCHANGE",
    "TAOBAO_EXCHANGE",
    "REPAIR",
    "RESHIPPING",
    "OTHERS",
)
EXCHANGE_DISPUTE_TYPES = frozenset({"TMALL_EXCHANGE", "TAOBAO_EXCHANGE"})
GOOD_STATUSES = ("BUYER_NOT_RECEIVED", "BUYER_RECEIVED", "BUYER_RETURNED_GOODS")
PHASES = ("onsale", "aftersale")
TRADE_STATUSES = (
    "TRADE_NO_CREATE_PAY",
    "WAIT_BUYER_PAY",
    "SELLER_CONSIGNED_PART",
    "WAIT_SELLER_SEND_GOODS",
    "WAIT_BUYER_CONFIRM_GOODS",
    "TRADE_BUYER_SIGNED",
    "TRADE_FINISHED",
    "TRADE_CLOSED",
    "TRADE_CLOSED_BY_TAOBAO",
    "PAY_PENDING",
    "WAIT_PRE_AUTH_CONFIRM",
    "PAID_FORBID_CONSIGN",
)
#: Sub-order refund status on a trade line: the refund statuses, or none.
LINE_REFUND_STATUSES = ("NO_REFUND", *REFUND_STATUSES)
#: ``cs_status``: customer-service intervention progress (model/tbrefund/Refund.go).
CS_STATUS: Mapping[int, str] = {
    1: "no intervention needed",
    2: "intervention needed",
    3: "customer service intervened",
    4: "first review done",
    5: "supervisor re-review failed",
    6: "customer service done",
    7: "intervention revoked",
    8: "ruled for the buyer",
    9: "ruled for the seller",
    10: "evidence period",
    11: "open for appeal",
}
#: Trade statuses in which the goods have left the seller.
SHIPPED_TRADE_STATUSES = frozenset(
    {"SELLER_CONSIGNED_PART", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_BUYER_SIGNED", "TRADE_FINISHED"}
)


class PayloadError(InvalidInput):
    """A whole export is unreadable: not JSON, an API error, an unknown shape."""


@attrs.frozen
class PlatformTimeout:
    """The platform's own deadline for the refund's current stage (PLATFORM-TIMEOUT)."""

    at: pendulum.DateTime
    field: str  # where it came from: refund_remind_timeout.timeout or timeout
    remind_type: int | None = None


@attrs.frozen(kw_only=True)
class RefundRecord:
    """One refund as ``taobao.refund.get`` / ``taobao.refunds.receive.get`` return it."""

    refund_id: str
    tid: str
    oid: str
    status: Status
    good_status: str
    has_good_return: bool
    refund_fee: Money
    created: pendulum.DateTime
    modified: pendulum.DateTime
    refund_phase: str | None = None
    cs_status: int | None = None
    advance_status: int | None = None
    total_fee: Money | None = None
    payment: Money | None = None
    order_status: str | None = None
    good_return_time: pendulum.DateTime | None = None
    company_name: str = ""
    sid: str = ""
    reason: str = ""
    desc: str = ""
    title: str = ""
    num: int | None = None
    shipping_type: str = ""
    refund_version: int | None = None
    timeout: PlatformTimeout | None = None
    #: What the buyer asked for (REFUND, REFUND_AND_RETURN...), when the record says.
    dispute_type: str | None = None
    #: Fields the record lacked and the import filled in, with what it used.
    defaults: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class TradeLine:
    """A sub-order (``orders.order[]``) with its own shipping facts."""

    oid: str
    num: int
    payment: Money
    title: str = ""
    status: str | None = None
    refund_status: str | None = None
    refund_id: str | None = None
    consign_time: pendulum.DateTime | None = None
    end_time: pendulum.DateTime | None = None
    shipping_type: str = ""
    logistics_company: str = ""
    invoice_no: str = ""
    seller_type: str = ""  # B: Tmall, C: Taobao

    @property
    def shipped(self) -> bool:
        return self.consign_time is not None or self.status in SHIPPED_TRADE_STATUSES


@attrs.frozen(kw_only=True)
class TradeRecord:
    """One trade as ``taobao.trades.sold.get`` returns it: the order facts plus the
    raw shipping facts a shipping watch needs (pay and consign times, statuses,
    shipping type, the sub-orders)."""

    tid: str
    status: str
    marketplace: str  # "tmall" or "taobao"
    payment: Money
    created: pendulum.DateTime | None = None
    pay_time: pendulum.DateTime | None = None
    consign_time: pendulum.DateTime | None = None
    end_time: pendulum.DateTime | None = None
    modified: pendulum.DateTime | None = None
    shipping_type: str = ""
    type: str = ""
    buyer_nick: str = ""
    total_fee: Money | None = None
    post_fee: Money | None = None
    lines: tuple[TradeLine, ...] = ()
    #: The library's order; None until the buyer has paid.
    order: Order | None = None

    @property
    def partly_shipped(self) -> bool:
        shipped = [line.shipped for line in self.lines]
        return any(shipped) and not all(shipped)

    def line(self, oid: str) -> TradeLine | None:
        for line in self.lines:
            if line.oid == oid:
                return line
        return None


# -- refunds -------------------------------------------------------------------------------


def _timeout(record: Mapping[str, Any]) -> PlatformTimeout | None:
    remind = record.get("refund_remind_timeout")
    if remind is not None:
        if not isinstance(remind, Mapping):
            raise FieldError(
                "refund_remind_timeout",
                f"{type(remind).__name__} is not an object",
                "{timeout, remind_type, exist_timeout}",
            )
        exists = read_bool(remind, "exist_timeout", required=False)
        try:
            at = read_time(remind, "timeout", required=False)
            remind_type = read_int(remind, "remind_type")
        except FieldError as exc:
            raise FieldError(
                f"refund_remind_timeout.{exc.field}", exc.problem, exc.allowed
            ) from None
        if exists is False or at is None:
            return None
        return PlatformTimeout(at, "refund_remind_timeout.timeout", remind_type)
    at = read_time(record, "timeout", required=False)
    return None if at is None else PlatformTimeout(at, "timeout")


def read_dates(
    record: Mapping[str, Any], defaults: list[str]
) -> tuple[pendulum.DateTime, pendulum.DateTime, pendulum.DateTime | None]:
    """``created``, ``modified`` (``created`` if missing, noted in ``defaults``) and
    ``good_return_time``, in order: a refund record's and a dispute record's dates."""
    created = read_time(record, "created")
    modified = read_time(record, "modified", required=False)
    if modified is None:
        modified = created
        defaults.append("modified: created (the record has no later change)")
    if modified < created:
        raise FieldError("modified", f"{modified} is before created {created}", "created or later")
    good_return_time = read_time(record, "good_return_time", required=False)
    if good_return_time is not None and not created <= good_return_time <= modified:
        raise FieldError(
            "good_return_time",
            f"{good_return_time} is outside created..modified",
            "between created and modified",
        )
    return created, modified, good_return_time


_NO_WORKFLOW = {
    "REPAIR": "a repair",
    "RESHIPPING": "a reshipment of missing goods",
    "OTHERS": "an after-sale request of another kind",
}


def _has_good_return(
    record: Mapping[str, Any], dispute_type: str | None, defaults: list[str]
) -> bool:
    """``has_good_return``, or what ``dispute_type`` says when the record leaves it out."""
    said = read_bool(record, "has_good_return", required=dispute_type is None)
    implied = None if dispute_type is None else dispute_type != "REFUND"
    if said is None:
        assert implied is not None
        defaults.append(f"has_good_return: {str(implied).lower()} (dispute_type {dispute_type})")
        return implied
    if dispute_type in ("REFUND", "REFUND_AND_RETURN") and said != implied:
        raise FieldError(
            "has_good_return",
            f"{str(said).lower()} contradicts dispute_type {dispute_type}",
            "true for REFUND_AND_RETURN, false for REFUND",
        )
    return said


def _good_status(record: Mapping[str, Any], has_good_return: bool, defaults: list[str]) -> str:
    """``good_status``; the platform leaves it out of some records: then what the other
    fields imply, noted."""
    found = read_choice(record, "good_status", GOOD_STATUSES, required=False)
    if found is not None:
        return found
    status = record.get("status")
    if has_good_return and (
        record.get("sid") or record.get("good_return_time") or status == "WAIT_SELLER_CONFIRM_GOODS"
    ):
        found = "BUYER_RETURNED_GOODS"
    elif (
        has_good_return
        or record.get("refund_phase") == "aftersale"
        or record.get("order_status") in ("TRADE_FINISHED", "TRADE_BUYER_SIGNED")
    ):
        found = "BUYER_RECEIVED"
    else:
        found = "BUYER_NOT_RECEIVED"
    defaults.append(f"good_status: {found} (not in the record; implied by its other fields)")
    return found


def refund_status(record: Mapping[str, Any]) -> tuple[str, str | None]:
    """The record's ``status`` (one of the nine the refund list documents) and
    ``dispute_type`` (None when absent); :class:`FieldError` for an unknown value."""
    status = read_choice(record, "status", REFUND_STATUSES + EXCHANGE_REFUND_STATUSES)
    dispute_type = read_choice(record, "dispute_type", DISPUTE_TYPES, required=False)
    return status, dispute_type


def is_exchange_refund(record: Mapping[str, Any]) -> bool:
    """An exchange listed by the refund APIs: by ``dispute_type``, or by a status only an
    exchange has."""
    return (
        record.get("dispute_type") in EXCHANGE_DISPUTE_TYPES
        or record.get("status") in EXCHANGE_REFUND_STATUSES
    )


def parse_refund(record: object) -> RefundRecord:
    """Read one refund record; :class:`FieldError` names the first bad field.

    An exchange (``dispute_type`` TMALL_EXCHANGE or TAOBAO_EXCHANGE, or an exchange's
    own status) is not a refund record: ``taobao.parse_refund_record`` reads it as
    the exchange it is. Repairs, reshipments and others are reported: the library has
    no workflow for them.
    """
    if not isinstance(record, Mapping):
        raise FieldError("(record)", f"{type(record).__name__} is not an object", "a JSON object")
    refund_id = read_id(record, "refund_id")
    tid = read_id(record, "tid")
    defaults: list[str] = []
    oid = read_id(record, "oid", required=False)
    if oid is None:
        oid = tid  # a single-item trade's sub-order is the trade
        defaults.append("oid: the trade's tid (a single-item trade)")
    status, dispute_type = refund_status(record)
    if dispute_type in _NO_WORKFLOW:
        raise FieldError(
            "dispute_type",
            f"{dispute_type}: {_NO_WORKFLOW[dispute_type]}; the library has no workflow for it",
            "REFUND, REFUND_AND_RETURN, TMALL_EXCHANGE or TAOBAO_EXCHANGE",
        )
    if status in EXCHANGE_REFUND_STATUSES or dispute_type in EXCHANGE_DISPUTE_TYPES:
        raise FieldError(
            "status",
            f"{status} (dispute_type {dispute_type}) is an exchange's, not a refund's",
            "read exchanges with aftersales.adapters.taobao.parse_refund_record",
        )
    has_good_return = _has_good_return(record, dispute_type, defaults)
    good_status = _good_status(record, has_good_return, defaults)
    refund_fee = read_money(record, "refund_fee")
    created, modified, good_return_time = read_dates(record, defaults)
    cs_status = read_int(record, "cs_status")
    if cs_status is not None and cs_status not in CS_STATUS:
        raise FieldError("cs_status", f"unknown value {cs_status}", "1-11")
    return RefundRecord(
        refund_id=refund_id,
        tid=tid,
        oid=oid,
        status=Status(status),
        good_status=good_status,
        has_good_return=has_good_return,
        refund_fee=refund_fee,
        created=created,
        modified=modified,
        refund_phase=read_choice(record, "refund_phase", PHASES, required=False),
        cs_status=cs_status,
        advance_status=read_int(record, "advance_status"),
        total_fee=read_money(record, "total_fee", required=False),
        payment=read_money(record, "payment", required=False),
        order_status=read_choice(record, "order_status", TRADE_STATUSES, required=False),
        good_return_time=good_return_time,
        company_name=read_text(record, "company_name"),
        sid=read_text(record, "sid"),
        reason=read_text(record, "reason"),
        desc=read_text(record, "desc"),
        title=read_text(record, "title"),
        num=read_int(record, "num"),
        shipping_type=read_text(record, "shipping_type"),
        refund_version=read_int(record, "refund_version"),
        timeout=_timeout(record),
        dispute_type=dispute_type,
        defaults=tuple(defaults),
    )


# -- trades --------------------------------------------------------------------------------


def _lines(record: Mapping[str, Any]) -> list[object]:
    orders = record.get("orders")
    if orders is None:
        return []
    if isinstance(orders, Mapping):
        orders = orders.get("order", [])
    if not isinstance(orders, Sequence) or isinstance(orders, str):
        raise FieldError("orders", "not a list of sub-orders", '{"order": [...]} or a list')
    return list(orders)


def _line(value: object, index: int) -> TradeLine:
    where = f"orders.order[{index}]"
    if not isinstance(value, Mapping):
        raise FieldError(where, f"{type(value).__name__} is not an object", "a JSON object")
    try:
        oid = read_id(value, "oid")
        num = read_int(value, "num", required=True)
        if num is None:
            raise FieldError("num", "missing", "a whole number of items")
        payment = read_money(value, "payment")
        return TradeLine(
            oid=oid,
            num=num,
            payment=payment,
            title=read_text(value, "title"),
            status=read_choice(value, "status", TRADE_STATUSES, required=False),
            refund_status=read_choice(value, "refund_status", LINE_REFUND_STATUSES, required=False),
            refund_id=read_id(value, "refund_id", required=False),
            consign_time=read_time(value, "consign_time", required=False),
            end_time=read_time(value, "end_time", required=False),
            shipping_type=read_text(value, "shipping_type"),
            logistics_company=read_text(value, "logistics_company"),
            invoice_no=read_text(value, "invoice_no"),
            seller_type=read_text(value, "seller_type"),
        )
    except FieldError as exc:
        raise FieldError(f"{where}.{exc.field}", exc.problem, exc.allowed) from None


def _marketplace(record: Mapping[str, Any], lines: Sequence[TradeLine]) -> str:
    """Tmall sellers are type B (商城商家) on the sub-orders; some trades say so too."""
    seller_type = record.get("seller_type")
    kind = record.get("type")
    if seller_type == "B" or any(line.seller_type == "B" for line in lines):
        return "tmall"
    if isinstance(kind, str) and kind.startswith("tmall"):
        return "tmall"
    return "taobao"


def parse_trade(record: object) -> TradeRecord:
    """Read one trade with its sub-orders; :class:`FieldError` names the first bad field."""
    if not isinstance(record, Mapping):
        raise FieldError("(record)", f"{type(record).__name__} is not an object", "a JSON object")
    tid = read_id(record, "tid")
    status = read_choice(record, "status", TRADE_STATUSES)
    payment = read_money(record, "payment")
    lines = tuple(_line(value, i) for i, value in enumerate(_lines(record)))
    pay_time = read_time(record, "pay_time", required=False)
    consign_time = read_time(record, "consign_time", required=False)
    end_time = read_time(record, "end_time", required=False)
    trade = TradeRecord(
        tid=tid,
        status=status,
        marketplace=_marketplace(record, lines),
        payment=payment,
        created=read_time(record, "created", required=False),
        pay_time=pay_time,
        consign_time=consign_time,
        end_time=end_time,
        modified=read_time(record, "modified", required=False),
        shipping_type=read_text(record, "shipping_type"),
        type=read_text(record, "type"),
        buyer_nick=read_text(record, "buyer_nick"),
        total_fee=read_money(record, "total_fee", required=False),
        post_fee=read_money(record, "post_fee", required=False),
        lines=lines,
    )
    return attrs.evolve(trade, order=_order(trade))


def _order(trade: TradeRecord) -> Order | None:
    if trade.pay_time is None:
        if trade.status in ("WAIT_BUYER_PAY", "TRADE_NO_CREATE_PAY", "TRADE_CLOSED_BY_TAOBAO"):
            return None  # nothing paid: no order the after-sales rules apply to
        raise FieldError("pay_time", f"missing on a {trade.status} trade", "the payment time")
    finished = trade.end_time if trade.status == "TRADE_FINISHED" else None
    try:
        return Order(
            id=trade.tid,
            paid=trade.payment,
            paid_at=trade.pay_time,
            shipped_at=trade.consign_time,
            finished_at=finished,
            items=tuple(
                OrderItem(oid=line.oid, paid=line.payment, title=line.title) for line in trade.lines
            ),
        )
    except InvalidInput as exc:
        raise FieldError("orders", str(exc), "sub-orders that fit the trade's payment") from None


# -- envelopes -----------------------------------------------------------------------------

#: API response key -> (record kind, path to the records inside it).
ENVELOPES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "refunds_receive_get_response": ("refund", ("refunds", "refund")),
    "refund_get_response": ("refund", ("refund",)),
    "trades_sold_get_response": ("trade", ("trades", "trade")),
    "trade_fullinfo_get_response": ("trade", ("trade",)),
    "trade_get_response": ("trade", ("trade",)),
    "traderates_get_response": ("rate", ("trade_rates", "trade_rate")),
}


#: What an answer carries beside its records (an empty page has only these).
_PAGE_KEYS = frozenset({"total_results", "has_next", "request_id"})


def classify(record: object) -> str | None:
    """Which kind a bare record is, from the fields only that kind has."""
    if not isinstance(record, Mapping):
        return None
    if "orders" in record or "pay_time" in record or "consign_time" in record:
        return "trade"
    if "refund_id" in record or "refund_fee" in record:
        return "refund"
    if "result" in record and ("rated_nick" in record or "role" in record or "nick" in record):
        return "rate"
    return None


def unwrap(payload: object) -> list[tuple[str | None, object]]:
    """The records of an API response (the envelope), a bare list or a bare record,
    each with its kind (``refund``, ``trade``, ``rate``; None when unrecognised)."""
    if isinstance(payload, Mapping):
        if "error_response" in payload:
            error = payload["error_response"]
            raise PayloadError(f"the platform returned an error: {error}")
        for key, (kind, path) in ENVELOPES.items():
            if key in payload:
                found: object = payload[key]
                for step in path:
                    if not isinstance(found, Mapping):
                        raise PayloadError(f"{key}: expected an object at {step!r}")
                    if step not in found:
                        unknown = sorted(str(k) for k in found if k not in _PAGE_KEYS)
                        if unknown:  # a list under a name this adapter does not know
                            raise PayloadError(
                                f"{key}: no {step!r}, but {', '.join(unknown)}; the records "
                                f"are read at {'.'.join(path)}"
                            )
                        return []  # an empty result omits the list
                    found = found[step]
                items = found if isinstance(found, list) else [found]
                return [(kind, item) for item in items]
        return [(classify(payload), payload)]
    if isinstance(payload, list):
        return [(classify(item), item) for item in payload]
    raise PayloadError(f"an export is a JSON object or list, got {type(payload).__name__}")
