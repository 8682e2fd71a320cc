"""Static checks of the workflow tables."""

from __future__ import annotations

import pytest

from aftersales import Kind, State
from aftersales.core import WORKFLOWS, Workflow, check_workflow
from aftersales.core._machine import Row, Timer
from aftersales.core._serialize import ALL_EVENT_TYPES


@pytest.mark.parametrize("kind", list(Kind))
def test_workflow_tables_are_sound(kind: Kind) -> None:
    assert check_workflow(WORKFLOWS[kind], ALL_EVENT_TYPES) == []


def test_the_check_catches_a_state_with_no_deadline_and_an_unreachable_state() -> None:
    broken = Workflow(
        kind=Kind.REFUND_ONLY,
        initial=State.WAIT_SELLER_AGREE,
        final=frozenset({State.SUCCESS}),
        rows=(
            Row(
                source=State.WAIT_SELLER_AGREE,
                event="seller_agreed",
                target=State.SUCCESS,
                rule="NO-SUCH-RULE",
            ),
            Row(
                source=State.SELLER_REFUSE_BUYER,
                event="teleported",
                target=State.SUCCESS,
                rule="RET-REFUSE",
            ),
        ),
        timers={
            State.SUCCESS: Timer(
                name="t",
                waits_for=WORKFLOWS[Kind.REFUND_ONLY].timers[State.WAIT_SELLER_AGREE].waits_for,
                length=lambda _c, _p: "nope",
                fields=("nope",),
                on_expiry="refund",
                target=State.SUCCESS,
                rule="RET-AUTO-AGREE",
            )
        },
    )
    problems = "\n".join(check_workflow(broken, ALL_EVENT_TYPES))
    assert "WAIT_SELLER_AGREE waits with no deadline" in problems
    assert "SELLER_REFUSE_BUYER is unreachable" in problems
    assert "SUCCESS is final but waits" in problems
    assert "unknown rule NO-SUCH-RULE" in problems
    assert "unknown event type" in problems
    assert "unknown policy field nope" in problems


def test_every_waiting_state_names_who_must_act() -> None:
    for workflow in WORKFLOWS.values():
        for state, timer in workflow.timers.items():
            assert state not in workflow.final
            assert timer.waits_for is not None
