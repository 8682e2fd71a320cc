"""``aftersales calendar``: import the State Council's notice, show a year of the calendar.

Every December the packaged holiday data ends; the new notice, pasted from any copy,
becomes a calendar file in a minute (docs/calendar.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core._calendar import WorkCalendar
from ..core._errors import InvalidInput
from ..core._notice import parse_notice
from ..core._year import calendar_year
from ._exit import exits_by_kind, naming
from ._options import (
    CALENDAR_ENV,
    INPUT_FILE,
    STDIN,
    calendar_options,
    daily_calendar,
    echo_json,
    format_option,
    is_stdin,
)

__all__ = ["calendar_group"]


@click.group("calendar")
def calendar_group() -> None:
    """The work calendar: import a holiday notice, show a year.

    \b
    Examples:
      aftersales calendar import notice-2027.txt --output calendar-2027.toml
      aftersales calendar show 2027
    """


def _notice_text(path: Path) -> str:
    """The notice as text: UTF-8 (with or without a BOM), else GB18030, as Chinese tools write."""
    if is_stdin(path):
        stream = getattr(sys.stdin, "buffer", None)
        raw = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    else:
        raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("the notice is neither UTF-8 nor GB18030 text; save it as UTF-8")


@calendar_group.command("import")
@click.argument("notice", type=INPUT_FILE)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the calendar file here (default: print it on standard output).",
)
@click.option("--year", type=int, help="The notice's year, when the pasted text lost its title.")
@format_option("text", "json", help="How to print the summary to check against the notice.")
@exits_by_kind
def import_command(notice: Path, output: Path | None, year: int | None, fmt: str) -> None:
    """Read the State Council's holiday NOTICE (pasted text; - for standard input).

    Simplified or traditional script, full- or half-width punctuation, weekday and
    lunar notes in brackets and the page around it are all fine. Each holiday's days
    are checked against the notice's own count, each make-up day must be a weekend
    day, no date may appear twice; a line it cannot read is an error naming the
    line. The summary is for a person to hold against the notice. Exit codes: 0
    written, 1 the notice was refused, 2 usage, 3 the file could not be written.

    \b
    Examples:
      aftersales calendar import notice-2027.txt --output calendar-2027.toml
      pbpaste | aftersales calendar import - > calendar-2027.toml
      AFTERSALES_CALENDAR=calendar-2027.toml aftersales board --casebook shop.sqlite
    """
    source = STDIN if is_stdin(notice) else str(notice)
    with naming(source):
        parsed = parse_notice(_notice_text(notice), year=year)
    toml = parsed.to_toml()
    WorkCalendar.from_toml(toml, origin=source)  # what is written reads back
    if output is not None:
        output.write_text(toml, encoding="utf-8")
    else:
        click.echo(toml, nl=False)
    summary = parsed.summary()
    if fmt == "json":
        report = {
            "year": parsed.year,
            "source": parsed.source,
            "output": None if output is None else str(output),
            "holidays": [
                {
                    "name": p.name,
                    "first": p.first.isoformat(),
                    "last": p.last.isoformat(),
                    "days_off": len(p.days_off),
                    "stated_days": p.stated_days,
                    "workdays": [d.isoformat() for d in p.workdays],
                }
                for p in parsed.holidays
            ],
            "outside_year": [
                {"day": d.isoformat(), "kind": kind, "holiday": name}
                for d, kind, name in parsed.outside_year
            ],
            "summary": summary,
        }
        echo_json(report, err=output is None)
    else:
        click.echo(summary, err=output is None)
    if output is not None:
        click.echo(
            f"wrote {output}: load it with --calendar {output} (or {CALENDAR_ENV}), "
            "or WorkCalendar.china(extra=...)",
            err=True,
        )


@calendar_group.command("show")
@click.argument("year", type=int)
@calendar_options
@format_option("text", "json")
@exits_by_kind
def show_command(year: int, calendar_file: Path | None, strict_calendar: bool, fmt: str) -> None:
    """The holidays and worked weekends of YEAR, as the loaded data has them.

    A year without its notice shows what the provisional calendar assumes: the
    statutory holidays only. Exit codes: 0 shown, 1 the year cannot be counted
    (--strict-calendar), 2 usage.

    \b
    Examples:
      aftersales calendar show 2026
      aftersales calendar show 2027 --calendar calendar-2027.toml
    """
    shown = calendar_year(daily_calendar(calendar_file, strict_calendar), year)
    if fmt == "json":
        echo_json(shown.to_dict())
    else:
        click.echo(shown.summary())
