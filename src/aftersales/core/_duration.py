"""Durations and deadline arithmetic: hours, calendar days and working days.

The three units mean different things on a calendar, so a duration keeps its
unit instead of being a ``timedelta``: "5 days" and "120 hours" differ across a
DST change, and "4 working days" depends on the State Council's holiday notice.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re

import attrs
import pendulum

from ._calendar import Fallback, WorkCalendar
from ._errors import InvalidInput

__all__ = ["Duration", "Unit", "deadline_after", "is_provisional"]


class Unit(enum.Enum):
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"


# Module constants: looking a member up on an Enum class costs more than the
# rest of the calendar lookup in deadline_after.
_HOURS = Unit.HOURS
_DAYS = Unit.DAYS
_WORKING_DAYS = Unit.WORKING_DAYS

_NAMES = {
    Unit.HOURS: ("hour", "hours"),
    Unit.DAYS: ("day", "days"),
    Unit.WORKING_DAYS: ("working day", "working days"),
}
# The same grammar as the scenario schema's duration pattern.
_PATTERN = re.compile(r"([0-9]+)\s*(h|hours?|d|days?|wd|working days?)", re.ASCII)
_UNITS = {
    "h": Unit.HOURS,
    "hour": Unit.HOURS,
    "hours": Unit.HOURS,
    "d": Unit.DAYS,
    "day": Unit.DAYS,
    "days": Unit.DAYS,
    "wd": Unit.WORKING_DAYS,
    "working day": Unit.WORKING_DAYS,
    "working days": Unit.WORKING_DAYS,
}
_FORMS = "'48h', '48 hours', '1 hour', '5d', '5 days', '4wd' or '4 working days'"


def _check_amount(_: object, __: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"a duration's amount must be an int, got {value!r}")
    if value < 0:
        raise InvalidInput(f"a duration cannot be negative, got {value}")


def _check_unit(_: object, __: attrs.Attribute[Unit], value: Unit) -> None:
    if not isinstance(value, Unit):
        raise InvalidInput(f"a duration's unit must be a Unit, got {value!r}")


@attrs.frozen
class Duration:
    """A whole number of hours, calendar days or working days."""

    amount: int = attrs.field(validator=_check_amount)
    unit: Unit = attrs.field(validator=_check_unit)

    @classmethod
    def hours(cls, n: int) -> Duration:
        return cls(n, Unit.HOURS)

    @classmethod
    def days(cls, n: int) -> Duration:
        return cls(n, Unit.DAYS)

    @classmethod
    def working_days(cls, n: int) -> Duration:
        return cls(n, Unit.WORKING_DAYS)

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read the forms a policy file uses: ``48h``, ``5 days``, ``4wd``..."""
        match = _PATTERN.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidInput(f"{text!r} is not a duration; write it like {_FORMS}")
        return cls(int(match[1]), _UNITS[match[2]])

    def __str__(self) -> str:
        singular, plural = _NAMES[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"


def is_provisional(
    start: pendulum.DateTime, duration: Duration, due: pendulum.DateTime, calendar: WorkCalendar
) -> bool:
    """Whether a deadline counted working days through a year the calendar only guesses.

    That is a year without a loaded notice, counted with ``Fallback.PROVISIONAL``:
    the statutory holidays are known, the bridging days and make-up weekends are not.
    """
    if duration.unit is not _WORKING_DAYS or calendar.fallback is not Fallback.PROVISIONAL:
        return False
    return not calendar.covers(start.astimezone(due.tzinfo).year, due.year)


def deadline_after(
    start: pendulum.DateTime,
    duration: Duration,
    calendar: WorkCalendar,
    tz: pendulum.Timezone | pendulum.FixedTimezone,
) -> pendulum.DateTime:
    """When ``duration`` from ``start`` runs out, as a pendulum DateTime in ``tz``.

    - ``start`` must be timezone-aware; a naive datetime is :class:`InvalidInput`.
    - Hours are exact elapsed time: ``start + n hours``, expressed in ``tz``.
    - Days are calendar days: ``start`` is converted to ``tz`` first, then the
      same wall-clock time ``n`` days later. A wall time that a DST change skips
      moves forward by the gap; a repeated one takes the later offset (as
      pendulum's ``add(days=n)`` does).
    - Working days: ``start`` is converted to ``tz``; if its date is not a working
      day it first rolls forward to 00:00 of the next working day; then the
      deadline is ``n`` working days later at the same time of day. So ``n == 0``
      on a holiday is 00:00 of the next working day, and on a working day it is
      ``start`` itself (in ``tz``). A year the calendar does not know raises
      :class:`CalendarHorizonError` (unless it has an explicit fallback).
    """
    unit = duration.unit
    n = duration.amount
    try:
        wall: _dt.datetime
        if start.tzinfo is tz and unit is not _HOURS:
            wall = start  # the common case, Asia/Shanghai in and out: nothing to convert
        else:
            plain = _plain(start)
            if plain.utcoffset() is None:  # naive, or a zone that gives no offset
                raise InvalidInput(f"{start} has no time zone; give an offset such as +08:00")
            if unit is _HOURS:
                return _hours_after(plain, n, tz)
            wall = plain.astimezone(tz)
        ordinal = wall.toordinal()
        if unit is _DAYS:
            target, rolled = ordinal + n, False
        else:
            # WorkCalendar._deadline_ordinal, inlined for its hot path: a start inside
            # the calendar's table; anything else takes the method.
            i = calendar._index.get(ordinal)
            if i is not None and i + n < len(calendar._ordinals):
                target, rolled = calendar._ordinals[i + n], calendar._after[ordinal] == i
            else:
                target, rolled = calendar._deadline_ordinal(ordinal, n)
        ymd = _STEADY.get((id(tz), target))
        if ymd:  # the hot path: a day on which the zone keeps one offset
            y, m, d = ymd
            return (
                _PENDULUM(y, m, d, 0, 0, 0, 0, tz)
                if rolled
                else _PENDULUM(y, m, d, wall.hour, wall.minute, wall.second, wall.microsecond, tz)
            )
        day = _dt.date.fromordinal(target)
        if rolled:
            return _wall_clock(tz, day, 0, 0, 0, 0)
        # zero days later is the start itself, even in a repeated (DST) hour
        fold = wall.fold if n == 0 else 1
        return _wall_clock(tz, day, wall.hour, wall.minute, wall.second, wall.microsecond, fold)
    except InvalidInput:
        raise
    except (OverflowError, ValueError):  # date arithmetic past year 9999
        raise InvalidInput(f"{duration} after {start} runs past 9999-12-31") from None


def _hours_after(
    plain: _dt.datetime, n: int, tz: pendulum.Timezone | pendulum.FixedTimezone
) -> pendulum.DateTime:
    """Exact elapsed hours: counted in UTC, shown in ``tz``."""
    due = (plain.astimezone(_dt.UTC) + _dt.timedelta(hours=n)).astimezone(tz)
    return pendulum.DateTime(
        due.year,
        due.month,
        due.day,
        due.hour,
        due.minute,
        due.second,
        due.microsecond,
        tz,
        fold=due.fold,
    )


def _plain(value: _dt.datetime) -> _dt.datetime:
    """A stdlib datetime with the same fields, so stdlib arithmetic applies.

    pendulum's own ``__add__`` and ``astimezone`` are correct but cost microseconds.
    """
    if type(value) is _dt.datetime:
        return value
    return _dt.datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        value.tzinfo,
        fold=value.fold,
    )


_PENDULUM = pendulum.DateTime

#: (zone, day's ordinal) -> the day's (year, month, day) if the zone keeps one offset
#: all day long, else ``()``. Deadlines land on a few thousand days, so this spares
#: building a date and checking offsets per deadline (a positional constructor is the
#: cheapest way to a pendulum instant); the cap keeps a long process's memory bounded.
_STEADY: dict[tuple[int, int], tuple[int, ...]] = {}
_STEADY_MAX = 200_000
#: The zones ``_STEADY`` has seen, kept alive so that an ``id`` stays its zone's own
#: (pendulum's zones hash in Python; an ``id`` is free).
_ZONES: dict[int, object] = {}


def _steady_day(tz: pendulum.Timezone | pendulum.FixedTimezone, day: _dt.date) -> bool:
    """No wall time on ``day`` is skipped or repeated in ``tz`` (checked at every quarter hour)."""
    start = _dt.datetime(day.year, day.month, day.day)  # noqa: DTZ001 - a wall time, on purpose
    offsets = set()
    for quarter in range(24 * 4):
        wall = start + _dt.timedelta(minutes=15 * quarter)
        offsets.add(tz.utcoffset(wall))
        offsets.add(tz.utcoffset(wall.replace(fold=1)))
    return len(offsets) == 1


def _wall_clock(
    tz: pendulum.Timezone | pendulum.FixedTimezone,
    day: _dt.date,
    hour: int,
    minute: int,
    second: int,
    microsecond: int,
    fold: int = 1,
) -> pendulum.DateTime:
    """The wall-clock time on ``day`` in ``tz``, normalized as pendulum does.

    ``fold`` picks the offset of a repeated wall time; pendulum's default is the later.
    """
    y, m, d = day.year, day.month, day.day
    key = (id(tz), day.toordinal())
    steady = _STEADY.get(key)
    if steady is None:
        steady = (y, m, d) if _steady_day(tz, day) else ()
        if len(_STEADY) < _STEADY_MAX:
            _ZONES.setdefault(id(tz), tz)
            _STEADY[key] = steady
    if steady:  # no offset change on this day: every wall time exists exactly once
        return pendulum.DateTime(y, m, d, hour, minute, second, microsecond, tz)
    # Naive stdlib datetimes on purpose: the zone reads their wall clock and fold,
    # and zoneinfo reads a subclass's fields through slow attribute lookups.
    earlier = _dt.datetime(y, m, d, hour, minute, second, microsecond)  # noqa: DTZ001
    later = _dt.datetime(y, m, d, hour, minute, second, microsecond, fold=1)  # noqa: DTZ001
    if tz.utcoffset(earlier) == tz.utcoffset(later):
        return pendulum.DateTime(y, m, d, hour, minute, second, microsecond, tz)
    # A DST change skips or repeats this wall time (never in Asia/Shanghai):
    # pendulum moves a skipped time forward and resolves a repeated one by `fold`.
    fixed = tz.convert(later if fold else earlier)
    return pendulum.DateTime(
        fixed.year,
        fixed.month,
        fixed.day,
        fixed.hour,
        fixed.minute,
        fixed.second,
        fixed.microsecond,
        tz,
        fold=fixed.fold,
    )
