"""Pinned timelines of the platform timers (Asia/Shanghai)."""

from __future__ import annotations

import pytest

from aftersales import (
    BuyerCancelled,
    BuyerModified,
    BuyerRefunded,
    BuyerRefusedDelivery,
    BuyerShippedReturn,
    IllegalEvent,
    InvalidInput,
    Kind,
    Money,
    OutOfOrderEvent,
    Party,
    ReturnAddressShown,
    SellerAgreed,
    SellerConfirmedReceipt,
    SellerRefused,
    SellerShipped,
    State,
    Status,
    advance,
    open_case,
    preset,
    replay,
    step,
)

from .helpers import request, sh

TAOBAO = preset("taobao")


def test_refund_before_shipment_refunds_itself_after_two_days() -> None:
    """PRE-AUTO-2D: opened 2026-03-02 10:00, seller silent -> SUCCESS at 03-04 10:00."""
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), TAOBAO)
    assert case.deadline is not None
    assert case.deadline.due == sh("2026-03-04 10:00")
    assert case.deadline.rule == "PRE-AUTO-2D"

    early, effects = advance(case, sh("2026-03-04 09:59:59"), TAOBAO)
    assert early.status is Status.WAIT_SELLER_AGREE
    assert effects == ()

    done, effects = advance(case, sh("2026-03-04 10:00"), TAOBAO)
    assert done.status is Status.SUCCESS
    assert done.refunded == Money("100.00")
    assert done.changed_at == sh("2026-03-04 10:00")
    assert done.history[-1].trigger == "timeout:seller_response"
    assert done.history[-1].rule == "PRE-AUTO-2D"
    assert BuyerRefunded(Money("100.00"), Party.PLATFORM, "PRE-AUTO-2D") in effects
    assert done.deadline is None


RETURN = request(
    Kind.RETURN_AND_REFUND,
    "2026-03-02 10:00",
    shipped="2026-02-25 16:00",
    signed="2026-02-27 11:00",
)


def test_return_seller_silent_throughout() -> None:
    """RET-AUTO-AGREE at 03-07 10:00; buyer ships 03-08 09:00; RET-CONFIRM-10D at 03-18 09:00."""
    case, _ = open_case(RETURN, TAOBAO)
    assert case.deadline is not None
    assert (case.deadline.due, case.deadline.rule) == (sh("2026-03-07 10:00"), "RET-RESPOND-5D")

    agreed, effects = advance(case, sh("2026-03-07 10:00"), TAOBAO)
    assert agreed.status is Status.WAIT_BUYER_RETURN_GOODS
    assert agreed.history[-1].at == sh("2026-03-07 10:00")
    assert agreed.history[-1].rule == "RET-AUTO-AGREE"
    assert ReturnAddressShown("RET-AUTO-AGREE") in effects
    assert agreed.deadline is not None
    assert agreed.deadline.due == sh("2026-03-14 10:00")  # RET-BUYER-SHIP-WINDOW

    shipped, _ = step(
        case,  # the engine fires the overdue timer itself before the event
        BuyerShippedReturn(id="e1", at=sh("2026-03-08 09:00"), carrier="中通快递", tracking="7891"),
        TAOBAO,
    )
    assert shipped.status is Status.WAIT_SELLER_CONFIRM_GOODS
    assert shipped.deadline is not None
    assert (shipped.deadline.due, shipped.deadline.rule) == (
        sh("2026-03-18 09:00"),
        "RET-CONFIRM-10D",
    )

    before, _ = advance(shipped, sh("2026-03-18 08:59"), TAOBAO)
    assert before.status is Status.WAIT_SELLER_CONFIRM_GOODS
    done, _ = advance(shipped, sh("2026-03-18 09:00"), TAOBAO)
    assert done.status is Status.SUCCESS
    assert done.refunded == Money("100.00")
    assert [t.target for t in done.history] == [
        State.WAIT_SELLER_AGREE,
        State.WAIT_BUYER_RETURN_GOODS,
        State.WAIT_SELLER_CONFIRM_GOODS,
        State.SUCCESS,
    ]


def test_late_agreement_is_refused_with_typed_error() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    with pytest.raises(IllegalEvent) as caught:
        step(case, SellerAgreed(id="late", at=sh("2026-03-07 11:00")), TAOBAO)
    error = caught.value
    assert error.state == "WAIT_BUYER_RETURN_GOODS"
    assert error.event_type == "seller_agreed"
    assert "buyer_shipped_return" in error.allowed
    assert "seller_agreed" not in error.allowed
    assert "WAIT_BUYER_RETURN_GOODS" in str(error)


def test_agreement_just_before_the_deadline_wins() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    agreed, effects = step(case, SellerAgreed(id="a", at=sh("2026-03-07 09:59:59")), TAOBAO)
    assert agreed.status is Status.WAIT_BUYER_RETURN_GOODS
    assert agreed.history[-1].rule == "RET-RESPOND-5D"
    assert agreed.history[-1].trigger == "seller_agreed"
    assert ReturnAddressShown("RET-RESPOND-5D") in effects


def test_buyer_not_shipping_closes_the_return() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    agreed, _ = step(case, SellerAgreed(id="a", at=sh("2026-03-03 10:00")), TAOBAO)
    closed, _ = advance(agreed, sh("2026-03-10 10:00"), TAOBAO)
    assert closed.status is Status.CLOSED
    assert closed.history[-1].rule == "RET-BUYER-SHIP-WINDOW"
    assert closed.refunded == Money.ZERO


def test_surface_mail_gives_the_seller_thirty_days() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    agreed, _ = step(case, SellerAgreed(id="a", at=sh("2026-03-03 10:00")), TAOBAO)
    shipped, _ = step(
        agreed,
        BuyerShippedReturn(
            id="s", at=sh("2026-03-04 10:00"), carrier="中国邮政", tracking="9", surface_mail=True
        ),
        TAOBAO,
    )
    assert shipped.deadline is not None
    assert shipped.deadline.due == sh("2026-04-03 10:00")
    assert shipped.deadline.rule == "RET-CONFIRM-SURFACE-30D"


def test_seller_confirms_receipt_and_refunds() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    case, _ = step(case, SellerAgreed(id="a", at=sh("2026-03-03 10:00")), TAOBAO)
    case, _ = step(
        case,
        BuyerShippedReturn(id="s", at=sh("2026-03-04 10:00"), carrier="顺丰", tracking="1"),
        TAOBAO,
    )
    case, effects = step(case, SellerConfirmedReceipt(id="c", at=sh("2026-03-06 10:00")), TAOBAO)
    assert case.status is Status.SUCCESS
    assert BuyerRefunded(Money("100.00"), Party.SELLER, "RET-CONFIRM-10D") in effects


def test_refusal_of_a_refund_before_shipment_opens_intervention_on_day_three() -> None:
    """PRE-INTERVENE-3D: the option opens three days after the application."""
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), TAOBAO)
    refused, _ = step(case, SellerRefused(id="r", at=sh("2026-03-02 15:00")), TAOBAO)
    assert refused.status is Status.SELLER_REFUSE_BUYER
    assert refused.intervention_available_from == sh("2026-03-05 10:00")
    assert refused.deadline is not None
    assert refused.deadline.rule == "REFUSED-BUYER-7D"
    # the buyer's 7 days count from the moment intervention opens (REFUSED-BUYER-7D
    # with PRE-INTERVENE-3D), so all 7 leave the platform open to them
    assert refused.deadline.due == sh("2026-03-12 10:00")
    closed, _ = advance(refused, sh("2026-03-12 10:00"), TAOBAO)
    assert closed.status is Status.CLOSED
    assert closed.intervention_available_from is None


def test_refusal_after_receipt_allows_intervention_at_once() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    refused, _ = step(
        case, SellerRefused(id="r", at=sh("2026-03-03 12:00"), reason="影响二次销售"), TAOBAO
    )
    assert refused.intervention_available_from == sh("2026-03-03 12:00")
    assert refused.refusal_reason == "影响二次销售"


def test_policy_can_forbid_refusing_before_shipment() -> None:
    strict = preset("taobao", refuse_before_shipment=False)
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), strict)
    with pytest.raises(IllegalEvent, match="REFUSE-LIMITS"):
        step(case, SellerRefused(id="r", at=sh("2026-03-02 15:00")), strict)


def test_shipping_closes_a_waiting_refund_before_shipment() -> None:
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), TAOBAO)
    closed, _ = step(case, SellerShipped(id="s", at=sh("2026-03-03 09:00")), TAOBAO)
    assert closed.status is Status.CLOSED
    assert closed.history[-1].rule == "PRE-SHIP-CLOSES"


def test_modification_restarts_the_seller_window_by_default() -> None:
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), TAOBAO)
    modified, _ = step(
        case, BuyerModified(id="m", at=sh("2026-03-03 08:00"), amount="40.00"), TAOBAO
    )
    assert modified.requested == Money("40.00")
    assert modified.deadline is not None
    assert modified.deadline.due == sh("2026-03-05 08:00")


def test_modification_can_keep_the_running_timer() -> None:
    keep = preset("taobao", modify_restarts_response=False)
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), keep)
    modified, _ = step(case, BuyerModified(id="m", at=sh("2026-03-03 08:00"), amount="40"), keep)
    assert modified.deadline == case.deadline


def test_modified_amount_cannot_exceed_what_is_left() -> None:
    case, _ = open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00"), TAOBAO)
    with pytest.raises(InvalidInput, match=r"exceeds what can still be refunded"):
        step(case, BuyerModified(id="m", at=sh("2026-03-03 08:00"), amount="100.01"), TAOBAO)


def test_buyer_modifies_after_refusal_and_the_seller_is_asked_again() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    case, _ = step(case, SellerRefused(id="r", at=sh("2026-03-03 12:00")), TAOBAO)
    case, _ = step(
        case, BuyerModified(id="m", at=sh("2026-03-04 12:00"), reason="质量问题"), TAOBAO
    )
    assert case.status is Status.WAIT_SELLER_AGREE
    assert case.reason == "质量问题"
    assert case.intervention_available_from is None
    assert case.deadline is not None
    assert case.deadline.due == sh("2026-03-09 12:00")


def test_cancel_stops_the_timer_and_ends_the_case() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    closed, _ = step(case, BuyerCancelled(id="c", at=sh("2026-03-03 12:00")), TAOBAO)
    assert closed.status is Status.CLOSED
    assert closed.deadline is None
    with pytest.raises(IllegalEvent, match="the case is final"):
        step(closed, SellerAgreed(id="a", at=sh("2026-03-04 12:00")), TAOBAO)
    later, effects = advance(closed, sh("2026-12-01 00:00"), TAOBAO)
    assert later is closed
    assert effects == ()


def test_refund_only_not_received_times_out_in_five_days() -> None:
    req = request(Kind.REFUND_ONLY, "2026-03-02 10:00", shipped="2026-03-01 10:00")
    case, _ = open_case(req, TAOBAO)
    assert case.deadline is not None
    assert case.deadline.rule == "ONLY-NOT-RECEIVED-5D"
    done, _ = advance(case, sh("2026-03-07 10:00"), TAOBAO)
    assert done.status is Status.SUCCESS
    current = preset("taobao-current")
    case, _ = open_case(req, current)
    assert case.deadline is not None
    assert case.deadline.due == sh("2026-03-03 22:00")  # CURRENT-SCHEDULE: 36 hours


def test_refused_delivery_comes_back_and_is_refunded() -> None:
    """RET-REJECT: the buyer refuses the parcel; the seller refunds on its return."""
    req = request(Kind.REFUND_ONLY, "2026-03-02 10:00", shipped="2026-03-01 10:00")
    case, _ = open_case(req, TAOBAO)
    case, _ = step(case, BuyerRefusedDelivery(id="x", at=sh("2026-03-03 10:00")), TAOBAO)
    assert case.status is Status.WAIT_SELLER_CONFIRM_GOODS
    assert case.return_shipment is not None
    assert case.return_shipment.refused_delivery
    case, _ = step(case, SellerConfirmedReceipt(id="c", at=sh("2026-03-05 10:00")), TAOBAO)
    assert case.status is Status.SUCCESS
    assert case.history[-1].rule == "RET-REJECT"


def test_signed_parcel_cannot_be_refused_at_delivery() -> None:
    req = request(
        Kind.REFUND_ONLY, "2026-03-02 10:00", shipped="2026-03-01 10:00", signed="2026-03-02 09:00"
    )
    case, _ = open_case(req, TAOBAO)
    assert case.deadline is not None
    assert case.deadline.rule == "RET-RESPOND-5D"
    with pytest.raises(IllegalEvent, match="signed for"):
        step(case, BuyerRefusedDelivery(id="x", at=sh("2026-03-03 10:00")), TAOBAO)


@pytest.mark.parametrize(
    ("kind", "shipped", "signed", "message"),
    [
        (Kind.REFUND_BEFORE_SHIPMENT, "2026-03-01 10:00", None, "unshipped order"),
        (Kind.REFUND_ONLY, None, None, "has not shipped"),
        (Kind.RETURN_AND_REFUND, "2026-03-01 10:00", None, "signed for"),
    ],
)
def test_request_must_fit_the_order(
    kind: Kind, shipped: str | None, signed: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        open_case(request(kind, "2026-03-02 10:00", shipped=shipped, signed=signed), TAOBAO)


def test_partial_refund_cannot_exceed_paid() -> None:
    with pytest.raises(InvalidInput, match="exceeds"):
        open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00", amount="100.01"), TAOBAO)
    with pytest.raises(InvalidInput, match=r"more than 0\.00"):
        open_case(request(Kind.REFUND_BEFORE_SHIPMENT, "2026-03-02 10:00", amount="0"), TAOBAO)


def test_duplicate_event_is_a_no_op_and_old_events_are_refused() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    agreed, _ = step(case, SellerAgreed(id="a", at=sh("2026-03-03 10:00")), TAOBAO)
    again, effects = step(agreed, SellerAgreed(id="a", at=sh("2026-03-03 10:00")), TAOBAO)
    assert again is agreed
    assert effects == ()
    with pytest.raises(OutOfOrderEvent):
        step(agreed, BuyerCancelled(id="c", at=sh("2026-03-03 09:00")), TAOBAO)


def test_replay_gives_the_same_case() -> None:
    case, _ = open_case(RETURN, TAOBAO)
    case, _ = step(
        case,
        BuyerShippedReturn(id="s", at=sh("2026-03-08 09:00"), carrier="中通", tracking="1"),
        TAOBAO,
    )
    case, _ = advance(case, sh("2026-03-30 00:00"), TAOBAO)
    assert replay(case.log, TAOBAO, until=case.changed_at) == case
