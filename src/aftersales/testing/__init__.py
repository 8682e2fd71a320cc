"""Hypothesis tools for testing a shop's own code against the engine.

Requires the ``testing`` extra (``pip install aftersales[testing]``).

- :mod:`aftersales.testing.strategies`: strategies for money, instants, orders,
  refund requests, policies, events and event sequences, parcels' tracking
  histories, listing promises, holiday shipping periods and late trades;
- :class:`CaseStateMachine`: a ``RuleBasedStateMachine`` that drives cases
  through random events and clock moves and checks the engine's invariants;
  subclass it and override the ``on_*`` hooks to check your code alongside;
- :class:`FakeGateway`: a fake Taobao Open Platform gateway on loopback (signatures
  checked, refunds paged by ``modified``, faults on demand) for ``aftersales sync``.
"""

from ._gateway import FakeGateway, GatewayCall, Upload, parse_multipart
from ._stateful import CaseStateMachine, check_invariants
from .strategies import (
    TRACKING_SHAPES,
    case_histories,
    event_sequences,
    events,
    holiday_periods,
    instants,
    late_trades,
    likely_types,
    money,
    orders,
    policies,
    refund_requests,
    ship_promises,
    tracking_histories,
)

__all__ = [
    "TRACKING_SHAPES",
    "CaseStateMachine",
    "FakeGateway",
    "GatewayCall",
    "Upload",
    "case_histories",
    "check_invariants",
    "event_sequences",
    "events",
    "holiday_periods",
    "instants",
    "late_trades",
    "likely_types",
    "money",
    "orders",
    "parse_multipart",
    "policies",
    "refund_requests",
    "ship_promises",
    "tracking_histories",
]
