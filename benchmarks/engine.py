"""One return-and-refund workflow, four ways: aftersales, transitions, python-statemachine, dict.

Every contender does the same job on the same event sequences: track the state,
refuse an event the state does not accept, fire the seller's or buyer's timer
when an event arrives after it ran out, compute each new deadline with the
same arithmetic (``deadline_after``: RET-RESPOND-5D, RET-BUYER-SHIPS,
RET-CONFIRM-10D), and keep the event log. Each is written as its own docs show.
The figure is events per second, counting the opening request and a timer
expiry as events.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import pendulum
from statemachine import State as SMState
from statemachine import StateMachine
from transitions import Machine

from aftersales import (
    BuyerShippedReturn,
    Event,
    Kind,
    Order,
    Policy,
    RefundRequested,
    SellerAgreed,
    SellerConfirmedReceipt,
    advance,
    open_case,
    preset,
    step,
)
from aftersales.core import deadline_after

from ._timing import Figure, side_by_side

Script = tuple[RefundRequested, tuple[Event, ...], pendulum.DateTime | None]

POLICY: Policy = preset("taobao")
_TZ = POLICY.tz
_CAL = POLICY.calendar
_WAITS = {
    "WAIT_SELLER_AGREE": (POLICY.ret_seller_response, "WAIT_BUYER_RETURN_GOODS"),
    "WAIT_BUYER_RETURN_GOODS": (POLICY.ret_buyer_ship_window, "CLOSED"),
    "WAIT_SELLER_CONFIRM_GOODS": (POLICY.ret_seller_confirm, "SUCCESS"),
}


def scripts(n: int) -> list[Script]:
    """``n`` cases: half go request, agree, ship, confirm; half end on the seller's 10-day timer."""
    out: list[Script] = []
    start = pendulum.datetime(2026, 3, 2, 10, tz=_TZ)
    for i in range(n):
        t0 = start.add(minutes=17 * i)
        order = Order(
            id=f"40{i:017d}",
            paid="199.00",
            paid_at=t0.subtract(days=10),
            shipped_at=t0.subtract(days=9),
            signed_at=t0.subtract(days=7),
        )
        req = RefundRequested(
            id=f"r{i}",
            at=t0,
            case_id=f"C{i}",
            kind=Kind.RETURN_AND_REFUND,
            order=order,
            amount="199.00",
        )
        agreed = SellerAgreed(id=f"a{i}", at=t0.add(hours=3))
        shipped = BuyerShippedReturn(
            id=f"s{i}", at=t0.add(days=1), carrier="SF", tracking=f"SF{i:010d}"
        )
        if i % 2:
            out.append((req, (agreed, shipped), t0.add(days=12)))
        else:
            confirmed = SellerConfirmedReceipt(id=f"c{i}", at=t0.add(days=4))
            out.append((req, (agreed, shipped, confirmed), None))
    return out


def events_in(batch: Sequence[Script]) -> int:
    return sum(1 + len(evs) + (until is not None) for _, evs, until in batch)


# -- aftersales ---------------------------------------------------------------------------


def run_aftersales(batch: Sequence[Script]) -> int:
    for req, evs, until in batch:
        case, _ = open_case(req, POLICY)
        for event in evs:
            case, _ = step(case, event, POLICY)
        if until is not None:
            case, _ = advance(case, until, POLICY)
        assert case.is_final
    return events_in(batch)


# -- a bare dict-dispatch reducer: the floor -----------------------------------------------

_TABLE = {
    ("WAIT_SELLER_AGREE", "seller_agreed"): "WAIT_BUYER_RETURN_GOODS",
    ("WAIT_BUYER_RETURN_GOODS", "buyer_shipped_return"): "WAIT_SELLER_CONFIRM_GOODS",
    ("WAIT_SELLER_CONFIRM_GOODS", "seller_confirmed_receipt"): "SUCCESS",
}


def _enter(case: dict[str, Any], state: str, at: pendulum.DateTime) -> dict[str, Any]:
    wait = _WAITS.get(state)
    due = None if wait is None else deadline_after(at, wait[0], _CAL, _TZ)
    return {**case, "state": state, "due": due, "changed_at": at}


def _expire(case: dict[str, Any], now: pendulum.DateTime) -> dict[str, Any]:
    while case["due"] is not None and case["due"] <= now:
        case = _enter(case, _WAITS[case["state"]][1], case["due"])
    return case


def _reduce(case: dict[str, Any], event: Event) -> dict[str, Any]:
    case = _expire(case, event.at)
    target = _TABLE.get((case["state"], event.type))
    if target is None:
        raise ValueError(f"{event.type} not allowed in {case['state']}")
    case = _enter(case, target, event.at)
    case["log"] = (*case["log"], event)
    return case


def run_dict(batch: Sequence[Script]) -> int:
    for req, evs, until in batch:
        case = _enter({"id": req.case_id, "log": (req,)}, "WAIT_SELLER_AGREE", req.at)
        for event in evs:
            case = _reduce(case, event)
        if until is not None:
            case = _expire(case, until)
        assert case["state"] in ("SUCCESS", "CLOSED")
    return events_in(batch)


# -- transitions ---------------------------------------------------------------------------


class _Refund:
    """A transitions model: the library adds ``state`` and the trigger methods."""

    state: str
    trigger: Callable[..., bool]
    expire: Callable[..., bool]

    def __init__(self, req: RefundRequested) -> None:
        self.due: pendulum.DateTime | None = None
        self.changed_at = req.at
        self.log: tuple[Event, ...] = (req,)

    def start_timer(self, event: Any) -> None:
        at = event.kwargs["at"]
        wait = _WAITS.get(self.state)
        self.due = None if wait is None else deadline_after(at, wait[0], _CAL, _TZ)
        self.changed_at = at


_MACHINE = Machine(
    model=None,
    states=[*_WAITS, "SUCCESS", "CLOSED"],
    transitions=[
        {
            "trigger": "seller_agreed",
            "source": "WAIT_SELLER_AGREE",
            "dest": "WAIT_BUYER_RETURN_GOODS",
        },
        {
            "trigger": "buyer_shipped_return",
            "source": "WAIT_BUYER_RETURN_GOODS",
            "dest": "WAIT_SELLER_CONFIRM_GOODS",
        },
        {
            "trigger": "seller_confirmed_receipt",
            "source": "WAIT_SELLER_CONFIRM_GOODS",
            "dest": "SUCCESS",
        },
        {"trigger": "expire", "source": "WAIT_SELLER_AGREE", "dest": "WAIT_BUYER_RETURN_GOODS"},
        {"trigger": "expire", "source": "WAIT_BUYER_RETURN_GOODS", "dest": "CLOSED"},
        {"trigger": "expire", "source": "WAIT_SELLER_CONFIRM_GOODS", "dest": "SUCCESS"},
    ],
    initial="WAIT_SELLER_AGREE",
    after_state_change="start_timer",
    send_event=True,
    auto_transitions=False,
)


def _t_expire(model: Any, now: pendulum.DateTime) -> None:
    while model.due is not None and model.due <= now:
        model.expire(at=model.due)


def run_transitions(batch: Sequence[Script]) -> int:
    for req, evs, until in batch:
        model = _Refund(req)
        _MACHINE.add_model(model)
        model.due = deadline_after(req.at, POLICY.ret_seller_response, _CAL, _TZ)
        for event in evs:
            _t_expire(model, event.at)
            model.trigger(event.type, at=event.at)
            model.log = (*model.log, event)
        if until is not None:
            _t_expire(model, until)
        assert model.state in ("SUCCESS", "CLOSED")
        _MACHINE.remove_model(model)
    return events_in(batch)


# -- python-statemachine -------------------------------------------------------------------


class _ReturnMachine(StateMachine):
    """The workflow in python-statemachine's declarative style."""

    wait_seller_agree = SMState(initial=True)
    wait_buyer_return_goods = SMState()
    wait_seller_confirm_goods = SMState()
    success = SMState(final=True)
    closed = SMState(final=True)

    seller_agreed = wait_seller_agree.to(wait_buyer_return_goods)
    buyer_shipped_return = wait_buyer_return_goods.to(wait_seller_confirm_goods)
    seller_confirmed_receipt = wait_seller_confirm_goods.to(success)
    expire = (
        wait_seller_agree.to(wait_buyer_return_goods)
        | wait_buyer_return_goods.to(closed)
        | wait_seller_confirm_goods.to(success)
    )

    def __init__(self, req: RefundRequested) -> None:
        self.due: pendulum.DateTime | None = None
        self.changed_at = req.at
        self.log: tuple[Event, ...] = (req,)
        super().__init__()

    def on_enter_state(self, target: Any, at: pendulum.DateTime | None = None) -> None:
        if at is None:  # the initial state, entered at construction
            at = self.changed_at
        wait = _WAITS.get(str(target.id).upper())
        self.due = None if wait is None else deadline_after(at, wait[0], _CAL, _TZ)
        self.changed_at = at


def _sm_expire(sm: Any, now: pendulum.DateTime) -> None:
    while sm.due is not None and sm.due <= now:
        sm.send("expire", at=sm.due)


def run_statemachine(batch: Sequence[Script]) -> int:
    for req, evs, until in batch:
        sm = _ReturnMachine(req)
        for event in evs:
            _sm_expire(sm, event.at)
            sm.send(event.type, at=event.at)
            sm.log = (*sm.log, event)
        if until is not None:
            _sm_expire(sm, until)
        assert sm.is_terminated
    return events_in(batch)


CONTENDERS: dict[str, Callable[[Sequence[Script]], int]] = {
    "aftersales": run_aftersales,
    "dict reducer": run_dict,
    "transitions": run_transitions,
    "python-statemachine": run_statemachine,
}


def run(*, quick: bool) -> list[Figure]:
    batch = scripts(200)
    repeats = 5 if quick else 15
    rates = side_by_side(
        {name: functools.partial(run, batch) for name, run in CONTENDERS.items()},
        repeats=repeats,
    )
    return [Figure("engine", name, rate, "events/s", repeats) for name, rate in rates.items()]
