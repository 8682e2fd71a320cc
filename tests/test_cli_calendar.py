"""``aftersales calendar import`` and ``show``: the December job, from the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from chinese_calendar import constants
from click.testing import CliRunner

from aftersales.cli import main
from aftersales.core import WorkCalendar

NOTICES = Path(__file__).resolve().parent / "data" / "notices"


def test_import_writes_a_calendar_file_that_agrees_with_the_package(tmp_path: Path) -> None:
    out = tmp_path / "calendar-2026.toml"
    result = CliRunner().invoke(
        main, ["calendar", "import", str(NOTICES / "2026.txt"), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "春节: 2026-02-15 (周日) to 2026-02-23 (周一), 9 days off (notice: 9)" in result.output
    loaded = WorkCalendar.from_file(out)
    assert loaded.years == frozenset({2026})
    day = dt.date(2026, 1, 1)
    while day.year == 2026:  # every day of the year, as the packaged transcription has it
        packaged = day in constants.workdays or (
            day.weekday() < 5 and day not in constants.holidays
        )
        assert loaded.is_working_day(day) == packaged, day
        day += dt.timedelta(days=1)


def test_import_reads_standard_input_in_gb18030(tmp_path: Path) -> None:
    text = (NOTICES / "2025-traditional-fullwidth.txt").read_text(encoding="utf-8")
    result = CliRunner().invoke(
        main, ["calendar", "import", "-", "--format", "json"], input=text.encode("gb18030")
    )
    assert result.exit_code == 0, result.output
    toml, _, report = result.output.partition("{\n")  # the file on stdout, the report on stderr
    assert "[years.2025]" in toml
    doc = json.loads("{\n" + report)
    assert doc["year"] == 2025
    assert [h["days_off"] for h in doc["holidays"]] == [1, 8, 3, 5, 3, 8]


def test_a_notice_that_does_not_add_up_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = (NOTICES / "2026.txt").read_text(encoding="utf-8").replace("共9天", "共8天")
    bad = tmp_path / "notice.txt"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "calendar.toml"
    result = CliRunner().invoke(main, ["calendar", "import", str(bad), "--output", str(out)])
    assert result.exit_code == 1
    assert "line" in result.output
    assert "8" in result.output
    assert not out.exists()  # nothing half-written


def test_show_a_known_year_and_a_provisional_one() -> None:
    known = json.loads(
        CliRunner().invoke(main, ["calendar", "show", "2026", "--format", "json"]).output
    )
    assert known["basis"] == "notice"
    assert {"first": "2026-10-01", "last": "2026-10-07"} in known["periods"]
    assert "2026-10-10" in known["workdays"]
    guessed = CliRunner().invoke(main, ["calendar", "show", "2027"])
    assert guessed.exit_code == 0
    assert "provisional" in guessed.output
    assert "2027-02-05 (周五) to 2027-02-08 (周一), 4 days" in guessed.output
    strict = CliRunner().invoke(main, ["calendar", "show", "2027", "--strict-calendar"])
    assert strict.exit_code == 1
    assert "2027" in strict.output


def test_show_reads_an_imported_year(tmp_path: Path) -> None:
    # the 2025 notice's file, loaded as if it were a shop's new year: its data replaces
    # the packaged 2025, so show reports the notice's own periods
    out = tmp_path / "calendar-2025.toml"
    CliRunner().invoke(
        main, ["calendar", "import", str(NOTICES / "2025.txt"), "--output", str(out)]
    )
    shown = json.loads(
        CliRunner()
        .invoke(main, ["calendar", "show", "2025", "--calendar", str(out), "--format", "json"])
        .output
    )
    assert {"first": "2025-01-28", "last": "2025-02-04"} in shown["periods"]
