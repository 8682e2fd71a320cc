"""The runner writes one structlog record per transition, and nothing else changes."""

from __future__ import annotations

from structlog.testing import capture_logs

from aftersales import BuyerShippedReturn, Kind, SellerAgreed, open_case, preset, step
from aftersales.runner import Runner

from .helpers import request, sh

POLICY = preset("taobao")
RETURN = request(
    Kind.RETURN_AND_REFUND,
    "2026-03-02 10:00",
    shipped="2026-02-25 10:00",
    signed="2026-02-27 10:00",
)


def test_one_record_per_transition_with_rule_and_trigger() -> None:
    runner = Runner(POLICY)
    with capture_logs() as logs:
        case, _ = runner.open(RETURN)
        case, _ = runner.apply(
            case,
            BuyerShippedReturn(id="s", at=sh("2026-03-08 09:00"), carrier="中通", tracking="1"),
        )
        case, _ = runner.advance(case, sh("2026-03-20 00:00"))
    transitions = [entry for entry in logs if entry["event"] == "transition"]
    assert [(t["from"], t["to"], t["trigger"], t["rule"]) for t in transitions] == [
        ("NO_REFUND", "WAIT_SELLER_AGREE", "refund_requested", "PRE-APPLY"),
        (
            "WAIT_SELLER_AGREE",
            "WAIT_BUYER_RETURN_GOODS",
            "timeout:seller_response",
            "RET-AUTO-AGREE",
        ),
        (
            "WAIT_BUYER_RETURN_GOODS",
            "WAIT_SELLER_CONFIRM_GOODS",
            "buyer_shipped_return",
            "RET-BUYER-SHIPS",
        ),
        (
            "WAIT_SELLER_CONFIRM_GOODS",
            "SUCCESS",
            "timeout:seller_confirm_receipt",
            "RET-CONFIRM-10D",
        ),
    ]
    assert all(t["case"] == "R1" for t in transitions)
    assert transitions[1]["at"] == "2026-03-07T10:00:00+08:00"


def test_runner_gives_the_same_case_as_the_pure_engine() -> None:
    event = SellerAgreed(id="a", at=sh("2026-03-03 10:00"))
    with capture_logs():
        via_runner, effects_runner = Runner(POLICY).apply(open_case(RETURN, POLICY)[0], event)
    pure, effects_pure = step(open_case(RETURN, POLICY)[0], event, POLICY)
    assert via_runner == pure
    assert effects_runner == effects_pure


def test_duplicate_event_logs_no_transition() -> None:
    runner = Runner(POLICY)
    event = SellerAgreed(id="a", at=sh("2026-03-03 10:00"))
    with capture_logs():
        case, _ = runner.apply(runner.open(RETURN)[0], event)
    with capture_logs() as logs:
        again, _ = runner.apply(case, event)
    assert again is case
    assert [e["event"] for e in logs] == ["duplicate_event"]
