"""Pinned timelines for intervention, the after-sale window, express refunds and exchanges."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given

from aftersales import (
    AfterSalesError,
    BuyerConfirmedReceipt,
    BuyerRefunded,
    BuyerShippedReturn,
    Case,
    Event,
    EvidenceSubmitted,
    IllegalEvent,
    InterventionRequested,
    Kind,
    MessageLeft,
    Money,
    Order,
    Party,
    PlatformRuled,
    Policy,
    RefundRequested,
    RequestNotAllowed,
    SellerAcceptedEvidence,
    SellerAgreed,
    SellerCharged,
    SellerConfirmedReceipt,
    SellerRefused,
    SellerResent,
    SellerResolved,
    State,
    Status,
    advance,
    open_case,
    preset,
    step,
)
from aftersales.testing import case_histories

from .helpers import request, sh

TAOBAO = preset("taobao")


def _refused_return(opened: str, refused: str) -> Case:
    shipped = sh(opened).subtract(days=4).format("YYYY-MM-DD HH:mm")
    signed = sh(opened).subtract(days=2).format("YYYY-MM-DD HH:mm")
    req = request(Kind.RETURN_AND_REFUND, opened, shipped=shipped, signed=signed)
    case, _ = open_case(req, TAOBAO)
    case, _ = step(
        case, SellerRefused(id="refuse", at=sh(refused), reason="已影响二次销售"), TAOBAO
    )
    return case


def test_intervention_review_skips_national_day_and_counts_the_makeup_saturday() -> None:
    """INT-EVIDENCE-3D then INT-REVIEW-4WD from Monday 2026-09-28 10:00."""
    case = _refused_return("2026-09-24 10:00", "2026-09-26 10:00")
    case, _ = step(case, InterventionRequested(id="int", at=sh("2026-09-28 10:00")), TAOBAO)
    assert case.state is State.INTERVENTION_EVIDENCE
    assert case.status is Status.SELLER_REFUSE_BUYER  # the refund keeps its platform status
    assert case.deadline is not None
    assert (case.deadline.name, case.deadline.rule) == ("evidence", "INT-EVIDENCE-3D")
    assert case.deadline.due == sh("2026-10-01 10:00")
    assert case.deadline.waits_for is Party.BOTH

    review, _ = advance(case, sh("2026-10-01 10:00"), TAOBAO)
    assert review.state is State.INTERVENTION_REVIEW
    assert review.deadline is not None
    assert review.deadline.rule == "INT-REVIEW-4WD"
    assert review.deadline.waits_for is Party.PLATFORM
    # 10-01 is a holiday: roll to 10-08 00:00, then 10-09, 10-10 (make-up Saturday), 10-12, 10-13
    assert review.deadline.due == sh("2026-10-13 00:00")


def test_buyer_evidence_with_a_silent_seller_goes_to_review_after_24_hours() -> None:
    case = _refused_return("2026-03-02 10:00", "2026-03-03 10:00")
    case, _ = step(case, InterventionRequested(id="int", at=sh("2026-03-03 12:00")), TAOBAO)
    case, _ = step(
        case,
        EvidenceSubmitted(id="ev", at=sh("2026-03-04 09:30"), party="buyer", kind="photo"),
        TAOBAO,
    )
    assert case.state is State.INTERVENTION_SELLER_CONFIRM
    assert case.deadline is not None
    assert case.deadline.due == sh("2026-03-05 09:30")
    assert case.deadline.rule == "INT-CONFIRM-24H"
    assert case.evidence[-1].party is Party.BUYER

    still, _ = advance(case, sh("2026-03-05 09:29"), TAOBAO)
    assert still.state is State.INTERVENTION_SELLER_CONFIRM
    review, _ = advance(case, sh("2026-03-05 09:30"), TAOBAO)
    assert review.state is State.INTERVENTION_REVIEW
    assert review.history[-1].trigger == "timeout:seller_accept_evidence"
    # 2026-03-05 is a Thursday: 4 working days -> Wednesday 03-11 09:30
    assert review.deadline is not None
    assert review.deadline.due == sh("2026-03-11 09:30")


def test_seller_accepting_the_evidence_refunds_the_buyer() -> None:
    case = _refused_return("2026-03-02 10:00", "2026-03-03 10:00")
    case, _ = step(case, InterventionRequested(id="int", at=sh("2026-03-03 12:00")), TAOBAO)
    case, _ = step(
        case, EvidenceSubmitted(id="ev", at=sh("2026-03-04 09:30"), party="buyer"), TAOBAO
    )
    case, _ = step(case, SellerAcceptedEvidence(id="ok", at=sh("2026-03-04 20:00")), TAOBAO)
    assert case.state is State.SUCCESS
    assert case.refunded == Money("100.00")
    assert not case.is_dispute_refund  # no ruling: the seller settled


def test_a_review_with_no_ruling_is_flagged_overdue_and_a_late_ruling_still_lands() -> None:
    case = _refused_return("2026-03-02 10:00", "2026-03-03 10:00")
    case, _ = step(case, InterventionRequested(id="int", at=sh("2026-03-03 12:00")), TAOBAO)
    overdue, _ = advance(case, sh("2026-03-20 00:00"), TAOBAO)
    assert overdue.state is State.INTERVENTION_OVERDUE
    assert overdue.deadline is None
    assert overdue.overdue is not None
    assert overdue.overdue.rule == "INT-REVIEW-4WD"
    # evidence ends 03-06 12:00 (Fri); 4 working days -> Thu 03-12 12:00
    assert overdue.overdue.due == sh("2026-03-12 12:00")
    ruled, _ = step(
        overdue,
        PlatformRuled(id="rule", at=sh("2026-03-20 09:00"), favours="buyer", mode="jury"),
        TAOBAO,
    )
    assert ruled.state is State.SUCCESS
    assert ruled.overdue is None
    assert ruled.is_dispute_refund
    assert ruled.ruling is not None
    assert ruled.ruling.seller_liable
    assert ruled.refunded == ruled.charged_to_seller == Money("100.00")


def test_ruling_for_the_seller_closes_the_refund() -> None:
    case = _refused_return("2026-03-02 10:00", "2026-03-03 10:00")
    case, _ = step(case, InterventionRequested(id="int", at=sh("2026-03-03 12:00")), TAOBAO)
    case, _ = step(
        case,
        MessageLeft(id="m", at=sh("2026-03-03 13:00"), party="seller", text="已补充称重凭证"),
        TAOBAO,
    )
    assert case.deadline is not None
    assert case.deadline.due == sh("2026-03-06 12:00")  # a message does not move the deadline
    case, _ = step(
        case,
        PlatformRuled(id="rule", at=sh("2026-03-09 10:00"), favours="seller", mode="staff"),
        TAOBAO,
    )
    assert case.state is State.CLOSED
    assert case.refunded == Money.ZERO
    assert not case.is_dispute_refund
    assert case.messages[0].text == "已补充称重凭证"


def test_intervention_cannot_be_requested_before_it_opens() -> None:
    req = request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00")
    case, _ = open_case(req, TAOBAO)
    case, _ = step(case, SellerRefused(id="r", at=sh("2026-03-02 12:00")), TAOBAO)
    with pytest.raises(IllegalEvent, match="before 2026-03-05T10:00:00"):
        step(case, InterventionRequested(id="i", at=sh("2026-03-04 10:00")), TAOBAO)
    opened, _ = step(case, InterventionRequested(id="i", at=sh("2026-03-05 10:00")), TAOBAO)
    assert opened.state is State.INTERVENTION_EVIDENCE


def _finished_order(finished: str) -> Order:
    return Order(
        id="4000000000000000009",
        paid="199.00",
        paid_at=sh("2026-02-20 10:00"),
        shipped_at=sh("2026-02-21 10:00"),
        signed_at=sh("2026-02-23 10:00"),
        finished_at=sh(finished),
    )


def _after_sale(opened: str, case_id: str = "A1") -> RefundRequested:
    return RefundRequested(
        id=f"{case_id}-opened",
        at=sh(opened),
        case_id=case_id,
        kind=Kind.RETURN_AND_REFUND,
        order=_finished_order("2026-03-01 10:00"),
        amount="199.00",
        reason="质量问题",
    )


def test_after_sale_request_on_day_sixteen_is_refused() -> None:
    with pytest.raises(RequestNotAllowed) as caught:
        open_case(_after_sale("2026-03-17 10:00"), TAOBAO)
    assert caught.value.rule == "AFTER-15D"
    assert "2026-03-16T10:00:00+08:00" in str(caught.value)
    last_minute, _ = open_case(_after_sale("2026-03-16 09:59"), TAOBAO)
    assert last_minute.phase == "aftersale"


def test_after_sale_entry_can_be_used_once() -> None:
    first, _ = open_case(_after_sale("2026-03-05 10:00"), TAOBAO)
    withdrawn, _ = step(first, SellerAgreed(id="a", at=sh("2026-03-05 11:00")), TAOBAO)
    with pytest.raises(RequestNotAllowed, match="A1") as caught:
        open_case(_after_sale("2026-03-06 10:00", "A2"), TAOBAO, earlier=[withdrawn])
    assert caught.value.rule == "AFTER-ONCE"


def test_after_sale_seller_silence_is_agreement_and_intervention_waits_seven_days() -> None:
    case, _ = open_case(_after_sale("2026-03-05 10:00"), TAOBAO)
    assert case.deadline is not None
    assert case.deadline.rule == "AFTER-AUTO-AGREE"
    agreed, _ = advance(case, sh("2026-03-10 10:00"), TAOBAO)
    assert agreed.state is State.WAIT_BUYER_RETURN_GOODS
    assert agreed.history[-1].rule == "AFTER-AUTO-AGREE"
    refused, _ = step(case, SellerRefused(id="r", at=sh("2026-03-06 10:00")), TAOBAO)
    assert refused.intervention_available_from == sh("2026-03-12 10:00")  # AFTER-7D-INTERVENE


def test_complaint_window_follows_a_refund_that_closed_the_trade() -> None:
    req = request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00")
    case, _ = open_case(req, TAOBAO)
    done, _ = step(case, SellerAgreed(id="a", at=sh("2026-03-02 11:00")), TAOBAO)
    assert done.complaint_until == sh("2026-03-17 11:00")  # COMPLAINT-15D
    partial, _ = open_case(
        request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00", amount="10"), TAOBAO
    )
    partial, _ = step(partial, SellerAgreed(id="a", at=sh("2026-03-02 11:00")), TAOBAO)
    assert partial.complaint_until is None  # the trade goes on


def _express() -> Case:
    req = request(
        Kind.EXPRESS_REFUND,
        "2026-03-02 10:00",
        shipped="2026-02-26 10:00",
        signed="2026-02-28 10:00",
    )
    case, effects = open_case(req, TAOBAO)
    assert BuyerRefunded(Money("100.00"), Party.PLATFORM, "RET-EXPRESS") in effects
    assert case.refunded == Money("100.00")
    assert case.charged_to_seller == Money.ZERO
    assert case.state is State.WAIT_BUYER_RETURN_GOODS
    return case


def test_express_refund_goods_arrive_and_the_seller_repays_the_platform() -> None:
    case = _express()
    case, _ = step(
        case,
        BuyerShippedReturn(id="s", at=sh("2026-03-03 10:00"), carrier="圆通", tracking="1"),
        TAOBAO,
    )
    case, effects = step(case, SellerConfirmedReceipt(id="c", at=sh("2026-03-05 10:00")), TAOBAO)
    assert case.state is State.SUCCESS
    assert case.charged_to_seller == Money("100.00")
    assert SellerCharged(Money("100.00"), "RET-EXPRESS") in effects


def test_express_refund_goods_never_come_back_and_the_appeal_succeeds() -> None:
    case = _express()
    waiting, _ = advance(case, sh("2026-03-09 10:00"), TAOBAO)
    assert waiting.state is State.EXPRESS_NOT_RETURNED
    assert waiting.deadline is not None
    assert waiting.deadline.waits_for is Party.SELLER
    appeal, _ = step(
        waiting, InterventionRequested(id="i", at=sh("2026-03-09 12:00"), party="seller"), TAOBAO
    )
    ruled, _ = step(
        appeal, PlatformRuled(id="r", at=sh("2026-03-16 10:00"), favours="seller"), TAOBAO
    )
    assert ruled.state is State.SUCCESS
    assert ruled.refunded == Money("100.00")  # the buyer keeps what the platform paid
    assert ruled.charged_to_seller == Money.ZERO  # ... and the seller is not charged


def test_express_refund_appeal_lost_charges_the_seller() -> None:
    case = _express()
    case, _ = step(
        case,
        BuyerShippedReturn(id="s", at=sh("2026-03-03 10:00"), carrier="圆通", tracking="1"),
        TAOBAO,
    )
    case, _ = step(case, SellerRefused(id="x", at=sh("2026-03-06 10:00"), reason="空包"), TAOBAO)
    case, _ = step(
        case, InterventionRequested(id="i", at=sh("2026-03-06 11:00"), party="seller"), TAOBAO
    )
    case, _ = step(case, PlatformRuled(id="r", at=sh("2026-03-12 10:00"), favours="buyer"), TAOBAO)
    assert case.charged_to_seller == case.refunded == Money("100.00")


def test_exchange_resend_and_buyer_confirms() -> None:
    req = request(
        Kind.EXCHANGE, "2026-03-02 10:00", shipped="2026-02-26 10:00", signed="2026-02-28 10:00"
    )
    case, _ = open_case(req, TAOBAO)
    case, _ = step(case, SellerAgreed(id="a", at=sh("2026-03-02 11:00")), TAOBAO)
    case, _ = step(
        case,
        BuyerShippedReturn(id="s", at=sh("2026-03-03 10:00"), carrier="中通", tracking="1"),
        TAOBAO,
    )
    case, _ = step(
        case, SellerResent(id="r", at=sh("2026-03-05 10:00"), carrier="顺丰", tracking="2"), TAOBAO
    )
    assert case.state is State.EXCHANGE_RESENT
    assert case.deadline is not None
    assert case.deadline.rule == "TRADE-AUTO-CONFIRM"
    assert case.deadline.due == sh("2026-03-15 10:00")
    done, _ = step(case, BuyerConfirmedReceipt(id="ok", at=sh("2026-03-07 10:00")), TAOBAO)
    assert done.state is State.SUCCESS
    assert done.refunded == Money.ZERO  # an exchange returns goods, not money
    auto, _ = advance(case, sh("2026-03-15 10:00"), TAOBAO)
    assert auto.state is State.SUCCESS


def test_exchange_seller_silent_on_the_returned_goods_is_refunded() -> None:
    req = request(
        Kind.EXCHANGE, "2026-03-02 10:00", shipped="2026-02-26 10:00", signed="2026-02-28 10:00"
    )
    case, _ = open_case(req, TAOBAO)
    case, _ = step(
        case,
        BuyerShippedReturn(
            id="s", at=pendulum.datetime(2026, 3, 8, 1, tz="UTC"), carrier="中通", tracking="1"
        ),
        TAOBAO,
    )
    done, _ = advance(case, sh("2026-03-30 00:00"), TAOBAO)
    assert done.state is State.SUCCESS
    assert done.refunded == Money("100.00")
    assert done.history[-1].rule == "RET-CONFIRM-10D"


def _quality(opened: str) -> Case:
    req = request(Kind.QUALITY_CLAIM, opened, shipped="2026-03-01 10:00", signed="2026-03-02 10:00")
    case, _ = open_case(req, TAOBAO)
    return case


def test_quality_claim_asks_for_photos_and_a_discount_settles_it() -> None:
    case = _quality("2026-03-03 10:00")
    assert case.state is State.QUALITY_WAIT_PHOTOS
    assert case.status is Status.WAIT_SELLER_AGREE
    assert case.deadline is not None
    assert (case.deadline.rule, case.deadline.waits_for) == ("QUAL-3D", Party.BUYER)
    case, _ = step(
        case,
        EvidenceSubmitted(id="p", at=sh("2026-03-03 12:00"), party="buyer", kind="photo"),
        TAOBAO,
    )
    assert case.state is State.QUALITY_VERIFY
    case, effects = step(
        case,
        SellerResolved(id="d", at=sh("2026-03-03 15:00"), remedy="discount", amount="20"),
        TAOBAO,
    )
    assert case.state is State.SUCCESS
    assert case.refunded == case.requested == Money("20.00")
    assert case.remedy == "discount"
    assert BuyerRefunded(Money("20.00"), Party.SELLER, "QUAL-3D") in effects


def test_quality_claim_repair_sends_the_goods_back_at_the_shops_cost() -> None:
    case = _quality("2026-03-03 10:00")
    case, _ = step(
        case, EvidenceSubmitted(id="p", at=sh("2026-03-03 12:00"), party="buyer"), TAOBAO
    )
    case, _ = step(
        case,
        SellerResolved(id="r", at=sh("2026-03-03 15:00"), remedy="repair", shop_cost="35.00"),
        TAOBAO,
    )
    assert case.state is State.WAIT_BUYER_RETURN_GOODS
    assert case.shop_cost == Money("35.00")
    case, _ = step(
        case,
        BuyerShippedReturn(id="s", at=sh("2026-03-04 10:00"), carrier="顺丰", tracking="1"),
        TAOBAO,
    )
    with pytest.raises(IllegalEvent, match="the remedy is repair"):
        step(case, SellerConfirmedReceipt(id="c", at=sh("2026-03-06 10:00")), TAOBAO)
    case, _ = step(
        case,
        SellerResent(id="back", at=sh("2026-03-08 10:00"), carrier="顺丰", tracking="2"),
        TAOBAO,
    )
    done, _ = step(case, BuyerConfirmedReceipt(id="ok", at=sh("2026-03-10 10:00")), TAOBAO)
    assert done.state is State.SUCCESS
    assert done.refunded == Money.ZERO


def test_quality_claim_without_photos_brings_the_goods_back_for_inspection() -> None:
    case = _quality("2026-03-03 10:00")
    inspect, _ = advance(case, sh("2026-03-06 10:00"), TAOBAO)
    assert inspect.state is State.WAIT_BUYER_RETURN_GOODS
    assert inspect.remedy == "inspect"
    assert inspect.history[-1].rule == "QUAL-3D"


def test_quality_claim_after_three_days_is_a_normal_return() -> None:
    with pytest.raises(RequestNotAllowed) as caught:
        _quality("2026-03-05 10:00")
    assert caught.value.rule == "QUAL-3D"
    assert "return_and_refund" in str(caught.value)


@pytest.mark.parametrize(("name", "window"), [("taobao", 7), ("taobao-current", 5)])
def test_a_buyer_refused_early_still_has_a_window_with_intervention_open(
    name: str, window: int
) -> None:
    # REFUSED-BUYER-7D with AFTER-7D-INTERVENE: refused on the request's first day, the
    # buyer's window counts from the day intervention opens, not from the refusal.
    policy = preset(name)
    case, _ = open_case(_after_sale("2026-03-05 10:00"), policy)
    refused, _ = step(case, SellerRefused(id="r", at=sh("2026-03-05 12:00")), policy)
    opens = sh("2026-03-12 10:00")
    assert refused.intervention_available_from == opens
    assert refused.deadline is not None
    assert refused.deadline.rule == "REFUSED-BUYER-7D"
    assert refused.deadline.due == opens.add(days=window)
    # the day intervention opens, the request is still there to escalate
    escalated, _ = step(
        refused,
        InterventionRequested(id="i", at=opens.add(hours=1), party="buyer"),
        policy,
    )
    assert escalated.state is State.INTERVENTION_EVIDENCE
    # and without a word from the buyer it closes a full window after that
    closed, _ = advance(refused, opens.add(days=window), policy)
    assert closed.state is State.CLOSED


def test_a_refusal_with_intervention_already_open_counts_from_the_refusal() -> None:
    refused = _refused_return("2026-03-02 10:00", "2026-03-04 09:00")  # RET-REFUSE
    assert refused.intervention_available_from == sh("2026-03-04 09:00")
    assert refused.deadline is not None
    assert refused.deadline.due == sh("2026-03-11 09:00")


@given(case_histories())
def test_every_refused_buyer_has_a_window_with_intervention_open(
    history: tuple[Policy, RefundRequested, list[Event]],
) -> None:
    """REFUSED-BUYER-7D never runs out before intervention opens, on any preset."""
    policy, opening, events = history
    case, _ = open_case(opening, policy)
    for event in events:
        try:
            case, _ = step(case, event, policy)
        except AfterSalesError:
            continue
        deadline, opens = case.deadline, case.intervention_available_from
        if deadline is not None and deadline.name == "buyer_response" and opens is not None:
            assert deadline.due > opens
