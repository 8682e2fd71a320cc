"""The work calendar and deadline arithmetic, as a shop's timers depend on them.

Every pinned figure below was worked out by hand from the State Council data the
``chinese_calendar`` package ships, and each test checks it again against a
plain day-by-day walk over ``chinese_calendar.is_workday``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pendulum
import pytest
from chinese_calendar import constants
from hypothesis import given
from hypothesis import strategies as st

from aftersales import CalendarHorizonError, Duration, InvalidInput, Unit
from aftersales.core import Fallback, WorkCalendar, china_calendar, deadline_after

from .helpers import SH, sh

CAL = china_calendar()
WEEKENDS = WorkCalendar.china(fallback=Fallback.WEEKENDS)
FIRST_DAY = dt.date(2004, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
ONE_DAY = dt.timedelta(days=1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def span(first: str, last: str) -> set[dt.date]:
    a, b = d(first), d(last)
    return {a + dt.timedelta(days=i) for i in range((b - a).days + 1)}


def package_is_workday(day: dt.date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def reference_add(day: dt.date, n: int) -> dt.date | None:
    """The n-th working day after ``day`` by walking the package; None past 2026."""
    while n:
        day += ONE_DAY
        if day > LAST_DAY:
            return None
        if package_is_workday(day):
            n -= 1
    return day


def reference_deadline(start: pendulum.DateTime, n: int) -> pendulum.DateTime | None:
    """The documented rule, computed the slow way from the package."""
    local = start.in_timezone(SH)
    day = dt.date(local.year, local.month, local.day)
    time = dt.time(local.hour, local.minute, local.second, local.microsecond)
    if not package_is_workday(day):
        while day <= LAST_DAY and not package_is_workday(day):
            day += ONE_DAY
        time = dt.time(0, 0)
    due = reference_add(day, n) if day <= LAST_DAY else None
    if due is None:
        return None
    return pendulum.instance(dt.datetime.combine(due, time), tz=SH)


def wd(start: pendulum.DateTime, n: int, calendar: WorkCalendar = CAL) -> pendulum.DateTime:
    return deadline_after(start, Duration.working_days(n), calendar, SH)


# -- the package data the pinned figures rely on ---------------------------------------


def test_package_holds_the_2025_and_2026_notices_the_figures_were_worked_from() -> None:
    holidays, workdays = set(constants.holidays), set(constants.workdays)
    in_2025 = span("2025-01-28", "2025-02-04") | span("2025-10-01", "2025-10-08")
    assert in_2025 <= holidays
    assert {
        d(x) for x in ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
    } == {day for day in workdays if day.year == 2025}
    in_2026 = (
        span("2026-01-01", "2026-01-03")
        | span("2026-02-15", "2026-02-23")
        | span("2026-04-04", "2026-04-06")
        | span("2026-05-01", "2026-05-05")
        | span("2026-06-19", "2026-06-21")
        | span("2026-09-25", "2026-09-27")
        | span("2026-10-01", "2026-10-07")
    )
    assert in_2026 == {day for day in holidays if day.year == 2026}
    make_up_2026 = [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    assert {d(x) for x in make_up_2026} == {day for day in workdays if day.year == 2026}
    assert CAL.horizon == (2004, 2026)


def test_every_day_2004_to_2026_agrees_with_the_package() -> None:
    day = FIRST_DAY
    while day <= LAST_DAY:
        assert CAL.is_working_day(day) is package_is_workday(day), day
        day += ONE_DAY


# -- pinned working-day deadlines ------------------------------------------------------

PINNED = [
    # National Day 2026 (10-01..10-07 off, 09-20 Sun and 10-10 Sat worked)
    ("2026-09-28 10:00", 4, "2026-10-09 10:00"),  # 09-29, 09-30, 10-08, 10-09
    ("2026-09-30 10:00", 4, "2026-10-12 10:00"),  # 10-08, 10-09, 10-10 Sat, 10-12
    ("2026-10-10 09:15", 1, "2026-10-12 09:15"),  # make-up Saturday: no roll
    ("2026-10-10 09:15", 0, "2026-10-10 09:15"),
    ("2026-09-19 14:00", 2, "2026-09-22 00:00"),  # Sat rolls to Sun 09-20 (worked)
    # National Day 2025 (10-01..10-08 off, 09-28 Sun and 10-11 Sat worked)
    ("2025-09-29 09:00", 5, "2025-10-13 09:00"),  # 09-30, 10-09, 10-10, 10-11 Sat, 10-13
    ("2025-09-27 20:00", 1, "2025-09-29 00:00"),  # Sat rolls to Sun 09-28, +1 = Mon
    # Spring Festival 2026 (02-15..02-23 off, 02-14 Sat and 02-28 Sat worked)
    ("2026-02-12 18:00", 3, "2026-02-24 18:00"),  # 02-13, 02-14 Sat, 02-24
    ("2026-02-13 10:00", 6, "2026-02-28 10:00"),  # 02-14, 02-24..02-27, 02-28 Sat
    # Spring Festival 2025 (01-28..02-04 off, 01-26 Sun and 02-08 Sat worked)
    ("2025-01-24 12:00", 2, "2025-01-27 12:00"),  # 01-26 Sun, 01-27
    ("2025-01-27 12:00", 4, "2025-02-08 12:00"),  # 02-05, 02-06, 02-07, 02-08 Sat
    # Across the year: 2026-01-01..03 off, 01-04 Sun worked
    ("2025-12-30 16:00", 2, "2026-01-04 16:00"),  # 12-31, 01-04 Sun
    ("2025-12-31 16:00", 3, "2026-01-06 16:00"),  # 01-04 Sun, 01-05, 01-06
]


@pytest.mark.parametrize(("start", "n", "due"), PINNED)
def test_pinned_working_day_deadlines(start: str, n: int, due: str) -> None:
    assert wd(sh(start), n) == sh(due)
    assert reference_deadline(sh(start), n) == sh(due)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-10-03 15:30", 0, "2026-10-08 00:00"),  # holiday: 00:00 of the next working day
        ("2026-10-03 15:30", 1, "2026-10-09 00:00"),
        ("2026-02-18 08:00", 1, "2026-02-25 00:00"),  # Spring Festival: rolls to 02-24
        ("2025-02-01 23:59", 0, "2025-02-05 00:00"),  # Spring Festival 2025, a Saturday off
        ("2026-01-01 09:00", 0, "2026-01-04 00:00"),  # New Year: rolls to the worked Sunday
        ("2026-12-26 10:00", 0, "2026-12-28 00:00"),  # a plain Saturday rolls too
    ],
)
def test_a_start_on_a_day_off_rolls_to_midnight_of_the_next_working_day(
    start: str, n: int, due: str
) -> None:
    assert not CAL.is_working_day(sh(start).date())
    assert wd(sh(start), n) == sh(due)
    assert reference_deadline(sh(start), n) == sh(due)


def test_make_up_days_are_working_days_and_holidays_are_not() -> None:
    for day in ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]:
        assert d(day).weekday() >= 5
        assert CAL.is_working_day(d(day))
    for day in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]:
        assert CAL.is_working_day(d(day))
    for day in ["2025-10-08", "2026-02-23", "2026-10-05", "2026-10-11"]:
        assert not CAL.is_working_day(d(day))


def test_calendar_queries_on_the_holidays() -> None:
    assert CAL.next_working_day(d("2026-10-01")) == d("2026-10-08")
    assert CAL.next_working_day(d("2026-10-08")) == d("2026-10-08")
    assert CAL.next_working_day(d("2026-10-11")) == d("2026-10-12")
    assert CAL.add_working_days(d("2026-09-28"), 4) == d("2026-10-09")
    assert CAL.add_working_days(d("2026-10-04"), 1) == d("2026-10-08")  # from a day off
    assert CAL.add_working_days(d("2026-10-04"), 0) == d("2026-10-04")
    assert CAL.working_days_between(d("2026-09-30"), d("2026-10-12")) == 4
    assert CAL.working_days_between(d("2026-10-12"), d("2026-09-30")) == 0
    assert CAL.working_days_between(d("2025-12-31"), d("2026-01-04")) == 1


def test_a_wall_clock_time_is_kept_from_a_utc_start() -> None:
    start = pendulum.datetime(2026, 9, 28, 2, 0, tz="UTC")  # 10:00 in Shanghai
    due = wd(start, 4)
    assert due == sh("2026-10-09 10:00")
    assert due.timezone_name == "Asia/Shanghai"
    # 20:00 UTC on Tuesday 09-29 is already Wednesday 09-30 in Shanghai
    assert wd(pendulum.datetime(2026, 9, 29, 20, 0, tz="UTC"), 4) == sh("2026-10-12 04:00")


# -- the horizon -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n"), [("2026-12-31 10:00", 1), ("2026-12-28 10:00", 4), ("2026-12-31 23:59", 0)]
)
def test_a_deadline_that_needs_2027_names_2027(start: str, n: int) -> None:
    if n == 0:  # a working day: zero working days is the start itself, no 2027 needed
        assert wd(sh(start), n) == sh(start)
        return
    with pytest.raises(CalendarHorizonError, match="2027") as info:
        wd(sh(start), n)
    assert info.value.year == 2027
    assert info.value.known == tuple(range(2004, 2027))


def test_dates_before_2004_are_outside_the_horizon_too() -> None:
    with pytest.raises(CalendarHorizonError, match="2003") as info:
        wd(sh("2003-12-30 10:00"), 3)
    assert info.value.year == 2003
    with pytest.raises(CalendarHorizonError, match="2003"):
        CAL.is_working_day(d("2003-06-02"))
    with pytest.raises(CalendarHorizonError, match="2003"):
        CAL.add_working_days(d("2003-06-02"), 0)
    with pytest.raises(CalendarHorizonError, match="2027"):
        CAL.next_working_day(d("2026-12-31") + ONE_DAY)
    with pytest.raises(CalendarHorizonError, match="2027"):
        CAL.working_days_between(d("2026-12-01"), d("2027-01-10"))


def test_hours_and_days_do_not_need_the_calendar() -> None:
    start = sh("2026-12-31 10:00")
    assert deadline_after(start, Duration.hours(48), CAL, SH) == sh("2027-01-02 10:00")
    assert deadline_after(start, Duration.days(5), CAL, SH) == sh("2027-01-05 10:00")


def test_the_weekends_fallback_counts_monday_to_friday_in_unknown_years() -> None:
    # 12-31 Thu, 2027-01-01 Fri (no holidays in the fallback), 01-04 Mon, 01-05 Tue
    assert wd(sh("2026-12-30 10:00"), 4, WEEKENDS) == sh("2027-01-05 10:00")
    assert wd(sh("2027-01-02 10:00"), 0, WEEKENDS) == sh("2027-01-04 00:00")
    # back in known years, the data still rules: 2004-01-01 was New Year's Day
    assert WEEKENDS.add_working_days(d("2003-12-30"), 2) == d("2004-01-02")
    assert WEEKENDS.working_days_between(d("2027-01-01"), d("2027-01-31")) == 20
    assert WEEKENDS.fallback is Fallback.WEEKENDS
    assert CAL.fallback is Fallback.RAISE


# A shop file. TEST-ONLY DATA: these 2027 dates are made up to exercise the format;
# they are not the State Council's 2027 arrangements.
SHOP_2027 = """\
[years.2027]
source = "test fixture, not a real notice"
holidays = ["2027-01-01", "2027-02-06..2027-02-12"]
workdays = ["2027-02-20"]
"""


def test_a_shop_file_adds_a_year_and_the_horizon_error_goes_away(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(SHOP_2027, encoding="utf-8")
    calendar = WorkCalendar.china(extra=path)
    assert calendar.horizon == (2004, 2027)
    # 12-31 Thu, (01-01 off, weekend), 01-04 Mon, 01-05, 01-06
    assert wd(sh("2026-12-30 10:00"), 4, calendar) == sh("2027-01-06 10:00")
    # 02-06..02-12 off, then the weekend: the first working day is Monday 02-15
    assert wd(sh("2027-02-05 10:00"), 1, calendar) == sh("2027-02-15 10:00")
    assert calendar.is_working_day(d("2027-02-20"))  # a worked Saturday
    assert calendar.add_working_days(d("2027-02-19"), 1) == d("2027-02-20")
    with pytest.raises(CalendarHorizonError, match="2028"):
        calendar.add_working_days(d("2027-12-30"), 2)
    # the packaged years are untouched
    for day in span("2026-01-01", "2026-12-31"):
        assert calendar.is_working_day(day) is CAL.is_working_day(day)


def test_a_shop_year_replaces_the_packaged_year_entirely() -> None:
    only_new_year = """
    [years.2026]
    source = "test fixture: pretend a correction kept only New Year's Day"
    holidays = ["2026-01-01"]
    """
    calendar = CAL.with_data(WorkCalendar.from_toml(only_new_year))
    assert calendar.horizon == (2004, 2026)
    assert calendar.is_working_day(d("2026-10-01"))  # National Day gone with the old data
    assert not calendar.is_working_day(d("2026-10-10"))  # so is its make-up Saturday
    assert calendar.is_working_day(d("2025-01-26"))  # other years keep theirs
    assert not calendar.is_working_day(d("2026-01-01"))


def test_shop_files_accept_toml_dates_and_empty_lists() -> None:
    calendar = WorkCalendar.from_toml(
        """
        [years.2030]
        source = "test fixture"
        holidays = [2030-01-01, "2030-10-01..2030-10-03"]
        [years.2031]
        source = "test fixture: a year with weekends only"
        """
    )
    assert calendar.years == {2030, 2031}
    assert calendar.holidays == {d("2030-01-01")} | span("2030-10-01", "2030-10-03")
    assert calendar.workdays == frozenset()


BROKEN = [
    ('holidays = ["2027-13-01"]', "'2027-13-01' is not a date"),
    ('holidays = ["2027/01/01"]', "'2027/01/01' is not a date"),
    ('holidays = ["2027-02-12..2027-02-06"]', "ends before it starts"),
    ('holidays = ["2028-01-01"]', "2028-01-01 is outside 2027"),
    ('holidays = ["2026-12-31..2027-01-02"]', "2026-12-31 is outside 2027"),
    ('workdays = ["2027-02-22"]', "2027-02-22 is a Monday"),
    ('holiday = ["2027-01-01"]', "unknown key(s) holiday"),
    ('holidays = "2027-01-01"', "expected a list of dates"),
    ("holidays = [20270101]", "20270101 is not a date"),
    ('holidays = ["2027-02-20"]\nworkdays = ["2027-02-20"]', "2027-02-20 is both"),
]


@pytest.mark.parametrize(("line", "problem"), BROKEN)
def test_a_malformed_shop_file_names_the_file_the_year_and_the_problem(
    tmp_path: Path, line: str, problem: str
) -> None:
    path = tmp_path / "shop-calendar.toml"
    path.write_text(f'[years.2027]\nsource = "test fixture"\n{line}\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        WorkCalendar.from_file(path)
    message = str(info.value)
    assert str(path) in message
    assert "[years.2027]" in message
    assert problem in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[years.2027]\nholidays = ["2027-01-01"]\n', "missing source"),
        ('[years.2027]\nsource = ""\n', "missing source"),
        ('[years.next]\nsource = "x"\n', "[years.next] is not a year"),
        ('[year.2027]\nsource = "x"\n', "unknown top-level key(s) year"),
        ("", "no [years.YYYY] table"),
        ("[years.2027\n", "not valid TOML"),
        ("years = 2027\n", "no [years.YYYY] table"),
        ("[years]\n2027 = 1\n", "[years.2027] must be a table"),
    ],
)
def test_other_malformed_shop_files(text: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as info:
        WorkCalendar.from_toml(text, origin="shop.toml")
    assert str(info.value).startswith("shop.toml")
    assert problem in str(info.value)


def test_a_missing_shop_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"nowhere\.toml"):
        WorkCalendar.china(extra=tmp_path / "nowhere.toml")


@pytest.mark.parametrize(
    ("holidays", "workdays", "named"),
    [
        ({d("2031-01-01")}, set(), "2031-01-01"),  # outside the calendar's years
        (set(), {d("2030-01-02")}, "2030-01-02"),  # a Wednesday is no make-up day
        ({d("2030-01-05")}, {d("2030-01-05")}, "2030-01-05"),  # both
    ],
)
def test_construction_names_the_offending_date(
    holidays: set[dt.date], workdays: set[dt.date], named: str
) -> None:
    with pytest.raises(InvalidInput, match=named):
        WorkCalendar(years={2030}, holidays=holidays, workdays=workdays)


def test_the_calendar_is_a_value() -> None:
    rebuilt = WorkCalendar(
        years=CAL.years, holidays=set(constants.holidays), workdays=set(constants.workdays)
    )
    assert rebuilt == CAL
    assert hash(rebuilt) == hash(CAL)
    assert WorkCalendar.china() == CAL
    assert WEEKENDS != CAL
    assert repr(CAL).startswith("WorkCalendar(years=<2004-2026>, holidays=<621 dates>")
    with pytest.raises(InvalidInput, match="a day, not an instant"):
        CAL.is_working_day(dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    with pytest.raises(InvalidInput, match="negative"):
        CAL.add_working_days(d("2026-01-05"), -1)
    with pytest.raises(InvalidInput, match="must be an int"):
        CAL.add_working_days(d("2026-01-05"), True)


def test_a_calendar_with_a_missing_year_walks_around_the_gap() -> None:
    years = CAL.years - {2015}
    gap = WorkCalendar(
        years=years,
        holidays={day for day in CAL.holidays if day.year != 2015},
        workdays={day for day in CAL.workdays if day.year != 2015},
    )
    assert gap.horizon == (2004, 2026)
    assert gap.add_working_days(d("2010-09-20"), 15) == CAL.add_working_days(d("2010-09-20"), 15)
    assert gap.add_working_days(d("2020-01-20"), 9) == CAL.add_working_days(d("2020-01-20"), 9)
    with pytest.raises(CalendarHorizonError, match="2015"):
        gap.add_working_days(d("2014-12-30"), 3)
    with pytest.raises(CalendarHorizonError, match="2015"):
        gap.working_days_between(d("2014-12-30"), d("2016-01-05"))
    bridged = WorkCalendar(gap.years, gap.holidays, gap.workdays, Fallback.WEEKENDS)
    # 12-31 Wed, then 2015 by the fallback: 01-01 Thu, 01-02 Fri
    assert bridged.add_working_days(d("2014-12-30"), 3) == d("2015-01-02")


# -- hours and calendar days -------------------------------------------------------------


def test_hours_are_elapsed_time_and_ignore_holidays() -> None:
    due = deadline_after(sh("2026-09-30 10:00"), Duration.hours(48), CAL, SH)
    assert due == sh("2026-10-02 10:00")
    assert due.timezone_name == "Asia/Shanghai"
    from_utc = deadline_after(
        pendulum.datetime(2026, 9, 30, 2, tz="UTC"), Duration.hours(36), CAL, SH
    )
    assert from_utc.isoformat() == "2026-10-01T22:00:00+08:00"


def test_days_are_calendar_days_at_the_same_wall_clock_time() -> None:
    due = deadline_after(sh("2026-09-30 10:00"), Duration.days(5), CAL, SH)
    assert due.isoformat() == "2026-10-05T10:00:00+08:00"
    # 18:00 UTC on 02-28 is 02:00 on 03-01 in Shanghai: days count from there
    start = pendulum.datetime(2026, 2, 28, 18, tz="UTC")
    assert (
        deadline_after(start, Duration.days(1), CAL, SH).isoformat() == "2026-03-02T02:00:00+08:00"
    )


def test_hours_and_days_differ_across_a_dst_change() -> None:
    berlin = pendulum.timezone("Europe/Berlin")  # a shop policy outside China
    start = pendulum.datetime(2026, 3, 28, 12, 0, tz=berlin)  # clocks go forward on 03-29
    assert deadline_after(start, Duration.days(1), CAL, berlin).isoformat() == (
        "2026-03-29T12:00:00+02:00"
    )
    assert deadline_after(start, Duration.hours(24), CAL, berlin).isoformat() == (
        "2026-03-29T13:00:00+02:00"
    )
    skipped = pendulum.datetime(2026, 3, 28, 2, 30, tz=berlin)  # 02:30 does not exist on 03-29
    assert deadline_after(skipped, Duration.days(1), CAL, berlin).isoformat() == (
        "2026-03-29T03:30:00+02:00"
    )


def test_zero_days_in_a_repeated_hour_is_the_start_itself() -> None:
    berlin = pendulum.timezone("Europe/Berlin")  # clocks go back at 03:00 on 2026-10-25
    first = pendulum.instance(dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=0))
    assert first.isoformat() == "2026-10-25T02:30:00+02:00"
    for duration in (Duration.days(0), Duration.hours(0)):
        assert deadline_after(first, duration, CAL, berlin).isoformat() == first.isoformat()
    second = pendulum.instance(dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1))
    assert deadline_after(second, Duration.days(0), CAL, berlin).isoformat() == (
        "2026-10-25T02:30:00+01:00"
    )
    # one day later the wall time is unambiguous again
    assert deadline_after(first, Duration.days(1), CAL, berlin).isoformat() == (
        "2026-10-26T02:30:00+01:00"
    )


@pytest.mark.parametrize(
    ("zone", "change"),
    [
        ("Europe/Berlin", "2026-03-29"),
        ("Europe/Berlin", "2026-10-25"),
        ("America/New_York", "2026-03-08"),
        ("America/New_York", "2026-11-01"),
    ],
)
def test_days_and_hours_match_pendulum_around_dst_changes(zone: str, change: str) -> None:
    tz = pendulum.timezone(zone)
    first = pendulum.instance(dt.datetime.combine(d(change), dt.time(0, 0), dt.UTC))
    for quarter in range(-4 * 36, 4 * 36):  # every 15 minutes, 36 hours either side
        start = first.add(minutes=15 * quarter)
        for n in (0, 1, 2):
            days = deadline_after(start, Duration.days(n), CAL, tz)
            assert days.isoformat() == start.in_timezone(tz).add(days=n).isoformat()
            hours = deadline_after(start, Duration.hours(n), CAL, tz)
            assert hours.isoformat() == start.add(hours=n).in_timezone(tz).isoformat()


def test_naive_starts_are_refused() -> None:
    for duration in (Duration.hours(1), Duration.days(1), Duration.working_days(1)):
        with pytest.raises(InvalidInput, match="no time zone"):
            deadline_after(pendulum.naive(2026, 3, 2, 10), duration, CAL, SH)


ZONES = st.sampled_from(["Asia/Shanghai", "UTC", "Europe/Berlin", "America/New_York"])


@st.composite
def aware_instants(draw: st.DrawFn) -> pendulum.DateTime:
    zone = draw(ZONES)
    # hypothesis wants naive bounds; the zone is attached below
    low, high = dt.datetime(2004, 1, 3), dt.datetime(2026, 11, 30)  # noqa: DTZ001
    naive = draw(st.datetimes(low, high))
    fold = draw(st.sampled_from([0, 1]))
    return pendulum.instance(naive.replace(tzinfo=pendulum.timezone(zone), fold=fold))


@given(aware_instants(), st.integers(0, 400), ZONES)
def test_hours_and_days_agree_with_pendulum(start: pendulum.DateTime, n: int, zone: str) -> None:
    tz = pendulum.timezone(zone)
    hours = deadline_after(start, Duration.hours(n), CAL, tz)
    assert hours.isoformat() == start.add(hours=n).in_timezone(tz).isoformat()
    assert hours.timezone_name == zone
    days = deadline_after(start, Duration.days(n), CAL, tz)
    assert days.isoformat() == start.in_timezone(tz).add(days=n).isoformat()
    assert days.timezone_name == zone


# -- properties of working days ----------------------------------------------------------

DAYS = st.dates(FIRST_DAY, LAST_DAY)


@given(DAYS, st.integers(0, 80))
def test_add_working_days_agrees_with_a_day_by_day_walk(day: dt.date, n: int) -> None:
    expected = reference_add(day, n)
    if expected is None:
        with pytest.raises(CalendarHorizonError, match="2027"):
            CAL.add_working_days(day, n)
        return
    due = CAL.add_working_days(day, n)
    assert due == expected
    if n >= 1:
        assert CAL.is_working_day(due)
        assert package_is_workday(due)
    assert CAL.working_days_between(day, due) == n


@given(DAYS, st.integers(0, 40))
def test_add_working_days_is_strictly_monotone_in_n(day: dt.date, n: int) -> None:
    if reference_add(day, n + 1) is None:
        return
    assert CAL.add_working_days(day, n) < CAL.add_working_days(day, n + 1)


@given(DAYS, DAYS)
def test_working_days_between_counts_the_walk(a: dt.date, b: dt.date) -> None:
    start, end = min(a, b), max(a, b)
    if (end - start).days > 400:
        end = start + dt.timedelta(days=400)
    count = sum(
        package_is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )
    assert CAL.working_days_between(start, end) == count
    assert CAL.working_days_between(end, start) == 0


@given(DAYS)
def test_next_working_day_is_the_first_on_or_after(day: dt.date) -> None:
    expected = day
    while expected <= LAST_DAY and not package_is_workday(expected):
        expected += ONE_DAY
    if expected > LAST_DAY:
        with pytest.raises(CalendarHorizonError):
            CAL.next_working_day(day)
        return
    assert CAL.next_working_day(day) == expected


@given(aware_instants(), st.integers(0, 30))
def test_working_day_deadlines_follow_the_documented_rule(start: pendulum.DateTime, n: int) -> None:
    expected = reference_deadline(start, n)
    if expected is None:
        with pytest.raises(CalendarHorizonError):
            wd(start, n)
        return
    due = wd(start, n)
    assert due.isoformat() == expected.isoformat()
    assert due.timezone_name == "Asia/Shanghai"


@given(DAYS, st.integers(1, 30))
def test_the_weekends_fallback_changes_nothing_inside_the_horizon(day: dt.date, n: int) -> None:
    if reference_add(day, n) is None:
        return
    assert WEEKENDS.add_working_days(day, n) == CAL.add_working_days(day, n)


# -- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("48h", Duration.hours(48)),
        ("48 hours", Duration.hours(48)),
        ("1 hour", Duration.hours(1)),
        ("5d", Duration.days(5)),
        ("5 days", Duration.days(5)),
        ("1 day", Duration.days(1)),
        ("4wd", Duration.working_days(4)),
        ("4 working days", Duration.working_days(4)),
        ("1 working day", Duration.working_days(1)),
    ],
)
def test_duration_parse_accepts_the_policy_forms(text: str, duration: Duration) -> None:
    assert Duration.parse(text) == duration


@pytest.mark.parametrize(
    "text", ["", "5", "5 weeks", "-1d", "1.5h", "4 wds", "d5", "5 d ays", "５d"]
)
def test_duration_parse_refuses_other_text_and_lists_the_forms(text: str) -> None:
    with pytest.raises(InvalidInput, match="4 working days"):
        Duration.parse(text)


def test_duration_text_and_validation() -> None:
    assert str(Duration.hours(48)) == "48 hours"
    assert str(Duration.days(1)) == "1 day"
    assert str(Duration.working_days(4)) == "4 working days"
    assert str(Duration.working_days(1)) == "1 working day"
    assert Duration(3, Unit.DAYS) == Duration.days(3)
    for bad in (-1, True, 1.5, "3"):
        with pytest.raises(InvalidInput):
            Duration(bad, Unit.HOURS)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Duration(1, "hours")  # type: ignore[arg-type]


@given(st.builds(Duration, st.integers(0, 10_000), st.sampled_from(Unit)))
def test_duration_text_round_trips(duration: Duration) -> None:
    assert Duration.parse(str(duration)) == duration
