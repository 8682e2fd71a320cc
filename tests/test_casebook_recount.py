"""The casebook counts provisional deadlines again once the year's notice is loaded."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from structlog.testing import capture_logs

from aftersales import Event, MessageLeft, Policy, preset
from aftersales.casebook import Casebook, PolicyMismatch, run_worker
from aftersales.core import Fallback, WorkCalendar
from aftersales.core._policy import policy_numbers
from aftersales.scenarios import scenario_case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
SH = pendulum.timezone("Asia/Shanghai")


def _policy(calendar: WorkCalendar) -> Policy:
    return attrs.evolve(preset("taobao"), calendar=calendar)


def _late_december_case() -> Any:
    """An intervention whose 4-working-day review (INT-REVIEW-4WD) starts 2026-12-31 10:00."""
    text = (EXAMPLES / "intervention-national-day.json").read_text(encoding="utf-8")
    for old, new in {
        "2026-09-18": "2026-12-12",
        "2026-09-19": "2026-12-13",
        "2026-09-21": "2026-12-15",
        "2026-09-24": "2026-12-22",
        "2026-09-26": "2026-12-24",
        "2026-09-28": "2026-12-28",
        "2026-09-29": "2026-12-29",
    }.items():
        text = text.replace(old, new)
    doc = json.loads(text)
    doc["policy"] = {"preset": "taobao", "calendar": {"fallback": "provisional"}}
    doc["at"] = "2026-12-30T12:00:00+08:00"
    case, _ = scenario_case(doc)
    return case


def _calendar_2027(tmp_path: Path, **days: list[str]) -> WorkCalendar:
    # Test-only data in the calendar file's format (the 2027 notice is not in the repo).
    holidays = json.dumps(days.get("holidays", ["2027-01-01..2027-01-03"]))
    workdays = json.dumps(days.get("workdays", []))
    path = tmp_path / "calendar-2027.toml"
    path.write_text(
        f'[years.2027]\nsource = "test data"\nholidays = {holidays}\nworkdays = {workdays}\n',
        encoding="utf-8",
    )
    return WorkCalendar.china(extra=path)


def _stored_under_provisional(where: str, at: pendulum.DateTime, *later: Event) -> str:
    case = _late_december_case()
    with Casebook.open(
        where, policy=_policy(WorkCalendar.china(fallback=Fallback.PROVISIONAL))
    ) as book:
        book.append(case.id, case.log)
        book.advance(case.id, at)
        book.append(case.id, later)
        deadline = book.case(case.id).deadline
        assert deadline is not None
        assert deadline.provisional
        assert deadline.due == pendulum.datetime(2027, 1, 7, 10, tz=SH)
        assert book.recount_provisional() == []  # nothing new to count with
    return str(case.id)


def test_a_loaded_notice_moves_an_open_provisional_deadline(tmp_path: Path) -> None:
    where = str(tmp_path / "shop.sqlite")
    case_id = _stored_under_provisional(where, pendulum.datetime(2027, 1, 1, 12, tz=SH))
    # the notice (test data) bridges Monday 4 January: the review ends a day later
    calendar = _calendar_2027(tmp_path, holidays=["2027-01-01..2027-01-04"])
    with Casebook.open(where, policy=_policy(calendar)) as book:
        (recount,) = book.recount_provisional()
        assert recount.stored
        assert recount.moved
        assert recount.after is not None
        assert recount.after.due == pendulum.datetime(2027, 1, 8, 10, tz=SH)
        assert not recount.after.provisional
        stored = book.case(case_id)
        assert stored.deadline == recount.after
        assert book.next_due(1)[0].due == recount.after.due  # the index moved too
        assert book.verify() == []
        assert book.recount_provisional() == []  # once


def test_snapshots_in_the_earlier_spelling_are_read_and_recounted(tmp_path: Path) -> None:
    """Snapshots written before the columns' compact JSON (``", "`` and ``": "``) are
    still found by the recount's text test, read, and verified."""
    where = str(tmp_path / "shop.sqlite")
    case_id = _stored_under_provisional(where, pendulum.datetime(2027, 1, 1, 12, tz=SH))
    with sqlite3.connect(where) as db:
        (snapshot,) = db.execute("SELECT snapshot FROM cases").fetchone()
        spaced = json.dumps(json.loads(snapshot), ensure_ascii=False, sort_keys=True)
        assert '"provisional": true' in spaced
        assert spaced != snapshot
        db.execute("UPDATE cases SET snapshot = ?", (spaced,))
    db.close()
    provisional = _policy(WorkCalendar.china(fallback=Fallback.PROVISIONAL))
    with Casebook.open(where, policy=provisional) as book:
        assert book.verify() == []
    calendar = _calendar_2027(tmp_path, holidays=["2027-01-01..2027-01-04"])
    with Casebook.open(where, policy=_policy(calendar)) as book:
        (recount,) = book.recount_provisional()
        assert recount.stored
        assert recount.case_id == case_id
        assert book.case(case_id).deadline == recount.after


def test_a_recount_that_would_have_fired_a_timer_is_left_for_a_person(tmp_path: Path) -> None:
    where = str(tmp_path / "shop.sqlite")
    # the seller wrote to customer service on 6 January at 11:00, the provisional
    # review running to 7 January 10:00
    note = MessageLeft(
        id="m1", at=pendulum.datetime(2027, 1, 6, 11, tz=SH), party="seller", text="请尽快处理"
    )
    case_id = _stored_under_provisional(where, pendulum.datetime(2027, 1, 6, 11, tz=SH), note)
    # a make-up Saturday (test data) would have ended the review on 6 January 10:00
    calendar = _calendar_2027(tmp_path, holidays=["2027-01-01"], workdays=["2027-01-02"])
    with Casebook.open(where, policy=_policy(calendar)) as book:
        before = book.get(case_id)
        (recount,) = book.recount_provisional()
        assert not recount.stored
        assert recount.moved
        # counted with the notice, the review ran out at 10:00, before the message:
        # the ruling would already be overdue, so no timer would be running
        assert recount.after is None
        assert book.get(case_id) == before  # nothing half-applied


def test_the_worker_recounts_and_logs_at_start(tmp_path: Path) -> None:
    where = str(tmp_path / "shop.sqlite")
    case_id = _stored_under_provisional(where, pendulum.datetime(2027, 1, 1, 12, tz=SH))
    calendar = _calendar_2027(tmp_path, holidays=["2027-01-01..2027-01-04"])
    with Casebook.open(where, policy=_policy(calendar)) as book, capture_logs() as logs:
        stats = run_worker(
            book,
            now=lambda: pendulum.datetime(2027, 1, 2, 9, tz=SH),
            handle=lambda effect, case: None,
        )
    assert stats.recounted == 1
    (line,) = [entry for entry in logs if entry["event"] == "deadline_recounted"]
    assert line["case"] == case_id
    assert line["before"] == "2027-01-07T10:00:00+08:00"
    assert line["after"] == "2027-01-08T10:00:00+08:00"


def test_adding_a_year_is_not_a_policy_change_but_changing_one_is(tmp_path: Path) -> None:
    where = str(tmp_path / "shop.sqlite")
    Casebook.open(where).close()  # the taobao preset, packaged calendar
    Casebook.open(where, policy=_policy(_calendar_2027(tmp_path))).close()  # a notice added
    changed = tmp_path / "calendar-2026.toml"
    changed.write_text(
        '[years.2026]\nsource = "test data"\nholidays = ["2026-03-02"]\nworkdays = []\n',
        encoding="utf-8",
    )
    with pytest.raises(PolicyMismatch, match=r"calendar\.2026"):
        Casebook.open(where, policy=_policy(WorkCalendar.china(extra=changed)))
    # the weekdays-only fallback's deadlines are not marked: leaving it is a change
    weekdays = str(tmp_path / "weekdays.sqlite")
    Casebook.open(weekdays, policy=_policy(WorkCalendar.china(fallback=Fallback.WEEKENDS))).close()
    with pytest.raises(PolicyMismatch, match="calendar"):
        Casebook.open(weekdays)


def test_a_store_recorded_before_years_were_split_opens(tmp_path: Path) -> None:
    where = str(tmp_path / "shop.sqlite")
    with Casebook.open(where) as book:
        numbers = policy_numbers(book.policy)
        calendar = book.policy.calendar
    old = {k: v for k, v in numbers.items() if not k.startswith("calendar")}
    old["calendar"] = (
        f"years {sorted(calendar.years)}, {len(calendar.holidays)} holidays, "
        f"{len(calendar.workdays)} make-up days, fallback raise"
    )
    connection = sqlite3.connect(where)
    with connection:
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'policy'",
            (json.dumps(old, sort_keys=True, ensure_ascii=False),),
        )
    connection.close()
    Casebook.open(where, policy=_policy(_calendar_2027(tmp_path))).close()  # a notice added
    connection = sqlite3.connect(where)
    (record,) = connection.execute("SELECT value FROM meta WHERE key = 'policy'").fetchone()
    connection.close()
    assert "calendar.2027" in json.loads(record)  # brought up to date: one entry a year
    with pytest.raises(PolicyMismatch, match=r"calendar\.2027"):
        Casebook.open(where)  # and dropping the year again is a change
