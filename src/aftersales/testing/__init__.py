"""Hypothesis tools for testing a shop's own code against the engine.

Requires the ``testing`` extra (``pip install aftersales[testing]``).

- :mod:`aftersales.testing.strategies`: strategies for money, instants, orders,
  refund requests, policies, events and event sequences;
- :class:`CaseStateMachine`: a ``RuleBasedStateMachine`` that drives cases
  through random events and clock moves and checks the engine's invariants;
  subclass it and override the ``on_*`` hooks to check your code alongside.
"""

from ._stateful import CaseStateMachine, check_invariants
from .strategies import (
    case_histories,
    event_sequences,
    events,
    instants,
    likely_types,
    money,
    orders,
    policies,
    refund_requests,
)

__all__ = [
    "CaseStateMachine",
    "case_histories",
    "check_invariants",
    "event_sequences",
    "events",
    "instants",
    "likely_types",
    "money",
    "orders",
    "policies",
    "refund_requests",
]
