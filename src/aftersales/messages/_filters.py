"""The template filters: money, instants and time left, formatted by Babel.

Formatting is CLDR's (through Babel), not ours: ``¥59.00`` in zh_CN,
``CN¥59.00`` in en, ``2026年3月7日 10:00`` / ``Mar 7, 2026, 10:00 AM``. Instants are
shown in the shop's zone (Asia/Shanghai) whatever zone they arrive in. The
only words of the library's own are the "time left" phrases, which CLDR does
not have.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final, Literal

import pendulum
from babel import Locale
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_currency
from babel.units import format_unit

from .._case import Deadline
from .._errors import InvalidInput
from .._instant import instant
from .._money import Money
from .._serialize import parse_instant

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
    amount = Money.of(value).amount
    return format_currency(amount, "CNY", locale=check_locale(locale))


def format_datetime(
    value: object, format: str | None = None, *, locale: str = "zh_CN", tz: str = SHANGHAI
) -> str:
    """Date and time of day in ``tz``: ``2026年3月7日 10:00`` / ``Mar 7, 2026, 10:00 AM``.

    ``format`` is a Babel name (short, medium, long, full) or a CLDR pattern.
    """
    at = as_instant(value).in_timezone(tz)
    check_locale(locale)
    if format is not None:
        return _babel_datetime(at, format, tzinfo=at.tzinfo, locale=locale)
    glue = Locale.parse(locale).datetime_formats["medium"]
    date = format_skeleton("yMMMd", at, tzinfo=at.tzinfo, locale=locale)
    time = format_time(at, "short", tzinfo=at.tzinfo, locale=locale)
    return str(glue).replace("{1}", date).replace("{0}", time)


def format_date(
    value: object, format: str | None = None, *, locale: str = "zh_CN", tz: str = SHANGHAI
) -> str:
    """The date in ``tz``: ``2026年3月7日`` / ``Mar 7, 2026``; ``format`` as above."""
    at = as_instant(value).in_timezone(tz)
    check_locale(locale)
    if format is None:
        return format_skeleton("yMMMd", at, tzinfo=at.tzinfo, locale=locale)
    if format in _NAMED:
        from babel.dates import format_date as _babel_date

        return _babel_date(at.date(), format, locale=locale)
    return _babel_datetime(at, format, tzinfo=at.tzinfo, locale=locale)


def format_time_left(deadline: object, now: object, *, locale: str = "zh_CN") -> str:
    """``还剩1天3小时`` / ``1 day 3 hours left``: whole units, rounded down, so the
    buyer is never told they have more time than they do."""
    check_locale(locale)
    seconds = int((as_instant(deadline) - as_instant(now)).total_seconds())
    if seconds <= 0:
        return _TIME_UP[locale]
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        parts = [(days, "day"), (hours, "hour")]
    elif hours:
        parts = [(hours, "hour"), (minutes, "minute")]
    else:
        parts = [(minutes, "minute")]
    units = [
        format_unit(n, f"duration-{unit}", length=_UNIT_LENGTH[locale], locale=locale)
        for n, unit in parts
        if n
    ]
    text = format_list(units, style="unit-narrow", locale=locale) if units else None
    return _LEFT[locale].format(text if text is not None else _UNDER_A_MINUTE[locale])
