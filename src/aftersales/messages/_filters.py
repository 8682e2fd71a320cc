"""The template filters: money, instants and time left, formatted by Babel.

Formatting is CLDR's (through Babel), not ours: ``¥59.00`` in zh_CN,
``CN¥59.00`` in en, ``2026年3月7日 10:00`` / ``Mar 7, 2026, 10:00 AM``. Instants are
shown in the shop's zone (Asia/Shanghai) whatever zone they arrive in. The
only words of the library's own are the "time left" phrases, which CLDR does
not have.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Final, Literal

import pendulum
from babel import Locale
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_currency
from babel.units import format_unit

from ..core._case import Deadline
from ..core._errors import InvalidInput
from ..core._instant import instant
from ..core._money import Money
from ..core._serialize import parse_instant

__all__ = [
    "LOCALES",
    "SHANGHAI",
    "as_instant",
    "format_date",
    "format_datetime",
    "format_money",
    "format_time_left",
]

#: The locales the shipped templates are written in; zh_CN is the fallback.
LOCALES: Final = ("zh_CN", "en")
SHANGHAI: Final = "Asia/Shanghai"

_NAMED = ("short", "medium", "long", "full")
# CLDR's long zh unit names are an alias of the short ones ("1天"), which Babel
# does not follow; asking for "short" gives the same words.
_UNIT_LENGTH: Final[dict[str, Literal["short", "long"]]] = {"zh_CN": "short", "en": "long"}
_LEFT: Final = {"zh_CN": "还剩{0}", "en": "{0} left"}
_UNDER_A_MINUTE: Final = {"zh_CN": "不到1分钟", "en": "less than a minute"}
_TIME_UP: Final = {"zh_CN": "已到期", "en": "time is up"}


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise InvalidInput(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}")
    return locale


@functools.cache
def _babel(locale: str) -> Locale:
    # Babel parses a locale name on every call (a scan of all its locale names);
    # parsed once here, a message renders tens of times faster.
    return Locale.parse(check_locale(locale))


def as_instant(value: object) -> pendulum.DateTime:
    """An aware datetime, a :class:`Deadline` (its due time) or an ISO 8601 string
    with an offset (plan steps carry their instants as text)."""
    if isinstance(value, Deadline):
        return value.due
    if isinstance(value, str):
        return parse_instant(value)
    if isinstance(value, dt.datetime):
        return instant(value)
    raise InvalidInput(f"expected an instant, got {type(value).__name__} {value!r}")


def format_money(value: Money | Decimal | int | str, *, locale: str = "zh_CN") -> str:
    """Yuan with CLDR's symbol for the locale: ``¥59.00`` (zh_CN), ``CN¥59.00`` (en)."""
    return _money_text(Money.of(value).amount, locale)


@functools.lru_cache(maxsize=4096)
def _money_text(amount: Decimal, locale: str) -> str:
    # A shop's messages repeat a few hundred prices; Babel's formatting is the cost.
    return format_currency(amount, "CNY", locale=_babel(locale))


def format_datetime(
    value: object, format: str | None = None, *, locale: str = "zh_CN", tz: str = SHANGHAI
) -> str:
    """Date and time of day in ``tz``: ``2026年3月7日 10:00`` / ``Mar 7, 2026, 10:00 AM``.

    ``format`` is a Babel name (short, medium, long, full) or a CLDR pattern.
    """
    return _datetime_text(as_instant(value).timestamp(), format, locale, tz)


@functools.lru_cache(maxsize=4096)
def _datetime_text(timestamp: float, format: str | None, locale: str, tz: str) -> str:
    # Deadlines fall on a few instants (the same minute for a day's requests).
    at = dt.datetime.fromtimestamp(timestamp, _zone(tz))
    babel = _babel(locale)
    if format is not None:
        return _babel_datetime(at, format, tzinfo=at.tzinfo, locale=babel)
    glue = babel.datetime_formats["medium"]
    date = _date_part(at.year, at.month, at.day, locale)
    time = _time_part(at.hour, at.minute, locale)
    return str(glue).replace("{1}", date).replace("{0}", time)


@functools.cache
def _zone(name: str) -> dt.tzinfo:
    return pendulum.timezone(name)


# Many deadlines share a day, and there are 1,440 minutes in one: the two halves of a
# date and time are cached apart, so a new instant is formatted from cached parts.
@functools.lru_cache(maxsize=4096)
def _date_part(year: int, month: int, day: int, locale: str) -> str:
    return str(format_skeleton("yMMMd", dt.date(year, month, day), locale=_babel(locale)))


@functools.lru_cache(maxsize=4096)
def _time_part(hour: int, minute: int, locale: str) -> str:
    return str(format_time(dt.time(hour, minute), "short", locale=_babel(locale)))


def format_date(
    value: object, format: str | None = None, *, locale: str = "zh_CN", tz: str = SHANGHAI
) -> str:
    """The date in ``tz``: ``2026年3月7日`` / ``Mar 7, 2026``; ``format`` as above."""
    at = as_instant(value).in_timezone(tz)
    babel = _babel(locale)
    if format is None:
        return format_skeleton("yMMMd", at, tzinfo=at.tzinfo, locale=babel)
    if format in _NAMED:
        from babel.dates import format_date as _babel_date

        return _babel_date(at.date(), format, locale=babel)
    return _babel_datetime(at, format, tzinfo=at.tzinfo, locale=babel)


def _timestamp(value: object) -> float:
    # A deadline remembers its timestamp; anything else is read as an instant.
    if isinstance(value, Deadline):
        return value.due_timestamp
    return as_instant(value).timestamp()


def format_time_left(deadline: object, now: object, *, locale: str = "zh_CN") -> str:
    """``还剩1天3小时`` / ``1 day 3 hours left``: whole units, rounded down, so the
    buyer is never told they have more time than they do."""
    seconds = int(_timestamp(deadline) - _timestamp(now))
    return _time_left_text(seconds // 60 if seconds > 0 else -1, locale)


@functools.lru_cache(maxsize=4096)
def _time_left_text(whole_minutes: int, locale: str) -> str:
    # The text depends on whole minutes only, so it is cached on them; -1 is "time is up".
    babel = _babel(locale)
    if whole_minutes < 0:
        return _TIME_UP[locale]
    days, rest = divmod(whole_minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [(days, "day"), (hours, "hour")]
    elif hours:
        parts = [(hours, "hour"), (minutes, "minute")]
    else:
        parts = [(minutes, "minute")]
    units = [
        format_unit(n, f"duration-{unit}", length=_UNIT_LENGTH[locale], locale=babel)
        for n, unit in parts
        if n
    ]
    text = format_list(units, style="unit-narrow", locale=babel) if units else None
    return _LEFT[locale].format(text if text is not None else _UNDER_A_MINUTE[locale])
