"""Stateful and property tests across the dispute paths and the after-sale window."""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from aftersales import (
    AfterSalesError,
    Case,
    Event,
    InterventionRequested,
    Kind,
    Order,
    Policy,
    RefundRequested,
    RequestNotAllowed,
    SellerRefused,
    State,
    advance,
    open_case,
    preset,
    step,
)
from aftersales.testing import check_invariants, events, likely_types, money, refund_requests

POLICY = preset("taobao")


class AfterSaleEntryMachine(RuleBasedStateMachine):
    """One finished trade; the buyer keeps trying the after-sale entry (AFTER-ONCE, AFTER-15D)."""

    def __init__(self) -> None:
        super().__init__()
        self.order: Order
        self.cases: list[Case] = []
        self.attempts = 0

    @initialize(
        request=refund_requests(kinds=st.sampled_from([Kind.RETURN_AND_REFUND, Kind.REFUND_ONLY]))
    )
    def finish_the_trade(self, request: RefundRequested) -> None:
        order = request.order
        signed = order.signed_at or order.paid_at.add(days=2)
        shipped = order.shipped_at or order.paid_at.add(days=1)
        self.order = Order(
            id=order.id,
            paid=order.paid,
            paid_at=order.paid_at,
            shipped_at=shipped,
            signed_at=max(signed, shipped),
            finished_at=max(signed, shipped).add(days=1),
            items=order.items,
        )

    @rule(
        days=st.integers(0, 20),
        kind=st.sampled_from([Kind.RETURN_AND_REFUND, Kind.REFUND_ONLY, Kind.EXCHANGE]),
        data=st.data(),
    )
    def try_after_sale(self, days: int, kind: Kind, data: st.DataObject) -> None:
        assert self.order.finished_at is not None
        at = self.order.finished_at.add(days=days, minutes=self.attempts)
        item = self.order.item(self.order.items[0].oid if self.order.items else None)
        amount = data.draw(money(min_value="0.01", max_value=item.refundable))
        self.attempts += 1
        request = RefundRequested(
            id=f"open-{self.attempts}",
            at=at,
            case_id=f"A{self.attempts}",
            kind=kind,
            order=self.order,
            amount=amount,
            oid=item.oid,
        )
        try:
            case, _ = open_case(request, POLICY, earlier=self.cases)
        except RequestNotAllowed as error:
            refusal = error
        else:
            assert days <= 15
            assert case.phase == "aftersale"
            self.cases.append(case)
            return
        assert refusal.rule in ("AFTER-ONCE", "AFTER-15D")
        if refusal.rule == "AFTER-15D":
            assert days >= 15
        else:
            assert self.cases

    @invariant()
    def one_after_sale_request_per_order(self) -> None:
        assert len(self.cases) <= 1


TestAfterSaleEntry = AfterSaleEntryMachine.TestCase


@st.composite
def _in_intervention(draw: st.DrawFn) -> tuple[Policy, Case, list[Event]]:
    """A refused case whose buyer (or, for express refunds, seller) asked for intervention."""
    policy = draw(st.sampled_from([preset("taobao"), preset("tmall")]))
    kinds = st.sampled_from(
        [Kind.REFUND_ONLY, Kind.RETURN_AND_REFUND, Kind.EXCHANGE, Kind.REFUND_BEFORE_SHIPMENT]
    )
    request = draw(refund_requests(kinds=kinds))
    case, _ = open_case(request, policy)
    case, _ = step(case, SellerRefused(id="refused", at=case.opened_at.add(hours=2)), policy)
    assert case.intervention_available_from is not None
    at = max(case.intervention_available_from, case.changed_at)
    case, _ = step(case, InterventionRequested(id="asked", at=at), policy)
    assert case.state is State.INTERVENTION_EVIDENCE
    later: list[Event] = []
    now = case.changed_at
    probe = case
    for i in range(draw(st.integers(1, 6))):
        event = draw(events(after=now, max_delay=dt.timedelta(days=5), types=likely_types(probe)))
        event = attrs.evolve(event, id=f"e{i}")
        later.append(event)
        now = event.at
        try:
            probe, _ = step(probe, event, policy)
        except AfterSalesError:
            continue
    return policy, case, later


@given(_in_intervention())
def test_intervention_paths_keep_the_invariants(scenario: tuple[Policy, Case, list[Event]]) -> None:
    policy, case, later = scenario
    for event in later:
        try:
            case, _ = step(case, event, policy)
        except AfterSalesError:
            continue
        check_invariants(case, policy)
        if case.ruling is not None:
            assert case.is_final
            assert case.is_dispute_refund == (case.refunded == case.requested)
    case, _ = advance(case, case.changed_at.add(days=30), policy)
    check_invariants(case, policy)
    # with no ruling the case waits on the platform, flagged overdue
    assert case.is_final or case.state is State.INTERVENTION_OVERDUE
