"""The holiday-notice parser against the real notices and the packaged data.

Each saved notice (tests/data/notices/YYYY.txt, pasted from news pages with their
clutter) is compared day by day with ``chinese_calendar`` for its whole year. The
two disagree only where the package itself is inconsistent or follows a later
notice; each such day is pinned below with its reason, so a new difference fails.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import opencc
import pytest
from chinese_calendar import constants
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core._calendar import WorkCalendar
from aftersales.core._errors import InvalidInput
from aftersales.core._notice import (
    DayCountMismatch,
    DuplicateDate,
    MakeupDayNotWeekend,
    NoHolidaySections,
    Notice,
    NoticeError,
    NoticeYearError,
    SectionOrderError,
    UnreadableHolidayLine,
    WeekdayMismatch,
    parse_notice,
)

NOTICES = Path(__file__).parent / "data" / "notices"
YEARS = sorted(int(p.stem) for p in NOTICES.glob("*.txt") if p.stem.isdigit())
PACKAGE_OFF: frozenset[dt.date] = frozenset(constants.holidays)
PACKAGE_WORK: frozenset[dt.date] = frozenset(constants.workdays)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def days(*texts: str) -> frozenset[dt.date]:
    return frozenset(d(t) for t in texts)


# Where the package differs from the notice's own words, and why. "off+" are days
# off the notice gives that the package lacks, "off-" the reverse; "work+"/"work-"
# the same for make-up working days.
KNOWN: dict[int, dict[str, frozenset[dt.date]]] = {
    # The package leaves out the weekend days bridged by "与周末连休" and "补休"
    # (6-21 lies between 6-20 off and 6-22 in lieu); 9-3, 9-4 off and 9-6 worked
    # come from the separate notice for the 70th Victory Day anniversary.
    2015: {
        "off+": days("2015-05-02", "2015-05-03", "2015-06-21"),
        "off-": days("2015-09-03", "2015-09-04"),
        "work-": days("2015-09-06"),
    },
    2016: {"off+": days("2016-01-02", "2016-01-03", "2016-04-02", "2016-04-03")},
    # The package follows the amending notice of March 2019 (Labour Day 5-1 to 5-4,
    # 4-28 and 5-5 worked); the yearly notice had 5-1 only.
    2019: {
        "off-": days("2019-05-02", "2019-05-03", "2019-05-04"),
        "work-": days("2019-04-28", "2019-05-05"),
    },
    # 12-30 and 12-31 are the 2024 notice's New Year ("与周末连休" on a Monday).
    2023: {"off-": days("2023-12-30", "2023-12-31")},
    # Here the package leaves out the weekend "与周末连休" bridges (it keeps 2023-12-30/31).
    2024: {"off+": days("2024-06-08", "2024-06-09")},
}
#: Days whose working status differs: a later notice changed them.
AMENDED = days(
    "2015-09-03", "2015-09-04", "2015-09-06", "2019-04-28", "2019-05-02", "2019-05-03",
    "2019-05-05",
)  # fmt: skip


def notice(year: int) -> Notice:
    return parse_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"))


def year_days(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


def differences(parsed: Notice) -> dict[str, frozenset[dt.date]]:
    year = parsed.year
    off = frozenset(x for x in PACKAGE_OFF if x.year == year)
    work = frozenset(x for x in PACKAGE_WORK if x.year == year)
    found = {
        "off+": parsed.days_off - off,
        "off-": off - parsed.days_off,
        "work+": parsed.workdays - work,
        "work-": work - parsed.workdays,
    }
    return {key: value for key, value in found.items() if value}


def agreement_report() -> str:
    """Day by day, per year: how many days the notice and the package agree on."""
    lines = ["notice vs chinese_calendar, every day of the year (off / worked / ordinary):"]
    for year in YEARS:
        parsed = notice(year)
        agree = 0
        disagree: list[str] = []
        for day in year_days(year):
            ours = (day in parsed.days_off, day in parsed.workdays)
            theirs = (day in PACKAGE_OFF, day in PACKAGE_WORK)
            if ours == theirs:
                agree += 1
            else:
                disagree.append(day.isoformat()[5:])
        status = sum(_working(day, parsed) != _package_working(day) for day in year_days(year))
        lines.append(
            f"  {year}: {agree} agree, {len(disagree)} differ {disagree or ''}; "
            f"working-day status differs on {status} days"
        )
    return "\n".join(lines)


def _working(day: dt.date, parsed: Notice) -> bool:
    return day in parsed.workdays or (day.weekday() < 5 and day not in parsed.days_off)


def _package_working(day: dt.date) -> bool:
    return day in PACKAGE_WORK or (day.weekday() < 5 and day not in PACKAGE_OFF)


# -- against history ----------------------------------------------------------------


def test_saved_notices_cover_the_cross_year_cases() -> None:
    assert len(YEARS) >= 5
    assert {2019, 2023, 2024} <= set(YEARS)


@pytest.mark.parametrize("year", YEARS)
def test_notice_agrees_with_the_package_day_by_day(year: int) -> None:
    parsed = notice(year)
    assert parsed.year == year
    assert differences(parsed) == KNOWN.get(year, {})
    for day in year_days(year):
        if day not in AMENDED:
            assert _working(day, parsed) == _package_working(day), day


@pytest.mark.parametrize("year", YEARS)
def test_days_outside_the_year_agree_with_the_package(year: int) -> None:
    for day, kind, _name in notice(year).outside_year:
        assert day in (PACKAGE_OFF if kind == "off" else PACKAGE_WORK), day


def test_outside_year_days_of_the_cross_year_notices() -> None:
    assert [(x, k) for x, k, _ in notice(2019).outside_year] == [
        (d("2018-12-29"), "work"),
        (d("2018-12-30"), "off"),
        (d("2018-12-31"), "off"),
    ]
    assert [x for x, _, _ in notice(2023).outside_year] == [d("2022-12-31")]
    assert [x for x, _, _ in notice(2024).outside_year] == [d("2023-12-30"), d("2023-12-31")]


def test_agreement_report(capsys: pytest.CaptureFixture[str]) -> None:
    report = agreement_report()
    assert "2025: 365 agree, 0 differ" in report
    assert "2026: 365 agree, 0 differ" in report
    with capsys.disabled():
        sys.stdout.write("\n" + report + "\n")


@pytest.mark.parametrize("year", YEARS)
def test_round_trip_through_the_calendar_file(year: int) -> None:
    parsed = notice(year)
    calendar = WorkCalendar.from_toml(parsed.to_toml(), origin=f"{year}.toml")
    assert calendar.years == {year}
    assert calendar.holidays == parsed.days_off
    assert calendar.workdays == parsed.workdays
    for day in year_days(year):
        if day not in AMENDED:
            assert calendar.is_working_day(day) == _package_working(day), day


def test_the_2025_notice_in_detail() -> None:
    parsed = notice(2025)
    assert parsed.source == "国务院办公厅关于2025年部分节假日安排的通知"
    spring = parsed.holidays[1]
    assert (spring.name, spring.first, spring.last) == ("春节", d("2025-01-28"), d("2025-02-04"))
    assert spring.stated_days == len(spring.days_off) == 8
    assert spring.workdays == (d("2025-01-26"), d("2025-02-08"))
    assert parsed.holidays[-1].name == "国庆节、中秋节"
    assert [p.stated_days for p in parsed.holidays] == [1, 8, 3, 5, 3, 8]


def test_summary_names_days_counts_and_make_up_days() -> None:
    text = notice(2024).summary()
    assert "- 春节: 2024-02-10 (周六) to 2024-02-17 (周六), 8 days off (notice: 8)" in text
    assert "make-up working days: 2024-02-04 (周日), 2024-02-18 (周日)" in text
    assert "- 2023-12-30 (周六): day off (元旦)" in text
    assert "除夕(2月9日)" in text  # the encouragement sentence, as a note


def test_toml_writes_only_the_notice_year() -> None:
    text = notice(2019).to_toml()
    assert '"2019-02-04..2019-02-10",  # 春节' in text
    assert '"2018-' not in text
    assert "# not written: 2018-12-29 (元旦, make-up working day)" in text


# -- scripts, widths, clutter ------------------------------------------------------------


def test_real_traditional_copy_reads_as_the_simplified_one() -> None:
    text = (NOTICES / "2023-traditional.txt").read_text(encoding="utf-8")
    assert parse_notice(text).holidays == notice(2023).holidays


def test_traditional_full_width_copy_reads_as_the_simplified_one() -> None:
    text = (NOTICES / "2025-traditional-fullwidth.txt").read_text(encoding="utf-8")
    assert "２０２５" in text
    assert "週" in text
    assert parse_notice(text) == notice(2025)


def test_a_copy_without_title_needs_the_year() -> None:
    text = (NOTICES / "2015-no-title.txt").read_text(encoding="utf-8")
    with pytest.raises(NoticeYearError, match="pass year="):
        parse_notice(text)
    # the ①②… summary at the top of that page is clutter, not sections
    assert parse_notice(text, year=2015).holidays == notice(2015).holidays


_S2T = opencc.OpenCC("s2t")
_FULL = str.maketrans(
    {
        **{chr(c): chr(c + 0xFEE0) for c in range(0x30, 0x3A)},
        "(": "（",
        ")": "）",
        ":": "：",
        ",": "，",
    }
)
_CLUTTER_CHARS = (
    "首页新闻来源分享微信微博责任编辑返回顶部相关阅读打印关闭字号大中小评论点赞版权所有网站地图"
    "年月日。，|>/-"
)
clutter_lines = st.lists(
    st.text(
        alphabet=st.sampled_from(_CLUTTER_CHARS + "abcXYZ0123456789 .:()[]"),
        max_size=40,
    ),
    max_size=6,
)


@given(
    year=st.sampled_from(YEARS),
    before=clutter_lines,
    after=clutter_lines,
)
def test_clutter_around_the_notice_changes_nothing(
    year: int, before: list[str], after: list[str]
) -> None:
    text = (NOTICES / f"{year}.txt").read_text(encoding="utf-8")
    cluttered = "\n".join([*before, text, *after])
    assert parse_notice(cluttered) == notice(year)


@given(
    year=st.sampled_from(YEARS),
    traditional=st.booleans(),
    full_width=st.booleans(),
    breaks=st.lists(st.integers(min_value=0, max_value=3000), max_size=25),
)
def test_script_width_and_wrapping_change_nothing(
    year: int, traditional: bool, full_width: bool, breaks: list[int]
) -> None:
    text = (NOTICES / f"{year}.txt").read_text(encoding="utf-8")
    if traditional:
        text = _S2T.convert(text)
    if full_width:
        text = text.translate(_FULL)
    for at in sorted(set(breaks), reverse=True):
        text = text[:at] + "\n" + text[at:]
    parsed = parse_notice(text)
    expected = notice(year)
    assert (parsed.year, parsed.source, parsed.holidays) == (
        expected.year,
        expected.source,
        expected.holidays,
    )


# -- forms of a holiday line ---------------------------------------------------------------

TITLE = "国务院办公厅关于{}年部分节假日安排的通知\n"


def one(year: int, section: str) -> Notice:
    return parse_notice(TITLE.format(year) + "一、" + section)


@pytest.mark.parametrize(
    "line",
    [
        "元旦:2023年12月30日至2024年1月1日放假调休,共3天。",
        "元旦:2023年12月30日至1月1日放假调休,共3天。",
        "元旦:12月30日至2024年1月1日放假调休,共3天。",
        "元旦:2024年1月1日放假,与周末连休。",
    ],
)
def test_cross_year_ranges_give_the_year_on_either_date(line: str) -> None:
    period = one(2024, line).holidays[0]
    assert (period.first, period.last) == (d("2023-12-30"), d("2024-01-01"))
    assert len(period.days_off) == 3


@pytest.mark.parametrize(
    ("line", "first", "last", "stated"),
    [
        ("国庆节:10月1日至7日放假调休,共7天。", "2026-10-01", "2026-10-07", 7),
        ("元旦:1月1日至3日放假,共3天。", "2026-01-01", "2026-01-03", 3),
        ("清明节:4月4日(周六)放假1天(周六)。", "2026-04-04", "2026-04-04", 1),
        ("劳动节:5月1日放假,共1天。", "2026-05-01", "2026-05-01", 1),
        ("中秋节:9月25日放假,与周末连休。", "2026-09-25", "2026-09-27", None),
        ("端午节:6月22日放假,与周末连休。", "2026-06-20", "2026-06-22", None),
        ("元旦:1月3日(星期六)放假,1月5日(星期一)补休。", "2026-01-03", "2026-01-05", None),
        ("劳动节:5月1日放假。", "2026-05-01", "2026-05-01", None),
    ],
)
def test_forms_of_the_days_off(line: str, first: str, last: str, stated: int | None) -> None:
    period = one(2026, line).holidays[0]
    assert (period.first, period.last, period.stated_days) == (d(first), d(last), stated)


def test_old_style_make_up_day_in_the_december_before() -> None:
    # "12月29日" next to a New Year holiday is the December before the notice's year
    period = one(2014, "元旦:1月1日至3日放假调休,共3天。12月29日(星期日)上班。").holidays[0]
    assert period.workdays == (d("2013-12-29"),)


def test_national_day_with_make_up_days_after_it() -> None:
    line = (
        "中秋节、国庆节:9月29日(星期五)至10月6日(星期五)放假调休,共8天。"
        "10月7日(星期六)、10月8日(星期日)上班。"
    )
    period = one(2023, line).holidays[0]
    assert period.workdays == (d("2023-10-07"), d("2023-10-08"))
    assert len(period.days_off) == 8


# -- errors ----------------------------------------------------------------------------


def refused(kind: type[NoticeError], text: str, *, year: int | None = None) -> NoticeError:
    with pytest.raises(kind) as caught:
        parse_notice(text, year=year)
    assert isinstance(caught.value, InvalidInput)
    return caught.value


def test_no_year_is_an_error() -> None:
    error = refused(NoticeYearError, "一、元旦:1月1日(周三)放假1天,不调休。")
    assert "关于YYYY年部分节假日安排的通知" in str(error)


def test_year_argument_must_match_the_title() -> None:
    error = refused(NoticeYearError, notice_text(2025), year=2026)
    assert "line 1" in str(error)
    assert "2025" in str(error)


def test_two_titles_is_an_error_unless_the_year_is_given() -> None:
    text = "相关阅读:国务院办公厅关于2024年部分节假日安排的通知\n" + notice_text(2025)
    refused(NoticeYearError, text)
    assert parse_notice(text, year=2025) == notice(2025)


def test_no_sections_is_an_error() -> None:
    refused(NoHolidaySections, TITLE.format(2025) + "经国务院批准,现将2025年元旦放假安排通知如下。")


def notice_text(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def broken(year: int, old: str, new: str) -> str:
    text = notice_text(year)
    assert old in text
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_unreadable_line_is_named() -> None:
    text = broken(2025, "5月1日(周四)至5日(周一)放假调休", "5月1日(周四)起连放五天")
    error = refused(UnreadableHolidayLine, text)
    assert error.line == line_of(text, "连放五天")
    assert f"line {error.line}: '5月1日(周四)起连放五天" in str(error)
    assert "放假调休,共8天" in str(error)  # says what is allowed


def test_an_unknown_sentence_inside_a_section_is_an_error() -> None:
    text = broken(2025, "4月27日(周日)上班。", "4月27日(周日)上班。另行通知。")
    assert refused(UnreadableHolidayLine, text).line == line_of(text, "另行通知")


def test_a_count_that_does_not_add_up() -> None:
    text = broken(2025, "放假调休,共8天。1月26日", "放假调休,共7天。1月26日")
    error = refused(DayCountMismatch, text)
    assert error.line == line_of(text, "共7天")
    assert "8 days off but the notice says 7" in str(error)


def test_a_make_up_day_on_a_weekday() -> None:
    text = broken(2025, "4月27日(周日)上班", "4月28日上班")
    error = refused(MakeupDayNotWeekend, text)
    assert error.line == line_of(text, "4月28日上班")
    assert "2025-04-28 is a 周一" in str(error)


def test_a_date_given_twice() -> None:
    text = broken(2025, "9月28日(周日)、10月11日(周六)上班", "10月4日(周六)、10月11日(周六)上班")
    error = refused(DuplicateDate, text)
    assert "2025-10-04 is given twice" in str(error)
    assert error.line == line_of(text, "10月4日(周六)、10月11日")


def test_a_holiday_in_two_sections() -> None:
    text = broken(2025, "5月31日(周六)至6月2日(周一)放假", "5月3日(周六)至5日(周一)放假")
    error = refused(DuplicateDate, text)
    assert "2025-05-03 is given twice: as 劳动节 day off (line 22)" in str(error)


def test_a_weekday_note_that_does_not_fit() -> None:
    text = broken(2025, "1月1日(周三)", "1月1日(周四)")
    error = refused(WeekdayMismatch, text)
    assert "2025-01-01 is a 周三, but the notice says 周四" in str(error)


def test_sections_out_of_order() -> None:
    text = broken(2025, "三、清明节", "四、清明节")
    assert refused(SectionOrderError, text).line == line_of(text, "四、清明节")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("元旦:12月31日至1月2日放假调休,共3天。", "crosses the year's end"),
        ("元旦:2月30日放假。", "is not a date"),
        ("劳动节:2027年5月1日放假。", "outside the 2025 notice"),
        ("劳动节:5月1日(周四)放假,与周末连休。", "no weekend next to it"),
        ("劳动节:5月1日放假,5月6日(周二)补休。", "not next to the holiday"),
        ("劳动节:5月1日(农历初三啊)放假。", "cannot read the note"),
        ("劳动节:5月1日放假,共2天,共3天。", "two counts"),
    ],
)
def test_lines_refused(line: str, problem: str) -> None:
    with pytest.raises(NoticeError, match=re.escape(problem)) as caught:
        one(2025, line)
    assert caught.value.line == 2


def test_errors_are_invalid_input() -> None:
    for kind in (
        NoticeYearError,
        NoHolidaySections,
        SectionOrderError,
        UnreadableHolidayLine,
        WeekdayMismatch,
        DayCountMismatch,
        MakeupDayNotWeekend,
        DuplicateDate,
    ):
        assert issubclass(kind, InvalidInput)
