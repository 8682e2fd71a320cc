"""Stateful property tests: random events and clock moves never break an invariant."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aftersales import (
    AfterSalesError,
    Case,
    Event,
    Kind,
    RefundRequested,
    State,
    advance,
    open_case,
    preset,
    replay,
    step,
)
from aftersales.testing import CaseStateMachine, check_invariants, event_sequences, refund_requests

TestCaseMachine = CaseStateMachine.TestCase


class RecordingMachine(CaseStateMachine):
    """A shop's subclass: mirrors the engine's refunds in its own ledger."""

    policy_strategy = st.just(preset("tmall"))
    request_strategy = refund_requests(kinds=st.just(Kind.RETURN_AND_REFUND))

    def __init__(self) -> None:
        super().__init__()
        self.ledger: list[str] = []

    def on_step(
        self, before: Case, event: object, after: Case, effects: tuple[object, ...]
    ) -> None:
        self.ledger.extend(type(e).__name__ for e in effects)

    def on_advance(
        self, before: Case, now: object, after: Case, effects: tuple[object, ...]
    ) -> None:
        self.ledger.extend(type(e).__name__ for e in effects)


TestRecordingMachine = RecordingMachine.TestCase


@st.composite
def _case_and_events(draw: st.DrawFn) -> tuple[str, RefundRequested, list[Event]]:
    # The preset's name, not the Policy: a falsifying example stays short enough to read.
    policy = draw(st.sampled_from(["taobao", "taobao-current"]))
    req = draw(refund_requests())
    events = draw(event_sequences(after=req.at, refundable=req.amount))
    return policy, req, events


@given(_case_and_events())
def test_any_event_sequence_keeps_invariants_and_replays(
    scenario: tuple[str, RefundRequested, list[Event]],
) -> None:
    name, req, events = scenario
    policy = preset(name)
    case, _ = open_case(req, policy)
    for event in events:
        try:
            case, _ = step(case, event, policy)
        except AfterSalesError:
            continue
        check_invariants(case, policy)
    case, _ = advance(case, case.changed_at.add(days=60), policy)
    # Every path ends, or waits on the platform's ruling (INT-REVIEW-4WD passed with none):
    # only the platform can end that wait, and the case says so.
    assert case.is_final or (
        case.state is State.INTERVENTION_OVERDUE and case.waiting_for is None and case.overdue
    )
    check_invariants(case, policy)
    assert replay(case.log, policy, until=case.changed_at) == case


@given(_case_and_events(), st.integers(1, 30 * 24))
def test_advancing_in_steps_equals_advancing_at_once(
    scenario: tuple[str, RefundRequested, list[Event]], hours: int
) -> None:
    name, req, _ = scenario
    policy = preset(name)
    case, _ = open_case(req, policy)
    middle = case.changed_at.add(hours=hours // 2)
    end = case.changed_at.add(hours=hours)
    stepwise, _ = advance(advance(case, middle, policy)[0], end, policy)
    at_once, _ = advance(case, end, policy)
    assert stepwise == at_once
