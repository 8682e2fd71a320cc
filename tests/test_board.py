"""The action board: which actions, in which order, with what at stake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales import (
    AfterSalesError,
    BuyerShippedReturn,
    Case,
    EvidenceSubmitted,
    InterventionRequested,
    InvalidInput,
    Kind,
    Money,
    Policy,
    RefundRequested,
    SellerAgreed,
    SellerRefused,
    advance,
    open_case,
    preset,
    step,
)
from aftersales.board import ADVICE, Band, board
from aftersales.reviews import open_follow_up, review_from_dict
from aftersales.testing import case_histories

from .helpers import request, sh

TAOBAO = preset("taobao")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _shop() -> list[Case]:
    """Four refunds opened on 2026-03-02, each in a different state by 03-03 12:00."""
    waiting, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), TAOBAO)
    ret = request(
        Kind.RETURN_AND_REFUND,
        "2026-03-02 09:00",
        amount="59.90",
        paid="59.90",
        shipped="2026-02-25 10:00",
        signed="2026-02-27 10:00",
        case_id="R2",
    )
    returning, _ = open_case(ret, TAOBAO)
    returning, _ = step(returning, SellerAgreed(id="ok", at=sh("2026-03-02 11:00")), TAOBAO)
    confirm = request(
        Kind.RETURN_AND_REFUND,
        "2026-02-20 09:00",
        amount="30.00",
        shipped="2026-02-16 10:00",
        signed="2026-02-18 10:00",
        case_id="R3",
    )
    confirming, _ = open_case(confirm, TAOBAO)
    confirming, _ = step(confirming, SellerAgreed(id="ok", at=sh("2026-02-20 10:00")), TAOBAO)
    shipped = BuyerShippedReturn(
        id="back", at=sh("2026-02-21 10:00"), carrier="SF", tracking="SF123"
    )
    confirming, _ = step(confirming, shipped, TAOBAO)
    done, _ = open_case(
        request(Kind.REFUND_BEFORE_SHIPMENT, "2026-02-01 10:00", case_id="R4"), TAOBAO
    )
    done, _ = advance(done, sh("2026-02-10 10:00"), TAOBAO)
    return [waiting, returning, confirming, done]


def test_board_orders_by_urgency_and_says_what_a_miss_costs() -> None:
    result = board(_shop(), sh("2026-03-03 12:00"))
    ids = [a.case_id for a in result.actions]
    assert ids == ["R3", "R1", "R2"]  # R4 is finished and gives no row
    confirm, respond, ship = result.actions
    # R3: the seller's 10 days to confirm the return ran out 03-03 10:00 (RET-CONFIRM-10D)
    assert confirm.band is Band.OVERDUE
    assert confirm.left is not None
    assert confirm.left < 0
    assert confirm.rule == "RET-CONFIRM-10D"
    assert confirm.at_stake == Money("30.00")
    # R1: 2 days to answer a refund before shipment, due 03-04 10:00 (PRE-AUTO-2D)
    assert respond.due == sh("2026-03-04 10:00")
    assert respond.band is Band.TODAY
    assert respond.who == "seller"
    assert respond.at_stake == Money("100.00")
    assert respond.template == "refund/agreed.txt"
    # R2: the buyer must ship the return; nothing of the shop's money rides on it
    assert ship.who == "buyer"
    assert ship.at_stake == Money.ZERO
    assert ship.band is Band.LATER
    assert "30.00 yuan" in confirm.cost


def test_shop_view_keeps_only_the_shops_own_actions() -> None:
    result = board(_shop(), sh("2026-03-03 12:00"))
    assert [a.case_id for a in result.for_shop()] == ["R3", "R1"]


def test_groups_by_band_workflow_and_assignee() -> None:
    result = board(_shop(), sh("2026-03-03 12:00"), assignees={"R1": "小王", "R3": "小王"})
    assert {k: len(v) for k, v in result.by_band().items()} == {
        Band.OVERDUE: 1,
        Band.TODAY: 1,
        Band.LATER: 1,
    }
    assert set(result.by_workflow()) == {"return_and_refund", "refund_before_shipment"}
    mine = result.by_assignee()
    assert [a.case_id for a in mine["小王"]] == ["R3", "R1"]
    assert [a.case_id for a in mine[None]] == ["R2"]


def test_an_overdue_ruling_is_listed_for_the_platform() -> None:
    req = request(
        Kind.RETURN_AND_REFUND,
        "2026-09-24 10:00",
        shipped="2026-09-20 10:00",
        signed="2026-09-22 10:00",
    )
    case, _ = open_case(req, TAOBAO)
    case, _ = step(
        case, SellerRefused(id="no", at=sh("2026-09-26 10:00"), reason="已影响二次销售"), TAOBAO
    )
    case, _ = step(case, InterventionRequested(id="int", at=sh("2026-09-28 10:00")), TAOBAO)
    case, _ = step(
        case,
        EvidenceSubmitted(id="ev", at=sh("2026-09-28 11:00"), party="buyer", note="照片"),
        TAOBAO,
    )
    case, _ = advance(case, sh("2026-10-30 10:00"), TAOBAO)
    (action,) = board([case], sh("2026-10-30 10:00")).actions
    assert action.state == "INTERVENTION_OVERDUE"
    assert action.who == "platform"
    assert action.band is Band.OVERDUE
    assert action.rule == "INT-REVIEW-4WD"


def test_a_new_negative_review_must_be_contacted_fast() -> None:
    doc = json.loads((EXAMPLES / "reviews" / "bad-cracked-mug.json").read_text(encoding="utf-8"))
    doc.pop("events")
    follow = open_follow_up(review_from_dict(doc), TAOBAO)
    (action,) = board([follow], sh("2026-03-03 09:00")).actions
    assert action.workflow == "review"
    assert action.rule == "REV-FAST"
    assert action.template == "review/contact.txt"
    assert action.due == follow.contact_by
    assert action.band is Band.TODAY
    # the cause and the words that decided it (REV-TYPES), to open with the right apology
    assert "cause product: 裂缝, 渗出, 质量太差" in action.suggested


def test_other_things_are_refused_with_what_is_allowed() -> None:
    with pytest.raises(InvalidInput, match="cases, review follow-ups"):
        board(["R1"], sh("2026-03-03 12:00"))  # type: ignore[list-item]


def test_every_timer_of_every_workflow_has_advice() -> None:
    from aftersales.core import WORKFLOWS

    names = {t.name for wf in WORKFLOWS.values() for t in wf.timers.values()}
    assert names <= set(ADVICE), names - set(ADVICE)


@given(st.lists(case_histories(max_events=8), min_size=1, max_size=6), st.integers(0, 40 * 24))
def test_one_row_per_open_case_in_urgency_order(
    histories: list[tuple[Policy, RefundRequested, list[object]]], hours: int
) -> None:
    cases = []
    for i, (policy, drawn, events) in enumerate(histories):
        req = RefundRequested(
            id=drawn.id,
            at=drawn.at,
            case_id=f"C{i}",
            kind=drawn.kind,
            order=drawn.order,
            amount=drawn.amount,
            oid=drawn.oid,
        )
        case, _ = open_case(req, policy)
        for event in events:
            try:
                case, _ = step(case, event, policy)  # type: ignore[arg-type]
            except AfterSalesError:
                continue
        cases.append(case)
    at = max(c.changed_at for c in cases).add(hours=hours)
    result = board(cases, at)
    assert sorted(a.case_id for a in result.actions) == sorted(
        c.id for c in cases if not c.is_final
    )
    timed = [a for a in result.actions if a.due is not None and a.band is not Band.WATCH]
    assert [a.due for a in timed] == sorted(a.due for a in timed)  # type: ignore[type-var]
    for action in result.actions:
        if action.left is not None:
            assert (action.band is Band.OVERDUE) == (action.left <= 0)
        assert action.at_stake >= Money.ZERO


def test_orders_to_ship_are_on_the_board_with_what_lateness_would_cost() -> None:
    from aftersales import Order
    from aftersales.orders import ParcelShipped, ScanStatus, TrackingScan, watch_order

    tmall = preset("tmall")
    paid = sh("2026-03-02 10:00")
    waiting = watch_order(
        Order(id="4100000000000000001", paid="259.00", paid_at=paid),
        [],
        tmall,
        at=sh("2026-03-04 12:00"),
    )
    late = watch_order(
        Order(id="4100000000000000002", paid="100.00", paid_at=paid.subtract(days=4)),
        [],
        tmall,
        at=sh("2026-03-04 12:00"),
    )
    stuck = watch_order(
        Order(id="4100000000000000003", paid="50.00", paid_at=paid),
        [
            ParcelShipped(at=sh("2026-03-02 12:00"), carrier="中通快递", tracking="7531"),
            TrackingScan(at=sh("2026-03-02 13:00"), status=ScanStatus.COLLECTED, place="杭州"),
        ],
        tmall,
        at=sh("2026-03-06 12:00"),
    )
    result = board([waiting, late, stuck], sh("2026-03-04 12:00"), policy=tmall)
    by_id = {a.case_id: a for a in result.actions}
    assert result.actions[0].case_id == "4100000000000000002"
    overdue = by_id["4100000000000000002"]
    assert overdue.band is Band.OVERDUE
    assert overdue.at_stake == Money("30.00")  # LATE-COMP-TMALL: 30% of 100.00
    assert overdue.template == "shipping/late_apology.txt"
    coming = by_id["4100000000000000001"]
    assert coming.due == sh("2026-03-05 10:00")  # SHIP-72H
    assert coming.rule == "SHIP-72H"
    assert coming.at_stake == Money("77.70")  # what missing it would cost
    assert by_id["4100000000000000003"].rule == "SHIP-FAKE"


def test_the_board_command_renders_the_message_of_the_rows_it_shows() -> None:
    from click.testing import CliRunner

    from aftersales.cli import main

    shop = str(EXAMPLES / "shop")
    args = ["board", shop, "--at", "2026-03-31T18:00:00+08:00", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    refund = next(a for a in doc["actions"] if a["rule"] == "PRE-AUTO-2D")
    assert refund["template"] == "refund/agreed.txt"
    assert "¥99.00" in refund["message"]  # the shop's own words, from examples/shop/shop.toml
    assert "小林家居" in refund["message"] or "9:00" in refund["message"]
    limited = CliRunner().invoke(main, [*args, "--limit", "1"])
    assert all("message" not in a for a in json.loads(limited.output)["actions"][1:])


def test_a_return_request_is_answered_with_the_return_address_not_a_refund() -> None:
    req = request(
        Kind.RETURN_AND_REFUND,
        "2026-03-02 09:00",
        amount="59.90",
        paid="59.90",
        shipped="2026-02-25 10:00",
        signed="2026-02-27 10:00",
    )
    case, _ = open_case(req, TAOBAO)
    (action,) = board([case], sh("2026-03-03 12:00")).actions
    assert action.rule == "RET-RESPOND-5D"
    assert action.template == "return/agreed.txt"
    assert action.at_stake == Money.ZERO  # agreeing a return moves no money yet
    assert "return address" in action.on_expiry


def test_the_board_command_groups_by_assignee(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aftersales.cli import main

    owners = tmp_path / "owners.json"
    owners.write_text(
        json.dumps({"2164343337807941939": "小王", "2109142685448117066": "小王"}),
        encoding="utf-8",
    )
    args = ["board", str(EXAMPLES / "shop"), "--at", "2026-03-31T18:00:00+08:00"]
    grouped = CliRunner().invoke(
        main, [*args, "--assignees", str(owners), "--group-by", "assignee"]
    )
    assert grouped.exit_code == 0, grouped.output
    assert "== assignee 小王: 2" in grouped.output
    as_json = json.loads(
        CliRunner().invoke(main, [*args, "--assignees", str(owners), "--format", "json"]).output
    )
    mine = [a["case_id"] for a in as_json["actions"] if a["assignee"] == "小王"]
    assert mine == ["2164343337807941939", "2109142685448117066"]  # in urgency order
    owners.write_text('["小王"]', encoding="utf-8")
    refused = CliRunner().invoke(main, [*args, "--assignees", str(owners)])
    assert refused.exit_code == 2
    assert "ID -> staff name" in refused.output
