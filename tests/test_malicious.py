"""Malicious orders: the explained risk assessment and the handling workflow (MAL-*)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import IllegalEvent, RequestNotAllowed, preset
from aftersales.orders._malicious import (
    AppealDecided,
    AppealFiled,
    BuyerContacted,
    EvidenceAdded,
    MalState,
    OrderRecord,
    OrderShipped,
    RecordedWithPlatform,
    SellerClosedOrder,
    advance_malicious,
    assess_risk,
    evidence_csv,
    open_malicious_case,
    step_malicious,
)

from .helpers import sh

TAOBAO = preset("taobao")


def _order(
    n: int,
    *,
    buyer: str = "tb_88231",
    item: str = "promo-socks",
    price: str = "1.99",
    qty: int = 2,
    promoted: bool = True,
    address: str = "",
    phone: str = "",
    account_days: int = 400,
    claims: int = 0,
    paid: bool = True,
) -> OrderRecord:
    created = sh("2026-03-10 20:00").add(minutes=n)
    return OrderRecord(
        order_id=f"40000000000000{n:05d}",
        buyer=buyer,
        item_id=item,
        unit_price=price,
        quantity=qty,
        created_at=created,
        paid_at=created.add(minutes=1) if paid else None,
        promoted=promoted,
        address=address,
        phone=phone,
        account_created_at=created.subtract(days=account_days),
        past_claims=claims,
    )


def test_a_scalping_ring_fires_every_signal_with_its_reason() -> None:
    history = [
        _order(1, buyer="xiaohao_01", address="杭州市余杭区某路1号", account_days=3),
        _order(2, buyer="xiaohao_02", address="杭州市余杭区某路1号", account_days=2),
    ]
    target = _order(
        3, buyer="xiaohao_01", address="杭州市余杭区某路1号", qty=4, account_days=3, claims=3
    )
    history.append(_order(4, buyer="xiaohao_01", address="杭州市余杭区某路1号", account_days=3))
    risk = assess_risk(target, history, TAOBAO)
    names = {s.name: s for s in risk.signals}
    assert set(names) == {
        "over_purchase_limit",
        "repeated_promoted_item",
        "shared_contact",
        "new_account",
        "claim_history",
    }
    assert "8 units" in names["over_purchase_limit"].explanation
    assert "xiaohao_02" in names["shared_contact"].explanation
    assert names["claim_history"].rule == "MAL-RETURN-CLAIM"
    assert risk.malicious
    assert risk.score == 30 + 25 + 30 + 15 + 25


@st.composite
def _ordinary_shop(draw: st.DrawFn) -> tuple[OrderRecord, list[OrderRecord]]:
    """Repeat customers buying at normal quantities, each with their own address."""
    n_buyers = draw(st.integers(1, 8))
    history: list[OrderRecord] = []
    for b in range(n_buyers):
        history.extend(
            _order(
                b * 10 + k,
                buyer=f"buyer{b}",
                item=draw(st.sampled_from(["tea-gift-box", "wool-scarf", "promo-socks"])),
                price=draw(st.sampled_from(["68.00", "129.00", "1.99"])),
                qty=1,
                promoted=draw(st.booleans()),
                address=f"上海市徐汇区某路{b}号",
                phone=f"1380000{b:04d}",
                account_days=draw(st.integers(400, 3000)),
                claims=draw(st.integers(0, 1)),
            )
            for k in range(draw(st.integers(1, 3)))
        )
    # the order under review: a returning customer, same item as before, normal quantity
    first = history[0]
    target = _order(
        999,
        buyer=first.buyer,
        item=first.item_id,
        price=str(first.unit_price),
        qty=1,
        promoted=first.promoted,
        address=first.address,
        phone=first.phone,
        account_days=800,
    )
    same = [h for h in history if h.buyer == first.buyer and h.item_id == first.item_id]
    if first.promoted and len(same) + 1 >= TAOBAO.mal_repeat_orders:
        history = [h for h in history if h not in same[1:]]
    return target, history


@given(_ordinary_shop())
def test_no_signal_fires_on_an_ordinary_repeat_customer(
    shop: tuple[OrderRecord, list[OrderRecord]],
) -> None:
    target, history = shop
    risk = assess_risk(target, history, TAOBAO)
    assert risk.signals == ()
    assert not risk.malicious


def test_unpaid_order_is_never_closed_by_the_seller_and_the_platform_closes_it() -> None:
    order = _order(1, paid=False)
    case = open_malicious_case(order, [], TAOBAO, at=order.created_at.add(minutes=5))
    assert case.state is MalState.UNPAID_WATCH
    assert case.deadline is not None
    assert case.deadline.rule == "MAL-UNPAID"
    assert case.deadline.due == order.created_at.add(days=3)
    with pytest.raises(RequestNotAllowed) as caught:
        step_malicious(case, SellerClosedOrder(id="x", at=order.created_at.add(hours=1)), TAOBAO)
    assert caught.value.rule == "MAL-UNPAID"
    assert "costs 6 points" in str(caught.value)  # MAL-UNPAID: what closing it would cost
    closed = advance_malicious(case, order.created_at.add(days=3), TAOBAO)
    assert closed.state is MalState.CLOSED_BY_PLATFORM
    assert closed.is_final


def test_paid_malicious_order_is_recorded_contacted_shipped_in_time_and_appealed() -> None:
    order = _order(1)
    assert order.paid_at is not None
    case = open_malicious_case(order, [], TAOBAO, at=order.paid_at.add(minutes=10))
    assert case.ship_by == order.paid_at.add(hours=48)
    t = order.paid_at
    case = step_malicious(
        case,
        RecordedWithPlatform(id="r", at=t.add(minutes=20), handler="小二 丁香", reference="CS-1"),
        TAOBAO,
    )
    case = step_malicious(
        case,
        BuyerContacted(id="c", at=t.add(minutes=30), note="已告知发货与退货流程"),
        TAOBAO,
    )
    case = step_malicious(
        case, OrderShipped(id="s", at=t.add(hours=20), carrier="中通快递", tracking="75312"), TAOBAO
    )
    assert case.state is MalState.SHIPPED
    assert case.shipped_late is False
    case = step_malicious(
        case, AppealFiled(id="a", at=sh("2026-09-30 10:00"), reference="AP-9"), TAOBAO
    )
    # MAL-APPEAL: 3 working days across National Day: 10-08, 10-09, 10-10 (make-up Saturday)
    assert case.deadline is not None
    assert case.deadline.due == sh("2026-10-10 10:00")
    overdue = advance_malicious(case, sh("2026-10-12 00:00"), TAOBAO)
    assert overdue.state is MalState.APPEAL_OVERDUE
    assert overdue.overdue is not None
    done = step_malicious(
        overdue, AppealDecided(id="d", at=sh("2026-10-12 09:00"), upheld=True), TAOBAO
    )
    assert done.state is MalState.APPEAL_UPHELD
    rejected = step_malicious(
        case, AppealDecided(id="d", at=sh("2026-10-09 09:00"), upheld=False), TAOBAO
    )
    assert rejected.state is MalState.APPEAL_REJECTED
    with pytest.raises(IllegalEvent):
        step_malicious(
            done,
            OrderShipped(id="s2", at=sh("2026-10-13 09:00"), carrier="x", tracking="y"),
            TAOBAO,
        )


def test_tmall_ship_by_is_72_hours_and_a_miss_is_flagged() -> None:
    order = _order(1)
    assert order.paid_at is not None
    case = open_malicious_case(order, [], preset("tmall"), at=order.paid_at)
    assert case.ship_by == order.paid_at.add(hours=72)
    missed = advance_malicious(case, order.paid_at.add(hours=73), preset("tmall"))
    assert missed.shipped_late is True
    assert missed.overdue is not None
    assert missed.overdue.rule == "MAL-SHIP-IN-TIME"


def test_evidence_log_exports_as_csv() -> None:
    order = _order(1)
    assert order.paid_at is not None
    case = open_malicious_case(order, [], TAOBAO, at=order.paid_at)
    case = step_malicious(
        case,
        EvidenceAdded(
            id="e", at=order.paid_at.add(hours=1), kind="chat_log", note="买家称“不发货就投诉”"
        ),
        TAOBAO,
    )
    case = step_malicious(
        case, BuyerContacted(id="c", at=order.paid_at.add(hours=2), note="电话未接"), TAOBAO
    )
    rows = list(csv.reader(io.StringIO(evidence_csv(case))))
    assert rows[0] == ["order_id", "buyer", "time", "kind", "note", "rule"]
    assert [r[3] for r in rows[1:]] == ["chat_log", "buyer_contact"]
    assert rows[1][2] == order.paid_at.add(hours=1).format("YYYY-MM-DD HH:mm:ss")
    assert rows[1][4] == "买家称“不发货就投诉”"


def _file() -> dict[str, object]:
    import json
    from pathlib import Path

    shop = Path(__file__).resolve().parent.parent / "examples" / "shop" / "malicious"
    (path,) = shop.glob("*.json")
    doc: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def test_a_malicious_order_file_reads_into_the_case_it_describes() -> None:
    from aftersales.orders import malicious_case_from_dict

    case = malicious_case_from_dict(_file(), TAOBAO, until=sh("2026-03-31 18:00"))
    assert case.state is MalState.PAID_HANDLING
    assert case.risk.malicious
    assert {s.name for s in case.risk.signals} >= {"over_purchase_limit", "shared_contact"}
    assert [e.kind for e in case.evidence] == ["platform_record", "buyer_contact"]
    assert case.ship_by == sh("2026-04-02 09:02:11")  # SHIP-48H from payment
    late = malicious_case_from_dict(_file(), TAOBAO, until=sh("2026-04-03 00:00"))
    assert late.state is MalState.PAID_HANDLING
    assert late.overdue is not None or late.deadline is not None


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"malicious_order": "4031"}, "malicious_order is an object"),
        ({"history": {"a": 1}}, "history is a list"),
        (
            {"events": [{"type": "teleported", "id": "x", "at": "2026-03-31T10:00:00+08:00"}]},
            "unknown malicious-order event type 'teleported'",
        ),
        (
            {
                "events": [
                    {
                        "type": "buyer_contacted",
                        "id": "x",
                        "at": "2026-03-31T10:00:00+08:00",
                        "mood": "angry",
                    }
                ]
            },
            "unknown field(s) mood",
        ),
    ],
)
def test_a_malformed_malicious_order_file_says_what_is_wrong(
    change: dict[str, object], says: str
) -> None:
    from aftersales import InvalidInput
    from aftersales.orders import malicious_case_from_dict

    with pytest.raises(InvalidInput, match=re.escape(says)):
        malicious_case_from_dict({**_file(), **change}, TAOBAO)


@pytest.mark.parametrize("state", list(MalState))
def test_the_timeouts_table_is_what_advancing_does(state: MalState) -> None:
    """MAL_TIMEOUTS (and the generated diagram) describe the platform's timers as they run."""
    from aftersales.orders import MAL_TIMEOUTS

    order = _order(1)
    assert order.paid_at is not None
    paid = open_malicious_case(order, [], TAOBAO, at=order.paid_at)
    unpaid = open_malicious_case(
        OrderRecord(
            order_id="9",
            buyer="b",
            item_id="i",
            unit_price="9.90",
            quantity=1,
            created_at=order.created_at,
        ),
        [],
        TAOBAO,
        at=order.created_at,
    )
    appealing = step_malicious(
        paid, AppealFiled(id="a", at=order.paid_at.add(hours=1), reference="AP"), TAOBAO
    )
    case = {
        MalState.UNPAID_WATCH: unpaid,
        MalState.PAID_HANDLING: paid,
        MalState.APPEAL_REVIEW: appealing,
    }.get(state)
    if case is None:
        assert state not in MAL_TIMEOUTS
        return
    name, rule, target = MAL_TIMEOUTS[state]
    assert case.deadline is not None
    assert (case.deadline.name, case.deadline.rule) == (name, rule)
    after = advance_malicious(case, case.deadline.due, TAOBAO)
    assert after.state is target


@pytest.mark.parametrize("policy", [TAOBAO, preset("tmall")], ids=["taobao", "tmall"])
def test_the_ship_by_instant_is_a_boundary_as_everywhere(policy: Any) -> None:
    """One rule for an act at a deadline's instant (docs/design.md, Timing semantics):
    the time has run out. The shipping watch (SHIP-48H/72H) and MAL-SHIP-IN-TIME agree."""
    order = _order(1)
    assert order.paid_at is not None
    case = open_malicious_case(order, [], policy, at=order.paid_at)
    assert case.ship_by is not None
    due = case.ship_by
    just_in_time = step_malicious(
        case,
        OrderShipped(id="s", at=due.subtract(seconds=1), carrier="中通快递", tracking="1"),
        policy,
    )
    assert just_in_time.shipped_late is False
    on_the_dot = step_malicious(
        case, OrderShipped(id="s", at=due, carrier="中通快递", tracking="1"), policy
    )
    assert on_the_dot.shipped_late is True
    assert advance_malicious(case, due.subtract(seconds=1), policy).shipped_late is not True
    assert advance_malicious(case, due, policy).shipped_late is True
