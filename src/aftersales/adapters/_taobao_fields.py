"""Readers for single Taobao Open Platform fields.

Each reader either returns a library value or raises :class:`FieldError`
naming the field, what was wrong and what the platform (and the library)
allows, so the import can report the record instead of guessing.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any, Literal, overload

import pendulum

from ..core._errors import InvalidInput
from ..core._money import Money
from ..core._serialize import parse_instant

__all__ = [
    "PLATFORM_TZ",
    "FieldError",
    "read_bool",
    "read_choice",
    "read_id",
    "read_int",
    "read_money",
    "read_text",
    "read_time",
]

#: Platform times carry no zone: they are Beijing time.
PLATFORM_TZ = "Asia/Shanghai"

_DIGITS = re.compile(r"[0-9]{1,20}", re.ASCII)
_PLAIN_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.ASCII)
_MAX_ID = 2**63  # the platform's IDs are int64


class FieldError(InvalidInput):
    """One field of a platform record is missing or malformed."""

    def __init__(self, field: str, problem: str, allowed: str) -> None:
        super().__init__(f"{field}: {problem}; allowed: {allowed}")
        self.field = field
        self.problem = problem
        self.allowed = allowed


_MISSING = object()


def _get(record: Mapping[str, Any], field: str, *, required: bool) -> Any:
    value = record.get(field, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise FieldError(field, "missing", "the field is required")
        return None
    return value


@overload
def read_id(record: Mapping[str, Any], field: str, *, required: Literal[True] = ...) -> str: ...
@overload
def read_id(record: Mapping[str, Any], field: str, *, required: bool) -> str | None: ...
def read_id(record: Mapping[str, Any], field: str, *, required: bool = True) -> str | None:
    """A platform ID as text. JSON integers are exact and accepted; floats are not:
    a 19-digit ID does not survive one."""
    value = _get(record, field, required=required)
    if value is None:
        return None
    allowed = 'the numeric ID as a string such as "4012345678901234567" (or a JSON integer)'
    if isinstance(value, (bool, float)):
        what = f"{type(value).__name__} {value!r}"
        raise FieldError(field, f"{what} cannot hold the ID exactly", allowed)
    # A number and its text are held to the same rule: ASCII digits, 1 to 2**63 - 1.
    if isinstance(value, int):
        text = str(value) if value >= 0 else None
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        text = value.strip()
    else:
        raise FieldError(field, f"{value!r} is not a numeric platform ID", allowed)
    if text is None or not 0 < int(text) < _MAX_ID:
        raise FieldError(field, f"{value!r} is outside the platform's int64 IDs", allowed)
    return text


@overload
def read_money(
    record: Mapping[str, Any], field: str, *, required: Literal[True] = ...
) -> Money: ...
@overload
def read_money(record: Mapping[str, Any], field: str, *, required: bool) -> Money | None: ...
def read_money(record: Mapping[str, Any], field: str, *, required: bool = True) -> Money | None:
    """Yuan as text ("59.90"); an integer is exact too. A float is refused."""
    value = _get(record, field, required=required)
    if value is None:
        return None
    if type(value) is str:
        known = _READ_MONEY.get(value)
        if known is not None:
            return known
    allowed = 'yuan as text with at most two decimals, such as "59.90"'
    if isinstance(value, float):
        raise FieldError(field, f"the float {value!r} cannot hold money exactly", allowed)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FieldError(field, f"{type(value).__name__} {value!r} is not an amount", allowed)
    try:
        money = Money(value)
    except InvalidInput as exc:
        raise FieldError(field, str(exc), allowed) from None
    if type(value) is str:
        if len(_READ_MONEY) >= 4096:
            _READ_MONEY.clear()
        _READ_MONEY[value] = money
    return money


#: Amounts read before, by their text: an export repeats its prices and fees, and a
#: Money is immutable. Only texts that read as money are kept (errors every time).
_READ_MONEY: dict[str, Money] = {}


@overload
def read_time(
    record: Mapping[str, Any], field: str, *, required: Literal[True] = ...
) -> pendulum.DateTime: ...
@overload
def read_time(
    record: Mapping[str, Any], field: str, *, required: bool
) -> pendulum.DateTime | None: ...
def read_time(
    record: Mapping[str, Any], field: str, *, required: bool = True
) -> pendulum.DateTime | None:
    """``yyyy-MM-dd HH:mm:ss`` in Beijing time, or ISO 8601 with an offset."""
    value = _get(record, field, required=required)
    if value is None or value == "":
        if required:
            raise FieldError(field, "missing", "the field is required")
        return None
    if type(value) is str and len(value) == 19 and _PLAIN_TIME.fullmatch(value):
        fast = _plain_time(value)
        if fast is not None:
            return fast
    allowed = "'yyyy-MM-dd HH:mm:ss' (Beijing time) or ISO 8601 with an offset"
    if isinstance(value, str) and _PLAIN_TIME.fullmatch(value.strip()):
        try:
            naive = _dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
        except ValueError:
            raise FieldError(field, f"{value!r} is not a real date and time", allowed) from None
        return pendulum.instance(naive, tz=PLATFORM_TZ)
    try:
        return parse_instant(value)
    except InvalidInput:
        raise FieldError(field, f"{value!r} is not a time", allowed) from None


_BEIJING = pendulum.timezone(PLATFORM_TZ)


def _plain_time(text: str) -> pendulum.DateTime | None:
    """The platform's own form, read by slicing: what the checked path below gives, for
    years since Beijing time last changed its offset (1991); None sends it that way."""
    year = int(text[:4])
    if year < 1992:
        return None
    try:
        return pendulum.DateTime(
            year,
            int(text[5:7]),
            int(text[8:10]),
            int(text[11:13]),
            int(text[14:16]),
            int(text[17:19]),
            tzinfo=_BEIJING,
        )
    except ValueError:
        return None  # not a real date: the checked path names the problem


def read_text(record: Mapping[str, Any], field: str, *, required: bool = False) -> str:
    value = _get(record, field, required=required)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(field, f"{type(value).__name__} {value!r} is not text", "text")
    return value


@overload
def read_bool(record: Mapping[str, Any], field: str, *, required: Literal[True] = ...) -> bool: ...
@overload
def read_bool(record: Mapping[str, Any], field: str, *, required: bool) -> bool | None: ...
def read_bool(record: Mapping[str, Any], field: str, *, required: bool = True) -> bool | None:
    value = _get(record, field, required=required)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    # Some SDKs and exports write booleans as text.
    if value in ("true", "false"):
        return bool(value == "true")
    raise FieldError(field, f"{value!r} is not a boolean", "true or false")


def read_int(record: Mapping[str, Any], field: str, *, required: bool = False) -> int | None:
    value = _get(record, field, required=required)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    # ASCII digits only: str.isdigit() also holds for "²" and other scripts' digits
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    raise FieldError(field, f"{value!r} is not a whole number", "a whole number (ASCII digits)")


@overload
def read_choice(
    record: Mapping[str, Any],
    field: str,
    choices: tuple[str, ...],
    *,
    required: Literal[True] = ...,
) -> str: ...
@overload
def read_choice(
    record: Mapping[str, Any], field: str, choices: tuple[str, ...], *, required: bool
) -> str | None: ...
def read_choice(
    record: Mapping[str, Any], field: str, choices: tuple[str, ...], *, required: bool = True
) -> str | None:
    value = _get(record, field, required=required)
    if value is None:
        return None
    if isinstance(value, str) and value in choices:
        return value
    shown = value if isinstance(value, str) else f"{type(value).__name__} {value!r}"
    raise FieldError(field, f"unknown value {shown!r}", ", ".join(choices))
