"""Working-day deadlines: the library's lookup tables against a day-by-day walk.

The walk is what a shop would write first: step one day at a time, asking the
calendar package (``chinese_calendar.is_workday``) about each. Starts are spread
over 2024-2026 so holidays and make-up weekends are crossed; N is 1-10 working
days (INT-REVIEW-4WD, MAL-APPEAL and friends use 1-5).
"""

from __future__ import annotations

import datetime as dt
import random

import chinese_calendar
import pendulum

from aftersales import Duration
from aftersales.core import china_calendar, deadline_after

from ._timing import Figure, side_by_side

_TZ = pendulum.timezone("Asia/Shanghai")
_CAL = china_calendar()


def _starts(n: int) -> list[tuple[pendulum.DateTime, int]]:
    rng = random.Random(20261123)
    base = pendulum.datetime(2024, 1, 1, tz=_TZ)
    return [
        (base.add(days=rng.randrange(0, 3 * 365 - 20), hours=rng.randrange(24)), rng.randint(1, 10))
        for _ in range(n)
    ]


def _walk(day: dt.date, n: int) -> dt.date:
    # The same rule as deadline_after: a start on a day off rolls to the next working day.
    while not chinese_calendar.is_workday(day):
        day += dt.timedelta(days=1)
    while n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def run(*, quick: bool) -> list[Figure]:
    starts = _starts(1000)
    durations = [(s, Duration.working_days(n)) for s, n in starts]
    dates = [(s.date(), n) for s, n in starts]
    for (s, d), (day, n) in zip(durations, dates, strict=True):  # the contenders agree
        assert deadline_after(s, d, _CAL, _TZ).date() == _walk(day, n), (s, n)
    repeats = 5 if quick else 15

    def full() -> int:
        for s, d in durations:
            deadline_after(s, d, _CAL, _TZ)
        return len(durations)

    def dates_only() -> int:
        add = _CAL.add_working_days
        for day, n in dates:
            add(day, n)
        return len(dates)

    def walk() -> int:
        for day, n in dates:
            _walk(day, n)
        return len(dates)

    rates = side_by_side({"full": full, "dates": dates_only, "walk": walk}, repeats=repeats)
    return [
        Figure(
            "working days",
            "deadline_after (zone-aware)",
            rates["full"],
            "deadlines/s",
            repeats,
            "pendulum DateTime in Asia/Shanghai, as the engine uses it",
        ),
        Figure(
            "working days",
            "WorkCalendar.add_working_days",
            rates["dates"],
            "deadlines/s",
            repeats,
            "the date arithmetic alone",
        ),
        Figure(
            "working days",
            "day-by-day walk (chinese_calendar)",
            rates["walk"],
            "deadlines/s",
            repeats,
        ),
    ]
