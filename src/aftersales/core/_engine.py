"""The pure engine: ``open_case``, ``step``, ``advance`` and ``replay``.

No clock, no I/O, no logging: time comes in on events and as ``advance``'s
``now``; the case and its effects come back as values.

Semantics every workflow shares:

- before an event applies, the case is advanced to the event's time, so a timer
  that ran out first fires first (a timer due exactly at the event's instant has
  run out);
- an event ID the case has seen is a no-op;
- an event older than the case's last change is refused;
- an event the state does not accept raises :class:`IllegalEvent` naming the
  state and the events it allows; nothing is half-applied.
"""

from __future__ import annotations

from collections.abc import Iterable

import pendulum

from ._case import (
    CASE_FIELDS,
    PLATFORM_STATUS,
    Case,
    Deadline,
    Kind,
    OrderItem,
    RefundRequested,
    State,
    Transition,
    evolve_case,
    new_case,
)
from ._duration import deadline_after, is_provisional
from ._effects import DeadlineStarted, Effect, NotifyBuyer
from ._errors import IllegalEvent, InvalidInput, OutOfOrderEvent, RequestNotAllowed
from ._events import Event
from ._instant import instant
from ._machine import Action, Changes, Workflow
from ._policy import RULE_OF, Policy
from ._workflows import WORKFLOWS, check_amount

__all__ = ["advance", "open_case", "replay", "step", "workflow_of"]

Step = tuple[Case, tuple[Effect, ...]]


def workflow_of(case: Case) -> Workflow:
    return WORKFLOWS[case.kind]


# Members read on every request, as module constants: in Python 3.11 looking a member
# up on its Enum class costs as much as a small function call.
_NO_REFUND = State.NO_REFUND
_BEFORE_SHIPMENT = Kind.REFUND_BEFORE_SHIPMENT
_REFUND_ONLY = Kind.REFUND_ONLY
_QUALITY_CLAIM = Kind.QUALITY_CLAIM

#: What every new case tells the buyer; a value, made once.
_RECEIVED: tuple[Effect, ...] = (NotifyBuyer("refund/received.txt", "PRE-APPLY"),)


def open_case(request: RefundRequested, policy: Policy, *, earlier: Iterable[Case] = ()) -> Step:
    """Open a case from the buyer's request (PRE-APPLY).

    ``earlier`` are the order's earlier cases, if the caller has them: an order's
    after-sale entry can be used once (AFTER-ONCE).
    """
    item = _check_request(request, policy, earlier)
    at = request.at
    workflow = WORKFLOWS[request.kind]
    initial = workflow.initial
    status = PLATFORM_STATUS[initial]
    assert status is not None, "check_workflow: an initial state has a platform status"
    case = new_case(
        id=request.case_id,
        kind=request.kind,
        order=request.order,
        oid=item.oid,
        state=initial,
        status=status,
        requested=request.amount,
        reason=request.reason,
        opened_at=at,
        changed_at=at,
        history=(Transition(at, _NO_REFUND, initial, request.type, "PRE-APPLY", request.id),),
        log=(request,),
    )
    effects: tuple[Effect, ...] = _RECEIVED
    if workflow.on_open is not None:
        more, out = workflow.on_open(case, None, policy, at)
        case = evolve_case(case, more)
        effects += out
    deadline = _deadline(workflow, case, policy, at)
    if deadline is not None:
        # Set in place: the new case has not left this function (as in _transition).
        object.__setattr__(case, "deadline", deadline)
        effects += (DeadlineStarted(deadline),)
    return case, effects


def _check_request(request: RefundRequested, policy: Policy, earlier: Iterable[Case]) -> OrderItem:
    """Refuse a request the platform would not take; the sub-order it is about."""
    order, at, kind, case_id = request.order, request.at, request.kind, request.case_id
    if at < order.paid_at:
        raise InvalidInput(f"case {case_id}: requested before the order was paid")
    if kind is _BEFORE_SHIPMENT and order.shipped_by(at):
        raise InvalidInput(
            f"case {case_id}: order {order.id} shipped at {order.shipped_at}; a refund "
            "before shipment needs an unshipped order (use refund_only or return_and_refund)"
        )
    if kind is _REFUND_ONLY and not order.shipped_by(at):
        raise InvalidInput(
            f"case {case_id}: order {order.id} has not shipped; use refund_before_shipment"
        )
    if kind in _NEEDS_GOODS and not order.signed_by(at):
        raise InvalidInput(
            f"case {case_id}: {kind.value} needs a parcel signed for (RET-RESPOND-5D); "
            "before signing the buyer refuses delivery and asks for a refund only (RET-REJECT)"
        )
    if kind is _QUALITY_CLAIM and order.signed_at is not None:
        closes = deadline_after(
            order.signed_at, policy.quality_claim_window, policy.calendar, policy.tz
        )
        if at >= closes:
            raise RequestNotAllowed(
                f"case {case_id}: a quality claim is handled with photos within "
                f"{policy.quality_claim_window} of receipt (until {closes.isoformat()}); "
                "open return_and_refund instead",
                rule="QUAL-3D",
            )
    finished = order.finished_at
    if finished is not None and finished <= at:
        closes = deadline_after(finished, policy.after_sale_window, policy.calendar, policy.tz)
        if at >= closes:
            raise RequestNotAllowed(
                f"case {case_id}: the after-sale entry of order {order.id} closed at "
                f"{closes.in_timezone(policy.tz).isoformat()}, {policy.after_sale_window} after "
                f"the trade succeeded; only negotiation or platform service remain",
                rule="AFTER-15D",
            )
        used = [
            c.id
            for c in earlier
            if c.order.id == order.id and c.phase == "aftersale" and c.id != case_id
        ]
        if used:
            raise RequestNotAllowed(
                f"case {case_id}: order {order.id} already used its after-sale entry "
                f"(case {used[0]}); it can be used once",
                rule="AFTER-ONCE",
            )
    item = order.item(request.oid)
    check_amount(case_id, request.amount, item.refundable)
    return item


_NEEDS_GOODS = frozenset(
    {Kind.RETURN_AND_REFUND, Kind.EXCHANGE, Kind.EXPRESS_REFUND, Kind.QUALITY_CLAIM}
)


def step(case: Case, event: Event, policy: Policy) -> Step:
    """Apply one event; timers due by the event's time fire first."""
    event_id, at = event.id, event.at
    for seen in case.log:
        if seen.id == event_id:
            return case, ()
    if at < case.changed_at:
        raise OutOfOrderEvent(
            case_id=case.id,
            event_id=event_id,
            at=at.isoformat(),
            last_change=case.changed_at.isoformat(),
        )
    deadline = case.deadline
    fired: tuple[Effect, ...] = ()
    if deadline is not None and deadline.due <= at:
        case, fired = advance(case, at, policy)
    workflow = WORKFLOWS[case.kind]
    source = case.state
    rows = workflow.dispatch.get((source, event.type))
    if rows is None:
        raise IllegalEvent(
            case_id=case.id,
            state=source.value,
            event_type=event.type,
            allowed=workflow.allowed.get(source, ()),
        )
    reasons = []
    for row in rows:
        why = None if row.guard is None else row.guard.check(case, event, policy)
        if why is None:
            record = Transition(at, source, row.target, event.type, row.rule, event_id)
            case, effects = _transition(
                workflow, case, record, row.action, event, policy, keep=row.timer == "keep"
            )
            return case, fired + effects if fired else effects
        reasons.append(why)
    raise IllegalEvent(
        case_id=case.id,
        state=source.value,
        event_type=event.type,
        allowed=workflow.allowed.get(source, ()),
        reason="; ".join(reasons),
    )


def advance(case: Case, now: pendulum.DateTime, policy: Policy) -> Step:
    """Fire every timer due at or before ``now``, in order."""
    now = instant(now)
    effects: tuple[Effect, ...] = ()
    workflow = WORKFLOWS[case.kind]
    while (deadline := case.deadline) is not None and deadline.due <= now:
        timer = workflow.timers[case.state]
        rule = timer.rule
        if timer.aftersale_rule is not None and case.phase == "aftersale":
            rule = timer.aftersale_rule
        record = Transition(deadline.due, case.state, timer.target, timer.trigger, rule)
        case, fired = _transition(workflow, case, record, timer.action, None, policy)
        effects += fired
    return case, effects


def replay(log: Iterable[Event], policy: Policy, *, until: pendulum.DateTime | None = None) -> Case:
    """Rebuild a case from its event log (then advance to ``until``, if given).

    ``replay(case.log, policy, until=case.changed_at) == case`` for every case.
    """
    events = iter(log)
    first = next(events, None)
    if not isinstance(first, RefundRequested):
        raise InvalidInput("an event log starts with the refund_requested event that opened it")
    case, _ = open_case(first, policy)
    for event in events:
        case, _ = step(case, event, policy)
    if until is not None:
        case, _ = advance(case, until, policy)
    return case


def _deadline(
    workflow: Workflow, case: Case, policy: Policy, start: pendulum.DateTime
) -> Deadline | None:
    timer = workflow.timers.get(case.state)
    if timer is None:
        return None
    fields = timer.fields
    field = fields[0] if len(fields) == 1 else timer.length(case, policy)
    if timer.starts is not None:
        start = timer.starts(case, start)
    length = getattr(policy, field)
    due = deadline_after(start, length, policy.calendar, policy.tz)
    provisional = is_provisional(start, length, due, policy.calendar)
    return Deadline(timer.name, due, timer.on_expiry, RULE_OF[field], timer.waits_for, provisional)


def _transition(
    workflow: Workflow,
    case: Case,
    record: Transition,
    action: Action | None,
    event: Event | None,
    policy: Policy,
    *,
    keep: bool = False,
) -> Step:
    """Leave ``record.source`` for ``record.target``: exit action, the row's action,
    the history line, and the target state's deadline (unless the row keeps it)."""
    at, source, target = record.at, record.source, record.target
    changes: Changes = {}
    effects: tuple[Effect, ...] = ()
    if target is not source and (exit_action := workflow.on_exit.get(source)) is not None:
        changes, effects = exit_action(case, event, policy, at)
    if action is not None:
        more, out = action(case, event, policy, at)
        changes = {**changes, **more} if changes else more
        effects += out
    if changes and not changes.keys() <= CASE_FIELDS:
        raise TypeError(f"Case has no field {sorted(changes.keys() - CASE_FIELDS)}")
    # A copy and item stores: half the cost of a merge into a new dict.
    values = case.__dict__.copy()
    if changes:
        values.update(changes)
    values["state"] = target
    values["status"] = PLATFORM_STATUS[target] or values["status"]
    values["changed_at"] = at
    values["history"] = (*values["history"], record)
    if event is not None:
        values["log"] = (*values["log"], event)
    case = object.__new__(Case)
    object.__setattr__(case, "__dict__", values)
    if keep:
        return case, effects
    deadline = _deadline(workflow, case, policy, at)
    # The new case has not left this function yet: setting its deadline in place
    # saves building it twice on every transition (see docs/performance.md).
    values["deadline"] = deadline
    if deadline is not None:
        effects += (DeadlineStarted(deadline),)
    return case, effects
