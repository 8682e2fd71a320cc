"""The board as a terminal table, JSON, CSV, or one self-contained HTML page.

Shell code: it formats what ``board()`` computed and never changes it. The HTML
page carries its own CSS and an inline SVG timeline of the coming deadlines, so
it opens from a file with no network.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

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


def board_to_csv(result: Board) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for a in result.actions:
        row = action_to_dict(a)
        writer.writerow(
            [
                row["left_seconds"] if c == "left" else ("" if row[c] is None else row[c])
                for c in _COLUMNS
            ]
        )
    return out.getvalue()


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

_CSS = """
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
margin:24px;color:#222;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}p.meta{color:#666;margin:0 0 16px}
.cards{display:flex;gap:12px;margin-bottom:16px;flex-wrap:wrap}
.card{background:#fff;border-radius:8px;padding:10px 16px;box-shadow:0 1px 3px #0002;
min-width:110px}
.card b{font-size:24px;display:block}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 3px #0002}
th,td{padding:6px 8px;border-bottom:1px solid #eee;text-align:left;font-size:13px;
vertical-align:top}
th{background:#f0f0f0;position:sticky;top:0}
.band{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px}
.money{text-align:right;white-space:nowrap}
svg{background:#fff;box-shadow:0 1px 3px #0002;margin-bottom:16px}
.problems{background:#fff3e0;padding:8px 16px;border-radius:8px;margin:16px 0}
"""


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
    esc = html.escape
    actions = result.actions
    bands = result.by_band()
    at_stake = sum((a.at_stake for a in actions), start=Money.ZERO)
    cards = "".join(
        f'<div class="card"><span>{band.value}</span><b style="color:{_BAND_COLOUR[band]}">'
        f"{len(bands.get(band, ()))}</b></div>"
        for band in Band
    )
    cards += f'<div class="card"><span>money at stake</span><b>¥{at_stake}</b></div>'
    rows = []
    for a in actions:
        due = "" if a.due is None else a.due.in_timezone(_zone(result)).format("YYYY-MM-DD HH:mm")
        mark = ' <b class="provisional" title="provisional">*</b>' if a.provisional else ""
        message = "" if messages is None else messages.get(a.case_id, "")
        rows.append(
            "<tr>"
            f'<td><span class="band" style="background:{_BAND_COLOUR[a.band]}">'
            f"{a.band.value}</span></td>"
            f"<td>{esc(due)}{mark}<br><small>{esc(_left_text(a.left))}</small></td>"
            f"<td>{esc(a.who)}</td>"
            f"<td>{esc(a.case_id)}<br><small>{esc(a.workflow)} / {esc(a.state)}</small></td>"
            f"<td>{esc(a.suggested)}"
            + (f"<br><small>{esc(message)}</small>" if message else "")
            + f"</td><td>{esc(a.on_expiry)}</td>"
            f'<td class="money">{"¥" + str(a.at_stake) if a.at_stake else ""}</td>'
            f"<td>{esc(a.rule)}</td><td>{esc(a.assignee or '')}</td></tr>"
        )
    notes = "".join(f"<li>* {esc(note)}</li>" for note in result.notes)
    problem_html = f'<div class="problems"><ul>{notes}</ul></div>' if notes else ""
    if problems:
        items = "".join(f"<li>{esc(_problem_text(p))}</li>" for p in problems)
        count = len(problems)
        problem_html += (
            f'<div class="problems"><b>{count} record{"" if count == 1 else "s"} '
            f"could not be used</b><ul>{items}</ul></div>"
        )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        f'<p class="meta">as of {esc(result.at.isoformat())} · {len(actions)} actions</p>'
        f'<div class="cards">{cards}</div>'
        f"{_timeline_svg(result, actions)}"
        f"{problem_html}"
        "<table><thead><tr><th>urgency</th><th>due</th><th>who</th><th>case</th>"
        "<th>next step</th><th>if nobody acts</th><th>at stake</th><th>rule</th>"
        "<th>owner</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></body></html>"
    )


def _problem_text(problem: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in problem.items())
