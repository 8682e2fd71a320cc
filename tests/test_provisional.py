"""Provisional statutory holidays against the notices the package transcribes."""

from __future__ import annotations

import datetime as dt

import pytest
from chinese_calendar import constants, get_solar_terms
from hypothesis import given
from hypothesis import strategies as st
from lunar_python import LunarMonth, Solar

from aftersales.core._errors import InvalidInput
from aftersales.core._provisional import (
    FIRST_YEAR,
    LAST_YEAR,
    StatutoryHoliday,
    _qingming,
    statutory_days,
    statutory_holidays,
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def by_name(year: int) -> dict[str, tuple[dt.date, ...]]:
    return {h.name: h.days for h in statutory_holidays(year)}


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_day_is_off_in_the_notice(year: int) -> None:
    days = statutory_days(year)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3, none shared these years
    assert days <= frozenset(constants.holidays)
    assert not days & frozenset(constants.workdays)


def test_2025_statutory_days() -> None:
    assert by_name(2025) == {
        "元旦": (d("2025-01-01"),),
        "春节": (d("2025-01-28"), d("2025-01-29"), d("2025-01-30"), d("2025-01-31")),
        "清明节": (d("2025-04-04"),),
        "劳动节": (d("2025-05-01"), d("2025-05-02")),
        "端午节": (d("2025-05-31"),),
        "中秋节": (d("2025-10-06"),),
        "国庆节": (d("2025-10-01"), d("2025-10-02"), d("2025-10-03")),
    }


def test_2026_new_years_eve_is_the_29th_of_the_12th_month() -> None:
    # the notice's Spring Festival runs 2-15 (腊月二十八) to 2-23; the eve is 2-16
    assert by_name(2026)["春节"] == tuple(d(f"2026-02-{n}") for n in (16, 17, 18, 19))
    assert LunarMonth.fromYm(2025, 12).getDayCount() == 29


def test_2027_spring_festival() -> None:
    spring = by_name(2027)["春节"]
    assert spring[1] == d("2027-02-06")  # lunar new year
    assert spring[0] == d("2027-02-05")  # the eve
    lunar = Solar.fromYmd(2027, 2, 5).getLunar()
    assert (lunar.getMonth(), lunar.getDay()) == (12, LunarMonth.fromYm(2026, 12).getDayCount())


@given(st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR))
def test_spring_festival_starts_on_the_last_day_of_the_12th_month(year: int) -> None:
    eve, first, second, third = by_name(year)["春节"]
    lunar = Solar.fromYmd(eve.year, eve.month, eve.day).getLunar()
    assert lunar.getMonth() == 12
    assert lunar.getDay() in (29, 30)
    assert (lunar.next(1).getMonth(), lunar.next(1).getDay()) == (1, 1)
    assert (second - first, third - second) == (dt.timedelta(days=1), dt.timedelta(days=1))
    assert first - eve == dt.timedelta(days=1)


@pytest.mark.parametrize("year", range(2008, 2027))
def test_qingming_matches_the_notices(year: int) -> None:
    # statutory_holidays() starts in 2025; the Qingming rule is unchanged since 2008
    assert _qingming(year) in constants.holidays


@pytest.mark.parametrize(
    ("year", "day"),
    [(2015, "04-05"), (2019, "04-05"), (2024, "04-04"), (2025, "04-04"), (2026, "04-05")],
)
def test_qingming_dates(year: int, day: str) -> None:
    assert _qingming(year) == d(f"{year}-{day}")


@given(st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR))
def test_qingming_agrees_with_the_solar_term_formula(year: int) -> None:
    # two independent sources: lunar-python's astronomy, chinese_calendar's formula
    terms = get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30))
    (day,) = [day for day, name in terms if name == "清明"]
    assert _qingming(year) == day


@given(st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR))
def test_every_year_has_the_regulations_days(year: int) -> None:
    holidays = statutory_holidays(year)
    assert all(isinstance(h, StatutoryHoliday) for h in holidays)
    assert [len(h.days) for h in holidays] == [1, 4, 1, 2, 1, 1, 3]
    for name, month, day in (("端午节", 5, 5), ("中秋节", 8, 15)):
        (date,) = by_name(year)[name]
        lunar = Solar.fromYmd(date.year, date.month, date.day).getLunar()
        assert (lunar.getMonth(), lunar.getDay()) == (month, day)


def test_mid_autumn_on_national_day_shares_the_day() -> None:
    # 2028: the 15th of the 8th month is October 3
    assert by_name(2028)["中秋节"] == (d("2028-10-03"),)
    assert len(statutory_days(2028)) == 12


@pytest.mark.parametrize("year", [2024, 2100, True, "2027", 1.5])
def test_years_outside_the_regulations_are_refused(year: object) -> None:
    with pytest.raises(InvalidInput, match="statutory holidays are computed for 2025 to 2099"):
        statutory_holidays(year)
