"""Tmall's dispute list (``tmall.dispute.receive.get``) as frozen values.

Tmall lists refunds, returns and exchanges together, as 纠纷单 (dispute records),
with numeric statuses whose meaning depends on ``dispute_request``. A record is
read here, strictly, with the same field readers as a Taobao refund; what it means
for a case is decided in ``_tmall_cases``. Field names and status texts are TOP's
own (``model/tbrefund/Dispute.go`` in the Go SDK bububa/opentaobao).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pendulum

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
from ._taobao_records import (
    GOOD_STATUSES,
    PHASES,
    TRADE_STATUSES,
    PayloadError,
    PlatformTimeout,
    read_dates,
)

__all__ = [
    "DISPUTE_REQUESTS",
    "DISPUTE_STATUS",
    "ENVELOPE",
    "EXCHANGE",
    "REFUND_ONLY",
    "RETURN_AND_REFUND",
    "DisputeRecord",
    "is_dispute",
    "parse_dispute",
    "unwrap_disputes",
]

#: The API's response key; the records are at ``result.results``.
ENVELOPE = "tmall_dispute_receive_get_response"

#: ``dispute_request``: what the buyer asked for.
REFUND_ONLY = "仅退款"
RETURN_AND_REFUND = "退货退款"
EXCHANGE = "换货"
DISPUTE_REQUESTS = (REFUND_ONLY, RETURN_AND_REFUND, EXCHANGE)

_REFUND_STATUS: Mapping[int, str] = {
    1: "买家已经申请退款，等待卖家同意",
    2: "卖家已经同意退款，等待买家退货",
    3: "买家已经退货，等待卖家确认收货",
    4: "退款关闭",
    5: "退款成功",
    6: "卖家拒绝退款",
    7: "等待买家确认重新邮寄的货物",
    8: "等待卖家确认退货地址",
}
_EXCHANGE_STATUS: Mapping[int, str] = {
    1: "换货待处理",
    2: "待买家退货",
    3: "买家已退货，待收货",
    4: "换货关闭",
    5: "换货成功",
    6: "待买家修改",
    12: "待发出换货商品",
    13: "待买家收货",
    14: "请退款",
}
#: ``dispute_request`` -> the numeric statuses TOP documents for it, with TOP's text.
DISPUTE_STATUS: Mapping[str, Mapping[int, str]] = {
    REFUND_ONLY: _REFUND_STATUS,
    RETURN_AND_REFUND: _REFUND_STATUS,
    EXCHANGE: _EXCHANGE_STATUS,
}


@attrs.frozen(kw_only=True)
class DisputeRecord:
    """One record of ``tmall.dispute.receive.get``: a refund, a return or an exchange."""

    refund_id: str
    tid: str  # biz_order_id (正向交易单号)
    oid: str
    dispute_request: str  # 仅退款, 退货退款 or 换货
    status: int  # numeric; its meaning depends on dispute_request (DISPUTE_STATUS)
    refund_fee: Money
    created: pendulum.DateTime
    modified: pendulum.DateTime
    good_status: str | None = None
    #: As received; TOP omits it when false, so dispute_request is what decides.
    has_good_return: bool | None = None
    refund_phase: str | None = None
    order_status: str | None = None
    good_return_time: pendulum.DateTime | None = None
    company_name: str = ""
    #: The buyer's shipment back (the return, or the goods to exchange).
    buyer_logistic_name: str = ""
    buyer_logistic_no: str = ""
    #: The seller's shipment of the replacement (exchanges).
    seller_logistic_name: str = ""
    seller_logistic_no: str = ""
    reason: str = ""
    desc: str = ""
    title: str = ""
    num: int | None = None
    refund_version: int | None = None
    buyer_nick: str = ""
    alipay_no: str = ""
    address: str = ""
    timeout: PlatformTimeout | None = None  # from time_out (超时时间)
    #: Fields the record lacked and the import filled in, with what it used.
    defaults: tuple[str, ...] = ()

    @property
    def status_text(self) -> str:
        """TOP's words for the status, in this record's family."""
        return DISPUTE_STATUS[self.dispute_request][self.status]

    @property
    def is_exchange(self) -> bool:
        return self.dispute_request == EXCHANGE


def _allowed_statuses(request: str) -> str:
    return ", ".join(f"{n} {text}" for n, text in DISPUTE_STATUS[request].items())


def _status(record: Mapping[str, Any], request: str) -> int:
    """Numeric, as a JSON integer or as text ("3", as the SDK types it)."""
    value = record.get("status")
    allowed = f"for {request}: {_allowed_statuses(request)}"
    if value is None:
        raise FieldError("status", "missing", allowed)
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None:
        shown = value if isinstance(value, str) else f"{type(value).__name__} {value!r}"
        raise FieldError("status", f"{shown!r} is not a numeric dispute status", allowed)
    if number not in DISPUTE_STATUS[request]:
        raise FieldError("status", f"unknown value {number} for {request}", allowed)
    return number


def _trade_id(record: Mapping[str, Any]) -> str:
    """``biz_order_id`` in the SDK's record; ``tid`` is the name the request's fields use."""
    biz = read_id(record, "biz_order_id", required=False)
    tid = read_id(record, "tid", required=False)
    if biz is not None and tid is not None and biz != tid:
        raise FieldError("biz_order_id", f"{biz} differs from tid {tid}", "one trade ID")
    found = biz or tid
    if found is None:
        raise FieldError("biz_order_id", "missing", "the trade's ID (biz_order_id, or tid)")
    return found


def _timeout(record: Mapping[str, Any]) -> PlatformTimeout | None:
    at = read_time(record, "time_out", required=False)
    return None if at is None else PlatformTimeout(at, "time_out")


def parse_dispute(record: object) -> DisputeRecord:
    """Read one dispute record; :class:`FieldError` names the first bad field."""
    if not isinstance(record, Mapping):
        raise FieldError("(record)", f"{type(record).__name__} is not an object", "a JSON object")
    refund_id = read_id(record, "refund_id")
    tid = _trade_id(record)
    defaults: list[str] = []
    oid = read_id(record, "oid", required=False)
    if oid is None:
        oid = tid  # TOP: a single-item trade's oid equals its tid
        defaults.append("oid: the trade's biz_order_id (a single-item trade)")
    request = read_choice(record, "dispute_request", DISPUTE_REQUESTS)
    status = _status(record, request)
    refund_fee = read_money(record, "refund_fee")
    created, modified, good_return_time = read_dates(record, defaults)
    refund = request != EXCHANGE
    good_status = read_choice(record, "good_status", GOOD_STATUSES, required=refund)
    has_good_return = read_bool(record, "has_good_return", required=False)
    if refund and has_good_return is not None and has_good_return != (request == RETURN_AND_REFUND):
        raise FieldError(
            "has_good_return",
            f"{str(has_good_return).lower()} contradicts dispute_request {request}",
            f"true for {RETURN_AND_REFUND}, false for {REFUND_ONLY}, or absent",
        )
    return DisputeRecord(
        refund_id=refund_id,
        tid=tid,
        oid=oid,
        dispute_request=request,
        status=status,
        refund_fee=refund_fee,
        created=created,
        modified=modified,
        good_status=good_status,
        has_good_return=has_good_return,
        refund_phase=read_choice(record, "refund_phase", PHASES, required=False),
        order_status=read_choice(record, "order_status", TRADE_STATUSES, required=False),
        good_return_time=good_return_time,
        company_name=read_text(record, "company_name"),
        buyer_logistic_name=read_text(record, "buyer_logistic_name"),
        buyer_logistic_no=read_text(record, "buyer_logistic_no"),
        seller_logistic_name=read_text(record, "seller_logistic_name"),
        seller_logistic_no=read_text(record, "seller_logistic_no"),
        reason=read_text(record, "reason"),
        desc=read_text(record, "desc"),
        title=read_text(record, "title"),
        num=read_int(record, "num"),
        refund_version=read_int(record, "refund_version"),
        buyer_nick=read_text(record, "buyer_nick"),
        alipay_no=read_text(record, "alipay_no"),
        address=read_text(record, "address"),
        timeout=_timeout(record),
        defaults=tuple(defaults),
    )


# -- the envelope ---------------------------------------------------------------------------


def is_dispute(record: object) -> bool:
    """A bare record is a dispute by the fields only Tmall's dispute record has."""
    return isinstance(record, Mapping) and ("dispute_request" in record or "biz_order_id" in record)


def unwrap_disputes(payload: object) -> list[object] | None:
    """The records of a ``tmall.dispute.receive.get`` response, or None when ``payload``
    is not one. The SDK gives ``result.results`` as a list; an XML-shaped
    ``{"dispute": [...]}`` there is read too."""
    if not isinstance(payload, Mapping) or ENVELOPE not in payload:
        return None
    response = payload[ENVELOPE]
    if not isinstance(response, Mapping):
        raise PayloadError(f"{ENVELOPE}: expected an object")
    result = response.get("result")
    if result is None:
        return []  # an empty result omits it
    if not isinstance(result, Mapping):
        raise PayloadError(f"{ENVELOPE}: expected an object at 'result'")
    code, message = result.get("error_code"), result.get("error_msg")
    if code or message:
        raise PayloadError(f"the platform returned an error: {code} {message}".strip())
    found = result.get("results")
    if isinstance(found, Mapping):
        if "dispute" not in found:
            raise PayloadError(f"{ENVELOPE}: expected a list at 'result.results'")
        found = found["dispute"]
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]
