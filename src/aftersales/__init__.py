"""aftersales: a marketplace seller's after-sales operations, as a pure state machine.

The core (``open_case``, ``step``, ``advance``, ``replay``) is pure: no clock,
no I/O, no logging. Time comes in on events. Shells around it (``Runner``, the
JSON converter, the CLI) do the logging and the files.
"""

from ._calendar import Fallback, WorkCalendar, china_calendar
from ._case import (
    Case,
    Deadline,
    Kind,
    Order,
    OrderItem,
    Party,
    RefundRequested,
    ReturnShipment,
    State,
    Status,
    Transition,
)
from ._duration import Duration, Unit, deadline_after
from ._effects import (
    BuyerRefunded,
    DeadlineStarted,
    Effect,
    InterventionAvailable,
    NotifyBuyer,
    RequestClosed,
    ReturnAddressShown,
)
from ._engine import advance, open_case, replay, step, workflow_of
from ._errors import (
    AfterSalesError,
    CalendarHorizonError,
    IllegalEvent,
    InvalidInput,
    OutOfOrderEvent,
    PolicyError,
)
from ._events import (
    EVENT_TYPES,
    BuyerCancelled,
    BuyerModified,
    BuyerRefusedDelivery,
    BuyerShippedReturn,
    Event,
    SellerAgreed,
    SellerConfirmedReceipt,
    SellerRefused,
    SellerShipped,
)
from ._machine import Guard, Row, Timer, Workflow, check_workflow
from ._money import Money
from ._policy import PRESETS, Policy, preset
from ._rules import RULES, Rule, rule
from ._runner import Runner
from ._scenario import ScenarioError, load_policy, run_scenario, scenario_schema
from ._serialize import (
    case_from_json,
    case_to_json,
    converter,
    event_from_dict,
    event_to_dict,
)
from ._workflows import WORKFLOWS

__version__ = "0.1.0"

__all__ = (
    "EVENT_TYPES",
    "PRESETS",
    "RULES",
    "WORKFLOWS",
    "AfterSalesError",
    "BuyerCancelled",
    "BuyerModified",
    "BuyerRefunded",
    "BuyerRefusedDelivery",
    "BuyerShippedReturn",
    "CalendarHorizonError",
    "Case",
    "Deadline",
    "DeadlineStarted",
    "Duration",
    "Effect",
    "Event",
    "Fallback",
    "Guard",
    "IllegalEvent",
    "InterventionAvailable",
    "InvalidInput",
    "Kind",
    "Money",
    "NotifyBuyer",
    "Order",
    "OrderItem",
    "OutOfOrderEvent",
    "Party",
    "Policy",
    "PolicyError",
    "RefundRequested",
    "RequestClosed",
    "ReturnAddressShown",
    "ReturnShipment",
    "Row",
    "Rule",
    "Runner",
    "ScenarioError",
    "SellerAgreed",
    "SellerConfirmedReceipt",
    "SellerRefused",
    "SellerShipped",
    "State",
    "Status",
    "Timer",
    "Transition",
    "Unit",
    "WorkCalendar",
    "Workflow",
    "advance",
    "case_from_json",
    "case_to_json",
    "check_workflow",
    "china_calendar",
    "converter",
    "deadline_after",
    "event_from_dict",
    "event_to_dict",
    "load_policy",
    "open_case",
    "preset",
    "replay",
    "rule",
    "run_scenario",
    "scenario_schema",
    "step",
    "workflow_of",
)
