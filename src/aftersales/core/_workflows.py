"""The workflow tables: every after-sales path a case can take.

Everything that decides a transition lives in this file, as h11 keeps its
``_state.py``: rows, guards, timers and the small actions they name. The
engine (``_engine.py``) only reads these tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import pendulum

from ._case import (
    Case,
    CaseMessage,
    Evidence,
    Kind,
    Mode,
    Party,
    ReturnShipment,
    Ruling,
    State,
)
from ._duration import Duration, deadline_after
from ._effects import (
    BuyerRefunded,
    Effect,
    InterventionAvailable,
    NotifyBuyer,
    RequestClosed,
    ReturnAddressShown,
    RulingMade,
    RulingOverdue,
    SellerCharged,
)
from ._errors import InvalidInput
from ._events import (
    BuyerModified,
    BuyerShippedReturn,
    Event,
    EvidenceSubmitted,
    MessageLeft,
    PlatformRuled,
    SellerRefused,
    SellerResent,
    SellerResolved,
)
from ._machine import Action, Changes, Guard, Row, Timer, Workflow, fixed
from ._money import Money
from ._policy import Policy

__all__ = ["WORKFLOWS", "check_amount"]

S = State
Result = tuple[Changes, tuple[Effect, ...]]
_INTERVENTION = (
    S.INTERVENTION_EVIDENCE,
    S.INTERVENTION_SELLER_CONFIRM,
    S.INTERVENTION_REVIEW,
    S.INTERVENTION_OVERDUE,
)


# -- actions ---------------------------------------------------------------------------


def _complaint_until(case: Case, policy: Policy, at: pendulum.DateTime) -> pendulum.DateTime | None:
    """COMPLAINT-15D: a refund that closed the whole trade opens a complaint window;
    a trade that had succeeded has no complaint entry."""
    order = case.order
    finished = order.finished_at
    if finished is not None and finished <= case.opened_at:  # Case.phase == "aftersale"
        return None
    already = sum(item.refunded.amount for item in order.items) if order.items else 0
    if already + case.requested.amount < order.paid.amount:
        return None
    return deadline_after(at, policy.complaint_window, policy.calendar, policy.tz)


def refund(rule: str, *, by: Party | None = None) -> Action:
    """The platform pays the buyer the requested amount, at the seller's cost."""
    # Effects that carry nothing of the case are values: made once, not per transition.
    done = NotifyBuyer("refund/done.txt", rule)

    platform, seller = Party.PLATFORM, Party.SELLER

    def action(case: Case, event: Event | None, policy: Policy, at: pendulum.DateTime) -> Result:
        decided_by = by if by is not None else (platform if event is None else seller)
        changes: Changes = {
            "refunded": case.requested,
            "charged_to_seller": case.requested,
            "complaint_until": _complaint_until(case, policy, at),
        }
        return changes, (BuyerRefunded(case.requested, decided_by, rule), done)

    return action


def agree_return(rule: str) -> Action:
    effects = (ReturnAddressShown(rule), NotifyBuyer("return/agreed.txt", rule))

    def action(_c: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
        return {}, effects

    return action


def close(why: str, rule: str) -> Action:
    effects = (RequestClosed(why, rule),)

    def action(_c: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
        return {}, effects

    return action


def _opens_after(case: Case, policy: Policy) -> tuple[Duration | None, str]:
    """How long after the application intervention opens, and the rule that says so."""
    if case.kind is Kind.REFUND_BEFORE_SHIPMENT:
        return policy.pre_intervention_after, "PRE-INTERVENE-3D"
    if case.phase == "aftersale":
        return policy.after_sale_intervention_after, "AFTER-7D-INTERVENE"
    return None, "RET-REFUSE"


def _intervention_opens(case: Case, policy: Policy, at: pendulum.DateTime) -> Result:
    wait, rule = _opens_after(case, policy)
    available = at
    if wait is not None:
        available = max(at, deadline_after(case.opened_at, wait, policy.calendar, policy.tz))
    available = available.in_timezone(policy.tz)
    return {"intervention_available_from": available}, (InterventionAvailable(available, rule),)


def _refused(case: Case, event: Event | None, policy: Policy, at: pendulum.DateTime) -> Result:
    assert isinstance(event, SellerRefused)
    changes, effects = _intervention_opens(case, policy, at)
    changes["refusal_reason"] = event.reason
    if event.evidence:
        changes["evidence"] = (
            *case.evidence,
            *(Evidence(at, Party.SELLER, "refusal", note) for note in event.evidence),
        )
    return changes, (*effects, NotifyBuyer("refund/refused.txt", "RET-REFUSE"))


def _not_returned(case: Case, _e: Event | None, policy: Policy, at: pendulum.DateTime) -> Result:
    """RET-EXPRESS: the goods never came back; the seller may appeal at once."""
    changes, effects = _intervention_opens(case, policy, at)
    return changes, effects


def _leave_waiting_for_intervention(
    _c: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime
) -> Result:
    return {"intervention_available_from": None}, ()


def _return_shipped(_c: Case, event: Event | None, _p: Policy, at: pendulum.DateTime) -> Result:
    assert isinstance(event, BuyerShippedReturn)
    shipment = ReturnShipment(
        at=at, carrier=event.carrier, tracking=event.tracking, surface_mail=event.surface_mail
    )
    return {"return_shipment": shipment}, ()


def _delivery_refused(_c: Case, _e: Event | None, _p: Policy, at: pendulum.DateTime) -> Result:
    return {"return_shipment": ReturnShipment(at=at, refused_delivery=True)}, ()


def check_amount(case_id: str, amount: Money, refundable: Money) -> None:
    """A request asks for more than zero and at most what is left to refund."""
    if not amount.amount:
        raise InvalidInput(f"case {case_id}: the requested amount must be more than 0.00")
    if amount.amount > refundable.amount:
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


def _intervention_requested(
    _c: Case, _e: Event | None, _p: Policy, at: pendulum.DateTime
) -> Result:
    return {"intervention_requested_at": at}, (
        NotifyBuyer("intervention/evidence_request.txt", "INT-EVIDENCE-3D"),
    )


def _evidence(case: Case, event: Event | None, _p: Policy, at: pendulum.DateTime) -> Result:
    assert isinstance(event, EvidenceSubmitted)
    item = Evidence(at, Party(event.party), event.kind, event.note)
    return {"evidence": (*case.evidence, item)}, ()


def _message(case: Case, event: Event | None, _p: Policy, at: pendulum.DateTime) -> Result:
    assert isinstance(event, MessageLeft)
    return {"messages": (*case.messages, CaseMessage(at, Party(event.party), event.text))}, ()


def _ruling(event: Event | None, at: pendulum.DateTime) -> Ruling:
    assert isinstance(event, PlatformRuled)
    favours = Party(event.favours)
    liable = event.seller_liable if event.seller_liable is not None else favours is Party.BUYER
    return Ruling(at=at, favours=favours, mode=Mode(event.mode), seller_liable=liable)


def _ruled_for_buyer(
    case: Case, event: Event | None, policy: Policy, at: pendulum.DateTime
) -> Result:
    """INT-OUTCOME: the platform refunds the buyer itself; a dispute refund (INT-DISPUTE)."""
    ruling = _ruling(event, at)
    changes, effects = refund("INT-OUTCOME", by=Party.PLATFORM)(case, event, policy, at)
    return {**changes, "ruling": ruling}, (RulingMade(ruling), *effects)


def _ruled_for_seller(case: Case, event: Event | None, _p: Policy, at: pendulum.DateTime) -> Result:
    ruling = _ruling(event, at)
    return {"ruling": ruling}, (
        RulingMade(ruling),
        RequestClosed("the platform ruled for the seller", "INT-OUTCOME"),
    )


def _mark_overdue(case: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
    assert case.deadline is not None
    return {"overdue": case.deadline}, (RulingOverdue(case.deadline),)


def _clear_overdue(_c: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
    return {"overdue": None}, ()


def _resent(_c: Case, event: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
    assert isinstance(event, SellerResent)
    return {}, (NotifyBuyer("exchange/resent.txt", "RET-EXCHANGE"),)


# Express refund: the platform pays first, the seller repays when the goods come back.


def _express_advance(case: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
    return {"refunded": case.requested}, (
        BuyerRefunded(case.requested, Party.PLATFORM, "RET-EXPRESS"),
        NotifyBuyer("refund/done.txt", "RET-EXPRESS"),
    )


def _express_charge(rule: str) -> Action:
    def action(case: Case, _e: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
        return {"charged_to_seller": case.refunded}, (SellerCharged(case.refunded, rule),)

    return action


def _express_ruled_for_buyer(
    case: Case, event: Event | None, policy: Policy, at: pendulum.DateTime
) -> Result:
    ruling = _ruling(event, at)
    changes, effects = _express_charge("INT-OUTCOME")(case, event, policy, at)
    return {**changes, "ruling": ruling}, (RulingMade(ruling), *effects)


def _express_appeal_upheld(
    _c: Case, event: Event | None, _p: Policy, at: pendulum.DateTime
) -> Result:
    """RET-EXPRESS: the appeal succeeded; the money is not taken from the seller."""
    ruling = _ruling(event, at)
    return {"ruling": ruling}, (RulingMade(ruling),)


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


def _intervention_open(case: Case, event: Event, _p: Policy) -> str | None:
    available = case.intervention_available_from
    if available is not None and event.at >= available:
        return None
    when = "" if available is None else f" before {available.isoformat()}"
    return f"intervention cannot be requested{when}"


def _by(party: str) -> Callable[[Case, Event, Policy], str | None]:
    def check(_c: Case, event: Event, _p: Policy) -> str | None:
        actual = getattr(event, "party", None) or getattr(event, "favours", None)
        return None if actual == party else f"only the {party} can do this here"

    return check


REFUSE_ALLOWED = Guard("refuse allowed (REFUSE-LIMITS)", _refuse_allowed)
MODIFY_RESTARTS = Guard("modify restarts timer", _restarts)
MODIFY_KEEPS = Guard("modify keeps timer", _keeps)
NOT_SIGNED = Guard("parcel not signed", _not_signed)
INTERVENTION_OPEN = Guard("intervention open", _intervention_open)
BUYER = Guard("by the buyer", _by("buyer"))
SELLER = Guard("by the seller", _by("seller"))
FOR_BUYER = Guard("for the buyer", _by("buyer"))
FOR_SELLER = Guard("for the seller", _by("seller"))


# -- shared pieces -----------------------------------------------------------------------


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


def _intervention_rows(
    entries: tuple[State, ...],
    *,
    for_buyer: Action,
    for_seller: tuple[State, Action],
    accept: Action,
    settle: Action | None,
    cancel: bool = True,
) -> tuple[Row, ...]:
    """Customer-service intervention, a sub-machine entered from ``entries``."""
    seller_target, seller_action = for_seller
    rows = [
        Row(
            source=state,
            event="intervention_requested",
            target=S.INTERVENTION_EVIDENCE,
            rule="INT-EVIDENCE-3D",
            guard=INTERVENTION_OPEN,
            action=_intervention_requested,
        )
        for state in entries
    ]
    rows += [
        Row(
            source=S.INTERVENTION_EVIDENCE,
            event="evidence_submitted",
            target=S.INTERVENTION_SELLER_CONFIRM,
            rule="INT-CONFIRM-24H",
            guard=BUYER,
            action=_evidence,
        ),
        Row(
            source=S.INTERVENTION_EVIDENCE,
            event="evidence_submitted",
            target=S.INTERVENTION_EVIDENCE,
            rule="INT-EVIDENCE-3D",
            guard=SELLER,
            action=_evidence,
            timer="keep",
        ),
        Row(
            source=S.INTERVENTION_SELLER_CONFIRM,
            event="evidence_submitted",
            target=S.INTERVENTION_SELLER_CONFIRM,
            rule="INT-CONFIRM-24H",
            action=_evidence,
            timer="keep",
        ),
        Row(
            source=S.INTERVENTION_SELLER_CONFIRM,
            event="seller_accepted_evidence",
            target=S.SUCCESS,
            rule="INT-CONFIRM-24H",
            action=accept,
        ),
    ]
    for state in _INTERVENTION:
        rows += [
            Row(
                source=state,
                event="message_left",
                target=state,
                rule="INT-MESSAGE",
                action=_message,
                timer="keep",
            ),
            Row(
                source=state,
                event="platform_ruled",
                target=S.SUCCESS,
                rule="INT-OUTCOME",
                guard=FOR_BUYER,
                action=for_buyer,
            ),
            Row(
                source=state,
                event="platform_ruled",
                target=seller_target,
                rule="INT-OUTCOME",
                guard=FOR_SELLER,
                action=seller_action,
            ),
        ]
        if settle is not None:
            rows.append(
                Row(
                    source=state,
                    event="seller_agreed",
                    target=S.SUCCESS,
                    rule="INT-AVOID",
                    action=settle,
                )
            )
        if cancel:
            rows.append(
                Row(
                    source=state,
                    event="buyer_cancelled",
                    target=S.CLOSED,
                    rule="INT-OUTCOME",
                    action=close("buyer withdrew the intervention", "INT-OUTCOME"),
                )
            )
    return tuple(rows)


_INTERVENTION_TIMERS: Mapping[State, Timer] = {
    S.INTERVENTION_EVIDENCE: Timer(
        name="evidence",
        waits_for=Party.BOTH,
        length=fixed("int_evidence"),
        fields=("int_evidence",),
        on_expiry="review",
        target=S.INTERVENTION_REVIEW,
        rule="INT-EVIDENCE-3D",
    ),
    S.INTERVENTION_SELLER_CONFIRM: Timer(
        name="seller_accept_evidence",
        waits_for=Party.SELLER,
        length=fixed("int_seller_confirm"),
        fields=("int_seller_confirm",),
        on_expiry="review",
        target=S.INTERVENTION_REVIEW,
        rule="INT-CONFIRM-24H",
    ),
    S.INTERVENTION_REVIEW: Timer(
        name="platform_review",
        waits_for=Party.PLATFORM,
        length=fixed("int_review"),
        fields=("int_review",),
        on_expiry="flag_overdue",
        target=S.INTERVENTION_OVERDUE,
        rule="INT-REVIEW-4WD",
        action=_mark_overdue,
    ),
}


def _seller_response(case: Case, _p: Policy) -> str:
    if case.phase == "aftersale":
        return "after_sale_seller_response"
    if case.kind is Kind.REFUND_ONLY and not case.order.signed_by(case.opened_at):
        return "only_not_received_response"
    return "ret_seller_response"


def _seller_response_timer(on_expiry: str, target: State, rule: str, action: Action) -> Timer:
    return Timer(
        name="seller_response",
        waits_for=Party.SELLER,
        length=_seller_response,
        fields=("ret_seller_response", "only_not_received_response", "after_sale_seller_response"),
        on_expiry=on_expiry,
        target=target,
        rule=rule,
        aftersale_rule="AFTER-AUTO-AGREE",
        action=action,
    )


def _once_intervention_opens(case: Case, refused_at: pendulum.DateTime) -> pendulum.DateTime:
    """REFUSED-BUYER-7D with AFTER-7D-INTERVENE and PRE-INTERVENE-3D: the buyer's window
    after a refusal counts from the moment intervention is open to them.

    A refusal can come before intervention opens (an after-sale request refused on its
    first day, with intervention only from the 7th). Counting from the refusal, the
    request would close before the buyer could ever ask the platform (5 days in the
    current schedule); the window exists for the buyer to modify or escalate, so it
    starts when both are possible.
    """
    available = case.intervention_available_from
    return refused_at if available is None or available <= refused_at else available


_REFUSED_TIMER = Timer(
    name="buyer_response",
    waits_for=Party.BUYER,
    length=fixed("refused_buyer_window"),
    fields=("refused_buyer_window",),
    on_expiry="close",
    target=S.CLOSED,
    rule="REFUSED-BUYER-7D",
    action=close("buyer did not act after the refusal", "REFUSED-BUYER-7D"),
    starts=_once_intervention_opens,
)


def _confirm_timer(on_expiry: str, action: Action) -> Timer:
    return Timer(
        name="seller_confirm_receipt",
        waits_for=Party.SELLER,
        length=lambda case, _p: (
            "ret_seller_confirm_surface"
            if case.return_shipment is not None and case.return_shipment.surface_mail
            else "ret_seller_confirm"
        ),
        fields=("ret_seller_confirm", "ret_seller_confirm_surface"),
        on_expiry=on_expiry,
        target=S.SUCCESS,
        rule="RET-CONFIRM-10D",
        action=action,
    )


_CONFIRM_TIMER = _confirm_timer("refund", refund("RET-CONFIRM-10D"))
_WAITING_FOR_INTERVENTION = {
    S.SELLER_REFUSE_BUYER: _leave_waiting_for_intervention,
    S.EXPRESS_NOT_RETURNED: _leave_waiting_for_intervention,
    S.INTERVENTION_OVERDUE: _clear_overdue,
}
_FINAL = frozenset({S.CLOSED, S.SUCCESS})


def _notifies(*names: str) -> frozenset[str]:
    """The templates a table's ``NotifyBuyer`` effects name, declared as data for
    ``aftersales.messages``: every case opens with ``refund/received.txt`` and every
    table has the intervention rows, which ask for evidence."""
    return frozenset({"refund/received.txt", "intervention/evidence_request.txt", *names})


_STANDARD_INTERVENTION = _intervention_rows(
    (S.SELLER_REFUSE_BUYER,),
    for_buyer=_ruled_for_buyer,
    for_seller=(S.CLOSED, _ruled_for_seller),
    accept=refund("INT-CONFIRM-24H"),
    settle=refund("INT-AVOID"),
)


# -- the workflows -----------------------------------------------------------------------

REFUND_BEFORE_SHIPMENT = Workflow(
    kind=Kind.REFUND_BEFORE_SHIPMENT,
    initial=S.WAIT_SELLER_AGREE,
    final=_FINAL,
    on_exit=_WAITING_FOR_INTERVENTION,
    waits={S.INTERVENTION_OVERDUE: Party.PLATFORM},
    templates=_notifies("refund/done.txt", "refund/refused.txt"),
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
        *_STANDARD_INTERVENTION,
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
        **_INTERVENTION_TIMERS,
    },
)


REFUND_ONLY = Workflow(
    kind=Kind.REFUND_ONLY,
    initial=S.WAIT_SELLER_AGREE,
    final=_FINAL,
    on_exit=_WAITING_FOR_INTERVENTION,
    waits={S.INTERVENTION_OVERDUE: Party.PLATFORM},
    templates=_notifies("refund/done.txt", "refund/refused.txt"),
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
        *_STANDARD_INTERVENTION,
    ),
    timers={
        S.WAIT_SELLER_AGREE: _seller_response_timer(
            "refund", S.SUCCESS, "RET-AUTO-AGREE", refund("RET-AUTO-AGREE")
        ),
        S.WAIT_SELLER_CONFIRM_GOODS: _CONFIRM_TIMER,
        S.SELLER_REFUSE_BUYER: _REFUSED_TIMER,
        **_INTERVENTION_TIMERS,
    },
)


_RETURN_ROWS = (
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
    *_STANDARD_INTERVENTION,
)

_RETURN_TIMERS: Mapping[State, Timer] = {
    S.WAIT_SELLER_AGREE: _seller_response_timer(
        "agree_return", S.WAIT_BUYER_RETURN_GOODS, "RET-AUTO-AGREE", agree_return("RET-AUTO-AGREE")
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
    S.SELLER_REFUSE_BUYER: _REFUSED_TIMER,
    **_INTERVENTION_TIMERS,
}

RETURN_AND_REFUND = Workflow(
    kind=Kind.RETURN_AND_REFUND,
    initial=S.WAIT_SELLER_AGREE,
    final=_FINAL,
    on_exit=_WAITING_FOR_INTERVENTION,
    waits={S.INTERVENTION_OVERDUE: Party.PLATFORM},
    templates=_notifies("refund/done.txt", "refund/refused.txt", "return/agreed.txt"),
    rows=(
        *_RETURN_ROWS,
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_confirmed_receipt",
            target=S.SUCCESS,
            rule="RET-CONFIRM-10D",
            action=refund("RET-CONFIRM-10D"),
        ),
    ),
    timers={**_RETURN_TIMERS, S.WAIT_SELLER_CONFIRM_GOODS: _CONFIRM_TIMER},
)


EXCHANGE = Workflow(
    kind=Kind.EXCHANGE,
    initial=S.WAIT_SELLER_AGREE,
    final=_FINAL,
    on_exit=_WAITING_FOR_INTERVENTION,
    waits={S.INTERVENTION_OVERDUE: Party.PLATFORM},
    templates=_notifies(
        "refund/done.txt", "refund/refused.txt", "return/agreed.txt", "exchange/resent.txt"
    ),
    rows=(
        *_RETURN_ROWS,
        Row(
            source=S.WAIT_SELLER_AGREE,
            event="seller_resent",
            target=S.EXCHANGE_RESENT,
            rule="RET-EXCHANGE",
            action=_resent,
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_resent",
            target=S.EXCHANGE_RESENT,
            rule="RET-EXCHANGE",
            action=_resent,
        ),
        Row(
            source=S.EXCHANGE_RESENT,
            event="buyer_confirmed_receipt",
            target=S.SUCCESS,
            rule="RET-EXCHANGE",
        ),
    ),
    timers={
        **_RETURN_TIMERS,
        S.WAIT_SELLER_CONFIRM_GOODS: _CONFIRM_TIMER,
        S.EXCHANGE_RESENT: Timer(
            name="buyer_confirm_receipt",
            waits_for=Party.BUYER,
            length=fixed("exchange_buyer_confirm"),
            fields=("exchange_buyer_confirm",),
            on_expiry="confirm_receipt",
            target=S.SUCCESS,
            rule="TRADE-AUTO-CONFIRM",
        ),
    },
)


_EXPRESS_CHARGE = _express_charge("RET-EXPRESS")

EXPRESS_REFUND = Workflow(
    kind=Kind.EXPRESS_REFUND,
    initial=S.WAIT_BUYER_RETURN_GOODS,
    # the buyer has the money from the start: every path ends in SUCCESS
    final=frozenset({S.SUCCESS}),
    on_open=_express_advance,
    on_exit=_WAITING_FOR_INTERVENTION,
    waits={S.INTERVENTION_OVERDUE: Party.PLATFORM},
    templates=_notifies("refund/done.txt", "refund/refused.txt"),
    rows=(
        Row(
            source=S.WAIT_BUYER_RETURN_GOODS,
            event="buyer_shipped_return",
            target=S.WAIT_SELLER_CONFIRM_GOODS,
            rule="RET-BUYER-SHIPS",
            action=_return_shipped,
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_confirmed_receipt",
            target=S.SUCCESS,
            rule="RET-EXPRESS",
            action=_EXPRESS_CHARGE,
        ),
        Row(
            source=S.EXPRESS_NOT_RETURNED,
            event="seller_confirmed_receipt",
            target=S.SUCCESS,
            rule="RET-EXPRESS",
            action=_EXPRESS_CHARGE,
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_refused",
            target=S.SELLER_REFUSE_BUYER,
            rule="RET-EXPRESS",
            action=_refused,
        ),
        *_intervention_rows(
            (S.SELLER_REFUSE_BUYER, S.EXPRESS_NOT_RETURNED),
            for_buyer=_express_ruled_for_buyer,
            for_seller=(S.SUCCESS, _express_appeal_upheld),
            accept=_express_charge("INT-CONFIRM-24H"),
            settle=None,
            cancel=False,
        ),
    ),
    timers={
        S.WAIT_BUYER_RETURN_GOODS: Timer(
            name="buyer_return_shipment",
            waits_for=Party.BUYER,
            length=fixed("ret_buyer_ship_window"),
            fields=("ret_buyer_ship_window",),
            on_expiry="seller_may_appeal",
            target=S.EXPRESS_NOT_RETURNED,
            rule="RET-EXPRESS",
            action=_not_returned,
        ),
        S.WAIT_SELLER_CONFIRM_GOODS: _confirm_timer("charge_seller", _EXPRESS_CHARGE),
        S.EXPRESS_NOT_RETURNED: Timer(
            name="seller_appeal",
            waits_for=Party.SELLER,
            length=fixed("express_appeal_window"),
            fields=("express_appeal_window",),
            on_expiry="charge_seller",
            target=S.SUCCESS,
            rule="RET-EXPRESS",
            action=_EXPRESS_CHARGE,
        ),
        S.SELLER_REFUSE_BUYER: Timer(
            name="seller_appeal",
            waits_for=Party.SELLER,
            length=fixed("express_appeal_window"),
            fields=("express_appeal_window",),
            on_expiry="charge_seller",
            target=S.SUCCESS,
            rule="RET-EXPRESS",
            action=_EXPRESS_CHARGE,
        ),
        **_INTERVENTION_TIMERS,
    },
)


# Quality claims (QUAL-3D): photos first, then the shop's remedy.


def _discount(case: Case, event: Event | None, _p: Policy, _at: pendulum.DateTime) -> Result:
    assert isinstance(event, SellerResolved)
    assert event.amount is not None
    check_amount(case.id, event.amount, case.item.refundable)
    amount = event.amount
    changes: Changes = {
        "remedy": "discount",
        "requested": amount,
        "refunded": amount,
        "charged_to_seller": amount,
    }
    return changes, (
        BuyerRefunded(amount, Party.SELLER, "QUAL-3D"),
        NotifyBuyer("quality/discount.txt", "QUAL-3D"),
    )


def _remedy(case: Case, event: Event | None, policy: Policy, at: pendulum.DateTime) -> Result:
    assert isinstance(event, SellerResolved)
    changes, effects = agree_return("QUAL-3D")(case, event, policy, at)
    cost = event.shop_cost if event.shop_cost is not None else Money.ZERO
    return {**changes, "remedy": event.remedy, "shop_cost": cost}, effects


def _ask_goods_back(
    case: Case, event: Event | None, policy: Policy, at: pendulum.DateTime
) -> Result:
    """QUAL-3D: no photos came; the goods come back for inspection."""
    changes, effects = agree_return("QUAL-3D")(case, event, policy, at)
    return {**changes, "remedy": "inspect"}, effects


def _remedy_is(*remedies: str | None) -> Guard:
    def check(case: Case, event: Event, _p: Policy) -> str | None:
        chosen = event.remedy if isinstance(event, SellerResolved) else case.remedy
        return None if chosen in remedies else f"the remedy is {chosen}"

    names = "/".join("none" if r is None else r for r in remedies)
    return Guard(f"remedy {names}", check)


QUALITY_CLAIM = Workflow(
    kind=Kind.QUALITY_CLAIM,
    initial=S.QUALITY_WAIT_PHOTOS,
    final=_FINAL,
    on_exit=_WAITING_FOR_INTERVENTION,
    waits={S.INTERVENTION_OVERDUE: Party.PLATFORM},
    templates=_notifies(
        "refund/done.txt",
        "refund/refused.txt",
        "return/agreed.txt",
        "exchange/resent.txt",
        "quality/discount.txt",
    ),
    rows=(
        Row(
            source=S.QUALITY_WAIT_PHOTOS,
            event="evidence_submitted",
            target=S.QUALITY_VERIFY,
            rule="QUAL-3D",
            guard=BUYER,
            action=_evidence,
        ),
        Row(
            source=S.QUALITY_VERIFY,
            event="evidence_submitted",
            target=S.QUALITY_VERIFY,
            rule="QUAL-3D",
            action=_evidence,
            timer="keep",
        ),
        Row(
            source=S.QUALITY_VERIFY,
            event="seller_resolved",
            target=S.SUCCESS,
            rule="QUAL-3D",
            guard=_remedy_is("discount"),
            action=_discount,
        ),
        Row(
            source=S.QUALITY_VERIFY,
            event="seller_resolved",
            target=S.WAIT_BUYER_RETURN_GOODS,
            rule="QUAL-3D",
            guard=_remedy_is("return", "exchange", "repair"),
            action=_remedy,
        ),
        Row(
            source=S.QUALITY_VERIFY,
            event="seller_refused",
            target=S.SELLER_REFUSE_BUYER,
            rule="RET-REFUSE",
            action=_refused,
        ),
        *(
            Row(
                source=state,
                event="buyer_cancelled",
                target=S.CLOSED,
                rule="PRE-APPLY",
                action=close("buyer cancelled the request", "PRE-APPLY"),
            )
            for state in (S.QUALITY_WAIT_PHOTOS, S.QUALITY_VERIFY)
        ),
        *_RETURN_ROWS,
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_confirmed_receipt",
            target=S.SUCCESS,
            rule="QUAL-3D",
            guard=_remedy_is(None, "return", "inspect"),
            action=refund("QUAL-3D"),
        ),
        Row(
            source=S.WAIT_SELLER_CONFIRM_GOODS,
            event="seller_resent",
            target=S.EXCHANGE_RESENT,
            rule="QUAL-3D",
            guard=_remedy_is("exchange", "repair"),
            action=_resent,
        ),
        Row(
            source=S.EXCHANGE_RESENT,
            event="buyer_confirmed_receipt",
            target=S.SUCCESS,
            rule="RET-EXCHANGE",
        ),
    ),
    timers={
        **_RETURN_TIMERS,
        S.QUALITY_WAIT_PHOTOS: Timer(
            name="buyer_photos",
            waits_for=Party.BUYER,
            length=fixed("quality_photo_window"),
            fields=("quality_photo_window",),
            on_expiry="ask_goods_back",
            target=S.WAIT_BUYER_RETURN_GOODS,
            rule="QUAL-3D",
            action=_ask_goods_back,
        ),
        S.QUALITY_VERIFY: _seller_response_timer(
            "agree_return",
            S.WAIT_BUYER_RETURN_GOODS,
            "RET-AUTO-AGREE",
            agree_return("RET-AUTO-AGREE"),
        ),
        S.WAIT_SELLER_CONFIRM_GOODS: _CONFIRM_TIMER,
        S.EXCHANGE_RESENT: EXCHANGE.timers[S.EXCHANGE_RESENT],
    },
)


WORKFLOWS: Mapping[Kind, Workflow] = MappingProxyType(
    {
        wf.kind: wf
        for wf in (
            REFUND_BEFORE_SHIPMENT,
            REFUND_ONLY,
            RETURN_AND_REFUND,
            EXCHANGE,
            EXPRESS_REFUND,
            QUALITY_CLAIM,
        )
    }
)
