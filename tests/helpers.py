"""Small builders for tests: Asia/Shanghai instants and ready orders."""

from __future__ import annotations

import pendulum

from aftersales import Kind, Order, RefundRequested
from aftersales.adapters import taobao

SH = pendulum.timezone("Asia/Shanghai")


def sh(text: str) -> pendulum.DateTime:
    """'2026-03-02 10:00' in Asia/Shanghai."""
    parsed = pendulum.parse(text, tz=SH)
    assert isinstance(parsed, pendulum.DateTime)
    return parsed


def imported_case(result: taobao.ImportResult, refund_id: str) -> taobao.ImportedCase:
    """The one case an adapter import made from the record ``refund_id``."""
    (found,) = [c for c in result.cases if c.case.id == refund_id]
    return found


def request(
    kind: Kind,
    opened: str,
    *,
    amount: str = "100.00",
    paid: str = "100.00",
    shipped: str | None = None,
    signed: str | None = None,
    case_id: str = "R1",
) -> RefundRequested:
    order = Order(
        id="4000000000000000001",
        paid=paid,
        paid_at=sh(opened).subtract(days=5),
        shipped_at=None if shipped is None else sh(shipped),
        signed_at=None if signed is None else sh(signed),
    )
    return RefundRequested(
        id=f"{case_id}-opened",
        at=sh(opened),
        case_id=case_id,
        kind=kind,
        order=order,
        amount=amount,
        reason="不想要了",
    )
