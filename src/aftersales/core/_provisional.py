"""Statutory holidays for a year whose State Council notice is not out yet.

The national holiday regulations (全国年节及纪念日放假办法, as amended in force from
2025-01-01) fix the days themselves; each year's notice only adds the bridging days
and the make-up weekends (调休). Until the notice is loaded, these days are what a
calendar can know for sure; deadlines counted with them are marked provisional.
Lunar dates and the Qingming solar term come from ``lunar_python``.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import TYPE_CHECKING

import attrs

from ._errors import InvalidInput

if TYPE_CHECKING:
    from lunar_python import Lunar

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "REGULATIONS",
    "StatutoryHoliday",
    "statutory_days",
    "statutory_holidays",
]

#: The regulations these days follow.
REGULATIONS = "全国年节及纪念日放假办法 (2024 amendment, in force from 2025-01-01)"
#: The first year the regulations apply to.
FIRST_YEAR = 2025
#: The last year two independent sources (lunar-python's astronomy and chinese_calendar's
#: solar-term formula) agree on the Qingming day; past it a provisional date is no date.
LAST_YEAR = 2099


@attrs.frozen
class StatutoryHoliday:
    """One holiday the regulations fix: its name and its days off."""

    name: str
    days: tuple[_dt.date, ...]


def _solar(lunar: Lunar) -> _dt.date:
    solar = lunar.getSolar()
    return _dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _run(first: _dt.date, count: int) -> tuple[_dt.date, ...]:
    return tuple(first + _dt.timedelta(days=i) for i in range(count))


def _qingming(year: int) -> _dt.date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return _dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@functools.cache
def statutory_holidays(year: int) -> tuple[StatutoryHoliday, ...]:
    """The statutory holidays of ``year``, in the regulations' order.

    13 days, or 12 when Mid-Autumn falls on 1-3 October (as in 2028).
    """
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            f"statutory holidays are computed for {FIRST_YEAR} to {LAST_YEAR} (the regulations "
            f"in force from {FIRST_YEAR}), got {year!r}"
        )
    # Imported on first use: a calendar with every year's notice never needs it.
    from lunar_python import Lunar

    new_year = Lunar.fromYmd(year, 1, 1)
    # New Year's Eve is the last day of the 12th lunar month: the 29th or the 30th.
    eve = _solar(new_year.next(-1))
    return (
        StatutoryHoliday("元旦", (_dt.date(year, 1, 1),)),
        StatutoryHoliday("春节", _run(eve, 4)),  # New Year's Eve to the third day
        StatutoryHoliday("清明节", (_qingming(year),)),
        StatutoryHoliday("劳动节", _run(_dt.date(year, 5, 1), 2)),
        StatutoryHoliday("端午节", (_solar(Lunar.fromYmd(year, 5, 5)),)),
        StatutoryHoliday("中秋节", (_solar(Lunar.fromYmd(year, 8, 15)),)),
        StatutoryHoliday("国庆节", _run(_dt.date(year, 10, 1), 3)),
    )


@functools.cache
def statutory_days(year: int) -> frozenset[_dt.date]:
    """Every statutory day off of ``year``: what ``Fallback.PROVISIONAL`` takes as holidays."""
    return frozenset(day for holiday in statutory_holidays(year) for day in holiday.days)
