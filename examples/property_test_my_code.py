"""Test a shop's own code against the engine with ``aftersales.testing`` strategies.

    .venv/bin/python examples/property_test_my_code.py     (needs aftersales[testing])

The shop's rule: refunds before shipment of at most 30 yuan are agreed at once by
a bot. Hypothesis draws requests, policies and orders the engine accepts; the
properties say the bot only acts where the engine lets it, never pays out more
than the limit, and leaves everything else to a person.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales import (
    Case,
    Kind,
    Money,
    Policy,
    RefundRequested,
    SellerAgreed,
    Status,
    open_case,
    step,
)
from aftersales.testing import policies, refund_requests

AUTO_AGREE_UP_TO = Money("30.00")


# -- the shop's code ------------------------------------------------------------------------


def auto_agree(case: Case) -> SellerAgreed | None:
    """The bot's answer to a new request: agree small refunds before shipment, else None."""
    if case.kind is not Kind.REFUND_BEFORE_SHIPMENT or case.status is not Status.WAIT_SELLER_AGREE:
        return None
    if case.requested > AUTO_AGREE_UP_TO:
        return None
    return SellerAgreed(id=f"{case.id}-bot", at=case.opened_at.add(minutes=1))


# -- its properties -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(policy=policies(), request=refund_requests(kinds=st.sampled_from(list(Kind))))
def test_the_bot_only_does_what_the_engine_allows(policy: Policy, request: RefundRequested) -> None:
    case, _ = open_case(request, policy)
    answer = auto_agree(case)
    if answer is None:
        assert case.kind is not Kind.REFUND_BEFORE_SHIPMENT or case.requested > AUTO_AGREE_UP_TO
        return
    after, _ = step(case, answer, policy)  # raises if the engine refuses the event
    assert after.status is Status.SUCCESS
    assert after.refunded == case.requested <= AUTO_AGREE_UP_TO


if __name__ == "__main__":
    test_the_bot_only_does_what_the_engine_allows()
    print("auto_agree: 300 examples, properties hold")
