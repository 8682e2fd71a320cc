"""Provisional statutory holidays: a year whose notice is not loaded yet (Fallback.PROVISIONAL)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from chinese_calendar import constants
from hypothesis import given
from hypothesis import strategies as st

from aftersales import CalendarHorizonError, Duration
from aftersales.core import Fallback, WorkCalendar, case_from_json, case_to_json, deadline_after
from aftersales.core._provisional import statutory_holidays
from aftersales.scenarios import run_scenario, scenario_case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
PACKAGED_HOLIDAYS = frozenset(constants.holidays)
PACKAGED_WORKDAYS = frozenset(constants.workdays)


def test_2027_statutory_days() -> None:
    named = {h.name: [d.isoformat() for d in h.days] for h in statutory_holidays(2027)}
    assert named == {
        "元旦": ["2027-01-01"],
        # lunar new year 2027-02-06: New Year's Eve to the third day
        "春节": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"],
        "清明节": ["2027-04-05"],
        "劳动节": ["2027-05-01", "2027-05-02"],
        "端午节": ["2027-06-09"],
        "中秋节": ["2027-09-15"],
        "国庆节": ["2027-10-01", "2027-10-02", "2027-10-03"],
    }


def test_a_provisional_calendar_knows_the_statutory_days_and_nothing_more() -> None:
    cal = WorkCalendar.china(fallback=Fallback.PROVISIONAL)
    assert not cal.is_working_day(dt.date(2027, 2, 5))  # New Year's Eve
    assert cal.is_working_day(dt.date(2027, 2, 4))
    assert not cal.is_working_day(dt.date(2027, 2, 13))  # a Saturday: no make-up days
    assert cal.is_working_day(dt.date(2027, 2, 9))  # no bridging days either
    # 2027-02-01 + 4 working days: 2, 3, 4, then the festival, then the 9th
    assert cal.add_working_days(dt.date(2027, 2, 1), 4) == dt.date(2027, 2, 9)
    # known years are untouched
    assert cal.add_working_days(dt.date(2026, 9, 28), 4) == dt.date(2026, 10, 9)


def test_before_the_regulations_a_provisional_calendar_still_raises() -> None:
    cal = WorkCalendar.china(fallback=Fallback.PROVISIONAL)
    with pytest.raises(CalendarHorizonError, match="2003"):
        cal.is_working_day(dt.date(2003, 5, 6))


@given(st.dates(dt.date(2026, 11, 1), dt.date(2030, 12, 31)), st.integers(0, 30))
def test_provisional_deadlines_are_never_earlier_than_weekday_ones(day: dt.date, n: int) -> None:
    # Provisional days off are a superset of the WEEKENDS fallback's (none): a
    # provisional deadline can only be later, never earlier.
    provisional = WorkCalendar.china(fallback=Fallback.PROVISIONAL)
    weekends = WorkCalendar.china(fallback=Fallback.WEEKENDS)
    assert provisional.add_working_days(day, n) >= weekends.add_working_days(day, n)


def _late_december_intervention() -> dict[str, Any]:
    """The intervention example moved to late December 2026: its 4-working-day review
    (INT-REVIEW-4WD) runs into 2027."""
    doc: dict[str, Any] = json.loads(
        (EXAMPLES / "intervention-national-day.json").read_text(encoding="utf-8")
    )
    shift = {
        "2026-09-18": "2026-12-12",
        "2026-09-19": "2026-12-13",
        "2026-09-21": "2026-12-15",
        "2026-09-24": "2026-12-22",
        "2026-09-26": "2026-12-24",
        "2026-09-28": "2026-12-28",
        "2026-09-29": "2026-12-29",
    }
    text = json.dumps(doc)
    for old, new in shift.items():
        text = text.replace(old, new)
    out: dict[str, Any] = json.loads(text)
    out["at"] = "2027-01-01T12:00:00+08:00"
    return out


def test_a_deadline_counted_over_provisional_days_says_so() -> None:
    doc = _late_december_intervention()
    with pytest.raises(Exception, match="2027"):
        run_scenario(doc)  # the default: RAISE
    doc["policy"] = {"preset": "taobao", "calendar": {"fallback": "provisional"}}
    out = run_scenario(doc)
    assert out["state"] == "INTERVENTION_REVIEW"
    assert out["deadline"]["rule"] == "INT-REVIEW-4WD"
    assert out["deadline"]["provisional"] is True
    # evidence closes 12-31 10:00 (INT-EVIDENCE-3D); the review's 4 working days are
    # Jan 4-7: New Year's Day is statutory, the weekend is a weekend
    assert out["deadline"]["due"] == "2027-01-07T10:00:00+08:00"


def test_a_deadline_inside_known_years_is_final_under_the_provisional_fallback() -> None:
    doc = json.loads((EXAMPLES / "intervention-national-day.json").read_text(encoding="utf-8"))
    doc["policy"] = {"preset": "taobao", "calendar": {"fallback": "provisional"}}
    assert run_scenario(doc)["deadline"]["provisional"] is False


def test_stored_cases_say_provisional_only_when_it_is_true() -> None:
    doc = _late_december_intervention()
    doc["policy"] = {"preset": "taobao", "calendar": {"fallback": "provisional"}}
    case, _ = scenario_case(copy.deepcopy(doc))
    assert case.deadline is not None
    assert case.deadline.provisional
    text = case_to_json(case)
    assert '"provisional": true' in text
    assert case_from_json(text) == case
    final = json.loads((EXAMPLES / "intervention-national-day.json").read_text(encoding="utf-8"))
    stored = case_to_json(scenario_case(final)[0])
    assert "provisional" not in stored  # as stored before the fallback existed


def test_hours_and_calendar_days_are_never_provisional() -> None:
    cal = WorkCalendar.china(fallback=Fallback.PROVISIONAL)
    import pendulum

    start = pendulum.datetime(2026, 12, 30, 10, tz="Asia/Shanghai")
    from aftersales.core._duration import is_provisional

    for text in ("48h", "5d"):
        length = Duration.parse(text)
        due = deadline_after(start, length, cal, start.timezone)  # type: ignore[arg-type]
        assert not is_provisional(start, length, due, cal)
    length = Duration.parse("4wd")
    due = deadline_after(start, length, cal, start.timezone)  # type: ignore[arg-type]
    assert is_provisional(start, length, due, cal)


DECEMBER = EXAMPLES.parent / "shop-december"
AT = "2026-12-31T18:00:00+08:00"


def test_the_board_counts_provisionally_by_default_and_says_so() -> None:
    from click.testing import CliRunner

    from aftersales.cli import main

    result = CliRunner().invoke(main, ["board", str(DECEMBER), "--at", AT, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    (note,) = doc["notes"]
    assert note.startswith("2027 holiday notice not loaded: provisional")
    marked = {a["case_id"]: a["provisional"] for a in doc["actions"]}
    # only the working-day review is provisional; the 2- and 5-day timers are calendar days
    assert marked == {"R-2026123001": False, "R-2026122902": False, "R-2026122201": True}
    review = next(a for a in doc["actions"] if a["case_id"] == "R-2026122201")
    assert review["due"] == "2027-01-07T10:00:00+08:00"
    text = CliRunner().invoke(main, ["board", str(DECEMBER), "--at", AT]).output
    assert "note: 2027 holiday notice not loaded: provisional" in text
    assert "01-07 10:00*" in text


def test_strict_calendar_restores_the_horizon_error() -> None:
    from click.testing import CliRunner

    from aftersales.cli import main

    args = ["board", str(DECEMBER), "--at", AT, "--format", "json", "--strict-calendar"]
    doc = json.loads(CliRunner().invoke(main, args).output)
    assert doc["notes"] == []
    assert [a["case_id"] for a in doc["actions"]] == ["R-2026123001", "R-2026122902"]
    (problem,) = doc["problems"]
    assert "no holiday data for 2027" in problem["problem"]


def test_a_calendar_file_makes_the_board_final(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aftersales.cli import main

    # Test-only data in the calendar file's format (the 2027 notice is not in the repo).
    calendar = tmp_path / "calendar-2027.toml"
    calendar.write_text(
        '[years.2027]\nsource = "test data"\nholidays = ["2027-01-01..2027-01-04"]\n',
        encoding="utf-8",
    )
    args = ["board", str(DECEMBER), "--at", AT, "--format", "json", "--calendar", str(calendar)]
    doc = json.loads(CliRunner().invoke(main, args).output)
    assert doc["notes"] == []
    review = next(a for a in doc["actions"] if a["case_id"] == "R-2026122201")
    assert (review["due"], review["provisional"]) == ("2027-01-08T10:00:00+08:00", False)
