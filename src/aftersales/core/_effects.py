"""Effects: what a transition asks the world to know or do, as plain data.

The core never performs an effect. The shell (the runner, a shop's worker)
reads them: log the refund, show the buyer a message, set a reminder.
"""

from __future__ import annotations

import attrs
import pendulum

from ._case import Deadline, Party, Ruling
from ._money import Money

__all__ = [
    "BuyerRefunded",
    "DeadlineStarted",
    "Effect",
    "InterventionAvailable",
    "NotifyBuyer",
    "RequestClosed",
    "ReturnAddressShown",
    "RulingMade",
    "RulingOverdue",
    "SellerCharged",
]


@attrs.frozen(slots=False)
class Effect:
    """Base of all effects."""


@attrs.frozen(slots=False)
class BuyerRefunded(Effect):
    """The platform paid the buyer back: by the seller's consent or because a timer ran out."""

    amount: Money
    decided_by: Party
    rule: str


@attrs.frozen(slots=False)
class ReturnAddressShown(Effect):
    """The seller's return address is now shown to the buyer (RET-RESPOND-5D)."""

    rule: str


@attrs.frozen(slots=False, init=False)
class DeadlineStarted(Effect):
    """A new timer runs; a shell sets a reminder for it."""

    deadline: Deadline

    def __init__(self, deadline: Deadline) -> None:
        # made on every transition: the instance dict directly (see _case.Deadline)
        self.__dict__["deadline"] = deadline


@attrs.frozen(slots=False)
class InterventionAvailable(Effect):
    """From this instant the buyer may ask for customer-service intervention."""

    at: pendulum.DateTime
    rule: str


@attrs.frozen(slots=False)
class RequestClosed(Effect):
    """The request ended without a refund; the trade goes on."""

    why: str
    rule: str


@attrs.frozen(slots=False)
class SellerCharged(Effect):
    """The seller repays money the platform advanced (RET-EXPRESS)."""

    amount: Money
    rule: str


@attrs.frozen(slots=False)
class RulingMade(Effect):
    """The platform ruled on an intervention (INT-OUTCOME); for the buyer it is a
    dispute refund (INT-DISPUTE)."""

    ruling: Ruling


@attrs.frozen(slots=False)
class RulingOverdue(Effect):
    """The platform's review deadline passed with no ruling (INT-REVIEW-4WD)."""

    deadline: Deadline


@attrs.frozen(slots=False)
class NotifyBuyer(Effect):
    """A message for the buyer; ``template`` names it, the case is its context."""

    template: str
    rule: str
