"""The board as a terminal table, JSON, CSV, or one self-contained HTML page.

Shell code: it formats what ``board()`` computed and never changes it. The HTML
page carries its own CSS and an inline SVG timeline of the coming deadlines, so
it opens from a file with no network.
"""

from __future__ import annotations

import csv
import functools
import html
import importlib.resources
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import jinja2
import markupsafe
import pendulum

from ..core._money import Money
from ._board import Action, Band, Board

__all__ = ["FORMATS", "board_to_csv", "board_to_html", "board_to_json", "board_to_table"]

FORMATS = ("table", "json", "csv", "html")

_COLUMNS = (
    "case_id",
    "workflow",
    "state",
    "who",
    "due",
    "left",
    "band",
    "on_expiry",
    "at_stake",
    "rule",
    "suggested",
    "template",
    "assignee",
    "provisional",
    "requested",
)


def _zone(result: Board) -> pendulum.Timezone | pendulum.FixedTimezone:
    return result.at.timezone or pendulum.timezone("Asia/Shanghai")


def _left_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days}d {hours}h"
    return f"{sign}{hours}h {minutes:02d}m"


def action_to_dict(action: Action, messages: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One row as JSON-ready data; money and instants as text, nothing lost."""
    row: dict[str, Any] = {
        "case_id": action.case_id,
        "workflow": action.workflow,
        "state": action.state,
        "who": action.who,
        "due": None if action.due is None else action.due.isoformat(),
        "left_seconds": action.left,
        "band": action.band.value,
        "on_expiry": action.on_expiry,
        "at_stake": str(action.at_stake),
        "requested": str(action.requested),
        "rule": action.rule,
        "suggested": action.suggested,
        "template": action.template,
        "assignee": action.assignee,
        "provisional": action.provisional,
    }
    if messages is not None and action.case_id in messages:
        row["message"] = messages[action.case_id]
    return row


def board_to_json(
    result: Board,
    problems: Sequence[Mapping[str, Any]] = (),
    messages: Mapping[str, str] | None = None,
) -> str:
    doc = {
        "at": result.at.isoformat(),
        "notes": list(result.notes),
        "actions": [action_to_dict(a, messages) for a in result.actions],
        "problems": list(problems),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def board_to_csv(result: Board, *, excel: bool = False) -> str:
    """Every field, one row per action; instants as ISO 8601 with their offset.

    ``excel=True`` writes for Excel (a Chinese-locale Excel included) as it opens a
    double-clicked file: a UTF-8 byte-order mark (without it the Chinese text is read
    as GBK), IDs as text formulas (``="2164343337807941939"``: as numbers Excel keeps
    15 digits and shows 2.16434E+18), instants as ``YYYY-MM-DD HH:mm:ss`` in the
    board's zone (Excel reads no offset), and CRLF line ends.
    """
    zone = _zone(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if excel else "\n")
    writer.writerow(_COLUMNS)
    for a in result.actions:
        row = action_to_dict(a)
        row["left"] = a.left
        if excel:
            row["case_id"] = f'="{a.case_id}"'
            if a.due is not None:
                row["due"] = a.due.in_timezone(zone).format("YYYY-MM-DD HH:mm:ss")
        writer.writerow(["" if row[c] is None else row[c] for c in _COLUMNS])
    return ("\ufeff" if excel else "") + out.getvalue()


def board_to_table(
    result: Board,
    *,
    limit: int | None = None,
    messages: Mapping[str, str] | None = None,
    group_by: str | None = None,
) -> str:
    """The board for a terminal; ``group_by`` is ``band``, ``workflow`` or ``assignee``."""
    lines = [f"board at {result.at.isoformat()}: {len(result.actions)} actions"]
    lines.extend(f"note: {note}" for note in result.notes)
    shown = result.actions if limit is None else result.actions[:limit]
    if group_by is None:
        lines.extend(_rows(result, shown, messages))
    else:
        groups: dict[str, list[Action]] = {}
        for a in shown:
            key = {"band": a.band.value, "workflow": a.workflow, "assignee": a.assignee}[group_by]
            groups.setdefault(key or "(nobody)", []).append(a)
        for key, rows in groups.items():
            lines.append(f"== {group_by} {key}: {len(rows)}")
            lines.extend(_rows(result, rows, messages))
    if limit is not None and len(result.actions) > limit:
        lines.append(f"... {len(result.actions) - limit} more (use --limit or --format json)")
    return "\n".join(lines)


def _rows(
    result: Board, actions: Sequence[Action], messages: Mapping[str, str] | None
) -> list[str]:
    lines = []
    for a in actions:
        due = "-" if a.due is None else a.due.in_timezone(_zone(result)).format("MM-DD HH:mm")
        if a.provisional:
            due += "*"  # counted without the year's holiday notice (see the note)
        stake = f"  ¥{a.at_stake}" if a.at_stake else ""
        owner = f"  @{a.assignee}" if a.assignee else ""
        lines.append(
            f"{a.band.value:<8} {due:<11} {_left_text(a.left):>9}  {a.who:<8} "
            f"{a.case_id:<22} {a.workflow}/{a.state}  [{a.rule}]{stake}{owner}"
        )
        lines.append(f"{'':<31}do: {a.suggested}")
        lines.append(f"{'':<31}else: {a.on_expiry}")
        message = None if messages is None else messages.get(a.case_id)
        if message:
            say = message.replace("\n", " / ")
            lines.append(f"{'':<31}say: {say[:160]}{'...' if len(say) > 160 else ''}")
    return lines


_BAND_COLOUR = {
    Band.OVERDUE: "#c62828",
    Band.TODAY: "#ef6c00",
    Band.SOON: "#f9a825",
    Band.LATER: "#2e7d32",
    Band.WATCH: "#607d8b",
}


def _timeline_svg(result: Board, actions: Sequence[Action], *, days: int = 7) -> str:
    """Each coming deadline as a dot on a line from ``at`` to ``at + days``."""
    width, height, left, right = 960, 150, 40, 20
    span = days * 86400
    start = result.at
    parts = [
        (
            f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="deadlines in the next {days} days">'
        )
    ]
    usable = width - left - right
    parts.append(
        f'<line x1="{left}" y1="100" x2="{width - right}" y2="100" stroke="#999" stroke-width="2"/>'
    )
    for day in range(days + 1):
        x = left + usable * day / days
        label = start.add(days=day).format("MM-DD")
        parts.append(f'<line x1="{x:.1f}" y1="95" x2="{x:.1f}" y2="105" stroke="#999"/>')
        parts.append(
            f'<text x="{x:.1f}" y="122" font-size="11" text-anchor="middle">{label}</text>'
        )
    lanes: dict[int, int] = {}
    for a in actions:
        if a.left is None or a.left > span:
            continue
        clamped = max(a.left, 0)
        x = left + usable * clamped / span
        bucket = int(x // 14)
        lane = lanes.get(bucket, 0)
        lanes[bucket] = lane + 1
        y = 88 - 12 * min(lane, 6)
        tip = html.escape(
            f"{a.case_id} {a.workflow}/{a.state} due "
            f"{'' if a.due is None else a.due.isoformat()} [{a.rule}]"
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{_BAND_COLOUR[a.band]}">'
            f"<title>{tip}</title></circle>"
        )
    parts.append(
        f'<text x="{left}" y="20" font-size="13">coming deadlines, next {days} days '
        "(overdue shown at the start)</text></svg>"
    )
    return "".join(parts)


def board_to_html(
    result: Board,
    problems: Sequence[Mapping[str, Any]] = (),
    messages: Mapping[str, str] | None = None,
    *,
    title: str = "After-sales board",
) -> str:
    """One self-contained page (``templates/board.html``): it opens from a file, with no
    network, on a desktop as a table and on a phone as one card per row."""
    zone = _zone(result)
    actions = result.actions
    bands = result.by_band()
    at_stake = sum((a.at_stake for a in actions), start=Money.ZERO)
    cards = [
        {"name": band.value, "value": len(bands.get(band, ())), "colour": _BAND_COLOUR[band]}
        for band in Band
    ]
    cards.append({"name": "money at stake", "value": f"¥{at_stake}", "colour": "#222"})
    rows = [
        {
            **a._asdict(),
            "band": a.band.value,
            "colour": _BAND_COLOUR[a.band],
            "due": "" if a.due is None else a.due.in_timezone(zone).format("YYYY-MM-DD HH:mm"),
            "left": _left_text(a.left),
            "message": None if messages is None else messages.get(a.case_id),
            "suggested": _with_rule_ids(a.suggested),
            "on_expiry": _with_rule_ids(a.on_expiry),
            "why_not": _NOT_AT_STAKE,
            # WAIT_SELLER_CONFIRM_GOODS may break after an underscore (<wbr>: nothing
            # is added to the text a reader copies)
            "state_breaks": markupsafe.Markup("_<wbr>").join(a.state.split("_")),
        }
        for a in actions
    ]
    at = result.at.in_timezone(zone)
    return _page().render(
        title=title,
        at_iso=result.at.isoformat(),
        at_text=f"{at.format('ddd D MMM YYYY, HH:mm')} ({_zone_text(at, zone)})",
        cards=cards,
        timeline=markupsafe.Markup(_timeline_svg(result, actions)),
        notes=result.notes,
        problems=[_problem_text(p) for p in problems],
        rows=rows,
        owners=any(a.assignee for a in actions),
    )


def _zone_text(at: pendulum.DateTime, zone: pendulum.Timezone | pendulum.FixedTimezone) -> str:
    """``UTC+08:00, Asia/Shanghai``; only the offset when the zone has no name."""
    offset = f"UTC{at.format('Z')}"
    return f"{offset}, {zone.name}" if "/" in zone.name else offset


#: A rule ID in running text: SHIP-ESCALATION, MAL-SHIP-IN-TIME, INT-EVIDENCE-3D.
_RULE_ID = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")


def _with_rule_ids(text: str) -> markupsafe.Markup:
    """``text`` escaped, each rule ID in it kept whole on one line (never SHIP- / ESCALATION)."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(_RULE_ID.sub(r'<span class="rule-id">\g<0></span>', escaped))


#: Why a row that names an amount may still have none at stake (``Advice.costs_money``).
_NOT_AT_STAKE = "a miss does not pay it out"


@functools.cache
def _page() -> jinja2.Template:
    text = (importlib.resources.files(__package__) / "templates" / "board.html").read_text(
        encoding="utf-8"
    )
    return jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(text)


def _problem_text(problem: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in problem.items())
