"""The workflow tables: refund before shipment, refund only, return and refund.

Everything that decides a transition lives in this file, as h11 keeps its
``_state.py``: rows, guards, timers and the small actions they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pendulum

from ._case import Case, Kind, Party, ReturnShipment, State
from ._duration import deadline_after
from ._effects import (
    BuyerRefunded,
    Effect,
    InterventionAvailable,
    NotifyBuyer,
    RequestClosed,
    ReturnAddressShown,
)
from ._errors import InvalidInput
from ._events import (
    BuyerModified,
    BuyerShippedReturn,
    Event,
    SellerRefused,
)
from ._machine import Action, Changes, Guard, Row, Timer, Workflow, fixed
from ._policy import Policy

__all__ = ["WORKFLOWS", "check_amount"]

S = State
Result = tuple[Changes, tuple[Effect, ...]]


# -- actions ---------------------------------------------------------------------------


def refund(rule: str) -> Action:
    """The platform pays the buyer the requested amount."""

    def action(case: Case, event: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
        by = Party.PLATFORM if event is None else Party.SELLER
        return {"refunded": case.requested}, (
            BuyerRefunded(case.requested, by, rule),
            NotifyBuyer("refund/done.txt", rule),
        )

    return action


def agree_return(rule: str) -> Action:
    def action(_c: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
        return {}, (ReturnAddressShown(rule), NotifyBuyer("return/agreed.txt", rule))

    return action


def close(why: str, rule: str) -> Action:
    def action(_c: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
        return {}, (RequestClosed(why, rule),)

    return action


def _refused(case: Case, event: Event | None, policy: Policy, at: pendulum.DateTime) -> Result:
    assert isinstance(event, SellerRefused)
    if case.kind is Kind.REFUND_BEFORE_SHIPMENT:
        # PRE-INTERVENE-3D: the option opens a set time after the application.
        opens = deadline_after(
            case.opened_at, policy.pre_intervention_after, policy.calendar, policy.tz
        )
        rule = "PRE-INTERVENE-3D"
        available = max(opens, at)
    else:
        rule, available = "RET-REFUSE", at
    available = available.in_timezone(policy.tz)
    changes = {"refusal_reason": event.reason, "intervention_available_from": available}
    return changes, (
        InterventionAvailable(available, rule),
        NotifyBuyer("refund/refused.txt", "RET-REFUSE"),
    )


def _leave_refusal(_c: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
    return {"intervention_available_from": None}, ()


def _return_shipped(_c: Case, event: Event | None, _p: Policy, at: pendulum.DateTime) -> Result:
    assert isinstance(event, BuyerShippedReturn)
    shipment = ReturnShipment(
        at=at, carrier=event.carrier, tracking=event.tracking, surface_mail=event.surface_mail
    )
    return {"return_shipment": shipment}, ()


def _delivery_refused(case: Case, _e: Event | None, _p: Policy, at: pendulum.DateTime) -> Result:
    return {"return_shipment": ReturnShipment(at=at, refused_delivery=True)}, ()


def check_amount(case_id: str, amount: object, refundable: object) -> None:
    """A request asks for more than zero and at most what is left to refund."""
    from ._money import Money

    assert isinstance(amount, Money)
    assert isinstance(refundable, Money)
    if not amount:
        raise InvalidInput(f"case {case_id}: the requested amount must be more than 0.00")
    if amount > refundable:
        raise InvalidInput(
            f"case {case_id}: requested {amount} exceeds what can still be refunded on this "
            f"sub-order ({refundable}: paid minus already refunded)"
        )


def _modified(case: Case, event: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
    assert isinstance(event, BuyerModified)
    changes: Changes = {}
    if event.amount is not None:
        check_amount(case.id, event.amount, case.item.refundable)
        changes["requested"] = event.amount
    if event.reason is not None:
        changes["reason"] = event.reason
    return changes, ()


# -- guards ----------------------------------------------------------------------------


def _refuse_allowed(_c: Case, _e: Event, policy: Policy) -> str | None:
    if policy.refuse_before_shipment:
        return None
    return "this policy forbids refusing a refund before shipment (REFUSE-LIMITS)"


def _restarts(_c: Case, _e: Event, policy: Policy) -> str | None:
    return None if policy.modify_restarts_response else "policy keeps the timer"


def _keeps(_c: Case, _e: Event, policy: Policy) -> str | None:
    return "policy restarts the timer" if policy.modify_restarts_response else None


def _not_signed(case: Case, event: Event, _p: Policy) -> str | None:
    signed = case.order.signed_at
    if signed is not None and signed <= event.at:
        return (
            f"the parcel was signed for at {signed.isoformat()}; delivery can no longer be refused"
        )
    return None


REFUSE_ALLOWED = Guard("refuse allowed (REFUSE-LIMITS)", _refuse_allowed)
MODIFY_RESTARTS = Guard("modify restarts timer", _restarts)
MODIFY_KEEPS = Guard("modify keeps timer", _keeps)
NOT_SIGNED = Guard("parcel not signed", _not_signed)


# -- rows shared by the three workflows -----------------------------------------------


def _buyer_rows(waiting: tuple[State, ...]) -> tuple[Row, ...]:
    """Cancel anywhere; modify sends the request back to the seller."""
    rows = [
        Row(
            source=state,
            event="buyer_cancelled",
            target=S.CLOSED,
            rule="PRE-APPLY",
            action=close("buyer cancelled the request", "PRE-APPLY"),
        )
        for state in waiting
    ]
    rows += [
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="buyer_modified",
            target=S.WAIT_SELLER_AGREE,
            rule="PRE-APPLY",
            guard=MODIFY_RESTARTS,
            action=_modified,
        ),
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="buyer_modified",
            target=S.WAIT_SELLER_AGREE,
            rule="PRE-APPLY",
            guard=MODIFY_KEEPS,
            action=_modified,
            timer="keep",
        ),
        Row(
            source=S.SELLER_REFUSE_BUYER,
            event="buyer_modified",
            target=S.WAIT_SELLER_AGREE,
            rule="REFUSED-BUYER-7D",
            action=_modified,
        ),
    ]
    return tuple(rows)


_REFUSED_TIMER = Timer(
    name="buyer_response",
    waits_for=Party.BUYER,
    length=fixed("refused_buyer_window"),
    fields=("refused_buyer_window",),
    on_expiry="close",
    target=S.CLOSED,
    rule="REFUSED-BUYER-7D",
    action=close("buyer did not act after the refusal", "REFUSED-BUYER-7D"),
)

_CONFIRM_TIMER = Timer(
    name="seller_confirm_receipt",
    waits_for=Party.SELLER,
    length=lambda case, _p: (
        "ret_seller_confirm_surface"
        if case.return_shipment is not None and case.return_shipment.surface_mail
        else "ret_seller_confirm"
    ),
    fields=("ret_seller_confirm", "ret_seller_confirm_surface"),
    on_expiry="refund",
    target=S.SUCCESS,
    rule="RET-CONFIRM-10D",
    action=refund("RET-CONFIRM-10D"),
)

_ON_EXIT: Mapping[State, Action] = {S.SELLER_REFUSE_BUYER: _leave_refusal}
_FINAL = frozenset({S.CLOSED, S.SUCCESS})


REFUND_BEFORE_SHIPMENT = Workflow(
    kind=Kind.REFUND_BEFORE_SHIPMENT,
    initial=S.WAIT_SELLER_AGREE,
    final=_FINAL,
    on_exit=_ON_EXIT,
    rows=(
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_agreed",
            target=S.SUCCESS,
            rule="PRE-AUTO-2D",
            action=refund("PRE-AUTO-2D"),
        ),
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_refused",
            target=S.SELLER_REFUSE_BUYER,
            rule="PRE-INTERVENE-3D",
            guard=REFUSE_ALLOWED,
            action=_refused,
        ),
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_shipped",
            target=S.CLOSED,
            rule="PRE-SHIP-CLOSES",
            action=close("seller shipped the order", "PRE-SHIP-CLOSES"),
        ),
        *_buyer_rows((S.WAIT_SELLER_AGREE, S.SELLER_REFUSE_BUYER)),
    ),
    timers={
        S.WAIT_SELLER_AGREE: Timer(
            name="seller_response",
            waits_for=Party.SELLER,
            length=fixed("pre_seller_response"),
            fields=("pre_seller_response",),
            on_expiry="refund",
            target=S.SUCCESS,
            rule="PRE-AUTO-2D",
            action=refund("PRE-AUTO-2D"),
        ),
        S.SELLER_REFUSE_BUYER: _REFUSED_TIMER,
    },
)


REFUND_ONLY = Workflow(
    kind=Kind.REFUND_ONLY,
    initial=S.WAIT_SELLER_AGREE,
    final=_FINAL,
    on_exit=_ON_EXIT,
    rows=(
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_agreed",
            target=S.SUCCESS,
            rule="ONLY-NOT-RECEIVED-5D",
            action=refund("ONLY-NOT-RECEIVED-5D"),
        ),
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_refused",
            target=S.SELLER_REFUSE_BUYER,
            rule="RET-REFUSE",
            action=_refused,
        ),
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="buyer_refused_delivery",
            target=S.WAIT_SELLER_CONFIRM_GOODS,
            rule="RET-REJECT",
            guard=NOT_SIGNED,
            action=_delivery_refused,
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_confirmed_receipt",
            target=S.SUCCESS,
            rule="RET-REJECT",
            action=refund("RET-REJECT"),
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_refused",
            target=S.SELLER_REFUSE_BUYER,
            rule="RET-REFUSE",
            action=_refused,
        ),
        *_buyer_rows((S.WAIT_SELLER_AGREE, S.WAIT_SELLER_CONFIRM_GOODS, S.SELLER_REFUSE_BUYER)),
    ),
    timers={
        S.WAIT_SELLER_AGREE: Timer(
            name="seller_response",
            waits_for=Party.SELLER,
            # Signed for already: the 5-day response window of RET-RESPOND-5D.
            length=lambda case, _p: (
                "ret_seller_response"
                if case.order.signed_by(case.opened_at)
                else "only_not_received_response"
            ),
            fields=("only_not_received_response", "ret_seller_response"),
            on_expiry="refund",
            target=S.SUCCESS,
            rule="RET-AUTO-AGREE",
            action=refund("RET-AUTO-AGREE"),
        ),
        S.WAIT_SELLER_CONFIRM_GOODS: _CONFIRM_TIMER,
        S.SELLER_REFUSE_BUYER: _REFUSED_TIMER,
    },
)


RETURN_AND_REFUND = Workflow(
    kind=Kind.RETURN_AND_REFUND,
    initial=S.WAIT_SELLER_AGREE,
    final=_FINAL,
    on_exit=_ON_EXIT,
    rows=(
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_agreed",
            target=S.WAIT_BUYER_RETURN_GOODS,
            rule="RET-RESPOND-5D",
            action=agree_return("RET-RESPOND-5D"),
        ),
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_refused",
            target=S.SELLER_REFUSE_BUYER,
            rule="RET-REFUSE",
            action=_refused,
        ),
        Row(
            source=S.WAIT_BUYER_RETURN_GOODS,
            event="buyer_shipped_return",
            target=S.WAIT_SELLER_CONFIRM_GOODS,
            rule="RET-BUYER-SHIPS",
            action=_return_shipped,
        ),
        Row(
            source=S.WAIT_BUYER_RETURN_GOODS,
            event="buyer_modified",
            target=S.WAIT_SELLER_AGREE,
            rule="PRE-APPLY",
            action=_modified,
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_confirmed_receipt",
            target=S.SUCCESS,
            rule="RET-CONFIRM-10D",
            action=refund("RET-CONFIRM-10D"),
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_refused",
            target=S.SELLER_REFUSE_BUYER,
            rule="RET-REFUSE",
            action=_refused,
        ),
        *_buyer_rows(
            (
                S.WAIT_SELLER_AGREE,
                S.WAIT_BUYER_RETURN_GOODS,
                S.WAIT_SELLER_CONFIRM_GOODS,
                S.SELLER_REFUSE_BUYER,
            )
        ),
    ),
    timers={
        S.WAIT_SELLER_AGREE: Timer(
            name="seller_response",
            waits_for=Party.SELLER,
            length=fixed("ret_seller_response"),
            fields=("ret_seller_response",),
            on_expiry="agree_return",
            target=S.WAIT_BUYER_RETURN_GOODS,
            rule="RET-AUTO-AGREE",
            action=agree_return("RET-AUTO-AGREE"),
        ),
        S.WAIT_BUYER_RETURN_GOODS: Timer(
            name="buyer_return_shipment",
            waits_for=Party.BUYER,
            length=fixed("ret_buyer_ship_window"),
            fields=("ret_buyer_ship_window",),
            on_expiry="close",
            target=S.CLOSED,
            rule="RET-BUYER-SHIP-WINDOW",
            action=close("buyer did not ship the return in time", "RET-BUYER-SHIP-WINDOW"),
        ),
        S.WAIT_SELLER_CONFIRM_GOODS: _CONFIRM_TIMER,
        S.SELLER_REFUSE_BUYER: _REFUSED_TIMER,
    },
)


WORKFLOWS: Mapping[Kind, Workflow] = MappingProxyType(
    {wf.kind: wf for wf in (REFUND_BEFORE_SHIPMENT, REFUND_ONLY, RETURN_AND_REFUND)}
)
