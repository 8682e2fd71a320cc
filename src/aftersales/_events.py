"""Events: what happened, when, and an ID that makes applying it idempotent.

Events are frozen attrs values. ``type`` is the platform-neutral name used in
scenario files and logs (``seller_agreed``); :data:`EVENT_TYPES` maps it back to
the class. Don't subclass these: the workflow tables key on the exact class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import ClassVar

import attrs
import pendulum

from ._errors import InvalidInput
from ._instant import instant
from ._money import Money, to_money

__all__ = [
    "EVENT_TYPES",
    "BuyerCancelled",
    "BuyerModified",
    "BuyerRefusedDelivery",
    "BuyerShippedReturn",
    "Event",
    "SellerAgreed",
    "SellerConfirmedReceipt",
    "SellerRefused",
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
        )
    }
)
