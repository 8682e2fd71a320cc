"""The shop's own facts a message needs: its name, signature, return address, hours."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..core._errors import InvalidInput

__all__ = ["EXAMPLE_SHOP", "ReturnAddress", "ShopInfo", "read_shop", "shop_from_dict"]


def _text(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{attribute.name} must be non-empty text, got {value!r}")


def _signature(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"{attribute.name} must be text, got {value!r}")
    if any(c in value for c in "【】"):
        raise InvalidInput(
            f"signature {value!r}: give the name only; the SMS adds the 【】 brackets"
        )


@attrs.frozen(kw_only=True)
class ReturnAddress:
    """Where returned goods go, as the buyer copies it into the courier's form."""

    recipient: str = attrs.field(validator=_text)
    phone: str = attrs.field(validator=_text)
    address: str = attrs.field(validator=_text)

    def __str__(self) -> str:
        return f"{self.recipient}，{self.phone}，{self.address}"


@attrs.frozen(kw_only=True)
class ShopInfo:
    """What every template may say about the shop (the ``shop`` variable).

    ``signature`` is the SMS signature registered with the SMS gateway, without
    the brackets; empty means the shop's ``name``.
    """

    name: str = attrs.field(validator=_text)
    return_address: ReturnAddress
    contact_hours: str = attrs.field(validator=_text)
    signature: str = attrs.field(default="", validator=_signature)

    @property
    def sms_signature(self) -> str:
        return self.signature or self.name


def shop_from_dict(value: object) -> ShopInfo:
    """``{"name", "signature", "contact_hours", "return_address": {"recipient",
    "phone", "address"}}``, as a shop's JSON file holds it."""
    if not isinstance(value, Mapping):
        raise InvalidInput("a shop is a JSON object with name, return_address, contact_hours")
    address = value.get("return_address")
    if not isinstance(address, Mapping):
        raise InvalidInput("shop.return_address is an object with recipient, phone, address")
    # ``taobao``: the platform's settings (aftersales.platform reads them)
    unknown = set(value) - {"name", "signature", "contact_hours", "return_address", "taobao"}
    unknown |= {f"return_address.{k}" for k in set(address) - {"recipient", "phone", "address"}}
    if unknown:
        raise InvalidInput(f"shop: unknown fields {', '.join(sorted(unknown))}")
    try:
        return ShopInfo(
            name=value.get("name"),  # type: ignore[arg-type]  # validated by attrs
            signature=value.get("signature", ""),
            contact_hours=value.get("contact_hours"),  # type: ignore[arg-type]
            return_address=ReturnAddress(
                recipient=address.get("recipient"),  # type: ignore[arg-type]
                phone=address.get("phone"),  # type: ignore[arg-type]
                address=address.get("address"),  # type: ignore[arg-type]
            ),
        )
    except TypeError as exc:
        raise InvalidInput(f"shop: {exc}") from None


def read_shop(path: Path) -> ShopInfo:
    """A shop file: TOML (``shop.toml``) or JSON, with the fields of :func:`shop_from_dict`."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"{path}: {exc}") from None
    try:
        return shop_from_dict(doc)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc}") from None


#: A sample shop for previews (``aftersales render`` and ``review`` without ``--shop``):
#: plainly marked as a sample, so a preview is never mistaken for a shop's message.
EXAMPLE_SHOP = ShopInfo(
    name="示例旗舰店",
    contact_hours="9:00–23:00",
    return_address=ReturnAddress(
        recipient="售后部（示例）",
        phone="0571-00000000",
        address="浙江省杭州市余杭区示例路 1 号",
    ),
)
