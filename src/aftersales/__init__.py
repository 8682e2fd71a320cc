"""aftersales: a marketplace seller's after-sales operations, as a pure state machine.

This namespace holds what a shop's code uses every day: open a case, step it with
events, advance it to an instant, replay its log; the events, the case and its
values, the effects a step returns, the policy and the errors. Everything else
lives under its concern's namespace, from the core at the bottom to the shells on
top (docs/design.md has the map):

- ``aftersales.core``: values, work calendar, rules, policy, workflow tables, engine, JSON;
- ``aftersales.orders``, ``aftersales.reviews``, ``aftersales.disputes``: the domains;
- ``aftersales.messages``: customer messages as templates;
- ``aftersales.board``, ``aftersales.scenarios``, ``aftersales.adapters``,
  ``aftersales.runner``, ``aftersales.diagrams``, ``aftersales.testing``: shells;
- ``aftersales.shopfolder``, ``aftersales.casebook``, ``aftersales.cli``: on top.

The core is pure: no clock, no I/O, no logging. Time comes in on events.
"""

from typing import TYPE_CHECKING

from .core._lazy import lazy_exports

if TYPE_CHECKING:
    from .core import (
        EVENT_TYPES,
        PRESETS,
        AfterSalesError,
        BuyerCancelled,
        BuyerConfirmedReceipt,
        BuyerModified,
        BuyerRefunded,
        BuyerRefusedDelivery,
        BuyerShippedReturn,
        CalendarHorizonError,
        Case,
        CaseMessage,
        Deadline,
        DeadlineStarted,
        Duration,
        Effect,
        Event,
        Evidence,
        EvidenceSubmitted,
        IllegalEvent,
        InterventionAvailable,
        InterventionRequested,
        InvalidInput,
        Kind,
        MessageLeft,
        Mode,
        Money,
        NotifyBuyer,
        Order,
        OrderItem,
        OutOfOrderEvent,
        Party,
        PlatformRuled,
        Policy,
        PolicyError,
        RefundRequested,
        RequestClosed,
        RequestNotAllowed,
        ReturnAddressShown,
        ReturnShipment,
        Ruling,
        RulingMade,
        RulingOverdue,
        SellerAcceptedEvidence,
        SellerAgreed,
        SellerCharged,
        SellerConfirmedReceipt,
        SellerRefused,
        SellerResent,
        SellerResolved,
        SellerShipped,
        State,
        Status,
        Transition,
        Unit,
        advance,
        open_case,
        preset,
        replay,
        step,
    )

__version__ = "0.1.0"

__all__ = [
    "EVENT_TYPES",
    "PRESETS",
    "AfterSalesError",
    "BuyerCancelled",
    "BuyerConfirmedReceipt",
    "BuyerModified",
    "BuyerRefunded",
    "BuyerRefusedDelivery",
    "BuyerShippedReturn",
    "CalendarHorizonError",
    "Case",
    "CaseMessage",
    "Deadline",
    "DeadlineStarted",
    "Duration",
    "Effect",
    "Event",
    "Evidence",
    "EvidenceSubmitted",
    "IllegalEvent",
    "InterventionAvailable",
    "InterventionRequested",
    "InvalidInput",
    "Kind",
    "MessageLeft",
    "Mode",
    "Money",
    "NotifyBuyer",
    "Order",
    "OrderItem",
    "OutOfOrderEvent",
    "Party",
    "PlatformRuled",
    "Policy",
    "PolicyError",
    "RefundRequested",
    "RequestClosed",
    "RequestNotAllowed",
    "ReturnAddressShown",
    "ReturnShipment",
    "Ruling",
    "RulingMade",
    "RulingOverdue",
    "SellerAcceptedEvidence",
    "SellerAgreed",
    "SellerCharged",
    "SellerConfirmedReceipt",
    "SellerRefused",
    "SellerResent",
    "SellerResolved",
    "SellerShipped",
    "State",
    "Status",
    "Transition",
    "Unit",
    "advance",
    "open_case",
    "preset",
    "replay",
    "step",
]

if not TYPE_CHECKING:
    # Every name is the core's, read from it on first use: ``import aftersales`` (and so
    # every command) does not import the whole core up front (``core._lazy``).
    __getattr__, __dir__ = lazy_exports(__name__, {"core": tuple(__all__)})
