"""The engine in a few calls: open a case, step it with an event, advance the clock.

.venv/bin/python examples/use_engine.py
"""

from __future__ import annotations

import pendulum

from aftersales import (
    BuyerShippedReturn,
    Case,
    Kind,
    Order,
    RefundRequested,
    advance,
    open_case,
    preset,
    step,
)


def deadline(case: Case) -> str:
    d = case.deadline
    return (
        "none"
        if d is None
        else f"{d.name} {d.due:%m-%d %H:%M} waits for {d.waits_for.value} [{d.rule}]"
    )


policy = preset("taobao")
sh = pendulum.timezone("Asia/Shanghai")

order = Order(
    id="4012345678901234568",
    paid="129.00",
    paid_at=pendulum.datetime(2026, 3, 16, 13, 44, tz=sh),
    shipped_at=pendulum.datetime(2026, 3, 17, 11, 5, tz=sh),
    signed_at=pendulum.datetime(2026, 3, 19, 10, tz=sh),
)
case, effects = open_case(
    RefundRequested(
        id="req-1",
        at=pendulum.datetime(2026, 3, 19, 13, 2, tz=sh),
        case_id="R-1",
        kind=Kind.RETURN_AND_REFUND,
        order=order,
        amount="129.00",
        reason="收到商品破损",
    ),
    policy,
)
print(f"opened   {case.state.value:<28} {deadline(case)}")

# The seller never answers; the buyer ships the plates back on the 25th. The 5-day
# response timer fires first (RET-AUTO-AGREE), then the shipment is accepted.
case, effects = step(
    case,
    BuyerShippedReturn(
        id="e-1",
        at=pendulum.datetime(2026, 3, 25, 9, 10, tz=sh),
        carrier="中通快递",
        tracking="78170661316246",
    ),
    policy,
)
print(f"returned {case.state.value:<28} {deadline(case)}")

# Nobody confirms receipt: ten days later the platform refunds (RET-CONFIRM-10D).
case, effects = advance(case, pendulum.datetime(2026, 4, 5, 12, tz=sh), policy)
print(f"advanced {case.state.value:<28} refunded {case.refunded} yuan")
for transition in case.history:
    t = transition
    print(f"  {t.at:%m-%d %H:%M} {t.source.value} -> {t.target.value} ({t.trigger}, {t.rule})")
