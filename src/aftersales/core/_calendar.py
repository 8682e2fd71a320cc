"""The work calendar: which days count as working days in mainland China.

The data is the State Council's yearly holiday notice, as shipped by the
``chinese_calendar`` package, plus any year a shop adds from a TOML file the day
a notice is published. A year the calendar does not know is an error, not a
guess: services that silently fell back to Monday-Friday broke every January
when the package lagged behind the notice.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping

import attrs
import pendulum

from ._errors import CalendarHorizonError, InvalidInput
from ._provisional import FIRST_YEAR, LAST_YEAR, statutory_days

__all__ = ["Fallback", "WorkCalendar", "china_calendar"]

_SATURDAY = 5
#: The day types the fast path takes as they are (pendulum's is a plain subclass);
#: a datetime, also a date subclass, is refused by the checked path.
_DAY_TYPES = frozenset({_dt.date, pendulum.Date})
_ONE_DAY = _dt.timedelta(days=1)


class Fallback(enum.Enum):
    """What a calendar does with a year it has no data for."""

    RAISE = "raise"
    """Refuse: :class:`CalendarHorizonError` names the year (the default)."""
    WEEKENDS = "weekends"
    """An explicit choice: Monday-Friday are working days and there are no holidays."""
    PROVISIONAL = "provisional"
    """Until the year's notice is loaded: Monday-Friday work and the statutory holidays
    of the national regulations (in force from 2025) are off, with no bridging days
    and no make-up weekends. Deadlines counted this way say ``provisional``."""


def _to_years(value: Iterable[int]) -> frozenset[int]:
    years = frozenset(value)
    for year in years:
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
            raise InvalidInput(f"calendar years must be ints from 1 to 9999, got {year!r}")
    return years


def _to_dates(value: Iterable[_dt.date]) -> frozenset[_dt.date]:
    dates = frozenset(value)
    for day in dates:
        # a datetime is a date too, but a day off has no time zone or hour
        if not isinstance(day, _dt.date) or isinstance(day, _dt.datetime):
            raise InvalidInput(f"calendar days must be datetime.date values, got {day!r}")
    return dates


def _dates_repr(dates: frozenset[_dt.date]) -> str:
    return f"<{len(dates)} dates>"


def _years_repr(years: frozenset[int]) -> str:
    spans = (f"{a}" if a == b else f"{a}-{b}" for a, b in _runs(years))
    return f"<{', '.join(spans) or 'none'}>"


@functools.lru_cache(maxsize=8)
def _tables(
    years: frozenset[int], holidays: frozenset[_dt.date], workdays: frozenset[_dt.date]
) -> tuple[tuple[_dt.date, ...], tuple[int, ...], dict[int, int], dict[int, int]]:
    """A calendar's lookup tables (see ``WorkCalendar._days``), over the longest run of
    its years. They depend on the data alone: a calendar and its copy with another
    fallback (each command's) share them. Read only, never changed."""
    runs = _runs(years)
    if not runs:
        return (), (), {}, {}
    first, last = max(runs, key=lambda run: (run[1] - run[0], run[1]))
    lo = _dt.date(first, 1, 1).toordinal()
    hi = _dt.date(last, 12, 31).toordinal()
    off = {day.toordinal() for day in holidays}
    on = {day.toordinal() for day in workdays}
    working: list[int] = []
    index: dict[int, int] = {}
    after: dict[int, int] = {}
    for ordinal in range(lo, hi + 1):
        index[ordinal] = len(working)
        # ordinal 1 (0001-01-01) is a Monday: weekday() is (ordinal - 1) % 7
        if ordinal in on or ((ordinal - 1) % 7 < _SATURDAY and ordinal not in off):
            working.append(ordinal)
        after[ordinal] = len(working)
    if not working:  # a run with no working day at all: walk it instead
        return (), (), {}, {}
    return tuple(_dt.date.fromordinal(o) for o in working), tuple(working), index, after


def _runs(years: frozenset[int]) -> list[tuple[int, int]]:
    """Contiguous runs of years, as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for year in sorted(years):
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


@attrs.frozen
class WorkCalendar:
    """Mainland China working days: weekends, statutory holidays, adjusted working weekends (调休).

    A day is a working day when it is a weekday and not a holiday, or when it is
    an adjusted working day. Every query about a day in a year outside
    :attr:`years` raises :class:`CalendarHorizonError` unless the calendar was
    built with :attr:`Fallback.WEEKENDS`.
    """

    years: frozenset[int] = attrs.field(converter=_to_years, repr=_years_repr)
    """Years with full data."""
    holidays: frozenset[_dt.date] = attrs.field(converter=_to_dates, repr=_dates_repr)
    """Days off, weekend days inside a holiday period included."""
    workdays: frozenset[_dt.date] = attrs.field(converter=_to_dates, repr=_dates_repr)
    """Adjusted working days that fall on a Saturday or Sunday."""
    fallback: Fallback = attrs.field(default=Fallback.RAISE)

    # Lookup tables over the longest run of known years, so that the hot path of
    # a deadline is a dict lookup and a tuple index instead of a walk over days.
    _days: tuple[_dt.date, ...] = attrs.field(init=False, eq=False, repr=False)
    """The working days in the table, ascending."""
    _ordinals: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    """The same days as ordinals: a deadline needs how many days it moved, not a date."""
    _index: dict[int, int] = attrs.field(init=False, eq=False, repr=False)
    """Ordinal -> index in ``_days`` of the first working day on or after it."""
    _after: dict[int, int] = attrs.field(init=False, eq=False, repr=False)
    """Ordinal -> index in ``_days`` of the first working day after it."""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.fallback, Fallback):
            raise InvalidInput(f"fallback must be a Fallback, got {self.fallback!r}")
        for day in sorted(self.holidays | self.workdays):
            if day.year not in self.years:
                raise InvalidInput(
                    f"{day.isoformat()} is listed but {day.year} is not one of the "
                    "calendar's years; add the year or drop the date"
                )
        for day in sorted(self.workdays):
            if day.weekday() < _SATURDAY:
                raise InvalidInput(
                    f"{day.isoformat()} is a {day.strftime('%A')}: an adjusted working "
                    "day must fall on a Saturday or Sunday"
                )
        both = sorted(self.holidays & self.workdays)
        if both:
            raise InvalidInput(f"{both[0].isoformat()} cannot be both a holiday and a working day")
        days, ordinals, index, after = _tables(self.years, self.holidays, self.workdays)
        object.__setattr__(self, "_days", days)
        object.__setattr__(self, "_ordinals", ordinals)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_after", after)

    # -- queries ---------------------------------------------------------------

    @property
    def horizon(self) -> tuple[int, int]:
        """The first and last year the calendar has data for (gaps are possible)."""
        if not self.years:
            raise InvalidInput("this calendar has no year of data, so it has no horizon")
        return min(self.years), max(self.years)

    def is_working_day(self, day: _dt.date) -> bool:
        o = _ordinal(day)
        i = self._index.get(o)
        if i is None:
            return self._is_working(day)
        return self._after[o] != i

    def next_working_day(self, day: _dt.date) -> _dt.date:
        """The first working day on or after ``day``."""
        i = self._index.get(_ordinal(day))
        if i is not None and i < len(self._days):
            found = self._days[i]
            return day if found == day else found
        while not self._is_working(day):
            day = _step(day)
        return day

    def add_working_days(self, day: _dt.date, n: int) -> _dt.date:
        """The ``n``-th working day after ``day``; ``day`` itself is not counted.

        ``day`` need not be a working day: from a Saturday, one working day is the
        Monday (or the make-up Sunday). ``n == 0`` gives ``day`` back.
        """
        if type(day) not in _DAY_TYPES or type(n) is not int or n <= 0:
            return self._add_checked(day, n)
        i = self._after.get(day.toordinal())
        if i is None:
            return self._walk(day, n)
        days = self._days
        j = i + n - 1
        if j < len(days):
            return days[j]
        # past the table: walk on from its last working day
        return self._walk(days[-1], j - len(days) + 1)

    def working_days_between(self, start: _dt.date, end: _dt.date) -> int:
        """How many working days ``d`` have ``start < d <= end`` (0 when ``end <= start``)."""
        lo, hi = _ordinal(start), _ordinal(end)
        if hi <= lo:
            return 0
        after = self._after
        if lo in after and hi in after:
            return after[hi] - after[lo]
        count = 0
        day = start
        for _ in range(hi - lo):
            day = _step(day)
            count += self._is_working(day)
        return count

    def year_digest(self, year: int) -> str:
        """A short fingerprint of one year's days off and make-up days."""
        days = sorted(d for d in self.holidays | self.workdays if d.year == year)
        text = " ".join(f"{d.isoformat()}{'w' if d in self.workdays else 'h'}" for d in days)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def covers(self, first: int, last: int) -> bool:
        """Whether every year from ``first`` to ``last`` has its notice's data."""
        return all(year in self.years for year in range(first, last + 1))

    def with_data(self, other: WorkCalendar) -> WorkCalendar:
        """A calendar whose data for ``other``'s years is ``other``'s, replacing ours."""
        replaced = other.years
        return WorkCalendar(
            years=self.years | replaced,
            holidays={d for d in self.holidays if d.year not in replaced} | other.holidays,
            workdays={d for d in self.workdays if d.year not in replaced} | other.workdays,
            fallback=self.fallback,
        )

    # -- constructors ------------------------------------------------------------

    @classmethod
    def china(
        cls,
        *,
        extra: str | os.PathLike[str] | None = None,
        fallback: Fallback = Fallback.RAISE,
    ) -> WorkCalendar:
        """The packaged State Council data, plus a shop's file for years it adds or corrects."""
        calendar = china_calendar()
        if extra is not None:
            calendar = calendar.with_data(cls.from_file(extra))
        if fallback is not calendar.fallback:
            calendar = attrs.evolve(calendar, fallback=fallback)
        return calendar

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> WorkCalendar:
        """Read a shop calendar file (TOML; see :meth:`from_toml` and docs/calendar.md)."""
        origin = os.fspath(path)
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            raise InvalidInput(f"cannot read calendar file {origin}: {exc}") from exc
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{origin}: a calendar file must be UTF-8 ({exc})") from None
        return cls.from_toml(text, origin=origin)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "<string>") -> WorkCalendar:
        """Parse a shop calendar: one ``[years.YYYY]`` table per year it supplies.

        Each table has ``source`` (required: which notice the dates come from),
        ``holidays`` (days off) and ``workdays`` (adjusted working weekends);
        dates are ``"YYYY-MM-DD"`` strings or ``"A..B"`` inclusive ranges.
        """
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"{origin}: not valid TOML: {exc}") from None
        unknown = sorted(set(document) - {"years"})
        if unknown:
            raise InvalidInput(
                f"{origin}: unknown top-level key(s) {', '.join(unknown)}; "
                "a calendar file holds only [years.YYYY] tables"
            )
        tables = document.get("years")
        if not isinstance(tables, dict) or not tables:
            raise InvalidInput(
                f"{origin}: no [years.YYYY] table; add one per year, e.g. [years.2027]"
            )
        years: set[int] = set()
        holidays: set[_dt.date] = set()
        workdays: set[_dt.date] = set()
        for key, table in tables.items():
            year = _parse_year(key, origin)
            where = f"{origin}: [years.{key}]"
            if not isinstance(table, dict):
                raise InvalidInput(f"{where} must be a table with source, holidays and workdays")
            off, worked = _parse_year_table(table, year, where)
            both = sorted(off & worked)
            if both:
                raise InvalidInput(
                    f"{where}: {both[0].isoformat()} is both a holiday and a workday"
                )
            years.add(year)
            holidays |= off
            workdays |= worked
        return cls(years=years, holidays=holidays, workdays=workdays)

    # -- internals ---------------------------------------------------------------

    def _known_is_working(self, day: _dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays

    def _add_checked(self, day: _dt.date, n: int) -> _dt.date:
        """:meth:`add_working_days` for the inputs the fast path does not take."""
        _ordinal(day)
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidInput(f"a number of working days must be an int, got {n!r}")
        if n < 0:
            raise InvalidInput(f"a number of working days cannot be negative, got {n}")
        if n == 0:
            self.is_working_day(day)  # raises for a year the calendar does not know
            return day
        # a date subclass (pendulum.Date) or an int subclass: plain values, as the fast path
        return self.add_working_days(_dt.date(day.year, day.month, day.day), int(n))

    def _is_working(self, day: _dt.date) -> bool:
        """The rule, day by day: used outside the lookup table."""
        if day.year in self.years:
            return self._known_is_working(day)
        if self.fallback is Fallback.WEEKENDS:
            return day.weekday() < _SATURDAY
        if self.fallback is Fallback.PROVISIONAL and FIRST_YEAR <= day.year <= LAST_YEAR:
            return day.weekday() < _SATURDAY and day not in statutory_days(day.year)
        raise CalendarHorizonError(day.year, self.years)

    def _walk(self, day: _dt.date, n: int) -> _dt.date:
        """Step day by day to the ``n``-th working day after ``day``."""
        while n:
            day = _step(day)
            if self._is_working(day):
                n -= 1
        return day

    def _deadline_ordinal(self, ordinal: int, n: int) -> tuple[int, bool]:
        """Roll the day ``ordinal`` forward to a working day, then add ``n`` working days.

        Returns the day's ordinal and whether the start rolled (it was not a working
        day). This is the hot path of :func:`deadline_after`.
        """
        i = self._index.get(ordinal)
        if i is not None and i + n < len(self._ordinals):
            return self._ordinals[i + n], self._after[ordinal] == i
        day = _dt.date.fromordinal(ordinal)
        start = self.next_working_day(day)
        return self._walk(start, n).toordinal(), start != day


def _ordinal(day: _dt.date) -> int:
    if isinstance(day, _dt.datetime) or not isinstance(day, _dt.date):
        raise InvalidInput(f"expected a datetime.date (a day, not an instant), got {day!r}")
    return day.toordinal()


def _step(day: _dt.date) -> _dt.date:
    try:
        return day + _ONE_DAY
    except OverflowError:
        raise InvalidInput("the date runs past 9999-12-31") from None


# -- the shop file ---------------------------------------------------------------

_YEAR_KEY = re.compile(r"[0-9]{4}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_TABLE_KEYS = frozenset({"source", "holidays", "workdays"})


def _parse_year(key: str, origin: str) -> int:
    if not _YEAR_KEY.fullmatch(key) or int(key) < 1:
        raise InvalidInput(f"{origin}: [years.{key}] is not a year; name tables like [years.2027]")
    return int(key)


def _parse_year_table(
    table: Mapping[str, object], year: int, where: str
) -> tuple[set[_dt.date], set[_dt.date]]:
    unknown = sorted(set(table) - _TABLE_KEYS)
    if unknown:
        raise InvalidInput(
            f"{where}: unknown key(s) {', '.join(unknown)}; "
            "allowed keys are source, holidays and workdays"
        )
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput(
            f"{where}: missing source; name the State Council notice the dates come from"
        )
    holidays = _parse_dates(table.get("holidays", []), year, f"{where} holidays")
    workdays = _parse_dates(table.get("workdays", []), year, f"{where} workdays")
    for day in sorted(workdays):
        if day.weekday() < _SATURDAY:
            raise InvalidInput(
                f"{where} workdays: {day.isoformat()} is a {day.strftime('%A')}; "
                "list only weekend days that are worked (a weekday is a working day anyway)"
            )
    return holidays, workdays


def _parse_dates(entries: object, year: int, where: str) -> set[_dt.date]:
    if not isinstance(entries, list):
        raise InvalidInput(f"{where}: expected a list of dates, got {entries!r}")
    days: set[_dt.date] = set()
    for entry in entries:
        if isinstance(entry, _dt.date) and not isinstance(entry, _dt.datetime):
            first = last = entry  # a TOML date literal
        elif isinstance(entry, str):
            start, dots, end = entry.partition("..")
            first = _parse_date(start, entry, where)
            last = _parse_date(end, entry, where) if dots else first
            if last < first:
                raise InvalidInput(f"{where}: range {entry!r} ends before it starts")
        else:
            raise InvalidInput(
                f"{where}: {entry!r} is not a date; write 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD'"
            )
        for day in (first, last):
            if day.year != year:
                raise InvalidInput(
                    f"{where}: {day.isoformat()} is outside {year}; "
                    "put each date under its own year's table"
                )
        days.update(_dt.date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1))
    return days


def _parse_date(text: str, entry: str, where: str) -> _dt.date:
    stripped = text.strip()
    if _DATE.fullmatch(stripped):
        try:
            return _dt.date.fromisoformat(stripped)
        except ValueError:
            pass
    raise InvalidInput(
        f"{where}: {entry!r} is not a date; write 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD'"
    )


@functools.cache
def china_calendar() -> WorkCalendar:
    """The calendar from the packaged ``chinese_calendar`` data, raising past its years.

    Built once: the lookup tables take a few milliseconds.
    """
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    first = min(day.year for day in holidays)
    last = max(day.year for day in holidays)
    return WorkCalendar(
        years=frozenset(range(first, last + 1)), holidays=holidays, workdays=workdays
    )
