"""Events: what happened, when, and an ID that makes applying it idempotent.

Events are frozen attrs values. ``type`` is the platform-neutral name used in
scenario files and logs (``seller_agreed``); :data:`EVENT_TYPES` maps it back to
the class. Don't subclass these: the workflow tables key on the exact class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

import attrs
import pendulum

from ._errors import InvalidInput
from ._instant import instant
from ._money import Money, to_money

__all__ = [
    "EVENT_TYPES",
    "BuyerCancelled",
    "BuyerConfirmedReceipt",
    "BuyerModified",
    "BuyerRefusedDelivery",
    "BuyerShippedReturn",
    "Event",
    "EvidenceSubmitted",
    "InterventionRequested",
    "MessageLeft",
    "PlatformRuled",
    "SellerAcceptedEvidence",
    "SellerAgreed",
    "SellerConfirmedReceipt",
    "SellerRefused",
    "SellerResent",
    "SellerResolved",
    "SellerShipped",
]


def _nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be non-empty text, got {value!r}")


def _text(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"{attribute.name} must be text, got {type(value).__name__}")


def _optional_money(value: Money | Decimal | int | str | None) -> Money | None:
    return None if value is None else to_money(value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Event:
    """Base of all events: an ID (for idempotency) and the instant it happened."""

    type: ClassVar[str] = "event"
    id: str = attrs.field(validator=_nonempty)
    at: pendulum.DateTime = attrs.field(converter=instant)


@attrs.frozen(kw_only=True)
class SellerAgreed(Event):
    """The seller agreed to the request (RET-RESPOND-5D, PRE-AUTO-2D)."""

    type: ClassVar[str] = "seller_agreed"


@attrs.frozen(kw_only=True)
class SellerRefused(Event):
    """The seller refused, with a reason and evidence (RET-REFUSE)."""

    type: ClassVar[str] = "seller_refused"
    reason: str = attrs.field(default="", validator=_text)
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_texts)


@attrs.frozen(kw_only=True)
class SellerShipped(Event):
    """The seller shipped the order; closes a waiting refund before shipment (PRE-SHIP-CLOSES)."""

    type: ClassVar[str] = "seller_shipped"
    carrier: str = attrs.field(default="", validator=_text)
    tracking: str = attrs.field(default="", validator=_text)


@attrs.frozen(kw_only=True)
class BuyerShippedReturn(Event):
    """The buyer shipped the goods back and entered the tracking number (RET-BUYER-SHIPS)."""

    type: ClassVar[str] = "buyer_shipped_return"
    carrier: str = attrs.field(validator=_nonempty)
    tracking: str = attrs.field(validator=_nonempty)
    surface_mail: bool = False


@attrs.frozen(kw_only=True)
class SellerConfirmedReceipt(Event):
    """The seller confirmed the returned goods arrived; the refund is paid (RET-CONFIRM-10D)."""

    type: ClassVar[str] = "seller_confirmed_receipt"


@attrs.frozen(kw_only=True)
class BuyerCancelled(Event):
    """The buyer withdrew the request."""

    type: ClassVar[str] = "buyer_cancelled"


@attrs.frozen(kw_only=True)
class BuyerModified(Event):
    """The buyer changed the amount or the reason; the request goes back to the seller."""

    type: ClassVar[str] = "buyer_modified"
    amount: Money | None = attrs.field(default=None, converter=_optional_money)
    reason: str | None = None


@attrs.frozen(kw_only=True)
class BuyerRefusedDelivery(Event):
    """The buyer refused the parcel at delivery; it travels back to the seller (RET-REJECT)."""

    type: ClassVar[str] = "buyer_refused_delivery"


def _party(allowed: tuple[str, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in allowed:
            raise InvalidInput(
                f"{attribute.name} must be one of {', '.join(allowed)}, got {value!r}"
            )

    return check


@attrs.frozen(kw_only=True)
class InterventionRequested(Event):
    """A party asks customer service to step in (PRE-INTERVENE-3D, AFTER-7D-INTERVENE)."""

    type: ClassVar[str] = "intervention_requested"
    party: str = attrs.field(default="buyer", validator=_party(("buyer", "seller")))


@attrs.frozen(kw_only=True)
class EvidenceSubmitted(Event):
    """Evidence uploaded during intervention (INT-EVIDENCE-3D)."""

    type: ClassVar[str] = "evidence_submitted"
    party: str = attrs.field(validator=_party(("buyer", "seller")))
    kind: str = attrs.field(default="photo", validator=_text)
    note: str = attrs.field(default="", validator=_text)


@attrs.frozen(kw_only=True)
class SellerAcceptedEvidence(Event):
    """The seller accepts the buyer's evidence within 24 hours (INT-CONFIRM-24H)."""

    type: ClassVar[str] = "seller_accepted_evidence"


@attrs.frozen(kw_only=True)
class PlatformRuled(Event):
    """The platform's ruling (INT-MODES, INT-OUTCOME); ``favours`` is ``for`` in JSON."""

    type: ClassVar[str] = "platform_ruled"
    favours: str = attrs.field(validator=_party(("buyer", "seller")))
    mode: str = attrs.field(default="staff", validator=_party(("jury", "staff")))
    #: Defaults to "the ruling is for the buyer".
    seller_liable: bool | None = None


@attrs.frozen(kw_only=True)
class MessageLeft(Event):
    """A message on the case page during intervention (INT-MESSAGE)."""

    type: ClassVar[str] = "message_left"
    party: str = attrs.field(validator=_party(("buyer", "seller")))
    text: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class SellerResent(Event):
    """The seller sent the replacement or reissued goods (RET-EXCHANGE, DMG-SIGNED)."""

    type: ClassVar[str] = "seller_resent"
    carrier: str = attrs.field(validator=_nonempty)
    tracking: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class BuyerConfirmedReceipt(Event):
    """The buyer confirmed the replacement arrived (RET-EXCHANGE)."""

    type: ClassVar[str] = "buyer_confirmed_receipt"


REMEDIES = ("return", "exchange", "repair", "discount")


@attrs.frozen(kw_only=True)
class SellerResolved(Event):
    """The shop verified a quality claim and chose the remedy (QUAL-3D).

    ``amount`` is the discount compensation refunded (``discount`` only);
    ``shop_cost`` what the shop bears for a repair or exchange.
    """

    type: ClassVar[str] = "seller_resolved"
    remedy: str = attrs.field(validator=_party(REMEDIES))
    amount: Money | None = attrs.field(default=None, converter=_optional_money)
    shop_cost: Money | None = attrs.field(default=None, converter=_optional_money)

    def __attrs_post_init__(self) -> None:
        if (self.remedy == "discount") != (self.amount is not None):
            raise InvalidInput(
                "seller_resolved: a discount needs an amount; other remedies take none"
            )


EVENT_TYPES: Mapping[str, type[Event]] = MappingProxyType(
    {
        cls.type: cls
        for cls in (
            SellerAgreed,
            SellerRefused,
            SellerShipped,
            BuyerShippedReturn,
            SellerConfirmedReceipt,
            BuyerCancelled,
            BuyerModified,
            BuyerRefusedDelivery,
            InterventionRequested,
            EvidenceSubmitted,
            SellerAcceptedEvidence,
            PlatformRuled,
            MessageLeft,
            SellerResent,
            BuyerConfirmedReceipt,
            SellerResolved,
        )
    }
)
