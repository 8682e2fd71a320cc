"""A rule-based state machine over cases, and the invariants it checks."""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ..core._case import Case, Kind, RefundRequested, State
from ..core._effects import BuyerRefunded, Effect, SellerCharged
from ..core._engine import advance, open_case, replay, step
from ..core._errors import IllegalEvent, InvalidInput
from ..core._events import Event
from ..core._money import Money
from ..core._policy import Policy
from ..core._workflows import WORKFLOWS
from .strategies import events, likely_types, policies, refund_requests

__all__ = ["CaseStateMachine", "check_invariants"]


def check_invariants(case: Case, policy: Policy) -> None:
    """Assert what must hold for every case the engine hands back.

    - money is conserved: the buyer never gets more than the sub-order had
      left, the seller is never charged more than the buyer got, and only an
      express refund (RET-EXPRESS) pays the buyer before the seller is charged;
    - time is monotonic: history never goes back, the last change is the last
      transition, and the history has no gaps;
    - a final case has no deadline; every waiting case has exactly one, due
      no earlier than its last change, or names the platform as the one it
      waits for (a ruling overdue);
    - replaying the log gives the same case.
    """
    refundable = case.item.refundable
    assert case.requested <= refundable, f"requested {case.requested} > {refundable}"
    assert case.refunded <= refundable, f"refunded {case.refunded} > refundable {refundable}"
    assert case.charged_to_seller <= case.refunded, "seller charged more than the buyer got"
    assert case.refunded in (Money.ZERO, case.requested)
    if case.kind is Kind.EXPRESS_REFUND:
        assert case.refunded == case.requested, "an express refund pays the buyer at once"
        if not case.is_final:
            assert case.charged_to_seller == Money.ZERO
    else:
        assert case.charged_to_seller == case.refunded
        if case.state is not State.SUCCESS:
            assert case.refunded == Money.ZERO, "refunded without success"
        elif case.history[-1].source is not State.EXCHANGE_RESENT:
            # only goods sent back to the buyer end a case with no money
            assert case.refunded == case.requested, "success without the refund"
    if case.ruling is not None:
        assert case.is_final, "a ruling ends the case"
    times = [t.at for t in case.history]
    assert times == sorted(times), "history goes back in time"
    assert case.changed_at == times[-1]
    for before, after in zip(case.history, case.history[1:], strict=False):
        assert before.target == after.source, "history has a gap"
    assert case.history[-1].target is case.state
    waits = WORKFLOWS[case.kind].waits
    if case.is_final:
        assert case.deadline is None, "a final case still has a deadline"
    elif case.state in waits:
        assert case.deadline is None
        assert case.overdue is not None, "waiting on the platform with no overdue deadline"
    else:
        assert case.deadline is not None, f"{case.state.value} waits with no deadline"
        assert case.deadline.due >= case.changed_at
    assert replay(case.log, policy, until=case.changed_at) == case, "replay differs"


class CaseStateMachine(RuleBasedStateMachine):
    """Drive one case through random events and clock moves.

    Subclass it to test a shop's own code against the engine: override
    :meth:`on_open`, :meth:`on_step`, :meth:`on_rejected` and :meth:`on_advance`
    (they receive the case before and after and the effects), add rules and
    invariants of your own, and set ``policy_strategy`` to pin a policy.
    """

    #: Where policies come from; override with ``st.just(preset("tmall"))`` to pin one.
    policy_strategy: st.SearchStrategy[Policy] = policies()
    #: Where the opening requests come from.
    request_strategy: st.SearchStrategy[RefundRequested] = refund_requests()

    def __init__(self) -> None:
        super().__init__()
        self.policy: Policy
        self.case: Case
        self.now: pendulum.DateTime
        self.refunded_by_effects = Money.ZERO
        self.charged_by_effects = Money.ZERO

    # -- hooks for subclasses -----------------------------------------------------------
    def on_open(self, case: Case, effects: tuple[Effect, ...]) -> None:
        """Called after the case opened."""

    def on_step(self, before: Case, event: Event, after: Case, effects: tuple[Effect, ...]) -> None:
        """Called after an accepted event."""

    def on_rejected(self, case: Case, event: Event, error: Exception) -> None:
        """Called when the engine refused an event; ``case`` is unchanged."""

    def on_advance(
        self, before: Case, now: pendulum.DateTime, after: Case, effects: tuple[Effect, ...]
    ) -> None:
        """Called after the clock moved."""

    # -- rules --------------------------------------------------------------------------
    @initialize(data=st.data())
    def open(self, data: st.DataObject) -> None:
        self.policy = data.draw(self.policy_strategy, label="policy")
        request = data.draw(self.request_strategy, label="request")
        self.case, effects = open_case(request, self.policy)
        self.now = request.at
        self._count(effects)
        self.on_open(self.case, effects)

    @rule(data=st.data())
    def send_event(self, data: st.DataObject) -> None:
        before = self.case
        event = data.draw(
            events(
                after=self.now,
                max_delay=dt.timedelta(days=8),
                refundable=before.item.refundable,
                types=likely_types(before),
            ),
            label="event",
        )
        try:
            after, effects = step(before, event, self.policy)
        except (IllegalEvent, InvalidInput) as error:
            if before.is_final:
                assert isinstance(error, IllegalEvent), "a final case must refuse with IllegalEvent"
            self.on_rejected(before, event, error)
            return
        assert not before.is_final or after is before, "a final case accepted an event"
        assert event.at >= before.changed_at
        self.case, self.now = after, max(self.now, event.at)
        self._count(effects)
        self.on_step(before, event, after, effects)

    @precondition(lambda self: len(self.case.log) > 1)
    @rule(data=st.data())
    def resend_seen_event(self, data: st.DataObject) -> None:
        """Platforms push the same message twice: a seen event ID changes nothing."""
        event = data.draw(st.sampled_from(self.case.log[1:]), label="duplicate")
        after, effects = step(self.case, event, self.policy)
        assert after is self.case
        assert effects == ()

    @rule(hours=st.integers(0, 24 * 12))
    def move_clock(self, hours: int) -> None:
        before = self.case
        now = self.now.add(hours=hours)
        after, effects = advance(before, now, self.policy)
        self.case, self.now = after, now
        self._count(effects)
        self.on_advance(before, now, after, effects)
        # after an advance no timer is overdue
        assert after.deadline is None or after.deadline.due > now

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def engine_invariants(self) -> None:
        check_invariants(self.case, self.policy)

    @invariant()
    def effects_match_money(self) -> None:
        """The money effects a shell acts on add up to what the case says."""
        assert self.refunded_by_effects == self.case.refunded
        if self.case.kind is Kind.EXPRESS_REFUND:
            assert self.charged_by_effects == self.case.charged_to_seller

    def _count(self, effects: tuple[Effect, ...]) -> None:
        for effect in effects:
            if isinstance(effect, BuyerRefunded):
                self.refunded_by_effects = self.refunded_by_effects + effect.amount
            elif isinstance(effect, SellerCharged):
                self.charged_by_effects = self.charged_by_effects + effect.amount
