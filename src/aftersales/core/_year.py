"""One calendar year as a person reads it: the holiday periods and the worked weekends.

``aftersales calendar show YEAR`` prints it, to check the loaded data against the
notice, or to see what a provisional year assumes.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from ._calendar import Fallback, WorkCalendar
from ._errors import InvalidInput
from ._notice import _day
from ._provisional import FIRST_YEAR, LAST_YEAR, statutory_days

__all__ = ["CalendarYear", "calendar_year"]

_ONE_DAY = _dt.timedelta(days=1)


@attrs.frozen
class CalendarYear:
    """A year of a calendar: periods of days off (with the weekends they join), worked weekends."""

    year: int
    #: "notice": the year's data is loaded; "provisional": statutory holidays only.
    basis: str
    periods: tuple[tuple[_dt.date, _dt.date], ...]
    workdays: tuple[_dt.date, ...]

    @property
    def provisional(self) -> bool:
        return self.basis == "provisional"

    def summary(self) -> str:
        head = f"{self.year}: " + (
            "provisional: the statutory holidays only, no notice loaded (no bridging days, "
            "no make-up weekends)"
            if self.provisional
            else "from the loaded notice data"
        )
        lines = [head]
        for first, last in self.periods:
            count = (last - first).days + 1
            span = _day(first) if first == last else f"{_day(first)} to {_day(last)}"
            lines.append(f"- off: {span}, {count} day{'s' * (count != 1)}")
        worked = ", ".join(_day(d) for d in self.workdays) or "none"
        lines.append(f"- worked weekends: {worked}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "basis": self.basis,
            "provisional": self.provisional,
            "periods": [{"first": a.isoformat(), "last": b.isoformat()} for a, b in self.periods],
            "workdays": [d.isoformat() for d in self.workdays],
        }


def calendar_year(calendar: WorkCalendar, year: int) -> CalendarYear:
    """``year`` as ``calendar`` counts it; a year it cannot count is the horizon error.

    A period is a run of days off that holds at least one holiday, so the weekends a
    holiday joins are shown with it.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise InvalidInput(f"a year is an int from 1 to 9999, got {year!r}")
    if year in calendar.years:
        basis = "notice"
        holidays = {d for d in calendar.holidays if d.year == year}
    elif calendar.fallback is Fallback.PROVISIONAL and FIRST_YEAR <= year <= LAST_YEAR:
        basis = "provisional"
        holidays = set(statutory_days(year))
    else:
        calendar.is_working_day(_dt.date(year, 1, 1))  # the horizon error, naming the year
        basis = "weekends"  # Fallback.WEEKENDS: no holidays at all
        holidays = set()
    periods: list[tuple[_dt.date, _dt.date]] = []
    for day in sorted(holidays):
        if periods and periods[-1][0] <= day <= periods[-1][1]:
            continue
        first = last = day
        while first - _ONE_DAY >= _dt.date(year, 1, 1) and not calendar.is_working_day(
            first - _ONE_DAY
        ):
            first -= _ONE_DAY
        while last + _ONE_DAY <= _dt.date(year, 12, 31) and not calendar.is_working_day(
            last + _ONE_DAY
        ):
            last += _ONE_DAY
        periods.append((first, last))
    workdays = tuple(sorted(d for d in calendar.workdays if d.year == year))
    return CalendarYear(year, basis, tuple(periods), workdays)
