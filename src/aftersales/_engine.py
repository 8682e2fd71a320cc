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
from typing import Any

import pendulum

from ._case import (
    PLATFORM_STATUS,
    Case,
    Deadline,
    Kind,
    RefundRequested,
    State,
    Status,
    Transition,
    evolve_case,
)
from ._duration import deadline_after
from ._effects import DeadlineStarted, Effect, NotifyBuyer
from ._errors import IllegalEvent, InvalidInput, OutOfOrderEvent, RequestNotAllowed
from ._events import Event
from ._instant import instant
from ._machine import Row, Timer, Workflow
from ._policy import Policy
from ._workflows import WORKFLOWS, check_amount

__all__ = ["advance", "open_case", "replay", "step", "workflow_of"]

Step = tuple[Case, tuple[Effect, ...]]


def workflow_of(case: Case) -> Workflow:
    return WORKFLOWS[case.kind]


#: What every new case tells the buyer; a value, made once.
_RECEIVED: tuple[Effect, ...] = (NotifyBuyer("refund/received.txt", "PRE-APPLY"),)


def open_case(request: RefundRequested, policy: Policy, *, earlier: Iterable[Case] = ()) -> Step:
    """Open a case from the buyer's request (PRE-APPLY).

    ``earlier`` are the order's earlier cases, if the caller has them: an order's
    after-sale entry can be used once (AFTER-ONCE).
    """
    _check_request(request, policy, earlier)
    at = request.at
    item = request.order.item(request.oid)
    workflow = WORKFLOWS[request.kind]
    case = Case(
        id=request.case_id,
        kind=request.kind,
        order=request.order,
        oid=item.oid,
        state=workflow.initial,
        status=_platform(workflow.initial, None),
        requested=request.amount,
        reason=request.reason,
        opened_at=at,
        changed_at=at,
        history=(
            Transition(
                at, State.NO_REFUND, workflow.initial, request.type, "PRE-APPLY", request.id
            ),
        ),
        log=(request,),
    )
    effects: tuple[Effect, ...] = _RECEIVED
    changes: dict[str, Any] = {"deadline": _deadline(workflow, case, policy, at)}
    if workflow.on_open is not None:
        more, out = workflow.on_open(case, None, policy, at)
        changes.update(more)
        effects += out
    case = evolve_case(case, changes)
    if case.deadline is not None:
        effects += (DeadlineStarted(case.deadline),)
    return case, effects


def _check_request(request: RefundRequested, policy: Policy, earlier: Iterable[Case]) -> None:
    order, at, kind, case_id = request.order, request.at, request.kind, request.case_id
    if at < order.paid_at:
        raise InvalidInput(f"case {case_id}: requested before the order was paid")
    if kind is Kind.REFUND_BEFORE_SHIPMENT and order.shipped_by(at):
        raise InvalidInput(
            f"case {case_id}: order {order.id} shipped at {order.shipped_at}; a refund "
            "before shipment needs an unshipped order (use refund_only or return_and_refund)"
        )
    if kind is Kind.REFUND_ONLY and not order.shipped_by(at):
        raise InvalidInput(
            f"case {case_id}: order {order.id} has not shipped; use refund_before_shipment"
        )
    if kind in _NEEDS_GOODS and not order.signed_by(at):
        raise InvalidInput(
            f"case {case_id}: {kind.value} needs a parcel signed for (RET-RESPOND-5D); "
            "before signing the buyer refuses delivery and asks for a refund only (RET-REJECT)"
        )
    if kind is Kind.QUALITY_CLAIM and order.signed_at is not None:
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
    check_amount(case_id, request.amount, order.item(request.oid).refundable)


_NEEDS_GOODS = frozenset(
    {Kind.RETURN_AND_REFUND, Kind.EXCHANGE, Kind.EXPRESS_REFUND, Kind.QUALITY_CLAIM}
)


def step(case: Case, event: Event, policy: Policy) -> Step:
    """Apply one event; timers due by the event's time fire first."""
    if case.has_seen(event.id):
        return case, ()
    if event.at < case.changed_at:
        raise OutOfOrderEvent(
            case_id=case.id,
            event_id=event.id,
            at=event.at.isoformat(),
            last_change=case.changed_at.isoformat(),
        )
    deadline = case.deadline
    fired: tuple[Effect, ...] = ()
    if deadline is not None and deadline.due <= event.at:
        case, fired = advance(case, event.at, policy)
    workflow = WORKFLOWS[case.kind]
    rows = workflow.dispatch.get((case.state, event.type))
    if rows is None:
        raise IllegalEvent(
            case_id=case.id,
            state=case.state.value,
            event_type=event.type,
            allowed=workflow.allowed.get(case.state, ()),
        )
    reasons = []
    for row in rows:
        why = None if row.guard is None else row.guard.check(case, event, policy)
        if why is None:
            case, effects = _transition(workflow, case, row, event, policy, event.at)
            return case, fired + effects
        reasons.append(why)
    raise IllegalEvent(
        case_id=case.id,
        state=case.state.value,
        event_type=event.type,
        allowed=workflow.allowed.get(case.state, ()),
        reason="; ".join(reasons),
    )


def advance(case: Case, now: pendulum.DateTime, policy: Policy) -> Step:
    """Fire every timer due at or before ``now``, in order."""
    now = instant(now)
    effects: tuple[Effect, ...] = ()
    workflow = WORKFLOWS[case.kind]
    while case.deadline is not None and case.deadline.due <= now:
        timer = workflow.timers[case.state]
        case, fired = _transition(workflow, case, timer, None, policy, case.deadline.due)
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


def _platform(state: State, current: Status | None) -> Status:
    status = PLATFORM_STATUS[state]
    if status is not None:
        return status
    assert current is not None, f"{state.value} cannot start a case"
    return current


def _deadline(
    workflow: Workflow, case: Case, policy: Policy, start: pendulum.DateTime
) -> Deadline | None:
    timer = workflow.timers.get(case.state)
    if timer is None:
        return None
    fields = timer.fields
    field = fields[0] if len(fields) == 1 else timer.length(case, policy)
    due = deadline_after(start, getattr(policy, field), policy.calendar, policy.tz)
    return Deadline(timer.name, due, timer.on_expiry, policy.rule_of(field), timer.waits_for)


def _transition(
    workflow: Workflow,
    case: Case,
    how: Row | Timer,
    event: Event | None,
    policy: Policy,
    at: pendulum.DateTime,
) -> Step:
    changes: dict[str, Any] = {}
    effects: tuple[Effect, ...] = ()
    source, target = case.state, how.target
    if target is not source and (exit_action := workflow.on_exit.get(source)) is not None:
        more, out = exit_action(case, event, policy, at)
        changes.update(more)
        effects += out
    if how.action is not None:
        more, out = how.action(case, event, policy, at)
        changes.update(more)
        effects += out
    if event is None:
        assert isinstance(how, Timer)
        rule = how.rule
        if how.aftersale_rule is not None and case.phase == "aftersale":
            rule = how.aftersale_rule
        trigger, event_id = f"timeout:{how.name}", None
    else:
        assert isinstance(how, Row)
        trigger, rule, event_id = event.type, how.rule, event.id
    record = Transition(at, source, target, trigger, rule, event_id)
    changes["state"] = target
    changes["status"] = _platform(target, case.status)
    changes["changed_at"] = at
    changes["history"] = (*case.history, record)
    if event is not None:
        changes["log"] = (*case.log, event)
    case = evolve_case(case, changes)
    if isinstance(how, Row) and how.timer == "keep":
        return case, effects
    deadline = _deadline(workflow, case, policy, at)
    # The new case has not left this function yet: setting its deadline in place
    # saves building it twice on every transition (see docs/performance.md).
    object.__setattr__(case, "deadline", deadline)
    if deadline is not None:
        effects += (DeadlineStarted(deadline),)
    return case, effects
