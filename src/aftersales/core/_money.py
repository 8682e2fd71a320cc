"""Money: yuan as ``Decimal`` with exactly two places, never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import ClassVar

import attrs

from ._errors import InvalidInput

__all__ = ["MAX_AMOUNT", "Money", "to_money"]

_CENT = Decimal("0.01")

#: The largest amount the library takes: a trillion yuan less a fen, far above any order.
MAX_AMOUNT = Decimal("999999999999.99")

# ASCII digits only: Decimal() would also read "7_9" as 79, full-width and other
# scripts' digits, and exponents ("1e30"); a money string admits none of them.
_AMOUNT_TEXT = re.compile(r"-?[0-9]{1,40}(\.[0-9]{1,40})?", re.ASCII)

_WRITE = "write yuan with ASCII digits and at most two places, like '59.9' or '59.90'"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}...({len(text)} characters)"


def _to_amount(value: object) -> Decimal:
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        if text.lower().lstrip("+-") in {"inf", "infinity", "nan", "snan"}:
            raise InvalidInput(f"{_shown(value)} is not a finite amount of money")
        if not _AMOUNT_TEXT.fullmatch(text):
            raise InvalidInput(f"{_shown(value)} is not an amount of money; {_WRITE}")
        try:
            amount = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise InvalidInput(f"{_shown(value)} is not an amount of money; {_WRITE}") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        if value > MAX_AMOUNT:
            raise InvalidInput(f"{_shown(value)} yuan is too large; at most {MAX_AMOUNT}")
        amount = Decimal(value)
    else:
        # floats cannot hold 0.1 exactly: refuse them rather than guess
        raise InvalidInput(
            f"money must be a Decimal, an int or a string like '59.90', not {type(value).__name__}"
        )
    if not amount.is_finite():
        raise InvalidInput(f"{_shown(value)} is not a finite amount of money")
    if amount < 0:
        raise InvalidInput(f"money cannot be negative, got {_shown(value)}")
    if amount > MAX_AMOUNT:  # before quantize, which overflows the context past 28 digits
        raise InvalidInput(f"{_shown(value)} yuan is too large; at most {MAX_AMOUNT}")
    if amount != amount.quantize(_CENT, ROUND_HALF_UP):
        raise InvalidInput(
            f"{_shown(value)} has more than two decimal places; yuan are counted in fen"
        )
    return amount.quantize(_CENT).copy_abs()  # "-0" is zero, written "0.00"


@attrs.frozen(order=False)
class Money:
    """An amount in CNY, non-negative, two decimal places.

    ``Money("59.9") == Money("59.90")``. Subtraction that would go below zero is
    an error: a refund can never take back more than was paid.
    """

    amount: Decimal = attrs.field(converter=_to_amount)

    ZERO: ClassVar[Money]

    @classmethod
    def of(cls, value: Money | Decimal | int | str) -> Money:
        return value if isinstance(value, Money) else cls(value)

    @classmethod
    def from_fen(cls, fen: int) -> Money:
        if isinstance(fen, bool) or not isinstance(fen, int):
            raise InvalidInput(f"fen must be an int, got {type(fen).__name__}")
        return cls(Decimal(fen).scaleb(-2))

    @property
    def fen(self) -> int:
        return int(self.amount.scaleb(2))

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.amount > self.amount:
            raise InvalidInput(f"cannot take {other} from {self}: money cannot go below zero")
        return _exact(self.amount - other.amount)

    def __lt__(self, other: Money) -> bool:
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __str__(self) -> str:
        return str(self.amount)  # two places always (quantized): a third of formatting's cost

    def __repr__(self) -> str:
        return f"Money('{self}')"


Money.ZERO = Money(0)


def _exact(amount: Decimal) -> Money:
    """A Money from a difference of two: already two places and not negative, so the
    converter's checks (a tenth of the engine's time per event) are skipped."""
    money = object.__new__(Money)
    object.__setattr__(money, "amount", amount)
    return money


def to_money(value: Money | Decimal | int | str) -> Money:
    """attrs converter: anything ``Money()`` accepts, or a Money as is."""
    return value if isinstance(value, Money) else Money(value)
